//! AWS Signature Version 4: parsing the `Authorization` header and verifying signatures.
//!
//! [`parse_authorization`] checks everything that can be checked without a secret: the header's
//! syntax, the algorithm, the credential scope's form, that the scope's date is the request's
//! date, and that the request time is inside the allowed clock skew. [`verify_signature`]
//! re-signs the request with the caller's secret using AWS's own signer (`aws-sigv4`) and
//! compares the result in constant time, so every client that AWS accepts is accepted here.
//! Which access keys have secrets, and what a key without one means, is the caller's concern.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use http::{HeaderMap, StatusCode};
use jiff::Timestamp;
use subtle::ConstantTimeEq;

use crate::error::AwsError;
use crate::protocol::Protocol;

/// The only signing algorithm bulkhead verifies.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// How far a request's `X-Amz-Date` may be from the server's clock: five minutes, the window
/// AWS's SigV4 documentation gives for most services.
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// The credential scope of a signature: `<date>/<region>/<service>/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    /// The scope date, `YYYYMMDD`.
    pub date: String,
    /// The signing region, such as `us-east-1`.
    pub region: String,
    /// The signing name of the service, such as `organizations`.
    pub service: String,
}

/// A parsed `Authorization` header together with the request time it was checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The access key id, such as `AKIAIOSFODNN7EXAMPLE` or `123456789012`.
    pub access_key_id: String,
    /// The credential scope.
    pub scope: CredentialScope,
    /// The lower-case names of the signed headers, in the order the client listed them.
    pub signed_headers: Vec<String>,
    /// The hex signature the client sent.
    pub signature: String,
    /// The request time from `X-Amz-Date`.
    pub request_time: Timestamp,
}

/// The reason a request's authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The request carries no `Authorization` header.
    #[error("Missing Authentication Token")]
    Missing,
    /// The header is present but malformed or incomplete.
    #[error("{0}")]
    Incomplete(String),
    /// The credential scope does not fit the request: wrong date, service or region.
    #[error("{0}")]
    InvalidScope(String),
    /// The request time is outside the allowed clock skew.
    #[error("{0}")]
    Expired(String),
    /// The signature does not match the one computed with the caller's secret.
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
    )]
    SignatureMismatch,
    /// The access key id is not known.
    #[error("The security token included in the request is invalid.")]
    UnknownAccessKey,
    /// The temporary credentials expired.
    #[error("The security token included in the request is expired")]
    ExpiredToken,
}

impl AuthError {
    /// The error AWS returns for this failure in `protocol`'s family of services.
    pub fn to_aws_error(&self, protocol: Protocol) -> AwsError {
        let message = self.to_string();
        let (code, status) = match protocol {
            Protocol::AwsJson1_0 | Protocol::AwsJson1_1 | Protocol::RestJson => {
                let status = if protocol == Protocol::RestJson {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::BAD_REQUEST
                };
                match self {
                    AuthError::Missing => ("MissingAuthenticationTokenException", status),
                    AuthError::Incomplete(_) => {
                        ("IncompleteSignatureException", StatusCode::BAD_REQUEST)
                    }
                    AuthError::UnknownAccessKey => ("UnrecognizedClientException", status),
                    AuthError::ExpiredToken => ("ExpiredTokenException", StatusCode::BAD_REQUEST),
                    AuthError::InvalidScope(_)
                    | AuthError::Expired(_)
                    | AuthError::SignatureMismatch => ("InvalidSignatureException", status),
                }
            }
            Protocol::AwsQuery => match self {
                AuthError::Missing => ("MissingAuthenticationToken", StatusCode::FORBIDDEN),
                AuthError::Incomplete(_) => ("IncompleteSignature", StatusCode::BAD_REQUEST),
                AuthError::UnknownAccessKey => ("InvalidClientTokenId", StatusCode::FORBIDDEN),
                AuthError::ExpiredToken => ("ExpiredToken", StatusCode::FORBIDDEN),
                AuthError::InvalidScope(_)
                | AuthError::Expired(_)
                | AuthError::SignatureMismatch => ("SignatureDoesNotMatch", StatusCode::FORBIDDEN),
            },
            Protocol::RestXml => match self {
                AuthError::Missing => ("AccessDenied", StatusCode::FORBIDDEN),
                AuthError::Incomplete(_) | AuthError::InvalidScope(_) => {
                    ("AuthorizationHeaderMalformed", StatusCode::BAD_REQUEST)
                }
                AuthError::UnknownAccessKey => ("InvalidAccessKeyId", StatusCode::FORBIDDEN),
                AuthError::ExpiredToken => ("ExpiredToken", StatusCode::BAD_REQUEST),
                AuthError::Expired(_) => ("RequestTimeTooSkewed", StatusCode::FORBIDDEN),
                AuthError::SignatureMismatch => ("SignatureDoesNotMatch", StatusCode::FORBIDDEN),
            },
        };
        AwsError::client(code, message).with_status(status)
    }
}

/// Parses and checks the `Authorization` and `X-Amz-Date` headers of a request.
///
/// `now` is the server's clock; a request time further than `max_skew` from it is rejected.
pub fn parse_authorization(
    headers: &HeaderMap,
    now: Timestamp,
    max_skew: Duration,
) -> Result<Authorization, AuthError> {
    let header = headers
        .get(http::header::AUTHORIZATION)
        .ok_or(AuthError::Missing)?;
    let header = header
        .to_str()
        .map_err(|_| {
            AuthError::Incomplete(
                "The Authorization header contains characters that are not visible ASCII."
                    .to_owned(),
            )
        })?
        .trim();
    if header.is_empty() {
        return Err(AuthError::Missing);
    }

    let (algorithm, parameters) = header.split_once(' ').unwrap_or((header, ""));
    if algorithm != ALGORITHM {
        return Err(AuthError::Incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'. Sign the request with {ALGORITHM}."
        )));
    }

    let fields = parse_fields(parameters)?;
    let credential = fields
        .credential
        .ok_or_else(missing_fields_error(&fields))?;
    let signed_headers = fields
        .signed_headers
        .ok_or_else(missing_fields_error(&fields))?;
    let signature = fields.signature.ok_or_else(missing_fields_error(&fields))?;

    let (access_key_id, scope) = parse_credential(credential)?;
    let signed_headers: Vec<String> = signed_headers.split(';').map(str::to_owned).collect();
    if signed_headers.iter().any(|name| name.is_empty())
        || !signed_headers.iter().any(|name| name == "host")
    {
        return Err(AuthError::Incomplete(format!(
            "SignedHeaders '{}' must be a ';'-separated list of lower-case header names that includes 'host'.",
            signed_headers.join(";")
        )));
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AuthError::Incomplete(format!(
            "Signature '{signature}' must be 64 hexadecimal characters."
        )));
    }

    let request_time = request_time(headers)?;
    let amz_day = request_time.strftime("%Y%m%d").to_string();
    if scope.date != amz_day {
        return Err(AuthError::InvalidScope(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{amz_day}', from '{}'.",
            scope.date,
            format_amz_date(request_time),
        )));
    }
    check_clock_skew(request_time, now, max_skew)?;

    Ok(Authorization {
        access_key_id: access_key_id.to_owned(),
        scope,
        signed_headers,
        signature: signature.to_owned(),
        request_time,
    })
}

/// Checks that the credential scope names the service the request was routed to.
pub fn check_scope_service(
    authorization: &Authorization,
    signing_name: &str,
) -> Result<(), AuthError> {
    if authorization.scope.service == signing_name {
        Ok(())
    } else {
        Err(AuthError::InvalidScope(format!(
            "Credential should be scoped to correct service: '{signing_name}'."
        )))
    }
}

/// The request, as far as signature verification needs it.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path and query exactly as received, still percent-encoded.
    pub path_and_query: &'a str,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The request body.
    pub body: &'a [u8],
}

/// The secret that belongs to an access key, and the session token that must come with it.
#[derive(Debug, Clone)]
pub struct SigningSecret<'a> {
    /// The secret access key.
    pub secret_access_key: &'a str,
    /// The session token of temporary credentials.
    pub session_token: Option<&'a str>,
}

/// Verifies a signature by re-signing the request with the caller's secret and comparing the
/// two signatures in constant time.
pub fn verify_signature(
    authorization: &Authorization,
    request: SignedRequest<'_>,
    secret: SigningSecret<'_>,
) -> Result<(), AuthError> {
    if let Some(expected) = secret.session_token {
        let sent = request
            .headers
            .get("x-amz-security-token")
            .and_then(|v| v.to_str().ok());
        if sent != Some(expected) {
            return Err(AuthError::UnknownAccessKey);
        }
    }

    let host = request
        .headers
        .get(http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            AuthError::Incomplete(
                "The request has no Host header to verify the signature against.".to_owned(),
            )
        })?;
    let uri = format!("http://{host}{}", request.path_and_query);

    let mut signed_values = Vec::with_capacity(authorization.signed_headers.len());
    for name in &authorization.signed_headers {
        let values: Vec<&str> = request
            .headers
            .get_all(name.as_str())
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        if values.is_empty() {
            return Err(AuthError::SignatureMismatch);
        }
        signed_values.push((name.as_str(), values.join(",")));
    }

    let body = match request
        .headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
    {
        Some(hash) => SignableBody::Precomputed(hash.to_owned()),
        None => SignableBody::Bytes(request.body),
    };
    let signable = SignableRequest::new(
        request.method,
        uri,
        signed_values
            .iter()
            .map(|(name, value)| (*name, value.as_str())),
        body,
    )
    .map_err(|error| {
        AuthError::Incomplete(format!("The request cannot be canonicalized: {error}"))
    })?;

    let identity = Credentials::new(
        authorization.access_key_id.clone(),
        secret.secret_access_key.to_owned(),
        secret.session_token.map(str::to_owned),
        None,
        "bulkhead",
    )
    .into();
    let mut settings = SigningSettings::default();
    // The SDK signer leaves out user-agent and a few other headers by default; a verifier must
    // include every header the client listed, whatever it is.
    settings.excluded_headers = Some(Vec::new());
    let request_time = SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(authorization.request_time.as_second()).unwrap_or(0));
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&authorization.scope.region)
        .name(&authorization.scope.service)
        .time(request_time)
        .settings(settings)
        .build()
        .map_err(|error| {
            AuthError::Incomplete(format!("The signing parameters are invalid: {error}"))
        })?
        .into();
    let output = sign(signable, &params).map_err(|error| {
        AuthError::Incomplete(format!(
            "The request cannot be signed for comparison: {error}"
        ))
    })?;

    let expected = output.signature().as_bytes();
    if bool::from(expected.ct_eq(authorization.signature.to_ascii_lowercase().as_bytes())) {
        Ok(())
    } else {
        Err(AuthError::SignatureMismatch)
    }
}

/// Formats a time as SigV4's basic ISO-8601 form, `20261204T093000Z`.
pub fn format_amz_date(time: Timestamp) -> String {
    time.strftime("%Y%m%dT%H%M%SZ").to_string()
}

#[derive(Default)]
struct Fields<'a> {
    credential: Option<&'a str>,
    signed_headers: Option<&'a str>,
    signature: Option<&'a str>,
}

fn parse_fields(parameters: &str) -> Result<Fields<'_>, AuthError> {
    let mut fields = Fields::default();
    for pair in parameters
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
    {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(AuthError::Incomplete(format!(
                "'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header."
            )));
        };
        match key.trim() {
            "Credential" => fields.credential = Some(value.trim()),
            "SignedHeaders" => fields.signed_headers = Some(value.trim()),
            "Signature" => fields.signature = Some(value.trim()),
            _ => {}
        }
    }
    Ok(fields)
}

fn missing_fields_error<'a>(fields: &'a Fields<'_>) -> impl FnOnce() -> AuthError + 'a {
    move || {
        let mut message = String::new();
        for (name, value) in [
            ("Credential", fields.credential),
            ("Signature", fields.signature),
            ("SignedHeaders", fields.signed_headers),
        ] {
            if value.is_none() {
                message.push_str(&format!(
                    "Authorization header requires '{name}' parameter. "
                ));
            }
        }
        AuthError::Incomplete(message.trim_end().to_owned())
    }
}

fn parse_credential(credential: &str) -> Result<(&str, CredentialScope), AuthError> {
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts.as_slice() else {
        return Err(AuthError::Incomplete(format!(
            "Credential '{credential}' must have the form <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request."
        )));
    };
    if access_key_id.is_empty() {
        return Err(AuthError::Incomplete(
            "The Credential parameter has an empty access key id.".to_owned(),
        ));
    }
    if *terminator != "aws4_request" {
        return Err(AuthError::InvalidScope(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        )));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AuthError::InvalidScope(format!(
            "Credential should be scoped to a date in the form YYYYMMDD, not '{date}'."
        )));
    }
    if !is_region_name(region) {
        return Err(AuthError::InvalidScope(format!(
            "Credential should be scoped to a valid region, not '{region}'."
        )));
    }
    if service.is_empty() {
        return Err(AuthError::InvalidScope(
            "Credential should be scoped to a service.".to_owned(),
        ));
    }
    let scope = CredentialScope {
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        service: (*service).to_owned(),
    };
    Ok((access_key_id, scope))
}

/// Accepts names shaped like AWS regions (`us-east-1`, `cn-north-1`, `us-gov-west-1`) and
/// `aws-global`, which some SDKs sign global services with.
fn is_region_name(region: &str) -> bool {
    if region == "aws-global" {
        return true;
    }
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()))
}

fn request_time(headers: &HeaderMap) -> Result<Timestamp, AuthError> {
    let Some(value) = headers.get("x-amz-date") else {
        return Err(AuthError::Incomplete(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                .to_owned(),
        ));
    };
    let text = value.to_str().unwrap_or_default();
    jiff::fmt::strtime::parse("%Y%m%dT%H%M%SZ", text)
        .and_then(|parsed| parsed.to_datetime())
        .and_then(|datetime| jiff::tz::TimeZone::UTC.to_timestamp(datetime))
        .map_err(|_| {
            AuthError::Incomplete(format!(
                "X-Amz-Date '{text}' must be in the ISO-8601 basic format YYYYMMDD'T'HHMMSS'Z'."
            ))
        })
}

fn check_clock_skew(
    request_time: Timestamp,
    now: Timestamp,
    max_skew: Duration,
) -> Result<(), AuthError> {
    let skew = jiff::SignedDuration::try_from(max_skew).unwrap_or(jiff::SignedDuration::MAX);
    let minutes = max_skew.as_secs() / 60;
    let earliest = now.checked_sub(skew).unwrap_or(Timestamp::MIN);
    let latest = now.checked_add(skew).unwrap_or(Timestamp::MAX);
    if request_time < earliest {
        return Err(AuthError::Expired(format!(
            "Signature expired: {} is now earlier than {} ({} - {minutes} min.)",
            format_amz_date(request_time),
            format_amz_date(earliest),
            format_amz_date(now),
        )));
    }
    if request_time > latest {
        return Err(AuthError::Expired(format!(
            "Signature not yet current: {} is still later than {} ({} + {minutes} min.)",
            format_amz_date(request_time),
            format_amz_date(latest),
            format_amz_date(now),
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    const NOW: &str = "2026-12-04T10:00:00Z";

    fn now() -> Timestamp {
        NOW.parse().unwrap()
    }

    fn headers(authorization: &str, amz_date: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            HeaderValue::from_str(authorization).unwrap(),
        );
        headers.insert("x-amz-date", HeaderValue::from_str(amz_date).unwrap());
        headers.insert("host", HeaderValue::from_static("127.0.0.1:4566"));
        headers
    }

    fn valid_header() -> String {
        format!(
            "{ALGORITHM} Credential=AKIDEXAMPLE/20261204/us-east-1/organizations/aws4_request, SignedHeaders=host;x-amz-date, Signature={}",
            "a".repeat(64)
        )
    }

    fn parse(authorization: &str, amz_date: &str) -> Result<Authorization, AuthError> {
        parse_authorization(
            &headers(authorization, amz_date),
            now(),
            DEFAULT_MAX_CLOCK_SKEW,
        )
    }

    #[test]
    fn valid_header_parses() {
        let parsed = parse(&valid_header(), "20261204T095900Z").unwrap();
        assert_eq!(parsed.access_key_id, "AKIDEXAMPLE");
        assert_eq!(parsed.scope.region, "us-east-1");
        assert_eq!(parsed.scope.service, "organizations");
        assert_eq!(parsed.signed_headers, vec!["host", "x-amz-date"]);
    }

    #[test]
    fn missing_header_is_missing() {
        let result = parse_authorization(&HeaderMap::new(), now(), DEFAULT_MAX_CLOCK_SKEW);
        assert_eq!(result, Err(AuthError::Missing));
    }

    #[test]
    fn malformed_headers_are_incomplete() {
        let truncated =
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/us-east-1/organizations/aws4_request";
        let cases = [
            truncated.to_owned(),
            "AWS4-HMAC-SHA256".to_owned(),
            "AWS4-HMAC-SHA256 Credential".to_owned(),
            valid_header().replace("Signature=", "Signature=zz"),
            valid_header().replace("AKIDEXAMPLE/20261204", "AKIDEXAMPLE"),
            valid_header().replace("host;x-amz-date", "x-amz-date"),
        ];
        for case in cases {
            let result = parse(&case, "20261204T095900Z");
            assert!(
                matches!(result, Err(AuthError::Incomplete(_))),
                "{case}: {result:?}"
            );
        }
    }

    #[test]
    fn missing_fields_are_named() {
        let Err(AuthError::Incomplete(message)) =
            parse("AWS4-HMAC-SHA256 Credential=a/b", "20261204T095900Z")
        else {
            panic!("expected Incomplete");
        };
        assert!(message.contains("'Signature'"), "{message}");
        assert!(message.contains("'SignedHeaders'"), "{message}");
    }

    #[test]
    fn wrong_algorithm_is_rejected() {
        let header = valid_header().replace(ALGORITHM, "AWS4-HMAC-SHA1");
        assert!(matches!(
            parse(&header, "20261204T095900Z"),
            Err(AuthError::Incomplete(_))
        ));
    }

    #[test]
    fn scope_must_match() {
        let wrong_date = parse(&valid_header(), "20261205T000100Z");
        assert!(
            matches!(wrong_date, Err(AuthError::InvalidScope(_))),
            "{wrong_date:?}"
        );
        let bad_region = valid_header().replace("us-east-1", "nowhere");
        assert!(matches!(
            parse(&bad_region, "20261204T095900Z"),
            Err(AuthError::InvalidScope(_))
        ));
        let bad_terminator = valid_header().replace("aws4_request", "aws5_request");
        assert!(matches!(
            parse(&bad_terminator, "20261204T095900Z"),
            Err(AuthError::InvalidScope(_))
        ));

        let parsed = parse(&valid_header(), "20261204T095900Z").unwrap();
        assert!(check_scope_service(&parsed, "organizations").is_ok());
        assert!(matches!(
            check_scope_service(&parsed, "sts"),
            Err(AuthError::InvalidScope(_))
        ));
    }

    #[test]
    fn clock_skew_is_five_minutes() {
        assert!(parse(&valid_header(), "20261204T095500Z").is_ok());
        assert!(parse(&valid_header(), "20261204T100500Z").is_ok());
        assert!(matches!(
            parse(&valid_header(), "20261204T095459Z"),
            Err(AuthError::Expired(_))
        ));
        assert!(matches!(
            parse(&valid_header(), "20261204T100501Z"),
            Err(AuthError::Expired(_))
        ));
    }

    #[test]
    fn error_codes_follow_protocol() {
        assert_eq!(
            AuthError::Missing.to_aws_error(Protocol::AwsJson1_1).code,
            "MissingAuthenticationTokenException"
        );
        assert_eq!(
            AuthError::Missing.to_aws_error(Protocol::AwsQuery).code,
            "MissingAuthenticationToken"
        );
        assert_eq!(
            AuthError::UnknownAccessKey
                .to_aws_error(Protocol::AwsQuery)
                .code,
            "InvalidClientTokenId"
        );
        assert_eq!(
            AuthError::UnknownAccessKey
                .to_aws_error(Protocol::AwsJson1_1)
                .code,
            "UnrecognizedClientException"
        );
        assert_eq!(
            AuthError::Expired(String::new())
                .to_aws_error(Protocol::AwsQuery)
                .code,
            "SignatureDoesNotMatch"
        );
        assert_eq!(
            AuthError::Expired(String::new())
                .to_aws_error(Protocol::RestXml)
                .code,
            "RequestTimeTooSkewed"
        );
    }

    /// Signs a request with AWS's signer, as an SDK would, and returns its headers.
    fn signed_request(secret: &str, token: Option<&str>, body: &[u8]) -> HeaderMap {
        let identity = Credentials::new(
            "AKIDEXAMPLE",
            secret,
            token.map(str::to_owned),
            None,
            "test",
        )
        .into();
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(now().as_second() as u64);
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("organizations")
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let request_headers = [
            ("host", "127.0.0.1:4566"),
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "AWSOrganizationsV20161128.ListRoots"),
        ];
        let signable = SignableRequest::new(
            "POST",
            "http://127.0.0.1:4566/",
            request_headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let mut request = http::Request::builder()
            .method("POST")
            .uri("http://127.0.0.1:4566/");
        for (name, value) in request_headers {
            request = request.header(name, value);
        }
        let mut request = request.body(()).unwrap();
        instructions.apply_to_request_http1x(&mut request);
        request.headers().clone()
    }

    fn verify(
        headers: &HeaderMap,
        body: &[u8],
        secret: &str,
        token: Option<&str>,
    ) -> Result<(), AuthError> {
        let authorization = parse_authorization(headers, now(), DEFAULT_MAX_CLOCK_SKEW)?;
        let request = SignedRequest {
            method: "POST",
            path_and_query: "/",
            headers,
            body,
        };
        verify_signature(
            &authorization,
            request,
            SigningSecret {
                secret_access_key: secret,
                session_token: token,
            },
        )
    }

    #[test]
    fn sdk_signature_verifies() {
        let body = br#"{"MaxResults":1}"#;
        let headers = signed_request("secret", None, body);
        assert_eq!(verify(&headers, body, "secret", None), Ok(()));
    }

    #[test]
    fn wrong_secret_or_body_is_rejected() {
        let body = br#"{"MaxResults":1}"#;
        let headers = signed_request("secret", None, body);
        assert_eq!(
            verify(&headers, body, "other", None),
            Err(AuthError::SignatureMismatch)
        );
        assert_eq!(
            verify(&headers, b"{}", "secret", None),
            Err(AuthError::SignatureMismatch)
        );
    }

    #[test]
    fn session_token_must_match() {
        let headers = signed_request("secret", Some("token-1"), b"{}");
        assert_eq!(verify(&headers, b"{}", "secret", Some("token-1")), Ok(()));
        assert_eq!(
            verify(&headers, b"{}", "secret", Some("token-2")),
            Err(AuthError::UnknownAccessKey)
        );
    }
}
