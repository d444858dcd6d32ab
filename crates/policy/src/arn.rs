//! ARN matching for the `Resource` and `NotResource` elements and the `Arn*` condition
//! operators.
//!
//! An ARN has six colon-separated segments: `arn`, partition, service, region, account and
//! resource; the resource segment may itself contain colons. A pattern is matched segment
//! by segment, with `*` and `?` inside a segment. A `*` that ends a segment may also run
//! past the following colons, so `arn:aws:s3:*` covers every S3 ARN. Case matters
//! throughout: IAM user names and S3 keys are case-sensitive.

use crate::pattern::{Case, Pattern, Resolve, Variables, Wildcards};

/// Number of segments in a complete ARN.
const ARN_SEGMENTS: usize = 6;

/// A compiled `Resource` entry or `Arn*` condition value.
// NOTE: AWS describes `ArnLike` as comparing the six segments one by one. Both uses share
// this matcher, so a condition value whose segment ends in `*` may also run past a colon as
// a Resource entry does. The two differ only for malformed ARNs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArnPattern {
    segments: Box<[Pattern]>,
    any: bool,
}

impl ArnPattern {
    /// Compiles an ARN pattern. A lone `*` matches every resource.
    pub(crate) fn compile(text: &str, variables: Variables) -> ArnPattern {
        let segments: Vec<Pattern> = split_segments(text, variables)
            .into_iter()
            .map(|segment| Pattern::compile(segment, Wildcards::Enabled, variables))
            .collect();
        let any = matches!(segments.as_slice(), [only] if only.is_any());
        ArnPattern {
            segments: segments.into_boxed_slice(),
            any,
        }
    }

    /// Returns true when `arn` matches, resolving policy variables from `variables`.
    pub(crate) fn matches<R: Resolve + ?Sized>(&self, arn: &str, variables: &R) -> bool {
        if self.any {
            return true;
        }
        let target = ArnSegments::split(arn);
        match_from(&self.segments, 0, &target, 0, variables)
    }
}

/// Splits `text` at its first five colons, skipping colons inside `${...}` variables.
fn split_segments(text: &str, variables: Variables) -> Vec<&str> {
    let mut segments = Vec::with_capacity(ARN_SEGMENTS);
    let mut start = 0;
    let mut in_variable = false;
    let bytes = text.as_bytes();

    for (index, &byte) in bytes.iter().enumerate() {
        if segments.len() == ARN_SEGMENTS - 1 {
            break;
        }
        match byte {
            b'$' if variables == Variables::Enabled && bytes.get(index + 1) == Some(&b'{') => {
                in_variable = true
            }
            b'}' if in_variable => in_variable = false,
            b':' if !in_variable => {
                segments.push(text.get(start..index).unwrap_or_default());
                start = index + 1;
            }
            _ => {}
        }
    }
    segments.push(text.get(start..).unwrap_or_default());
    segments
}

/// The segment boundaries of a request ARN, found without allocating.
struct ArnSegments<'a> {
    text: &'a str,
    /// Byte offset where each segment starts.
    starts: [usize; ARN_SEGMENTS],
    /// Byte offset where each segment ends.
    ends: [usize; ARN_SEGMENTS],
    count: usize,
}

impl<'a> ArnSegments<'a> {
    fn split(text: &'a str) -> ArnSegments<'a> {
        let mut starts = [0; ARN_SEGMENTS];
        let mut ends = [text.len(); ARN_SEGMENTS];
        let mut count = 1;

        for (index, byte) in text.bytes().enumerate() {
            if count == ARN_SEGMENTS {
                break;
            }
            if byte == b':' {
                if let (Some(end), Some(start)) = (ends.get_mut(count - 1), starts.get_mut(count)) {
                    *end = index;
                    *start = index + 1;
                }
                count += 1;
            }
        }
        ArnSegments {
            text,
            starts,
            ends,
            count,
        }
    }

    /// Returns the text from the start of segment `first` to the end of segment `last`.
    fn span(&self, first: usize, last: usize) -> &'a str {
        let start = self.starts.get(first).copied().unwrap_or(self.text.len());
        let end = self.ends.get(last).copied().unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or_default()
    }
}

/// Matches pattern segments from `pattern_index` against target segments from
/// `target_index`. The recursion is at most six deep and branches only on segments that end
/// in `*`.
fn match_from<R: Resolve + ?Sized>(
    patterns: &[Pattern],
    pattern_index: usize,
    target: &ArnSegments<'_>,
    target_index: usize,
    variables: &R,
) -> bool {
    let Some(pattern) = patterns.get(pattern_index) else {
        return target_index == target.count;
    };
    if target_index >= target.count {
        return false;
    }

    if pattern.ends_with_any_run() {
        // The trailing star may swallow this segment and any number of following ones.
        return (target_index..target.count).any(|last| {
            pattern.matches(target.span(target_index, last), Case::Sensitive, variables)
                && match_from(patterns, pattern_index + 1, target, last + 1, variables)
        });
    }

    pattern.matches(
        target.span(target_index, target_index),
        Case::Sensitive,
        variables,
    ) && match_from(
        patterns,
        pattern_index + 1,
        target,
        target_index + 1,
        variables,
    )
}

/// Returns true when `text` has the form of an ARN pattern a policy may name: `*`, or
/// `arn:` followed by at least a partition and a service, or a shorter prefix that ends
/// in `*`.
pub(crate) fn is_valid_resource_text(text: &str) -> bool {
    if text == "*" {
        return true;
    }
    let Some(rest) = text.strip_prefix("arn:") else {
        return false;
    };
    rest.matches(':').count() >= 1 || rest.ends_with('*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::NoVariables;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);

    impl Resolve for Map {
        fn resolve(&self, key: &crate::key::KeyName) -> Option<&str> {
            self.0.get(key.as_str()).copied()
        }
    }

    fn matches(pattern: &str, arn: &str) -> bool {
        ArnPattern::compile(pattern, Variables::Enabled).matches(arn, &NoVariables)
    }

    #[test]
    fn resource_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "arn:aws:s3:::bucket", true),
            ("*", "*", true),
            ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true),
            ("arn:aws:s3:::bucket", "arn:aws:s3:::Bucket", false),
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", true),
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false),
            (
                "arn:aws:s3:::bucket/*/test/*",
                "arn:aws:s3:::bucket/1///test///object.jpg",
                true,
            ),
            (
                "arn:aws:s3:::bucket/*/test/*",
                "arn:aws:s3:::bucket/test/object.jpg",
                false,
            ),
            ("arn:aws:s3:::corp-*", "arn:aws:s3:::corp-logs", true),
            ("arn:aws:s3:::corp-*", "arn:aws:s3:::corp-logs/key", true),
            ("arn:aws:s3:::corp-*", "arn:aws:s3:::other", false),
            (
                "arn:aws:ec2:*:*:instance/*",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
                true,
            ),
            (
                "arn:aws:ec2:*:*:instance/*",
                "arn:aws:ec2:us-east-1:111122223333:volume/v-1",
                false,
            ),
            (
                "arn:aws:ec2:us-*-1:*:instance/*",
                "arn:aws:ec2:us-west-1:111122223333:instance/i-1",
                true,
            ),
            (
                "arn:aws:ec2:us-*-1:*:instance/*",
                "arn:aws:ec2:us-west-2:111122223333:instance/i-1",
                false,
            ),
            (
                "arn:aws:ec2:?s-east-1:*:*",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
                true,
            ),
            (
                "arn:aws:iam::111122223333:user/Bob",
                "arn:aws:iam::111122223333:user/bob",
                false,
            ),
            (
                "arn:aws:iam::*:role/Admin",
                "arn:aws:iam::111122223333:role/Admin",
                true,
            ),
            ("arn:aws:s3:*", "arn:aws:s3:::bucket/key", true),
            (
                "arn:aws:*",
                "arn:aws:sqs:us-east-1:111122223333:queue",
                true,
            ),
            ("arn:*", "arn:aws-cn:s3:::bucket", true),
            (
                "arn:aws:sqs",
                "arn:aws:sqs:us-east-1:111122223333:queue",
                false,
            ),
            (
                "arn:aws:logs:*:*:log-group:/app:*",
                "arn:aws:logs:eu-west-1:111122223333:log-group:/app:log-stream:x",
                true,
            ),
            (
                "arn:aws:logs:*:*:log-group:/app:*",
                "arn:aws:logs:eu-west-1:111122223333:log-group:/other:log-stream:x",
                false,
            ),
            ("arn:aws:s3:::bucket", "*", false),
            ("arn:aws:s3:::b?cket", "arn:aws:s3:::bucket", true),
        ];
        for (pattern, arn, expected) in cases {
            assert_eq!(
                matches(pattern, arn),
                *expected,
                "pattern {pattern:?} arn {arn:?}"
            );
        }
    }

    #[test]
    fn variables_in_segments() {
        let context = Map(HashMap::from([
            ("aws:principalaccount", "111122223333"),
            ("aws:username", "alice"),
        ]));
        let table = ArnPattern::compile(
            "arn:aws:dynamodb:*:${aws:PrincipalAccount}:table/*",
            Variables::Enabled,
        );
        assert!(table.matches("arn:aws:dynamodb:us-east-1:111122223333:table/t", &context));
        assert!(!table.matches("arn:aws:dynamodb:us-east-1:444455556666:table/t", &context));
        assert!(!table.matches(
            "arn:aws:dynamodb:us-east-1:111122223333:table/t",
            &NoVariables
        ));

        let home = ArnPattern::compile("arn:aws:s3:::home/${aws:username}/*", Variables::Enabled);
        assert!(home.matches("arn:aws:s3:::home/alice/notes.txt", &context));
        assert!(!home.matches("arn:aws:s3:::home/bob/notes.txt", &context));

        let literal = ArnPattern::compile("arn:aws:s3:::home/${aws:username}", Variables::Disabled);
        assert!(literal.matches("arn:aws:s3:::home/${aws:username}", &context));
    }

    #[test]
    fn splits_colons_outside_variables() {
        assert_eq!(
            split_segments("arn:aws:s3:${aws:x}::res:with:colons", Variables::Enabled),
            vec!["arn", "aws", "s3", "${aws:x}", "", "res:with:colons"]
        );
        assert_eq!(
            split_segments("arn:a:${b:c}", Variables::Disabled),
            vec!["arn", "a", "${b", "c}"]
        );
    }

    #[test]
    fn resource_text_validity() {
        for valid in [
            "*",
            "arn:aws:s3:::bucket",
            "arn:aws:sqs",
            "arn:*",
            "arn:aws:iam::111122223333:root",
        ] {
            assert!(is_valid_resource_text(valid), "{valid}");
        }
        for invalid in ["", "bucket", "arn:aws", "s3:::bucket", "ARN:aws:s3:::b"] {
            assert!(!is_valid_resource_text(invalid), "{invalid}");
        }
    }
}
