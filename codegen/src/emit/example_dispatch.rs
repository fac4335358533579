//! The tests' dispatcher from an endpoint id to its generated types, so that
//! table-driven tests can run every spec example through them.
//!
//! It is no part of the `freedompay` crate: the test crate's build script
//! generates it into its own `OUT_DIR`, and it names the generated types by
//! their public paths (`freedompay::merchant::page::InitPaymentRequest`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::describe;
use crate::ir::{Api, Endpoint};
use crate::spec::Direction;

/// The public path of a generated type of `endpoint`.
fn path(endpoint: &Endpoint, name: &str) -> TokenStream {
    let api = format_ident!("{}", describe::api_module(endpoint.api));
    let group = format_ident!("{}", endpoint.group);
    let name = format_ident!("{name}");
    quote!(freedompay::#api::#group::#name)
}

/// The dispatcher's functions: `request`, `response`, `callback` and `reply`.
pub fn rust(api: &Api) -> TokenStream {
    let mut request_arms = Vec::new();
    let mut response_arms = Vec::new();
    let mut callback_arms = Vec::new();
    let mut reply_arms = Vec::new();
    let mut json_request_arms = Vec::new();
    let mut json_response_arms = Vec::new();
    let mut json_send_arms = Vec::new();
    for endpoint in api.endpoints.iter().filter(|e| e.is_json()) {
        let id = &endpoint.id;
        let request = path(endpoint, &endpoint.request_type());
        json_request_arms.push(quote!(#id => json_roundtrip::<#request>(body),));
        json_send_arms.push(quote!(#id => json_send_typed::<#request>(client, body).await,));
        let response = match &endpoint.response {
            Some(_) => path(endpoint, &endpoint.response_type()),
            None => quote!(freedompay::json::JsonMap),
        };
        json_response_arms.push(quote!(#id => json_read::<#response>(text),));
    }
    for endpoint in api.endpoints.iter().filter(|e| !e.is_json()) {
        let id = &endpoint.id;
        let request = path(endpoint, &endpoint.request_type());
        request_arms.push(quote!(#id => roundtrip::<#request>(params),));
        if endpoint.direction == Direction::Callback {
            callback_arms.push(quote! {
                #id => verify::<#request>(script, secret, params).map(drop).map_err(|e| e.to_string()),
            });
        }
        if endpoint.response.is_some() {
            let response = path(endpoint, &endpoint.response_type());
            response_arms.push(quote!(#id => roundtrip::<#response>(params),));
            if endpoint.direction == Direction::Callback {
                reply_arms
                    .push(quote!(#id => signed_reply::<#response>(script, secret, reply, salt),));
            }
        }
    }
    quote! {
        use freedompay::callback::{sign_reply, verify};
        use freedompay::{Decode, Encode, Params, SecretKey, Validate};

        /// Decodes, validates and re-encodes a message: the parameters it would send.
        fn roundtrip<T: Decode + Validate + Encode>(params: &Params) -> Result<Params, String> {
            let message = T::decode(params).map_err(|e| e.to_string())?;
            message.validate().map_err(|e| e.to_string())?;
            Ok(message.to_params())
        }

        /// Decodes a reply and signs it as XML with `salt`.
        fn signed_reply<T: Decode + Validate + Encode>(
            script: &str,
            secret: &SecretKey,
            reply: &Params,
            salt: &str,
        ) -> Result<String, String> {
            let reply = T::decode(reply).map_err(|e| e.to_string())?;
            sign_reply(script, secret, &reply, Some(salt)).map_err(|e| e.to_string())
        }

        /// Reads a JSON body into `T`, validates it and writes it back: the bytes it would send.
        fn json_roundtrip<T: serde::de::DeserializeOwned + serde::Serialize + Validate>(
            body: &[u8],
        ) -> Result<Vec<u8>, String> {
            let message: T = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            message.validate().map_err(|e| e.to_string())?;
            serde_json::to_vec(&message).map_err(|e| e.to_string())
        }

        /// Reads a JSON (or XML) answer into `T` and writes it back as JSON.
        fn json_read<T: serde::de::DeserializeOwned + serde::Serialize>(
            text: &str,
        ) -> Result<serde_json::Value, String> {
            let answer: T = freedompay::json::read_json_response(text).map_err(|e| e.to_string())?;
            serde_json::to_value(&answer).map_err(|e| e.to_string())
        }

        /// Reads a JSON body into the request type `T` and sends it with the client.
        async fn json_send_typed<T: freedompay::json::JsonEndpoint + serde::de::DeserializeOwned>(
            client: &freedompay::Client,
            body: &[u8],
        ) -> Result<serde_json::Value, String>
        where
            T::Response: serde::Serialize,
        {
            let request: T = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            let answer = client.send_json(&request).await.map_err(|e| e.to_string())?;
            serde_json::to_value(&answer).map_err(|e| e.to_string())
        }

        /// Runs a JSON example body of endpoint `id` through its request type;
        /// `None` for an unknown id or one that is not JSON.
        pub fn json_request(id: &str, body: &[u8]) -> Option<Result<Vec<u8>, String>> {
            Some(match id {
                #(#json_request_arms)*
                _ => return None,
            })
        }

        /// Reads an example answer of JSON endpoint `id` through its response type.
        pub fn json_response(id: &str, text: &str) -> Option<Result<serde_json::Value, String>> {
            Some(match id {
                #(#json_response_arms)*
                _ => return None,
            })
        }

        /// Sends a JSON example body of endpoint `id` with `client`; the answer as JSON.
        pub async fn json_send(
            client: &freedompay::Client,
            id: &str,
            body: &[u8],
        ) -> Option<Result<serde_json::Value, String>> {
            Some(match id {
                #(#json_send_arms)*
                _ => return None,
            })
        }

        /// Runs an example request (or callback) of endpoint `id` through its type;
        /// `None` for an unknown id.
        pub fn request(id: &str, params: &Params) -> Option<Result<Params, String>> {
            Some(match id {
                #(#request_arms)*
                _ => return None,
            })
        }

        /// Runs an example response (or reply) of endpoint `id` through its type.
        pub fn response(id: &str, params: &Params) -> Option<Result<Params, String>> {
            Some(match id {
                #(#response_arms)*
                _ => return None,
            })
        }

        /// Verifies and decodes callback `id` as the merchant receives it.
        pub fn callback(
            id: &str,
            script: &str,
            secret: &SecretKey,
            params: Params,
        ) -> Option<Result<(), String>> {
            Some(match id {
                #(#callback_arms)*
                _ => return None,
            })
        }

        /// Decodes the reply of callback `id` and signs it as XML with `salt`.
        pub fn reply(
            id: &str,
            script: &str,
            secret: &SecretKey,
            reply: &Params,
            salt: &str,
        ) -> Option<Result<String, String>> {
            Some(match id {
                #(#reply_arms)*
                _ => return None,
            })
        }
    }
}
