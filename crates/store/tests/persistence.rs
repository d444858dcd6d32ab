//! The store against a real SQLite file: commits survive a reopen, and a failed transaction
//! leaves nothing behind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

use store::{
    AccountRecord, Change, Location, OrganizationRecord, OrganizationalUnitRecord, RootRecord,
    Store,
};

fn organization() -> OrganizationRecord {
    OrganizationRecord {
        id: "o-abcdefghij".to_owned(),
        feature_set: "ALL".to_owned(),
        management_account_id: "111111111111".to_owned(),
        partition: "aws".to_owned(),
        created_at: 1,
    }
}

fn account(id: &str, parent_id: &str) -> AccountRecord {
    AccountRecord {
        id: id.to_owned(),
        organization_id: "o-abcdefghij".to_owned(),
        parent_id: parent_id.to_owned(),
        name: format!("account {id}"),
        email: format!("{id}@example.com"),
        status: "ACTIVE".to_owned(),
        state: "ACTIVE".to_owned(),
        joined_method: "CREATED".to_owned(),
        joined_at: 2,
        access_role: Some("OrganizationAccountAccessRole".to_owned()),
        closed_at: None,
        status_until: None,
    }
}

fn base_changes() -> Vec<Change> {
    vec![
        Change::PutOrganization(organization()),
        Change::PutRoot(RootRecord {
            id: "r-abcd".to_owned(),
            organization_id: "o-abcdefghij".to_owned(),
            name: "Root".to_owned(),
        }),
        Change::PutOrganizationalUnit(OrganizationalUnitRecord {
            id: "ou-abcd-11111111".to_owned(),
            organization_id: "o-abcdefghij".to_owned(),
            parent_id: "r-abcd".to_owned(),
            name: "Security".to_owned(),
        }),
        Change::PutAccount(account("111111111111", "r-abcd")),
        Change::PutAccount(account("222222222222", "ou-abcd-11111111")),
        Change::SetTags {
            resource_id: "222222222222".to_owned(),
            organization_id: "o-abcdefghij".to_owned(),
            tags: vec![
                ("team".to_owned(), "red".to_owned()),
                ("env".to_owned(), "dev".to_owned()),
            ],
        },
    ]
}

#[tokio::test]
async fn commits_survive_reopen() {
    let directory = tempfile::tempdir().unwrap();
    let location = Location::Directory(directory.path().to_owned());
    let store = Store::open(&location).await.unwrap();
    store.commit(&base_changes()).await.unwrap();
    // Moving the first account keeps its place in insertion order.
    store
        .commit(&[Change::PutAccount(account(
            "111111111111",
            "ou-abcd-11111111",
        ))])
        .await
        .unwrap();
    store.close().await;

    let store = Store::open(&location).await.unwrap();
    let snapshot = store.load().await.unwrap();
    assert_eq!(snapshot.organizations, vec![organization()]);
    assert_eq!(snapshot.accounts.len(), 2);
    assert_eq!(snapshot.accounts[0].id, "111111111111");
    assert_eq!(snapshot.accounts[0].parent_id, "ou-abcd-11111111");
    let tags: Vec<_> = snapshot
        .tags
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect();
    assert_eq!(tags, vec![("team", "red"), ("env", "dev")]);
}

#[tokio::test]
async fn failed_transaction_writes_nothing() {
    let store = Store::open(&Location::InMemory).await.unwrap();
    // The account refers to an organization that does not exist, so the foreign key fails
    // after the first change was written.
    let result = store
        .commit(&[
            Change::PutOrganization(OrganizationRecord {
                id: "o-zzzzzzzzzz".to_owned(),
                ..organization()
            }),
            Change::PutAccount(AccountRecord {
                organization_id: "o-missing000".to_owned(),
                ..account("333333333333", "r-abcd")
            }),
        ])
        .await;
    assert!(result.is_err());
    assert_eq!(store.count("organizations").await.unwrap(), 0);
}

#[tokio::test]
async fn delete_organization_removes_its_rows() {
    let store = Store::open(&Location::InMemory).await.unwrap();
    store.commit(&base_changes()).await.unwrap();
    store
        .commit(&[Change::DeleteOrganization {
            id: "o-abcdefghij".to_owned(),
        }])
        .await
        .unwrap();
    assert_eq!(store.load().await.unwrap(), store::Snapshot::default());
}

#[tokio::test]
async fn reset_empties_every_table() {
    let store = Store::open(&Location::InMemory).await.unwrap();
    store.commit(&base_changes()).await.unwrap();
    store.reset().await.unwrap();
    assert_eq!(store.load().await.unwrap(), store::Snapshot::default());
}

#[tokio::test]
async fn delete_organization_keeps_sessions() {
    let store = Store::open(&Location::InMemory).await.unwrap();
    store.commit(&base_changes()).await.unwrap();
    let session = store::SessionRecord {
        access_key_id: "ASIAEXAMPLE0000000".to_owned(),
        secret: "secret".to_owned(),
        session_token: "token".to_owned(),
        account_id: "222222222222".to_owned(),
        role_arn: "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole".to_owned(),
        role_id: "AROAEXAMPLE".to_owned(),
        session_name: "admin".to_owned(),
        issued_at: 1,
        expires_at: i64::MAX,
        chained: false,
        context: r#"{"source_identity":"alice"}"#.to_owned(),
    };
    store
        .commit(&[Change::PutSession(session.clone())])
        .await
        .unwrap();
    store
        .commit(&[Change::DeleteOrganization {
            id: "o-abcdefghij".to_owned(),
        }])
        .await
        .unwrap();
    assert_eq!(store.load_sessions(0).await.unwrap(), vec![session]);
    assert_eq!(store.count("organizations").await.unwrap(), 0);
}
