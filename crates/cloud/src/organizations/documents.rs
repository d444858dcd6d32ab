//! Policy documents: size limits and syntax checks for every Organizations policy type.
//!
//! Authorization policies (SCPs and RCPs) use the IAM policy language. Every other type is a
//! management policy: a JSON tree whose settings carry inheritance operators (`@@assign`,
//! `@@append`, `@@remove`) and child-control operators
//! (`@@operators_allowed_for_child_policies`), merged from the root down into an account's
//! effective policy by [`super::effective`].

use std::fmt;

use model::organizations::{ConstraintViolationExceptionReason, PolicyType};
use policy::Location;
use serde_json::Value;

use super::OrganizationsError;

/// An invalid policy document: the error CreatePolicy returns for it, and the problem and its
/// place apart, for a caller that shows the place in its own terms.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentError {
    /// The error CreatePolicy and UpdatePolicy return, whose message names the place.
    pub error: OrganizationsError,
    /// The problem alone, without its place.
    pub problem: String,
    /// The place in the document, where the check finds one.
    pub place: Option<DocumentPlace>,
}

/// A place inside a policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentPlace {
    /// A line and column in the document's text, both from 1, the column in characters.
    Location(Location),
    /// The object keys from the top of a management policy down to the offending element.
    Path(Vec<String>),
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl From<DocumentError> for OrganizationsError {
    fn from(error: DocumentError) -> OrganizationsError {
        error.error
    }
}

/// The operators that set a value in a management policy.
pub(crate) const VALUE_OPERATORS: &[&str] = &["@@assign", "@@append", "@@remove"];

/// The operator that limits which value operators child policies may use.
pub(crate) const CHILD_CONTROL_OPERATOR: &str = "@@operators_allowed_for_child_policies";

/// The largest document of a type, in characters, whitespace included: 5,120 for SCPs and
/// RCPs, 2,500 for AI services opt-out policies and 10,000 for the other management types.
pub(crate) fn max_content_length(policy_type: PolicyType) -> usize {
    match policy_type {
        PolicyType::ServiceControlPolicy | PolicyType::ResourceControlPolicy => 5_120,
        PolicyType::AiservicesOptOutPolicy => 2_500,
        _ => 10_000,
    }
}

/// Whether a policy type is a management policy type, with inheritance operators.
pub(crate) fn is_management_type(policy_type: PolicyType) -> bool {
    !matches!(
        policy_type,
        PolicyType::ServiceControlPolicy | PolicyType::ResourceControlPolicy
    )
}

/// The top-level key a management policy of this type must use, where it is known.
///
/// NOTE: the keys of the newest types (upgrade rollout, Bedrock, S3, network security
/// director) are not checked; any object is accepted for them.
fn top_level_key(policy_type: PolicyType) -> Option<&'static str> {
    match policy_type {
        PolicyType::TagPolicy => Some("tags"),
        PolicyType::BackupPolicy => Some("plans"),
        PolicyType::AiservicesOptOutPolicy => Some("services"),
        PolicyType::ChatbotPolicy => Some("chatbot"),
        PolicyType::DeclarativePolicyEc2 => Some("ec2_attributes"),
        PolicyType::SecurityhubPolicy => Some("securityhub"),
        PolicyType::InspectorPolicy => Some("inspector"),
        _ => None,
    }
}

/// Checks a document's size and syntax for its type.
pub(crate) fn validate(policy_type: PolicyType, content: &str) -> Result<(), DocumentError> {
    let limit = max_content_length(policy_type);
    let length = content.chars().count();
    if length > limit {
        let message = format!(
            "The policy document has {length} characters; a {} may have at most {limit}, whitespace included.",
            policy_type.as_str()
        );
        return Err(DocumentError {
            error: OrganizationsError::constraint(
                ConstraintViolationExceptionReason::PolicyContentLimitExceeded,
                message.clone(),
            ),
            problem: message,
            place: None,
        });
    }
    let document = parse_json(content)?;
    if is_management_type(policy_type) {
        validate_management(policy_type, &document)
    } else {
        super::authorization::validate(policy_type, content)
    }
}

/// Parses JSON, reporting the line and column of a syntax error.
pub(crate) fn parse_json(content: &str) -> Result<Value, DocumentError> {
    serde_json::from_str(content).map_err(|error| {
        let description = describe_json_error(&error);
        DocumentError {
            error: OrganizationsError::MalformedPolicyDocument(format!(
                "The policy document is not valid JSON: {description} at line {}, column {}.",
                error.line(),
                error.column()
            )),
            problem: format!("the document is not valid JSON: {description}"),
            place: Some(DocumentPlace::Location(json_error_location(
                content,
                error.line(),
                error.column(),
            ))),
        }
    })
}

/// Converts serde_json's place of a syntax error to a [`Location`]. serde_json counts the
/// column in bytes, and gives column 0 for a place just after a line feed. The location
/// counts characters, and puts such a place at the end of the line before.
fn json_error_location(content: &str, line: usize, column: usize) -> Location {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(content.match_indices('\n').map(|(index, _)| index + 1))
        .collect();
    let Some(&line_start) = line_starts.get(line.saturating_sub(1)) else {
        return Location { line, column };
    };
    if column == 0 && line > 1 {
        let previous_start = line_starts[line - 2];
        let previous = &content[previous_start..line_start - 1];
        return Location {
            line: line - 1,
            column: previous.chars().count() + 1,
        };
    }
    let mut end = (line_start + column.saturating_sub(1)).min(content.len());
    while !content.is_char_boundary(end) {
        end -= 1;
    }
    Location {
        line,
        column: content[line_start..end].chars().count() + 1,
    }
}

fn describe_json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.find(" at line ") {
        Some(index) => text[..index].to_owned(),
        None => text,
    }
}

/// Returns the error for a management policy whose element at `path` breaks a rule.
fn malformed(path: &[&str], message: &str) -> DocumentError {
    let location = if path.is_empty() {
        "the document".to_owned()
    } else {
        format!("\"{}\"", path.join("."))
    };
    DocumentError {
        error: OrganizationsError::MalformedPolicyDocument(format!(
            "Invalid management policy at {location}: {message}"
        )),
        problem: message.to_owned(),
        place: (!path.is_empty())
            .then(|| DocumentPlace::Path(path.iter().map(|key| (*key).to_owned()).collect())),
    }
}

fn validate_management(policy_type: PolicyType, document: &Value) -> Result<(), DocumentError> {
    let Value::Object(object) = document else {
        return Err(malformed(&[], "the document must be a JSON object."));
    };
    if let Some(expected) = top_level_key(policy_type) {
        for key in object.keys() {
            if key != expected && key != CHILD_CONTROL_OPERATOR {
                return Err(malformed(
                    &[key],
                    &format!(
                        "a {} has the top-level key \"{expected}\" only.",
                        policy_type.as_str()
                    ),
                ));
            }
        }
    }
    validate_node(document, &[], 0)?;
    if policy_type == PolicyType::AiservicesOptOutPolicy {
        validate_opt_out_values(document, &[])?;
    }
    Ok(())
}

/// The deepest nesting accepted in a management policy.
const MAX_DEPTH: usize = 32;

fn validate_node(node: &Value, path: &[&str], depth: usize) -> Result<(), DocumentError> {
    if depth > MAX_DEPTH {
        return Err(malformed(
            path,
            &format!("the document is nested more than {MAX_DEPTH} levels deep."),
        ));
    }
    let Value::Object(object) = node else {
        return Ok(());
    };
    for (key, value) in object {
        let child_path = [path, &[key.as_str()]].concat();
        if key == CHILD_CONTROL_OPERATOR {
            validate_child_control(value, &child_path)?;
        } else if VALUE_OPERATORS.contains(&key.as_str()) {
            if (key == "@@append" || key == "@@remove") && !value.is_array() {
                return Err(malformed(
                    &child_path,
                    &format!("{key} takes a list of values."),
                ));
            }
            if value.is_object() {
                return Err(malformed(
                    &child_path,
                    &format!("{key} takes a value or a list of values, not an object."),
                ));
            }
        } else if key.starts_with("@@") {
            return Err(malformed(
                &child_path,
                &format!(
                    "unknown operator {key}; use @@assign, @@append, @@remove or {CHILD_CONTROL_OPERATOR}."
                ),
            ));
        } else {
            validate_node(value, &child_path, depth + 1)?;
        }
    }
    Ok(())
}

fn validate_child_control(value: &Value, path: &[&str]) -> Result<(), DocumentError> {
    let Value::Array(items) = value else {
        return Err(malformed(
            path,
            "the value must be a list such as [\"@@all\"] or [\"@@none\"].",
        ));
    };
    if items.is_empty() {
        return Err(malformed(
            path,
            "the list of allowed operators must not be empty.",
        ));
    }
    for item in items {
        match item.as_str() {
            Some("@@all" | "@@none" | "@@assign" | "@@append" | "@@remove") => {}
            _ => {
                return Err(malformed(
                    path,
                    &format!(
                        "{item} is not an operator; use @@all, @@none, @@assign, @@append or @@remove."
                    ),
                ));
            }
        }
    }
    let names: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
    if names.len() > 1 && (names.contains(&"@@all") || names.contains(&"@@none")) {
        return Err(malformed(path, "@@all and @@none must stand alone."));
    }
    Ok(())
}

/// AI services opt-out policies set `opt_out_policy` to `optIn` or `optOut`.
fn validate_opt_out_values(node: &Value, path: &[&str]) -> Result<(), DocumentError> {
    let Value::Object(object) = node else {
        return Ok(());
    };
    for (key, value) in object {
        let child_path = [path, &[key.as_str()]].concat();
        if key == "opt_out_policy" {
            let values: Vec<&Value> = match value {
                Value::Object(operators) => operators
                    .iter()
                    .filter(|(operator, _)| VALUE_OPERATORS.contains(&operator.as_str()))
                    .flat_map(|(_, value)| match value {
                        Value::Array(items) => items.iter().collect::<Vec<_>>(),
                        other => vec![other],
                    })
                    .collect(),
                other => vec![other],
            };
            for value in values {
                if !matches!(value.as_str(), Some("optIn" | "optOut")) {
                    return Err(malformed(
                        &child_path,
                        &format!("opt_out_policy must be \"optIn\" or \"optOut\", not {value}."),
                    ));
                }
            }
        } else {
            validate_opt_out_values(value, &child_path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_text(policy_type: PolicyType, content: &str) -> String {
        validate(policy_type, content).unwrap_err().to_string()
    }

    #[test]
    fn tag_policy_passes() {
        let content = r#"{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]},"@@operators_allowed_for_child_policies":["@@append"]}}}"#;
        assert!(validate(PolicyType::TagPolicy, content).is_ok());
    }

    #[test]
    fn malformed_json_reports_position() {
        let message = error_text(
            PolicyType::TagPolicy,
            "{\n  \"tags\": {\n    \"a\": 1,\n  }\n}",
        );
        assert!(message.contains("line 4"), "{message}");
    }

    #[test]
    fn json_error_location_counts_characters() {
        let place = |content: &str| parse_json(content).unwrap_err().place;
        assert_eq!(
            place("{\"é\": x}"),
            Some(DocumentPlace::Location(Location { line: 1, column: 7 }))
        );
        // serde_json reports this one at column 0 of line 3, just after the line feed.
        assert_eq!(
            place("{\n  \"a\": tru\n}"),
            Some(DocumentPlace::Location(Location {
                line: 2,
                column: 11
            }))
        );
    }

    #[test]
    fn management_error_names_key_path() {
        let content = r#"{"tags": {"a": {"tag_value": {"@@append": "x"}}}}"#;
        let error = validate(PolicyType::TagPolicy, content).unwrap_err();
        let path = ["tags", "a", "tag_value", "@@append"].map(str::to_owned);
        assert_eq!(error.place, Some(DocumentPlace::Path(path.to_vec())));
        assert_eq!(error.problem, "@@append takes a list of values.");
        assert_eq!(
            error.to_string(),
            "Invalid management policy at \"tags.a.tag_value.@@append\": @@append takes a list of values."
        );
    }

    #[test]
    fn management_syntax_errors_are_named() {
        let cases = [
            (PolicyType::TagPolicy, r#"{"labels": {}}"#, "top-level key"),
            (
                PolicyType::TagPolicy,
                r#"{"tags": {"a": {"tag_value": {"@@append": "x"}}}}"#,
                "list of values",
            ),
            (
                PolicyType::TagPolicy,
                r#"{"tags": {"a": {"@@replace": "x"}}}"#,
                "unknown operator",
            ),
            (
                PolicyType::TagPolicy,
                r#"{"tags": {"@@operators_allowed_for_child_policies": ["@@all", "@@none"]}}"#,
                "stand alone",
            ),
            (PolicyType::TagPolicy, r#"[1]"#, "JSON object"),
            (
                PolicyType::AiservicesOptOutPolicy,
                r#"{"services": {"default": {"opt_out_policy": {"@@assign": "maybe"}}}}"#,
                "optIn",
            ),
        ];
        for (policy_type, content, expected) in cases {
            let message = error_text(policy_type, content);
            assert!(message.contains(expected), "{content}: {message}");
        }
    }

    #[test]
    fn size_limits_follow_type() {
        let padding = " ".repeat(5_200);
        let content = format!("{{\"tags\": {{}}{padding}}}");
        assert!(validate(PolicyType::TagPolicy, &content).is_ok());
        let error = validate(PolicyType::AiservicesOptOutPolicy, &content).unwrap_err();
        assert!(matches!(
            error.error,
            OrganizationsError::ConstraintViolation {
                reason: ConstraintViolationExceptionReason::PolicyContentLimitExceeded,
                ..
            }
        ));
    }
}
