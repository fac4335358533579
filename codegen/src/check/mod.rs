//! The rules a spec must follow, one function each, with the reason for it.
//!
//! [`api`] runs the rules over the finished IR, reporting at each node's
//! [`Origin`]: names (ids, types, fields, enums), messages (unique names,
//! client-filled fields, path parameters, the script name), fields, examples
//! (in `examples`), and rules across endpoints. What a name must look like is
//! in `names`, what a value must be in `values`: leaf modules, which lowering
//! uses too. Every check records its problems and returns; none stops the run,
//! so all problems are reported together.

mod examples;
mod json_examples;

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use freedompay_core::Decimal;

use crate::diag::Diagnostics;
use crate::ir::{Api, Endpoint, Enum, Field, LeftOut, Message, Origin, Type};
use crate::load::RawSpec;
use crate::lower::{self, Ctx, default_client_method};
use crate::names::{rust_field_name, rust_type_name, snake_case_id, wire_name};
use crate::spec::Direction;
use crate::spec::FilledBy;
use crate::values::value_problems;

/// The names of an endpoint become a module, types and a client method.
fn endpoint_names(report: &mut Report<'_>, endpoint: &Endpoint) {
    let origin = &endpoint.origin;
    for (key, problem) in [
        ("id", snake_case_id(&endpoint.id)),
        ("group", snake_case_id(&endpoint.group)),
        ("rust_name", rust_type_name(&endpoint.rust_name)),
    ] {
        if let Some(problem) = problem {
            report.error(origin, key, "", problem);
        }
    }
    // A client method derived from the id is as good as the id, checked above.
    if endpoint.client_method != default_client_method(&endpoint.id, &endpoint.group)
        && let Some(problem) = snake_case_id(&endpoint.client_method)
    {
        report.error(origin, "client_method", "", problem);
    }
}

/// An enum becomes a Rust enum: its type and variant names must be usable and
/// distinct, and its values distinct so that reading one is not ambiguous.
fn enum_rules(report: &mut Report<'_>, def: &Enum) {
    let (origin, id) = (&def.origin, def.id.as_str());
    if let Some(problem) = rust_type_name(&def.rust_name) {
        report.error(origin, "rust_name", id, problem);
    }
    if let Some(problem) = snake_case_id(id) {
        report.error(origin, "id", id, problem);
    }
    if def.values.is_empty() {
        report.error(origin, "values", id, "an enum needs at least one value");
    }
    let mut wires = BTreeSet::new();
    let mut names = BTreeSet::new();
    for (i, value) in def.values.iter().enumerate() {
        let (rust, wire) = (format!("values[{i}].rust"), format!("values[{i}].value"));
        if let Some(problem) = rust_type_name(&value.rust) {
            report.error(origin, &rust, id, problem);
        }
        if value.rust == "Unknown" && def.open {
            report.error(
                origin,
                &rust,
                id,
                "`Unknown` is reserved for the unknown values of an open enum",
            );
        }
        if !wires.insert(value.wire.as_str()) {
            report.error(
                origin,
                &wire,
                id,
                format!("value `{}` is listed twice", value.wire),
            );
        }
        if !names.insert(value.rust.as_str()) {
            report.error(
                origin,
                &rust,
                id,
                format!("variant name `{}` is used twice", value.rust),
            );
        }
    }
}

/// The wire and Rust names of a field entry at `origin`.
fn field_names(report: &mut Report<'_>, origin: &Origin, wire: &str, rust: &str) {
    if let Some(problem) = wire_name(wire) {
        report.error(origin, "name", wire, problem);
    }
    if let Some(problem) = rust_field_name(rust) {
        report.error(origin, "rust", wire, problem);
    }
}

/// The names of a field and, for a list, of its item type and items' fields.
fn field_and_item_names(report: &mut Report<'_>, field: &Field) {
    field_names(report, &field.origin, &field.wire, &field.rust);
    if let Type::List {
        item_rust_name,
        fields,
        ..
    } = &field.ty
    {
        if let Some(problem) = rust_type_name(item_rust_name) {
            report.error(&field.origin, "item_rust_name", &field.wire, problem);
        }
        for item in fields {
            field_and_item_names(report, item);
        }
    }
}

/// The name and message rules of an endpoint, its enums and its messages' fields.
fn names(report: &mut Report<'_>, endpoint: &Endpoint) {
    endpoint_names(report, endpoint);
    for def in &endpoint.enums {
        enum_rules(report, def);
    }
    for message in std::iter::once(&endpoint.request).chain(&endpoint.response) {
        for field in &message.fields {
            field_and_item_names(report, field);
        }
        message_rules(report, endpoint, message);
    }
}

/// A wire name twice in one message would make the typed field ambiguous and
/// the signature order depend on which one the gateway reads.
fn unique_names<'f>(report: &mut Report<'_>, fields: impl Iterator<Item = &'f Field>) {
    let mut wires = BTreeSet::new();
    let mut rusts = BTreeSet::new();
    for field in fields {
        if !wires.insert(field.wire.as_str()) {
            report.error(
                &field.origin,
                "",
                &field.wire,
                format!("duplicate field `{}` in this message", field.wire),
            );
        } else if !rusts.insert(field.rust.as_str()) {
            report.error(
                &field.origin,
                "",
                &field.wire,
                format!("two fields share the Rust name `{}`", field.rust),
            );
        }
    }
}

/// The items of every list among `fields` (at any depth) must have distinct names too.
fn unique_item_names(report: &mut Report<'_>, fields: &[Field]) {
    for field in fields {
        if let Type::List { fields: items, .. } = &field.ty {
            unique_names(report, items.iter());
            unique_item_names(report, items);
        }
    }
}

/// `signed: false` says the message carries no signature, so listing one is a
/// contradiction. (A signed message need not list `pg_salt`/`pg_sig`: several
/// pages leave them out although the general rule signs every message;
/// lowering adds them.)
fn filled_fields(report: &mut Report<'_>, message: &Message, field: &Field) {
    if !message.signed && matches!(field.filled_by, Some(FilledBy::Salt | FilledBy::Signature)) {
        report.error(
            &field.origin,
            "",
            &field.wire,
            "an unsigned message (`signed: false`) cannot carry a salt or signature field",
        );
    }
    if field.filled_by.is_some() && field.ty.is_list() {
        report.error(
            &field.origin,
            "",
            &field.wire,
            "a list cannot be filled by the client",
        );
    }
}

/// The rules of one of `endpoint`'s messages. The salt and signature lowering
/// adds to a signed message that does not list them (written in a shared
/// file, not the endpoint's) are the client's own and not checked here.
fn message_rules(report: &mut Report<'_>, endpoint: &Endpoint, message: &Message) {
    let listed = || {
        message
            .fields
            .iter()
            .filter(|f| f.origin.file == endpoint.origin.file)
    };
    unique_names(report, listed());
    for field in listed() {
        filled_fields(report, message, field);
    }
    unique_item_names(report, &message.fields);
}

/// Every `{name}` in a path must be filled from somewhere: the merchant id or
/// a required request field.
fn path_params(report: &mut Report<'_>, endpoint: &Endpoint, path: &str) {
    let (names, unclosed) = lower::path_params(path);
    if unclosed {
        report.error(&endpoint.origin, "path", "", "unclosed `{` in the path");
    }
    for name in names {
        let known =
            endpoint.request.fields.iter().any(|f| {
                f.rust == name && (f.filled_by == Some(FilledBy::MerchantId) || f.required)
            });
        if !known {
            report.error(
                &endpoint.origin,
                "path",
                &name,
                format!("path parameter `{{{name}}}` has no required request field with `rust: {name}` to fill it"),
            );
        }
    }
}

/// The script name is signed with every message: the last segment of a URL path.
fn script_name(report: &mut Report<'_>, endpoint: &Endpoint) {
    let script = &endpoint.script;
    if script.is_empty() || script.contains(['/', '?', ';']) {
        report.error(
            &endpoint.origin,
            "script",
            "",
            format!(
                "`{script}` is not a script name (the last path segment, without `/`, `?` or `;`)"
            ),
        );
    }
}

/// The authentication must fit the message, and the generator must carry it.
fn authentication(report: &mut Report<'_>, endpoint: &Endpoint) {
    use crate::spec::{Auth, Server};
    let auth = endpoint.auth;
    let json = endpoint.is_json();
    let problem = match (auth, endpoint.direction) {
        (Auth::PgSig, _) if json => Some(
            "`pg_sig` signs form and XML parameters: a JSON request is signed with `jws_hs256` or `jws_hs512`"
                .to_owned(),
        ),
        (Auth::PgSig, _) => None,
        (Auth::None, Direction::Redirect) if endpoint.request.signed => Some(
            "a redirect sent without authentication is unsigned: give its request `signed: false`"
                .to_owned(),
        ),
        (Auth::None, Direction::Redirect) => None,
        (Auth::None, _) => {
            Some("only a browser redirect is sent without authentication".to_owned())
        }
        (_, Direction::Callback) => {
            Some("the gateway signs every callback with `pg_sig`".to_owned())
        }
        (Auth::JwsHs256 | Auth::JwsHs512, _) if !json => Some(format!(
            "`{}` signs a JSON body: the request needs `encoding: json`",
            auth.name()
        )),
        (Auth::JwsHs256 | Auth::JwsHs512, _) => None,
        (Auth::Basic, _) if !json => Some(
            "`basic` sends client credentials with a JSON body: the request needs `encoding: json`"
                .to_owned(),
        ),
        (Auth::Basic, _) if endpoint.server != Server::FreedomId => Some(
            "only Freedom ID (`server: freedom_id`) takes HTTP Basic client credentials".to_owned(),
        ),
        (Auth::Basic, _) => None,
    };
    if let Some(problem) = problem {
        report.error(&endpoint.origin, "auth", "", problem);
    }
    if endpoint.server == Server::FreedomId
        && (endpoint.api != crate::spec::ApiName::Partner
            || endpoint.hosts != [crate::spec::Site::Kz])
    {
        report.error(
            &endpoint.origin,
            "server",
            "",
            "Freedom ID belongs to the Partner API and is documented on the kz site only: `api: partner`, `hosts: [kz]`",
        );
    }
    let multipart =
        |message: &crate::ir::Message| message.encoding == crate::spec::Encoding::Multipart;
    if multipart(&endpoint.request)
        && (endpoint.direction != Direction::Request
            || endpoint.method != crate::spec::Method::Post)
    {
        report.error(
            &endpoint.origin,
            "request.encoding",
            "",
            "`multipart` is the body of a POST request; a callback, a redirect or a GET sends a form",
        );
    }
    if endpoint.response.as_ref().is_some_and(multipart) {
        report.error(
            &endpoint.origin,
            "response.encoding",
            "",
            "`multipart` is a request body: the gateway answers XML (or JSON)",
        );
    }
    if endpoint.action.is_some() && !json {
        report.error(
            &endpoint.origin,
            "action",
            "",
            "`action` is the `X-Action` header of a JSON request",
        );
    }
    if json
        && let Some(response) = &endpoint.response
        && response.encoding != crate::spec::Encoding::Json
    {
        report.error(
            &endpoint.origin,
            "response.encoding",
            "",
            "a JSON request's answer is `encoding: json` (the client also reads a page's XML rendering of it)",
        );
    }
}

/// Constraints must fit the type and each other; a contradiction is a typo.
fn constraints(report: &mut Report<'_>, field: &Field) {
    let origin = &field.origin;
    let c = &field.constraints;
    let wire = field.wire.as_str();
    let numeric = field.ty.is_numeric();
    let text = field.ty.is_text();
    let list = field.ty.is_list();
    let mut parsed = BTreeMap::new();
    for (key, value) in [("min", &c.min), ("max", &c.max)] {
        if let Some(value) = value {
            if !numeric {
                report.error(
                    origin,
                    key,
                    wire,
                    format!("`{key}` applies to numbers, not to `{}`", field.ty.name()),
                );
            }
            match Decimal::from_str(value) {
                Ok(d) => {
                    parsed.insert(key, d);
                }
                Err(_) => report.error(origin, key, wire, format!("`{value}` is not a number")),
            }
        }
    }
    if let (Some(min), Some(max)) = (parsed.get("min"), parsed.get("max"))
        && min > max
    {
        report.error(
            origin,
            "min",
            wire,
            format!("min ({min}) is greater than max ({max})"),
        );
    }
    if matches!(field.ty, Type::Integer) {
        for (key, value) in &parsed {
            if value.fract() != Decimal::ZERO {
                report.error(
                    origin,
                    key,
                    wire,
                    format!("an integer field cannot have a fractional {key} ({value})"),
                );
            }
        }
    }
    // An open enum takes values the spec does not list, so a documented
    // length limit on its text is a real check; a closed one needs none.
    let open_enum = match &field.ty {
        Type::Enum { def, .. } => def.open.then_some(def),
        _ => None,
    };
    for (key, set, allowed) in [
        (
            "min_length",
            c.min_length.is_some(),
            text || open_enum.is_some(),
        ),
        (
            "max_length",
            c.max_length.is_some(),
            text || open_enum.is_some(),
        ),
        ("pattern", c.pattern.is_some(), text),
    ] {
        if set && !allowed {
            let applies = if key == "pattern" {
                "text"
            } else {
                "text and open enums"
            };
            report.error(
                origin,
                key,
                wire,
                format!("`{key}` applies to {applies}, not to `{}`", field.ty.name()),
            );
        }
    }
    if let Some(def) = open_enum {
        for value in &def.values {
            let len = u32::try_from(value.wire.chars().count()).unwrap_or(u32::MAX);
            let (min, max) = (c.min_length.unwrap_or(0), c.max_length.unwrap_or(u32::MAX));
            if len < min || len > max {
                report.error(
                    origin,
                    if len < min {
                        "min_length"
                    } else {
                        "max_length"
                    },
                    wire,
                    format!(
                        "the enum's own value `{}` breaks the length limit",
                        value.wire
                    ),
                );
            }
        }
    }
    if let (Some(min), Some(max)) = (c.min_length, c.max_length)
        && min > max
    {
        report.error(
            origin,
            "min_length",
            wire,
            format!("min_length ({min}) is greater than max_length ({max})"),
        );
    }
    if let Some(pattern) = &c.pattern
        && let Err(e) = regex::Regex::new(pattern)
    {
        let reason = e.to_string().lines().last().unwrap_or_default().to_owned();
        report.error(
            origin,
            "pattern",
            wire,
            format!("invalid regular expression: {reason}"),
        );
    }
    for (key, set) in [
        ("min_items", c.min_items.is_some()),
        ("max_items", c.max_items.is_some()),
    ] {
        if set && !list {
            report.error(
                origin,
                key,
                wire,
                format!("`{key}` applies to lists, not to `{}`", field.ty.name()),
            );
        }
    }
    if let (Some(min), Some(max)) = (c.min_items, c.max_items)
        && min > max
    {
        report.error(
            origin,
            "min_items",
            wire,
            format!("min_items ({min}) is greater than max_items ({max})"),
        );
    }
}

/// Runs the checks over the lowered IR, and the name rules over what lowering
/// `left_out` of it too; `raw` locates the problems (the line and column of an
/// [`Origin`]'s YAML path).
pub(crate) fn api(api: &Api, left_out: &LeftOut, raw: &RawSpec, diagnostics: &mut Diagnostics) {
    let mut report = Report { raw, diagnostics };
    for def in api.enums.iter().chain(&left_out.enums) {
        enum_rules(&mut report, def);
    }
    for field in &api.shared_fields {
        field_and_item_names(&mut report, field);
    }
    unique_item_names(&mut report, &api.shared_fields);
    for entry in &left_out.fields {
        field_names(&mut report, &entry.origin, &entry.wire, &entry.rust);
    }
    for endpoint in api.endpoints.iter().chain(&left_out.endpoints) {
        names(&mut report, endpoint);
    }
    for field in &api.shared_fields {
        field_rules(&mut report, field);
    }
    for endpoint in &api.endpoints {
        if let Some(path) = &endpoint.path {
            path_params(&mut report, endpoint, path);
        }
        script_name(&mut report, endpoint);
        authentication(&mut report, endpoint);
        selector(&mut report, endpoint);
        examples::endpoint(&mut report, endpoint, left_out);
        for message in std::iter::once(&endpoint.request).chain(&endpoint.response) {
            for field in &message.fields {
                field_rules(&mut report, field);
            }
        }
    }
    across_endpoints(raw, &api.endpoints, diagnostics);
}

/// `selected_by` names parameters of the request, with values they may have.
fn selector(report: &mut Report<'_>, endpoint: &Endpoint) {
    if endpoint.selected_by.is_empty() {
        return;
    }
    if endpoint.direction != Direction::Request || endpoint.is_json() {
        report.error(
            &endpoint.origin,
            "selected_by",
            "",
            "`selected_by` tells apart form requests that share a path",
        );
        return;
    }
    for (name, value) in &endpoint.selected_by {
        let Some(field) = endpoint.request.fields.iter().find(|f| &f.wire == name) else {
            report.error(
                &endpoint.origin,
                "selected_by",
                name,
                format!("`{name}` is not a parameter of the request"),
            );
            continue;
        };
        if let Some(value) = value {
            for problem in crate::values::value_problems(field, value) {
                report.error(&endpoint.origin, "selected_by", name, problem);
            }
        }
        // Each example is a request of this endpoint, so it is selected.
        for example in &endpoint.examples {
            let sent = example.request.get_text(name);
            if sent.is_none() || value.is_some() && sent != value.as_deref() {
                report.error(
                    &endpoint.origin,
                    "selected_by",
                    name,
                    format!(
                        "the example `{}` does not carry `{name}`{}, so it would not be this endpoint",
                        example.name,
                        value.as_deref().map(|v| format!(" = `{v}`")).unwrap_or_default()
                    ),
                );
            }
        }
    }
}

/// Records the problems of checks over the IR at the place an [`Origin`] names.
struct Report<'a> {
    raw: &'a RawSpec,
    diagnostics: &'a mut Diagnostics,
}

impl Report<'_> {
    /// Records a problem at `key` below `origin` (at `origin` itself when
    /// `key` is empty; at the top-level `key` when `origin` is a whole file), as lowering would have: not when it is a consequence of
    /// a shape mistake already reported there.
    fn error(&mut self, origin: &Origin, key: &str, field: &str, message: impl Into<String>) {
        let source = self
            .raw
            .shared
            .iter()
            .map(|(s, _)| s)
            .chain(self.raw.endpoints.iter().map(|(s, _)| s))
            .find(|s| s.name == origin.file);
        let Some(source) = source else { return };
        let path = match (origin.path.as_str(), key) {
            (path, "") => path.to_owned(),
            ("", key) => key.to_owned(),
            (path, key) => format!("{path}.{key}"),
        };
        Ctx {
            source,
            diagnostics: self.diagnostics,
        }
        .error(&path, field, message);
    }
}

/// The rules of one field and, for a list, of its items' fields.
fn field_rules(report: &mut Report<'_>, field: &Field) {
    let wire = field.wire.as_str();
    if field.description.is_empty() {
        report.error(&field.origin, "", wire, "every field needs a `description`");
    }
    constraints(report, field);
    for (key, value) in [("example", &field.example), ("default", &field.default)] {
        if let Some(value) = value {
            for problem in value_problems(field, value) {
                report.error(
                    &field.origin,
                    key,
                    wire,
                    format!("the {key} `{value}` breaks its own field's rules: {problem}"),
                );
            }
        }
    }
    if let Type::List { fields, .. } = &field.ty {
        for item in fields {
            field_rules(report, item);
        }
    }
}

/// Rules that span files: ids and type names must be unique across the whole API.
fn across_endpoints(raw: &RawSpec, endpoints: &[Endpoint], diagnostics: &mut Diagnostics) {
    let mut ids: BTreeMap<&str, &str> = BTreeMap::new();
    let mut types: BTreeMap<(String, String), &str> = BTreeMap::new();
    let mut methods: BTreeMap<(String, String, String), &str> = BTreeMap::new();
    let mut rust_names: BTreeMap<&str, &str> = BTreeMap::new();
    // JSON requests at one path are told apart by their `X-Action`.
    let mut json_paths: BTreeMap<&str, Vec<&Endpoint>> = BTreeMap::new();
    for endpoint in endpoints.iter().filter(|e| e.is_json()) {
        if let Some(path) = &endpoint.path {
            json_paths
                .entry(path.trim_end_matches('/'))
                .or_default()
                .push(endpoint);
        }
    }
    // The form requests at each method and path, and their selectors.
    let mut paths: BTreeMap<(&str, &str), Vec<&Endpoint>> = BTreeMap::new();
    for endpoint in endpoints {
        if endpoint.direction == Direction::Request
            && !endpoint.is_json()
            && let Some(path) = &endpoint.path
        {
            paths
                .entry((endpoint.method.name(), path.trim_end_matches('/')))
                .or_default()
                .push(endpoint);
        }
    }
    for endpoint in endpoints {
        let source = raw
            .endpoints
            .iter()
            .find(|(s, _)| s.name == endpoint.origin.file)
            .map(|(s, _)| s);
        let Some(source) = source else { continue };
        let mut cx = Ctx {
            source,
            diagnostics,
        };
        if endpoint.is_json()
            && let Some(others) = endpoint
                .path
                .as_deref()
                .and_then(|path| json_paths.get(path.trim_end_matches('/')))
            && others.len() > 1
            && let Some(twin) = others.iter().find(|e| {
                e.id != endpoint.id && (endpoint.action.is_none() || e.action == endpoint.action)
            })
        {
            cx.error(
                "action",
                &endpoint.id,
                format!(
                    "`{}` is also sent to this path: JSON requests that share a path need each its own `action` (the X-Action header tells them apart)",
                    twin.id
                ),
            );
        }
        if let Some(first) = rust_names.insert(&endpoint.rust_name, &endpoint.origin.file) {
            cx.error(
                "rust_name",
                &endpoint.id,
                format!(
                    "`rust_name: {}` is also used by {first}: the registry names every endpoint by it",
                    endpoint.rust_name
                ),
            );
        }
        let shared: Vec<&&Endpoint> = endpoint
            .path
            .as_deref()
            .and_then(|path| paths.get(&(endpoint.method.name(), path.trim_end_matches('/'))))
            .map(|all| all.iter().filter(|e| e.id != endpoint.id).collect())
            .unwrap_or_default();
        if !endpoint.selected_by.is_empty()
            && let Some(twin) = shared
                .iter()
                .find(|e| e.selected_by == endpoint.selected_by)
        {
            cx.error(
                "selected_by",
                &endpoint.id,
                format!(
                    "`{}` has the same `selected_by`: nothing tells them apart",
                    twin.id
                ),
            );
        }
        if let Some(first) = ids.insert(&endpoint.id, &endpoint.origin.file) {
            cx.error(
                "id",
                &endpoint.id,
                format!("endpoint id `{}` is also used by {first}", endpoint.id),
            );
        }
        let module = (format!("{:?}", endpoint.api), endpoint.group.clone());
        if endpoint.direction.outgoing() {
            let key = (
                module.0.clone(),
                module.1.clone(),
                endpoint.client_method.clone(),
            );
            if let Some(first) = methods.insert(key, &endpoint.origin.file) {
                cx.error(
                    "client_method",
                    &endpoint.id,
                    format!(
                        "the client method `{}().{}` is also generated for {first}; set `client_method`",
                        endpoint.group, endpoint.client_method
                    ),
                );
            }
        }
        let mut names = vec![endpoint.request_type(), endpoint.response_type()];
        for field in endpoint
            .request
            .fields
            .iter()
            .chain(endpoint.response.iter().flat_map(|m| m.fields.iter()))
        {
            if let Type::List { item_rust_name, .. } = &field.ty {
                names.push(item_rust_name.clone());
            }
        }
        names.extend(endpoint.enums.iter().map(|e| e.rust_name.clone()));
        names.sort();
        names.dedup();
        for name in names {
            if let Some(first) = types.insert(
                (module.0.clone() + &module.1, name.clone()),
                &endpoint.origin.file,
            ) && first != endpoint.origin.file
            {
                cx.error(
                    "rust_name",
                    &endpoint.id,
                    format!(
                        "the type `{name}` is also generated for {first} in the same module `{}`",
                        endpoint.group
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// Two endpoints of different APIs may not share a `rust_name`: the
    /// registry's message enums name every endpoint by it.
    #[test]
    fn rust_names_are_unique_across_apis() {
        let file = |id: &str, api: &str, path: &str| {
            format!(
                "id: {id}\nrust_name: Cancel\ntitle: T\ndescription: D\napi: {api}\ngroup: g\ndirection: request\npath: {path}\ncompleteness: F\nrequest:\n  encoding: form\n  signed: false\n  fields: []\n"
            )
        };
        let merchant = file("m_cancel", "merchant", "/cancel.php");
        let gateway = file("g_cancel", "gateway", "/g2g/cancel");
        let errors = crate::compile_texts(&[
            ("spec/m.yaml", &merchant, false),
            ("spec/g.yaml", &gateway, false),
        ])
        .expect_err("a shared rust_name")
        .to_string();
        assert!(
            errors.contains("`rust_name: Cancel` is also used by spec/m.yaml"),
            "{errors}"
        );
    }

    /// Names are checked also on what lowering left out of the API: a field
    /// whose enum is unknown, an enum defined twice, an endpoint without its path.
    #[test]
    fn names_are_checked_on_what_lowering_left_out() {
        let endpoint = "id: e\nrust_name: e\ntitle: T\ndescription: D\napi: merchant\ngroup: g\ndirection: request\ncompleteness: F\nenums:\n  - id: k\n    rust_name: K\n    description: K.\n    values: [{value: a, rust: A, description: A.}]\n  - id: k\n    rust_name: kk\n    description: K.\n    values: [{value: a, rust: A, description: A.}]\nrequest:\n  encoding: form\n  signed: false\n  fields:\n    - name: pg a\n      type: enum\n      enum: nope\n      description: A.\n";
        let errors = crate::compile_texts(&[("spec/e.yaml", endpoint, false)])
            .expect_err("broken")
            .to_string();
        for expected in [
            "`e` is not an UpperCamelCase Rust type name",
            "a request endpoint needs a `path`",
            "enum `k` is already defined",
            "`kk` is not an UpperCamelCase Rust type name",
            "`pg a` is not a usable wire name",
            "`pg a` is not a snake_case Rust field name",
            "unknown enum `nope`",
        ] {
            assert!(errors.contains(expected), "{expected}: {errors}");
        }
    }

    /// A duplicate list item is reported at its own entry, after an entry left out too.
    #[test]
    fn duplicates_are_reported_where_they_are_written() {
        let endpoint = "id: e\nrust_name: E\ntitle: T\ndescription: D\napi: merchant\ngroup: g\ndirection: request\npath: /e.php\ncompleteness: F\nrequest:\n  encoding: form\n  signed: false\n  fields:\n    - name: pg_gone\n      type: enum\n      description: G.\n    - name: pg_list\n      type: list\n      description: L.\n      items:\n        - name: a\n          type: string\n          description: A.\n        - name: a\n          type: string\n          description: A.\n";
        let errors = crate::compile_texts(&[("spec/e.yaml", endpoint, false)])
            .expect_err("broken")
            .to_string();
        assert_eq!(
            errors,
            "error: spec/e.yaml:14:11: pg_gone: a field of `type: enum` needs `enum: <id>`\n\
             error: spec/e.yaml:24:15: a: duplicate field `a` in this message\n\
             2 errors in the spec"
        );
    }
}
