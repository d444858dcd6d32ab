//! Every operation in the vendored AWS Organizations model is served.

use cloud::organizations::Organizations;
use model::organizations::Operation;

const MODEL: &str = include_str!("../../model/botocore/organizations-2016-11-28.json");

#[test]
fn every_organizations_operation_is_served() {
    let model: serde_json::Value = serde_json::from_str(MODEL).expect("the vendored model is JSON");
    let operations = model["operations"]
        .as_object()
        .expect("the model lists operations");
    assert_eq!(
        operations.len(),
        63,
        "the model's operation count changed; update the coverage table"
    );

    let unserved: Vec<&str> = operations
        .keys()
        .map(String::as_str)
        .filter(|name| !Operation::from_name(name).is_some_and(Organizations::is_served))
        .collect();
    assert!(
        unserved.is_empty(),
        "operations in the model that bulkhead does not serve: {unserved:?}"
    );
}
