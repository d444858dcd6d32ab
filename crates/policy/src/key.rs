//! Names compared without regard to letter case (condition keys, action service prefixes
//! and names), each stored lower-cased with a 64-bit fingerprint, so that lookups on the
//! evaluation path compare integers before they compare text.

use std::cmp::Ordering;

/// A lower-cased name with its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct KeyName {
    fingerprint: u64,
    lowercase: Box<str>,
}

impl KeyName {
    /// Lower-cases `name` and fingerprints it.
    pub(crate) fn new(name: &str) -> KeyName {
        let lowercase = lowercase_key(name);
        KeyName {
            fingerprint: fingerprint(&lowercase),
            lowercase,
        }
    }

    /// Returns the lower-cased name.
    pub(crate) fn as_str(&self) -> &str {
        &self.lowercase
    }

    /// Returns the fingerprint of the lower-cased name.
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Orders by fingerprint, then by text; the order used by sorted lookup tables.
    pub(crate) fn order(&self, fingerprint: u64, lowercase: &str) -> Ordering {
        self.fingerprint
            .cmp(&fingerprint)
            .then_with(|| (*self.lowercase).cmp(lowercase))
    }
}

/// Lower-cases a name. Condition key names are case-insensitive in AWS, so both the policy
/// side and the request context store them in this form.
pub(crate) fn lowercase_key(key: &str) -> Box<str> {
    if key
        .bytes()
        .any(|byte| byte.is_ascii_uppercase() || !byte.is_ascii())
    {
        key.to_lowercase().into_boxed_str()
    } else {
        key.into()
    }
}

/// Computes the 64-bit FNV-1a hash of `text`. It only speeds up lookups, and every match
/// is confirmed on the text, so collisions cost time but never change a result.
pub(crate) fn fingerprint(text: &str) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    text.bytes().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case() {
        assert_eq!(
            KeyName::new("aws:PrincipalTag/Team"),
            KeyName::new("AWS:principaltag/team")
        );
        assert_ne!(KeyName::new("aws:a"), KeyName::new("aws:b"));
        assert_eq!(KeyName::new("ÉTÉ:x").as_str(), "été:x");
    }

    #[test]
    fn fingerprint_matches_reference_values() {
        assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
