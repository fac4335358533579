//! The payee's pages: the payout page at `pg_redirect_url` of
//! `api/reg2nonreg`, where the payee types the card to be paid, and the page
//! of `cardstorage/add2`, where a card is saved for token payouts.
//!
//! The payout page checks the card form inline (number, expiry, CVC,
//! cardholder), then makes the payout against the merchant's payout balance
//! as the payout test cards say, notifies `pg_post_link`, and sends the payee
//! to `pg_back_link` when the payout succeeded or is in process; a declined
//! payout shows its code on the page. Once `pg_order_time_limit` has passed
//! (read as UTC) the payout fails with `10018`. `pg_payment_route=frame`
//! serves the same page. The card-saving page accepts any card that passes
//! the form's checks; a payout test card keeps its outcome for later token
//! payouts. Its `pg_post_link` is not called: the documentation describes no
//! notification for it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use freedompay::errors::ErrorCode;
use maud::html;

use crate::ops::{App, Failure};
use crate::page::{CardForm, card_fields, check_form, not_found, page, read_card_form};
use crate::store::{Payout, PayoutDestination, PayoutState, SavedCard, StoreError};

/// A payout of the payout page, brought up to date (expired when due).
fn page_payout(app: &Arc<App>, id: i64) -> Option<Payout> {
    let payout = app.store.payout(id)?;
    if !matches!(payout.destination, PayoutDestination::PayeePage { .. }) {
        return None;
    }
    Some(crate::ops::expire_if_due(app, payout))
}

fn payout_form(payout: &Payout, form: &CardForm, errors: &[(&str, String)]) -> Html<String> {
    let description = match &payout.destination {
        PayoutDestination::PayeePage { description, .. } => description.as_str(),
        _ => "",
    };
    page(
        "Payout",
        html! {
            h1 { "Receive " (payout.amount) " KZT" }
            p { (description) " — order " (payout.order_id) }
            p { "Type the card the money is paid to." }
            (card_fields(form, errors, "Receive"))
        },
    )
}

fn payout_outcome(payout: &Payout) -> Html<String> {
    let (title, text) = match &payout.state {
        PayoutState::Success => ("Payout successful", "The money was paid out.".to_owned()),
        PayoutState::Pending { .. } => (
            "Payout in process",
            "The payout is being processed.".to_owned(),
        ),
        PayoutState::Failed { code } => {
            let description = ErrorCode::from_code(*code)
                .description()
                .unwrap_or("the payout failed")
                .to_owned();
            ("Payout failed", format!("{description} (code {code})"))
        }
        PayoutState::AwaitingPayee => ("Payout waiting", "The payout waits for a card.".to_owned()),
    };
    page(title, html! { h1 id="outcome" { (title) } p { (text) } })
}

/// `GET /sandbox/payout/{id}`: the payout page.
pub async fn show_payout(State(app): State<Arc<App>>, Path(id): Path<i64>) -> Response {
    match page_payout(&app, id) {
        Some(payout) if payout.state == PayoutState::AwaitingPayee => {
            payout_form(&payout, &CardForm::default(), &[]).into_response()
        }
        Some(payout) => payout_outcome(&payout).into_response(),
        None => not_found(),
    }
}

/// `POST /sandbox/payout/{id}`: the payee submits the card to be paid.
pub async fn submit_payout(
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let Some(payout) = page_payout(&app, id) else {
        return not_found();
    };
    if payout.state != PayoutState::AwaitingPayee {
        return payout_outcome(&payout).into_response();
    }
    let form = read_card_form(&body);
    let errors = check_form(&form);
    if !errors.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            payout_form(&payout, &form, &errors),
        )
            .into_response();
    }
    let number: String = form.number.chars().filter(char::is_ascii_digit).collect();
    let payout = match crate::ops::pay_to_typed_card(&app, id, &number) {
        Ok(payout) => payout,
        Err(failure) if failure.code == ErrorCode::SystemError => {
            return (StatusCode::INTERNAL_SERVER_ERROR, failure.description).into_response();
        }
        // Made by another submission meanwhile.
        Err(_) => match app.store.payout(id) {
            Some(payout) => return payout_outcome(&payout).into_response(),
            None => return not_found(),
        },
    };
    tracing::info!(payout_id = id, card = %payout.card_hash, state = ?payout.state, "payout page submitted");
    match (&payout.state, &payout.destination) {
        (
            PayoutState::Success | PayoutState::Pending { .. },
            PayoutDestination::PayeePage { back_link, .. },
        ) => Redirect::to(back_link).into_response(),
        _ => payout_outcome(&payout).into_response(),
    }
}

fn card_page(form: &CardForm, errors: &[(&str, String)]) -> Html<String> {
    page(
        "Save a card for payouts",
        html! {
            h1 { "Save a card for payouts" }
            p { "Payouts are later sent to this card; nothing is charged." }
            (card_fields(form, errors, "Save card"))
        },
    )
}

fn card_saved() -> Html<String> {
    page("Card saved", html! { h1 id="outcome" { "Card saved" } })
}

/// `GET /sandbox/payout-card/{id}`: the page that saves a card for payouts.
pub async fn show_card(State(app): State<Arc<App>>, Path(id): Path<i64>) -> Response {
    match app.store.payout_card_session(id) {
        Some(session) if session.token.is_none() => {
            card_page(&CardForm::default(), &[]).into_response()
        }
        Some(_) => card_saved().into_response(),
        None => not_found(),
    }
}

/// `POST /sandbox/payout-card/{id}`: the payee submits the card to save.
pub async fn submit_card(
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let Some(session) = app.store.payout_card_session(id) else {
        return not_found();
    };
    if session.token.is_some() {
        return card_saved().into_response();
    }
    let form = read_card_form(&body);
    let errors = check_form(&form);
    if !errors.is_empty() {
        return (StatusCode::UNPROCESSABLE_ENTITY, card_page(&form, &errors)).into_response();
    }
    let number: String = form.number.chars().filter(char::is_ascii_digit).collect();
    let card = SavedCard::typed(
        "sandbox-payout-",
        &session.merchant_id,
        &session.user_id,
        number,
    );
    tracing::info!(session = id, card = %card.card_hash, "card saved for payouts");
    match app.store.save_payout_card(id, card) {
        Ok(session) => Redirect::to(&session.back_link).into_response(),
        Err(error @ StoreError::NotStored(_)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Failure::from(error).description,
        )
            .into_response(),
        // Saved by another submission meanwhile.
        Err(_) => card_saved().into_response(),
    }
}
