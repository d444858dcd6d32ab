//! Random identifiers and secrets.

/// Lower-case letters and digits, the alphabet of Organizations ids.
pub(crate) const LOWER_ALPHANUMERIC: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Upper-case letters and digits, the alphabet of access key ids.
pub(crate) const UPPER_ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The base64 alphabet, for secret access keys and session tokens.
pub(crate) const SECRET_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Returns `length` characters drawn at random from `alphabet`.
pub(crate) fn random_text(alphabet: &[u8], length: usize) -> String {
    (0..length)
        .map(|_| {
            let index = fastrand::usize(..alphabet.len());
            char::from(alphabet.get(index).copied().unwrap_or(b'0'))
        })
        .collect()
}
