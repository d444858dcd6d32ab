//! Input checks shared by the awsQuery services, STS and IAM.

use model::shape::Model;
use serde_json::Value;
use wire::AwsError;

/// Checks a decoded awsQuery input against the operation's input shape, failing with the
/// `ValidationError` that AWS's query services return for a missing or malformed parameter.
pub(crate) fn validate_input(
    model: &Model,
    shape: Option<usize>,
    input: &Value,
) -> Result<(), AwsError> {
    let Some(shape) = shape else {
        return Ok(());
    };
    model::shape::validate(model, shape, input).map_err(|violation| {
        AwsError::client(
            "ValidationError",
            format!("1 validation error detected: {violation}."),
        )
    })
}
