//! Service control and resource control policies, checked with the IAM policy engine.

use model::organizations::{ConstraintViolationExceptionReason, PolicyType};
use policy::{ErrorKind, Policy, PolicyError, PolicyKind};

use super::OrganizationsError;
use super::documents::{DocumentError, DocumentPlace};

/// The policy engine's kind for an authorization policy type.
fn kind_of(policy_type: PolicyType) -> Option<PolicyKind> {
    match policy_type {
        PolicyType::ServiceControlPolicy => Some(PolicyKind::ServiceControl),
        PolicyType::ResourceControlPolicy => Some(PolicyKind::ResourceControl),
        _ => None,
    }
}

/// Checks an SCP or RCP document with the rules AWS applies to customer policies.
pub(crate) fn validate(policy_type: PolicyType, content: &str) -> Result<(), DocumentError> {
    let Some(kind) = kind_of(policy_type) else {
        return Ok(());
    };
    let error = match Policy::compile("validation", kind, content) {
        Ok(_) => return Ok(()),
        Err(error) => error,
    };
    let problem = match &error {
        PolicyError::Json { error, .. } => format!("the document is not valid JSON: {error}"),
        PolicyError::Invalid { violation, .. } => violation.to_string(),
        PolicyError::TooLarge { .. } => error.to_string(),
    };
    let organizations_error = match error.kind() {
        ErrorKind::PolicyTooLarge => OrganizationsError::constraint(
            ConstraintViolationExceptionReason::PolicyContentLimitExceeded,
            error.to_string(),
        ),
        ErrorKind::MalformedPolicyDocument => {
            OrganizationsError::MalformedPolicyDocument(error.to_string())
        }
    };
    Err(DocumentError {
        error: organizations_error,
        problem,
        place: error.location().map(DocumentPlace::Location),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp_with_principal_is_malformed() {
        let content = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        let error = validate(PolicyType::ServiceControlPolicy, content).unwrap_err();
        assert!(
            matches!(error.error, OrganizationsError::MalformedPolicyDocument(_)),
            "{error:?}"
        );
    }

    #[test]
    fn customer_rcp_must_deny() {
        let content = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#;
        assert!(validate(PolicyType::ResourceControlPolicy, content).is_err());
    }

    #[test]
    fn region_deny_scp_is_valid() {
        let content = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyOtherRegions","Effect":"Deny","NotAction":["iam:*","organizations:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}"#;
        assert_eq!(validate(PolicyType::ServiceControlPolicy, content), Ok(()));
    }
}
