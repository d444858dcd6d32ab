//! Every public policy document in `tests/policies/` compiles (or, for the negative cases,
//! is rejected with a clear message), and each valid one has the effect it was written for.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail the test on unexpected results"
)]

mod common;

use common::*;
use policy::{
    Basis, CompileOptions, Decision, ErrorKind, Evaluator, JsonError, Location, Policy,
    PolicyError, PolicyKind, PolicySet, Principal, Resource, ScpGrammar, Source, Violation,
};

/// Each fixture with the kind it is written as.
const FIXTURES: &[(&str, PolicyKind)] = &[
    (
        "scp/scp-region-deny-aws-samples.json",
        PolicyKind::ServiceControl,
    ),
    (
        "scp/scp-controltower-grregiondeny.json",
        PolicyKind::ServiceControl,
    ),
    (
        "scp/scp-deny-leave-organization.json",
        PolicyKind::ServiceControl,
    ),
    (
        "scp/scp-deny-root-except-s3-bucketpolicy.json",
        PolicyKind::ServiceControl,
    ),
    (
        "scp/scp-require-ec2-instance-type.json",
        PolicyKind::ServiceControl,
    ),
    ("rcp/rcp-enforce-https.json", PolicyKind::ResourceControl),
    (
        "rcp/rcp-data-perimeter-identity-perimeter.json",
        PolicyKind::ResourceControl,
    ),
    ("managed/FullAWSAccess.json", PolicyKind::ServiceControl),
    (
        "authored/scp-2025-full-language-features.json",
        PolicyKind::ServiceControl,
    ),
];

fn scp_fixture(path: &str) -> Policy {
    compile(path, PolicyKind::ServiceControl, &fixture(path))
}

fn rcp_fixture(path: &str) -> Policy {
    compile(path, PolicyKind::ResourceControl, &fixture(path))
}

/// Decides `request` for a caller in the member account with administrator access, under
/// the given SCP chain.
fn decide_under_scps(scps: &policy::OrganizationPolicies, request: &policy::Request) -> Decision {
    let identity = [administrator_access()];
    let policies = PolicySet {
        identity: &identity,
        service_control: Some(scps),
        ..PolicySet::default()
    };
    Evaluator::new().authorize(request, &policies).decision
}

#[test]
fn every_valid_fixture_compiles() {
    for (path, kind) in FIXTURES {
        let document = fixture(path);
        let compiled = Policy::compile(path, *kind, &document);
        assert!(
            compiled.is_ok(),
            "{path}: {}",
            compiled
                .err()
                .map(|error| error.to_string())
                .unwrap_or_default()
        );
    }
    compile_managed(
        "p-RCPFullAWSAccess",
        PolicyKind::ResourceControl,
        &fixture("managed/RCPFullAWSAccess.json"),
    );
}

#[test]
fn json_comment_fixture_is_rejected() {
    let error = Policy::compile(
        "invalid",
        PolicyKind::ServiceControl,
        &fixture("scp/scp-INVALID-json-comment.json"),
    )
    .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::MalformedPolicyDocument);
    assert_eq!(
        error.kind().organizations_code(),
        "MalformedPolicyDocumentException"
    );
    assert_eq!(
        error.location(),
        Some(Location {
            line: 15,
            column: 13
        })
    );
    assert!(
        matches!(
            &error,
            PolicyError::Json {
                error: JsonError::UnexpectedCharacter { found: '/', .. },
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("line 15, column 13"), "{message}");
    assert!(message.contains("JSON has no comments"), "{message}");
}

#[test]
fn rcp_full_access_needs_aws_managed() {
    let error = Policy::compile(
        "custom",
        PolicyKind::ResourceControl,
        &fixture("managed/RCPFullAWSAccess.json"),
    )
    .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::MalformedPolicyDocument);
    assert_eq!(
        error.violation(),
        Some(&Violation::AllowInResourceControlPolicy)
    );
    assert_eq!(error.location(), Some(Location { line: 5, column: 7 }));
}

#[test]
fn size_counts_documentation_whitespace() {
    // The tabs and spaces copied from AWS's documentation after "Version" count toward the
    // Organizations quota, because the API stores the document as sent.
    let document = fixture("scp/scp-deny-leave-organization.json");
    let policy = scp_fixture("scp/scp-deny-leave-organization.json");
    assert_eq!(document.chars().count(), 231);
    assert_eq!(policy.size_without_whitespace(), 116);

    let padding = " ".repeat(5_120 - document.len() + 1);
    let padded = document.replacen("\"Version\"", &format!("{padding}\"Version\""), 1);
    let error = Policy::compile("padded", PolicyKind::ServiceControl, &padded).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::PolicyTooLarge);
    assert_eq!(
        error.kind().organizations_code(),
        "ConstraintViolationException"
    );
    assert_eq!(
        error.kind().organizations_reason(),
        Some("POLICY_CONTENT_LIMIT_EXCEEDED")
    );
    assert!(
        matches!(
            error,
            PolicyError::TooLarge {
                size: 5_121,
                limit: 5_120,
                ..
            }
        ),
        "{error:?}"
    );

    // The same padding is not counted for an IAM managed policy.
    assert!(Policy::compile("identity", PolicyKind::Identity, &padded).is_ok());
}

#[test]
fn aws_samples_region_deny_scp() {
    let scps = scp_chain_with(vec![scp_fixture("scp/scp-region-deny-aws-samples.json")]);
    let instance = || Resource::new(&format!("arn:aws:ec2:us-east-1:{MEMBER}:instance/*"));
    let developer = || user(MEMBER, "developer");

    let unapproved = request(
        developer(),
        "ec2:RunInstances",
        instance(),
        "us-east-1",
        &[],
    );
    assert_eq!(
        decide_under_scps(&scps, &unapproved),
        Decision::ExplicitlyDenied
    );

    let approved = request(
        developer(),
        "ec2:RunInstances",
        instance(),
        "eu-west-1",
        &[],
    );
    assert_eq!(decide_under_scps(&scps, &approved), Decision::Allowed);

    let global_service = request(
        developer(),
        "iam:CreateUser",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    assert_eq!(decide_under_scps(&scps, &global_service), Decision::Allowed);

    let wildcard_exemption = request(
        developer(),
        "s3:GetAccountPublicAccessBlock",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    assert_eq!(
        decide_under_scps(&scps, &wildcard_exemption),
        Decision::Allowed
    );

    // The exemption names `arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]`, a template
    // placeholder. `${Account}` is a policy variable that no request carries, so the
    // exemption matches no caller, the privileged role included.
    let privileged = || {
        Principal::assumed_role(
            &format!("arn:aws:iam::{MEMBER}:role/[PRIVILEGED_ROLE]"),
            "admin",
        )
        .unwrap()
    };
    let placeholder = request(
        privileged(),
        "ec2:RunInstances",
        instance(),
        "us-east-1",
        &[],
    );
    assert_eq!(
        decide_under_scps(&scps, &placeholder),
        Decision::ExplicitlyDenied
    );

    // With a context key named `Account`, the variable resolves and the role is exempt.
    let resolved = request(
        privileged(),
        "ec2:RunInstances",
        instance(),
        "us-east-1",
        &[("Account", MEMBER)],
    );
    assert_eq!(decide_under_scps(&scps, &resolved), Decision::Allowed);
}

#[test]
fn control_tower_region_deny_scp() {
    let scps = scp_chain_with(vec![scp_fixture("scp/scp-controltower-grregiondeny.json")]);
    let instance = || Resource::new(&format!("arn:aws:ec2:ap-southeast-2:{MEMBER}:instance/*"));

    let unapproved = request(
        user(MEMBER, "dev"),
        "ec2:RunInstances",
        instance(),
        "ap-southeast-2",
        &[],
    );
    assert_eq!(
        decide_under_scps(&scps, &unapproved),
        Decision::ExplicitlyDenied
    );

    let approved = request(
        user(MEMBER, "dev"),
        "ec2:RunInstances",
        instance(),
        "us-east-1",
        &[],
    );
    assert_eq!(decide_under_scps(&scps, &approved), Decision::Allowed);

    let execution_role = role_session(MEMBER, "AWSControlTowerExecution");
    let exempt_role = request(
        execution_role,
        "ec2:RunInstances",
        instance(),
        "ap-southeast-2",
        &[],
    );
    assert_eq!(decide_under_scps(&scps, &exempt_role), Decision::Allowed);

    let other_role = request(
        role_session(MEMBER, "Deploy"),
        "ec2:RunInstances",
        instance(),
        "ap-southeast-2",
        &[],
    );
    assert_eq!(
        decide_under_scps(&scps, &other_role),
        Decision::ExplicitlyDenied
    );

    for exempt_action in [
        "iam:CreateRole",
        "sts:AssumeRole",
        "s3:GetBucketLocation",
        "organizations:ListAccounts",
    ] {
        let global = request(
            user(MEMBER, "dev"),
            exempt_action,
            Resource::new("*"),
            "ap-southeast-2",
            &[],
        );
        assert_eq!(
            decide_under_scps(&scps, &global),
            Decision::Allowed,
            "{exempt_action}"
        );
    }
    let object = request(
        user(MEMBER, "dev"),
        "s3:GetObject",
        Resource::new("arn:aws:s3:::b/k"),
        "ap-southeast-2",
        &[],
    );
    assert_eq!(
        decide_under_scps(&scps, &object),
        Decision::ExplicitlyDenied
    );
}

#[test]
fn deny_leave_organization_scp() {
    let scp = scp_fixture("scp/scp-deny-leave-organization.json");
    let scps = scp_chain_with(vec![scp.clone()]);

    let leave = request(
        user(MEMBER, "admin"),
        "organizations:LeaveOrganization",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    assert_eq!(decide_under_scps(&scps, &leave), Decision::ExplicitlyDenied);

    let describe = request(
        user(MEMBER, "admin"),
        "organizations:DescribeOrganization",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    assert_eq!(decide_under_scps(&scps, &describe), Decision::Allowed);

    // SCPs never apply to the management account.
    let management_chain = policy::OrganizationPolicies::management(scps.levels.clone());
    let from_management = request(
        user(MANAGEMENT, "admin"),
        "organizations:LeaveOrganization",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    assert_eq!(
        decide_under_scps(&management_chain, &from_management),
        Decision::Allowed
    );
}

#[test]
fn deny_root_except_bucket_policy_scp() {
    let scps = scp_chain_with(vec![scp_fixture(
        "scp/scp-deny-root-except-s3-bucketpolicy.json",
    )]);
    let bucket = || Resource::new("arn:aws:s3:::bucket").with_account(MEMBER);

    let root_iam = request(
        Principal::root(MEMBER),
        "iam:CreateUser",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    assert_eq!(
        decide_under_scps(&scps, &root_iam),
        Decision::ExplicitlyDenied
    );

    let root_bucket_policy = request(
        Principal::root(MEMBER),
        "s3:PutBucketPolicy",
        bucket(),
        "us-east-1",
        &[],
    );
    assert_eq!(
        decide_under_scps(&scps, &root_bucket_policy),
        Decision::Allowed
    );

    let user_iam = request(
        user(MEMBER, "admin"),
        "iam:CreateUser",
        Resource::new("*"),
        "us-east-1",
        &[],
    );
    assert_eq!(decide_under_scps(&scps, &user_iam), Decision::Allowed);
}

#[test]
fn require_instance_type_scp() {
    let scps = scp_chain_with(vec![scp_fixture("scp/scp-require-ec2-instance-type.json")]);
    let instance = || Resource::new(&format!("arn:aws:ec2:us-east-1:{MEMBER}:instance/*"));
    let run = |resource: Resource, context: &[(&str, &str)]| {
        let request = request(
            user(MEMBER, "dev"),
            "ec2:RunInstances",
            resource,
            "us-east-1",
            context,
        );
        decide_under_scps(&scps, &request)
    };

    assert_eq!(
        run(instance(), &[("ec2:InstanceType", "t2.micro")]),
        Decision::Allowed
    );
    assert_eq!(
        run(instance(), &[("ec2:InstanceType", "t3.micro")]),
        Decision::Allowed
    );
    assert_eq!(
        run(instance(), &[("ec2:InstanceType", "m5.large")]),
        Decision::ExplicitlyDenied
    );
    // StringNotEquals is true for a missing key, so a request without the key is denied.
    assert_eq!(run(instance(), &[]), Decision::ExplicitlyDenied);
    // The statement covers only instance ARNs: the volume of the same call is not affected.
    let volume = Resource::new(&format!("arn:aws:ec2:us-east-1:{MEMBER}:volume/*"));
    assert_eq!(
        run(volume, &[("ec2:InstanceType", "m5.large")]),
        Decision::Allowed
    );
}

/// Decides a request on a resource in the member account, whose RCP chain is `rcps`.
fn decide_under_rcps(rcps: &policy::OrganizationPolicies, request: &policy::Request) -> Decision {
    let identity = [administrator_access()];
    let bucket_policy = policy(
        "bucket-policy",
        PolicyKind::Resource,
        &format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "{OTHER}"}}, "Action": "s3:*", "Resource": "*"}}"#
        ),
    );
    let policies = PolicySet {
        identity: &identity,
        resource: Some(&bucket_policy),
        resource_control: Some(rcps),
        ..PolicySet::default()
    };
    Evaluator::new().authorize(request, &policies).decision
}

#[test]
fn enforce_https_rcp() {
    let rcps = rcp_chain_with(vec![rcp_fixture("rcp/rcp-enforce-https.json")]);
    let object = || Resource::new("arn:aws:s3:::bucket/key").with_account(MEMBER);
    let get = |context: &[(&str, &str)]| {
        let request = request(
            user(MEMBER, "reader"),
            "s3:GetObject",
            object(),
            "us-east-1",
            context,
        );
        decide_under_rcps(&rcps, &request)
    };

    assert_eq!(
        get(&[("aws:SecureTransport", "false")]),
        Decision::ExplicitlyDenied
    );
    assert_eq!(get(&[("aws:SecureTransport", "true")]), Decision::Allowed);
    // BoolIfExists holds for a missing key, so the Deny also applies when the request
    // carries no aws:SecureTransport (AWS always sets it).
    assert_eq!(get(&[]), Decision::ExplicitlyDenied);

    // The RCP of the resource's account applies to callers from other accounts too.
    let external = request(
        user(OTHER, "partner"),
        "s3:GetObject",
        object(),
        "us-east-1",
        &[("aws:SecureTransport", "false")],
    );
    assert_eq!(
        decide_under_rcps(&rcps, &external),
        Decision::ExplicitlyDenied
    );

    let unlisted_service = request(
        user(MEMBER, "reader"),
        "ec2:DescribeInstances",
        Resource::new("*"),
        "us-east-1",
        &[("aws:SecureTransport", "false")],
    );
    assert_eq!(
        decide_under_rcps(&rcps, &unlisted_service),
        Decision::Allowed
    );
}

#[test]
fn identity_perimeter_rcp() {
    let rcps = rcp_chain_with(vec![rcp_fixture(
        "rcp/rcp-data-perimeter-identity-perimeter.json",
    )]);
    let object = || Resource::new("arn:aws:s3:::bucket/key").with_account(MEMBER);

    // Callers from other accounts are denied unless the organization, a listed account or
    // the resource's exclusion tag lets them through.
    let cases: [(&str, &str, &str, Decision); 4] = [
        (
            MEMBER,
            "aws:PrincipalOrgID",
            "<my-org-id>",
            Decision::Allowed,
        ),
        (
            OTHER,
            "aws:PrincipalOrgID",
            "o-elsewhere",
            Decision::ExplicitlyDenied,
        ),
        (
            OTHER,
            "aws:PrincipalAccount",
            "<third-party-account-a>",
            Decision::Allowed,
        ),
        (
            OTHER,
            "aws:ResourceTag/dp:exclude:identity",
            "true",
            Decision::Allowed,
        ),
    ];
    for (account, key, value, expected) in cases {
        let get = request(
            user(account, "caller"),
            "s3:GetObject",
            object(),
            "us-east-1",
            &[(key, value)],
        );
        assert_eq!(
            decide_under_rcps(&rcps, &get),
            expected,
            "{account} with {key}={value}"
        );
    }

    // A service acting for an account outside the organization is stopped by the
    // confused-deputy statement.
    let service = Principal::service("cloudtrail.amazonaws.com");
    let deputy = request(
        service,
        "s3:PutObject",
        object(),
        "us-east-1",
        &[("aws:SourceAccount", "777777777777")],
    );
    let identity: [Policy; 0] = [];
    let bucket_policy = policy(
        "bucket-policy",
        PolicyKind::Resource,
        r#"{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"}"#,
    );
    let policies = PolicySet {
        identity: &identity,
        resource: Some(&bucket_policy),
        resource_control: Some(&rcps),
        ..PolicySet::default()
    };
    assert_eq!(
        Evaluator::new().authorize(&deputy, &policies).decision,
        Decision::ExplicitlyDenied
    );

    let own_org = request(
        Principal::service("cloudtrail.amazonaws.com"),
        "s3:PutObject",
        object(),
        "us-east-1",
        &[
            ("aws:SourceAccount", MEMBER),
            ("aws:SourceOrgID", "<my-org-id>"),
        ],
    );
    assert_eq!(
        Evaluator::new().authorize(&own_org, &policies).decision,
        Decision::Allowed
    );
}

#[test]
fn full_access_managed_policies_allow_everything() {
    let scps = scp_chain_with(Vec::new());
    let rcps = rcp_chain_with(Vec::new());
    let identity = [administrator_access()];
    let policies = PolicySet {
        identity: &identity,
        service_control: Some(&scps),
        resource_control: Some(&rcps),
        ..PolicySet::default()
    };
    for action in [
        "s3:GetObject",
        "ec2:RunInstances",
        "organizations:LeaveOrganization",
        "kms:Decrypt",
    ] {
        let request = request(
            user(MEMBER, "admin"),
            action,
            Resource::new("*"),
            "sa-east-1",
            &[],
        );
        assert_eq!(
            Evaluator::new().authorize(&request, &policies).decision,
            Decision::Allowed,
            "{action}"
        );
    }
}

#[test]
fn full_language_scp_from_2025() {
    let language = scp_fixture("authored/scp-2025-full-language-features.json");
    // This SCP replaces FullAWSAccess at the OU: its Allow statements are the only ones there.
    let scps = policy::OrganizationPolicies::member(vec![
        policy::Level::new("r-root", vec![full_aws_access()]),
        policy::Level::new("ou-root-workloads", vec![language]),
        policy::Level::new(MEMBER, vec![full_aws_access()]),
    ]);
    let decide = |principal: Principal,
                  action: &str,
                  resource: Resource,
                  region: &str,
                  context: &[(&str, &str)]| {
        decide_under_scps(
            &scps,
            &request(principal, action, resource, region, context),
        )
    };
    let instance = || Resource::new(&format!("arn:aws:ec2:eu-west-1:{MEMBER}:instance/*"));

    assert_eq!(
        decide(
            user(MEMBER, "dev"),
            "ec2:RunInstances",
            instance(),
            "eu-west-1",
            &[]
        ),
        Decision::Allowed
    );
    assert_eq!(
        decide(
            user(MEMBER, "dev"),
            "ec2:RunInstances",
            instance(),
            "ap-south-1",
            &[]
        ),
        Decision::ImplicitlyDenied
    );
    assert_eq!(
        decide(
            user(MEMBER, "dev"),
            "sqs:SendMessage",
            Resource::new("*"),
            "ap-south-1",
            &[]
        ),
        Decision::Allowed
    );

    let corp = Resource::new("arn:aws:s3:::corp-logs/2026/01/01.gz");
    let personal = || Resource::new("arn:aws:s3:::personal-bucket/key");
    assert_eq!(
        decide(user(MEMBER, "dev"), "s3:GetObject", corp, "eu-west-1", &[]),
        Decision::Allowed
    );
    assert_eq!(
        decide(
            user(MEMBER, "dev"),
            "s3:GetObject",
            personal(),
            "eu-west-1",
            &[("aws:ResourceOrgID", "o-other")]
        ),
        Decision::ExplicitlyDenied
    );
    assert_eq!(
        decide(
            user(MEMBER, "dev"),
            "s3:GetObject",
            personal(),
            "eu-west-1",
            &[("aws:ResourceOrgID", "o-exampleorg1")]
        ),
        Decision::Allowed
    );

    let own_table = || Resource::new(&format!("arn:aws:dynamodb:eu-west-1:{MEMBER}:table/orders"));
    assert_eq!(
        decide(
            user(MEMBER, "dev"),
            "dynamodb:DeleteTable",
            own_table(),
            "eu-west-1",
            &[]
        ),
        Decision::ExplicitlyDenied
    );
    assert_eq!(
        decide(
            user(MEMBER, "dev"),
            "dynamodb:DeleteTable",
            own_table(),
            "eu-west-1",
            &[("aws:PrincipalTag/team", "platform")]
        ),
        Decision::Allowed
    );
    // `${aws:PrincipalAccount}` limits the Deny to the caller's own tables: on another
    // account's table the SCP lets the call through, and only the missing resource policy
    // stops it.
    let foreign_table = Resource::new(&format!("arn:aws:dynamodb:eu-west-1:{OTHER}:table/orders"));
    let identity = [administrator_access()];
    let policies = PolicySet {
        identity: &identity,
        service_control: Some(&scps),
        ..PolicySet::default()
    };
    let cross_account = request(
        user(MEMBER, "dev"),
        "dynamodb:DeleteTable",
        foreign_table,
        "eu-west-1",
        &[],
    );
    assert_eq!(
        Evaluator::new().authorize(&cross_account, &policies).basis,
        Basis::NoAllow {
            source: Source::ResourcePolicy
        }
    );
    assert_eq!(
        decide(
            user(MEMBER, "dev"),
            "s3:DeleteBucketPolicy",
            Resource::new("arn:aws:s3:::corp-logs"),
            "eu-west-1",
            &[]
        ),
        Decision::ExplicitlyDenied
    );
}

#[test]
fn full_language_scp_is_rejected_by_legacy_grammar() {
    let options = CompileOptions {
        scp_grammar: ScpGrammar::Legacy,
        ..CompileOptions::default()
    };
    let document = fixture("authored/scp-2025-full-language-features.json");
    let error = Policy::compile_with("legacy", PolicyKind::ServiceControl, &document, &options)
        .unwrap_err();
    assert_eq!(
        error.violation(),
        Some(&Violation::LegacyScpConstruct {
            construct: "a Condition in an Allow statement"
        })
    );
    assert_eq!(
        error.location(),
        Some(Location {
            line: 12,
            column: 7
        })
    );

    for (path, _) in FIXTURES
        .iter()
        .filter(|(path, kind)| *kind == PolicyKind::ServiceControl && !path.contains("2025"))
    {
        assert!(
            Policy::compile_with(path, PolicyKind::ServiceControl, &fixture(path), &options)
                .is_ok(),
            "{path}"
        );
    }
}

#[test]
fn region_deny_trace_names_deciding_statement() {
    let scps = scp_chain_with(vec![scp_fixture("scp/scp-controltower-grregiondeny.json")]);
    let identity = [administrator_access()];
    let policies = PolicySet {
        identity: &identity,
        service_control: Some(&scps),
        ..PolicySet::default()
    };
    let denied = request(
        user(MEMBER, "dev"),
        "ec2:RunInstances",
        Resource::new(&format!("arn:aws:ec2:ap-southeast-2:{MEMBER}:instance/*")),
        "ap-southeast-2",
        &[],
    );
    let authorization = Evaluator::new().authorize(&denied, &policies);
    let Basis::ExplicitDeny { source, statement } = authorization.basis else {
        panic!("expected an explicit deny, got {:?}", authorization.basis);
    };
    assert_eq!(
        source,
        Source::ServiceControl {
            level: 1,
            target: "ou-root-workloads"
        }
    );
    assert_eq!(
        statement.policy_id(),
        "scp/scp-controltower-grregiondeny.json"
    );
    assert_eq!(statement.sid(), Some("GRREGIONDENY"));
}
