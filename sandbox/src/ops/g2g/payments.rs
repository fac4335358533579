//! The Gateway API's payments: a card payment server to server
//! (`g2g/payment`), its 3-D Secure (`g2g/paymentAcs`), clearing, cancel,
//! refund, `status_v2` and the recurring charge (`g2g/recurrent`). They are the Merchant API's payments: the same
//! store (the Merchant API's `get_status3.php` sees a Gateway payment, and
//! the Gateway's calls take a payment made on the payment page), the same
//! lifecycle rules and codes, and the card decides as on the payment page.
//!
//! - A card that approves pays the payment at once (`pg_status=ok`,
//!   `pg_3ds=0`), or holds it when `pg_auto_clearing=0`.
//! - A declining card fails the payment: the answer is the error envelope
//!   with the card's code (10001; 99999 for a card that is not a purchase
//!   test card) and the payment's `pg_payment_id`.
//! - A 3-D Secure card leaves the payment waiting (`pg_3ds=1`, with the ACS
//!   page's address, MD and PaReq); `g2g/paymentAcs` with the MD and PaRes
//!   the page handed back settles it as the payer did there (a payer who
//!   failed fails it with 10004).
//! - An expiry that has passed is refused with 10017, an expiry or CVC that
//!   cannot be a card's with 10005, before any payment is made.

use std::sync::Arc;

use freedompay::enums::{G2gPaymentState, ResponseStatus};
use freedompay::errors::ErrorCode;
use freedompay::gateway::payments::{
    G2gCancelRequest, G2gCancelResponse, G2gCardPaymentRequest, G2gCardPaymentResponse,
    G2gClearingRequest, G2gClearingResponse, G2gPaymentAcsRequest, G2gPaymentAcsResponse,
    G2gPaymentStatusRequest, G2gPaymentStatusResponse, G2gPaymentStatusResponseRequired,
    G2gRecurrentPaymentRequest, G2gRecurrentPaymentResponse, G2gRefundRequest, G2gRefundResponse,
    RefundPayment, RevokedPayment,
};
use freedompay::merchant::payments::RecurringPaymentRequest;
use freedompay::{Decode, Encode, Params};
use rust_decimal::Decimal;

use super::card::{CARD_FIELDS, Card};
use crate::merchant::Merchant;
use crate::ops::acs::{self, AcsRequest, Returned};
use crate::ops::payments::{
    self, Issuer, auth_code, await_three_ds, gateway_time, issuer_of, reference, settle,
    three_ds_refused,
};
use crate::ops::{App, Failure, invalid};
use crate::store::{AcsKind, AcsPurpose, Payment, PaymentState};
use crate::values::{currency, now};

/// A card payment the card's issuer has decided (or sent to 3-D Secure).
pub(super) struct Decided {
    /// The payment, as stored.
    pub payment: Payment,
    /// Where the payer passes 3-D Secure, when the issuer asks for it.
    pub three_ds: Option<AcsRequest>,
}

/// Creates a payment from the parameters of a Gateway payment request
/// (`params`, without the card data) and lets `card`'s issuer decide it. A
/// declined payment is stored as failed and answered as the refusal.
pub(super) fn pay_with_card(
    app: &Arc<App>,
    merchant: &Merchant,
    params: &Params,
    card: &Card<'_>,
) -> Result<Decided, Failure> {
    card.check()?;
    let (payment, _) = payments::create_payment(app, merchant, params, false)?;
    let card_mask = card.masked();
    tracing::info!(payment_id = payment.id, card = %card_mask, "card sent server to server");
    if payment.state != PaymentState::New {
        // The same idempotency key and request again: the payment made then.
        return replay(app, payment);
    }
    match issuer_of(card.number()) {
        Issuer::Approves => {
            let (payment, _) = settle(app, payment.id, &card_mask, payment.amount, &Ok(()))?;
            Ok(Decided {
                payment,
                three_ds: None,
            })
        }
        Issuer::AsksForThreeDs => {
            let payment = await_three_ds(app, payment.id, &card_mask, payment.amount)?;
            let amount = format!("{} {}", payment.amount, payment.currency);
            let three_ds = acs::open(
                app,
                merchant,
                payment.id,
                AcsPurpose::Payment,
                card_mask,
                Some(amount),
            )?;
            Ok(Decided {
                payment,
                three_ds: Some(three_ds),
            })
        }
        Issuer::Declines(refused) => {
            let decision = Err(refused);
            let (payment, _) = settle(app, payment.id, &card_mask, payment.amount, &decision)?;
            Err(refusal_of(&payment).unwrap_or_else(|| three_ds_refused().of_payment(payment.id)))
        }
    }
}

/// The answer again for a payment an earlier request made.
fn replay(app: &App, payment: Payment) -> Result<Decided, Failure> {
    if let Some(refused) = refusal_of(&payment) {
        return Err(refused);
    }
    let three_ds = match (&payment.state, app.store.acs_session(payment.id)) {
        (PaymentState::AwaitingThreeDs { .. }, Some(session)) => Some(AcsRequest {
            url: app.page_url(crate::ops::Page::Acs, payment.id),
            md: session.md,
            pareq: session.pareq,
        }),
        _ => None,
    };
    Ok(Decided { payment, three_ds })
}

/// The refusal a failed payment is answered with, naming the payment.
fn refusal_of(payment: &Payment) -> Option<Failure> {
    match &payment.state {
        PaymentState::Failed { code, description } => Some(
            Failure::new(
                freedompay::errors::ErrorCode::from_code(*code),
                description.clone(),
            )
            .of_payment(payment.id),
        ),
        _ => None,
    }
}

/// `g2g/payment` with the card's data.
pub(crate) fn card_payment(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gCardPaymentRequest,
) -> Result<G2gCardPaymentResponse, Failure> {
    let mut params = request.to_params();
    for name in CARD_FIELDS {
        params.remove(name);
    }
    let decided = pay_with_card(app, merchant, &params, &Card::of_payment(&request))?;
    let id = decided.payment.id;
    let mut answer =
        G2gCardPaymentResponse::new(id, ResponseStatus::Ok, decided.three_ds.is_some())
            .datetime(now());
    answer = match decided.three_ds {
        Some(three_ds) => answer
            .three_d_acs_url(three_ds.url)
            .three_d_md(three_ds.md)
            .three_d_pareq(three_ds.pareq),
        None => answer.auth_code(auth_code(id)).reference(reference(id)),
    };
    if let Some(profile) = app.store.recurring_profile_of(id) {
        answer = answer.recurring_profile(profile.id);
    }
    Ok(answer)
}

/// `g2g/paymentAcs`: settles a payment waiting for 3-D Secure with the MD
/// and PaRes of its ACS page.
pub(crate) fn payment_acs(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gPaymentAcsRequest,
) -> Result<G2gPaymentAcsResponse, Failure> {
    let payment = payments::find(app, merchant, request.payment_id)?;
    let returned = Returned {
        md: &request.md,
        pares: &request.pares,
    };
    let (_, passed) = acs::take(app, merchant, payment.id, AcsKind::Payment, Some(returned))
        .map_err(|f| f.of_payment(payment.id))?;
    let decision = if passed {
        Ok(())
    } else {
        Err(three_ds_refused())
    };
    let card_mask = payment.card_pan.clone().unwrap_or_default();
    let (payment, settled) = settle(app, payment.id, &card_mask, payment.amount, &decision)?;
    if !settled {
        return Err(Failure::new(
            ErrorCode::TransactionAlreadyDone,
            "the payment was already finished",
        )
        .of_payment(payment.id));
    }
    if let Some(refused) = refusal_of(&payment) {
        return Err(refused);
    }
    let id = payment.id;
    Ok(G2gPaymentAcsResponse::new(id, ResponseStatus::Ok)
        .auth_code(auth_code(id))
        .reference(reference(id))
        .datetime(now()))
}

/// `g2g/recurrent`: as `make_recurring_payment.php`, whose request shares
/// its wire names.
pub(crate) fn recurrent(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gRecurrentPaymentRequest,
) -> Result<G2gRecurrentPaymentResponse, Failure> {
    let twin = RecurringPaymentRequest::decode(&request.to_params()).map_err(invalid)?;
    let answer = payments::recurring(app, merchant, twin)?;
    let payment_id = answer
        .payment_id
        .ok_or_else(|| invalid("the recurring payment has no id"))?;
    let mut gateway =
        G2gRecurrentPaymentResponse::new(payment_id, ResponseStatus::Ok).datetime(now());
    if let Some(profile) = answer.recurring_profile {
        gateway = gateway.recurring_profile(profile);
    }
    Ok(gateway)
}

/// `g2g/clearing`: as `clearing.php`.
pub(crate) fn clearing(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gClearingRequest,
) -> Result<G2gClearingResponse, Failure> {
    let (payment, cleared) =
        payments::clear_payment(app, merchant, request.payment_id, request.clearing_amount)?;
    Ok(G2gClearingResponse::new(payment.id, ResponseStatus::Ok)
        .amount(payment.amount)
        .clearing_amount(cleared)
        .status_clearing(true))
}

/// `g2g/cancel`: as `cancel.php`.
pub(crate) fn cancel(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gCancelRequest,
) -> Result<G2gCancelResponse, Failure> {
    let payment = payments::cancel_payment(app, merchant, request.payment_id)?;
    let mut answer =
        G2gCancelResponse::new(payment.id, ResponseStatus::Ok, G2gPaymentState::Success);
    if let Some(revoke_id) = payment.revoke_id {
        answer = answer.payment_revoke_id(revoke_id);
    }
    Ok(answer)
}

/// `g2g/refund`: as `revoke.php`; a `pg_currency` other than the payment's
/// is refused with 200.
pub(crate) fn refund(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gRefundRequest,
) -> Result<G2gRefundResponse, Failure> {
    let payment = payments::find(app, merchant, request.payment_id)?;
    if let Some(sent) = &request.currency
        && *sent != currency(&payment.currency)
    {
        return Err(invalid(format!(
            "pg_currency: the payment is in {}",
            payment.currency
        )));
    }
    let (payment, refund) = payments::refund_payment(app, merchant, payment.id, request.amount)?;
    Ok(
        G2gRefundResponse::new(payment.id, ResponseStatus::Ok, G2gPaymentState::Success)
            .payment_refund_id(refund.id),
    )
}

/// The state a Gateway answer reports in `pg_payment_status`: `success`
/// (paid or held), `process` (not decided yet, 3-D Secure included),
/// `error`, and the Merchant API's `revoked` for a cancelled payment (the
/// open enum keeps it).
fn state_of(state: &PaymentState) -> G2gPaymentState {
    match state {
        PaymentState::Held | PaymentState::Paid => G2gPaymentState::Success,
        PaymentState::Failed { .. } => G2gPaymentState::Error,
        PaymentState::New
        | PaymentState::AwaitingCode { .. }
        | PaymentState::AwaitingThreeDs { .. } => G2gPaymentState::Process,
        PaymentState::Cancelled => G2gPaymentState::Unknown(state.wire().to_owned()),
    }
}

/// `g2g/status_v2`: the payment named by both its id and its order id (a
/// payment of another order is not found, 11068), as the Merchant API's
/// status reports it.
pub(crate) fn status(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gPaymentStatusRequest,
) -> Result<G2gPaymentStatusResponse, Failure> {
    let payment = payments::find(app, merchant, request.payment_id)?;
    if payment.order_id != request.order_id.trim() {
        return Err(Failure::new(
            ErrorCode::PaymentNotFound,
            "no payment with this id for this order",
        ));
    }
    let captured = payment.captured.as_decimal();
    let mut answer = G2gPaymentStatusResponse::new(G2gPaymentStatusResponseRequired {
        payment_id: payment.id,
        order_id: payment.order_id.clone(),
        currency: currency(&payment.currency),
        status: ResponseStatus::Ok,
        amount: payment.amount,
    })
    .payment_status(state_of(&payment.state))
    .clearing_amount(payment.captured)
    .refund_amount(-payment.refunded())
    .captured(captured > Decimal::ZERO)
    .datetime(now());
    if let Some(card_pan) = &payment.card_pan {
        answer = answer.card_pan(card_pan.clone());
    }
    if let Some(phone) = &payment.phone {
        answer = answer.user_phone(phone.clone());
    }
    if let Some(date) = payment.paid_at.as_deref().and_then(gateway_time) {
        answer = answer.payment_date(date);
    }
    match &payment.state {
        PaymentState::Held | PaymentState::Paid | PaymentState::Cancelled => {
            answer = answer
                .auth_code(auth_code(payment.id))
                .reference(reference(payment.id));
        }
        PaymentState::Failed { code, description } => {
            answer = answer
                .failure_code(*code)
                .failure_description(description.clone());
        }
        _ => {}
    }
    answer = answer.refund_payments(
        payment
            .refunds
            .iter()
            .map(|r| {
                RefundPayment::new()
                    .payment_id(r.id)
                    .payment_status(G2gPaymentState::Success)
                    .amount(-r.amount.as_decimal())
            })
            .collect(),
    );
    if let Some(revoke_id) = payment.revoke_id {
        answer = answer.revoked_payments(vec![
            RevokedPayment::new()
                .payment_id(revoke_id)
                .payment_status(G2gPaymentState::Success),
        ]);
    }
    Ok(answer)
}
