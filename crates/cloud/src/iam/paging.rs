//! IAM's pagination: `Marker`, `MaxItems` and `IsTruncated`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::IamError;
use super::documents::Input;

/// The page size when a request names none: 100, IAM's default.
const DEFAULT_MAX_ITEMS: usize = 100;

/// Returns one page of `items`, sorted by their key, as the list member `member` with
/// `IsTruncated` and, when more follow, the `Marker` to send next. The marker encodes the list
/// and the key of the first item of the next page. IAM rejects a marker it did not issue or
/// one from another list, so this does too.
pub(crate) fn page(
    input: Input<'_>,
    member: &str,
    mut items: Vec<(String, Value)>,
) -> Result<Value, IamError> {
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let max_items = input
        .integer("MaxItems")
        .and_then(|value| usize::try_from(value).ok())
        .unwrap_or(DEFAULT_MAX_ITEMS);
    let start = match input.optional("Marker") {
        Some(marker) => {
            let key = decode_marker(member, marker)?;
            items.partition_point(|(item, _)| item.as_str() < key.as_str())
        }
        None => 0,
    };
    let mut rest = items.into_iter().skip(start);
    let page: Vec<Value> = rest
        .by_ref()
        .take(max_items)
        .map(|(_, item)| item)
        .collect();
    let next = rest.next().map(|(key, _)| key);

    let mut output = Map::new();
    output.insert(member.to_owned(), Value::Array(page));
    output.insert("IsTruncated".to_owned(), Value::Bool(next.is_some()));
    if let Some(marker) = next {
        output.insert(
            "Marker".to_owned(),
            Value::String(encode_marker(member, &marker)),
        );
    }
    Ok(Value::Object(output))
}

/// Separates the list's name from the key inside a marker. Neither contains a NUL.
const MARKER_SEPARATOR: char = '\0';

fn encode_marker(member: &str, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{member}{MARKER_SEPARATOR}{key}"))
}

fn decode_marker(member: &str, marker: &str) -> Result<String, IamError> {
    // NOTE: AWS documents no message for a bad marker. This text is the one clients report.
    let invalid = || IamError::Validation("Invalid Marker.".to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(marker).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    match text.split_once(MARKER_SEPARATOR) {
        Some((list, key)) if list == member => Ok(key.to_owned()),
        _ => Err(invalid()),
    }
}
