//! The grouped client: one accessor on `freedompay::Client` per group
//! (`client.payments()`), one method per endpoint (`.status(&request)`).
//!
//! The methods are thin: sending is `Client::send`'s job and building a
//! redirect URL is `Client::redirect_url`'s; this module only gives every
//! endpoint a discoverable, documented name.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::describe;
use crate::emit::scope::Scope;
use crate::ir::Endpoint;
use crate::spec::{ApiName, Direction};

/// The accessor name of a group: the group itself for the Merchant API,
/// prefixed with the API's module name for the others.
pub fn accessor(api: ApiName, group: &str) -> String {
    match api {
        ApiName::Merchant => group.to_owned(),
        other => format!("{}_{group}", describe::api_module(other)),
    }
}

/// The name of a group's calls struct (`PaymentsCalls`).
pub fn calls_type(group: &str) -> String {
    format!("{}Calls", group.to_upper_camel_case())
}

/// The first sentence of a description, on one line.
fn summary(text: &str) -> String {
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = words
        .match_indices(". ")
        .find(|(i, _)| {
            words[i + 2..]
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c == '`')
        })
        .map_or(words.len(), |(i, _)| i + 1);
    words[..end].to_owned()
}

fn method(endpoint: &Endpoint, scope: &Scope) -> TokenStream {
    let name = format_ident!("{}", endpoint.client_method);
    let request = format_ident!("{}", endpoint.request_type());
    let title = describe::rustdoc_text(&endpoint.title);
    let summary = describe::rustdoc_text(&summary(&endpoint.description));
    let result = scope.std("Result");
    let error = scope.krate("Error");
    match endpoint.direction {
        Direction::Redirect => {
            let lines = [
                format!(" **{title}**: {summary}"),
                String::new(),
                format!(
                    " Validates {} [`{}`] into the URL the browser opens; nothing is sent.",
                    if endpoint.request.signed {
                        "and signs"
                    } else {
                        "and writes"
                    },
                    endpoint.request_type()
                ),
            ];
            let string = scope.std("String");
            quote! {
                #(#[doc = #lines])*
                pub fn #name(&self, request: &#request) -> #result<#string, #error> {
                    self.client.redirect_url(request)
                }
            }
        }
        Direction::Request if endpoint.is_json() => {
            let response = match &endpoint.response {
                Some(_) => {
                    let r = format_ident!("{}", endpoint.response_type());
                    quote! { #r }
                }
                None => quote! { crate::json::JsonMap },
            };
            let path = endpoint.path.as_deref().unwrap_or_default();
            let lines = [
                format!(" **{title}**: {summary}"),
                String::new(),
                format!(
                    " Validates [`{}`], sends it as JSON to `{path}` {} and returns the answer.",
                    endpoint.request_type(),
                    if endpoint.auth == crate::spec::Auth::Basic {
                        "on Freedom ID's host with the client credentials"
                    } else {
                        "with its detached JWS"
                    }
                ),
            ];
            quote! {
                #(#[doc = #lines])*
                pub async fn #name(&self, request: &#request) -> #result<#response, #error> {
                    self.client.send_json(request).await
                }
            }
        }
        _ => {
            let response = match &endpoint.response {
                Some(_) => {
                    let r = format_ident!("{}", endpoint.response_type());
                    quote! { #r }
                }
                None => scope.krate("Params"),
            };
            let path = endpoint.path.as_deref().unwrap_or_default();
            let lines = [
                format!(" **{title}**: {summary}"),
                String::new(),
                format!(
                    " Validates, signs and sends [`{}`] to `{path}`; returns the verified response.",
                    endpoint.request_type()
                ),
            ];
            let response_type = scope.krate("Response");
            quote! {
                #(#[doc = #lines])*
                pub async fn #name(
                    &self,
                    request: &#request,
                ) -> #result<#response_type<#response>, #error> {
                    self.client.send(request).await
                }
            }
        }
    }
}

/// The calls struct of a group and its accessor on `Client`, when the group
/// has outgoing endpoints; written inside the group's module.
pub fn group_calls(endpoints: &[&Endpoint], scope: &Scope) -> Option<TokenStream> {
    let outgoing: Vec<&Endpoint> = endpoints
        .iter()
        .copied()
        .filter(|e| e.direction.outgoing())
        .collect();
    let first = outgoing.first()?;
    let group = &first.group;
    let api_title = describe::api_title_by_module(describe::api_module(first.api));
    let ty = format_ident!("{}", calls_type(group));
    let accessor = format_ident!("{}", accessor(first.api, group));
    let client = scope.krate("Client");
    let struct_doc = format!(
        " The calls of the `{group}` group of the {api_title} API, from [`Client::{accessor}`]."
    );
    let accessor_doc =
        format!(" The `{group}` group of the {api_title} API: one method per endpoint.");
    let methods = outgoing.iter().map(|e| method(e, scope));
    Some(quote! {
        #[doc = #struct_doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #ty<'a> {
            client: &'a #client,
        }
        impl #ty<'_> {
            #(#methods)*
        }
        impl #client {
            #[doc = #accessor_doc]
            pub fn #accessor(&self) -> #ty<'_> {
                #ty { client: self }
            }
        }
    })
}
