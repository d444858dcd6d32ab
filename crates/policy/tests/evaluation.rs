//! Evaluation scenarios after AWS's documented examples: each policy type, the SCP and RCP
//! chains, same-account resource policies by principal type, cross-account access,
//! permissions boundaries, session policies and the exemptions.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail the test on unexpected results"
)]

mod common;

use common::*;
use policy::{
    Basis, ChainTrace, Decision, Evaluator, Exemption, GroupResult, Level, OrganizationPolicies,
    Policy, PolicyKind, PolicySet, Principal, Resource, Source, StatementOutcome,
};

fn bucket_object() -> Resource {
    Resource::new("arn:aws:s3:::reports/2026/q1.csv").with_account(MEMBER)
}

fn identity(statements: &str) -> Policy {
    policy("identity", PolicyKind::Identity, statements)
}

fn decide(request: &policy::Request, policies: &PolicySet<'_>) -> Decision {
    let evaluator = Evaluator::new();
    let authorization = evaluator.authorize(request, policies);
    let explanation = evaluator.explain(request, policies);
    assert_eq!(
        authorization, explanation.authorization,
        "authorize and explain must agree"
    );
    authorization.decision
}

#[test]
fn no_policy_means_implicit_deny() {
    let request = request(
        user(MEMBER, "alice"),
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    let authorization = Evaluator::new().authorize(&request, &PolicySet::default());
    assert_eq!(authorization.decision, Decision::ImplicitlyDenied);
    assert_eq!(
        authorization.basis,
        Basis::NoAllow {
            source: Source::Identity
        }
    );
}

#[test]
fn identity_allow_and_explicit_deny() {
    let policies = [identity(
        r#"{"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"},
           {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}"#,
    )];
    let set = PolicySet {
        identity: &policies,
        ..PolicySet::default()
    };
    let get = request(
        user(MEMBER, "alice"),
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    let authorization = Evaluator::new().authorize(&get, &set);
    assert_eq!(authorization.decision, Decision::Allowed);
    let Basis::Allow { source, statement } = authorization.basis else {
        panic!("expected an Allow basis");
    };
    assert_eq!(source, Source::Identity);
    assert_eq!(statement.sid(), Some("ReadReports"));

    let delete = request(
        user(MEMBER, "alice"),
        "s3:DeleteObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    let authorization = Evaluator::new().authorize(&delete, &set);
    assert_eq!(authorization.decision, Decision::ExplicitlyDenied);
    assert!(
        matches!(authorization.basis, Basis::ExplicitDeny { statement, .. } if statement.sid() == Some("NoDelete"))
    );

    let other_bucket = request(
        user(MEMBER, "alice"),
        "s3:GetObject",
        Resource::new("arn:aws:s3:::private/x"),
        "us-east-1",
        &[],
    );
    assert_eq!(decide(&other_bucket, &set), Decision::ImplicitlyDenied);
}

#[test]
fn explicit_deny_in_any_policy_type_wins() {
    let allow_all = [administrator_access()];
    let deny = r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}"#;
    let deny_with_principal =
        r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#;
    let get = request(
        role_session(MEMBER, "Reader"),
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[],
    );

    let boundary = policy(
        "boundary",
        PolicyKind::PermissionsBoundary,
        &format!(
            "{deny}, {}",
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#
        ),
    );
    let set = PolicySet {
        identity: &allow_all,
        permissions_boundary: Some(&boundary),
        ..PolicySet::default()
    };
    assert_eq!(decide(&get, &set), Decision::ExplicitlyDenied);

    let session = [policy("session", PolicyKind::Session, deny)];
    let set = PolicySet {
        identity: &allow_all,
        session: &session,
        ..PolicySet::default()
    };
    assert_eq!(decide(&get, &set), Decision::ExplicitlyDenied);

    let bucket_policy = policy("bucket", PolicyKind::Resource, deny_with_principal);
    let set = PolicySet {
        identity: &allow_all,
        resource: Some(&bucket_policy),
        ..PolicySet::default()
    };
    assert_eq!(decide(&get, &set), Decision::ExplicitlyDenied);

    let scps = scp_chain_with(vec![policy("scp-deny", PolicyKind::ServiceControl, deny)]);
    let set = PolicySet {
        identity: &allow_all,
        service_control: Some(&scps),
        ..PolicySet::default()
    };
    assert_eq!(decide(&get, &set), Decision::ExplicitlyDenied);

    let rcps = rcp_chain_with(vec![policy(
        "rcp-deny",
        PolicyKind::ResourceControl,
        deny_with_principal,
    )]);
    let set = PolicySet {
        identity: &allow_all,
        resource_control: Some(&rcps),
        ..PolicySet::default()
    };
    assert_eq!(decide(&get, &set), Decision::ExplicitlyDenied);
}

/// Builds a five-level chain: root, three OUs, the account.
fn five_level_chain(middle_ou: Vec<Policy>) -> OrganizationPolicies {
    OrganizationPolicies::member(vec![
        Level::new("r-root", vec![full_aws_access()]),
        Level::new("ou-root-top", vec![full_aws_access()]),
        Level::new("ou-root-middle", middle_ou),
        Level::new("ou-root-bottom", vec![full_aws_access()]),
        Level::new(MEMBER, vec![full_aws_access()]),
    ])
}

#[test]
fn scp_needs_allow_at_every_level() {
    let s3_only = policy(
        "p-s3only",
        PolicyKind::ServiceControl,
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#,
    );
    let scps = five_level_chain(vec![s3_only]);
    let admin = [administrator_access()];
    let set = PolicySet {
        identity: &admin,
        service_control: Some(&scps),
        ..PolicySet::default()
    };

    let s3 = request(
        user(MEMBER, "alice"),
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    assert_eq!(decide(&s3, &set), Decision::Allowed);

    let ec2 = request(
        user(MEMBER, "alice"),
        "ec2:RunInstances",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    let explanation = Evaluator::new().explain(&ec2, &set);
    assert_eq!(
        explanation.authorization.decision,
        Decision::ImplicitlyDenied
    );
    assert_eq!(
        explanation.authorization.basis,
        Basis::NoAllow {
            source: Source::ServiceControl {
                level: 2,
                target: "ou-root-middle"
            }
        }
    );

    let ChainTrace::Evaluated(levels) = &explanation.trace.service_control else {
        panic!("the SCP chain should be evaluated");
    };
    assert_eq!(levels.len(), 5);
    assert!(
        matches!(levels[0].result, GroupResult::Allowed(statement) if statement.policy_id() == "p-FullAWSAccess")
    );
    assert_eq!(levels[2].result, GroupResult::NoMatchingAllow);
    assert_eq!(
        levels[2].statements[0].outcome,
        StatementOutcome::ActionNotMatched
    );
    assert!(matches!(levels[4].result, GroupResult::Allowed(_)));
}

#[test]
fn scp_level_with_no_policies_denies() {
    let scps = five_level_chain(Vec::new());
    let admin = [administrator_access()];
    let set = PolicySet {
        identity: &admin,
        service_control: Some(&scps),
        ..PolicySet::default()
    };
    let any = request(
        user(MEMBER, "alice"),
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    assert_eq!(decide(&any, &set), Decision::ImplicitlyDenied);
}

#[test]
fn scp_deny_below_missing_allow() {
    let s3_only = policy(
        "p-s3only",
        PolicyKind::ServiceControl,
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#,
    );
    let deny_ec2 = policy(
        "p-denyec2",
        PolicyKind::ServiceControl,
        r#"{"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}"#,
    );
    let scps = OrganizationPolicies::member(vec![
        Level::new("r-root", vec![full_aws_access()]),
        Level::new("ou-root-a", vec![s3_only]),
        Level::new(MEMBER, vec![full_aws_access(), deny_ec2]),
    ]);
    let admin = [administrator_access()];
    let set = PolicySet {
        identity: &admin,
        service_control: Some(&scps),
        ..PolicySet::default()
    };
    let ec2 = request(
        user(MEMBER, "alice"),
        "ec2:RunInstances",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    let authorization = Evaluator::new().authorize(&ec2, &set);
    assert_eq!(authorization.decision, Decision::ExplicitlyDenied);
    assert!(matches!(
        authorization.basis,
        Basis::ExplicitDeny {
            source: Source::ServiceControl { level: 2, .. },
            ..
        }
    ));
}

#[test]
fn scp_exemptions() {
    let deny_all = policy(
        "p-denyall",
        PolicyKind::ServiceControl,
        r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#,
    );
    let member_chain = scp_chain_with(vec![deny_all.clone()]);
    let management_chain = OrganizationPolicies::management(member_chain.levels.clone());
    let admin = [administrator_access()];
    let any = |principal: Principal| {
        request(
            principal,
            "ec2:DescribeInstances",
            Resource::new("*"),
            "us-east-1",
            &[],
        )
    };

    let member = PolicySet {
        identity: &admin,
        service_control: Some(&member_chain),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&any(user(MEMBER, "alice")), &member),
        Decision::ExplicitlyDenied
    );
    // SCPs apply to the root user of a member account.
    assert_eq!(
        decide(&any(Principal::root(MEMBER)), &member),
        Decision::ExplicitlyDenied
    );

    let service_linked = Principal::assumed_role(
        &format!("arn:aws:iam::{MEMBER}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"),
        "AutoScaling",
    )
    .unwrap();
    assert_eq!(
        decide(&any(service_linked.clone()), &member),
        Decision::Allowed
    );
    let explanation = Evaluator::new().explain(&any(service_linked), &member);
    assert_eq!(
        explanation.trace.service_control,
        ChainTrace::NotApplicable(Exemption::ServiceLinkedRole)
    );

    let management = PolicySet {
        identity: &admin,
        service_control: Some(&management_chain),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&any(user(MANAGEMENT, "admin")), &management),
        Decision::Allowed
    );
    assert_eq!(
        decide(&any(Principal::root(MANAGEMENT)), &management),
        Decision::Allowed
    );
    let explanation = Evaluator::new().explain(&any(user(MANAGEMENT, "admin")), &management);
    assert_eq!(
        explanation.trace.service_control,
        ChainTrace::NotApplicable(Exemption::ManagementAccount)
    );
}

#[test]
fn root_user_has_full_access_in_its_account() {
    let request = request(
        Principal::root(MEMBER),
        "iam:CreateUser",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    let authorization = Evaluator::new().authorize(&request, &PolicySet::default());
    assert_eq!(authorization.decision, Decision::Allowed);
    assert_eq!(authorization.basis, Basis::RootUser);
}

#[test]
fn rcp_applies_to_member_resources_from_any_caller() {
    let deny_external = policy(
        "rcp-deny-external",
        PolicyKind::ResourceControl,
        r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-example"}}}"#,
    );
    let rcps = rcp_chain_with(vec![deny_external]);
    let bucket_policy = policy(
        "bucket",
        PolicyKind::Resource,
        &format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{OTHER}:root"}}, "Action": "s3:GetObject", "Resource": "*"}}"#
        ),
    );
    let admin = [administrator_access()];
    let set = PolicySet {
        identity: &admin,
        resource: Some(&bucket_policy),
        resource_control: Some(&rcps),
        ..PolicySet::default()
    };

    let outsider = request(
        user(OTHER, "partner"),
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[("aws:PrincipalOrgID", "o-other")],
    );
    let authorization = Evaluator::new().authorize(&outsider, &set);
    assert_eq!(authorization.decision, Decision::ExplicitlyDenied);
    assert!(matches!(
        authorization.basis,
        Basis::ExplicitDeny {
            source: Source::ResourceControl { level: 2, .. },
            ..
        }
    ));

    let insider = request(
        user(OTHER, "partner"),
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[("aws:PrincipalOrgID", "o-example")],
    );
    assert_eq!(decide(&insider, &set), Decision::Allowed);
}

#[test]
fn rcp_exemptions() {
    let deny_all_s3_kms = policy(
        "rcp-deny",
        PolicyKind::ResourceControl,
        r#"{"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "kms:*", "ec2:*"], "Resource": "*"}"#,
    );
    let member_chain = rcp_chain_with(vec![deny_all_s3_kms]);
    let management_chain = OrganizationPolicies::management(member_chain.levels.clone());
    let admin = [administrator_access()];
    let member = PolicySet {
        identity: &admin,
        resource_control: Some(&member_chain),
        ..PolicySet::default()
    };
    let evaluator = Evaluator::new();
    let exemption = |request: &policy::Request, set: &PolicySet<'_>| match evaluator
        .explain(request, set)
        .trace
        .resource_control
    {
        ChainTrace::NotApplicable(exemption) => Some(exemption),
        ChainTrace::Evaluated(_) => None,
    };

    let get = request(
        user(MEMBER, "alice"),
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    assert_eq!(decide(&get, &member), Decision::ExplicitlyDenied);

    let management = PolicySet {
        identity: &admin,
        resource_control: Some(&management_chain),
        ..PolicySet::default()
    };
    assert_eq!(decide(&get, &management), Decision::Allowed);
    assert_eq!(
        exemption(&get, &management),
        Some(Exemption::ManagementAccount)
    );

    let key = || Resource::new(&format!("arn:aws:kms:us-east-1:{MEMBER}:key/1234abcd"));
    let retire = request(
        user(MEMBER, "alice"),
        "kms:RetireGrant",
        key(),
        "us-east-1",
        &[],
    );
    assert_eq!(decide(&retire, &member), Decision::Allowed);
    assert_eq!(exemption(&retire, &member), Some(Exemption::ExemptAction));

    let managed_key = request(
        user(MEMBER, "alice"),
        "kms:Decrypt",
        key().aws_managed_key(),
        "us-east-1",
        &[],
    );
    assert_eq!(decide(&managed_key, &member), Decision::Allowed);
    assert_eq!(
        exemption(&managed_key, &member),
        Some(Exemption::AwsManagedKey)
    );

    let service_linked = Principal::from_arn(&format!(
        "arn:aws:sts::{MEMBER}:assumed-role/AWSServiceRoleForConfig/Config"
    ))
    .unwrap();
    let by_service_linked = request(
        service_linked,
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    assert_eq!(
        exemption(&by_service_linked, &member),
        Some(Exemption::ServiceLinkedRole)
    );

    // EC2 does not support RCPs: a Deny that names it has no effect once the evaluator
    // is given the supported services.
    let run = request(
        user(MEMBER, "alice"),
        "ec2:RunInstances",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    let with_services =
        Evaluator::new().with_rcp_services(["s3", "kms", "sts", "sqs", "secretsmanager"]);
    assert_eq!(
        with_services.authorize(&run, &member).decision,
        Decision::Allowed
    );
    assert_eq!(
        with_services.authorize(&get, &member).decision,
        Decision::ExplicitlyDenied
    );
    assert_eq!(
        Evaluator::new().authorize(&run, &member).decision,
        Decision::ExplicitlyDenied
    );
}

#[test]
fn same_account_resource_policy_by_principal_type() {
    let bucket_policy = |principal: &str| {
        policy(
            "bucket",
            PolicyKind::Resource,
            &format!(
                r#"{{"Effect": "Allow", "Principal": {{"AWS": "{principal}"}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}}"#
            ),
        )
    };
    let s3_boundary = policy(
        "boundary",
        PolicyKind::PermissionsBoundary,
        r#"{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}"#,
    );
    let no_identity: [Policy; 0] = [];
    let get = |principal: Principal| {
        request(principal, "s3:GetObject", bucket_object(), "us-east-1", &[])
    };

    // A policy naming an IAM user grants access without any identity policy, and the
    // user's permissions boundary does not limit it.
    let user_grant = bucket_policy(&format!("arn:aws:iam::{MEMBER}:user/alice"));
    let set = PolicySet {
        identity: &no_identity,
        permissions_boundary: Some(&s3_boundary),
        resource: Some(&user_grant),
        ..PolicySet::default()
    };
    let authorization = Evaluator::new().authorize(&get(user(MEMBER, "alice")), &set);
    assert_eq!(authorization.decision, Decision::Allowed);
    assert!(matches!(
        authorization.basis,
        Basis::Allow {
            source: Source::ResourcePolicy,
            ..
        }
    ));
    assert_eq!(
        decide(&get(user(MEMBER, "bob")), &set),
        Decision::ImplicitlyDenied
    );

    // A policy naming a role is limited by the session's permissions boundary.
    let role_grant = bucket_policy(&format!("arn:aws:iam::{MEMBER}:role/Reader"));
    let with_boundary = PolicySet {
        identity: &no_identity,
        permissions_boundary: Some(&s3_boundary),
        resource: Some(&role_grant),
        ..PolicySet::default()
    };
    let authorization =
        Evaluator::new().authorize(&get(role_session(MEMBER, "Reader")), &with_boundary);
    assert_eq!(authorization.decision, Decision::ImplicitlyDenied);
    assert_eq!(
        authorization.basis,
        Basis::NoAllow {
            source: Source::PermissionsBoundary
        }
    );
    let without_boundary = PolicySet {
        permissions_boundary: None,
        ..with_boundary
    };
    assert_eq!(
        decide(&get(role_session(MEMBER, "Reader")), &without_boundary),
        Decision::Allowed
    );

    // A policy naming the session itself is not limited by the boundary.
    let session_grant = bucket_policy(&format!(
        "arn:aws:sts::{MEMBER}:assumed-role/Reader/session"
    ));
    let set = PolicySet {
        resource: Some(&session_grant),
        ..with_boundary
    };
    assert_eq!(
        decide(&get(role_session(MEMBER, "Reader")), &set),
        Decision::Allowed
    );

    // A policy naming only the account leaves the decision to identity policies.
    let account_grant = bucket_policy(MEMBER);
    let set = PolicySet {
        identity: &no_identity,
        resource: Some(&account_grant),
        ..PolicySet::default()
    };
    let authorization = Evaluator::new().authorize(&get(user(MEMBER, "alice")), &set);
    assert_eq!(
        authorization.basis,
        Basis::NoAllow {
            source: Source::Identity
        }
    );
    let reader = [identity(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    )];
    let set = PolicySet {
        identity: &reader,
        ..set
    };
    assert_eq!(decide(&get(user(MEMBER, "alice")), &set), Decision::Allowed);
}

#[test]
fn trust_policy_required_in_same_account() {
    let role = || Resource::new(&format!("arn:aws:iam::{MEMBER}:role/Deploy"));
    let assume =
        |principal: Principal| request(principal, "sts:AssumeRole", role(), "us-east-1", &[]);
    let can_assume = [identity(
        r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}"#,
    )];

    let trusts_service = compile(
        "trust",
        PolicyKind::RoleTrust,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}}"#,
    );
    let set = PolicySet {
        identity: &can_assume,
        resource: Some(&trusts_service),
        ..PolicySet::default()
    };
    let authorization = Evaluator::new().authorize(&assume(user(MEMBER, "alice")), &set);
    assert_eq!(authorization.decision, Decision::ImplicitlyDenied);
    assert_eq!(
        authorization.basis,
        Basis::NoAllow {
            source: Source::ResourcePolicy
        }
    );
    assert_eq!(
        decide(&assume(Principal::service("codebuild.amazonaws.com")), &set),
        Decision::Allowed
    );

    let trusts_account = compile(
        "trust",
        PolicyKind::RoleTrust,
        &format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{MEMBER}:root"}}, "Action": "sts:AssumeRole"}}}}"#
        ),
    );
    let set = PolicySet {
        identity: &can_assume,
        resource: Some(&trusts_account),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&assume(user(MEMBER, "alice")), &set),
        Decision::Allowed
    );
    let without_identity = PolicySet {
        identity: &[],
        ..set
    };
    assert_eq!(
        decide(&assume(user(MEMBER, "alice")), &without_identity),
        Decision::ImplicitlyDenied
    );
}

#[test]
fn kms_key_policy_is_required() {
    let key = Resource::new(&format!("arn:aws:kms:us-east-1:{MEMBER}:key/1234abcd"));
    let decrypt = request(user(MEMBER, "alice"), "kms:Decrypt", key, "us-east-1", &[]);
    let admin = [administrator_access()];
    let key_policy = policy(
        "key-policy",
        PolicyKind::Resource,
        r#"{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}"#,
    );
    let set = PolicySet {
        identity: &admin,
        resource: Some(&key_policy),
        resource_policy_required: true,
        ..PolicySet::default()
    };
    assert_eq!(decide(&decrypt, &set), Decision::ImplicitlyDenied);
    let optional = PolicySet {
        resource_policy_required: false,
        ..set
    };
    assert_eq!(decide(&decrypt, &optional), Decision::Allowed);
}

#[test]
fn cross_account_needs_both_sides() {
    let object = || Resource::new("arn:aws:s3:::shared/data.csv").with_account(OTHER);
    let get = || {
        request(
            user(MEMBER, "alice"),
            "s3:GetObject",
            object(),
            "us-east-1",
            &[],
        )
    };
    let reader = [identity(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    )];
    let grants_account = policy(
        "shared-bucket",
        PolicyKind::Resource,
        &format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{MEMBER}"}}, "Action": "s3:GetObject", "Resource": "*"}}"#
        ),
    );

    let both = PolicySet {
        identity: &reader,
        resource: Some(&grants_account),
        ..PolicySet::default()
    };
    assert_eq!(decide(&get(), &both), Decision::Allowed);

    let no_resource_policy = PolicySet {
        resource: None,
        ..both
    };
    let authorization = Evaluator::new().authorize(&get(), &no_resource_policy);
    assert_eq!(
        authorization.basis,
        Basis::NoAllow {
            source: Source::ResourcePolicy
        }
    );

    let no_identity = PolicySet {
        identity: &[],
        ..both
    };
    assert_eq!(
        Evaluator::new().authorize(&get(), &no_identity).basis,
        Basis::NoAllow {
            source: Source::Identity
        }
    );

    // Even a resource policy that names the user directly needs the identity side across
    // accounts.
    let grants_user = policy(
        "shared-bucket",
        PolicyKind::Resource,
        &format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{MEMBER}:user/alice"}}, "Action": "s3:GetObject", "Resource": "*"}}"#
        ),
    );
    let user_grant_only = PolicySet {
        identity: &[],
        resource: Some(&grants_user),
        ..PolicySet::default()
    };
    assert_eq!(decide(&get(), &user_grant_only), Decision::ImplicitlyDenied);

    // The caller's SCPs apply; SCPs of the resource's organization do not.
    let deny_s3 = policy(
        "deny-s3",
        PolicyKind::ServiceControl,
        r#"{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}"#,
    );
    let caller_scps = scp_chain_with(vec![deny_s3]);
    let with_scps = PolicySet {
        service_control: Some(&caller_scps),
        ..both
    };
    assert_eq!(decide(&get(), &with_scps), Decision::ExplicitlyDenied);
}

#[test]
fn permissions_boundary_limits_identity_policies() {
    let broad = [identity(
        r#"{"Effect": "Allow", "Action": ["s3:*", "ec2:*"], "Resource": "*"}"#,
    )];
    let boundary = policy(
        "boundary",
        PolicyKind::PermissionsBoundary,
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}"#,
    );
    let set = PolicySet {
        identity: &broad,
        permissions_boundary: Some(&boundary),
        ..PolicySet::default()
    };
    let alice = || user(MEMBER, "alice");

    assert_eq!(
        decide(
            &request(alice(), "s3:GetObject", bucket_object(), "us-east-1", &[]),
            &set
        ),
        Decision::Allowed
    );
    let ec2 = request(
        alice(),
        "ec2:RunInstances",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    let authorization = Evaluator::new().authorize(&ec2, &set);
    assert_eq!(authorization.decision, Decision::ImplicitlyDenied);
    assert_eq!(
        authorization.basis,
        Basis::NoAllow {
            source: Source::PermissionsBoundary
        }
    );
    // The boundary allows IAM but grants nothing by itself.
    let iam = request(
        alice(),
        "iam:CreateUser",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    assert_eq!(
        Evaluator::new().authorize(&iam, &set).basis,
        Basis::NoAllow {
            source: Source::Identity
        }
    );
}

#[test]
fn session_policies_limit_sessions_only() {
    let s3_all = [identity(
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#,
    )];
    let read_only = [policy(
        "session",
        PolicyKind::Session,
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    )];
    let set = PolicySet {
        identity: &s3_all,
        session: &read_only,
        ..PolicySet::default()
    };
    let session = || role_session(MEMBER, "Analyst");

    assert_eq!(
        decide(
            &request(session(), "s3:GetObject", bucket_object(), "us-east-1", &[]),
            &set
        ),
        Decision::Allowed
    );
    let put = request(session(), "s3:PutObject", bucket_object(), "us-east-1", &[]);
    let authorization = Evaluator::new().authorize(&put, &set);
    assert_eq!(authorization.decision, Decision::ImplicitlyDenied);
    assert_eq!(
        authorization.basis,
        Basis::NoAllow {
            source: Source::Session
        }
    );

    // The session policy grants nothing on its own.
    let without_identity = PolicySet {
        identity: &[],
        ..set
    };
    let get = request(session(), "s3:GetObject", bucket_object(), "us-east-1", &[]);
    assert_eq!(decide(&get, &without_identity), Decision::ImplicitlyDenied);

    // A federated user session is limited the same way.
    let federated =
        Principal::federated_user(&format!("arn:aws:sts::{MEMBER}:federated-user/bob"), None)
            .unwrap();
    assert_eq!(
        decide(
            &request(federated, "s3:PutObject", bucket_object(), "us-east-1", &[]),
            &set
        ),
        Decision::ImplicitlyDenied
    );
}

#[test]
fn role_grant_limited_by_session_policy() {
    let role_grant = policy(
        "bucket",
        PolicyKind::Resource,
        &format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{MEMBER}:role/Analyst"}}, "Action": "s3:*", "Resource": "*"}}"#
        ),
    );
    let read_only = [policy(
        "session",
        PolicyKind::Session,
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    )];
    let set = PolicySet {
        resource: Some(&role_grant),
        session: &read_only,
        ..PolicySet::default()
    };
    let session = || role_session(MEMBER, "Analyst");
    assert_eq!(
        decide(
            &request(session(), "s3:GetObject", bucket_object(), "us-east-1", &[]),
            &set
        ),
        Decision::Allowed
    );
    let put = request(session(), "s3:PutObject", bucket_object(), "us-east-1", &[]);
    assert_eq!(
        Evaluator::new().authorize(&put, &set).basis,
        Basis::NoAllow {
            source: Source::Session
        }
    );
}

#[test]
fn get_caller_identity_is_always_allowed() {
    let deny_all = [identity(
        r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#,
    )];
    let set = PolicySet {
        identity: &deny_all,
        ..PolicySet::default()
    };
    let whoami = request(
        user(MEMBER, "alice"),
        "sts:GetCallerIdentity",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    let authorization = Evaluator::new().authorize(&whoami, &set);
    assert_eq!(authorization.decision, Decision::Allowed);
    assert_eq!(authorization.basis, Basis::AlwaysAllowed);
}

#[test]
fn anonymous_and_service_callers_need_resource_policy() {
    let public_read = policy(
        "bucket",
        PolicyKind::Resource,
        r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}"#,
    );
    let deny_all_scp = policy(
        "deny",
        PolicyKind::ServiceControl,
        r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}"#,
    );
    let scps = scp_chain_with(vec![deny_all_scp]);
    let set = PolicySet {
        resource: Some(&public_read),
        service_control: Some(&scps),
        ..PolicySet::default()
    };

    let anonymous = request(
        Principal::anonymous(),
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    assert_eq!(decide(&anonymous, &set), Decision::Allowed);
    let explanation = Evaluator::new().explain(&anonymous, &set);
    assert_eq!(
        explanation.trace.service_control,
        ChainTrace::NotApplicable(Exemption::NotAnAccountPrincipal)
    );

    let anonymous_put = request(
        Principal::anonymous(),
        "s3:PutObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    assert_eq!(decide(&anonymous_put, &set), Decision::ImplicitlyDenied);

    let trail = policy(
        "bucket",
        PolicyKind::Resource,
        r#"{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"}"#,
    );
    let set = PolicySet {
        resource: Some(&trail),
        ..PolicySet::default()
    };
    let delivery = request(
        Principal::service("cloudtrail.amazonaws.com"),
        "s3:PutObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    assert_eq!(decide(&delivery, &set), Decision::Allowed);
    let other_service = request(
        Principal::service("config.amazonaws.com"),
        "s3:PutObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    assert_eq!(decide(&other_service, &set), Decision::ImplicitlyDenied);
}

#[test]
fn not_principal_with_deny() {
    let bucket_policy = policy(
        "bucket",
        PolicyKind::Resource,
        &format!(
            r#"{{"Effect": "Deny", "NotPrincipal": {{"AWS": ["arn:aws:iam::{MEMBER}:user/alice", "arn:aws:iam::{MEMBER}:root"]}}, "Action": "s3:*", "Resource": "*"}}"#
        ),
    );
    let admin = [administrator_access()];
    let set = PolicySet {
        identity: &admin,
        resource: Some(&bucket_policy),
        ..PolicySet::default()
    };
    let get = |principal: Principal| {
        request(principal, "s3:GetObject", bucket_object(), "us-east-1", &[])
    };
    assert_eq!(decide(&get(user(MEMBER, "alice")), &set), Decision::Allowed);
    assert_eq!(
        decide(&get(user(MEMBER, "bob")), &set),
        Decision::ExplicitlyDenied
    );

    // AWS never exempts a caller with a permissions boundary from a Deny with NotPrincipal.
    let boundary = policy(
        "boundary",
        PolicyKind::PermissionsBoundary,
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#,
    );
    let with_boundary = PolicySet {
        permissions_boundary: Some(&boundary),
        ..set
    };
    assert_eq!(
        decide(&get(user(MEMBER, "alice")), &with_boundary),
        Decision::ExplicitlyDenied
    );
}

#[test]
fn trace_reports_condition_mismatch_details() {
    let regional = [identity(
        r#"{"Sid": "OnlyEurope", "Effect": "Allow", "Action": "ec2:*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}}"#,
    )];
    let set = PolicySet {
        identity: &regional,
        ..PolicySet::default()
    };
    let run = request(
        user(MEMBER, "alice"),
        "ec2:RunInstances",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    let explanation = Evaluator::new().explain(&run, &set);
    assert_eq!(
        explanation.authorization.decision,
        Decision::ImplicitlyDenied
    );

    let statement = &explanation.trace.identity.statements[0];
    assert_eq!(statement.statement.sid(), Some("OnlyEurope"));
    let StatementOutcome::ConditionNotMatched(mismatch) = &statement.outcome else {
        panic!("expected a condition mismatch, got {:?}", statement.outcome);
    };
    assert_eq!(mismatch.operator, "StringEquals");
    assert_eq!(mismatch.key, "aws:RequestedRegion");
    assert_eq!(mismatch.policy_values, ["eu-west-1", "eu-central-1"]);
    assert_eq!(
        mismatch.request_values.as_deref(),
        Some(&["us-east-1".to_owned()][..])
    );

    let report = explanation.trace.to_string();
    assert!(
        report.contains(
            r#"identity statement "OnlyEurope": condition StringEquals on aws:RequestedRegion not met: policy values ["eu-west-1", "eu-central-1"], request values ["us-east-1"]"#
        ),
        "{report}"
    );
}

#[test]
fn trace_lists_every_policy_type() {
    let scps = scp_chain_with(Vec::new());
    let rcps = rcp_chain_with(Vec::new());
    let admin = [administrator_access()];
    let boundary = policy(
        "boundary",
        PolicyKind::PermissionsBoundary,
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#,
    );
    let session = [policy(
        "session",
        PolicyKind::Session,
        r#"{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}"#,
    )];
    let bucket = policy(
        "bucket",
        PolicyKind::Resource,
        &format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{MEMBER}"}}, "Action": "s3:*", "Resource": "*"}}"#
        ),
    );
    let set = PolicySet {
        identity: &admin,
        permissions_boundary: Some(&boundary),
        session: &session,
        resource: Some(&bucket),
        service_control: Some(&scps),
        resource_control: Some(&rcps),
        ..PolicySet::default()
    };
    let get = request(
        role_session(MEMBER, "Reader"),
        "s3:GetObject",
        bucket_object(),
        "us-east-1",
        &[],
    );
    let explanation = Evaluator::new().explain(&get, &set);
    assert_eq!(explanation.authorization.decision, Decision::Allowed);

    let trace = &explanation.trace;
    for chain in [&trace.service_control, &trace.resource_control] {
        let ChainTrace::Evaluated(levels) = chain else {
            panic!("chain should be evaluated");
        };
        assert_eq!(levels.len(), 3);
        assert!(
            levels
                .iter()
                .all(|level| matches!(level.result, GroupResult::Allowed(_)))
        );
    }
    for group in [
        &trace.resource_policy,
        &trace.identity,
        &trace.permissions_boundary,
        &trace.session,
    ] {
        assert!(
            matches!(group.result, GroupResult::Allowed(_)),
            "{:?}",
            group.result
        );
        assert_eq!(group.statements.len(), 1);
    }
}

#[test]
fn shared_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Policy>();
    assert_send_sync::<Evaluator>();
    assert_send_sync::<policy::Request>();
    assert_send_sync::<OrganizationPolicies>();
    assert_send_sync::<PolicySet<'static>>();
}

#[test]
fn trace_report_names_exemptions() {
    let admin = [administrator_access()];
    let scps = OrganizationPolicies::management(scp_chain_with(Vec::new()).levels);
    let set = PolicySet {
        identity: &admin,
        service_control: Some(&scps),
        ..PolicySet::default()
    };
    let describe = request(
        user(MANAGEMENT, "admin"),
        "ec2:DescribeInstances",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    let report = Evaluator::new().explain(&describe, &set).trace.to_string();
    assert!(
        report.contains("service control policies: not applied: the management account is exempt"),
        "{report}"
    );
    assert!(
        report.contains("resource control policies: not applied: the policy type is not enabled in the account's organization, or the account is in none"),
        "{report}"
    );
    assert!(
        report.contains("identity-based policies: allowed by AdministratorAccess statement #0"),
        "{report}"
    );
}
