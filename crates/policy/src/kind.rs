//! Policy kinds, their size quotas, and the options that change how a document compiles.
//!
//! Each kind of policy has its own grammar rules (checked in `validate`) and its own size
//! quota. The quotas below are AWS's defaults; a caller that emulates a raised quota passes
//! [`CompileOptions::size_limit`].

use std::fmt;

/// Maximum size of a service control policy: 5,120 characters, whitespace included,
/// because the Organizations API stores the document as sent.
// NOTE: older AWS pages gave the quota in bytes; the current page gives characters.
// Sizes here count Unicode characters, so a non-ASCII SCP may pass here and fail in AWS.
pub const SERVICE_CONTROL_POLICY_SIZE_LIMIT: usize = 5_120;

/// Maximum size of a resource control policy: 5,120 characters, whitespace included.
pub const RESOURCE_CONTROL_POLICY_SIZE_LIMIT: usize = 5_120;

/// Maximum size of an IAM managed policy (identity policy or permissions boundary):
/// 6,144 characters, not counting whitespace.
pub const MANAGED_POLICY_SIZE_LIMIT: usize = 6_144;

/// Default maximum size of a role trust policy: 2,048 characters, not counting whitespace.
/// AWS lets an account raise it to 4,096.
pub const ROLE_TRUST_POLICY_SIZE_LIMIT: usize = 2_048;

/// Maximum size of an inline session policy passed to STS: 2,048 characters.
pub const SESSION_POLICY_SIZE_LIMIT: usize = 2_048;

/// Default maximum size of a resource-based policy: 20,480 characters, the S3 bucket policy
/// quota.
// NOTE: the quota differs by service (KMS key policies allow 32,768, for example); callers
// emulating another service pass `CompileOptions::size_limit`.
pub const RESOURCE_POLICY_SIZE_LIMIT: usize = 20_480;

/// Maximum total size of all inline policies of one IAM user, not counting whitespace.
/// IAM checks it across the user's inline policies, so the caller sums
/// [`Policy::size_without_whitespace`](crate::Policy::size_without_whitespace).
pub const USER_INLINE_POLICIES_SIZE_LIMIT: usize = 2_048;

/// Maximum total size of all inline policies of one IAM role, not counting whitespace.
pub const ROLE_INLINE_POLICIES_SIZE_LIMIT: usize = 10_240;

/// Maximum total size of all inline policies of one IAM group, not counting whitespace.
pub const GROUP_INLINE_POLICIES_SIZE_LIMIT: usize = 5_120;

/// The kind of a policy document, which decides its grammar and size quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// An AWS Organizations service control policy (SCP), attached to a root, OU or account
    /// and applied to the principals of member accounts.
    ServiceControl,
    /// An AWS Organizations resource control policy (RCP), applied to the resources of
    /// member accounts.
    ResourceControl,
    /// An IAM identity-based policy (managed or inline) of a user, group or role.
    Identity,
    /// A resource-based policy such as an S3 bucket policy, SQS queue policy or KMS key
    /// policy.
    Resource,
    /// An IAM role trust policy (the role's `AssumeRolePolicyDocument`).
    RoleTrust,
    /// A managed policy used as the permissions boundary of a user or role.
    PermissionsBoundary,
    /// A session policy passed to an STS `AssumeRole*` or `GetFederationToken` call.
    Session,
}

impl PolicyKind {
    /// Returns the default size quota in characters.
    pub fn default_size_limit(self) -> usize {
        match self {
            PolicyKind::ServiceControl => SERVICE_CONTROL_POLICY_SIZE_LIMIT,
            PolicyKind::ResourceControl => RESOURCE_CONTROL_POLICY_SIZE_LIMIT,
            PolicyKind::Identity | PolicyKind::PermissionsBoundary => MANAGED_POLICY_SIZE_LIMIT,
            PolicyKind::Resource => RESOURCE_POLICY_SIZE_LIMIT,
            PolicyKind::RoleTrust => ROLE_TRUST_POLICY_SIZE_LIMIT,
            PolicyKind::Session => SESSION_POLICY_SIZE_LIMIT,
        }
    }

    /// Returns how the size quota counts characters.
    pub fn size_counting(self) -> SizeCounting {
        match self {
            PolicyKind::Identity | PolicyKind::PermissionsBoundary | PolicyKind::RoleTrust => {
                SizeCounting::WithoutWhitespace
            }
            PolicyKind::ServiceControl
            | PolicyKind::ResourceControl
            | PolicyKind::Resource
            | PolicyKind::Session => SizeCounting::AllCharacters,
        }
    }

    /// Returns true for the kinds that IAM or STS store, which share IAM's character set and
    /// `Sid` rules.
    pub fn is_iam(self) -> bool {
        matches!(
            self,
            PolicyKind::Identity
                | PolicyKind::PermissionsBoundary
                | PolicyKind::RoleTrust
                | PolicyKind::Session
        )
    }

    /// Returns true for the Organizations policy types.
    pub fn is_organizations(self) -> bool {
        matches!(
            self,
            PolicyKind::ServiceControl | PolicyKind::ResourceControl
        )
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolicyKind::ServiceControl => "service control policy",
            PolicyKind::ResourceControl => "resource control policy",
            PolicyKind::Identity => "identity-based policy",
            PolicyKind::Resource => "resource-based policy",
            PolicyKind::RoleTrust => "role trust policy",
            PolicyKind::PermissionsBoundary => "permissions boundary",
            PolicyKind::Session => "session policy",
        })
    }
}

/// The rule a size quota uses to count the characters of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeCounting {
    /// Every character counts, whitespace included.
    AllCharacters,
    /// Whitespace outside string literals does not count (IAM's rule for its own policies).
    WithoutWhitespace,
}

impl SizeCounting {
    /// Returns the size of `document` in characters under this rule.
    pub fn measure(self, document: &str) -> usize {
        match self {
            SizeCounting::AllCharacters => document.chars().count(),
            SizeCounting::WithoutWhitespace => count_outside_whitespace(document),
        }
    }
}

/// Counts characters, skipping JSON whitespace that is not inside a string literal.
fn count_outside_whitespace(document: &str) -> usize {
    let mut count = 0;
    let mut in_string = false;
    let mut escaped = false;

    for ch in document.chars() {
        if in_string {
            count += 1;
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
        } else if !matches!(ch, ' ' | '\t' | '\n' | '\r') {
            count += 1;
            in_string = ch == '"';
        }
    }
    count
}

/// The SCP grammar to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScpGrammar {
    /// The full IAM policy language, which AWS enabled for SCPs in September 2025:
    /// conditions and resource ARNs in Allow statements, `NotAction` with Allow,
    /// `NotResource`, and wildcards anywhere in an action.
    #[default]
    Full,
    /// The grammar before September 2025: Allow statements take only `"Resource": "*"` and
    /// no condition, `NotAction` only with Deny, no `NotResource`, and action wildcards only
    /// at the end. For emulating partitions or tools that still enforce it.
    Legacy,
}

/// Options for [`Policy::compile_with`](crate::Policy::compile_with).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompileOptions {
    /// The SCP grammar; ignored for other kinds.
    pub scp_grammar: ScpGrammar,
    /// True for AWS-managed policies such as `RCPFullAWSAccess`, which may use constructs
    /// that customer policies of the same kind may not (an RCP with Allow and `"Action": "*"`).
    pub aws_managed: bool,
    /// A size quota in characters to use instead of the kind's default.
    pub size_limit: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_with_and_without_whitespace() {
        let document = "{ \"a b\" :\t[ 1 ,\n 2 ] }";
        assert_eq!(SizeCounting::AllCharacters.measure(document), 22);
        assert_eq!(SizeCounting::WithoutWhitespace.measure(document), 13);
    }

    #[test]
    fn whitespace_counting_handles_escaped_quotes() {
        let document = r#"{"a\" b": "c d"}"#;
        assert_eq!(SizeCounting::WithoutWhitespace.measure(document), 15);
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(SizeCounting::AllCharacters.measure("\"é\""), 3);
    }

    #[test]
    fn default_limits_per_kind() {
        assert_eq!(PolicyKind::ServiceControl.default_size_limit(), 5_120);
        assert_eq!(PolicyKind::ResourceControl.default_size_limit(), 5_120);
        assert_eq!(PolicyKind::Identity.default_size_limit(), 6_144);
        assert_eq!(PolicyKind::RoleTrust.default_size_limit(), 2_048);
        assert_eq!(PolicyKind::Session.default_size_limit(), 2_048);
    }
}
