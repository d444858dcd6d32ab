//! The request id AWS puts on every response, as the `x-amzn-RequestId` header.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;

/// The id of one request, shared with its handler through the request's extensions.
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub(crate) String);

impl RequestId {
    /// A random id in the UUID form AWS uses, such as `c6104cbe-af31-11e0-8154-cbc7ccf896c7`.
    fn generate() -> RequestId {
        let high = fastrand::u64(..);
        let low = fastrand::u64(..);
        RequestId(format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xffff,
            high & 0xffff,
            low >> 48,
            low & 0xffff_ffff_ffff
        ))
    }
}

/// Gives the request an id and puts it on the response.
pub(crate) async fn assign(mut request: Request, next: Next) -> Response {
    let id = RequestId::generate();
    let header = HeaderValue::from_str(&id.0).ok();
    request.extensions_mut().insert(id);
    let mut response = next.run(request).await;
    if let Some(header) = header {
        response.headers_mut().insert("x-amzn-requestid", header);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_has_uuid_shape() {
        let id = RequestId::generate().0;
        let lengths: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(lengths, vec![8, 4, 4, 4, 12], "{id}");
    }
}
