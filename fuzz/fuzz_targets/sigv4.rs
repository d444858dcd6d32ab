//! Parses arbitrary `Authorization` and `X-Amz-Date` header values as a SigV4 request's
//! signature information. The parser must return a value or an error, never panic.

#![no_main]

use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first line is the Authorization header, the rest the X-Amz-Date header.
    let (authorization, date) = match data.iter().position(|byte| *byte == b'\n') {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &b"20261204T120000Z"[..]),
    };
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(authorization) {
        headers.insert(http::header::AUTHORIZATION, value);
    }
    if let Ok(value) = HeaderValue::from_bytes(date) {
        headers.insert("x-amz-date", value);
    }
    let now = jiff::Timestamp::from_second(1_796_385_600).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    if let Ok(parsed) = wire::sigv4::parse_authorization(&headers, now, Duration::from_secs(300)) {
        let _ = wire::sigv4::check_scope_service(&parsed, "organizations");
    }
});
