//! Leaving an organization: LeaveOrganization, called by the member account itself.

use model::organizations::{AccountJoinedMethod, ConstraintViolationExceptionReason};
use store::Change;

use super::{Empty, OperationResult, Organizations, OrganizationsError, Requester, membership};
use crate::time::now_millis;

/// How long a created account must wait before it can leave its organization: 4 days.
/// Invited accounts may leave at once.
const CREATED_ACCOUNT_WAIT_MILLIS: i64 = 4 * 24 * 60 * 60 * 1000;

impl Organizations {
    pub(super) async fn leave_organization(
        &self,
        caller: &Requester<'_>,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = membership(state, caller)?;
            if organization.management_account_id == caller.account_id {
                return Err(OrganizationsError::MasterCannotLeaveOrganization);
            }
            let Some(account) = state.accounts.get(&caller.account_id).map(|entry| &entry.record)
            else {
                return Err(OrganizationsError::AccountNotFound(caller.account_id.clone()));
            };
            let waits_until = account.joined_at.saturating_add(CREATED_ACCOUNT_WAIT_MILLIS);
            if account.joined_method == AccountJoinedMethod::Created.as_str()
                && now_millis() < waits_until
            {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::WaitPeriodActive,
                    "An account created in an organization can leave it only 4 days after it was created.",
                ));
            }
            if super::delegation::is_delegated_administrator(state, &account.id) {
                return Err(OrganizationsError::constraint(
                    ConstraintViolationExceptionReason::CannotRemoveDelegatedAdministratorFromOrg,
                    "A delegated administrator can't leave the organization. Ask the management account to deregister it first.",
                ));
            }
            // Deleting the account also deletes its tags: a standalone account has none.
            Ok((
                Empty {},
                vec![Change::DeleteAccount {
                    id: account.id.clone(),
                }],
            ))
        })
        .await
    }
}
