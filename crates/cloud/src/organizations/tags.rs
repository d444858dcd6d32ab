//! Tags on roots, OUs and accounts.

use std::collections::BTreeMap;

use model::organizations::{
    ConstraintViolationExceptionReason, InvalidInputExceptionReason, ListTagsForResourceRequest,
    ListTagsForResourceResponse, Tag, TagResourceRequest, UntagResourceRequest,
};
use store::{Change, OrganizationRecord};

use super::paging::PageRequest;
use super::state::State;
use super::{Empty, OperationResult, Organizations, OrganizationsError, Requester, management};

/// Tag keys with this prefix belong to AWS and cannot be set or removed by callers.
const SYSTEM_TAG_PREFIX: &str = "aws:";

impl Organizations {
    pub(super) async fn tag_resource(
        &self,
        caller: &Requester<'_>,
        input: TagResourceRequest,
    ) -> OperationResult<Empty> {
        let max_tags = self.settings().max_tags_per_resource;
        self.write(|state| {
            let organization = management(state, caller)?;
            check_taggable(state, organization, &input.resource_id)?;
            let added = validated_tags(&input.tags, max_tags)?;
            let mut tags = state
                .tags
                .get(&input.resource_id)
                .cloned()
                .unwrap_or_default();
            for (key, value) in added {
                match tags.iter_mut().find(|(existing, _)| *existing == key) {
                    Some(tag) => tag.1 = value,
                    None => tags.push((key, value)),
                }
            }
            check_tag_count(tags.len(), max_tags)?;
            let change = Change::SetTags {
                resource_id: input.resource_id.clone(),
                organization_id: organization.id.clone(),
                tags,
            };
            Ok((Empty {}, vec![change]))
        })
        .await
    }

    pub(super) async fn untag_resource(
        &self,
        caller: &Requester<'_>,
        input: UntagResourceRequest,
    ) -> OperationResult<Empty> {
        self.write(|state| {
            let organization = management(state, caller)?;
            check_taggable(state, organization, &input.resource_id)?;
            if let Some(key) = input
                .tag_keys
                .iter()
                .find(|key| key.starts_with(SYSTEM_TAG_PREFIX))
            {
                return Err(system_tag_error(key));
            }
            let mut tags = state
                .tags
                .get(&input.resource_id)
                .cloned()
                .unwrap_or_default();
            tags.retain(|(key, _)| !input.tag_keys.contains(key));
            let change = Change::SetTags {
                resource_id: input.resource_id.clone(),
                organization_id: organization.id.clone(),
                tags,
            };
            Ok((Empty {}, vec![change]))
        })
        .await
    }

    pub(super) fn list_tags_for_resource(
        &self,
        caller: &Requester<'_>,
        input: ListTagsForResourceRequest,
    ) -> OperationResult<ListTagsForResourceResponse> {
        self.read(|state| {
            let organization = management(state, caller)?;
            check_taggable(state, organization, &input.resource_id)?;
            let scope = format!("ListTagsForResource:{}", input.resource_id);
            // Every tag fits on one page: a resource has at most a few dozen.
            let page = PageRequest::new(&scope, input.next_token.as_deref(), Some(i32::MAX))?;
            let tags: BTreeMap<u64, Tag> = state
                .tags
                .get(&input.resource_id)
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(position, (key, value))| {
                    (
                        position as u64,
                        Tag {
                            key: key.clone(),
                            value: value.clone(),
                        },
                    )
                })
                .collect();
            let (tags, next_token) = page.take(&tags);
            Ok(ListTagsForResourceResponse {
                tags: Some(tags.into_iter().cloned().collect()),
                next_token,
            })
        })
    }
}

/// The change that gives a new resource the tags of the request that created it, if any.
pub(super) fn initial_tags(
    resource_id: &str,
    organization_id: &str,
    tags: Vec<(String, String)>,
) -> Option<Change> {
    (!tags.is_empty()).then(|| Change::SetTags {
        resource_id: resource_id.to_owned(),
        organization_id: organization_id.to_owned(),
        tags,
    })
}

/// Checks tags given with a request and returns them as `(key, value)` pairs.
pub(super) fn validated_tags(
    tags: &[Tag],
    max_tags: usize,
) -> OperationResult<Vec<(String, String)>> {
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(tags.len());
    for tag in tags {
        if tag.key.starts_with(SYSTEM_TAG_PREFIX) {
            return Err(system_tag_error(&tag.key));
        }
        if pairs.iter().any(|(key, _)| *key == tag.key) {
            return Err(OrganizationsError::invalid(
                InvalidInputExceptionReason::DuplicateTagKey,
                format!(
                    "The tag key {} appears more than once in the request.",
                    tag.key
                ),
            ));
        }
        pairs.push((tag.key.clone(), tag.value.clone()));
    }
    check_tag_count(pairs.len(), max_tags)?;
    Ok(pairs)
}

fn check_tag_count(count: usize, max_tags: usize) -> OperationResult<()> {
    if count > max_tags {
        return Err(OrganizationsError::constraint(
            ConstraintViolationExceptionReason::MaxTagLimitExceeded,
            format!(
                "A resource can have at most {max_tags} tags; this request would give it {count}."
            ),
        ));
    }
    Ok(())
}

fn system_tag_error(key: &str) -> OrganizationsError {
    OrganizationsError::invalid(
        InvalidInputExceptionReason::InvalidSystemTagsParameter,
        format!("The tag key {key} starts with the reserved prefix {SYSTEM_TAG_PREFIX}."),
    )
}

/// A root, OU, account, customer-managed policy or the resource policy of the organization.
fn check_taggable(
    state: &State,
    organization: &OrganizationRecord,
    resource_id: &str,
) -> OperationResult<()> {
    let in_organization = state.is_parent_in(resource_id, &organization.id)
        || state
            .accounts
            .get(resource_id)
            .is_some_and(|entry| entry.record.organization_id == organization.id)
        || state
            .policies
            .get(resource_id)
            .is_some_and(|entry| entry.record.organization_id == organization.id)
        || state
            .resource_policies
            .get(&organization.id)
            .is_some_and(|record| record.id == resource_id);
    if in_organization {
        Ok(())
    } else {
        Err(OrganizationsError::TargetNotFound(resource_id.to_owned()))
    }
}
