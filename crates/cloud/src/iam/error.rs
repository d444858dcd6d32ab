//! The errors IAM returns, each with its code, HTTP status and message.

use http::StatusCode;
use wire::AwsError;

/// An error of an IAM operation. Each variant is one of the model's exceptions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IamError {
    /// `NoSuchEntity` (404): the named role, user, policy, version or key does not exist.
    #[error("{0}")]
    NoSuchEntity(String),
    /// `EntityAlreadyExists` (409).
    #[error("{0}")]
    EntityAlreadyExists(String),
    /// `MalformedPolicyDocument` (400): the policy engine rejected the document.
    #[error("{0}")]
    MalformedPolicyDocument(String),
    /// `LimitExceeded` (409): a quota such as 10 attached policies or 5 versions.
    #[error("{0}")]
    LimitExceeded(String),
    /// `DeleteConflict` (409): the entity still has dependents.
    #[error("{0}")]
    DeleteConflict(String),
    /// `InvalidInput` (400).
    #[error("{0}")]
    InvalidInput(String),
    /// `ValidationError` (400): the request breaks a constraint of the model.
    #[error("{0}")]
    Validation(String),
    /// `ServiceFailure` (500): the store failed.
    #[error("{0}")]
    ServiceFailure(String),
}

impl IamError {
    /// Returns the error for a role name that matches no role.
    pub(crate) fn no_such_role(name: &str) -> IamError {
        IamError::NoSuchEntity(format!("The role with name {name} cannot be found."))
    }

    /// Returns the error for a user name that matches no user.
    pub(crate) fn no_such_user(name: &str) -> IamError {
        IamError::NoSuchEntity(format!("The user with name {name} cannot be found."))
    }

    /// Returns the error for a policy ARN that names no policy, or one that cannot be attached.
    pub(crate) fn no_such_policy(arn: &str) -> IamError {
        IamError::NoSuchEntity(format!("Policy {arn} does not exist or is not attachable."))
    }

    /// Returns the error for a DeleteConflict, such as deleting a role that has policies.
    pub(crate) fn delete_conflict(message: &str) -> IamError {
        IamError::DeleteConflict(message.to_owned())
    }
}

impl From<store::StoreError> for IamError {
    fn from(error: store::StoreError) -> IamError {
        tracing::error!(target: "bulkhead::iam", %error, "the store rejected an IAM write");
        IamError::ServiceFailure("IAM could not store the change. Try again.".to_owned())
    }
}

impl From<IamError> for AwsError {
    fn from(error: IamError) -> AwsError {
        let message = error.to_string();
        let (code, status) = match error {
            IamError::NoSuchEntity(_) => ("NoSuchEntity", StatusCode::NOT_FOUND),
            IamError::EntityAlreadyExists(_) => ("EntityAlreadyExists", StatusCode::CONFLICT),
            IamError::MalformedPolicyDocument(_) => {
                ("MalformedPolicyDocument", StatusCode::BAD_REQUEST)
            }
            IamError::LimitExceeded(_) => ("LimitExceeded", StatusCode::CONFLICT),
            IamError::DeleteConflict(_) => ("DeleteConflict", StatusCode::CONFLICT),
            IamError::InvalidInput(_) => ("InvalidInput", StatusCode::BAD_REQUEST),
            IamError::Validation(_) => ("ValidationError", StatusCode::BAD_REQUEST),
            IamError::ServiceFailure(_) => {
                return AwsError::internal(message).with_code("ServiceFailure");
            }
        };
        AwsError::client(code, message).with_status(status)
    }
}
