//! Saved cards (card storage) and payments charged to them by token.

use std::sync::Arc;

use freedompay::enums::{CardStatus, ResponseStatus};
use freedompay::errors::ErrorCode;
use freedompay::merchant::card_storage::{
    CardAddRequest, CardAddResponse, CardListRequest, CardListResponse, CardRemoveRequest,
    CardRemoveResponse, CardRemoveStatus, StoredCard,
};
use freedompay::merchant::token::{
    TokenDirectRequest, TokenDirectResponse, TokenInitRequest, TokenInitResponse,
};
use freedompay::test_data::{Outcome as CardOutcome, TestCard};
use freedompay::{Amount, Decode, Encode, Params};

use super::{Outcome, idempotency, invalid, now};
use crate::store::{CardSession, Failure, Method, Payment, PaymentState, SavedCard, Urls};
use crate::{App, Merchant};

/// Runs `id` when it is an endpoint of this group.
pub(super) fn dispatch(
    app: &Arc<App>,
    merchant: &Merchant,
    id: &str,
    params: &Params,
) -> Option<Result<Outcome, Failure>> {
    Some(match id {
        "card_storage_add" => card_add(app, merchant, params),
        "card_storage_list" => card_list(app, merchant, params),
        "card_storage_remove" => card_remove(app, merchant, params),
        "token_init" => token_init(app, merchant, params),
        "token_direct" => token_direct(app, merchant, params),
        _ => return None,
    })
}

fn card_add(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = CardAddRequest::decode(params).map_err(invalid)?;
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
        format!("{}/sandbox/card/{}", app.base_url, session.id),
        ResponseStatus::Ok,
    )
    .merchant_id(merchant.id.parse().unwrap_or_default());
    if let Some(order_id) = request.order_id {
        answer = answer.order_id(order_id);
    }
    Ok(Outcome::Xml(answer.to_params()))
}

fn stored_card(card: &SavedCard, merchant_id: &str) -> StoredCard {
    StoredCard::new()
        .status(CardStatus::Approved)
        .merchant_id(merchant_id.parse().unwrap_or_default())
        .card_token(card.token.clone())
        .card_hash(card.card_hash.clone())
        .created_at(card.created_at.clone())
}

fn card_list(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = CardListRequest::decode(params).map_err(invalid)?;
    // One list for the cards saved for payments and for payouts (`cardstorage/add2`).
    let cards = app
        .store
        .cards(&merchant.id, &request.user_id)
        .iter()
        .chain(&app.store.payout_cards(&merchant.id, &request.user_id))
        .map(|card| stored_card(card, &merchant.id))
        .collect();
    Ok(Outcome::Xml(
        CardListResponse::new().cards(cards).to_params(),
    ))
}

fn card_remove(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = CardRemoveRequest::decode(params).map_err(invalid)?;
    let card = app
        .store
        .remove_card(&merchant.id, &request.user_id, &request.card_token)
        .or_else(|failure| match failure.code.code() {
            // Not a card saved for payments: perhaps one saved for payouts.
            11068 => {
                app.store
                    .remove_payout_card(&merchant.id, &request.user_id, &request.card_token)
            }
            _ => Err(failure),
        })?;
    tracing::info!(card = %card.card_hash, "saved card removed");
    Ok(Outcome::Xml(
        CardRemoveResponse::new()
            .status(CardRemoveStatus::Success)
            .deleted_at(now())
            .to_params(),
    ))
}

fn token_init(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = TokenInitRequest::decode(params).map_err(invalid)?;
    if app
        .store
        .card(&merchant.id, &request.user_id, &request.card_token)
        .is_none()
    {
        return Err(Failure::new(
            ErrorCode::from_code(10032),
            "no saved card with this token for this user",
        ));
    }
    let id = app.store.next_id();
    let payment = Payment {
        id,
        merchant_id: merchant.id.clone(),
        order_id: request.order_id.clone(),
        amount: request.amount,
        amount_range: None,
        currency: "KZT".to_owned(),
        description: request.description.clone(),
        method: Method::Token {
            token: request.card_token.clone(),
        },
        auto_clearing: true,
        testing: false,
        state: PaymentState::New,
        captured: Amount::from_minor(0),
        refunds: Vec::new(),
        urls: Urls {
            result: request.result_url.clone(),
            success: request.success_url.clone(),
            failure: request.failure_url.clone(),
            ..Urls::default()
        },
        merchant_params: Vec::new(),
        phone: request.user_phone.clone(),
        card_pan: None,
        created_at: now(),
        paid_at: None,
    };
    let payment = app.store.create_payment(payment, idempotency(params))?;
    tracing::info!(payment_id = payment.id, "token payment created");
    Ok(Outcome::Xml(
        TokenInitResponse::new(payment.id, ResponseStatus::Ok)
            .merchant_id(merchant.id.parse().unwrap_or_default())
            .order_id(payment.order_id.clone())
            .to_params(),
    ))
}

fn token_direct(app: &Arc<App>, merchant: &Merchant, params: &Params) -> Result<Outcome, Failure> {
    let request = TokenDirectRequest::decode(params).map_err(invalid)?;
    // The card is read before the payment is locked for the change (the
    // store's lock is not re-entrant).
    let card = match app
        .store
        .payment(&merchant.id, request.payment_id)
        .map(|p| p.method)
    {
        Some(Method::Token { token }) => app.store.card_by_token(&token),
        _ => None,
    };
    let (payment, declined) =
        app.store
            .update_payment(Some(&merchant.id), request.payment_id, |p| {
                if !matches!(p.method, Method::Token { .. }) {
                    return Err(invalid("the payment was not created with card/init"));
                }
                if p.state != PaymentState::New {
                    return Err(Failure::new(
                        ErrorCode::from_code(10015),
                        "the payment has already been charged",
                    ));
                }
                let card = card.clone().ok_or_else(|| {
                    Failure::new(ErrorCode::from_code(10032), "the saved card was removed")
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
                        ErrorCode::from_code(10001),
                        "the issuing bank declined the payment",
                    );
                    p.state = PaymentState::Failed {
                        code: failure.code.code(),
                        description: failure.description.clone(),
                    };
                    Ok(Some(failure))
                }
            })?;
    crate::page::spawn_result(app.clone(), payment.clone());
    if let Some(failure) = declined {
        return Err(failure);
    }
    tracing::info!(payment_id = payment.id, "token payment charged");
    Ok(Outcome::Xml(
        TokenDirectResponse::new(ResponseStatus::Ok)
            .payment_id(payment.id)
            .merchant_id(merchant.id.parse().unwrap_or_default())
            .order_id(payment.order_id.clone())
            .to_params(),
    ))
}
