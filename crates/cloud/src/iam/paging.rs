//! IAM's pagination: `Marker`, `MaxItems` and `IsTruncated`.

use serde_json::{Map, Value};

use super::IamError;
use super::documents::Input;

/// The page size when a request names none: 100, IAM's default.
const DEFAULT_MAX_ITEMS: usize = 100;

/// Returns one page of `items`, sorted by their key, as the list member `member` with
/// `IsTruncated` and, when more follow, the `Marker` to send next. The marker is the key of
/// the first item of the next page.
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
        Some(marker) => items.partition_point(|(key, _)| key.as_str() < marker),
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
        output.insert("Marker".to_owned(), Value::String(marker));
    }
    Ok(Value::Object(output))
}
