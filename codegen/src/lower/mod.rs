//! Lowering: the loaded spec ([`RawSpec`]) becomes the IR ([`crate::ir`]).
//!
//! Lowering resolves every `ref:`, applies every default and derives every
//! name. It never stops early: each problem becomes a
//! [`Diagnostic`](crate::Diagnostic) naming the file, line and field, and
//! lowering goes on with what it could make sense of.

mod examples;
mod reference;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;

use crate::diag::Diagnostics;
use crate::ir::{
    Api, Constraints, Endpoint, Enum, EnumValue, Field, LeftOut, Message, NamedEntry, Origin, Type,
    Unlowered,
};
use crate::load::{RawSpec, Source};
use crate::names::did_you_mean;
use crate::spec::{self, Direction, FieldType, FilledBy, ListStyle, Site};

/// Context for lowering one file.
pub(crate) struct Ctx<'a> {
    pub source: &'a Source,
    pub diagnostics: &'a mut Diagnostics,
}

impl Ctx<'_> {
    /// The origin of the node at `path` in this file.
    pub fn origin(&self, path: &str) -> Origin {
        Origin {
            file: self.source.name.clone(),
            path: path.to_owned(),
        }
    }

    /// Records a problem at `path`, unless it is a consequence of a shape
    /// mistake already reported there (the shape check repaired that place).
    pub fn error(&mut self, path: &str, field: &str, message: impl Into<String>) {
        if self.source.damage().hides(path) {
            return;
        }
        let diagnostic = self.source.error(path, field, message);
        self.diagnostics.push(diagnostic);
    }
}

/// Shared definitions whose file had shape mistakes at them (the mistakes are
/// reported; what uses the definitions is not checked against them), and
/// whether every shared file could be read at all.
#[derive(Debug, Clone, Default)]
struct Broken {
    fields: BTreeSet<String>,
    enums: BTreeSet<String>,
    shared_incomplete: bool,
}

/// Lowers the raw spec. The IR is complete only when no problem was recorded:
/// what could not be lowered is left out of the [`Api`], and what was built of
/// it is returned beside it, for the checks.
pub(crate) fn lower(raw: &RawSpec, diagnostics: &mut Diagnostics) -> (Api, LeftOut) {
    let left_out = RefCell::new(LeftOut::default());
    let mut shared_fields: BTreeMap<String, (usize, usize, spec::Field)> = BTreeMap::new();
    let mut shared_enums: BTreeMap<String, Enum> = BTreeMap::new();
    let mut enum_sources: BTreeMap<String, String> = BTreeMap::new();
    let mut apis: Vec<spec::ApiDef> = Vec::new();
    let mut broken = Broken {
        shared_incomplete: raw.failed.iter().any(|f| f.shared),
        ..Broken::default()
    };

    for (file_index, (source, file)) in raw.shared.iter().enumerate() {
        let mut cx = Ctx {
            source,
            diagnostics,
        };
        for (i, def) in file.enums.iter().enumerate() {
            let path = format!("enums[{i}]");
            if source.damage().within(&path) {
                broken.enums.insert(def.id.clone());
            }
            let lowered = lower_enum(&cx, &path, def);
            if let Some(first) = enum_sources.get(&def.id) {
                cx.error(
                    &path,
                    &def.id,
                    format!("enum `{}` is already defined in {first}", def.id),
                );
                left_out.borrow_mut().enums.push(lowered);
            } else {
                enum_sources.insert(def.id.clone(), source.name.clone());
                shared_enums.insert(def.id.clone(), lowered);
            }
        }
        for (i, def) in file.apis.iter().enumerate() {
            if apis.iter().any(|a| a.api == def.api) {
                cx.error(
                    &format!("apis[{i}]"),
                    "",
                    "this API is already described in `apis:`",
                );
            } else {
                apis.push(def.clone());
            }
        }
        for (i, field) in file.fields.iter().enumerate() {
            let path = format!("fields[{i}]");
            if source.damage().within(&path) {
                broken.fields.insert(field.id.clone());
            }
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

    // Shared fields are lowered once, against the shared enums, to report their own
    // problems; the salt and signature fields are kept, as every signed message carries them.
    let mut implied = Implied::default();
    let mut lowered_shared = Vec::new();
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
            implied: &Implied::default(),
            broken: &broken,
            unchecked: RefCell::default(),
            left_out: &left_out,
        };
        let path = format!("fields[{i}]");
        if let Some(lowered) = resolver.field(&mut cx, &path, field, id, None) {
            implied.offer(&mut cx, &path, id, lowered.clone());
            lowered_shared.push(lowered);
        }
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
        let shared = Shared {
            apis: &apis,
            fields: &shared_field_defs,
            enums: &shared_enums,
            implied: &implied,
            broken: &broken,
            left_out: &left_out,
        };
        endpoints.extend(lower_endpoint(&mut cx, file, &shared));
    }
    let mobile_operators = shared_enums
        .get("mobile_operator")
        .map(|e| e.values.iter().map(|v| v.wire.clone()).collect())
        .unwrap_or_default();
    let reference = reference::lower(raw, &endpoints, &mobile_operators, diagnostics);
    let api = Api {
        enums: shared_enums.into_values().collect(),
        endpoints,
        reference,
        shared_fields: lowered_shared,
        apis,
    };
    (api, left_out.into_inner())
}

fn lower_enum(cx: &Ctx<'_>, path: &str, def: &spec::EnumDef) -> Enum {
    let values = def
        .values
        .iter()
        .map(|value| EnumValue {
            wire: value.value.text(),
            rust: value.rust.clone(),
            description: value.description.trim().to_owned(),
        })
        .collect();
    Enum {
        id: def.id.clone(),
        rust_name: def.rust_name.clone(),
        description: def.description.trim().to_owned(),
        open: def.open,
        values,
        origin: cx.origin(path),
    }
}

/// What every endpoint file may use from the shared files.
struct Shared<'a> {
    apis: &'a [spec::ApiDef],
    fields: &'a BTreeMap<String, spec::Field>,
    enums: &'a BTreeMap<String, Enum>,
    implied: &'a Implied,
    broken: &'a Broken,
    left_out: &'a RefCell<LeftOut>,
}

/// The shared fields filled with the salt and the signature: a signed message
/// carries them whether or not it lists them (`ref: salt`, `ref: sig`).
#[derive(Default)]
struct Implied {
    salt: Option<(String, Field)>,
    signature: Option<(String, Field)>,
}

impl Implied {
    /// Keeps `field` when it is the salt or the signature; a second one of a
    /// kind would make the implied field ambiguous.
    fn offer(&mut self, cx: &mut Ctx<'_>, path: &str, id: &str, field: Field) {
        let (slot, kind) = match field.filled_by {
            Some(FilledBy::Salt) => (&mut self.salt, "salt"),
            Some(FilledBy::Signature) => (&mut self.signature, "signature"),
            _ => return,
        };
        match slot {
            Some((first, _)) => cx.error(
                &format!("{path}.filled_by"),
                id,
                format!(
                    "only one shared field can be `filled_by: {kind}` (`{first}` is): signed messages that do not list it carry it"
                ),
            ),
            None => *slot = Some((id.to_owned(), field)),
        }
    }

    /// Adds the salt and the signature to a signed message that does not list
    /// them: the salt before the signature, both last when neither is listed,
    /// where the client's signing puts them.
    ///
    /// When the shared definitions are `unsure` (one could not be read), the
    /// missing one may be among them: its absence is then not reported.
    fn complete(&self, cx: &mut Ctx<'_>, path: &str, fields: &mut Vec<Field>, unsure: bool) {
        let mut undefined = Vec::new();
        for (kind, implied, name) in [
            (FilledBy::Salt, &self.salt, "salt"),
            (FilledBy::Signature, &self.signature, "signature"),
        ] {
            if fields.iter().any(|f| f.filled_by == Some(kind)) {
                continue;
            }
            let Some((id, field)) = implied else {
                undefined.push(name);
                continue;
            };
            if let Some(i) = fields.iter().position(|f| f.wire == field.wire) {
                cx.error(
                    &format!("{path}.fields[{i}]"),
                    &field.wire,
                    format!(
                        "the client fills `{}` of a signed message: use `ref: {id}`",
                        field.wire
                    ),
                );
                continue;
            }
            let at = match kind {
                FilledBy::Salt => fields
                    .iter()
                    .position(|f| f.filled_by == Some(FilledBy::Signature))
                    .unwrap_or(fields.len()),
                _ => fields.len(),
            };
            fields.insert(at, field.clone());
        }
        if !undefined.is_empty() && !unsure {
            let kinds: Vec<String> = undefined
                .iter()
                .map(|k| format!("`filled_by: {k}`"))
                .collect();
            cx.error(
                path,
                path,
                format!(
                    "a signed message carries its salt and signature, but no shared field has {} to describe them; define it in spec/shared/ or set `signed: false`",
                    kinds.join(" or ")
                ),
            );
        }
    }
}

/// Lowers one endpoint file. An endpoint missing what the API needs of it (a
/// request's `path`, a callback's `script`) is left out, without its examples,
/// for the checks of what it has.
fn lower_endpoint(
    cx: &mut Ctx<'_>,
    file: &spec::EndpointFile,
    shared: &Shared<'_>,
) -> Option<Endpoint> {
    let (shared_fields, shared_enums) = (shared.fields, shared.enums);
    let client_method = file
        .client_method
        .clone()
        .unwrap_or_else(|| default_client_method(&file.id, &file.group));

    let mut local_enums = BTreeMap::new();
    let mut broken = shared.broken.clone();
    for (i, def) in file.enums.iter().enumerate() {
        let path = format!("enums[{i}]");
        if cx.source.damage().within(&path) {
            broken.enums.insert(def.id.clone());
        }
        let lowered = lower_enum(cx, &path, def);
        if shared_enums.contains_key(&def.id) || local_enums.contains_key(&def.id) {
            cx.error(
                &path,
                &def.id,
                format!("enum `{}` is already defined", def.id),
            );
            shared.left_out.borrow_mut().enums.push(lowered);
        } else {
            local_enums.insert(def.id.clone(), lowered);
        }
    }
    let resolver = Resolver {
        shared_fields,
        shared_enums,
        local_enums: &local_enums,
        implied: shared.implied,
        broken: &broken,
        unchecked: RefCell::default(),
        left_out: shared.left_out,
    };

    let request = resolver.message(cx, "request", &file.request);
    let response = file
        .response
        .as_ref()
        .map(|message| resolver.message(cx, "response", message));
    let unchecked = resolver.unchecked.take();

    if file.direction != Direction::Request && file.effect.is_some() {
        cx.error(
            "effect",
            "",
            "only a request has an `effect`: callbacks and redirects are never retried",
        );
    }
    if file.direction == Direction::Redirect && file.response.is_some() {
        cx.error(
            "response",
            "",
            "a redirect has no response: the payer's browser opens the URL",
        );
    }
    let mut hosts = file
        .hosts
        .clone()
        .unwrap_or_else(|| vec![Site::Kz, Site::Kg, Site::Uz, Site::Money]);
    hosts.sort();
    hosts.dedup();
    let mut endpoint = Endpoint {
        id: file.id.clone(),
        rust_name: file.rust_name.clone(),
        title: file.title.trim().to_owned(),
        description: file.description.trim().to_owned(),
        api: file.api,
        group: file.group.clone(),
        client_method,
        direction: file.direction,
        method: file.method,
        path: None,
        path_params: Vec::new(),
        script: String::new(),
        hosts,
        server: file.server,
        payout_key: file.payout_key,
        effect: file.effect.unwrap_or_default(),
        action: file.action.clone(),
        selected_by: file
            .selected_by
            .iter()
            .flatten()
            .map(|(name, value)| (name.clone(), value.as_ref().map(spec::Scalar::text)))
            .collect(),
        test_credentials: shared
            .apis
            .iter()
            .find(|a| a.api == file.api)
            .and_then(|a| a.test_credentials.clone()),
        // An API without an entry in `apis:` signs with `pg_sig`, as the
        // Merchant API does.
        auth: file.auth.unwrap_or_else(|| {
            shared
                .apis
                .iter()
                .find(|a| a.api == file.api)
                .map_or(spec::Auth::PgSig, |a| a.auth)
        }),
        completeness: file.completeness,
        notes: file.notes.iter().map(|n| n.trim().to_owned()).collect(),
        sources: file.sources.clone(),
        enums: local_enums.into_values().collect(),
        request,
        response,
        examples: Vec::new(),
        origin: cx.origin(""),
    };

    let (path, script) = match file.direction {
        Direction::Request | Direction::Redirect => {
            let Some(path) = file.path.clone() else {
                cx.error(
                    "path",
                    "",
                    "a request endpoint needs a `path` on the gateway host",
                );
                shared.left_out.borrow_mut().endpoints.push(endpoint);
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
                shared.left_out.borrow_mut().endpoints.push(endpoint);
                return None;
            };
            (None, script)
        }
    };
    endpoint.path_params = path
        .as_deref()
        .map(|p| path_params(p).0)
        .unwrap_or_default();
    endpoint.path = path;
    endpoint.script = script;

    endpoint.examples = file
        .examples
        .iter()
        .enumerate()
        .map(|(i, example)| {
            examples::lower(
                cx,
                &format!("examples[{i}]"),
                example,
                &endpoint.request,
                &unchecked,
            )
        })
        .collect();
    if !unchecked.is_empty() {
        shared
            .left_out
            .borrow_mut()
            .unlowered
            .insert(endpoint.origin.file.clone(), unchecked);
    }
    Some(endpoint)
}

/// How a list travels: as written, or by default an indexed form list or a
/// JSON array; a JSON message has arrays only, forms and XML none. `json` is
/// the message's encoding (`None` for a shared definition).
fn list_style(
    cx: &mut Ctx<'_>,
    path: &str,
    wire: &str,
    style: Option<ListStyle>,
    json: Option<bool>,
) -> ListStyle {
    // A shared definition (`json` unknown) is checked where it is used.
    let Some(json) = json else {
        return style.unwrap_or(ListStyle::Indexed);
    };
    match (style, json) {
        (None, false) => ListStyle::Indexed,
        (None | Some(ListStyle::Array), true) => ListStyle::Array,
        (Some(ListStyle::Array), false) => {
            cx.error(
                &format!("{path}.list_style"),
                wire,
                "`list_style: array` is a JSON array: forms and XML use `indexed` or `repeated`",
            );
            ListStyle::Indexed
        }
        (Some(_), true) => {
            cx.error(
                &format!("{path}.list_style"),
                wire,
                "a JSON message's lists are arrays (`list_style: array`, the default)",
            );
            ListStyle::Array
        }
        (Some(style), false) => style,
    }
}

/// The names of the `{name}` parameters in a gateway path, and whether an
/// unclosed `{` ended the reading.
pub(crate) fn path_params(path: &str) -> (Vec<String>, bool) {
    let mut params = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return (params, true);
        };
        params.push(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    (params, false)
}

/// The client method of an endpoint that does not name one: its id without the
/// group's prefix.
pub(crate) fn default_client_method(id: &str, group: &str) -> String {
    id.strip_prefix(&format!("{group}_"))
        .unwrap_or(id)
        .to_owned()
}

struct Resolver<'a> {
    shared_fields: &'a BTreeMap<String, spec::Field>,
    shared_enums: &'a BTreeMap<String, Enum>,
    local_enums: &'a BTreeMap<String, Enum>,
    implied: &'a Implied,
    broken: &'a Broken,
    unchecked: RefCell<Unlowered>,
    left_out: &'a RefCell<LeftOut>,
}

impl Resolver<'_> {
    fn message(&self, cx: &mut Ctx<'_>, path: &str, message: &spec::Message) -> Message {
        let json = message.encoding == spec::Encoding::Json;
        let signed = message.signed.unwrap_or(!json);
        if json && signed {
            cx.error(
                &format!("{path}.signed"),
                "",
                "a JSON message carries no `pg_sig`: its endpoint's `auth` says how it is signed",
            );
        }
        let mut fields = self.entries(cx, &format!("{path}.fields"), &message.fields, Some(json));
        if signed && !json {
            // A shared file that could not be read, or a shared field with shape
            // mistakes, may be the salt or signature that seems missing.
            let unsure = self.broken.shared_incomplete || !self.broken.fields.is_empty();
            self.implied.complete(cx, path, &mut fields, unsure);
        }
        Message {
            encoding: message.encoding,
            signed: signed && !json,
            description: message.description.as_ref().map(|d| d.trim().to_owned()),
            fields,
        }
    }

    /// Notes an entry that could not be lowered, so examples may still set it.
    /// Lowers the entries of a field list at `path` (`….fields`, `….items`),
    /// leaving out (and recording) those that cannot be lowered.
    fn entries(
        &self,
        cx: &mut Ctx<'_>,
        path: &str,
        entries: &[spec::Field],
        json: Option<bool>,
    ) -> Vec<Field> {
        let mut fields = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let label = entry
                .name
                .clone()
                .or_else(|| entry.reference.clone())
                .unwrap_or_default();
            match self.entry(cx, &format!("{path}[{i}]"), entry, &label, json) {
                Some(field) => fields.push(field),
                None => self.leave_out(entry),
            }
        }
        fields
    }

    fn leave_out(&self, field: &spec::Field) {
        let wire = field.name.clone().or_else(|| {
            let reference = field.reference.as_ref()?;
            self.shared_fields.get(reference)?.name.clone()
        });
        let mut unchecked = self.unchecked.borrow_mut();
        match wire {
            Some(wire) => {
                unchecked.names.insert(wire);
            }
            None => unchecked.any = true,
        }
    }

    /// Keeps the names of an entry whose type could not be lowered, for the
    /// checks of names; the entry itself is left out.
    fn named_only(&self, cx: &Ctx<'_>, path: &str, wire: String, rust: String) -> Option<Field> {
        self.left_out.borrow_mut().fields.push(NamedEntry {
            wire,
            rust,
            origin: cx.origin(path),
        });
        None
    }

    /// A field entry: a reference merged with its overrides, or a full definition.
    fn entry(
        &self,
        cx: &mut Ctx<'_>,
        path: &str,
        field: &spec::Field,
        label: &str,
        json: Option<bool>,
    ) -> Option<Field> {
        let Some(reference) = &field.reference else {
            return self.field(cx, path, field, label, json);
        };
        // A shared definition with shape mistakes (reported in its own file) is not used.
        if self.broken.fields.contains(reference) {
            return None;
        }
        let Some(base) = self.shared_fields.get(reference) else {
            // A shared file that could not be read may define it.
            if self.broken.shared_incomplete {
                return None;
            }
            let known: Vec<&str> = self.shared_fields.keys().map(String::as_str).collect();
            cx.error(
                &format!("{path}.ref"),
                reference,
                format!(
                    "unknown shared field `{reference}`{}",
                    did_you_mean(reference, &known)
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
            ("fields", field.fields.is_some()),
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
            sensitive: field.sensitive.or(base.sensitive),
            nullable: field.nullable.or(base.nullable),
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
        self.field(cx, path, &merged, &label, json)
    }

    fn field(
        &self,
        cx: &mut Ctx<'_>,
        path: &str,
        field: &spec::Field,
        label: &str,
        json: Option<bool>,
    ) -> Option<Field> {
        let Some(wire) = field.name.clone() else {
            cx.error(path, label, "a field needs `name` (its wire name) or `ref`");
            return None;
        };
        let Some(spec_ty) = field.ty else {
            cx.error(path, &wire, "a field needs `type` or `ref`");
            return None;
        };
        let rust = field
            .rust
            .clone()
            .unwrap_or_else(|| wire.strip_prefix("pg_").unwrap_or(&wire).to_owned());

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
            FieldType::CardNumber => Type::CardNumber,
            FieldType::CardCvc => Type::CardCvc,
            FieldType::CardMonth => Type::CardMonth,
            FieldType::CardYear => Type::CardYear,
            FieldType::Enum => {
                let Some(id) = &field.enumeration else {
                    cx.error(path, &wire, "a field of `type: enum` needs `enum: <id>`");
                    return self.named_only(cx, path, wire, rust);
                };
                // An enum with shape mistakes (reported where it is defined) is not used.
                if self.broken.enums.contains(id) {
                    return self.named_only(cx, path, wire, rust);
                }
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
                } else if self.broken.shared_incomplete {
                    // A shared file that could not be read may define it.
                    return self.named_only(cx, path, wire, rust);
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
                        format!("unknown enum `{id}`{}", did_you_mean(id, &known)),
                    );
                    return self.named_only(cx, path, wire, rust);
                }
            }
            FieldType::List => {
                let Some(items) = &field.items else {
                    cx.error(path, &wire, "a field of `type: list` needs `items`");
                    return self.named_only(cx, path, wire, rust);
                };
                let item_rust_name = field
                    .item_rust_name
                    .clone()
                    .unwrap_or_else(|| rust.to_upper_camel_case());
                let fields = self.entries(cx, &format!("{path}.items"), items, json);
                Type::List {
                    item_rust_name,
                    style: list_style(cx, path, &wire, field.list_style, json),
                    fields,
                }
            }
            FieldType::TextList => Type::TextList {
                style: list_style(cx, path, &wire, field.list_style, json),
            },
            FieldType::Boolean => Type::Boolean,
            FieldType::Object => {
                let Some(entries) = &field.fields else {
                    cx.error(path, &wire, "a field of `type: object` needs `fields`");
                    return self.named_only(cx, path, wire, rust);
                };
                let rust_name = field
                    .object_rust_name
                    .clone()
                    .unwrap_or_else(|| rust.to_upper_camel_case());
                let fields = self.entries(cx, &format!("{path}.fields"), entries, json);
                Type::Object { rust_name, fields }
            }
        };
        let json_only = matches!(ty, Type::Boolean | Type::Object { .. });
        if json_only && json == Some(false) {
            cx.error(
                &format!("{path}.type"),
                &wire,
                format!(
                    "`type: {}` travels only in JSON messages (`encoding: json`)",
                    ty.name()
                ),
            );
        }
        if json == Some(true) && matches!(ty, Type::Flag) {
            cx.error(
                &format!("{path}.type"),
                &wire,
                "`type: flag` (`0`/`1` as text) travels in forms and XML: a JSON message uses `boolean`, or an enum of numbers",
            );
        }
        if field.filled_by.is_some() && json == Some(true) {
            cx.error(
                &format!("{path}.filled_by"),
                &wire,
                "the client fills no field of a JSON body (its JWS header names the API user): the caller sets it",
            );
        }
        if field.nullable == Some(true) && json == Some(false) {
            cx.error(
                &format!("{path}.nullable"),
                &wire,
                "only a JSON field can be `null`",
            );
        }
        if field.enumeration.is_some() && !matches!(ty, Type::Enum { .. }) {
            cx.error(
                &format!("{path}.enum"),
                &wire,
                "`enum` applies only to `type: enum`",
            );
        }
        for (key, set, applies) in [
            (
                "items",
                field.items.is_some(),
                matches!(ty, Type::List { .. }),
            ),
            (
                "item_rust_name",
                field.item_rust_name.is_some(),
                matches!(ty, Type::List { .. }),
            ),
            ("list_style", field.list_style.is_some(), ty.is_list()),
            (
                "fields",
                field.fields.is_some(),
                matches!(ty, Type::Object { .. }),
            ),
            (
                "object_rust_name",
                field.object_rust_name.is_some(),
                matches!(ty, Type::Object { .. }),
            ),
        ] {
            if set && !applies {
                let types = match key {
                    "list_style" => "`type: list` and `type: text_list`",
                    "fields" | "object_rust_name" => "`type: object`",
                    _ => "`type: list`",
                };
                cx.error(
                    &format!("{path}.{key}"),
                    &wire,
                    format!("`{key}` applies only to {types}"),
                );
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
        if field.sensitive == Some(true) && !(matches!(ty, Type::String) || ty.is_card_data()) {
            cx.error(
                &format!("{path}.sensitive"),
                &wire,
                "only text is `sensitive` (it becomes `Sensitive`, shown as `***`); card data always is",
            );
        }
        // Card data is always sensitive.
        let sensitive = field.sensitive.unwrap_or(false) || ty.is_card_data();
        let lowered = Field {
            wire: wire.clone(),
            rust,
            ty,
            required: field.required.unwrap_or(false),
            filled_by: field.filled_by,
            sensitive,
            nullable: field.nullable.unwrap_or(false),
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
            origin: cx.origin(path),
        };
        Some(lowered)
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::FilledBy;

    const SHARED: &str = "\
fields:
  - id: salt
    name: pg_salt
    type: string
    required: true
    filled_by: salt
    description: Random salt.
  - id: sig
    name: pg_sig
    type: string
    required: true
    filled_by: signature
    description: Signature.
";

    fn endpoint(request: &str, response: &str) -> String {
        format!(
            "id: e\nrust_name: E\ntitle: T\ndescription: D\napi: merchant\ngroup: g\ndirection: request\npath: /e.php\ncompleteness: F\nrequest:\n  encoding: form\n  fields:\n{request}response:\n  encoding: xml\n{response}"
        )
    }

    const CODE: &str = "    - name: pg_code\n      type: string\n      required: true\n      description: A code.\n";

    fn wires(message: &crate::ir::Message) -> Vec<&str> {
        message.fields.iter().map(|f| f.wire.as_str()).collect()
    }

    fn compile(endpoint: &str) -> Result<crate::ir::Api, String> {
        crate::compile_texts(&[
            ("spec/shared/f.yaml", SHARED, true),
            ("spec/e.yaml", endpoint, false),
        ])
        .map_err(|d| d.to_string())
    }

    #[test]
    fn a_signed_message_carries_salt_and_signature_it_does_not_list() {
        let api = compile(&endpoint(CODE, &format!("  fields:\n{CODE}"))).expect("compiles");
        let e = &api.endpoints[0];
        assert_eq!(wires(&e.request), ["pg_code", "pg_salt", "pg_sig"]);
        let response = e.response.as_ref().expect("a response");
        assert_eq!(wires(response), ["pg_code", "pg_salt", "pg_sig"]);
        assert_eq!(response.fields[1].filled_by, Some(FilledBy::Salt));
        assert_eq!(response.fields[2].filled_by, Some(FilledBy::Signature));

        // The same as listing them last: identical IR fields and generated Rust.
        let listed = format!("  fields:\n{CODE}    - ref: salt\n    - ref: sig\n");
        let explicit = compile(&endpoint(CODE, &listed)).expect("compiles");
        assert_eq!(
            crate::endpoint_rust_source(e),
            crate::endpoint_rust_source(&explicit.endpoints[0])
        );
        assert_eq!(
            crate::emit::markdown::page(e).replace("spec/e.yaml", ""),
            crate::emit::markdown::page(&explicit.endpoints[0]).replace("spec/e.yaml", "")
        );
    }

    #[test]
    fn listed_salt_and_signature_keep_their_place() {
        let request = format!("    - ref: sig\n{CODE}");
        let api = compile(&endpoint(&request, "  fields: []\n")).expect("compiles");
        let e = &api.endpoints[0];
        // The salt joins just before the listed signature.
        assert_eq!(wires(&e.request), ["pg_salt", "pg_sig", "pg_code"]);
        let response = e.response.as_ref().expect("a response");
        assert_eq!(wires(response), ["pg_salt", "pg_sig"]);
    }

    #[test]
    fn an_unsigned_message_gets_neither() {
        let api = compile(&endpoint(CODE, "  signed: false\n  fields: []\n")).expect("compiles");
        let response = api.endpoints[0].response.as_ref().expect("a response");
        assert!(response.fields.is_empty());
    }

    #[test]
    fn the_implied_fields_must_be_defined_once_and_not_redefined() {
        let without =
            crate::compile_texts(&[("spec/e.yaml", &endpoint(CODE, "  fields: []\n"), false)])
                .expect_err("no shared salt field")
                .to_string();
        assert_eq!(
            without,
            "error: spec/e.yaml:10:1: request: a signed message carries its salt and signature, but no shared field has `filled_by: salt` or `filled_by: signature` to describe them; define it in spec/shared/ or set `signed: false`\n\
             error: spec/e.yaml:17:1: response: a signed message carries its salt and signature, but no shared field has `filled_by: salt` or `filled_by: signature` to describe them; define it in spec/shared/ or set `signed: false`\n\
             2 errors in the spec"
        );
        let own = "    - name: pg_salt\n      type: string\n      description: Mine.\n";
        let redefined = compile(&endpoint(own, "  fields: []\n")).expect_err("pg_salt redefined");
        assert_eq!(
            redefined,
            "error: spec/e.yaml:13:11: pg_salt: the client fills `pg_salt` of a signed message: use `ref: salt`\n1 error in the spec"
        );
        let twice = format!(
            "{SHARED}  - id: salt2\n    name: pg_salt2\n    type: string\n    filled_by: salt\n    description: Another.\n"
        );
        let ambiguous = crate::compile_texts(&[
            ("spec/shared/f.yaml", &twice, true),
            ("spec/e.yaml", &endpoint(CODE, "  fields: []\n"), false),
        ])
        .expect_err("two salts")
        .to_string();
        assert!(
            ambiguous.contains("salt2: only one shared field can be `filled_by: salt` (`salt` is)"),
            "{ambiguous}"
        );
    }
}
