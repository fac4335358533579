//! ATM cash by code (`api/cbc/check`): the merchant asks for an amount to be
//! taken out in cash by a user, who gets a code by SMS for the ATM.
//!
//! The documentation gives the fields and one amount rule; the sandbox's
//! rules are:
//! - `pg_phone` and `pg_amount` are needed (200 without them; the spec marks
//!   them optional only because the page lost its flags);
//! - the phone is the number without the country code: 9 or 10 digits,
//!   otherwise 10031 (the phone number is not valid);
//! - up to 4000 the amount must be a multiple of 2000 (the documented rule),
//!   otherwise 11005 (the amount was given incorrectly);
//! - an order id the merchant already used for a cash-by-code operation is
//!   refused with 9991 (the order id has to be unique).
//!
//! An accepted operation is recorded (and kept with `--db`) and answered
//! with its `pg_payment_id`. The report to `pg_post_link` is not sent: its
//! format is not documented, and the cash is never taken out in the sandbox.

use std::sync::Arc;

use freedompay::enums::ResponseStatus;
use freedompay::errors::ErrorCode;
use freedompay::merchant::atm::{AtmCheckRequest, AtmCheckResponse};
use rust_decimal::Decimal;

use super::{invalid, now};
use crate::store::{AtmOperation, Failure};
use crate::{App, Merchant};

/// Amounts up to this must be a multiple of [`AMOUNT_STEP`].
const SMALL_AMOUNT: Decimal = Decimal::from_parts(4000, 0, 0, false, 0);
/// The step of small amounts (the ATM's note).
const AMOUNT_STEP: Decimal = Decimal::from_parts(2000, 0, 0, false, 0);

pub(super) fn atm_check(
    app: &Arc<App>,
    merchant: &Merchant,
    request: AtmCheckRequest,
) -> Result<AtmCheckResponse, Failure> {
    let phone = request
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| invalid("pg_phone: required (the phone the code is sent to)"))?;
    if !(9..=10).contains(&phone.len()) || !phone.chars().all(|c| c.is_ascii_digit()) {
        return Err(Failure::new(
            ErrorCode::from_code(10031),
            "pg_phone: 9 or 10 digits, without the country code",
        ));
    }
    let amount = request
        .amount
        .ok_or_else(|| invalid("pg_amount: required"))?;
    let value = amount.as_decimal();
    if value <= SMALL_AMOUNT && !(value % AMOUNT_STEP).is_zero() {
        return Err(Failure::new(
            ErrorCode::from_code(11005),
            "pg_amount: up to 4000 the amount must be a multiple of 2000",
        ));
    }
    let operation = app.store.create_atm_operation(AtmOperation {
        id: app.store.next_id(),
        merchant_id: merchant.id.clone(),
        order_id: request.order_id.clone(),
        phone: phone.to_owned(),
        amount,
        post_link: request.post_link.clone(),
        created_at: now(),
    })?;
    tracing::info!(operation = operation.id, merchant = %merchant.id, %amount, "cash-by-code operation created");
    let mut answer = AtmCheckResponse::new()
        .payment_id(operation.id)
        .merchant_id(merchant.number())
        .status(ResponseStatus::Ok);
    if let Some(order_id) = &operation.order_id {
        answer = answer.order_id(order_id.clone());
    }
    Ok(answer)
}
