//! Member accounts: CreateAccount and its status, describing, listing, moving, removing and
//! closing accounts.

use std::collections::BTreeMap;

use model::Timestamp;
use model::organizations::{
    Account, AccountJoinedMethod, AccountState, AccountStatus, CloseAccountRequest,
    ConstraintViolationExceptionReason, CreateAccountFailureReason, CreateAccountRequest,
    CreateAccountResponse, CreateAccountState, CreateAccountStatus, CreateGovCloudAccountRequest,
    CreateGovCloudAccountResponse, DescribeAccountRequest, DescribeAccountResponse,
    DescribeCreateAccountStatusRequest, DescribeCreateAccountStatusResponse,
    ListAccountsForParentRequest, ListAccountsForParentResponse, ListAccountsRequest,
    ListAccountsResponse, ListCreateAccountStatusRequest, ListCreateAccountStatusResponse,
    MoveAccountRequest, RemoveAccountFromOrganizationRequest,
};
use store::{AccountRecord, Change, CreateAccountRequestRecord, OrganizationRecord};

use super::paging::PageRequest;
use super::state::State;
use super::structure::{children_of, path_text};
use super::tags::{initial_tags, validated_tags};
use super::{
    Empty, OperationResult, Organizations, OrganizationsError, Requester, ids, management,
};
use crate::Compatibility;
use crate::iam::{AccessRoleGrant, Iam};
use crate::time::{duration_millis, now_millis};

/// The role CreateAccount creates in the new account when the request names none.
pub const DEFAULT_ACCESS_ROLE: &str = "OrganizationAccountAccessRole";

/// The window in which closed accounts count against the closure quota: 30 days.
const CLOSURE_QUOTA_WINDOW_MILLIS: i64 = 30 * 24 * 60 * 60 * 1000;

impl Organizations {
    pub(super) async fn create_account(
        &self,
        caller: &Requester<'_>,
        input: CreateAccountRequest,
    ) -> OperationResult<CreateAccountResponse> {
        let settings = self.settings().clone();
        let delay = duration_millis(settings.account_creation_delay);
        let request = self
            .write(|state| {
                let organization = management(state, caller)?;
                let tags = validated_tags(
                    input.tags.as_deref().unwrap_or_default(),
                    settings.max_tags_per_resource,
                )?;
                let now = now_millis();
                let request = CreateAccountRequestRecord {
                    id: ids::create_account_request_id(),
                    organization_id: organization.id.clone(),
                    account_name: input.account_name.clone(),
                    email: input.email.clone(),
                    role_name: input
                        .role_name
                        .clone()
                        .unwrap_or_else(|| DEFAULT_ACCESS_ROLE.to_owned()),
                    tags: serde_json::to_string(&tags).unwrap_or_else(|_| "[]".to_owned()),
                    state: "IN_PROGRESS".to_owned(),
                    requested_at: now,
                    completes_at: now.saturating_add(delay),
                    completed_at: None,
                    account_id: None,
                    failure_reason: None,
                };
                // AWS reports IN_PROGRESS; without a delay the request is settled in the
                // same transaction. moto's conventions report the settled request instead.
                let changes = if delay == 0 {
                    settle_create_account(state, &request, settings.max_accounts)
                } else {
                    vec![Change::PutCreateAccountRequest(request.clone())]
                };
                let reported = match settings.compatibility {
                    Compatibility::Moto => changes
                        .iter()
                        .find_map(|change| match change {
                            Change::PutCreateAccountRequest(settled) => Some(settled.clone()),
                            _ => None,
                        })
                        .unwrap_or_else(|| request.clone()),
                    Compatibility::Aws => request.clone(),
                };
                Ok((reported, changes))
            })
            .await?;

        if delay > 0 {
            let id = request.id.clone();
            self.schedule(request.completes_at, move |service| async move {
                service.complete_create_account(&id).await;
            });
        }
        Ok(CreateAccountResponse {
            create_account_status: Some(create_account_status_shape(&request)),
        })
    }

    /// Settles a CreateAccount request that is still in progress.
    pub(super) async fn complete_create_account(&self, request_id: &str) {
        let max_accounts = self.settings().max_accounts;
        let result = self
            .write(|state| {
                let changes = match state.create_account_requests.get(request_id) {
                    Some(entry) if entry.record.state == "IN_PROGRESS" => {
                        settle_create_account(state, &entry.record, max_accounts)
                    }
                    _ => Vec::new(),
                };
                Ok(((), changes))
            })
            .await;
        if let Err(error) = result {
            tracing::error!(target: "bulkhead::organizations", request_id, %error, "CreateAccount could not be completed");
        }
    }

    /// Checks the caller as CreateAccount does, then fails as AWS fails for a management account
    /// without a paired GovCloud account: an emulated organization never has one.
    pub(super) fn create_gov_cloud_account(
        &self,
        caller: &Requester<'_>,
        input: CreateGovCloudAccountRequest,
    ) -> OperationResult<CreateGovCloudAccountResponse> {
        self.read(|state| {
            management(state, caller)?;
            validated_tags(
                input.tags.as_deref().unwrap_or_default(),
                self.settings().max_tags_per_resource,
            )?;
            Err(OrganizationsError::constraint(
                ConstraintViolationExceptionReason::MasterAccountNotGovcloudEnabled,
                "The management account has no associated account in the AWS GovCloud (US) Region, so it can't create GovCloud accounts.",
            ))
        })
    }

    pub(super) fn describe_create_account_status(
        &self,
        caller: &Requester<'_>,
        input: DescribeCreateAccountStatusRequest,
    ) -> OperationResult<DescribeCreateAccountStatusResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let request = state
                .create_account_requests
                .get(&input.create_account_request_id)
                .filter(|entry| entry.record.organization_id == organization.id)
                .ok_or_else(|| {
                    OrganizationsError::CreateAccountStatusNotFound(
                        input.create_account_request_id.clone(),
                    )
                })?;
            Ok(DescribeCreateAccountStatusResponse {
                create_account_status: Some(create_account_status_shape(&request.record)),
            })
        })
    }

    pub(super) fn list_create_account_status(
        &self,
        caller: &Requester<'_>,
        input: ListCreateAccountStatusRequest,
    ) -> OperationResult<ListCreateAccountStatusResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let states: Vec<&str> = input
                .states
                .iter()
                .flatten()
                .map(|state| state.as_str())
                .collect();
            let scope = format!(
                "ListCreateAccountStatus:{}:{}",
                organization.id,
                states.join(",")
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let matching: BTreeMap<u64, &CreateAccountRequestRecord> = state
                .organization(&organization.id)
                .map(|entry| &entry.create_account_requests)
                .into_iter()
                .flatten()
                .filter_map(|(seq, id)| {
                    state
                        .create_account_requests
                        .get(id)
                        .map(|entry| (*seq, &entry.record))
                })
                .filter(|(_, record)| states.is_empty() || states.contains(&record.state.as_str()))
                .collect();
            let (records, next_token) = page.take(&matching);
            let statuses = records
                .into_iter()
                .map(|record| create_account_status_shape(record))
                .collect();
            Ok(ListCreateAccountStatusResponse {
                create_account_statuses: Some(statuses),
                next_token,
            })
        })
    }

    pub(super) fn describe_account(
        &self,
        caller: &Requester<'_>,
        input: DescribeAccountRequest,
    ) -> OperationResult<DescribeAccountResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let account = find_account(state, organization, &input.account_id)?;
            Ok(DescribeAccountResponse {
                account: Some(account_shape(state, organization, account)),
            })
        })
    }

    pub(super) fn list_accounts(
        &self,
        caller: &Requester<'_>,
        input: ListAccountsRequest,
    ) -> OperationResult<ListAccountsResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let page = PageRequest::new(
                &format!("ListAccounts:{}", organization.id),
                input.next_token.as_deref(),
                input.max_results,
            )?;
            let empty = BTreeMap::new();
            let listing = state
                .organization(&organization.id)
                .map_or(&empty, |entry| &entry.accounts);
            let (ids, next_token) = page.take(listing);
            let accounts = account_shapes(state, organization, ids);
            Ok(ListAccountsResponse {
                accounts: Some(accounts),
                next_token,
            })
        })
    }

    pub(super) fn list_accounts_for_parent(
        &self,
        caller: &Requester<'_>,
        input: ListAccountsForParentRequest,
    ) -> OperationResult<ListAccountsForParentResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            let children = children_of(state, organization, &input.parent_id)?;
            let scope = format!("ListAccountsForParent:{}", input.parent_id);
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let (ids, next_token) = page.take(&children.accounts);
            let accounts = account_shapes(state, organization, ids);
            Ok(ListAccountsForParentResponse {
                accounts: Some(accounts),
                next_token,
            })
        })
    }

    pub(super) async fn move_account(
        &self,
        caller: &Requester<'_>,
        input: MoveAccountRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let account = find_account(state, organization, &input.account_id)?;
            if !state.is_parent_in(&input.source_parent_id, &organization.id) {
                return Err(OrganizationsError::SourceParentNotFound(
                    input.source_parent_id.clone(),
                ));
            }
            if !state.is_parent_in(&input.destination_parent_id, &organization.id) {
                return Err(OrganizationsError::DestinationParentNotFound(
                    input.destination_parent_id.clone(),
                ));
            }
            if account.parent_id != input.source_parent_id {
                return Err(OrganizationsError::AccountNotFound(
                    input.account_id.clone(),
                ));
            }
            if input.source_parent_id == input.destination_parent_id {
                return Err(OrganizationsError::DuplicateAccount(
                    input.account_id.clone(),
                ));
            }
            let moved = AccountRecord {
                parent_id: input.destination_parent_id.clone(),
                ..account.clone()
            };
            Ok((Empty {}, vec![Change::PutAccount(moved)]))
        })
        .await
    }

    pub(super) async fn remove_account_from_organization(
        &self,
        caller: &Requester<'_>,
        input: RemoveAccountFromOrganizationRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            let account = find_account(state, organization, &input.account_id)?;
            if account.id == organization.management_account_id {
                return Err(OrganizationsError::MasterCannotLeaveOrganization);
            }
            if super::delegation::is_delegated_administrator(state, &account.id) {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::CannotRemoveDelegatedAdministratorFromOrg,
                    format!(
                        "The account {} is a delegated administrator. Deregister it before you remove it.",
                        account.id
                    ),
                ));
            }
            Ok((
                Empty {},
                vec![Change::DeleteAccount {
                    id: account.id.clone(),
                }],
            ))
        })
        .await
    }

    pub(super) async fn close_account(
        &self,
        caller: &Requester<'_>,
        input: CloseAccountRequest,
    ) -> OperationResult<Empty> {
        let delay = duration_millis(self.settings().account_closure_delay);
        let closing_until = self
            .write(|state| {
                let organization = management(state, caller)?;
                let account = find_account(state, organization, &input.account_id)?;
                if account.id == organization.management_account_id {
                    return Err(OrganizationsError::constraint(
                        ConstraintViolationExceptionReason::CannotCloseManagementAccount,
                        "You can't close the management account with CloseAccount.",
                    ));
                }
                if account.status != AccountStatus::Active.as_str() {
                    return Err(OrganizationsError::AccountAlreadyClosed(account.id.clone()));
                }
                check_closure_quota(state, organization)?;

                let now = now_millis();
                let mut closed = AccountRecord {
                    closed_at: Some(now),
                    ..account.clone()
                };
                if delay == 0 {
                    set_closed(&mut closed);
                } else {
                    closed.status = AccountStatus::PendingClosure.as_str().to_owned();
                    closed.state = AccountState::PendingClosure.as_str().to_owned();
                    closed.status_until = Some(now.saturating_add(delay));
                }
                Ok((closed.status_until, vec![Change::PutAccount(closed)]))
            })
            .await?;

        if let Some(until) = closing_until {
            let id = input.account_id.clone();
            self.schedule(until, move |service| async move {
                service.complete_closure(&id).await
            });
        }
        Ok(Empty {})
    }

    /// Moves an account from `PENDING_CLOSURE` to `SUSPENDED`.
    pub(super) async fn complete_closure(&self, account_id: &str) {
        let result = self
            .write(|state| {
                let changes = match state.accounts.get(account_id) {
                    Some(entry) if entry.record.status_until.is_some() => {
                        let mut closed = entry.record.clone();
                        set_closed(&mut closed);
                        vec![Change::PutAccount(closed)]
                    }
                    _ => Vec::new(),
                };
                Ok(((), changes))
            })
            .await;
        if let Err(error) = result {
            tracing::error!(target: "bulkhead::organizations", account_id, %error, "account closure could not be completed");
        }
    }
}

/// The changes that settle a CreateAccount request: a new account, or a failure with AWS's
/// reason. An organization deleted in the meantime settles nothing.
fn settle_create_account(
    state: &State,
    request: &CreateAccountRequestRecord,
    max_accounts: usize,
) -> Vec<Change> {
    let Some(organization) = state.organization(&request.organization_id) else {
        return Vec::new();
    };
    let now = now_millis();
    let mut settled = CreateAccountRequestRecord {
        completed_at: Some(now),
        ..request.clone()
    };

    let email_taken = state
        .accounts
        .values()
        .any(|entry| entry.record.email.eq_ignore_ascii_case(&request.email));
    let failure = if email_taken {
        Some(CreateAccountFailureReason::EmailAlreadyExists)
    } else if organization.accounts.len() >= max_accounts {
        Some(CreateAccountFailureReason::AccountLimitExceeded)
    } else {
        None
    };
    if let Some(reason) = failure {
        settled.state = CreateAccountState::Failed.as_str().to_owned();
        settled.failure_reason = Some(reason.as_str().to_owned());
        return vec![Change::PutCreateAccountRequest(settled)];
    }

    let account_id = ids::account_id(|id| state.accounts.contains_key(id) || id == "000000000000");
    let account = AccountRecord {
        id: account_id.clone(),
        organization_id: request.organization_id.clone(),
        parent_id: organization.root_id.clone().unwrap_or_default(),
        name: request.account_name.clone(),
        email: request.email.clone(),
        status: AccountStatus::Active.as_str().to_owned(),
        state: AccountState::Active.as_str().to_owned(),
        joined_method: AccountJoinedMethod::Created.as_str().to_owned(),
        joined_at: now,
        access_role: Some(request.role_name.clone()),
        closed_at: None,
        status_until: None,
    };
    settled.state = CreateAccountState::Succeeded.as_str().to_owned();
    settled.account_id = Some(account_id.clone());

    let tags: Vec<(String, String)> = serde_json::from_str(&request.tags).unwrap_or_default();
    let mut changes = vec![
        Change::PutAccount(account),
        Change::PutCreateAccountRequest(settled),
    ];
    changes.extend(super::policies::default_attachments(
        state,
        &request.organization_id,
        &account_id,
    ));
    changes.extend(initial_tags(&account_id, &request.organization_id, tags));
    changes
}

fn set_closed(account: &mut AccountRecord) {
    account.status = AccountStatus::Suspended.as_str().to_owned();
    account.state = AccountState::Closed.as_str().to_owned();
    account.status_until = None;
}

/// AWS lets an organization close 10% of its member accounts in any 30 days, at least 10 and
/// at most 1,000.
fn check_closure_quota(state: &State, organization: &OrganizationRecord) -> OperationResult<()> {
    let Some(entry) = state.organization(&organization.id) else {
        return Ok(());
    };
    let members = entry.accounts.len().saturating_sub(1);
    let quota = (members / 10).clamp(10, 1_000);
    let since = now_millis().saturating_sub(CLOSURE_QUOTA_WINDOW_MILLIS);
    let recent = entry
        .accounts
        .values()
        .filter_map(|id| state.accounts.get(id))
        .filter(|account| account.record.closed_at.is_some_and(|at| at >= since))
        .count();
    if recent >= quota {
        return Err(OrganizationsError::constraint(
            ConstraintViolationExceptionReason::CloseAccountQuotaExceeded,
            format!(
                "You have closed {recent} accounts in the last 30 days, the most this organization may close ({quota})."
            ),
        ));
    }
    Ok(())
}

fn find_account<'s>(
    state: &'s State,
    organization: &OrganizationRecord,
    account_id: &str,
) -> OperationResult<&'s AccountRecord> {
    state
        .accounts
        .get(account_id)
        .map(|entry| &entry.record)
        .filter(|account| account.organization_id == organization.id)
        .ok_or_else(|| OrganizationsError::AccountNotFound(account_id.to_owned()))
}

fn account_shapes(
    state: &State,
    organization: &OrganizationRecord,
    ids: Vec<&String>,
) -> Vec<Account> {
    ids.into_iter()
        .filter_map(|id| state.accounts.get(id))
        .map(|entry| account_shape(state, organization, &entry.record))
        .collect()
}

pub(super) fn account_shape(
    state: &State,
    organization: &OrganizationRecord,
    account: &AccountRecord,
) -> Account {
    Account {
        arn: Some(ids::account_arn(organization, &account.id)),
        email: Some(account.email.clone()),
        id: Some(account.id.clone()),
        joined_method: AccountJoinedMethod::from_wire(&account.joined_method),
        joined_timestamp: Some(Timestamp::from_epoch_millis(account.joined_at)),
        name: Some(account.name.clone()),
        paths: Some(vec![path_text(state, organization, &account.id)]),
        state: AccountState::from_wire(&account.state),
        status: AccountStatus::from_wire(&account.status),
    }
}

fn create_account_status_shape(request: &CreateAccountRequestRecord) -> CreateAccountStatus {
    let settled = request.completed_at.is_some();
    CreateAccountStatus {
        account_id: request.account_id.clone().filter(|_| settled),
        account_name: Some(request.account_name.clone()),
        completed_timestamp: request.completed_at.map(Timestamp::from_epoch_millis),
        failure_reason: request
            .failure_reason
            .as_deref()
            .and_then(CreateAccountFailureReason::from_wire),
        gov_cloud_account_id: None,
        id: Some(request.id.clone()),
        requested_timestamp: Some(Timestamp::from_epoch_millis(request.requested_at)),
        state: CreateAccountState::from_wire(&request.state),
    }
}

/// Returns the access roles to create for the accounts that `changes` add by CreateAccount.
pub(super) fn access_role_grants(
    state: &State,
    changes: &[Change],
    iam: &Iam,
) -> Vec<AccessRoleGrant> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::PutAccount(account) if !state.accounts.contains_key(&account.id) => {
                access_role_grant(state, account, iam)
            }
            _ => None,
        })
        .collect()
}

/// Returns the access roles that created accounts should have but IAM never made.
pub(super) fn unprovisioned_access_roles(state: &State, iam: &Iam) -> Vec<AccessRoleGrant> {
    state
        .accounts
        .values()
        .filter_map(|entry| access_role_grant(state, &entry.record, iam))
        .collect()
}

/// Returns the access role a created account gets, unless it was made already. Invited
/// accounts get none.
fn access_role_grant(state: &State, account: &AccountRecord, iam: &Iam) -> Option<AccessRoleGrant> {
    let role_name = account.access_role.as_ref()?;
    if account.joined_method != AccountJoinedMethod::Created.as_str()
        || iam.is_access_role_provisioned(&account.id)
    {
        return None;
    }
    let organization = state
        .organization(&account.organization_id)?
        .record
        .as_ref()?;
    Some(AccessRoleGrant {
        account_id: account.id.clone(),
        role_name: role_name.clone(),
        management_account_id: organization.management_account_id.clone(),
        partition: organization.partition.clone(),
    })
}
