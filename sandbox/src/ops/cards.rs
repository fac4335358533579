//! Saved cards (card storage) and payments charged to them by token: without
//! the payer (`card/init` then `card/direct`), or with the payer typing the
//! card's CVC on the sandbox's page (`card/init` then the browser's
//! `card/pay`).
//!
//! Both kinds of payment are created at the same path (`card/init`, script
//! `init`) and the documentation does not say what tells them apart, so a
//! payment made by `card/init` can be confirmed either way, once.

use std::sync::Arc;

use freedompay::enums::{CardStatus, ResponseStatus};
use freedompay::errors::ErrorCode;
use freedompay::merchant::card_storage::{
    CardAddRequest, CardAddResponse, CardListRequest, CardListResponse, CardRemoveRequest,
    CardRemoveResponse, CardRemoveStatus, StoredCard,
};
use freedompay::merchant::token::{
    TokenDirectRequest, TokenDirectResponse, TokenInitRequest, TokenInitResponse,
    TokenInitWithCvcRequest, TokenInitWithCvcResponse, TokenPayWithCvcRequest,
};
use freedompay::test_data::{Outcome as CardOutcome, TestCard};
use freedompay::{Amount, Encode, Params};

use super::{App, Event, Failure, Page, idempotency, invalid};
use crate::merchant::Merchant;
use crate::store::{CardSession, Method, Payment, PaymentState, SavedCard, StoreError, Urls};
use crate::values::now;

pub(super) fn card_add(
    app: &Arc<App>,
    merchant: &Merchant,
    request: CardAddRequest,
) -> Result<CardAddResponse, Failure> {
    let session = app.store.create_card_session(CardSession {
        id: app.store.next_id(),
        merchant_id: merchant.id.clone(),
        user_id: request.user_id.clone(),
        back_link: request.back_link.clone(),
        token: None,
    })?;
    tracing::info!(session = session.id, merchant = %merchant.id, "card storage session created");
    let mut answer = CardAddResponse::new(
        session.id,
        app.page_url(Page::Card, session.id),
        ResponseStatus::Ok,
    )
    .merchant_id(merchant.number());
    if let Some(order_id) = request.order_id {
        answer = answer.order_id(order_id);
    }
    Ok(answer)
}

fn stored_card(card: &SavedCard, merchant: &Merchant) -> StoredCard {
    StoredCard::new()
        .status(CardStatus::Approved)
        .merchant_id(merchant.number())
        .card_token(card.token.clone())
        .card_hash(card.card_hash.clone())
        .created_at(card.created_at.clone())
}

/// The cards a merchant's user saved, for payments and for payouts
/// (`cardstorage/add2`) alike: the Merchant API's and the Gateway's lists.
pub(super) fn saved_cards(app: &App, merchant: &Merchant, user_id: &str) -> Vec<SavedCard> {
    let mut cards = app.store.cards(&merchant.id, user_id);
    cards.extend(app.store.payout_cards(&merchant.id, user_id));
    cards
}

pub(super) fn card_list(
    app: &Arc<App>,
    merchant: &Merchant,
    request: CardListRequest,
) -> Result<CardListResponse, Failure> {
    let cards = saved_cards(app, merchant, &request.user_id)
        .iter()
        .map(|card| stored_card(card, merchant))
        .collect();
    Ok(CardListResponse::new().cards(cards))
}

/// Removes a card a merchant's user saved, for payments or for payouts: the
/// Merchant API's and the Gateway's remove alike. A token the user has not
/// saved (or removed already) answers 11068.
pub(super) fn remove_saved_card(
    app: &App,
    merchant: &Merchant,
    user_id: &str,
    token: &str,
) -> Result<SavedCard, Failure> {
    let card = app
        .store
        .remove_card(&merchant.id, user_id, token)
        .or_else(|error| match error {
            // Not a card saved for payments: perhaps one saved for payouts.
            StoreError::NotFound(_) => app.store.remove_payout_card(&merchant.id, user_id, token),
            other => Err(other),
        })?;
    tracing::info!(card = %card.card_hash, "saved card removed");
    Ok(card)
}

pub(super) fn card_remove(
    app: &Arc<App>,
    merchant: &Merchant,
    request: CardRemoveRequest,
) -> Result<CardRemoveResponse, Failure> {
    remove_saved_card(app, merchant, &request.user_id, &request.card_token)?;
    Ok(CardRemoveResponse::new()
        .status(CardRemoveStatus::Success)
        .deleted_at(now()))
}

/// What `card/init` (with or without CVC) and the Gateway's token payment
/// give the payment.
pub(super) struct TokenPayment<'a> {
    pub order_id: &'a str,
    pub amount: Amount,
    pub description: &'a str,
    pub user_id: &'a str,
    pub card_token: &'a str,
    pub user_phone: Option<&'a str>,
    pub urls: Urls,
}

/// Creates a payment to be charged to a saved card of the user; a token the
/// user has not saved (or removed) is refused with 10032.
pub(super) fn create_token_payment(
    app: &Arc<App>,
    merchant: &Merchant,
    params: &Params,
    fields: TokenPayment<'_>,
) -> Result<Payment, Failure> {
    if app
        .store
        .card(&merchant.id, fields.user_id, fields.card_token)
        .is_none()
    {
        return Err(Failure::new(
            ErrorCode::InvalidCardNumber,
            "no saved card with this token for this user",
        ));
    }
    let id = app.store.next_id();
    let payment = Payment {
        urls: fields.urls,
        phone: fields.user_phone.map(str::to_owned),
        ..Payment::new(
            id,
            &merchant.id,
            fields.order_id.to_owned(),
            fields.amount,
            fields.description.to_owned(),
            Method::Token {
                token: fields.card_token.to_owned(),
            },
        )
    };
    let payment = app.store.create_payment(payment, idempotency(params))?;
    tracing::info!(payment_id = payment.id, "token payment created");
    Ok(payment)
}

pub(super) fn token_init(
    app: &Arc<App>,
    merchant: &Merchant,
    request: TokenInitRequest,
) -> Result<TokenInitResponse, Failure> {
    let payment = create_token_payment(
        app,
        merchant,
        &request.to_params(),
        TokenPayment {
            order_id: &request.order_id,
            amount: request.amount,
            description: &request.description,
            user_id: &request.user_id,
            card_token: &request.card_token,
            user_phone: request.user_phone.as_deref(),
            urls: Urls {
                result: request.result_url.clone(),
                success: request.success_url.clone(),
                failure: request.failure_url.clone(),
                ..Urls::default()
            },
        },
    )?;
    Ok(TokenInitResponse::new(payment.id, ResponseStatus::Ok)
        .merchant_id(merchant.number())
        .order_id(payment.order_id.clone()))
}

/// `card/init` with CVC, for requests that only this endpoint's checks
/// accept (requests with a `pg_card_token` are taken by the non-acceptance
/// `card/init`, which creates the same payment). The sandbox's saved cards
/// have tokens only, so a request naming the card by the deprecated
/// `pg_card_id` alone is refused with 10032.
pub(super) fn token_init_with_cvc(
    app: &Arc<App>,
    merchant: &Merchant,
    request: TokenInitWithCvcRequest,
) -> Result<TokenInitWithCvcResponse, Failure> {
    let Some(card_token) = request.card_token.as_deref() else {
        return Err(Failure::new(
            ErrorCode::InvalidCardNumber,
            "the sandbox knows saved cards by pg_card_token only",
        ));
    };
    let payment = create_token_payment(
        app,
        merchant,
        &request.to_params(),
        TokenPayment {
            order_id: &request.order_id,
            amount: request.amount,
            description: &request.description,
            user_id: &request.user_id,
            card_token,
            user_phone: request.user_phone.as_deref(),
            urls: Urls {
                result: request.result_url.clone(),
                success: request.success_url.clone(),
                failure: request.failure_url.clone(),
                ..Urls::default()
            },
        },
    )?;
    Ok(
        TokenInitWithCvcResponse::new(ResponseStatus::Ok, payment.id)
            .merchant_id(merchant.number())
            .order_id(payment.order_id.clone()),
    )
}

/// Why a token payment cannot be charged now, if it cannot.
fn not_chargeable(payment: &Payment) -> Option<Failure> {
    if !matches!(payment.method, Method::Token { .. }) {
        return Some(invalid("the payment was not created with card/init"));
    }
    if payment.state != PaymentState::New {
        return Some(Failure::new(
            ErrorCode::TransactionAlreadyDone,
            "the payment has already been charged",
        ));
    }
    None
}

/// Charges a token payment (of `merchant_id`, or of any merchant when `None`)
/// to its saved card, which decides the outcome: an approving test card pays
/// it, any other fails it with 10001 (returned as the second value, with
/// the payment already failed). A payment that is not a new token payment,
/// or whose card was removed, is refused without a change. The result
/// callback is sent either way.
pub(crate) fn charge_saved_card(
    app: &Arc<App>,
    merchant_id: Option<&str>,
    payment_id: i64,
) -> Result<(Payment, Option<Failure>), Failure> {
    // The card is read before the payment is locked for the change (the
    // store's lock is not re-entrant).
    let card = match app.store.payment_any(payment_id).map(|p| p.method) {
        Some(Method::Token { token }) => app.store.card_by_token(&token),
        _ => None,
    };
    let (payment, declined) = app.store.update_payment(merchant_id, payment_id, |p| {
        if let Some(failure) = not_chargeable(p) {
            return Err(failure);
        }
        let card = card.clone().ok_or_else(|| {
            Failure::new(ErrorCode::InvalidCardNumber, "the saved card was removed")
        })?;
        let approved = TestCard::find(&card.test_card).is_some_and(|c| {
            matches!(
                c.outcome,
                CardOutcome::Success | CardOutcome::PendingThenSuccess
            )
        });
        p.card_pan = Some(card.card_hash.clone());
        p.paid_at = Some(now());
        if approved {
            p.state = PaymentState::Paid;
            p.captured = p.amount;
            Ok(None)
        } else {
            let failure = Failure::new(
                ErrorCode::PaymentErrorContactIssuer,
                "the issuing bank declined the payment",
            );
            p.state = PaymentState::Failed {
                code: failure.code.code(),
                description: failure.description.clone(),
            };
            Ok(Some(failure))
        }
    })?;
    tracing::info!(
        payment_id = payment.id,
        state = payment.state.wire(),
        "token payment charged"
    );
    app.emit(Event::PaymentFinished(Box::new(payment.clone())));
    Ok((payment, declined))
}

pub(super) fn token_direct(
    app: &Arc<App>,
    merchant: &Merchant,
    request: TokenDirectRequest,
) -> Result<TokenDirectResponse, Failure> {
    let (payment, declined) = charge_saved_card(app, Some(&merchant.id), request.payment_id)?;
    if let Some(failure) = declined {
        return Err(failure);
    }
    Ok(TokenDirectResponse::new(ResponseStatus::Ok)
        .payment_id(payment.id)
        .merchant_id(merchant.number())
        .order_id(payment.order_id.clone()))
}

/// `card/pay` (the browser's signed GET): sends the payer to the sandbox's
/// CVC page for a new token payment of the merchant. Refused with 11068 for
/// an unknown payment, 200 for one not made by `card/init`, 10015 for one
/// already charged and 10032 when its saved card was removed.
pub(super) fn token_pay_with_cvc(
    app: &Arc<App>,
    merchant: &Merchant,
    request: TokenPayWithCvcRequest,
) -> Result<String, Failure> {
    let payment = app
        .store
        .payment(&merchant.id, request.payment_id)
        .ok_or_else(|| {
            Failure::new(
                ErrorCode::PaymentNotFound,
                format!("payment {} not found", request.payment_id),
            )
        })?;
    if let Some(failure) = not_chargeable(&payment) {
        return Err(failure);
    }
    if let Method::Token { token } = &payment.method
        && app.store.card_by_token(token).is_none()
    {
        return Err(Failure::new(
            ErrorCode::InvalidCardNumber,
            "the saved card was removed",
        ));
    }
    Ok(app.page_url(Page::Token, payment.id))
}
