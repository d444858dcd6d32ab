//! The wire protocols AWS services speak, and what each needs from a request to be routed.

/// One of AWS's wire protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// JSON bodies, operation in `X-Amz-Target`, content type `application/x-amz-json-1.0`.
    AwsJson1_0,
    /// As [`Protocol::AwsJson1_0`] with content type `application/x-amz-json-1.1`.
    AwsJson1_1,
    /// Form-encoded requests with an `Action` parameter, XML responses.
    AwsQuery,
    /// Operation chosen by HTTP method and path, JSON bodies.
    RestJson,
    /// Operation chosen by HTTP method and path, XML bodies.
    RestXml,
}

impl Protocol {
    /// Maps a botocore `metadata.protocol` value (and `jsonVersion`) to a protocol.
    pub fn from_model(protocol: &str, json_version: &str) -> Option<Protocol> {
        match (protocol, json_version) {
            ("json", "1.0") => Some(Protocol::AwsJson1_0),
            ("json", _) => Some(Protocol::AwsJson1_1),
            ("query", _) => Some(Protocol::AwsQuery),
            ("rest-json", _) => Some(Protocol::RestJson),
            ("rest-xml", _) => Some(Protocol::RestXml),
            _ => None,
        }
    }

    /// Returns the `Content-Type` of a response body in this protocol.
    pub fn content_type(self) -> &'static str {
        match self {
            Protocol::AwsJson1_0 => "application/x-amz-json-1.0",
            Protocol::AwsJson1_1 => "application/x-amz-json-1.1",
            Protocol::RestJson => "application/json",
            Protocol::AwsQuery | Protocol::RestXml => "text/xml",
        }
    }

    /// Returns whether bodies in this protocol are JSON.
    pub fn is_json(self) -> bool {
        matches!(
            self,
            Protocol::AwsJson1_0 | Protocol::AwsJson1_1 | Protocol::RestJson
        )
    }

    /// Returns whether the operation name travels in the `X-Amz-Target` header.
    pub fn is_aws_json(self) -> bool {
        matches!(self, Protocol::AwsJson1_0 | Protocol::AwsJson1_1)
    }
}

/// Signing names of the REST services whose bodies and errors are XML. Every other REST
/// service speaks rest-json, so the error for an unknown REST path is JSON unless
/// its credential scope names one of these.
pub const REST_XML_SIGNING_NAMES: &[&str] = &["s3", "route53", "cloudfront"];

/// Picks the protocol of a REST request from the signing name in its credential scope.
pub fn rest_protocol_for(signing_name: Option<&str>) -> Protocol {
    match signing_name {
        Some(name) if REST_XML_SIGNING_NAMES.contains(&name) => Protocol::RestXml,
        _ => Protocol::RestJson,
    }
}

/// Picks the awsJson version from a request's `Content-Type`, defaulting to 1.1.
pub fn aws_json_protocol_for(content_type: Option<&str>) -> Protocol {
    match content_type {
        Some(value) if value.trim().starts_with("application/x-amz-json-1.0") => {
            Protocol::AwsJson1_0
        }
        _ => Protocol::AwsJson1_1,
    }
}
