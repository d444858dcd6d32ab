//! The request being authorized: who calls (the principal), what they call (the action),
//! on what (the resource), and the request context that conditions read.
//!
//! A request is built once per API call and may be evaluated against many policy sets.
//! Building it lower-cases the action and the context key names and sorts the context, so
//! that evaluation can compare bytes and find keys by binary search without allocating.

use std::fmt;

use crate::action::{Action, InvalidAction};
use crate::key::KeyName;
use crate::pattern::Resolve;

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    kind: PrincipalKind,
    arn: Box<str>,
    account: Option<Box<str>>,
}

/// The kind of caller a [`Principal`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// The root user of an account.
    Root,
    /// An IAM user.
    User,
    /// A role session created by `sts:AssumeRole*`.
    AssumedRole {
        /// The role's ARN, with its path: `arn:aws:iam::111122223333:role/path/Name`.
        role_arn: Box<str>,
        /// True for a service-linked role (path `/aws-service-role/`), to which SCPs and
        /// RCPs do not apply.
        service_linked: bool,
    },
    /// A federated user session created by `sts:GetFederationToken`.
    FederatedUser {
        /// The ARN of the IAM user who called `GetFederationToken`, when known.
        federating_user_arn: Option<Box<str>>,
    },
    /// A web-identity or SAML caller, named in trust policies by its identity provider, such
    /// as `cognito-identity.amazonaws.com` or a SAML provider ARN.
    WebIdentity {
        /// The identity provider.
        provider: Box<str>,
    },
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service {
        /// The service principal name.
        service: Box<str>,
    },
    /// An unsigned request.
    Anonymous,
}

/// An error building a principal or a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The ARN does not name a root user, IAM user, role session or federated user.
    #[error(
        "principal ARN {arn:?} is not valid; expected arn:PARTITION:iam::ACCOUNT:root, :user/NAME, arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION or :federated-user/NAME"
    )]
    InvalidPrincipalArn {
        /// The ARN as given.
        arn: String,
    },
    /// The role ARN is not `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
    #[error("role ARN {arn:?} is not valid; expected arn:PARTITION:iam::ACCOUNT:role/NAME")]
    InvalidRoleArn {
        /// The ARN as given.
        arn: String,
    },
    /// The action is not `service:Name`.
    #[error(transparent)]
    InvalidAction(#[from] InvalidAction),
}

/// The parts of an IAM or STS ARN that name a principal.
struct PrincipalArnParts<'a> {
    partition: &'a str,
    service: &'a str,
    account: &'a str,
    resource: &'a str,
}

fn split_principal_arn(arn: &str) -> Option<PrincipalArnParts<'_>> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    let valid_account = account.len() == 12 && account.bytes().all(|byte| byte.is_ascii_digit());
    if partition.is_empty() || !region.is_empty() || !valid_account || resource.is_empty() {
        return None;
    }
    Some(PrincipalArnParts {
        partition,
        service,
        account,
        resource,
    })
}

impl Principal {
    /// Builds a principal from the ARN a caller is known by: a root user
    /// (`arn:aws:iam::111122223333:root`), an IAM user (`...:user/path/name`), a role session
    /// (`arn:aws:sts::111122223333:assumed-role/Role/session`) or a federated user
    /// (`arn:aws:sts::111122223333:federated-user/name`).
    ///
    /// A role session built this way records the role ARN without its path; use
    /// [`Principal::assumed_role`] when the path is known. Roles named `AWSServiceRoleFor*`
    /// are recognised as service-linked.
    pub fn from_arn(arn: &str) -> Result<Principal, RequestError> {
        let invalid = || RequestError::InvalidPrincipalArn {
            arn: arn.to_owned(),
        };
        let parts = split_principal_arn(arn).ok_or_else(invalid)?;

        let kind = match (parts.service, parts.resource) {
            ("iam", "root") => PrincipalKind::Root,
            ("iam", resource) if resource.starts_with("user/") => PrincipalKind::User,
            ("sts", resource) if resource.starts_with("assumed-role/") => {
                let mut names = resource.trim_start_matches("assumed-role/").splitn(2, '/');
                let role_name = names
                    .next()
                    .filter(|name| !name.is_empty())
                    .ok_or_else(invalid)?;
                names
                    .next()
                    .filter(|session| !session.is_empty())
                    .ok_or_else(invalid)?;
                PrincipalKind::AssumedRole {
                    role_arn: format!(
                        "arn:{}:iam::{}:role/{role_name}",
                        parts.partition, parts.account
                    )
                    .into(),
                    service_linked: role_name.starts_with("AWSServiceRoleFor"),
                }
            }
            ("sts", resource)
                if resource.starts_with("federated-user/")
                    && resource.len() > "federated-user/".len() =>
            {
                PrincipalKind::FederatedUser {
                    federating_user_arn: None,
                }
            }
            _ => return Err(invalid()),
        };

        Ok(Principal {
            kind,
            arn: arn.into(),
            account: Some(parts.account.into()),
        })
    }

    /// Builds the root user of `account_id` in the `aws` partition.
    pub fn root(account_id: &str) -> Principal {
        Principal {
            kind: PrincipalKind::Root,
            arn: format!("arn:aws:iam::{account_id}:root").into(),
            account: Some(account_id.into()),
        }
    }

    /// Builds a session of the role `role_arn` (with its path) named `session_name`. The
    /// session ARN drops the path, as STS does.
    pub fn assumed_role(role_arn: &str, session_name: &str) -> Result<Principal, RequestError> {
        let invalid = || RequestError::InvalidRoleArn {
            arn: role_arn.to_owned(),
        };
        let parts = split_principal_arn(role_arn).ok_or_else(invalid)?;
        let path_and_name = parts
            .resource
            .strip_prefix("role/")
            .filter(|_| parts.service == "iam")
            .ok_or_else(invalid)?;
        let name = path_and_name
            .rsplit('/')
            .next()
            .filter(|name| !name.is_empty())
            .ok_or_else(invalid)?;

        let session_arn = format!(
            "arn:{}:sts::{}:assumed-role/{name}/{session_name}",
            parts.partition, parts.account
        );
        Ok(Principal {
            kind: PrincipalKind::AssumedRole {
                role_arn: role_arn.into(),
                service_linked: path_and_name.starts_with("aws-service-role/")
                    || name.starts_with("AWSServiceRoleFor"),
            },
            arn: session_arn.into(),
            account: Some(parts.account.into()),
        })
    }

    /// Builds a federated user session `arn:PARTITION:sts::ACCOUNT:federated-user/NAME`
    /// created by the IAM user `federating_user_arn`.
    pub fn federated_user(
        federated_user_arn: &str,
        federating_user_arn: Option<&str>,
    ) -> Result<Principal, RequestError> {
        let mut principal = Principal::from_arn(federated_user_arn)?;
        match &mut principal.kind {
            PrincipalKind::FederatedUser {
                federating_user_arn: slot,
            } => {
                *slot = federating_user_arn.map(Into::into);
                Ok(principal)
            }
            _ => Err(RequestError::InvalidPrincipalArn {
                arn: federated_user_arn.to_owned(),
            }),
        }
    }

    /// Builds an AWS service principal such as `cloudtrail.amazonaws.com`.
    pub fn service(service: &str) -> Principal {
        Principal {
            kind: PrincipalKind::Service {
                service: service.into(),
            },
            arn: service.into(),
            account: None,
        }
    }

    /// Builds a web-identity or SAML caller authenticated by `provider`.
    pub fn web_identity(provider: &str) -> Principal {
        Principal {
            kind: PrincipalKind::WebIdentity {
                provider: provider.into(),
            },
            arn: provider.into(),
            account: None,
        }
    }

    /// Builds the caller of an unsigned request.
    pub fn anonymous() -> Principal {
        Principal {
            kind: PrincipalKind::Anonymous,
            arn: "*".into(),
            account: None,
        }
    }

    /// Returns what kind of caller this is.
    pub fn kind(&self) -> &PrincipalKind {
        &self.kind
    }

    /// Returns the caller's ARN: the session ARN for a role session, the service name for a
    /// service principal, `*` for an anonymous caller.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// Returns the account the caller belongs to; `None` for service principals, web
    /// identities and anonymous callers.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// Returns the value of `aws:PrincipalArn`: the role ARN for a role session, the
    /// caller's ARN otherwise.
    pub fn principal_arn(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::AssumedRole { role_arn, .. } => Some(role_arn),
            PrincipalKind::Root | PrincipalKind::User | PrincipalKind::FederatedUser { .. } => {
                Some(&self.arn)
            }
            PrincipalKind::WebIdentity { .. }
            | PrincipalKind::Service { .. }
            | PrincipalKind::Anonymous => None,
        }
    }

    /// Returns true for a session of a service-linked role.
    pub fn is_service_linked_role(&self) -> bool {
        matches!(
            self.kind,
            PrincipalKind::AssumedRole {
                service_linked: true,
                ..
            }
        )
    }

    /// Returns true for role sessions and federated user sessions, which session policies
    /// can limit.
    pub fn is_session(&self) -> bool {
        matches!(
            self.kind,
            PrincipalKind::AssumedRole { .. } | PrincipalKind::FederatedUser { .. }
        )
    }

    /// Returns the value of `aws:PrincipalType`.
    fn principal_type(&self) -> Option<&'static str> {
        match self.kind {
            PrincipalKind::Root => Some("Account"),
            PrincipalKind::User => Some("User"),
            PrincipalKind::AssumedRole { .. } => Some("AssumedRole"),
            PrincipalKind::FederatedUser { .. } => Some("FederatedUser"),
            PrincipalKind::Anonymous => Some("Anonymous"),
            PrincipalKind::WebIdentity { .. } | PrincipalKind::Service { .. } => None,
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

/// The resource a request acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    arn: Box<str>,
    account: Option<Box<str>>,
    aws_managed_key: bool,
}

impl Resource {
    /// Builds a resource from its ARN, or `*` for actions that take no resource. The owning
    /// account is read from the ARN's account segment when it has one; S3 bucket ARNs have
    /// none, so set it with [`Resource::with_account`].
    pub fn new(arn: &str) -> Resource {
        let account = arn
            .split(':')
            .nth(4)
            .filter(|account| {
                account.len() == 12 && account.bytes().all(|byte| byte.is_ascii_digit())
            })
            .map(Into::into);
        Resource {
            arn: arn.into(),
            account,
            aws_managed_key: false,
        }
    }

    /// Sets the account that owns the resource.
    #[must_use]
    pub fn with_account(mut self, account_id: &str) -> Resource {
        self.account = Some(account_id.into());
        self
    }

    /// Marks the resource as an AWS managed KMS key, to which RCPs do not apply.
    #[must_use]
    pub fn aws_managed_key(mut self) -> Resource {
        self.aws_managed_key = true;
        self
    }

    /// Returns the ARN (or `*`).
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// Returns the owning account, if known.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// Returns true for an AWS managed KMS key.
    pub fn is_aws_managed_key(&self) -> bool {
        self.aws_managed_key
    }
}

/// One key of the request context.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ContextEntry {
    key: KeyName,
    values: ContextValues,
}

/// The values of a context key. Single values are stored without a list so that building
/// a request allocates less.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ContextValues {
    Single(Box<str>),
    Multiple(Box<[Box<str>]>),
}

impl ContextValues {
    fn as_slice(&self) -> &[Box<str>] {
        match self {
            ContextValues::Single(value) => std::slice::from_ref(value),
            ContextValues::Multiple(values) => values,
        }
    }
}

/// The request context: condition keys and their values. Key names are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Context {
    entries: Vec<ContextEntry>,
}

impl Context {
    /// Creates an empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets a single-valued key, replacing any earlier value.
    pub fn insert(&mut self, key: &str, value: &str) {
        self.put(KeyName::new(key), ContextValues::Single(value.into()), true);
    }

    /// Sets a multi-valued key such as `aws:TagKeys`, replacing any earlier value.
    pub fn insert_multi<I, S>(&mut self, key: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let values = values
            .into_iter()
            .map(|value| value.as_ref().into())
            .collect();
        self.put(KeyName::new(key), ContextValues::Multiple(values), true);
    }

    /// Returns true when the context has the key (in any letter case).
    pub fn contains(&self, key: &str) -> bool {
        self.find(&KeyName::new(key)).is_some()
    }

    /// Returns the values of `key` (in any letter case) as given, including empty ones.
    pub fn get(&self, key: &str) -> Option<&[Box<str>]> {
        self.find(&KeyName::new(key))
            .map(|entry| entry.values.as_slice())
    }

    /// Returns every key (lower-cased) with its values, in the context's sorted order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[Box<str>])> {
        self.entries
            .iter()
            .map(|entry| (entry.key.as_str(), entry.values.as_slice()))
    }

    /// Stores `values` under `key`. An existing key keeps its values unless `replace`.
    fn put(&mut self, key: KeyName, values: ContextValues, replace: bool) {
        let position = self
            .entries
            .binary_search_by(|existing| existing.key.order(key.fingerprint(), key.as_str()));
        match position {
            Ok(index) => {
                if let (true, Some(slot)) = (replace, self.entries.get_mut(index)) {
                    slot.values = values;
                }
            }
            Err(index) => self.entries.insert(index, ContextEntry { key, values }),
        }
    }

    /// Sets a single-valued key unless the context already has it.
    fn insert_if_missing(&mut self, key: &str, value: &str) {
        self.put(
            KeyName::new(key),
            ContextValues::Single(value.into()),
            false,
        );
    }

    fn find(&self, key: &KeyName) -> Option<&ContextEntry> {
        self.entries
            .binary_search_by(|entry| entry.key.order(key.fingerprint(), key.as_str()))
            .ok()
            .and_then(|index| self.entries.get(index))
    }

    /// Returns the values of a key for comparison, or `None` when the key is missing, has no
    /// values, or has only an empty string.
    // NOTE: AWS documents that a policy variable with an empty value resolves to nothing.
    // Treating an empty context value as a missing key for every operator but `Null`
    // extends that rule, as other evaluators do; AWS does not state it for conditions.
    pub(crate) fn values(&self, key: &KeyName) -> Option<&[Box<str>]> {
        let entry = self.find(key)?;
        match entry.values.as_slice() {
            [] => None,
            [only] if only.is_empty() => None,
            values => Some(values),
        }
    }

    /// Returns true when `Null` should see the key as missing: absent, or with no values.
    pub(crate) fn is_missing_for_null(&self, key: &KeyName) -> bool {
        self.find(key)
            .is_none_or(|entry| entry.values.as_slice().is_empty())
    }
}

impl Resolve for Context {
    fn resolve(&self, key: &KeyName) -> Option<&str> {
        match &self.find(key)?.values {
            ContextValues::Single(value) if !value.is_empty() => Some(value),
            ContextValues::Single(_) | ContextValues::Multiple(_) => None,
        }
    }
}

/// A request to authorize: one principal, one action, one resource. AWS authorizes an
/// action that touches several resources (`ec2:RunInstances` names an instance, volumes,
/// network interfaces and an image) once per resource, so the caller builds one request
/// for each and allows the call only if every one is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    principal: Principal,
    action: Action,
    resource: Resource,
    context: Context,
}

impl Request {
    /// Starts building a request for `principal` calling `action` (`service:Name`) on
    /// `resource`.
    pub fn builder(principal: Principal, action: &str, resource: Resource) -> RequestBuilder {
        RequestBuilder {
            principal,
            action: action.to_owned(),
            resource,
            region: None,
            context: Context::new(),
        }
    }

    /// Returns the caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// Returns the action.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// Returns the resource.
    pub fn resource(&self) -> &Resource {
        &self.resource
    }

    /// Returns the request context, including the keys the builder derived.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Replaces the action and keeps the principal, resource and context, none of whose
    /// derived keys depends on the action. A caller that decides many actions for one caller
    /// and region builds the request once this way.
    pub fn set_action(&mut self, action: Action) {
        self.action = action;
    }

    /// Returns true when the caller's account owns the resource, or when the resource's
    /// owner is unknown (resource `*`).
    pub fn is_same_account(&self) -> bool {
        match (self.principal.account(), self.resource.account()) {
            (Some(caller), Some(owner)) => caller == owner,
            (None, Some(_)) => false,
            (_, None) => true,
        }
    }
}

/// Builds a [`Request`]; see [`Request::builder`].
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    principal: Principal,
    action: String,
    resource: Resource,
    region: Option<String>,
    context: Context,
}

impl RequestBuilder {
    /// Sets the region the request is sent to, which becomes `aws:RequestedRegion`.
    #[must_use]
    pub fn region(mut self, region: &str) -> RequestBuilder {
        self.region = Some(region.to_owned());
        self
    }

    /// Sets a single-valued context key.
    #[must_use]
    pub fn context(mut self, key: &str, value: &str) -> RequestBuilder {
        self.context.insert(key, value);
        self
    }

    /// Sets a multi-valued context key.
    #[must_use]
    pub fn context_multi<I, S>(mut self, key: &str, values: I) -> RequestBuilder
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.context.insert_multi(key, values);
        self
    }

    /// Builds the request. The global keys that follow from the principal, region and
    /// resource are added unless the caller set them: `aws:PrincipalArn`,
    /// `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:PrincipalIsAWSService`,
    /// `aws:username` (IAM users), `aws:RequestedRegion` and `aws:ResourceAccount`.
    pub fn build(self) -> Result<Request, RequestError> {
        let action = Action::new(&self.action)?;
        let mut context = self.context;
        let principal = &self.principal;

        let mut derive = |key: &str, value: Option<&str>| {
            if let Some(value) = value {
                context.insert_if_missing(key, value);
            }
        };
        derive("aws:PrincipalArn", principal.principal_arn());
        derive("aws:PrincipalAccount", principal.account());
        derive("aws:PrincipalType", principal.principal_type());
        let is_service = matches!(principal.kind, PrincipalKind::Service { .. });
        if !matches!(principal.kind, PrincipalKind::Anonymous) {
            derive(
                "aws:PrincipalIsAWSService",
                Some(if is_service { "true" } else { "false" }),
            );
        }
        if principal.kind == PrincipalKind::User {
            derive("aws:username", principal.arn.rsplit('/').next());
        }
        derive("aws:RequestedRegion", self.region.as_deref());
        derive("aws:ResourceAccount", self.resource.account());

        Ok(Request {
            principal: self.principal,
            action,
            resource: self.resource,
            context,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_from_arn_table() {
        let root = Principal::from_arn("arn:aws:iam::111122223333:root").unwrap();
        assert_eq!(root.kind(), &PrincipalKind::Root);
        assert_eq!(root.account(), Some("111122223333"));

        let user = Principal::from_arn("arn:aws:iam::111122223333:user/dev/alice").unwrap();
        assert_eq!(user.kind(), &PrincipalKind::User);

        let session =
            Principal::from_arn("arn:aws:sts::111122223333:assumed-role/Admin/alice").unwrap();
        assert_eq!(
            session.principal_arn(),
            Some("arn:aws:iam::111122223333:role/Admin")
        );
        assert!(!session.is_service_linked_role());
        assert!(session.is_session());

        let service_linked = Principal::from_arn(
            "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForConfig/config",
        )
        .unwrap();
        assert!(service_linked.is_service_linked_role());

        for invalid in [
            "arn:aws:iam::111122223333:role/Admin",
            "arn:aws:iam::11112222333:root",
            "arn:aws:iam:us-east-1:111122223333:root",
            "arn:aws:sts::111122223333:assumed-role/Admin",
            "arn:aws:sts::111122223333:federated-user/",
            "not an arn",
        ] {
            assert!(Principal::from_arn(invalid).is_err(), "{invalid}");
        }
    }

    #[test]
    fn assumed_role_keeps_path_in_role_arn() {
        let session =
            Principal::assumed_role("arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", "s1").unwrap();
        assert_eq!(
            session.arn(),
            "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForConfig/s1"
        );
        assert!(session.is_service_linked_role());

        let plain =
            Principal::assumed_role("arn:aws:iam::111122223333:role/team/Deploy", "ci").unwrap();
        assert_eq!(
            plain.arn(),
            "arn:aws:sts::111122223333:assumed-role/Deploy/ci"
        );
        assert_eq!(
            plain.principal_arn(),
            Some("arn:aws:iam::111122223333:role/team/Deploy")
        );
        assert!(!plain.is_service_linked_role());

        assert!(Principal::assumed_role("arn:aws:iam::111122223333:user/x", "s").is_err());
    }

    #[test]
    fn builder_derives_global_keys() {
        let request = Request::builder(
            Principal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap(),
            "s3:GetObject",
            Resource::new("arn:aws:s3:::bucket/key").with_account("111122223333"),
        )
        .region("eu-west-1")
        .context("aws:PrincipalArn", "override")
        .build()
        .unwrap();

        let context = request.context();
        assert_eq!(
            context.get("AWS:PRINCIPALARN").unwrap()[0].as_ref(),
            "override"
        );
        assert_eq!(
            context.get("aws:PrincipalAccount").unwrap()[0].as_ref(),
            "111122223333"
        );
        assert_eq!(context.get("aws:username").unwrap()[0].as_ref(), "alice");
        assert_eq!(
            context.get("aws:RequestedRegion").unwrap()[0].as_ref(),
            "eu-west-1"
        );
        assert_eq!(
            context.get("aws:PrincipalType").unwrap()[0].as_ref(),
            "User"
        );
        assert_eq!(
            context.get("aws:PrincipalIsAWSService").unwrap()[0].as_ref(),
            "false"
        );
        assert_eq!(
            context.get("aws:ResourceAccount").unwrap()[0].as_ref(),
            "111122223333"
        );
        assert!(request.is_same_account());
    }

    #[test]
    fn context_values_treat_empty_as_missing() {
        let mut context = Context::new();
        context.insert("aws:SourceVpc", "");
        context.insert_multi("aws:TagKeys", Vec::<String>::new());
        context.insert("aws:SourceIp", "203.0.113.1");

        let key = KeyName::new;
        assert_eq!(context.values(&key("aws:SourceVpc")), None);
        assert!(!context.is_missing_for_null(&key("aws:SourceVpc")));
        assert_eq!(context.values(&key("aws:TagKeys")), None);
        assert!(context.is_missing_for_null(&key("aws:TagKeys")));
        assert!(context.is_missing_for_null(&key("aws:Absent")));
        assert_eq!(
            context.values(&key("AWS:SOURCEIP")).map(<[Box<str>]>::len),
            Some(1)
        );
    }

    #[test]
    fn resource_reads_account_from_arn() {
        assert_eq!(
            Resource::new("arn:aws:sqs:us-east-1:111122223333:queue").account(),
            Some("111122223333")
        );
        assert_eq!(Resource::new("arn:aws:s3:::bucket").account(), None);
        assert_eq!(Resource::new("*").account(), None);
    }
}
