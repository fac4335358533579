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
//! # Cargo features
//!
//! | Feature | Default | What it compiles |
//! |---|---|---|
//! | `merchant` | yes | The Merchant API: `merchant`, its client methods (`client.page()`, `payments()`, …), registry entries and server methods, and the callbacks (check, result, notifications), which the Gateway API's payments send too |
//! | `gateway` | yes | The Gateway API, Sync and Async: `gateway`, `client.gateway_payments()`, … |
//! | `card` | yes | The Card API: `card`, `client.card_cards()`, … |
//! | `partner` | yes | The Partner API and Freedom ID: `partner`, `client.partner_wallet()`, … |
//! | `rustls` | yes | TLS by rustls with aws-lc-rs (reqwest's `rustls`; builds aws-lc-sys, which needs a C compiler and CMake on some targets) |
//! | `rustls-ring` | no | TLS by rustls with ring instead, set on each client (no process-wide provider is installed) |
//! | `native-tls` | no | TLS by the platform's library (OpenSSL on Linux, reqwest's `native-tls`) |
//! | `axum` | no | `freedompay::axum`: verified callbacks as an axum extractor |
//! | `cli` | no | The `freedompay` command-line tool (clap) |
//!
//! The shared enums ([`enums`]), the error codes ([`errors`]), the test data
//! ([`test_data`]) and everything generic ([`Client::send`], [`exchange`], …)
//! are always there. A crate that takes payments through the Merchant API
//! only, over native TLS:
//!
//! ```toml
//! freedompay = { version = "0.1", default-features = false, features = ["merchant", "native-tls"] }
//! ```
//!
//! When several TLS features are on (features add up across a dependency
//! graph), `native-tls` wins, as in reqwest, then `rustls-ring`, then
//! `rustls`. With none, the client speaks plain HTTP only (a sandbox, a
//! local TLS-terminating proxy).
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
    ToWire, Validate, ValidationError, ValidationErrors, Value, callback, card_data, debugger,
    exchange, form, hosts, json, jws, redact, signature, xml,
};
pub use freedompay_macros::{Builder, Decode, Encode, Sign, Validate, WireEnum};

#[doc(hidden)]
pub use freedompay_core::__private;

include!(concat!(env!("OUT_DIR"), "/api.rs"));
