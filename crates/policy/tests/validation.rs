//! Grammar and per-kind validation: each rule with the error a caller maps to AWS's code,
//! and the position the message points at.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail the test on unexpected results"
)]

mod common;

use common::document;
use policy::{
    ActionProblem, CompileOptions, ErrorKind, JsonError, JsonType, Location, Policy, PolicyError,
    PolicyKind, ScpGrammar, Violation,
};

fn error_of(kind: PolicyKind, text: &str) -> PolicyError {
    match Policy::compile("test", kind, text) {
        Ok(_) => panic!("expected {kind} to be rejected:\n{text}"),
        Err(error) => error,
    }
}

fn violation_of(kind: PolicyKind, text: &str) -> Violation {
    let error = error_of(kind, text);
    assert_eq!(error.kind(), ErrorKind::MalformedPolicyDocument, "{error}");
    match error {
        PolicyError::Invalid { violation, .. } => violation,
        other => panic!("expected a grammar violation, got {other}"),
    }
}

#[test]
fn accepts_scalar_and_list_forms() {
    let cases = [
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#,
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]}]}"#,
        r#"{"Version": "2008-10-17", "Id": "policy-1", "Statement": [{"Sid": "One", "Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:iam::*:role/x"}]}"#,
        r#"{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}, "Bool": {"aws:SecureTransport": true}}}}"#,
    ];
    for text in cases {
        let compiled = Policy::compile("ok", PolicyKind::Identity, text);
        assert!(
            compiled.is_ok(),
            "{text}: {}",
            compiled
                .err()
                .map(|error| error.to_string())
                .unwrap_or_default()
        );
    }
}

#[test]
fn exposes_compiled_structure() {
    let text = r#"{
  "Version": "2012-10-17",
  "Id": "doc",
  "Statement": [
    {"Sid": "First", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
    {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:iam::*:role/x"}
  ]
}"#;
    let policy = Policy::compile("structure", PolicyKind::Identity, text).unwrap();
    assert_eq!(policy.id(), "structure");
    assert_eq!(policy.document_id(), Some("doc"));
    assert_eq!(policy.version(), policy::Version::V2012_10_17);
    assert_eq!(policy.document(), text);

    let [first, second] = policy.statements() else {
        panic!("expected two statements");
    };
    assert_eq!(first.sid(), Some("First"));
    assert_eq!(first.effect(), policy::Effect::Allow);
    assert_eq!(first.location(), Location { line: 5, column: 5 });
    let patterns: Vec<&str> = first
        .actions()
        .patterns()
        .iter()
        .map(|pattern| pattern.as_str())
        .collect();
    assert_eq!(patterns, ["s3:Get*", "s3:List*"]);
    assert_eq!(
        first.actions().locations()[1],
        Location {
            line: 5,
            column: 63
        }
    );
    assert_eq!(first.conditions().len(), 1);
    assert_eq!(first.conditions()[0].key(), "aws:RequestedRegion");
    assert_eq!(first.conditions()[0].values().len(), 2);

    assert_eq!(second.index(), 1);
    assert!(second.actions().is_not_action());
    assert!(second.resources().unwrap().is_not_resource());
}

#[test]
fn grammar_violations_with_positions() {
    let cases: &[(&str, Violation, Location)] = &[
        (
            "[]",
            Violation::WrongType {
                element: "the policy document".into(),
                expected: "an object",
                found: JsonType::Array,
            },
            Location { line: 1, column: 1 },
        ),
        (
            r#"{"Version": "2012-10-17"}"#,
            Violation::MissingElement {
                element: "Statement",
                context: "the policy",
                reason: "add a Statement with at least one statement",
            },
            Location { line: 1, column: 1 },
        ),
        (
            r#"{"Statement": []}"#,
            Violation::NoStatements,
            Location {
                line: 1,
                column: 15,
            },
        ),
        (
            r#"{"Statement": "x"}"#,
            Violation::WrongType {
                element: "Statement".into(),
                expected: "an object or an array of objects",
                found: JsonType::String,
            },
            Location {
                line: 1,
                column: 15,
            },
        ),
        (
            r#"{"Version": "2012-10-18", "Statement": []}"#,
            Violation::InvalidVersion {
                found: "2012-10-18".into(),
            },
            Location {
                line: 1,
                column: 13,
            },
        ),
        (
            r#"{"version": "2012-10-17", "Statement": []}"#,
            Violation::UnknownElement {
                name: "version".into(),
                context: "the policy document",
                allowed: &["Version", "Id", "Statement"],
            },
            Location { line: 1, column: 2 },
        ),
        (
            "{\"Statement\": {\"Effect\": \"Allow\",\n \"Actions\": \"*\", \"Resource\": \"*\"}}",
            Violation::UnknownElement {
                name: "Actions".into(),
                context: "a statement",
                allowed: &[
                    "Sid",
                    "Effect",
                    "Principal",
                    "NotPrincipal",
                    "Action",
                    "NotAction",
                    "Resource",
                    "NotResource",
                    "Condition",
                ],
            },
            Location { line: 2, column: 2 },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}}"#,
            Violation::DuplicateKey {
                name: "Effect".into(),
                context: "a statement",
            },
            Location {
                line: 1,
                column: 35,
            },
        ),
        (
            r#"{"Statement": {"Effect": "allow", "Action": "*", "Resource": "*"}}"#,
            Violation::InvalidEffect {
                found: "allow".into(),
            },
            Location {
                line: 1,
                column: 26,
            },
        ),
        (
            r#"{"Statement": {"Action": "*", "Resource": "*"}}"#,
            Violation::MissingElement {
                element: "Effect",
                context: "this statement",
                reason: "add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"",
            },
            Location {
                line: 1,
                column: 15,
            },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Resource": "*"}}"#,
            Violation::MissingElement {
                element: "Action",
                context: "this statement",
                reason: "add Action or NotAction with the actions the statement covers",
            },
            Location {
                line: 1,
                column: 15,
            },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}}"#,
            Violation::Conflicting {
                first: "Action",
                second: "NotAction",
            },
            Location {
                line: 1,
                column: 50,
            },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}"#,
            Violation::EmptyList {
                element: "Action".into(),
            },
            Location {
                line: 1,
                column: 45,
            },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", 7], "Resource": "*"}}"#,
            Violation::WrongType {
                element: "each entry of Action".into(),
                expected: "a string",
                found: JsonType::Number,
            },
            Location {
                line: 1,
                column: 62,
            },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "s3-GetObject", "Resource": "*"}}"#,
            Violation::InvalidAction {
                action: "s3-GetObject".into(),
                problem: ActionProblem::MissingColon,
            },
            Location {
                line: 1,
                column: 45,
            },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*"}}"#,
            Violation::MissingElement {
                element: "Resource",
                context: "this statement",
                reason: "add Resource or NotResource; use \"*\" for all resources",
            },
            Location {
                line: 1,
                column: 15,
            },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "bucket"}}"#,
            Violation::InvalidResource {
                resource: "bucket".into(),
            },
            Location {
                line: 1,
                column: 62,
            },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqual": {"a:b": "c"}}}}"#,
            Violation::UnknownOperator {
                operator: "StringEqual".into(),
            },
            Location {
                line: 1,
                column: 81,
            },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}}"#,
            Violation::InvalidConditionValue {
                operator: "IpAddress".into(),
                key: "aws:SourceIp".into(),
                value: "10.0.0.0/33".into(),
                expected: "an IPv4 or IPv6 address or CIDR block such as 203.0.113.0/24 or 2001:db8::/32",
            },
            Location {
                line: 1,
                column: 111,
            },
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"a:b": null}}}}"#,
            Violation::WrongType {
                element: "the value of condition key \"a:b\"".into(),
                expected: "a string, number or boolean, or an array of them",
                found: JsonType::Null,
            },
            Location {
                line: 1,
                column: 105,
            },
        ),
        (
            r#"{"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}]}"#,
            Violation::DuplicateSid { sid: "A".into() },
            Location {
                line: 1,
                column: 89,
            },
        ),
    ];
    for (text, expected, location) in cases {
        let error = error_of(PolicyKind::Identity, text);
        assert_eq!(error.violation(), Some(expected), "{text}\n{error}");
        assert_eq!(error.location(), Some(*location), "{text}\n{error}");
        assert_eq!(error.kind().iam_code(), "MalformedPolicyDocument");
    }
}

#[test]
fn json_errors_carry_line_and_column() {
    let error = error_of(
        PolicyKind::ServiceControl,
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}",
    );
    assert_eq!(
        error.location(),
        Some(Location {
            line: 3,
            column: 17
        })
    );
    assert!(matches!(
        error,
        PolicyError::Json {
            error: JsonError::UnexpectedCharacter { found: ',', .. },
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "invalid JSON at line 3, column 17: unexpected character ','; expected a value"
    );
}

#[test]
fn messages_say_what_and_where() {
    let error = error_of(
        PolicyKind::Identity,
        r#"{"Statement": {"Effect": "Permit", "Action": "*", "Resource": "*"}}"#,
    );
    assert_eq!(
        error.to_string(),
        "invalid identity-based policy at line 1, column 26: Effect \"Permit\" is not valid; expected \"Allow\" or \"Deny\" (case-sensitive)"
    );
}

#[test]
fn principal_rules_per_kind() {
    let with_principal = document(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}"#,
    );
    for kind in [
        PolicyKind::ServiceControl,
        PolicyKind::Identity,
        PolicyKind::PermissionsBoundary,
        PolicyKind::Session,
    ] {
        let violation = violation_of(kind, &with_principal);
        assert!(
            matches!(
                violation,
                Violation::ElementNotAllowed {
                    element: "Principal",
                    ..
                }
            ),
            "{kind}: {violation}"
        );
    }
    assert!(Policy::compile("bucket", PolicyKind::Resource, &with_principal).is_ok());

    let without_principal = document(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#);
    for kind in [PolicyKind::Resource, PolicyKind::ResourceControl] {
        let violation = violation_of(kind, &without_principal);
        assert!(
            matches!(
                violation,
                Violation::MissingElement {
                    element: "Principal",
                    ..
                }
            ),
            "{kind}: {violation}"
        );
    }

    let trust_with_not_principal = document(
        r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}"#,
    );
    assert!(matches!(
        violation_of(PolicyKind::RoleTrust, &trust_with_not_principal),
        Violation::ElementNotAllowed {
            element: "NotPrincipal",
            ..
        }
    ));
}

#[test]
fn not_principal_only_with_deny() {
    let allow = document(
        r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}"#,
    );
    let error = error_of(PolicyKind::Resource, &allow);
    assert_eq!(error.violation(), Some(&Violation::NotPrincipalWithAllow));
    assert_eq!(
        error.location(),
        Some(Location {
            line: 1,
            column: 61
        })
    );

    let deny = allow.replace("\"Allow\"", "\"Deny\"");
    assert!(Policy::compile("bucket", PolicyKind::Resource, &deny).is_ok());
}

#[test]
fn principal_values() {
    let principal = |value: &str| {
        document(&format!(
            r#"{{"Effect": "Allow", "Principal": {value}, "Action": "s3:GetObject", "Resource": "*"}}"#
        ))
    };
    for valid in [
        r#""*""#,
        r#"{"AWS": "*"}"#,
        r#"{"AWS": ["111122223333", "arn:aws:iam::444455556666:root"]}"#,
        r#"{"AWS": "arn:aws:iam::111122223333:role/path/Name"}"#,
        r#"{"AWS": "arn:aws:sts::111122223333:assumed-role/Name/session"}"#,
        r#"{"Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com"]}"#,
        r#"{"Federated": "cognito-identity.amazonaws.com"}"#,
        r#"{"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#,
    ] {
        let compiled = Policy::compile("bucket", PolicyKind::Resource, &principal(valid));
        assert!(
            compiled.is_ok(),
            "{valid}: {}",
            compiled
                .err()
                .map(|error| error.to_string())
                .unwrap_or_default()
        );
    }
    for invalid in [
        r#""arn:aws:iam::111122223333:root""#,
        r#"{"AWS": "arn:aws:iam::*:role/Admin"}"#,
        r#"{"AWS": "alice"}"#,
        r#"{"Service": "*"}"#,
        r#"{"Users": "x"}"#,
        r#"{}"#,
        r#"7"#,
    ] {
        assert!(
            Policy::compile("bucket", PolicyKind::Resource, &principal(invalid)).is_err(),
            "{invalid}"
        );
    }
}

#[test]
fn trust_policy_rules() {
    let trust = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}"#;
    assert!(Policy::compile("trust", PolicyKind::RoleTrust, trust).is_ok());

    let with_resource = document(
        r#"{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole", "Resource": "*"}"#,
    );
    assert!(matches!(
        violation_of(PolicyKind::RoleTrust, &with_resource),
        Violation::ElementNotAllowed {
            element: "Resource",
            ..
        }
    ));
}

#[test]
fn resource_control_policy_rules() {
    let valid = document(
        r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}"#,
    );
    assert!(Policy::compile("rcp", PolicyKind::ResourceControl, &valid).is_ok());

    let cases: &[(&str, Violation)] = &[
        (
            r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}"#,
            Violation::AllowInResourceControlPolicy,
        ),
        (
            r#"{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*"}"#,
            Violation::ResourceControlPrincipalNotWildcard,
        ),
        (
            r#"{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}"#,
            Violation::ResourceControlBareWildcardAction,
        ),
    ];
    for (statement, expected) in cases {
        assert_eq!(
            &violation_of(PolicyKind::ResourceControl, &document(statement)),
            expected,
            "{statement}"
        );
    }

    let not_principal = document(
        r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}"#,
    );
    assert!(matches!(
        violation_of(PolicyKind::ResourceControl, &not_principal),
        Violation::ElementNotAllowed {
            element: "NotPrincipal",
            ..
        }
    ));
    let not_action =
        document(r#"{"Effect": "Deny", "Principal": "*", "NotAction": "s3:*", "Resource": "*"}"#);
    assert!(matches!(
        violation_of(PolicyKind::ResourceControl, &not_action),
        Violation::ElementNotAllowed {
            element: "NotAction",
            ..
        }
    ));

    let old_version = r#"{"Version": "2008-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}}"#;
    assert_eq!(
        violation_of(PolicyKind::ResourceControl, old_version),
        Violation::VersionRequired {
            kind: PolicyKind::ResourceControl
        }
    );
    let no_version =
        r#"{"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}}"#;
    assert!(matches!(
        violation_of(PolicyKind::ResourceControl, no_version),
        Violation::VersionRequired { .. }
    ));
}

#[test]
fn service_control_policy_grammars() {
    let full_language = [
        r#"{"Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}"#,
        r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#,
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::corp-*"}"#,
        r#"{"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::corp-*"}"#,
        r#"{"Effect": "Deny", "Action": ["s3:*Object", "*:Delete*"], "Resource": "*"}"#,
    ];
    let legacy = CompileOptions {
        scp_grammar: ScpGrammar::Legacy,
        ..CompileOptions::default()
    };
    for statement in full_language {
        let text = document(statement);
        assert!(
            Policy::compile("scp", PolicyKind::ServiceControl, &text).is_ok(),
            "{statement}"
        );
        let legacy_error =
            Policy::compile_with("scp", PolicyKind::ServiceControl, &text, &legacy).unwrap_err();
        assert!(
            matches!(
                legacy_error.violation(),
                Some(
                    Violation::LegacyScpConstruct { .. }
                        | Violation::InvalidAction {
                            problem: ActionProblem::WildcardNotAtEnd,
                            ..
                        }
                )
            ),
            "{statement}: {legacy_error}"
        );
    }
    let legacy_valid = document(
        r#"{"Effect": "Deny", "NotAction": "iam:*", "Resource": "arn:aws:s3:::x", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
    );
    assert!(
        Policy::compile_with("scp", PolicyKind::ServiceControl, &legacy_valid, &legacy).is_ok()
    );
}

#[test]
fn iam_sid_and_character_rules() {
    let dashed_sid = document(
        r#"{"Sid": "allow-read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    );
    assert!(matches!(
        violation_of(PolicyKind::Identity, &dashed_sid),
        Violation::InvalidSid { .. }
    ));
    assert!(
        Policy::compile(
            "bucket-policy",
            PolicyKind::Resource,
            &dashed_sid.replace("\"Effect\"", "\"Principal\": \"*\", \"Effect\"")
        )
        .is_ok()
    );
    assert!(Policy::compile("scp", PolicyKind::ServiceControl, &dashed_sid).is_ok());

    let euro = document(
        r#"{"Sid": "Euro", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/€"}"#,
    );
    assert!(matches!(
        violation_of(PolicyKind::Identity, &euro),
        Violation::UnsupportedCharacter { code: 0x20AC, .. }
    ));
    assert!(Policy::compile("scp", PolicyKind::ServiceControl, &euro).is_ok());
}

#[test]
fn size_quotas_per_kind() {
    let pad_inside = |kind: PolicyKind, size: usize| {
        let base = document(
            r#"{"Sid": "PAD", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
        );
        let fill = size.saturating_sub(kind.size_counting().measure(&base));
        let text = base.replace("\"PAD\"", &format!("\"PAD{}\"", "X".repeat(fill)));
        Policy::compile("sized", kind, &text)
    };
    for (kind, limit) in [
        (PolicyKind::ServiceControl, 5_120),
        (PolicyKind::ResourceControl, 5_120),
        (PolicyKind::Identity, 6_144),
        (PolicyKind::PermissionsBoundary, 6_144),
        (PolicyKind::Session, 2_048),
        (PolicyKind::RoleTrust, 2_048),
        (PolicyKind::Resource, 20_480),
    ] {
        let error = pad_inside(kind, limit + 1).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::PolicyTooLarge, "{kind}");
        assert!(
            matches!(error, PolicyError::TooLarge { limit: found, .. } if found == limit),
            "{kind}: {error}"
        );
        assert_eq!(error.kind().iam_code(), "LimitExceeded");
    }
    assert!(pad_inside(PolicyKind::Identity, 6_144).is_ok());

    let options = CompileOptions {
        size_limit: Some(4_096),
        ..CompileOptions::default()
    };
    let trust = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole", "Sid": "PAD"}}"#;
    let padded = trust.replace("\"PAD\"", &format!("\"{}\"", "X".repeat(3_000)));
    assert!(Policy::compile("trust", PolicyKind::RoleTrust, &padded).is_err());
    assert!(Policy::compile_with("trust", PolicyKind::RoleTrust, &padded, &options).is_ok());
}

#[test]
fn never_panics_on_truncated_documents() {
    let text = common::fixture("rcp/rcp-data-perimeter-identity-perimeter.json");
    let text = text.trim_end();
    for end in (0..text.len()).filter(|end| text.is_char_boundary(*end)) {
        let prefix = &text[..end];
        for kind in [PolicyKind::ResourceControl, PolicyKind::Identity] {
            assert!(
                Policy::compile("prefix", kind, prefix).is_err(),
                "prefix of {end} bytes"
            );
        }
    }
}
