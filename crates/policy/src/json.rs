//! A strict JSON reader (RFC 8259) that records where every value starts.
//!
//! Policy errors must name the line and column of the offending element, which
//! `serde_json`'s value tree does not keep, so the policy parser reads documents
//! through this module instead. It owns only the JSON syntax: what the values mean
//! is left to `parse`. Nesting is capped at [`MAX_DEPTH`] so that hostile input
//! cannot exhaust the stack.

use std::fmt;

/// Maximum nesting of arrays and objects. Real policies nest four levels deep
/// (document, statement, condition operator, condition key).
pub(crate) const MAX_DEPTH: usize = 32;

/// A JSON value with the byte offset where it starts in the source text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub(crate) offset: usize,
    pub(crate) value: Value,
}

/// A JSON value. Numbers keep their source text, because policy conditions
/// compare them as text or parse them by operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(Box<str>),
    String(Box<str>),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// One `"key": value` pair of an object, in source order. Duplicate keys are kept;
/// the policy parser decides what they mean.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    pub(crate) key: Box<str>,
    pub(crate) key_offset: usize,
    pub(crate) value: Node,
}

/// The JSON type of a value, named in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonType::Null => "null",
            JsonType::Bool => "a boolean",
            JsonType::Number => "a number",
            JsonType::String => "a string",
            JsonType::Array => "an array",
            JsonType::Object => "an object",
        })
    }
}

impl Value {
    pub(crate) fn json_type(&self) -> JsonType {
        match self {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Bool,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }
}

/// A JSON syntax problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// The text ended inside a value.
    UnexpectedEnd {
        /// The token the reader expected next.
        expected: &'static str,
    },
    /// A character that cannot appear here.
    UnexpectedCharacter {
        /// The character found.
        found: char,
        /// The token the reader expected instead.
        expected: &'static str,
    },
    /// A string contains a raw control character, which JSON requires to be escaped.
    ControlCharacterInString {
        /// The code point of the character.
        code: u32,
    },
    /// A backslash escape that JSON does not define, or a malformed `\u` escape.
    InvalidEscape,
    /// A `\u` escape encodes half of a surrogate pair without the other half.
    UnpairedSurrogate,
    /// A number that does not follow JSON's number grammar.
    InvalidNumber,
    /// Arrays and objects nest deeper than the reader accepts.
    TooDeep {
        /// The maximum depth.
        max: usize,
    },
    /// Text follows the end of the top-level value.
    TrailingCharacters,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonError::UnexpectedEnd { expected } => {
                write!(f, "the document ends early; expected {expected}")
            }
            JsonError::UnexpectedCharacter { found, expected } => {
                write!(f, "unexpected character {found:?}; expected {expected}")?;
                if *found == '/' {
                    f.write_str(" (JSON has no comments)")?;
                }
                Ok(())
            }
            JsonError::ControlCharacterInString { code } => write!(
                f,
                "control character U+{code:04X} inside a string; write it as an escape such as \\n or \\u{code:04x}"
            ),
            JsonError::InvalidEscape => f.write_str(
                "invalid escape in a string; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u followed by four hex digits",
            ),
            JsonError::UnpairedSurrogate => {
                f.write_str("a \\u escape encodes half of a UTF-16 surrogate pair without the other half")
            }
            JsonError::InvalidNumber => f.write_str(
                "invalid number; expected an optional minus sign, digits without a leading zero, an optional fraction and exponent",
            ),
            JsonError::TooDeep { max } => {
                write!(f, "arrays and objects nest more than {max} levels deep")
            }
            JsonError::TrailingCharacters => {
                f.write_str("unexpected text after the end of the document")
            }
        }
    }
}

/// A JSON syntax error and the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) offset: usize,
    pub(crate) error: JsonError,
}

/// Parses one JSON document.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        position: 0,
        depth: 0,
    };

    reader.skip_whitespace();
    let node = reader.value()?;
    reader.skip_whitespace();

    if reader.position < reader.bytes.len() {
        return Err(reader.error_here(JsonError::TrailingCharacters));
    }
    Ok(node)
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    position: usize,
    depth: usize,
}

impl Reader<'_> {
    fn error_here(&self, error: JsonError) -> SyntaxError {
        SyntaxError {
            offset: self.position,
            error,
        }
    }

    fn unexpected(&self, expected: &'static str) -> SyntaxError {
        match self
            .text
            .get(self.position..)
            .and_then(|rest| rest.chars().next())
        {
            Some(found) => self.error_here(JsonError::UnexpectedCharacter { found, expected }),
            None => self.error_here(JsonError::UnexpectedEnd { expected }),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.position += 1;
        }
    }

    fn value(&mut self) -> Result<Node, SyntaxError> {
        let offset = self.position;
        let value = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.keyword("true", Value::Bool(true))?,
            Some(b'f') => self.keyword("false", Value::Bool(false))?,
            Some(b'n') => self.keyword("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.unexpected("a value")),
        };
        Ok(Node { offset, value })
    }

    fn keyword(&mut self, word: &'static str, value: Value) -> Result<Value, SyntaxError> {
        for expected in word.bytes() {
            if self.peek() != Some(expected) {
                return Err(self.unexpected("true, false or null"));
            }
            self.position += 1;
        }
        Ok(value)
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(JsonError::TooDeep { max: MAX_DEPTH }));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Value, SyntaxError> {
        self.enter()?;
        self.position += 1;
        let mut members = Vec::new();

        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.position += 1;
            self.depth -= 1;
            return Ok(Value::Object(members));
        }

        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a quoted key"));
            }
            let key_offset = self.position;
            let key = self.string()?;

            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("':' after the key"));
            }
            self.position += 1;
            self.skip_whitespace();
            let value = self.value()?;
            members.push(Member {
                key,
                key_offset,
                value,
            });

            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b'}') => {
                    self.position += 1;
                    self.depth -= 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.unexpected("',' or '}'")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, SyntaxError> {
        self.enter()?;
        self.position += 1;
        let mut items = Vec::new();

        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.position += 1;
            self.depth -= 1;
            return Ok(Value::Array(items));
        }

        loop {
            self.skip_whitespace();
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b']') => {
                    self.position += 1;
                    self.depth -= 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.unexpected("',' or ']'")),
            }
        }
    }

    /// Reads a string starting at the opening quote and returns its unescaped text.
    fn string(&mut self) -> Result<Box<str>, SyntaxError> {
        self.position += 1;
        let mut out = String::new();

        loop {
            let run_start = self.position;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.position += 1;
            }
            // The run stops only at ASCII bytes, so both ends are character boundaries.
            let run = self.text.get(run_start..self.position).unwrap_or_default();
            if out.is_empty() && self.peek() == Some(b'"') {
                // A string without escapes is copied once, at its exact size.
                self.position += 1;
                return Ok(run.into());
            }
            out.push_str(run);

            match self.peek() {
                None => {
                    return Err(self.error_here(JsonError::UnexpectedEnd {
                        expected: "'\"' to close the string",
                    }));
                }
                Some(b'"') => {
                    self.position += 1;
                    return Ok(out.into_boxed_str());
                }
                Some(b'\\') => {
                    self.position += 1;
                    self.escape(&mut out)?;
                }
                Some(control) => {
                    return Err(self.error_here(JsonError::ControlCharacterInString {
                        code: u32::from(control),
                    }));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let Some(byte) = self.peek() else {
            return Err(self.error_here(JsonError::UnexpectedEnd {
                expected: "an escape character",
            }));
        };
        self.position += 1;
        let decoded = match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape()?,
            _ => {
                self.position -= 1;
                return Err(self.error_here(JsonError::InvalidEscape));
            }
        };
        out.push(decoded);
        Ok(())
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        if !(0xD800..0xE000).contains(&first) {
            return char::from_u32(first).ok_or_else(|| self.error_here(JsonError::InvalidEscape));
        }
        if first >= 0xDC00 {
            return Err(self.error_here(JsonError::UnpairedSurrogate));
        }
        if self.bytes.get(self.position..self.position + 2) != Some(b"\\u") {
            return Err(self.error_here(JsonError::UnpairedSurrogate));
        }
        self.position += 2;
        let second = self.hex4()?;
        if !(0xDC00..0xE000).contains(&second) {
            return Err(self.error_here(JsonError::UnpairedSurrogate));
        }
        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
        char::from_u32(code).ok_or_else(|| self.error_here(JsonError::InvalidEscape))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|byte| char::from(byte).to_digit(16))
                .ok_or_else(|| self.error_here(JsonError::InvalidEscape))?;
            code = code * 16 + digit;
            self.position += 1;
        }
        Ok(code)
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.position;
        if self.peek() == Some(b'-') {
            self.position += 1;
        }

        match self.peek() {
            Some(b'0') => self.position += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error_here(JsonError::InvalidNumber)),
        }
        if self.peek() == Some(b'.') {
            self.position += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error_here(JsonError::InvalidNumber));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.position += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.position += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error_here(JsonError::InvalidNumber));
            }
            self.digits();
        }
        if let Some(b'0'..=b'9') = self.peek() {
            return Err(self.error_here(JsonError::InvalidNumber));
        }

        let text = self.text.get(start..self.position).unwrap_or_default();
        Ok(Value::Number(text.into()))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.position += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> SyntaxError {
        match parse(text) {
            Ok(node) => panic!("expected a syntax error for {text:?}, got {node:?}"),
            Err(error) => error,
        }
    }

    #[test]
    fn parses_nested_values_with_offsets() {
        let node = parse(r#" {"a": [1, "x", true, null], "b": {}} "#).unwrap();
        assert_eq!(node.offset, 1);
        let Value::Object(members) = node.value else {
            panic!("expected an object");
        };
        assert_eq!(members.len(), 2);
        assert_eq!(&*members[0].key, "a");
        assert_eq!(members[0].key_offset, 2);
        let Value::Array(items) = &members[0].value.value else {
            panic!("expected an array");
        };
        assert_eq!(items[0].value, Value::Number("1".into()));
        assert_eq!(items[1].value, Value::String("x".into()));
        assert_eq!(items[1].offset, 11);
        assert_eq!(items[2].value, Value::Bool(true));
        assert_eq!(items[3].value, Value::Null);
    }

    #[test]
    fn decodes_escapes_and_surrogate_pairs() {
        let node = parse(r#""a\"b\\c\/\n\u00e9\ud83d\ude00""#).unwrap();
        assert_eq!(node.value, Value::String("a\"b\\c/\né😀".into()));
    }

    #[test]
    fn rejects_invalid_documents() {
        let cases: &[(&str, JsonError)] = &[
            (
                "",
                JsonError::UnexpectedEnd {
                    expected: "a value",
                },
            ),
            (
                "[1,]",
                JsonError::UnexpectedCharacter {
                    found: ']',
                    expected: "a value",
                },
            ),
            (
                "[1 // note\n]",
                JsonError::UnexpectedCharacter {
                    found: '/',
                    expected: "',' or ']'",
                },
            ),
            (
                "{\"a\" 1}",
                JsonError::UnexpectedCharacter {
                    found: '1',
                    expected: "':' after the key",
                },
            ),
            (
                "{'a': 1}",
                JsonError::UnexpectedCharacter {
                    found: '\'',
                    expected: "a quoted key",
                },
            ),
            ("\"a\tb\"", JsonError::ControlCharacterInString { code: 9 }),
            ("\"\\x\"", JsonError::InvalidEscape),
            ("\"\\ud800\"", JsonError::UnpairedSurrogate),
            ("\"\\udc00\"", JsonError::UnpairedSurrogate),
            ("01", JsonError::InvalidNumber),
            ("1.", JsonError::InvalidNumber),
            ("-", JsonError::InvalidNumber),
            ("1e", JsonError::InvalidNumber),
            ("{} {}", JsonError::TrailingCharacters),
            (
                "tru",
                JsonError::UnexpectedEnd {
                    expected: "true, false or null",
                },
            ),
            (
                "\"abc",
                JsonError::UnexpectedEnd {
                    expected: "'\"' to close the string",
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(&error_of(text).error, expected, "input {text:?}");
        }
    }

    #[test]
    fn reports_offset_of_error() {
        assert_eq!(error_of("[1,\n 2,\n x]").offset, 9);
    }

    #[test]
    fn limits_nesting_depth() {
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert_eq!(error_of(&deep).error, JsonError::TooDeep { max: MAX_DEPTH });
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn accepts_numbers_in_all_forms() {
        for text in ["0", "-0", "12", "-3.25", "1e9", "2E-3", "6.02e+23"] {
            assert_eq!(
                parse(text).unwrap().value,
                Value::Number(text.into()),
                "input {text}"
            );
        }
    }
}
