//! Errors from compiling a policy document, and their mapping to AWS error codes.
//!
//! Every error names what is wrong and what was expected, and errors inside the document
//! carry the line and column. [`PolicyError::kind`] sorts them into the two families AWS
//! returns, so the service layer can return the right code for its API.

use std::fmt;

use crate::PolicyKind;
use crate::json::{JsonError, JsonType};
use crate::kind::SizeCounting;

/// A position in a policy document: 1-based line and 1-based column, counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number in characters, starting at 1.
    pub column: usize,
}

impl Location {
    /// Finds the line and column of byte `offset` in `text`.
    #[cfg(test)]
    pub(crate) fn at(text: &str, offset: usize) -> Location {
        LineIndex::new(text).locate(offset)
    }
}

/// The start of every line of a document, for turning many byte offsets into locations
/// without rescanning the text each time.
pub(crate) struct LineIndex<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    ascii: bool,
}

impl<'t> LineIndex<'t> {
    pub(crate) fn new(text: &'t str) -> LineIndex<'t> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(index, _)| index + 1))
            .collect();
        LineIndex {
            text,
            line_starts,
            ascii: text.is_ascii(),
        }
    }

    /// Returns the location of byte `offset` (clamped to the end of the text).
    pub(crate) fn locate(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line_index = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = if self.ascii {
            offset - line_start
        } else {
            self.text
                .get(line_start..offset)
                .map_or(0, |line| line.chars().count())
        };
        Location {
            line: line_index + 1,
            column: column + 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// The family of an error, which decides the AWS error code an API returns for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The document is not valid JSON or breaks the policy grammar.
    MalformedPolicyDocument,
    /// The document is larger than the quota for its kind.
    PolicyTooLarge,
}

impl ErrorKind {
    /// Returns the AWS Organizations error code: `MalformedPolicyDocumentException`, or
    /// `ConstraintViolationException` for a policy over its size quota.
    pub fn organizations_code(self) -> &'static str {
        match self {
            ErrorKind::MalformedPolicyDocument => "MalformedPolicyDocumentException",
            ErrorKind::PolicyTooLarge => "ConstraintViolationException",
        }
    }

    /// Returns the `Reason` field AWS Organizations sends with a
    /// `ConstraintViolationException`: `POLICY_CONTENT_LIMIT_EXCEEDED` for a policy over
    /// its size quota, and `None` for malformed documents.
    pub fn organizations_reason(self) -> Option<&'static str> {
        match self {
            ErrorKind::MalformedPolicyDocument => None,
            ErrorKind::PolicyTooLarge => Some("POLICY_CONTENT_LIMIT_EXCEEDED"),
        }
    }

    /// Returns the IAM error code: `MalformedPolicyDocument`, or `LimitExceeded` for a
    /// policy over its size quota.
    pub fn iam_code(self) -> &'static str {
        match self {
            ErrorKind::MalformedPolicyDocument => "MalformedPolicyDocument",
            ErrorKind::PolicyTooLarge => "LimitExceeded",
        }
    }
}

/// An error from compiling a policy document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The document is not valid JSON.
    #[error("invalid JSON at {location}: {error}")]
    Json {
        /// Location of the syntax error.
        location: Location,
        /// The syntax problem.
        error: JsonError,
    },
    /// The document is valid JSON but breaks the policy grammar or a rule of its kind.
    #[error("invalid {kind} at {location}: {violation}")]
    Invalid {
        /// The kind the document was compiled as.
        kind: PolicyKind,
        /// Location of the offending element.
        location: Location,
        /// The rule the document breaks.
        violation: Violation,
    },
    /// The document is larger than the quota for its kind.
    #[error(
        "the {kind} is {size} characters long{}, over the {limit}-character quota; shorten it or split it into several policies",
        counting_note(*.counting)
    )]
    TooLarge {
        /// The kind the document was compiled as.
        kind: PolicyKind,
        /// The measured size in characters.
        size: usize,
        /// The quota in characters.
        limit: usize,
        /// The counting rule behind `size`.
        counting: SizeCounting,
    },
}

fn counting_note(counting: SizeCounting) -> &'static str {
    match counting {
        SizeCounting::AllCharacters => " counting whitespace",
        SizeCounting::WithoutWhitespace => " not counting whitespace",
    }
}

impl PolicyError {
    /// Returns the error family, from which [`ErrorKind::organizations_code`] and
    /// [`ErrorKind::iam_code`] give the AWS error code.
    pub fn kind(&self) -> ErrorKind {
        match self {
            PolicyError::Json { .. } | PolicyError::Invalid { .. } => {
                ErrorKind::MalformedPolicyDocument
            }
            PolicyError::TooLarge { .. } => ErrorKind::PolicyTooLarge,
        }
    }

    /// Returns where in the document the error is, if it is inside the document.
    pub fn location(&self) -> Option<Location> {
        match self {
            PolicyError::Json { location, .. } | PolicyError::Invalid { location, .. } => {
                Some(*location)
            }
            PolicyError::TooLarge { .. } => None,
        }
    }

    /// Returns the grammar rule the document breaks, if that is the error.
    pub fn violation(&self) -> Option<&Violation> {
        match self {
            PolicyError::Invalid { violation, .. } => Some(violation),
            PolicyError::Json { .. } | PolicyError::TooLarge { .. } => None,
        }
    }
}

/// A rule of the policy grammar, or of one policy kind, that a document breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    /// An element has the wrong JSON type.
    #[error("{element} must be {expected}, but it is {found}")]
    WrongType {
        /// The element name, such as `Statement` or `Condition`.
        element: String,
        /// The types the grammar allows.
        expected: &'static str,
        /// The JSON type found.
        found: JsonType,
    },
    /// An object has a key the grammar does not define.
    #[error("unknown element {name:?} in {context}; expected one of {} (element names are case-sensitive)", .allowed.join(", "))]
    UnknownElement {
        /// The key found.
        name: String,
        /// The enclosing element, such as "a statement".
        context: &'static str,
        /// The keys allowed there.
        allowed: &'static [&'static str],
    },
    /// The same key appears twice in one object.
    #[error("{name:?} appears more than once in {context}; merge the two into one")]
    DuplicateKey {
        /// The repeated key.
        name: String,
        /// The enclosing element.
        context: &'static str,
    },
    /// A required element is missing.
    #[error("{context} has no {element} element; {reason}")]
    MissingElement {
        /// The missing element.
        element: &'static str,
        /// The element it is missing from, such as "the policy" or "this statement".
        context: &'static str,
        /// The reason it is required, or how to add it.
        reason: &'static str,
    },
    /// Two mutually exclusive elements are both present.
    #[error("a statement may have {first} or {second}, not both")]
    Conflicting {
        /// The first element.
        first: &'static str,
        /// The second element.
        second: &'static str,
    },
    /// A list element is an empty array.
    #[error("{element} is an empty array; list at least one value")]
    EmptyList {
        /// The element.
        element: String,
    },
    /// `Statement` is an empty array.
    #[error("the policy has no statements; Statement must hold at least one statement")]
    NoStatements,
    /// `Version` is not a policy language version.
    #[error(
        "Version {found:?} is not a policy language version; expected \"2012-10-17\" or \"2008-10-17\""
    )]
    InvalidVersion {
        /// The value found.
        found: String,
    },
    /// The policy kind requires `"Version": "2012-10-17"`.
    #[error("a {kind} must declare \"Version\": \"2012-10-17\"")]
    VersionRequired {
        /// The kind.
        kind: PolicyKind,
    },
    /// `Effect` is neither `Allow` nor `Deny`.
    #[error("Effect {found:?} is not valid; expected \"Allow\" or \"Deny\" (case-sensitive)")]
    InvalidEffect {
        /// The value found.
        found: String,
    },
    /// An IAM `Sid` contains characters other than ASCII letters and digits.
    #[error("Sid {sid:?} is not valid in a {kind}; use only ASCII letters and digits")]
    InvalidSid {
        /// The Sid.
        sid: String,
        /// The kind.
        kind: PolicyKind,
    },
    /// Two statements share a `Sid`.
    #[error(
        "Sid {sid:?} is used by more than one statement; statement IDs must be unique within a policy"
    )]
    DuplicateSid {
        /// The repeated Sid.
        sid: String,
    },
    /// An action is not `*` or `service:action`.
    #[error("action {action:?} is not valid; {problem}")]
    InvalidAction {
        /// The action as written.
        action: String,
        /// The problem.
        problem: ActionProblem,
    },
    /// A resource is neither `*` nor an ARN.
    #[error(
        "resource {resource:?} is not valid; expected \"*\" or an ARN such as arn:aws:s3:::bucket/key"
    )]
    InvalidResource {
        /// The resource as written.
        resource: String,
    },
    /// A principal value is not valid for its principal type.
    #[error("principal {value:?} is not a valid {principal_type} principal; expected {expected}")]
    InvalidPrincipal {
        /// The value as written.
        value: String,
        /// `AWS`, `Service`, `Federated` or `CanonicalUser`.
        principal_type: String,
        /// The accepted forms.
        expected: &'static str,
    },
    /// An element that this kind of policy does not accept.
    #[error("{element} is not allowed in a {kind}; {reason}")]
    ElementNotAllowed {
        /// The element.
        element: &'static str,
        /// The kind.
        kind: PolicyKind,
        /// Why, and what to do instead.
        reason: &'static str,
    },
    /// `NotPrincipal` in an Allow statement, which AWS does not support.
    #[error(
        "NotPrincipal is supported only with \"Effect\": \"Deny\"; to allow everyone but some principals, use Principal with a condition on aws:PrincipalArn"
    )]
    NotPrincipalWithAllow,
    /// A resource control policy statement with `"Effect": "Allow"`.
    #[error(
        "a resource control policy may only deny; use \"Effect\": \"Deny\" (only the AWS-managed RCPFullAWSAccess allows)"
    )]
    AllowInResourceControlPolicy,
    /// A resource control policy whose `Principal` is not `"*"`.
    #[error(
        "the Principal of a resource control policy must be \"*\"; narrow the principals with conditions such as aws:PrincipalOrgID"
    )]
    ResourceControlPrincipalNotWildcard,
    /// A customer resource control policy with `"Action": "*"`.
    #[error(
        "a resource control policy may not use \"*\" as an action; name a service prefix such as \"s3:*\""
    )]
    ResourceControlBareWildcardAction,
    /// A construct that SCPs accept only since September 2025, rejected under the legacy grammar.
    #[error(
        "{construct} is not supported by the legacy SCP grammar; it was added to SCPs in September 2025"
    )]
    LegacyScpConstruct {
        /// The construct, such as "a Condition in an Allow statement".
        construct: &'static str,
    },
    /// A `Condition` operator that IAM does not define.
    #[error(
        "condition operator {operator:?} is not valid; expected an operator such as StringEquals, optionally prefixed with ForAllValues: or ForAnyValue: and suffixed with IfExists"
    )]
    UnknownOperator {
        /// The operator as written.
        operator: String,
    },
    /// A condition value that the operator cannot compare.
    #[error(
        "condition value {value:?} for {operator} on key {key:?} is not valid; expected {expected}"
    )]
    InvalidConditionValue {
        /// The operator as written.
        operator: String,
        /// The condition key as written.
        key: String,
        /// The value as written.
        value: String,
        /// The value forms the operator accepts.
        expected: &'static str,
    },
    /// An empty condition key.
    #[error("a condition key is empty; expected a key such as aws:SourceIp")]
    EmptyConditionKey,
    /// A character outside the set IAM accepts in policy documents.
    #[error(
        "character U+{code:04X} is not allowed in a {kind}; IAM accepts tab, line feed, carriage return and U+0020 to U+00FF"
    )]
    UnsupportedCharacter {
        /// The code point.
        code: u32,
        /// The kind.
        kind: PolicyKind,
    },
}

/// A problem with an action string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ActionProblem {
    /// No colon between the service prefix and the action name.
    #[error(
        "expected \"*\" or a service prefix and an action name separated by a colon, such as s3:GetObject"
    )]
    MissingColon,
    /// More than one colon.
    #[error("it has more than one colon; expected service:action")]
    ExtraColon,
    /// Empty service prefix or action name.
    #[error("the service prefix and the action name must not be empty")]
    EmptyPart,
    /// A character that cannot appear in a service prefix or action name.
    #[error("it contains a character other than letters, digits, '-', '_', '.', '*' or '?'")]
    InvalidCharacter,
    /// A wildcard that is not at the end, under the legacy SCP grammar.
    #[error("the legacy SCP grammar allows a wildcard only at the end of an action")]
    WildcardNotAtEnd,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let text = "{\n  \"é\": x\n}";
        assert_eq!(Location::at(text, 0), Location { line: 1, column: 1 });
        let offset = text.find('x').unwrap();
        assert_eq!(Location::at(text, offset), Location { line: 2, column: 8 });
        assert_eq!(
            Location::at(text, text.len()),
            Location { line: 3, column: 2 }
        );
    }

    #[test]
    fn kinds_map_to_aws_codes() {
        assert_eq!(
            ErrorKind::MalformedPolicyDocument.organizations_code(),
            "MalformedPolicyDocumentException"
        );
        assert_eq!(
            ErrorKind::MalformedPolicyDocument.organizations_reason(),
            None
        );
        assert_eq!(
            ErrorKind::MalformedPolicyDocument.iam_code(),
            "MalformedPolicyDocument"
        );
        assert_eq!(
            ErrorKind::PolicyTooLarge.organizations_code(),
            "ConstraintViolationException"
        );
        assert_eq!(
            ErrorKind::PolicyTooLarge.organizations_reason(),
            Some("POLICY_CONTENT_LIMIT_EXCEEDED")
        );
        assert_eq!(ErrorKind::PolicyTooLarge.iam_code(), "LimitExceeded");
    }

    #[test]
    fn too_large_message_names_quota() {
        let error = PolicyError::TooLarge {
            kind: PolicyKind::ServiceControl,
            size: 6000,
            limit: 5120,
            counting: SizeCounting::AllCharacters,
        };
        assert_eq!(
            error.to_string(),
            "the service control policy is 6000 characters long counting whitespace, over the 5120-character quota; shorten it or split it into several policies"
        );
        assert_eq!(error.kind(), ErrorKind::PolicyTooLarge);
        assert_eq!(error.location(), None);
    }
}
