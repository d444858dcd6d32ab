//! `NextToken` and `MaxResults` for the List operations.
//!
//! Listings follow creation order, so a page token records the position of the last item
//! returned and the listing it belongs to. A token from another listing, or one that was
//! altered, is rejected with `InvalidInputException` (`INVALID_NEXT_TOKEN`), as AWS rejects it.

use std::collections::BTreeMap;
use std::ops::Bound;

use model::organizations::InvalidInputExceptionReason;

use super::OrganizationsError;

/// The page size when a request gives no `MaxResults`; AWS's Organizations maximum is 20.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 20;

/// Where a page starts and how long it is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageRequest {
    scope: u64,
    after: Option<u64>,
    size: usize,
}

impl PageRequest {
    /// Reads `NextToken` and `MaxResults` for the listing named by `scope` (the operation and
    /// its parameters, such as `ListChildren:ou-ab12-34567890:ACCOUNT`).
    pub(crate) fn new(
        scope: &str,
        next_token: Option<&str>,
        max_results: Option<i32>,
    ) -> Result<PageRequest, OrganizationsError> {
        let scope = fingerprint(scope);
        let after = match next_token {
            None => None,
            Some(token) => Some(decode(token, scope).ok_or_else(|| {
                OrganizationsError::invalid(
                    InvalidInputExceptionReason::InvalidNextToken,
                    "The NextToken is not valid for this request. Use the NextToken from the previous response of the same call.",
                )
            })?),
        };
        let size = max_results
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_PAGE_SIZE);
        Ok(PageRequest { scope, after, size })
    }

    /// Takes one page from an ordered listing and returns it with the token of the next page.
    pub(crate) fn take<'a, T>(&self, items: &'a BTreeMap<u64, T>) -> (Vec<&'a T>, Option<String>) {
        let start = self.after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut range = items.range((start, Bound::Unbounded));
        let page: Vec<(&u64, &T)> = range.by_ref().take(self.size).collect();
        let next = match (range.next(), page.last()) {
            (Some(_), Some((seq, _))) => Some(encode(self.scope, **seq)),
            _ => None,
        };
        (page.into_iter().map(|(_, item)| item).collect(), next)
    }
}

/// FNV-1a over the scope text: a stable fingerprint, not a secret.
fn fingerprint(scope: &str) -> u64 {
    scope.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn encode(scope: u64, seq: u64) -> String {
    format!("{scope:016x}{seq:016x}")
}

fn decode(token: &str, scope: u64) -> Option<u64> {
    if token.len() != 32 || !token.is_ascii() {
        return None;
    }
    let (token_scope, seq) = token.split_at(16);
    let token_scope = u64::from_str_radix(token_scope, 16).ok()?;
    let seq = u64::from_str_radix(seq, 16).ok()?;
    (token_scope == scope).then_some(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(count: u64) -> BTreeMap<u64, u64> {
        (1..=count).map(|n| (n * 10, n)).collect()
    }

    #[test]
    fn pages_cover_every_item_once() {
        let items = items(5);
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = PageRequest::new("ListAccounts", token.as_deref(), Some(2)).unwrap();
            let (values, next) = page.take(&items);
            seen.extend(values.into_iter().copied());
            match next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn last_full_page_has_no_token() {
        let items = items(5);
        let (values, next) = PageRequest::new("x", None, Some(5)).unwrap().take(&items);
        assert_eq!(values.len(), 5);
        assert_eq!(next, None);
    }

    #[test]
    fn foreign_or_forged_token_is_rejected() {
        let (_, next) = PageRequest::new("ListAccounts", None, Some(1))
            .unwrap()
            .take(&items(3));
        let token = next.unwrap();
        assert!(PageRequest::new("ListRoots", Some(&token), None).is_err());
        assert!(PageRequest::new("ListAccounts", Some("not-a-token"), None).is_err());
        assert!(PageRequest::new("ListAccounts", Some(&"é".repeat(16)), None).is_err());
        assert!(PageRequest::new("ListAccounts", Some(&token), None).is_ok());
    }
}
