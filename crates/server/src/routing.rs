//! Request routing: the service and operation of a request, as AWS's protocols encode them.
//!
//! * awsJson: the `X-Amz-Target` header, `<TargetPrefix>.<Operation>`.
//! * awsQuery: a form-encoded body (or a GET query string) with `Action=<Operation>`; the
//!   service is the signing name in the credential scope.
//! * rest-json and rest-xml: the HTTP method and path. The credential scope's signing name
//!   decides which of the two an unknown request gets its error in.

use http::{HeaderMap, Method};
use model::organizations::{self, Operation as OrganizationsOperation};
use wire::error::unknown_operation;
use wire::protocol::{aws_json_protocol_for, rest_protocol_for};
use wire::query::QueryParameters;
use wire::{AwsError, Protocol};

/// A served operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// An AWS Organizations operation.
    Organizations(OrganizationsOperation),
    /// An AWS STS operation.
    Sts(model::sts::Operation),
    /// An IAM operation.
    Iam(model::iam::Operation),
}

impl Target {
    /// The SigV4 signing name the credential scope must carry.
    pub(crate) fn signing_name(self) -> &'static str {
        match self {
            Target::Organizations(_) => organizations::SERVICE.signing_name,
            Target::Sts(_) => model::sts::SERVICE.signing_name,
            Target::Iam(_) => model::iam::SERVICE.signing_name,
        }
    }

    /// Returns the service name for logs, as the model's `serviceId` spells it.
    pub(crate) fn service(self) -> &'static str {
        match self {
            Target::Organizations(_) => organizations::SERVICE.service_id,
            Target::Sts(_) => model::sts::SERVICE.service_id,
            Target::Iam(_) => model::iam::SERVICE.service_id,
        }
    }

    /// Returns the operation's wire name.
    pub(crate) fn operation(self) -> &'static str {
        match self {
            Target::Organizations(operation) => operation.name(),
            Target::Sts(operation) => operation.name(),
            Target::Iam(operation) => operation.name(),
        }
    }
}

/// Picks the protocol a request speaks from its headers alone, so that even a request whose
/// body is rejected unread gets its error in the right form.
pub(crate) fn protocol_of(method: &Method, headers: &HeaderMap, query: Option<&str>) -> Protocol {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    if headers.contains_key("x-amz-target") {
        return aws_json_protocol_for(content_type);
    }
    let form = content_type.is_some_and(|value| {
        value
            .trim()
            .starts_with("application/x-www-form-urlencoded")
    });
    let query_action = *method == Method::GET
        && query.is_some_and(|query| QueryParameters::parse(query.as_bytes()).action().is_some());
    if (form && *method == Method::POST) || query_action {
        return Protocol::AwsQuery;
    }
    rest_protocol_for(signing_name_hint(headers).as_deref())
}

/// Finds the served operation a request names, or the error its protocol gives for an unknown
/// one.
pub(crate) fn route(
    protocol: Protocol,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Result<Target, AwsError> {
    match protocol {
        Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => {
            let target = headers
                .get("x-amz-target")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            let (prefix, operation) = target.rsplit_once('.').unwrap_or(("", target));
            if prefix == organizations::SERVICE.target_prefix {
                return match OrganizationsOperation::from_name(operation) {
                    Some(operation)
                        if cloud::organizations::Organizations::is_served(operation) =>
                    {
                        Ok(Target::Organizations(operation))
                    }
                    _ => Err(unknown_operation(
                        protocol,
                        Some(organizations::SERVICE.service_id),
                        Some(operation),
                    )),
                };
            }
            Err(unknown_operation(protocol, None, Some(target)))
        }
        Protocol::AwsQuery => {
            let parameters = if *method == Method::GET {
                QueryParameters::parse(query.unwrap_or_default().as_bytes())
            } else {
                QueryParameters::parse(body)
            };
            let signing_name = signing_name_hint(headers);
            let action = parameters.action();
            if signing_name.as_deref() == Some(model::sts::SERVICE.signing_name)
                && let Some(operation) = action.and_then(model::sts::Operation::from_name)
                && cloud::sts::is_served(operation)
            {
                return Ok(Target::Sts(operation));
            }
            if signing_name.as_deref() == Some(model::iam::SERVICE.signing_name)
                && let Some(operation) = action.and_then(model::iam::Operation::from_name)
                && cloud::iam::is_served(operation)
            {
                return Ok(Target::Iam(operation));
            }
            match parameters.action() {
                None => Err(AwsError::client(
                    "MissingAction",
                    "The request must contain the parameter Action.",
                )),
                Some(action) => Err(unknown_operation(
                    protocol,
                    signing_name_hint(headers).as_deref(),
                    Some(action),
                )),
            }
        }
        Protocol::RestJson | Protocol::RestXml => {
            let operation = format!("{method} {path}");
            Err(unknown_operation(
                protocol,
                signing_name_hint(headers).as_deref(),
                Some(&operation),
            ))
        }
    }
}

/// Reads the signing name in the `Authorization` header's credential scope, without checking
/// the rest of the header.
fn signing_name_hint(headers: &HeaderMap) -> Option<String> {
    let authorization = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let credential = authorization.split("Credential=").nth(1)?;
    let credential = credential.split([',', ' ']).next()?;
    credential.split('/').nth(3).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    const SIGNED_FOR_S3: &str = "AWS4-HMAC-SHA256 Credential=AKID/20261204/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";

    #[test]
    fn aws_json_routes_by_target() {
        let h = headers(&[("x-amz-target", "AWSOrganizationsV20161128.ListAccounts")]);
        let protocol = protocol_of(&Method::POST, &h, None);
        assert_eq!(protocol, Protocol::AwsJson1_1);
        let target = route(protocol, &h, &Method::POST, "/", None, b"{}").unwrap();
        assert_eq!(
            target,
            Target::Organizations(OrganizationsOperation::ListAccounts)
        );
    }

    #[test]
    fn unknown_target_is_unknown_operation() {
        for target in [
            "AWSOrganizationsV20161128.Nope",
            "DynamoDB_20120810.ListTables",
            "garbage",
        ] {
            let h = headers(&[
                ("x-amz-target", target),
                ("content-type", "application/x-amz-json-1.0"),
            ]);
            let protocol = protocol_of(&Method::POST, &h, None);
            assert_eq!(protocol, Protocol::AwsJson1_0);
            let error = route(protocol, &h, &Method::POST, "/", None, b"{}").unwrap_err();
            assert_eq!(error.code, "UnknownOperationException", "{target}");
        }
    }

    #[test]
    fn query_requests_get_query_errors() {
        let h = headers(&[(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )]);
        let protocol = protocol_of(&Method::POST, &h, None);
        assert_eq!(protocol, Protocol::AwsQuery);
        let error = route(
            protocol,
            &h,
            &Method::POST,
            "/",
            None,
            b"Action=GetCallerIdentity&Version=2011-06-15",
        )
        .unwrap_err();
        assert_eq!(error.code, "InvalidAction");
        let error = route(
            protocol,
            &h,
            &Method::POST,
            "/",
            None,
            b"Version=2011-06-15",
        )
        .unwrap_err();
        assert_eq!(error.code, "MissingAction");

        let protocol = protocol_of(&Method::GET, &HeaderMap::new(), Some("Action=ListUsers"));
        assert_eq!(protocol, Protocol::AwsQuery);
    }

    #[test]
    fn rest_protocol_follows_signing_name() {
        let h = headers(&[("authorization", SIGNED_FOR_S3)]);
        assert_eq!(protocol_of(&Method::GET, &h, None), Protocol::RestXml);
        assert_eq!(
            protocol_of(&Method::GET, &HeaderMap::new(), None),
            Protocol::RestJson
        );
        let error = route(Protocol::RestXml, &h, &Method::GET, "/bucket", None, b"").unwrap_err();
        assert_eq!(error.status, http::StatusCode::BAD_REQUEST);
    }
}
