//! The in-memory state of every organization, kept equal to the store by applying the same
//! [`Change`]s the store commits.

use std::collections::{BTreeMap, HashMap};

use store::{
    AccountRecord, Change, CreateAccountRequestRecord, HandshakeRecord, OrganizationRecord,
    OrganizationalUnitRecord, ResponsibilityTransferRecord, RootRecord, Snapshot,
};

/// A record with its position in creation order, which listings and page tokens follow.
#[derive(Debug, Clone)]
pub(crate) struct Entry<R> {
    pub(crate) seq: u64,
    pub(crate) record: R,
}

/// What an organization holds, by creation order.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrganizationEntry {
    pub(crate) record: Option<OrganizationRecord>,
    pub(crate) root_id: Option<String>,
    pub(crate) accounts: BTreeMap<u64, String>,
    pub(crate) organizational_units: BTreeMap<u64, String>,
    pub(crate) create_account_requests: BTreeMap<u64, String>,
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
                let seq = match self.organizational_units.get(&record.id) {
                    Some(existing) => {
                        let (seq, old_parent) = (existing.seq, existing.record.parent_id.clone());
                        if let Some(children) = self.children.get_mut(&old_parent) {
                            children.organizational_units.remove(&seq);
                        }
                        seq
                    }
                    None => {
                        let seq = self.take_seq();
                        self.organizations
                            .entry(record.organization_id.clone())
                            .or_default()
                            .organizational_units
                            .insert(seq, record.id.clone());
                        seq
                    }
                };
                self.children
                    .entry(record.parent_id.clone())
                    .or_default()
                    .organizational_units
                    .insert(seq, record.id.clone());
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
            }
            Change::PutAccount(record) => {
                let seq = match self.accounts.get(&record.id) {
                    Some(existing) => {
                        let (seq, old_parent) = (existing.seq, existing.record.parent_id.clone());
                        if let Some(children) = self.children.get_mut(&old_parent) {
                            children.accounts.remove(&seq);
                        }
                        seq
                    }
                    None => {
                        let seq = self.take_seq();
                        self.organizations
                            .entry(record.organization_id.clone())
                            .or_default()
                            .accounts
                            .insert(seq, record.id.clone());
                        seq
                    }
                };
                self.children
                    .entry(record.parent_id.clone())
                    .or_default()
                    .accounts
                    .insert(seq, record.id.clone());
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
        for account_id in organization.accounts.values() {
            self.accounts.remove(account_id);
            self.tags.remove(account_id);
        }
        for ou_id in organization.organizational_units.values() {
            self.organizational_units.remove(ou_id);
            self.children.remove(ou_id);
            self.tags.remove(ou_id);
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
        }
    }

    /// The organization an account belongs to, if any.
    pub(crate) fn organization_of(&self, account_id: &str) -> Option<&OrganizationRecord> {
        let account = self.accounts.get(account_id)?;
        self.organizations
            .get(&account.record.organization_id)?
            .record
            .as_ref()
    }

    /// The organization record with this id.
    pub(crate) fn organization(&self, id: &str) -> Option<&OrganizationEntry> {
        self.organizations.get(id)
    }

    /// The parent of an account or OU.
    pub(crate) fn parent_of(&self, child_id: &str) -> Option<&str> {
        if let Some(account) = self.accounts.get(child_id) {
            return Some(&account.record.parent_id);
        }
        self.organizational_units
            .get(child_id)
            .map(|ou| ou.record.parent_id.as_str())
    }

    /// Whether `id` is the root or an OU of `organization_id`.
    pub(crate) fn is_parent_in(&self, id: &str, organization_id: &str) -> bool {
        if let Some(root) = self.roots.get(id) {
            return root.record.organization_id == organization_id;
        }
        self.organizational_units
            .get(id)
            .is_some_and(|ou| ou.record.organization_id == organization_id)
    }

    /// The ids from the root down to `id` (a root, OU or account), root first.
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

    /// How many OUs lie between the root and `parent_id`, counting `parent_id` itself.
    pub(crate) fn ou_depth(&self, parent_id: &str) -> usize {
        self.path_to(parent_id)
            .iter()
            .filter(|id| self.organizational_units.contains_key(*id))
            .count()
    }
}
