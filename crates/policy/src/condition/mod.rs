//! The `Condition` element: compiling each operator, key and value list, and deciding it
//! against the request context.
//!
//! The rules AWS applies, all implemented here:
//! - Several operators in one block, and several keys under one operator, must all hold.
//! - Several values for one key: a positive operator holds when any value matches; a
//!   negated operator (`StringNotEquals`, `NotIpAddress`, ...) holds when none matches.
//! - A key missing from the request makes a positive operator false and a negated one true.
//!   `...IfExists` makes any operator true for a missing key. `Null` tests presence.
//! - `ForAnyValue:` holds when some request value satisfies the operator, so it is false for
//!   a missing key. `ForAllValues:` holds when every request value does, so it is true for a
//!   missing key.
//! - Key names compare without regard to case; values compare with case, except under the
//!   `IgnoreCase` operators and `Bool`.

mod operator;
mod value;

pub use operator::{BaseOperator, Operator, SetQualifier};

use operator::ValueType;
use value::IpNetwork;

use crate::arn::ArnPattern;
use crate::error::Violation;
use crate::key::KeyName;
use crate::pattern::{Case, Pattern, Variables, Wildcards};
use crate::request::Context;

/// One operator, key and value list of a `Condition` element, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    operator: Operator,
    operator_text: Box<str>,
    key: Box<str>,
    key_name: KeyName,
    value_texts: Box<[Box<str>]>,
    values: PolicyValues,
}

#[derive(Debug, Clone, PartialEq)]
enum PolicyValues {
    Strings(Box<[Pattern]>, Case),
    Arns(Box<[ArnPattern]>),
    Numbers(Box<[f64]>),
    Dates(Box<[i64]>),
    Bools(Box<[bool]>),
    Binary(Box<[Vec<u8>]>),
    Networks(Box<[IpNetwork]>),
    Null(Box<[bool]>),
}

/// A condition value as written in the policy, with its byte offset for error messages.
pub(crate) struct RawValue {
    pub(crate) text: Box<str>,
    pub(crate) offset: usize,
}

impl Condition {
    /// Compiles one key of an operator block. On error, returns the byte offset of the
    /// offending value with the violation.
    pub(crate) fn compile(
        operator: Operator,
        operator_text: &str,
        key_text: &str,
        raw_values: &[RawValue],
        variables: Variables,
    ) -> Result<Condition, (Option<usize>, Violation)> {
        if key_text.is_empty() {
            return Err((None, Violation::EmptyConditionKey));
        }

        let invalid = |raw: &RawValue, expected: &'static str| {
            (
                Some(raw.offset),
                Violation::InvalidConditionValue {
                    operator: operator_text.to_owned(),
                    key: key_text.to_owned(),
                    value: raw.text.to_string(),
                    expected,
                },
            )
        };
        let parse_all = |parse: &dyn Fn(&str) -> bool, expected: &'static str| {
            raw_values
                .iter()
                .find(|raw| !parse(&raw.text))
                .map_or(Ok(()), |raw| Err(invalid(raw, expected)))
        };

        let values = match operator.base.value_type() {
            ValueType::String => {
                let (wildcards, case) = match operator.base {
                    BaseOperator::StringLike | BaseOperator::StringNotLike => {
                        (Wildcards::Enabled, Case::Sensitive)
                    }
                    BaseOperator::StringEqualsIgnoreCase
                    | BaseOperator::StringNotEqualsIgnoreCase => {
                        (Wildcards::Disabled, Case::Insensitive)
                    }
                    _ => (Wildcards::Disabled, Case::Sensitive),
                };
                let patterns = raw_values
                    .iter()
                    .map(|raw| Pattern::compile(&raw.text, wildcards, variables))
                    .collect();
                PolicyValues::Strings(patterns, case)
            }
            ValueType::Arn => PolicyValues::Arns(
                raw_values
                    .iter()
                    .map(|raw| ArnPattern::compile(&raw.text, variables))
                    .collect(),
            ),
            // NOTE: values that cannot be numbers, dates, booleans, base64 or IP ranges are
            // rejected here, as IAM Access Analyzer reports them. Whether every AWS API
            // rejects them when storing a policy is not documented.
            ValueType::Numeric => {
                parse_all(
                    &|text| value::parse_number(text).is_some(),
                    "a number such as 10 or 2.5",
                )?;
                PolicyValues::Numbers(
                    raw_values
                        .iter()
                        .filter_map(|raw| value::parse_number(&raw.text))
                        .collect(),
                )
            }
            ValueType::Date => {
                parse_all(
                    &|text| value::parse_date(text).is_some(),
                    "an ISO 8601 date such as 2026-01-31T00:00:00Z, or epoch seconds",
                )?;
                PolicyValues::Dates(
                    raw_values
                        .iter()
                        .filter_map(|raw| value::parse_date(&raw.text))
                        .collect(),
                )
            }
            ValueType::Bool | ValueType::Null => {
                parse_all(
                    &|text| value::parse_bool(text).is_some(),
                    "\"true\" or \"false\"",
                )?;
                let flags = raw_values
                    .iter()
                    .filter_map(|raw| value::parse_bool(&raw.text))
                    .collect();
                if operator.base == BaseOperator::Null {
                    PolicyValues::Null(flags)
                } else {
                    PolicyValues::Bools(flags)
                }
            }
            ValueType::Binary => {
                parse_all(
                    &|text| value::parse_binary(text).is_some(),
                    "base64-encoded bytes",
                )?;
                PolicyValues::Binary(
                    raw_values
                        .iter()
                        .filter_map(|raw| value::parse_binary(&raw.text))
                        .collect(),
                )
            }
            ValueType::Ip => {
                parse_all(
                    &|text| IpNetwork::parse(text).is_some(),
                    "an IPv4 or IPv6 address or CIDR block such as 203.0.113.0/24 or 2001:db8::/32",
                )?;
                PolicyValues::Networks(
                    raw_values
                        .iter()
                        .filter_map(|raw| IpNetwork::parse(&raw.text))
                        .collect(),
                )
            }
        };

        Ok(Condition {
            operator,
            operator_text: operator_text.into(),
            key: key_text.into(),
            key_name: KeyName::new(key_text),
            value_texts: raw_values.iter().map(|raw| raw.text.clone()).collect(),
            values,
        })
    }

    /// Returns the parsed operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// Returns the operator as written in the policy.
    pub fn operator_text(&self) -> &str {
        &self.operator_text
    }

    /// Returns the condition key as written in the policy.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Returns the condition values as written in the policy.
    pub fn values(&self) -> &[Box<str>] {
        &self.value_texts
    }

    /// Returns the request values this condition compares, or `None` when the key is
    /// missing from the request.
    pub fn request_values<'c>(&self, context: &'c Context) -> Option<&'c [Box<str>]> {
        context.values(&self.key_name)
    }

    /// Decides the condition against the request context.
    pub(crate) fn evaluate(&self, context: &Context) -> bool {
        if let PolicyValues::Null(expect_missing) = &self.values {
            let missing = context.is_missing_for_null(&self.key_name);
            return expect_missing.contains(&missing);
        }

        let Some(request_values) = context.values(&self.key_name) else {
            if self.operator.if_exists {
                return true;
            }
            return match self.operator.qualifier {
                SetQualifier::ForAllValues => true,
                SetQualifier::ForAnyValue => false,
                SetQualifier::None => self.operator.base.is_negated(),
            };
        };

        let negated = self.operator.base.is_negated();
        let satisfies = |value: &str| self.any_value_matches(value, context) != negated;
        match self.operator.qualifier {
            SetQualifier::ForAnyValue => request_values.iter().any(|value| satisfies(value)),
            SetQualifier::ForAllValues => request_values.iter().all(|value| satisfies(value)),
            // NOTE: AWS requires a set qualifier when a key has several values. Without one,
            // a positive operator holds when any request value matches and a negated
            // operator when no request value matches; AWS does not document this case.
            SetQualifier::None if negated => request_values.iter().all(|value| satisfies(value)),
            SetQualifier::None => request_values.iter().any(|value| satisfies(value)),
        }
    }

    /// Returns true when `request_value` matches at least one policy value under the
    /// positive form of the operator (`StringEquals` for `StringNotEquals`, and so on).
    fn any_value_matches(&self, request_value: &str, context: &Context) -> bool {
        match &self.values {
            PolicyValues::Strings(patterns, case) => patterns
                .iter()
                .any(|pattern| pattern.matches(request_value, *case, context)),
            PolicyValues::Arns(patterns) => patterns
                .iter()
                .any(|pattern| pattern.matches(request_value, context)),
            PolicyValues::Numbers(numbers) => {
                value::parse_number(request_value).is_some_and(|request| {
                    numbers
                        .iter()
                        .any(|policy| compare(self.operator.base, request.partial_cmp(policy)))
                })
            }
            PolicyValues::Dates(dates) => value::parse_date(request_value).is_some_and(|request| {
                dates
                    .iter()
                    .any(|policy| compare(self.operator.base, Some(request.cmp(policy))))
            }),
            PolicyValues::Bools(flags) => {
                value::parse_bool(request_value).is_some_and(|request| flags.contains(&request))
            }
            PolicyValues::Binary(blobs) => {
                value::parse_binary(request_value).is_some_and(|request| blobs.contains(&request))
            }
            PolicyValues::Networks(networks) => value::parse_request_ip(request_value)
                .is_some_and(|address| networks.iter().any(|network| network.contains(address))),
            PolicyValues::Null(_) => false,
        }
    }
}

/// Applies the positive form of a numeric or date operator to `request.cmp(policy)`.
fn compare(operator: BaseOperator, ordering: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};

    let Some(ordering) = ordering else {
        return false;
    };
    match operator {
        BaseOperator::NumericEquals
        | BaseOperator::NumericNotEquals
        | BaseOperator::DateEquals
        | BaseOperator::DateNotEquals => ordering == Equal,
        BaseOperator::NumericLessThan | BaseOperator::DateLessThan => ordering == Less,
        BaseOperator::NumericLessThanEquals | BaseOperator::DateLessThanEquals => {
            ordering != Greater
        }
        BaseOperator::NumericGreaterThan | BaseOperator::DateGreaterThan => ordering == Greater,
        BaseOperator::NumericGreaterThanEquals | BaseOperator::DateGreaterThanEquals => {
            ordering != Less
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
