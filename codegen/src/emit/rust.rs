//! Rust emission: one module per API group, one struct per message, one enum per enum.
//!
//! Reads the IR only. Everything the generated types do comes from the derive
//! macros of `freedompay-macros` and the traits of `freedompay-core`; this
//! module decides names, types, attributes and documentation.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::emit::describe;
use crate::emit::scope::Scope;
use crate::ir::{Api, Endpoint, Enum, Field, JsonKind, Message, Type};
use crate::spec::{Direction, Effect, FilledBy, ListStyle, Method};

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = " line"]` attributes, one per line, so the output reads as `///` comments.
pub(crate) fn doc(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote! { #[doc = #line] }
    });
    quote! { #(#lines)* }
}

/// The whole generated API as tokens.
pub fn api_types(api: &Api) -> TokenStream {
    let shared_enums = || api.enums.iter().map(|e| e.rust_name.clone());
    let enums_scope = Scope::new(shared_enums(), shared_enums());
    let enums: Vec<TokenStream> = api
        .enums
        .iter()
        .map(|def| enum_def(def, &enums_scope))
        .collect();
    let enums_uses = enums_scope.uses();

    let mut groups: BTreeMap<(&str, &str), Vec<&Endpoint>> = BTreeMap::new();
    for endpoint in &api.endpoints {
        groups
            .entry((describe::api_module(endpoint.api), endpoint.group.as_str()))
            .or_default()
            .push(endpoint);
    }
    let mut apis: BTreeMap<&str, Vec<TokenStream>> = BTreeMap::new();
    for ((api_name, group), endpoints) in groups {
        let calls = crate::emit::client::calls_type(group);
        let local = endpoints
            .iter()
            .flat_map(|e| local_types(e))
            .chain(std::iter::once(calls));
        let scope = Scope::new(local, shared_enums());
        let items: Vec<TokenStream> = endpoints
            .iter()
            .map(|e| endpoint_tokens(e, &scope))
            .collect();
        let group_calls = crate::emit::client::group_calls(&endpoints, &scope);
        let uses = scope.uses();
        let group_ident = ident(group);
        let group_doc = doc(&format!(
            "The `{group}` group of the {} API.",
            describe::api_title_by_module(api_name)
        ));
        apis.entry(api_name).or_default().push(quote! {
            #group_doc
            pub mod #group_ident {
                #uses
                #(#items)*
                #group_calls
            }
        });
    }
    let api_modules = apis.into_iter().map(|(api_name, groups)| {
        let api_ident = ident(api_name);
        let api_doc = doc(&format!(
            "The {} API (cargo feature `{api_name}`).",
            describe::api_title_by_module(api_name)
        ));
        // The module name is the family's feature.
        quote! {
            #api_doc
            #[cfg(feature = #api_name)]
            pub mod #api_ident {
                #(#groups)*
            }
        }
    });
    quote! {
        /// Enums shared by several endpoints.
        pub mod enums {
            #enums_uses
            #(#enums)*
        }
        #(#api_modules)*
    }
}

/// Tokens for what serves every endpoint: the reference data, the registry
/// and the server trait; [`api_types`] is the rest of the crate's generated items.
pub fn api_support(api: &Api) -> TokenStream {
    let reference = crate::emit::reference::rust(api);
    let registry = crate::emit::registry::registry(api);
    let server = crate::emit::registry::server(api);
    quote! {
        #reference
        #registry
        #server
    }
}

/// Tokens for one endpoint alone, with the `use` items it needs (for
/// per-endpoint snapshots).
pub fn endpoint_items(endpoint: &Endpoint) -> TokenStream {
    let scope = Scope::new(local_types(endpoint), shared_enums_of(endpoint));
    let items = endpoint_tokens(endpoint, &scope);
    let uses = scope.uses();
    quote! {
        #uses
        #items
    }
}

/// One message struct of an endpoint.
struct Struct {
    /// The type name.
    name: String,
    /// Its rustdoc text.
    doc: String,
    /// Its fields (an item's message is made up from the list field).
    message: Message,
    /// Sent, received or a list item.
    role: MessageRole,
    /// The script name it is signed with, for what the client signs.
    script: Option<String>,
    /// The rustdoc text of its `extra` field.
    extra_doc: &'static str,
}

impl Struct {
    /// The fields that become struct fields.
    fn fields(&self) -> Vec<&Field> {
        self.message
            .fields
            .iter()
            .filter(|f| is_struct_field(f, self.role.outgoing()))
            .collect()
    }

    /// Whether `new` takes a struct of the required fields.
    fn has_required_struct(&self) -> bool {
        constructor_fields(&self.fields()).len() > MAX_POSITIONAL
    }
}

/// The `extra` field of a request or redirect.
const EXTRA_SENT: &str = "Parameters the spec does not list (merchant parameters, for example), sent and\nsigned after the typed ones.";
/// The `extra` field of a response or callback.
const EXTRA_RECEIVED: &str =
    "Parameters the spec does not list, as received; they took part in the signature.";
/// The `extra` field of a callback's reply.
const EXTRA_REPLY: &str =
    "Parameters the spec does not list, sent and signed after the typed ones.";
/// The `extra` field of an unsigned request or redirect.
const EXTRA_UNSIGNED_SENT: &str = "Parameters the spec does not list, sent after the typed ones.";
/// The `extra` field of a JSON request.
const EXTRA_JSON_SENT: &str = "Members the spec does not list, sent after the typed ones.";
/// The `extra` field of a JSON answer.
const EXTRA_JSON_RECEIVED: &str = "Members the spec does not list, as received.";
/// The `extra` field of a list item.
const EXTRA_ITEM: &str = "Parameters of the item the spec does not list.";

/// The message structs of an endpoint in output order: the request (or
/// callback), the response (or reply), then list items once per name.
fn structs(endpoint: &Endpoint) -> Vec<Struct> {
    let sent = endpoint.direction.outgoing();
    let mut out = vec![Struct {
        name: endpoint.request_type(),
        doc: describe::request_doc(endpoint),
        message: endpoint.request.clone(),
        role: MessageRole::top(sent),
        script: sent.then(|| endpoint.script.clone()),
        extra_doc: match (endpoint.is_json(), sent) {
            (true, _) => EXTRA_JSON_SENT,
            (false, true) if !endpoint.request.signed => EXTRA_UNSIGNED_SENT,
            (false, true) => EXTRA_SENT,
            (false, false) => EXTRA_RECEIVED,
        },
    }];
    if let Some(response) = &endpoint.response {
        out.push(Struct {
            name: endpoint.response_type(),
            doc: describe::response_doc(endpoint),
            message: response.clone(),
            role: MessageRole::top(!sent),
            script: None,
            extra_doc: match (endpoint.is_json(), sent) {
                (true, _) => EXTRA_JSON_RECEIVED,
                (false, true) => EXTRA_RECEIVED,
                (false, false) => EXTRA_REPLY,
            },
        });
    }
    let mut items: BTreeMap<String, Struct> = BTreeMap::new();
    let messages = std::iter::once((&endpoint.request, sent))
        .chain(endpoint.response.iter().map(|m| (m, !sent)));
    for (message, holder_sent) in messages {
        let mut found = BTreeMap::new();
        collect_item_messages(&message.fields, message.encoding, &mut found);
        for (name, message) in found {
            items.entry(name.clone()).or_insert_with(|| Struct {
                name,
                doc: message.description.clone().unwrap_or_default(),
                message,
                role: MessageRole::Item { sent: holder_sent },
                script: None,
                extra_doc: EXTRA_ITEM,
            });
        }
    }
    out.extend(items.into_values());
    out
}

/// The types an endpoint defines in its group module.
fn local_types(endpoint: &Endpoint) -> Vec<String> {
    let mut names: Vec<String> = endpoint.enums.iter().map(|e| e.rust_name.clone()).collect();
    for item in structs(endpoint) {
        if item.has_required_struct() {
            names.push(required_type(&item.name));
        }
        names.push(item.name);
    }
    names
}

/// The shared enums an endpoint's fields use.
fn shared_enums_of(endpoint: &Endpoint) -> BTreeSet<String> {
    fn walk(fields: &[Field], out: &mut BTreeSet<String>) {
        for field in fields {
            match &field.ty {
                Type::Enum { def, shared: true } => {
                    out.insert(def.rust_name.clone());
                }
                Type::List { fields, .. } | Type::Object { fields, .. } => walk(fields, out),
                _ => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&endpoint.request.fields, &mut out);
    if let Some(response) = &endpoint.response {
        walk(&response.fields, &mut out);
    }
    out
}

/// The items of one endpoint: its own enums, the request (or callback) with
/// its trait impl, the response (or reply), and the items of its lists.
fn endpoint_tokens(endpoint: &Endpoint, scope: &Scope) -> TokenStream {
    let local_enums = endpoint.enums.iter().map(|def| enum_def(def, scope));
    let mut structs = structs(endpoint)
        .into_iter()
        .map(|s| message_struct(&s, scope));
    let request = structs.next();
    let trait_impl = trait_impl(endpoint, scope);
    quote! {
        #(#local_enums)*
        #request
        #trait_impl
        #(#structs)*
    }
}

/// `Endpoint`, `Redirect` or `Callback` (and `Replied`) for the request type.
fn trait_impl(endpoint: &Endpoint, scope: &Scope) -> TokenStream {
    let request = ident(&endpoint.request_type());
    let id = &endpoint.id;
    let static_str = quote! { &'static str };
    match endpoint.direction {
        Direction::Request if endpoint.is_json() => json_endpoint_impl(endpoint),
        Direction::Request => {
            let response = match &endpoint.response {
                Some(_) => {
                    let r = ident(&endpoint.response_type());
                    quote! { #r }
                }
                None => scope.krate("Params"),
            };
            let http_method = scope.krate("HttpMethod");
            let method = match endpoint.method {
                Method::Get => quote! { #http_method::Get },
                Method::Post => quote! { #http_method::Post },
            };
            let path = endpoint.path.clone().unwrap_or_default();
            let payout = endpoint
                .payout_key
                .then(|| quote! { const PAYOUT: bool = true; });
            // Answers the documentation shows without `pg_salt`/`pg_sig`.
            let unsigned = endpoint
                .response
                .as_ref()
                .is_some_and(|r| !r.signed)
                .then(|| quote! { const SIGNED_ANSWER: bool = false; });
            let read = (endpoint.effect == Effect::Read).then(|| {
                let effect = scope.krate("Effect");
                quote! { const EFFECT: #effect = #effect::Read; }
            });
            let idempotency_key = endpoint.idempotency_key().map(|f| {
                let wire = &f.wire;
                quote! { const IDEMPOTENCY_KEY: Option<#static_str> = Some(#wire); }
            });
            let multipart = (endpoint.request.encoding == crate::spec::Encoding::Multipart)
                .then(|| quote! { const MULTIPART: bool = true; });
            let sensitive = sensitive_const(endpoint, quote! { #static_str });
            let path_fn = path_fn(endpoint, scope);
            let endpoint_trait = scope.krate("Endpoint");
            quote! {
                impl #endpoint_trait for #request {
                    type Response = #response;
                    const ID: #static_str = #id;
                    const METHOD: #http_method = #method;
                    const PATH: #static_str = #path;
                    #payout
                    #unsigned
                    #read
                    #idempotency_key
                    #multipart
                    #sensitive
                    #path_fn
                }
            }
        }
        Direction::Redirect => {
            let path = endpoint.path.clone().unwrap_or_default();
            let redirect = scope.krate("Redirect");
            let server = (endpoint.server == crate::spec::Server::FreedomId).then(|| {
                quote! { const SERVER: crate::hosts::Server = crate::hosts::Server::FreedomId; }
            });
            let unsigned =
                (!endpoint.request.signed).then(|| quote! { const SIGNED: bool = false; });
            quote! {
                impl #redirect for #request {
                    const ID: #static_str = #id;
                    const PATH: #static_str = #path;
                    #server
                    #unsigned
                }
            }
        }
        Direction::Callback => {
            let replied = endpoint.response.as_ref().map(|_| {
                let reply = ident(&endpoint.response_type());
                let replied = scope.krate("Replied");
                quote! {
                    impl #replied for #request {
                        type Reply = #reply;
                    }
                }
            });
            let callback = scope.krate("Callback");
            quote! {
                impl #callback for #request {
                    const ID: #static_str = #id;
                }
                #replied
            }
        }
    }
}

/// The `JsonApi`, `jws::Algorithm` and `hosts::Server` variants of a JSON endpoint.
pub(crate) fn json_variants(endpoint: &Endpoint) -> JsonVariants {
    use crate::spec::{ApiName, Auth, Server};
    use freedompay_core::jws::Algorithm;
    let api = ident(match endpoint.api {
        ApiName::Merchant => "Merchant",
        ApiName::Gateway => "Gateway",
        ApiName::Card => "Card",
        ApiName::Partner => "Partner",
    });
    let alg = (endpoint.auth != Auth::Basic).then(|| {
        ident(match endpoint.jws_algorithm() {
            Algorithm::Hs256 => "Hs256",
            Algorithm::Hs512 => "Hs512",
        })
    });
    let server = ident(match endpoint.server {
        Server::Api => "Api",
        Server::FreedomId => "FreedomId",
    });
    JsonVariants { api, alg, server }
}

/// The variants naming a JSON endpoint's API, authentication and host.
pub(crate) struct JsonVariants {
    /// The `JsonApi` variant.
    pub api: Ident,
    /// The `jws::Algorithm` variant of a JWS-signed endpoint; `None` for HTTP Basic.
    pub alg: Option<Ident>,
    /// The `hosts::Server` variant.
    pub server: Ident,
}

/// `JsonEndpoint` for the request type of a JSON endpoint.
fn json_endpoint_impl(endpoint: &Endpoint) -> TokenStream {
    let request = ident(&endpoint.request_type());
    let response = match &endpoint.response {
        Some(_) => {
            let r = ident(&endpoint.response_type());
            quote! { #r }
        }
        None => quote! { crate::json::JsonMap },
    };
    let id = &endpoint.id;
    let path = endpoint.path.clone().unwrap_or_default();
    let JsonVariants { api, alg, server } = json_variants(endpoint);
    let auth = match alg {
        Some(alg) => quote! { crate::json::JsonAuth::Jws(crate::jws::Algorithm::#alg) },
        None => quote! { crate::json::JsonAuth::Basic },
    };
    let server = (endpoint.server != crate::spec::Server::Api)
        .then(|| quote! { const SERVER: crate::hosts::Server = crate::hosts::Server::#server; });
    let method = match endpoint.method {
        Method::Get => quote! { const METHOD: &'static str = "GET"; },
        Method::Post => quote! {},
    };
    let read = (endpoint.effect == Effect::Read)
        .then(|| quote! { const EFFECT: crate::Effect = crate::Effect::Read; });
    let sensitive = sensitive_const(endpoint, quote! { &'static str });
    let action = endpoint.action.as_ref().map(|action| {
        quote! { const ACTION: ::core::option::Option<&'static str> = ::core::option::Option::Some(#action); }
    });
    quote! {
        impl crate::json::JsonEndpoint for #request {
            type Response = #response;
            const ID: &'static str = #id;
            #method
            const PATH: &'static str = #path;
            #server
            const API: crate::json::JsonApi = crate::json::JsonApi::#api;
            const AUTH: crate::json::JsonAuth = #auth;
            #read
            #sensitive
            #action
        }
    }
}

/// `const SENSITIVE`: the wire names of the request's sensitive fields, at
/// any depth; nothing when it has none.
fn sensitive_const(endpoint: &Endpoint, static_str: TokenStream) -> Option<TokenStream> {
    fn collect<'f>(fields: &'f [Field], out: &mut Vec<&'f str>) {
        for field in fields {
            if field.sensitive && !out.contains(&field.wire.as_str()) {
                out.push(&field.wire);
            }
            if let Type::List { fields, .. } | Type::Object { fields, .. } = &field.ty {
                collect(fields, out);
            }
        }
    }
    let mut names = Vec::new();
    collect(&endpoint.request.fields, &mut names);
    (!names.is_empty())
        .then(|| quote! { const SENSITIVE: &'static [#static_str] = &[#(#names),*]; })
}

/// `Endpoint::path` when the path has parameters other than the merchant id.
fn path_fn(endpoint: &Endpoint, scope: &Scope) -> Option<TokenStream> {
    let params: Vec<&String> = endpoint
        .path_params
        .iter()
        .filter(|p| *p != "merchant_id")
        .collect();
    if params.is_empty() {
        return None;
    }
    let form = scope.krate("form");
    // Brings `to_wire` into scope.
    scope.krate("ToWire");
    let replaces = params.iter().map(|p| {
        let placeholder = format!("{{{p}}}");
        let field = ident(p);
        quote! {
            .replace(#placeholder, &#form::encode_path_segment(&self.#field.to_wire()))
        }
    });
    let string = scope.std("String");
    Some(quote! {
        fn path(&self, merchant_id: &str) -> #string {
            Self::PATH
                .replace("{merchant_id}", &#form::encode_path_segment(merchant_id))
                #(#replaces)*
        }
    })
}

/// What a message struct is: the top-level message sent or received, or an
/// item of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MessageRole {
    /// A request, redirect query or reply: built and sent by this side.
    Sent,
    /// A response or callback: received, after its signature was checked.
    Received,
    /// An item of a list field.
    Item {
        /// Whether the message holding the list is sent.
        sent: bool,
    },
}

impl MessageRole {
    fn top(sent: bool) -> Self {
        if sent {
            MessageRole::Sent
        } else {
            MessageRole::Received
        }
    }

    /// Whether the client fills the merchant id of a message in this role.
    fn outgoing(self) -> bool {
        matches!(self, MessageRole::Sent | MessageRole::Item { sent: true })
    }
}

/// The item messages of the list fields in `fields`, nested ones too, by item
/// type name; the description is the item's doc text.
fn collect_item_messages(
    fields: &[Field],
    encoding: crate::spec::Encoding,
    out: &mut BTreeMap<String, Message>,
) {
    for field in fields {
        let (name, item_fields, doc) = match &field.ty {
            Type::List {
                item_rust_name,
                fields,
                ..
            } => (item_rust_name, fields, "One item of"),
            Type::Object { rust_name, fields } => (rust_name, fields, "The object"),
            _ => continue,
        };
        out.entry(name.clone()).or_insert_with(|| Message {
            encoding,
            signed: false,
            description: Some(format!("{doc} `{}`: {}", field.wire, field.description)),
            fields: item_fields.clone(),
        });
        collect_item_messages(item_fields, encoding, out);
    }
}

/// Whether a field becomes a struct field: the client fills salt and signature
/// always, and the merchant id of the messages it sends.
fn is_struct_field(field: &Field, outgoing: bool) -> bool {
    match field.filled_by {
        None => true,
        Some(FilledBy::MerchantId) => !outgoing,
        Some(FilledBy::Salt | FilledBy::Signature) => false,
    }
}

/// The type of a field's value (`String`, `Amount`, `Vec<Item>`), without `Option`.
fn rust_type(field: &Field, scope: &Scope) -> TokenStream {
    match &field.ty {
        Type::String if field.sensitive => scope.krate("Sensitive"),
        Type::CardCvc | Type::CardMonth | Type::CardYear => scope.krate("Sensitive"),
        Type::String | Type::Url | Type::Email | Type::Phone | Type::Ip | Type::DateTime => {
            scope.std("String")
        }
        Type::CardNumber => scope.krate("CardNumber"),
        Type::Integer => quote! { i64 },
        Type::Amount => scope.krate("Amount"),
        Type::Decimal => scope.krate("Decimal"),
        Type::Flag | Type::Boolean => quote! { bool },
        Type::Object { rust_name, .. } => {
            let name = ident(rust_name);
            quote! { #name }
        }
        Type::Enum { def, shared } => {
            if *shared {
                scope.shared_enum(&def.rust_name)
            } else {
                let name = ident(&def.rust_name);
                quote! { #name }
            }
        }
        Type::List { item_rust_name, .. } => {
            let name = ident(item_rust_name);
            let vec = scope.std("Vec");
            quote! { #vec<#name> }
        }
        Type::TextList { .. } => {
            let (vec, string) = (scope.std("Vec"), scope.std("String"));
            quote! { #vec<#string> }
        }
    }
}

/// A count as an unsuffixed literal (`50`, not `50usize`).
fn count(n: u32) -> Literal {
    Literal::u32_unsuffixed(n)
}

/// The field's `#[freedompay(...)]`: its wire name unless it is the field's
/// own name, its rules and, for a list, how it travels. Nothing when empty.
/// The prefix most wire names of a message share with their field names.
const WIRE_PREFIX: &str = "pg_";

/// Whether a field's wire name is its Rust name after the message's `prefix`.
fn prefixed(field: &Field) -> bool {
    field.wire.strip_prefix(WIRE_PREFIX) == Some(field.rust.as_str())
}

fn field_attrs(field: &Field, prefix: bool) -> TokenStream {
    let wire = &field.wire;
    let mut parts = Vec::new();
    let implied = if prefix {
        prefixed(field)
    } else {
        *wire == field.rust
    };
    if !implied {
        parts.push(quote! { rename = #wire });
    }
    let c = &field.constraints;
    if let Some(min) = &c.min {
        parts.push(quote! { min = #min });
    }
    if let Some(max) = &c.max {
        parts.push(quote! { max = #max });
    }
    if let Some(n) = c.min_length.map(count) {
        parts.push(quote! { min_length = #n });
    }
    if let Some(n) = c.max_length.map(count) {
        parts.push(quote! { max_length = #n });
    }
    if let Some(pattern) = &c.pattern {
        parts.push(quote! { pattern = #pattern });
    }
    if let Some(format) = field.ty.format() {
        parts.push(quote! { format = #format });
    }
    if matches!(field.ty, Type::Object { .. }) {
        parts.push(quote! { object });
    }
    if let Type::List { style, .. } | Type::TextList { style } = &field.ty {
        parts.push(match style {
            ListStyle::Indexed => quote! { nested },
            ListStyle::Repeated => quote! { repeated },
            ListStyle::Array => quote! { array },
        });
        if let Some(n) = c.min_items.map(count) {
            parts.push(quote! { min_items = #n });
        }
        if let Some(n) = c.max_items.map(count) {
            parts.push(quote! { max_items = #n });
        }
    }
    if parts.is_empty() {
        return TokenStream::new();
    }
    quote! { #[freedompay(#(#parts),*)] }
}

/// The serde attributes of a field of a JSON message: its wire name, how its
/// value travels (`crate::json::field`), and when it is left out.
fn serde_attrs(field: &Field) -> TokenStream {
    let mut parts = Vec::new();
    if field.wire != field.rust {
        let wire = &field.wire;
        parts.push(quote! { rename = #wire });
    }
    let optional = !field.required;
    // Lists and objects are serde's own; scalars go through `json::field`.
    let adapter = match field.ty.json_kind() {
        JsonKind::Number => Some("number"),
        JsonKind::Boolean => Some("boolean"),
        JsonKind::Text => Some("text"),
        JsonKind::Array | JsonKind::Object => None,
    };
    let list = field.ty.is_list();
    if optional || list && !field.required {
        parts.push(quote! { default });
    }
    if !field.nullable {
        if list && !field.required {
            parts.push(quote! { skip_serializing_if = "Vec::is_empty" });
        } else if optional && !list {
            parts.push(quote! { skip_serializing_if = "Option::is_none" });
        }
    }
    if let Some(adapter) = adapter {
        let path = if optional {
            format!("crate::json::field::optional::{adapter}")
        } else {
            format!("crate::json::field::{adapter}")
        };
        parts.push(quote! { with = #path });
    }
    if parts.is_empty() {
        return TokenStream::new();
    }
    quote! { #[serde(#(#parts),*)] }
}

/// A message struct. A form or XML message derives the codecs of
/// `freedompay-macros` (and `Sign` when the client signs it); a JSON message
/// is written and read by serde, its other members kept in a `JsonMap`.
/// Both validate and build with the same derives.
fn message_struct(item: &Struct, scope: &Scope) -> TokenStream {
    let json = item.message.encoding == crate::spec::Encoding::Json;
    let name = item.name.as_str();
    let name_ident = ident(name);
    let struct_doc = doc(&item.doc);
    let fields = item.fields();
    // `prefix = "pg_"` when it spares at least one field its `rename`.
    let prefix = !json && fields.iter().any(|f| prefixed(f));
    let field_defs = fields.iter().map(|field| {
        let field_ident = ident(&field.rust);
        let ty = rust_type(field, scope);
        let ty = if field.required || field.ty.is_list() {
            ty
        } else {
            let option = scope.std("Option");
            quote! { #option<#ty> }
        };
        let serde = json.then(|| serde_attrs(field));
        let attrs = field_attrs(field, prefix);
        let field_doc = doc(&describe::field_doc(field));
        quote! {
            #field_doc
            #serde
            #attrs
            pub #field_ident: #ty,
        }
    });
    let extra_doc = doc(item.extra_doc);
    let mut struct_attrs = Vec::new();
    if prefix {
        struct_attrs.push(quote! { prefix = #WIRE_PREFIX });
    }
    let mut derives = vec![quote! { Clone }, quote! { PartialEq }];
    if json {
        derives.extend([
            quote! { ::serde::Serialize },
            quote! { ::serde::Deserialize },
        ]);
    }
    derives.push(scope.krate("Validate"));
    if !json {
        derives.extend([scope.krate("Encode"), scope.krate("Decode")]);
        if let Some(script) = &item.script {
            struct_attrs.push(quote! { script = #script });
            derives.push(scope.krate("Sign"));
        }
    }
    derives.push(scope.krate("Builder"));
    let required = constructor_fields(&fields);
    let required_struct = (required.len() > MAX_POSITIONAL).then(|| {
        let required_ident = ident(&required_type(name));
        struct_attrs.push(quote! { required = #required_ident });
        required_struct(name, &required, scope)
    });
    let struct_attrs =
        (!struct_attrs.is_empty()).then(|| quote! { #[freedompay(#(#struct_attrs),*)] });
    let extra = if json {
        quote! {
            #[serde(flatten)]
            #[freedompay(extra)]
            pub extra: crate::json::JsonMap,
        }
    } else {
        let params = scope.krate("Params");
        quote! {
            #[freedompay(extra)]
            pub extra: #params,
        }
    };
    // Card numbers and sensitive text mask themselves (`CardNumber`, `Sensitive`).
    derives.insert(0, quote! { Debug });
    quote! {
        #struct_doc
        #[derive(#(#derives),*)]
        #struct_attrs
        #[non_exhaustive]
        pub struct #name_ident {
            #(#field_defs)*
            #extra_doc
            #extra
        }
        #required_struct
    }
}

/// Up to this many required fields, `new` takes them as arguments; beyond,
/// it takes one struct of them with named fields (see spec/README.md).
const MAX_POSITIONAL: usize = 4;

/// The fields `new` takes: the required ones but lists, which start empty.
fn constructor_fields<'f>(fields: &[&'f Field]) -> Vec<&'f Field> {
    fields
        .iter()
        .copied()
        .filter(|f| f.required && !f.ty.is_list())
        .collect()
}

/// The name of the struct of required fields of the message `name`.
fn required_type(name: &str) -> String {
    format!("{name}Required")
}

/// The struct of required fields that `new` of the message `name` takes.
fn required_struct(name: &str, required: &[&Field], scope: &Scope) -> TokenStream {
    let struct_doc = doc(&format!(
        "The required fields of [`{name}`], the argument of [`{name}::new`]."
    ));
    let struct_ident = ident(&required_type(name));
    let fields = required.iter().map(|field| {
        let field_doc = doc(&describe::rustdoc_text(&field.description));
        let field_ident = ident(&field.rust);
        let ty = rust_type(field, scope);
        quote! {
            #field_doc
            pub #field_ident: #ty,
        }
    });
    quote! {
        #struct_doc
        #[derive(Debug, Clone, PartialEq)]
        pub struct #struct_ident {
            #(#fields)*
        }
    }
}

fn enum_def(def: &Enum, scope: &Scope) -> TokenStream {
    let name = ident(&def.rust_name);
    let enum_doc = doc(&describe::enum_doc(def));
    let variants = def.values.iter().map(|v| {
        let variant = ident(&v.rust);
        let wire = &v.wire;
        let variant_doc = doc(&format!(
            "`{}`: {}",
            v.wire,
            describe::rustdoc_text(&v.description)
        ));
        quote! {
            #variant_doc
            #[freedompay(rename = #wire)]
            #variant,
        }
    });
    let unknown = def.open.then(|| {
        let string = scope.std("String");
        quote! {
            /// A value this version of the spec does not list, kept as received.
            #[freedompay(other)]
            Unknown(#string),
        }
    });
    let wire_enum = scope.krate("WireEnum");
    let copy = (!def.open).then(|| quote! { Copy, });
    quote! {
        #enum_doc
        #[derive(Debug, Clone, #copy PartialEq, Eq, Hash, #wire_enum)]
        pub enum #name {
            #(#variants)*
            #unknown
        }
    }
}
