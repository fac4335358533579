//! The CVC page of a payment with a saved card (`card/pay`): the payer sees
//! the masked card and the amount, types the card's CVC, and is sent back to
//! the merchant's success or failure URL. A CVC that is not 3 or 4 digits is
//! shown inline and the payment stays open. The sandbox keeps no CVC of a
//! saved card, so any well-formed CVC is taken; the saved test card decides
//! whether the bank approves.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use freedompay::errors::ErrorCode;
use maud::html;

use crate::ops::App;
use crate::page::{check_cvc, not_found, outcome_page, page, read_card_form, redirect_back};
use crate::store::{Method, Payment, PaymentState};

/// The masked number of the payment's saved card, while it is saved.
fn saved_card_hash(app: &App, payment: &Payment) -> Option<String> {
    match &payment.method {
        Method::Token { token } => app.store.card_by_token(token).map(|c| c.card_hash),
        _ => None,
    }
}

fn cvc_form(payment: &Payment, card_hash: &str, cvc: &str, error: Option<&str>) -> Html<String> {
    page(
        "Confirm with CVC",
        html! {
            h1 { "Pay " (payment.amount) " " (payment.currency) }
            p { (payment.description) " — order " (payment.order_id) }
            p { "Saved card " span id="card" { (card_hash) } }
            form method="post" {
                label { "CVC " input name="cvc" id="cvc" inputmode="numeric" autocomplete="cc-csc" value=(cvc); }
                @if let Some(error) = error { p.error id="cvc_error" { (error) } }
                button type="submit" id="pay" { "Pay" }
            }
        },
    )
}

fn card_removed() -> Response {
    (
        StatusCode::CONFLICT,
        page(
            "Card removed",
            html! { h1 id="outcome" { "The saved card was removed" } p { "The payment cannot be made with it (code 10032)." } },
        ),
    )
        .into_response()
}

/// The token payment `id`, when there is one.
fn token_payment(app: &App, id: i64) -> Option<Payment> {
    app.store
        .payment_any(id)
        .filter(|p| matches!(p.method, Method::Token { .. }))
}

/// `GET /sandbox/token/{id}`: the CVC form, or the outcome once charged.
pub async fn show(State(app): State<Arc<App>>, Path(id): Path<i64>) -> Response {
    let Some(payment) = token_payment(&app, id) else {
        return not_found();
    };
    if payment.state != PaymentState::New {
        return outcome_page(&payment).into_response();
    }
    match saved_card_hash(&app, &payment) {
        Some(card_hash) => cvc_form(&payment, &card_hash, "", None).into_response(),
        None => card_removed(),
    }
}

/// `POST /sandbox/token/{id}`: the payer submits the CVC; the saved card is charged.
pub async fn submit(State(app): State<Arc<App>>, Path(id): Path<i64>, body: Bytes) -> Response {
    let Some(payment) = token_payment(&app, id) else {
        return not_found();
    };
    if payment.state != PaymentState::New {
        return outcome_page(&payment).into_response();
    }
    let Some(card_hash) = saved_card_hash(&app, &payment) else {
        return card_removed();
    };
    let cvc = read_card_form(&body).cvc.trim().to_owned();
    if let Err(message) = check_cvc(&cvc) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            cvc_form(&payment, &card_hash, &cvc, Some(message)),
        )
            .into_response();
    }
    match crate::ops::charge_saved_card(&app, None, id) {
        Ok((payment, _)) => redirect_back(&app, &payment),
        Err(failure) => match app.store.payment_any(id) {
            Some(payment) if payment.state != PaymentState::New => {
                outcome_page(&payment).into_response()
            }
            _ if failure.code == ErrorCode::InvalidCardNumber => card_removed(),
            _ => (StatusCode::CONFLICT, failure.description).into_response(),
        },
    }
}
