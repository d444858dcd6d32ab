//! The errors AWS Organizations returns, each with its code and message.

use model::organizations::{
    ConstraintViolationExceptionReason, HandshakeConstraintViolationExceptionReason,
    InvalidInputExceptionReason,
};
use model::shape::{Violation, ViolationKind};
use wire::AwsError;

/// An error of an Organizations operation. Each variant is one of the model's exceptions.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OrganizationsError {
    /// `AccessDeniedException`: the caller may not run this operation.
    #[error("{0}")]
    AccessDenied(String),
    /// `AWSOrganizationsNotInUseException`: the caller's account is in no organization.
    #[error("Your account is not a member of an organization.")]
    NotInUse,
    /// `AlreadyInOrganizationException`.
    #[error("The provided account is already a member of an organization.")]
    AlreadyInOrganization,
    /// `AccountNotFoundException`.
    #[error("You specified an account that doesn't exist: {0}.")]
    AccountNotFound(String),
    /// `AccountAlreadyClosedException`.
    #[error("The account {0} is already closed.")]
    AccountAlreadyClosed(String),
    /// `ChildNotFoundException`.
    #[error("We can't find an organizational unit (OU) or AWS account with the ChildId {0}.")]
    ChildNotFound(String),
    /// `ParentNotFoundException`.
    #[error("We can't find a root or organizational unit (OU) with the ParentId {0}.")]
    ParentNotFound(String),
    /// `SourceParentNotFoundException`.
    #[error("We can't find a source root or OU with the ParentId {0}.")]
    SourceParentNotFound(String),
    /// `DestinationParentNotFoundException`.
    #[error("We can't find the destination root or OU with the ParentId {0}.")]
    DestinationParentNotFound(String),
    /// `OrganizationalUnitNotFoundException`.
    #[error("We can't find an organizational unit (OU) with the ID {0}.")]
    OrganizationalUnitNotFound(String),
    /// `TargetNotFoundException`.
    #[error("We can't find a root, OU, account, or policy with the ID {0}.")]
    TargetNotFound(String),
    /// `CreateAccountStatusNotFoundException`.
    #[error("We can't find a create account request with the ID {0}.")]
    CreateAccountStatusNotFound(String),
    /// `DuplicateOrganizationalUnitException`.
    #[error("An OU with the name {0} already exists in the parent.")]
    DuplicateOrganizationalUnit(String),
    /// `DuplicateAccountException`.
    #[error("The account {0} is already in the destination parent.")]
    DuplicateAccount(String),
    /// `OrganizationNotEmptyException`.
    #[error(
        "The organization still contains member accounts. Remove them before you delete the organization."
    )]
    OrganizationNotEmpty,
    /// `OrganizationalUnitNotEmptyException`.
    #[error(
        "The OU {0} still contains accounts or OUs. Move or delete them before you delete the OU."
    )]
    OrganizationalUnitNotEmpty(String),
    /// `MasterCannotLeaveOrganizationException`.
    #[error(
        "You can't remove the management account from its organization. Delete the organization instead."
    )]
    MasterCannotLeaveOrganization,
    /// `PolicyNotFoundException`.
    #[error("We can't find a policy with the PolicyId {0}.")]
    PolicyNotFound(String),
    /// `PolicyInUseException`.
    #[error(
        "The policy {0} is attached to one or more entities. Detach it everywhere before you delete it."
    )]
    PolicyInUse(String),
    /// `PolicyNotAttachedException`.
    #[error("The policy {0} is not attached to the target {1}.")]
    PolicyNotAttached(String, String),
    /// `DuplicatePolicyException`.
    #[error("A policy with the name {0} already exists.")]
    DuplicatePolicy(String),
    /// `DuplicatePolicyAttachmentException`.
    #[error("The policy {0} is already attached to the target {1}.")]
    DuplicatePolicyAttachment(String, String),
    /// `PolicyTypeAlreadyEnabledException`.
    #[error("The policy type {0} is already enabled in the root.")]
    PolicyTypeAlreadyEnabled(String),
    /// `PolicyTypeNotEnabledException`.
    #[error(
        "The policy type {0} is not enabled in the root. Enable it with EnablePolicyType first."
    )]
    PolicyTypeNotEnabled(String),
    /// `PolicyTypeNotAvailableForOrganizationException`.
    #[error(
        "You can't use the policy type {0} in an organization with only consolidated billing features. Enable all features first."
    )]
    PolicyTypeNotAvailableForOrganization(String),
    /// `RootNotFoundException`.
    #[error("We can't find a root with the RootId {0}.")]
    RootNotFound(String),
    /// `MalformedPolicyDocumentException`.
    #[error("{0}")]
    MalformedPolicyDocument(String),
    /// `EffectivePolicyNotFoundException`.
    #[error("No effective policy of type {0} applies to the target {1}.")]
    EffectivePolicyNotFound(String, String),
    /// `AccountAlreadyRegisteredException`.
    #[error("The account {0} is already a delegated administrator for this service.")]
    AccountAlreadyRegistered(String),
    /// `AccountNotRegisteredException`.
    #[error("The account {0} is not a delegated administrator for this service.")]
    AccountNotRegistered(String),
    /// `ResourcePolicyNotFoundException`.
    #[error("The organization has no resource policy.")]
    ResourcePolicyNotFound,
    /// `HandshakeNotFoundException`.
    #[error("We can't find a handshake with the HandshakeId {0}.")]
    HandshakeNotFound(String),
    /// `HandshakeAlreadyInStateException`.
    #[error("The handshake {id} is already {state}.")]
    HandshakeAlreadyInState {
        /// The handshake's id.
        id: String,
        /// The state it is already in.
        state: &'static str,
    },
    /// `InvalidHandshakeTransitionException`.
    #[error("You can't {operation} the handshake {id} because it is {state}.")]
    InvalidHandshakeTransition {
        /// The handshake's id.
        id: String,
        /// What the request tried to do: `accept`, `decline` or `cancel`.
        operation: &'static str,
        /// The handshake's current state.
        state: &'static str,
    },
    /// `DuplicateHandshakeException`.
    #[error(
        "The organization already has an open invitation for {0}. Cancel it before you send another."
    )]
    DuplicateHandshake(String),
    /// `HandshakeConstraintViolationException` with its reason.
    #[error("{message}")]
    HandshakeConstraintViolation {
        /// The reason code.
        reason: HandshakeConstraintViolationExceptionReason,
        /// The message.
        message: String,
    },
    /// `ResponsibilityTransferNotFoundException`.
    #[error("We can't find a responsibility transfer with the Id {0}.")]
    ResponsibilityTransferNotFound(String),
    /// `ResponsibilityTransferAlreadyInStatusException`.
    #[error("The responsibility transfer {id} is already {status}.")]
    ResponsibilityTransferAlreadyInStatus {
        /// The transfer's id.
        id: String,
        /// The status it is already in.
        status: &'static str,
    },
    /// `InvalidResponsibilityTransferTransitionException`.
    #[error(
        "You can't terminate the responsibility transfer {id} because it is {status}. Only an ACCEPTED transfer can be terminated."
    )]
    InvalidResponsibilityTransferTransition {
        /// The transfer's id.
        id: String,
        /// The transfer's current status.
        status: &'static str,
    },
    /// `ConstraintViolationException` with its reason.
    #[error("{message}")]
    ConstraintViolation {
        /// The reason code.
        reason: ConstraintViolationExceptionReason,
        /// The message.
        message: String,
    },
    /// `InvalidInputException` with its reason.
    #[error("{message}")]
    InvalidInput {
        /// The reason code.
        reason: InvalidInputExceptionReason,
        /// The message.
        message: String,
    },
    /// `SerializationException`: the body is not JSON, or a member has the wrong JSON type.
    #[error("{0}")]
    Serialization(String),
    /// `ServiceException`: the store failed.
    #[error("{0}")]
    Service(String),
}

impl OrganizationsError {
    /// Returns the model's name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            OrganizationsError::AccessDenied(_) => "AccessDeniedException",
            OrganizationsError::NotInUse => "AWSOrganizationsNotInUseException",
            OrganizationsError::AlreadyInOrganization => "AlreadyInOrganizationException",
            OrganizationsError::AccountNotFound(_) => "AccountNotFoundException",
            OrganizationsError::AccountAlreadyClosed(_) => "AccountAlreadyClosedException",
            OrganizationsError::ChildNotFound(_) => "ChildNotFoundException",
            OrganizationsError::ParentNotFound(_) => "ParentNotFoundException",
            OrganizationsError::SourceParentNotFound(_) => "SourceParentNotFoundException",
            OrganizationsError::DestinationParentNotFound(_) => {
                "DestinationParentNotFoundException"
            }
            OrganizationsError::OrganizationalUnitNotFound(_) => {
                "OrganizationalUnitNotFoundException"
            }
            OrganizationsError::TargetNotFound(_) => "TargetNotFoundException",
            OrganizationsError::CreateAccountStatusNotFound(_) => {
                "CreateAccountStatusNotFoundException"
            }
            OrganizationsError::DuplicateOrganizationalUnit(_) => {
                "DuplicateOrganizationalUnitException"
            }
            OrganizationsError::DuplicateAccount(_) => "DuplicateAccountException",
            OrganizationsError::OrganizationNotEmpty => "OrganizationNotEmptyException",
            OrganizationsError::OrganizationalUnitNotEmpty(_) => {
                "OrganizationalUnitNotEmptyException"
            }
            OrganizationsError::MasterCannotLeaveOrganization => {
                "MasterCannotLeaveOrganizationException"
            }
            OrganizationsError::PolicyNotFound(_) => "PolicyNotFoundException",
            OrganizationsError::PolicyInUse(_) => "PolicyInUseException",
            OrganizationsError::PolicyNotAttached(..) => "PolicyNotAttachedException",
            OrganizationsError::DuplicatePolicy(_) => "DuplicatePolicyException",
            OrganizationsError::DuplicatePolicyAttachment(..) => {
                "DuplicatePolicyAttachmentException"
            }
            OrganizationsError::PolicyTypeAlreadyEnabled(_) => "PolicyTypeAlreadyEnabledException",
            OrganizationsError::PolicyTypeNotEnabled(_) => "PolicyTypeNotEnabledException",
            OrganizationsError::PolicyTypeNotAvailableForOrganization(_) => {
                "PolicyTypeNotAvailableForOrganizationException"
            }
            OrganizationsError::RootNotFound(_) => "RootNotFoundException",
            OrganizationsError::MalformedPolicyDocument(_) => "MalformedPolicyDocumentException",
            OrganizationsError::EffectivePolicyNotFound(..) => "EffectivePolicyNotFoundException",
            OrganizationsError::AccountAlreadyRegistered(_) => "AccountAlreadyRegisteredException",
            OrganizationsError::AccountNotRegistered(_) => "AccountNotRegisteredException",
            OrganizationsError::ResourcePolicyNotFound => "ResourcePolicyNotFoundException",
            OrganizationsError::HandshakeNotFound(_) => "HandshakeNotFoundException",
            OrganizationsError::HandshakeAlreadyInState { .. } => {
                "HandshakeAlreadyInStateException"
            }
            OrganizationsError::InvalidHandshakeTransition { .. } => {
                "InvalidHandshakeTransitionException"
            }
            OrganizationsError::DuplicateHandshake(_) => "DuplicateHandshakeException",
            OrganizationsError::HandshakeConstraintViolation { .. } => {
                "HandshakeConstraintViolationException"
            }
            OrganizationsError::ResponsibilityTransferNotFound(_) => {
                "ResponsibilityTransferNotFoundException"
            }
            OrganizationsError::ResponsibilityTransferAlreadyInStatus { .. } => {
                "ResponsibilityTransferAlreadyInStatusException"
            }
            OrganizationsError::InvalidResponsibilityTransferTransition { .. } => {
                "InvalidResponsibilityTransferTransitionException"
            }
            OrganizationsError::ConstraintViolation { .. } => "ConstraintViolationException",
            OrganizationsError::InvalidInput { .. } => "InvalidInputException",
            OrganizationsError::Serialization(_) => "SerializationException",
            OrganizationsError::Service(_) => "ServiceException",
        }
    }

    /// `AccessDeniedException` for an operation only the management account may call.
    pub fn management_only() -> OrganizationsError {
        OrganizationsError::AccessDenied(
            "You don't have permissions to access this resource. Only the organization's management account can call this operation."
                .to_owned(),
        )
    }

    /// A `ConstraintViolationException`.
    pub fn constraint(
        reason: ConstraintViolationExceptionReason,
        message: impl Into<String>,
    ) -> OrganizationsError {
        OrganizationsError::ConstraintViolation {
            reason,
            message: message.into(),
        }
    }

    /// A `HandshakeConstraintViolationException`.
    pub fn handshake_constraint(
        reason: HandshakeConstraintViolationExceptionReason,
        message: impl Into<String>,
    ) -> OrganizationsError {
        OrganizationsError::HandshakeConstraintViolation {
            reason,
            message: message.into(),
        }
    }

    /// An `InvalidInputException`.
    pub fn invalid(
        reason: InvalidInputExceptionReason,
        message: impl Into<String>,
    ) -> OrganizationsError {
        OrganizationsError::InvalidInput {
            reason,
            message: message.into(),
        }
    }

    /// Returns the error for a request body that breaks a model constraint.
    pub fn from_violation(violation: &Violation) -> OrganizationsError {
        let reason = match &violation.kind {
            ViolationKind::Type { .. } => {
                return OrganizationsError::Serialization(format!(
                    "Invalid request body: {violation}."
                ));
            }
            ViolationKind::Required => InvalidInputExceptionReason::InputRequired,
            ViolationKind::MinLength { .. } => InvalidInputExceptionReason::MinLengthExceeded,
            ViolationKind::MaxLength { .. } => InvalidInputExceptionReason::MaxLengthExceeded,
            ViolationKind::MinValue { .. } => InvalidInputExceptionReason::MinValueExceeded,
            ViolationKind::MaxValue { .. } => InvalidInputExceptionReason::MaxValueExceeded,
            ViolationKind::Enum { .. } if violation.path.ends_with("PolicyType") => {
                InvalidInputExceptionReason::InvalidEnumPolicyType
            }
            ViolationKind::Enum { .. } => InvalidInputExceptionReason::InvalidEnum,
            ViolationKind::Pattern { .. }
                if violation.path.ends_with("TargetId")
                    || violation.path.ends_with("ResourceId") =>
            {
                InvalidInputExceptionReason::InvalidPatternTargetId
            }
            ViolationKind::Pattern { .. } => InvalidInputExceptionReason::InvalidPattern,
        };
        OrganizationsError::invalid(reason, format!("Invalid input: {violation}."))
    }
}

impl From<OrganizationsError> for AwsError {
    fn from(error: OrganizationsError) -> AwsError {
        let message = error.to_string();
        let aws = AwsError::client(error.code(), message).with_message_member("Message");
        match &error {
            OrganizationsError::ConstraintViolation { reason, .. } => {
                aws.with_field("Reason", reason.as_str())
            }
            OrganizationsError::InvalidInput { reason, .. } => {
                aws.with_field("Reason", reason.as_str())
            }
            OrganizationsError::HandshakeConstraintViolation { reason, .. } => {
                aws.with_field("Reason", reason.as_str())
            }
            OrganizationsError::Service(_) => AwsError::internal(error.to_string())
                .with_message_member("Message")
                .with_code("ServiceException"),
            _ => aws,
        }
    }
}

impl From<store::StoreError> for OrganizationsError {
    fn from(error: store::StoreError) -> OrganizationsError {
        tracing::error!(target: "bulkhead::organizations", %error, "store write failed");
        OrganizationsError::Service(
            "AWS Organizations can't complete your request because the emulator's store failed. Try again."
                .to_owned(),
        )
    }
}
