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
    /// Decodes and validates the message as received into its typed form.
    pub decode: fn(&Params) -> Result<M, Rejection>,
}

impl<M> EndpointInfo<M> {
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
