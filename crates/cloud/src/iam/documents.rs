//! Reading IAM request parameters, and the policy documents, tags and paths they carry.

use policy::{CompileOptions, Policy, PolicyKind};
use serde_json::{Value, json};

use super::IamError;

/// A decoded request whose shape the model validator already checked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a>(pub(crate) &'a Value);

impl<'a> Input<'a> {
    /// Returns a string member, or an empty string when it is absent. The validator rejects
    /// requests that lack a required member, so this is for required members.
    pub(crate) fn text(self, name: &str) -> &'a str {
        self.0[name].as_str().unwrap_or_default()
    }

    /// Returns an optional string member.
    pub(crate) fn optional(self, name: &str) -> Option<&'a str> {
        self.0[name].as_str()
    }

    /// Returns an optional integer member.
    pub(crate) fn integer(self, name: &str) -> Option<i64> {
        self.0[name].as_i64()
    }

    /// Returns an optional boolean member.
    pub(crate) fn flag(self, name: &str) -> Option<bool> {
        self.0[name].as_bool()
    }

    /// Returns a list of strings, such as `TagKeys`.
    pub(crate) fn strings(self, name: &str) -> Vec<String> {
        self.0[name]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect()
    }

    /// Returns the `Tags` list as `(key, value)` pairs.
    pub(crate) fn tags(self) -> Vec<(String, String)> {
        self.0["Tags"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|tag| {
                let key = tag["Key"].as_str().unwrap_or_default().to_owned();
                let value = tag["Value"].as_str().unwrap_or_default().to_owned();
                (key, value)
            })
            .collect()
    }
}

/// The maximum number of tags on one IAM role, user or policy: 50.
pub(crate) const MAX_TAGS: usize = 50;

/// Merges `added` into `tags`, replacing the value of a key that is already there (keys
/// compare regardless of case, as IAM compares them), and checks the tag quota.
pub(crate) fn merge_tags(
    tags: &mut Vec<(String, String)>,
    added: Vec<(String, String)>,
) -> Result<(), IamError> {
    for (key, value) in added {
        match tags
            .iter_mut()
            .find(|(old, _)| old.eq_ignore_ascii_case(&key))
        {
            Some(existing) => *existing = (key, value),
            None => tags.push((key, value)),
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(IamError::LimitExceeded(format!(
            "The number of tags has reached the maximum limit of {MAX_TAGS}."
        )));
    }
    Ok(())
}

/// Removes the tags whose keys are in `keys`, regardless of case.
pub(crate) fn remove_tags(tags: &mut Vec<(String, String)>, keys: &[String]) {
    tags.retain(|(key, _)| !keys.iter().any(|removed| removed.eq_ignore_ascii_case(key)));
}

/// Returns tags in the wire's `Tags` shape.
pub(crate) fn tags_json(tags: &[(String, String)]) -> Value {
    Value::Array(
        tags.iter()
            .map(|(key, value)| json!({"Key": key, "Value": value}))
            .collect(),
    )
}

/// Validates a policy document as `kind`, with `size_limit` in place of the kind's quota when
/// given, and returns the document as it is stored: the caller's text, URL-decoded when it
/// arrived URL-encoded.
pub(crate) fn validated_document(
    id: &str,
    kind: PolicyKind,
    document: &str,
    size_limit: Option<usize>,
) -> Result<(String, Policy), IamError> {
    let document = decoded_document(document);
    let options = CompileOptions {
        size_limit,
        ..CompileOptions::default()
    };
    let policy = Policy::compile_with(id, kind, &document, &options).map_err(|error| {
        let message = error.to_string();
        match error.kind() {
            policy::ErrorKind::MalformedPolicyDocument => {
                IamError::MalformedPolicyDocument(message)
            }
            policy::ErrorKind::PolicyTooLarge => IamError::LimitExceeded(message),
        }
    })?;
    Ok((document, policy))
}

/// Returns a document's JSON text: the text itself, or its URL-decoded form when the caller
/// URL-encoded it (IAM returns documents URL-encoded, so tools send them back that way).
fn decoded_document(document: &str) -> String {
    let trimmed = document.trim_start();
    if trimmed.starts_with('{') || !trimmed.starts_with('%') {
        return document.to_owned();
    }
    url_decode(document).unwrap_or_else(|| document.to_owned())
}

/// URL-encodes a document as IAM returns it: every byte outside `A-Z a-z 0-9 - _ . ~` as
/// `%XX`, spaces included.
pub(crate) fn url_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Decodes `%XX` sequences; `None` when a sequence is broken or the result is not UTF-8.
fn url_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(byte);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// Returns `path`, or `/` when the request names none.
pub(crate) fn path_or_root(path: Option<&str>) -> String {
    path.unwrap_or("/").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip_through_url_encoding() {
        let document = r#"{"Version": "2012-10-17", "Statement": []}"#;
        let encoded = url_encode(document);
        assert!(encoded.starts_with("%7B%22Version%22%3A%20"), "{encoded}");
        assert_eq!(url_decode(&encoded).as_deref(), Some(document));
        assert_eq!(decoded_document(&encoded), document);
        assert_eq!(decoded_document(document), document);
    }

    #[test]
    fn broken_escapes_do_not_decode() {
        assert_eq!(url_decode("%7"), None);
        assert_eq!(url_decode("%zz"), None);
    }

    #[test]
    fn tags_merge_regardless_of_case() {
        let mut tags = vec![("Team".to_owned(), "red".to_owned())];
        merge_tags(&mut tags, vec![("team".to_owned(), "blue".to_owned())]).unwrap();
        assert_eq!(tags, vec![("team".to_owned(), "blue".to_owned())]);
        remove_tags(&mut tags, &["TEAM".to_owned()]);
        assert!(tags.is_empty());
    }
}
