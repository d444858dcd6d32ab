//! Handshakes: invitations to join an organization, the request to enable all features with
//! the approvals it requests from invited member accounts, and the joining they lead to.
//!
//! A handshake belongs to the organization that sent it. Its recipient is an account (by id or
//! by email address) or, for the request to enable all features, the organization itself, for
//! which its management account acts. Two states are never written: a handshake past its
//! expiration time reads as `EXPIRED`, and a request to enable all features whose approvals
//! are all accepted reads as `OPEN`. Closed handshakes stay visible for 30 days, as on AWS.
//!
//! AWS's documentation names the two all-features actions both ways round. bulkhead follows
//! the EnableAllFeatures reference: that operation returns the `ENABLE_ALL_FEATURES` request,
//! which the management account accepts last, and each invited member receives an
//! `APPROVE_ALL_FEATURES` handshake whose `PARENT_HANDSHAKE` resource names the request.

use std::collections::BTreeMap;

use model::Timestamp;
use model::organizations::{
    AcceptHandshakeRequest, AcceptHandshakeResponse, AccountJoinedMethod, AccountState,
    AccountStatus, ActionType, CancelHandshakeRequest, CancelHandshakeResponse,
    DeclineHandshakeRequest, DeclineHandshakeResponse, DescribeHandshakeRequest,
    DescribeHandshakeResponse, EnableAllFeaturesResponse, Handshake,
    HandshakeConstraintViolationExceptionReason, HandshakeFilter, HandshakeParty,
    HandshakePartyType, HandshakeResource, HandshakeResourceType, HandshakeState,
    InvalidInputExceptionReason, InviteAccountToOrganizationRequest,
    InviteAccountToOrganizationResponse, ListHandshakesForAccountRequest,
    ListHandshakesForAccountResponse, ListHandshakesForOrganizationRequest,
    ListHandshakesForOrganizationResponse, OrganizationFeatureSet,
};
use store::{AccountRecord, Change, HandshakeRecord, OrganizationRecord};

use super::paging::PageRequest;
use super::state::State;
use super::structure::standalone_account_email;
use super::tags::{initial_tags, validated_tags};
use super::transfers::{accept_transfer, transfer_of_handshake, transfer_resources};
use super::{OperationResult, Organizations, OrganizationsError, Requester, ids, management};
use crate::Settings;
use crate::time::now_millis;

const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// How long an invitation stays open: 15 days.
pub(super) const INVITATION_LIFETIME_MILLIS: i64 = 15 * DAY_MILLIS;

/// How long a request to enable all features, and its approvals, stay open: 90 days.
/// NOTE: AWS's published EnableAllFeatures example response shows 15 days between request and
/// expiry, so the 90 days here may be longer than AWS's.
const ENABLE_ALL_FEATURES_LIFETIME_MILLIS: i64 = 90 * DAY_MILLIS;

/// How long an accepted, declined, canceled or expired handshake stays visible: 30 days.
const RETENTION_MILLIS: i64 = 30 * DAY_MILLIS;

/// Returns the name bulkhead gives an invited account, because it has no record of the real one.
pub(super) fn invited_account_name(account_id: &str) -> String {
    format!("Account {account_id}")
}

impl Organizations {
    pub(super) async fn invite_account_to_organization(
        &self,
        caller: &Requester<'_>,
        input: InviteAccountToOrganizationRequest,
    ) -> OperationResult<InviteAccountToOrganizationResponse> {
        let settings = self.settings().clone();
        self.write(|state| {
            let organization = management(state, caller)?;
            let (target_type, target_id) = validated_target(&input.target)?;
            let tags = validated_tags(
                input.tags.as_deref().unwrap_or_default(),
                settings.max_tags_per_resource,
            )?;
            let now = now_millis();
            check_invitation(state, organization, target_type, &target_id, &settings, now)?;

            let record = HandshakeRecord {
                id: ids::handshake_id(),
                organization_id: organization.id.clone(),
                action: ActionType::Invite.as_str().to_owned(),
                state: HandshakeState::Open.as_str().to_owned(),
                target_type: target_type.as_str().to_owned(),
                target_id,
                parent_id: None,
                notes: input.notes.clone(),
                tags: serde_json::to_string(&tags).unwrap_or_else(|_| "[]".to_owned()),
                requested_at: now,
                expires_at: now.saturating_add(INVITATION_LIFETIME_MILLIS),
                state_changed_at: now,
                responder_id: None,
            };
            let response = InviteAccountToOrganizationResponse {
                handshake: Some(handshake_shape(state, organization, &record, now)),
            };
            Ok((response, vec![Change::PutHandshake(record)]))
        })
        .await
    }

    pub(super) async fn accept_handshake(
        &self,
        caller: &Requester<'_>,
        input: AcceptHandshakeRequest,
    ) -> OperationResult<AcceptHandshakeResponse> {
        let max_accounts = self.settings().max_accounts;
        self.write(|state| {
            let now = now_millis();
            let (organization, record) = find_handshake(state, caller, &input.handshake_id, now)?;
            if !is_recipient(state, record, &caller.account_id) {
                return Err(OrganizationsError::AccessDenied(
                    "Only the recipient of a handshake can accept it.".to_owned(),
                ));
            }
            let current = effective_state(state, record, now);
            match current {
                HandshakeState::Accepted => {
                    return Err(already_in_state(record, current));
                }
                HandshakeState::Open => {}
                _ => return Err(invalid_transition(record, "accept", current)),
            }

            let accepted = answered(
                record,
                HandshakeState::Accepted,
                Some(&caller.account_id),
                now,
            );
            let mut changes = match ActionType::from_wire(&record.action) {
                Some(ActionType::Invite) => {
                    join_organization(state, organization, record, caller, max_accounts, now)?
                }
                Some(ActionType::TransferResponsibility) => {
                    accept_transfer(state, organization, record, caller, now)?
                }
                Some(ActionType::EnableAllFeatures) => {
                    vec![Change::PutOrganization(OrganizationRecord {
                        feature_set: OrganizationFeatureSet::All.as_str().to_owned(),
                        ..organization.clone()
                    })]
                }
                _ => Vec::new(),
            };
            let response = AcceptHandshakeResponse {
                handshake: Some(handshake_shape(state, organization, &accepted, now)),
            };
            changes.push(Change::PutHandshake(accepted));
            Ok((response, changes))
        })
        .await
    }

    pub(super) async fn decline_handshake(
        &self,
        caller: &Requester<'_>,
        input: DeclineHandshakeRequest,
    ) -> OperationResult<DeclineHandshakeResponse> {
        self.write(|state| {
            let now = now_millis();
            let (organization, record) = find_handshake(state, caller, &input.handshake_id, now)?;
            if !is_recipient(state, record, &caller.account_id) {
                return Err(OrganizationsError::AccessDenied(
                    "Only the recipient of a handshake can decline it. The sender can cancel it with CancelHandshake."
                        .to_owned(),
                ));
            }
            let changes = close_handshake(
                state,
                record,
                HandshakeState::Declined,
                "decline",
                Some(&caller.account_id),
                now,
            )?;
            let response = DeclineHandshakeResponse {
                handshake: Some(handshake_shape(state, organization, &closed_record(&changes, record), now)),
            };
            Ok((response, changes))
        })
        .await
    }

    pub(super) async fn cancel_handshake(
        &self,
        caller: &Requester<'_>,
        input: CancelHandshakeRequest,
    ) -> OperationResult<CancelHandshakeResponse> {
        self.write(|state| {
            let now = now_millis();
            let (organization, record) = find_handshake(state, caller, &input.handshake_id, now)?;
            if organization.management_account_id != caller.account_id {
                return Err(OrganizationsError::AccessDenied(
                    "Only the sender of a handshake can cancel it. The recipient can decline it with DeclineHandshake."
                        .to_owned(),
                ));
            }
            let changes = close_handshake(state, record, HandshakeState::Canceled, "cancel", None, now)?;
            let response = CancelHandshakeResponse {
                handshake: Some(handshake_shape(state, organization, &closed_record(&changes, record), now)),
            };
            Ok((response, changes))
        })
        .await
    }

    pub(super) fn describe_handshake(
        &self,
        caller: &Requester<'_>,
        input: DescribeHandshakeRequest,
    ) -> OperationResult<DescribeHandshakeResponse> {
        self.read(|state| {
            let now = now_millis();
            let (organization, record) = find_handshake(state, caller, &input.handshake_id, now)?;
            Ok(DescribeHandshakeResponse {
                handshake: Some(handshake_shape(state, organization, record, now)),
            })
        })
    }

    pub(super) fn list_handshakes_for_account(
        &self,
        caller: &Requester<'_>,
        input: ListHandshakesForAccountRequest,
    ) -> OperationResult<ListHandshakesForAccountResponse> {
        self.read(|state| {
            let now = now_millis();
            let filter = input.filter.unwrap_or_default();
            let scope = format!(
                "ListHandshakesForAccount:{}:{}",
                caller.account_id,
                filter_text(&filter)?
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let received: BTreeMap<u64, &HandshakeRecord> = state
                .handshakes
                .values()
                .filter(|entry| is_recipient(state, &entry.record, &caller.account_id))
                .map(|entry| (entry.seq, &entry.record))
                .collect();
            let (handshakes, next_token) = list_page(state, &received, &filter, &page, now);
            Ok(ListHandshakesForAccountResponse {
                handshakes: Some(handshakes),
                next_token,
            })
        })
    }

    pub(super) fn list_handshakes_for_organization(
        &self,
        caller: &Requester<'_>,
        input: ListHandshakesForOrganizationRequest,
    ) -> OperationResult<ListHandshakesForOrganizationResponse> {
        self.read(|state| {
            let now = now_millis();
            let organization = management(state, caller)?;
            let filter = input.filter.unwrap_or_default();
            let scope = format!(
                "ListHandshakesForOrganization:{}:{}",
                organization.id,
                filter_text(&filter)?
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let sent: BTreeMap<u64, &HandshakeRecord> = state
                .organization(&organization.id)
                .map(|entry| &entry.handshakes)
                .into_iter()
                .flatten()
                .filter_map(|(seq, id)| state.handshakes.get(id).map(|entry| (*seq, &entry.record)))
                .collect();
            let (handshakes, next_token) = list_page(state, &sent, &filter, &page, now);
            Ok(ListHandshakesForOrganizationResponse {
                handshakes: Some(handshakes),
                next_token,
            })
        })
    }

    pub(super) async fn enable_all_features(
        &self,
        caller: &Requester<'_>,
    ) -> OperationResult<EnableAllFeaturesResponse> {
        self.write(|state| {
            let now = now_millis();
            let organization = management(state, caller)?;
            if organization.feature_set == OrganizationFeatureSet::All.as_str() {
                return Err(OrganizationsError::handshake_constraint(
                    HandshakeConstraintViolationExceptionReason::OrganizationAlreadyHasAllFeatures,
                    "The organization already has all features enabled.",
                ));
            }
            let pending = sent_handshakes(state, &organization.id).into_iter().any(|record| {
                record.action == ActionType::EnableAllFeatures.as_str()
                    && is_pending(state, record, now)
            });
            if pending {
                return Err(OrganizationsError::handshake_constraint(
                    HandshakeConstraintViolationExceptionReason::OrganizationIsAlreadyPendingAllFeaturesMigration,
                    "The organization is already enabling all features. Accept or cancel that request first.",
                ));
            }

            let expires_at = now.saturating_add(ENABLE_ALL_FEATURES_LIFETIME_MILLIS);
            let request = HandshakeRecord {
                id: ids::handshake_id(),
                organization_id: organization.id.clone(),
                action: ActionType::EnableAllFeatures.as_str().to_owned(),
                state: HandshakeState::Requested.as_str().to_owned(),
                target_type: HandshakePartyType::Organization.as_str().to_owned(),
                target_id: organization.id.clone(),
                parent_id: None,
                notes: None,
                tags: "[]".to_owned(),
                requested_at: now,
                expires_at,
                state_changed_at: now,
                responder_id: None,
            };
            // Created accounts approve by inference, so only invited members are asked.
            let approvals: Vec<HandshakeRecord> = invited_members(state, organization)
                .into_iter()
                .map(|account_id| HandshakeRecord {
                    id: ids::handshake_id(),
                    action: ActionType::ApproveAllFeatures.as_str().to_owned(),
                    state: HandshakeState::Open.as_str().to_owned(),
                    target_type: HandshakePartyType::Account.as_str().to_owned(),
                    target_id: account_id,
                    parent_id: Some(request.id.clone()),
                    ..request.clone()
                })
                .collect();

            let mut changes = vec![Change::PutHandshake(request.clone())];
            changes.extend(approvals.into_iter().map(Change::PutHandshake));
            // The approvals are not in `state` yet, so `handshake_shape` would see none and
            // report the request as `OPEN`.
            let mut shape = handshake_shape(state, organization, &request, now);
            if changes.len() > 1 {
                shape.state = Some(HandshakeState::Requested);
            }
            Ok((EnableAllFeaturesResponse { handshake: Some(shape) }, changes))
        })
        .await
    }
}

/// Checks that the organization may invite the target now. It must not be enabling all
/// features, the target must not be a member yet or have an open invitation, and the daily
/// invitation quota and the account quota (open invitations included) must leave room.
fn check_invitation(
    state: &State,
    organization: &OrganizationRecord,
    target_type: HandshakePartyType,
    target_id: &str,
    settings: &Settings,
    now: i64,
) -> OperationResult<()> {
    let sent = sent_handshakes(state, &organization.id);
    if sent.iter().any(|record| {
        record.action == ActionType::EnableAllFeatures.as_str() && is_pending(state, record, now)
    }) {
        return Err(OrganizationsError::handshake_constraint(
            HandshakeConstraintViolationExceptionReason::InviteDisabledDuringEnableAllFeatures,
            "You can't invite accounts while the organization is enabling all features. Finish or cancel that request first.",
        ));
    }

    let invited_account = match target_type {
        HandshakePartyType::Account => Some(target_id.to_owned()),
        _ => state
            .accounts
            .values()
            .find(|entry| entry.record.email.eq_ignore_ascii_case(target_id))
            .map(|entry| entry.record.id.clone()),
    };
    let already_member = invited_account
        .as_ref()
        .and_then(|id| state.accounts.get(id))
        .is_some_and(|entry| entry.record.organization_id == organization.id);
    if already_member {
        return Err(OrganizationsError::handshake_constraint(
            HandshakeConstraintViolationExceptionReason::AlreadyInAnOrganization,
            format!("The account {target_id} is already a member of this organization."),
        ));
    }

    let open_invitations: Vec<&HandshakeRecord> = sent
        .iter()
        .copied()
        .filter(|record| {
            record.action == ActionType::Invite.as_str() && is_pending(state, record, now)
        })
        .collect();
    if open_invitations.iter().any(|record| {
        record.target_type == target_type.as_str()
            && record.target_id.eq_ignore_ascii_case(target_id)
    }) {
        return Err(OrganizationsError::DuplicateHandshake(target_id.to_owned()));
    }
    let sent_today = sent
        .iter()
        .filter(|record| {
            record.action == ActionType::Invite.as_str()
                && record.requested_at > now.saturating_sub(DAY_MILLIS)
        })
        .count();
    if sent_today >= settings.max_invitations_per_day {
        return Err(OrganizationsError::handshake_constraint(
            HandshakeConstraintViolationExceptionReason::HandshakeRateLimitExceeded,
            format!(
                "The organization has sent {sent_today} invitations in the last 24 hours, and the maximum is {}. Try again later.",
                settings.max_invitations_per_day
            ),
        ));
    }
    let members = state
        .organization(&organization.id)
        .map_or(0, |entry| entry.accounts.len());
    if members + open_invitations.len() >= settings.max_accounts {
        return Err(OrganizationsError::handshake_constraint(
            HandshakeConstraintViolationExceptionReason::AccountNumberLimitExceeded,
            format!(
                "The organization has {members} accounts and {} open invitations, and the maximum number of accounts is {}.",
                open_invitations.len(),
                settings.max_accounts
            ),
        ));
    }
    Ok(())
}

/// Checks the party an invitation targets and returns its type and normalised id.
pub(super) fn validated_target(
    target: &HandshakeParty,
) -> OperationResult<(HandshakePartyType, String)> {
    let id = target.id.trim().to_owned();
    match target.type_ {
        HandshakePartyType::Account => {
            if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
                Ok((HandshakePartyType::Account, id))
            } else {
                Err(OrganizationsError::invalid(
                    InvalidInputExceptionReason::InvalidPattern,
                    format!("The target account id {id} is not valid: an account id is 12 digits."),
                ))
            }
        }
        HandshakePartyType::Email => {
            let valid = id.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }) && !id.contains(char::is_whitespace);
            if valid {
                Ok((HandshakePartyType::Email, id))
            } else {
                Err(OrganizationsError::invalid(
                    InvalidInputExceptionReason::InvalidEmailAddressTarget,
                    format!("The target email address {id} is not valid."),
                ))
            }
        }
        HandshakePartyType::Organization => Err(OrganizationsError::invalid(
            InvalidInputExceptionReason::InvalidPartyTypeTarget,
            "You can invite only an account, by its ACCOUNT id or its EMAIL address.",
        )),
    }
}

/// Returns the handshakes `organization_id` sent, in the order it sent them.
fn sent_handshakes<'s>(state: &'s State, organization_id: &str) -> Vec<&'s HandshakeRecord> {
    state
        .organization(organization_id)
        .map(|entry| &entry.handshakes)
        .into_iter()
        .flatten()
        .filter_map(|(_, id)| state.handshakes.get(id).map(|entry| &entry.record))
        .collect()
}

/// Returns the approvals that belong to a request to enable all features.
fn approvals_of<'s>(state: &'s State, request: &HandshakeRecord) -> Vec<&'s HandshakeRecord> {
    sent_handshakes(state, &request.organization_id)
        .into_iter()
        .filter(|record| record.parent_id.as_deref() == Some(request.id.as_str()))
        .collect()
}

/// Returns the members that joined by invitation, except the management account.
fn invited_members(state: &State, organization: &OrganizationRecord) -> Vec<String> {
    state
        .organization(&organization.id)
        .map(|entry| &entry.accounts)
        .into_iter()
        .flatten()
        .filter_map(|(_, id)| state.accounts.get(id))
        .filter(|entry| {
            entry.record.id != organization.management_account_id
                && entry.record.joined_method == AccountJoinedMethod::Invited.as_str()
        })
        .map(|entry| entry.record.id.clone())
        .collect()
}

/// Computes a handshake's current state from the stored one. Expiry applies, and a request to
/// enable all features is `OPEN` once every member still in the organization approved it.
pub(super) fn effective_state(state: &State, record: &HandshakeRecord, now: i64) -> HandshakeState {
    let stored = HandshakeState::from_wire(&record.state).unwrap_or(HandshakeState::Canceled);
    match stored {
        HandshakeState::Requested | HandshakeState::Open if now >= record.expires_at => {
            HandshakeState::Expired
        }
        HandshakeState::Requested
            if record.action == ActionType::EnableAllFeatures.as_str()
                && approvals_complete(state, record) =>
        {
            HandshakeState::Open
        }
        other => other,
    }
}

fn approvals_complete(state: &State, request: &HandshakeRecord) -> bool {
    approvals_of(state, request)
        .into_iter()
        .filter(|approval| {
            state
                .accounts
                .get(&approval.target_id)
                .is_some_and(|entry| entry.record.organization_id == request.organization_id)
        })
        .all(|approval| approval.state == HandshakeState::Accepted.as_str())
}

fn is_pending(state: &State, record: &HandshakeRecord, now: i64) -> bool {
    matches!(
        effective_state(state, record, now),
        HandshakeState::Requested | HandshakeState::Open
    )
}

/// Returns whether a handshake is still visible: open ones always, closed ones for 30 days.
fn is_retained(state: &State, record: &HandshakeRecord, now: i64) -> bool {
    let closed_at = match effective_state(state, record, now) {
        HandshakeState::Requested | HandshakeState::Open => return true,
        HandshakeState::Expired => record.expires_at,
        _ => record.state_changed_at,
    };
    now < closed_at.saturating_add(RETENTION_MILLIS)
}

/// Returns the email address of an account: its record's, or the standalone default.
pub(super) fn account_email(state: &State, account_id: &str) -> String {
    state.accounts.get(account_id).map_or_else(
        || standalone_account_email(account_id),
        |entry| entry.record.email.clone(),
    )
}

/// Returns whether `account_id` is the account a handshake was sent to.
pub(super) fn is_recipient(state: &State, record: &HandshakeRecord, account_id: &str) -> bool {
    match HandshakePartyType::from_wire(&record.target_type) {
        Some(HandshakePartyType::Account) => record.target_id == account_id,
        Some(HandshakePartyType::Email) => {
            record.responder_id.as_deref() == Some(account_id)
                || (record.responder_id.is_none()
                    && account_email(state, account_id).eq_ignore_ascii_case(&record.target_id))
        }
        Some(HandshakePartyType::Organization) => state
            .organization(&record.target_id)
            .and_then(|entry| entry.record.as_ref())
            .is_some_and(|organization| organization.management_account_id == account_id),
        None => false,
    }
}

/// Finds a visible handshake that the caller sent (as management account) or received, with the
/// organization that sent it. Any other handshake is not found, so that no one else's leaks.
fn find_handshake<'s>(
    state: &'s State,
    caller: &Requester<'_>,
    handshake_id: &str,
    now: i64,
) -> OperationResult<(&'s OrganizationRecord, &'s HandshakeRecord)> {
    let not_found = || OrganizationsError::HandshakeNotFound(handshake_id.to_owned());
    let record = state
        .handshakes
        .get(handshake_id)
        .map(|entry| &entry.record)
        .filter(|record| is_retained(state, record, now))
        .ok_or_else(not_found)?;
    let organization = state
        .organization(&record.organization_id)
        .and_then(|entry| entry.record.as_ref())
        .ok_or_else(not_found)?;
    let is_sender = organization.management_account_id == caller.account_id;
    if is_sender || is_recipient(state, record, &caller.account_id) {
        Ok((organization, record))
    } else {
        Err(not_found())
    }
}

/// Returns the record with a new state. `responder` is the account that accepted or declined,
/// and a cancellation passes `None` to keep the record's responder.
fn answered(
    record: &HandshakeRecord,
    new_state: HandshakeState,
    responder: Option<&str>,
    now: i64,
) -> HandshakeRecord {
    HandshakeRecord {
        state: new_state.as_str().to_owned(),
        state_changed_at: now,
        responder_id: responder
            .map(str::to_owned)
            .or_else(|| record.responder_id.clone()),
        ..record.clone()
    }
}

/// Computes the changes that decline or cancel a handshake. Closing a request to enable all
/// features also cancels its approvals that are still open.
fn close_handshake(
    state: &State,
    record: &HandshakeRecord,
    new_state: HandshakeState,
    operation: &'static str,
    responder: Option<&str>,
    now: i64,
) -> OperationResult<Vec<Change>> {
    let current = effective_state(state, record, now);
    if current == new_state {
        return Err(already_in_state(record, current));
    }
    if !matches!(current, HandshakeState::Requested | HandshakeState::Open) {
        return Err(invalid_transition(record, operation, current));
    }
    let mut changes = vec![Change::PutHandshake(answered(
        record, new_state, responder, now,
    ))];
    if record.action == ActionType::EnableAllFeatures.as_str() {
        for approval in approvals_of(state, record) {
            if is_pending(state, approval, now) {
                let canceled = answered(approval, HandshakeState::Canceled, None, now);
                changes.push(Change::PutHandshake(canceled));
            }
        }
    }
    Ok(changes)
}

/// Returns the handshake as `close_handshake` wrote it.
fn closed_record(changes: &[Change], original: &HandshakeRecord) -> HandshakeRecord {
    changes
        .iter()
        .find_map(|change| match change {
            Change::PutHandshake(record) if record.id == original.id => Some(record.clone()),
            _ => None,
        })
        .unwrap_or_else(|| original.clone())
}

fn already_in_state(record: &HandshakeRecord, state: HandshakeState) -> OrganizationsError {
    OrganizationsError::HandshakeAlreadyInState {
        id: record.id.clone(),
        state: state.as_str(),
    }
}

fn invalid_transition(
    record: &HandshakeRecord,
    operation: &'static str,
    state: HandshakeState,
) -> OrganizationsError {
    OrganizationsError::InvalidHandshakeTransition {
        id: record.id.clone(),
        operation,
        state: state.as_str(),
    }
}

/// Computes the changes that make the caller a member after it accepted an invitation. The
/// account joins under the root, by invitation, with the tags the invitation carried.
fn join_organization(
    state: &State,
    organization: &OrganizationRecord,
    invitation: &HandshakeRecord,
    caller: &Requester<'_>,
    max_accounts: usize,
    now: i64,
) -> OperationResult<Vec<Change>> {
    if state.organization_of(&caller.account_id).is_some() {
        return Err(OrganizationsError::handshake_constraint(
            HandshakeConstraintViolationExceptionReason::AlreadyInAnOrganization,
            format!(
                "The account {} is already a member of an organization. Leave it before you accept another invitation.",
                caller.account_id
            ),
        ));
    }
    let entry = state.organization(&organization.id);
    let members = entry.map_or(0, |entry| entry.accounts.len());
    if members >= max_accounts {
        return Err(OrganizationsError::handshake_constraint(
            HandshakeConstraintViolationExceptionReason::AccountNumberLimitExceeded,
            format!(
                "The organization already has {members} accounts, the most it may have ({max_accounts})."
            ),
        ));
    }

    let email = if invitation.target_type == HandshakePartyType::Email.as_str() {
        invitation.target_id.clone()
    } else {
        account_email(state, &caller.account_id)
    };
    let account = AccountRecord {
        id: caller.account_id.clone(),
        organization_id: organization.id.clone(),
        parent_id: entry
            .and_then(|entry| entry.root_id.clone())
            .unwrap_or_default(),
        name: invited_account_name(&caller.account_id),
        email,
        status: AccountStatus::Active.as_str().to_owned(),
        state: AccountState::Active.as_str().to_owned(),
        joined_method: AccountJoinedMethod::Invited.as_str().to_owned(),
        joined_at: now,
        access_role: None,
        closed_at: None,
        status_until: None,
    };
    let mut changes = vec![Change::PutAccount(account)];
    changes.extend(super::policies::default_attachments(
        state,
        &organization.id,
        &caller.account_id,
    ));
    let tags: Vec<(String, String)> = serde_json::from_str(&invitation.tags).unwrap_or_default();
    changes.extend(initial_tags(&caller.account_id, &organization.id, tags));
    Ok(changes)
}

/// Returns the part of the page scope that a `HandshakeFilter` sets. AWS accepts one filter
/// member at a time.
fn filter_text(filter: &HandshakeFilter) -> OperationResult<String> {
    match (&filter.action_type, &filter.parent_handshake_id) {
        (Some(_), Some(_)) => Err(OrganizationsError::invalid(
            InvalidInputExceptionReason::MaxLimitExceededFilter,
            "Specify either ActionType or ParentHandshakeId in the filter, not both.",
        )),
        (Some(action), None) => Ok(format!("action={}", action.as_str())),
        (None, Some(parent)) => Ok(format!("parent={parent}")),
        (None, None) => Ok(String::new()),
    }
}

fn list_page(
    state: &State,
    records: &BTreeMap<u64, &HandshakeRecord>,
    filter: &HandshakeFilter,
    page: &PageRequest,
    now: i64,
) -> (Vec<Handshake>, Option<String>) {
    let matching: BTreeMap<u64, &HandshakeRecord> = records
        .iter()
        .filter(|(_, record)| is_retained(state, record, now))
        .filter(|(_, record)| {
            filter
                .action_type
                .is_none_or(|action| record.action == action.as_str())
        })
        .filter(|(_, record)| {
            filter
                .parent_handshake_id
                .as_ref()
                .is_none_or(|parent| record.parent_id.as_ref() == Some(parent))
        })
        .map(|(seq, record)| (*seq, *record))
        .collect();
    let (records, next_token) = page.take(&matching);
    let handshakes = records
        .into_iter()
        .filter_map(|record| {
            let organization = state
                .organization(&record.organization_id)?
                .record
                .as_ref()?;
            Some(handshake_shape(state, organization, record, now))
        })
        .collect();
    (handshakes, next_token)
}

/// Builds the wire form of a handshake.
pub(super) fn handshake_shape(
    state: &State,
    organization: &OrganizationRecord,
    record: &HandshakeRecord,
    now: i64,
) -> Handshake {
    let action = ActionType::from_wire(&record.action);
    let organization_party = HandshakeParty {
        id: organization.id.clone(),
        type_: HandshakePartyType::Organization,
    };
    let mut parties = vec![organization_party];
    if action != Some(ActionType::EnableAllFeatures) {
        parties.push(HandshakeParty {
            id: record.target_id.clone(),
            type_: HandshakePartyType::from_wire(&record.target_type)
                .unwrap_or(HandshakePartyType::Account),
        });
    }

    let resources = match action {
        Some(ActionType::EnableAllFeatures) => {
            vec![resource(
                HandshakeResourceType::Organization,
                &organization.id,
            )]
        }
        Some(ActionType::TransferResponsibility) => transfer_of_handshake(state, &record.id)
            .map(|transfer| transfer_resources(state, organization, record, transfer))
            .unwrap_or_default(),
        Some(ActionType::ApproveAllFeatures) => vec![
            organization_resource(state, organization),
            resource(
                HandshakeResourceType::ParentHandshake,
                record.parent_id.as_deref().unwrap_or_default(),
            ),
        ],
        _ => {
            let target_type = if record.target_type == HandshakePartyType::Email.as_str() {
                HandshakeResourceType::Email
            } else {
                HandshakeResourceType::Account
            };
            let mut resources = vec![
                organization_resource(state, organization),
                resource(target_type, &record.target_id),
            ];
            if let Some(notes) = &record.notes {
                resources.push(resource(HandshakeResourceType::Notes, notes));
            }
            resources
        }
    };

    Handshake {
        action,
        arn: Some(ids::handshake_arn(organization, &record.action, &record.id)),
        expiration_timestamp: Some(Timestamp::from_epoch_millis(record.expires_at)),
        id: Some(record.id.clone()),
        parties: Some(parties),
        requested_timestamp: Some(Timestamp::from_epoch_millis(record.requested_at)),
        resources: Some(resources),
        state: Some(effective_state(state, record, now)),
    }
}

pub(super) fn resource(type_: HandshakeResourceType, value: &str) -> HandshakeResource {
    HandshakeResource {
        resources: None,
        type_: Some(type_),
        value: Some(value.to_owned()),
    }
}

/// Builds the organization's handshake resource, with the management account's email address,
/// its name and the feature set.
fn organization_resource(state: &State, organization: &OrganizationRecord) -> HandshakeResource {
    let management = state
        .accounts
        .get(&organization.management_account_id)
        .map(|entry| &entry.record);
    let email = management.map_or_else(
        || standalone_account_email(&organization.management_account_id),
        |account| account.email.clone(),
    );
    let name = management
        .map(|account| account.name.clone())
        .unwrap_or_default();
    HandshakeResource {
        resources: Some(vec![
            resource(HandshakeResourceType::MasterEmail, &email),
            resource(HandshakeResourceType::MasterName, &name),
            resource(
                HandshakeResourceType::OrganizationFeatureSet,
                &organization.feature_set,
            ),
        ]),
        type_: Some(HandshakeResourceType::Organization),
        value: Some(organization.id.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn invitation(state: HandshakeState, requested_at: i64) -> HandshakeRecord {
        HandshakeRecord {
            id: "h-0123456789".to_owned(),
            organization_id: "o-0123456789".to_owned(),
            action: ActionType::Invite.as_str().to_owned(),
            state: state.as_str().to_owned(),
            target_type: HandshakePartyType::Account.as_str().to_owned(),
            target_id: "222222222222".to_owned(),
            parent_id: None,
            notes: None,
            tags: "[]".to_owned(),
            requested_at,
            expires_at: requested_at + INVITATION_LIFETIME_MILLIS,
            state_changed_at: requested_at,
            responder_id: None,
        }
    }

    #[test]
    fn open_invitation_expires_after_15_days() {
        let state = State::default();
        let fresh = invitation(HandshakeState::Open, NOW - DAY_MILLIS);
        assert_eq!(effective_state(&state, &fresh, NOW), HandshakeState::Open);
        let old = invitation(HandshakeState::Open, NOW - 16 * DAY_MILLIS);
        assert_eq!(effective_state(&state, &old, NOW), HandshakeState::Expired);
        assert!(!is_pending(&state, &old, NOW));
    }

    #[test]
    fn closed_handshakes_are_kept_30_days() {
        let state = State::default();
        let declined = invitation(HandshakeState::Declined, NOW - 29 * DAY_MILLIS);
        assert!(is_retained(&state, &declined, NOW));
        assert!(!is_retained(&state, &declined, NOW + 2 * DAY_MILLIS));
        let expired = invitation(HandshakeState::Open, NOW - 16 * DAY_MILLIS);
        assert!(is_retained(&state, &expired, NOW));
        assert!(!is_retained(&state, &expired, NOW + 30 * DAY_MILLIS));
    }

    #[test]
    fn closing_an_expired_handshake_is_invalid() {
        let state = State::default();
        let old = invitation(HandshakeState::Open, NOW - 16 * DAY_MILLIS);
        let error = close_handshake(&state, &old, HandshakeState::Declined, "decline", None, NOW)
            .unwrap_err();
        assert_eq!(error.code(), "InvalidHandshakeTransitionException");
    }

    #[test]
    fn targets_are_validated() {
        let email = HandshakeParty {
            id: " owner@example.com ".to_owned(),
            type_: HandshakePartyType::Email,
        };
        assert_eq!(
            validated_target(&email).unwrap(),
            (HandshakePartyType::Email, "owner@example.com".to_owned())
        );
        for bad in ["owner", "@example.com", "owner@example", "a b@example.com"] {
            let party = HandshakeParty {
                id: bad.to_owned(),
                type_: HandshakePartyType::Email,
            };
            assert!(validated_target(&party).is_err(), "{bad}");
        }
    }
}
