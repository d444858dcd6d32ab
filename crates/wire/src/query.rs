//! Form-encoded parameters of awsQuery requests.

use std::collections::BTreeMap;

use model::shape::{Model, ShapeKind};
use serde_json::{Map, Number, Value};

/// The flat parameters of an awsQuery request: `Action`, `Version` and the operation's own,
/// with list and map members still in their `Name.member.N` spelling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParameters {
    values: BTreeMap<String, String>,
}

impl QueryParameters {
    /// Decodes an `application/x-www-form-urlencoded` body or query string. A name given more
    /// than once keeps its first value, as AWS's query services do.
    pub fn parse(input: &[u8]) -> QueryParameters {
        let mut values = BTreeMap::new();
        for (name, value) in form_urlencoded::parse(input) {
            values
                .entry(name.into_owned())
                .or_insert_with(|| value.into_owned());
        }
        QueryParameters { values }
    }

    /// The value of one parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The `Action` parameter, the operation name.
    pub fn action(&self) -> Option<&str> {
        self.get("Action").filter(|action| !action.is_empty())
    }

    /// Builds the JSON form of an operation's input from the flat parameters, following the
    /// shape table: lists are `Name.member.N`, maps `Name.entry.N.key` and `.value`, numbers,
    /// booleans and timestamps are converted where they parse. A value that does not parse
    /// stays a string, so that the model validator reports the member and its expected type.
    pub fn to_json(&self, model: &Model, shape: usize) -> Value {
        self.value_at(model, shape, "")
            .unwrap_or_else(|| Value::Object(Map::new()))
    }

    fn value_at(&self, model: &Model, shape: usize, prefix: &str) -> Option<Value> {
        let kind = &model.shapes.get(shape)?.kind;
        let join = |name: &str| {
            if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}.{name}")
            }
        };
        match kind {
            ShapeKind::Structure(members) => {
                let mut object = Map::new();
                for member in *members {
                    if let Some(value) = self.value_at(model, member.shape, &join(member.name)) {
                        object.insert(member.name.to_owned(), value);
                    }
                }
                (prefix.is_empty() || !object.is_empty()).then_some(Value::Object(object))
            }
            ShapeKind::List { member, .. } => {
                if self.get(prefix) == Some("") {
                    return Some(Value::Array(Vec::new()));
                }
                let mut items = Vec::new();
                for index in 1.. {
                    match self.value_at(model, *member, &format!("{prefix}.member.{index}")) {
                        Some(item) => items.push(item),
                        None => break,
                    }
                }
                (!items.is_empty()).then_some(Value::Array(items))
            }
            ShapeKind::Map { key, value } => {
                let mut object = Map::new();
                for index in 1.. {
                    let entry = format!("{prefix}.entry.{index}");
                    let Some(Value::String(name)) =
                        self.value_at(model, *key, &format!("{entry}.key"))
                    else {
                        break;
                    };
                    let item = self
                        .value_at(model, *value, &format!("{entry}.value"))
                        .unwrap_or(Value::Null);
                    object.insert(name, item);
                }
                (!object.is_empty()).then_some(Value::Object(object))
            }
            ShapeKind::Integer { .. } => self.get(prefix).map(|text| {
                text.parse::<i64>()
                    .map_or_else(|_| Value::String(text.to_owned()), Value::from)
            }),
            ShapeKind::Double => self.get(prefix).map(|text| {
                text.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map_or_else(|| Value::String(text.to_owned()), Value::Number)
            }),
            ShapeKind::Boolean => self.get(prefix).map(|text| match text {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => Value::String(other.to_owned()),
            }),
            ShapeKind::Timestamp => self.get(prefix).map(|text| {
                text.parse::<jiff::Timestamp>()
                    .ok()
                    .and_then(|time| Number::from_f64(time.as_millisecond() as f64 / 1000.0))
                    .map_or_else(|| Value::String(text.to_owned()), Value::Number)
            }),
            ShapeKind::String { .. } | ShapeKind::Blob => {
                self.get(prefix).map(|text| Value::String(text.to_owned()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_and_duplicates() {
        let params =
            QueryParameters::parse(b"Action=GetCallerIdentity&Version=2011-06-15&Action=Other");
        assert_eq!(params.action(), Some("GetCallerIdentity"));
        assert_eq!(params.get("Version"), Some("2011-06-15"));
    }

    #[test]
    fn nested_members_become_json() {
        use model::sts::{MODEL, Operation};
        let body = b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2FR&RoleSessionName=s\
&DurationSeconds=900&Tags.member.1.Key=team&Tags.member.1.Value=red&Tags.member.2.Key=env&Tags.member.2.Value=dev\
&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess";
        let params = QueryParameters::parse(body);
        let json = params.to_json(&MODEL, Operation::AssumeRole.input_shape().unwrap());
        assert_eq!(json["DurationSeconds"], 900);
        assert_eq!(json["Tags"][1]["Key"], "env");
        assert_eq!(
            json["PolicyArns"][0]["arn"],
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        );
        assert!(json.get("ExternalId").is_none());
    }

    #[test]
    fn unparsable_numbers_stay_strings() {
        use model::sts::{MODEL, Operation};
        let params = QueryParameters::parse(b"Action=AssumeRole&DurationSeconds=soon");
        let json = params.to_json(&MODEL, Operation::AssumeRole.input_shape().unwrap());
        assert_eq!(json["DurationSeconds"], "soon");
    }

    #[test]
    fn empty_action_is_absent() {
        assert_eq!(QueryParameters::parse(b"Action=&Version=1").action(), None);
        assert_eq!(QueryParameters::parse(b"\xff\xfe=%zz").action(), None);
    }
}
