//! Benchmarks of request evaluation and policy compilation.
//!
//! `decision/*` evaluates one request under a five-level organization (root, three OUs,
//! account) with three SCPs attached at each level, plus an identity policy with
//! conditions. `compile/*` parses, validates and compiles policy documents of typical
//! shapes. Run with `cargo bench -p bulkhead-policy --bench evaluate`.

#![allow(
    clippy::expect_used,
    reason = "a benchmark with a broken fixture should stop at once"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use policy::{
    Evaluator, Level, OrganizationPolicies, Policy, PolicyKind, PolicySet, Principal, Request,
    Resource,
};

const FULL_AWS_ACCESS: &str = include_str!("../tests/policies/managed/FullAWSAccess.json");
const REGION_DENY: &str = include_str!("../tests/policies/scp/scp-controltower-grregiondeny.json");
const DENY_LEAVE: &str = include_str!("../tests/policies/scp/scp-deny-leave-organization.json");
const DENY_ROOT: &str =
    include_str!("../tests/policies/scp/scp-deny-root-except-s3-bucketpolicy.json");
const INSTANCE_TYPE: &str =
    include_str!("../tests/policies/scp/scp-require-ec2-instance-type.json");
const FULL_LANGUAGE: &str =
    include_str!("../tests/policies/authored/scp-2025-full-language-features.json");
const IDENTITY_PERIMETER: &str =
    include_str!("../tests/policies/rcp/rcp-data-perimeter-identity-perimeter.json");

/// An identity policy with conditions, in the shape of a team's developer role.
const DEVELOPER: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ComputeInApprovedRegions",
      "Effect": "Allow",
      "Action": ["ec2:RunInstances", "ec2:Describe*", "ec2:StartInstances", "ec2:StopInstances"],
      "Resource": "*",
      "Condition": {
        "StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]},
        "Bool": {"aws:SecureTransport": "true"}
      }
    },
    {
      "Sid": "OwnPrefix",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "arn:aws:s3:::team-data/${aws:PrincipalTag/team}/*"
    },
    {
      "Sid": "NoIamWrites",
      "Effect": "Deny",
      "Action": ["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*"],
      "Resource": "*"
    }
  ]
}"#;

fn compile(id: &str, kind: PolicyKind, document: &str) -> Policy {
    Policy::compile(id, kind, document).expect("benchmark policy compiles")
}

fn five_level_organization() -> OrganizationPolicies {
    let full = compile(
        "p-FullAWSAccess",
        PolicyKind::ServiceControl,
        FULL_AWS_ACCESS,
    );
    let region_deny = compile("p-regiondeny", PolicyKind::ServiceControl, REGION_DENY);
    let deny_leave = compile("p-denyleave", PolicyKind::ServiceControl, DENY_LEAVE);
    let deny_root = compile("p-denyroot", PolicyKind::ServiceControl, DENY_ROOT);
    let instance_type = compile("p-instancetype", PolicyKind::ServiceControl, INSTANCE_TYPE);
    let full_language = compile("p-fulllanguage", PolicyKind::ServiceControl, FULL_LANGUAGE);

    OrganizationPolicies::member(vec![
        Level::new(
            "r-root",
            vec![full.clone(), deny_leave.clone(), deny_root.clone()],
        ),
        Level::new(
            "ou-root-workloads",
            vec![full.clone(), region_deny.clone(), instance_type.clone()],
        ),
        Level::new(
            "ou-root-production",
            vec![full.clone(), full_language, deny_leave.clone()],
        ),
        Level::new("ou-root-team", vec![full.clone(), deny_root, instance_type]),
        Level::new("111122223333", vec![full, region_deny, deny_leave]),
    ])
}

fn run_instances_request() -> Request {
    let principal = Principal::assumed_role("arn:aws:iam::111122223333:role/Developer", "alice")
        .expect("role ARN");
    Request::builder(
        principal,
        "ec2:RunInstances",
        Resource::new("arn:aws:ec2:us-east-1:111122223333:instance/*"),
    )
    .region("us-east-1")
    .context("aws:SecureTransport", "true")
    .context("ec2:InstanceType", "t3.micro")
    .context("aws:PrincipalTag/team", "payments")
    .build()
    .expect("request builds")
}

fn decision(criterion: &mut Criterion) {
    let organization = five_level_organization();
    let identity = [compile("developer", PolicyKind::Identity, DEVELOPER)];
    let policies = PolicySet {
        identity: &identity,
        service_control: Some(&organization),
        ..PolicySet::default()
    };
    let evaluator = Evaluator::new();
    let allowed = run_instances_request();
    assert!(evaluator.authorize(&allowed, &policies).is_allowed());

    let mut group = criterion.benchmark_group("decision");
    group.throughput(Throughput::Elements(1));
    group.bench_function("authorize_allowed_five_levels", |bencher| {
        bencher.iter(|| evaluator.authorize(black_box(&allowed), black_box(&policies)))
    });

    let principal = Principal::assumed_role("arn:aws:iam::111122223333:role/Developer", "alice")
        .expect("role ARN");
    let denied = Request::builder(
        principal,
        "organizations:LeaveOrganization",
        Resource::new("*"),
    )
    .region("us-east-1")
    .build()
    .expect("request builds");
    group.bench_function("authorize_denied_five_levels", |bencher| {
        bencher.iter(|| evaluator.authorize(black_box(&denied), black_box(&policies)))
    });
    group.bench_function("explain_allowed_five_levels", |bencher| {
        bencher.iter(|| evaluator.explain(black_box(&allowed), black_box(&policies)))
    });
    group.bench_function("build_request", |bencher| {
        bencher.iter(run_instances_request)
    });
    group.finish();
}

fn compilation(criterion: &mut Criterion) {
    let documents: [(&str, PolicyKind, &str); 3] = [
        ("identity_developer", PolicyKind::Identity, DEVELOPER),
        (
            "scp_region_deny_86_actions",
            PolicyKind::ServiceControl,
            REGION_DENY,
        ),
        (
            "rcp_identity_perimeter",
            PolicyKind::ResourceControl,
            IDENTITY_PERIMETER,
        ),
    ];
    let mut group = criterion.benchmark_group("compile");
    for (name, kind, document) in documents {
        group.throughput(Throughput::Bytes(document.len() as u64));
        group.bench_function(name, |bencher| {
            bencher.iter(|| Policy::compile(black_box("bench"), kind, black_box(document)))
        });
    }
    group.finish();
}

criterion_group!(benches, decision, compilation);
criterion_main!(benches);
