//! AWS Organizations: organizations, their root, OUs and accounts, CreateAccount requests,
//! tags, and the handshakes by which accounts join and organizations enable all features.
//!
//! The service serves requests from an in-memory [`State`](state::State). A write runs in three
//! steps under one writer lock: compute the changes from the current state (failing with the
//! error AWS returns, with nothing written), commit them to the store, then apply the same
//! changes to memory. Readers never wait for the store and see either the state before a write
//! or the state after it.

mod accounts;
mod authorization;
mod delegation;
mod documents;
mod effective;
mod error;
mod governance;
mod handshakes;
mod ids;
mod membership;
mod paging;
mod policies;
mod state;
mod structure;
mod tags;
mod transfers;

use std::sync::Arc;
use std::time::Duration;

use model::organizations::{MODEL, Operation};
use parking_lot::RwLock;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use store::{Change, OrganizationRecord, Store};
use wire::AwsError;

use crate::access::Call;
use crate::iam::Iam;
use crate::{Caller, Settings};
pub use accounts::DEFAULT_ACCESS_ROLE;
pub use documents::{DocumentError, DocumentPlace};
pub use error::OrganizationsError;
pub use governance::AccountGovernance;
use state::State;

/// The AWS Organizations service.
#[derive(Debug, Clone)]
pub struct Organizations {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: RwLock<State>,
    writer: tokio::sync::Mutex<()>,
    store: Store,
    settings: Settings,
    governance: governance::GovernanceCache,
    /// IAM, where CreateAccount makes the new account's access role.
    iam: Iam,
}

/// Checks a policy document as CreatePolicy checks it: the size limit of its type, JSON
/// syntax, and the grammar of an SCP or RCP or the structure of a management policy.
/// `policy_type` is the API's name, such as `SERVICE_CONTROL_POLICY`. Returns the error
/// CreatePolicy would return when the type is unknown or the document is invalid, with the
/// place in the document where the check finds one.
pub fn check_policy_document(policy_type: &str, content: &str) -> Result<(), DocumentError> {
    let parsed: model::organizations::PolicyType =
        serde_json::from_value(Value::String(policy_type.to_owned())).map_err(|_| {
            let message = format!("unknown policy type '{policy_type}'");
            DocumentError {
                error: OrganizationsError::invalid(
                    model::organizations::InvalidInputExceptionReason::InvalidEnumPolicyType,
                    message.clone(),
                ),
                problem: message,
                place: None,
            }
        })?;
    documents::validate(parsed, content)
}

/// The outcome of an operation, before it is written on the wire.
type OperationResult<T> = Result<T, OrganizationsError>;

/// An operation with no output members: the response body is `{}`.
#[derive(Debug, Serialize)]
struct Empty {}

impl Organizations {
    /// Loads every organization from `store` and resumes work that was pending when the
    /// process stopped: CreateAccount requests and account closures that are still running,
    /// and the access role of a created account that IAM does not have yet. Call it inside a
    /// Tokio runtime, after loading `iam` from the same store.
    pub async fn load(
        store: Store,
        settings: Settings,
        iam: Iam,
    ) -> Result<Organizations, store::StoreError> {
        let snapshot = store.load().await?;
        let state = State::from_snapshot(snapshot);
        let organizations = Organizations {
            inner: Arc::new(Inner {
                state: RwLock::new(state),
                writer: tokio::sync::Mutex::new(()),
                store,
                settings,
                governance: governance::GovernanceCache::default(),
                iam,
            }),
        };
        organizations.provision_missing_access_roles().await?;
        organizations.resume_pending_work();
        Ok(organizations)
    }

    /// Returns the settings the service runs with.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// Parses a JSON request body (an empty body counts as `{}`) and checks it against the
    /// operation's input shape.
    pub fn parse_input(operation: Operation, body: &[u8]) -> Result<Value, AwsError> {
        parse_body(operation, body)
    }

    /// Runs one operation for `caller` on its parsed input and returns the JSON response.
    pub async fn handle(
        &self,
        caller: &Caller,
        operation: Operation,
        input: &Value,
    ) -> Result<Vec<u8>, AwsError> {
        let granted = {
            let state = self.inner.state.read();
            delegation::is_granted(&state, &caller.account_id, caller.partition, operation)
        };
        let requester = Requester { caller, granted };
        let caller = &requester;
        let output = match operation {
            Operation::CreateOrganization => {
                encode(self.create_organization(caller, decode(input)?).await)
            }
            Operation::DescribeOrganization => encode(self.describe_organization(caller)),
            Operation::DeleteOrganization => encode(self.delete_organization(caller).await),
            Operation::ListRoots => encode(self.list_roots(caller, decode(input)?)),
            Operation::CreateOrganizationalUnit => encode(
                self.create_organizational_unit(caller, decode(input)?)
                    .await,
            ),
            Operation::DescribeOrganizationalUnit => {
                encode(self.describe_organizational_unit(caller, decode(input)?))
            }
            Operation::UpdateOrganizationalUnit => encode(
                self.update_organizational_unit(caller, decode(input)?)
                    .await,
            ),
            Operation::DeleteOrganizationalUnit => encode(
                self.delete_organizational_unit(caller, decode(input)?)
                    .await,
            ),
            Operation::ListOrganizationalUnitsForParent => {
                encode(self.list_organizational_units_for_parent(caller, decode(input)?))
            }
            Operation::ListChildren => encode(self.list_children(caller, decode(input)?)),
            Operation::ListParents => encode(self.list_parents(caller, decode(input)?)),
            Operation::CreateAccount => encode(self.create_account(caller, decode(input)?).await),
            Operation::DescribeCreateAccountStatus => {
                encode(self.describe_create_account_status(caller, decode(input)?))
            }
            Operation::ListCreateAccountStatus => {
                encode(self.list_create_account_status(caller, decode(input)?))
            }
            Operation::DescribeAccount => encode(self.describe_account(caller, decode(input)?)),
            Operation::ListAccounts => encode(self.list_accounts(caller, decode(input)?)),
            Operation::ListAccountsForParent => {
                encode(self.list_accounts_for_parent(caller, decode(input)?))
            }
            Operation::MoveAccount => encode(self.move_account(caller, decode(input)?).await),
            Operation::RemoveAccountFromOrganization => encode(
                self.remove_account_from_organization(caller, decode(input)?)
                    .await,
            ),
            Operation::CloseAccount => encode(self.close_account(caller, decode(input)?).await),
            Operation::TagResource => encode(self.tag_resource(caller, decode(input)?).await),
            Operation::UntagResource => encode(self.untag_resource(caller, decode(input)?).await),
            Operation::ListTagsForResource => {
                encode(self.list_tags_for_resource(caller, decode(input)?))
            }
            Operation::CreatePolicy => encode(self.create_policy(caller, decode(input)?).await),
            Operation::DescribePolicy => encode(self.describe_policy(caller, decode(input)?)),
            Operation::UpdatePolicy => encode(self.update_policy(caller, decode(input)?).await),
            Operation::DeletePolicy => encode(self.delete_policy(caller, decode(input)?).await),
            Operation::ListPolicies => encode(self.list_policies(caller, decode(input)?)),
            Operation::AttachPolicy => encode(self.attach_policy(caller, decode(input)?).await),
            Operation::DetachPolicy => encode(self.detach_policy(caller, decode(input)?).await),
            Operation::ListPoliciesForTarget => {
                encode(self.list_policies_for_target(caller, decode(input)?))
            }
            Operation::ListTargetsForPolicy => {
                encode(self.list_targets_for_policy(caller, decode(input)?))
            }
            Operation::EnablePolicyType => {
                encode(self.enable_policy_type(caller, decode(input)?).await)
            }
            Operation::DisablePolicyType => {
                encode(self.disable_policy_type(caller, decode(input)?).await)
            }
            Operation::DescribeEffectivePolicy => {
                encode(self.describe_effective_policy(caller, decode(input)?))
            }
            Operation::ListEffectivePolicyValidationErrors => {
                encode(self.list_effective_policy_validation_errors(caller, decode(input)?))
            }
            Operation::ListAccountsWithInvalidEffectivePolicy => {
                encode(self.list_accounts_with_invalid_effective_policy(caller, decode(input)?))
            }
            Operation::RegisterDelegatedAdministrator => encode(
                self.register_delegated_administrator(caller, decode(input)?)
                    .await,
            ),
            Operation::DeregisterDelegatedAdministrator => encode(
                self.deregister_delegated_administrator(caller, decode(input)?)
                    .await,
            ),
            Operation::ListDelegatedAdministrators => {
                encode(self.list_delegated_administrators(caller, decode(input)?))
            }
            Operation::ListDelegatedServicesForAccount => {
                encode(self.list_delegated_services_for_account(caller, decode(input)?))
            }
            Operation::EnableAWSServiceAccess => {
                encode(self.enable_aws_service_access(caller, decode(input)?).await)
            }
            Operation::DisableAWSServiceAccess => encode(
                self.disable_aws_service_access(caller, decode(input)?)
                    .await,
            ),
            Operation::ListAWSServiceAccessForOrganization => {
                encode(self.list_aws_service_access_for_organization(caller, decode(input)?))
            }
            Operation::PutResourcePolicy => {
                encode(self.put_resource_policy(caller, decode(input)?).await)
            }
            Operation::DescribeResourcePolicy => encode(self.describe_resource_policy(caller)),
            Operation::DeleteResourcePolicy => encode(self.delete_resource_policy(caller).await),
            Operation::CreateGovCloudAccount => {
                encode(self.create_gov_cloud_account(caller, decode(input)?))
            }
            Operation::InviteAccountToOrganization => encode(
                self.invite_account_to_organization(caller, decode(input)?)
                    .await,
            ),
            Operation::AcceptHandshake => {
                encode(self.accept_handshake(caller, decode(input)?).await)
            }
            Operation::DeclineHandshake => {
                encode(self.decline_handshake(caller, decode(input)?).await)
            }
            Operation::CancelHandshake => {
                encode(self.cancel_handshake(caller, decode(input)?).await)
            }
            Operation::DescribeHandshake => encode(self.describe_handshake(caller, decode(input)?)),
            Operation::ListHandshakesForAccount => {
                encode(self.list_handshakes_for_account(caller, decode(input)?))
            }
            Operation::ListHandshakesForOrganization => {
                encode(self.list_handshakes_for_organization(caller, decode(input)?))
            }
            Operation::EnableAllFeatures => encode(self.enable_all_features(caller).await),
            Operation::LeaveOrganization => encode(self.leave_organization(caller).await),
            Operation::InviteOrganizationToTransferResponsibility => encode(
                self.invite_organization_to_transfer_responsibility(caller, decode(input)?)
                    .await,
            ),
            Operation::DescribeResponsibilityTransfer => {
                encode(self.describe_responsibility_transfer(caller, decode(input)?))
            }
            Operation::ListInboundResponsibilityTransfers => {
                encode(self.list_inbound_responsibility_transfers(caller, decode(input)?))
            }
            Operation::ListOutboundResponsibilityTransfers => {
                encode(self.list_outbound_responsibility_transfers(caller, decode(input)?))
            }
            Operation::TerminateResponsibilityTransfer => encode(
                self.terminate_responsibility_transfer(caller, decode(input)?)
                    .await,
            ),
            Operation::UpdateResponsibilityTransfer => encode(
                self.update_responsibility_transfer(caller, decode(input)?)
                    .await,
            ),
        };
        output.map_err(AwsError::from)
    }

    /// Returns whether bulkhead serves this operation yet.
    pub fn is_served(operation: Operation) -> bool {
        SERVED_OPERATIONS.contains(&operation)
    }

    /// Returns what the organization contributes to authorizing requests of, or on resources
    /// of, `account_id`: `None` when the account is in no organization. Reads memory only.
    pub fn governance(&self, account_id: &str) -> Option<Arc<AccountGovernance>> {
        let state = self.inner.state.read();
        self.inner.governance.get(&state, account_id)
    }

    /// Describes a request for authorization: its action, the resource its input names and the
    /// service's condition keys.
    pub fn call_for(&self, caller: &Caller, operation: Operation, input: &Value) -> Call {
        let state = self.inner.state.read();
        governance::call_for(&state, &caller.account_id, operation.name(), input)
    }

    /// Deletes every organization, in the store and in memory.
    pub async fn reset(&self) -> Result<(), store::StoreError> {
        let _writer = self.inner.writer.lock().await;
        self.inner.store.reset().await?;
        let mut state = self.inner.state.write();
        *state = State::default();
        self.inner.governance.clear();
        Ok(())
    }

    /// Counts organizations and accounts, for the health endpoint.
    pub fn counts(&self) -> (usize, usize) {
        let state = self.inner.state.read();
        (state.organizations.len(), state.accounts.len())
    }

    /// Computes changes from the current state, commits them, then applies them in memory.
    /// Nothing is written when `operation` fails.
    ///
    /// An account that CreateAccount adds gets its access role in IAM in the same
    /// transaction, so the role exists once the request reports `SUCCEEDED`.
    async fn write<T>(
        &self,
        operation: impl FnOnce(&State) -> OperationResult<(T, Vec<Change>)>,
    ) -> OperationResult<T> {
        let _writer = self.inner.writer.lock().await;
        let (output, mut changes) = operation(&self.inner.state.read())?;
        let grants =
            accounts::access_role_grants(&self.inner.state.read(), &changes, &self.inner.iam);
        let _iam_writer = if grants.is_empty() {
            None
        } else {
            Some(self.inner.iam.lock_writer().await)
        };
        for grant in &grants {
            changes.extend(self.inner.iam.access_role_changes(grant));
        }

        self.inner.store.commit(&changes).await?;
        {
            let mut state = self.inner.state.write();
            for change in &changes {
                state.apply(change);
            }
        }
        if !grants.is_empty() {
            self.inner.iam.apply_committed(&changes);
        }
        self.inner.governance.clear();
        Ok(output)
    }

    /// Creates the access role of every created account that IAM never had it for: accounts
    /// whose creation was stored before IAM existed. A role that was created and later deleted
    /// stays deleted.
    async fn provision_missing_access_roles(&self) -> Result<(), store::StoreError> {
        let grants =
            accounts::unprovisioned_access_roles(&self.inner.state.read(), &self.inner.iam);
        if grants.is_empty() {
            return Ok(());
        }
        let _iam_writer = self.inner.iam.lock_writer().await;
        let changes: Vec<Change> = grants
            .iter()
            .flat_map(|grant| self.inner.iam.access_role_changes(grant))
            .collect();
        self.inner.store.commit(&changes).await?;
        self.inner.iam.apply_committed(&changes);
        tracing::info!(target: "bulkhead::organizations", accounts = grants.len(), "created missing access roles");
        Ok(())
    }

    /// Runs `operation` against the current state.
    fn read<T>(&self, operation: impl FnOnce(&State) -> OperationResult<T>) -> OperationResult<T> {
        operation(&self.inner.state.read())
    }

    /// Runs `job` once `at_millis` has passed, on the Tokio runtime.
    fn schedule<F, Fut>(&self, at_millis: i64, job: F)
    where
        F: FnOnce(Organizations) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let service = self.clone();
        let wait = u64::try_from(at_millis.saturating_sub(crate::time::now_millis())).unwrap_or(0);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                tokio::time::sleep(Duration::from_millis(wait)).await;
                job(service).await;
            });
        } else {
            tracing::error!(target: "bulkhead::organizations", "no Tokio runtime: pending work is not scheduled");
        }
    }

    fn resume_pending_work(&self) {
        let (requests, closures) = {
            let state = self.inner.state.read();
            let requests: Vec<(String, i64)> = state
                .create_account_requests
                .values()
                .filter(|entry| entry.record.state == "IN_PROGRESS")
                .map(|entry| (entry.record.id.clone(), entry.record.completes_at))
                .collect();
            let closures: Vec<(String, i64)> = state
                .accounts
                .values()
                .filter_map(|entry| {
                    entry
                        .record
                        .status_until
                        .map(|until| (entry.record.id.clone(), until))
                })
                .collect();
            (requests, closures)
        };
        for (id, at) in requests {
            self.schedule(at, move |service| async move {
                service.complete_create_account(&id).await
            });
        }
        for (id, at) in closures {
            self.schedule(at, move |service| async move {
                service.complete_closure(&id).await
            });
        }
    }
}

/// The operations [`Organizations::handle`] serves; the rest of the model's operations return the unknown-operation error.
pub const SERVED_OPERATIONS: &[Operation] = &[
    Operation::DeleteResourcePolicy,
    Operation::DeregisterDelegatedAdministrator,
    Operation::DescribeResourcePolicy,
    Operation::DisableAWSServiceAccess,
    Operation::EnableAWSServiceAccess,
    Operation::ListAWSServiceAccessForOrganization,
    Operation::ListDelegatedAdministrators,
    Operation::ListDelegatedServicesForAccount,
    Operation::PutResourcePolicy,
    Operation::RegisterDelegatedAdministrator,
    Operation::AttachPolicy,
    Operation::CreatePolicy,
    Operation::DeletePolicy,
    Operation::DescribeEffectivePolicy,
    Operation::DescribePolicy,
    Operation::DetachPolicy,
    Operation::DisablePolicyType,
    Operation::EnablePolicyType,
    Operation::ListAccountsWithInvalidEffectivePolicy,
    Operation::ListEffectivePolicyValidationErrors,
    Operation::ListPolicies,
    Operation::ListPoliciesForTarget,
    Operation::ListTargetsForPolicy,
    Operation::UpdatePolicy,
    Operation::AcceptHandshake,
    Operation::CancelHandshake,
    Operation::CloseAccount,
    Operation::CreateAccount,
    Operation::CreateGovCloudAccount,
    Operation::CreateOrganization,
    Operation::CreateOrganizationalUnit,
    Operation::DeleteOrganization,
    Operation::DeclineHandshake,
    Operation::DeleteOrganizationalUnit,
    Operation::DescribeAccount,
    Operation::DescribeCreateAccountStatus,
    Operation::DescribeHandshake,
    Operation::DescribeOrganization,
    Operation::DescribeOrganizationalUnit,
    Operation::DescribeResponsibilityTransfer,
    Operation::EnableAllFeatures,
    Operation::InviteAccountToOrganization,
    Operation::InviteOrganizationToTransferResponsibility,
    Operation::LeaveOrganization,
    Operation::ListAccounts,
    Operation::ListAccountsForParent,
    Operation::ListChildren,
    Operation::ListCreateAccountStatus,
    Operation::ListHandshakesForAccount,
    Operation::ListHandshakesForOrganization,
    Operation::ListInboundResponsibilityTransfers,
    Operation::ListOrganizationalUnitsForParent,
    Operation::ListOutboundResponsibilityTransfers,
    Operation::ListParents,
    Operation::ListRoots,
    Operation::ListTagsForResource,
    Operation::MoveAccount,
    Operation::RemoveAccountFromOrganization,
    Operation::TagResource,
    Operation::TerminateResponsibilityTransfer,
    Operation::UntagResource,
    Operation::UpdateOrganizationalUnit,
    Operation::UpdateResponsibilityTransfer,
];

/// Parses a JSON body (an empty body counts as `{}`) and checks it against the operation's
/// input shape.
fn parse_body(operation: Operation, body: &[u8]) -> Result<Value, AwsError> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(serde_json::Map::new())
    } else {
        serde_json::from_slice(body).map_err(|error| {
            AwsError::from(OrganizationsError::Serialization(format!(
                "The request body is not valid JSON: {error}."
            )))
        })?
    };
    if !value.is_object() {
        return Err(OrganizationsError::Serialization(
            "The request body must be a JSON object.".to_owned(),
        )
        .into());
    }
    if let Some(shape) = operation.input_shape() {
        model::shape::validate(&MODEL, shape, &value)
            .map_err(|violation| AwsError::from(OrganizationsError::from_violation(&violation)))?;
    }
    Ok(value)
}

fn decode<T: DeserializeOwned>(input: &Value) -> Result<T, AwsError> {
    T::deserialize(input).map_err(|error| {
        AwsError::from(OrganizationsError::Serialization(format!(
            "The request body does not fit the operation: {error}."
        )))
    })
}

fn encode<T: Serialize>(result: OperationResult<T>) -> OperationResult<Vec<u8>> {
    let output = result?;
    serde_json::to_vec(&output).map_err(|error| {
        OrganizationsError::Service(format!("The response could not be encoded: {error}."))
    })
}

/// The caller of one request, with what the organization grants it beyond its own account.
#[derive(Debug)]
pub(crate) struct Requester<'a> {
    caller: &'a Caller,
    /// True when a member account may call this management-account operation, as a delegated
    /// administrator or through the organization's resource policy.
    granted: bool,
}

impl std::ops::Deref for Requester<'_> {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        self.caller
    }
}

/// Returns the organization the caller's account belongs to.
fn membership<'s>(state: &'s State, caller: &Caller) -> OperationResult<&'s OrganizationRecord> {
    state
        .organization_of(&caller.account_id)
        .ok_or(OrganizationsError::NotInUse)
}

/// Returns the caller's organization when the caller is its management account, or a member
/// account the organization allows to call this operation.
fn management<'s>(
    state: &'s State,
    caller: &Requester<'_>,
) -> OperationResult<&'s OrganizationRecord> {
    let organization = membership(state, caller)?;
    if organization.management_account_id == caller.account_id || caller.granted {
        Ok(organization)
    } else {
        Err(OrganizationsError::management_only())
    }
}
