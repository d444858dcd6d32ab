//! `bulkhead simulate` against an in-process server: the guardrail chain is read through the
//! Organizations API and decided with the policy engine.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use aws_sdk_organizations::types::PolicyType;
use bulkhead::simulate::{Simulation, fetch_guardrails, render, simulate};
use common::{MANAGEMENT, attach_new_policy, create_account, organization_with_root, start_server};
use policy::Decision;

const REGION_DENY: &str =
    include_str!("../../policy/tests/policies/scp/scp-region-deny-aws-samples.json");

fn simulation(account_id: &str, action: &str, region: &str) -> Simulation {
    Simulation {
        account_id: account_id.to_owned(),
        principal_arn: None,
        actions: vec![action.to_owned()],
        resource: "*".to_owned(),
        region: region.to_owned(),
        context: Vec::new(),
    }
}

#[tokio::test]
async fn region_deny_scp_decides_by_region() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let unit = management
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("Workloads")
        .send()
        .await
        .unwrap();
    let unit_id = unit.organizational_unit().unwrap().id().unwrap().to_owned();
    let account = create_account(&management, "App", "app@example.com").await;
    management
        .move_account()
        .account_id(&account)
        .source_parent_id(&root_id)
        .destination_parent_id(&unit_id)
        .send()
        .await
        .unwrap();
    let policy_id = attach_new_policy(
        &management,
        PolicyType::ServiceControlPolicy,
        "RegionDeny",
        REGION_DENY,
        &unit_id,
    )
    .await;

    let guardrails = fetch_guardrails(&management, &account).await.unwrap();
    let chain = guardrails.service_control.as_ref().unwrap();
    assert_eq!(chain.levels.len(), 3, "root, OU and account");
    assert!(guardrails.resource_control.is_none());

    let denied = simulation(&account, "ec2:RunInstances", "ap-south-1");
    let outcomes = simulate(&guardrails, &denied).unwrap();
    assert_eq!(outcomes[0].decision, Decision::ExplicitlyDenied);
    assert!(
        outcomes[0].report.contains(&policy_id),
        "{}",
        outcomes[0].report
    );
    assert!(render(&denied, &outcomes).contains("ExplicitlyDenied"));

    let allowed = simulate(
        &guardrails,
        &simulation(&account, "ec2:RunInstances", "eu-west-1"),
    )
    .unwrap();
    assert_eq!(allowed[0].decision, Decision::Allowed);
    let exempt_action = simulate(
        &guardrails,
        &simulation(&account, "iam:CreateRole", "ap-south-1"),
    )
    .unwrap();
    assert_eq!(exempt_action[0].decision, Decision::Allowed);

    // SCPs never apply to the management account.
    let management_guardrails = fetch_guardrails(&management, MANAGEMENT).await.unwrap();
    let outcome = simulate(
        &management_guardrails,
        &simulation(MANAGEMENT, "ec2:RunInstances", "ap-south-1"),
    )
    .unwrap();
    assert_eq!(outcome[0].decision, Decision::Allowed);
}

#[tokio::test]
async fn middle_level_without_allow_denies() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let unit = management
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("Locked")
        .send()
        .await
        .unwrap();
    let unit_id = unit.organizational_unit().unwrap().id().unwrap().to_owned();
    let account = create_account(&management, "Inside", "inside@example.com").await;
    management
        .move_account()
        .account_id(&account)
        .source_parent_id(&root_id)
        .destination_parent_id(&unit_id)
        .send()
        .await
        .unwrap();

    let only_s3 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let created = management
        .create_policy()
        .name("OnlyS3")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(only_s3)
        .send()
        .await
        .unwrap();
    let policy_id = created
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    management
        .attach_policy()
        .policy_id(&policy_id)
        .target_id(&unit_id)
        .send()
        .await
        .unwrap();
    management
        .detach_policy()
        .policy_id("p-FullAWSAccess")
        .target_id(&unit_id)
        .send()
        .await
        .unwrap();

    let guardrails = fetch_guardrails(&management, &account).await.unwrap();
    let ec2 = simulate(
        &guardrails,
        &simulation(&account, "ec2:DescribeInstances", "us-east-1"),
    )
    .unwrap();
    assert_eq!(ec2[0].decision, Decision::ImplicitlyDenied);
    let s3 = simulate(
        &guardrails,
        &simulation(&account, "s3:GetObject", "us-east-1"),
    )
    .unwrap();
    assert_eq!(s3[0].decision, Decision::Allowed);
}
