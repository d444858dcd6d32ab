//! AWS errors and how each protocol writes them.
//!
//! Every failure a client sees, from a malformed signature to a service's own exception, is
//! an [`AwsError`]: a code the SDKs match on, a message, an HTTP status and any extra members
//! the model declares (Organizations' `Reason`, for example). [`AwsError::render`] writes it
//! the way the request's protocol does, so the SDKs parse it into their typed errors.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use quick_xml::escape::escape;
use serde_json::{Map, Value};

use crate::protocol::Protocol;

/// The party at fault, as awsQuery error bodies state it in `<Type>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request was wrong.
    Sender,
    /// The service failed.
    Receiver,
}

/// An error as AWS returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct AwsError {
    /// The error code, such as `AccountNotFoundException` or `InvalidClientTokenId`.
    pub code: Cow<'static, str>,
    /// The human-readable message.
    pub message: String,
    /// The HTTP status.
    pub status: StatusCode,
    /// Whether the client or the service is at fault.
    pub fault: Fault,
    /// The JSON member that carries the message: `message` by default; Organizations and
    /// some other services declare `Message`.
    pub message_member: &'static str,
    /// Further members of the error shape, such as `("Reason", "OU_DEPTH_LIMIT_EXCEEDED")`.
    pub fields: Vec<(&'static str, String)>,
}

impl AwsError {
    /// Builds a client-fault error with HTTP 400.
    pub fn client(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> AwsError {
        AwsError {
            code: code.into(),
            message: message.into(),
            status: StatusCode::BAD_REQUEST,
            fault: Fault::Sender,
            message_member: "message",
            fields: Vec::new(),
        }
    }

    /// Builds a service-fault error with HTTP 500.
    pub fn internal(message: impl Into<String>) -> AwsError {
        AwsError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            fault: Fault::Receiver,
            ..AwsError::client("InternalFailure", message)
        }
    }

    /// Replaces the HTTP status.
    pub fn with_status(mut self, status: StatusCode) -> AwsError {
        self.status = status;
        self
    }

    /// Replaces the error code.
    pub fn with_code(mut self, code: impl Into<Cow<'static, str>>) -> AwsError {
        self.code = code.into();
        self
    }

    /// Names the JSON member that carries the message.
    pub fn with_message_member(mut self, member: &'static str) -> AwsError {
        self.message_member = member;
        self
    }

    /// Adds a member of the error shape, such as `Reason`.
    pub fn with_field(mut self, name: &'static str, value: impl Into<String>) -> AwsError {
        self.fields.push((name, value.into()));
        self
    }

    /// Looks up a member added with [`AwsError::with_field`].
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Writes the error as `protocol` does, with the request id in the body where the
    /// protocol puts it. The caller adds the `x-amzn-RequestId` header to every response.
    pub fn render(&self, protocol: Protocol, request_id: &str) -> Response<Bytes> {
        let body = match protocol {
            Protocol::AwsJson1_0 | Protocol::AwsJson1_1 | Protocol::RestJson => self.json_body(),
            Protocol::AwsQuery => self.query_body(request_id),
            Protocol::RestXml => self.rest_xml_body(request_id),
        };
        let mut response = Response::new(Bytes::from(body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(protocol.content_type()),
        );
        if protocol.is_json()
            && let Ok(value) = HeaderValue::from_str(&self.code)
        {
            headers.insert("x-amzn-errortype", value);
        }
        response
    }

    fn json_body(&self) -> String {
        let mut object = Map::new();
        object.insert("__type".to_owned(), Value::String(self.code.to_string()));
        object.insert(
            self.message_member.to_owned(),
            Value::String(self.message.clone()),
        );
        for (name, value) in &self.fields {
            object.insert((*name).to_owned(), Value::String(value.clone()));
        }
        Value::Object(object).to_string()
    }

    fn error_element(&self) -> String {
        let fault = match self.fault {
            Fault::Sender => "Sender",
            Fault::Receiver => "Receiver",
        };
        let mut xml = format!(
            "<Error><Type>{fault}</Type><Code>{}</Code><Message>{}</Message>",
            escape(self.code.as_ref()),
            escape(self.message.as_str()),
        );
        for (name, value) in &self.fields {
            xml.push_str(&format!("<{name}>{}</{name}>", escape(value.as_str())));
        }
        xml.push_str("</Error>");
        xml
    }

    fn query_body(&self, request_id: &str) -> String {
        format!(
            "<ErrorResponse>{}<RequestId>{}</RequestId></ErrorResponse>",
            self.error_element(),
            escape(request_id),
        )
    }

    fn rest_xml_body(&self, request_id: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse>{}<RequestId>{}</RequestId></ErrorResponse>",
            self.error_element(),
            escape(request_id),
        )
    }
}

/// Returns the error for a request whose operation the service does not have (or that bulkhead
/// does not serve yet), in the form the protocol uses.
pub fn unknown_operation(
    protocol: Protocol,
    service: Option<&str>,
    operation: Option<&str>,
) -> AwsError {
    let operation = operation.unwrap_or("(none)");
    match protocol {
        Protocol::AwsQuery => AwsError::client(
            "InvalidAction",
            format!("The action {operation} is not valid for this web service."),
        ),
        _ => {
            let message = match service {
                Some(service) => {
                    format!("Operation {operation} is not supported by service {service}.")
                }
                None => format!("No service handles operation {operation}."),
            };
            AwsError::client("UnknownOperationException", message)
        }
    }
}

/// Returns the error for a request body larger than the service accepts.
pub fn request_entity_too_large(limit: usize) -> AwsError {
    AwsError::client(
        "RequestEntityTooLargeException",
        format!("The request body is larger than the maximum of {limit} bytes."),
    )
    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_text(response: &Response<Bytes>) -> String {
        String::from_utf8(response.body().to_vec()).unwrap()
    }

    #[test]
    fn json_error_carries_type_message_and_fields() {
        let error = AwsError::client("ConstraintViolationException", "too deep")
            .with_message_member("Message")
            .with_field("Reason", "OU_DEPTH_LIMIT_EXCEEDED");
        let response = error.render(Protocol::AwsJson1_1, "req-1");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["__type"], "ConstraintViolationException");
        assert_eq!(body["Message"], "too deep");
        assert_eq!(body["Reason"], "OU_DEPTH_LIMIT_EXCEEDED");
        assert_eq!(
            response.headers()["content-type"],
            "application/x-amz-json-1.1"
        );
    }

    #[test]
    fn query_error_is_escaped_xml() {
        let error = AwsError::client("InvalidAction", "bad <action> & more")
            .with_status(StatusCode::BAD_REQUEST);
        let text = body_text(&error.render(Protocol::AwsQuery, "req-2"));
        assert!(text.contains("<Code>InvalidAction</Code>"), "{text}");
        assert!(text.contains("bad &lt;action&gt; &amp; more"), "{text}");
        assert!(text.contains("<RequestId>req-2</RequestId>"), "{text}");
        assert!(text.contains("<Type>Sender</Type>"), "{text}");
    }

    #[test]
    fn unknown_operation_names_differ_by_protocol() {
        assert_eq!(
            unknown_operation(Protocol::AwsQuery, None, Some("Foo")).code,
            "InvalidAction"
        );
        assert_eq!(
            unknown_operation(Protocol::AwsJson1_1, Some("Organizations"), Some("Foo")).code,
            "UnknownOperationException"
        );
        assert_eq!(
            unknown_operation(Protocol::RestXml, None, None).status,
            StatusCode::BAD_REQUEST
        );
    }
}
