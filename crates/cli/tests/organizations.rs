//! AWS Organizations through the AWS SDK for Rust, against an in-process server: every served
//! operation, its error cases, and pagination with `MaxResults` 1.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_organizations::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_organizations::operation::close_account::CloseAccountError;
use aws_sdk_organizations::operation::create_organizational_unit::CreateOrganizationalUnitError;
use aws_sdk_organizations::operation::describe_account::DescribeAccountError;
use aws_sdk_organizations::operation::list_accounts::ListAccountsError;
use aws_sdk_organizations::operation::tag_resource::TagResourceError;
use aws_sdk_organizations::types::{
    AccountJoinedMethod, AccountState, AccountStatus, ChildType,
    ConstraintViolationExceptionReason, CreateAccountFailureReason, CreateAccountState,
    InvalidInputExceptionReason, OrganizationFeatureSet, ParentType, Tag,
};
use common::{
    MANAGEMENT, client, client_in_region, config_with_accounts, create_account,
    organization_with_root, start_server, start_with,
};

fn code<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> String {
    error.code().unwrap_or("<no code>").to_owned()
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().unwrap()
}

#[tokio::test]
async fn create_and_describe_organization() {
    let server = start_server().await;
    let management = client(&server, MANAGEMENT);

    let created = management.create_organization().send().await.unwrap();
    let organization = created.organization().unwrap();
    let id = organization.id().unwrap();
    assert!(id.starts_with("o-"), "{id}");
    assert_eq!(id.len(), 12, "{id}");
    assert_eq!(
        organization.feature_set(),
        Some(&OrganizationFeatureSet::All)
    );
    assert_eq!(organization.master_account_id(), Some(MANAGEMENT));
    assert_eq!(
        organization.arn().unwrap(),
        format!("arn:aws:organizations::{MANAGEMENT}:organization/{id}")
    );
    assert_eq!(
        organization.master_account_arn().unwrap(),
        format!("arn:aws:organizations::{MANAGEMENT}:account/{id}/{MANAGEMENT}")
    );

    let described = management.describe_organization().send().await.unwrap();
    assert_eq!(described.organization().unwrap().id(), Some(id));

    let again = management.create_organization().send().await.unwrap_err();
    assert_eq!(code(&again), "AlreadyInOrganizationException");
}

#[tokio::test]
async fn consolidated_billing_feature_set() {
    let server = start_server().await;
    let management = client(&server, "222222222222");
    let created = management
        .create_organization()
        .feature_set(OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.organization().unwrap().feature_set(),
        Some(&OrganizationFeatureSet::ConsolidatedBilling)
    );
}

#[tokio::test]
async fn invalid_feature_set_is_invalid_input() {
    let server = start_server().await;
    let management = client(&server, MANAGEMENT);
    let error = management
        .create_organization()
        .feature_set(OrganizationFeatureSet::from("EVERYTHING"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&error), "InvalidInputException");
}

#[tokio::test]
async fn arns_use_partition_of_signing_region() {
    let server = start_server().await;
    let management = client_in_region(&server, MANAGEMENT, "cn-north-1");
    let created = management.create_organization().send().await.unwrap();
    assert!(
        created
            .organization()
            .unwrap()
            .arn()
            .unwrap()
            .starts_with("arn:aws-cn:organizations::")
    );
    let roots = management.list_roots().send().await.unwrap();
    assert!(
        roots.roots()[0]
            .arn()
            .unwrap()
            .starts_with("arn:aws-cn:organizations::")
    );
}

#[tokio::test]
async fn no_organization_is_not_in_use() {
    let server = start_server().await;
    let caller = client(&server, MANAGEMENT);
    let operations = [
        code(&caller.describe_organization().send().await.unwrap_err()),
        code(&caller.list_accounts().send().await.unwrap_err()),
        code(&caller.list_roots().send().await.unwrap_err()),
        code(&caller.delete_organization().send().await.unwrap_err()),
        code(
            &caller
                .create_account()
                .account_name("A")
                .email("a@example.com")
                .send()
                .await
                .unwrap_err(),
        ),
    ];
    for error in operations {
        assert_eq!(error, "AWSOrganizationsNotInUseException");
    }
}

#[tokio::test]
async fn list_roots_returns_one_root() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    assert!(root_id.starts_with("r-"), "{root_id}");
    assert_eq!(root_id.len(), 6, "{root_id}");
    let roots = management.list_roots().max_results(1).send().await.unwrap();
    assert_eq!(roots.roots().len(), 1);
    assert_eq!(roots.roots()[0].name(), Some("Root"));
    assert!(roots.next_token().is_none());
}

#[tokio::test]
async fn organizational_unit_lifecycle() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;

    let created = management
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("Security")
        .tags(tag("team", "security"))
        .send()
        .await
        .unwrap();
    let unit = created.organizational_unit().unwrap();
    let unit_id = unit.id().unwrap().to_owned();
    let root_suffix = root_id.trim_start_matches("r-");
    assert!(
        unit_id.starts_with(&format!("ou-{root_suffix}-")),
        "{unit_id}"
    );
    assert!(unit.arn().unwrap().ends_with(&format!(
        ":ou/{}/{unit_id}",
        organization_id(&management).await
    )));

    let described = management
        .describe_organizational_unit()
        .organizational_unit_id(&unit_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.organizational_unit().unwrap().name(),
        Some("Security")
    );

    let tags = management
        .list_tags_for_resource()
        .resource_id(&unit_id)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags(), &[tag("team", "security")]);

    let updated = management
        .update_organizational_unit()
        .organizational_unit_id(&unit_id)
        .name("Security Tooling")
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.organizational_unit().unwrap().name(),
        Some("Security Tooling")
    );

    management
        .delete_organizational_unit()
        .organizational_unit_id(&unit_id)
        .send()
        .await
        .unwrap();
    let gone = management
        .describe_organizational_unit()
        .organizational_unit_id(&unit_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "OrganizationalUnitNotFoundException");
}

async fn organization_id(client: &aws_sdk_organizations::Client) -> String {
    client
        .describe_organization()
        .send()
        .await
        .unwrap()
        .organization()
        .unwrap()
        .id()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn organizational_unit_errors() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let unit_id = common::create_unit(&management, &root_id, "Workloads").await;

    let duplicate = management
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("Workloads")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&duplicate), "DuplicateOrganizationalUnitException");

    let other = common::create_unit(&management, &root_id, "Sandbox").await;
    let rename = management
        .update_organizational_unit()
        .organizational_unit_id(&other)
        .name("Workloads")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&rename), "DuplicateOrganizationalUnitException");

    let missing_parent = management
        .create_organizational_unit()
        .parent_id("ou-zzzz-zzzzzzzz")
        .name("Lost")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing_parent), "ParentNotFoundException");

    common::create_unit(&management, &unit_id, "Production").await;
    let not_empty = management
        .delete_organizational_unit()
        .organizational_unit_id(&unit_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&not_empty), "OrganizationalUnitNotEmptyException");

    for missing in [
        code(
            &management
                .delete_organizational_unit()
                .organizational_unit_id("ou-zzzz-zzzzzzzz")
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &management
                .update_organizational_unit()
                .organizational_unit_id("ou-zzzz-zzzzzzzz")
                .name("x")
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &management
                .describe_organizational_unit()
                .organizational_unit_id("ou-zzzz-zzzzzzzz")
                .send()
                .await
                .unwrap_err(),
        ),
    ] {
        assert_eq!(missing, "OrganizationalUnitNotFoundException");
    }

    let malformed = management
        .describe_organizational_unit()
        .organizational_unit_id("not-an-ou")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&malformed), "InvalidInputException");

    let empty_name = management
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&empty_name), "InvalidInputException");
}

#[tokio::test]
async fn ou_depth_is_limited_to_five() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let mut parent = root_id;
    for level in 1..=5 {
        parent = common::create_unit(&management, &parent, &format!("Level {level}")).await;
    }
    let error = management
        .create_organizational_unit()
        .parent_id(&parent)
        .name("Level 6")
        .send()
        .await
        .unwrap_err();
    match error.into_service_error() {
        CreateOrganizationalUnitError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason(),
                Some(&ConstraintViolationExceptionReason::OuDepthLimitExceeded)
            );
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }
}

#[tokio::test]
async fn children_and_parents() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let first = common::create_unit(&management, &root_id, "First").await;
    let second = common::create_unit(&management, &root_id, "Second").await;
    let nested = common::create_unit(&management, &first, "Nested").await;
    let account = create_account(&management, "Member", "member@example.com").await;
    management
        .move_account()
        .account_id(&account)
        .source_parent_id(&root_id)
        .destination_parent_id(&nested)
        .send()
        .await
        .unwrap();

    let mut units = Vec::new();
    let mut token = None;
    loop {
        let page = management
            .list_children()
            .parent_id(&root_id)
            .child_type(ChildType::OrganizationalUnit)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.children().len() <= 1);
        units.extend(
            page.children()
                .iter()
                .map(|child| child.id().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(units, vec![first.clone(), second]);

    let accounts = management
        .list_children()
        .parent_id(&root_id)
        .child_type(ChildType::Account)
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = accounts
        .children()
        .iter()
        .map(|child| child.id().unwrap())
        .collect();
    assert_eq!(ids, vec![MANAGEMENT]);
    assert_eq!(accounts.children()[0].r#type(), Some(&ChildType::Account));

    let parents = management
        .list_parents()
        .child_id(&account)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(parents.parents()[0].id(), Some(nested.as_str()));
    assert_eq!(
        parents.parents()[0].r#type(),
        Some(&ParentType::OrganizationalUnit)
    );
    let parents = management
        .list_parents()
        .child_id(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(parents.parents()[0].id(), Some(root_id.as_str()));
    assert_eq!(parents.parents()[0].r#type(), Some(&ParentType::Root));

    let units = management
        .list_organizational_units_for_parent()
        .parent_id(&first)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(units.organizational_units()[0].id(), Some(nested.as_str()));
    let path = units.organizational_units()[0].path().unwrap();
    assert!(
        path.ends_with(&format!("/{root_id}/{first}/{nested}/")),
        "{path}"
    );

    let missing_child = management
        .list_parents()
        .child_id("999999999999")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing_child), "ChildNotFoundException");
    let missing_parent = management
        .list_children()
        .parent_id("ou-zzzz-zzzzzzzz")
        .child_type(ChildType::Account)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing_parent), "ParentNotFoundException");
    let missing_parent = management
        .list_organizational_units_for_parent()
        .parent_id("r-zzzz")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing_parent), "ParentNotFoundException");
    let missing_parent = management
        .list_accounts_for_parent()
        .parent_id("r-zzzz")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing_parent), "ParentNotFoundException");
}

#[tokio::test]
async fn create_account_settles_and_records_status() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;

    let created = management
        .create_account()
        .account_name("Log Archive")
        .email("log@example.com")
        .send()
        .await
        .unwrap();
    let status = created.create_account_status().unwrap();
    assert_eq!(status.state(), Some(&CreateAccountState::InProgress));
    assert!(status.account_id().is_none());
    let request_id = status.id().unwrap().to_owned();
    assert!(request_id.starts_with("car-"), "{request_id}");

    let described = management
        .describe_create_account_status()
        .create_account_request_id(&request_id)
        .send()
        .await
        .unwrap();
    let status = described.create_account_status().unwrap();
    assert_eq!(status.state(), Some(&CreateAccountState::Succeeded));
    assert!(status.completed_timestamp().is_some());
    let account_id = status.account_id().unwrap().to_owned();
    assert_eq!(account_id.len(), 12);

    let account = management
        .describe_account()
        .account_id(&account_id)
        .send()
        .await
        .unwrap();
    let account = account.account().unwrap();
    assert_eq!(account.name(), Some("Log Archive"));
    assert_eq!(account.email(), Some("log@example.com"));
    assert_eq!(account.status(), Some(&AccountStatus::Active));
    assert_eq!(account.state(), Some(&AccountState::Active));
    assert_eq!(account.joined_method(), Some(&AccountJoinedMethod::Created));
    assert_eq!(
        account.paths(),
        &[format!(
            "{}/{root_id}/{account_id}/",
            organization_id(&management).await
        )]
    );

    let unknown = management
        .describe_create_account_status()
        .create_account_request_id("car-00000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unknown), "CreateAccountStatusNotFoundException");
}

#[tokio::test]
async fn create_account_failures_have_reasons() {
    let server = start_with(config_with_accounts(3)).await;
    let (management, _) = organization_with_root(&server).await;
    create_account(&management, "First", "first@example.com").await;

    let duplicate = management
        .create_account()
        .account_name("Again")
        .email("FIRST@example.com")
        .send()
        .await
        .unwrap();
    let request_id = duplicate.create_account_status().unwrap().id().unwrap();
    let status = management
        .describe_create_account_status()
        .create_account_request_id(request_id)
        .send()
        .await
        .unwrap();
    let status = status.create_account_status().unwrap();
    assert_eq!(status.state(), Some(&CreateAccountState::Failed));
    assert_eq!(
        status.failure_reason(),
        Some(&CreateAccountFailureReason::EmailAlreadyExists)
    );

    create_account(&management, "Second", "second@example.com").await;
    let over = management
        .create_account()
        .account_name("Third")
        .email("third@example.com")
        .send()
        .await
        .unwrap();
    let request_id = over.create_account_status().unwrap().id().unwrap();
    let status = management
        .describe_create_account_status()
        .create_account_request_id(request_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        status.create_account_status().unwrap().failure_reason(),
        Some(&CreateAccountFailureReason::AccountLimitExceeded)
    );

    let listed = management
        .list_create_account_status()
        .states(CreateAccountState::Failed)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.create_account_statuses().len(), 2);
    let listed = management
        .list_create_account_status()
        .states(CreateAccountState::Succeeded)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.create_account_statuses().len(), 2);

    let mut seen = 0;
    let mut token = None;
    loop {
        let page = management
            .list_create_account_status()
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        seen += page.create_account_statuses().len();
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, 4);
}

#[tokio::test]
async fn create_account_input_is_validated() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let bad_email = management
        .create_account()
        .account_name("A")
        .email("not-an-email")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_email), "InvalidInputException");
    let bad_name = management
        .create_account()
        .account_name("Caf\u{e9}")
        .email("a@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_name), "InvalidInputException");
    let long_name = management
        .create_account()
        .account_name("x".repeat(51))
        .email("a@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&long_name), "InvalidInputException");
    let bad_role = management
        .create_account()
        .account_name("A")
        .email("a@example.com")
        .role_name("bad role!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_role), "InvalidInputException");
    let system_tag = management
        .create_account()
        .account_name("A")
        .email("a@example.com")
        .tags(tag("aws:owner", "me"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&system_tag), "InvalidInputException");
}

#[tokio::test]
async fn create_account_waits_for_configured_delay() {
    let mut config = config_with_accounts(10);
    config.settings.account_creation_delay = Duration::from_millis(300);
    let server = start_with(config).await;
    let (management, _) = organization_with_root(&server).await;

    let created = management
        .create_account()
        .account_name("Slow")
        .email("slow@example.com")
        .send()
        .await
        .unwrap();
    let request_id = created
        .create_account_status()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let status = management
        .describe_create_account_status()
        .create_account_request_id(&request_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        status.create_account_status().unwrap().state(),
        Some(&CreateAccountState::InProgress)
    );

    let account_id = create_account_wait(&management, &request_id).await;
    assert_eq!(account_id.len(), 12);
}

async fn create_account_wait(client: &aws_sdk_organizations::Client, request_id: &str) -> String {
    for _ in 0..200 {
        let status = client
            .describe_create_account_status()
            .create_account_request_id(request_id)
            .send()
            .await
            .unwrap();
        let status = status.create_account_status().unwrap();
        if status.state() == Some(&CreateAccountState::Succeeded) {
            return status.account_id().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("request {request_id} did not succeed");
}

#[tokio::test]
async fn describe_account_errors() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let missing = management
        .describe_account()
        .account_id("999999999999")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "AccountNotFoundException");
    let malformed = management
        .describe_account()
        .account_id("12345")
        .send()
        .await
        .unwrap_err();
    match malformed.into_service_error() {
        DescribeAccountError::InvalidInputException(error) => {
            assert_eq!(
                error.reason(),
                Some(&InvalidInputExceptionReason::InvalidPattern)
            );
        }
        other => panic!("expected InvalidInputException, got {other:?}"),
    }
}

#[tokio::test]
async fn list_accounts_pages_one_by_one() {
    let server = start_with(config_with_accounts(10)).await;
    let (management, root_id) = organization_with_root(&server).await;
    let unit = common::create_unit(&management, &root_id, "Workloads").await;
    let mut expected = BTreeSet::from([MANAGEMENT.to_owned()]);
    for index in 0..4 {
        let id = create_account(
            &management,
            &format!("Account {index}"),
            &format!("account{index}@example.com"),
        )
        .await;
        if index % 2 == 0 {
            management
                .move_account()
                .account_id(&id)
                .source_parent_id(&root_id)
                .destination_parent_id(&unit)
                .send()
                .await
                .unwrap();
        }
        expected.insert(id);
    }

    let mut seen = BTreeSet::new();
    let mut pages = 0;
    let mut token = None;
    loop {
        let page = management
            .list_accounts()
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert_eq!(page.accounts().len(), 1);
        pages += 1;
        seen.insert(page.accounts()[0].id().unwrap().to_owned());
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(seen, expected);

    let mut in_unit = Vec::new();
    let mut token = None;
    loop {
        let page = management
            .list_accounts_for_parent()
            .parent_id(&unit)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        in_unit.extend(
            page.accounts()
                .iter()
                .map(|account| account.id().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(in_unit.len(), 2);
}

#[tokio::test]
async fn page_tokens_are_checked() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    common::create_unit(&management, &root_id, "A").await;
    common::create_unit(&management, &root_id, "B").await;
    let page = management
        .list_organizational_units_for_parent()
        .parent_id(&root_id)
        .max_results(1)
        .send()
        .await
        .unwrap();
    let token = page.next_token().unwrap().to_owned();

    let foreign = management
        .list_accounts()
        .next_token(&token)
        .send()
        .await
        .unwrap_err();
    match foreign.into_service_error() {
        ListAccountsError::InvalidInputException(error) => {
            assert_eq!(
                error.reason(),
                Some(&InvalidInputExceptionReason::InvalidPaginationToken)
            );
        }
        other => panic!("expected InvalidInputException, got {other:?}"),
    }
    let forged = management
        .list_accounts()
        .next_token("forged")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&forged), "InvalidInputException");
    let too_many = management
        .list_accounts()
        .max_results(21)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&too_many), "InvalidInputException");
    let negative = management
        .list_accounts()
        .max_results(-1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&negative), "InvalidInputException");
}

#[tokio::test]
async fn move_account_and_its_errors() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let unit = common::create_unit(&management, &root_id, "Workloads").await;
    let account = create_account(&management, "Member", "member@example.com").await;

    let move_account = |account: &str, source: &str, destination: &str| {
        management
            .move_account()
            .account_id(account)
            .source_parent_id(source)
            .destination_parent_id(destination)
            .send()
    };
    move_account(&account, &root_id, &unit).await.unwrap();
    let listed = management
        .list_accounts_for_parent()
        .parent_id(&unit)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.accounts()[0].id(), Some(account.as_str()));

    assert_eq!(
        code(&move_account(&account, &unit, &unit).await.unwrap_err()),
        "DuplicateAccountException"
    );
    assert_eq!(
        code(
            &move_account(&account, "ou-zzzz-zzzzzzzz", &unit)
                .await
                .unwrap_err()
        ),
        "SourceParentNotFoundException"
    );
    assert_eq!(
        code(
            &move_account(&account, &unit, "ou-zzzz-zzzzzzzz")
                .await
                .unwrap_err()
        ),
        "DestinationParentNotFoundException"
    );
    assert_eq!(
        code(
            &move_account("999999999999", &unit, &root_id)
                .await
                .unwrap_err()
        ),
        "AccountNotFoundException"
    );
    assert_eq!(
        code(&move_account(&account, &root_id, &unit).await.unwrap_err()),
        "AccountNotFoundException"
    );
}

#[tokio::test]
async fn remove_account_from_organization() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let account = create_account(&management, "Leaving", "leaving@example.com").await;

    management
        .remove_account_from_organization()
        .account_id(&account)
        .send()
        .await
        .unwrap();
    let gone = management
        .describe_account()
        .account_id(&account)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "AccountNotFoundException");
    let standalone = client(&server, &account)
        .describe_organization()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&standalone), "AWSOrganizationsNotInUseException");

    let management_leaves = management
        .remove_account_from_organization()
        .account_id(MANAGEMENT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&management_leaves),
        "MasterCannotLeaveOrganizationException"
    );
    let missing = management
        .remove_account_from_organization()
        .account_id("999999999999")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "AccountNotFoundException");
}

#[tokio::test]
async fn close_account_and_its_errors() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let account = create_account(&management, "Closing", "closing@example.com").await;

    management
        .close_account()
        .account_id(&account)
        .send()
        .await
        .unwrap();
    let described = management
        .describe_account()
        .account_id(&account)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.account().unwrap().status(),
        Some(&AccountStatus::Suspended)
    );
    assert_eq!(
        described.account().unwrap().state(),
        Some(&AccountState::Closed)
    );

    let again = management
        .close_account()
        .account_id(&account)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "AccountAlreadyClosedException");
    let missing = management
        .close_account()
        .account_id("999999999999")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "AccountNotFoundException");
    let error = management
        .close_account()
        .account_id(MANAGEMENT)
        .send()
        .await
        .unwrap_err();
    match error.into_service_error() {
        CloseAccountError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason(),
                Some(&ConstraintViolationExceptionReason::CannotCloseManagementAccount)
            );
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }
}

#[tokio::test]
async fn close_account_pending_closure_with_delay() {
    let mut config = config_with_accounts(10);
    config.settings.account_closure_delay = Duration::from_millis(200);
    let server = start_with(config).await;
    let (management, _) = organization_with_root(&server).await;
    let account = create_account(&management, "Closing", "closing@example.com").await;

    management
        .close_account()
        .account_id(&account)
        .send()
        .await
        .unwrap();
    let described = management
        .describe_account()
        .account_id(&account)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.account().unwrap().status(),
        Some(&AccountStatus::PendingClosure)
    );
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let described = management
            .describe_account()
            .account_id(&account)
            .send()
            .await
            .unwrap();
        if described.account().unwrap().status() == Some(&AccountStatus::Suspended) {
            return;
        }
    }
    panic!("the account never became SUSPENDED");
}

#[tokio::test]
async fn close_account_quota_is_ten_in_thirty_days() {
    let server = start_with(config_with_accounts(20)).await;
    let (management, _) = organization_with_root(&server).await;
    let mut accounts = Vec::new();
    for index in 0..11 {
        accounts.push(
            create_account(
                &management,
                &format!("Account {index}"),
                &format!("a{index}@example.com"),
            )
            .await,
        );
    }
    for account in &accounts[..10] {
        management
            .close_account()
            .account_id(account)
            .send()
            .await
            .unwrap();
    }
    let error = management
        .close_account()
        .account_id(&accounts[10])
        .send()
        .await
        .unwrap_err();
    match error.into_service_error() {
        CloseAccountError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason(),
                Some(&ConstraintViolationExceptionReason::CloseAccountQuotaExceeded)
            );
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }
}

#[tokio::test]
async fn tags_on_accounts_units_and_root() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let unit = common::create_unit(&management, &root_id, "Tagged").await;
    let account = create_account(&management, "Tagged", "tagged@example.com").await;

    for resource in [&root_id, &unit, &account] {
        management
            .tag_resource()
            .resource_id(resource)
            .tags(tag("env", "dev"))
            .tags(tag("team", "red"))
            .send()
            .await
            .unwrap();
        management
            .tag_resource()
            .resource_id(resource)
            .tags(tag("env", "prod"))
            .send()
            .await
            .unwrap();
        let listed = management
            .list_tags_for_resource()
            .resource_id(resource)
            .send()
            .await
            .unwrap();
        assert_eq!(listed.tags(), &[tag("env", "prod"), tag("team", "red")]);
        management
            .untag_resource()
            .resource_id(resource)
            .tag_keys("env")
            .tag_keys("absent")
            .send()
            .await
            .unwrap();
        let listed = management
            .list_tags_for_resource()
            .resource_id(resource)
            .send()
            .await
            .unwrap();
        assert_eq!(listed.tags(), &[tag("team", "red")]);
    }

    let created = management
        .create_account()
        .account_name("With tags")
        .email("with-tags@example.com")
        .tags(tag("cost", "42"))
        .send()
        .await
        .unwrap();
    let request_id = created.create_account_status().unwrap().id().unwrap();
    let status = management
        .describe_create_account_status()
        .create_account_request_id(request_id)
        .send()
        .await
        .unwrap();
    let tagged_account = status
        .create_account_status()
        .unwrap()
        .account_id()
        .unwrap();
    let listed = management
        .list_tags_for_resource()
        .resource_id(tagged_account)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.tags(), &[tag("cost", "42")]);
}

#[tokio::test]
async fn tag_errors() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;

    let missing = management
        .tag_resource()
        .resource_id("999999999999")
        .tags(tag("a", "b"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "TargetNotFoundException");
    let missing = management
        .list_tags_for_resource()
        .resource_id("ou-zzzz-zzzzzzzz")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "TargetNotFoundException");
    let missing = management
        .untag_resource()
        .resource_id("r-zzzz")
        .tag_keys("a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "TargetNotFoundException");

    let system = management
        .tag_resource()
        .resource_id(MANAGEMENT)
        .tags(tag("aws:x", "b"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&system), "InvalidInputException");
    let duplicate = management
        .tag_resource()
        .resource_id(MANAGEMENT)
        .tags(tag("a", "1"))
        .tags(tag("a", "2"))
        .send()
        .await
        .unwrap_err();
    match duplicate.into_service_error() {
        TagResourceError::InvalidInputException(error) => {
            assert_eq!(
                error.reason(),
                Some(&InvalidInputExceptionReason::DuplicateTagKey)
            );
        }
        other => panic!("expected InvalidInputException, got {other:?}"),
    }

    let mut request = management.tag_resource().resource_id(MANAGEMENT);
    for index in 0..51 {
        request = request.tags(tag(&format!("key{index}"), "v"));
    }
    match request.send().await.unwrap_err().into_service_error() {
        TagResourceError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason(),
                Some(&ConstraintViolationExceptionReason::MaxTagLimitExceeded)
            );
        }
        other => panic!("expected ConstraintViolationException, got {other:?}"),
    }
}

#[tokio::test]
async fn member_accounts_are_denied_management_operations() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let member_id = create_account(&management, "Member", "member@example.com").await;
    let member = client(&server, &member_id);

    let described = member.describe_organization().send().await.unwrap();
    assert_eq!(
        described.organization().unwrap().master_account_id(),
        Some(MANAGEMENT)
    );

    let denied = [
        code(&member.list_accounts().send().await.unwrap_err()),
        code(&member.list_roots().send().await.unwrap_err()),
        code(
            &member
                .describe_account()
                .account_id(MANAGEMENT)
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &member
                .create_account()
                .account_name("X")
                .email("x@example.com")
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &member
                .create_organizational_unit()
                .parent_id(&root_id)
                .name("X")
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &member
                .list_children()
                .parent_id(&root_id)
                .child_type(ChildType::Account)
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &member
                .move_account()
                .account_id(&member_id)
                .source_parent_id(&root_id)
                .destination_parent_id(&root_id)
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &member
                .close_account()
                .account_id(&member_id)
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &member
                .tag_resource()
                .resource_id(&member_id)
                .tags(tag("a", "b"))
                .send()
                .await
                .unwrap_err(),
        ),
        code(&member.delete_organization().send().await.unwrap_err()),
        code(
            &member
                .list_create_account_status()
                .send()
                .await
                .unwrap_err(),
        ),
    ];
    for error in denied {
        assert_eq!(error, "AccessDeniedException");
    }
    let joined = member.create_organization().send().await.unwrap_err();
    assert_eq!(code(&joined), "AlreadyInOrganizationException");
}

#[tokio::test]
async fn delete_organization_needs_no_members() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    common::create_unit(&management, &root_id, "Kept until the end").await;
    let member = create_account(&management, "Member", "member@example.com").await;

    let not_empty = management.delete_organization().send().await.unwrap_err();
    assert_eq!(code(&not_empty), "OrganizationNotEmptyException");

    management
        .remove_account_from_organization()
        .account_id(&member)
        .send()
        .await
        .unwrap();
    management.delete_organization().send().await.unwrap();
    let gone = management.describe_organization().send().await.unwrap_err();
    assert_eq!(code(&gone), "AWSOrganizationsNotInUseException");
    management.create_organization().send().await.unwrap();
}

#[tokio::test]
async fn moto_compatibility_reports_settled_accounts() {
    let mut config = config_with_accounts(10);
    config.settings.compatibility = cloud::Compatibility::Moto;
    let server = start_with(config).await;
    let (management, _) = organization_with_root(&server).await;
    let created = management
        .create_account()
        .account_name("Quick")
        .email("quick@example.com")
        .send()
        .await
        .unwrap();
    let status = created.create_account_status().unwrap();
    assert_eq!(status.state(), Some(&CreateAccountState::Succeeded));
    let account_id = status.account_id().unwrap();
    let described = management
        .describe_account()
        .account_id(account_id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.account().unwrap().name(), Some("Quick"));
}
