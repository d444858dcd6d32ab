//! Model constraints as data, and the validator that checks a JSON request body against them.
//!
//! AWS validates every request against the service model before the operation runs: required
//! members, value types, string lengths, numeric ranges, patterns and enum values. The
//! generated shape tables describe those constraints; [`validate`] reports the first one a
//! body breaks as a [`Violation`], and each service turns that into its own error (for
//! Organizations an `InvalidInputException` with a reason code).

use std::fmt;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

/// One service model: its shapes, indexed by position, and the patterns they share.
#[derive(Debug)]
pub struct Model {
    /// Every shape of the model, sorted by name; members refer to shapes by index.
    pub shapes: &'static [Shape],
    /// Regular expressions, anchored and in `regex` syntax, compiled on first use.
    pub patterns: &'static [Pattern],
}

/// One named shape.
#[derive(Debug)]
pub struct Shape {
    /// The shape's name in the model, such as `CreateAccountRequest`.
    pub name: &'static str,
    /// The kind of value and its constraints.
    pub kind: ShapeKind,
}

/// The constraints of a shape.
#[derive(Debug)]
pub enum ShapeKind {
    /// A JSON object with these members.
    Structure(&'static [Member]),
    /// A JSON array whose items are of the `member` shape.
    List {
        /// Index of the item shape.
        member: usize,
        /// Minimum number of items.
        min: Option<u64>,
        /// Maximum number of items.
        max: Option<u64>,
    },
    /// A JSON object whose keys and values are of the given shapes.
    Map {
        /// Index of the key shape.
        key: usize,
        /// Index of the value shape.
        value: usize,
    },
    /// A string, with length limits in characters, a pattern and allowed values.
    String {
        /// Minimum length in characters.
        min: Option<u64>,
        /// Maximum length in characters.
        max: Option<u64>,
        /// Index into [`Model::patterns`] of the pattern the whole value must match.
        pattern: Option<usize>,
        /// The allowed values; empty when any value is allowed.
        values: &'static [&'static str],
    },
    /// An integer or long, with an inclusive range.
    Integer {
        /// Smallest allowed value.
        min: Option<i64>,
        /// Largest allowed value.
        max: Option<i64>,
    },
    /// `true` or `false`.
    Boolean,
    /// A floating-point number.
    Double,
    /// Epoch seconds as a JSON number.
    Timestamp,
    /// Base64 text.
    Blob,
}

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    /// The member's wire name.
    pub name: &'static str,
    /// Index of the member's shape.
    pub shape: usize,
    /// Whether the member must be present.
    pub required: bool,
}

/// A pattern from the model, compiled once on first use.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    model_source: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    /// Wraps an anchored regular expression in `regex` syntax, with the pattern as the model
    /// spells it for messages.
    pub const fn new(source: &'static str, model_source: &'static str) -> Pattern {
        Pattern {
            source,
            model_source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as the model spells it, in Java regex syntax.
    pub fn model_source(&self) -> &'static str {
        self.model_source
    }

    /// The anchored source text.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Tests whether the whole value matches. A pattern the regex crate cannot compile accepts
    /// every value, so that a model change never rejects valid requests.
    fn is_match(&self, value: &str) -> bool {
        let compiled = self.compiled.get_or_init(|| Regex::new(self.source).ok());
        compiled.as_ref().is_none_or(|regex| regex.is_match(value))
    }
}

/// The first constraint a request body breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The member path of the value, such as `Tags[1].Key`, or empty for the body itself.
    pub path: String,
    /// The broken constraint.
    pub kind: ViolationKind,
}

/// A model constraint that a value breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViolationKind {
    /// A required member is absent or null.
    Required,
    /// The value has the wrong JSON type.
    Type {
        /// The type the model expects, such as `string`.
        expected: &'static str,
    },
    /// A string or list is shorter than the minimum.
    MinLength {
        /// The minimum length.
        min: u64,
    },
    /// A string or list is longer than the maximum.
    MaxLength {
        /// The maximum length.
        max: u64,
    },
    /// A number is below the minimum.
    MinValue {
        /// The minimum value.
        min: i64,
    },
    /// A number is above the maximum.
    MaxValue {
        /// The maximum value.
        max: i64,
    },
    /// A string does not match the member's pattern.
    Pattern {
        /// The pattern as the model spells it.
        pattern: &'static str,
    },
    /// A string is not one of the allowed values.
    Enum {
        /// The allowed values.
        values: &'static [&'static str],
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() {
            "the request body".to_owned()
        } else {
            self.path.clone()
        };
        match &self.kind {
            ViolationKind::Required => write!(f, "{at} is required but missing"),
            ViolationKind::Type { expected } => write!(f, "{at} must be a {expected}"),
            ViolationKind::MinLength { min } => {
                write!(f, "{at} must have a length of at least {min}")
            }
            ViolationKind::MaxLength { max } => {
                write!(f, "{at} must have a length of at most {max}")
            }
            ViolationKind::MinValue { min } => write!(f, "{at} must be at least {min}"),
            ViolationKind::MaxValue { max } => write!(f, "{at} must be at most {max}"),
            ViolationKind::Pattern { pattern } => {
                write!(f, "{at} must match the pattern {pattern}")
            }
            ViolationKind::Enum { values } => {
                write!(f, "{at} must be one of: {}", values.join(", "))
            }
        }
    }
}

/// Checks `value` against shape `shape` of `model`, returning the first violation found.
///
/// A JSON `null` counts as absent, as AWS's JSON protocols treat it. Members the model does not
/// declare are ignored. A shape index outside the model is treated as unconstrained.
pub fn validate(model: &Model, shape: usize, value: &Value) -> Result<(), Violation> {
    let mut path = String::new();
    check(model, shape, value, &mut path)
}

fn check(model: &Model, shape: usize, value: &Value, path: &mut String) -> Result<(), Violation> {
    let Some(shape) = model.shapes.get(shape) else {
        return Ok(());
    };
    let violation = |path: &String, kind| {
        Err(Violation {
            path: path.clone(),
            kind,
        })
    };

    match &shape.kind {
        ShapeKind::Structure(members) => {
            let Value::Object(object) = value else {
                return violation(
                    path,
                    ViolationKind::Type {
                        expected: "structure",
                    },
                );
            };
            for member in *members {
                let present = object.get(member.name).filter(|v| !v.is_null());
                let length = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(member.name);
                match present {
                    None if member.required => return violation(path, ViolationKind::Required),
                    None => {}
                    Some(item) => check(model, member.shape, item, path)?,
                }
                path.truncate(length);
            }
            Ok(())
        }
        ShapeKind::List { member, min, max } => {
            let Value::Array(items) = value else {
                return violation(path, ViolationKind::Type { expected: "list" });
            };
            check_length(items.len() as u64, *min, *max, path)?;
            for (i, item) in items.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{i}]"));
                check(model, *member, item, path)?;
                path.truncate(length);
            }
            Ok(())
        }
        ShapeKind::Map {
            key,
            value: value_shape,
        } => {
            let Value::Object(entries) = value else {
                return violation(path, ViolationKind::Type { expected: "map" });
            };
            for (name, item) in entries {
                let length = path.len();
                path.push_str(&format!("[{name}]"));
                check(model, *key, &Value::String(name.clone()), path)?;
                check(model, *value_shape, item, path)?;
                path.truncate(length);
            }
            Ok(())
        }
        ShapeKind::String {
            min,
            max,
            pattern,
            values,
        } => {
            let Value::String(text) = value else {
                return violation(path, ViolationKind::Type { expected: "string" });
            };
            if !values.is_empty() && !values.contains(&text.as_str()) {
                return violation(path, ViolationKind::Enum { values });
            }
            check_length(text.chars().count() as u64, *min, *max, path)?;
            if let Some(pattern) = pattern.and_then(|i| model.patterns.get(i))
                && !pattern.is_match(text)
            {
                return violation(
                    path,
                    ViolationKind::Pattern {
                        pattern: pattern.model_source(),
                    },
                );
            }
            Ok(())
        }
        ShapeKind::Integer { min, max } => {
            let Some(number) = value.as_i64() else {
                return violation(
                    path,
                    ViolationKind::Type {
                        expected: "integer",
                    },
                );
            };
            if let Some(min) = min
                && number < *min
            {
                return violation(path, ViolationKind::MinValue { min: *min });
            }
            if let Some(max) = max
                && number > *max
            {
                return violation(path, ViolationKind::MaxValue { max: *max });
            }
            Ok(())
        }
        ShapeKind::Boolean if !value.is_boolean() => violation(
            path,
            ViolationKind::Type {
                expected: "boolean",
            },
        ),
        ShapeKind::Double | ShapeKind::Timestamp if !value.is_number() => {
            violation(path, ViolationKind::Type { expected: "number" })
        }
        ShapeKind::Blob if !value.is_string() => {
            violation(path, ViolationKind::Type { expected: "string" })
        }
        ShapeKind::Boolean | ShapeKind::Double | ShapeKind::Timestamp | ShapeKind::Blob => Ok(()),
    }
}

fn check_length(
    length: u64,
    min: Option<u64>,
    max: Option<u64>,
    path: &str,
) -> Result<(), Violation> {
    if let Some(min) = min
        && length < min
    {
        return Err(Violation {
            path: path.to_owned(),
            kind: ViolationKind::MinLength { min },
        });
    }
    if let Some(max) = max
        && length > max
    {
        return Err(Violation {
            path: path.to_owned(),
            kind: ViolationKind::MaxLength { max },
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::organizations::{MODEL, Operation};

    fn input_of(operation: Operation) -> usize {
        operation.input_shape().unwrap()
    }

    #[test]
    fn valid_create_account_passes() {
        let body = json!({"Email": "dev@example.com", "AccountName": "Dev"});
        assert_eq!(
            validate(&MODEL, input_of(Operation::CreateAccount), &body),
            Ok(())
        );
    }

    #[test]
    fn missing_required_member_is_reported() {
        let body = json!({"AccountName": "Dev"});
        let violation = validate(&MODEL, input_of(Operation::CreateAccount), &body).unwrap_err();
        assert_eq!(violation.path, "Email");
        assert_eq!(violation.kind, ViolationKind::Required);
    }

    #[test]
    fn pattern_checks_whole_value() {
        let body = json!({"AccountId": "1234567890123"});
        let violation = validate(&MODEL, input_of(Operation::DescribeAccount), &body).unwrap_err();
        assert!(matches!(
            violation.kind,
            ViolationKind::MaxLength { max: 12 }
        ));

        let body = json!({"AccountId": "12345678901a"});
        let violation = validate(&MODEL, input_of(Operation::DescribeAccount), &body).unwrap_err();
        assert!(matches!(violation.kind, ViolationKind::Pattern { .. }));
        // The message quotes the model's own pattern, not its translation for the regex crate.
        assert_eq!(
            violation.to_string(),
            "AccountId must match the pattern ^\\d{12}$"
        );
    }

    #[test]
    fn java_word_class_is_ascii() {
        let create_user = crate::iam::Operation::CreateUser.input_shape().unwrap();
        for name in ["jörg", "jo\u{0301}rg", "名前", "a\u{00a0}b"] {
            let body = json!({"UserName": name});
            let violation = validate(&crate::iam::MODEL, create_user, &body).unwrap_err();
            assert_eq!(violation.path, "UserName", "{name}");
            assert!(
                matches!(violation.kind, ViolationKind::Pattern { .. }),
                "{name}"
            );
        }
        let body = json!({"UserName": "jorg_2+ops=a,b.c@d-e"});
        assert_eq!(validate(&crate::iam::MODEL, create_user, &body), Ok(()));

        let any_text = json!({"ParentId": "r-abcd", "Name": "a\u{00a0}\u{2003}\n名前 é"});
        assert_eq!(
            validate(
                &MODEL,
                input_of(Operation::CreateOrganizationalUnit),
                &any_text
            ),
            Ok(())
        );
    }

    #[test]
    fn java_unicode_escape_is_translated() {
        let body = json!({"Email": "dev@example.com", "AccountName": "Dev\u{00e9}"});
        let violation = validate(&MODEL, input_of(Operation::CreateAccount), &body).unwrap_err();
        assert_eq!(violation.path, "AccountName");
        assert!(matches!(violation.kind, ViolationKind::Pattern { .. }));
    }

    #[test]
    fn nested_list_member_path_is_reported() {
        let body = json!({"ResourceId": "123456789012", "Tags": [{"Key": "a", "Value": "b"}, {"Key": "c"}]});
        let violation = validate(&MODEL, input_of(Operation::TagResource), &body).unwrap_err();
        assert_eq!(violation.path, "Tags[1].Value");
        assert_eq!(violation.kind, ViolationKind::Required);
    }

    #[test]
    fn range_and_enum_and_type_are_checked() {
        let shape = input_of(Operation::ListAccounts);
        let violation = validate(&MODEL, shape, &json!({"MaxResults": 21})).unwrap_err();
        assert_eq!(violation.kind, ViolationKind::MaxValue { max: 20 });
        let violation = validate(&MODEL, shape, &json!({"MaxResults": "5"})).unwrap_err();
        assert_eq!(
            violation.kind,
            ViolationKind::Type {
                expected: "integer"
            }
        );

        let shape = input_of(Operation::CreateOrganization);
        let violation = validate(&MODEL, shape, &json!({"FeatureSet": "SOME"})).unwrap_err();
        assert!(matches!(violation.kind, ViolationKind::Enum { .. }));
    }

    #[test]
    fn every_pattern_compiles() {
        for pattern in MODEL.patterns {
            assert!(Regex::new(pattern.source()).is_ok(), "{}", pattern.source());
        }
    }

    #[test]
    fn null_counts_as_absent() {
        let body = json!({"Email": "dev@example.com", "AccountName": "Dev", "RoleName": null});
        assert_eq!(
            validate(&MODEL, input_of(Operation::CreateAccount), &body),
            Ok(())
        );
    }
}
