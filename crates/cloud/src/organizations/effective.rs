//! Effective management policies: the policies from the root down to an account, merged with
//! AWS's inheritance operators.
//!
//! Levels merge in order: the root, each OU on the path, then the account. Within a level,
//! policies merge in the order they were attached. `@@assign` replaces an inherited value,
//! `@@append` adds values to an inherited list and `@@remove` takes values out of it. A
//! `@@operators_allowed_for_child_policies` list restricts the value operators that policies
//! at lower levels may use on that setting and everything under it. An operator it does not
//! allow is ignored and reported as a validation error for the account.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::documents::{CHILD_CONTROL_OPERATOR, VALUE_OPERATORS};

/// A problem found while merging, as ListEffectivePolicyValidationErrors reports it.
///
/// NOTE: AWS does not document its error codes for these problems; the codes here are
/// bulkhead's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValidationError {
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) path: String,
    pub(crate) policies: Vec<String>,
}

/// The merged policy of one account.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Merged {
    /// The effective policy with every operator resolved; `None` when no policy sets a value.
    pub(crate) document: Option<Value>,
    /// Operators that could not be applied.
    pub(crate) errors: Vec<ValidationError>,
}

/// One policy at one level: its id and parsed document.
pub(crate) type Contribution = (String, Value);

#[derive(Debug, Default)]
struct Node {
    value: Option<Value>,
    /// Operators allowed for lower levels on this node and below; `None` allows all.
    allowed: Option<BTreeSet<String>>,
    /// The policies whose values this node holds, for error reports.
    set_by: Vec<String>,
    children: BTreeMap<String, Node>,
}

/// Merges the policies of each level, root first.
pub(crate) fn merge(levels: &[Vec<Contribution>]) -> Merged {
    let mut root = Node::default();
    let mut errors = Vec::new();
    for level in levels {
        let mut constraints = Vec::new();
        for (policy_id, document) in level {
            let mut walk = Walk {
                policy_id,
                constraints: &mut constraints,
                errors: &mut errors,
            };
            walk.apply(&mut root, document, &mut Vec::new(), None);
        }
        // Child-control operators bind the levels below, not the policies beside them.
        for (path, allowed) in constraints {
            let node = node_at(&mut root, &path);
            node.allowed = Some(match node.allowed.take() {
                Some(existing) => existing.intersection(&allowed).cloned().collect(),
                None => allowed,
            });
        }
    }
    Merged {
        document: render(&root),
        errors,
    }
}

struct Walk<'a> {
    policy_id: &'a str,
    constraints: &'a mut Vec<(Vec<String>, BTreeSet<String>)>,
    errors: &'a mut Vec<ValidationError>,
}

impl Walk<'_> {
    fn apply(
        &mut self,
        node: &mut Node,
        document: &Value,
        path: &mut Vec<String>,
        inherited: Option<&BTreeSet<String>>,
    ) {
        let allowed = intersect(inherited, node.allowed.as_ref());
        let Value::Object(object) = document else {
            self.set_value(node, "@@assign", document, path, allowed.as_ref());
            return;
        };
        for (key, value) in object {
            if key == CHILD_CONTROL_OPERATOR {
                self.constraints
                    .push((path.clone(), allowed_operators(value)));
            } else if VALUE_OPERATORS.contains(&key.as_str()) {
                self.set_value(node, key, value, path, allowed.as_ref());
            } else {
                path.push(key.clone());
                let child = node.children.entry(key.clone()).or_default();
                self.apply(child, value, path, allowed.as_ref());
                path.pop();
            }
        }
    }

    fn set_value(
        &mut self,
        node: &mut Node,
        operator: &str,
        value: &Value,
        path: &[String],
        allowed: Option<&BTreeSet<String>>,
    ) {
        if let Some(allowed) = allowed
            && !allowed.contains(operator)
        {
            self.report(
                "OPERATOR_NOT_ALLOWED",
                format!("A parent policy does not allow child policies to use {operator} on this setting, so the value is ignored."),
                path,
                node,
            );
            return;
        }
        match operator {
            "@@append" => {
                let mut list = match node.value.take() {
                    Some(Value::Array(items)) => items,
                    None => Vec::new(),
                    Some(other) => {
                        node.value = Some(other);
                        self.report("APPEND_TO_SINGLE_VALUE", "@@append needs an inherited list, but the setting holds a single value.".to_owned(), path, node);
                        return;
                    }
                };
                for item in value.as_array().into_iter().flatten() {
                    if !list.contains(item) {
                        list.push(item.clone());
                    }
                }
                node.value = Some(Value::Array(list));
            }
            "@@remove" => {
                match node.value.as_mut() {
                    Some(Value::Array(items)) => {
                        let removed: Vec<&Value> = value.as_array().into_iter().flatten().collect();
                        items.retain(|item| !removed.contains(&item));
                    }
                    Some(_) => {
                        self.report("REMOVE_FROM_SINGLE_VALUE", "@@remove needs an inherited list, but the setting holds a single value.".to_owned(), path, node);
                        return;
                    }
                    None => return,
                }
            }
            _ => node.value = Some(value.clone()),
        }
        node.set_by.push(self.policy_id.to_owned());
    }

    fn report(&mut self, code: &'static str, message: String, path: &[String], node: &Node) {
        let mut policies = node.set_by.clone();
        policies.push(self.policy_id.to_owned());
        policies.dedup();
        self.errors.push(ValidationError {
            code,
            message,
            path: path.join("/"),
            policies,
        });
    }
}

fn allowed_operators(value: &Value) -> BTreeSet<String> {
    let names: Vec<&str> = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if names.contains(&"@@all") {
        return VALUE_OPERATORS
            .iter()
            .map(|operator| (*operator).to_owned())
            .collect();
    }
    names
        .into_iter()
        .filter(|name| VALUE_OPERATORS.contains(name))
        .map(str::to_owned)
        .collect()
}

fn intersect(
    inherited: Option<&BTreeSet<String>>,
    own: Option<&BTreeSet<String>>,
) -> Option<BTreeSet<String>> {
    match (inherited, own) {
        (None, None) => None,
        (Some(set), None) | (None, Some(set)) => Some(set.clone()),
        (Some(first), Some(second)) => Some(first.intersection(second).cloned().collect()),
    }
}

fn node_at<'a>(root: &'a mut Node, path: &[String]) -> &'a mut Node {
    let mut node = root;
    for key in path {
        node = node.children.entry(key.clone()).or_default();
    }
    node
}

fn render(node: &Node) -> Option<Value> {
    if !node.children.is_empty() {
        let mut object = Map::new();
        for (key, child) in &node.children {
            if let Some(value) = render(child) {
                object.insert(key.clone(), value);
            }
        }
        if !object.is_empty() {
            return Some(Value::Object(object));
        }
    }
    node.value.clone()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn level(policies: &[(&str, Value)]) -> Vec<Contribution> {
        policies
            .iter()
            .map(|(id, document)| ((*id).to_owned(), document.clone()))
            .collect()
    }

    fn cost_center(values: Value) -> Value {
        json!({"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": values}}})
    }

    #[test]
    fn child_assign_overwrites_parent() {
        let merged = merge(&[
            level(&[(
                "p-root",
                cost_center(json!({"@@assign": ["Development", "Support"]})),
            )]),
            level(&[("p-ou", cost_center(json!({"@@assign": ["Sandbox"]})))]),
        ]);
        assert_eq!(
            merged.document,
            Some(
                json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["Sandbox"]}}})
            )
        );
        assert!(merged.errors.is_empty());
    }

    #[test]
    fn append_and_remove_over_three_levels() {
        let merged = merge(&[
            level(&[("p-root", cost_center(json!({"@@assign": ["100", "200"]})))]),
            level(&[("p-ou", cost_center(json!({"@@append": ["300"]})))]),
            level(&[("p-account", cost_center(json!({"@@remove": ["100"]})))]),
        ]);
        let document = merged.document.unwrap();
        assert_eq!(
            document["tags"]["costcenter"]["tag_value"],
            json!(["200", "300"])
        );
    }

    #[test]
    fn child_control_blocks_lower_levels_only() {
        let root = json!({"tags": {"costcenter": {
            "tag_key": {"@@assign": "CostCenter"},
            "tag_value": {"@@assign": ["100"]},
            "@@operators_allowed_for_child_policies": ["@@append"]
        }}});
        let merged = merge(&[
            level(&[("p-root", root)]),
            level(&[("p-ou", cost_center(json!({"@@assign": ["999"]})))]),
            level(&[("p-account", cost_center(json!({"@@append": ["200"]})))]),
        ]);
        let document = merged.document.unwrap();
        assert_eq!(
            document["tags"]["costcenter"]["tag_value"],
            json!(["100", "200"])
        );
        // The OU's @@assign on tag_key and tag_value and the account's @@assign on tag_key are
        // all outside the allowed list; the account's @@append is allowed.
        assert_eq!(merged.errors.len(), 3, "{:?}", merged.errors);
        assert!(
            merged
                .errors
                .iter()
                .all(|error| error.code == "OPERATOR_NOT_ALLOWED")
        );
        let from_ou: Vec<&str> = merged
            .errors
            .iter()
            .filter(|error| error.policies.contains(&"p-ou".to_owned()))
            .map(|error| error.path.as_str())
            .collect();
        assert_eq!(
            from_ou,
            vec!["tags/costcenter/tag_key", "tags/costcenter/tag_value"]
        );
    }

    #[test]
    fn none_locks_values() {
        let root = json!({"tags": {"team": {"tag_key": {"@@assign": "Team"}, "@@operators_allowed_for_child_policies": ["@@none"]}}});
        let child = json!({"tags": {"team": {"tag_key": {"@@assign": "team"}}}});
        let merged = merge(&[level(&[("p-root", root)]), level(&[("p-child", child)])]);
        assert_eq!(merged.document.unwrap()["tags"]["team"]["tag_key"], "Team");
        assert_eq!(merged.errors.len(), 1);
    }

    #[test]
    fn same_level_policies_merge_in_order() {
        let merged = merge(&[level(&[
            ("p-first", cost_center(json!({"@@append": ["a"]}))),
            ("p-second", cost_center(json!({"@@append": ["b", "a"]}))),
        ])]);
        assert_eq!(
            merged.document.unwrap()["tags"]["costcenter"]["tag_value"],
            json!(["a", "b"])
        );
    }

    #[test]
    fn nothing_set_means_no_document() {
        assert_eq!(merge(&[]).document, None);
        assert_eq!(
            merge(&[level(&[("p-1", json!({"tags": {}}))])]).document,
            None
        );
    }
}
