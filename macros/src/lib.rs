//! Derive macros for Freedom Pay messages: validation, encoding into and
//! decoding from the gateway's parameter trees, signing, a constructor with
//! setters, and wire enums.
//!
//! Use them through the `freedompay` crate, which re-exports them next to the
//! traits they implement; generated code names the runtime only as
//! `::freedompay::__private`.
//!
//! ```ignore
//! use freedompay::{Builder, Decode, Encode, Sign, Validate, WireEnum};
//!
//! #[derive(Validate, Encode, Decode, Sign, Builder)]
//! #[freedompay(script = "init_payment.php")]
//! struct InitPayment {
//!     #[freedompay(rename = "pg_amount", min = "0.01")]
//!     amount: freedompay::Amount,
//!     #[freedompay(rename = "pg_description", min_length = 1, max_length = 1024)]
//!     description: String,
//!     #[freedompay(rename = "pg_user_contact_email", format = "email")]
//!     email: Option<String>,
//!     #[freedompay(rename = "pg_receipt_positions", nested, max_items = 100)]
//!     positions: Vec<Position>,
//!     #[freedompay(extra)]
//!     extra: freedompay::Params,
//! }
//!
//! #[derive(WireEnum)]
//! enum Language {
//!     #[freedompay(rename = "ru")]
//!     Russian,
//!     #[freedompay(rename = "en")]
//!     English,
//!     #[freedompay(other)]
//!     Unknown(String),
//! }
//!
//! let payment = InitPayment::new("25".parse().unwrap(), "Ticket").email("payer@example.com");
//! ```
//!
//! # Attributes
//!
//! All settings live in `#[freedompay(...)]`; each key may be given once per
//! item, and unknown keys are errors.
//!
//! On a message struct: `script = "name.php"` (read by `Sign`),
//! `required = MessageRequired` (read by `Builder`), and `prefix = "pg_"`:
//! a field without `rename` is then named on the wire by the prefix and its
//! own name (`amount` is `pg_amount`).
//!
//! On a message field:
//!
//! | key | meaning |
//! | --- | --- |
//! | `rename = "pg_x"` | the wire name (default: the struct's `prefix`, then the field's name) |
//! | `min = 0.01`, `max = 100` | numeric limits (int, float or string literal, a decimal) |
//! | `min_length = N`, `max_length = N` | text length in characters |
//! | `pattern = "regex"` | the text matches the regular expression |
//! | `format = "url"` | `url`, `email`, `phone`, `ip`, `datetime` or `card_number` (digits with a Luhn check digit) |
//! | `min_items = N`, `max_items = N` | list length |
//! | `nested` | a `Vec<T>` sent as `name[0][...]`, `name[1][...]`, … |
//! | `repeated` | a `Vec<T>` sent as repeated `name` elements |
//! | `extra` | a `Params` field holding every other parameter |
//!
//! A field's type decides its shape: `Option<T>` is optional, `Vec<T>` (or
//! `Option<Vec<T>>`) is a list of messages and needs `nested` or `repeated`,
//! anything else is a required value travelling as text (`ToWire`/`FromWire`).
//!
//! On a `WireEnum` variant: `rename = "ru"` (default: the variant's name), or
//! `other` on the one tuple variant `Unknown(String)` that keeps unknown values.
//!
//! Mistakes are compile errors at the attribute or literal at fault, all
//! reported at once.
#![deny(missing_docs)]

mod ast;
mod attr;
mod expand;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `Validate`: checks every field's rules, recording each broken
/// rule under the field's wire name (nested items as `name[0][field]`).
///
/// `Option` fields are checked when present; `nested` and `repeated` items
/// are validated with their own `Validate` impl; an `extra` field's names
/// must not repeat a typed field.
#[proc_macro_derive(Validate, attributes(freedompay))]
pub fn derive_validate(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::validate::derive(&input).into()
}

/// Derives `Encode`: writes the fields, in declaration order, into a
/// parameter tree under their wire names. `None` fields are left out.
#[proc_macro_derive(Encode, attributes(freedompay))]
pub fn derive_encode(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::encode::derive(&input).into()
}

/// Derives `Decode`: reads the fields from a parameter tree by wire name,
/// naming a missing or invalid field by its wire path in the error.
#[proc_macro_derive(Decode, attributes(freedompay))]
pub fn derive_decode(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::decode::derive(&input).into()
}

/// Derives `Sign` from the struct's `#[freedompay(script = "...")]`. The
/// struct must also implement `Encode`.
#[proc_macro_derive(Sign, attributes(freedompay))]
pub fn derive_sign(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::sign::derive(&input).into()
}

/// Derives the inherent API that builds a message: `new` from the required
/// fields, a chained setter per optional field and list (named like the
/// field), and `with_extra` when there is an `extra` field.
///
/// Required fields are those neither `Option`, nor a list, nor `extra`; `new`
/// takes them in declaration order, `String` ones as `impl Into<String>`. With
/// `#[freedompay(required = MessageRequired)]` on the struct, `new` takes one
/// `MessageRequired` instead: a struct, written next to the message, with a
/// public field of the same name and type for each required field (named
/// fields read better than a long list of arguments). A message without
/// required fields also gets `Default`.
#[proc_macro_derive(Builder, attributes(freedompay))]
pub fn derive_builder(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::builder::derive(&input).into()
}

/// Derives, for an enum of unit variants, `ToWire`, `FromWire`, `Display`,
/// `FromStr`, an inherent `as_str` and the list of wire values `VALUES`.
#[proc_macro_derive(WireEnum, attributes(freedompay))]
pub fn derive_wire_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::wire_enum::derive(&input).into()
}
