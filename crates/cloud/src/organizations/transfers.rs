//! Responsibility transfers (billing transfers) between organizations.
//!
//! The management account of one organization invites the management account of another to let
//! it manage a responsibility (only `BILLING` exists) for that organization. The invitation is a
//! `TRANSFER_RESPONSIBILITY` handshake, and until it is accepted the transfer's status follows
//! the handshake's state. The inviting organization lists the transfer as inbound, the
//! accepting one as outbound.

use std::collections::BTreeMap;

use jiff::civil::Time;
use jiff::tz::TimeZone;
use model::Timestamp;
use model::organizations::{
    ActionType, DescribeResponsibilityTransferRequest, DescribeResponsibilityTransferResponse,
    HandshakeConstraintViolationExceptionReason, HandshakePartyType, HandshakeResource,
    HandshakeResourceType, HandshakeState, InvalidInputExceptionReason,
    InviteOrganizationToTransferResponsibilityRequest,
    InviteOrganizationToTransferResponsibilityResponse, ListInboundResponsibilityTransfersRequest,
    ListInboundResponsibilityTransfersResponse, ListOutboundResponsibilityTransfersRequest,
    ListOutboundResponsibilityTransfersResponse, ResponsibilityTransfer,
    ResponsibilityTransferStatus, ResponsibilityTransferType,
    TerminateResponsibilityTransferRequest, TerminateResponsibilityTransferResponse,
    TransferParticipant, UpdateResponsibilityTransferRequest, UpdateResponsibilityTransferResponse,
};
use store::{Change, HandshakeRecord, OrganizationRecord, ResponsibilityTransferRecord};

use super::handshakes::{
    INVITATION_LIFETIME_MILLIS, account_email, effective_state, handshake_shape, is_recipient,
    resource, validated_target,
};
use super::paging::PageRequest;
use super::state::State;
use super::tags::validated_tags;
use super::{
    OperationResult, Organizations, OrganizationsError, Requester, ids, management, membership,
};
use crate::time::now_millis;

impl Organizations {
    pub(super) async fn invite_organization_to_transfer_responsibility(
        &self,
        caller: &Requester<'_>,
        input: InviteOrganizationToTransferResponsibilityRequest,
    ) -> OperationResult<InviteOrganizationToTransferResponsibilityResponse> {
        let max_tags = self.settings().max_tags_per_resource;
        self.write(|state| {
            let organization = management(state, caller)?;
            let (target_type, target_id) = validated_target(&input.target)?;
            let tags = validated_tags(input.tags.as_deref().unwrap_or_default(), max_tags)?;
            let now = now_millis();
            check_start(input.start_timestamp, now)?;

            let targets_self = match target_type {
                HandshakePartyType::Account => target_id == caller.account_id,
                _ => account_email(state, &caller.account_id).eq_ignore_ascii_case(&target_id),
            };
            if targets_self {
                return Err(OrganizationsError::handshake_constraint(
                    HandshakeConstraintViolationExceptionReason::SourceAndTargetCannotMatch,
                    "You can't invite your own organization to a responsibility transfer.",
                ));
            }
            let duplicate = transfers_of(state, &organization.id)
                .into_iter()
                .any(|transfer| {
                    let status = transfer_status(state, transfer, now);
                    let handshake = state.handshakes.get(&transfer.handshake_id);
                    status == ResponsibilityTransferStatus::Requested
                        && handshake.is_some_and(|entry| {
                            entry.record.target_type == target_type.as_str()
                                && entry.record.target_id.eq_ignore_ascii_case(&target_id)
                        })
                });
            if duplicate {
                return Err(OrganizationsError::DuplicateHandshake(target_id));
            }

            let handshake = HandshakeRecord {
                id: ids::handshake_id(),
                organization_id: organization.id.clone(),
                action: ActionType::TransferResponsibility.as_str().to_owned(),
                state: HandshakeState::Open.as_str().to_owned(),
                target_type: target_type.as_str().to_owned(),
                target_id,
                parent_id: None,
                notes: input.notes.clone(),
                tags: "[]".to_owned(),
                requested_at: now,
                expires_at: now.saturating_add(INVITATION_LIFETIME_MILLIS),
                state_changed_at: now,
                responder_id: None,
            };
            let transfer = ResponsibilityTransferRecord {
                id: ids::responsibility_transfer_id(),
                organization_id: organization.id.clone(),
                handshake_id: handshake.id.clone(),
                transfer_type: input.type_.as_str().to_owned(),
                name: input.source_name.clone(),
                start_at: input.start_timestamp.epoch_millis(),
                end_at: None,
                source_account_id: None,
                tags: serde_json::to_string(&tags).unwrap_or_else(|_| "[]".to_owned()),
                withdrawn_at: None,
            };
            // The transfer is not in `state` yet, so its resources are added here.
            let mut shape = handshake_shape(state, organization, &handshake, now);
            shape.resources = Some(transfer_resources(
                state,
                organization,
                &handshake,
                &transfer,
            ));
            let response = InviteOrganizationToTransferResponsibilityResponse {
                handshake: Some(shape),
            };
            let changes = vec![
                Change::PutHandshake(handshake),
                Change::PutResponsibilityTransfer(transfer),
            ];
            Ok((response, changes))
        })
        .await
    }

    pub(super) fn describe_responsibility_transfer(
        &self,
        caller: &Requester<'_>,
        input: DescribeResponsibilityTransferRequest,
    ) -> OperationResult<DescribeResponsibilityTransferResponse> {
        self.read(|state| {
            let now = now_millis();
            let organization = management(state, caller)?;
            let transfer = find_transfer(state, organization, &input.id)?;
            Ok(DescribeResponsibilityTransferResponse {
                responsibility_transfer: Some(transfer_shape(state, organization, transfer, now)),
            })
        })
    }

    pub(super) fn list_inbound_responsibility_transfers(
        &self,
        caller: &Requester<'_>,
        input: ListInboundResponsibilityTransfersRequest,
    ) -> OperationResult<ListInboundResponsibilityTransfersResponse> {
        self.read(|state| {
            let now = now_millis();
            let organization = management(state, caller)?;
            let scope = format!(
                "ListInboundResponsibilityTransfers:{}:{}:{}",
                organization.id,
                input.type_.as_str(),
                input.id.as_deref().unwrap_or_default()
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let inbound: BTreeMap<u64, &ResponsibilityTransferRecord> = state
                .responsibility_transfers
                .values()
                .filter(|entry| {
                    entry.record.organization_id == organization.id
                        && entry.record.transfer_type == input.type_.as_str()
                        && input.id.as_ref().is_none_or(|id| *id == entry.record.id)
                })
                .map(|entry| (entry.seq, &entry.record))
                .collect();
            if let Some(id) = &input.id
                && inbound.is_empty()
            {
                return Err(OrganizationsError::ResponsibilityTransferNotFound(
                    id.clone(),
                ));
            }
            let (transfers, next_token) = page.take(&inbound);
            Ok(ListInboundResponsibilityTransfersResponse {
                next_token,
                responsibility_transfers: Some(
                    transfers
                        .into_iter()
                        .map(|transfer| transfer_shape(state, organization, transfer, now))
                        .collect(),
                ),
            })
        })
    }

    pub(super) fn list_outbound_responsibility_transfers(
        &self,
        caller: &Requester<'_>,
        input: ListOutboundResponsibilityTransfersRequest,
    ) -> OperationResult<ListOutboundResponsibilityTransfersResponse> {
        self.read(|state| {
            let now = now_millis();
            let organization = management(state, caller)?;
            let scope = format!(
                "ListOutboundResponsibilityTransfers:{}:{}",
                organization.id,
                input.type_.as_str()
            );
            let page = PageRequest::new(&scope, input.next_token.as_deref(), input.max_results)?;
            let outbound: BTreeMap<u64, &ResponsibilityTransferRecord> = state
                .responsibility_transfers
                .values()
                .filter(|entry| {
                    entry.record.transfer_type == input.type_.as_str()
                        && is_source(state, &entry.record, &caller.account_id)
                })
                .map(|entry| (entry.seq, &entry.record))
                .collect();
            let (transfers, next_token) = page.take(&outbound);
            Ok(ListOutboundResponsibilityTransfersResponse {
                next_token,
                responsibility_transfers: Some(
                    transfers
                        .into_iter()
                        .map(|transfer| transfer_shape(state, organization, transfer, now))
                        .collect(),
                ),
            })
        })
    }

    pub(super) async fn terminate_responsibility_transfer(
        &self,
        caller: &Requester<'_>,
        input: TerminateResponsibilityTransferRequest,
    ) -> OperationResult<TerminateResponsibilityTransferResponse> {
        self.write(|state| {
            let now = now_millis();
            let organization = management(state, caller)?;
            let transfer = find_transfer(state, organization, &input.id)?;
            match transfer_status(state, transfer, now) {
                ResponsibilityTransferStatus::Accepted => {}
                ResponsibilityTransferStatus::Withdrawn => {
                    return Err(OrganizationsError::ResponsibilityTransferAlreadyInStatus {
                        id: transfer.id.clone(),
                        status: ResponsibilityTransferStatus::Withdrawn.as_str(),
                    });
                }
                other => {
                    return Err(
                        OrganizationsError::InvalidResponsibilityTransferTransition {
                            id: transfer.id.clone(),
                            status: other.as_str(),
                        },
                    );
                }
            }
            let end_at = match input.end_timestamp {
                Some(end) => check_end(end, now)?,
                None => end_of_month(now),
            };
            // NOTE: the transfer reads as WITHDRAWN from the moment it is terminated, even when
            // its EndTimestamp lies in the future.
            let terminated = ResponsibilityTransferRecord {
                end_at: Some(end_at),
                withdrawn_at: Some(now),
                ..transfer.clone()
            };
            let response = TerminateResponsibilityTransferResponse {
                responsibility_transfer: Some(transfer_shape(
                    state,
                    organization,
                    &terminated,
                    now,
                )),
            };
            Ok((
                response,
                vec![Change::PutResponsibilityTransfer(terminated)],
            ))
        })
        .await
    }

    pub(super) async fn update_responsibility_transfer(
        &self,
        caller: &Requester<'_>,
        input: UpdateResponsibilityTransferRequest,
    ) -> OperationResult<UpdateResponsibilityTransferResponse> {
        self.write(|state| {
            let now = now_millis();
            let organization = management(state, caller)?;
            let transfer = find_transfer(state, organization, &input.id)?;
            let renamed = ResponsibilityTransferRecord {
                name: input.name.clone(),
                ..transfer.clone()
            };
            let response = UpdateResponsibilityTransferResponse {
                responsibility_transfer: Some(transfer_shape(state, organization, &renamed, now)),
            };
            Ok((response, vec![Change::PutResponsibilityTransfer(renamed)]))
        })
        .await
    }
}

/// Computes the changes that accept a transfer invitation: the caller's organization hands the
/// responsibility over to the inviting one.
pub(super) fn accept_transfer(
    state: &State,
    inviter: &OrganizationRecord,
    handshake: &HandshakeRecord,
    caller: &Requester<'_>,
    now: i64,
) -> OperationResult<Vec<Change>> {
    let source = membership(state, caller)?;
    if source.management_account_id != caller.account_id {
        return Err(OrganizationsError::management_only());
    }
    if source.id == inviter.id {
        return Err(OrganizationsError::handshake_constraint(
            HandshakeConstraintViolationExceptionReason::SourceAndTargetCannotMatch,
            "An organization can't accept its own responsibility transfer invitation.",
        ));
    }
    let Some(transfer) = transfer_of_handshake(state, &handshake.id) else {
        return Ok(Vec::new());
    };
    let already_transferred = state.responsibility_transfers.values().any(|entry| {
        entry.record.transfer_type == transfer.transfer_type
            && entry.record.source_account_id.as_deref() == Some(caller.account_id.as_str())
            && transfer_status(state, &entry.record, now) == ResponsibilityTransferStatus::Accepted
    });
    if already_transferred {
        return Err(OrganizationsError::handshake_constraint(
            HandshakeConstraintViolationExceptionReason::ResponsibilityTransferAlreadyExists,
            format!(
                "The organization {} already transfers its {} responsibility to another organization.",
                source.id, transfer.transfer_type
            ),
        ));
    }
    Ok(vec![Change::PutResponsibilityTransfer(
        ResponsibilityTransferRecord {
            source_account_id: Some(caller.account_id.clone()),
            ..transfer.clone()
        },
    )])
}

/// Returns whether the organization is in a transfer that is requested or accepted, either
/// way, which keeps it from being deleted.
pub(super) fn has_active_transfer(state: &State, organization: &OrganizationRecord) -> bool {
    let now = now_millis();
    state.responsibility_transfers.values().any(|entry| {
        let involved = entry.record.organization_id == organization.id
            || is_source(state, &entry.record, &organization.management_account_id);
        involved
            && matches!(
                transfer_status(state, &entry.record, now),
                ResponsibilityTransferStatus::Requested | ResponsibilityTransferStatus::Accepted
            )
    })
}

/// Returns the transfer a `TRANSFER_RESPONSIBILITY` handshake carries.
pub(super) fn transfer_of_handshake<'s>(
    state: &'s State,
    handshake_id: &str,
) -> Option<&'s ResponsibilityTransferRecord> {
    state
        .responsibility_transfers
        .values()
        .map(|entry| &entry.record)
        .find(|transfer| transfer.handshake_id == handshake_id)
}

/// Builds the resources of a `TRANSFER_RESPONSIBILITY` handshake: the transfer, its type and
/// start, the inviting management account and the sender's notes.
pub(super) fn transfer_resources(
    state: &State,
    inviter: &OrganizationRecord,
    handshake: &HandshakeRecord,
    transfer: &ResponsibilityTransferRecord,
) -> Vec<HandshakeResource> {
    let management_name = state
        .accounts
        .get(&inviter.management_account_id)
        .map(|entry| entry.record.name.clone())
        .unwrap_or_default();
    let start = Timestamp::from_epoch_millis(transfer.start_at)
        .0
        .to_string();
    let mut resources = vec![
        resource(HandshakeResourceType::ResponsibilityTransfer, &transfer.id),
        resource(HandshakeResourceType::TransferType, &transfer.transfer_type),
        resource(HandshakeResourceType::TransferStartTimestamp, &start),
        resource(
            HandshakeResourceType::ManagementAccount,
            &inviter.management_account_id,
        ),
        resource(
            HandshakeResourceType::ManagementEmail,
            &account_email(state, &inviter.management_account_id),
        ),
        resource(HandshakeResourceType::ManagementName, &management_name),
    ];
    if let Some(notes) = &handshake.notes {
        resources.push(resource(HandshakeResourceType::Notes, notes));
    }
    resources
}

/// Returns the transfers `organization_id` requested, in request order.
fn transfers_of<'s>(
    state: &'s State,
    organization_id: &str,
) -> Vec<&'s ResponsibilityTransferRecord> {
    state
        .organization(organization_id)
        .map(|entry| &entry.responsibility_transfers)
        .into_iter()
        .flatten()
        .filter_map(|(_, id)| {
            state
                .responsibility_transfers
                .get(id)
                .map(|entry| &entry.record)
        })
        .collect()
}

/// Computes a transfer's status: `WITHDRAWN` once terminated, otherwise its handshake's state.
fn transfer_status(
    state: &State,
    transfer: &ResponsibilityTransferRecord,
    now: i64,
) -> ResponsibilityTransferStatus {
    if transfer.withdrawn_at.is_some() {
        return ResponsibilityTransferStatus::Withdrawn;
    }
    let Some(handshake) = state.handshakes.get(&transfer.handshake_id) else {
        return ResponsibilityTransferStatus::Canceled;
    };
    match effective_state(state, &handshake.record, now) {
        HandshakeState::Requested | HandshakeState::Open => ResponsibilityTransferStatus::Requested,
        HandshakeState::Accepted => ResponsibilityTransferStatus::Accepted,
        HandshakeState::Declined => ResponsibilityTransferStatus::Declined,
        HandshakeState::Canceled => ResponsibilityTransferStatus::Canceled,
        HandshakeState::Expired => ResponsibilityTransferStatus::Expired,
    }
}

/// Returns whether `account_id` is the management account that hands the responsibility over:
/// the one that accepted, or before that, the one the invitation went to.
fn is_source(state: &State, transfer: &ResponsibilityTransferRecord, account_id: &str) -> bool {
    match &transfer.source_account_id {
        Some(source) => source == account_id,
        None => state
            .handshakes
            .get(&transfer.handshake_id)
            .is_some_and(|entry| is_recipient(state, &entry.record, account_id)),
    }
}

/// Finds a transfer in which the caller's organization takes part, either way.
fn find_transfer<'s>(
    state: &'s State,
    organization: &OrganizationRecord,
    transfer_id: &str,
) -> OperationResult<&'s ResponsibilityTransferRecord> {
    state
        .responsibility_transfers
        .get(transfer_id)
        .map(|entry| &entry.record)
        .filter(|transfer| {
            transfer.organization_id == organization.id
                || is_source(state, transfer, &organization.management_account_id)
        })
        .ok_or_else(|| OrganizationsError::ResponsibilityTransferNotFound(transfer_id.to_owned()))
}

/// Builds the wire form of a transfer for `viewer`: inbound for the inviting organization,
/// outbound for the other.
fn transfer_shape(
    state: &State,
    viewer: &OrganizationRecord,
    transfer: &ResponsibilityTransferRecord,
    now: i64,
) -> ResponsibilityTransfer {
    let direction = if transfer.organization_id == viewer.id {
        "inbound"
    } else {
        "outbound"
    };
    let inviter = state
        .organization(&transfer.organization_id)
        .and_then(|entry| entry.record.as_ref());
    let target = inviter.map(|organization| TransferParticipant {
        management_account_email: Some(account_email(state, &organization.management_account_id)),
        management_account_id: Some(organization.management_account_id.clone()),
    });
    let handshake = state
        .handshakes
        .get(&transfer.handshake_id)
        .map(|entry| &entry.record);
    let source = match (&transfer.source_account_id, handshake) {
        (Some(account_id), _) => Some(TransferParticipant {
            management_account_email: Some(account_email(state, account_id)),
            management_account_id: Some(account_id.clone()),
        }),
        (None, Some(handshake)) if handshake.target_type == HandshakePartyType::Email.as_str() => {
            Some(TransferParticipant {
                management_account_email: Some(handshake.target_id.clone()),
                management_account_id: None,
            })
        }
        (None, Some(handshake)) => Some(TransferParticipant {
            management_account_email: Some(account_email(state, &handshake.target_id)),
            management_account_id: Some(handshake.target_id.clone()),
        }),
        (None, None) => None,
    };
    ResponsibilityTransfer {
        active_handshake_id: Some(transfer.handshake_id.clone()),
        arn: Some(ids::responsibility_transfer_arn(
            viewer,
            &transfer.transfer_type,
            direction,
            &transfer.id,
        )),
        end_timestamp: transfer.end_at.map(Timestamp::from_epoch_millis),
        id: Some(transfer.id.clone()),
        name: Some(transfer.name.clone()),
        source,
        start_timestamp: Some(Timestamp::from_epoch_millis(transfer.start_at)),
        status: Some(transfer_status(state, transfer, now)),
        target,
        type_: ResponsibilityTransferType::from_wire(&transfer.transfer_type),
    }
}

/// Checks that a transfer starts at midnight UTC on the first day of a month, not before the
/// current month.
/// NOTE: AWS documents its start rules only through its error reasons, so these checks are
/// bulkhead's reading of them. No start is too late here, so `START_DATE_TOO_LATE` never occurs.
fn check_start(start: Timestamp, now: i64) -> OperationResult<()> {
    let start = start.0.to_zoned_datetime(TimeZone::UTC);
    if start.time() != Time::midnight() {
        return Err(OrganizationsError::invalid(
            InvalidInputExceptionReason::StartDateNotBeginningOfDay,
            format!("The StartTimestamp {start} is not at 00:00:00.000 UTC."),
        ));
    }
    if start.day() != 1 {
        return Err(OrganizationsError::invalid(
            InvalidInputExceptionReason::StartDateNotBeginningOfMonth,
            format!("The StartTimestamp {start} is not on the first day of a month."),
        ));
    }
    let current_month = Timestamp::from_epoch_millis(now)
        .0
        .to_zoned_datetime(TimeZone::UTC)
        .date()
        .first_of_month();
    if start.date() < current_month {
        return Err(OrganizationsError::invalid(
            InvalidInputExceptionReason::StartDateTooEarly,
            format!("The StartTimestamp {start} is before the current month."),
        ));
    }
    Ok(())
}

/// Checks that a transfer ends at the last millisecond of a month that has not ended, and
/// returns the end in milliseconds since the Unix epoch.
fn check_end(end: Timestamp, now: i64) -> OperationResult<i64> {
    let millis = end.epoch_millis();
    if end_of_month(millis) != millis {
        return Err(OrganizationsError::invalid(
            InvalidInputExceptionReason::EndDateNotEndOfMonth,
            format!(
                "The EndTimestamp {} is not 23:59:59.999 UTC on the last day of a month.",
                end.0
            ),
        ));
    }
    if millis < now {
        return Err(OrganizationsError::invalid(
            InvalidInputExceptionReason::EndDateTooEarly,
            format!("The EndTimestamp {} has passed.", end.0),
        ));
    }
    Ok(millis)
}

/// Returns the last millisecond (UTC) of the month that contains `millis`.
fn end_of_month(millis: i64) -> i64 {
    let zoned = Timestamp::from_epoch_millis(millis)
        .0
        .to_zoned_datetime(TimeZone::UTC);
    let last_moment = Time::constant(23, 59, 59, 999_000_000);
    zoned
        .date()
        .last_of_month()
        .to_datetime(last_moment)
        .to_zoned_datetime(TimeZone::UTC)
        .map_or(millis, |end| end.timestamp().as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-01T00:00:00Z and 2026-03-31T23:59:59.999Z.
    const MARCH_START: i64 = 1_772_323_200_000;
    const MARCH_END: i64 = 1_775_001_599_999;

    #[test]
    fn end_of_month_is_last_millisecond() {
        assert_eq!(end_of_month(MARCH_START), MARCH_END);
        assert_eq!(end_of_month(MARCH_END), MARCH_END);
        assert_eq!(
            end_of_month(MARCH_END + 1),
            end_of_month(MARCH_END + 1 + 86_400_000)
        );
    }

    #[test]
    fn start_must_open_a_month() {
        let now = MARCH_START + 86_400_000;
        assert!(check_start(Timestamp::from_epoch_millis(MARCH_START), now).is_ok());
        let second_day = check_start(Timestamp::from_epoch_millis(now), now).unwrap_err();
        assert_eq!(second_day.code(), "InvalidInputException");
        let february = check_start(
            Timestamp::from_epoch_millis(MARCH_START - 28 * 86_400_000),
            now,
        )
        .unwrap_err();
        assert!(
            february.to_string().contains("before the current month"),
            "{february}"
        );
    }

    #[test]
    fn end_must_close_a_month() {
        assert_eq!(
            check_end(Timestamp::from_epoch_millis(MARCH_END), MARCH_START),
            Ok(MARCH_END)
        );
        assert!(check_end(Timestamp::from_epoch_millis(MARCH_END - 1), MARCH_START).is_err());
        assert!(check_end(Timestamp::from_epoch_millis(MARCH_END), MARCH_END + 1).is_err());
    }
}
