//! XML bodies of awsQuery responses, written from an operation's output following the model.

use model::shape::{Model, ShapeKind};
use quick_xml::escape::escape;
use serde_json::Value;

/// The parts of the model an awsQuery response needs besides the output itself.
#[derive(Debug, Clone, Copy)]
pub struct QueryResponse<'a> {
    /// The operation's name, such as `GetCallerIdentity`.
    pub operation: &'a str,
    /// The service's XML namespace.
    pub namespace: &'a str,
    /// The element that wraps the output, such as `GetCallerIdentityResult`.
    pub result_wrapper: Option<&'a str>,
    /// The index of the output shape in the model.
    pub output_shape: Option<usize>,
}

/// Writes `<OperationResponse>` with the output inside its result wrapper and the request id
/// in `ResponseMetadata`, in the form AWS's query services use.
pub fn render_query_response(
    model: &Model,
    response: QueryResponse<'_>,
    output: &Value,
    request_id: &str,
) -> String {
    let mut xml = format!(
        "<{}Response xmlns=\"{}\">",
        response.operation,
        escape(response.namespace)
    );
    if let Some(wrapper) = response.result_wrapper {
        xml.push_str(&format!("<{wrapper}>"));
        if let Some(shape) = response.output_shape {
            write_value(model, shape, output, &mut xml);
        }
        xml.push_str(&format!("</{wrapper}>"));
    }
    xml.push_str(&format!(
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{}Response>",
        escape(request_id),
        response.operation
    ));
    xml
}

/// Writes the content of an element holding `value` of shape `shape`.
fn write_value(model: &Model, shape: usize, value: &Value, xml: &mut String) {
    let Some(kind) = model.shapes.get(shape).map(|shape| &shape.kind) else {
        return;
    };
    match kind {
        ShapeKind::Structure(members) => {
            for member in *members {
                if let Some(child) = value.get(member.name).filter(|child| !child.is_null()) {
                    xml.push_str(&format!("<{}>", member.name));
                    write_value(model, member.shape, child, xml);
                    xml.push_str(&format!("</{}>", member.name));
                }
            }
        }
        ShapeKind::List { member, .. } => {
            for item in value.as_array().into_iter().flatten() {
                xml.push_str("<member>");
                write_value(model, *member, item, xml);
                xml.push_str("</member>");
            }
        }
        ShapeKind::Map {
            key,
            value: value_shape,
        } => {
            for (name, item) in value.as_object().into_iter().flatten() {
                xml.push_str("<entry><key>");
                write_value(model, *key, &Value::String(name.clone()), xml);
                xml.push_str("</key><value>");
                write_value(model, *value_shape, item, xml);
                xml.push_str("</value></entry>");
            }
        }
        ShapeKind::Timestamp => {
            let text = match value {
                Value::Number(seconds) => seconds
                    .as_f64()
                    .and_then(|seconds| {
                        jiff::Timestamp::from_millisecond((seconds * 1000.0).round() as i64).ok()
                    })
                    .map(|time| time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                    .unwrap_or_default(),
                other => scalar_text(other),
            };
            xml.push_str(&escape(text.as_str()));
        }
        _ => xml.push_str(&escape(scalar_text(value).as_str())),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use model::sts::{MODEL, Operation};
    use serde_json::json;

    use super::*;

    #[test]
    fn caller_identity_renders_as_aws_does() {
        let response = QueryResponse {
            operation: "GetCallerIdentity",
            namespace: "https://sts.amazonaws.com/doc/2011-06-15/",
            result_wrapper: Operation::GetCallerIdentity.result_wrapper(),
            output_shape: Operation::GetCallerIdentity.output_shape(),
        };
        let output = json!({"UserId": "111111111111", "Account": "111111111111", "Arn": "arn:aws:iam::111111111111:root"});
        let xml = render_query_response(&MODEL, response, &output, "req-1");
        assert!(xml.starts_with("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"), "{xml}");
        assert!(xml.contains("<Account>111111111111</Account>"), "{xml}");
        assert!(
            xml.contains("<Arn>arn:aws:iam::111111111111:root</Arn>"),
            "{xml}"
        );
        assert!(xml.ends_with("<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"), "{xml}");
    }

    #[test]
    fn timestamps_and_escaping() {
        let response = QueryResponse {
            operation: "GetSessionToken",
            namespace: "ns",
            result_wrapper: Operation::GetSessionToken.result_wrapper(),
            output_shape: Operation::GetSessionToken.output_shape(),
        };
        let output = json!({"Credentials": {"AccessKeyId": "ASIA<&>", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": 1796419812.0}});
        let xml = render_query_response(&MODEL, response, &output, "r");
        assert!(xml.contains("<Expiration>2026-12-04T"), "{xml}");
        assert!(xml.contains("ASIA&lt;&amp;&gt;"), "{xml}");
    }
}
