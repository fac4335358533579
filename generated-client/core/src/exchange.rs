//! Building signed requests and reading signed responses, with no I/O.
//!
//! A transport (the `freedompay` client's reqwest layer, a test, another HTTP
//! stack) calls [`prepare`] to get the exact form to send and
//! [`read_response`] to turn the gateway's XML into a verified, typed value.

use std::fmt;
use std::ops::Deref;

use crate::form;
use crate::message::{Decode, DecodeError, Endpoint, HttpMethod, ValidationErrors};
use crate::params::Params;
use crate::redact::{CardNumbersMasked, hide_params};
use crate::signature::{self, SecretKey, SignatureError};
use crate::xml::{self, XmlError};

/// A request ready to send: validated, signed, encoded. Its `Debug` masks
/// card numbers in the parameters and the body, and hides the request's
/// sensitive fields ([`crate::redact`]).
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path, parameters filled in (`/init_payment.php`).
    pub path: String,
    /// The script name the request was signed with.
    pub script: &'static str,
    /// The signed parameters in the order they are sent.
    pub params: Params,
    /// The `application/x-www-form-urlencoded` body (or query string for `GET`).
    pub body: String,
    /// Whether the parameters are sent as `multipart/form-data` parts
    /// ([`Endpoint::MULTIPART`]), one per
    /// pair of `body`, instead of `body` itself.
    pub multipart: bool,
    /// The wire names `Debug` hides ([`Endpoint::SENSITIVE`]).
    pub sensitive: &'static [&'static str],
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = hide_params(&self.params, self.sensitive);
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("script", &self.script)
            .field("params", &CardNumbersMasked(&shown))
            .field("body", &CardNumbersMasked(&form::encode(&shown)))
            .field("multipart", &self.multipart)
            .finish()
    }
}

impl PreparedRequest {
    /// The signature that was attached.
    pub fn signature(&self) -> &str {
        self.params.get_text(signature::SIG).unwrap_or_default()
    }

    /// The salt that was attached.
    pub fn salt(&self) -> &str {
        self.params.get_text(signature::SALT).unwrap_or_default()
    }

    /// The order id (`pg_order_id`), if the request names one: what to look a
    /// payment up by when the outcome of sending it is unknown.
    pub fn order_id(&self) -> Option<&str> {
        self.params
            .get_text("pg_order_id")
            .filter(|id| !id.is_empty())
    }

    /// The idempotency key the request carries ([`Endpoint::IDEMPOTENCY_KEY`]),
    /// if `E` has one and it is not empty: what makes resending it safe.
    pub fn idempotency_key<E: Endpoint>(&self) -> Option<&str> {
        E::IDEMPOTENCY_KEY
            .and_then(|name| self.params.get_text(name))
            .filter(|key| !key.is_empty())
    }
}

/// Validates, signs (with a fresh salt from the CSPRNG) and encodes a request.
pub fn prepare<E: Endpoint>(
    request: &E,
    merchant_id: &str,
    secret: &SecretKey,
) -> Result<PreparedRequest, ValidationErrors> {
    prepare_with_salt(request, merchant_id, secret, &signature::generate_salt())
}

/// [`prepare`] with a given salt, for reproducible examples and tests.
pub fn prepare_with_salt<E: Endpoint>(
    request: &E,
    merchant_id: &str,
    secret: &SecretKey,
    salt: &str,
) -> Result<PreparedRequest, ValidationErrors> {
    build(request, merchant_id, secret, salt, None)
}

/// [`prepare_with_salt`] that also sets the endpoint's idempotency key
/// ([`Endpoint::IDEMPOTENCY_KEY`]) to `key`, unless the request already carries
/// a non-empty one. An endpoint without the field is signed as it is.
///
/// The key is part of the signed body, so the [`PreparedRequest`] can be sent
/// again byte for byte: the gateway answers a repeat with the first outcome.
pub fn prepare_idempotent<E: Endpoint>(
    request: &E,
    merchant_id: &str,
    secret: &SecretKey,
    salt: &str,
    key: &str,
) -> Result<PreparedRequest, ValidationErrors> {
    build(request, merchant_id, secret, salt, Some(key))
}

fn build<E: Endpoint>(
    request: &E,
    merchant_id: &str,
    secret: &SecretKey,
    salt: &str,
    idempotency_key: Option<&str>,
) -> Result<PreparedRequest, ValidationErrors> {
    request.validate()?;
    let mut params = request.unsigned_params(Some(merchant_id));
    if let (Some(name), Some(key)) = (E::IDEMPOTENCY_KEY, idempotency_key)
        && params.get_text(name).is_none_or(str::is_empty)
    {
        params.set(name, key);
    }
    signature::seal(E::SCRIPT, &mut params, secret, salt);
    Ok(PreparedRequest {
        method: E::METHOD,
        path: request.path(merchant_id),
        script: E::SCRIPT,
        body: form::encode(&params),
        params,
        multipart: E::MULTIPART,
        sensitive: E::SENSITIVE,
    })
}

/// Validates and signs a browser-redirect request (with a fresh salt) and
/// returns the URL the payer's browser opens: `base` + path + `?` + the signed
/// query (only the request's own parameters for an unsigned redirect,
/// [`Redirect::SIGNED`](crate::message::Redirect::SIGNED)).
pub fn redirect_url<R: crate::message::Redirect>(
    request: &R,
    base: &str,
    merchant_id: &str,
    secret: &SecretKey,
) -> Result<String, ValidationErrors> {
    redirect_url_with_salt(
        request,
        base,
        merchant_id,
        secret,
        &signature::generate_salt(),
    )
}

/// [`redirect_url`] with a given salt, for reproducible examples and tests.
pub fn redirect_url_with_salt<R: crate::message::Redirect>(
    request: &R,
    base: &str,
    merchant_id: &str,
    secret: &SecretKey,
    salt: &str,
) -> Result<String, ValidationErrors> {
    request.validate()?;
    let params = if R::SIGNED {
        request.signed_params(Some(merchant_id), secret, salt)
    } else {
        request.unsigned_params(None)
    };
    Ok(format!(
        "{}{}?{}",
        base.trim_end_matches('/'),
        request.path(merchant_id),
        form::encode(&params)
    ))
}

/// A verified response: the typed data, plus the message exactly as received.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    data: T,
    params: Params,
    raw: String,
    signed: bool,
}

impl<T> Response<T> {
    /// The typed data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The typed data, by value.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Every parameter as received, known or not, in document order.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The response body as received, for debugging.
    pub fn raw_xml(&self) -> &str {
        &self.raw
    }

    /// Whether the answer carried a `pg_sig` (which then matched). Only an
    /// endpoint whose answer the documentation shows unsigned, read with
    /// [`AnswerSignature::Optional`], can give `false`.
    pub fn is_signed(&self) -> bool {
        self.signed
    }
}

/// Whether a successful answer must carry `pg_sig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AnswerSignature {
    /// An answer without `pg_sig` is refused ([`ResponseError::Unsigned`]).
    #[default]
    Required,
    /// An answer without `pg_sig` is accepted; one that carries it must
    /// still match (a forged or altered answer is refused).
    Optional,
}

impl AnswerSignature {
    /// What the documentation shows for the answers of endpoint `E`:
    /// [`Optional`](Self::Optional) for those documented without `pg_salt` and
    /// `pg_sig` ([`Endpoint::SIGNED_ANSWER`] is `false`), otherwise
    /// [`Required`](Self::Required).
    pub fn documented<E: Endpoint>() -> Self {
        if E::SIGNED_ANSWER {
            AnswerSignature::Required
        } else {
            AnswerSignature::Optional
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

/// An error the gateway reported with `pg_status=error`. Its `Debug` masks
/// any card number among the parameters.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("the gateway answered error {code}: {description}")]
pub struct GatewayError {
    /// `pg_error_code` (0 when the gateway sent none or a non-numeric one).
    pub code: i64,
    /// `pg_error_description`.
    pub description: String,
    /// Whether the error message carried a valid signature. An unsigned error
    /// means the gateway could not identify the merchant (documented as 9998,
    /// and as 101 on one site), whatever its code.
    pub signed: bool,
    /// Every parameter of the error answer as received (without `pg_sig`),
    /// verified when `signed`: what the gateway says besides the code, such
    /// as the `pg_payment_id` of a payment it created and then declined.
    pub params: Params,
}

impl fmt::Debug for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayError")
            .field("code", &self.code)
            .field("description", &self.description)
            .field("signed", &self.signed)
            .field("params", &CardNumbersMasked(&self.params))
            .finish()
    }
}

impl GatewayError {
    /// The `pg_payment_id` the error answer names, if any: a declined
    /// payment the gateway created, to look up or report later.
    pub fn payment_id(&self) -> Option<i64> {
        self.params
            .get_text("pg_payment_id")
            .and_then(|id| id.trim().parse().ok())
    }

    /// Whether this is the unsigned "merchant not identified" answer.
    pub fn merchant_not_identified(&self) -> bool {
        !self.signed
    }
}

/// Why a response was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The body is not well-formed XML.
    #[error("malformed response: {0}")]
    Malformed(#[from] XmlError),
    /// A successful response without `pg_sig`.
    #[error("the response is not signed (no pg_sig); it was not accepted")]
    Unsigned,
    /// `pg_sig` does not match the message: it was altered or signed with another key.
    #[error("the response signature does not match; it was not accepted")]
    BadSignature,
    /// The gateway reported an error.
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// The response verified but lacks a field or has an invalid value. The
    /// verified parameters and the body are kept: the gateway may already have
    /// created the payment whose `pg_payment_id` they hold.
    #[error("unexpected response content: {error}")]
    Decode {
        /// What could not be decoded.
        error: DecodeError,
        /// Every parameter as received (and verified), in document order.
        params: Params,
        /// The response body as received.
        raw: String,
    },
}

impl ResponseError {
    /// The parameters of an answer that verified but did not decode.
    pub fn params(&self) -> Option<&Params> {
        match self {
            ResponseError::Decode { params, .. } => Some(params),
            _ => None,
        }
    }

    /// The body of an answer that verified but did not decode.
    pub fn raw_xml(&self) -> Option<&str> {
        match self {
            ResponseError::Decode { raw, .. } => Some(raw),
            _ => None,
        }
    }

    /// Why an answer that verified did not decode.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match self {
            ResponseError::Decode { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Parses, verifies and decodes a gateway response to a request signed with `script`.
///
/// The signature is checked over the message exactly as received (every
/// element, known or not). `pg_status=error` becomes [`ResponseError::Gateway`];
/// such an error may be unsigned (the merchant was not identified). Every
/// successful answer must be signed; see [`read_response_with`].
pub fn read_response<T: Decode>(
    script: &str,
    secret: &SecretKey,
    body: &str,
) -> Result<Response<T>, ResponseError> {
    read_response_with(script, secret, body, AnswerSignature::Required)
}

/// [`read_response`], with `signature` saying whether a successful answer
/// without `pg_sig` is accepted. A `pg_sig` that is present is always checked.
pub fn read_response_with<T: Decode>(
    script: &str,
    secret: &SecretKey,
    body: &str,
    signature: AnswerSignature,
) -> Result<Response<T>, ResponseError> {
    let message = xml::parse(body)?;
    let params = message.params;
    let verified = signature::verify(script, &params, secret);
    if params.get_text("pg_status").map(str::trim) == Some("error") {
        let signed = match verified {
            Ok(()) => true,
            Err(SignatureError::Missing) => false,
            Err(SignatureError::Mismatch) => return Err(ResponseError::BadSignature),
        };
        return Err(ResponseError::Gateway(GatewayError {
            code: params
                .get_text("pg_error_code")
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(0),
            description: params
                .get_text("pg_error_description")
                .unwrap_or_default()
                .to_owned(),
            signed,
            params: {
                let mut params = params;
                params.remove(signature::SIG);
                params
            },
        }));
    }
    let signed = match (verified, signature) {
        (Ok(()), _) => true,
        (Err(SignatureError::Missing), AnswerSignature::Optional) => false,
        (Err(SignatureError::Missing), AnswerSignature::Required) => {
            return Err(ResponseError::Unsigned);
        }
        (Err(SignatureError::Mismatch), _) => return Err(ResponseError::BadSignature),
    };
    let data = match T::decode(&params) {
        Ok(data) => data,
        Err(error) => {
            return Err(ResponseError::Decode {
                error,
                params,
                raw: body.to_owned(),
            });
        }
    };
    Ok(Response {
        data,
        params,
        raw: body.to_owned(),
        signed,
    })
}
