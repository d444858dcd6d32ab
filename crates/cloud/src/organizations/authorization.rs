//! Service control and resource control policies, checked with the IAM policy engine.

use model::organizations::{ConstraintViolationExceptionReason, PolicyType};
use policy::{ErrorKind, Policy, PolicyKind};

use super::OrganizationsError;

/// The policy engine's kind for an authorization policy type.
fn kind_of(policy_type: PolicyType) -> Option<PolicyKind> {
    match policy_type {
        PolicyType::ServiceControlPolicy => Some(PolicyKind::ServiceControl),
        PolicyType::ResourceControlPolicy => Some(PolicyKind::ResourceControl),
        _ => None,
    }
}

/// Checks an SCP or RCP document with the rules AWS applies to customer policies.
pub(crate) fn validate(policy_type: PolicyType, content: &str) -> Result<(), OrganizationsError> {
    let Some(kind) = kind_of(policy_type) else {
        return Ok(());
    };
    match Policy::compile("validation", kind, content) {
        Ok(_) => Ok(()),
        Err(error) => Err(match error.kind() {
            ErrorKind::PolicyTooLarge => OrganizationsError::constraint(
                ConstraintViolationExceptionReason::PolicyContentLimitExceeded,
                error.to_string(),
            ),
            ErrorKind::MalformedPolicyDocument => {
                OrganizationsError::MalformedPolicyDocument(error.to_string())
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp_with_principal_is_malformed() {
        let content = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        let error = validate(PolicyType::ServiceControlPolicy, content).unwrap_err();
        assert!(
            matches!(error, OrganizationsError::MalformedPolicyDocument(_)),
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
