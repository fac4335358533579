//! The traits every message type implements, and their errors.
//!
//! The derive macros of `freedompay-macros` implement these from field
//! attributes; the generated API types use them, and so can a hand-written
//! type for an endpoint not yet in the spec.

use std::fmt;

use crate::params::{Params, Value};
use crate::signature::{self, SecretKey};

/// Joins a parent path and a child name the way the gateway writes nested
/// names: `pg_receipt_positions[0][price]`.
pub fn child_path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}[{name}]")
    }
}

/// Which rule a value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// Below `min`.
    Min,
    /// Above `max`.
    Max,
    /// Shorter than `min_length`.
    MinLength,
    /// Longer than `max_length`.
    MaxLength,
    /// Does not match `pattern`.
    Pattern,
    /// Not a valid URL, e-mail, phone, IP address or date-time.
    Format,
    /// Fewer list items than `min_items`.
    MinItems,
    /// More list items than `max_items`.
    MaxItems,
    /// An extra parameter clashes with a typed field or has an unusable name.
    ExtraName,
}

impl Rule {
    /// The rule's name as written in the spec and in field attributes.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Min => "min",
            Rule::Max => "max",
            Rule::MinLength => "min_length",
            Rule::MaxLength => "max_length",
            Rule::Pattern => "pattern",
            Rule::Format => "format",
            Rule::MinItems => "min_items",
            Rule::MaxItems => "max_items",
            Rule::ExtraName => "extra",
        }
    }
}

/// One broken rule: which field (its wire name), which rule, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The field's wire name, nested names in bracket notation.
    pub field: String,
    /// The rule it broke.
    pub rule: Rule,
    /// What the rule demands and what was found (never the secret key).
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.message, self.rule.name())
    }
}

/// Every broken rule of a message, collected in one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    /// Records a broken rule.
    pub fn push(&mut self, field: impl Into<String>, rule: Rule, message: impl Into<String>) {
        self.0.push(ValidationError {
            field: field.into(),
            rule,
            message: message.into(),
        });
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The recorded errors.
    pub fn iter(&self) -> impl Iterator<Item = &ValidationError> {
        self.0.iter()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid request: ")?;
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// A message whose values can be checked against its rules before anything is sent.
pub trait Validate {
    /// Records every broken rule under `path` (empty at the top level).
    fn validate_at(&self, path: &str, errors: &mut ValidationErrors);

    /// Checks every rule, returning all broken ones at once.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.validate_at("", &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A message that writes itself, in field order, into a parameter tree.
pub trait Encode {
    /// How many top-level parameters the message writes when every field is
    /// set (a list written as repeated parameters counts once): the room
    /// made for them up front.
    const FIELDS: usize = 0;

    /// Appends this message's parameters to `out`.
    fn encode(&self, out: &mut Params);

    /// This message's parameters.
    fn to_params(&self) -> Params {
        let mut params = Params::with_capacity(Self::FIELDS);
        self.encode(&mut params);
        params
    }
}

/// How a received message failed to become its typed struct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A required field is absent.
    #[error("required field {field} is missing")]
    Missing {
        /// The field's wire name.
        field: String,
    },
    /// A field is present but its value is not of the expected type.
    #[error("field {field} is invalid: {reason}")]
    Invalid {
        /// The field's wire name.
        field: String,
        /// What was expected.
        reason: String,
    },
}

/// A message that can be read from a parameter tree (an XML response, a callback form).
pub trait Decode: Sized {
    /// Reads the message from `params`, naming fields under `path`.
    fn decode_at(params: &Params, path: &str) -> Result<Self, DecodeError>;

    /// Reads the message from a top-level parameter tree.
    fn decode(params: &Params) -> Result<Self, DecodeError> {
        Self::decode_at(params, "")
    }
}

/// A message without a typed shape: every parameter as received.
impl Decode for Params {
    fn decode_at(params: &Params, _path: &str) -> Result<Self, DecodeError> {
        Ok(params.clone())
    }
}

/// One item of a list field, as it travels: an object (a [`Value::Nested`] of
/// its own fields) or, for a list of text values, one text.
///
/// Every [`Decode`] type is an object item; `String` is a text item. The
/// derives call this for each item of a `Vec` field.
pub trait DecodeItem: Sized {
    /// Decodes one item found at `path`.
    fn decode_item(value: &Value, path: &str) -> Result<Self, DecodeError>;
}

impl<T: Decode> DecodeItem for T {
    fn decode_item(value: &Value, path: &str) -> Result<Self, DecodeError> {
        match value {
            Value::Nested(children) => T::decode_at(children, path),
            // An empty element is an item with no fields.
            Value::Text(text) if text.trim().is_empty() => T::decode_at(&Params::new(), path),
            Value::Text(_) => Err(DecodeError::Invalid {
                field: path.to_owned(),
                reason: "expected nested parameters, found a text value".to_owned(),
            }),
        }
    }
}

impl DecodeItem for String {
    fn decode_item(value: &Value, path: &str) -> Result<Self, DecodeError> {
        match value {
            Value::Text(text) => Ok(text.clone()),
            Value::Nested(_) => Err(DecodeError::Invalid {
                field: path.to_owned(),
                reason: "expected a text value, found nested parameters".to_owned(),
            }),
        }
    }
}

/// One item of a list field, written as it travels (see [`DecodeItem`]).
pub trait EncodeItem {
    /// The item's value.
    fn encode_item(&self) -> Value;
}

impl<T: Encode> EncodeItem for T {
    fn encode_item(&self) -> Value {
        Value::Nested(self.to_params())
    }
}

impl EncodeItem for String {
    fn encode_item(&self) -> Value {
        Value::Text(self.clone())
    }
}

/// One item of a list field, checked against its rules (see [`DecodeItem`]).
pub trait ValidateItem {
    /// Records every broken rule of the item under `path`.
    fn validate_item(&self, path: &str, errors: &mut ValidationErrors);
}

impl<T: Validate> ValidateItem for T {
    fn validate_item(&self, path: &str, errors: &mut ValidationErrors) {
        self.validate_at(path, errors);
    }
}

/// A text item has no rules of its own.
impl ValidateItem for String {
    fn validate_item(&self, _path: &str, _errors: &mut ValidationErrors) {}
}

/// A message signed with a script name: requests we send and replies we give.
pub trait Sign: Encode {
    /// The script name that starts the string to sign.
    const SCRIPT: &'static str;

    /// The signed parameters: `pg_merchant_id` first (when given), the
    /// message's own parameters in order, then `pg_salt` and `pg_sig`.
    fn signed_params(&self, merchant_id: Option<&str>, secret: &SecretKey, salt: &str) -> Params {
        let mut params = self.unsigned_params(merchant_id);
        signature::seal(Self::SCRIPT, &mut params, secret, salt);
        params
    }

    /// The parameters before signing: `pg_merchant_id` first (when given),
    /// then the message's own parameters in order.
    fn unsigned_params(&self, merchant_id: Option<&str>) -> Params {
        // Room for the merchant id, the fields, and the salt and signature
        // that signing appends.
        let mut params = Params::with_capacity(Self::FIELDS + 3);
        if let Some(merchant_id) = merchant_id {
            params.push("pg_merchant_id", merchant_id);
        }
        self.encode(&mut params);
        params
    }
}

/// The HTTP method an endpoint is called with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET` with the parameters in the query string.
    Get,
    /// `POST` with the parameters in a form body.
    Post,
}

/// What a request does to the gateway's state (the spec's `effect`): it decides
/// whether a request that met a transient failure may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Reads only (a status, a balance, a list): sending it twice is harmless.
    Read,
    /// Creates or changes something (a payment, a refund, a payout, a saved card):
    /// sent again only when it carries an idempotency key.
    Write,
}

/// An endpoint we call: its request type knows where it goes and what comes back.
pub trait Endpoint: Sign + Validate {
    /// The typed response.
    type Response: Decode;
    /// The endpoint's id in the spec.
    const ID: &'static str;
    /// The HTTP method.
    const METHOD: HttpMethod;
    /// The path template, e.g. `/v1/merchant/{merchant_id}/cardstorage/add`.
    const PATH: &'static str;
    /// Whether the endpoint is signed with the payout key when one is configured.
    const PAYOUT: bool = false;
    /// Whether the documentation shows the endpoint's answers signed; `false`
    /// where it shows them without `pg_salt` and `pg_sig` (the spec marks
    /// the response `signed: false`), so an unsigned answer is accepted
    /// (a `pg_sig` that is present is still verified).
    const SIGNED_ANSWER: bool = true;
    /// What the request does to the gateway's state.
    const EFFECT: Effect = Effect::Write;
    /// The wire name of the request's idempotency key (`pg_idempotency_key`),
    /// where the endpoint has one: the gateway answers a request that repeats
    /// a key with the outcome of the first, so such a request is safe to resend.
    const IDEMPOTENCY_KEY: Option<&'static str> = None;
    /// Whether the documentation sends the parameters as `multipart/form-data`
    /// parts (the Gateway API's pages) rather than an
    /// `application/x-www-form-urlencoded` body; they are signed the same way.
    const MULTIPART: bool = false;
    /// The wire names of the request's card data and other sensitive text
    /// (at any depth), which a prepared request's `Debug` shows as `***`.
    const SENSITIVE: &'static [&'static str] = &[];

    /// The path with its parameters filled in.
    fn path(&self, merchant_id: &str) -> String {
        Self::PATH.replace(
            "{merchant_id}",
            &crate::form::encode_path_segment(merchant_id),
        )
    }
}

/// A browser redirect: the merchant signs the parameters into the query of a
/// gateway URL that the payer's browser opens (`payment.php`), or, for an
/// unsigned one (Freedom ID's OpenID Connect authorization), only writes them
/// there.
pub trait Redirect: Sign + Validate {
    /// The endpoint's id in the spec.
    const ID: &'static str;
    /// The path template on the service's host.
    const PATH: &'static str;
    /// The service whose host the browser is sent to.
    const SERVER: crate::hosts::Server = crate::hosts::Server::Api;
    /// Whether the query carries `pg_merchant_id`, `pg_salt` and `pg_sig`.
    const SIGNED: bool = true;

    /// The path with `{merchant_id}` filled in.
    fn path(&self, merchant_id: &str) -> String {
        Self::PATH.replace(
            "{merchant_id}",
            &crate::form::encode_path_segment(merchant_id),
        )
    }
}

/// A callback the gateway sends to the merchant.
pub trait Callback: Decode + Validate {
    /// The callback's id in the spec.
    const ID: &'static str;
}

/// A callback the merchant answers with a signed XML reply.
pub trait Replied: Callback {
    /// The reply type.
    type Reply: Encode + Validate;
}
