//! Decodes arbitrary bytes as the body of every operation bulkhead serves: as an awsQuery form
//! for STS and IAM, and as an awsJson document for Organizations, each then checked against
//! the operation's input shape. Decoding and checking must return, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let parameters = wire::query::QueryParameters::parse(data);
    for operation in model::sts::Operation::ALL {
        if let Some(shape) = operation.input_shape() {
            let input = parameters.to_json(&model::sts::MODEL, shape);
            let _ = model::shape::validate(&model::sts::MODEL, shape, &input);
        }
    }
    for operation in model::iam::Operation::ALL {
        if let Some(shape) = operation.input_shape() {
            let input = parameters.to_json(&model::iam::MODEL, shape);
            let _ = model::shape::validate(&model::iam::MODEL, shape, &input);
        }
    }
    if let Ok(document) = serde_json::from_slice::<Value>(data) {
        for operation in model::organizations::Operation::ALL {
            if let Some(shape) = operation.input_shape() {
                let _ = model::shape::validate(&model::organizations::MODEL, shape, &document);
            }
        }
    }
});
