//! Reads a policy document into compiled statements, checking the policy grammar and the
//! rules of the policy's kind as it goes.
//!
//! Checks run in the order AWS's APIs apply them: the size quota first, then the character
//! set (IAM kinds), then JSON syntax, then the grammar element by element. The first
//! problem found is returned with the position of the element that causes it.

use std::collections::HashSet;

use crate::action::{ActionMatcher, ActionPattern};
use crate::arn::{self, ArnPattern};
use crate::condition::{Condition, Operator, RawValue};
use crate::error::{LineIndex, PolicyError, Violation};
use crate::json::{self, Member, Node, Value};
use crate::kind::{CompileOptions, PolicyKind};
use crate::pattern::Variables;
use crate::policy::{PolicyData, Version};
use crate::principal::{PRINCIPAL_TYPES, PrincipalElement, SpecificPrincipals};
use crate::statement::{ActionElement, Effect, PrincipalBlock, ResourceElement, Statement};
use crate::validate::{self, PrincipalRule, ResourceRule, StatementShape};

const DOCUMENT_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];

const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Compiles `document`; see [`Policy::compile_with`](crate::Policy::compile_with).
pub(crate) fn compile(
    id: &str,
    kind: PolicyKind,
    document: &str,
    options: &CompileOptions,
) -> Result<PolicyData, PolicyError> {
    let limit = options
        .size_limit
        .unwrap_or_else(|| kind.default_size_limit());
    let counting = kind.size_counting();
    let size = counting.measure(document);
    if size > limit {
        return Err(PolicyError::TooLarge {
            kind,
            size,
            limit,
            counting,
        });
    }

    let reader = Reader {
        text: document,
        lines: LineIndex::new(document),
        kind,
        options,
    };
    if let Some((offset, code)) = validate::find_unsupported_character(kind, document) {
        return Err(reader.fail(offset, Violation::UnsupportedCharacter { code, kind }));
    }

    let root = json::parse(document).map_err(|syntax| PolicyError::Json {
        location: reader.lines.locate(syntax.offset),
        error: syntax.error,
    })?;
    reader.document(id, &root)
}

/// A member of a JSON object, found by name.
struct Element<'n> {
    offset: usize,
    value: &'n Node,
}

/// The statement elements, each present or not.
#[derive(Default)]
struct StatementElements<'n> {
    sid: Option<Element<'n>>,
    effect: Option<Element<'n>>,
    principal: Option<Element<'n>>,
    not_principal: Option<Element<'n>>,
    action: Option<Element<'n>>,
    not_action: Option<Element<'n>>,
    resource: Option<Element<'n>>,
    not_resource: Option<Element<'n>>,
    condition: Option<Element<'n>>,
}

struct Reader<'t> {
    text: &'t str,
    lines: LineIndex<'t>,
    kind: PolicyKind,
    options: &'t CompileOptions,
}

impl Reader<'_> {
    fn fail(&self, offset: usize, violation: Violation) -> PolicyError {
        PolicyError::Invalid {
            kind: self.kind,
            location: self.lines.locate(offset),
            violation,
        }
    }

    fn document(&self, id: &str, root: &Node) -> Result<PolicyData, PolicyError> {
        let members = self.object(root, "the policy document")?;
        self.check_keys(members, "the policy document", DOCUMENT_ELEMENTS)?;

        let version = match find(members, "Version") {
            None => Version::Unspecified,
            Some(element) => match &element.value.value {
                Value::String(text) if &**text == "2012-10-17" => Version::V2012_10_17,
                Value::String(text) if &**text == "2008-10-17" => Version::V2008_10_17,
                Value::String(text) => {
                    return Err(self.fail(
                        element.value.offset,
                        Violation::InvalidVersion {
                            found: text.to_string(),
                        },
                    ));
                }
                other => return Err(self.wrong_type(element.value, "Version", "a string", other)),
            },
        };
        validate::check_version(self.kind, version)
            .map_err(|violation| self.fail(root.offset, violation))?;

        let document_id = match find(members, "Id") {
            None => None,
            Some(element) => match &element.value.value {
                Value::String(text) => Some(text.clone()),
                other => return Err(self.wrong_type(element.value, "Id", "a string", other)),
            },
        };

        let Some(statement_element) = find(members, "Statement") else {
            return Err(self.fail(
                root.offset,
                Violation::MissingElement {
                    element: "Statement",
                    context: "the policy",
                    reason: "add a Statement with at least one statement",
                },
            ));
        };
        let statement_nodes: Vec<&Node> = match &statement_element.value.value {
            Value::Object(_) => vec![statement_element.value],
            Value::Array(items) if items.is_empty() => {
                return Err(self.fail(statement_element.value.offset, Violation::NoStatements));
            }
            Value::Array(items) => items.iter().collect(),
            other => {
                return Err(self.wrong_type(
                    statement_element.value,
                    "Statement",
                    "an object or an array of objects",
                    other,
                ));
            }
        };

        let variables = if version.supports_variables() {
            Variables::Enabled
        } else {
            Variables::Disabled
        };
        let mut sids = HashSet::new();
        let statements = statement_nodes
            .into_iter()
            .enumerate()
            .map(|(index, node)| self.statement(index, node, variables, &mut sids))
            .collect::<Result<Vec<_>, _>>()?;

        Ok(PolicyData {
            id: id.into(),
            kind: self.kind,
            version,
            document_id,
            statements: statements.into_boxed_slice(),
            document: self.text.into(),
        })
    }

    fn statement(
        &self,
        index: usize,
        node: &Node,
        variables: Variables,
        sids: &mut HashSet<Box<str>>,
    ) -> Result<Statement, PolicyError> {
        let members = self.object(node, "each statement")?;
        self.check_keys(members, "a statement", STATEMENT_ELEMENTS)?;
        let elements = statement_elements(members);

        let sid = self.sid(&elements, sids)?;
        let effect = self.effect(node, &elements)?;
        let (actions, action_texts) = self.actions(node, &elements)?;
        let (resources, resource_texts) = self.resources(node, &elements, variables)?;
        let principals = self.principals(node, &elements)?;
        let conditions = match &elements.condition {
            Some(element) => self.conditions(element.value, variables)?,
            None => Vec::new(),
        };

        let shape = StatementShape {
            effect,
            not_principal: principals.as_ref().is_some_and(|block| block.negated),
            not_action: actions.negated,
            actions: &action_texts,
            not_resource: resources
                .as_ref()
                .is_some_and(|resources| resources.negated),
            resources: &resource_texts,
            has_condition: !conditions.is_empty(),
        };
        validate::check_statement_shape(self.kind, self.options, &shape).map_err(
            |shape_violation| {
                let offset =
                    element_offset(&elements, shape_violation.element).unwrap_or(node.offset);
                self.fail(offset, shape_violation.violation)
            },
        )?;

        Ok(Statement {
            index,
            sid,
            effect,
            location: self.lines.locate(node.offset),
            actions,
            resources,
            principals,
            conditions: conditions.into_boxed_slice(),
        })
    }

    fn sid(
        &self,
        elements: &StatementElements<'_>,
        sids: &mut HashSet<Box<str>>,
    ) -> Result<Option<Box<str>>, PolicyError> {
        let Some(element) = &elements.sid else {
            return Ok(None);
        };
        let Value::String(sid) = &element.value.value else {
            return Err(self.wrong_type(element.value, "Sid", "a string", &element.value.value));
        };
        validate::check_sid(self.kind, sid)
            .map_err(|violation| self.fail(element.value.offset, violation))?;
        if !sid.is_empty() && !sids.insert(sid.clone()) {
            return Err(self.fail(
                element.value.offset,
                Violation::DuplicateSid {
                    sid: sid.to_string(),
                },
            ));
        }
        Ok(Some(sid.clone()))
    }

    fn effect(&self, node: &Node, elements: &StatementElements<'_>) -> Result<Effect, PolicyError> {
        let Some(element) = &elements.effect else {
            return Err(self.fail(
                node.offset,
                Violation::MissingElement {
                    element: "Effect",
                    context: "this statement",
                    reason: "add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"",
                },
            ));
        };
        match &element.value.value {
            Value::String(text) if &**text == "Allow" => Ok(Effect::Allow),
            Value::String(text) if &**text == "Deny" => Ok(Effect::Deny),
            Value::String(text) => Err(self.fail(
                element.value.offset,
                Violation::InvalidEffect {
                    found: text.to_string(),
                },
            )),
            other => Err(self.wrong_type(
                element.value,
                "Effect",
                "the string \"Allow\" or \"Deny\"",
                other,
            )),
        }
    }

    fn actions<'n>(
        &self,
        node: &Node,
        elements: &StatementElements<'n>,
    ) -> Result<(ActionElement, Vec<&'n str>), PolicyError> {
        let (element, negated, name) = match (&elements.action, &elements.not_action) {
            (Some(_), Some(element)) => {
                return Err(self.fail(
                    element.offset,
                    Violation::Conflicting {
                        first: "Action",
                        second: "NotAction",
                    },
                ));
            }
            (Some(element), None) => (element, false, "Action"),
            (None, Some(element)) => (element, true, "NotAction"),
            (None, None) => {
                return Err(self.fail(
                    node.offset,
                    Violation::MissingElement {
                        element: "Action",
                        context: "this statement",
                        reason: "add Action or NotAction with the actions the statement covers",
                    },
                ));
            }
        };

        let texts = self.string_list(element.value, name)?;
        let mut patterns = Vec::with_capacity(texts.len());
        let mut locations = Vec::with_capacity(texts.len());
        for (text, offset) in &texts {
            let pattern = ActionPattern::new(text).map_err(|problem| {
                self.fail(
                    *offset,
                    Violation::InvalidAction {
                        action: (*text).to_owned(),
                        problem,
                    },
                )
            })?;
            patterns.push(pattern);
            locations.push(self.lines.locate(*offset));
        }

        let matcher = ActionMatcher::new(&patterns);
        let element = ActionElement {
            negated,
            patterns: patterns.into_boxed_slice(),
            locations: locations.into_boxed_slice(),
            matcher,
        };
        Ok((element, texts.into_iter().map(|(text, _)| text).collect()))
    }

    fn resources<'n>(
        &self,
        node: &Node,
        elements: &StatementElements<'n>,
        variables: Variables,
    ) -> Result<(Option<ResourceElement>, Vec<&'n str>), PolicyError> {
        let present = match (&elements.resource, &elements.not_resource) {
            (Some(_), Some(element)) => {
                return Err(self.fail(
                    element.offset,
                    Violation::Conflicting {
                        first: "Resource",
                        second: "NotResource",
                    },
                ));
            }
            (Some(element), None) => Some((element, false, "Resource")),
            (None, Some(element)) => Some((element, true, "NotResource")),
            (None, None) => None,
        };

        let (element, negated, name) = match (validate::resource_rule(self.kind), present) {
            (ResourceRule::Forbidden(reason), Some((element, _, name))) => {
                return Err(self.fail(
                    element.offset,
                    Violation::ElementNotAllowed {
                        element: name,
                        kind: self.kind,
                        reason,
                    },
                ));
            }
            (ResourceRule::Forbidden(_), None) => return Ok((None, Vec::new())),
            (ResourceRule::Required, None) => {
                return Err(self.fail(
                    node.offset,
                    Violation::MissingElement {
                        element: "Resource",
                        context: "this statement",
                        reason: "add Resource or NotResource; use \"*\" for all resources",
                    },
                ));
            }
            (ResourceRule::Required, Some(found)) => found,
        };

        let texts = self.string_list(element.value, name)?;
        if let Some((text, offset)) = texts
            .iter()
            .find(|(text, _)| !arn::is_valid_resource_text(text))
        {
            return Err(self.fail(
                *offset,
                Violation::InvalidResource {
                    resource: (*text).to_owned(),
                },
            ));
        }
        let patterns = texts
            .iter()
            .map(|(text, _)| ArnPattern::compile(text, variables))
            .collect();
        let element = ResourceElement {
            negated,
            texts: texts.iter().map(|(text, _)| Box::from(*text)).collect(),
            patterns,
        };
        Ok((
            Some(element),
            texts.into_iter().map(|(text, _)| text).collect(),
        ))
    }

    fn principals(
        &self,
        node: &Node,
        elements: &StatementElements<'_>,
    ) -> Result<Option<PrincipalBlock>, PolicyError> {
        let rule = validate::principal_rule(self.kind);
        let present = match (&elements.principal, &elements.not_principal) {
            (Some(_), Some(element)) => {
                return Err(self.fail(
                    element.offset,
                    Violation::Conflicting {
                        first: "Principal",
                        second: "NotPrincipal",
                    },
                ));
            }
            (Some(element), None) => Some((element, false)),
            (None, Some(element)) => Some((element, true)),
            (None, None) => None,
        };

        let (element, negated) = match (rule, present) {
            (PrincipalRule::Forbidden(reason), Some((element, negated))) => {
                return Err(self.fail(
                    element.offset,
                    Violation::ElementNotAllowed {
                        element: if negated { "NotPrincipal" } else { "Principal" },
                        kind: self.kind,
                        reason,
                    },
                ));
            }
            (PrincipalRule::Forbidden(_), None) => return Ok(None),
            (PrincipalRule::PrincipalOnly(reason), Some((element, true))) => {
                return Err(self.fail(
                    element.offset,
                    Violation::ElementNotAllowed {
                        element: "NotPrincipal",
                        kind: self.kind,
                        reason,
                    },
                ));
            }
            (PrincipalRule::Required | PrincipalRule::PrincipalOnly(_), None) => {
                return Err(self.fail(
                    node.offset,
                    Violation::MissingElement {
                        element: "Principal",
                        context: "this statement",
                        reason: "name who the statement applies to, or \"*\" for everyone",
                    },
                ));
            }
            (_, Some(found)) => found,
        };

        if self.kind == PolicyKind::ResourceControl
            && !matches!(&element.value.value, Value::String(text) if &**text == "*")
        {
            return Err(self.fail(
                element.value.offset,
                Violation::ResourceControlPrincipalNotWildcard,
            ));
        }
        let principal = self.principal_element(
            element.value,
            if negated { "NotPrincipal" } else { "Principal" },
        )?;
        Ok(Some(PrincipalBlock {
            negated,
            element: principal,
        }))
    }

    fn principal_element(
        &self,
        node: &Node,
        name: &'static str,
    ) -> Result<PrincipalElement, PolicyError> {
        let members = match &node.value {
            Value::String(text) if &**text == "*" => return Ok(PrincipalElement::Everyone),
            Value::String(text) => {
                return Err(self.fail(
                    node.offset,
                    Violation::InvalidPrincipal {
                        value: text.to_string(),
                        principal_type: name.to_owned(),
                        expected: "\"*\" or a map such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}",
                    },
                ));
            }
            Value::Object(members) => members,
            other => return Err(self.wrong_type(node, name, "\"*\" or an object", other)),
        };
        if members.is_empty() {
            return Err(self.fail(
                node.offset,
                Violation::EmptyList {
                    element: name.to_owned(),
                },
            ));
        }
        self.check_keys(members, "a Principal element", PRINCIPAL_TYPES)?;

        let mut specific = SpecificPrincipals::default();
        for member in members {
            let element_name = format!("{name}.{}", member.key);
            for (value, offset) in self.string_list(&member.value, &element_name)? {
                specific
                    .add(&member.key, value)
                    .map_err(|violation| self.fail(offset, violation))?;
            }
        }
        Ok(PrincipalElement::Specific(specific))
    }

    fn conditions(&self, node: &Node, variables: Variables) -> Result<Vec<Condition>, PolicyError> {
        let operators = self.object(node, "Condition")?;
        let mut seen_operators = HashSet::new();
        let mut conditions = Vec::new();

        for operator_member in operators {
            let Some(operator) = Operator::parse(&operator_member.key) else {
                return Err(self.fail(
                    operator_member.key_offset,
                    Violation::UnknownOperator {
                        operator: operator_member.key.to_string(),
                    },
                ));
            };
            if !seen_operators.insert(operator) {
                return Err(self.fail(
                    operator_member.key_offset,
                    Violation::DuplicateKey {
                        name: operator_member.key.to_string(),
                        context: "the Condition element",
                    },
                ));
            }

            let keys = self.object(&operator_member.value, &operator_member.key)?;
            let mut seen_keys = HashSet::new();
            for key_member in keys {
                if !seen_keys.insert(key_member.key.to_lowercase()) {
                    return Err(self.fail(
                        key_member.key_offset,
                        Violation::DuplicateKey {
                            name: key_member.key.to_string(),
                            context: "one condition operator",
                        },
                    ));
                }
                let raw_values = self.condition_values(key_member)?;
                let condition = Condition::compile(
                    operator,
                    &operator_member.key,
                    &key_member.key,
                    &raw_values,
                    variables,
                )
                .map_err(|(offset, violation)| {
                    self.fail(offset.unwrap_or(key_member.key_offset), violation)
                })?;
                conditions.push(condition);
            }
        }
        Ok(conditions)
    }

    /// Reads the values of one condition key: a string, number or boolean, or an array of
    /// them. Numbers keep their source text.
    fn condition_values(&self, member: &Member) -> Result<Vec<RawValue>, PolicyError> {
        let scalar = |node: &Node| -> Option<RawValue> {
            let text: Box<str> = match &node.value {
                Value::String(text) | Value::Number(text) => text.clone(),
                Value::Bool(flag) => if *flag { "true" } else { "false" }.into(),
                Value::Null | Value::Array(_) | Value::Object(_) => return None,
            };
            Some(RawValue {
                text,
                offset: node.offset,
            })
        };
        let element = format!("the value of condition key {:?}", member.key);
        let expected = "a string, number or boolean, or an array of them";

        match &member.value.value {
            Value::Array(items) => items
                .iter()
                .map(|item| {
                    scalar(item)
                        .ok_or_else(|| self.wrong_type(item, &element, expected, &item.value))
                })
                .collect(),
            other => scalar(&member.value)
                .map(|value| vec![value])
                .ok_or_else(|| self.wrong_type(&member.value, &element, expected, other)),
        }
    }

    /// Reads a string or a non-empty array of strings, with the offset of each.
    fn string_list<'n>(
        &self,
        node: &'n Node,
        element: &str,
    ) -> Result<Vec<(&'n str, usize)>, PolicyError> {
        match &node.value {
            Value::String(text) => Ok(vec![(text, node.offset)]),
            Value::Array(items) if items.is_empty() => Err(self.fail(
                node.offset,
                Violation::EmptyList {
                    element: element.to_owned(),
                },
            )),
            Value::Array(items) => items
                .iter()
                .map(|item| match &item.value {
                    Value::String(text) => Ok((&**text, item.offset)),
                    other => Err(self.wrong_type(
                        item,
                        &format!("each entry of {element}"),
                        "a string",
                        other,
                    )),
                })
                .collect(),
            other => Err(self.wrong_type(node, element, "a string or an array of strings", other)),
        }
    }

    fn object<'n>(&self, node: &'n Node, element: &str) -> Result<&'n [Member], PolicyError> {
        match &node.value {
            Value::Object(members) => Ok(members),
            other => Err(self.wrong_type(node, element, "an object", other)),
        }
    }

    fn check_keys(
        &self,
        members: &[Member],
        context: &'static str,
        allowed: &'static [&'static str],
    ) -> Result<(), PolicyError> {
        for (position, member) in members.iter().enumerate() {
            if !allowed.contains(&&*member.key) {
                return Err(self.fail(
                    member.key_offset,
                    Violation::UnknownElement {
                        name: member.key.to_string(),
                        context,
                        allowed,
                    },
                ));
            }
            if members
                .iter()
                .take(position)
                .any(|earlier| earlier.key == member.key)
            {
                return Err(self.fail(
                    member.key_offset,
                    Violation::DuplicateKey {
                        name: member.key.to_string(),
                        context,
                    },
                ));
            }
        }
        Ok(())
    }

    fn wrong_type(
        &self,
        node: &Node,
        element: &str,
        expected: &'static str,
        found: &Value,
    ) -> PolicyError {
        self.fail(
            node.offset,
            Violation::WrongType {
                element: element.to_owned(),
                expected,
                found: found.json_type(),
            },
        )
    }
}

fn find<'n>(members: &'n [Member], name: &str) -> Option<Element<'n>> {
    members
        .iter()
        .find(|member| &*member.key == name)
        .map(|member| Element {
            offset: member.key_offset,
            value: &member.value,
        })
}

fn statement_elements(members: &[Member]) -> StatementElements<'_> {
    StatementElements {
        sid: find(members, "Sid"),
        effect: find(members, "Effect"),
        principal: find(members, "Principal"),
        not_principal: find(members, "NotPrincipal"),
        action: find(members, "Action"),
        not_action: find(members, "NotAction"),
        resource: find(members, "Resource"),
        not_resource: find(members, "NotResource"),
        condition: find(members, "Condition"),
    }
}

fn element_offset(elements: &StatementElements<'_>, name: &str) -> Option<usize> {
    let element = match name {
        "Effect" => &elements.effect,
        "Action" => &elements.action,
        "NotAction" => &elements.not_action,
        "Resource" => &elements.resource,
        "NotResource" => &elements.not_resource,
        "NotPrincipal" => &elements.not_principal,
        "Condition" => &elements.condition,
        _ => &None,
    };
    element.as_ref().map(|element| element.offset)
}
