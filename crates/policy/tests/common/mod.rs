//! Helpers shared by the integration tests: fixture loading, policy compilation and request
//! building with short names.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "helpers fail the calling test on a fixture or setup error"
)]

use std::path::PathBuf;

use policy::{
    CompileOptions, Level, OrganizationPolicies, Policy, PolicyKind, Principal, Request, Resource,
};

/// A member account used across the scenarios.
pub(crate) const MEMBER: &str = "111122223333";
/// A second member account, for cross-account scenarios.
pub(crate) const OTHER: &str = "444455556666";
/// The management account.
pub(crate) const MANAGEMENT: &str = "999988887777";

/// Reads a fixture from `tests/policies/`.
pub(crate) fn fixture(relative: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "policies", relative]
        .iter()
        .collect();
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Compiles a policy or fails the test with the error message.
pub(crate) fn compile(id: &str, kind: PolicyKind, document: &str) -> Policy {
    Policy::compile(id, kind, document)
        .unwrap_or_else(|error| panic!("{id} should compile: {error}"))
}

/// Compiles an AWS-managed policy.
pub(crate) fn compile_managed(id: &str, kind: PolicyKind, document: &str) -> Policy {
    let options = CompileOptions {
        aws_managed: true,
        ..CompileOptions::default()
    };
    Policy::compile_with(id, kind, document, &options)
        .unwrap_or_else(|error| panic!("{id} should compile: {error}"))
}

/// Wraps statements in a 2012-10-17 policy document.
pub(crate) fn document(statements: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#)
}

/// Compiles a policy from its statements.
pub(crate) fn policy(id: &str, kind: PolicyKind, statements: &str) -> Policy {
    compile(id, kind, &document(statements))
}

/// Compiles the AWS-managed `FullAWSAccess` SCP.
pub(crate) fn full_aws_access() -> Policy {
    compile(
        "p-FullAWSAccess",
        PolicyKind::ServiceControl,
        &fixture("managed/FullAWSAccess.json"),
    )
}

/// Compiles the AWS-managed `RCPFullAWSAccess` RCP.
pub(crate) fn rcp_full_aws_access() -> Policy {
    compile_managed(
        "p-RCPFullAWSAccess",
        PolicyKind::ResourceControl,
        &fixture("managed/RCPFullAWSAccess.json"),
    )
}

/// Compiles an identity policy that allows everything.
pub(crate) fn administrator_access() -> Policy {
    policy(
        "AdministratorAccess",
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#,
    )
}

/// Builds a member account's SCP chain (root, one OU, the account) with `FullAWSAccess`
/// at every level plus `extra` at the OU.
pub(crate) fn scp_chain_with(extra: Vec<Policy>) -> OrganizationPolicies {
    let mut ou = vec![full_aws_access()];
    ou.extend(extra);
    OrganizationPolicies::member(vec![
        Level::new("r-root", vec![full_aws_access()]),
        Level::new("ou-root-workloads", ou),
        Level::new(MEMBER, vec![full_aws_access()]),
    ])
}

/// Builds a member account's RCP chain with `RCPFullAWSAccess` everywhere plus `extra` at
/// the account.
pub(crate) fn rcp_chain_with(extra: Vec<Policy>) -> OrganizationPolicies {
    let mut account = vec![rcp_full_aws_access()];
    account.extend(extra);
    OrganizationPolicies::member(vec![
        Level::new("r-root", vec![rcp_full_aws_access()]),
        Level::new("ou-root-workloads", vec![rcp_full_aws_access()]),
        Level::new(MEMBER, account),
    ])
}

/// Builds an IAM user of `account`.
pub(crate) fn user(account: &str, name: &str) -> Principal {
    Principal::from_arn(&format!("arn:aws:iam::{account}:user/{name}")).unwrap()
}

/// Builds a session of role `name` in `account`.
pub(crate) fn role_session(account: &str, name: &str) -> Principal {
    Principal::assumed_role(&format!("arn:aws:iam::{account}:role/{name}"), "session").unwrap()
}

/// Builds a request in `region` with extra single-valued context keys.
pub(crate) fn request(
    principal: Principal,
    action: &str,
    resource: Resource,
    region: &str,
    context: &[(&str, &str)],
) -> Request {
    let mut builder = Request::builder(principal, action, resource).region(region);
    for (key, value) in context {
        builder = builder.context(key, value);
    }
    builder.build().unwrap()
}
