//! Payments through the page: creation (init_payment, g2g/payment_page,
//! mobile init, payment.php), status, cancel, clearing and refunds.

use std::str::FromStr;
use std::sync::Arc;

use freedompay::enums::ResponseStatus;
use freedompay::errors::ErrorCode;
use freedompay::merchant::mobile_balance::MobileBalanceInitResponse;
use freedompay::merchant::page::{AnyAmountResponse, InitPaymentResponse, PaymentPageResponse};
use freedompay::merchant::payments::{
    CancelRequest, CancelResponse, ClearingRequest, ClearingResponse, PaymentStatusRequest,
    PaymentStatusResponse, RefundPayment, RefundRequest, RefundResponse,
};
use freedompay::test_data::{Availability, TEST_CARDS, TestCard};
use freedompay::{Amount, Decode, Encode, Params};
use rust_decimal::Decimal;

use super::{Outcome, amount, currency, idempotency, invalid, mask, now, text};
use crate::store::{AmountRange, Failure, Method, Payment, PaymentState, Refund, Urls};
use crate::{App, Merchant};

/// Runs `id` when it is an endpoint of this group.
pub(super) fn dispatch(
    app: &Arc<App>,
    merchant: &Merchant,
    id: &str,
    params: &Params,
) -> Option<Result<Outcome, Failure>> {
    Some(match id {
        "init_payment"
        | "payment_page"
        | "mobile_balance_init"
        | "payment_redirect"
        | "any_amount" => create_payment(app, merchant, id, params),
        "payments_status" | "mobile_balance_status" => status(app, merchant, params),
        "payments_cancel" => cancel(app, merchant, params),
        "payments_clearing" => clearing(app, merchant, params),
        "payments_refund" => refund(app, merchant, params),
        _ => return None,
    })
}

fn create_payment(
    app: &Arc<App>,
    merchant: &Merchant,
    endpoint: &str,
    params: &Params,
) -> Result<Outcome, Failure> {
    // With any_amount the payer chooses the amount on the page; a `pg_amount`
    // sent anyway is offered there as the suggestion.
    let any_amount = endpoint == "any_amount";
    let amount = match text(params, "pg_amount") {
        Some(text) => Amount::from_str(text).map_err(|e| invalid(format!("pg_amount: {e}")))?,
        None if any_amount => Amount::from_minor(0),
        None => return Err(invalid("pg_amount: required")),
    };
    let description = match text(params, "pg_description") {
        Some(text) => text.to_owned(),
        None if any_amount => String::new(),
        None => return Err(invalid("pg_description: required")),
    };
    let amount_range = if any_amount {
        Some(amount_range(params)?)
    } else {
        None
    };
    let id = app.store.next_id();
    let mobile = text(params, "pg_payment_method") == Some("mobile_commerce");
    let payment = Payment {
        id,
        merchant_id: merchant.id.clone(),
        order_id: text(params, "pg_order_id").map_or_else(|| id.to_string(), str::to_owned),
        amount,
        amount_range,
        currency: text(params, "pg_currency").unwrap_or("KZT").to_owned(),
        description,
        method: if mobile {
            Method::MobileBalance
        } else {
            Method::Card
        },
        auto_clearing: text(params, "pg_auto_clearing") != Some("0"),
        testing: text(params, "pg_testing_mode") == Some("1"),
        state: PaymentState::New,
        captured: Amount::from_minor(0),
        refunds: Vec::new(),
        urls: Urls {
            check: text(params, "pg_check_url").map(str::to_owned),
            result: text(params, "pg_result_url").map(str::to_owned),
            success: text(params, "pg_success_url").map(str::to_owned),
            failure: text(params, "pg_failure_url").map(str::to_owned),
            request_method: text(params, "pg_request_method").map(str::to_owned),
            success_method: text(params, "pg_success_url_method").map(str::to_owned),
            failure_method: text(params, "pg_failure_url_method").map(str::to_owned),
        },
        merchant_params: params
            .iter()
            .filter(|(name, _)| !name.starts_with("pg_"))
            .filter_map(|(name, value)| Some((name.to_owned(), value.as_text()?.to_owned())))
            .collect(),
        phone: text(params, "pg_user_phone").map(str::to_owned),
        card_pan: None,
        created_at: now(),
        paid_at: None,
    };
    let payment = app.store.create_payment(payment, idempotency(params))?;
    tracing::info!(payment_id = payment.id, merchant = %merchant.id, amount = %payment.amount, "payment created");
    let page = format!("{}/sandbox/pay/{}", app.base_url, payment.id);
    let answer = match endpoint {
        "payment_redirect" => return Ok(Outcome::Redirect(page)),
        "payment_page" => {
            PaymentPageResponse::new(payment.id, ResponseStatus::Ok, page, "need data").to_params()
        }
        "mobile_balance_init" => {
            MobileBalanceInitResponse::new(ResponseStatus::Ok, payment.id, page, "need data")
                .to_params()
        }
        "any_amount" => {
            AnyAmountResponse::new(ResponseStatus::Ok, payment.id, page, "need data").to_params()
        }
        _ => {
            InitPaymentResponse::new(ResponseStatus::Ok, payment.id, page, "need data").to_params()
        }
    };
    Ok(Outcome::Xml(answer))
}

/// The bounds of an any-amount payment: `pg_amount_interval_from` (0.01 when
/// not given) to `pg_amount_interval_to` (open when not given).
fn amount_range(params: &Params) -> Result<AmountRange, Failure> {
    let bound = |name: &str| {
        text(params, name)
            .map(|t| {
                t.parse::<Decimal>()
                    .map_err(|e| invalid(format!("{name}: {e}")))
            })
            .transpose()
    };
    let from = bound("pg_amount_interval_from")?.unwrap_or(Decimal::new(1, 2));
    let to = bound("pg_amount_interval_to")?;
    if from <= Decimal::ZERO {
        return Err(invalid("pg_amount_interval_from: must be more than 0"));
    }
    if to.is_some_and(|to| to < from) {
        return Err(invalid(
            "pg_amount_interval_to: must not be less than pg_amount_interval_from",
        ));
    }
    Ok(AmountRange { from, to })
}

fn status(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = PaymentStatusRequest::decode(params).map_err(invalid)?;
    let payment = app
        .store
        .payment(&merchant.id, request.payment_id)
        .ok_or_else(|| Failure::new(ErrorCode::from_code(11068), "payment not found"))?;
    let refunded = payment.refunded();
    let mut answer = PaymentStatusResponse::new(
        ResponseStatus::Ok,
        payment.id,
        payment.order_id.clone(),
        currency(&payment.currency),
        payment.amount,
    )
    .payment_status(payment.state.wire().parse().unwrap_or_else(|_| {
        freedompay::enums::PaymentState::Unknown(payment.state.wire().to_owned())
    }))
    .captured(payment.captured.as_decimal() > Decimal::ZERO)
    .clearing_amount(payment.captured)
    .can_reject(matches!(
        payment.state,
        PaymentState::Paid | PaymentState::Held
    ))
    .create_date(payment.created_at.clone());
    if let Some(paid_at) = &payment.paid_at {
        answer = answer.payment_date(paid_at.clone());
    }
    if let Some(pan) = &payment.card_pan {
        answer = answer.card_pan(pan.clone());
    }
    if let PaymentState::Failed { code, description } = &payment.state {
        answer = answer
            .failure_code(*code)
            .failure_description(description.clone());
    }
    if !payment.refunds.is_empty() {
        answer = answer.refund_amount(-refunded).refund_payments(
            payment
                .refunds
                .iter()
                .map(|r| {
                    RefundPayment::new()
                        .payment_id(r.id)
                        .payment_status(freedompay::enums::PaymentState::Success)
                        .amount(-r.amount.as_decimal())
                })
                .collect(),
        );
    }
    Ok(Outcome::Xml(answer.to_params()))
}

fn cancel(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = CancelRequest::decode(params).map_err(invalid)?;
    let (payment, ()) = app
        .store
        .update_payment(Some(&merchant.id), request.payment_id, |p| match &p.state {
            PaymentState::Held => {
                card_allows(p, |c| c.reverse, ErrorCode::from_code(10012), "reversal")?;
                p.state = PaymentState::Cancelled;
                Ok(())
            }
            PaymentState::Cancelled => Err(Failure::new(
                ErrorCode::from_code(10033),
                "the payment is already cancelled",
            )),
            PaymentState::Paid => Err(Failure::new(
                ErrorCode::from_code(10012),
                "a cleared payment cannot be cancelled; refund it instead",
            )),
            _ => Err(Failure::new(
                ErrorCode::from_code(9013),
                "only a successful, held payment can be cancelled",
            )),
        })?;
    tracing::info!(payment_id = payment.id, "payment cancelled");
    Ok(Outcome::Xml(
        CancelResponse::new(ResponseStatus::Ok)
            .payment_id(payment.id)
            .to_params(),
    ))
}

fn clearing(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = ClearingRequest::decode(params).map_err(invalid)?;
    let (payment, cleared) =
        app.store
            .update_payment(Some(&merchant.id), request.payment_id, |p| match &p.state {
                PaymentState::Held => {
                    card_allows(p, |c| c.clearing, ErrorCode::from_code(10001), "clearing")?;
                    let cleared = request.clearing_amount.unwrap_or(p.amount);
                    if cleared.as_decimal() > p.amount.as_decimal() {
                        return Err(Failure::new(
                            ErrorCode::from_code(11005),
                            format!("the clearing amount exceeds the authorised {}", p.amount),
                        ));
                    }
                    p.captured = cleared;
                    p.state = PaymentState::Paid;
                    Ok(cleared)
                }
                PaymentState::Paid => Err(Failure::new(
                    ErrorCode::from_code(10036),
                    "the payment is already cleared",
                )),
                _ => Err(Failure::new(
                    ErrorCode::from_code(10035),
                    "only a successful, held payment can be cleared",
                )),
            })?;
    tracing::info!(payment_id = payment.id, %cleared, "payment cleared");
    Ok(Outcome::Xml(
        ClearingResponse::new(ResponseStatus::Ok)
            .amount(payment.amount)
            .clearing_amount(cleared)
            .to_params(),
    ))
}

fn refund(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = RefundRequest::decode(params).map_err(invalid)?;
    let refund_id = app.store.next_id();
    let (payment, refunded) =
        app.store
            .update_payment(Some(&merchant.id), request.payment_id, |p| match &p.state {
                PaymentState::Paid => {
                    card_allows(p, |c| c.refund, ErrorCode::from_code(10001), "refund")?;
                    let left = p.captured.as_decimal() - p.refunded();
                    if left <= Decimal::ZERO {
                        return Err(Failure::new(
                            ErrorCode::from_code(10020),
                            "the payment is already refunded in full",
                        ));
                    }
                    let wanted = request.refund_amount.map_or(left, |a| a.as_decimal());
                    if wanted > left {
                        return Err(Failure::new(
                            ErrorCode::from_code(10020),
                            format!(
                                "the refund exceeds what is left to refund ({})",
                                amount(left)
                            ),
                        ));
                    }
                    let refund = Refund {
                        id: refund_id,
                        amount: amount(wanted),
                    };
                    p.refunds.push(refund.clone());
                    Ok(refund.amount)
                }
                PaymentState::Held => Err(Failure::new(
                    ErrorCode::from_code(10034),
                    "the payment must be cleared before a refund; cancel it instead",
                )),
                _ => Err(Failure::new(
                    ErrorCode::from_code(9013),
                    "only a successful payment can be refunded",
                )),
            })?;
    tracing::info!(payment_id = payment.id, %refunded, "payment refunded");
    Ok(Outcome::Xml(
        RefundResponse::new(ResponseStatus::Ok)
            .payment_id(payment.id)
            .to_params(),
    ))
}

/// Refuses `operation` with `code` when the documented test card the payment
/// was paid with does not allow it (its clearing, reverse or refund mark is
/// not "available"). Payments without a test card (mobile balance) allow all.
fn card_allows(
    payment: &Payment,
    mark: impl Fn(&TestCard) -> Option<Availability>,
    code: ErrorCode,
    operation: &str,
) -> Result<(), Failure> {
    let card = payment
        .card_pan
        .as_deref()
        .and_then(|pan| TEST_CARDS.iter().find(|c| mask(c.number) == pan));
    match card.and_then(mark) {
        None | Some(Availability::Available) => Ok(()),
        Some(_) => Err(Failure::new(
            code,
            format!(
                "the issuer of test card {} does not allow {operation}",
                mask(card.map_or("", |c| c.number))
            ),
        )),
    }
}
