//! The published JSON Schema of the landing-zone file, compiled once, and checks of YAML text
//! against it.

use std::sync::OnceLock;

use bulkhead::landing_zone::file::to_json;
use jsonschema::Validator;
use serde_json::Value;

/// The schema's text, as editors load it through the example's `yaml-language-server` line.
pub const SCHEMA: &str = include_str!("../../../../schemas/landing-zone.schema.json");

/// Parses the schema's text as JSON.
pub fn schema_value() -> Value {
    serde_json::from_str(SCHEMA)
        .unwrap_or_else(|error| panic!("the schema is not valid JSON: {error}"))
}

/// Returns the validator of the schema, built for the draft its `$schema` declares. Building
/// it checks the schema against that draft's meta-schema. Without the crate's `resolve-http`
/// and `resolve-file` features, a reference outside the schema fails instead of being fetched.
pub fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::validator_for(&schema_value())
            .unwrap_or_else(|error| panic!("the schema does not compile: {error}"))
    })
}

/// Converts landing-zone YAML `text` to JSON and returns the schema's errors for it, each with
/// the JSON path of the value. Text with no JSON form gets the conversion error alone.
pub fn schema_errors(text: &str) -> Vec<String> {
    let instance = match to_json(text) {
        Ok(instance) => instance,
        Err(error) => return vec![format!("no JSON form: {error}")],
    };
    validator()
        .iter_errors(&instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

/// Asserts that the schema accepts landing-zone YAML `text`, naming it `name` on failure.
pub fn assert_schema_accepts(text: &str, name: &str) {
    let errors = schema_errors(text);
    assert!(
        errors.is_empty(),
        "{name}: the schema rejects it: {errors:#?}"
    );
}
