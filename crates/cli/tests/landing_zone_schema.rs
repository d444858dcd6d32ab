//! The JSON Schema at `schemas/landing-zone.schema.json` against the landing-zone parser. The
//! schema compiles for the draft it declares and the example passes it. On small documents the
//! schema and `landing_zone::parse` accept and reject the same shapes, and only the parser
//! rejects what the schema cannot express.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail on any error"
)]

mod common;

use std::path::Path;

use bulkhead::landing_zone;
use common::schema::{self, assert_schema_accepts, schema_value, validator};
use jsonschema::Draft;

#[test]
fn schema_compiles_for_declared_draft() {
    let schema = schema_value();
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "the schema declares another draft; check that editors and the validator support it"
    );
    if let Err(error) = jsonschema::meta::validate(&schema) {
        panic!("the schema breaks its draft's meta-schema: {error}");
    }
    assert_eq!(validator().draft(), Draft::Draft202012);
}

#[test]
fn example_passes_schema() {
    assert_schema_accepts(landing_zone::EXAMPLE, landing_zone::EXAMPLE_NAME);
}

#[test]
fn example_points_editors_at_schema() {
    let first_line = landing_zone::EXAMPLE.lines().next().unwrap_or_default();
    let reference = first_line
        .strip_prefix("# yaml-language-server: $schema=")
        .unwrap_or_else(|| panic!("the example's first line is `{first_line}`"));
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let schema_path = examples.join(reference);
    let text = std::fs::read_to_string(&schema_path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", schema_path.display()));
    assert_eq!(text, schema::SCHEMA);
}

/// YAML that enables SCPs, the type of every policy in the cases.
const ENABLE_SCP: &str = "organization:\n  enabled_policy_types: [SERVICE_CONTROL_POLICY]\n";

/// An SCP document, as a policy file and as inline JSON.
const DENY_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;

/// The same SCP document as a policy's `content` field in YAML.
const DENY_ALL_CONTENT: &str =
    "content: {Version: '2012-10-17', Statement: [{Effect: Deny, Action: '*', Resource: '*'}]}";

/// The policy file the cases name, written next to the landing zone.
const POLICY_FILE: &str = "deny-all.json";

/// Builds the YAML list `section` with one entry of `fields`, each a line of the entry.
fn entry(section: &str, fields: &[&str]) -> String {
    let mut text = format!("{section}:\n");
    for (index, field) in fields.iter().enumerate() {
        let indent = if index == 0 { "  - " } else { "    " };
        text.push_str(indent);
        text.push_str(field);
        text.push('\n');
    }
    text
}

/// Builds a file with one OU of `fields`.
fn unit(fields: &[&str]) -> String {
    entry("organizational_units", fields)
}

/// Builds a file with one account of `fields`.
fn account(fields: &[&str]) -> String {
    entry("accounts", fields)
}

/// Builds a file that enables SCPs and declares one policy of `fields`.
fn policy(fields: &[&str]) -> String {
    format!("{ENABLE_SCP}{}", entry("policies", fields))
}

/// Builds a file that enables SCPs and declares the SCP `DenyAll` with the fields `extra`.
fn scp(extra: &[&str]) -> String {
    let mut fields = vec!["name: DenyAll", "type: SERVICE_CONTROL_POLICY"];
    fields.extend_from_slice(extra);
    policy(&fields)
}

/// Builds a file with the account `Audit` and one delegated administrator of `fields`.
fn delegation(fields: &[&str]) -> String {
    let audit = account(&["name: Audit", "email: audit@example.com"]);
    format!("{audit}{}", entry("delegated_administrators", fields))
}

/// Builds a file with one OU whose tags are `tags`, a YAML flow mapping.
fn tagged(tags: &str) -> String {
    unit(&["name: Tagged", &format!("tags: {tags}")])
}

/// Returns `count` tags in flow style, such as `{t0: v, t1: v}`.
fn numbered_tags(count: usize) -> String {
    let tags: Vec<String> = (0..count).map(|tag| format!("t{tag}: v")).collect();
    format!("{{{}}}", tags.join(", "))
}

/// Returns an email address of `length` characters.
fn email_of_length(length: usize) -> String {
    let domain = "@example.com";
    format!("{}{domain}", "a".repeat(length - domain.len()))
}

/// Returns a service principal of `length` characters.
fn principal_of_length(length: usize) -> String {
    let suffix = ".amazonaws.com";
    format!("{}{suffix}", "a".repeat(length - suffix.len()))
}

/// Small files that are valid or invalid in shape alone, with the verdict AWS's limits give.
/// Each is something an editor with the schema can flag, so the parser must agree.
fn shape_cases() -> Vec<(&'static str, String, bool)> {
    let content = DENY_ALL_CONTENT;
    let named_policy = |name: &str| {
        policy(&[
            &format!("name: {name}"),
            "type: SERVICE_CONTROL_POLICY",
            content,
        ])
    };
    let described = |description: &str| scp(&[&format!("description: {description}"), content]);
    let named_account = |name: &str| account(&[&format!("name: {name}"), "email: a@example.com"]);
    let account_email = |email: &str| account(&["name: A", &format!("email: {email}")]);
    let trusting = |service: &str| format!("organization:\n  trusted_services: [{service}]\n");
    vec![
        // The file as a whole.
        ("empty mapping", "{}\n".to_owned(), true),
        (
            "null lists",
            "organizational_units:\naccounts:\npolicies:\ndelegated_administrators:\n".to_owned(),
            true,
        ),
        ("empty file", String::new(), false),
        ("scalar document", "landing zone\n".to_owned(), false),
        ("list document", "- accounts\n".to_owned(), false),
        (
            "unknown top-level key",
            "region: us-east-1\n".to_owned(),
            false,
        ),
        // organization
        (
            "organization with every key",
            "organization:
  regions: [us-east-1, eu-west-1]
  enabled_policy_types: [TAG_POLICY]
  trusted_services: [config.amazonaws.com]
  retirement_ou: Root
  tags: {owner: platform}
"
            .to_owned(),
            true,
        ),
        ("null organization", "organization:\n".to_owned(), false),
        (
            "organization as a list",
            "organization: [regions]\n".to_owned(),
            false,
        ),
        (
            "unknown organization key",
            "organization:\n  region: us-east-1\n".to_owned(),
            false,
        ),
        (
            "regions as a string",
            "organization:\n  regions: us-east-1\n".to_owned(),
            false,
        ),
        (
            "malformed region",
            "organization:\n  regions: [useast1]\n".to_owned(),
            false,
        ),
        (
            "unknown enabled type",
            "organization:\n  enabled_policy_types: [SCP]\n".to_owned(),
            false,
        ),
        (
            "enabled type twice",
            "organization:\n  enabled_policy_types: [TAG_POLICY, TAG_POLICY]\n".to_owned(),
            false,
        ),
        ("service without suffix", trusting("config"), false),
        (
            "service with a space",
            trusting("'my config.amazonaws.com'"),
            false,
        ),
        (
            "service of 128 characters",
            trusting(&principal_of_length(128)),
            true,
        ),
        (
            "service of 129 characters",
            trusting(&principal_of_length(129)),
            false,
        ),
        (
            "empty retirement OU",
            "organization:\n  retirement_ou: ''\n".to_owned(),
            false,
        ),
        // organizational_units
        (
            "OU with parent and tags",
            "organizational_units:
  - name: Workloads
  - name: Prod
    parent: Workloads
    tags: {env: prod}
"
            .to_owned(),
            true,
        ),
        (
            "OU as a string",
            "organizational_units:\n  - Security\n".to_owned(),
            false,
        ),
        (
            "unknown OU key",
            unit(&["name: Security", "id: ou-1"]),
            false,
        ),
        ("OU without name", unit(&["parent: Root"]), false),
        ("OU named Root", unit(&["name: Root"]), false),
        (
            "OU name of 128 characters",
            unit(&[&format!("name: {}", "o".repeat(128))]),
            true,
        ),
        (
            "OU name of 129 characters",
            unit(&[&format!("name: {}", "o".repeat(129))]),
            false,
        ),
        ("blank OU name", unit(&["name: ' '"]), false),
        ("numeric OU name", unit(&["name: 2024"]), false),
        (
            "empty OU parent",
            unit(&["name: Security", "parent: ''"]),
            false,
        ),
        // Tags, on an OU. The root, accounts and policies use the same rules.
        ("null tags", unit(&["name: Tagged", "tags:"]), true),
        ("tags as a list", tagged("[env]"), false),
        (
            "scalar tag values",
            tagged("{count: 3, enabled: true, note: ~, ratio: 0.5}"),
            true,
        ),
        (
            "tag characters AWS allows",
            tagged("{'größe_1 .:/=+-@': 'weiß a/b:c=d+e-f@g_h.i'}"),
            true,
        ),
        ("tag key with !", tagged("{'cost!': a}"), false),
        ("reserved tag key", tagged("{'aws:team': a}"), false),
        ("fifty tags", tagged(&numbered_tags(50)), true),
        ("fifty-one tags", tagged(&numbered_tags(51)), false),
        ("tag value with #", tagged("{cost: '#1'}"), false),
        ("empty tag key", tagged("{'': a}"), false),
        ("numeric tag key", tagged("{1: a}"), false),
        ("tag value as a mapping", tagged("{env: {a: b}}"), false),
        (
            "tag key of 128 characters",
            tagged(&format!("{{{}: a}}", "k".repeat(128))),
            true,
        ),
        (
            "tag key of 129 characters",
            tagged(&format!("{{{}: a}}", "k".repeat(129))),
            false,
        ),
        (
            "tag value of 256 characters",
            tagged(&format!("{{k: {}}}", "v".repeat(256))),
            true,
        ),
        (
            "tag value of 257 characters",
            tagged(&format!("{{k: {}}}", "v".repeat(257))),
            false,
        ),
        // accounts
        (
            "account with every key",
            account(&[
                "name: Audit",
                "email: audit@example.com",
                "ou: Root",
                "retire: false",
                "tags: {team: security}",
            ]),
            true,
        ),
        (
            "account as a string",
            "accounts:\n  - Audit\n".to_owned(),
            false,
        ),
        (
            "unknown account key",
            account(&["name: A", "email: a@example.com", "id: '123456789012'"]),
            false,
        ),
        ("account without email", account(&["name: A"]), false),
        (
            "account without name",
            account(&["email: a@example.com"]),
            false,
        ),
        (
            "account name of 50 characters",
            named_account(&"n".repeat(50)),
            true,
        ),
        (
            "account name of 51 characters",
            named_account(&"n".repeat(51)),
            false,
        ),
        (
            "printable ASCII account name",
            named_account("'Log Archive (prod) #1 ~'"),
            true,
        ),
        ("non-ASCII account name", named_account("Café"), false),
        ("blank account name", named_account("' '"), false),
        ("numeric account name", named_account("2024"), false),
        ("email of 6 characters", account_email("a@b.co"), true),
        ("email of 5 characters", account_email("a@b.c"), false),
        (
            "email of 64 characters",
            account_email(&email_of_length(64)),
            true,
        ),
        (
            "email of 65 characters",
            account_email(&email_of_length(65)),
            false,
        ),
        ("email without @", account_email("audit.example.com"), false),
        ("email with two @", account_email("a@b@example.com"), false),
        (
            "email ending in a dot",
            account_email("audit@example."),
            false,
        ),
        (
            "email with a space",
            account_email("'a b@example.com'"),
            false,
        ),
        (
            "retire as a string",
            account(&["name: A", "email: a@example.com", "retire: 'yes'"]),
            false,
        ),
        (
            "empty account OU",
            account(&["name: A", "email: a@example.com", "ou: ''"]),
            false,
        ),
        // policies
        (
            "inline policy",
            scp(&[
                "description: Nothing is allowed.",
                "targets: [Root]",
                "tags: {k: v}",
                content,
            ]),
            true,
        ),
        (
            "policy as JSON text",
            scp(&[&format!("content: '{DENY_ALL}'")]),
            true,
        ),
        (
            "policy from a file",
            scp(&[&format!("file: {POLICY_FILE}")]),
            true,
        ),
        (
            "policy as a string",
            format!("{ENABLE_SCP}policies:\n  - DenyAll\n"),
            false,
        ),
        (
            "unknown policy key",
            scp(&[content, "attach: [Root]"]),
            false,
        ),
        (
            "policy without type",
            policy(&["name: DenyAll", content]),
            false,
        ),
        (
            "policy without name",
            policy(&["type: SERVICE_CONTROL_POLICY", content]),
            false,
        ),
        (
            "policy type not listed",
            policy(&["name: DenyAll", "type: SCP", content]),
            false,
        ),
        ("content as a list", scp(&["content: [Deny]"]), false),
        ("content as a number", scp(&["content: 5"]), false),
        ("null content", scp(&["content:"]), false),
        ("empty content", scp(&["content: ''"]), false),
        (
            "content and file",
            scp(&[content, &format!("file: {POLICY_FILE}")]),
            false,
        ),
        ("neither content nor file", scp(&["targets: [Root]"]), false),
        (
            "targets as a string",
            scp(&[content, "targets: Root"]),
            false,
        ),
        ("empty target", scp(&[content, "targets: ['']"]), false),
        (
            "policy name of 128 characters",
            named_policy(&"p".repeat(128)),
            true,
        ),
        (
            "policy name of 129 characters",
            named_policy(&"p".repeat(129)),
            false,
        ),
        ("numeric policy name", named_policy("2024"), false),
        ("empty description", described("''"), true),
        (
            "description of 512 characters",
            described(&"d".repeat(512)),
            true,
        ),
        (
            "description of 513 characters",
            described(&"d".repeat(513)),
            false,
        ),
        ("description as a mapping", described("{text: a}"), false),
        // delegated_administrators
        (
            "delegated administrator",
            delegation(&["account: Audit", "service: guardduty.amazonaws.com"]),
            true,
        ),
        (
            "unknown delegation key",
            delegation(&[
                "account: Audit",
                "service: guardduty.amazonaws.com",
                "since: 2024",
            ]),
            false,
        ),
        (
            "delegation without service",
            delegation(&["account: Audit"]),
            false,
        ),
        (
            "delegated service not a principal",
            delegation(&["account: Audit", "service: guardduty"]),
            false,
        ),
    ]
}

/// Writes the policy file the cases name, and returns its directory.
fn policy_directory() -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join(POLICY_FILE), DENY_ALL).unwrap();
    directory
}

#[test]
fn schema_and_parser_agree_on_shape() {
    let directory = policy_directory();
    for (case, text, valid) in shape_cases() {
        let schema_errors = schema::schema_errors(&text);
        let parsed = landing_zone::parse(&text, "case.yaml", Some(directory.path()));
        assert_eq!(
            schema_errors.is_empty(),
            valid,
            "{case}: the schema's errors: {schema_errors:#?}\n{text}"
        );
        assert_eq!(
            parsed.is_ok(),
            valid,
            "{case}: the parser's result: {parsed:#?}\n{text}"
        );
    }
}

/// Files whose shape is valid but that break a rule across entries or outside the file, with
/// a part of the parser's message. The schema describes one value at a time, so it cannot
/// express these rules, and only the parser rejects the files.
fn semantic_cases() -> Vec<(&'static str, String, &'static str)> {
    let chain: String = (1..=6)
        .map(|depth| format!("  - {{name: L{depth}, parent: L{}}}\n", depth - 1))
        .collect();
    let too_deep = format!("organizational_units:\n{}", chain.replace("L0", "Root"));
    vec![
        (
            "unknown OU",
            account(&["name: A", "email: a@example.com", "ou: Nowhere"]),
            "which organizational_units does not declare",
        ),
        (
            "OU cycle",
            "organizational_units:\n  - {name: A, parent: B}\n  - {name: B, parent: A}\n"
                .to_owned(),
            "the OU parents form a cycle",
        ),
        (
            "OU nested six deep",
            too_deep,
            "is nested 6 levels below the root",
        ),
        (
            "duplicate OU name",
            "organizational_units:\n  - name: Security\n  - name: Security\n".to_owned(),
            "is declared twice",
        ),
        (
            "email used twice",
            "accounts:\n  - {name: A, email: a@example.com}\n  - {name: B, email: A@example.com}\n"
                .to_owned(),
            "is used twice",
        ),
        (
            "OU and account share a name",
            format!(
                "{}{}",
                unit(&["name: Audit"]),
                account(&["name: Audit", "email: a@example.com"])
            ),
            "names both an OU and an account",
        ),
        (
            "retired without retirement OU",
            account(&["name: A", "email: a@example.com", "retire: true"]),
            "names no OU to move it to",
        ),
        (
            "policy type not enabled",
            entry(
                "policies",
                &["name: Tags", "type: TAG_POLICY", "content: {tags: {}}"],
            ),
            "which organization.enabled_policy_types does not enable",
        ),
        (
            "unknown policy target",
            scp(&[DENY_ALL_CONTENT, "targets: [Nowhere]"]),
            "which is neither `Root` nor an OU or account in the file",
        ),
        (
            "policy document invalid",
            scp(&[&DENY_ALL_CONTENT.replace("Effect: Deny", "Effect: Maybe")]),
            "the policy `DenyAll` is invalid",
        ),
        (
            "policy file missing",
            scp(&["file: missing.json"]),
            "cannot read the policy file",
        ),
        (
            "delegated administrator unknown",
            entry(
                "delegated_administrators",
                &["account: Audit", "service: guardduty.amazonaws.com"],
            ),
            "is not an account in the file",
        ),
        (
            "second YAML document",
            "accounts:\n---\naccounts:\n".to_owned(),
            "more than one YAML document",
        ),
    ]
}

#[test]
fn only_parser_rejects_semantic_errors() {
    let directory = policy_directory();
    for (case, text, message) in semantic_cases() {
        assert_schema_accepts(&text, case);
        let errors = landing_zone::parse(&text, "case.yaml", Some(directory.path()))
            .err()
            .unwrap_or_else(|| panic!("{case}: the parser accepts it\n{text}"));
        assert_eq!(errors.0.len(), 1, "{case}: {errors}");
        assert!(errors.0[0].message.contains(message), "{case}: {errors}");
    }
}
