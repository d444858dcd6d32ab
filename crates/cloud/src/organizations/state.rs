//! The in-memory state of every organization, kept equal to the store by applying the same
//! [`Change`]s the store commits.

use std::collections::{BTreeMap, HashMap};

use store::{
    AccountRecord, Change, CreateAccountRequestRecord, DelegatedAdministratorRecord,
    HandshakeRecord, OrganizationRecord, OrganizationalUnitRecord, PolicyAttachmentRecord,
    PolicyRecord, ResourcePolicyRecord, ResponsibilityTransferRecord, RootRecord,
    ServiceAccessRecord, Snapshot,
};

/// A record with its position in creation order, which listings and page tokens follow.
#[derive(Debug, Clone)]
pub(crate) struct Entry<R> {
    pub(crate) seq: u64,
    pub(crate) record: R,
}

/// The contents of an organization, by creation order.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrganizationEntry {
    pub(crate) record: Option<OrganizationRecord>,
    pub(crate) root_id: Option<String>,
    pub(crate) accounts: BTreeMap<u64, String>,
    pub(crate) organizational_units: BTreeMap<u64, String>,
    pub(crate) create_account_requests: BTreeMap<u64, String>,
    pub(crate) policies: BTreeMap<u64, String>,
    pub(crate) handshakes: BTreeMap<u64, String>,
    pub(crate) responsibility_transfers: BTreeMap<u64, String>,
}

/// The children of a root or OU, by creation order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Children {
    pub(crate) accounts: BTreeMap<u64, String>,
    pub(crate) organizational_units: BTreeMap<u64, String>,
}

impl Children {
    pub(crate) fn is_empty(&self) -> bool {
        self.accounts.is_empty() && self.organizational_units.is_empty()
    }
}

/// Every organization and everything in it.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) organizations: HashMap<String, OrganizationEntry>,
    pub(crate) roots: HashMap<String, Entry<RootRecord>>,
    pub(crate) organizational_units: HashMap<String, Entry<OrganizationalUnitRecord>>,
    pub(crate) accounts: HashMap<String, Entry<AccountRecord>>,
    pub(crate) create_account_requests: HashMap<String, Entry<CreateAccountRequestRecord>>,
    pub(crate) children: HashMap<String, Children>,
    pub(crate) tags: HashMap<String, Vec<(String, String)>>,
    pub(crate) policies: HashMap<String, Entry<PolicyRecord>>,
    /// The policies attached to each root, OU and account, by attachment order.
    pub(crate) attachments_by_target: HashMap<String, BTreeMap<u64, String>>,
    /// The targets of each policy, by attachment order. AWS-managed policies have targets in
    /// every organization.
    pub(crate) attachments_by_policy: HashMap<String, BTreeMap<u64, String>>,
    attachment_seq: HashMap<(String, String), u64>,
    /// The policy types enabled on each root, in the order they were enabled.
    pub(crate) enabled_policy_types: HashMap<String, Vec<String>>,
    /// Delegated administrators of every organization, in registration order.
    pub(crate) delegated_administrators: Vec<DelegatedAdministratorRecord>,
    /// Trusted service access of every organization, in the order it was enabled.
    pub(crate) service_access: Vec<ServiceAccessRecord>,
    /// The resource policy of each organization that has one.
    pub(crate) resource_policies: HashMap<String, ResourcePolicyRecord>,
    pub(crate) handshakes: HashMap<String, Entry<HandshakeRecord>>,
    pub(crate) responsibility_transfers: HashMap<String, Entry<ResponsibilityTransferRecord>>,
    next_seq: u64,
}

impl State {
    /// Builds the state from everything the store holds.
    pub(crate) fn from_snapshot(snapshot: Snapshot) -> State {
        let mut state = State::default();
        let mut tags: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
        for tag in snapshot.tags {
            tags.entry((tag.resource_id, tag.organization_id))
                .or_default()
                .push((tag.key, tag.value));
        }

        let changes = snapshot
            .organizations
            .into_iter()
            .map(Change::PutOrganization)
            .chain(snapshot.roots.into_iter().map(Change::PutRoot))
            .chain(
                snapshot
                    .organizational_units
                    .into_iter()
                    .map(Change::PutOrganizationalUnit),
            )
            .chain(snapshot.accounts.into_iter().map(Change::PutAccount))
            .chain(
                snapshot
                    .create_account_requests
                    .into_iter()
                    .map(Change::PutCreateAccountRequest),
            )
            .chain(snapshot.policies.into_iter().map(Change::PutPolicy))
            .chain(
                snapshot
                    .delegated_administrators
                    .into_iter()
                    .map(Change::PutDelegatedAdministrator),
            )
            .chain(
                snapshot
                    .service_access
                    .into_iter()
                    .map(Change::PutServiceAccess),
            )
            .chain(
                snapshot
                    .resource_policies
                    .into_iter()
                    .map(Change::PutResourcePolicy),
            )
            .chain(
                snapshot
                    .policy_attachments
                    .into_iter()
                    .map(Change::AttachPolicy),
            )
            .chain(
                snapshot
                    .enabled_policy_types
                    .into_iter()
                    .map(Change::EnablePolicyType),
            )
            .chain(snapshot.handshakes.into_iter().map(Change::PutHandshake))
            .chain(
                snapshot
                    .responsibility_transfers
                    .into_iter()
                    .map(Change::PutResponsibilityTransfer),
            )
            .chain(
                tags.into_iter()
                    .map(|((resource_id, organization_id), tags)| Change::SetTags {
                        resource_id,
                        organization_id,
                        tags,
                    }),
            );
        for change in changes {
            state.apply(&change);
        }
        state
    }

    fn take_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Returns `existing`, or takes a new position and files `id` under it in the listing that
    /// `listing` selects from the organization.
    fn seq_in_organization(
        &mut self,
        existing: Option<u64>,
        organization_id: &str,
        listing: impl FnOnce(&mut OrganizationEntry) -> &mut BTreeMap<u64, String>,
        id: &str,
    ) -> u64 {
        if let Some(seq) = existing {
            return seq;
        }
        let seq = self.take_seq();
        let organization = self
            .organizations
            .entry(organization_id.to_owned())
            .or_default();
        listing(organization).insert(seq, id.to_owned());
        seq
    }

    /// Puts an account or OU under `parent_id`, taking it from its old parent when it moves,
    /// and returns its position in creation order, which a move keeps.
    fn place_child(
        &mut self,
        existing: Option<(u64, String)>,
        organization_id: &str,
        parent_id: &str,
        id: &str,
        organization_listing: impl FnOnce(&mut OrganizationEntry) -> &mut BTreeMap<u64, String>,
        children_listing: impl Fn(&mut Children) -> &mut BTreeMap<u64, String>,
    ) -> u64 {
        if let Some((seq, old_parent)) = &existing
            && let Some(children) = self.children.get_mut(old_parent)
        {
            children_listing(children).remove(seq);
        }
        let seq = self.seq_in_organization(
            existing.map(|(seq, _)| seq),
            organization_id,
            organization_listing,
            id,
        );
        children_listing(self.children.entry(parent_id.to_owned()).or_default())
            .insert(seq, id.to_owned());
        seq
    }

    /// Applies one change, exactly as the store applied it.
    pub(crate) fn apply(&mut self, change: &Change) {
        match change {
            Change::PutOrganization(record) => {
                let entry = self.organizations.entry(record.id.clone()).or_default();
                entry.record = Some(record.clone());
            }
            Change::DeleteOrganization { id } => self.delete_organization(id),
            Change::PutRoot(record) => {
                let seq = self.roots.get(&record.id).map(|entry| entry.seq);
                let seq = seq.unwrap_or_else(|| self.take_seq());
                self.organizations
                    .entry(record.organization_id.clone())
                    .or_default()
                    .root_id = Some(record.id.clone());
                self.children.entry(record.id.clone()).or_default();
                self.roots.insert(
                    record.id.clone(),
                    Entry {
                        seq,
                        record: record.clone(),
                    },
                );
            }
            Change::PutOrganizationalUnit(record) => {
                let existing = self
                    .organizational_units
                    .get(&record.id)
                    .map(|entry| (entry.seq, entry.record.parent_id.clone()));
                let seq = self.place_child(
                    existing,
                    &record.organization_id,
                    &record.parent_id,
                    &record.id,
                    |organization| &mut organization.organizational_units,
                    |children| &mut children.organizational_units,
                );
                self.children.entry(record.id.clone()).or_default();
                self.organizational_units.insert(
                    record.id.clone(),
                    Entry {
                        seq,
                        record: record.clone(),
                    },
                );
            }
            Change::DeleteOrganizationalUnit { id } => {
                if let Some(entry) = self.organizational_units.remove(id) {
                    if let Some(children) = self.children.get_mut(&entry.record.parent_id) {
                        children.organizational_units.remove(&entry.seq);
                    }
                    if let Some(organization) =
                        self.organizations.get_mut(&entry.record.organization_id)
                    {
                        organization.organizational_units.remove(&entry.seq);
                    }
                }
                self.children.remove(id);
                self.tags.remove(id);
                self.forget_attachments_of_target(id);
            }
            Change::PutAccount(record) => {
                let existing = self
                    .accounts
                    .get(&record.id)
                    .map(|entry| (entry.seq, entry.record.parent_id.clone()));
                let seq = self.place_child(
                    existing,
                    &record.organization_id,
                    &record.parent_id,
                    &record.id,
                    |organization| &mut organization.accounts,
                    |children| &mut children.accounts,
                );
                self.accounts.insert(
                    record.id.clone(),
                    Entry {
                        seq,
                        record: record.clone(),
                    },
                );
            }
            Change::DeleteAccount { id } => {
                if let Some(entry) = self.accounts.remove(id) {
                    if let Some(children) = self.children.get_mut(&entry.record.parent_id) {
                        children.accounts.remove(&entry.seq);
                    }
                    if let Some(organization) =
                        self.organizations.get_mut(&entry.record.organization_id)
                    {
                        organization.accounts.remove(&entry.seq);
                    }
                }
                self.tags.remove(id);
                self.forget_attachments_of_target(id);
            }
            Change::PutCreateAccountRequest(record) => {
                let existing = self
                    .create_account_requests
                    .get(&record.id)
                    .map(|entry| entry.seq);
                let seq = self.seq_in_organization(
                    existing,
                    &record.organization_id,
                    |entry| &mut entry.create_account_requests,
                    &record.id,
                );
                self.create_account_requests.insert(
                    record.id.clone(),
                    Entry {
                        seq,
                        record: record.clone(),
                    },
                );
            }
            Change::PutPolicy(_)
            | Change::DeletePolicy { .. }
            | Change::AttachPolicy(_)
            | Change::DetachPolicy { .. }
            | Change::EnablePolicyType(_)
            | Change::DisablePolicyType { .. } => self.apply_policy_change(change),
            Change::PutDelegatedAdministrator(record) => {
                self.delegated_administrators.retain(|existing| {
                    existing.account_id != record.account_id
                        || existing.service_principal != record.service_principal
                });
                self.delegated_administrators.push(record.clone());
            }
            Change::DeleteDelegatedAdministrator {
                account_id,
                service_principal,
            } => {
                self.delegated_administrators.retain(|existing| {
                    existing.account_id != *account_id
                        || existing.service_principal != *service_principal
                });
            }
            Change::PutServiceAccess(record) => {
                let present = self.service_access.iter().any(|existing| {
                    existing.organization_id == record.organization_id
                        && existing.service_principal == record.service_principal
                });
                if !present {
                    self.service_access.push(record.clone());
                }
            }
            Change::DeleteServiceAccess {
                organization_id,
                service_principal,
            } => {
                self.service_access.retain(|existing| {
                    existing.organization_id != *organization_id
                        || existing.service_principal != *service_principal
                });
            }
            Change::PutResourcePolicy(record) => {
                self.resource_policies
                    .insert(record.organization_id.clone(), record.clone());
            }
            Change::DeleteResourcePolicy { organization_id } => {
                self.resource_policies.remove(organization_id);
            }
            Change::PutHandshake(record) => {
                let existing = self.handshakes.get(&record.id).map(|entry| entry.seq);
                let seq = self.seq_in_organization(
                    existing,
                    &record.organization_id,
                    |entry| &mut entry.handshakes,
                    &record.id,
                );
                self.handshakes.insert(
                    record.id.clone(),
                    Entry {
                        seq,
                        record: record.clone(),
                    },
                );
            }
            Change::PutResponsibilityTransfer(record) => {
                let existing = self
                    .responsibility_transfers
                    .get(&record.id)
                    .map(|entry| entry.seq);
                let seq = self.seq_in_organization(
                    existing,
                    &record.organization_id,
                    |entry| &mut entry.responsibility_transfers,
                    &record.id,
                );
                self.responsibility_transfers.insert(
                    record.id.clone(),
                    Entry {
                        seq,
                        record: record.clone(),
                    },
                );
            }
            // Sessions belong to STS and IAM rows to IAM, which keep their own state.
            Change::PutSession(_) | Change::Iam(_) => {}
            Change::SetTags {
                resource_id, tags, ..
            } => {
                if tags.is_empty() {
                    self.tags.remove(resource_id);
                } else {
                    self.tags.insert(resource_id.clone(), tags.clone());
                }
            }
        }
    }

    fn delete_organization(&mut self, id: &str) {
        let Some(organization) = self.organizations.remove(id) else {
            return;
        };
        self.delegated_administrators
            .retain(|record| record.organization_id != id);
        self.service_access
            .retain(|record| record.organization_id != id);
        self.resource_policies.remove(id);
        for account_id in organization.accounts.values() {
            self.accounts.remove(account_id);
            self.tags.remove(account_id);
            self.forget_attachments_of_target(account_id);
        }
        for ou_id in organization.organizational_units.values() {
            self.organizational_units.remove(ou_id);
            self.children.remove(ou_id);
            self.tags.remove(ou_id);
            self.forget_attachments_of_target(ou_id);
        }
        for policy_id in organization.policies.values() {
            self.policies.remove(policy_id);
            self.tags.remove(policy_id);
            self.forget_attachments_of_policy(policy_id);
        }
        for request_id in organization.create_account_requests.values() {
            self.create_account_requests.remove(request_id);
        }
        for handshake_id in organization.handshakes.values() {
            self.handshakes.remove(handshake_id);
        }
        for transfer_id in organization.responsibility_transfers.values() {
            self.responsibility_transfers.remove(transfer_id);
        }
        if let Some(root_id) = organization.root_id {
            self.roots.remove(&root_id);
            self.children.remove(&root_id);
            self.tags.remove(&root_id);
            self.forget_attachments_of_target(&root_id);
            self.enabled_policy_types.remove(&root_id);
        }
    }

    fn apply_policy_change(&mut self, change: &Change) {
        match change {
            Change::PutPolicy(record) => {
                let seq = match self.policies.get(&record.id) {
                    Some(existing) => existing.seq,
                    None => {
                        let seq = self.take_seq();
                        self.organizations
                            .entry(record.organization_id.clone())
                            .or_default()
                            .policies
                            .insert(seq, record.id.clone());
                        seq
                    }
                };
                self.policies.insert(
                    record.id.clone(),
                    Entry {
                        seq,
                        record: record.clone(),
                    },
                );
            }
            Change::DeletePolicy { id } => {
                if let Some(entry) = self.policies.remove(id)
                    && let Some(organization) =
                        self.organizations.get_mut(&entry.record.organization_id)
                {
                    organization.policies.remove(&entry.seq);
                }
                self.tags.remove(id);
                self.forget_attachments_of_policy(id);
            }
            Change::AttachPolicy(PolicyAttachmentRecord {
                policy_id,
                target_id,
                ..
            }) => {
                let key = (policy_id.clone(), target_id.clone());
                if self.attachment_seq.contains_key(&key) {
                    return;
                }
                let seq = self.take_seq();
                self.attachment_seq.insert(key, seq);
                self.attachments_by_target
                    .entry(target_id.clone())
                    .or_default()
                    .insert(seq, policy_id.clone());
                self.attachments_by_policy
                    .entry(policy_id.clone())
                    .or_default()
                    .insert(seq, target_id.clone());
            }
            Change::DetachPolicy {
                policy_id,
                target_id,
            } => {
                self.forget_attachment(policy_id, target_id);
            }
            Change::EnablePolicyType(record) => {
                let types = self
                    .enabled_policy_types
                    .entry(record.root_id.clone())
                    .or_default();
                if !types.contains(&record.r#type) {
                    types.push(record.r#type.clone());
                }
            }
            Change::DisablePolicyType { root_id, r#type } => {
                if let Some(types) = self.enabled_policy_types.get_mut(root_id) {
                    types.retain(|enabled| enabled != r#type);
                }
            }
            _ => {}
        }
    }

    fn forget_attachment(&mut self, policy_id: &str, target_id: &str) {
        let Some(seq) = self
            .attachment_seq
            .remove(&(policy_id.to_owned(), target_id.to_owned()))
        else {
            return;
        };
        if let Some(policies) = self.attachments_by_target.get_mut(target_id) {
            policies.remove(&seq);
        }
        if let Some(targets) = self.attachments_by_policy.get_mut(policy_id) {
            targets.remove(&seq);
        }
    }

    fn forget_attachments_of_target(&mut self, target_id: &str) {
        let policies: Vec<String> = self
            .attachments_by_target
            .get(target_id)
            .map(|map| map.values().cloned().collect())
            .unwrap_or_default();
        for policy_id in policies {
            self.forget_attachment(&policy_id, target_id);
        }
        self.attachments_by_target.remove(target_id);
    }

    fn forget_attachments_of_policy(&mut self, policy_id: &str) {
        let targets: Vec<String> = self
            .attachments_by_policy
            .get(policy_id)
            .map(|map| map.values().cloned().collect())
            .unwrap_or_default();
        for target_id in targets {
            self.forget_attachment(policy_id, &target_id);
        }
        self.attachments_by_policy.remove(policy_id);
    }

    /// Returns whether a policy type is enabled on the organization's root.
    pub(crate) fn is_policy_type_enabled(&self, organization_id: &str, policy_type: &str) -> bool {
        self.organization(organization_id)
            .and_then(|entry| entry.root_id.as_ref())
            .and_then(|root_id| self.enabled_policy_types.get(root_id))
            .is_some_and(|types| types.iter().any(|enabled| enabled == policy_type))
    }

    /// Returns the organization an account belongs to, if any.
    pub(crate) fn organization_of(&self, account_id: &str) -> Option<&OrganizationRecord> {
        let account = self.accounts.get(account_id)?;
        self.organizations
            .get(&account.record.organization_id)?
            .record
            .as_ref()
    }

    /// Returns the organization entry with this id.
    pub(crate) fn organization(&self, id: &str) -> Option<&OrganizationEntry> {
        self.organizations.get(id)
    }

    /// Returns the parent of an account or OU.
    pub(crate) fn parent_of(&self, child_id: &str) -> Option<&str> {
        if let Some(account) = self.accounts.get(child_id) {
            return Some(&account.record.parent_id);
        }
        self.organizational_units
            .get(child_id)
            .map(|ou| ou.record.parent_id.as_str())
    }

    /// Returns whether `id` is the root or an OU of `organization_id`.
    pub(crate) fn is_parent_in(&self, id: &str, organization_id: &str) -> bool {
        if let Some(root) = self.roots.get(id) {
            return root.record.organization_id == organization_id;
        }
        self.organizational_units
            .get(id)
            .is_some_and(|ou| ou.record.organization_id == organization_id)
    }

    /// Returns the ids from the root down to `id` (a root, OU or account), root first.
    pub(crate) fn path_to(&self, id: &str) -> Vec<String> {
        let mut path = vec![id.to_owned()];
        let mut current = id.to_owned();
        while let Some(parent) = self.parent_of(&current) {
            path.push(parent.to_owned());
            current = parent.to_owned();
            if path.len() > 64 {
                break;
            }
        }
        path.reverse();
        path
    }

    /// Counts the OUs between the root and `parent_id`, counting `parent_id` itself.
    pub(crate) fn ou_depth(&self, parent_id: &str) -> usize {
        self.path_to(parent_id)
            .iter()
            .filter(|id| self.organizational_units.contains_key(*id))
            .count()
    }
}
