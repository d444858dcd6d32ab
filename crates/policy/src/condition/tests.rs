//! Table-driven tests of every condition operator, the set qualifiers, `IfExists`, `Null`,
//! the missing-key rules, letter case and policy variables in values.

use super::*;

/// A request-side value in a test table.
#[derive(Clone, Copy)]
enum RequestValue {
    /// The key is not in the context.
    Missing,
    /// A single-valued key.
    One(&'static str),
    /// A multi-valued key.
    Many(&'static [&'static str]),
}

const KEY: &str = "test:Key";

fn context_with(value: RequestValue) -> Context {
    let mut context = Context::new();
    context.insert("aws:username", "alice");
    context.insert("aws:PrincipalTag/team", "data");
    match value {
        RequestValue::Missing => {}
        RequestValue::One(value) => context.insert(KEY, value),
        RequestValue::Many(values) => context.insert_multi(KEY, values.iter().copied()),
    }
    context
}

fn evaluate(operator: &str, policy_values: &[&str], request_value: RequestValue) -> bool {
    let parsed =
        Operator::parse(operator).unwrap_or_else(|| panic!("operator {operator} should parse"));
    let raw: Vec<RawValue> = policy_values
        .iter()
        .map(|text| RawValue {
            text: (*text).into(),
            offset: 0,
        })
        .collect();
    let condition = Condition::compile(parsed, operator, KEY, &raw, Variables::Enabled)
        .unwrap_or_else(|(_, violation)| {
            panic!("{operator} {policy_values:?} should compile: {violation}")
        });
    condition.evaluate(&context_with(request_value))
}

fn check(cases: &[(&str, &[&str], RequestValue, bool)]) {
    for (operator, values, request_value, expected) in cases {
        let label = match request_value {
            RequestValue::Missing => "missing".to_owned(),
            RequestValue::One(value) => format!("{value:?}"),
            RequestValue::Many(values) => format!("{values:?}"),
        };
        assert_eq!(
            evaluate(operator, values, *request_value),
            *expected,
            "{operator} {values:?} against request value {label}"
        );
    }
}

use RequestValue::{Many, Missing, One};

#[test]
fn string_operators() {
    check(&[
        ("StringEquals", &["us-east-1"], One("us-east-1"), true),
        ("StringEquals", &["us-east-1"], One("US-EAST-1"), false),
        (
            "StringEquals",
            &["us-east-1", "eu-west-1"],
            One("eu-west-1"),
            true,
        ),
        ("StringEquals", &["us-*"], One("us-east-1"), false),
        ("StringEquals", &["us-*"], One("us-*"), true),
        ("StringNotEquals", &["us-east-1"], One("eu-west-1"), true),
        (
            "StringNotEquals",
            &["us-east-1", "eu-west-1"],
            One("eu-west-1"),
            false,
        ),
        ("StringNotEquals", &["us-east-1"], One("US-EAST-1"), true),
        ("StringEqualsIgnoreCase", &["Admins"], One("ADMINS"), true),
        ("StringEqualsIgnoreCase", &["Admins"], One("Admin"), false),
        (
            "StringNotEqualsIgnoreCase",
            &["Admins"],
            One("aDmInS"),
            false,
        ),
        ("StringNotEqualsIgnoreCase", &["Admins"], One("users"), true),
        ("StringLike", &["home/*"], One("home/alice/x"), true),
        ("StringLike", &["home/?"], One("home/ab"), false),
        ("StringLike", &["home/??"], One("home/ab"), true),
        ("StringLike", &["HOME/*"], One("home/a"), false),
        ("StringNotLike", &["home/*"], One("home/alice"), false),
        (
            "StringNotLike",
            &["home/*", "tmp/*"],
            One("etc/passwd"),
            true,
        ),
    ]);
}

#[test]
fn numeric_operators() {
    check(&[
        ("NumericEquals", &["10"], One("10"), true),
        ("NumericEquals", &["10"], One("10.0"), true),
        ("NumericEquals", &["10"], One("11"), false),
        ("NumericEquals", &["10"], One("ten"), false),
        ("NumericNotEquals", &["10"], One("11"), true),
        ("NumericNotEquals", &["10"], One("10"), false),
        ("NumericLessThan", &["3600"], One("3599"), true),
        ("NumericLessThan", &["3600"], One("3600"), false),
        ("NumericLessThanEquals", &["3600"], One("3600"), true),
        ("NumericLessThanEquals", &["3600"], One("3601"), false),
        ("NumericGreaterThan", &["1.5"], One("1.6"), true),
        ("NumericGreaterThan", &["1.5"], One("1.5"), false),
        ("NumericGreaterThanEquals", &["-2"], One("-2"), true),
        ("NumericGreaterThanEquals", &["-2"], One("-3"), false),
        ("NumericLessThan", &["10", "20"], One("15"), true),
    ]);
}

#[test]
fn date_operators() {
    check(&[
        (
            "DateEquals",
            &["2026-01-01T00:00:00Z"],
            One("2026-01-01T00:00:00Z"),
            true,
        ),
        (
            "DateEquals",
            &["2026-01-01T00:00:00Z"],
            One("1767225600"),
            true,
        ),
        (
            "DateEquals",
            &["2026-01-01T00:00:00Z"],
            One("2026-01-01T01:00:00+01:00"),
            true,
        ),
        ("DateNotEquals", &["2026-01-01"], One("2026-01-02"), true),
        (
            "DateNotEquals",
            &["2026-01-01"],
            One("2026-01-01T00:00:00Z"),
            false,
        ),
        (
            "DateLessThan",
            &["2026-01-01T00:00:00Z"],
            One("2025-12-31T23:59:59Z"),
            true,
        ),
        (
            "DateLessThan",
            &["2026-01-01T00:00:00Z"],
            One("2026-01-01T00:00:00Z"),
            false,
        ),
        (
            "DateLessThanEquals",
            &["2026-01-01T00:00:00Z"],
            One("2026-01-01T00:00:00Z"),
            true,
        ),
        (
            "DateGreaterThan",
            &["2026-01-01T00:00:00Z"],
            One("2026-06-01T00:00:00Z"),
            true,
        ),
        (
            "DateGreaterThan",
            &["2026-01-01T00:00:00Z"],
            One("not a date"),
            false,
        ),
        (
            "DateGreaterThanEquals",
            &["2026-01-01T00:00:00Z"],
            One("2025-06-01T00:00:00Z"),
            false,
        ),
    ]);
}

#[test]
fn bool_binary_and_ip_operators() {
    check(&[
        ("Bool", &["true"], One("true"), true),
        ("Bool", &["true"], One("TRUE"), true),
        ("Bool", &["false"], One("true"), false),
        ("Bool", &["true"], One("yes"), false),
        ("BinaryEquals", &["QmluYXJ5"], One("QmluYXJ5"), true),
        ("BinaryEquals", &["QmluYXJ5"], One("QmluYXJ6"), false),
        ("IpAddress", &["203.0.113.0/24"], One("203.0.113.7"), true),
        ("IpAddress", &["203.0.113.0/24"], One("198.51.100.7"), false),
        (
            "IpAddress",
            &["203.0.113.0/24", "2001:db8::/32"],
            One("2001:db8::5"),
            true,
        ),
        ("IpAddress", &["203.0.113.0/24"], One("not-an-ip"), false),
        (
            "NotIpAddress",
            &["203.0.113.0/24"],
            One("198.51.100.7"),
            true,
        ),
        (
            "NotIpAddress",
            &["203.0.113.0/24"],
            One("203.0.113.7"),
            false,
        ),
    ]);
}

#[test]
fn arn_operators() {
    let role = "arn:aws:iam::111122223333:role/Admin";
    check(&[
        ("ArnEquals", &[role], One(role), true),
        ("ArnEquals", &["arn:aws:iam::*:role/Admin"], One(role), true),
        ("ArnLike", &["arn:aws:iam::*:role/Adm?n"], One(role), true),
        ("ArnLike", &["arn:aws:iam::*:role/admin"], One(role), false),
        (
            "ArnLike",
            &["arn:aws:iam::444455556666:*"],
            One(role),
            false,
        ),
        (
            "ArnLike",
            &["arn:aws:iam::*:root"],
            One("arn:aws:iam::111122223333:root"),
            true,
        ),
        (
            "ArnNotEquals",
            &[role],
            One("arn:aws:iam::111122223333:role/Other"),
            true,
        ),
        (
            "ArnNotLike",
            &["arn:aws:iam::*:role/AWSControlTowerExecution"],
            One(role),
            true,
        ),
        ("ArnNotLike", &["arn:aws:iam::*:role/*"], One(role), false),
        (
            "ArnLike",
            &["arn:aws:s3:::bucket/*"],
            One("not an arn"),
            false,
        ),
    ]);
}

#[test]
fn missing_key_rules() {
    check(&[
        ("StringEquals", &["x"], Missing, false),
        ("StringNotEquals", &["x"], Missing, true),
        ("StringEqualsIgnoreCase", &["x"], Missing, false),
        ("StringNotEqualsIgnoreCase", &["x"], Missing, true),
        ("StringLike", &["*"], Missing, false),
        ("StringNotLike", &["*"], Missing, true),
        ("NumericEquals", &["1"], Missing, false),
        ("NumericNotEquals", &["1"], Missing, true),
        ("NumericLessThan", &["1"], Missing, false),
        ("DateEquals", &["2026-01-01"], Missing, false),
        ("DateNotEquals", &["2026-01-01"], Missing, true),
        ("DateLessThan", &["2026-01-01"], Missing, false),
        ("Bool", &["false"], Missing, false),
        ("BinaryEquals", &["QmluYXJ5"], Missing, false),
        ("IpAddress", &["0.0.0.0/0"], Missing, false),
        ("NotIpAddress", &["203.0.113.0/24"], Missing, true),
        ("ArnLike", &["*"], Missing, false),
        ("ArnNotLike", &["arn:aws:iam::*:root"], Missing, true),
        ("ArnEquals", &["arn:aws:iam::*:root"], Missing, false),
        ("ArnNotEquals", &["arn:aws:iam::*:root"], Missing, true),
        // An empty value counts as a missing key.
        ("StringEquals", &[""], One(""), false),
        ("StringNotEquals", &["x"], One(""), true),
    ]);
}

#[test]
fn if_exists_rules() {
    check(&[
        ("StringEqualsIfExists", &["x"], Missing, true),
        ("StringEqualsIfExists", &["x"], One("x"), true),
        ("StringEqualsIfExists", &["x"], One("y"), false),
        ("StringNotEqualsIfExists", &["x"], Missing, true),
        ("StringNotEqualsIfExists", &["x"], One("x"), false),
        ("BoolIfExists", &["false"], Missing, true),
        ("BoolIfExists", &["false"], One("true"), false),
        ("NumericLessThanIfExists", &["5"], Missing, true),
        ("NumericLessThanIfExists", &["5"], One("6"), false),
        ("DateGreaterThanIfExists", &["2026-01-01"], Missing, true),
        ("IpAddressIfExists", &["203.0.113.0/24"], Missing, true),
        (
            "IpAddressIfExists",
            &["203.0.113.0/24"],
            One("198.51.100.1"),
            false,
        ),
        ("ArnLikeIfExists", &["arn:aws:iam::*:root"], Missing, true),
        ("BinaryEqualsIfExists", &["QmluYXJ5"], Missing, true),
        ("ForAnyValue:StringEqualsIfExists", &["x"], Missing, true),
        ("ForAllValues:StringEqualsIfExists", &["x"], Missing, true),
    ]);
}

#[test]
fn null_operator() {
    check(&[
        ("Null", &["true"], Missing, true),
        ("Null", &["true"], One("x"), false),
        ("Null", &["false"], One("x"), true),
        ("Null", &["false"], Missing, false),
        ("Null", &["TRUE"], Missing, true),
        ("Null", &["true"], Many(&[]), true),
        // An empty string is a present key for Null.
        ("Null", &["false"], One(""), true),
    ]);
}

#[test]
fn set_qualifiers() {
    check(&[
        (
            "ForAllValues:StringEquals",
            &["a", "b"],
            Many(&["a", "b"]),
            true,
        ),
        ("ForAllValues:StringEquals", &["a", "b"], Many(&["a"]), true),
        (
            "ForAllValues:StringEquals",
            &["a", "b"],
            Many(&["a", "c"]),
            false,
        ),
        ("ForAllValues:StringEquals", &["a", "b"], Missing, true),
        ("ForAllValues:StringEquals", &["a", "b"], Many(&[]), true),
        (
            "ForAnyValue:StringEquals",
            &["a", "b"],
            Many(&["c", "b"]),
            true,
        ),
        (
            "ForAnyValue:StringEquals",
            &["a", "b"],
            Many(&["c", "d"]),
            false,
        ),
        ("ForAnyValue:StringEquals", &["a", "b"], Missing, false),
        ("ForAnyValue:StringEquals", &["a", "b"], Many(&[]), false),
        ("ForAnyValue:StringEquals", &["a"], One("a"), true),
        (
            "ForAllValues:StringNotEquals",
            &["a", "b"],
            Many(&["c", "d"]),
            true,
        ),
        (
            "ForAllValues:StringNotEquals",
            &["a", "b"],
            Many(&["c", "a"]),
            false,
        ),
        ("ForAllValues:StringNotEquals", &["a"], Missing, true),
        (
            "ForAnyValue:StringNotEquals",
            &["a", "b"],
            Many(&["a", "c"]),
            true,
        ),
        (
            "ForAnyValue:StringNotEquals",
            &["a", "b"],
            Many(&["a", "b"]),
            false,
        ),
        ("ForAnyValue:StringNotEquals", &["a"], Missing, false),
        (
            "ForAnyValue:StringLike",
            &["o-abc/*"],
            Many(&["o-xyz/r-1/", "o-abc/r-1/ou-1/"]),
            true,
        ),
        (
            "ForAllValues:StringLike",
            &["dev-*"],
            Many(&["dev-a", "prod-b"]),
            false,
        ),
        (
            "ForAnyValue:StringEqualsIgnoreCase",
            &["CostCenter"],
            Many(&["costcenter"]),
            true,
        ),
        (
            "ForAnyValue:NumericGreaterThan",
            &["10"],
            Many(&["5", "11"]),
            true,
        ),
        (
            "ForAllValues:NumericGreaterThan",
            &["10"],
            Many(&["5", "11"]),
            false,
        ),
        (
            "ForAnyValue:IpAddress",
            &["203.0.113.0/24"],
            Many(&["198.51.100.1", "203.0.113.9"]),
            true,
        ),
        (
            "ForAnyValue:ArnLike",
            &["arn:aws:iam::*:role/A*"],
            Many(&["arn:aws:iam::111122223333:role/Admin"]),
            true,
        ),
        // Without a qualifier, a multi-valued key matches a positive operator when any value
        // matches, and a negated operator when none does.
        ("StringEquals", &["a"], Many(&["b", "a"]), true),
        ("StringNotEquals", &["a"], Many(&["b", "a"]), false),
        ("StringNotEquals", &["a"], Many(&["b", "c"]), true),
    ]);
}

#[test]
fn variables_in_condition_values() {
    check(&[
        ("StringEquals", &["${aws:username}"], One("alice"), true),
        ("StringEquals", &["${aws:username}"], One("bob"), false),
        ("StringEquals", &["${AWS:USERNAME}"], One("alice"), true),
        (
            "StringLike",
            &["home/${aws:username}/*"],
            One("home/alice/a"),
            true,
        ),
        (
            "StringLike",
            &["home/${aws:username}/*"],
            One("home/bob/a"),
            false,
        ),
        (
            "StringEquals",
            &["${aws:PrincipalTag/team}"],
            One("data"),
            true,
        ),
        (
            "StringEquals",
            &["${aws:PrincipalTag/missing, 'none'}"],
            One("none"),
            true,
        ),
        (
            "StringEquals",
            &["${aws:PrincipalTag/missing}"],
            One(""),
            false,
        ),
        (
            "StringNotEquals",
            &["${aws:PrincipalTag/missing}"],
            One("anything"),
            true,
        ),
        ("StringLike", &["${*}"], One("*"), true),
        ("StringLike", &["${*}"], One("x"), false),
        ("StringLike", &["a${?}"], One("a?"), true),
        ("StringLike", &["a${?}"], One("ab"), false),
        ("StringEquals", &["${$}"], One("$"), true),
        (
            "ArnLike",
            &["arn:aws:iam::*:user/${aws:username}"],
            One("arn:aws:iam::111122223333:user/alice"),
            true,
        ),
        (
            "ArnLike",
            &["arn:aws:iam::*:user/${aws:username}"],
            One("arn:aws:iam::111122223333:user/bob"),
            false,
        ),
    ]);
}

#[test]
fn key_names_are_case_insensitive() {
    let operator = Operator::parse("StringEquals").unwrap();
    let raw = [RawValue {
        text: "eu-west-1".into(),
        offset: 0,
    }];
    let condition = Condition::compile(
        operator,
        "StringEquals",
        "AWS:RequestedREGION",
        &raw,
        Variables::Enabled,
    )
    .unwrap();
    let mut context = Context::new();
    context.insert("aws:requestedregion", "eu-west-1");
    assert!(condition.evaluate(&context));
    assert_eq!(condition.key(), "AWS:RequestedREGION");
}

#[test]
fn variables_are_literal_without_version_2012() {
    let operator = Operator::parse("StringEquals").unwrap();
    let raw = [RawValue {
        text: "${aws:username}".into(),
        offset: 0,
    }];
    let condition =
        Condition::compile(operator, "StringEquals", KEY, &raw, Variables::Disabled).unwrap();
    assert!(condition.evaluate(&context_with(One("${aws:username}"))));
    assert!(!condition.evaluate(&context_with(One("alice"))));
}

#[test]
fn rejects_values_the_operator_cannot_compare() {
    let cases: &[(&str, &str)] = &[
        ("NumericEquals", "ten"),
        ("DateLessThan", "tomorrow"),
        ("Bool", "yes"),
        ("Null", "maybe"),
        ("IpAddress", "203.0.113.0/40"),
        ("NotIpAddress", "example.com"),
        ("BinaryEquals", "***"),
    ];
    for (operator, value) in cases {
        let parsed = Operator::parse(operator).unwrap();
        let raw = [RawValue {
            text: (*value).into(),
            offset: 7,
        }];
        let error =
            Condition::compile(parsed, operator, KEY, &raw, Variables::Enabled).unwrap_err();
        assert_eq!(error.0, Some(7), "{operator} {value}");
        assert!(
            matches!(error.1, Violation::InvalidConditionValue { .. }),
            "{operator} {value}: {:?}",
            error.1
        );
    }
}
