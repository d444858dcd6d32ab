//! Organizations policies through the AWS SDK for Rust: the policy lifecycle, attachments,
//! policy types, quotas, and effective management policies.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use aws_sdk_organizations::Client;
use aws_sdk_organizations::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_organizations::operation::attach_policy::AttachPolicyError;
use aws_sdk_organizations::operation::create_policy::CreatePolicyError;
use aws_sdk_organizations::operation::describe_effective_policy::DescribeEffectivePolicyError;
use aws_sdk_organizations::operation::detach_policy::DetachPolicyError;
use aws_sdk_organizations::operation::update_policy::UpdatePolicyError;
use aws_sdk_organizations::types::{
    ConstraintViolationExceptionReason, EffectivePolicyType, InvalidInputExceptionReason,
    OrganizationFeatureSet, PolicyType, PolicyTypeStatus, TargetType,
};
use common::{
    MANAGEMENT, client, config_with_accounts, create_account, organization_with_root, start_server,
    start_with,
};
use serde_json::{Value, json};

const REGION_DENY: &str =
    include_str!("../../policy/tests/policies/scp/scp-region-deny-aws-samples.json");
const DENY_LEAVE: &str =
    include_str!("../../policy/tests/policies/scp/scp-deny-leave-organization.json");
const INVALID_SCP: &str =
    include_str!("../../policy/tests/policies/scp/scp-INVALID-json-comment.json");
const ENFORCE_HTTPS_RCP: &str =
    include_str!("../../policy/tests/policies/rcp/rcp-enforce-https.json");

fn code<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> String {
    error.code().unwrap_or("<no code>").to_owned()
}

async fn create_policy(
    client: &Client,
    name: &str,
    policy_type: PolicyType,
    content: &str,
) -> String {
    let created = client
        .create_policy()
        .name(name)
        .description(format!("{name} for tests"))
        .r#type(policy_type)
        .content(content)
        .send()
        .await
        .unwrap();
    created
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned()
}

async fn scp_ids_of(client: &Client, target_id: &str) -> Vec<String> {
    let listed = client
        .list_policies_for_target()
        .target_id(target_id)
        .filter(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    listed
        .policies()
        .iter()
        .map(|policy| policy.id().unwrap().to_owned())
        .collect()
}

fn simple_scp(action: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}]}).to_string()
}

#[tokio::test]
async fn all_features_start_with_scps_enabled() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;

    let roots = management.list_roots().send().await.unwrap();
    let types = roots.roots()[0].policy_types();
    assert_eq!(types.len(), 1);
    assert_eq!(types[0].r#type(), Some(&PolicyType::ServiceControlPolicy));
    assert_eq!(types[0].status(), Some(&PolicyTypeStatus::Enabled));

    assert_eq!(
        scp_ids_of(&management, &root_id).await,
        vec!["p-FullAWSAccess"]
    );
    assert_eq!(
        scp_ids_of(&management, MANAGEMENT).await,
        vec!["p-FullAWSAccess"]
    );
    let unit = common::create_unit(&management, &root_id, "Workloads").await;
    assert_eq!(
        scp_ids_of(&management, &unit).await,
        vec!["p-FullAWSAccess"]
    );
    let account = create_account(&management, "Member", "member@example.com").await;
    assert_eq!(
        scp_ids_of(&management, &account).await,
        vec!["p-FullAWSAccess"]
    );

    let described = management
        .describe_policy()
        .policy_id("p-FullAWSAccess")
        .send()
        .await
        .unwrap();
    let summary = described.policy().unwrap().policy_summary().unwrap();
    assert!(summary.aws_managed());
    assert_eq!(
        summary.arn(),
        Some("arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess")
    );

    let again = management
        .enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "PolicyTypeAlreadyEnabledException");
}

#[tokio::test]
async fn policy_lifecycle() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let organization_id = management
        .describe_organization()
        .send()
        .await
        .unwrap()
        .organization()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();

    let id = create_policy(
        &management,
        "RegionDeny",
        PolicyType::ServiceControlPolicy,
        REGION_DENY,
    )
    .await;
    assert!(id.starts_with("p-") && id.len() == 10, "{id}");
    let described = management
        .describe_policy()
        .policy_id(&id)
        .send()
        .await
        .unwrap();
    let policy = described.policy().unwrap();
    assert_eq!(
        policy.content(),
        Some(REGION_DENY),
        "content is stored verbatim"
    );
    let summary = policy.policy_summary().unwrap();
    assert_eq!(summary.name(), Some("RegionDeny"));
    assert!(!summary.aws_managed());
    assert_eq!(
        summary.arn().unwrap(),
        format!(
            "arn:aws:organizations::{MANAGEMENT}:policy/{organization_id}/service_control_policy/{id}"
        )
    );

    let updated = management
        .update_policy()
        .policy_id(&id)
        .name("RegionDenyV2")
        .content(DENY_LEAVE)
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.policy().unwrap().policy_summary().unwrap().name(),
        Some("RegionDenyV2")
    );
    assert_eq!(updated.policy().unwrap().content(), Some(DENY_LEAVE));
    assert_eq!(
        updated
            .policy()
            .unwrap()
            .policy_summary()
            .unwrap()
            .description(),
        Some("RegionDeny for tests")
    );

    let listed = management
        .list_policies()
        .filter(PolicyType::ServiceControlPolicy)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.policies()[0].id(), Some("p-FullAWSAccess"));
    let next = management
        .list_policies()
        .filter(PolicyType::ServiceControlPolicy)
        .max_results(1)
        .next_token(listed.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(next.policies()[0].id(), Some(id.as_str()));
    assert!(next.next_token().is_none());

    management
        .delete_policy()
        .policy_id(&id)
        .send()
        .await
        .unwrap();
    let gone = management
        .describe_policy()
        .policy_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "PolicyNotFoundException");
}

#[tokio::test]
async fn policy_documents_are_validated() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;

    let malformed = management
        .create_policy()
        .name("Broken")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(INVALID_SCP)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&malformed), "MalformedPolicyDocumentException");
    let message = malformed.message().unwrap_or_default().to_owned();
    assert!(message.contains("line"), "{message}");

    let principal = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]});
    let error = management
        .create_policy()
        .name("WithPrincipal")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(principal.to_string())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&error), "MalformedPolicyDocumentException");

    let padded = format!("{}{}", simple_scp("s3:*"), " ".repeat(5_200));
    let too_large = management
        .create_policy()
        .name("Huge")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(padded)
        .send()
        .await
        .unwrap_err();
    match too_large.into_service_error() {
        CreatePolicyError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason(),
                Some(&ConstraintViolationExceptionReason::PolicyContentLimitExceeded)
            );
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }

    create_policy(
        &management,
        "Taken",
        PolicyType::ServiceControlPolicy,
        &simple_scp("s3:*"),
    )
    .await;
    let duplicate = management
        .create_policy()
        .name("Taken")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(simple_scp("ec2:*"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&duplicate), "DuplicatePolicyException");

    let bad_tag_policy = management
        .create_policy()
        .name("BadTags")
        .description("")
        .r#type(PolicyType::TagPolicy)
        .content(r#"{"tags": {"team": {"tag_key": {"@@append": "Team"}}}}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_tag_policy), "MalformedPolicyDocumentException");
}

#[tokio::test]
async fn aws_managed_policies_are_immutable() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let update = management
        .update_policy()
        .policy_id("p-FullAWSAccess")
        .name("Mine")
        .send()
        .await
        .unwrap_err();
    match update.into_service_error() {
        UpdatePolicyError::InvalidInputException(error) => {
            assert_eq!(
                error.reason(),
                Some(&InvalidInputExceptionReason::ImmutablePolicy)
            );
        }
        other => panic!("expected InvalidInputException, got {other:?}"),
    }
    let delete = management
        .delete_policy()
        .policy_id("p-FullAWSAccess")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&delete), "InvalidInputException");
    let missing = management
        .update_policy()
        .policy_id("p-zzzzzzzz")
        .name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "PolicyNotFoundException");
}

#[tokio::test]
async fn attachments_and_their_limits() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let unit = common::create_unit(&management, &root_id, "Workloads").await;
    let region_deny = create_policy(
        &management,
        "RegionDeny",
        PolicyType::ServiceControlPolicy,
        REGION_DENY,
    )
    .await;

    management
        .attach_policy()
        .policy_id(&region_deny)
        .target_id(&unit)
        .send()
        .await
        .unwrap();
    assert_eq!(
        scp_ids_of(&management, &unit).await,
        vec!["p-FullAWSAccess".to_owned(), region_deny.clone()]
    );

    let targets = management
        .list_targets_for_policy()
        .policy_id(&region_deny)
        .send()
        .await
        .unwrap();
    assert_eq!(targets.targets().len(), 1);
    assert_eq!(targets.targets()[0].target_id(), Some(unit.as_str()));
    assert_eq!(
        targets.targets()[0].r#type(),
        Some(&TargetType::OrganizationalUnit)
    );
    assert_eq!(targets.targets()[0].name(), Some("Workloads"));

    let duplicate = management
        .attach_policy()
        .policy_id(&region_deny)
        .target_id(&unit)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&duplicate), "DuplicatePolicyAttachmentException");
    let missing_target = management
        .attach_policy()
        .policy_id(&region_deny)
        .target_id("ou-zzzz-zzzzzzzz")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing_target), "TargetNotFoundException");
    let missing_policy = management
        .attach_policy()
        .policy_id("p-zzzzzzzz")
        .target_id(&unit)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing_policy), "PolicyNotFoundException");

    for index in 0..3 {
        let id = create_policy(
            &management,
            &format!("Extra {index}"),
            PolicyType::ServiceControlPolicy,
            &simple_scp("s3:*"),
        )
        .await;
        management
            .attach_policy()
            .policy_id(&id)
            .target_id(&unit)
            .send()
            .await
            .unwrap();
    }
    let sixth = create_policy(
        &management,
        "Sixth",
        PolicyType::ServiceControlPolicy,
        &simple_scp("ec2:*"),
    )
    .await;
    match management
        .attach_policy()
        .policy_id(&sixth)
        .target_id(&unit)
        .send()
        .await
        .unwrap_err()
        .into_service_error()
    {
        AttachPolicyError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason(),
                Some(&ConstraintViolationExceptionReason::MaxPolicyTypeAttachmentLimitExceeded)
            );
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }

    let in_use = management
        .delete_policy()
        .policy_id(&region_deny)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&in_use), "PolicyInUseException");
    management
        .detach_policy()
        .policy_id(&region_deny)
        .target_id(&unit)
        .send()
        .await
        .unwrap();
    let not_attached = management
        .detach_policy()
        .policy_id(&region_deny)
        .target_id(&unit)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&not_attached), "PolicyNotAttachedException");
    management
        .delete_policy()
        .policy_id(&region_deny)
        .send()
        .await
        .unwrap();

    match management
        .detach_policy()
        .policy_id("p-FullAWSAccess")
        .target_id(MANAGEMENT)
        .send()
        .await
        .unwrap_err()
        .into_service_error()
    {
        DetachPolicyError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason(),
                Some(&ConstraintViolationExceptionReason::MinPolicyTypeAttachmentLimitExceeded)
            );
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }
}

#[tokio::test]
async fn resource_control_policies() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let account = create_account(&management, "Member", "member@example.com").await;

    let not_enabled = {
        let id = create_policy(
            &management,
            "Https",
            PolicyType::ResourceControlPolicy,
            ENFORCE_HTTPS_RCP,
        )
        .await;
        management
            .attach_policy()
            .policy_id(&id)
            .target_id(&account)
            .send()
            .await
            .unwrap_err()
    };
    assert_eq!(code(&not_enabled), "PolicyTypeNotEnabledException");

    let enabled = management
        .enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ResourceControlPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(enabled.root().unwrap().policy_types().len(), 2);
    for target in [root_id.as_str(), account.as_str(), MANAGEMENT] {
        let listed = management
            .list_policies_for_target()
            .target_id(target)
            .filter(PolicyType::ResourceControlPolicy)
            .send()
            .await
            .unwrap();
        assert_eq!(
            listed.policies()[0].id(),
            Some("p-RCPFullAWSAccess"),
            "{target}"
        );
    }
    match management
        .detach_policy()
        .policy_id("p-RCPFullAWSAccess")
        .target_id(&account)
        .send()
        .await
        .unwrap_err()
        .into_service_error()
    {
        DetachPolicyError::InvalidInputException(error) => {
            assert_eq!(
                error.reason(),
                Some(&InvalidInputExceptionReason::NonDetachablePolicy)
            );
        }
        other => panic!("expected InvalidInputException, got {other:?}"),
    }

    let allow_rcp = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]});
    let rejected = management
        .create_policy()
        .name("AllowRcp")
        .description("")
        .r#type(PolicyType::ResourceControlPolicy)
        .content(allow_rcp.to_string())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&rejected), "MalformedPolicyDocumentException");

    let disabled = management
        .disable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ResourceControlPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.root().unwrap().policy_types().len(), 1);
    let listed = management
        .list_policies_for_target()
        .target_id(&account)
        .filter(PolicyType::ResourceControlPolicy)
        .send()
        .await
        .unwrap();
    assert!(listed.policies().is_empty());
    let again = management
        .disable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ResourceControlPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "PolicyTypeNotEnabledException");
    let missing_root = management
        .enable_policy_type()
        .root_id("r-zzzz")
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing_root), "RootNotFoundException");
}

#[tokio::test]
async fn consolidated_billing_has_no_policies() {
    let server = start_server().await;
    let management = client(&server, MANAGEMENT);
    management
        .create_organization()
        .feature_set(OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .unwrap();
    let root_id = management.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    assert!(
        management.list_roots().send().await.unwrap().roots()[0]
            .policy_types()
            .is_empty()
    );

    let enable = management
        .enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&enable),
        "PolicyTypeNotAvailableForOrganizationException"
    );
    let create = management
        .create_policy()
        .name("x")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(simple_scp("s3:*"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&create),
        "PolicyTypeNotAvailableForOrganizationException"
    );
}

#[tokio::test]
async fn member_cannot_manage_policies() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let member_id = create_account(&management, "Member", "member@example.com").await;
    let member = client(&server, &member_id);
    let denied = member
        .create_policy()
        .name("x")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(simple_scp("s3:*"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied), "AccessDeniedException");
    let denied = member
        .list_policies()
        .filter(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied), "AccessDeniedException");
}

fn tag_policy(tag_value: Value, extra: Option<(&str, Value)>) -> String {
    let mut costcenter = json!({"tag_key": {"@@assign": "CostCenter"}, "tag_value": tag_value});
    if let Some((key, value)) = extra {
        costcenter[key] = value;
    }
    json!({"tags": {"costcenter": costcenter}}).to_string()
}

#[tokio::test]
async fn effective_tag_policy_over_three_levels() {
    let server = start_with(config_with_accounts(10)).await;
    let (management, root_id) = organization_with_root(&server).await;
    management
        .enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    let unit = common::create_unit(&management, &root_id, "Workloads").await;
    let account = create_account(&management, "App", "app@example.com").await;
    management
        .move_account()
        .account_id(&account)
        .source_parent_id(&root_id)
        .destination_parent_id(&unit)
        .send()
        .await
        .unwrap();

    let root_policy = tag_policy(
        json!({"@@assign": ["100", "200"]}),
        Some((
            "@@operators_allowed_for_child_policies",
            json!(["@@append", "@@remove"]),
        )),
    );
    let unit_policy = tag_policy(json!({"@@append": ["300"]}), None);
    let account_policy =
        json!({"tags": {"costcenter": {"tag_value": {"@@remove": ["100"]}}}}).to_string();
    for (name, content, target) in [
        ("Root", &root_policy, &root_id),
        ("Unit", &unit_policy, &unit),
        ("Account", &account_policy, &account),
    ] {
        let id = create_policy(&management, name, PolicyType::TagPolicy, content).await;
        management
            .attach_policy()
            .policy_id(&id)
            .target_id(target)
            .send()
            .await
            .unwrap();
    }

    let effective = management
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::TagPolicy)
        .target_id(&account)
        .send()
        .await
        .unwrap();
    let effective = effective.effective_policy().unwrap();
    let document: Value = serde_json::from_str(effective.policy_content().unwrap()).unwrap();
    assert_eq!(
        document,
        json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["200", "300"]}}})
    );
    assert_eq!(effective.target_id(), Some(account.as_str()));

    // The unit's policy also assigns tag_key, which the root forbids below it.
    let errors = management
        .list_effective_policy_validation_errors()
        .account_id(&account)
        .policy_type(EffectivePolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(errors.effective_policy_validation_errors().len(), 1);
    let error = &errors.effective_policy_validation_errors()[0];
    assert_eq!(error.path_to_error(), Some("tags/costcenter/tag_key"));
    assert!(
        errors
            .path()
            .unwrap()
            .ends_with(&format!("/{unit}/{account}/"))
    );

    let invalid = management
        .list_accounts_with_invalid_effective_policy()
        .policy_type(EffectivePolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = invalid
        .accounts()
        .iter()
        .map(|account| account.id().unwrap())
        .collect();
    assert_eq!(ids, vec![account.as_str()]);

    let management_effective = management
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    let document: Value = serde_json::from_str(
        management_effective
            .effective_policy()
            .unwrap()
            .policy_content()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        document["tags"]["costcenter"]["tag_value"],
        json!(["100", "200"])
    );

    let member = client(&server, &account);
    let own = member
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(
        own.effective_policy().unwrap().target_id(),
        Some(account.as_str())
    );
    let other = member
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::TagPolicy)
        .target_id(MANAGEMENT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&other), "AccessDeniedException");

    match management
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::TagPolicy)
        .target_id(&unit)
        .send()
        .await
        .unwrap_err()
        .into_service_error()
    {
        DescribeEffectivePolicyError::InvalidInputException(error) => {
            assert_eq!(
                error.reason(),
                Some(&InvalidInputExceptionReason::TargetNotSupported)
            );
        }
        other => panic!("expected InvalidInputException, got {other:?}"),
    }
    let none = management
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::BackupPolicy)
        .target_id(&account)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&none), "EffectivePolicyNotFoundException");
}

#[tokio::test]
async fn policies_can_be_tagged() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let tag = aws_sdk_organizations::types::Tag::builder()
        .key("owner")
        .value("security")
        .build()
        .unwrap();
    let created = management
        .create_policy()
        .name("Tagged")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(simple_scp("s3:*"))
        .tags(tag.clone())
        .send()
        .await
        .unwrap();
    let id = created
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let tags = management
        .list_tags_for_resource()
        .resource_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags(), &[tag]);
}
