//! The endpoint registry: every endpoint and callback of the spec as data,
//! with a function that decodes and validates a message as received. A server
//! (the sandbox, a merchant's callback handler) routes and checks requests
//! with exactly the code the client uses to build them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::describe;
use crate::ir::{Api, Endpoint};
use crate::spec::{Direction, Method};

fn entry(endpoint: &Endpoint) -> (TokenStream, TokenStream) {
    let id = &endpoint.id;
    let title = &endpoint.title;
    let group = &endpoint.group;
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
        Some(p) => quote! { ::core::option::Option::Some(#p) },
        None => quote! { ::core::option::Option::None },
    };
    let api_mod = format_ident!("{}", describe::api_module(endpoint.api));
    let group_ident = format_ident!("{}", endpoint.group);
    let request = format_ident!("{}", endpoint.request_type());
    let check = format_ident!("check_{}", endpoint.id);
    let check_doc = format!(
        " Decodes and validates a `{id}` message as received into [`crate::{}::{}::{}`].",
        describe::api_module(endpoint.api),
        endpoint.group,
        endpoint.request_type()
    );
    let function = quote! {
        #[doc = #check_doc]
        fn #check(params: &::freedompay::Params) -> ::core::result::Result<(), Rejection> {
            let message = <crate::#api_mod::#group_ident::#request as ::freedompay::Decode>::decode(params)
                .map_err(Rejection::Decode)?;
            ::freedompay::Validate::validate(&message).map_err(Rejection::Invalid)
        }
    };
    let info = quote! {
        EndpointInfo {
            id: #id,
            title: #title,
            group: #group,
            direction: Direction::#direction,
            method: ::freedompay::HttpMethod::#method,
            path: #path,
            script: #script,
            payout_key: #payout,
            check: #check,
        }
    };
    (function, info)
}

/// The `registry` module.
pub fn rust(api: &Api) -> TokenStream {
    let (functions, infos): (Vec<_>, Vec<_>) = api.endpoints.iter().map(entry).unzip();
    quote! {
        /// Every endpoint and callback of the spec as data: where it lives, how it
        /// is signed, and a check that decodes and validates a message as received
        /// with the same generated types the client sends.
        pub mod registry {
            /// Who sends the message.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum Direction {
                /// The merchant calls the gateway.
                Request,
                /// The gateway calls the merchant's URL.
                Callback,
                /// The payer's browser opens a signed gateway URL.
                Redirect,
            }

            /// Why a received message was refused.
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub enum Rejection {
                /// A field is missing or cannot be read.
                Decode(::freedompay::DecodeError),
                /// A value breaks a rule of the spec.
                Invalid(::freedompay::ValidationErrors),
            }

            impl ::core::fmt::Display for Rejection {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    match self {
                        Rejection::Decode(e) => ::core::fmt::Display::fmt(e, f),
                        Rejection::Invalid(e) => ::core::fmt::Display::fmt(e, f),
                    }
                }
            }

            impl ::std::error::Error for Rejection {}

            /// One endpoint or callback.
            #[derive(Debug, Clone, Copy)]
            pub struct EndpointInfo {
                /// The spec id.
                pub id: &'static str,
                /// The documentation's title.
                pub title: &'static str,
                /// The group (`payments`).
                pub group: &'static str,
                /// Who sends it.
                pub direction: Direction,
                /// The HTTP method.
                pub method: ::freedompay::HttpMethod,
                /// The path template on the gateway host (`None` for callbacks).
                pub path: ::core::option::Option<&'static str>,
                /// The script name that starts the string to sign.
                pub script: &'static str,
                /// Whether it is signed with the payout key when there is one.
                pub payout_key: bool,
                /// Decodes and validates the message (request or callback) as received.
                pub check: fn(&::freedompay::Params) -> ::core::result::Result<(), Rejection>,
            }

            /// Every endpoint and callback, in spec order.
            pub const ENDPOINTS: &[EndpointInfo] = &[#(#infos),*];

            /// The endpoint with this id.
            pub fn by_id(id: &str) -> ::core::option::Option<&'static EndpointInfo> {
                ENDPOINTS.iter().find(|e| e.id == id)
            }

            #(#functions)*
        }
    }
}
