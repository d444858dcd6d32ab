//! Policy documents: size limits and syntax checks for every Organizations policy type.
//!
//! Authorization policies (SCPs and RCPs) use the IAM policy language. Every other type is a
//! management policy: a JSON tree whose settings carry inheritance operators (`@@assign`,
//! `@@append`, `@@remove`) and child-control operators
//! (`@@operators_allowed_for_child_policies`), merged from the root down into an account's
//! effective policy by [`super::effective`].

use model::organizations::{ConstraintViolationExceptionReason, PolicyType};
use serde_json::Value;

use super::OrganizationsError;

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
pub(crate) fn validate(policy_type: PolicyType, content: &str) -> Result<(), OrganizationsError> {
    let limit = max_content_length(policy_type);
    let length = content.chars().count();
    if length > limit {
        return Err(OrganizationsError::constraint(
            ConstraintViolationExceptionReason::PolicyContentLimitExceeded,
            format!(
                "The policy document has {length} characters; a {} may have at most {limit}, whitespace included.",
                policy_type.as_str()
            ),
        ));
    }
    let document = parse_json(content)?;
    if is_management_type(policy_type) {
        validate_management(policy_type, &document)
    } else {
        super::authorization::validate(policy_type, content)
    }
}

/// Parses JSON, reporting the line and column of a syntax error.
pub(crate) fn parse_json(content: &str) -> Result<Value, OrganizationsError> {
    serde_json::from_str(content).map_err(|error| {
        OrganizationsError::MalformedPolicyDocument(format!(
            "The policy document is not valid JSON: {} at line {}, column {}.",
            describe_json_error(&error),
            error.line(),
            error.column()
        ))
    })
}

fn describe_json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.find(" at line ") {
        Some(index) => text[..index].to_owned(),
        None => text,
    }
}

fn malformed(path: &str, message: &str) -> OrganizationsError {
    let location = if path.is_empty() {
        "the document".to_owned()
    } else {
        format!("\"{path}\"")
    };
    OrganizationsError::MalformedPolicyDocument(format!(
        "Invalid management policy at {location}: {message}"
    ))
}

fn validate_management(
    policy_type: PolicyType,
    document: &Value,
) -> Result<(), OrganizationsError> {
    let Value::Object(object) = document else {
        return Err(malformed("", "the document must be a JSON object."));
    };
    if let Some(expected) = top_level_key(policy_type) {
        for key in object.keys() {
            if key != expected && key != CHILD_CONTROL_OPERATOR {
                return Err(malformed(
                    key,
                    &format!(
                        "a {} has the top-level key \"{expected}\" only.",
                        policy_type.as_str()
                    ),
                ));
            }
        }
    }
    validate_node(document, "", 0)?;
    if policy_type == PolicyType::AiservicesOptOutPolicy {
        validate_opt_out_values(document, "")?;
    }
    Ok(())
}

/// The deepest nesting accepted in a management policy.
const MAX_DEPTH: usize = 32;

fn validate_node(node: &Value, path: &str, depth: usize) -> Result<(), OrganizationsError> {
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
        let child_path = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
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

fn validate_child_control(value: &Value, path: &str) -> Result<(), OrganizationsError> {
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
fn validate_opt_out_values(node: &Value, path: &str) -> Result<(), OrganizationsError> {
    let Value::Object(object) = node else {
        return Ok(());
    };
    for (key, value) in object {
        let child_path = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
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
            error,
            OrganizationsError::ConstraintViolation {
                reason: ConstraintViolationExceptionReason::PolicyContentLimitExceeded,
                ..
            }
        ));
    }
}
