//! Handshakes and membership through the AWS SDK for Rust, against an in-process server:
//! invitations, their answers, enabling all features, leaving, GovCloud accounts,
//! responsibility transfers, and the error each operation returns.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use aws_sdk_organizations::Client;
use aws_sdk_organizations::config::http::HttpResponse;
use aws_sdk_organizations::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_organizations::operation::accept_handshake::AcceptHandshakeError;
use aws_sdk_organizations::types::{
    AccountJoinedMethod, ActionType, Handshake, HandshakeConstraintViolationExceptionReason,
    HandshakeFilter, HandshakeParty, HandshakePartyType, HandshakeResourceType, HandshakeState,
    OrganizationFeatureSet, ResponsibilityTransferStatus, ResponsibilityTransferType, Tag,
};
use common::{
    MANAGEMENT, client, config_with_accounts, create_account, organization_with_root, start_server,
    start_with,
};
use server::ServerConfig;
use store::Location;

/// A standalone account: it belongs to no organization until it accepts an invitation.
const STANDALONE: &str = "222222222222";
const OTHER_STANDALONE: &str = "333333333333";

fn code<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> String {
    error.code().unwrap_or("<no code>").to_owned()
}

/// The `Reason` member of an error response.
fn reason<E>(error: &SdkError<E, HttpResponse>) -> String {
    let body = error
        .raw_response()
        .and_then(|response| response.body().bytes())
        .unwrap_or_default();
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    json["Reason"].as_str().unwrap_or("<no reason>").to_owned()
}

fn party(kind: HandshakePartyType, id: &str) -> HandshakeParty {
    HandshakeParty::builder()
        .r#type(kind)
        .id(id)
        .build()
        .unwrap()
}

fn account_party(id: &str) -> HandshakeParty {
    party(HandshakePartyType::Account, id)
}

async fn invite(management: &Client, account_id: &str) -> Handshake {
    management
        .invite_account_to_organization()
        .target(account_party(account_id))
        .send()
        .await
        .unwrap()
        .handshake()
        .unwrap()
        .clone()
}

/// Invites `account_id` and accepts with its own credentials.
async fn join(server: &server::RunningServer, management: &Client, account_id: &str) {
    let handshake = invite(management, account_id).await;
    client(server, account_id)
        .accept_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap();
}

async fn account_ids(management: &Client) -> Vec<String> {
    management
        .list_accounts()
        .send()
        .await
        .unwrap()
        .accounts()
        .iter()
        .map(|account| account.id().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn invited_account_joins_and_leaves() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
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

    let sent = management
        .invite_account_to_organization()
        .target(account_party(STANDALONE))
        .notes("Please join the platform organization.")
        .tags(Tag::builder().key("team").value("data").build().unwrap())
        .send()
        .await
        .unwrap();
    let handshake = sent.handshake().unwrap();
    let id = handshake.id().unwrap().to_owned();
    let suffix = id.strip_prefix("h-").unwrap();
    assert_eq!(suffix.len(), 10, "{id}");
    assert!(
        suffix
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    );
    assert_eq!(
        handshake.arn().unwrap(),
        format!("arn:aws:organizations::{MANAGEMENT}:handshake/{organization_id}/invite/{id}")
    );
    assert_eq!(
        handshake.action(),
        Some(&ActionType::InviteAccountToOrganization)
    );
    assert_eq!(handshake.state(), Some(&HandshakeState::Open));
    let parties = handshake.parties();
    assert_eq!(parties.len(), 2);
    assert_eq!(parties[0].r#type(), &HandshakePartyType::Organization);
    assert_eq!(parties[0].id(), organization_id);
    assert_eq!(parties[1], account_party(STANDALONE));
    let lifetime = handshake.expiration_timestamp().unwrap().secs()
        - handshake.requested_timestamp().unwrap().secs();
    assert_eq!(lifetime, 15 * 24 * 60 * 60);
    let resources = handshake.resources();
    assert_eq!(
        resources[0].r#type(),
        Some(&HandshakeResourceType::Organization)
    );
    assert_eq!(resources[0].value(), Some(organization_id.as_str()));
    let nested: Vec<_> = resources[0]
        .resources()
        .iter()
        .map(|resource| resource.r#type().unwrap().clone())
        .collect();
    assert_eq!(
        nested,
        vec![
            HandshakeResourceType::MasterEmail,
            HandshakeResourceType::MasterName,
            HandshakeResourceType::OrganizationFeatureSet
        ]
    );
    assert_eq!(resources[1].r#type(), Some(&HandshakeResourceType::Account));
    assert_eq!(resources[1].value(), Some(STANDALONE));
    assert_eq!(resources[2].r#type(), Some(&HandshakeResourceType::Notes));

    let invited = client(&server, STANDALONE);
    let received = invited.list_handshakes_for_account().send().await.unwrap();
    assert_eq!(received.handshakes().len(), 1);
    assert_eq!(received.handshakes()[0].id(), Some(id.as_str()));

    let accepted = invited
        .accept_handshake()
        .handshake_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        accepted.handshake().unwrap().state(),
        Some(&HandshakeState::Accepted)
    );

    let accounts = management.list_accounts().send().await.unwrap();
    let member = accounts
        .accounts()
        .iter()
        .find(|account| account.id() == Some(STANDALONE))
        .unwrap();
    assert_eq!(member.joined_method(), Some(&AccountJoinedMethod::Invited));
    let parents = management
        .list_parents()
        .child_id(STANDALONE)
        .send()
        .await
        .unwrap();
    assert_eq!(parents.parents()[0].id(), Some(root_id.as_str()));
    let tags = management
        .list_tags_for_resource()
        .resource_id(STANDALONE)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    let seen_by_member = invited.describe_organization().send().await.unwrap();
    assert_eq!(
        seen_by_member.organization().unwrap().id(),
        Some(organization_id.as_str())
    );

    invited.leave_organization().send().await.unwrap();
    assert!(
        !account_ids(&management)
            .await
            .contains(&STANDALONE.to_owned())
    );
    let gone = invited.describe_organization().send().await.unwrap_err();
    assert_eq!(code(&gone), "AWSOrganizationsNotInUseException");
}

#[tokio::test]
async fn invitation_by_email_address() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    // bulkhead gives a standalone account the address account-<id>@example.com.
    let email = format!("account-{STANDALONE}@example.com");
    let sent = management
        .invite_account_to_organization()
        .target(party(HandshakePartyType::Email, &email))
        .send()
        .await
        .unwrap();
    let handshake = sent.handshake().unwrap();
    assert_eq!(
        handshake.parties()[1],
        party(HandshakePartyType::Email, &email)
    );
    assert_eq!(
        handshake.resources()[1].r#type(),
        Some(&HandshakeResourceType::Email)
    );

    let stranger = client(&server, OTHER_STANDALONE);
    let listed = stranger.list_handshakes_for_account().send().await.unwrap();
    assert!(listed.handshakes().is_empty());

    let invited = client(&server, STANDALONE);
    let listed = invited.list_handshakes_for_account().send().await.unwrap();
    assert_eq!(listed.handshakes().len(), 1);
    invited
        .accept_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap();
    let member = management
        .describe_account()
        .account_id(STANDALONE)
        .send()
        .await
        .unwrap();
    assert_eq!(member.account().unwrap().email(), Some(email.as_str()));
}

#[tokio::test]
async fn invitation_errors() {
    let server = start_server().await;
    let standalone = client(&server, STANDALONE);
    let error = standalone
        .invite_account_to_organization()
        .target(account_party(OTHER_STANDALONE))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&error), "AWSOrganizationsNotInUseException");

    let (management, _) = organization_with_root(&server).await;
    join(&server, &management, STANDALONE).await;
    let from_member = standalone
        .invite_account_to_organization()
        .target(account_party(OTHER_STANDALONE))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&from_member), "AccessDeniedException");

    let cases = [
        (
            party(HandshakePartyType::Organization, "o-abcdefghij"),
            "INVALID_PARTY_TYPE_TARGET",
        ),
        (account_party("12345"), "INVALID_PATTERN"),
        (
            party(HandshakePartyType::Email, "not-an-address"),
            "INVALID_EMAIL_ADDRESS_TARGET",
        ),
    ];
    for (target, expected) in cases {
        let error = management
            .invite_account_to_organization()
            .target(target)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&error), "InvalidInputException");
        assert_eq!(reason(&error), expected);
    }

    let system_tag = management
        .invite_account_to_organization()
        .target(account_party(OTHER_STANDALONE))
        .tags(Tag::builder().key("aws:owner").value("x").build().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(reason(&system_tag), "INVALID_SYSTEM_TAGS_PARAMETER");

    for member in [MANAGEMENT, STANDALONE] {
        let error = management
            .invite_account_to_organization()
            .target(account_party(member))
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&error), "HandshakeConstraintViolationException");
        assert_eq!(reason(&error), "ALREADY_IN_AN_ORGANIZATION");
    }

    invite(&management, OTHER_STANDALONE).await;
    let duplicate = management
        .invite_account_to_organization()
        .target(account_party(OTHER_STANDALONE))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&duplicate), "DuplicateHandshakeException");
}

#[tokio::test]
async fn invitations_count_against_account_quota() {
    let server = start_with(config_with_accounts(2)).await;
    let (management, _) = organization_with_root(&server).await;
    invite(&management, STANDALONE).await;
    let error = management
        .invite_account_to_organization()
        .target(account_party(OTHER_STANDALONE))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&error), "HandshakeConstraintViolationException");
    assert_eq!(reason(&error), "ACCOUNT_NUMBER_LIMIT_EXCEEDED");
}

#[tokio::test]
async fn acceptance_respects_account_quota() {
    let server = start_with(config_with_accounts(2)).await;
    let (management, _) = organization_with_root(&server).await;
    let handshake = invite(&management, STANDALONE).await;
    create_account(&management, "Created", "created@example.com").await;
    let error = client(&server, STANDALONE)
        .accept_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap_err();
    match error.as_service_error() {
        Some(AcceptHandshakeError::HandshakeConstraintViolationException(violation)) => {
            assert_eq!(
                violation.reason(),
                Some(&HandshakeConstraintViolationExceptionReason::AccountNumberLimitExceeded)
            );
        }
        other => panic!("unexpected error: {other:?}"),
    }
}

#[tokio::test]
async fn daily_invitation_quota() {
    let mut config = config_with_accounts(100);
    config.settings.max_invitations_per_day = 3;
    let server = start_with(config).await;
    let (management, _) = organization_with_root(&server).await;
    for account in ["200000000001", "200000000002", "200000000003"] {
        invite(&management, account).await;
    }
    let error = management
        .invite_account_to_organization()
        .target(account_party("200000000004"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&error), "HandshakeConstraintViolationException");
    assert_eq!(reason(&error), "HANDSHAKE_RATE_LIMIT_EXCEEDED");
}

#[tokio::test]
async fn acceptance_errors() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let handshake = invite(&management, STANDALONE).await;
    let id = handshake.id().unwrap();
    let invited = client(&server, STANDALONE);

    let by_sender = management
        .accept_handshake()
        .handshake_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&by_sender), "AccessDeniedException");
    let by_stranger = client(&server, OTHER_STANDALONE)
        .accept_handshake()
        .handshake_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&by_stranger), "HandshakeNotFoundException");
    let unknown = invited
        .accept_handshake()
        .handshake_id("h-0000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unknown), "HandshakeNotFoundException");
    let malformed = invited
        .accept_handshake()
        .handshake_id("handshake-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&malformed), "InvalidInputException");
    assert_eq!(reason(&malformed), "INVALID_PATTERN");

    invited
        .accept_handshake()
        .handshake_id(id)
        .send()
        .await
        .unwrap();
    let again = invited
        .accept_handshake()
        .handshake_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "HandshakeAlreadyInStateException");
}

#[tokio::test]
async fn member_of_another_organization_cannot_accept() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let handshake = invite(&management, STANDALONE).await;
    let invited = client(&server, STANDALONE);
    invited.create_organization().send().await.unwrap();
    let error = invited
        .accept_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&error), "HandshakeConstraintViolationException");
    assert_eq!(reason(&error), "ALREADY_IN_AN_ORGANIZATION");
}

#[tokio::test]
async fn decline_and_cancel() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let invited = client(&server, STANDALONE);

    let first = invite(&management, STANDALONE).await;
    let first_id = first.id().unwrap();
    let by_sender = management
        .decline_handshake()
        .handshake_id(first_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&by_sender), "AccessDeniedException");
    let declined = invited
        .decline_handshake()
        .handshake_id(first_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        declined.handshake().unwrap().state(),
        Some(&HandshakeState::Declined)
    );
    let again = invited
        .decline_handshake()
        .handshake_id(first_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "HandshakeAlreadyInStateException");
    let cancel_declined = management
        .cancel_handshake()
        .handshake_id(first_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&cancel_declined),
        "InvalidHandshakeTransitionException"
    );
    let accept_declined = invited
        .accept_handshake()
        .handshake_id(first_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&accept_declined),
        "InvalidHandshakeTransitionException"
    );

    // A declined invitation no longer blocks a new one.
    let second = invite(&management, STANDALONE).await;
    let second_id = second.id().unwrap();
    let by_recipient = invited
        .cancel_handshake()
        .handshake_id(second_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&by_recipient), "AccessDeniedException");
    let canceled = management
        .cancel_handshake()
        .handshake_id(second_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        canceled.handshake().unwrap().state(),
        Some(&HandshakeState::Canceled)
    );
    let again = management
        .cancel_handshake()
        .handshake_id(second_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "HandshakeAlreadyInStateException");
    let decline_canceled = invited
        .decline_handshake()
        .handshake_id(second_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&decline_canceled),
        "InvalidHandshakeTransitionException"
    );
    let accept_canceled = invited
        .accept_handshake()
        .handshake_id(second_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&accept_canceled),
        "InvalidHandshakeTransitionException"
    );
    let unknown = management
        .cancel_handshake()
        .handshake_id("h-0000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unknown), "HandshakeNotFoundException");
    let unknown = invited
        .decline_handshake()
        .handshake_id("h-0000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unknown), "HandshakeNotFoundException");
}

#[tokio::test]
async fn describe_handshake_by_each_party() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let handshake = invite(&management, STANDALONE).await;
    let id = handshake.id().unwrap();
    for account in [MANAGEMENT, STANDALONE] {
        let described = client(&server, account)
            .describe_handshake()
            .handshake_id(id)
            .send()
            .await
            .unwrap();
        assert_eq!(described.handshake().unwrap(), &handshake);
    }
    let stranger = client(&server, OTHER_STANDALONE)
        .describe_handshake()
        .handshake_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&stranger), "HandshakeNotFoundException");
    let malformed = management
        .describe_handshake()
        .handshake_id("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&malformed), "InvalidInputException");
}

#[tokio::test]
async fn handshake_lists_page_and_filter() {
    let server = start_with(config_with_accounts(20)).await;
    let (management, _) = organization_with_root(&server).await;
    let accounts = ["200000000001", "200000000002", "200000000003"];
    let mut sent = Vec::new();
    for account in accounts {
        sent.push(invite(&management, account).await.id().unwrap().to_owned());
    }

    let mut listed = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = management
            .list_handshakes_for_organization()
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.handshakes().len() <= 1);
        listed.extend(
            page.handshakes()
                .iter()
                .map(|handshake| handshake.id().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(listed, sent);
    assert_eq!(pages, 3);

    let recipient = client(&server, accounts[0]);
    let first = recipient
        .list_handshakes_for_account()
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.handshakes().len(), 1);
    assert!(first.next_token().is_none());

    let invites = management
        .list_handshakes_for_organization()
        .filter(
            HandshakeFilter::builder()
                .action_type(ActionType::InviteAccountToOrganization)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(invites.handshakes().len(), 3);
    let approvals = management
        .list_handshakes_for_organization()
        .filter(
            HandshakeFilter::builder()
                .action_type(ActionType::ApproveAllFeatures)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(approvals.handshakes().is_empty());

    let both = management
        .list_handshakes_for_organization()
        .filter(
            HandshakeFilter::builder()
                .action_type(ActionType::InviteAccountToOrganization)
                .parent_handshake_id("h-0000000000")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&both), "InvalidInputException");
    assert_eq!(reason(&both), "MAX_LIMIT_EXCEEDED_FILTER");
    let both = recipient
        .list_handshakes_for_account()
        .filter(
            HandshakeFilter::builder()
                .action_type(ActionType::InviteAccountToOrganization)
                .parent_handshake_id("h-0000000000")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(reason(&both), "MAX_LIMIT_EXCEEDED_FILTER");

    let bad_token = management
        .list_handshakes_for_organization()
        .next_token("not-a-token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_token), "InvalidInputException");
    let too_many = management
        .list_handshakes_for_organization()
        .max_results(21)
        .send()
        .await
        .unwrap_err();
    assert_eq!(reason(&too_many), "MAX_VALUE_EXCEEDED");

    let standalone = client(&server, OTHER_STANDALONE)
        .list_handshakes_for_organization()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&standalone), "AWSOrganizationsNotInUseException");
    join(&server, &management, "200000000009").await;
    let from_member = client(&server, "200000000009")
        .list_handshakes_for_organization()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&from_member), "AccessDeniedException");
}

/// Accepts every open handshake of `action` that `account_id` received.
async fn accept_received(server: &server::RunningServer, account_id: &str, action: ActionType) {
    let member = client(server, account_id);
    let received = member
        .list_handshakes_for_account()
        .filter(HandshakeFilter::builder().action_type(action).build())
        .send()
        .await
        .unwrap();
    assert_eq!(received.handshakes().len(), 1, "{account_id}");
    member
        .accept_handshake()
        .handshake_id(received.handshakes()[0].id().unwrap())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn enable_all_features_flow() {
    let server = start_server().await;
    let management = client(&server, MANAGEMENT);
    management
        .create_organization()
        .feature_set(OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .unwrap();
    join(&server, &management, STANDALONE).await;
    join(&server, &management, OTHER_STANDALONE).await;
    create_account(&management, "Created", "created@example.com").await;

    let started = management.enable_all_features().send().await.unwrap();
    let request = started.handshake().unwrap();
    let request_id = request.id().unwrap().to_owned();
    assert_eq!(request.action(), Some(&ActionType::EnableAllFeatures));
    assert_eq!(request.state(), Some(&HandshakeState::Requested));
    assert_eq!(request.parties().len(), 1);
    assert_eq!(
        request.parties()[0].r#type(),
        &HandshakePartyType::Organization
    );
    assert!(request.arn().unwrap().contains("/enable_all_features/"));

    // Only the two invited members are asked; the created account approves by inference.
    let approvals = management
        .list_handshakes_for_organization()
        .filter(
            HandshakeFilter::builder()
                .parent_handshake_id(&request_id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(approvals.handshakes().len(), 2);
    for approval in approvals.handshakes() {
        assert_eq!(approval.action(), Some(&ActionType::ApproveAllFeatures));
        let parent = approval
            .resources()
            .iter()
            .find(|resource| resource.r#type() == Some(&HandshakeResourceType::ParentHandshake))
            .unwrap();
        assert_eq!(parent.value(), Some(request_id.as_str()));
    }

    let again = management.enable_all_features().send().await.unwrap_err();
    assert_eq!(code(&again), "HandshakeConstraintViolationException");
    assert_eq!(
        reason(&again),
        "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION"
    );
    let invitation = management
        .invite_account_to_organization()
        .target(account_party("444444444444"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        reason(&invitation),
        "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES"
    );
    let early = management
        .accept_handshake()
        .handshake_id(&request_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&early), "InvalidHandshakeTransitionException");
    let from_member = client(&server, STANDALONE)
        .enable_all_features()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&from_member), "AccessDeniedException");

    accept_received(&server, STANDALONE, ActionType::ApproveAllFeatures).await;
    let halfway = management
        .describe_handshake()
        .handshake_id(&request_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        halfway.handshake().unwrap().state(),
        Some(&HandshakeState::Requested)
    );
    accept_received(&server, OTHER_STANDALONE, ActionType::ApproveAllFeatures).await;
    let ready = management
        .list_handshakes_for_account()
        .filter(
            HandshakeFilter::builder()
                .action_type(ActionType::EnableAllFeatures)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ready.handshakes()[0].state(), Some(&HandshakeState::Open));

    let finished = management
        .accept_handshake()
        .handshake_id(&request_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        finished.handshake().unwrap().state(),
        Some(&HandshakeState::Accepted)
    );
    let organization = management.describe_organization().send().await.unwrap();
    assert_eq!(
        organization.organization().unwrap().feature_set(),
        Some(&OrganizationFeatureSet::All)
    );
    let done = management.enable_all_features().send().await.unwrap_err();
    assert_eq!(reason(&done), "ORGANIZATION_ALREADY_HAS_ALL_FEATURES");
}

#[tokio::test]
async fn canceling_enable_all_features_cancels_approvals() {
    let server = start_server().await;
    let management = client(&server, MANAGEMENT);
    management
        .create_organization()
        .feature_set(OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .unwrap();
    join(&server, &management, STANDALONE).await;
    let started = management.enable_all_features().send().await.unwrap();
    let request_id = started.handshake().unwrap().id().unwrap().to_owned();
    management
        .cancel_handshake()
        .handshake_id(&request_id)
        .send()
        .await
        .unwrap();
    let approvals = client(&server, STANDALONE)
        .list_handshakes_for_account()
        .filter(
            HandshakeFilter::builder()
                .parent_handshake_id(&request_id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(approvals.handshakes().len(), 1);
    assert_eq!(
        approvals.handshakes()[0].state(),
        Some(&HandshakeState::Canceled)
    );
    // With the request canceled, the organization may start again.
    management.enable_all_features().send().await.unwrap();
}

#[tokio::test]
async fn enable_all_features_without_invited_members_is_open() {
    let server = start_server().await;
    let management = client(&server, MANAGEMENT);
    management
        .create_organization()
        .feature_set(OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .unwrap();
    let started = management.enable_all_features().send().await.unwrap();
    let request = started.handshake().unwrap();
    assert_eq!(request.state(), Some(&HandshakeState::Open));
    management
        .accept_handshake()
        .handshake_id(request.id().unwrap())
        .send()
        .await
        .unwrap();
    let standalone = client(&server, STANDALONE)
        .enable_all_features()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&standalone), "AWSOrganizationsNotInUseException");
}

#[tokio::test]
async fn leave_organization_errors() {
    let server = start_server().await;
    let standalone = client(&server, STANDALONE)
        .leave_organization()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&standalone), "AWSOrganizationsNotInUseException");

    let (management, _) = organization_with_root(&server).await;
    let own = management.leave_organization().send().await.unwrap_err();
    assert_eq!(code(&own), "MasterCannotLeaveOrganizationException");

    let created = create_account(&management, "Created", "created@example.com").await;
    let early = client(&server, &created)
        .leave_organization()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&early), "ConstraintViolationException");
    assert_eq!(reason(&early), "WAIT_PERIOD_ACTIVE");
}

#[tokio::test]
async fn gov_cloud_account_needs_paired_account() {
    let server = start_server().await;
    let standalone = client(&server, STANDALONE)
        .create_gov_cloud_account()
        .account_name("Gov")
        .email("gov@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&standalone), "AWSOrganizationsNotInUseException");

    let (management, _) = organization_with_root(&server).await;
    let error = management
        .create_gov_cloud_account()
        .account_name("Gov")
        .email("gov@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&error), "ConstraintViolationException");
    assert_eq!(reason(&error), "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED");

    join(&server, &management, STANDALONE).await;
    let from_member = client(&server, STANDALONE)
        .create_gov_cloud_account()
        .account_name("Gov")
        .email("gov@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&from_member), "AccessDeniedException");
}

#[tokio::test]
async fn deleted_organization_takes_its_handshakes() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    invite(&management, STANDALONE).await;
    management.delete_organization().send().await.unwrap();
    let received = client(&server, STANDALONE)
        .list_handshakes_for_account()
        .send()
        .await
        .unwrap();
    assert!(received.handshakes().is_empty());
}

#[tokio::test]
async fn handshakes_survive_restart() {
    let directory = tempfile::tempdir().unwrap();
    let config = ServerConfig::new(Location::Directory(directory.path().to_owned()));

    let server = start_with(config.clone()).await;
    let (management, _) = organization_with_root(&server).await;
    join(&server, &management, STANDALONE).await;
    let open = invite(&management, OTHER_STANDALONE).await;
    client(&server, SOURCE_MANAGEMENT)
        .create_organization()
        .send()
        .await
        .unwrap();
    let transfer = invite_transfer(&management, SOURCE_MANAGEMENT, month_start(1))
        .await
        .unwrap();
    let transfer_before = management
        .describe_responsibility_transfer()
        .id(transfer_id(&transfer))
        .send()
        .await
        .unwrap();
    let before = management
        .list_handshakes_for_organization()
        .send()
        .await
        .unwrap()
        .handshakes()
        .to_vec();
    server.shutdown().await.unwrap();

    let server = start_with(config).await;
    let management = client(&server, MANAGEMENT);
    let after = management
        .list_handshakes_for_organization()
        .send()
        .await
        .unwrap()
        .handshakes()
        .to_vec();
    assert_eq!(before, after);
    assert_eq!(after.len(), 3);
    let transfer_after = management
        .describe_responsibility_transfer()
        .id(transfer_id(&transfer))
        .send()
        .await
        .unwrap();
    assert_eq!(
        transfer_before.responsibility_transfer(),
        transfer_after.responsibility_transfer()
    );
    client(&server, OTHER_STANDALONE)
        .accept_handshake()
        .handshake_id(open.id().unwrap())
        .send()
        .await
        .unwrap();
    let members = account_ids(&management).await;
    assert!(members.contains(&STANDALONE.to_owned()));
    assert!(members.contains(&OTHER_STANDALONE.to_owned()));
}

/// The management account of a second organization, the source of responsibility transfers.
const SOURCE_MANAGEMENT: &str = "555555555555";

/// Milliseconds since the Unix epoch of midnight UTC on the first day of the month that is
/// `months_ahead` months after the current one.
fn month_start(months_ahead: i8) -> i64 {
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let months = i32::from(today.month()) - 1 + i32::from(months_ahead);
    let year = i16::try_from(i32::from(today.year()) + months.div_euclid(12)).unwrap();
    let month = i8::try_from(months.rem_euclid(12) + 1).unwrap();
    jiff::civil::date(year, month, 1)
        .to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond()
}

fn date_time(millis: i64) -> aws_sdk_organizations::primitives::DateTime {
    aws_sdk_organizations::primitives::DateTime::from_millis(millis)
}

async fn invite_transfer(
    inviter: &Client,
    target: &str,
    start: i64,
) -> Result<
    Handshake,
    SdkError<
        aws_sdk_organizations::operation::invite_organization_to_transfer_responsibility::InviteOrganizationToTransferResponsibilityError,
        HttpResponse,
    >,
>{
    let sent = inviter
        .invite_organization_to_transfer_responsibility()
        .r#type(ResponsibilityTransferType::Billing)
        .target(account_party(target))
        .start_timestamp(date_time(start))
        .source_name("Billing for the source organization")
        .notes("We will pay your bills.")
        .send()
        .await?;
    Ok(sent.handshake().unwrap().clone())
}

fn transfer_id(handshake: &Handshake) -> String {
    handshake
        .resources()
        .iter()
        .find(|resource| resource.r#type() == Some(&HandshakeResourceType::ResponsibilityTransfer))
        .unwrap()
        .value()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn responsibility_transfer_lifecycle() {
    let server = start_server().await;
    let (inviter, _) = organization_with_root(&server).await;
    let source = client(&server, SOURCE_MANAGEMENT);
    let source_organization = source.create_organization().send().await.unwrap();
    let source_organization_id = source_organization.organization().unwrap().id().unwrap();

    let handshake = invite_transfer(&inviter, SOURCE_MANAGEMENT, month_start(1))
        .await
        .unwrap();
    assert_eq!(
        handshake.action(),
        Some(&ActionType::TransferResponsibility)
    );
    assert_eq!(handshake.state(), Some(&HandshakeState::Open));
    let id = transfer_id(&handshake);
    assert!(id.starts_with("rt-"), "{id}");

    let inbound = inviter
        .list_inbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .send()
        .await
        .unwrap();
    let transfer = &inbound.responsibility_transfers()[0];
    assert_eq!(transfer.id(), Some(id.as_str()));
    assert_eq!(
        transfer.status(),
        Some(&ResponsibilityTransferStatus::Requested)
    );
    assert!(transfer.arn().unwrap().contains("/billing/inbound/"));
    assert_eq!(
        transfer.target().unwrap().management_account_id(),
        Some(MANAGEMENT)
    );

    let outbound = source
        .list_outbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .send()
        .await
        .unwrap();
    let seen_by_source = &outbound.responsibility_transfers()[0];
    assert_eq!(
        seen_by_source.arn().unwrap(),
        format!(
            "arn:aws:organizations::{SOURCE_MANAGEMENT}:transfer/{source_organization_id}/billing/outbound/{id}"
        )
    );

    source
        .accept_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap();
    let described = inviter
        .describe_responsibility_transfer()
        .id(&id)
        .send()
        .await
        .unwrap();
    let transfer = described.responsibility_transfer().unwrap();
    assert_eq!(
        transfer.status(),
        Some(&ResponsibilityTransferStatus::Accepted)
    );
    assert_eq!(
        transfer.source().unwrap().management_account_id(),
        Some(SOURCE_MANAGEMENT)
    );
    assert_eq!(
        transfer.start_timestamp().unwrap().to_millis().unwrap(),
        month_start(1)
    );

    let renamed = source
        .update_responsibility_transfer()
        .id(&id)
        .name("Renamed transfer")
        .send()
        .await
        .unwrap();
    assert_eq!(
        renamed.responsibility_transfer().unwrap().name(),
        Some("Renamed transfer")
    );

    let blocked = inviter.delete_organization().send().await.unwrap_err();
    assert_eq!(code(&blocked), "ConstraintViolationException");
    assert_eq!(reason(&blocked), "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS");

    let mid_month = inviter
        .terminate_responsibility_transfer()
        .id(&id)
        .end_timestamp(date_time(month_start(2) - 24 * 60 * 60 * 1000))
        .send()
        .await
        .unwrap_err();
    assert_eq!(reason(&mid_month), "END_DATE_NOT_END_OF_MONTH");
    let end = month_start(3) - 1;
    let terminated = inviter
        .terminate_responsibility_transfer()
        .id(&id)
        .end_timestamp(date_time(end))
        .send()
        .await
        .unwrap();
    let transfer = terminated.responsibility_transfer().unwrap();
    assert_eq!(
        transfer.status(),
        Some(&ResponsibilityTransferStatus::Withdrawn)
    );
    assert_eq!(transfer.end_timestamp().unwrap().to_millis().unwrap(), end);
    let again = source
        .terminate_responsibility_transfer()
        .id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&again),
        "ResponsibilityTransferAlreadyInStatusException"
    );
    inviter.delete_organization().send().await.unwrap();
}

#[tokio::test]
async fn responsibility_transfer_errors() {
    let server = start_server().await;
    let standalone = invite_transfer(
        &client(&server, STANDALONE),
        SOURCE_MANAGEMENT,
        month_start(1),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&standalone), "AWSOrganizationsNotInUseException");

    let (inviter, _) = organization_with_root(&server).await;
    let source = client(&server, SOURCE_MANAGEMENT);
    source.create_organization().send().await.unwrap();

    let to_self = invite_transfer(&inviter, MANAGEMENT, month_start(1))
        .await
        .unwrap_err();
    assert_eq!(code(&to_self), "HandshakeConstraintViolationException");
    assert_eq!(reason(&to_self), "SOURCE_AND_TARGET_CANNOT_MATCH");

    let starts = [
        (
            month_start(1) + 24 * 60 * 60 * 1000,
            "START_DATE_NOT_BEGINNING_OF_MONTH",
        ),
        (
            month_start(1) + 60 * 60 * 1000,
            "START_DATE_NOT_BEGINNING_OF_DAY",
        ),
        (month_start(-12), "START_DATE_TOO_EARLY"),
    ];
    for (start, expected) in starts {
        let error = invite_transfer(&inviter, SOURCE_MANAGEMENT, start)
            .await
            .unwrap_err();
        assert_eq!(code(&error), "InvalidInputException");
        assert_eq!(reason(&error), expected);
    }
    let organization_party = inviter
        .invite_organization_to_transfer_responsibility()
        .r#type(ResponsibilityTransferType::Billing)
        .target(party(HandshakePartyType::Organization, "o-abcdefghij"))
        .start_timestamp(date_time(month_start(1)))
        .source_name("Billing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(reason(&organization_party), "INVALID_PARTY_TYPE_TARGET");

    let handshake = invite_transfer(&inviter, SOURCE_MANAGEMENT, month_start(1))
        .await
        .unwrap();
    let id = transfer_id(&handshake);
    let duplicate = invite_transfer(&inviter, SOURCE_MANAGEMENT, month_start(1))
        .await
        .unwrap_err();
    assert_eq!(code(&duplicate), "DuplicateHandshakeException");
    let early = inviter
        .terminate_responsibility_transfer()
        .id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&early),
        "InvalidResponsibilityTransferTransitionException"
    );
    let unknown = inviter
        .describe_responsibility_transfer()
        .id("rt-0000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unknown), "ResponsibilityTransferNotFoundException");
    let unknown = inviter
        .list_inbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .id("rt-0000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unknown), "ResponsibilityTransferNotFoundException");
    let stranger = client(&server, "666666666666");
    stranger.create_organization().send().await.unwrap();
    let hidden = stranger
        .describe_responsibility_transfer()
        .id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&hidden), "ResponsibilityTransferNotFoundException");

    join(&server, &inviter, STANDALONE).await;
    let from_member = client(&server, STANDALONE)
        .list_outbound_responsibility_transfers()
        .r#type(ResponsibilityTransferType::Billing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&from_member), "AccessDeniedException");

    inviter
        .cancel_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap();
    let canceled = source
        .describe_responsibility_transfer()
        .id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        canceled.responsibility_transfer().unwrap().status(),
        Some(&ResponsibilityTransferStatus::Canceled)
    );
}

#[tokio::test]
async fn transfer_needs_management_account_to_accept() {
    let server = start_server().await;
    let (inviter, _) = organization_with_root(&server).await;
    let handshake = invite_transfer(&inviter, STANDALONE, month_start(1))
        .await
        .unwrap();
    let error = client(&server, STANDALONE)
        .accept_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&error), "AWSOrganizationsNotInUseException");
}

#[tokio::test]
async fn inbound_transfers_page_one_at_a_time() {
    let server = start_server().await;
    let (inviter, _) = organization_with_root(&server).await;
    let mut sent = Vec::new();
    for source in ["700000000001", "700000000002"] {
        client(&server, source)
            .create_organization()
            .send()
            .await
            .unwrap();
        let handshake = invite_transfer(&inviter, source, month_start(1))
            .await
            .unwrap();
        sent.push(transfer_id(&handshake));
    }
    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = inviter
            .list_inbound_responsibility_transfers()
            .r#type(ResponsibilityTransferType::Billing)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.responsibility_transfers().len() <= 1);
        listed.extend(
            page.responsibility_transfers()
                .iter()
                .map(|transfer| transfer.id().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(listed, sent);
}
