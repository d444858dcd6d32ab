//! The landing-zone file: its model, and the loader that checks every rule before anything
//! talks to an endpoint.
//!
//! The loader reads YAML with saphyr, which keeps the line and column of every node, so that a
//! reference to an unknown OU or a malformed policy is reported at the place it is written.
//! It collects every problem of a file, not only the first.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use cloud::organizations::{DocumentError, DocumentPlace};
use model::organizations::MODEL;
use model::shape::{ShapeKind, ViolationKind};
use policy::Location;
use saphyr::{LoadableYamlNode, MarkedYaml, Marker, Scalar, YamlData};
use serde_json::Value;

/// The name that stands for the organization's root in `parent`, `ou` and `targets`.
pub const ROOT: &str = "Root";

/// The deepest OU nesting AWS allows below the root.
pub const MAX_OU_DEPTH: usize = 5;

/// The most SCPs (or RCPs) AWS lets one root, OU or account have attached.
pub const MAX_POLICIES_PER_TARGET: usize = 5;

/// The policy types AWS Organizations has, by their API names.
pub const POLICY_TYPES: &[&str] = &[
    "SERVICE_CONTROL_POLICY",
    "RESOURCE_CONTROL_POLICY",
    "TAG_POLICY",
    "BACKUP_POLICY",
    "AISERVICES_OPT_OUT_POLICY",
    "CHATBOT_POLICY",
    "DECLARATIVE_POLICY_EC2",
    "SECURITYHUB_POLICY",
    "INSPECTOR_POLICY",
    "UPGRADE_ROLLOUT_POLICY",
    "BEDROCK_POLICY",
    "S3_POLICY",
    "NETWORK_SECURITY_DIRECTOR_POLICY",
];

/// The prefix of the tag keys AWS keeps for itself, which TagResource rejects.
const RESERVED_TAG_PREFIX: &str = "aws:";

/// The maximum number of tags AWS Organizations allows on one root, OU, account or policy.
const MAX_TAGS: usize = 50;

/// The region the access diff decides in when the file names none.
pub const DEFAULT_REGION: &str = "us-east-1";

/// A landing zone as the file declares it, checked and with every reference resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct LandingZone {
    /// The file's path or name, for messages.
    pub source: String,
    /// The regions the access diff decides requests in.
    pub regions: Vec<String>,
    /// Policy types to enable in the root.
    pub enabled_policy_types: Vec<String>,
    /// Service principals with trusted access to the organization.
    pub trusted_services: Vec<String>,
    /// The OU that accounts marked `retire` move to.
    pub retirement_ou: Option<String>,
    /// Tags of the root.
    pub root_tags: BTreeMap<String, String>,
    /// The OUs, every parent before its children.
    pub units: Vec<Unit>,
    /// The member accounts.
    pub accounts: Vec<Account>,
    /// The policies the file manages.
    pub policies: Vec<PolicyDeclaration>,
    /// Accounts that administer a service for the organization.
    pub delegated_administrators: Vec<DelegatedAdministrator>,
}

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The OU name, unique in the file.
    pub name: String,
    /// The parent OU's name, or [`ROOT`].
    pub parent: String,
    /// Tags of the OU.
    pub tags: BTreeMap<String, String>,
}

/// A member account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account name, unique in the file.
    pub name: String,
    /// The root user's email address, unique in the file; it identifies the account.
    pub email: String,
    /// The OU the account belongs in, or [`ROOT`]. For a retired account this is the
    /// retirement OU.
    pub unit: String,
    /// Whether the account is retired: it moves to the retirement OU, since an account
    /// cannot be deleted.
    pub retired: bool,
    /// Tags of the account.
    pub tags: BTreeMap<String, String>,
}

/// A policy and where it is attached.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDeclaration {
    /// The policy name, unique in the file.
    pub name: String,
    /// The API name of the type, such as `SERVICE_CONTROL_POLICY`.
    pub policy_type: String,
    /// The description.
    pub description: String,
    /// The document as sent to CreatePolicy and UpdatePolicy.
    pub content: String,
    /// The document, parsed, for comparing with the live one whatever its whitespace.
    pub document: Value,
    /// Names of the root ([`ROOT`]), OUs and accounts it is attached to.
    pub targets: Vec<String>,
    /// Tags of the policy.
    pub tags: BTreeMap<String, String>,
}

/// An account registered as delegated administrator of a service.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DelegatedAdministrator {
    /// The account's name in the file.
    pub account: String,
    /// The service principal, such as `guardduty.amazonaws.com`.
    pub service: String,
}

/// One problem in a file, at a line and column (both from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file.
    pub source: String,
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
    /// The description of the problem.
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.source, self.line, self.column, self.message
        )
    }
}

/// Every problem found in a file, in the order of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileErrors(pub Vec<FileError>);

impl fmt::Display for FileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        writeln!(f, "the landing-zone file is invalid ({count} {noun}):")?;
        for error in &self.0 {
            writeln!(f, "  {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FileErrors {}

/// Reads and checks the landing-zone file at `path`. Policy files named in it are read
/// relative to its directory.
pub fn load(path: &Path) -> Result<LandingZone, FileErrors> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| {
        FileErrors(vec![FileError {
            source: source.clone(),
            line: 1,
            column: 1,
            message: format!("cannot read the file: {error}"),
        }])
    })?;
    let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse(&text, &source, Some(&directory))
}

/// Checks landing-zone YAML `text`, naming it `source` in messages. With no `directory`, a
/// policy given as a `file` is an error, as for the file embedded in the binary.
pub fn parse(
    text: &str,
    source: &str,
    directory: Option<&Path>,
) -> Result<LandingZone, FileErrors> {
    let mut reader = Reader {
        source: source.to_owned(),
        text,
        directory: directory.map(Path::to_path_buf),
        errors: Vec::new(),
    };
    let documents = match MarkedYaml::load_from_str(text) {
        Ok(documents) => documents,
        Err(error) => {
            let marker = *error.marker();
            reader.error_at(marker, format!("invalid YAML: {}", error.info()));
            return Err(FileErrors(reader.errors));
        }
    };
    let Some(document) = documents.first() else {
        reader.error_at(
            Marker::new(0, 1, 0),
            "the file is empty; expected a mapping with `organization`, `organizational_units`, \
             `accounts` and `policies`"
                .to_owned(),
        );
        return Err(FileErrors(reader.errors));
    };
    if documents.len() > 1 {
        reader.error(
            &documents[1],
            "the file has more than one YAML document; keep the landing zone in one".to_owned(),
        );
    }

    let landing_zone = reader.landing_zone(document);
    if reader.errors.is_empty() {
        Ok(landing_zone)
    } else {
        // The landing-zone file's problems come first, then those of each policy file.
        reader.errors.sort_by(|a, b| {
            (a.source != source, &a.source, a.line, a.column).cmp(&(
                b.source != source,
                &b.source,
                b.line,
                b.column,
            ))
        });
        Err(FileErrors(reader.errors))
    }
}

/// Converts landing-zone YAML `text` to the JSON value that `schemas/landing-zone.schema.json`
/// describes, for checking a file against the schema. Only the first document is converted,
/// and an empty text converts to `null`. Fails on invalid YAML and on what JSON cannot hold:
/// a mapping key that is not a string, a tag or alias, or an infinite or NaN number.
pub fn to_json(text: &str) -> Result<Value, String> {
    let documents = MarkedYaml::load_from_str(text)
        .map_err(|error| format!("invalid YAML: {}", error.info()))?;
    let Some(document) = documents.first() else {
        return Ok(Value::Null);
    };
    let converted = ConvertedDocument::new(document).map_err(|(at, message)| {
        format!(
            "the value at line {}, column {} {message}",
            at.line(),
            at.col() + 1
        )
    })?;
    serde_json::from_str(&converted.json).map_err(|error| format!("invalid JSON: {error}"))
}

/// A name as written, with where it was written.
#[derive(Debug, Clone)]
struct Named {
    name: String,
    at: Marker,
}

/// An OU before its parent reference is checked.
struct RawUnit {
    name: Named,
    parent: Option<Named>,
    tags: BTreeMap<String, String>,
}

/// An account before its references are checked.
struct RawAccount {
    name: Named,
    email: Named,
    unit: Option<Named>,
    retired: bool,
    tags: BTreeMap<String, String>,
}

/// A policy before its targets are checked.
struct RawPolicy {
    name: Named,
    policy_type: Named,
    description: String,
    content: Option<(String, Value)>,
    targets: Vec<Named>,
    tags: BTreeMap<String, String>,
}

struct Reader<'t> {
    source: String,
    /// The YAML text, for mapping places in string scalars back to its lines.
    text: &'t str,
    directory: Option<PathBuf>,
    errors: Vec<FileError>,
}

/// A problem's place in the landing-zone file or in a policy file.
enum Written {
    /// In the landing-zone file.
    Here(Marker),
    /// At a line and column of a policy file, named as in messages.
    InFile(String, Location),
}

impl Reader<'_> {
    fn error_at(&mut self, marker: Marker, message: String) {
        self.errors.push(FileError {
            source: self.source.clone(),
            line: marker.line(),
            column: marker.col() + 1,
            message,
        });
    }

    fn error(&mut self, node: &MarkedYaml<'_>, message: String) {
        self.error_at(node.span.start, message);
    }

    /// Returns the entries of a mapping node, reporting keys outside `allowed`.
    fn mapping<'n, 'i>(
        &mut self,
        node: &'n MarkedYaml<'i>,
        what: &str,
        allowed: &[&str],
    ) -> Vec<(String, &'n MarkedYaml<'i>)> {
        let YamlData::Mapping(mapping) = &node.data else {
            self.error(node, format!("{what} must be a mapping of keys to values"));
            return Vec::new();
        };
        let mut entries = Vec::new();
        for (key, value) in mapping {
            let Some(name) = scalar_text(key) else {
                self.error(key, format!("a key of {what} must be a string"));
                continue;
            };
            if !allowed.contains(&name.as_str()) {
                self.error(
                    key,
                    format!(
                        "unknown key `{name}` in {what}; expected one of: {}",
                        allowed.join(", ")
                    ),
                );
                continue;
            }
            entries.push((name, value));
        }
        entries
    }

    fn sequence<'n, 'i>(&mut self, node: &'n MarkedYaml<'i>, what: &str) -> &'n [MarkedYaml<'i>] {
        match &node.data {
            YamlData::Sequence(items) => items,
            YamlData::Value(Scalar::Null) => &[],
            _ => {
                self.error(node, format!("{what} must be a list"));
                &[]
            }
        }
    }

    fn text(&mut self, node: &MarkedYaml<'_>, what: &str) -> Option<Named> {
        match string_text(node) {
            Some(text) if !text.trim().is_empty() => Some(Named {
                name: text,
                at: node.span.start,
            }),
            Some(_) => {
                self.error(node, format!("{what} must not be empty"));
                None
            }
            None => {
                self.error(node, not_a_string_message(node, what));
                None
            }
        }
    }

    fn texts(&mut self, node: &MarkedYaml<'_>, what: &str) -> Vec<Named> {
        let items = self.sequence(node, what);
        items
            .iter()
            .filter_map(|item| self.text(item, &format!("an entry of {what}")))
            .collect()
    }

    fn tags(&mut self, node: &MarkedYaml<'_>, what: &str) -> BTreeMap<String, String> {
        let YamlData::Mapping(mapping) = &node.data else {
            if !matches!(node.data, YamlData::Value(Scalar::Null)) {
                self.error(
                    node,
                    format!("the tags of {what} must be a mapping of key: value"),
                );
            }
            return BTreeMap::new();
        };
        let mut tags = BTreeMap::new();
        for (key, value) in mapping {
            let key_text = match string_text(key) {
                Some(text) if !text.is_empty() => text,
                Some(_) => {
                    self.error(key, format!("a tag key of {what} must not be empty"));
                    continue;
                }
                None => {
                    self.error(
                        key,
                        not_a_string_message(key, &format!("a tag key of {what}")),
                    );
                    continue;
                }
            };
            self.check_aws_limits(&key_text, key.span.start, "the tag key", "TagKey");
            if key_text.starts_with(RESERVED_TAG_PREFIX) {
                self.error(
                    key,
                    format!(
                        "the tag key `{key_text}` starts with {RESERVED_TAG_PREFIX}, which AWS \
                         reserves for its own tags; choose another key"
                    ),
                );
            }
            let value_text = match &value.data {
                YamlData::Value(Scalar::Null) => String::new(),
                _ => match scalar_text(value) {
                    Some(text) => text,
                    None => {
                        self.error(
                            value,
                            format!("the value of tag `{key_text}` must be a string"),
                        );
                        continue;
                    }
                },
            };
            self.check_aws_limits(&value_text, value.span.start, "the tag value", "TagValue");
            tags.insert(key_text, value_text);
        }
        if tags.len() > MAX_TAGS {
            self.error(
                node,
                format!(
                    "{what} has {} tags, but AWS allows at most {MAX_TAGS} on a resource",
                    tags.len()
                ),
            );
        }
        tags
    }

    /// Reports `text`, written at `at`, if it breaks the length or pattern that the
    /// Organizations model gives the string shape `shape`. AWS checks the same limits when the
    /// value is sent, so an apply would otherwise fail halfway. Returns whether `text` is
    /// within them.
    fn check_aws_limits(&mut self, text: &str, at: Marker, what: &str, shape: &str) -> bool {
        match aws_limit_violation(shape, text) {
            Some(problem) => {
                self.error_at(at, format!("{what} {problem}"));
                false
            }
            None => true,
        }
    }

    /// Reports `service` unless it is a service principal that AWS accepts and that ends in
    /// `.amazonaws.com`, such as `example`. Returns whether it is one.
    fn check_service_principal(&mut self, service: &Named, example: &str) -> bool {
        if !service.name.ends_with(".amazonaws.com") {
            self.error_at(
                service.at,
                format!(
                    "`{}` is not a service principal such as {example}",
                    service.name
                ),
            );
            return false;
        }
        self.check_aws_limits(
            &service.name,
            service.at,
            "the service principal",
            "ServicePrincipal",
        )
    }

    fn landing_zone(&mut self, document: &MarkedYaml<'_>) -> LandingZone {
        let mut landing_zone = LandingZone {
            source: self.source.clone(),
            regions: Vec::new(),
            enabled_policy_types: Vec::new(),
            trusted_services: Vec::new(),
            retirement_ou: None,
            root_tags: BTreeMap::new(),
            units: Vec::new(),
            accounts: Vec::new(),
            policies: Vec::new(),
            delegated_administrators: Vec::new(),
        };
        let entries = self.mapping(
            document,
            "the landing zone",
            &[
                "organization",
                "organizational_units",
                "accounts",
                "policies",
                "delegated_administrators",
            ],
        );

        let mut retirement_ou = None;
        let mut policy_types = Vec::new();
        let mut raw_units = Vec::new();
        let mut raw_accounts = Vec::new();
        let mut raw_policies = Vec::new();
        let mut raw_delegations = Vec::new();
        for (key, value) in entries {
            match key.as_str() {
                "organization" => {
                    let organization = self.organization(value, &mut landing_zone);
                    retirement_ou = organization.0;
                    policy_types = organization.1;
                }
                "organizational_units" => raw_units = self.units(value),
                "accounts" => raw_accounts = self.accounts(value),
                "policies" => raw_policies = self.policies(value),
                _ => raw_delegations = self.delegations(value),
            }
        }
        if landing_zone.regions.is_empty() {
            landing_zone.regions.push(DEFAULT_REGION.to_owned());
        }

        let units = self.resolve_units(raw_units);
        let known_units: HashMap<String, Marker> = units
            .iter()
            .map(|(unit, at)| (unit.name.clone(), *at))
            .collect();
        landing_zone.units = units.into_iter().map(|(unit, _)| unit).collect();

        if let Some(retirement) = &retirement_ou
            && retirement.name != ROOT
            && !known_units.contains_key(&retirement.name)
        {
            self.error_at(
                retirement.at,
                format!(
                    "retirement_ou names the OU `{}`, which organizational_units does not declare",
                    retirement.name
                ),
            );
        }
        landing_zone.retirement_ou = retirement_ou.map(|named| named.name);

        landing_zone.accounts = self.resolve_accounts(
            raw_accounts,
            &known_units,
            landing_zone.retirement_ou.as_deref(),
        );
        let account_names: HashMap<String, Marker> = landing_zone
            .accounts
            .iter()
            .map(|account| (account.name.clone(), Marker::new(0, 1, 0)))
            .collect();
        for unit in &landing_zone.units {
            if account_names.contains_key(&unit.name)
                && let Some(at) = known_units.get(&unit.name)
            {
                self.error_at(
                    *at,
                    format!(
                        "`{}` names both an OU and an account; targets refer to them by name, so \
                         give them different names",
                        unit.name
                    ),
                );
            }
        }

        landing_zone.policies =
            self.resolve_policies(raw_policies, &known_units, &account_names, &policy_types);
        self.check_policies_per_target(&landing_zone.policies);
        landing_zone.enabled_policy_types =
            policy_types.into_iter().map(|named| named.name).collect();
        landing_zone.delegated_administrators =
            self.resolve_delegations(raw_delegations, &account_names);
        landing_zone
    }

    /// Reads `organization`; returns the retirement OU and the enabled policy types, which
    /// later checks need with their positions.
    fn organization(
        &mut self,
        node: &MarkedYaml<'_>,
        landing_zone: &mut LandingZone,
    ) -> (Option<Named>, Vec<Named>) {
        let mut retirement_ou = None;
        let mut policy_types = Vec::new();
        let entries = self.mapping(
            node,
            "organization",
            &[
                "regions",
                "enabled_policy_types",
                "trusted_services",
                "retirement_ou",
                "tags",
            ],
        );
        for (key, value) in entries {
            match key.as_str() {
                "regions" => {
                    for region in self.texts(value, "regions") {
                        if !is_region_name(&region.name) {
                            self.error_at(
                                region.at,
                                format!("`{}` is not a region name such as us-east-1", region.name),
                            );
                        } else if !landing_zone.regions.contains(&region.name) {
                            landing_zone.regions.push(region.name);
                        }
                    }
                }
                "enabled_policy_types" => {
                    for policy_type in self.texts(value, "enabled_policy_types") {
                        if !POLICY_TYPES.contains(&policy_type.name.as_str()) {
                            self.error_at(
                                policy_type.at,
                                unknown_policy_type_message(&policy_type.name),
                            );
                        } else if policy_types
                            .iter()
                            .any(|seen: &Named| seen.name == policy_type.name)
                        {
                            self.error_at(
                                policy_type.at,
                                format!("the policy type {} is listed twice", policy_type.name),
                            );
                        } else {
                            policy_types.push(policy_type);
                        }
                    }
                }
                "trusted_services" => {
                    for service in self.texts(value, "trusted_services") {
                        if self.check_service_principal(&service, "config.amazonaws.com")
                            && !landing_zone.trusted_services.contains(&service.name)
                        {
                            landing_zone.trusted_services.push(service.name);
                        }
                    }
                }
                "retirement_ou" => retirement_ou = self.text(value, "retirement_ou"),
                _ => landing_zone.root_tags = self.tags(value, "the root"),
            }
        }
        (retirement_ou, policy_types)
    }

    fn units(&mut self, node: &MarkedYaml<'_>) -> Vec<RawUnit> {
        let mut units = Vec::new();
        for item in self.sequence(node, "organizational_units") {
            let entries = self.mapping(item, "an OU", &["name", "parent", "tags"]);
            let required_given = has_keys(&entries, &["name"]);
            let mut name = None;
            let mut parent = None;
            let mut tags = BTreeMap::new();
            for (key, value) in entries {
                match key.as_str() {
                    "name" => name = self.text(value, "an OU name"),
                    "parent" => parent = self.text(value, "an OU parent"),
                    _ => tags = self.tags(value, "an OU"),
                }
            }
            let Some(name) = name else {
                // A name that is given but invalid is reported already.
                if !required_given {
                    self.error(item, "an OU needs a `name`".to_owned());
                }
                continue;
            };
            if name.name == ROOT {
                self.error_at(
                    name.at,
                    format!(
                        "`{ROOT}` stands for the organization's root; give the OU another name"
                    ),
                );
            } else if self.check_aws_limits(
                &name.name,
                name.at,
                "an OU name",
                "OrganizationalUnitName",
            ) {
                units.push(RawUnit { name, parent, tags });
            }
        }
        units
    }

    /// Checks OU names and parents and orders the OUs parents first. Rejects duplicates,
    /// unknown parents, cycles and nesting deeper than AWS allows.
    fn resolve_units(&mut self, raw_units: Vec<RawUnit>) -> Vec<(Unit, Marker)> {
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut units: Vec<RawUnit> = Vec::new();
        for unit in raw_units {
            if let Some(&first) = by_name.get(&unit.name.name) {
                let first_line = units[first].name.at.line();
                self.error_at(
                    unit.name.at,
                    format!(
                        "the OU name `{}` is declared twice (first at line {first_line}); OU names \
                         must be unique in the file",
                        unit.name.name
                    ),
                );
                continue;
            }
            by_name.insert(unit.name.name.clone(), units.len());
            units.push(unit);
        }

        for unit in &units {
            if let Some(parent) = &unit.parent
                && parent.name != ROOT
                && !by_name.contains_key(&parent.name)
            {
                self.error_at(
                    parent.at,
                    format!(
                        "the OU `{}` has parent `{}`, which organizational_units does not declare",
                        unit.name.name, parent.name
                    ),
                );
            }
        }

        // Depth from the root; a walk that revisits an OU has found a cycle.
        let parent_of = |unit: &RawUnit| -> Option<usize> {
            unit.parent
                .as_ref()
                .and_then(|parent| by_name.get(&parent.name).copied())
        };
        let mut depths = vec![0usize; units.len()];
        let mut in_cycle = vec![false; units.len()];
        for (index, unit) in units.iter().enumerate() {
            let mut path = vec![index];
            let mut current = parent_of(unit);
            while let Some(parent) = current {
                if let Some(position) = path.iter().position(|&seen| seen == parent) {
                    if !in_cycle[index] {
                        let cycle: Vec<usize> = path[position..].to_vec();
                        for &member in &cycle {
                            in_cycle[member] = true;
                        }
                        let mut names: Vec<&str> = cycle
                            .iter()
                            .map(|&member| units[member].name.name.as_str())
                            .collect();
                        names.push(units[parent].name.name.as_str());
                        let at = units[cycle[0]]
                            .parent
                            .as_ref()
                            .map_or(unit.name.at, |p| p.at);
                        self.error_at(
                            at,
                            format!("the OU parents form a cycle: {}", names.join(" -> ")),
                        );
                    }
                    break;
                }
                path.push(parent);
                current = parent_of(&units[parent]);
            }
            depths[index] = path.len();
        }
        for (index, unit) in units.iter().enumerate() {
            if !in_cycle[index] && depths[index] > MAX_OU_DEPTH {
                self.error_at(
                    unit.name.at,
                    format!(
                        "the OU `{}` is nested {} levels below the root; AWS allows at most {MAX_OU_DEPTH}",
                        unit.name.name, depths[index]
                    ),
                );
            }
        }

        let mut order: Vec<usize> = (0..units.len()).filter(|&index| !in_cycle[index]).collect();
        order.sort_by_key(|&index| depths[index]);
        order
            .into_iter()
            .map(|index| {
                let unit = &units[index];
                let resolved = Unit {
                    name: unit.name.name.clone(),
                    parent: unit
                        .parent
                        .as_ref()
                        .map_or_else(|| ROOT.to_owned(), |parent| parent.name.clone()),
                    tags: unit.tags.clone(),
                };
                (resolved, unit.name.at)
            })
            .collect()
    }

    fn accounts(&mut self, node: &MarkedYaml<'_>) -> Vec<RawAccount> {
        let mut accounts = Vec::new();
        for item in self.sequence(node, "accounts") {
            let entries = self.mapping(
                item,
                "an account",
                &["name", "email", "ou", "retire", "tags"],
            );
            let required_given = has_keys(&entries, &["name", "email"]);
            let (mut name, mut email, mut unit) = (None, None, None);
            let mut retired = false;
            let mut tags = BTreeMap::new();
            for (key, value) in entries {
                match key.as_str() {
                    "name" => name = self.text(value, "an account name"),
                    "email" => email = self.text(value, "an account email"),
                    "ou" => unit = self.text(value, "an account's OU"),
                    "retire" => match &value.data {
                        YamlData::Value(Scalar::Boolean(flag)) => retired = *flag,
                        _ => self.error(value, "`retire` must be true or false".to_owned()),
                    },
                    _ => tags = self.tags(value, "an account"),
                }
            }
            let (Some(name), Some(email)) = (name, email) else {
                if !required_given {
                    self.error(item, "an account needs a `name` and an `email`".to_owned());
                }
                continue;
            };
            // CreateAccount takes the CreateAccountName shape: up to 50 printable ASCII
            // characters, where the AccountName shape of existing accounts allows 128 of any kind.
            self.check_aws_limits(&name.name, name.at, "an account name", "CreateAccountName");
            self.check_aws_limits(&email.name, email.at, "an account email", "Email");
            accounts.push(RawAccount {
                name,
                email,
                unit,
                retired,
                tags,
            });
        }
        accounts
    }

    fn resolve_accounts(
        &mut self,
        raw_accounts: Vec<RawAccount>,
        units: &HashMap<String, Marker>,
        retirement_ou: Option<&str>,
    ) -> Vec<Account> {
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut emails: HashMap<String, usize> = HashMap::new();
        let mut accounts = Vec::new();
        for account in raw_accounts {
            if let Some(line) = names.get(&account.name.name) {
                self.error_at(
                    account.name.at,
                    format!(
                        "the account name `{}` is declared twice (first at line {line})",
                        account.name.name
                    ),
                );
                continue;
            }
            let email_key = account.email.name.to_ascii_lowercase();
            if let Some(line) = emails.get(&email_key) {
                self.error_at(
                    account.email.at,
                    format!(
                        "the email `{}` is used twice (first at line {line}); every account needs its own",
                        account.email.name
                    ),
                );
                continue;
            }
            names.insert(account.name.name.clone(), account.name.at.line());
            emails.insert(email_key, account.email.at.line());

            let unit = if account.retired {
                match retirement_ou {
                    Some(retirement) => retirement.to_owned(),
                    None => {
                        self.error_at(
                            account.name.at,
                            format!(
                                "the account `{}` is marked retire, but organization.retirement_ou \
                                 names no OU to move it to",
                                account.name.name
                            ),
                        );
                        continue;
                    }
                }
            } else {
                match &account.unit {
                    Some(unit) if unit.name == ROOT || units.contains_key(&unit.name) => {
                        unit.name.clone()
                    }
                    Some(unit) => {
                        self.error_at(
                            unit.at,
                            format!(
                                "the account `{}` is in OU `{}`, which organizational_units does not declare",
                                account.name.name, unit.name
                            ),
                        );
                        continue;
                    }
                    None => ROOT.to_owned(),
                }
            };
            accounts.push(Account {
                name: account.name.name,
                email: account.email.name,
                unit,
                retired: account.retired,
                tags: account.tags,
            });
        }
        accounts
    }

    fn policies(&mut self, node: &MarkedYaml<'_>) -> Vec<RawPolicy> {
        let mut policies = Vec::new();
        for item in self.sequence(node, "policies") {
            let entries = self.mapping(
                item,
                "a policy",
                &[
                    "name",
                    "type",
                    "description",
                    "content",
                    "file",
                    "targets",
                    "tags",
                ],
            );
            let required_given = has_keys(&entries, &["name", "type"]);
            let (mut name, mut policy_type) = (None, None);
            let mut description = String::new();
            let mut content_node = None;
            let mut file_node = None;
            let mut targets = Vec::new();
            let mut tags = BTreeMap::new();
            for (key, value) in entries {
                match key.as_str() {
                    "name" => name = self.text(value, "a policy name"),
                    "type" => policy_type = self.text(value, "a policy type"),
                    "description" => match string_text(value) {
                        Some(text) => {
                            self.check_aws_limits(
                                &text,
                                value.span.start,
                                "a policy description",
                                "PolicyDescription",
                            );
                            description = text;
                        }
                        None => {
                            self.error(value, not_a_string_message(value, "a policy description"))
                        }
                    },
                    "content" => content_node = Some(value),
                    "file" => file_node = Some(value),
                    "targets" => targets = self.texts(value, "targets"),
                    _ => tags = self.tags(value, "a policy"),
                }
            }
            let (Some(name), Some(policy_type)) = (name, policy_type) else {
                if !required_given {
                    self.error(item, "a policy needs a `name` and a `type`".to_owned());
                }
                continue;
            };
            self.check_aws_limits(&name.name, name.at, "a policy name", "PolicyName");
            if !POLICY_TYPES.contains(&policy_type.name.as_str()) {
                self.error_at(
                    policy_type.at,
                    unknown_policy_type_message(&policy_type.name),
                );
                continue;
            }
            let content = match (content_node, file_node) {
                (Some(content), None) => {
                    self.inline_document(&name.name, &policy_type.name, content)
                }
                (None, Some(file)) => self.file_document(&name.name, &policy_type.name, file),
                (Some(_), Some(file)) => {
                    self.error(
                        file,
                        format!(
                            "the policy `{}` has both `content` and `file`; give one",
                            name.name
                        ),
                    );
                    None
                }
                (None, None) => {
                    self.error(
                        item,
                        format!("the policy `{}` needs `content` or `file`", name.name),
                    );
                    None
                }
            };
            policies.push(RawPolicy {
                name,
                policy_type,
                description,
                content,
                targets,
                tags,
            });
        }
        policies
    }

    /// Reads a document given inline: YAML that is converted to JSON, or a string of JSON.
    ///
    /// A problem the check places inside the document is reported where the YAML writes it.
    /// That is the key or value of a mapping, or the line and column of a string written
    /// verbatim, as in a literal block scalar (`|`). A quoted or folded string changes the
    /// text, so its problems are reported at its start, with the place in the document named
    /// in the message.
    ///
    /// NOTE: management policy problems are placed by key path, which only a mapping maps to
    /// a line. In a string they are reported at its start, with the path in the message.
    fn inline_document(
        &mut self,
        name: &str,
        policy_type: &str,
        node: &MarkedYaml<'_>,
    ) -> Option<(String, Value)> {
        match &node.data {
            YamlData::Value(Scalar::String(text)) => {
                let yaml = self.text;
                self.check_document(name, policy_type, text.to_string(), node, |place| {
                    let DocumentPlace::Location(location) = place else {
                        return None;
                    };
                    locate_in_string(yaml, node, text, *location).map(Written::Here)
                })
            }
            YamlData::Mapping(_) => match ConvertedDocument::new(node) {
                Ok(converted) => {
                    let content = converted.json.clone();
                    self.check_document(name, policy_type, content, node, |place| {
                        converted.locate(place).map(Written::Here)
                    })
                }
                Err((at, message)) => {
                    self.error_at(at, format!("the content of policy `{name}` {message}"));
                    None
                }
            },
            _ => {
                self.error(
                    node,
                    format!("the content of policy `{name}` must be a mapping or a string of JSON"),
                );
                None
            }
        }
    }

    /// Reads a document from the file that `node` names. A problem the check places at a line
    /// and column is reported in that file, and any other at `node`.
    fn file_document(
        &mut self,
        name: &str,
        policy_type: &str,
        node: &MarkedYaml<'_>,
    ) -> Option<(String, Value)> {
        let relative = self.text(node, "a policy file")?;
        let Some(directory) = self.directory.clone() else {
            self.error(
                node,
                format!("the policy `{name}` names a file, but this landing zone has no directory to read it from"),
            );
            return None;
        };
        let path = directory.join(&relative.name);
        match std::fs::read_to_string(&path) {
            Ok(content) => {
                let source = path.display().to_string();
                self.check_document(name, policy_type, content, node, |place| match place {
                    DocumentPlace::Location(location) => Some(Written::InFile(source, *location)),
                    DocumentPlace::Path(_) => None,
                })
            }
            Err(error) => {
                self.error(
                    node,
                    format!(
                        "cannot read the policy file {} of policy `{name}`: {error}",
                        path.display()
                    ),
                );
                None
            }
        }
    }

    /// Checks a document as CreatePolicy would, so that an invalid one fails here and not
    /// halfway through an apply, and parses it. `locate` finds where a place in the document
    /// is written. A problem it cannot place is reported at `node`, with the place in the
    /// document named in the message.
    fn check_document(
        &mut self,
        name: &str,
        policy_type: &str,
        content: String,
        node: &MarkedYaml<'_>,
        locate: impl FnOnce(&DocumentPlace) -> Option<Written>,
    ) -> Option<(String, Value)> {
        let error = match cloud::organizations::check_policy_document(policy_type, &content) {
            Ok(()) => return self.parse_document(name, content, node),
            Err(error) => error,
        };
        let DocumentError { problem, place, .. } = error;
        let message = format!("the policy `{name}` is invalid: {problem}");
        match place.as_ref().and_then(locate) {
            Some(Written::Here(at)) => self.error_at(at, message),
            Some(Written::InFile(source, location)) => self.errors.push(FileError {
                source,
                line: location.line,
                column: location.column,
                message,
            }),
            None => {
                let inside = match &place {
                    Some(DocumentPlace::Location(location)) => {
                        format!(" at {location} of its document")
                    }
                    Some(DocumentPlace::Path(path)) => {
                        format!(" at \"{}\" of its document", path.join("."))
                    }
                    None => String::new(),
                };
                self.error(
                    node,
                    format!("the policy `{name}` is invalid{inside}: {problem}"),
                );
            }
        }
        None
    }

    /// Parses a document that passed the check, for comparing it with the live one.
    fn parse_document(
        &mut self,
        name: &str,
        content: String,
        node: &MarkedYaml<'_>,
    ) -> Option<(String, Value)> {
        match serde_json::from_str(&content) {
            Ok(document) => Some((content, document)),
            Err(error) => {
                self.error(
                    node,
                    format!("the policy `{name}` is not valid JSON: {error}"),
                );
                None
            }
        }
    }

    fn resolve_policies(
        &mut self,
        raw_policies: Vec<RawPolicy>,
        units: &HashMap<String, Marker>,
        accounts: &HashMap<String, Marker>,
        enabled_types: &[Named],
    ) -> Vec<PolicyDeclaration> {
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut policies = Vec::new();
        for policy in raw_policies {
            if let Some(line) = names.get(&policy.name.name) {
                self.error_at(
                    policy.name.at,
                    format!(
                        "the policy name `{}` is declared twice (first at line {line})",
                        policy.name.name
                    ),
                );
                continue;
            }
            names.insert(policy.name.name.clone(), policy.name.at.line());
            if !enabled_types
                .iter()
                .any(|named| named.name == policy.policy_type.name)
            {
                self.error_at(
                    policy.policy_type.at,
                    format!(
                        "the policy `{}` has type {}, which organization.enabled_policy_types does not enable",
                        policy.name.name, policy.policy_type.name
                    ),
                );
            }
            let mut targets: Vec<String> = Vec::new();
            for target in &policy.targets {
                let known = target.name == ROOT
                    || units.contains_key(&target.name)
                    || accounts.contains_key(&target.name);
                if !known {
                    self.error_at(
                        target.at,
                        format!(
                            "the policy `{}` targets `{}`, which is neither `{ROOT}` nor an OU or account in the file",
                            policy.name.name, target.name
                        ),
                    );
                } else if targets.contains(&target.name) {
                    self.error_at(
                        target.at,
                        format!(
                            "the policy `{}` targets `{}` twice",
                            policy.name.name, target.name
                        ),
                    );
                } else {
                    targets.push(target.name.clone());
                }
            }
            let Some((content, document)) = policy.content else {
                continue;
            };
            policies.push(PolicyDeclaration {
                name: policy.name.name,
                policy_type: policy.policy_type.name,
                description: policy.description,
                content,
                document,
                targets,
                tags: policy.tags,
            });
        }
        policies
    }

    /// Rejects a target with more SCPs or RCPs than AWS allows. AWS's own FullAWSAccess,
    /// which the file does not manage, is not counted.
    fn check_policies_per_target(&mut self, policies: &[PolicyDeclaration]) {
        let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for policy in policies {
            if matches!(
                policy.policy_type.as_str(),
                "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY"
            ) {
                for target in &policy.targets {
                    *counts.entry((target, &policy.policy_type)).or_default() += 1;
                }
            }
        }
        for ((target, policy_type), count) in counts {
            if count > MAX_POLICIES_PER_TARGET {
                self.error_at(
                    Marker::new(0, 1, 0),
                    format!(
                        "`{target}` would have {count} policies of type {policy_type} attached; AWS allows at most {MAX_POLICIES_PER_TARGET}"
                    ),
                );
            }
        }
    }

    fn delegations(&mut self, node: &MarkedYaml<'_>) -> Vec<(Named, Named)> {
        let mut delegations = Vec::new();
        for item in self.sequence(node, "delegated_administrators") {
            let entries = self.mapping(item, "a delegated administrator", &["account", "service"]);
            let (mut account, mut service) = (None, None);
            for (key, value) in entries {
                match key.as_str() {
                    "account" => account = self.text(value, "a delegated administrator's account"),
                    _ => service = self.text(value, "a delegated administrator's service"),
                }
            }
            match (account, service) {
                (Some(account), Some(service)) => delegations.push((account, service)),
                _ => self.error(
                    item,
                    "a delegated administrator needs an `account` and a `service`".to_owned(),
                ),
            }
        }
        delegations
    }

    fn resolve_delegations(
        &mut self,
        raw: Vec<(Named, Named)>,
        accounts: &HashMap<String, Marker>,
    ) -> Vec<DelegatedAdministrator> {
        let mut delegations: Vec<DelegatedAdministrator> = Vec::new();
        for (account, service) in raw {
            if !accounts.contains_key(&account.name) {
                self.error_at(
                    account.at,
                    format!(
                        "the delegated administrator `{}` is not an account in the file",
                        account.name
                    ),
                );
                continue;
            }
            if !self.check_service_principal(&service, "guardduty.amazonaws.com") {
                continue;
            }
            let delegation = DelegatedAdministrator {
                account: account.name,
                service: service.name,
            };
            if !delegations.contains(&delegation) {
                delegations.push(delegation);
            }
        }
        delegations
    }
}

/// Returns whether a mapping's entries include every key of `keys`.
fn has_keys(entries: &[(String, &MarkedYaml<'_>)], keys: &[&str]) -> bool {
    keys.iter()
        .all(|wanted| entries.iter().any(|(key, _)| key == wanted))
}

/// Checks `text` against the string shape `shape` of the Organizations model: its length in
/// characters and its pattern. Returns what is wrong, to follow the value's name in a message.
fn aws_limit_violation(shape: &str, text: &str) -> Option<String> {
    let Ok(index) = MODEL
        .shapes
        .binary_search_by(|candidate| candidate.name.cmp(shape))
    else {
        return Some(format!(
            "cannot be checked, because the Organizations model has no shape {shape}"
        ));
    };
    let violation = model::shape::validate(&MODEL, index, &Value::String(text.to_owned())).err()?;
    let length = text.chars().count();
    let problem = match violation.kind {
        ViolationKind::MinLength { min } => {
            format!("has {length} characters, but AWS requires at least {min}")
        }
        ViolationKind::MaxLength { max } => {
            format!("has {length} characters, but AWS allows at most {max}")
        }
        ViolationKind::Pattern { .. } => {
            let pattern = match MODEL.shapes[index].kind {
                ShapeKind::String {
                    pattern: Some(pattern),
                    ..
                } => MODEL.patterns.get(pattern),
                _ => None,
            };
            let pattern = pattern.map_or("", |pattern| pattern.model_source());
            format!("`{text}` does not match AWS's pattern {pattern}")
        }
        _ => format!("`{text}` is invalid: {violation}"),
    };
    Some(problem)
}

fn unknown_policy_type_message(name: &str) -> String {
    format!(
        "unknown policy type `{name}`; expected one of: {}",
        POLICY_TYPES.join(", ")
    )
}

/// Returns the text of a YAML string node.
///
/// Names, references and tag keys must be strings. Converting a number would change some
/// names, because YAML reads `007` as 7, `0x1F` as 31 and `1e3` as 1000.
fn string_text(node: &MarkedYaml<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::String(text)) => Some(text.to_string()),
        _ => None,
    }
}

/// Returns the error for `node`, which should be a string but is not. A number or boolean
/// gets a hint to quote it.
fn not_a_string_message(node: &MarkedYaml<'_>, what: &str) -> String {
    let read_as = match &node.data {
        YamlData::Value(Scalar::Integer(_) | Scalar::FloatingPoint(_)) => "a number",
        YamlData::Value(Scalar::Boolean(_)) => "a boolean",
        _ => return format!("{what} must be a string"),
    };
    format!("{what} must be a string, but YAML reads this value as {read_as}; put it in quotes")
}

/// Returns the text of a scalar node. A number or boolean is formatted from the value YAML
/// read, not copied as written.
fn scalar_text(node: &MarkedYaml<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::String(text)) => Some(text.to_string()),
        YamlData::Value(Scalar::Integer(number)) => Some(number.to_string()),
        YamlData::Value(Scalar::FloatingPoint(number)) => Some(number.to_string()),
        YamlData::Value(Scalar::Boolean(flag)) => Some(flag.to_string()),
        _ => None,
    }
}

/// A policy document written as JSON from a YAML mapping, with where the YAML writes each
/// key and value, so that a place in the JSON maps back to the file.
struct ConvertedDocument {
    /// The JSON text, on one line, with the keys in the order the YAML writes them.
    json: String,
    /// The byte offset in `json` where each key and value starts, ascending, with the
    /// YAML node's start.
    marks: Vec<(usize, Marker)>,
    /// The object keys from the top down to each key that is in no array, with the start of
    /// that key in the YAML. Management policy errors name their place this way.
    keys: Vec<(Vec<String>, Marker)>,
}

impl ConvertedDocument {
    /// Converts a YAML node to JSON, or returns where and why it has no JSON form: mapping
    /// keys must be strings, and tags and aliases have no JSON form.
    fn new(node: &MarkedYaml<'_>) -> Result<ConvertedDocument, (Marker, String)> {
        let mut converted = ConvertedDocument {
            json: String::new(),
            marks: Vec::new(),
            keys: Vec::new(),
        };
        converted.write(node, Some(&[]))?;
        Ok(converted)
    }

    /// Appends `node` as JSON. `path` contains the keys down to it, or is `None` inside an
    /// array, where management policy errors name no place.
    fn write(
        &mut self,
        node: &MarkedYaml<'_>,
        path: Option<&[String]>,
    ) -> Result<(), (Marker, String)> {
        self.marks.push((self.json.len(), node.span.start));
        match &node.data {
            YamlData::Value(scalar) => {
                let value = scalar_to_json(scalar).ok_or_else(|| {
                    (
                        node.span.start,
                        "contains a number JSON cannot hold".to_owned(),
                    )
                })?;
                self.json.push_str(&value.to_string());
            }
            YamlData::Sequence(items) => {
                self.json.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        self.json.push(',');
                    }
                    self.write(item, None)?;
                }
                self.json.push(']');
            }
            YamlData::Mapping(mapping) => {
                self.json.push('{');
                for (index, (key, value)) in mapping.iter().enumerate() {
                    if index > 0 {
                        self.json.push(',');
                    }
                    let YamlData::Value(Scalar::String(key_text)) = &key.data else {
                        return Err((key.span.start, "has a key that is not a string".to_owned()));
                    };
                    self.marks.push((self.json.len(), key.span.start));
                    self.json
                        .push_str(&Value::String(key_text.to_string()).to_string());
                    self.json.push(':');
                    let key_path = path.map(|path| [path, &[key_text.to_string()]].concat());
                    if let Some(key_path) = &key_path {
                        self.keys.push((key_path.clone(), key.span.start));
                    }
                    self.write(value, key_path.as_deref())?;
                }
                self.json.push('}');
            }
            _ => {
                return Err((
                    node.span.start,
                    "uses a YAML feature (tag or alias) that has no JSON form".to_owned(),
                ));
            }
        }
        Ok(())
    }

    /// Returns where the YAML writes a place in the JSON. A line and column maps to the
    /// nearest key or value that starts at or before it, and a key path to that key.
    fn locate(&self, place: &DocumentPlace) -> Option<Marker> {
        match place {
            DocumentPlace::Location(location) => {
                let offset = if location.line == 1 {
                    self.json
                        .char_indices()
                        .nth(location.column.saturating_sub(1))
                        .map_or(self.json.len(), |(offset, _)| offset)
                } else {
                    self.json.len()
                };
                let index = self.marks.partition_point(|(start, _)| *start <= offset);
                self.marks.get(index.checked_sub(1)?).map(|(_, at)| *at)
            }
            DocumentPlace::Path(path) => self
                .keys
                .iter()
                .find(|(key_path, _)| key_path == path)
                .map(|(_, at)| *at),
        }
    }
}

/// Converts a YAML scalar to JSON, or returns `None` for a number JSON cannot hold (NaN or
/// an infinity).
fn scalar_to_json(scalar: &Scalar<'_>) -> Option<Value> {
    match scalar {
        Scalar::Null => Some(Value::Null),
        Scalar::Boolean(flag) => Some(Value::Bool(*flag)),
        Scalar::Integer(number) => Some(Value::from(*number)),
        Scalar::FloatingPoint(number) => serde_json::Number::from_f64(**number).map(Value::Number),
        Scalar::String(text) => Some(Value::String(text.to_string())),
    }
}

/// Finds where `location` in the string `text` of `node` is written in `yaml`. That works
/// when every line of the string is written verbatim at one column, as in a literal block
/// scalar (`|`) or a one-line plain string. Any other string, such as a quoted one or a
/// folded block whose lines were joined, gives `None`.
fn locate_in_string(
    yaml: &str,
    node: &MarkedYaml<'_>,
    text: &str,
    location: Location,
) -> Option<Marker> {
    // saphyr starts a block scalar at its first line that is not blank, at the block's
    // indentation. The blank lines before that line are the string's leading line feeds.
    let leading_blank_lines = text.len() - text.trim_start_matches('\n').len();
    let first_line = node.span.start.line().checked_sub(leading_blank_lines)?;
    let indentation = node.span.start.col();
    let written_lines: Vec<&str> = yaml.lines().collect();
    let mut line_count = 0;
    for (index, line) in text.split('\n').enumerate() {
        line_count += 1;
        if line.is_empty() {
            continue;
        }
        let written = written_lines.get((first_line + index).checked_sub(1)?)?;
        let rest = written
            .char_indices()
            .nth(indentation)
            .map_or("", |(offset, _)| &written[offset..]);
        if !rest.starts_with(line) {
            return None;
        }
    }
    (location.line >= 1 && location.line <= line_count).then(|| {
        Marker::new(
            0,
            first_line + location.line - 1,
            indentation + location.column.saturating_sub(1),
        )
    })
}

/// Returns whether `name` looks like a region name: letters and digits in parts joined by
/// hyphens, ending with a number, such as `us-east-1` or `us-gov-west-1`.
fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of a landing zone with one policy, `Guard`, whose `content` or `file` follows.
    const HEAD: &str = "organization:
  enabled_policy_types: [SERVICE_CONTROL_POLICY, TAG_POLICY]
policies:
  - name: Guard
    type: SERVICE_CONTROL_POLICY
";

    /// Returns the problems of `text` as `lz.yaml` would report them, one a string.
    fn problems(text: &str, directory: Option<&Path>) -> Vec<String> {
        let errors = parse(text, "lz.yaml", directory).unwrap_err();
        errors.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn mapping_error_points_at_value() {
        let text = format!(
            "{HEAD}    content:
      Version: \"2012-10-17\"
      Statement:
        - Effect: Maybe
          Action: \"*\"
          Resource: \"*\"
"
        );
        assert_eq!(
            problems(&text, None),
            [
                "lz.yaml:9:19: the policy `Guard` is invalid: Effect \"Maybe\" is not valid; \
                 expected \"Allow\" or \"Deny\" (case-sensitive)"
            ]
        );
    }

    #[test]
    fn mapping_error_points_at_key() {
        let text = format!(
            "{HEAD}    content:
      Version: \"2012-10-17\"
      Statement:
        - Effect: Deny
          Action: s3:*
          Resource: \"*\"
          Condition:
            StringEqualz:
              aws:RequestedRegion: us-east-1
"
        );
        assert_eq!(
            problems(&text, None),
            [
                "lz.yaml:13:13: the policy `Guard` is invalid: condition operator \"StringEqualz\" \
                 is not valid; expected an operator such as StringEquals, optionally prefixed with \
                 ForAllValues: or ForAnyValue: and suffixed with IfExists"
            ]
        );
    }

    #[test]
    fn mapping_error_points_at_statement() {
        let text = format!(
            "{HEAD}    content:
      Version: \"2012-10-17\"
      Statement:
        - Sid: NoEffect
          Action: s3:*
          Resource: \"*\"
"
        );
        let problems = problems(&text, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with(
                "lz.yaml:9:11: the policy `Guard` is invalid: this statement has no Effect"
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn mapping_error_follows_key_path() {
        let text = "organization:
  enabled_policy_types: [TAG_POLICY]
policies:
  - name: Tags
    type: TAG_POLICY
    content:
      tags:
        environment:
          tag_value:
            \"@@append\": production
";
        assert_eq!(
            problems(text, None),
            ["lz.yaml:10:13: the policy `Tags` is invalid: @@append takes a list of values."]
        );
    }

    #[test]
    fn literal_block_maps_lines() {
        let text = format!(
            "{HEAD}    content: |
      {{
        \"Version\": \"2012-10-17\",
        \"Statement\": [
          {{\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\",
           \"Condition\": {{\"StringEqualz\": {{\"aws:RequestedRegion\": \"us-east-1\"}}}}}}
        ]
      }}
"
        );
        let problems = problems(&text, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with(
                "lz.yaml:11:26: the policy `Guard` is invalid: condition operator \"StringEqualz\""
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn literal_block_after_blank_line() {
        let text = format!(
            "{HEAD}    content: |-  # the JSON starts after one blank line

      {{
        \"Version\": \"2012-10-17\"
        \"Statement\": []
      }}
"
        );
        assert_eq!(
            problems(&text, None),
            [
                "lz.yaml:10:9: the policy `Guard` is invalid: the document is not valid JSON: \
                 expected `,` or `}`"
            ]
        );
    }

    #[test]
    fn quoted_string_names_document_place() {
        let text = format!(
            "{HEAD}    content: '{{\"Version\": \"2012-10-17\", \"Statement\": {{\"Effect\": \"Deny\", \"Action\": \"s3\", \"Resource\": \"*\"}}}}'
"
        );
        assert_eq!(
            problems(&text, None),
            [
                "lz.yaml:6:14: the policy `Guard` is invalid at line 1, column 69 of its document: \
                 action \"s3\" is not valid; expected \"*\" or a service prefix and an action name \
                 separated by a colon, such as s3:GetObject"
            ]
        );
    }

    #[test]
    fn folded_string_names_document_place() {
        let text = format!(
            "{HEAD}    content: >
      {{\"Version\": \"2012-10-17\",
      \"Statement\": {{\"Effect\": \"Deny\", \"Action\": \"s3\", \"Resource\": \"*\"}}}}
"
        );
        let problems = problems(&text, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with(
                "lz.yaml:7:7: the policy `Guard` is invalid at line 1, column 69 of its document: \
                 action \"s3\" is not valid"
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn string_names_key_path() {
        let text = "organization:
  enabled_policy_types: [TAG_POLICY]
policies:
  - name: Tags
    type: TAG_POLICY
    content: '{\"tags\": {\"env\": {\"tag_value\": {\"@@append\": \"x\"}}}}'
";
        assert_eq!(
            problems(text, None),
            [
                "lz.yaml:6:14: the policy `Tags` is invalid at \"tags.env.tag_value.@@append\" \
                 of its document: @@append takes a list of values."
            ]
        );
    }

    #[test]
    fn policy_file_error_names_file() {
        let directory = tempfile::tempdir().unwrap();
        std::fs::write(
            directory.path().join("guard.json"),
            "{
  \"Version\": \"2012-10-17\",
  \"Statement\": {
    \"Efect\": \"Deny\",
    \"Action\": \"s3:*\",
    \"Resource\": \"*\"
  }
}
",
        )
        .unwrap();
        let text = format!("{HEAD}    file: guard.json\n");
        let problems = problems(&text, Some(directory.path()));
        let expected = format!(
            "{}:4:5: the policy `Guard` is invalid: unknown element \"Efect\" in a statement",
            directory.path().join("guard.json").display()
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with(&expected), "{problems:?}");
    }

    #[test]
    fn invalid_name_reported_once() {
        let text = "organizational_units:\n  - name: 2024\n";
        let problems = problems(text, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("lz.yaml:2:11: an OU name must be a string"),
            "{problems:?}"
        );
    }

    #[test]
    fn values_the_api_rejects() {
        let base = "organization:
  enabled_policy_types: [SERVICE_CONTROL_POLICY]
accounts:
  - { name: App, email: app@example.com, tags: {team: platform} }
policies:
  - name: Guard
    type: SERVICE_CONTROL_POLICY
    description: Guard rails
    content: {Version: \"2012-10-17\", Statement: {Effect: Deny, Action: \"s3:*\", Resource: \"*\"}}
";
        assert!(parse(base, "lz.yaml", None).is_ok());
        let long_email = format!("{}@example.com", "x".repeat(60));
        let long_name = "N".repeat(129);
        let long_description = "d".repeat(513);
        let cases = [
            (
                "name: App",
                "name: Caf\u{e9}",
                "lz.yaml:4:13: an account name `Caf\u{e9}` does not match AWS's pattern",
            ),
            (
                "app@example.com",
                "app@b@example.com",
                "lz.yaml:4:25: an account email `app@b@example.com` does not match AWS's pattern",
            ),
            (
                "app@example.com",
                "app@example.",
                "lz.yaml:4:25: an account email `app@example.` does not match AWS's pattern",
            ),
            (
                "app@example.com",
                &long_email,
                "lz.yaml:4:25: an account email has 72 characters, but AWS allows at most 64",
            ),
            (
                "team: platform",
                "team: \"a,b\"",
                "lz.yaml:4:55: the tag value `a,b` does not match AWS's pattern",
            ),
            (
                "team: platform",
                "\"aws:team\": platform",
                "lz.yaml:4:49: the tag key `aws:team` starts with aws:",
            ),
            (
                "team: platform",
                "\"team#\": platform",
                "lz.yaml:4:49: the tag key `team#` does not match AWS's pattern",
            ),
            (
                "name: Guard",
                &format!("name: {long_name}"),
                "lz.yaml:6:11: a policy name has 129 characters, but AWS allows at most 128",
            ),
            (
                "description: Guard rails",
                &format!("description: {long_description}"),
                "lz.yaml:8:18: a policy description has 513 characters, but AWS allows at most 512",
            ),
            (
                "description: Guard rails",
                "description: [Guard]",
                "lz.yaml:8:18: a policy description must be a string",
            ),
        ];
        for (from, to, expected) in cases {
            let text = base.replacen(from, to, 1);
            assert_ne!(text, base, "{from}");
            let problems = problems(&text, None);
            assert_eq!(problems.len(), 1, "{to}: {problems:?}");
            assert!(problems[0].starts_with(expected), "{to}: {problems:?}");
        }

        let many: Vec<String> = (0..51).map(|tag| format!("t{tag}: v")).collect();
        let text = base.replacen("team: platform", &many.join(", "), 1);
        assert_eq!(
            problems(&text, None),
            ["lz.yaml:4:48: an account has 51 tags, but AWS allows at most 50 on a resource"]
        );
    }
}
