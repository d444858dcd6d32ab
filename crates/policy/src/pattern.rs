//! Wildcard patterns with policy variables, compiled once and matched without allocating.
//!
//! A pattern is a list of pieces: literal text, `*` (any run of characters), `?` (any one
//! character) and policy variables such as `${aws:username}`. Variables are resolved from
//! the request context while matching, and a resolved value is always literal text: a `*`
//! inside a tag value is not a wildcard. The escapes `${*}`, `${?}` and `${$}` stand for a
//! literal `*`, `?` and `$`. This module has no notion of ARNs or actions: `arn` and
//! `action` build on it.

use crate::key::KeyName;

/// Whether `*` and `?` act as wildcards when a pattern is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wildcards {
    /// `*` and `?` are wildcards (Action, Resource, `StringLike`, `ArnLike`).
    Enabled,
    /// `*` and `?` are literal characters (`StringEquals` and the other exact operators).
    Disabled,
}

/// Whether `${...}` is read as a policy variable. Policies with `"Version": "2008-10-17"`
/// or no version treat it as literal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variables {
    /// `${key}` is a policy variable.
    Enabled,
    /// `${key}` is literal text.
    Disabled,
}

/// Whether literal text compares with or without regard to letter case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// Exact comparison.
    Sensitive,
    /// Comparison after Unicode lower-casing of each character.
    Insensitive,
}

/// A policy variable: the context key it reads (lower-cased, since key names are
/// case-insensitive) and the default used when the key is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variable {
    pub(crate) key: KeyName,
    pub(crate) default: Option<Box<str>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(Box<str>),
    AnyRun,
    AnyChar,
    Variable(Variable),
}

/// Source of policy-variable values, implemented by the request context.
pub(crate) trait Resolve {
    /// Returns the single value of the context key `key`, or `None` when the key is
    /// missing, empty or multi-valued.
    fn resolve(&self, key: &KeyName) -> Option<&str>;
}

/// A resolver with no values, for patterns that contain no variables.
pub(crate) struct NoVariables;

impl Resolve for NoVariables {
    fn resolve(&self, _key: &KeyName) -> Option<&str> {
        None
    }
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    pieces: Vec<Piece>,
}

impl Pattern {
    /// Compiles `text`. Compilation cannot fail: an unterminated `${` or an empty
    /// variable name is kept as literal text.
    pub(crate) fn compile(text: &str, wildcards: Wildcards, variables: Variables) -> Pattern {
        let mut builder = PatternBuilder::default();
        let mut run_start = 0;
        let mut index = 0;
        let bytes = text.as_bytes();

        // Literal runs are copied as slices; only the bytes that may start a piece of
        // another kind (`*`, `?`, `${`) stop the scan. All three are ASCII, so every cut is
        // on a character boundary.
        while let Some(&byte) = bytes.get(index) {
            let special = match byte {
                b'*' | b'?' => wildcards == Wildcards::Enabled,
                b'$' => variables == Variables::Enabled && bytes.get(index + 1) == Some(&b'{'),
                _ => false,
            };
            if !special {
                index += 1;
                continue;
            }

            builder.literal(text.get(run_start..index).unwrap_or_default());
            match byte {
                b'*' => {
                    builder.piece(Piece::AnyRun);
                    index += 1;
                }
                b'?' => {
                    builder.piece(Piece::AnyChar);
                    index += 1;
                }
                _ => match read_variable(text.get(index..).unwrap_or_default()) {
                    Some((Piece::Literal(escaped), consumed)) => {
                        builder.literal(&escaped);
                        index += consumed;
                    }
                    Some((piece, consumed)) => {
                        builder.piece(piece);
                        index += consumed;
                    }
                    None => {
                        builder.literal("$");
                        index += 1;
                    }
                },
            }
            run_start = index;
        }
        builder.literal(text.get(run_start..).unwrap_or_default());
        builder.finish()
    }

    /// Returns true when the pattern is a lone `*`, which matches every text.
    pub(crate) fn is_any(&self) -> bool {
        matches!(&*self.pieces, [Piece::AnyRun])
    }

    /// Returns true when the last piece is a `*` written in the policy.
    pub(crate) fn ends_with_any_run(&self) -> bool {
        matches!(self.pieces.last(), Some(Piece::AnyRun))
    }

    /// Matches the whole of `text`. A variable that does not resolve and has no default
    /// makes the pattern match nothing.
    pub(crate) fn matches<R: Resolve + ?Sized>(
        &self,
        text: &str,
        case: Case,
        variables: &R,
    ) -> bool {
        // The common shapes skip the general loop: one literal, a literal prefix and `*`.
        if case == Case::Sensitive {
            match &*self.pieces {
                [Piece::Literal(literal)] => return text == &**literal,
                [Piece::Literal(prefix), Piece::AnyRun] => return text.starts_with(&**prefix),
                [Piece::AnyRun] => return true,
                _ => {}
            }
        }

        // Greedy matching with backtracking to the most recent `*`: when a piece fails,
        // the last star absorbs one more character and matching resumes after it. This
        // is linear for patterns with one star and O(pattern x text) at worst.
        let mut piece_index = 0;
        let mut position = 0;
        let mut backtrack: Option<(usize, usize)> = None;

        loop {
            let advanced = match self.pieces.get(piece_index) {
                Some(Piece::AnyRun) => {
                    backtrack = Some((piece_index + 1, position));
                    Some(position)
                }
                Some(Piece::AnyChar) => next_char_end(text, position),
                Some(Piece::Literal(literal)) => match_prefix(text, position, literal, case),
                Some(Piece::Variable(variable)) => {
                    let value = variables
                        .resolve(&variable.key)
                        .or(variable.default.as_deref());
                    match value {
                        Some(value) => match_prefix(text, position, value, case),
                        None => return false,
                    }
                }
                None if position == text.len() => return true,
                None => None,
            };

            if let Some(next) = advanced {
                position = next;
                piece_index += 1;
                continue;
            }

            match backtrack {
                Some((resume, star_position)) => match next_char_end(text, star_position) {
                    Some(next) => {
                        backtrack = Some((resume, next));
                        piece_index = resume;
                        position = next;
                    }
                    None => return false,
                },
                None => return false,
            }
        }
    }
}

/// Collects pieces, merging adjacent literal text and repeated stars.
#[derive(Default)]
struct PatternBuilder {
    pieces: Vec<Piece>,
    pending: String,
}

impl PatternBuilder {
    fn literal(&mut self, text: &str) {
        self.pending.push_str(text);
    }

    fn piece(&mut self, piece: Piece) {
        self.flush();
        // Consecutive stars match the same texts as one star.
        if piece == Piece::AnyRun && self.pieces.last() == Some(&Piece::AnyRun) {
            return;
        }
        self.pieces.push(piece);
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.pieces
                .push(Piece::Literal(Box::from(self.pending.as_str())));
            self.pending.clear();
        }
    }

    fn finish(mut self) -> Pattern {
        self.flush();
        Pattern {
            pieces: self.pieces,
        }
    }
}

/// Reads `${...}` at the start of `text`. Returns the piece and the number of bytes it
/// used, or `None` when the text is not a well-formed variable.
fn read_variable(text: &str) -> Option<(Piece, usize)> {
    let close = text.find('}')?;
    let inner = text.get(2..close)?;
    let consumed = close + 1;

    let piece = match inner {
        "*" => Piece::Literal("*".into()),
        "?" => Piece::Literal("?".into()),
        "$" => Piece::Literal("$".into()),
        _ => {
            let (key, default) = match inner.split_once(',') {
                Some((key, default)) => (key.trim(), Some(read_default(default)?)),
                None => (inner.trim(), None),
            };
            if key.is_empty() || key.contains(['$', '{', ' ']) {
                return None;
            }
            Piece::Variable(Variable {
                key: KeyName::new(key),
                default,
            })
        }
    };
    Some((piece, consumed))
}

/// Reads the default of `${key, 'default'}`: a single-quoted string, surrounding spaces
/// allowed.
fn read_default(text: &str) -> Option<Box<str>> {
    let quoted = text.trim();
    let inner = quoted.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.into())
}

/// Returns the byte offset after the character that starts at `position`.
fn next_char_end(text: &str, position: usize) -> Option<usize> {
    let ch = text.get(position..)?.chars().next()?;
    Some(position + ch.len_utf8())
}

/// Matches `literal` against `text` at `position` and returns the offset after it.
fn match_prefix(text: &str, position: usize, literal: &str, case: Case) -> Option<usize> {
    let rest = text.get(position..)?;
    match case {
        Case::Sensitive => rest
            .starts_with(literal)
            .then_some(position + literal.len()),
        Case::Insensitive => {
            let mut rest_chars = rest.char_indices();
            for expected in literal.chars() {
                let (_, found) = rest_chars.next()?;
                if !chars_equal_ignoring_case(expected, found) {
                    return None;
                }
            }
            let consumed = rest_chars.next().map_or(rest.len(), |(offset, _)| offset);
            Some(position + consumed)
        }
    }
}

/// Compares two characters after Unicode lower-casing.
pub(crate) fn chars_equal_ignoring_case(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);

    impl Resolve for Map {
        fn resolve(&self, key: &KeyName) -> Option<&str> {
            self.0.get(key.as_str()).copied()
        }
    }

    fn context() -> Map {
        Map(HashMap::from([
            ("aws:username", "alice"),
            ("aws:principaltag/team", "data*"),
        ]))
    }

    fn like(pattern: &str, text: &str) -> bool {
        Pattern::compile(pattern, Wildcards::Enabled, Variables::Enabled).matches(
            text,
            Case::Sensitive,
            &context(),
        )
    }

    #[test]
    fn wildcard_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "", true),
            ("*", "anything at all", true),
            ("abc", "abc", true),
            ("abc", "abcd", false),
            ("abc", "ABC", false),
            ("a*c", "ac", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a?c", "aéc", true),
            ("*/test/*", "1///test///object.jpg", true),
            ("*/test/*", "test/object.jpg", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyyb", false),
            ("**", "x", true),
            ("*a", "bbba", true),
            ("?*", "", false),
            ("", "", true),
            ("", "x", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                like(pattern, text),
                *expected,
                "pattern {pattern:?} text {text:?}"
            );
        }
    }

    #[test]
    fn variables_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("home/${aws:username}/*", "home/alice/file", true),
            ("home/${aws:username}/*", "home/bob/file", false),
            ("home/${AWS:UserName}", "home/alice", true),
            ("${aws:PrincipalTag/team}", "data*", true),
            ("${aws:PrincipalTag/team}", "database", false),
            ("${aws:missing}", "", false),
            ("${aws:missing, 'none'}", "none", true),
            ("${aws:missing,'none'}", "none", true),
            ("${aws:username, 'none'}", "alice", true),
            ("${*}", "*", true),
            ("${*}", "x", false),
            ("${?}", "?", true),
            ("${$}{x}", "${x}", true),
            ("${unterminated", "${unterminated", true),
            ("${}", "${}", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                like(pattern, text),
                *expected,
                "pattern {pattern:?} text {text:?}"
            );
        }
    }

    #[test]
    fn variables_disabled_are_literal() {
        let pattern = Pattern::compile("${aws:username}", Wildcards::Enabled, Variables::Disabled);
        assert!(pattern.matches("${aws:username}", Case::Sensitive, &context()));
        assert!(!pattern.matches("alice", Case::Sensitive, &context()));
    }

    #[test]
    fn exact_patterns_treat_wildcards_literally() {
        let pattern = Pattern::compile("a*", Wildcards::Disabled, Variables::Enabled);
        assert!(pattern.matches("a*", Case::Sensitive, &NoVariables));
        assert!(!pattern.matches("ab", Case::Sensitive, &NoVariables));
    }

    #[test]
    fn case_insensitive_matching() {
        let pattern = Pattern::compile("Straße*", Wildcards::Enabled, Variables::Disabled);
        assert!(pattern.matches("STRAßE-1", Case::Insensitive, &NoVariables));
        assert!(!pattern.matches("STRAßE-1", Case::Sensitive, &NoVariables));
    }

    #[test]
    fn describes_shape() {
        let pattern = Pattern::compile("a**", Wildcards::Enabled, Variables::Enabled);
        assert!(pattern.ends_with_any_run());
        assert!(Pattern::compile("*", Wildcards::Enabled, Variables::Enabled).is_any());
        assert!(!Pattern::compile("**x", Wildcards::Enabled, Variables::Enabled).is_any());
    }

    #[test]
    fn long_inputs_finish() {
        let pattern = Pattern::compile(&"*a".repeat(50), Wildcards::Enabled, Variables::Disabled);
        let text = "a".repeat(49) + "b";
        assert!(!pattern.matches(&text, Case::Sensitive, &NoVariables));
    }
}
