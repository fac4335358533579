//! The endpoint registry and the server trait.
//!
//! `registry`: every endpoint and callback of the spec as data, each decoding
//! a message as received into the generated `Message` enum with exactly the
//! types the client sends. `server`: a `Handler` trait with one method per
//! request endpoint, whose default answers from the spec, and `serve`, which
//! routes a decoded message to its method. A server (the sandbox, a
//! merchant's test double) serves every endpoint of the spec with it, and
//! overrides only the methods it simulates.

use std::collections::{BTreeMap, BTreeSet};

use freedompay_core::Params;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::{describe, features};
use crate::ir::{Api, Endpoint, Field, JsonKind, Type};
use crate::spec::{ApiName, Direction, Method};

/// The path of an endpoint's type from the crate root's API module: `merchant::page::InitPaymentRequest`.
fn type_path(endpoint: &Endpoint, name: &str) -> TokenStream {
    let api = format_ident!("{}", describe::api_module(endpoint.api));
    let group = format_ident!("{}", endpoint.group);
    let name = format_ident!("{}", name);
    quote! { #api::#group::#name }
}

/// `use crate::merchant;` for each family, compiled with it.
fn api_imports(api: &Api) -> TokenStream {
    let mut modules: Vec<(&str, ApiName)> = api
        .endpoints
        .iter()
        .map(|e| (describe::api_module(e.api), e.api))
        .collect();
    modules.sort_unstable();
    modules.dedup();
    let imports = modules.into_iter().map(|(module, api)| {
        let module = format_ident!("{}", module);
        let cfg = features::cfg(api);
        quote! {
            #cfg
            use crate::#module;
        }
    });
    quote! { #(#imports)* }
}

fn variant(endpoint: &Endpoint) -> proc_macro2::Ident {
    format_ident!("{}", endpoint.rust_name)
}

/// The answer the spec gives to a request endpoint, as a compact XML message
/// without salt and signature: its first documented successful example
/// response, or else every field that has an example or a default, filled
/// with it, and every other required field with a placeholder.
pub fn spec_answer(endpoint: &Endpoint) -> String {
    let documented = endpoint
        .examples
        .iter()
        .filter_map(|example| example.response.as_deref())
        .filter_map(|text| freedompay_core::form::decode_message(text).ok())
        .find(|params| {
            params.get_text("pg_status") != Some("error") && !params.contains("pg_error_code")
        });
    let mut params = documented.unwrap_or_else(|| {
        let mut params = Params::new();
        let fields = endpoint.response.iter().flat_map(|m| m.fields.iter());
        for field in fields.filter(|f| !f.ty.is_list()) {
            let value = field.example.as_deref().or(field.default.as_deref());
            match value {
                Some(value) => params.push(field.wire.clone(), value),
                None if field.required => params.push(field.wire.clone(), placeholder(field)),
                None => {}
            }
        }
        params
    });
    params.remove("pg_salt");
    params.remove("pg_sig");
    let xml = freedompay_core::xml::write("response", &params);
    match xml.split_once('\n') {
        Some((prolog, rest)) if prolog.starts_with("<?xml") => rest.to_owned(),
        _ => xml,
    }
}

/// The JSON answer the spec gives to a JSON endpoint: its first documented
/// example answer that is not an error, as written, or else an object of
/// every response field that has an example or a default, and of every other
/// required one with a placeholder.
pub fn json_answer_text(endpoint: &Endpoint) -> String {
    let documented = endpoint
        .examples
        .iter()
        .filter_map(|example| example.response.as_deref())
        .find(|text| {
            freedompay_core::json::answer_value(text)
                .is_ok_and(|v| v.get("status").and_then(|s| s.as_str()) != Some("error"))
        });
    if let Some(text) = documented {
        return text.to_owned();
    }
    let fields = endpoint.response.iter().flat_map(|m| m.fields.iter());
    json_object(fields).to_string()
}

/// A JSON object of `fields` for an answer (see [`json_answer_text`]).
fn json_object<'f>(fields: impl Iterator<Item = &'f Field>) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for field in fields {
        let value = match &field.ty {
            Type::Object { fields, .. } if field.required => json_object(fields.iter()),
            Type::List { .. } | Type::TextList { .. } if field.required => {
                serde_json::Value::Array(Vec::new())
            }
            Type::Object { .. } | Type::List { .. } | Type::TextList { .. } => continue,
            _ => {
                let text = match field.example.as_deref().or(field.default.as_deref()) {
                    Some(text) => text.to_owned(),
                    None if field.required => placeholder(field),
                    None => continue,
                };
                json_scalar(field, text)
            }
        };
        object.insert(field.wire.clone(), value);
    }
    serde_json::Value::Object(object)
}

/// A scalar's wire text as the JSON value its field travels as.
fn json_scalar(field: &Field, text: String) -> serde_json::Value {
    match field.ty.json_kind() {
        JsonKind::Number => serde_json::from_str::<serde_json::Number>(&text)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::String(text)),
        JsonKind::Boolean => serde_json::Value::Bool(text == "true" || text == "1"),
        JsonKind::Text | JsonKind::Array | JsonKind::Object => serde_json::Value::String(text),
    }
}

/// The value of a required answer field that the documentation gives no
/// example for: the enum's first value, the field's minimum, or the plainest
/// value of its type.
fn placeholder(field: &Field) -> String {
    match &field.ty {
        Type::Enum { def, .. } => def
            .values
            .first()
            .map(|v| v.wire.clone())
            .unwrap_or_default(),
        Type::Integer | Type::Amount | Type::Decimal => field
            .constraints
            .min
            .clone()
            .unwrap_or_else(|| "0".to_owned()),
        Type::Flag => "0".to_owned(),
        Type::DateTime => "1970-01-01 00:00:00".to_owned(),
        _ => String::new(),
    }
}

/// The name of the constant holding an endpoint's spec answer.
fn answer_const(endpoint: &Endpoint) -> proc_macro2::Ident {
    format_ident!("{}", endpoint.id.to_uppercase())
}

/// The variant of the registry's message enum holding `endpoint`'s request.
fn message_variant(endpoint: &Endpoint) -> TokenStream {
    let variant = variant(endpoint);
    let ty = type_path(endpoint, &endpoint.request_type());
    let doc = format!(" `{}`: {}", endpoint.id, endpoint.title);
    let cfg = features::cfg(endpoint.api);
    quote! {
        #[doc = #doc]
        #cfg
        #variant(Box<#ty>),
    }
}

/// The `registry` module.
pub fn registry(api: &Api) -> TokenStream {
    let imports = api_imports(api);
    let form = || api.endpoints.iter().filter(|e| !e.is_json());
    let json = || api.endpoints.iter().filter(|e| e.is_json());
    let json_variants = json().map(message_variant);
    let json_infos = json().map(|endpoint| {
        let id = &endpoint.id;
        let method = endpoint.method.name();
        let path = endpoint.path.as_deref().unwrap_or_default();
        let crate::emit::rust::JsonVariants {
            api: api_variant,
            alg,
            server,
        } = crate::emit::rust::json_variants(endpoint);
        let auth = match alg {
            Some(alg) => quote! { JsonAuth::Jws(Algorithm::#alg) },
            None => quote! { JsonAuth::Basic },
        };
        let action = match &endpoint.action {
            Some(a) => quote! { Some(#a) },
            None => quote! { None },
        };
        let variant = variant(endpoint);
        let cfg = features::cfg(endpoint.api);
        quote! {
            #cfg
            JsonEndpointInfo {
                id: #id,
                method: #method,
                path: #path,
                server: Server::#server,
                api: JsonApi::#api_variant,
                auth: #auth,
                action: #action,
                decode: |body| decode_json_into(body, JsonMessage::#variant),
            }
        }
    });
    let variants = form().map(message_variant);
    let infos = form().map(|endpoint| {
        let id = &endpoint.id;
        let script = &endpoint.script;
        let payout = endpoint.payout_key;
        let direction = format_ident!(
            "{}",
            match endpoint.direction {
                Direction::Request => "Request",
                Direction::Callback => "Callback",
                Direction::Redirect => "Redirect",
            }
        );
        let method = format_ident!(
            "{}",
            match endpoint.method {
                Method::Get => "Get",
                Method::Post => "Post",
            }
        );
        let path = match &endpoint.path {
            Some(p) => quote! { Some(#p) },
            None => quote! { None },
        };
        let variant = variant(endpoint);
        let selected_by = endpoint
            .selected_by
            .iter()
            .map(|(name, value)| match value {
                Some(value) => quote! { (#name, Some(#value)) },
                None => quote! { (#name, None) },
            });
        let cfg = features::cfg(endpoint.api);
        quote! {
            #cfg
            EndpointInfo {
                id: #id,
                direction: Direction::#direction,
                method: HttpMethod::#method,
                path: #path,
                script: #script,
                payout_key: #payout,
                selected_by: &[#(#selected_by),*],
                decode: |params| decode_into(params, Message::#variant),
            }
        }
    });
    let form_families = features::families(form());
    let json_families = features::families(json());
    let uses = features::core_uses(vec![
        (form_families.clone(), quote! { HttpMethod }),
        (form_families, quote! { registry::decode_into }),
        (json_families.clone(), quote! { hosts::Server }),
        (json_families.clone(), quote! { json::{JsonApi, JsonAuth} }),
        (
            features::families(json().filter(|e| e.auth != crate::spec::Auth::Basic)),
            quote! { jws::Algorithm },
        ),
        (json_families, quote! { registry::decode_json_into }),
    ]);
    quote! {
        /// Every endpoint and callback of the spec as data: where it lives, how it
        /// is signed, and how a message as received decodes into its typed form,
        /// with the same generated types the client sends. Each family's entries
        /// compile with its cargo feature.
        pub mod registry {
            pub use freedompay_core::registry::{Direction, Rejection};
            #uses
            #imports

            /// One endpoint or callback of this spec.
            pub type EndpointInfo = freedompay_core::registry::EndpointInfo<Message>;

            /// Any message of the spec, decoded and validated: a request, a
            /// browser redirect or a callback.
            #[derive(Debug, Clone, PartialEq)]
            pub enum Message {
                #(#variants)*
            }

            /// Every endpoint and callback, in spec order.
            pub const ENDPOINTS: &[EndpointInfo] = &[#(#infos),*];

            /// The endpoint with this id.
            pub fn by_id(id: &str) -> Option<&'static EndpointInfo> {
                ENDPOINTS.iter().find(|e| e.id == id)
            }

            /// One JSON endpoint of this spec (signed with a detached JWS, or sent to Freedom ID with client credentials).
            pub type JsonEndpointInfo = freedompay_core::registry::JsonEndpointInfo<JsonMessage>;

            /// Any JSON request of the spec, read and validated.
            #[derive(Debug, Clone, PartialEq)]
            pub enum JsonMessage {
                #(#json_variants)*
            }

            /// Every JSON endpoint, in spec order.
            pub const JSON_ENDPOINTS: &[JsonEndpointInfo] = &[#(#json_infos),*];

            /// The JSON endpoint with this id.
            pub fn json_by_id(id: &str) -> Option<&'static JsonEndpointInfo> {
                JSON_ENDPOINTS.iter().find(|e| e.id == id)
            }
        }
    }
}

/// The `server` module.
pub fn server(api: &Api) -> TokenStream {
    let imports = api_imports(api);
    let served: Vec<&Endpoint> = api
        .endpoints
        .iter()
        .filter(|e| e.direction != Direction::Callback && !e.is_json())
        .collect();
    let json_served: Vec<&Endpoint> = api.endpoints.iter().filter(|e| e.is_json()).collect();
    let json_methods = json_served.iter().map(|endpoint| {
        let id = &endpoint.id;
        let name = format_ident!("{}", endpoint.id);
        let request = type_path(endpoint, &endpoint.request_type());
        let path = endpoint.path.as_deref().unwrap_or_default();
        let response = match &endpoint.response {
            Some(_) => type_path(endpoint, &endpoint.response_type()),
            None => quote! { freedompay_core::json::JsonMap },
        };
        let answer = answer_const(endpoint);
        let doc = format!(
            " Answers `POST {path}` (`{id}`); by default the spec's example answer, with the request's values where it has the same members."
        );
        let cfg = features::cfg(endpoint.api);
        quote! {
            #[doc = #doc]
            #cfg
            fn #name(&self, _context: &Self::Context, request: #request) -> Result<#response, Self::Error> {
                Ok(json_spec_answer(#id, &request, answers::#answer)?)
            }
        }
    });
    let json_arms = json_served.iter().map(|endpoint| {
        let variant = variant(endpoint);
        let name = format_ident!("{}", endpoint.id);
        let cfg = features::cfg(endpoint.api);
        quote! {
            #cfg
            JsonMessage::#variant(r) => json_answer(handler.#name(cx, *r)),
        }
    });
    let json_answers = json_served.iter().map(|endpoint| {
        let name = answer_const(endpoint);
        let answer = json_answer_text(endpoint);
        let cfg = features::cfg(endpoint.api);
        quote! {
            #cfg
            pub(super) const #name: &str = #answer;
        }
    });
    let methods = served.iter().map(|endpoint| {
        let id = &endpoint.id;
        let name = format_ident!("{}", endpoint.id);
        let request = type_path(endpoint, &endpoint.request_type());
        let path = endpoint.path.as_deref().unwrap_or_default();
        let method = endpoint.method.name();
        let cfg = features::cfg(endpoint.api);
        if endpoint.direction == Direction::Redirect {
            let doc = format!(
                " The browser opens `{method} {path}` (`{id}`): the URL it is sent on to. No answer is documented, so the default refuses."
            );
            return quote! {
                #[doc = #doc]
                #cfg
                fn #name(&self, _context: &Self::Context, _request: #request) -> Result<String, Self::Error> {
                    Err(SpecAnswerError::Redirect { endpoint: #id }.into())
                }
            };
        }
        let response = match &endpoint.response {
            Some(_) => type_path(endpoint, &endpoint.response_type()),
            None => quote! { Params },
        };
        let answer = answer_const(endpoint);
        let doc = format!(
            " Answers `{method} {path}` (`{id}`); by default the spec's example answer, with the request's values where it has the same fields."
        );
        quote! {
            #[doc = #doc]
            #cfg
            fn #name(&self, _context: &Self::Context, request: #request) -> Result<#response, Self::Error> {
                Ok(spec_answer(#id, &request, answers::#answer)?)
            }
        }
    });
    let answers = served
        .iter()
        .filter(|e| e.direction == Direction::Request)
        .map(|endpoint| {
            let name = answer_const(endpoint);
            let answer = spec_answer(endpoint);
            let cfg = features::cfg(endpoint.api);
            quote! {
                #cfg
                pub(super) const #name: &str = #answer;
            }
        });
    let arms = served.iter().map(|endpoint| {
        let variant = variant(endpoint);
        let name = format_ident!("{}", endpoint.id);
        let wrap = match (endpoint.direction, &endpoint.response) {
            (Direction::Redirect, _) => quote! { redirect },
            (_, Some(_)) => quote! { answer },
            (_, None) => quote! { parameters },
        };
        let cfg = features::cfg(endpoint.api);
        quote! {
            #cfg
            Message::#variant(r) => Some(#wrap(handler.#name(cx, *r))),
        }
    });
    // One arm per family for its callbacks.
    let mut callbacks: BTreeMap<ApiName, Vec<TokenStream>> = BTreeMap::new();
    for endpoint in api
        .endpoints
        .iter()
        .filter(|e| e.direction == Direction::Callback)
    {
        let variant = variant(endpoint);
        callbacks
            .entry(endpoint.api)
            .or_default()
            .push(quote! { Message::#variant(_) });
    }
    let callback_arms = callbacks.into_iter().map(|(api, patterns)| {
        let cfg = features::cfg(api);
        quote! {
            #cfg
            #(#patterns)|* => None,
        }
    });
    // The private helpers and imports, each compiled with the families that use it.
    let with = |direction: Direction, response: bool| {
        features::families(
            served
                .iter()
                .copied()
                .filter(|e| e.direction == direction && e.response.is_some() == response),
        )
    };
    let answered = with(Direction::Request, true);
    let unanswered = with(Direction::Request, false);
    let redirects = with(Direction::Redirect, false);
    let requests: BTreeSet<ApiName> = answered.union(&unanswered).copied().collect();
    let answer_cfg = features::cfg_any(&answered);
    let parameters_cfg = features::cfg_any(&unanswered);
    let redirect_cfg = features::cfg_any(&redirects);
    let json_families = features::families(json_served.iter().copied());
    let json_cfg = features::cfg_any(&json_families);
    let uses = features::core_uses(vec![
        (answered.clone(), quote! { Encode }),
        (unanswered.clone(), quote! { Params }),
        (requests, quote! { server::spec_answer }),
        (json_families.clone(), quote! { server::json_spec_answer }),
    ]);
    let json_unused = features::allow_unused_without(&json_families);
    let served_unused = features::allow_unused_without(&features::families(served.iter().copied()));
    quote! {
        /// Serving the spec's endpoints as the gateway: one [`server::Handler`]
        /// method per request endpoint, each answering from the spec until an
        /// implementation overrides it, and [`server::serve`] to route a decoded message.
        pub mod server {
            pub use freedompay_core::server::{Served, SpecAnswerError};
            #uses
            use crate::registry::{JsonMessage, Message};
            #imports

            /// The gateway's side of every request endpoint of the spec.
            ///
            /// Each method receives the decoded, validated request; it returns the
            /// typed answer (signed by the caller) or a refusal. The default
            /// answer is the spec's documented example response, with every
            /// field the request also carries taken from the request, so an
            /// endpoint is served from the moment its YAML exists.
            pub trait Handler {
                /// What each call receives besides the request (the calling merchant, say).
                type Context;
                /// How a call is refused; a spec answer that cannot be built is one way.
                type Error: From<SpecAnswerError>;

                #(#methods)*
            }

            /// Runs a decoded request through its `handler` method. `None` for a
            /// callback, which the gateway sends rather than serves.
            #served_unused
            pub fn serve<H: Handler>(handler: &H, cx: &H::Context, message: Message) -> Option<Result<Served, H::Error>> {
                match message {
                    #(#arms)*
                    #(#callback_arms)*
                }
            }

            /// The gateway's side of every JSON endpoint of the spec: like
            /// [`Handler`], one method per endpoint, receiving the request read
            /// from its body and validated (its JWS checked by the caller), each
            /// answering from the spec until an implementation overrides it.
            pub trait JsonHandler {
                /// What each call receives besides the request (the calling API user, say).
                type Context;
                /// How a call is refused; a spec answer that cannot be built is one way.
                type Error: From<SpecAnswerError>;

                #(#json_methods)*
            }

            /// Runs a JSON request through its `handler` method; the answer is
            /// the JSON value to send.
            #json_unused
            pub fn serve_json<H: JsonHandler>(handler: &H, cx: &H::Context, message: JsonMessage) -> Result<serde_json::Value, H::Error> {
                match message {
                    #(#json_arms)*
                }
            }

            /// A typed JSON answer as the value to send.
            #json_cfg
            fn json_answer<E>(answer: Result<impl serde::Serialize, E>) -> Result<serde_json::Value, E> {
                answer.map(|message| serde_json::to_value(message).unwrap_or_default())
            }

            /// A typed answer, as the parameters to sign.
            #answer_cfg
            fn answer<E>(answer: Result<impl Encode, E>) -> Result<Served, E> {
                answer.map(|message| Served::Answer(message.to_params()))
            }

            /// An untyped answer, as the parameters to sign.
            #parameters_cfg
            fn parameters<E>(answer: Result<Params, E>) -> Result<Served, E> {
                answer.map(Served::Answer)
            }

            /// A browser redirect.
            #redirect_cfg
            fn redirect<E>(url: Result<String, E>) -> Result<Served, E> {
                url.map(Served::Redirect)
            }

            /// The spec's answer to each request endpoint, as an XML message
            /// without salt and signature.
            mod answers {
                #(#answers)*
                #(#json_answers)*
            }
        }
    }
}
