//! Form-encoded parameters of awsQuery requests.

use std::collections::BTreeMap;

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
    fn empty_action_is_absent() {
        assert_eq!(QueryParameters::parse(b"Action=&Version=1").action(), None);
        assert_eq!(QueryParameters::parse(b"\xff\xfe=%zz").action(), None);
    }
}
