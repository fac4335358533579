//! What each endpoint does to the sandbox's state, and its answer. Requests
//! arrive here checked (signature, generated validation); answers are built
//! with the generated response types, so they decode in the client exactly
//! as the gateway's do.

use std::sync::Arc;

use freedompay::enums::Currency;
use freedompay::errors::ErrorCode;
use freedompay::registry::EndpointInfo;
use freedompay::{Amount, Params};
use rust_decimal::Decimal;

use crate::store::Failure;
use crate::{App, Merchant};

mod atm;
mod cards;
mod installment;
pub(crate) mod mobile;
mod payments;
mod payout;

pub(crate) use cards::charge_saved_card;
pub(crate) use payments::with_recurring_profile;
pub(crate) use payout::{card_decision, expire_if_due};

/// What an operation answers.
pub enum Outcome {
    /// Parameters of a signed XML answer (salt and signature are added).
    Xml(Params),
    /// A browser redirect.
    Redirect(String),
}

pub(crate) fn invalid(error: impl std::fmt::Display) -> Failure {
    Failure::new(ErrorCode::from_code(200), error.to_string())
}

/// The current time as the gateway writes it.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

pub(crate) fn amount(value: Decimal) -> Amount {
    Amount::new(value.round_dp(2)).unwrap_or_else(|_| Amount::from_minor(0))
}

/// Runs the operation of `endpoint`.
pub fn dispatch(
    app: &Arc<App>,
    merchant: &Merchant,
    endpoint: &EndpointInfo,
    params: &Params,
) -> Result<Outcome, Failure> {
    let id = endpoint.id;
    payments::dispatch(app, merchant, id, params)
        .or_else(|| mobile::dispatch(app, merchant, id, params))
        .or_else(|| payout::dispatch(app, merchant, id, params))
        .or_else(|| cards::dispatch(app, merchant, id, params))
        .or_else(|| installment::dispatch(app, merchant, id, params))
        .or_else(|| atm::dispatch(app, merchant, id, params))
        .unwrap_or_else(|| {
            Err(Failure::new(
                ErrorCode::from_code(9992),
                format!("`{id}` is accepted and checked, but not simulated by the sandbox"),
            ))
        })
}

pub(crate) fn text<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .get_text(name)
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A currency code as the generated open enum (unknown codes are kept).
pub fn currency(text: &str) -> Currency {
    text.parse().unwrap_or(Currency::Unknown(text.to_owned()))
}

/// The masked card number the gateway shows: first six, last four.
pub fn mask(pan: &str) -> String {
    if pan.len() < 10 {
        return "*".repeat(pan.len());
    }
    format!("{}******{}", &pan[..6], &pan[pan.len() - 4..])
}

/// `pg_idempotency_key` with the request's fingerprint: every parameter but
/// the salt and the signature, which change with each sending.
pub(crate) fn idempotency(params: &Params) -> Option<(String, String)> {
    let key = text(params, "pg_idempotency_key")?;
    let mut fingerprint = params.clone();
    fingerprint.remove("pg_salt");
    fingerprint.remove("pg_sig");
    Some((key.to_owned(), freedompay::form::encode(&fingerprint)))
}

/// The merchant's own parameters of a request (names without `pg_`), which
/// the gateway forwards to the check and result callbacks.
pub(crate) fn merchant_params(params: &Params) -> Vec<(String, String)> {
    params
        .iter()
        .filter(|(name, _)| !name.starts_with("pg_"))
        .filter_map(|(name, value)| Some((name.to_owned(), value.as_text()?.to_owned())))
        .collect()
}
