//! AWS wire types, generated from the botocore service models vendored under `botocore/`.
//!
//! Each service module (`organizations`, …) is written by `generate.py` and checked in. It
//! holds the request and response structures, the string enums, an `Operation` enum and a
//! shape table. [`shape::validate`] walks that table to check a decoded request body against
//! the model's constraints before the body is turned into a typed structure. The protocol
//! codecs and AWS error rendering live in the `wire` crate, not here.

pub mod shape;
mod timestamp;

#[rustfmt::skip]
#[allow(missing_docs, clippy::all, reason = "generated code; its docs name the model's shapes")]
pub mod organizations;

#[rustfmt::skip]
#[allow(missing_docs, clippy::all, reason = "generated code; its docs name the model's shapes")]
pub mod sts;

#[rustfmt::skip]
#[allow(
    missing_docs,
    non_camel_case_types,
    clippy::all,
    reason = "generated code; its docs and type names are the model's shape names, some of which start in lower case"
)]
pub mod iam;

pub use timestamp::Timestamp;

/// A service's identity on the wire, as its model's metadata declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceMetadata {
    /// The model's `serviceId`, such as `Organizations`.
    pub service_id: &'static str,
    /// The API version, such as `2016-11-28`.
    pub api_version: &'static str,
    /// The botocore protocol name: `json`, `query`, `rest-json`, `rest-xml` or `ec2`.
    pub protocol: &'static str,
    /// The `X-Amz-Target` prefix of a JSON-protocol service; empty for other protocols.
    pub target_prefix: &'static str,
    /// The SigV4 signing name, the service part of the credential scope.
    pub signing_name: &'static str,
    /// The awsJson version (`1.0` or `1.1`); empty for other protocols.
    pub json_version: &'static str,
    /// The XML namespace of awsQuery and rest-xml responses; empty for JSON protocols.
    pub xml_namespace: &'static str,
}
