//! A compiled policy: parsed, validated for its kind, with matchers built, ready to be
//! evaluated any number of times.
//!
//! [`Policy`] is a cheap handle (one reference count) so that the organization model and
//! identity caches can share one compiled copy per policy.

use std::fmt;
use std::sync::Arc;

use crate::error::PolicyError;
use crate::kind::{CompileOptions, PolicyKind, SizeCounting};
use crate::parse;
use crate::statement::Statement;

/// The policy language version from the `Version` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `"2012-10-17"`: the current language, with policy variables.
    V2012_10_17,
    /// `"2008-10-17"`: the original language, in which `${...}` is literal text.
    V2008_10_17,
    /// No `Version` element; treated like `2008-10-17`.
    Unspecified,
}

impl Version {
    /// Returns true when `${...}` is read as a policy variable.
    pub fn supports_variables(self) -> bool {
        self == Version::V2012_10_17
    }
}

/// A compiled policy document.
#[derive(Clone)]
pub struct Policy {
    inner: Arc<PolicyData>,
}

pub(crate) struct PolicyData {
    pub(crate) id: Box<str>,
    pub(crate) kind: PolicyKind,
    pub(crate) version: Version,
    pub(crate) document_id: Option<Box<str>>,
    pub(crate) statements: Box<[Statement]>,
    pub(crate) document: Box<str>,
}

impl Policy {
    /// Parses, validates and compiles `document` as a policy of `kind`, with AWS's default
    /// quota and grammar for that kind. `id` names the policy in traces, for example
    /// `p-FullAWSAccess` or a managed policy ARN.
    ///
    /// Errors: [`PolicyError::Json`] for invalid JSON, [`PolicyError::Invalid`] for a
    /// grammar or kind rule the document breaks, [`PolicyError::TooLarge`] for a document
    /// over its quota.
    pub fn compile(id: &str, kind: PolicyKind, document: &str) -> Result<Policy, PolicyError> {
        Policy::compile_with(id, kind, document, &CompileOptions::default())
    }

    /// Like [`Policy::compile`], with options for the SCP grammar, AWS-managed policies and
    /// the size quota.
    pub fn compile_with(
        id: &str,
        kind: PolicyKind,
        document: &str,
        options: &CompileOptions,
    ) -> Result<Policy, PolicyError> {
        let data = parse::compile(id, kind, document, options)?;
        Ok(Policy {
            inner: Arc::new(data),
        })
    }

    /// Returns the identifier given at compile time.
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// Returns the kind the policy was compiled as.
    pub fn kind(&self) -> PolicyKind {
        self.inner.kind
    }

    /// Returns the language version.
    pub fn version(&self) -> Version {
        self.inner.version
    }

    /// Returns the document's own `Id` element, if any.
    pub fn document_id(&self) -> Option<&str> {
        self.inner.document_id.as_deref()
    }

    /// Returns the statements in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.inner.statements
    }

    /// Returns the document text exactly as compiled.
    pub fn document(&self) -> &str {
        &self.inner.document
    }

    /// Returns the size in characters without whitespace outside strings, the measure IAM
    /// applies to the sum of an entity's inline policies.
    pub fn size_without_whitespace(&self) -> usize {
        SizeCounting::WithoutWhitespace.measure(&self.inner.document)
    }

    /// Returns true when both handles share one compiled policy.
    pub fn ptr_eq(&self, other: &Policy) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("id", &self.inner.id)
            .field("kind", &self.inner.kind)
            .field("statements", &self.inner.statements.len())
            .finish()
    }
}
