//! The caller: the principal a request's credentials stand for.
//!
//! Convenience credentials need no setup: an access key that is a 12-digit number acts as the
//! root user of that account, and any other unknown key as the root user of the default
//! account. Their signatures are not checked. With strict authentication every key that
//! bulkhead did not issue is rejected, as AWS rejects it.

use std::sync::Arc;

use wire::sigv4::AuthError;

/// The account unknown access keys act in when no other is configured.
pub const DEFAULT_ACCOUNT: &str = "000000000000";

/// The account unknown access keys act in under moto's conventions.
pub const MOTO_DEFAULT_ACCOUNT: &str = "123456789012";

/// The mapping of access keys that bulkhead did not issue to principals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSettings {
    /// Reject access keys that bulkhead did not issue.
    pub strict: bool,
    /// The account that unknown, non-numeric access keys act in.
    pub default_account: String,
}

impl Default for AuthSettings {
    fn default() -> AuthSettings {
        AuthSettings {
            strict: false,
            default_account: DEFAULT_ACCOUNT.to_owned(),
        }
    }
}

impl AuthSettings {
    /// Resolves the principal of an access key that bulkhead did not issue: neither STS
    /// session credentials nor an IAM user's access key. Its signature is not verified.
    pub fn resolve_unissued_key(
        &self,
        access_key_id: &str,
        region: &str,
    ) -> Result<Caller, AuthError> {
        if self.strict {
            return Err(AuthError::UnknownAccessKey);
        }
        let is_account_id =
            access_key_id.len() == 12 && access_key_id.bytes().all(|b| b.is_ascii_digit());
        let account_id = if is_account_id {
            access_key_id
        } else {
            self.default_account.as_str()
        };
        Ok(Caller::root_user(account_id, region))
    }
}

/// The principal behind a request, after authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The 12-digit account the principal belongs to.
    pub account_id: String,
    /// The principal's ARN, such as `arn:aws:iam::123456789012:root`.
    pub arn: String,
    /// The signing region of the request, such as `us-east-1`.
    pub region: String,
    /// The ARN partition of that region: `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: &'static str,
    /// The unique id STS reports: the account id for a root user, `AROA…:session` for a role
    /// session.
    pub user_id: String,
    /// For a role session: the role's ARN.
    pub role_arn: Option<String>,
    /// For temporary credentials: what the session carries into authorization.
    pub session: Option<Arc<SessionContext>>,
}

/// What temporary credentials carry beyond the principal: the facts STS recorded when it issued
/// them, which authorization reads as condition keys and session policies.
#[derive(Debug, Clone, Default)]
pub struct SessionContext {
    /// When the credentials were issued, milliseconds since the Unix epoch
    /// (`aws:TokenIssueTime`).
    pub issued_at: i64,
    /// The source identity set when the role was assumed (`aws:SourceIdentity`).
    pub source_identity: Option<String>,
    /// Session tags (`aws:PrincipalTag/…`), which take precedence over the role's own tags.
    pub tags: Vec<(String, String)>,
    /// The keys of the session tags that pass to sessions assumed from this one.
    pub transitive_tag_keys: Vec<String>,
    /// The session policies, inline and managed, which bound the role's permissions.
    pub policies: Vec<policy::Policy>,
    /// True when a role session assumed this role (role chaining).
    pub chained: bool,
}

impl PartialEq for SessionContext {
    fn eq(&self, other: &SessionContext) -> bool {
        self.issued_at == other.issued_at
            && self.source_identity == other.source_identity
            && self.tags == other.tags
            && self.transitive_tag_keys == other.transitive_tag_keys
            && self.chained == other.chained
            && self.policies.len() == other.policies.len()
            && self
                .policies
                .iter()
                .zip(&other.policies)
                .all(|(left, right)| left.document() == right.document())
    }
}

impl Eq for SessionContext {}

impl Caller {
    /// Returns the IAM user with this ARN and `AIDA…` id in `account_id`, calling in `region`
    /// with one of its access keys.
    pub fn iam_user(account_id: &str, user_arn: &str, user_id: &str, region: &str) -> Caller {
        Caller {
            account_id: account_id.to_owned(),
            arn: user_arn.to_owned(),
            region: region.to_owned(),
            partition: partition_for_region(region),
            user_id: user_id.to_owned(),
            role_arn: None,
            session: None,
        }
    }

    /// Returns the root user of `account_id`, calling in `region`.
    pub fn root_user(account_id: &str, region: &str) -> Caller {
        let partition = partition_for_region(region);
        Caller {
            account_id: account_id.to_owned(),
            arn: format!("arn:{partition}:iam::{account_id}:root"),
            region: region.to_owned(),
            partition,
            user_id: account_id.to_owned(),
            role_arn: None,
            session: None,
        }
    }
}

/// Returns the ARN partition of a region: `aws-cn` for the China regions, `aws-us-gov` for GovCloud,
/// `aws-iso` and `aws-iso-b` for the isolated regions, `aws` for every other name.
pub fn partition_for_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_region_prefix() {
        assert_eq!(partition_for_region("us-east-1"), "aws");
        assert_eq!(partition_for_region("cn-north-1"), "aws-cn");
        assert_eq!(partition_for_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_for_region("us-iso-east-1"), "aws-iso");
        assert_eq!(partition_for_region("us-isob-east-1"), "aws-iso-b");
    }

    #[test]
    fn convenience_keys_map_to_accounts() {
        let settings = AuthSettings::default();
        assert_eq!(
            settings
                .resolve_unissued_key("123456789012", "us-east-1")
                .unwrap()
                .account_id,
            "123456789012"
        );
        assert_eq!(
            settings
                .resolve_unissued_key("test", "us-east-1")
                .unwrap()
                .account_id,
            DEFAULT_ACCOUNT
        );
        assert_eq!(
            settings
                .resolve_unissued_key("12345678901", "us-east-1")
                .unwrap()
                .account_id,
            DEFAULT_ACCOUNT
        );
        let strict = AuthSettings {
            strict: true,
            ..AuthSettings::default()
        };
        assert_eq!(
            strict.resolve_unissued_key("123456789012", "us-east-1"),
            Err(AuthError::UnknownAccessKey)
        );
    }

    #[test]
    fn root_user_arn_uses_partition() {
        let caller = Caller::root_user("123456789012", "cn-north-1");
        assert_eq!(caller.arn, "arn:aws-cn:iam::123456789012:root");
    }
}
