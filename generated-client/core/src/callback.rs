//! Callbacks the gateway sends to the merchant, and the merchant's signed replies.
//!
//! The gateway signs a callback with the script name of the merchant's own URL
//! (`check` for `https://shop.example/freedompay/check`). A callback is
//! verified over the parameters exactly as received, merchant parameters
//! included, and only then decoded and validated; a reply is an XML `<response>` signed with
//! the same script name.

use std::ops::Deref;

use crate::message::{Callback, DecodeError, Encode, Validate, ValidationErrors};
use crate::params::Params;
use crate::signature::{self, SecretKey, SignatureError};
use crate::{form, xml};

/// Why a callback was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// No or wrong `pg_sig`: the callback is forged, altered, or for another key or URL.
    #[error("callback rejected: {0}")]
    Signature(#[from] SignatureError),
    /// Signed, but a field is missing or not of its type.
    #[error("callback rejected: {0}")]
    Decode(#[from] DecodeError),
    /// Signed and decoded, but a value breaks a rule of the spec (out of
    /// range, too long, not a date): every broken rule, named by field.
    #[error("callback rejected: {0}")]
    Invalid(#[from] ValidationErrors),
    /// The body is not well-formed XML (for `pg_request_method=XML`).
    #[error("callback rejected: {0}")]
    Malformed(#[from] xml::XmlError),
}

/// A verified callback: the typed data and the parameters as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified<T> {
    data: T,
    params: Params,
}

impl<T> Verified<T> {
    /// The typed data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The typed data, by value.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Every parameter as received, merchant parameters included.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The callback's `pg_salt`.
    pub fn salt(&self) -> &str {
        self.params.get_text(signature::SALT).unwrap_or_default()
    }
}

impl<T> Deref for Verified<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

/// Verifies, decodes and validates a callback already parsed into parameters.
///
/// The signature is checked first: an unsigned or forged callback is
/// [`CallbackError::Signature`] whatever its content. A genuine one that
/// lacks a field or holds a value of the wrong type is
/// [`CallbackError::Decode`]; one whose values break the spec's rules is
/// [`CallbackError::Invalid`], as the axum extractor refuses it too.
pub fn verify<C: Callback>(
    script: &str,
    secret: &SecretKey,
    params: Params,
) -> Result<Verified<C>, CallbackError> {
    signature::verify(script, &params, secret)?;
    let data = C::decode(&params)?;
    data.validate()?;
    Ok(Verified { data, params })
}

/// Verifies, decodes and validates a form-encoded callback (a POST body or a GET query string).
pub fn verify_form<C: Callback>(
    script: &str,
    secret: &SecretKey,
    body: &str,
) -> Result<Verified<C>, CallbackError> {
    verify(script, secret, form::decode(body))
}

/// Verifies, decodes and validates an XML callback (`pg_request_method=XML`; the document
/// travels in the `pg_xml` form field or as the body).
pub fn verify_xml<C: Callback>(
    script: &str,
    secret: &SecretKey,
    document: &str,
) -> Result<Verified<C>, CallbackError> {
    let message = xml::parse(document)?;
    verify(script, secret, message.params)
}

/// Signs a reply as an XML `<response>` for the merchant URL whose script name is `script`.
///
/// With `salt = None` a fresh salt is drawn from the CSPRNG; pass the
/// callback's own salt to answer with it, as some integrations do.
pub fn sign_reply<R: Encode + Validate>(
    script: &str,
    secret: &SecretKey,
    reply: &R,
    salt: Option<&str>,
) -> Result<String, ValidationErrors> {
    reply.validate()?;
    let mut params = reply.to_params();
    let salt = salt.map_or_else(signature::generate_salt, str::to_owned);
    signature::seal(script, &mut params, secret, &salt);
    Ok(xml::write("response", &params))
}
