//! The Gateway API's card storage: `g2g/cardstorage/add` (server to server,
//! with 3-D Secure on the ACS page when the card asks for it),
//! `cardstorage/payment_acs`, `list` and `remove`. The cards are the
//! Merchant API's saved cards, in the same store: a card saved here is
//! listed, charged (`card/init`, the Gateway's token payment) and removed by
//! either API, and a card saved on the Merchant API's page is listed and
//! removed here.
//!
//! - The card is checked as a payment's would be: an expiry that has passed
//!   answers 10017, an impossible expiry or CVC 10005; a declining test card
//!   10001, a card that is no purchase test card 99999, a test card whose
//!   "card add" is not available 10001.
//! - A 3-D Secure card is saved only once the payer has passed on the ACS
//!   page and `payment_acs` brings its MD and PaRes (10004 when the payer
//!   failed; the codes of `paymentAcs` otherwise).
//! - Without `pg_card_pan`, `pg_card_token` names a card the user saved for
//!   payouts (`cardstorage/add2`): its data is completed, and it is saved for
//!   payments under the same token. Another token answers 10032.

use std::sync::Arc;

use freedompay::enums::{CardStatus, ResponseStatus};
use freedompay::errors::ErrorCode;
use freedompay::gateway::card_storage::{
    CardRemoveStatus, G2gCardAcsRequest, G2gCardAcsResponse, G2gCardAddRequest, G2gCardAddResponse,
    G2gCardListRequest, G2gCardListResponse, G2gCardRemoveRequest, G2gCardRemoveResponse,
    StoredCard,
};
use freedompay::test_data::{Availability, TestCard};

use super::card::Card;
use crate::merchant::Merchant;
use crate::ops::acs::{self, Returned};
use crate::ops::cards::{remove_saved_card, saved_cards};
use crate::ops::payments::{Issuer, issuer_of, three_ds_refused};
use crate::ops::{App, Failure, invalid};
use crate::store::{AcsKind, AcsPurpose, SavedCard};
use crate::values::now;

/// The prefix of the tokens of the cards the sandbox saves.
const TOKEN_PREFIX: &str = "sandbox-";

/// `g2g/cardstorage/add`.
pub(crate) fn card_add(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gCardAddRequest,
) -> Result<G2gCardAddResponse, Failure> {
    let user_id = request.user_id.trim().to_owned();
    let payout_card = match (&request.card_pan, &request.card_token) {
        (None, Some(token)) => Some(
            app.store
                .payout_card(&merchant.id, &user_id, token.trim())
                .ok_or_else(|| {
                    Failure::new(
                        ErrorCode::InvalidCardNumber,
                        "no card saved for payouts with this token for this user",
                    )
                })?,
        ),
        _ => None,
    };
    let card = Card::of_card_add(&request, payout_card.as_ref().map(|c| c.test_card.as_str()))
        .ok_or_else(|| invalid("pg_card_pan: required unless pg_card_token is sent"))?;
    card.check()?;
    let card_mask = card.masked();
    let issuer = issuer_of(card.number());
    if let Issuer::Declines(refused) = issuer {
        return Err(refused);
    }
    if TestCard::find(card.number()).and_then(|c| c.card_add) != Some(Availability::Available) {
        return Err(Failure::new(
            ErrorCode::PaymentErrorContactIssuer,
            "the issuer does not allow saving this card",
        ));
    }
    let mut saved = SavedCard::typed(
        TOKEN_PREFIX,
        &merchant.id,
        &user_id,
        card.number().to_owned(),
    );
    if let Some(payout_card) = payout_card {
        saved.token = payout_card.token;
    }
    let id = app.store.next_id();
    tracing::info!(operation = id, card = %card_mask, "card sent to be saved");
    let mut answer = G2gCardAddResponse::new(id, ResponseStatus::Ok, issuer != Issuer::Approves)
        .user_id(user_id)
        .card_mask(card_mask.clone())
        .datetime(now());
    if let Some(order_id) = &request.order_id {
        answer = answer.order_id(order_id.clone());
    }
    if issuer == Issuer::Approves {
        let saved = app.store.add_card(saved)?;
        tracing::info!(operation = id, card = %saved.card_hash, "card saved");
        return Ok(answer.card_token(saved.token));
    }
    let purpose = AcsPurpose::CardAdd {
        card: saved,
        order_id: request.order_id.clone(),
    };
    let three_ds = acs::open(app, merchant, id, purpose, card_mask, None)?;
    Ok(answer.three_d_acs_url(three_ds.url))
}

/// `g2g/cardstorage/payment_acs`: saves a card that waited for 3-D Secure.
pub(crate) fn card_acs(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gCardAcsRequest,
) -> Result<G2gCardAcsResponse, Failure> {
    let returned = Returned {
        md: &request.md,
        pares: &request.pares,
    };
    let (session, passed) = acs::take(
        app,
        merchant,
        request.payment_id,
        AcsKind::CardAdd,
        Some(returned),
    )?;
    let AcsPurpose::CardAdd { card, order_id } = session.purpose else {
        return Err(invalid("the operation does not save a card"));
    };
    if !passed {
        return Err(three_ds_refused());
    }
    let saved = app.store.add_card(card)?;
    tracing::info!(operation = session.id, card = %saved.card_hash, "card saved");
    let mut answer = G2gCardAcsResponse::new(session.id, ResponseStatus::Ok, false)
        .card_mask(saved.card_hash.clone())
        .card_token(saved.token)
        .user_id(saved.user_id)
        .datetime(now());
    if let Some(order_id) = order_id {
        answer = answer.order_id(order_id);
    }
    Ok(answer)
}

/// `g2g/cardstorage/list`: the user's cards, for payments and payouts.
pub(crate) fn card_list(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gCardListRequest,
) -> Result<G2gCardListResponse, Failure> {
    let cards = saved_cards(app, merchant, request.user_id.trim())
        .into_iter()
        .map(|card| {
            StoredCard::new()
                .status(CardStatus::Approved)
                .card_token(card.token)
                .is_filled(true)
                .card_hash(card.card_hash)
                .created_at(card.created_at)
        })
        .collect();
    Ok(G2gCardListResponse::new().cards(cards))
}

/// `g2g/cardstorage/remove`: as the Merchant API's remove.
pub(crate) fn card_remove(
    app: &Arc<App>,
    merchant: &Merchant,
    request: G2gCardRemoveRequest,
) -> Result<G2gCardRemoveResponse, Failure> {
    remove_saved_card(
        app,
        merchant,
        request.user_id.trim(),
        request.card_token.trim(),
    )?;
    Ok(G2gCardRemoveResponse::new(CardRemoveStatus::Success).deleted_at(now()))
}
