//! Actions: the action named by a request, the patterns of the `Action` and `NotAction`
//! elements, and a matcher that tests a request against a whole list of patterns quickly.
//!
//! Action names are case-insensitive, so both sides are lower-cased once: patterns when the
//! policy compiles, the request action when the request is built. Matching then compares
//! bytes. Expanding a pattern into the actions it covers needs the action catalog, which
//! lives in the `catalog` crate.

use std::fmt;

use crate::error::ActionProblem;
use crate::key::fingerprint;
use crate::pattern::{Case, NoVariables, Pattern, Variables, Wildcards};

/// The action of a request, such as `s3:GetObject`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Action {
    text: Box<str>,
    lowercase: Box<str>,
    colon: usize,
    service_fingerprint: u64,
    name_fingerprint: u64,
}

/// A request action that is not `service:ActionName`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "request action {action:?} is not valid; expected service:ActionName without wildcards, such as s3:GetObject"
)]
pub struct InvalidAction {
    /// The action as given.
    pub action: String,
}

impl Action {
    /// Parses `service:ActionName`. Wildcards are rejected: a request names one action.
    pub fn new(text: &str) -> Result<Action, InvalidAction> {
        let invalid = || InvalidAction {
            action: text.to_owned(),
        };
        let (service, name) = text.split_once(':').ok_or_else(invalid)?;
        let valid_part = |part: &str| {
            !part.is_empty()
                && !part.contains([':', '*', '?'])
                && !part.contains(char::is_whitespace)
        };
        if !valid_part(service) || !valid_part(name) {
            return Err(invalid());
        }
        let lowercase = text.to_lowercase();
        let (service_lowercase, name_lowercase) = lowercase.split_once(':').unwrap_or_default();
        Ok(Action {
            text: text.into(),
            service_fingerprint: fingerprint(service_lowercase),
            name_fingerprint: fingerprint(name_lowercase),
            colon: service_lowercase.len(),
            lowercase: lowercase.into_boxed_str(),
        })
    }

    /// Returns the action as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Returns the service prefix, lower-cased.
    pub fn service(&self) -> &str {
        self.lowercase.get(..self.colon).unwrap_or_default()
    }

    /// Returns the action name, lower-cased.
    pub fn name(&self) -> &str {
        self.lowercase.get(self.colon + 1..).unwrap_or_default()
    }

    /// Returns `service:name`, lower-cased.
    pub fn lowercase(&self) -> &str {
        &self.lowercase
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One entry of an `Action` or `NotAction` element, such as `s3:Get*` or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern {
    text: Box<str>,
    lowercase: Box<str>,
    /// Byte offset of the colon; `None` for `*`.
    colon: Option<usize>,
    service: PatternPart,
    name: PatternPart,
}

/// The shape of one side of the colon of an action pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PatternPart {
    /// No wildcard: the text must be equal, ignoring case.
    Literal,
    /// A lone `*`.
    Any,
    /// Wildcards among other text.
    Glob(Pattern),
}

impl PatternPart {
    fn new(text: &str) -> PatternPart {
        if text == "*" {
            PatternPart::Any
        } else if text.contains(['*', '?']) {
            PatternPart::Glob(Pattern::compile(
                text,
                Wildcards::Enabled,
                Variables::Disabled,
            ))
        } else {
            PatternPart::Literal
        }
    }

    /// Matches `input` in any letter case against this part, whose lower-cased text is
    /// `lowercase`.
    fn matches(&self, lowercase: &str, input: &str) -> bool {
        match self {
            PatternPart::Literal => lowercase.eq_ignore_ascii_case(input),
            PatternPart::Any => true,
            PatternPart::Glob(pattern) => pattern.matches(input, Case::Insensitive, &NoVariables),
        }
    }
}

impl ActionPattern {
    /// Parses an action pattern. `*` and `?` may appear anywhere; letters compare without
    /// regard to case.
    pub fn new(text: &str) -> Result<ActionPattern, ActionProblem> {
        check_pattern_syntax(text)?;
        // The syntax check admits only ASCII characters.
        let lowercase = text.to_ascii_lowercase();
        let colon = lowercase.find(':');
        let (service, name) = match lowercase.split_once(':') {
            Some((service, name)) => (PatternPart::new(service), PatternPart::new(name)),
            None => (PatternPart::Any, PatternPart::Any),
        };
        Ok(ActionPattern {
            text: text.into(),
            lowercase: lowercase.into_boxed_str(),
            colon,
            service,
            name,
        })
    }

    /// Returns the pattern as written in the policy.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Returns true when the pattern is `*`, which matches every action.
    pub fn is_any(&self) -> bool {
        self.colon.is_none()
    }

    /// Returns the lower-cased service prefix when it contains no wildcard.
    pub fn literal_service(&self) -> Option<&str> {
        match self.service {
            PatternPart::Literal => self.service_text(),
            PatternPart::Any | PatternPart::Glob(_) => None,
        }
    }

    fn service_text(&self) -> Option<&str> {
        self.lowercase.get(..self.colon?)
    }

    /// Returns the lower-cased action name part, after the colon.
    fn name_text(&self) -> Option<&str> {
        self.lowercase.get(self.colon? + 1..)
    }

    /// Returns true when `action` (`service:name`, any letter case) matches this pattern.
    pub fn matches(&self, action: &str) -> bool {
        if self.is_any() {
            return true;
        }
        let (Some(service_text), Some(name_text)) = (self.service_text(), self.name_text()) else {
            return false;
        };
        let Some((service, name)) = action.split_once(':') else {
            return false;
        };
        self.service.matches(service_text, service) && self.name.matches(name_text, name)
    }
}

fn check_pattern_syntax(text: &str) -> Result<(), ActionProblem> {
    if text == "*" {
        return Ok(());
    }
    let (service, name) = text.split_once(':').ok_or(ActionProblem::MissingColon)?;
    if name.contains(':') {
        return Err(ActionProblem::ExtraColon);
    }
    if service.is_empty() || name.is_empty() {
        return Err(ActionProblem::EmptyPart);
    }
    let valid = |ch: char| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.' | '*' | '?');
    if !service.chars().all(valid) || !name.chars().all(valid) {
        return Err(ActionProblem::InvalidCharacter);
    }
    Ok(())
}

/// All patterns of one `Action` or `NotAction` element, indexed for matching.
///
/// Patterns whose service prefix has no wildcard are grouped by service and kept in a
/// sorted list, so a request is checked against only the patterns of its own service:
/// region-deny SCPs list eighty or more services in `NotAction`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ActionMatcher {
    any: bool,
    services: Vec<ServicePatterns>,
    /// Patterns whose service prefix has a wildcard, checked one by one.
    wildcard_services: Vec<ActionPattern>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ServicePatterns {
    fingerprint: u64,
    service: Box<str>,
    all: bool,
    /// Literal action names with their fingerprints, sorted.
    exact_names: Vec<(u64, Box<str>)>,
    name_patterns: Vec<Pattern>,
}

impl ServicePatterns {
    fn order(&self, fingerprint: u64, service: &str) -> std::cmp::Ordering {
        self.fingerprint
            .cmp(&fingerprint)
            .then_with(|| (*self.service).cmp(service))
    }
}

fn order_name(entry: &(u64, Box<str>), fingerprint: u64, name: &str) -> std::cmp::Ordering {
    entry.0.cmp(&fingerprint).then_with(|| (*entry.1).cmp(name))
}

impl ActionMatcher {
    pub(crate) fn new(patterns: &[ActionPattern]) -> ActionMatcher {
        let mut matcher = ActionMatcher::default();

        for pattern in patterns {
            if pattern.is_any() {
                matcher.any = true;
                continue;
            }
            let Some(service) = pattern.literal_service() else {
                matcher.wildcard_services.push(pattern.clone());
                continue;
            };

            let service_fingerprint = fingerprint(service);
            let entry = match matcher
                .services
                .binary_search_by(|entry| entry.order(service_fingerprint, service))
            {
                Ok(index) => &mut matcher.services[index],
                Err(index) => {
                    matcher.services.insert(
                        index,
                        ServicePatterns {
                            fingerprint: service_fingerprint,
                            service: service.into(),
                            all: false,
                            exact_names: Vec::new(),
                            name_patterns: Vec::new(),
                        },
                    );
                    &mut matcher.services[index]
                }
            };
            let name = pattern.name_text().unwrap_or_default();
            match &pattern.name {
                PatternPart::Any => entry.all = true,
                PatternPart::Literal => entry.exact_names.push((fingerprint(name), name.into())),
                PatternPart::Glob(glob) => entry.name_patterns.push(glob.clone()),
            }
        }

        for entry in &mut matcher.services {
            entry.exact_names.sort_unstable();
            entry.exact_names.dedup();
        }
        matcher
    }

    /// Returns true when any pattern matches the request action.
    pub(crate) fn matches(&self, action: &Action) -> bool {
        if self.any {
            return true;
        }

        let service = action.service();
        if let Ok(index) = self
            .services
            .binary_search_by(|entry| entry.order(action.service_fingerprint, service))
            && let Some(entry) = self.services.get(index)
        {
            let name = action.name();
            if entry.all
                || entry
                    .exact_names
                    .binary_search_by(|exact| order_name(exact, action.name_fingerprint, name))
                    .is_ok()
                || entry
                    .name_patterns
                    .iter()
                    .any(|pattern| pattern.matches(name, Case::Sensitive, &NoVariables))
            {
                return true;
            }
        }

        self.wildcard_services
            .iter()
            .any(|pattern| pattern.matches(action.lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(patterns: &[&str]) -> ActionMatcher {
        let patterns: Vec<ActionPattern> = patterns
            .iter()
            .map(|text| ActionPattern::new(text).unwrap())
            .collect();
        ActionMatcher::new(&patterns)
    }

    fn action(text: &str) -> Action {
        Action::new(text).unwrap()
    }

    #[test]
    fn matching_table() {
        let cases: &[(&[&str], &str, bool)] = &[
            (&["*"], "s3:GetObject", true),
            (&["s3:*"], "s3:GetObject", true),
            (&["s3:*"], "s3express:CreateSession", false),
            (&["s3:GetObject"], "S3:GETOBJECT", true),
            (&["S3:getobject"], "s3:GetObject", true),
            (&["s3:GetObject"], "s3:GetObjectAcl", false),
            (&["s3:Get*"], "s3:GetObjectAcl", true),
            (&["s3:Get*"], "s3:PutObject", false),
            (&["s3:Delete*Bucket*"], "s3:DeleteBucketPolicy", true),
            (&["s3:Delete*Bucket*"], "s3:DeleteObject", false),
            (&["dynamodb:*Table"], "dynamodb:DeleteTable", true),
            (&["dynamodb:*Table"], "dynamodb:DescribeTableReplica", false),
            (&["ec2:Describe?pcs"], "ec2:DescribeVpcs", true),
            (&["ec2:Describe?pcs"], "ec2:DescribeVVpcs", false),
            (&["*:Describe*"], "rds:DescribeDBInstances", true),
            (&["*:Describe*"], "rds:CreateDBInstance", false),
            (&["s?s:SendMessage"], "sqs:SendMessage", true),
            (
                &["iam:*", "sts:*", "s3:ListAllMyBuckets"],
                "s3:ListAllMyBuckets",
                true,
            ),
            (
                &["iam:*", "sts:*", "s3:ListAllMyBuckets"],
                "s3:ListBucket",
                false,
            ),
            (
                &["iam:*", "sts:*", "s3:ListAllMyBuckets"],
                "sts:AssumeRole",
                true,
            ),
            (&[], "s3:GetObject", false),
        ];
        for (patterns, request, expected) in cases {
            assert_eq!(
                matcher(patterns).matches(&action(request)),
                *expected,
                "patterns {patterns:?} action {request}"
            );
        }
    }

    #[test]
    fn pattern_syntax_table() {
        let cases: &[(&str, Result<(), ActionProblem>)] = &[
            ("*", Ok(())),
            ("s3:*", Ok(())),
            ("aws-marketplace:ViewSubscriptions", Ok(())),
            ("*:*", Ok(())),
            ("s3", Err(ActionProblem::MissingColon)),
            ("s3:Get:Object", Err(ActionProblem::ExtraColon)),
            (":GetObject", Err(ActionProblem::EmptyPart)),
            ("s3:", Err(ActionProblem::EmptyPart)),
            ("s3:Get Object", Err(ActionProblem::InvalidCharacter)),
            ("s3:Get/Object", Err(ActionProblem::InvalidCharacter)),
        ];
        for (text, expected) in cases {
            assert_eq!(
                ActionPattern::new(text).map(|_| ()),
                *expected,
                "pattern {text:?}"
            );
        }
    }

    #[test]
    fn single_pattern_matches_any_case() {
        let pattern = ActionPattern::new("EC2:Run*").unwrap();
        assert!(pattern.matches("ec2:runinstances"));
        assert!(pattern.matches("EC2:RunInstances"));
        assert!(!pattern.matches("ec2:StopInstances"));
        assert_eq!(pattern.literal_service(), Some("ec2"));
    }

    #[test]
    fn single_pattern_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "anything:AtAll", true),
            ("*:*", "s3:GetObject", true),
            ("*:Get*", "S3:getObject", true),
            ("*:Get*", "s3:PutObject", false),
            ("s?:GetObject", "s3:GETOBJECT", true),
            ("s3:GetObject", "s3:GetObjectAcl", false),
            ("s3:*", "s3express:CreateSession", false),
            ("s3:*", "no-colon", false),
        ];
        for (pattern, action, expected) in cases {
            assert_eq!(
                ActionPattern::new(pattern).unwrap().matches(action),
                *expected,
                "{pattern} {action}"
            );
        }
    }

    #[test]
    fn request_action_table() {
        assert!(Action::new("s3:GetObject").is_ok());
        for invalid in ["s3", "s3:", ":x", "s3:Get*", "s3:a:b", "s3 :x"] {
            assert!(Action::new(invalid).is_err(), "action {invalid:?}");
        }
        let parsed = action("EC2:RunInstances");
        assert_eq!(parsed.service(), "ec2");
        assert_eq!(parsed.name(), "runinstances");
        assert_eq!(parsed.as_str(), "EC2:RunInstances");
    }
}
