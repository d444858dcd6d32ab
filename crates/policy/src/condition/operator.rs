//! Condition operator names: the base operator, the `ForAllValues:` / `ForAnyValue:` set
//! qualifier and the `IfExists` suffix.
//!
//! Names are read without regard to letter case, as AWS accepts them (an AWS-published RCP
//! writes `ForAnyValue:Stringlike`).

use std::fmt;

/// The comparison a condition makes, without qualifier or suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[expect(
    missing_docs,
    reason = "each variant is the IAM operator of the same name"
)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// The kind of value an operator compares, which decides how policy values are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueType {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

const BASE_OPERATORS: [BaseOperator; 27] = [
    BaseOperator::StringEquals,
    BaseOperator::StringNotEquals,
    BaseOperator::StringEqualsIgnoreCase,
    BaseOperator::StringNotEqualsIgnoreCase,
    BaseOperator::StringLike,
    BaseOperator::StringNotLike,
    BaseOperator::NumericEquals,
    BaseOperator::NumericNotEquals,
    BaseOperator::NumericLessThan,
    BaseOperator::NumericLessThanEquals,
    BaseOperator::NumericGreaterThan,
    BaseOperator::NumericGreaterThanEquals,
    BaseOperator::DateEquals,
    BaseOperator::DateNotEquals,
    BaseOperator::DateLessThan,
    BaseOperator::DateLessThanEquals,
    BaseOperator::DateGreaterThan,
    BaseOperator::DateGreaterThanEquals,
    BaseOperator::Bool,
    BaseOperator::BinaryEquals,
    BaseOperator::IpAddress,
    BaseOperator::NotIpAddress,
    BaseOperator::ArnEquals,
    BaseOperator::ArnLike,
    BaseOperator::ArnNotEquals,
    BaseOperator::ArnNotLike,
    BaseOperator::Null,
];

impl BaseOperator {
    /// Returns the operator's name as AWS documents it.
    pub fn name(self) -> &'static str {
        match self {
            BaseOperator::StringEquals => "StringEquals",
            BaseOperator::StringNotEquals => "StringNotEquals",
            BaseOperator::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            BaseOperator::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            BaseOperator::StringLike => "StringLike",
            BaseOperator::StringNotLike => "StringNotLike",
            BaseOperator::NumericEquals => "NumericEquals",
            BaseOperator::NumericNotEquals => "NumericNotEquals",
            BaseOperator::NumericLessThan => "NumericLessThan",
            BaseOperator::NumericLessThanEquals => "NumericLessThanEquals",
            BaseOperator::NumericGreaterThan => "NumericGreaterThan",
            BaseOperator::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            BaseOperator::DateEquals => "DateEquals",
            BaseOperator::DateNotEquals => "DateNotEquals",
            BaseOperator::DateLessThan => "DateLessThan",
            BaseOperator::DateLessThanEquals => "DateLessThanEquals",
            BaseOperator::DateGreaterThan => "DateGreaterThan",
            BaseOperator::DateGreaterThanEquals => "DateGreaterThanEquals",
            BaseOperator::Bool => "Bool",
            BaseOperator::BinaryEquals => "BinaryEquals",
            BaseOperator::IpAddress => "IpAddress",
            BaseOperator::NotIpAddress => "NotIpAddress",
            BaseOperator::ArnEquals => "ArnEquals",
            BaseOperator::ArnLike => "ArnLike",
            BaseOperator::ArnNotEquals => "ArnNotEquals",
            BaseOperator::ArnNotLike => "ArnNotLike",
            BaseOperator::Null => "Null",
        }
    }

    /// Returns true for operators that require the key to match none of the values
    /// (`StringNotEquals`, `NotIpAddress`, `ArnNotLike` and the like). A negated operator
    /// is true when the key is missing from the request.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOperator::StringNotEquals
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringNotLike
                | BaseOperator::NumericNotEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::NotIpAddress
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
        )
    }

    pub(crate) fn value_type(self) -> ValueType {
        match self {
            BaseOperator::StringEquals
            | BaseOperator::StringNotEquals
            | BaseOperator::StringEqualsIgnoreCase
            | BaseOperator::StringNotEqualsIgnoreCase
            | BaseOperator::StringLike
            | BaseOperator::StringNotLike => ValueType::String,
            BaseOperator::NumericEquals
            | BaseOperator::NumericNotEquals
            | BaseOperator::NumericLessThan
            | BaseOperator::NumericLessThanEquals
            | BaseOperator::NumericGreaterThan
            | BaseOperator::NumericGreaterThanEquals => ValueType::Numeric,
            BaseOperator::DateEquals
            | BaseOperator::DateNotEquals
            | BaseOperator::DateLessThan
            | BaseOperator::DateLessThanEquals
            | BaseOperator::DateGreaterThan
            | BaseOperator::DateGreaterThanEquals => ValueType::Date,
            BaseOperator::Bool => ValueType::Bool,
            BaseOperator::BinaryEquals => ValueType::Binary,
            BaseOperator::IpAddress | BaseOperator::NotIpAddress => ValueType::Ip,
            BaseOperator::ArnEquals
            | BaseOperator::ArnLike
            | BaseOperator::ArnNotEquals
            | BaseOperator::ArnNotLike => ValueType::Arn,
            BaseOperator::Null => ValueType::Null,
        }
    }
}

/// The treatment of a multi-valued request key by a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// No qualifier: the key is compared as a single value.
    None,
    /// `ForAllValues:`: every request value must satisfy the operator. True when the key is
    /// missing or empty.
    ForAllValues,
    /// `ForAnyValue:`: at least one request value must satisfy the operator. False when the
    /// key is missing or empty.
    ForAnyValue,
}

/// A parsed condition operator such as `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operator {
    /// The set qualifier.
    pub qualifier: SetQualifier,
    /// The comparison.
    pub base: BaseOperator,
    /// True for the `IfExists` suffix: the condition is true when the key is missing.
    pub if_exists: bool,
}

impl Operator {
    /// Parses an operator name without regard to letter case. Returns `None` for names IAM
    /// does not define, including `NullIfExists`.
    pub fn parse(name: &str) -> Option<Operator> {
        let lower = name.to_ascii_lowercase();

        let (qualifier, rest) = if let Some(rest) = lower.strip_prefix("forallvalues:") {
            (SetQualifier::ForAllValues, rest)
        } else if let Some(rest) = lower.strip_prefix("foranyvalue:") {
            (SetQualifier::ForAnyValue, rest)
        } else {
            (SetQualifier::None, lower.as_str())
        };

        let (if_exists, base_name) = match rest.strip_suffix("ifexists") {
            Some(base_name) => (true, base_name),
            None => (false, rest),
        };

        let base = BASE_OPERATORS
            .into_iter()
            .find(|operator| operator.name().eq_ignore_ascii_case(base_name))?;
        if base == BaseOperator::Null && (if_exists || qualifier != SetQualifier::None) {
            return None;
        }
        Some(Operator {
            qualifier,
            base,
            if_exists,
        })
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier {
            SetQualifier::None => {}
            SetQualifier::ForAllValues => f.write_str("ForAllValues:")?,
            SetQualifier::ForAnyValue => f.write_str("ForAnyValue:")?,
        }
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_base_operator_with_suffix_and_qualifiers() {
        for base in BASE_OPERATORS {
            let parsed = Operator::parse(base.name()).unwrap();
            assert_eq!(parsed.base, base);
            assert_eq!(parsed.to_string(), base.name());
            if base == BaseOperator::Null {
                assert_eq!(Operator::parse("NullIfExists"), None);
                assert_eq!(Operator::parse("ForAnyValue:Null"), None);
                continue;
            }
            let if_exists = Operator::parse(&format!("{}IfExists", base.name())).unwrap();
            assert!(if_exists.if_exists);
            for (prefix, qualifier) in [
                ("ForAllValues:", SetQualifier::ForAllValues),
                ("ForAnyValue:", SetQualifier::ForAnyValue),
            ] {
                let qualified =
                    Operator::parse(&format!("{prefix}{}IfExists", base.name())).unwrap();
                assert_eq!(qualified.qualifier, qualifier);
                assert_eq!(qualified.base, base);
                assert!(qualified.if_exists);
            }
        }
    }

    #[test]
    fn names_are_case_insensitive() {
        let parsed = Operator::parse("ForAnyValue:Stringlike").unwrap();
        assert_eq!(parsed.base, BaseOperator::StringLike);
        assert_eq!(parsed.qualifier, SetQualifier::ForAnyValue);
        assert_eq!(
            Operator::parse("stringequalsifexists").unwrap().base,
            BaseOperator::StringEquals
        );
    }

    #[test]
    fn rejects_unknown_names() {
        for name in [
            "StringEqual",
            "ForSomeValues:StringEquals",
            "StringEqualsIfExistsIfExists",
            "",
            "IfExists",
            "ForAllValues:",
        ] {
            assert_eq!(Operator::parse(name), None, "{name:?}");
        }
    }

    #[test]
    fn negation_table() {
        let negated: Vec<&str> = BASE_OPERATORS
            .into_iter()
            .filter(|operator| operator.is_negated())
            .map(BaseOperator::name)
            .collect();
        assert_eq!(
            negated,
            [
                "StringNotEquals",
                "StringNotEqualsIgnoreCase",
                "StringNotLike",
                "NumericNotEquals",
                "DateNotEquals",
                "NotIpAddress",
                "ArnNotEquals",
                "ArnNotLike"
            ]
        );
    }
}
