//! The grouped client: one accessor on `freedompay::Client` per group
//! (`client.payments()`), one method per endpoint (`.status(&request)`).
//!
//! The methods are thin: sending is `Client::send`'s job and building a
//! redirect URL is `Client::redirect_url`'s; this module only gives every
//! endpoint a discoverable, documented name.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::describe;
use crate::ir::{Api, Endpoint};
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

/// The first paragraph of a description, on one line.
fn summary(text: &str) -> String {
    text.split("\n\n")
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn method(endpoint: &Endpoint) -> TokenStream {
    let name = format_ident!("{}", endpoint.client_method);
    let request = format_ident!("{}", endpoint.request_type());
    let title = &endpoint.title;
    let summary = summary(&endpoint.description);
    match endpoint.direction {
        Direction::Redirect => {
            let lines = [
                format!(" **{title}**: {summary}"),
                String::new(),
                format!(
                    " Validates and signs [`{}`] and returns the URL the payer's browser opens; nothing is sent.",
                    endpoint.request_type()
                ),
            ];
            quote! {
                #(#[doc = #lines])*
                pub fn #name(
                    &self,
                    request: &#request,
                ) -> ::core::result::Result<::std::string::String, ::freedompay::Error> {
                    self.client.redirect_url(request)
                }
            }
        }
        _ => {
            let response = match &endpoint.response {
                Some(_) => {
                    let r = format_ident!("{}", endpoint.response_type());
                    quote! { #r }
                }
                None => quote! { ::freedompay::Params },
            };
            let path = endpoint.path.as_deref().unwrap_or_default();
            let lines = [
                format!(" **{title}**: {summary}"),
                String::new(),
                format!(
                    " Validates, signs and sends [`{}`] to `{path}`, and returns the verified response.",
                    endpoint.request_type()
                ),
            ];
            quote! {
                #(#[doc = #lines])*
                pub async fn #name(
                    &self,
                    request: &#request,
                ) -> ::core::result::Result<::freedompay::Response<#response>, ::freedompay::Error> {
                    self.client.send(request).await
                }
            }
        }
    }
}

/// The calls struct of every group that has outgoing endpoints, by (API module, group).
pub fn group_structs(api: &Api) -> BTreeMap<(String, String), TokenStream> {
    let mut groups: BTreeMap<(String, String), Vec<&Endpoint>> = BTreeMap::new();
    for endpoint in api.endpoints.iter().filter(|e| e.direction.outgoing()) {
        groups
            .entry((
                describe::api_module(endpoint.api).to_owned(),
                endpoint.group.clone(),
            ))
            .or_default()
            .push(endpoint);
    }
    groups
        .into_iter()
        .map(|((api_module, group), endpoints)| {
            let ty = format_ident!("{}", calls_type(&group));
            let doc = format!(
                " The calls of the `{group}` group of the {} API, from [`Client::{}`](::freedompay::Client::{}).",
                describe::api_title_by_module(&api_module),
                accessor(endpoints[0].api, &group),
                accessor(endpoints[0].api, &group),
            );
            let methods = endpoints.iter().map(|e| method(e));
            let tokens = quote! {
                #[doc = #doc]
                #[derive(Debug, Clone, Copy)]
                pub struct #ty<'a> {
                    pub(crate) client: &'a ::freedompay::Client,
                }
                impl #ty<'_> {
                    #(#methods)*
                }
            };
            ((api_module, group), tokens)
        })
        .collect()
}

/// The accessors on `freedompay::Client`, one per group with outgoing endpoints.
pub fn accessors(api: &Api) -> TokenStream {
    let mut seen = BTreeMap::new();
    for endpoint in api.endpoints.iter().filter(|e| e.direction.outgoing()) {
        let key = (endpoint.api, endpoint.group.clone());
        seen.entry(key).or_insert_with(|| {
            let api_module = format_ident!("{}", describe::api_module(endpoint.api));
            let group = format_ident!("{}", endpoint.group);
            let name = format_ident!("{}", accessor(endpoint.api, &endpoint.group));
            let ty = format_ident!("{}", calls_type(&endpoint.group));
            let doc = format!(
                " The `{}` group of the {} API: one method per endpoint.",
                endpoint.group,
                describe::api_title_by_module(describe::api_module(endpoint.api)),
            );
            quote! {
                #[doc = #doc]
                pub fn #name(&self) -> crate::#api_module::#group::#ty<'_> {
                    crate::#api_module::#group::#ty { client: self }
                }
            }
        });
    }
    let accessors = seen.into_values();
    quote! {
        impl ::freedompay::Client {
            #(#accessors)*
        }
    }
}
