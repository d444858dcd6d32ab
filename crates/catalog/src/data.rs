//! The catalog's data model and the reader for its compact text form (`data/catalog.tsv`).
//!
//! The text form has one record per line, tab-separated: a `version` line, then for each
//! service a `service` line followed by its `key`, `resource` and `action` lines. Keys and
//! resource types are referred to by their position within the service. `generate.py`
//! writes the file; this module checks every reference while reading it.

use std::fmt;

/// An error in catalog text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A line does not follow the catalog format.
    #[error("catalog line {line}: {problem}")]
    Malformed {
        /// The 1-based line number.
        line: usize,
        /// The problem with the line.
        problem: String,
    },
    /// The text has no `version` line.
    #[error("the catalog has no version line")]
    MissingVersion,
}

/// How much access an action grants, from the Service Authorization Reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    /// Lists resources.
    List,
    /// Reads resources or their attributes.
    Read,
    /// Creates, changes or deletes resources.
    Write,
    /// Changes permissions on resources.
    PermissionsManagement,
    /// Changes tags.
    Tagging,
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        })
    }
}

/// A condition key a service defines or accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionKey {
    pub(crate) name: Box<str>,
    pub(crate) value_type: Box<str>,
}

impl ConditionKey {
    /// Returns the key, such as `s3:prefix` or `aws:RequestTag/${TagKey}`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns the value type (`String`, `ArrayOfString`, `ARN`, `Bool`, `Numeric`, `Date`,
    /// `IPAddress`, ...), or an empty string when the source gives none.
    pub fn value_type(&self) -> &str {
        &self.value_type
    }
}

/// A resource type of a service, such as S3's `object`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    pub(crate) name: Box<str>,
    pub(crate) arn_template: Box<str>,
    pub(crate) condition_keys: Box<[u32]>,
}

impl ResourceType {
    /// Returns the resource type's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns the ARN template, such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub fn arn_template(&self) -> &str {
        &self.arn_template
    }
}

/// A resource type an action works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionResource {
    pub(crate) resource_type: u32,
    pub(crate) required: bool,
    pub(crate) condition_keys: Box<[u32]>,
}

/// One action of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionData {
    pub(crate) name: Box<str>,
    pub(crate) lowercase: Box<str>,
    pub(crate) access_levels: Box<[AccessLevel]>,
    pub(crate) resources: Box<[ActionResource]>,
    pub(crate) condition_keys: Box<[u32]>,
}

/// One AWS service: its actions, resource types and condition keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub(crate) prefix: Box<str>,
    pub(crate) name: Box<str>,
    pub(crate) rcp_supported: bool,
    pub(crate) condition_keys: Vec<ConditionKey>,
    pub(crate) resource_types: Vec<ResourceType>,
    /// Sorted by lower-cased name.
    pub(crate) actions: Vec<ActionData>,
}

/// The parsed catalog before indexing.
pub(crate) struct CatalogData {
    pub(crate) version: Box<str>,
    pub(crate) updated_at: Box<str>,
    /// Sorted by prefix.
    pub(crate) services: Vec<Service>,
}

/// Reads catalog text.
pub(crate) fn parse(text: &str) -> Result<CatalogData, CatalogError> {
    let mut version = None;
    let mut services: Vec<Service> = Vec::new();

    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let malformed = |problem: &str| CatalogError::Malformed {
            line: line_number,
            problem: problem.to_owned(),
        };
        let fields: Vec<&str> = line.split('\t').collect();

        match fields.as_slice() {
            ["version", number, updated_at] => {
                version = Some(((*number).into(), (*updated_at).into()))
            }
            ["service", prefix, name, rcp] => {
                if let Some(previous) = services.last_mut() {
                    finish_service(previous).map_err(|problem| malformed(&problem))?;
                }
                services.push(Service {
                    prefix: (*prefix).into(),
                    name: (*name).into(),
                    rcp_supported: *rcp == "1",
                    condition_keys: Vec::new(),
                    resource_types: Vec::new(),
                    actions: Vec::new(),
                });
            }
            [kind, ..] if services.is_empty() => {
                return Err(malformed(&format!(
                    "a {kind} line must follow a service line"
                )));
            }
            ["key", name, value_type] => {
                if let Some(service) = services.last_mut() {
                    service.condition_keys.push(ConditionKey {
                        name: (*name).into(),
                        value_type: (*value_type).into(),
                    });
                }
            }
            ["resource", name, arn_template, keys] => {
                let condition_keys =
                    parse_indexes(keys).ok_or_else(|| malformed("invalid key indexes"))?;
                if let Some(service) = services.last_mut() {
                    service.resource_types.push(ResourceType {
                        name: (*name).into(),
                        arn_template: (*arn_template).into(),
                        condition_keys,
                    });
                }
            }
            ["action", name, access, resources, keys] => {
                let action = ActionData {
                    name: (*name).into(),
                    lowercase: name.to_lowercase().into_boxed_str(),
                    access_levels: parse_access_levels(access)
                        .ok_or_else(|| malformed("invalid access level"))?,
                    resources: parse_action_resources(resources)
                        .ok_or_else(|| malformed("invalid resource list"))?,
                    condition_keys: parse_indexes(keys)
                        .ok_or_else(|| malformed("invalid key indexes"))?,
                };
                if let Some(service) = services.last_mut() {
                    service.actions.push(action);
                }
            }
            _ => return Err(malformed("unknown record or wrong number of fields")),
        }
    }

    let line_count = text.lines().count();
    if let Some(last) = services.last_mut() {
        finish_service(last).map_err(|problem| CatalogError::Malformed {
            line: line_count,
            problem,
        })?;
    }
    services.sort_by(|a, b| a.prefix.cmp(&b.prefix));

    let (version, updated_at) = version.ok_or(CatalogError::MissingVersion)?;
    Ok(CatalogData {
        version,
        updated_at,
        services,
    })
}

/// Sorts a service's actions and checks that every index points inside the service.
fn finish_service(service: &mut Service) -> Result<(), String> {
    service
        .actions
        .sort_by(|a, b| a.lowercase.cmp(&b.lowercase));

    let key_count = service.condition_keys.len();
    let resource_count = service.resource_types.len();
    let keys_valid = |keys: &[u32]| keys.iter().all(|&key| (key as usize) < key_count);

    let resources_valid = service
        .resource_types
        .iter()
        .all(|resource| keys_valid(&resource.condition_keys));
    let actions_valid = service.actions.iter().all(|action| {
        keys_valid(&action.condition_keys)
            && action.resources.iter().all(|resource| {
                (resource.resource_type as usize) < resource_count
                    && keys_valid(&resource.condition_keys)
            })
    });
    if resources_valid && actions_valid {
        Ok(())
    } else {
        Err(format!(
            "service {} refers to a key or resource type it does not define",
            service.prefix
        ))
    }
}

fn parse_indexes(text: &str) -> Option<Box<[u32]>> {
    if text.is_empty() {
        return Some(Box::new([]));
    }
    text.split(',').map(|index| index.parse().ok()).collect()
}

fn parse_access_levels(text: &str) -> Option<Box<[AccessLevel]>> {
    text.split('+')
        .map(|code| match code {
            "L" => Some(AccessLevel::List),
            "R" => Some(AccessLevel::Read),
            "W" => Some(AccessLevel::Write),
            "P" => Some(AccessLevel::PermissionsManagement),
            "T" => Some(AccessLevel::Tagging),
            _ => None,
        })
        .collect()
}

/// Parses `3*:5,6;4`: resource type 3, required, with keys 5 and 6; resource type 4.
fn parse_action_resources(text: &str) -> Option<Box<[ActionResource]>> {
    if text.is_empty() {
        return Some(Box::new([]));
    }
    text.split(';')
        .map(|entry| {
            let (reference, keys) = entry.split_once(':').unwrap_or((entry, ""));
            let (index, required) = match reference.strip_suffix('*') {
                Some(index) => (index, true),
                None => (reference, false),
            };
            Some(ActionResource {
                resource_type: index.parse().ok()?,
                required,
                condition_keys: parse_indexes(keys)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# comment\nversion\t1\t2026-01-01\nservice\tzz\tZed\t1\nkey\tzz:tag\tString\nresource\tthing\tarn:${Partition}:zz:::${Name}\t0\naction\tPutThing\tW+T\t0*:0\t0\naction\tGetThing\tR\t0\t\nservice\taa\tAy\t0\naction\tList\tL\t\t\n";

    #[test]
    fn reads_sample() {
        let data = parse(SAMPLE).unwrap();
        assert_eq!(&*data.version, "1");
        assert_eq!(data.services.len(), 2);
        assert_eq!(&*data.services[0].prefix, "aa");
        let zed = &data.services[1];
        assert!(zed.rcp_supported);
        assert_eq!(&*zed.actions[0].name, "GetThing");
        assert_eq!(
            &*zed.actions[1].access_levels,
            &[AccessLevel::Write, AccessLevel::Tagging]
        );
        assert!(zed.actions[1].resources[0].required);
        assert_eq!(&*zed.actions[1].resources[0].condition_keys, &[0]);
    }

    #[test]
    fn rejects_malformed_lines() {
        let cases: &[(&str, usize)] = &[
            ("version\t1\tx\nkey\ta\tString\n", 2),
            ("version\t1\tx\nservice\ta\tA\t0\naction\tX\tQ\t\t\n", 3),
            ("version\t1\tx\nservice\ta\tA\t0\naction\tX\tR\t7\t\n", 3),
            ("version\t1\tx\nservice\ta\tA\t0\nkey\tonly-two\n", 3),
            (
                "version\t1\tx\nservice\ta\tA\t0\naction\tX\tR\t\t9\nservice\tb\tB\t0\n",
                4,
            ),
        ];
        for (text, line) in cases {
            match parse(text) {
                Err(CatalogError::Malformed { line: found, .. }) => {
                    assert_eq!(found, *line, "{text:?}")
                }
                other => panic!(
                    "expected a malformed-line error for {text:?}, got {:?}",
                    other.map(|data| data.services.len())
                ),
            }
        }
        assert!(matches!(
            parse("service\ta\tA\t0\n"),
            Err(CatalogError::MissingVersion)
        ));
    }
}
