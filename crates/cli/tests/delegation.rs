//! Trusted access, delegated administrators and the organization's resource policy through the
//! AWS SDK for Rust.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use aws_sdk_organizations::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_organizations::operation::enable_aws_service_access::EnableAWSServiceAccessError;
use aws_sdk_organizations::operation::put_resource_policy::PutResourcePolicyError;
use aws_sdk_organizations::operation::register_delegated_administrator::RegisterDelegatedAdministratorError;
use aws_sdk_organizations::operation::remove_account_from_organization::RemoveAccountFromOrganizationError;
use aws_sdk_organizations::types::{
    ConstraintViolationExceptionReason, InvalidInputExceptionReason, OrganizationFeatureSet,
    PolicyType,
};
use common::{MANAGEMENT, client, create_account, organization_with_root, start_server};
use serde_json::json;

const CONFIG: &str = "config.amazonaws.com";

fn code<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> String {
    error.code().unwrap_or("<no code>").to_owned()
}

#[tokio::test]
async fn trusted_service_access() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;

    management
        .enable_aws_service_access()
        .service_principal(CONFIG)
        .send()
        .await
        .unwrap();
    management
        .enable_aws_service_access()
        .service_principal(CONFIG)
        .send()
        .await
        .unwrap();
    management
        .enable_aws_service_access()
        .service_principal("cloudtrail.amazonaws.com")
        .send()
        .await
        .unwrap();
    let listed = management
        .list_aws_service_access_for_organization()
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.enabled_service_principals()[0].service_principal(),
        Some(CONFIG)
    );
    assert!(
        listed.enabled_service_principals()[0]
            .date_enabled()
            .is_some()
    );
    let next = management
        .list_aws_service_access_for_organization()
        .next_token(listed.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        next.enabled_service_principals()[0].service_principal(),
        Some("cloudtrail.amazonaws.com")
    );

    management
        .disable_aws_service_access()
        .service_principal(CONFIG)
        .send()
        .await
        .unwrap();
    let listed = management
        .list_aws_service_access_for_organization()
        .send()
        .await
        .unwrap();
    assert_eq!(listed.enabled_service_principals().len(), 1);

    match management
        .enable_aws_service_access()
        .service_principal("nothing.example.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error()
    {
        EnableAWSServiceAccessError::InvalidInputException(error) => {
            assert_eq!(
                error.reason(),
                Some(&InvalidInputExceptionReason::UnrecognizedServicePrincipal)
            );
        }
        other => panic!("expected InvalidInputException, got {other:?}"),
    }
}

#[tokio::test]
async fn trusted_access_needs_all_features() {
    let server = start_server().await;
    let management = client(&server, MANAGEMENT);
    management
        .create_organization()
        .feature_set(OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .unwrap();
    match management
        .enable_aws_service_access()
        .service_principal(CONFIG)
        .send()
        .await
        .unwrap_err()
        .into_service_error()
    {
        EnableAWSServiceAccessError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason(),
                Some(&ConstraintViolationExceptionReason::OrganizationNotInAllFeaturesMode)
            );
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }
}

#[tokio::test]
async fn delegated_administrator_lifecycle() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let audit = create_account(&management, "Audit", "audit@example.com").await;

    let register = |account: &str, principal: &str| {
        management
            .register_delegated_administrator()
            .account_id(account)
            .service_principal(principal)
            .send()
    };
    match register(&audit, CONFIG)
        .await
        .unwrap_err()
        .into_service_error()
    {
        RegisterDelegatedAdministratorError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason(),
                Some(&ConstraintViolationExceptionReason::ServiceAccessNotEnabled)
            );
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }
    management
        .enable_aws_service_access()
        .service_principal(CONFIG)
        .send()
        .await
        .unwrap();
    register(&audit, CONFIG).await.unwrap();
    assert_eq!(
        code(&register(&audit, CONFIG).await.unwrap_err()),
        "AccountAlreadyRegisteredException"
    );
    match register(MANAGEMENT, CONFIG)
        .await
        .unwrap_err()
        .into_service_error()
    {
        RegisterDelegatedAdministratorError::ConstraintViolationException(violation) => {
            assert_eq!(violation.reason(), Some(&ConstraintViolationExceptionReason::CannotRegisterMasterAsDelegatedAdministrator));
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }
    assert_eq!(
        code(&register("999999999999", CONFIG).await.unwrap_err()),
        "AccountNotFoundException"
    );
    assert_eq!(
        code(&register(&audit, "nothing.example.com").await.unwrap_err()),
        "InvalidInputException"
    );

    let administrators = management
        .list_delegated_administrators()
        .service_principal(CONFIG)
        .send()
        .await
        .unwrap();
    assert_eq!(administrators.delegated_administrators().len(), 1);
    let administrator = &administrators.delegated_administrators()[0];
    assert_eq!(administrator.id(), Some(audit.as_str()));
    assert_eq!(administrator.name(), Some("Audit"));
    assert!(administrator.delegation_enabled_date().is_some());
    let none = management
        .list_delegated_administrators()
        .service_principal("cloudtrail.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert!(none.delegated_administrators().is_empty());

    let services = management
        .list_delegated_services_for_account()
        .account_id(&audit)
        .send()
        .await
        .unwrap();
    assert_eq!(
        services.delegated_services()[0].service_principal(),
        Some(CONFIG)
    );
    let unregistered = management
        .list_delegated_services_for_account()
        .account_id(MANAGEMENT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unregistered), "AccountNotRegisteredException");

    // A delegated administrator reads the organization but cannot change it.
    let delegate = client(&server, &audit);
    let accounts = delegate.list_accounts().send().await.unwrap();
    assert_eq!(accounts.accounts().len(), 2);
    delegate.list_roots().send().await.unwrap();
    delegate
        .list_children()
        .parent_id(&root_id)
        .child_type(aws_sdk_organizations::types::ChildType::Account)
        .send()
        .await
        .unwrap();
    let denied = delegate
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("Nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied), "AccessDeniedException");

    match management
        .remove_account_from_organization()
        .account_id(&audit)
        .send()
        .await
        .unwrap_err()
        .into_service_error()
    {
        RemoveAccountFromOrganizationError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason(),
                Some(
                    &ConstraintViolationExceptionReason::CannotRemoveDelegatedAdministratorFromOrg
                )
            );
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }

    management
        .deregister_delegated_administrator()
        .account_id(&audit)
        .service_principal(CONFIG)
        .send()
        .await
        .unwrap();
    let again = management
        .deregister_delegated_administrator()
        .account_id(&audit)
        .service_principal(CONFIG)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "AccountNotRegisteredException");
    let denied = delegate.list_accounts().send().await.unwrap_err();
    assert_eq!(code(&denied), "AccessDeniedException");
    management
        .remove_account_from_organization()
        .account_id(&audit)
        .send()
        .await
        .unwrap();
}

fn grant_policy(account_id: &str, action: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DelegatePolicyManagement",
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{account_id}:root")},
            "Action": action,
            "Resource": "*"
        }]
    })
    .to_string()
}

#[tokio::test]
async fn resource_policy_lifecycle_and_grants() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let security = create_account(&management, "Security", "security@example.com").await;
    let delegate = client(&server, &security);

    let missing = management
        .describe_resource_policy()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "ResourcePolicyNotFoundException");
    let missing = management
        .delete_resource_policy()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "ResourcePolicyNotFoundException");

    let scp = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}).to_string();
    let before = delegate
        .create_policy()
        .name("Delegated")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(&scp)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&before), "AccessDeniedException");

    let content = grant_policy(&security, "organizations:CreatePolicy");
    let put = management
        .put_resource_policy()
        .content(&content)
        .send()
        .await
        .unwrap();
    let summary = put
        .resource_policy()
        .unwrap()
        .resource_policy_summary()
        .unwrap();
    assert!(summary.id().unwrap().starts_with("rp-"));
    assert!(summary.arn().unwrap().contains(":resourcepolicy/"));
    let described = management.describe_resource_policy().send().await.unwrap();
    assert_eq!(
        described.resource_policy().unwrap().content(),
        Some(content.as_str())
    );

    delegate
        .create_policy()
        .name("Delegated")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(&scp)
        .send()
        .await
        .unwrap();
    let not_granted = delegate.list_accounts().send().await.unwrap_err();
    assert_eq!(code(&not_granted), "AccessDeniedException");

    match management
        .put_resource_policy()
        .content("{not json")
        .send()
        .await
        .unwrap_err()
        .into_service_error()
    {
        PutResourcePolicyError::InvalidInputException(error) => {
            assert_eq!(
                error.reason(),
                Some(&InvalidInputExceptionReason::InvalidResourcePolicyJson)
            );
        }
        other => panic!("expected InvalidInputException, got {other:?}"),
    }
    match management
        .put_resource_policy()
        .content(grant_policy(&security, "s3:GetObject"))
        .send()
        .await
        .unwrap_err()
        .into_service_error()
    {
        PutResourcePolicyError::InvalidInputException(error) => {
            assert_eq!(
                error.reason(),
                Some(&InvalidInputExceptionReason::UnsupportedActionInResourcePolicy)
            );
        }
        other => panic!("expected InvalidInputException, got {other:?}"),
    }

    management.delete_resource_policy().send().await.unwrap();
    let after = delegate
        .create_policy()
        .name("Again")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(&scp)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&after), "AccessDeniedException");
}
