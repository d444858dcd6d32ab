//! AWS Security Token Service: who is calling.
//!
//! Only GetCallerIdentity is served so far. Temporary credentials (AssumeRole,
//! GetSessionToken) need IAM roles and credentials that bulkhead issues and verifies, which it
//! does not have yet.

use model::sts::{MODEL, Operation};
use serde_json::{Value, json};
use wire::AwsError;

use crate::Caller;

/// The operations [`handle`] serves.
pub const SERVED_OPERATIONS: &[Operation] = &[Operation::GetCallerIdentity];

/// Whether bulkhead serves this STS operation yet.
pub fn is_served(operation: Operation) -> bool {
    SERVED_OPERATIONS.contains(&operation)
}

/// Runs one STS operation for `caller` on its decoded input and returns the output as JSON,
/// which the wire layer writes as XML.
pub fn handle(caller: &Caller, operation: Operation, input: &Value) -> Result<Value, AwsError> {
    if let Some(shape) = operation.input_shape() {
        model::shape::validate(&MODEL, shape, input).map_err(|violation| {
            AwsError::client(
                "ValidationError",
                format!("1 validation error detected: {violation}."),
            )
        })?;
    }
    match operation {
        Operation::GetCallerIdentity => Ok(json!({
            "UserId": caller.user_id(),
            "Account": caller.account_id,
            "Arn": caller.arn,
        })),
        other => Err(wire::error::unknown_operation(
            wire::Protocol::AwsQuery,
            Some("STS"),
            Some(other.name()),
        )),
    }
}
