#!/usr/bin/env python3
"""Generate the Rust wire types of bulkhead-model from the vendored botocore models.

Usage:
    python3 crates/model/generate.py           # rewrite src/<service>.rs
    python3 crates/model/generate.py --check   # exit 1 when a generated file is stale

Each model under botocore/ is a botocore `service-2.json` with its documentation stripped.
For each service the script writes one Rust module with:

* a struct per structure shape and an enum per string enum, with serde names from the model;
* an `Operation` enum that maps wire names to variants and to their input shapes;
* a shape table that `crate::shape::validate` walks to check a request body against the
  model's constraints (required members, types, lengths, ranges, patterns, enum values).

The generated files are checked in, so a build needs neither Python nor botocore.
"""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (model file, Rust module name). Add a service by vendoring its stripped model and a row here.
SERVICES = [
    ("organizations-2016-11-28.json", "organizations"),
    ("sts-2011-06-15.json", "sts"),
    ("iam-2010-05-08.json", "iam"),
]

RUST_KEYWORDS = {
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final",
    "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
}


def snake_case(name):
    """Convert a model member name such as `MasterAccountARN` to `master_account_arn`."""
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words)
    result = words.replace("-", "_").lower()
    return result + "_" if result in RUST_KEYWORDS else result


def variant_name(value):
    """Convert an enum value such as `IN_PROGRESS` or `aws:foo` to a Rust variant name."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", value) if p]
    name = "".join(p[:1].upper() + p[1:].lower() for p in parts)
    if not name or name[0].isdigit():
        name = "Value" + name
    return name


def java_pattern_to_rust(pattern):
    """Rewrite the Java regex syntax botocore uses into the `regex` crate's syntax, anchored.

    AWS checks a pattern against the whole value (Java's `matches`), so the result is wrapped
    in `^(?:...)$`. Java writes code points as `\\uXXXX`; the regex crate wants `\\x{XXXX}`.
    """
    rust = re.sub(r"\\u([0-9A-Fa-f]{4})", r"\\x{\1}", pattern)
    return "^(?:" + ascii_predefined_classes(rust) + ")$"


# Java's predefined classes and the POSIX classes of the regex crate that match the same
# ASCII characters.
JAVA_PREDEFINED_CLASSES = {
    "w": "word",
    "W": "^word",
    "d": "digit",
    "D": "^digit",
    "s": "space",
    "S": "^space",
}


def ascii_predefined_classes(pattern):
    """Rewrite `\\w`, `\\d`, `\\s` and their negations as ASCII classes.

    In Java they match ASCII characters only, so IAM rejects the user name `jörg` against
    `[\\w+=,.@-]+`. In the regex crate they also match Unicode letters, digits and spaces.
    """
    out = []
    depth = 0
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            name = JAVA_PREDEFINED_CLASSES.get(pattern[i + 1])
            if name is None:
                out.append(pattern[i : i + 2])
            elif depth:
                out.append("[:%s:]" % name)
            else:
                out.append("[[:%s:]]" % name)
            i += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        out.append(char)
        i += 1
    return "".join(out)


def rust_string(text):
    return json.dumps(text)


class Generator:
    def __init__(self, model, module):
        self.model = model
        self.module = module
        self.shapes = model["shapes"]
        self.names = sorted(self.shapes)
        self.index = {name: i for i, name in enumerate(self.names)}
        self.patterns = []
        self.out = []

    def line(self, text=""):
        self.out.append(text)

    def rust_type(self, shape_name):
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            return shape_name
        if kind == "string":
            return shape_name if "enum" in shape else "String"
        if kind == "list":
            return "Vec<%s>" % self.rust_type(shape["member"]["shape"])
        if kind == "map":
            return "std::collections::BTreeMap<%s, %s>" % (
                self.rust_type(shape["key"]["shape"]),
                self.rust_type(shape["value"]["shape"]),
            )
        if kind == "boolean":
            return "bool"
        if kind == "integer":
            return "i32"
        if kind == "long":
            return "i64"
        if kind in ("double", "float"):
            return "f64"
        if kind == "timestamp":
            return "crate::Timestamp"
        if kind == "blob":
            return "String"
        raise ValueError("unsupported shape type %r for %s" % (kind, shape_name))

    def generate(self):
        meta = self.model["metadata"]
        self.line("// @generated by crates/model/generate.py from the botocore model")
        self.line("// %s (API version %s). Do not edit by hand." % (meta["serviceId"], meta["apiVersion"]))
        self.line()
        self.line("use serde::{Deserialize, Serialize};")
        self.line()
        self.line("use crate::shape::{Member, Model, Pattern, Shape, ShapeKind};")
        self.line()
        self.generate_metadata()
        self.generate_operations()
        for name in self.names:
            shape = self.shapes[name]
            if shape["type"] == "structure":
                self.generate_structure(name, shape)
            elif shape["type"] == "string" and "enum" in shape:
                self.generate_enum(name, shape)
        self.generate_shape_table()
        return "\n".join(self.out) + "\n"

    def generate_metadata(self):
        meta = self.model["metadata"]
        self.line("/// The service's wire identity, as the model declares it.")
        self.line("pub const SERVICE: crate::ServiceMetadata = crate::ServiceMetadata {")
        self.line("    service_id: %s," % rust_string(meta["serviceId"]))
        self.line("    api_version: %s," % rust_string(meta["apiVersion"]))
        self.line("    protocol: %s," % rust_string(meta["protocol"]))
        self.line("    target_prefix: %s," % rust_string(meta.get("targetPrefix", "")))
        self.line("    signing_name: %s," % rust_string(meta.get("signingName", meta["endpointPrefix"])))
        self.line("    json_version: %s," % rust_string(meta.get("jsonVersion", "")))
        self.line("    xml_namespace: %s," % rust_string(meta.get("xmlNamespace", "")))
        self.line("};")
        self.line()

    def generate_operations(self):
        ops = sorted(self.model["operations"])
        self.line("/// Every operation of the service, by its wire name.")
        self.line("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]")
        self.line("pub enum Operation {")
        for op in ops:
            self.line("    /// `%s`" % op)
            self.line("    %s," % op)
        self.line("}")
        self.line()
        self.line("impl Operation {")
        self.line("    /// All operations, sorted by wire name.")
        self.line("    pub const ALL: &'static [Operation] = &[")
        for op in ops:
            self.line("        Operation::%s," % op)
        self.line("    ];")
        self.line()
        self.line("    /// Finds the operation with this wire name, such as `CreateAccount`.")
        self.line("    pub fn from_name(name: &str) -> Option<Operation> {")
        self.line("        match name {")
        for op in ops:
            self.line("            %s => Some(Operation::%s)," % (rust_string(op), op))
        self.line("            _ => None,")
        self.line("        }")
        self.line("    }")
        self.line()
        self.line("    /// Returns the operation's wire name.")
        self.line("    pub fn name(self) -> &'static str {")
        self.line("        match self {")
        for op in ops:
            self.line("            Operation::%s => %s," % (op, rust_string(op)))
        self.line("        }")
        self.line("    }")
        self.line()
        self.line("    /// Returns the index in [`MODEL`] of the operation's output shape, if it has one.")
        self.line("    pub fn output_shape(self) -> Option<usize> {")
        self.line("        match self {")
        for op in ops:
            spec = self.model["operations"][op].get("output")
            value = "Some(%d)" % self.index[spec["shape"]] if spec else "None"
            self.line("            Operation::%s => %s," % (op, value))
        self.line("        }")
        self.line("    }")
        self.line()
        self.line("    /// Returns the element that wraps the output in an awsQuery response, if any.")
        self.line("    pub fn result_wrapper(self) -> Option<&'static str> {")
        self.line("        match self {")
        for op in ops:
            spec = self.model["operations"][op].get("output") or {}
            wrapper = spec.get("resultWrapper")
            value = "Some(%s)" % rust_string(wrapper) if wrapper else "None"
            self.line("            Operation::%s => %s," % (op, value))
        self.line("        }")
        self.line("    }")
        self.line()
        self.line("    /// Returns the index in [`MODEL`] of the operation's input shape, if it takes one.")
        self.line("    pub fn input_shape(self) -> Option<usize> {")
        self.line("        match self {")
        for op in ops:
            spec = self.model["operations"][op].get("input")
            value = "Some(%d)" % self.index[spec["shape"]] if spec else "None"
            self.line("            Operation::%s => %s," % (op, value))
        self.line("        }")
        self.line("    }")
        self.line("}")
        self.line()

    def generate_structure(self, name, shape):
        required = set(shape.get("required", []))
        derives = "Debug, Clone, PartialEq, Serialize, Deserialize"
        if not required:
            derives += ", Default"
        self.line("/// The `%s` shape." % name)
        self.line("#[derive(%s)]" % derives)
        self.line("pub struct %s {" % name)
        for member, spec in shape["members"].items():
            rust_type = self.rust_type(spec["shape"])
            field = snake_case(member)
            self.line("    /// The `%s` member." % member)
            if member in required:
                self.line("    #[serde(rename = %s)]" % rust_string(member))
                self.line("    pub %s: %s," % (field, rust_type))
            else:
                self.line(
                    "    #[serde(rename = %s, default, skip_serializing_if = \"Option::is_none\")]"
                    % rust_string(member)
                )
                self.line("    pub %s: Option<%s>," % (field, rust_type))
        self.line("}")
        self.line()

    def generate_enum(self, name, shape):
        values = shape["enum"]
        self.line("/// The `%s` enum." % name)
        self.line("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]")
        self.line("pub enum %s {" % name)
        for value in values:
            self.line("    /// `%s`" % value)
            self.line("    #[serde(rename = %s)]" % rust_string(value))
            self.line("    %s," % variant_name(value))
        self.line("}")
        self.line()
        self.line("impl %s {" % name)
        self.line("    /// Returns the value's wire spelling.")
        self.line("    pub fn as_str(self) -> &'static str {")
        self.line("        match self {")
        for value in values:
            self.line("            %s::%s => %s," % (name, variant_name(value), rust_string(value)))
        self.line("        }")
        self.line("    }")
        self.line()
        self.line("    /// Parses a wire spelling, returning `None` for a value the model does not list.")
        self.line("    pub fn from_wire(value: &str) -> Option<%s> {" % name)
        self.line("        match value {")
        for value in values:
            self.line("            %s => Some(%s::%s)," % (rust_string(value), name, variant_name(value)))
        self.line("            _ => None,")
        self.line("        }")
        self.line("    }")
        self.line("}")
        self.line()

    def pattern_index(self, pattern):
        entry = (java_pattern_to_rust(pattern), pattern)
        if entry not in self.patterns:
            self.patterns.append(entry)
        return self.patterns.index(entry)

    def shape_kind(self, shape):
        kind = shape["type"]
        if kind == "structure":
            required = set(shape.get("required", []))
            members = ", ".join(
                "Member { name: %s, shape: %d, required: %s }"
                % (rust_string(m), self.index[s["shape"]], "true" if m in required else "false")
                for m, s in shape["members"].items()
            )
            return "ShapeKind::Structure(&[%s])" % members
        if kind == "string":
            pattern = shape.get("pattern")
            return "ShapeKind::String { min: %s, max: %s, pattern: %s, values: &[%s] }" % (
                "Some(%d)" % shape["min"] if "min" in shape else "None",
                "Some(%d)" % shape["max"] if "max" in shape else "None",
                "Some(%d)" % self.pattern_index(pattern) if pattern else "None",
                ", ".join(rust_string(v) for v in shape.get("enum", [])),
            )
        if kind == "list":
            return "ShapeKind::List { member: %d, min: %s, max: %s }" % (
                self.index[shape["member"]["shape"]],
                "Some(%d)" % shape["min"] if "min" in shape else "None",
                "Some(%d)" % shape["max"] if "max" in shape else "None",
            )
        if kind == "map":
            return "ShapeKind::Map { key: %d, value: %d }" % (
                self.index[shape["key"]["shape"]],
                self.index[shape["value"]["shape"]],
            )
        if kind in ("integer", "long"):
            return "ShapeKind::Integer { min: %s, max: %s }" % (
                "Some(%d)" % shape["min"] if "min" in shape else "None",
                "Some(%d)" % shape["max"] if "max" in shape else "None",
            )
        if kind == "boolean":
            return "ShapeKind::Boolean"
        if kind in ("double", "float"):
            return "ShapeKind::Double"
        if kind == "timestamp":
            return "ShapeKind::Timestamp"
        if kind == "blob":
            return "ShapeKind::Blob"
        raise ValueError("unsupported shape type %r" % kind)

    def generate_shape_table(self):
        rows = [
            "    Shape { name: %s, kind: %s }," % (rust_string(n), self.shape_kind(self.shapes[n]))
            for n in self.names
        ]
        self.line("static SHAPES: [Shape; %d] = [" % len(self.names))
        self.out.extend(rows)
        self.line("];")
        self.line()
        self.line("static PATTERNS: [Pattern; %d] = [" % len(self.patterns))
        for rust, original in self.patterns:
            self.line("    Pattern::new(%s, %s)," % (rust_string(rust), rust_string(original)))
        self.line("];")
        self.line()
        self.line("/// The model's shapes and patterns, for [`crate::shape::validate`].")
        self.line("pub static MODEL: Model = Model { shapes: &SHAPES, patterns: &PATTERNS };")


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for model_file, module in SERVICES:
        model = json.loads((HERE / "botocore" / model_file).read_text())
        text = Generator(model, module).generate()
        target = HERE / "src" / (module + ".rs")
        if check:
            if not target.exists() or target.read_text() != text:
                stale.append(str(target))
        else:
            target.write_text(text)
    if stale:
        print("generated files are stale, run crates/model/generate.py: " + ", ".join(stale))
        sys.exit(1)


if __name__ == "__main__":
    main()
