//! Typed, validated, signed client for the Freedom Pay payment gateway.
//!
//! The API types are generated at build time from the YAML spec that ships
//! with this crate: one module per API and group, each API compiled with its
//! cargo feature (for example `merchant::page::InitPaymentRequest`, with
//! `merchant`), shared enums in [`enums`]. Each
//! request type validates its values, encodes itself in wire order and is
//! signed by the client; each response and callback type decodes from the
//! message as received, after its signature was verified over that message.
//!
//! Layers: [`freedompay_core`] does everything without I/O (signing, codecs,
//! validation, verification); [`Client`] adds the reqwest transport.
//!
//! ```no_run
//! use freedompay::{Amount, Client, Config, Host};
//! use freedompay::merchant::page::InitPaymentRequest;
//! use freedompay::hosts::Site;
//!
//! # async fn run() -> Result<(), freedompay::Error> {
//! let client = Client::new(Config::new("545084", "secret").host(Host::Test(Site::Kz)))?;
//! let request = InitPaymentRequest::new("25".parse().expect("amount"), "Ticket")
//!     .order_id("23");
//! let response = client.send(&request).await?;
//! println!("pay at {}", response.redirect_url);
//! # Ok(()) }
//! ```
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

// Lets derived code name this crate as `::freedompay` from inside it too.
extern crate self as freedompay;

mod client;

#[cfg(feature = "axum")]
pub mod axum;

pub use client::{Client, Config, DOCUMENTED_PACING, Error, Host, MAX_RESPONSE_BYTES, Retry};
pub use freedompay_core::exchange::{
    AnswerSignature, GatewayError, PreparedRequest, Response, ResponseError,
};
pub use freedompay_core::{
    Amount, AmountError, Callback, CardNumber, Decimal, Decode, DecodeError, Effect, Encode,
    Endpoint, FromWire, HttpMethod, Params, Redirect, Replied, Rule, SecretKey, Sensitive, Sign,
    ToWire, Validate, ValidationError, ValidationErrors, Value, callback, card_data, exchange,
    form, hosts, json, jws, redact, signature, xml,
};
pub use freedompay_macros::{Builder, Decode, Encode, Sign, Validate, WireEnum};

#[doc(hidden)]
pub use freedompay_core::__private;

include!(concat!(env!("OUT_DIR"), "/api.rs"));
