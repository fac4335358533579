//! The I/O-free core of the Freedom Pay client.
//!
//! Everything here works on values in memory: the ordered parameter tree
//! ([`Params`]), the `pg_sig` signature ([`signature`]), form and XML codecs
//! ([`form`], [`xml`]), money ([`Amount`]), the message traits the derive
//! macros implement ([`message`]), and the request/response and callback
//! exchanges ([`exchange`], [`callback`]). The `freedompay` crate adds the
//! generated API types and an HTTP transport on top; a server receiving
//! callbacks, a test or another HTTP stack can use this crate as it is.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::string_slice
    )
)]

pub mod amount;
pub mod callback;
pub mod card_data;
pub mod debugger;
pub mod exchange;
pub mod form;
pub mod hosts;
pub mod json;
pub mod jws;
pub mod message;
pub mod params;
pub mod redact;
pub mod reference;
pub mod registry;
pub mod retry;
pub mod rules;
pub mod server;
pub mod signature;
pub mod wire;
pub mod xml;

pub use amount::{Amount, AmountError};
pub use card_data::{CardNumber, Sensitive};
pub use message::{
    Callback, Decode, DecodeError, DecodeItem, Effect, Encode, EncodeItem, Endpoint, HttpMethod,
    Redirect, Replied, Rule, Sign, Validate, ValidateItem, ValidationError, ValidationErrors,
};
pub use params::{Name, Params, Value};
pub use rust_decimal::Decimal;
pub use signature::SecretKey;
pub use wire::{FromWire, Numeric, ToWire};

/// Items the derived and generated code refers to. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::form::encode_path_segment;
    pub use crate::message::{
        Callback, Decode, DecodeError, DecodeItem, Encode, EncodeItem, Endpoint, HttpMethod,
        Replied, Sign, Validate, ValidateItem, ValidationErrors, child_path,
    };
    pub use crate::params::{Params, Value};
    pub use crate::registry::decode_checked;
    pub use crate::rules::{self, Format};
    pub use crate::server::spec_answer;
    pub use crate::wire::{FromWire, ToWire};
    pub use regex::Regex;
    pub use std::sync::LazyLock;
}
