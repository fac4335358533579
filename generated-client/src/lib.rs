//! Typed, validated, signed client for the Freedom Pay payment gateway.
#![deny(missing_docs)]

// Lets derived code name this crate as `::freedompay` from inside it too.
extern crate self as freedompay;

pub use freedompay_core::{
    Amount, AmountError, Callback, Decimal, Decode, DecodeError, Encode, Endpoint, FromWire,
    HttpMethod, Params, Replied, Rule, SecretKey, Sign, ToWire, Validate, ValidationError,
    ValidationErrors, Value, callback, exchange, form, signature, xml,
};
pub use freedompay_macros::{Decode, Encode, Sign, Validate, WireEnum};

#[doc(hidden)]
pub use freedompay_core::__private;
