//! The records of the endpoint registry: what a server needs to know about
//! each endpoint of the spec to route, authenticate and decode a message.
//!
//! The `freedompay` crate generates the table itself (`freedompay::registry::ENDPOINTS`),
//! one [`EndpointInfo`] per endpoint and callback of the spec, each decoding into
//! the generated enum of every message.

use std::fmt;

use crate::message::{Decode, DecodeError, HttpMethod, Validate, ValidationErrors};
use crate::params::Params;

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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// A field is missing or cannot be read.
    #[error(transparent)]
    Decode(DecodeError),
    /// A value breaks a rule of the spec.
    #[error(transparent)]
    Invalid(ValidationErrors),
    /// A JSON body is not JSON, or not the documented shape.
    #[error("the body is not the documented JSON: {0}")]
    Json(String),
}

/// Reads a JSON request body as received, checks every rule of its type,
/// and wraps it in the registry's JSON message type.
pub fn decode_json_into<T: serde::de::DeserializeOwned + Validate, M>(
    body: &[u8],
    wrap: fn(Box<T>) -> M,
) -> Result<M, Rejection> {
    let message: T =
        serde_json::from_slice(body).map_err(|error| Rejection::Json(error.to_string()))?;
    message.validate().map_err(Rejection::Invalid)?;
    Ok(wrap(Box::new(message)))
}

/// One JSON endpoint of the spec (signed with a detached JWS, or sent with
/// HTTP Basic client credentials to Freedom ID); `M` is the
/// type every JSON request of the registry reads into.
pub struct JsonEndpointInfo<M: 'static> {
    /// The spec id.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path on the service's host: the JWS header's `uri`.
    pub path: &'static str,
    /// The service whose host serves it: the payment API or Freedom ID.
    pub server: crate::hosts::Server,
    /// The API whose credentials sign it.
    pub api: crate::json::JsonApi,
    /// How it is authenticated: a JWS and its algorithm, or HTTP Basic.
    pub auth: crate::json::JsonAuth,
    /// The `X-Action` header it is sent with, if any.
    pub action: Option<&'static str>,
    /// Reads and validates the body as received into its typed form.
    pub decode: fn(&[u8]) -> Result<M, Rejection>,
}

impl<M> Clone for JsonEndpointInfo<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for JsonEndpointInfo<M> {}

impl<M> fmt::Debug for JsonEndpointInfo<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonEndpointInfo")
            .field("id", &self.id)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("server", &self.server)
            .field("api", &self.api)
            .field("auth", &self.auth)
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

/// Decodes a message as received and checks every rule of its type.
pub fn decode_checked<T: Decode + Validate>(params: &Params) -> Result<T, Rejection> {
    let message = T::decode(params).map_err(Rejection::Decode)?;
    message.validate().map_err(Rejection::Invalid)?;
    Ok(message)
}

/// Decodes and checks a message as received, then wraps it in the registry's
/// message type (`wrap` is typically an enum variant: `Message::InitPayment`).
pub fn decode_into<T: Decode + Validate, M>(
    params: &Params,
    wrap: fn(Box<T>) -> M,
) -> Result<M, Rejection> {
    decode_checked(params).map(|message| wrap(Box::new(message)))
}

/// One endpoint or callback of the spec; `M` is the type every message of
/// the registry decodes into.
pub struct EndpointInfo<M: 'static> {
    /// The spec id (its documentation page is `docs/<api>/<group>/<id>.md`).
    pub id: &'static str,
    /// Who sends it.
    pub direction: Direction,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template on the gateway host (`None` for callbacks).
    pub path: Option<&'static str>,
    /// The script name that starts the string to sign.
    pub script: &'static str,
    /// Whether it is signed with the payout key when there is one.
    pub payout_key: bool,
    /// Where requests share a path: the parameters (with the value each must
    /// have, or any) that make a request this endpoint; empty otherwise.
    pub selected_by: &'static [(&'static str, Option<&'static str>)],
    /// Decodes and validates the message as received into its typed form.
    pub decode: fn(&Params) -> Result<M, Rejection>,
}

impl<M> EndpointInfo<M> {
    /// Whether `params` carry this endpoint's `selected_by` parameters (an
    /// endpoint without any selects nothing by itself).
    pub fn selects(&self, params: &Params) -> bool {
        !self.selected_by.is_empty()
            && self.selected_by.iter().all(|(name, value)| {
                params
                    .get_text(name)
                    .is_some_and(|sent| value.is_none_or(|wanted| sent.trim() == wanted))
            })
    }

    /// Decodes and validates the message as received, keeping only the verdict.
    pub fn check(&self, params: &Params) -> Result<(), Rejection> {
        (self.decode)(params).map(drop)
    }
}

impl<M> Clone for EndpointInfo<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for EndpointInfo<M> {}

impl<M> fmt::Debug for EndpointInfo<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointInfo")
            .field("id", &self.id)
            .field("direction", &self.direction)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("script", &self.script)
            .field("payout_key", &self.payout_key)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_shared_path(
        selected_by: &'static [(&'static str, Option<&'static str>)],
    ) -> EndpointInfo<()> {
        EndpointInfo {
            id: "wallet",
            direction: Direction::Request,
            method: HttpMethod::Post,
            path: Some("/g2g/payment"),
            script: "payment",
            payout_key: false,
            selected_by,
            decode: |_| Ok(()),
        }
    }

    #[test]
    fn selectors_need_every_parameter_with_its_value() {
        let apple = at_shared_path(&[("pg_payment_method", Some("apple_pay"))]);
        let token = at_shared_path(&[("pg_card_token", None)]);
        let card = at_shared_path(&[]);
        let wallet = Params::new()
            .with("pg_payment_method", "apple_pay")
            .with("pg_card_cvc", "653");
        assert!(apple.selects(&wallet));
        assert!(!token.selects(&wallet));
        assert!(
            !card.selects(&wallet),
            "a default selects nothing by itself"
        );
        let other = Params::new().with("pg_payment_method", "google_pay");
        assert!(!apple.selects(&other));
        assert!(token.selects(&Params::new().with("pg_card_token", "t-1")));
    }
}
