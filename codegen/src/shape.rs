//! The shape of a spec file, checked against the JSON Schema of the format
//! before anything is deserialised, so every shape mistake of a file is
//! reported in one run.
//!
//! The schema is the one `spec/schema.json` is written from: schemars, from the
//! types of [`crate::spec`]. [`check`] walks a file's YAML value along it and
//! records each mistake with its YAML path. It also repairs the value so the
//! file can still be deserialised and lowered, and its other mistakes found:
//! an unknown key is dropped; an invalid value is dropped, or replaced by a
//! neutral placeholder where the key is required (so is a missing required
//! key). What a repair touched is recorded as [`Damage`], and later stages do
//! not report its consequences: a field whose `type` was unreadable is not
//! also "missing its type", nor unknown to the examples that set it.
//!
//! The walk understands exactly the keywords schemars writes for these types
//! (`$ref`, `anyOf`, `oneOf`, `const`, `enum`, `type`, `format`, `minimum`,
//! `properties`, `required`, `additionalProperties`, `items`, and annotations);
//! a unit test fails if the schema ever uses another one.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

use crate::names::closest;

/// Which kind of spec file a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// An endpoint, callback or redirect file.
    Endpoint,
    /// A file under `spec/shared/`.
    Shared,
}

static ENDPOINT: LazyLock<Json> =
    LazyLock::new(|| schemars::schema_for!(crate::spec::EndpointFile).to_value());
static SHARED: LazyLock<Json> =
    LazyLock::new(|| schemars::schema_for!(crate::spec::SharedFile).to_value());

/// Where a problem points: at the key (or, for a missing key, the enclosing
/// entry), or at the offending value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// The key, or the entry that lacks one.
    Key,
    /// The value.
    Value,
}

/// One shape mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// YAML path (`request.fields[1].maxx`; empty for the whole document).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// Where to point.
    pub at: At,
}

/// What the repairs of a file touched, by YAML path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Damage {
    /// Entries (mappings) that lost or gained a key: a problem reported at the
    /// entry itself (typically "needs `x`") is a consequence.
    entries: BTreeSet<String>,
    /// Values that were dropped or replaced: any problem at or under them is a
    /// consequence.
    values: BTreeSet<String>,
}

impl Damage {
    /// Whether a problem found at `path` is a consequence of a repair.
    pub fn hides(&self, path: &str) -> bool {
        self.entries.contains(path) || self.values.iter().any(|v| within(path, v))
    }

    /// Whether anything at or under `prefix` was repaired.
    pub fn within(&self, prefix: &str) -> bool {
        self.entries
            .iter()
            .chain(&self.values)
            .any(|p| within(p, prefix))
    }

    /// Whether the whole document was unusable.
    pub fn whole(&self) -> bool {
        self.values.contains("")
    }
}

/// Whether `path` is `prefix` or lies under it.
fn within(path: &str, prefix: &str) -> bool {
    prefix.is_empty()
        || path == prefix
        || (path.starts_with(prefix)
            && matches!(path.as_bytes().get(prefix.len()), Some(b'.' | b'[')))
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Checks `value` against the schema of `format`, repairing it in place;
/// returns every problem and what the repairs touched.
pub(crate) fn check(value: &mut Yaml, format: Format) -> (Vec<Problem>, Damage) {
    let root: &Json = match format {
        Format::Endpoint => &ENDPOINT,
        Format::Shared => &SHARED,
    };
    let mut walker = Walker {
        root,
        problems: Vec::new(),
        damage: Damage::default(),
    };
    if let Err(message) = walker.walk(value, root, "") {
        walker.problems.push(Problem {
            path: String::new(),
            message,
            at: At::Value,
        });
        walker.damage.values.insert(String::new());
    }
    (walker.problems, walker.damage)
}

struct Walker<'s> {
    root: &'s Json,
    problems: Vec<Problem>,
    damage: Damage,
}

impl<'s> Walker<'s> {
    /// Follows `$ref`s into `$defs`. An unresolvable reference stays as it is
    /// (it then constrains nothing; a unit test keeps every reference resolvable).
    fn resolve(&self, mut schema: &'s Json) -> &'s Json {
        for _ in 0..64 {
            let target = schema
                .get("$ref")
                .and_then(Json::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
                .and_then(|name| self.root.get("$defs")?.get(name));
            match target {
                Some(next) => schema = next,
                None => break,
            }
        }
        schema
    }

    fn problem(&mut self, path: &str, message: String, at: At) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message,
            at,
        });
    }

    /// Checks `value` against `schema`. Problems inside a mapping or list are
    /// recorded and repaired here; `Err` says the value itself is unusable,
    /// and the caller reports and repairs it.
    fn walk(&mut self, value: &mut Yaml, schema: &'s Json, path: &str) -> Result<(), String> {
        let schema = self.resolve(schema);
        if let Some(branches) = alternatives(schema) {
            return self.choose(value, branches, path);
        }
        if let Some(expected) = schema.get("const") {
            return if same(value, expected) {
                Ok(())
            } else {
                Err(unknown_value(value, &[expected]))
            };
        }
        if let Some(options) = schema.get("enum").and_then(Json::as_array) {
            return if options.iter().any(|o| same(value, o)) {
                Ok(())
            } else {
                Err(unknown_value(value, &options.iter().collect::<Vec<_>>()))
            };
        }
        if let Some(types) = schema.get("type") {
            let types = type_names(types);
            if !types.iter().any(|t| has_type(value, t)) {
                return Err(format!(
                    "expected {}, found {}",
                    describe_types(&types),
                    describe_value(value)
                ));
            }
            if let Some(problem) = integer_range(value, schema) {
                return Err(problem);
            }
        }
        match value {
            Yaml::Mapping(map) => self.mapping(map, schema, path),
            Yaml::Sequence(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter_mut().enumerate() {
                        let item_path = format!("{path}[{i}]");
                        if let Err(message) = self.walk(item, item_schema, &item_path) {
                            self.problem(&item_path, message, At::Value);
                            *item = self.placeholder(item_schema);
                            self.damage.values.insert(item_path);
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `anyOf` / `oneOf`: the value must fit one branch. When none fits, the
    /// explanation comes from the one branch of the value's kind (a mapping's
    /// problems are then reported key by key), or names what was expected.
    fn choose(&mut self, value: &mut Yaml, branches: &'s [Json], path: &str) -> Result<(), String> {
        if branches.iter().any(|b| self.fits(value, b)) {
            return Ok(());
        }
        if matches!(value, Yaml::Mapping(_) | Yaml::Sequence(_)) {
            let of_kind: Vec<&'s Json> = branches
                .iter()
                .filter(|b| self.accepts_kind(value, b))
                .collect();
            if let [only] = of_kind[..] {
                return self.walk(value, only, path);
            }
        }
        let mut constants = Vec::new();
        if self.only_constants(branches, &mut constants) && !constants.is_empty() {
            return Err(unknown_value(value, &constants));
        }
        let mut types = Vec::new();
        self.branch_types(branches, &mut types);
        Err(format!(
            "expected {}, found {}",
            describe_types(&types),
            describe_value(value)
        ))
    }

    /// Whether `value` fits `schema` as it is (nothing recorded, nothing repaired).
    fn fits(&self, value: &Yaml, schema: &'s Json) -> bool {
        let mut scratch = Walker {
            root: self.root,
            problems: Vec::new(),
            damage: Damage::default(),
        };
        let mut copy = value.clone();
        scratch.walk(&mut copy, schema, "").is_ok() && scratch.problems.is_empty()
    }

    /// Whether `schema` admits values of `value`'s kind at all.
    fn accepts_kind(&self, value: &Yaml, schema: &'s Json) -> bool {
        let schema = self.resolve(schema);
        if let Some(branches) = alternatives(schema) {
            return branches.iter().any(|b| self.accepts_kind(value, b));
        }
        match schema.get("type") {
            Some(types) => type_names(types).iter().any(|t| has_type(value, t)),
            None => true,
        }
    }

    /// Collects the constants of branches that are all constants (an enum's
    /// values), leaving out `null` (an optional key's absence).
    fn only_constants(&self, branches: &'s [Json], out: &mut Vec<&'s Json>) -> bool {
        branches.iter().all(|branch| {
            let branch = self.resolve(branch);
            if let Some(inner) = alternatives(branch) {
                self.only_constants(inner, out)
            } else if let Some(constant) = branch.get("const") {
                out.push(constant);
                true
            } else if let Some(options) = branch.get("enum").and_then(Json::as_array) {
                out.extend(options);
                true
            } else {
                branch.get("type").and_then(Json::as_str) == Some("null")
            }
        })
    }

    fn branch_types(&self, branches: &'s [Json], out: &mut Vec<String>) {
        for branch in branches {
            let branch = self.resolve(branch);
            if let Some(inner) = alternatives(branch) {
                self.branch_types(inner, out);
            } else if let Some(types) = branch.get("type") {
                out.extend(type_names(types));
            } else if branch.get("const").is_some() || branch.get("enum").is_some() {
                out.push("string".to_owned());
            }
        }
    }

    /// A mapping: each key against `properties` (or `additionalProperties`),
    /// then the `required` keys.
    fn mapping(&mut self, map: &mut serde_yaml::Mapping, schema: &'s Json, path: &str) {
        let properties = schema.get("properties").and_then(Json::as_object);
        let additional = schema.get("additionalProperties");
        let known: Vec<&str> = properties
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let required: Vec<&'s str> = schema
            .get("required")
            .and_then(Json::as_array)
            .map(|r| r.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let present: BTreeSet<String> = map
            .keys()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect();
        let mut drop = Vec::new();
        let mut meant = BTreeSet::new();
        for (key, value) in map.iter_mut() {
            let Some(name) = key.as_str() else {
                self.problem(
                    path,
                    format!("keys are text, found {}", describe_value(key)),
                    At::Key,
                );
                drop.push(key.clone());
                self.damage.entries.insert(path.to_owned());
                continue;
            };
            let key_path = child(path, name);
            let schema = match properties.and_then(|p| p.get(name)) {
                Some(property) => property,
                None => match additional {
                    Some(Json::Bool(false)) => {
                        let hint = closest(name, &known);
                        let message = match hint {
                            Some(k) => format!("unknown field `{name}` (did you mean `{k}`?)"),
                            None => format!(
                                "unknown field `{name}`, expected one of {}",
                                quoted(&known)
                            ),
                        };
                        self.problem(&key_path, message, At::Key);
                        drop.push(key.clone());
                        // The key was probably meant as one that is absent: what
                        // needs that key is a consequence of the typo.
                        if let Some(k) = hint
                            && !present.contains(k)
                        {
                            meant.insert(k.to_owned());
                            self.damage.entries.insert(path.to_owned());
                        }
                        continue;
                    }
                    Some(additional) if additional.is_object() => additional,
                    _ => continue,
                },
            };
            if let Err(message) = self.walk(value, schema, &key_path) {
                self.problem(&key_path, message, At::Value);
                self.damage.entries.insert(path.to_owned());
                self.damage.values.insert(key_path);
                if required.contains(&name) {
                    *value = self.placeholder(schema);
                } else {
                    drop.push(key.clone());
                }
            }
        }
        for key in &drop {
            map.remove(key);
        }
        for name in required {
            if map.contains_key(name) {
                continue;
            }
            if !meant.contains(name) {
                self.problem(path, format!("missing field `{name}`"), At::Key);
            }
            let placeholder = properties
                .and_then(|p| p.get(name))
                .map_or(Yaml::Null, |s| self.placeholder(s));
            map.insert(Yaml::String(name.to_owned()), placeholder);
            self.damage.entries.insert(path.to_owned());
            self.damage.values.insert(child(path, name));
        }
    }

    /// A neutral value of `schema`: absent for an optional value, the first
    /// choice of an enum, empty text, zero, an empty list, or a mapping of
    /// placeholders for its required keys.
    fn placeholder(&self, schema: &'s Json) -> Yaml {
        let schema = self.resolve(schema);
        if let Some(constant) = schema.get("const") {
            return to_yaml(constant);
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Json::as_array)
            .and_then(|o| o.first())
        {
            return to_yaml(first);
        }
        if let Some(branches) = alternatives(schema) {
            let optional = branches
                .iter()
                .any(|b| self.resolve(b).get("type").and_then(Json::as_str) == Some("null"));
            return match branches.first() {
                Some(first) if !optional => self.placeholder(first),
                _ => Yaml::Null,
            };
        }
        let types = schema.get("type").map(type_names).unwrap_or_default();
        if types.iter().any(|t| t == "null") {
            return Yaml::Null;
        }
        match types.first().map(String::as_str) {
            Some("string") => Yaml::String(String::new()),
            Some("integer" | "number") => Yaml::Number(0.into()),
            Some("boolean") => Yaml::Bool(false),
            Some("array") => Yaml::Sequence(Vec::new()),
            Some("object") => {
                let mut map = serde_yaml::Mapping::new();
                let required = schema.get("required").and_then(Json::as_array);
                for name in required.into_iter().flatten().filter_map(Json::as_str) {
                    let value = schema
                        .get("properties")
                        .and_then(|p| p.get(name))
                        .map_or(Yaml::Null, |s| self.placeholder(s));
                    map.insert(Yaml::String(name.to_owned()), value);
                }
                Yaml::Mapping(map)
            }
            _ => Yaml::Null,
        }
    }
}

fn alternatives(schema: &Json) -> Option<&[Json]> {
    schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Json::as_array)
        .map(Vec::as_slice)
}

fn type_names(types: &Json) -> Vec<String> {
    match types {
        Json::String(t) => vec![t.clone()],
        Json::Array(ts) => ts
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `value` is of the JSON Schema type `name`, as serde reads YAML:
/// a whole number is an `integer` (and a `number`), `10.0` only a `number`.
fn has_type(value: &Yaml, name: &str) -> bool {
    match (name, value) {
        ("null", Yaml::Null) | ("boolean", Yaml::Bool(_)) | ("string", Yaml::String(_)) => true,
        ("integer", Yaml::Number(n)) => n.is_i64() || n.is_u64(),
        ("number", Yaml::Number(_)) => true,
        ("array", Yaml::Sequence(_)) | ("object", Yaml::Mapping(_)) => true,
        _ => false,
    }
}

/// The range `format` and `minimum` give a whole number, as serde enforces it.
fn integer_range(value: &Yaml, schema: &Json) -> Option<String> {
    let Yaml::Number(n) = value else {
        return None;
    };
    let (low, high): (i128, i128) = match schema.get("format").and_then(Json::as_str) {
        Some("uint8") => (0, u8::MAX.into()),
        Some("uint16") => (0, u16::MAX.into()),
        Some("uint32") => (0, u32::MAX.into()),
        Some("uint64" | "uint") => (0, u64::MAX.into()),
        Some("int8") => (i8::MIN.into(), i8::MAX.into()),
        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("int64" | "int") => (i64::MIN.into(), i64::MAX.into()),
        _ => (i128::MIN, i128::MAX),
    };
    let low = match schema.get("minimum").and_then(Json::as_i64) {
        Some(minimum) => low.max(minimum.into()),
        None => low,
    };
    let whole = n
        .as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))?;
    if (low..=high).contains(&whole) {
        return None;
    }
    Some(if high == i128::MAX {
        format!("expected a whole number of at least {low}, found `{n}`")
    } else {
        format!("expected a whole number from {low} to {high}, found `{n}`")
    })
}

/// Whether a YAML value equals a JSON constant (text, number or boolean).
fn same(value: &Yaml, constant: &Json) -> bool {
    match (value, constant) {
        (Yaml::String(a), Json::String(b)) => a == b,
        (Yaml::Bool(a), Json::Bool(b)) => a == b,
        (Yaml::Number(a), Json::Number(b)) => a.to_string() == b.to_string(),
        (Yaml::Null, Json::Null) => true,
        _ => false,
    }
}

fn constant_text(constant: &Json) -> String {
    match constant {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn unknown_value(value: &Yaml, options: &[&Json]) -> String {
    let options: Vec<String> = options.iter().map(|o| constant_text(o)).collect();
    let names: Vec<&str> = options.iter().map(String::as_str).collect();
    let text = match value {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match text {
        Some(text) => {
            let hint = closest(&text, &names)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            format!(
                "unknown value `{text}`, expected one of {}{hint}",
                quoted(&names)
            )
        }
        None => format!(
            "expected one of {}, found {}",
            quoted(&names),
            describe_value(value)
        ),
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_types(types: &[String]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for t in types {
        let word = match t.as_str() {
            "string" => "text",
            "integer" => "a whole number",
            "number" => "a number",
            "boolean" => "`true` or `false`",
            "array" => "a list",
            "object" => "a mapping",
            // An optional key may be absent, which is not worth suggesting.
            _ => continue,
        };
        if !words.contains(&word) {
            words.push(word);
        }
    }
    match words.as_slice() {
        [] => "nothing".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe_value(value: &Yaml) -> String {
    match value {
        Yaml::Null => "nothing".to_owned(),
        Yaml::Bool(b) => format!("`{b}`"),
        Yaml::Number(n) => format!("`{n}`"),
        Yaml::String(s) if s.chars().count() > 40 => {
            let head: String = s.chars().take(40).collect();
            format!("the text `{head}…`")
        }
        Yaml::String(s) => format!("the text `{s}`"),
        Yaml::Sequence(_) => "a list".to_owned(),
        Yaml::Mapping(_) => "a mapping".to_owned(),
        Yaml::Tagged(tagged) => format!("a value tagged `{}`", tagged.tag),
    }
}

fn to_yaml(value: &Json) -> Yaml {
    serde_yaml::to_value(value).unwrap_or(Yaml::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, format: Format) -> (Vec<(String, String)>, Yaml, Damage) {
        let mut value: Yaml = serde_yaml::from_str(text).expect("YAML");
        let (problems, damage) = check(&mut value, format);
        let problems = problems.into_iter().map(|p| (p.path, p.message)).collect();
        (problems, value, damage)
    }

    /// Every keyword the schemas use is one the walk understands (or an
    /// annotation), and every `$ref` resolves: a change of schemars' output
    /// cannot silently weaken the check.
    #[test]
    fn the_schemas_use_only_understood_keywords() {
        const UNDERSTOOD: &[&str] = &[
            "$defs",
            "$ref",
            "$schema",
            "anyOf",
            "oneOf",
            "const",
            "enum",
            "type",
            "format",
            "minimum",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "title",
            "description",
            "default",
        ];
        fn visit(schema: &Json, root: &Json, problems: &mut Vec<String>) {
            let Json::Object(map) = schema else { return };
            for (key, value) in map {
                if !UNDERSTOOD.contains(&key.as_str()) {
                    problems.push(format!("keyword `{key}`"));
                }
                match key.as_str() {
                    "$ref" => {
                        let name = value
                            .as_str()
                            .and_then(|r| r.strip_prefix("#/$defs/"))
                            .unwrap_or_default();
                        if root.get("$defs").and_then(|d| d.get(name)).is_none() {
                            problems.push(format!("unresolvable {value}"));
                        }
                    }
                    "properties" | "$defs" => {
                        for v in value.as_object().into_iter().flat_map(|o| o.values()) {
                            visit(v, root, problems);
                        }
                    }
                    "anyOf" | "oneOf" => {
                        for v in value.as_array().into_iter().flatten() {
                            visit(v, root, problems);
                        }
                    }
                    "items" | "additionalProperties" => visit(value, root, problems),
                    _ => {}
                }
            }
        }
        for root in [&*ENDPOINT, &*SHARED] {
            let mut problems = Vec::new();
            visit(root, root, &mut problems);
            assert!(problems.is_empty(), "{problems:?}");
        }
    }

    #[test]
    fn every_mistake_is_found_and_repaired() {
        let text = "\
id: x
rust_name: X
title: T
description: D
api: merchnt
group: g
direction: request
completeness: F
hosts: [kz, mars]
request:
  encoding: form
  fields:
    - name: pg_a
      type: strng
      description: A.
    - name: pg_b
      type: string
      max_lenght: 5
      descripton: B.
    - name: pg_c
      min_length: -1
      type: string
      description: C.
";
        let (problems, value, damage) = run(text, Format::Endpoint);
        assert_eq!(
            problems,
            [
                ("api".to_owned(), "unknown value `merchnt`, expected one of `merchant`, `gateway`, `card`, `partner` (did you mean `merchant`?)".to_owned()),
                ("hosts[1]".to_owned(), "unknown value `mars`, expected one of `kz`, `kg`, `uz`, `money`".to_owned()),
                ("request.fields[0].type".to_owned(), "unknown value `strng`, expected one of `string`, `integer`, `amount`, `decimal`, `flag`, `boolean`, `enum`, `url`, `email`, `phone`, `ip`, `date_time`, `card_number`, `card_cvc`, `card_month`, `card_year`, `list`, `text_list`, `object` (did you mean `string`?)".to_owned()),
                ("request.fields[1].max_lenght".to_owned(), "unknown field `max_lenght` (did you mean `max_length`?)".to_owned()),
                ("request.fields[1].descripton".to_owned(), "unknown field `descripton` (did you mean `description`?)".to_owned()),
                ("request.fields[2].min_length".to_owned(), "expected a whole number from 0 to 4294967295, found `-1`".to_owned()),
            ]
        );
        // The repaired value deserialises; the repairs are recorded.
        let file: crate::spec::EndpointFile = serde_yaml::from_value(value).expect("repaired");
        assert_eq!(file.api, crate::spec::ApiName::Merchant);
        assert_eq!(file.request.fields[0].ty, None);
        assert!(damage.hides("api"));
        assert!(damage.hides("request.fields[0]"));
        assert!(damage.hides("request.fields[1]"));
        assert!(!damage.hides("request.fields[1].name"));
        assert!(damage.hides("request.fields[2].min_length"));
        // The entry lost a key: what it then lacks is a consequence.
        assert!(damage.hides("request.fields[2]"));
        assert!(!damage.hides("request.fields[2].name"));
        assert!(!damage.hides("request"));
        assert!(damage.within("request.fields[2]"));
        assert!(!damage.whole());
    }

    #[test]
    fn missing_and_misspelt_required_keys_are_one_problem_each() {
        let text = "\
id: x
rust_name: X
titel: T
api: merchant
group: g
direction: request
completeness: F
request:
  encoding: form
  fields: []
";
        let (problems, value, damage) = run(text, Format::Endpoint);
        assert_eq!(
            problems,
            [
                (
                    "titel".to_owned(),
                    "unknown field `titel` (did you mean `title`?)".to_owned()
                ),
                (String::new(), "missing field `description`".to_owned()),
            ]
        );
        let file: crate::spec::EndpointFile = serde_yaml::from_value(value).expect("repaired");
        assert_eq!(file.title, "");
        assert!(damage.hides("title") && damage.hides("description") && damage.hides(""));
    }

    #[test]
    fn wrong_kinds_are_named() {
        let text = "\
fields:
  - id: a
    name: pg_a
    type: string
    example: [1, 2]
    items: true
errors: {}
";
        let (problems, value, _) = run(text, Format::Shared);
        assert_eq!(
            problems,
            [
                (
                    "fields[0].example".to_owned(),
                    "expected `true` or `false`, a whole number, a number or text, found a list"
                        .to_owned()
                ),
                (
                    "fields[0].items".to_owned(),
                    "expected a list, found `true`".to_owned()
                ),
                (
                    "errors".to_owned(),
                    "expected a list, found a mapping".to_owned()
                ),
            ]
        );
        let _: crate::spec::SharedFile = serde_yaml::from_value(value).expect("repaired");
    }

    #[test]
    fn a_document_that_is_no_mapping_is_unusable() {
        let (problems, _, damage) = run("- just\n- a list\n", Format::Shared);
        assert_eq!(
            problems,
            [(String::new(), "expected a mapping, found a list".to_owned())]
        );
        assert!(damage.whole());
    }

    #[test]
    fn valid_files_are_left_alone() {
        let text = "\
fields:
  - id: amount
    name: pg_amount
    type: amount
    min: \"0.01\"
    example: 10
    description: Money.
";
        let (problems, value, damage) = run(text, Format::Shared);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(value, serde_yaml::from_str::<Yaml>(text).expect("YAML"));
        assert_eq!(damage, Damage::default());
    }
}
