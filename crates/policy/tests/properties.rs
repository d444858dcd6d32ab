//! Property tests of evaluation laws over generated policies and requests:
//! - adding a Deny statement never turns a denied request into an allowed one;
//! - removing the only Allow from one SCP level denies every request under it;
//! - `authorize` and `explain` always agree.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail the test on unexpected results"
)]

mod common;

use common::*;
use policy::{
    Decision, Evaluator, Level, OrganizationPolicies, Policy, PolicyKind, PolicySet, Principal,
    Request, Resource,
};
use proptest::prelude::*;

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteBucket",
    "ec2:RunInstances",
    "iam:CreateUser",
    "kms:Decrypt",
];
const ACTION_PATTERNS: &[&str] = &[
    "*",
    "s3:*",
    "s3:Get*",
    "s3:*Object",
    "ec2:*",
    "ec2:RunInstances",
    "iam:*",
    "kms:De?rypt",
    "*:Create*",
];
const RESOURCES: &[&str] = &[
    "arn:aws:s3:::reports/q1.csv",
    "arn:aws:s3:::private/key",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
    "*",
];
const RESOURCE_PATTERNS: &[&str] = &[
    "*",
    "arn:aws:s3:::reports/*",
    "arn:aws:s3:::*",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:ec2:*",
];
const CONDITIONS: &[&str] = &[
    r#"{"StringEquals": {"aws:RequestedRegion": "us-east-1"}}"#,
    r#"{"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}"#,
    r#"{"BoolIfExists": {"aws:SecureTransport": "false"}}"#,
    r#"{"StringLike": {"aws:PrincipalTag/team": "data*"}}"#,
    r#"{"Null": {"aws:PrincipalTag/team": "true"}}"#,
    r#"{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}"#,
    r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner"]}}"#,
];
const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "ap-south-1"];

/// Generates a statement without a principal, as JSON.
fn statement(effect: Option<&'static str>) -> impl Strategy<Value = String> {
    let effect = match effect {
        Some(fixed) => Just(fixed).boxed(),
        None => prop_oneof![Just("Allow"), Just("Deny")].boxed(),
    };
    (
        effect,
        any::<bool>(),
        prop::sample::subsequence(ACTION_PATTERNS, 1..=3),
        any::<bool>(),
        prop::sample::subsequence(RESOURCE_PATTERNS, 1..=2),
        prop::option::of(prop::sample::select(CONDITIONS)),
    )
        .prop_map(|(effect, not_action, actions, not_resource, resources, condition)| {
            let action_key = if not_action { "NotAction" } else { "Action" };
            let resource_key = if not_resource { "NotResource" } else { "Resource" };
            let condition = condition.map(|text| format!(r#", "Condition": {text}"#)).unwrap_or_default();
            format!(
                r#"{{"Effect": "{effect}", "{action_key}": {actions:?}, "{resource_key}": {resources:?}{condition}}}"#
            )
        })
}

fn policy_of(kind: PolicyKind, statements: Vec<String>) -> Policy {
    policy("generated", kind, &statements.join(", "))
}

fn policies(kind: PolicyKind, max: usize) -> impl Strategy<Value = Vec<Policy>> {
    prop::collection::vec(prop::collection::vec(statement(None), 1..=3), 0..=max).prop_map(
        move |list| {
            list.into_iter()
                .map(|statements| policy_of(kind, statements))
                .collect()
        },
    )
}

fn principal() -> impl Strategy<Value = Principal> {
    prop_oneof![
        Just(user(MEMBER, "alice")),
        Just(role_session(MEMBER, "Admin")),
        Just(role_session(MEMBER, "Reader")),
        Just(Principal::root(MEMBER)),
    ]
}

fn request_strategy() -> impl Strategy<Value = Request> {
    (
        principal(),
        prop::sample::select(ACTIONS),
        prop::sample::select(RESOURCES),
        prop::sample::select(REGIONS),
        any::<bool>(),
        prop::option::of(prop::sample::select(&["data-lake", "platform"][..])),
        any::<bool>(),
    )
        .prop_map(
            |(principal, action, resource, region, secure, team, tagging)| {
                let mut builder = Request::builder(
                    principal,
                    action,
                    Resource::new(resource).with_account(MEMBER),
                )
                .region(region)
                .context("aws:SecureTransport", if secure { "true" } else { "false" });
                if let Some(team) = team {
                    builder = builder.context("aws:PrincipalTag/team", team);
                }
                if tagging {
                    builder = builder.context_multi("aws:TagKeys", ["owner", "cost-center"]);
                }
                builder.build().unwrap()
            },
        )
}

/// Generates an SCP chain of two to four levels, each with zero to two generated SCPs and, with some
/// probability, `FullAWSAccess`.
fn scp_chain() -> impl Strategy<Value = Vec<(bool, Vec<Policy>)>> {
    prop::collection::vec(
        (
            prop::bool::weighted(0.8),
            policies(PolicyKind::ServiceControl, 2),
        ),
        2..=4,
    )
}

fn build_chain(levels: &[(bool, Vec<Policy>)]) -> OrganizationPolicies {
    let levels = levels
        .iter()
        .enumerate()
        .map(|(index, (full_access, extra))| {
            let mut attached = extra.clone();
            if *full_access {
                attached.push(full_aws_access());
            }
            Level::new(&format!("level-{index}"), attached)
        })
        .collect();
    OrganizationPolicies::member(levels)
}

/// Where the added Deny goes.
#[derive(Debug, Clone, Copy)]
enum DenyTarget {
    Identity,
    Boundary,
    ScpLevel(usize),
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn adding_deny_never_grants(
        identity in policies(PolicyKind::Identity, 2),
        boundary in prop::option::of(policies(PolicyKind::PermissionsBoundary, 1)),
        chain in scp_chain(),
        deny in statement(Some("Deny")),
        target in prop_oneof![Just(DenyTarget::Identity), Just(DenyTarget::Boundary), (0usize..4).prop_map(DenyTarget::ScpLevel)],
        request in request_strategy(),
    ) {
        let boundary = boundary.and_then(|list| list.into_iter().next());
        let evaluator = Evaluator::new();
        let scps = build_chain(&chain);
        let before = evaluator.authorize(&request, &PolicySet {
            identity: &identity,
            permissions_boundary: boundary.as_ref(),
            service_control: Some(&scps),
            ..PolicySet::default()
        }).decision;

        let mut identity_after = identity.clone();
        let mut boundary_after = boundary.clone();
        let mut chain_after = chain.clone();
        match target {
            DenyTarget::Identity => identity_after.push(policy_of(PolicyKind::Identity, vec![deny.clone()])),
            DenyTarget::Boundary => {
                boundary_after = Some(match &boundary_after {
                    Some(existing) => {
                        let mut combined = existing.document().to_owned();
                        let insert_at = combined.rfind(']').unwrap();
                        combined.insert_str(insert_at, &format!(", {deny}"));
                        compile("boundary", PolicyKind::PermissionsBoundary, &combined)
                    }
                    None => policy_of(PolicyKind::PermissionsBoundary, vec![deny.clone()]),
                });
            }
            DenyTarget::ScpLevel(level) => {
                let index = level % chain_after.len();
                chain_after[index].1.push(policy_of(PolicyKind::ServiceControl, vec![deny.clone()]));
            }
        }
        let scps_after = build_chain(&chain_after);
        let after = evaluator.authorize(&request, &PolicySet {
            identity: &identity_after,
            permissions_boundary: boundary_after.as_ref(),
            service_control: Some(&scps_after),
            ..PolicySet::default()
        }).decision;

        if before != Decision::Allowed {
            prop_assert_ne!(after, Decision::Allowed, "a Deny turned {:?} into Allowed", before);
        }
        if before == Decision::ExplicitlyDenied {
            prop_assert_eq!(after, Decision::ExplicitlyDenied);
        }
    }

    #[test]
    fn removing_only_allow_denies_level(
        chain in scp_chain(),
        level in 0usize..4,
        denies in policies(PolicyKind::ServiceControl, 1),
        identity in policies(PolicyKind::Identity, 2),
        request in request_strategy(),
    ) {
        // The chosen level keeps only Deny statements: its generated SCPs are replaced by
        // Deny-only copies and FullAWSAccess is removed.
        let index = level % chain.len();
        let mut chain = chain;
        let deny_only: Vec<Policy> = denies
            .iter()
            .map(|policy| {
                let document = policy.document().replace("\"Allow\"", "\"Deny\"");
                compile("deny-only", PolicyKind::ServiceControl, &document)
            })
            .collect();
        chain[index] = (false, deny_only);

        let scps = build_chain(&chain);
        let admin_and_generated: Vec<Policy> = identity.into_iter().chain([administrator_access()]).collect();
        let decision = Evaluator::new().authorize(&request, &PolicySet {
            identity: &admin_and_generated,
            service_control: Some(&scps),
            ..PolicySet::default()
        }).decision;
        prop_assert_ne!(decision, Decision::Allowed);
    }

    #[test]
    fn authorize_and_explain_agree(
        identity in policies(PolicyKind::Identity, 2),
        chain in scp_chain(),
        request in request_strategy(),
    ) {
        let scps = build_chain(&chain);
        let set = PolicySet {
            identity: &identity,
            service_control: Some(&scps),
            ..PolicySet::default()
        };
        let evaluator = Evaluator::new();
        prop_assert_eq!(evaluator.authorize(&request, &set), evaluator.explain(&request, &set).authorization);
    }
}
