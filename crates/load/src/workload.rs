//! The requests each connection sends: one operation over and over, or a fixed mix of
//! Organizations calls that reads and writes the way a landing-zone pipeline does.

use anyhow::Context;
use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::PolicyType;
use clap::ValueEnum;

/// The name of the OUs and the policy the mix works with, created by `setup`.
const UNIT_NAMES: [&str; 2] = ["Load A", "Load B"];
const POLICY_NAME: &str = "Load guardrail";
const POLICY_CONTENT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#;

/// The operations a run sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Workload {
    /// DescribeAccount, cycling through every account of the organization.
    DescribeAccount,
    /// ListAccounts, first page of 20.
    ListAccounts,
    /// A fixed cycle of ten calls per connection: DescribeAccount four times, ListAccounts
    /// twice (following NextToken from page to page), ListPoliciesForTarget, MoveAccount,
    /// AttachPolicy or DetachPolicy, and every tenth cycle a CreateAccount in place of one
    /// DescribeAccount.
    Mix,
}

/// The OUs and policy the mix moves accounts between and attaches.
#[derive(Debug, Clone)]
pub(crate) struct Fixture {
    /// The two OUs, by position in [`UNIT_NAMES`].
    pub(crate) units: [String; 2],
    /// The customer-managed SCP the mix attaches and detaches.
    pub(crate) policy_id: String,
}

/// Finds the mix's OUs and policy, creating what is missing.
pub(crate) async fn fixture(client: &Client) -> anyhow::Result<Fixture> {
    let roots = client
        .list_roots()
        .send()
        .await
        .context("ListRoots failed")?;
    let root_id = roots
        .roots()
        .first()
        .and_then(|root| root.id())
        .context("the organization has no root")?
        .to_owned();
    let existing = client
        .list_organizational_units_for_parent()
        .parent_id(&root_id)
        .send()
        .await
        .context("ListOrganizationalUnitsForParent failed")?;
    let mut units = Vec::with_capacity(2);
    for name in UNIT_NAMES {
        let found = existing
            .organizational_units()
            .iter()
            .find(|unit| unit.name() == Some(name))
            .and_then(|unit| unit.id().map(str::to_owned));
        let id = match found {
            Some(id) => id,
            None => client
                .create_organizational_unit()
                .parent_id(&root_id)
                .name(name)
                .send()
                .await
                .context("CreateOrganizationalUnit failed")?
                .organizational_unit()
                .and_then(|unit| unit.id())
                .context("CreateOrganizationalUnit returned no id")?
                .to_owned(),
        };
        units.push(id);
    }
    let policies = client
        .list_policies()
        .filter(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .context("ListPolicies failed")?;
    let found = policies
        .policies()
        .iter()
        .find(|policy| policy.name() == Some(POLICY_NAME))
        .and_then(|policy| policy.id().map(str::to_owned));
    let policy_id = match found {
        Some(id) => id,
        None => client
            .create_policy()
            .name(POLICY_NAME)
            .description("attached and detached by bulkhead-load")
            .r#type(PolicyType::ServiceControlPolicy)
            .content(POLICY_CONTENT)
            .send()
            .await
            .context("CreatePolicy failed")?
            .policy()
            .and_then(|policy| policy.policy_summary())
            .and_then(|summary| summary.id())
            .context("CreatePolicy returned no id")?
            .to_owned(),
    };
    let [first, second]: [String; 2] = units
        .try_into()
        .map_err(|_| anyhow::anyhow!("expected two OUs"))?;
    Ok(Fixture {
        units: [first, second],
        policy_id,
    })
}

/// The account one connection of the mix owns, and its state as the connection left it.
#[derive(Debug, Clone)]
pub(crate) struct Owned {
    /// The account this connection moves and attaches the policy to; no other connection
    /// touches it, so the connection's calls never conflict with another's.
    pub(crate) account_id: String,
    /// The account's parent now.
    pub(crate) parent: String,
    /// Whether the mix's policy is attached to the account now.
    pub(crate) attached: bool,
}

/// Reads the current parent and attachment of `account_id`, which an earlier run may have
/// left anywhere.
pub(crate) async fn owned(
    client: &Client,
    fixture: &Fixture,
    account_id: &str,
) -> anyhow::Result<Owned> {
    let parents = client
        .list_parents()
        .child_id(account_id)
        .send()
        .await
        .context("ListParents failed")?;
    let parent = parents
        .parents()
        .first()
        .and_then(|parent| parent.id())
        .context("the account has no parent")?
        .to_owned();
    let attached = client
        .list_policies_for_target()
        .target_id(account_id)
        .filter(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .context("ListPoliciesForTarget failed")?
        .policies()
        .iter()
        .any(|policy| policy.id() == Some(fixture.policy_id.as_str()));
    Ok(Owned {
        account_id: account_id.to_owned(),
        parent,
        attached,
    })
}

/// One request of a run: the operation's name for the report, its `X-Amz-Target` and body.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// The operation, as reports name it.
    pub(crate) operation: &'static str,
    /// The JSON body.
    pub(crate) body: String,
}

/// The state of one connection's sequence of calls.
#[derive(Debug)]
pub(crate) struct Sequence {
    workload: Workload,
    connection: usize,
    step: usize,
    owned: Option<Owned>,
    fixture: Option<Fixture>,
    /// The NextToken of the last ListAccounts page, so the mix walks the whole listing.
    pub(crate) next_token: Option<String>,
}

impl Sequence {
    /// Starts the sequence of `connection`.
    pub(crate) fn new(
        workload: Workload,
        connection: usize,
        fixture: Option<Fixture>,
        owned: Option<Owned>,
    ) -> Sequence {
        Sequence {
            workload,
            connection,
            step: connection,
            owned,
            fixture,
            next_token: None,
        }
    }

    /// Returns the next call, cycling through `account_ids` for DescribeAccount.
    pub(crate) fn next(&mut self, account_ids: &[String]) -> Call {
        let step = self.step;
        self.step += 1;
        let describe = || {
            let id = &account_ids[step % account_ids.len()];
            Call {
                operation: "DescribeAccount",
                body: format!("{{\"AccountId\":\"{id}\"}}"),
            }
        };
        let list = |token: &Option<String>| Call {
            operation: "ListAccounts",
            body: match token {
                Some(token) => format!("{{\"NextToken\":\"{token}\"}}"),
                None => "{}".to_owned(),
            },
        };
        match self.workload {
            Workload::DescribeAccount => describe(),
            Workload::ListAccounts => list(&None),
            Workload::Mix => {
                let (Some(owned), Some(fixture)) = (self.owned.as_mut(), self.fixture.as_ref())
                else {
                    return describe();
                };
                match step % 10 {
                    0 if step.is_multiple_of(100) => Call {
                        operation: "CreateAccount",
                        body: format!(
                            "{{\"AccountName\":\"Mix {0}-{step}\",\"Email\":\"mix-{0}-{step}-{1}@example.com\"}}",
                            self.connection,
                            std::process::id()
                        ),
                    },
                    2 | 6 => list(&self.next_token),
                    3 => Call {
                        operation: "ListPoliciesForTarget",
                        body: format!(
                            "{{\"TargetId\":\"{}\",\"Filter\":\"SERVICE_CONTROL_POLICY\"}}",
                            owned.account_id
                        ),
                    },
                    4 => {
                        let destination = if owned.parent == fixture.units[0] {
                            &fixture.units[1]
                        } else {
                            &fixture.units[0]
                        };
                        let body = format!(
                            "{{\"AccountId\":\"{}\",\"SourceParentId\":\"{}\",\"DestinationParentId\":\"{destination}\"}}",
                            owned.account_id, owned.parent
                        );
                        owned.parent = destination.clone();
                        Call {
                            operation: "MoveAccount",
                            body,
                        }
                    }
                    8 => {
                        let body = format!(
                            "{{\"PolicyId\":\"{}\",\"TargetId\":\"{}\"}}",
                            fixture.policy_id, owned.account_id
                        );
                        let operation = if owned.attached {
                            "DetachPolicy"
                        } else {
                            "AttachPolicy"
                        };
                        owned.attached = !owned.attached;
                        Call { operation, body }
                    }
                    _ => describe(),
                }
            }
        }
    }
}
