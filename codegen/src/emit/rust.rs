//! Rust emission: one module per API group, one struct per message, one enum per enum.
//!
//! Reads the IR only. Everything the generated types do comes from the derive
//! macros of `freedompay-macros` and the traits of `freedompay-core`; this
//! module decides names, types, attributes and documentation.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::emit::describe;
use crate::ir::{Api, Endpoint, Enum, Field, Message, Type};
use crate::spec::{Direction, FilledBy, ListStyle, Method};

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = " line"]` attributes, one per line, so the output reads as `///` comments.
fn doc(text: &str) -> TokenStream {
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
pub fn api(api: &Api) -> TokenStream {
    let enums = api.enums.iter().map(enum_def);
    let mut groups: BTreeMap<(String, String), Vec<TokenStream>> = BTreeMap::new();
    for endpoint in &api.endpoints {
        groups
            .entry((
                describe::api_module(endpoint.api).to_owned(),
                endpoint.group.clone(),
            ))
            .or_default()
            .push(endpoint_items(endpoint));
    }
    let mut calls = crate::emit::client::group_structs(api);
    let mut apis: BTreeMap<String, Vec<TokenStream>> = BTreeMap::new();
    for ((api_name, group), items) in groups {
        let group_calls = calls.remove(&(api_name.clone(), group.clone()));
        let group_ident = ident(&group);
        let group_doc = doc(&format!(
            "The `{group}` group of the {} API.",
            describe::api_title_by_module(&api_name)
        ));
        apis.entry(api_name).or_default().push(quote! {
            #group_doc
            pub mod #group_ident {
                #(#items)*
                #group_calls
            }
        });
    }
    let api_modules = apis.into_iter().map(|(api_name, groups)| {
        let api_ident = ident(&api_name);
        let api_doc = doc(&format!(
            "The {} API.",
            describe::api_title_by_module(&api_name)
        ));
        quote! {
            #api_doc
            pub mod #api_ident {
                #(#groups)*
            }
        }
    });
    let accessors = crate::emit::client::accessors(api);
    let reference = crate::emit::reference::rust(api);
    let registry = crate::emit::registry::rust(api);
    quote! {
        /// Enums shared by several endpoints.
        pub mod enums {
            #(#enums)*
        }
        #(#api_modules)*
        #accessors
        #reference
        #registry
    }
}

/// Tokens for one endpoint alone (for per-endpoint snapshots).
pub fn endpoint_items(endpoint: &Endpoint) -> TokenStream {
    let local_enums = endpoint.enums.iter().map(enum_def);
    let outgoing_request = endpoint.direction.outgoing();
    let request_name = endpoint.request_type();
    let request = message_struct(
        &request_name,
        &describe::request_doc(endpoint),
        &endpoint.request,
        outgoing_request,
        outgoing_request.then_some(endpoint.script.as_str()),
    );
    let response = endpoint.response.as_ref().map(|message| {
        message_struct(
            &endpoint.response_type(),
            &describe::response_doc(endpoint),
            message,
            !outgoing_request,
            None,
        )
    });
    let request_ident = ident(&request_name);
    let id = &endpoint.id;
    let trait_impl = match endpoint.direction {
        Direction::Request => {
            let response_ty = match &endpoint.response {
                Some(_) => {
                    let r = ident(&endpoint.response_type());
                    quote! { #r }
                }
                None => quote! { ::freedompay::Params },
            };
            let method = match endpoint.method {
                Method::Get => quote! { ::freedompay::HttpMethod::Get },
                Method::Post => quote! { ::freedompay::HttpMethod::Post },
            };
            let path = endpoint.path.clone().unwrap_or_default();
            let payout = endpoint.payout_key;
            let extra_params: Vec<&String> = endpoint
                .path_params
                .iter()
                .filter(|p| *p != "merchant_id")
                .collect();
            let path_fn = if extra_params.is_empty() {
                quote! {}
            } else {
                let replaces = extra_params.iter().map(|p| {
                    let placeholder = format!("{{{p}}}");
                    let field = ident(p);
                    quote! {
                        let path = path.replace(
                            #placeholder,
                            &::freedompay::__private::encode_path_segment(&::freedompay::ToWire::to_wire(&self.#field)),
                        );
                    }
                });
                quote! {
                    fn path(&self, merchant_id: &str) -> ::std::string::String {
                        let path = Self::PATH.replace(
                            "{merchant_id}",
                            &::freedompay::__private::encode_path_segment(merchant_id),
                        );
                        #(#replaces)*
                        path
                    }
                }
            };
            quote! {
                impl ::freedompay::Endpoint for #request_ident {
                    type Response = #response_ty;
                    const ID: &'static str = #id;
                    const METHOD: ::freedompay::HttpMethod = #method;
                    const PATH: &'static str = #path;
                    const PAYOUT: bool = #payout;
                    #path_fn
                }
            }
        }
        Direction::Redirect => {
            let path = endpoint.path.clone().unwrap_or_default();
            quote! {
                impl ::freedompay::Redirect for #request_ident {
                    const ID: &'static str = #id;
                    const PATH: &'static str = #path;
                }
            }
        }
        Direction::Callback => {
            let replied = endpoint.response.as_ref().map(|_| {
                let reply = ident(&endpoint.response_type());
                quote! {
                    impl ::freedompay::Replied for #request_ident {
                        type Reply = #reply;
                    }
                }
            });
            quote! {
                impl ::freedompay::Callback for #request_ident {
                    const ID: &'static str = #id;
                }
                #replied
            }
        }
    };
    let items = list_item_structs(endpoint);
    quote! {
        #(#local_enums)*
        #request
        #trait_impl
        #response
        #(#items)*
    }
}

/// Item structs of list fields, once per name.
fn list_item_structs(endpoint: &Endpoint) -> Vec<TokenStream> {
    let mut seen = BTreeMap::new();
    let messages = std::iter::once((&endpoint.request, endpoint.direction.outgoing())).chain(
        endpoint
            .response
            .iter()
            .map(|m| (m, endpoint.direction == Direction::Callback)),
    );
    for (message, outgoing) in messages {
        collect_items(&message.fields, outgoing, &mut seen);
    }
    seen.into_values().collect()
}

fn collect_items(fields: &[Field], outgoing: bool, out: &mut BTreeMap<String, TokenStream>) {
    for field in fields {
        if let Type::List {
            item_rust_name,
            fields: item_fields,
            ..
        } = &field.ty
        {
            if !out.contains_key(item_rust_name) {
                let message = Message {
                    encoding: crate::spec::Encoding::Form,
                    signed: false,
                    description: None,
                    fields: item_fields.clone(),
                };
                let text = format!("One item of `{}`: {}", field.wire, field.description);
                out.insert(
                    item_rust_name.clone(),
                    message_struct(item_rust_name, &text, &message, outgoing, None),
                );
            }
            collect_items(item_fields, outgoing, out);
        }
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

fn rust_type(field: &Field) -> TokenStream {
    match &field.ty {
        Type::String | Type::Url | Type::Email | Type::Phone | Type::Ip | Type::DateTime => {
            quote! { ::std::string::String }
        }
        Type::Integer => quote! { i64 },
        Type::Amount => quote! { ::freedompay::Amount },
        Type::Decimal => quote! { ::freedompay::Decimal },
        Type::Flag => quote! { bool },
        Type::Enum { def, shared } => {
            let name = ident(&def.rust_name);
            if *shared {
                quote! { crate::enums::#name }
            } else {
                quote! { #name }
            }
        }
        Type::List { item_rust_name, .. } => {
            let name = ident(item_rust_name);
            quote! { ::std::vec::Vec<#name> }
        }
    }
}

fn field_attrs(field: &Field) -> TokenStream {
    let wire = &field.wire;
    let mut parts = vec![quote! { rename = #wire }];
    let c = &field.constraints;
    if let Some(min) = &c.min {
        parts.push(quote! { min = #min });
    }
    if let Some(max) = &c.max {
        parts.push(quote! { max = #max });
    }
    if let Some(n) = c.min_length {
        let n = n as usize;
        parts.push(quote! { min_length = #n });
    }
    if let Some(n) = c.max_length {
        let n = n as usize;
        parts.push(quote! { max_length = #n });
    }
    if let Some(pattern) = &c.pattern {
        parts.push(quote! { pattern = #pattern });
    }
    let format = match field.ty {
        Type::Url => Some("url"),
        Type::Email => Some("email"),
        Type::Phone => Some("phone"),
        Type::Ip => Some("ip"),
        Type::DateTime => Some("datetime"),
        _ => None,
    };
    if let Some(format) = format {
        parts.push(quote! { format = #format });
    }
    if let Type::List { style, .. } = &field.ty {
        parts.push(match style {
            ListStyle::Indexed => quote! { nested },
            ListStyle::Repeated => quote! { repeated },
        });
        if let Some(n) = c.min_items {
            let n = n as usize;
            parts.push(quote! { min_items = #n });
        }
        if let Some(n) = c.max_items {
            let n = n as usize;
            parts.push(quote! { max_items = #n });
        }
    }
    quote! { #[freedompay(#(#parts),*)] }
}

fn message_struct(
    name: &str,
    text: &str,
    message: &Message,
    outgoing: bool,
    script: Option<&str>,
) -> TokenStream {
    let name_ident = ident(name);
    let struct_doc = doc(text);
    let fields: Vec<&Field> = message
        .fields
        .iter()
        .filter(|f| is_struct_field(f, outgoing))
        .collect();
    let field_defs = fields.iter().map(|field| {
        let field_ident = ident(&field.rust);
        let ty = rust_type(field);
        let ty = if field.required || matches!(field.ty, Type::List { .. }) {
            ty
        } else {
            quote! { ::core::option::Option<#ty> }
        };
        let attrs = field_attrs(field);
        let field_doc = doc(&describe::field_doc(field));
        quote! {
            #field_doc
            #attrs
            pub #field_ident: #ty,
        }
    });
    let extra_doc = doc(if outgoing {
        "Parameters the spec does not list, sent after the typed ones and signed with them.\nNames without the `pg_` prefix are merchant parameters the gateway forwards to the check and result URLs."
    } else {
        "Parameters the spec does not list, as received (they took part in the signature)."
    });
    let mut struct_attrs = Vec::new();
    let sign_derive = script.map(|script| {
        struct_attrs.push(quote! { script = #script });
        quote! { ::freedompay::Sign, }
    });
    let required = constructor_fields(&fields);
    let required_struct = (required.len() > MAX_POSITIONAL).then(|| {
        let required_ident = ident(&required_type(name));
        struct_attrs.push(quote! { required = #required_ident });
        required_struct(name, &required)
    });
    let struct_attrs =
        (!struct_attrs.is_empty()).then(|| quote! { #[freedompay(#(#struct_attrs),*)] });
    quote! {
        #struct_doc
        #[derive(Debug, Clone, PartialEq, ::freedompay::Validate, ::freedompay::Encode, ::freedompay::Decode, #sign_derive ::freedompay::Builder)]
        #struct_attrs
        #[non_exhaustive]
        pub struct #name_ident {
            #(#field_defs)*
            #extra_doc
            #[freedompay(extra)]
            pub extra: ::freedompay::Params,
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
        .filter(|f| f.required && !matches!(f.ty, Type::List { .. }))
        .collect()
}

/// The name of the struct of required fields of the message `name`.
fn required_type(name: &str) -> String {
    format!("{name}Required")
}

/// The struct of required fields that `new` of the message `name` takes.
fn required_struct(name: &str, required: &[&Field]) -> TokenStream {
    let struct_doc = doc(&format!(
        "The required fields of [`{name}`], the argument of [`{name}::new`]."
    ));
    let struct_ident = ident(&required_type(name));
    let fields = required.iter().map(|field| {
        let field_doc = doc(&field.description);
        let field_ident = ident(&field.rust);
        let ty = rust_type(field);
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

fn enum_def(def: &Enum) -> TokenStream {
    let name = ident(&def.rust_name);
    let enum_doc = doc(&describe::enum_doc(def));
    let variants = def.values.iter().map(|v| {
        let variant = ident(&v.rust);
        let wire = &v.wire;
        let variant_doc = doc(&format!("`{}`: {}", v.wire, v.description));
        quote! {
            #variant_doc
            #[freedompay(rename = #wire)]
            #variant,
        }
    });
    let unknown = def.open.then(|| {
        quote! {
            /// A value this version of the spec does not list, kept as received.
            #[freedompay(other)]
            Unknown(::std::string::String),
        }
    });
    let derives = if def.open {
        quote! { #[derive(Debug, Clone, PartialEq, Eq, Hash, ::freedompay::WireEnum)] }
    } else {
        quote! { #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::freedompay::WireEnum)] }
    };
    quote! {
        #enum_doc
        #derives
        pub enum #name {
            #(#variants)*
            #unknown
        }
    }
}
