//! The access diff of `bulkhead plan` on 100 member accounts, every catalog action and three
//! regions, with a change that touches every account's chain.
//!
//! The organization is built in memory: 100 accounts in 10 OUs under Workloads, FullAWSAccess
//! on every target, and a region restriction on Workloads. Two edits of that restriction are
//! measured. Adding `cloudfront:*` to its NotAction list changes only which actions the
//! statement matches, so only CloudFront's actions are decided. Allowing a second region
//! changes its condition, so every action the statement matches can flip and nearly the whole
//! catalog is decided: about 6.6 million (account, action, region) decisions, each made under
//! the old and the new chain.

#![allow(clippy::unwrap_used, reason = "a benchmark fails on any error")]

use std::collections::{BTreeMap, BTreeSet};

use bulkhead::landing_zone::file::{Account, PolicyDeclaration, Unit};
use bulkhead::landing_zone::live::{LiveAccount, LivePolicy, LiveUnit};
use bulkhead::landing_zone::{ActionTable, LandingZone, LiveOrganization, access_diff};
use criterion::{Criterion, criterion_group, criterion_main};

const FULL_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn region_restriction(exempt: &str, regions: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"DenyOtherRegions","Effect":"Deny","NotAction":["iam:*","organizations:*","sts:*",{exempt}],"Resource":"*","Condition":{{"StringNotEquals":{{"aws:RequestedRegion":[{regions}]}}}}}}]}}"#
    )
}

/// Builds the organization and a file that replaces its region restriction with `after`.
fn organization(after: String) -> (LandingZone, LiveOrganization) {
    let mut live = LiveOrganization {
        exists: true,
        management_account_id: "000000000000".to_owned(),
        root_id: "r-root".to_owned(),
        enabled_policy_types: BTreeSet::from(["SERVICE_CONTROL_POLICY".to_owned()]),
        ..LiveOrganization::default()
    };
    let mut file = LandingZone {
        source: "bench.yaml".to_owned(),
        regions: vec!["us-east-1".into(), "us-west-2".into(), "eu-west-1".into()],
        enabled_policy_types: vec!["SERVICE_CONTROL_POLICY".to_owned()],
        trusted_services: Vec::new(),
        retirement_ou: None,
        root_tags: BTreeMap::new(),
        units: Vec::new(),
        accounts: Vec::new(),
        policies: Vec::new(),
        delegated_administrators: Vec::new(),
    };
    let mut targets = BTreeSet::from(["r-root".to_owned(), "ou-workloads".to_owned()]);
    live.units.push(LiveUnit {
        id: "ou-workloads".to_owned(),
        name: "Workloads".to_owned(),
        parent_id: "r-root".to_owned(),
        tags: BTreeMap::new(),
    });
    file.units.push(Unit {
        name: "Workloads".to_owned(),
        parent: "Root".to_owned(),
        tags: BTreeMap::new(),
    });
    for team in 0..10 {
        let unit_id = format!("ou-team{team}");
        let unit_name = format!("Team {team}");
        live.units.push(LiveUnit {
            id: unit_id.clone(),
            name: unit_name.clone(),
            parent_id: "ou-workloads".to_owned(),
            tags: BTreeMap::new(),
        });
        file.units.push(Unit {
            name: unit_name.clone(),
            parent: "Workloads".to_owned(),
            tags: BTreeMap::new(),
        });
        targets.insert(unit_id.clone());
        for member in 0..10 {
            let id = format!("{:012}", 100_000 + team * 10 + member);
            let name = format!("Account {team}-{member}");
            let email = format!("account-{team}-{member}@example.com");
            live.accounts.push(LiveAccount {
                id: id.clone(),
                name: name.clone(),
                email: email.clone(),
                parent_id: unit_id.clone(),
                status: "ACTIVE".to_owned(),
                tags: BTreeMap::new(),
            });
            file.accounts.push(Account {
                name,
                email,
                unit: unit_name.clone(),
                retired: false,
                tags: BTreeMap::new(),
            });
            targets.insert(id);
        }
    }
    live.policies.push(LivePolicy {
        id: "p-FullAWSAccess".to_owned(),
        name: "FullAWSAccess".to_owned(),
        policy_type: "SERVICE_CONTROL_POLICY".to_owned(),
        description: String::new(),
        content: FULL_ACCESS.to_owned(),
        document: serde_json::from_str(FULL_ACCESS).unwrap(),
        aws_managed: true,
        targets,
        tags: BTreeMap::new(),
    });
    let before = region_restriction(r#""s3:ListAllMyBuckets""#, r#""us-east-1""#);
    live.policies.push(LivePolicy {
        id: "p-regions".to_owned(),
        name: "WorkloadRegions".to_owned(),
        policy_type: "SERVICE_CONTROL_POLICY".to_owned(),
        description: String::new(),
        document: serde_json::from_str(&before).unwrap(),
        content: before,
        aws_managed: false,
        targets: BTreeSet::from(["ou-workloads".to_owned()]),
        tags: BTreeMap::new(),
    });
    file.policies.push(PolicyDeclaration {
        name: "WorkloadRegions".to_owned(),
        policy_type: "SERVICE_CONTROL_POLICY".to_owned(),
        description: String::new(),
        document: serde_json::from_str(&after).unwrap(),
        content: after,
        targets: vec!["Workloads".to_owned()],
        tags: BTreeMap::new(),
    });
    (file, live)
}

fn access_diff_100_accounts(c: &mut Criterion) {
    let catalog = catalog::Catalog::builtin().unwrap();
    let actions = ActionTable::new(catalog);
    let evaluator = cloud::access::evaluator();
    let edits = [
        (
            "NotAction edit, 100 accounts x 3 regions",
            region_restriction(r#""s3:ListAllMyBuckets","cloudfront:*""#, r#""us-east-1""#),
        ),
        (
            "condition edit, 100 accounts x catalog x 3 regions",
            region_restriction(r#""s3:ListAllMyBuckets""#, r#""us-east-1","us-west-2""#),
        ),
    ];

    let mut group = c.benchmark_group("access_diff");
    group.sample_size(10);
    for (name, after) in edits {
        let (file, live) = organization(after);
        let diff = access_diff(&file, &live, &actions, evaluator).unwrap();
        println!(
            "{name}: {} accounts with changed chains, {} decisions, {} groups",
            diff.accounts_with_changed_chains,
            diff.decisions_evaluated,
            diff.groups.len()
        );
        group.bench_function(name, |b| {
            b.iter(|| access_diff(&file, &live, &actions, evaluator).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, access_diff_100_accounts);
criterion_main!(benches);
