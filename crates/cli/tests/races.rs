//! Concurrent clients racing MoveAccount, AttachPolicy, DetachPolicy, DeleteOrganizationalUnit
//! and CreateAccount on the same objects.
//!
//! bulkhead runs every Organizations write under one writer lock, checked against the state
//! the previous write left, so two writes never interleave. AWS returns
//! `ConcurrentModificationException` when a write meets another one in progress. With
//! serialized writes that case cannot arise, so each racing call either succeeds or fails with
//! the error AWS returns for the state it met: the account already moved, the policy already
//! attached, the OU already deleted. The tests check exactly that, and that no acknowledged
//! write is lost.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "an integration test fails on any unexpected error"
)]

mod common;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{CreateAccountState, PolicyType};
use common::{
    DENY_ALL, MANAGEMENT, checked_shape, client, config_with_accounts, create_account, error_code,
    organization_with_root, start_server, start_with,
};
use tokio::sync::Barrier;

/// Runs `count` calls at once, released together by a barrier, and returns each call's
/// outcome: `Ok(value)` or `Err(error code)`.
async fn race<T, F, Fut>(count: usize, call: F) -> Vec<Result<T, String>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<T, String>> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(count));
    let mut tasks = Vec::new();
    for index in 0..count {
        let barrier = barrier.clone();
        let future = call(index);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            future.await
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

/// Counts the successes and the error codes of a race.
fn tally<T>(outcomes: &[Result<T, String>]) -> (usize, BTreeMap<String, usize>) {
    let mut errors = BTreeMap::new();
    let mut successes = 0;
    for outcome in outcomes {
        match outcome {
            Ok(_) => successes += 1,
            Err(code) => *errors.entry(code.clone()).or_insert(0) += 1,
        }
    }
    (successes, errors)
}

async fn create_scp(client: &Client, name: &str) -> String {
    let created = client
        .create_policy()
        .name(name)
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(DENY_ALL)
        .send()
        .await
        .unwrap();
    created
        .policy()
        .and_then(|policy| policy.policy_summary())
        .and_then(|summary| summary.id())
        .unwrap()
        .to_owned()
}

async fn attach(client: Client, policy_id: String, target_id: String) -> Result<(), String> {
    client
        .attach_policy()
        .policy_id(policy_id)
        .target_id(target_id)
        .send()
        .await
        .map(drop)
        .map_err(|error| error_code(&error))
}

async fn detach(client: Client, policy_id: String, target_id: String) -> Result<(), String> {
    client
        .detach_policy()
        .policy_id(policy_id)
        .target_id(target_id)
        .send()
        .await
        .map(drop)
        .map_err(|error| error_code(&error))
}

async fn move_account(
    client: Client,
    account_id: String,
    source: String,
    destination: String,
) -> Result<String, String> {
    client
        .move_account()
        .account_id(account_id)
        .source_parent_id(source)
        .destination_parent_id(&destination)
        .send()
        .await
        .map(|_| destination)
        .map_err(|error| error_code(&error))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_moves_move_once() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let mut parents = vec![root_id.clone()];
    for name in ["Workloads", "Sandbox", "Security"] {
        parents.push(common::create_unit(&management, &root_id, name).await);
    }
    let account = create_account(&management, "Raced", "raced@example.com").await;

    let mut current = root_id.clone();
    for round in 0..5 {
        let destinations: Vec<String> = parents
            .iter()
            .filter(|parent| **parent != current)
            .cloned()
            .collect();
        let outcomes = race(6, |index| {
            move_account(
                client(&server, MANAGEMENT),
                account.clone(),
                current.clone(),
                destinations[index % destinations.len()].clone(),
            )
        })
        .await;

        let (successes, errors) = tally(&outcomes);
        assert_eq!(successes, 1, "round {round}: {outcomes:?}");
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            vec!["AccountNotFoundException"],
            "round {round}: a move from a parent the account has left"
        );
        current = outcomes.into_iter().find_map(Result::ok).unwrap();
        let shape = checked_shape(&management).await;
        assert_eq!(shape.account_parents[&account], current, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_attach_and_detach_apply_once() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let unit = common::create_unit(&management, &root_id, "Workloads").await;
    let policy = create_scp(&management, "deny-all").await;

    for round in 0..3 {
        let attached = race(8, |_| {
            attach(client(&server, MANAGEMENT), policy.clone(), unit.clone())
        })
        .await;
        let (successes, errors) = tally(&attached);
        assert_eq!(successes, 1, "round {round}: {attached:?}");
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            vec!["DuplicatePolicyAttachmentException"],
            "round {round}"
        );
        let shape = checked_shape(&management).await;
        assert!(
            shape.policy_targets[&policy].contains(&unit),
            "round {round}"
        );

        let detached = race(8, |_| {
            detach(client(&server, MANAGEMENT), policy.clone(), unit.clone())
        })
        .await;
        let (successes, errors) = tally(&detached);
        assert_eq!(successes, 1, "round {round}: {detached:?}");
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            vec!["PolicyNotAttachedException"],
            "round {round}"
        );
        let shape = checked_shape(&management).await;
        assert!(shape.policy_targets[&policy].is_empty(), "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_attachments_respect_quota() {
    let server = start_server().await;
    let (management, _) = organization_with_root(&server).await;
    let account = create_account(&management, "Target", "target@example.com").await;
    let mut policies = Vec::new();
    for index in 0..7 {
        policies.push(create_scp(&management, &format!("deny-{index}")).await);
    }
    let before = checked_shape(&management).await;
    let already: usize = before
        .policy_targets
        .values()
        .filter(|targets| targets.contains(&account))
        .count();

    // Seven different policies race for the account's free places under the quota of five
    // SCPs per target, so every place is taken once and the rest fail on the quota.
    let outcomes = race(policies.len(), |index| {
        attach(
            client(&server, MANAGEMENT),
            policies[index].clone(),
            account.clone(),
        )
    })
    .await;

    let (successes, errors) = tally(&outcomes);
    let free = 5 - already;
    assert_eq!(successes, free, "{outcomes:?}");
    assert_eq!(
        errors,
        BTreeMap::from([(
            "ConstraintViolationException".to_owned(),
            policies.len() - free
        )])
    );
    let after = checked_shape(&management).await;
    for (policy, outcome) in policies.iter().zip(&outcomes) {
        assert_eq!(
            after.policy_targets[policy].contains(&account),
            outcome.is_ok(),
            "{policy}: the attachment is listed exactly when it was acknowledged"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deleting_raced_unit_leaves_no_orphan() {
    let server = start_server().await;
    let (management, root_id) = organization_with_root(&server).await;
    let account = create_account(&management, "Mover", "mover@example.com").await;

    for round in 0..6 {
        let unit = common::create_unit(&management, &root_id, &format!("Doomed {round}")).await;
        // Two deletes, one move into the OU and one OU created inside it, all at once.
        let outcomes = race(4, |index| {
            let client = client(&server, MANAGEMENT);
            let unit = unit.clone();
            let account = account.clone();
            let root_id = root_id.clone();
            async move {
                let outcome = match index {
                    0 | 1 => client
                        .delete_organizational_unit()
                        .organizational_unit_id(unit)
                        .send()
                        .await
                        .map(drop)
                        .map_err(|error| error_code(&error)),
                    2 => move_account(client, account, root_id, unit).await.map(drop),
                    _ => client
                        .create_organizational_unit()
                        .parent_id(unit)
                        .name("Inner")
                        .send()
                        .await
                        .map(drop)
                        .map_err(|error| error_code(&error)),
                };
                Ok::<_, String>(outcome)
            }
        })
        .await;
        let outcomes: Vec<Result<(), String>> = outcomes.into_iter().map(Result::unwrap).collect();

        let shape = checked_shape(&management).await;
        let deleted = outcomes[..2].iter().any(Result::is_ok);
        assert!(
            !(outcomes[0].is_ok() && outcomes[1].is_ok()),
            "round {round}: an OU was deleted twice"
        );
        if deleted {
            assert!(!shape.unit_parents.contains_key(&unit), "round {round}");
            assert_eq!(
                outcomes[2],
                Err("DestinationParentNotFoundException".to_owned()),
                "round {round}"
            );
            assert_eq!(
                outcomes[3],
                Err("ParentNotFoundException".to_owned()),
                "round {round}"
            );
            for failed in outcomes[..2].iter().filter_map(|o| o.as_ref().err()) {
                assert!(
                    failed == "OrganizationalUnitNotFoundException"
                        || failed == "OrganizationalUnitNotEmptyException",
                    "round {round}: {failed}"
                );
            }
        } else {
            assert!(
                outcomes[2].is_ok() || outcomes[3].is_ok(),
                "round {round}: {outcomes:?}"
            );
            for failed in &outcomes[..2] {
                assert_eq!(
                    failed,
                    &Err("OrganizationalUnitNotEmptyException".to_owned()),
                    "round {round}"
                );
            }
            assert_eq!(
                shape.account_parents[&account] == unit,
                outcomes[2].is_ok(),
                "round {round}: the move is visible exactly when it was acknowledged"
            );
            let inner = shape.unit_parents.values().filter(|p| **p == unit).count();
            assert_eq!(inner, usize::from(outcomes[3].is_ok()), "round {round}");
        }

        // Empty the OU again so the next round starts from the same shape.
        if outcomes[2].is_ok() && shape.account_parents[&account] == unit {
            move_account(
                management.clone(),
                account.clone(),
                unit.clone(),
                root_id.clone(),
            )
            .await
            .unwrap();
        }
        for (child, parent) in &shape.unit_parents {
            if *parent == unit {
                management
                    .delete_organizational_unit()
                    .organizational_unit_id(child)
                    .send()
                    .await
                    .unwrap();
            }
        }
        if !deleted {
            management
                .delete_organizational_unit()
                .organizational_unit_id(&unit)
                .send()
                .await
                .unwrap();
        }
        let shape = checked_shape(&management).await;
        assert_eq!(shape.account_parents[&account], root_id, "round {round}");
        assert!(shape.unit_parents.is_empty(), "round {round}");
    }
}

/// Sends CreateAccount and returns the settled request: its state, account id and failure
/// reason.
async fn create_and_settle(
    client: Client,
    name: String,
    email: String,
) -> Result<(CreateAccountState, Option<String>, Option<String>), String> {
    let created = client
        .create_account()
        .account_name(name)
        .email(email)
        .send()
        .await
        .map_err(|error| error_code(&error))?;
    let request_id = created
        .create_account_status()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    for _ in 0..100 {
        let described = client
            .describe_create_account_status()
            .create_account_request_id(&request_id)
            .send()
            .await
            .map_err(|error| error_code(&error))?;
        let status = described.create_account_status().unwrap();
        let state = status.state().unwrap().clone();
        if state != CreateAccountState::InProgress {
            return Ok((
                state,
                status.account_id().map(str::to_owned),
                status
                    .failure_reason()
                    .map(|reason| reason.as_str().to_owned()),
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("CreateAccount request {request_id} did not settle in 2 seconds");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_create_account_loses_none() {
    let server = start_with(config_with_accounts(100)).await;
    let (management, _) = organization_with_root(&server).await;

    // Eight accounts with their own addresses, then three that share one address.
    let outcomes = race(11, |index| {
        let email = if index < 8 {
            format!("racer-{index}@example.com")
        } else {
            "shared@example.com".to_owned()
        };
        create_and_settle(client(&server, MANAGEMENT), format!("Racer {index}"), email)
    })
    .await;

    let settled: Vec<_> = outcomes.into_iter().map(Result::unwrap).collect();
    for (index, (state, account_id, reason)) in settled[..8].iter().enumerate() {
        assert_eq!(
            state,
            &CreateAccountState::Succeeded,
            "racer {index}: {reason:?}"
        );
        assert!(account_id.is_some(), "racer {index}");
    }
    let shared: Vec<_> = settled[8..].iter().collect();
    let succeeded = shared
        .iter()
        .filter(|(state, _, _)| *state == CreateAccountState::Succeeded)
        .count();
    assert_eq!(succeeded, 1, "{shared:?}");
    for (state, account_id, reason) in &shared {
        if *state == CreateAccountState::Failed {
            assert_eq!(reason.as_deref(), Some("EMAIL_ALREADY_EXISTS"));
            assert_eq!(account_id, &None, "a failed request has no account");
        }
    }

    let created: Vec<&String> = settled
        .iter()
        .filter_map(|(_, id, _)| id.as_ref())
        .collect();
    let shape = checked_shape(&management).await;
    assert_eq!(shape.account_parents.len(), created.len() + 1);
    for id in created {
        assert_eq!(shape.account_parents[id], shape.root_id, "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_create_account_stops_at_quota() {
    let server = start_with(config_with_accounts(5)).await;
    let (management, _) = organization_with_root(&server).await;

    let outcomes = race(8, |index| {
        create_and_settle(
            client(&server, MANAGEMENT),
            format!("Racer {index}"),
            format!("quota-{index}@example.com"),
        )
    })
    .await;

    let settled: Vec<_> = outcomes.into_iter().map(Result::unwrap).collect();
    let succeeded = settled
        .iter()
        .filter(|(state, _, _)| *state == CreateAccountState::Succeeded)
        .count();
    assert_eq!(
        succeeded, 4,
        "five accounts with the management account: {settled:?}"
    );
    for (state, account_id, reason) in &settled {
        if *state == CreateAccountState::Failed {
            assert_eq!(reason.as_deref(), Some("ACCOUNT_LIMIT_EXCEEDED"));
            assert_eq!(account_id, &None);
        }
    }
    let shape = checked_shape(&management).await;
    assert_eq!(shape.account_parents.len(), 5);
}
