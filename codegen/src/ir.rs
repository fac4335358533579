//! The intermediate representation: the spec with every reference resolved,
//! every default applied and every rule checked.
//!
//! [`lower`] turns a [`RawSpec`] into an [`Api`]. It never stops early: each
//! problem becomes a [`Diagnostic`](crate::Diagnostic) naming the file, line and field, and
//! lowering goes on with what it could make sense of. Emitters read only the
//! IR, never YAML or serde types.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;

use crate::check;
use crate::diag::Diagnostics;
use crate::load::{RawSpec, Source};
use crate::spec::{
    self, ApiName, Completeness, Direction, Encoding, FieldType, FilledBy, ListStyle, Method, Site,
};

/// The whole API.
#[derive(Debug, Clone)]
pub struct Api {
    /// Shared enums, by id order.
    pub enums: Vec<Enum>,
    /// Endpoints and callbacks, in file order.
    pub endpoints: Vec<Endpoint>,
    /// Error codes, test data and the documentation's endpoint index.
    pub reference: crate::reference::Reference,
}

/// An enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    /// Spec id.
    pub id: String,
    /// Rust type name.
    pub rust_name: String,
    /// Description.
    pub description: String,
    /// Whether unknown values are kept in an `Unknown(String)` variant.
    pub open: bool,
    /// The values.
    pub values: Vec<EnumValue>,
}

/// One enum value.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    /// Wire text.
    pub wire: String,
    /// Variant name.
    pub rust: String,
    /// Description.
    pub description: String,
}

/// An endpoint or callback.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Spec id.
    pub id: String,
    /// Stem of the Rust type names.
    pub rust_name: String,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description: String,
    /// API.
    pub api: ApiName,
    /// Group (module name).
    pub group: String,
    /// Name of the client method (`client.<group>().<client_method>(…)`).
    pub client_method: String,
    /// Who calls whom.
    pub direction: Direction,
    /// HTTP method.
    pub method: Method,
    /// Path template on the gateway (requests only).
    pub path: Option<String>,
    /// Path parameters, by the request field's Rust name.
    pub path_params: Vec<String>,
    /// Script name for the signature (for callbacks: the one used in examples).
    pub script: String,
    /// Sites serving the endpoint.
    pub hosts: Vec<Site>,
    /// Signed with the payout key when configured.
    pub payout_key: bool,
    /// Documentation completeness.
    pub completeness: Completeness,
    /// Notes on gaps and contradictions.
    pub notes: Vec<String>,
    /// Sources.
    pub sources: Vec<String>,
    /// Enums local to this endpoint.
    pub enums: Vec<Enum>,
    /// The request (or callback) message.
    pub request: Message,
    /// The response (or reply) message.
    pub response: Option<Message>,
    /// Examples.
    pub examples: Vec<Example>,
    /// The spec file (for docs and diagnostics).
    pub file: String,
}

impl Endpoint {
    /// Rust name of the request (or callback) type.
    pub fn request_type(&self) -> String {
        match self.direction {
            Direction::Request | Direction::Redirect => format!("{}Request", self.rust_name),
            Direction::Callback => format!("{}Callback", self.rust_name),
        }
    }

    /// Rust name of the response (or reply) type.
    pub fn response_type(&self) -> String {
        match self.direction {
            Direction::Request | Direction::Redirect => format!("{}Response", self.rust_name),
            Direction::Callback => format!("{}Reply", self.rust_name),
        }
    }
}

/// A message.
#[derive(Debug, Clone)]
pub struct Message {
    /// Encoding.
    pub encoding: Encoding,
    /// Whether it carries `pg_salt` and `pg_sig`.
    pub signed: bool,
    /// Description.
    pub description: Option<String>,
    /// Fields in wire order.
    pub fields: Vec<Field>,
}

impl Message {
    /// Fields the user sets (not filled by the client).
    pub fn user_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.filled_by.is_none())
    }
}

/// A field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Wire name.
    pub wire: String,
    /// Rust field name.
    pub rust: String,
    /// Type.
    pub ty: Type,
    /// Required.
    pub required: bool,
    /// Filled by the client.
    pub filled_by: Option<FilledBy>,
    /// Constraints.
    pub constraints: Constraints,
    /// Default value's wire text.
    pub default: Option<String>,
    /// Example value's wire text.
    pub example: Option<String>,
    /// Description.
    pub description: String,
    /// Documentation note.
    pub note: Option<String>,
}

/// A field's type.
#[derive(Debug, Clone)]
pub enum Type {
    /// Text.
    String,
    /// Integer.
    Integer,
    /// Money.
    Amount,
    /// Non-money decimal.
    Decimal,
    /// 0/1 flag.
    Flag,
    /// Enum; `shared` tells where the type lives.
    Enum {
        /// The enum.
        def: Enum,
        /// Whether it is a shared enum (else local to the endpoint).
        shared: bool,
    },
    /// URL.
    Url,
    /// E-mail.
    Email,
    /// Phone.
    Phone,
    /// IP address.
    Ip,
    /// Date-time.
    DateTime,
    /// List of objects.
    List {
        /// Item type name.
        item_rust_name: String,
        /// How the list travels.
        style: ListStyle,
        /// Item fields.
        fields: Vec<Field>,
    },
}

impl Type {
    /// The spec's name for the type.
    pub fn name(&self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Integer => "integer",
            Type::Amount => "amount",
            Type::Decimal => "decimal",
            Type::Flag => "flag",
            Type::Enum { .. } => "enum",
            Type::Url => "url",
            Type::Email => "email",
            Type::Phone => "phone",
            Type::Ip => "ip",
            Type::DateTime => "date_time",
            Type::List { .. } => "list",
        }
    }

    /// Whether values are text checked by length and pattern.
    pub fn is_text(&self) -> bool {
        matches!(
            self,
            Type::String | Type::Url | Type::Email | Type::Phone | Type::Ip | Type::DateTime
        )
    }

    /// Whether values are numbers checked by min and max.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Integer | Type::Amount | Type::Decimal)
    }
}

/// Constraints on a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// Minimum (decimal text).
    pub min: Option<String>,
    /// Maximum (decimal text).
    pub max: Option<String>,
    /// Minimum length in characters.
    pub min_length: Option<u32>,
    /// Maximum length in characters.
    pub max_length: Option<u32>,
    /// Regular expression.
    pub pattern: Option<String>,
    /// Minimum list length.
    pub min_items: Option<u32>,
    /// Maximum list length.
    pub max_items: Option<u32>,
}

/// An example exchange.
#[derive(Debug, Clone)]
pub struct Example {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Request parameters by wire name, in order.
    pub request: freedompay_core::Params,
    /// Documented string to sign, with `{merchant_id}` / `{secret_key}` placeholders.
    pub string_to_sign: Option<String>,
    /// Documented response body.
    pub response: Option<String>,
}

/// The documented test credentials examples are signed with.
pub const TEST_MERCHANT_ID: &str = "12345";
/// The documented test secret key examples are signed with.
pub const TEST_SECRET_KEY: &str = "mysecret";

/// Context for lowering one file.
pub(crate) struct Ctx<'a> {
    pub source: &'a Source,
    pub diagnostics: &'a mut Diagnostics,
}

impl Ctx<'_> {
    pub fn error(&mut self, path: &str, field: &str, message: impl Into<String>) {
        let diagnostic = self.source.error(path, field, message);
        self.diagnostics.push(diagnostic);
    }
}

/// Lowers the raw spec, checking every rule. Returns the IR only when no problem was found.
pub fn lower(raw: &RawSpec, diagnostics: &mut Diagnostics) -> Option<Api> {
    let before = diagnostics.len();
    let mut shared_fields: BTreeMap<String, (usize, usize, spec::Field)> = BTreeMap::new();
    let mut shared_enums: BTreeMap<String, Enum> = BTreeMap::new();
    let mut enum_sources: BTreeMap<String, String> = BTreeMap::new();

    for (file_index, (source, file)) in raw.shared.iter().enumerate() {
        let mut cx = Ctx {
            source,
            diagnostics,
        };
        for (i, def) in file.enums.iter().enumerate() {
            let path = format!("enums[{i}]");
            let lowered = lower_enum(&mut cx, &path, def);
            if let Some(first) = enum_sources.get(&def.id) {
                cx.error(
                    &path,
                    &def.id,
                    format!("enum `{}` is already defined in {first}", def.id),
                );
            } else {
                enum_sources.insert(def.id.clone(), source.name.clone());
                shared_enums.insert(def.id.clone(), lowered);
            }
        }
        for (i, field) in file.fields.iter().enumerate() {
            let path = format!("fields[{i}]");
            if shared_fields.contains_key(&field.id) {
                cx.error(
                    &path,
                    &field.id,
                    format!("shared field `{}` is defined twice", field.id),
                );
            } else {
                shared_fields.insert(field.id.clone(), (file_index, i, field.field.clone()));
            }
            if field.field.reference.is_some() {
                cx.error(
                    &format!("{path}.ref"),
                    &field.id,
                    "a shared field cannot refer to another one",
                );
            }
        }
    }

    // Shared fields are lowered once, against the shared enums, to report their own problems.
    for (id, (file_index, i, field)) in &shared_fields {
        let (source, _) = &raw.shared[*file_index];
        let mut cx = Ctx {
            source,
            diagnostics,
        };
        let resolver = Resolver {
            shared_fields: &BTreeMap::new(),
            shared_enums: &shared_enums,
            local_enums: &BTreeMap::new(),
        };
        let _ = resolver.field(&mut cx, &format!("fields[{i}]"), field, id);
    }

    let shared_field_defs: BTreeMap<String, spec::Field> = shared_fields
        .into_iter()
        .map(|(id, (_, _, field))| (id, field))
        .collect();

    let mut endpoints = Vec::new();
    for (source, file) in &raw.endpoints {
        let mut cx = Ctx {
            source,
            diagnostics,
        };
        if let Some(endpoint) = lower_endpoint(&mut cx, file, &shared_field_defs, &shared_enums) {
            endpoints.push(endpoint);
        }
    }
    check::across_endpoints(raw, &endpoints, diagnostics);
    let mobile_operators = shared_enums
        .get("mobile_operator")
        .map(|e| e.values.iter().map(|v| v.wire.clone()).collect())
        .unwrap_or_default();
    let reference = crate::reference::lower(raw, &endpoints, &mobile_operators, diagnostics);

    if diagnostics.len() > before {
        return None;
    }
    Some(Api {
        enums: shared_enums.into_values().collect(),
        endpoints,
        reference,
    })
}

fn lower_enum(cx: &mut Ctx<'_>, path: &str, def: &spec::EnumDef) -> Enum {
    check::rust_type_name(cx, &format!("{path}.rust_name"), &def.id, &def.rust_name);
    check::snake_case_id(cx, &format!("{path}.id"), &def.id, &def.id);
    if def.values.is_empty() {
        cx.error(
            &format!("{path}.values"),
            &def.id,
            "an enum needs at least one value",
        );
    }
    let mut wires = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut values = Vec::new();
    for (i, value) in def.values.iter().enumerate() {
        let vpath = format!("{path}.values[{i}]");
        let wire = value.value.text();
        check::rust_type_name(cx, &format!("{vpath}.rust"), &def.id, &value.rust);
        if value.rust == "Unknown" && def.open {
            cx.error(
                &format!("{vpath}.rust"),
                &def.id,
                "`Unknown` is reserved for the unknown values of an open enum",
            );
        }
        if !wires.insert(wire.clone()) {
            cx.error(
                &format!("{vpath}.value"),
                &def.id,
                format!("value `{wire}` is listed twice"),
            );
        }
        if !names.insert(value.rust.clone()) {
            cx.error(
                &format!("{vpath}.rust"),
                &def.id,
                format!("variant name `{}` is used twice", value.rust),
            );
        }
        values.push(EnumValue {
            wire,
            rust: value.rust.clone(),
            description: value.description.trim().to_owned(),
        });
    }
    Enum {
        id: def.id.clone(),
        rust_name: def.rust_name.clone(),
        description: def.description.trim().to_owned(),
        open: def.open,
        values,
    }
}

fn lower_endpoint(
    cx: &mut Ctx<'_>,
    file: &spec::EndpointFile,
    shared_fields: &BTreeMap<String, spec::Field>,
    shared_enums: &BTreeMap<String, Enum>,
) -> Option<Endpoint> {
    check::snake_case_id(cx, "id", "", &file.id);
    check::snake_case_id(cx, "group", "", &file.group);
    check::rust_type_name(cx, "rust_name", "", &file.rust_name);
    let client_method = match &file.client_method {
        Some(name) => {
            check::snake_case_id(cx, "client_method", "", name);
            name.clone()
        }
        None => file
            .id
            .strip_prefix(&format!("{}_", file.group))
            .unwrap_or(&file.id)
            .to_owned(),
    };

    let mut local_enums = BTreeMap::new();
    for (i, def) in file.enums.iter().enumerate() {
        let path = format!("enums[{i}]");
        let lowered = lower_enum(cx, &path, def);
        if shared_enums.contains_key(&def.id) || local_enums.contains_key(&def.id) {
            cx.error(
                &path,
                &def.id,
                format!("enum `{}` is already defined", def.id),
            );
        } else {
            local_enums.insert(def.id.clone(), lowered);
        }
    }
    let resolver = Resolver {
        shared_fields,
        shared_enums,
        local_enums: &local_enums,
    };

    let request = resolver.message(cx, "request", &file.request);
    let response = file
        .response
        .as_ref()
        .map(|message| resolver.message(cx, "response", message));

    if file.direction == Direction::Redirect && file.response.is_some() {
        cx.error(
            "response",
            "",
            "a redirect has no response: the payer's browser opens the URL",
        );
    }
    let (path, script) = match file.direction {
        Direction::Request | Direction::Redirect => {
            let Some(path) = file.path.clone() else {
                cx.error(
                    "path",
                    "",
                    "a request endpoint needs a `path` on the gateway host",
                );
                return None;
            };
            if !path.starts_with('/') {
                cx.error("path", "", format!("the path `{path}` must start with `/`"));
            }
            let script = match &file.script {
                Some(script) => script.clone(),
                None => {
                    let derived = freedompay_core::signature::script_name(&path).to_owned();
                    if derived.is_empty() || derived.contains('{') {
                        cx.error(
                            "path",
                            "",
                            "the script name cannot be derived from this path: set `script`",
                        );
                    }
                    derived
                }
            };
            (Some(path), script)
        }
        Direction::Callback => {
            if file.path.is_some() {
                cx.error(
                    "path",
                    "",
                    "a callback has no gateway path (it goes to the merchant's URL)",
                );
            }
            let Some(script) = file.script.clone() else {
                cx.error("script", "", "a callback needs `script`: the merchant-side script name its examples are signed with");
                return None;
            };
            (None, script)
        }
    };
    if script.is_empty() || script.contains(['/', '?', ';']) {
        cx.error(
            "script",
            "",
            format!(
                "`{script}` is not a script name (the last path segment, without `/`, `?` or `;`)"
            ),
        );
    }

    let path_params = path
        .as_deref()
        .map(|p| check::path_params(cx, p, &request))
        .unwrap_or_default();

    let examples = file
        .examples
        .iter()
        .enumerate()
        .map(|(i, example)| {
            crate::examples::lower(
                cx,
                &format!("examples[{i}]"),
                example,
                &request,
                response.as_ref(),
            )
        })
        .collect();

    let mut hosts = file
        .hosts
        .clone()
        .unwrap_or_else(|| vec![Site::Kz, Site::Kg, Site::Uz, Site::Money]);
    hosts.sort();
    hosts.dedup();

    Some(Endpoint {
        id: file.id.clone(),
        rust_name: file.rust_name.clone(),
        title: file.title.trim().to_owned(),
        description: file.description.trim().to_owned(),
        api: file.api,
        group: file.group.clone(),
        client_method,
        direction: file.direction,
        method: file.method,
        path,
        path_params,
        script,
        hosts,
        payout_key: file.payout_key,
        completeness: file.completeness,
        notes: file.notes.iter().map(|n| n.trim().to_owned()).collect(),
        sources: file.sources.clone(),
        enums: local_enums.into_values().collect(),
        request,
        response,
        examples,
        file: cx.source.name.clone(),
    })
}

struct Resolver<'a> {
    shared_fields: &'a BTreeMap<String, spec::Field>,
    shared_enums: &'a BTreeMap<String, Enum>,
    local_enums: &'a BTreeMap<String, Enum>,
}

impl Resolver<'_> {
    fn message(&self, cx: &mut Ctx<'_>, path: &str, message: &spec::Message) -> Message {
        let mut fields = Vec::new();
        for (i, field) in message.fields.iter().enumerate() {
            let fpath = format!("{path}.fields[{i}]");
            let label = field
                .name
                .clone()
                .or_else(|| field.reference.clone())
                .unwrap_or_default();
            if let Some(field) = self.entry(cx, &fpath, field, &label) {
                fields.push(field);
            }
        }
        check::unique_names(cx, path, &fields);
        check::filled_fields(cx, path, message, &fields);
        Message {
            encoding: message.encoding,
            signed: message.signed,
            description: message.description.as_ref().map(|d| d.trim().to_owned()),
            fields,
        }
    }

    /// A field entry: a reference merged with its overrides, or a full definition.
    fn entry(
        &self,
        cx: &mut Ctx<'_>,
        path: &str,
        field: &spec::Field,
        label: &str,
    ) -> Option<Field> {
        let Some(reference) = &field.reference else {
            return self.field(cx, path, field, label);
        };
        let Some(base) = self.shared_fields.get(reference) else {
            let known: Vec<&str> = self.shared_fields.keys().map(String::as_str).collect();
            cx.error(
                &format!("{path}.ref"),
                reference,
                format!(
                    "unknown shared field `{reference}`{}",
                    check::did_you_mean(reference, &known)
                ),
            );
            return None;
        };
        for (key, set) in [
            ("name", field.name.is_some()),
            ("rust", field.rust.is_some()),
            ("type", field.ty.is_some()),
            ("enum", field.enumeration.is_some()),
            ("items", field.items.is_some()),
            ("filled_by", field.filled_by.is_some()),
        ] {
            if set {
                cx.error(
                    &format!("{path}.{key}"),
                    reference,
                    format!("`{key}` comes from the shared field `{reference}` and cannot be overridden; define a separate field instead"),
                );
            }
        }
        let merged = spec::Field {
            reference: None,
            required: field.required.or(base.required),
            min: field.min.clone().or_else(|| base.min.clone()),
            max: field.max.clone().or_else(|| base.max.clone()),
            min_length: field.min_length.or(base.min_length),
            max_length: field.max_length.or(base.max_length),
            pattern: field.pattern.clone().or_else(|| base.pattern.clone()),
            min_items: field.min_items.or(base.min_items),
            max_items: field.max_items.or(base.max_items),
            default: field.default.clone().or_else(|| base.default.clone()),
            example: field.example.clone().or_else(|| base.example.clone()),
            description: field
                .description
                .clone()
                .or_else(|| base.description.clone()),
            note: field.note.clone().or_else(|| base.note.clone()),
            ..base.clone()
        };
        let label = merged.name.clone().unwrap_or_else(|| reference.clone());
        self.field(cx, path, &merged, &label)
    }

    fn field(
        &self,
        cx: &mut Ctx<'_>,
        path: &str,
        field: &spec::Field,
        label: &str,
    ) -> Option<Field> {
        let Some(wire) = field.name.clone() else {
            cx.error(path, label, "a field needs `name` (its wire name) or `ref`");
            return None;
        };
        let Some(spec_ty) = field.ty else {
            cx.error(path, &wire, "a field needs `type` or `ref`");
            return None;
        };
        check::wire_name(cx, &format!("{path}.name"), &wire);
        let rust = field
            .rust
            .clone()
            .unwrap_or_else(|| wire.strip_prefix("pg_").unwrap_or(&wire).to_owned());
        check::rust_field_name(cx, &format!("{path}.rust"), &wire, &rust);

        let ty = match spec_ty {
            FieldType::String => Type::String,
            FieldType::Integer => Type::Integer,
            FieldType::Amount => Type::Amount,
            FieldType::Decimal => Type::Decimal,
            FieldType::Flag => Type::Flag,
            FieldType::Url => Type::Url,
            FieldType::Email => Type::Email,
            FieldType::Phone => Type::Phone,
            FieldType::Ip => Type::Ip,
            FieldType::DateTime => Type::DateTime,
            FieldType::Enum => {
                let Some(id) = &field.enumeration else {
                    cx.error(path, &wire, "a field of `type: enum` needs `enum: <id>`");
                    return None;
                };
                if let Some(def) = self.local_enums.get(id) {
                    Type::Enum {
                        def: def.clone(),
                        shared: false,
                    }
                } else if let Some(def) = self.shared_enums.get(id) {
                    Type::Enum {
                        def: def.clone(),
                        shared: true,
                    }
                } else {
                    let known: Vec<&str> = self
                        .local_enums
                        .keys()
                        .chain(self.shared_enums.keys())
                        .map(String::as_str)
                        .collect();
                    cx.error(
                        &format!("{path}.enum"),
                        &wire,
                        format!("unknown enum `{id}`{}", check::did_you_mean(id, &known)),
                    );
                    return None;
                }
            }
            FieldType::List => {
                let Some(items) = &field.items else {
                    cx.error(path, &wire, "a field of `type: list` needs `items`");
                    return None;
                };
                let item_rust_name = field
                    .item_rust_name
                    .clone()
                    .unwrap_or_else(|| rust.to_upper_camel_case());
                check::rust_type_name(
                    cx,
                    &format!("{path}.item_rust_name"),
                    &wire,
                    &item_rust_name,
                );
                let mut fields = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let ipath = format!("{path}.items[{i}]");
                    let label = item
                        .name
                        .clone()
                        .or_else(|| item.reference.clone())
                        .unwrap_or_default();
                    if let Some(item) = self.entry(cx, &ipath, item, &label) {
                        fields.push(item);
                    }
                }
                check::unique_names(cx, path, &fields);
                Type::List {
                    item_rust_name,
                    style: field.list_style.unwrap_or(ListStyle::Indexed),
                    fields,
                }
            }
        };
        if field.enumeration.is_some() && !matches!(ty, Type::Enum { .. }) {
            cx.error(
                &format!("{path}.enum"),
                &wire,
                "`enum` applies only to `type: enum`",
            );
        }
        if !matches!(ty, Type::List { .. }) {
            for (key, set) in [
                ("items", field.items.is_some()),
                ("item_rust_name", field.item_rust_name.is_some()),
                ("list_style", field.list_style.is_some()),
            ] {
                if set {
                    cx.error(
                        &format!("{path}.{key}"),
                        &wire,
                        format!("`{key}` applies only to `type: list`"),
                    );
                }
            }
        }
        let constraints = Constraints {
            min: field.min.as_ref().map(spec::Number::text),
            max: field.max.as_ref().map(spec::Number::text),
            min_length: field.min_length,
            max_length: field.max_length,
            pattern: field.pattern.clone(),
            min_items: field.min_items,
            max_items: field.max_items,
        };
        let lowered = Field {
            wire: wire.clone(),
            rust,
            ty,
            required: field.required.unwrap_or(false),
            filled_by: field.filled_by,
            constraints,
            default: field.default.as_ref().map(spec::Scalar::text),
            example: field.example.as_ref().map(spec::Scalar::text),
            description: field
                .description
                .as_deref()
                .map(str::trim)
                .unwrap_or_default()
                .to_owned(),
            note: field.note.as_ref().map(|n| n.trim().to_owned()),
        };
        if lowered.description.is_empty() {
            cx.error(path, &wire, "every field needs a `description`");
        }
        check::constraints(cx, path, &lowered);
        for (key, value) in [("example", &lowered.example), ("default", &lowered.default)] {
            if let Some(value) = value {
                for problem in check::value_problems(&lowered, value) {
                    cx.error(
                        &format!("{path}.{key}"),
                        &wire,
                        format!("the {key} `{value}` breaks its own field's rules: {problem}"),
                    );
                }
            }
        }
        Some(lowered)
    }
}

/// Enum type path helper for emitters: `crate::enums::Language` or the local name.
pub fn enum_is_shared(ty: &Type) -> bool {
    matches!(ty, Type::Enum { shared: true, .. })
}
