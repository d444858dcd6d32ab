//! The access diff: the (account, action, region) decisions that a plan's policy changes flip.
//!
//! The scope is the organization's guardrails. For every member account that exists now and
//! whose SCP or RCP chain the plan changes (a policy document, an attachment, or a move to
//! another OU), it decides every action of the catalog in every region the file names, once
//! with today's chains and once with the planned ones. The caller is a role session in the
//! account whose identity policies allow everything, so only SCPs and RCPs can deny. The
//! resource is `*` in the caller's own account. When a policy of either chain names a key
//! whose value depends on the principal, such as `aws:PrincipalArn`, the account's root user
//! is decided too, and each flip names the principals it applies to.
//!
//! Accounts are decided in parallel, one thread per available core. Speed also comes from
//! three facts. Each distinct document is compiled once. Accounts whose chains do not change
//! are skipped. When both chains have the same levels, an action keeps its decision unless a
//! statement that differs between them can match it, so only such actions are decided. A
//! policy edited in place counts only its changed statements, and a statement whose Action
//! or NotAction list alone changed counts only the actions one version matches and the other
//! does not.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Context;
use catalog::Catalog;
use policy::{
    Action, Authorization, Basis, Decision, Evaluator, Level, OrganizationPolicies, Policy,
    PolicyKind, PolicySet, Principal, Request, Resource, Source,
};
use serde::Serialize;
use serde_json::Value;

use super::file::{Account, LandingZone, ROOT};
use super::live::{LiveAccount, LiveOrganization};

/// The role the diff decides as, in each account.
pub const PROBE_ROLE: &str = "LandingZoneAccessProbe";

/// The principals a flip applies to, as [`FlipGroup::principal`] reports them.
pub const ROLE_SESSION: &str = "role session";
/// See [`ROLE_SESSION`].
pub const ROOT_USER: &str = "root user";
/// See [`ROLE_SESSION`].
pub const EVERY_PRINCIPAL: &str = "role session and root user";

/// Condition keys and policy variables whose value differs between a role session and the
/// root user of one account, lower-cased. A policy that names none decides both alike.
const PRINCIPAL_KEYS: [&str; 9] = [
    "aws:principal",
    "aws:userid",
    "aws:username",
    "aws:sourceidentity",
    "aws:tokenissuetime",
    "aws:multifactorauth",
    "aws:federatedprovider",
    "aws:assumedroot",
    "aws:rolesessionname",
];

/// The action a request is built with before each decision replaces it.
const PLACEHOLDER_ACTION: &str = "sts:GetCallerIdentity";

/// How many example actions a group of flips lists.
const EXAMPLES_PER_GROUP: usize = 5;

const FULL_AWS_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const RCP_FULL_AWS_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// The access diff of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccessDiff {
    /// What was decided, in one sentence for the reader.
    pub scope: String,
    /// The regions decided in.
    pub regions: Vec<String>,
    /// The number of actions in the catalog.
    pub catalog_actions: usize,
    /// Member accounts that exist now and were considered.
    pub accounts_considered: usize,
    /// Accounts whose SCP or RCP chain the plan changes.
    pub accounts_with_changed_chains: usize,
    /// Decisions made, each one (principal, account, action, region) under both chains.
    pub decisions_evaluated: u64,
    /// The flips, grouped by account, old and new decision, and deciding policy and level.
    pub groups: Vec<FlipGroup>,
    /// Accounts the diff cannot compare, with the reason.
    pub not_compared: Vec<String>,
}

/// Flipped decisions that share an account, a change of decision and what decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlipGroup {
    /// The account's name.
    pub account: String,
    /// The account's id.
    pub account_id: String,
    /// The principal the flip applies to: [`ROLE_SESSION`], [`ROOT_USER`] or [`EVERY_PRINCIPAL`].
    pub principal: String,
    /// The decision today: `allow`, `explicit deny` or `implicit deny`.
    pub old: String,
    /// The decision after the plan.
    pub new: String,
    /// `SCP` or `RCP`.
    pub policy_type: String,
    /// The policy whose statement denies (after the plan, or before it when the flip is to
    /// allow); `None` when a level lacks an Allow.
    pub policy: Option<String>,
    /// The deciding statement's Sid, or `#index` when it has none.
    pub statement: Option<String>,
    /// The level that decides: `Root`, an OU name or the account's name.
    pub level: String,
    /// Its depth: 0 for the root, then each OU, the account last.
    pub depth: usize,
    /// The number of (action, region) decisions that flip.
    pub decisions: usize,
    /// The number of distinct actions among them.
    pub actions: usize,
    /// Up to five of the actions, with a region.
    pub examples: Vec<String>,
}

/// One account's chains for one policy type: policy indexes per level, root first.
type Chain = Vec<(String, Vec<usize>)>;

/// Compiled documents, each distinct (name, document) once.
struct Compiled {
    policies: Vec<Policy>,
    by_key: HashMap<(String, String), usize>,
    /// Per policy and statement, the catalog actions the statement can match, as a bit set.
    statement_matches: Vec<Vec<Option<Vec<u64>>>>,
    /// Per pair of policies (before, after), the actions replacing one by the other can flip.
    replacements: HashMap<(usize, usize), Vec<u64>>,
    /// Per policy, whether its document names one of [`PRINCIPAL_KEYS`].
    principal_dependent: Vec<bool>,
}

impl Compiled {
    fn add(&mut self, name: &str, kind: PolicyKind, document: &str) -> anyhow::Result<usize> {
        let key = (name.to_owned(), document.to_owned());
        if let Some(&index) = self.by_key.get(&key) {
            return Ok(index);
        }
        let compiled = Policy::compile(name, kind, document)
            .with_context(|| format!("cannot compile the policy {name}"))?;
        let index = self.policies.len();
        self.statement_matches
            .push(vec![None; compiled.statements().len()]);
        self.policies.push(compiled);
        let lower = document.to_ascii_lowercase();
        self.principal_dependent
            .push(PRINCIPAL_KEYS.iter().any(|key| lower.contains(key)));
        self.by_key.insert(key, index);
        Ok(index)
    }

    /// Returns the catalog actions statement `statement` of policy `index` can match.
    fn statement_actions(
        &mut self,
        index: usize,
        statement: usize,
        actions: &ActionTable,
    ) -> &[u64] {
        if self.statement_matches[index][statement].is_none() {
            let mut bits = vec![0u64; actions.names.len().div_ceil(64)];
            let element = self.policies[index].statements()[statement].actions();
            let patterns = element.patterns();
            for (position, name) in actions.names.iter().enumerate() {
                let covered = patterns.iter().any(|pattern| pattern.matches(name));
                if covered != element.is_not_action() {
                    bits[position / 64] |= 1 << (position % 64);
                }
            }
            self.statement_matches[index][statement] = Some(bits);
        }
        self.statement_matches[index][statement]
            .as_deref()
            .unwrap_or_default()
    }

    /// Adds to `relevant` the catalog actions any statement of policy `index` can match.
    fn add_matched_actions(&mut self, index: usize, actions: &ActionTable, relevant: &mut [u64]) {
        for statement in 0..self.policies[index].statements().len() {
            let matched = self.statement_actions(index, statement, actions);
            for (word, bits) in relevant.iter_mut().zip(matched) {
                *word |= bits;
            }
        }
    }

    /// Adds to `relevant` the actions whose decision can change when policy `after` takes the
    /// place of policy `before` at one level. Statements are compared by position. A statement
    /// that is the same in both changes nothing. One that differs only in its Action or
    /// NotAction element changes only the actions exactly one of the two matches, since both
    /// decide alike where both match. Any other difference changes what either one matches.
    fn add_replaced_actions(
        &mut self,
        before: usize,
        after: usize,
        actions: &ActionTable,
        relevant: &mut [u64],
    ) {
        if !self.replacements.contains_key(&(before, after)) {
            let mut bits = vec![0u64; actions.names.len().div_ceil(64)];
            let old = statement_values(self.policies[before].document());
            let new = statement_values(self.policies[after].document());
            match (old, new) {
                (Some(old), Some(new))
                    if old.len() == new.len()
                        && old.len() == self.policies[before].statements().len()
                        && new.len() == self.policies[after].statements().len() =>
                {
                    for (statement, (was, is)) in old.iter().zip(&new).enumerate() {
                        if was == is {
                            continue;
                        }
                        let only_actions = without_actions(was) == without_actions(is);
                        let was_matched =
                            self.statement_actions(before, statement, actions).to_vec();
                        let is_matched = self.statement_actions(after, statement, actions);
                        for ((word, was), is) in bits.iter_mut().zip(&was_matched).zip(is_matched) {
                            *word |= if only_actions { was ^ is } else { was | is };
                        }
                    }
                }
                _ => {
                    self.add_matched_actions(before, actions, &mut bits);
                    self.add_matched_actions(after, actions, &mut bits);
                }
            }
            self.replacements.insert((before, after), bits);
        }
        if let Some(bits) = self.replacements.get(&(before, after)) {
            for (word, bits) in relevant.iter_mut().zip(bits) {
                *word |= bits;
            }
        }
    }
}

/// Returns the statements of a policy document as JSON values, a lone statement object as a
/// list of one, or `None` when the document has no readable `Statement`.
fn statement_values(document: &str) -> Option<Vec<Value>> {
    let document: Value = serde_json::from_str(document).ok()?;
    match document.get("Statement")? {
        Value::Array(statements) => Some(statements.clone()),
        statement @ Value::Object(_) => Some(vec![statement.clone()]),
        _ => None,
    }
}

/// Returns a statement without its Action and NotAction elements.
fn without_actions(statement: &Value) -> Value {
    let mut statement = statement.clone();
    if let Value::Object(members) = &mut statement {
        members.remove("Action");
        members.remove("NotAction");
    }
    statement
}

/// The catalog's action names, in catalog order, each also parsed once.
pub struct ActionTable {
    names: Vec<String>,
    /// The names as request actions; `None` for a name the engine does not accept.
    parsed: Vec<Option<Action>>,
}

impl ActionTable {
    /// Lists every action of `catalog`.
    pub fn new(catalog: &Catalog) -> ActionTable {
        let names: Vec<String> = catalog
            .all_actions()
            .map(|action| action.full_name())
            .collect();
        let parsed = names.iter().map(|name| Action::new(name).ok()).collect();
        ActionTable { names, parsed }
    }

    /// Returns the number of actions.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Returns whether the table has no action.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// One account to compare.
struct Subject {
    name: String,
    id: String,
    old: [Option<Chain>; 2],
    new: [Option<Chain>; 2],
    /// Whether a policy of either chain may decide the root user differently from a role session.
    decide_root: bool,
}

impl Subject {
    fn policy_indexes(&self) -> impl Iterator<Item = usize> + '_ {
        self.old
            .iter()
            .chain(&self.new)
            .flatten()
            .flatten()
            .flat_map(|(_, indexes)| indexes.iter().copied())
    }
}

/// The two authorization policy types, in the order the chains are kept.
const KINDS: [(&str, PolicyKind, &str); 2] = [
    ("SERVICE_CONTROL_POLICY", PolicyKind::ServiceControl, "SCP"),
    (
        "RESOURCE_CONTROL_POLICY",
        PolicyKind::ResourceControl,
        "RCP",
    ),
];

/// Computes the access diff of making `live` equal to `file`.
pub fn access_diff(
    file: &LandingZone,
    live: &LiveOrganization,
    actions: &ActionTable,
    evaluator: &Evaluator,
) -> anyhow::Result<AccessDiff> {
    let mut diff = AccessDiff {
        scope: format!(
            "SCP and RCP decisions for a role session ({PROBE_ROLE}) in each existing member \
             account whose identity policies allow every action, and for the account's root \
             user where a policy names a principal key, on resource * in its own account; \
             identity and resource policies are not part of the diff"
        ),
        regions: file.regions.clone(),
        catalog_actions: actions.len(),
        ..AccessDiff::default()
    };
    if !live.exists {
        diff.not_compared
            .push("there is no organization yet, so no account has access to compare".to_owned());
        return Ok(diff);
    }

    let mut compiled = Compiled {
        policies: Vec::new(),
        by_key: HashMap::new(),
        statement_matches: Vec::new(),
        replacements: HashMap::new(),
        principal_dependent: Vec::new(),
    };
    let placed = live.placed_units(file);
    let mut subjects = Vec::new();
    for account in &live.accounts {
        if account.id == live.management_account_id {
            continue;
        }
        diff.accounts_considered += 1;
        let declared = file
            .accounts
            .iter()
            .find(|declared| declared.email.eq_ignore_ascii_case(&account.email));
        // The account level carries the file's name for the account, which the file's
        // attachments use, in both paths.
        let name = declared.map_or(account.name.as_str(), |declared| declared.name.as_str());
        let old_path = live_path(live, account, name);
        let new_path = match declared {
            Some(declared) => planned_path(file, live, &placed, declared, account),
            None => old_path.clone(),
        };
        let mut subject = Subject {
            name: account.name.clone(),
            id: account.id.clone(),
            old: [None, None],
            new: [None, None],
            decide_root: false,
        };
        for (slot, (policy_type, kind, _)) in KINDS.iter().enumerate() {
            subject.old[slot] = live_chain(live, &old_path, policy_type, *kind, &mut compiled)?;
            subject.new[slot] =
                planned_chain(file, live, &new_path, policy_type, *kind, &mut compiled)?;
        }
        if subject.old != subject.new {
            let decide_root = subject
                .policy_indexes()
                .any(|index| compiled.principal_dependent[index]);
            subject.decide_root = decide_root;
            subjects.push(subject);
        }
    }
    let created = file
        .accounts
        .iter()
        .filter(|account| live.account_by_email(&account.email).is_none())
        .count();
    if created > 0 {
        diff.not_compared.push(format!(
            "{created} account(s) the plan creates have no access today to compare with"
        ));
    }
    diff.accounts_with_changed_chains = subjects.len();

    let relevant: Vec<Vec<u64>> = subjects
        .iter()
        .map(|subject| relevant_actions(subject, &mut compiled, actions))
        .collect();

    // Accounts are independent, so they are split among the available cores.
    let threads = std::thread::available_parallelism().map_or(1, |count| count.get());
    let chunk = subjects.len().div_ceil(threads).max(1);
    let compiled = &compiled;
    let results: Vec<anyhow::Result<(Vec<FlipGroup>, u64)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = subjects
            .chunks(chunk)
            .zip(relevant.chunks(chunk))
            .map(|(subjects, relevant)| {
                scope.spawn(move || {
                    let mut groups = Vec::new();
                    let mut evaluated = 0;
                    for (subject, relevant) in subjects.iter().zip(relevant) {
                        evaluated += compare_account(
                            subject,
                            compiled,
                            actions,
                            relevant,
                            file,
                            evaluator,
                            &mut groups,
                        )?;
                    }
                    Ok((groups, evaluated))
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("an access diff worker panicked")))
            })
            .collect()
    });
    for result in results {
        let (groups, evaluated) = result?;
        diff.groups.extend(groups);
        diff.decisions_evaluated += evaluated;
    }
    diff.groups.sort_by(|a, b| {
        (&a.account, &a.principal, &a.level, &a.policy, &a.old).cmp(&(
            &b.account,
            &b.principal,
            &b.level,
            &b.policy,
            &b.old,
        ))
    });
    Ok(diff)
}

/// One level of an account's path: its name and, when it exists now, its live id.
type PathLevel = (String, Option<String>);

/// Returns the levels from the root to an account, through its live OUs. Levels carry ids,
/// because OU and account names need not be unique in a live organization.
fn live_path(live: &LiveOrganization, account: &LiveAccount, name: &str) -> Vec<PathLevel> {
    let mut path = vec![(name.to_owned(), Some(account.id.clone()))];
    let mut current = account.parent_id.as_str();
    while current != live.root_id {
        let Some(unit) = live.units.iter().find(|unit| unit.id == current) else {
            break;
        };
        path.push((unit.name.clone(), Some(unit.id.clone())));
        current = &unit.parent_id;
    }
    path.push((ROOT.to_owned(), Some(live.root_id.clone())));
    path.reverse();
    path
}

/// Returns the levels from the root to `account` after the plan, where `declared` puts it.
/// The account level carries the file's name for it, which the file's attachments use. The
/// file declares every OU on the way, since its references are checked, and an OU has a live
/// id when it exists where the file puts it.
fn planned_path(
    file: &LandingZone,
    live: &LiveOrganization,
    placed: &HashMap<String, String>,
    declared: &Account,
    account: &LiveAccount,
) -> Vec<PathLevel> {
    let mut path = vec![(declared.name.clone(), Some(account.id.clone()))];
    let mut current = declared.unit.as_str();
    while current != ROOT && path.len() <= super::file::MAX_OU_DEPTH + 1 {
        let Some(unit) = file.units.iter().find(|unit| unit.name == current) else {
            break;
        };
        path.push((unit.name.clone(), placed.get(current).cloned()));
        current = &unit.parent;
    }
    path.push((ROOT.to_owned(), Some(live.root_id.clone())));
    path.reverse();
    path
}

fn live_chain(
    live: &LiveOrganization,
    path: &[PathLevel],
    policy_type: &str,
    kind: PolicyKind,
    compiled: &mut Compiled,
) -> anyhow::Result<Option<Chain>> {
    if !live.enabled_policy_types.contains(policy_type) {
        return Ok(None);
    }
    let mut chain = Vec::with_capacity(path.len());
    for (name, live_id) in path {
        let mut indexes = Vec::new();
        for policy in live
            .policies
            .iter()
            .filter(|policy| policy.policy_type == policy_type)
        {
            if live_id
                .as_ref()
                .is_some_and(|id| policy.targets.contains(id))
            {
                indexes.push(compiled.add(&policy.name, kind, &policy.content)?);
            }
        }
        chain.push((name.clone(), indexes));
    }
    Ok(Some(chain))
}

fn planned_chain(
    file: &LandingZone,
    live: &LiveOrganization,
    path: &[PathLevel],
    policy_type: &str,
    kind: PolicyKind,
    compiled: &mut Compiled,
) -> anyhow::Result<Option<Chain>> {
    let enabled = live.enabled_policy_types.contains(policy_type)
        || file
            .enabled_policy_types
            .iter()
            .any(|enabled| enabled == policy_type);
    if !enabled {
        return Ok(None);
    }
    let mut chain = Vec::with_capacity(path.len());
    for (name, live_id) in path {
        let exists_live = live_id.is_some();
        let mut indexes = Vec::new();
        let mut has_managed = false;
        for policy in live
            .policies
            .iter()
            .filter(|policy| policy.policy_type == policy_type)
        {
            let declared = file.policies.iter().any(|declared| {
                declared.name == policy.name && declared.policy_type == policy_type
            });
            let attached = live_id
                .as_ref()
                .is_some_and(|id| policy.targets.contains(id));
            if declared || !attached {
                continue;
            }
            has_managed |= policy.aws_managed;
            indexes.push(compiled.add(&policy.name, kind, &policy.content)?);
        }
        // AWS attaches its full-access policy to every new OU and account, and to every
        // target when the type is first enabled.
        if !has_managed && (!exists_live || !live.enabled_policy_types.contains(policy_type)) {
            let (managed_name, document) = match kind {
                PolicyKind::ResourceControl => ("RCPFullAWSAccess", RCP_FULL_AWS_ACCESS),
                _ => ("FullAWSAccess", FULL_AWS_ACCESS),
            };
            let managed = live
                .policies
                .iter()
                .find(|policy| policy.aws_managed && policy.policy_type == policy_type)
                .map_or((managed_name, document), |policy| {
                    (policy.name.as_str(), policy.content.as_str())
                });
            indexes.push(compiled.add(managed.0, kind, managed.1)?);
        }
        for policy in file
            .policies
            .iter()
            .filter(|policy| policy.policy_type == policy_type)
        {
            if policy.targets.iter().any(|target| target == name) {
                indexes.push(compiled.add(&policy.name, kind, &policy.content)?);
            }
        }
        chain.push((name.clone(), indexes));
    }
    Ok(Some(chain))
}

/// Returns the catalog actions whose decision may differ between the account's chains, as a
/// bit set; every action when the chains' levels differ.
fn relevant_actions(subject: &Subject, compiled: &mut Compiled, actions: &ActionTable) -> Vec<u64> {
    let words = actions.len().div_ceil(64);
    let all = || {
        let mut bits = vec![u64::MAX; words];
        if let Some(last) = bits.last_mut()
            && !actions.len().is_multiple_of(64)
        {
            *last = (1u64 << (actions.len() % 64)) - 1;
        }
        bits
    };
    let mut relevant = vec![0u64; words];
    for slot in 0..KINDS.len() {
        let (old, new) = (&subject.old[slot], &subject.new[slot]);
        let (Some(old), Some(new)) = (old, new) else {
            if old != new {
                return all();
            }
            continue;
        };
        if old.len() != new.len() {
            return all();
        }
        for ((_, before), (_, after)) in old.iter().zip(new) {
            let removed: Vec<usize> = before
                .iter()
                .copied()
                .filter(|index| !after.contains(index))
                .collect();
            let mut added: Vec<usize> = after
                .iter()
                .copied()
                .filter(|index| !before.contains(index))
                .collect();
            // A policy whose document changed is removed and added under one name: only the
            // statements that differ matter.
            for index in removed {
                let id = compiled.policies[index].id();
                match added
                    .iter()
                    .position(|&other| compiled.policies[other].id() == id)
                {
                    Some(position) => {
                        let replacement = added.swap_remove(position);
                        compiled.add_replaced_actions(index, replacement, actions, &mut relevant);
                    }
                    None => compiled.add_matched_actions(index, actions, &mut relevant),
                }
            }
            for index in added {
                compiled.add_matched_actions(index, actions, &mut relevant);
            }
        }
    }
    relevant
}

/// A group's flipped decisions, its distinct actions and its examples.
type GroupCount = (usize, BTreeSet<String>, Vec<String>);

/// The key of a flip group, before it is counted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct GroupKey {
    principal: &'static str,
    old: &'static str,
    new: &'static str,
    policy_type: &'static str,
    policy: Option<String>,
    statement: Option<String>,
    level: String,
    depth: usize,
}

/// Decides the relevant actions of one account under both chains and adds its flip groups
/// to `flips`; returns the number of (action, region) pairs decided.
fn compare_account(
    subject: &Subject,
    compiled: &Compiled,
    actions: &ActionTable,
    relevant: &[u64],
    file: &LandingZone,
    evaluator: &Evaluator,
    flips: &mut Vec<FlipGroup>,
) -> anyhow::Result<u64> {
    let identity = [Policy::compile(
        "identity-allow-all",
        PolicyKind::Identity,
        FULL_AWS_ACCESS,
    )?];
    let chains = |chains: &[Option<Chain>; 2]| -> [Option<OrganizationPolicies>; 2] {
        chains.clone().map(|chain| {
            chain.map(|levels| {
                OrganizationPolicies::member(
                    levels
                        .iter()
                        .map(|(name, indexes)| {
                            let policies = indexes
                                .iter()
                                .map(|&index| compiled.policies[index].clone())
                                .collect();
                            Level::new(name, policies)
                        })
                        .collect(),
                )
            })
        })
    };
    let old = chains(&subject.old);
    let new = chains(&subject.new);
    let old_set = policy_set(&identity, &old);
    let new_set = policy_set(&identity, &new);

    let role_arn = format!("arn:aws:iam::{}:role/{PROBE_ROLE}", subject.id);
    let role = Principal::assumed_role(&role_arn, "plan")
        .map_err(|error| anyhow::anyhow!("cannot describe the probe role {role_arn}: {error}"))?;
    let root = Principal::root(&subject.id);
    let resource = Resource::new("*").with_account(&subject.id);
    // One request per principal and region, whose action each decision replaces: building
    // the context for every decision cost more than the two authorizations.
    let requests = |principal: &Principal| {
        file.regions
            .iter()
            .map(|region| {
                Request::builder(principal.clone(), PLACEHOLDER_ACTION, resource.clone())
                    .region(region)
                    .build()
                    .map_err(|error| {
                        anyhow::anyhow!("cannot describe a request in {region}: {error}")
                    })
            })
            .collect::<anyhow::Result<Vec<Request>>>()
    };
    let mut role_requests = requests(&role)?;
    let mut root_requests = if subject.decide_root {
        requests(&root)?
    } else {
        Vec::new()
    };
    let flip = |request: &Request| {
        let before = evaluator.authorize(request, &old_set);
        let after = evaluator.authorize(request, &new_set);
        (before.decision != after.decision).then(|| group_key(&before, &after))
    };

    let mut groups: BTreeMap<GroupKey, GroupCount> = BTreeMap::new();
    let mut evaluated = 0u64;
    for (position, name) in actions.names.iter().enumerate() {
        if relevant[position / 64] & (1 << (position % 64)) == 0 {
            continue;
        }
        let action = actions.parsed[position]
            .clone()
            .with_context(|| format!("the catalog action {name} is not valid"))?;
        for (slot, region) in file.regions.iter().enumerate() {
            role_requests[slot].set_action(action.clone());
            let role_flip = flip(&role_requests[slot]);
            evaluated += 1;
            let keys = if subject.decide_root {
                evaluated += 1;
                root_requests[slot].set_action(action.clone());
                match (role_flip, flip(&root_requests[slot])) {
                    (Some(role), Some(root)) if role == root => {
                        [Some((EVERY_PRINCIPAL, role)), None]
                    }
                    (role, root) => [
                        role.map(|key| (ROLE_SESSION, key)),
                        root.map(|key| (ROOT_USER, key)),
                    ],
                }
            } else {
                // Without a principal key in the chains, the root user gets the role session's
                // decisions.
                [role_flip.map(|key| (EVERY_PRINCIPAL, key)), None]
            };
            for (principal, key) in keys.into_iter().flatten() {
                let entry = groups.entry(GroupKey { principal, ..key }).or_default();
                entry.0 += 1;
                if entry.1.insert(name.clone()) && entry.2.len() < EXAMPLES_PER_GROUP {
                    entry.2.push(format!("{name} in {region}"));
                }
            }
        }
    }

    for (key, (decisions, distinct, examples)) in groups {
        flips.push(FlipGroup {
            account: subject.name.clone(),
            account_id: subject.id.clone(),
            principal: key.principal.to_owned(),
            old: key.old.to_owned(),
            new: key.new.to_owned(),
            policy_type: key.policy_type.to_owned(),
            policy: key.policy,
            statement: key.statement,
            level: key.level,
            depth: key.depth,
            decisions,
            actions: distinct.len(),
            examples,
        });
    }
    Ok(evaluated)
}

fn policy_set<'p>(
    identity: &'p [Policy],
    chains: &'p [Option<OrganizationPolicies>; 2],
) -> PolicySet<'p> {
    PolicySet {
        identity,
        service_control: chains[0].as_ref(),
        resource_control: chains[1].as_ref(),
        ..PolicySet::default()
    }
}

fn decision_name(decision: Decision) -> &'static str {
    match decision {
        Decision::Allowed => "allow",
        Decision::ExplicitlyDenied => "explicit deny",
        Decision::ImplicitlyDenied => "implicit deny",
    }
}

/// Groups a flip by what denies: the new decision's basis when the plan denies, the old one
/// when the plan allows what was denied.
fn group_key(before: &Authorization<'_>, after: &Authorization<'_>) -> GroupKey {
    let deciding = if after.is_allowed() { before } else { after };
    let (source, policy, statement) = match deciding.basis {
        Basis::ExplicitDeny { source, statement } | Basis::Allow { source, statement } => (
            Some(source),
            Some(statement.policy_id().to_owned()),
            Some(match statement.sid() {
                Some(sid) if !sid.is_empty() => sid.to_owned(),
                _ => format!("#{}", statement.index()),
            }),
        ),
        Basis::NoAllow { source } => (Some(source), None, None),
        Basis::RootUser | Basis::AlwaysAllowed => (None, None, None),
    };
    let (policy_type, level, depth) = match source {
        Some(Source::ServiceControl { level, target }) => ("SCP", target.to_owned(), level),
        Some(Source::ResourceControl { level, target }) => ("RCP", target.to_owned(), level),
        _ => ("identity", String::new(), 0),
    };
    GroupKey {
        principal: EVERY_PRINCIPAL,
        old: decision_name(before.decision),
        new: decision_name(after.decision),
        policy_type,
        policy,
        statement,
        level,
        depth,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail on any error")]

    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::landing_zone::live::{LivePolicy, LiveUnit};

    fn unit(id: &str, name: &str, parent_id: &str) -> LiveUnit {
        LiveUnit {
            id: id.to_owned(),
            name: name.to_owned(),
            parent_id: parent_id.to_owned(),
            tags: BTreeMap::new(),
        }
    }

    fn policy(id: &str, name: &str, content: &str, targets: &[&str]) -> LivePolicy {
        LivePolicy {
            id: id.to_owned(),
            name: name.to_owned(),
            policy_type: "SERVICE_CONTROL_POLICY".to_owned(),
            description: String::new(),
            content: content.to_owned(),
            document: serde_json::from_str(content).unwrap(),
            aws_managed: name == "FullAWSAccess",
            targets: targets.iter().map(|target| (*target).to_owned()).collect(),
            tags: BTreeMap::new(),
        }
    }

    #[test]
    fn repeated_ou_names_keep_their_policies() {
        // Two OUs named Team, under Alpha and Beta. Only Beta's Team denies RunInstances, and
        // the one account sits in Alpha's Team, so a new deny at the root flips it.
        let deny_run = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*"}]}"#;
        let every_target = [
            "r-root",
            "ou-alpha",
            "ou-beta",
            "ou-team-a",
            "ou-team-b",
            "111111111111",
        ];
        let live = LiveOrganization {
            exists: true,
            management_account_id: "000000000000".to_owned(),
            root_id: "r-root".to_owned(),
            enabled_policy_types: BTreeSet::from(["SERVICE_CONTROL_POLICY".to_owned()]),
            units: vec![
                unit("ou-alpha", "Alpha", "r-root"),
                unit("ou-beta", "Beta", "r-root"),
                unit("ou-team-a", "Team", "ou-alpha"),
                unit("ou-team-b", "Team", "ou-beta"),
            ],
            accounts: vec![LiveAccount {
                id: "111111111111".to_owned(),
                name: "Builder".to_owned(),
                email: "builder@example.com".to_owned(),
                parent_id: "ou-team-a".to_owned(),
                status: "ACTIVE".to_owned(),
                tags: BTreeMap::new(),
            }],
            policies: vec![
                policy("p-full", "FullAWSAccess", FULL_AWS_ACCESS, &every_target),
                policy("p-beta", "BetaNoInstances", deny_run, &["ou-team-b"]),
            ],
            ..LiveOrganization::default()
        };
        let file = crate::landing_zone::parse(
            "organization:\n  regions: [us-east-1]\n  enabled_policy_types: [SERVICE_CONTROL_POLICY]\n\
             policies:\n  - name: NoInstances\n    type: SERVICE_CONTROL_POLICY\n    targets: [Root]\n    \
             content: '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"ec2:RunInstances\",\"Resource\":\"*\"}]}'\n",
            "repeated.yaml",
            None,
        )
        .unwrap();

        let catalog = Catalog::builtin().unwrap();
        let diff =
            access_diff(&file, &live, &ActionTable::new(catalog), &Evaluator::new()).unwrap();
        assert_eq!(diff.groups.len(), 1, "{:?}", diff.groups);
        let group = &diff.groups[0];
        assert_eq!(group.account, "Builder");
        assert_eq!(group.old, "allow");
        assert_eq!(group.new, "explicit deny");
        assert_eq!(group.policy.as_deref(), Some("NoInstances"));
        assert_eq!(group.examples, ["ec2:RunInstances in us-east-1"]);
    }

    #[test]
    fn not_action_edit_decides_only_edited_actions() {
        // The root's region restriction exempts iam:*; the file exempts cloudfront:* too. Only
        // CloudFront's actions outside us-east-1 flip, and only they are decided.
        let restriction = |exempt: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Regions","Effect":"Deny","NotAction":[{exempt}],"Resource":"*","Condition":{{"StringNotEquals":{{"aws:RequestedRegion":"us-east-1"}}}}}}]}}"#
            )
        };
        let live = LiveOrganization {
            exists: true,
            management_account_id: "000000000000".to_owned(),
            root_id: "r-root".to_owned(),
            enabled_policy_types: BTreeSet::from(["SERVICE_CONTROL_POLICY".to_owned()]),
            accounts: vec![LiveAccount {
                id: "111111111111".to_owned(),
                name: "Builder".to_owned(),
                email: "builder@example.com".to_owned(),
                parent_id: "r-root".to_owned(),
                status: "ACTIVE".to_owned(),
                tags: BTreeMap::new(),
            }],
            policies: vec![
                policy(
                    "p-full",
                    "FullAWSAccess",
                    FULL_AWS_ACCESS,
                    &["r-root", "111111111111"],
                ),
                policy(
                    "p-regions",
                    "Regions",
                    &restriction(r#""iam:*""#),
                    &["r-root"],
                ),
            ],
            ..LiveOrganization::default()
        };
        let edited = restriction(r#""iam:*","cloudfront:*""#).replace('"', "\\\"");
        let text = format!(
            "organization:\n  regions: [us-east-1, eu-west-1]\n  \
             enabled_policy_types: [SERVICE_CONTROL_POLICY]\npolicies:\n  - name: Regions\n    \
             type: SERVICE_CONTROL_POLICY\n    targets: [Root]\n    content: \"{edited}\"\n"
        );
        let file = crate::landing_zone::parse(&text, "regions.yaml", None).unwrap();

        let catalog = Catalog::builtin().unwrap();
        let cloudfront = catalog
            .all_actions()
            .filter(|action| action.full_name().starts_with("cloudfront:"))
            .count();
        let diff =
            access_diff(&file, &live, &ActionTable::new(catalog), &Evaluator::new()).unwrap();
        assert_eq!(diff.decisions_evaluated, cloudfront as u64 * 2);
        assert_eq!(diff.groups.len(), 1, "{:?}", diff.groups);
        let group = &diff.groups[0];
        assert_eq!(group.old, "explicit deny");
        assert_eq!(group.new, "allow");
        assert_eq!(group.actions, cloudfront);
        assert_eq!(group.decisions, cloudfront);
        assert!(
            group
                .examples
                .iter()
                .all(|example| example.ends_with(" in eu-west-1"))
        );
    }
}
