//! The Gateway API's card-to-card transfers: `g2g/p2p/transfer`, its 3-D
//! Secure (`transfer_acs`), `g2g/p2p/status` and `g2g/p2p/rates`.
//!
//! - The sender is a card (its number, expiry and CVC, checked as a
//!   payment's) or a saved card (`pg_card_token`, one of the merchant's, of
//!   `pg_user_id` when sent); the purchase test cards decide the debit as on
//!   the payment page (a saved card is charged without 3-D Secure). The
//!   recipient is a card number (`pg_card_recipient`) or a saved card
//!   (`pg_card_recipient_token`, for payments or payouts); the payout test
//!   cards decide the credit as for a payout (a card that is no payout test
//!   card is credited; a pending one ends as it would).
//! - The token `2d0b504c-b95d-4cf6-b782-5a7d13ab2c85` leaves out a half: as
//!   `pg_card_token` the debit, as `pg_card_recipient_token` the credit.
//! - A declined debit or credit fails the transfer with its code (what was
//!   debited comes back): the error answer, with the transfer's
//!   `pg_payment_id`. Another card answers 10032 for a token the merchant has
//!   not saved; a half named by neither its card nor a token, 200.
//! - A sender's card that asks for 3-D Secure leaves the transfer in process
//!   (`pg_status=pending`, `pg_3ds=1`, the ACS page's address): once the
//!   payer passed there, `transfer_acs` ends it (10004 when the payer failed,
//!   11037 before the payer finished, 10015 once used).
//! - `pg_amount_to` is the credit; without it the credit is `pg_amount`
//!   when both sides have the same currency, and otherwise `pg_amount` times
//!   the sandbox's rate from `pg_currency_from` to `pg_currency_to` (the one
//!   `g2g/p2p/rates` answers), rounded to 2 decimals. A currency the sandbox
//!   has no rate for answers 200 naming its field, as does an amount that
//!   converts to less than 0.01.
//! - The status names the transfer by `pg_payment_id` or `pg_order_id` (the
//!   latest of that order); an unknown one answers 11068.
//! - The rates come from the sandbox's table ([`crate::rates`], the
//!   configuration file's `rates:` over the defaults): one `rate` element for
//!   the pair asked with both currencies (1 for a currency to itself); with
//!   only one of them, every pair from or to it; with neither, every pair of
//!   two currencies the sandbox knows; in alphabetical order. A currency the
//!   sandbox has no rate for answers 200 naming its field.

use std::sync::Arc;

use freedompay::Amount;
use freedompay::enums::{Currency, G2gPaymentState, ResponseStatus};
use freedompay::errors::ErrorCode;
use freedompay::gateway::transfers::{
    G2gTransferAcsRequest, G2gTransferAcsResponse, G2gTransferRatesRequest,
    G2gTransferRatesResponse, G2gTransferRequest, G2gTransferResponse, G2gTransferStatusRequest,
    G2gTransferStatusResponse, G2gTransferStatusResponseRequired, TransferRate,
};

use super::card::{Card, transfer_recipient};
use crate::merchant::Merchant;
use crate::ops::acs;
use crate::ops::payments::{Issuer, gateway_time, issuer_of, three_ds_refused};
use crate::ops::payout::card_decision;
use crate::ops::{App, Failure, amount, invalid};
use crate::store::{AcsKind, AcsPurpose, PayoutState, SavedCard, Transfer, TransferState};
use crate::values::{currency, mask, now};

/// The token that leaves one half of a transfer out.
const SKIP: &str = "2d0b504c-b95d-4cf6-b782-5a7d13ab2c85";

/// A card the merchant saved, by token: for payments, or (with
/// `payout_too`) for payouts as well; of `user_id` when given.
fn saved_card(
    app: &App,
    merchant: &Merchant,
    user_id: Option<&str>,
    token: &str,
    payout_too: bool,
) -> Result<SavedCard, Failure> {
    let found = match user_id {
        Some(user) => app.store.card(&merchant.id, user, token).or_else(|| {
            payout_too
                .then(|| app.store.payout_card(&merchant.id, user, token))
                .flatten()
        }),
        None => app
            .store
            .card_by_token(token)
            .filter(|c| c.merchant_id == merchant.id),
    };
    found.ok_or_else(|| {
        Failure::new(
            ErrorCode::InvalidCardNumber,
            "no saved card with this token for this merchant",
        )
    })
}

/// How a credit to card `number` ends, by the payout test cards: `Err` with
/// the code it is declined with.
fn credit(number: &str) -> Result<(), i64> {
    match card_decision(number)? {
        PayoutState::Pending { then } => match *then {
            PayoutState::Failed { code } => Err(code),
            _ => Ok(()),
        },
        PayoutState::Failed { code } => Err(code),
        _ => Ok(()),
    }
}

/// The two halves of a transfer as its request names them.
struct Halves {
    sender_mask: Option<String>,
    sender_token: Option<String>,
    debit: Issuer,
    recipient_mask: Option<String>,
    recipient_token: Option<String>,
    credit: Result<(), i64>,
}

fn halves(app: &App, merchant: &Merchant, request: &G2gTransferRequest) -> Result<Halves, Failure> {
    let user_id = request.user_id.as_deref().map(str::trim);
    let sender_token = request.card_token.as_deref().map(str::trim);
    let (sender_mask, sender_token, debit) = match sender_token {
        Some(SKIP) => (None, None, Issuer::Approves),
        Some(token) => {
            let card = saved_card(app, merchant, user_id, token, false)?;
            let debit = match issuer_of(&card.test_card) {
                Issuer::AsksForThreeDs => Issuer::Approves,
                other => other,
            };
            (Some(card.card_hash), Some(token.to_owned()), debit)
        }
        None => {
            let card = Card::of_transfer_sender(request)?
                .ok_or_else(|| invalid("pg_card_pan: required unless pg_card_token is sent"))?;
            card.check()?;
            (Some(card.masked()), None, issuer_of(card.number()))
        }
    };
    let recipient_token = request.card_recipient_token.as_deref().map(str::trim);
    let (recipient_mask, recipient_token, credit) = match recipient_token {
        Some(SKIP) => (None, None, Ok(())),
        Some(token) => {
            let card = saved_card(app, merchant, user_id, token, true)?;
            let credit = credit(&card.test_card);
            (Some(card.card_hash), Some(token.to_owned()), credit)
        }
        None => {
            let number = transfer_recipient(request).ok_or_else(|| {
                invalid("pg_card_recipient: required unless pg_card_recipient_token is sent")
            })?;
            (Some(mask(number)), None, credit(number))
        }
    };
    if sender_mask.is_none() && recipient_mask.is_none() {
        return Err(invalid(
            "pg_card_token and pg_card_recipient_token: both halves of the transfer are left out",
        ));
    }
    Ok(Halves {
        sender_mask,
        sender_token,
        debit,
        recipient_mask,
        recipient_token,
        credit,
    })
}

/// The refusal a failed transfer is answered with, naming it.
fn refusal_of(transfer: &Transfer) -> Option<Failure> {
    match &transfer.state {
        TransferState::Failed { code, description } => Some(
            Failure::new(ErrorCode::from_code(*code), description.clone()).of_payment(transfer.id),
        ),
        _ => None,
    }
}

/// The state a transfer reports in `pg_payment_status`.
fn state_of(state: &TransferState) -> G2gPaymentState {
    match state {
        TransferState::AwaitingThreeDs { .. } => G2gPaymentState::Process,
        TransferState::Success => G2gPaymentState::Success,
        TransferState::Failed { .. } => G2gPaymentState::Error,
    }
}

/// A transfer's answer, the same for the three calls: `$answer` (built with
/// the required fields) with the transfer's other fields set.
macro_rules! describe {
    ($answer:expr, $transfer:expr) => {{
        let transfer: &Transfer = $transfer;
        let mut answer = $answer
            .payout_amount(transfer.amount_to)
            .currency_from(currency(&transfer.currency_from))
            .currency_to(currency(&transfer.currency_to))
            .datetime(now());
        if let Some(mask) = &transfer.sender_mask {
            answer = answer.card_mask(mask.clone());
        }
        if let Some(token) = &transfer.sender_token {
            answer = answer.card_token(token.clone());
        }
        if let Some(mask) = &transfer.recipient_mask {
            answer = answer.card_recipient_mask(mask.clone());
        }
        if let Some(token) = &transfer.recipient_token {
            answer = answer.card_recipient_token(token.clone());
        }
        if let Some(date) = transfer.done_at.as_deref().and_then(gateway_time) {
            answer = answer.payment_date(date);
        }
        answer
    }};
}

/// `pg_status` of a transfer's answer: `pending` while in process.
fn request_status(transfer: &Transfer) -> ResponseStatus {
    match transfer.state {
        TransferState::AwaitingThreeDs { .. } => ResponseStatus::Pending,
        _ => ResponseStatus::Ok,
    }
}

/// A currency's code as the rates are keyed: trimmed, in capitals.
fn code_of(currency: &Currency) -> String {
    currency.as_str().trim().to_ascii_uppercase()
}

/// `code` when the sandbox has rates for it; otherwise the refusal naming
/// `field`, the request's field that carries it.
fn known(app: &App, field: &str, code: String) -> Result<String, Failure> {
    if app.rates.kzt(&code).is_some() {
        Ok(code)
    } else {
        Err(invalid(format!(
            "{field}: the sandbox has no rate for the currency {code:?}"
        )))
    }
}

/// A transfer's `pg_amount` in `pg_currency_to`, at the sandbox's rate,
/// rounded to 2 decimals.
fn converted(app: &App, request: &G2gTransferRequest) -> Result<Amount, Failure> {
    let from = known(app, "pg_currency_from", code_of(&request.currency_from))?;
    let to = known(app, "pg_currency_to", code_of(&request.currency_to))?;
    let credit = app
        .rates
        .rate(&from, &to)
        .and_then(|rate| request.amount.as_decimal().checked_mul(rate))
        .ok_or_else(|| invalid("pg_amount: too large to convert"))?;
    let credit = amount(credit);
    if credit == Amount::ZERO && request.amount != Amount::ZERO {
        return Err(invalid(format!(
            "pg_amount: {} {from} is less than 0.01 {to}; send pg_amount_to",
            request.amount
        )));
    }
    Ok(credit)
}

/// `g2g/p2p/transfer`.
pub(crate) fn transfer(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gTransferRequest,
) -> Result<G2gTransferResponse, Failure> {
    let amount_to = match request.amount_to {
        Some(amount) => amount,
        None if request.currency_from == request.currency_to => request.amount,
        None => converted(app, &request)?,
    };
    let halves = halves(app, merchant, &request)?;
    let outcome = match (&halves.debit, halves.credit) {
        (Issuer::Declines(refused), _) => TransferState::Failed {
            code: refused.code.code(),
            description: refused.description.clone(),
        },
        (_, Err(code)) => TransferState::Failed {
            code,
            description: "the credit to the recipient's card was declined; the debit came back"
                .to_owned(),
        },
        _ => TransferState::Success,
    };
    let three_ds = halves.debit == Issuer::AsksForThreeDs;
    let done = !three_ds;
    let transfer = app.store.create_transfer(Transfer {
        id: app.store.next_id(),
        merchant_id: merchant.id.clone(),
        order_id: request.order_id.trim().to_owned(),
        amount: request.amount,
        currency_from: request.currency_from.as_str().to_owned(),
        amount_to,
        currency_to: request.currency_to.as_str().to_owned(),
        sender_mask: halves.sender_mask,
        sender_token: halves.sender_token,
        recipient_mask: halves.recipient_mask,
        recipient_token: halves.recipient_token,
        state: if three_ds {
            TransferState::AwaitingThreeDs {
                then: Box::new(outcome),
            }
        } else {
            outcome
        },
        created_at: now(),
        done_at: done.then(now),
    })?;
    tracing::info!(
        transfer = transfer.id,
        sender = transfer.sender_mask.as_deref().unwrap_or("-"),
        recipient = transfer.recipient_mask.as_deref().unwrap_or("-"),
        "transfer made"
    );
    if let Some(refused) = refusal_of(&transfer) {
        return Err(refused);
    }
    let mut answer = describe!(
        G2gTransferResponse::new(
            transfer.id,
            request_status(&transfer),
            transfer.order_id.clone(),
            transfer.amount,
        )
        .payment_status(state_of(&transfer.state))
        .three_ds(three_ds),
        &transfer
    );
    if three_ds {
        let amount = format!("{} {}", transfer.amount, transfer.currency_from);
        let card_mask = transfer.sender_mask.clone().unwrap_or_default();
        let acs = acs::open(
            app,
            merchant,
            transfer.id,
            AcsPurpose::Transfer,
            card_mask,
            Some(amount),
        )?;
        answer = answer.three_d_acs_url(acs.url);
    }
    Ok(answer)
}

/// `g2g/p2p/transfer_acs`: ends a transfer whose sender passed 3-D Secure.
pub(crate) fn transfer_acs(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gTransferAcsRequest,
) -> Result<G2gTransferAcsResponse, Failure> {
    let id = request.payment_id;
    if app.store.transfer(&merchant.id, id).is_none() {
        return Err(Failure::new(
            ErrorCode::PaymentNotFound,
            "transfer not found",
        ));
    }
    let (_, passed) =
        acs::take(app, merchant, id, AcsKind::Transfer, None).map_err(|f| f.of_payment(id))?;
    let (transfer, ()) = app.store.update_transfer(&merchant.id, id, |t| {
        let TransferState::AwaitingThreeDs { then } = &t.state else {
            return Err(Failure::new(
                ErrorCode::TransactionAlreadyDone,
                "the transfer was already finished",
            ));
        };
        t.state = if passed {
            (**then).clone()
        } else {
            let refused = three_ds_refused();
            TransferState::Failed {
                code: refused.code.code(),
                description: refused.description,
            }
        };
        t.done_at = Some(now());
        Ok(())
    })?;
    tracing::info!(
        transfer = transfer.id,
        passed,
        "transfer finished after 3-D Secure"
    );
    if let Some(refused) = refusal_of(&transfer) {
        return Err(refused);
    }
    Ok(describe!(
        G2gTransferAcsResponse::new(
            transfer.id,
            request_status(&transfer),
            transfer.order_id.clone(),
            transfer.amount,
        )
        .payment_status(state_of(&transfer.state))
        .three_ds(false),
        &transfer
    ))
}

/// `g2g/p2p/status`.
pub(crate) fn transfer_status(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gTransferStatusRequest,
) -> Result<G2gTransferStatusResponse, Failure> {
    let order_id = request
        .order_id
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    let transfer = match (request.payment_id, order_id) {
        (Some(id), order) => app
            .store
            .transfer(&merchant.id, id)
            .filter(|t| order.is_none_or(|o| t.order_id == o)),
        (None, Some(order)) => app.store.transfer_of_order(&merchant.id, order),
        (None, None) => {
            return Err(invalid(
                "pg_payment_id or pg_order_id: one of them is needed",
            ));
        }
    }
    .ok_or_else(|| Failure::new(ErrorCode::PaymentNotFound, "transfer not found"))?;
    Ok(describe!(
        G2gTransferStatusResponse::new(G2gTransferStatusResponseRequired {
            payment_id: transfer.id,
            status: ResponseStatus::Ok,
            payment_status: state_of(&transfer.state),
            order_id: transfer.order_id.clone(),
            payment_amount: transfer.amount,
        }),
        &transfer
    ))
}

/// `g2g/p2p/rates`: the sandbox's rates for the pair asked, or every pair
/// from or to the one currency asked, or every pair.
pub(crate) fn rates(
    app: &Arc<App>,
    _merchant: &Merchant,
    request: G2gTransferRatesRequest,
) -> Result<G2gTransferRatesResponse, Failure> {
    let from = request
        .currency_from
        .as_ref()
        .map(|c| known(app, "pg_currency_from", code_of(c)))
        .transpose()?;
    let to = request
        .currency_to
        .as_ref()
        .map(|c| known(app, "pg_currency_to", code_of(c)))
        .transpose()?;
    let pairs = match (&from, &to) {
        (Some(from), Some(to)) => app
            .rates
            .rate(from, to)
            .map(|rate| (from.clone(), to.clone(), rate))
            .into_iter()
            .collect(),
        _ => app.rates.pairs(from.as_deref(), to.as_deref()),
    };
    let rates = pairs
        .into_iter()
        .map(|(from, to, rate)| {
            TransferRate::new()
                .currency_from(currency(&from))
                .currency_to(currency(&to))
                .rate(rate)
        })
        .collect();
    Ok(G2gTransferRatesResponse::new(ResponseStatus::Ok)
        .rates(rates)
        .datetime(now()))
}
