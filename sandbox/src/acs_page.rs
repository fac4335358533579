//! The card issuer's 3-D Secure page of the Gateway API (the ACS, at
//! `pg_3d_acsurl`): the merchant sends the payer there, posting the PaReq
//! and MD of its answer and a `TermUrl` (the usual 3-D Secure form; `GET`
//! with them in the query, or with none, shows the page as well). The payer
//! types the issuer's password ([`crate::payer::THREE_DS_PASSWORD`], as on
//! the payment page; the third wrong one fails) or cancels. The page then
//! hands `PaRes` and `MD` back: posted to the `TermUrl` by a form that
//! submits itself, or shown on the page when no `http(s)` `TermUrl` was
//! given, for the merchant to pass on (`g2g/paymentAcs`).
//!
//! An MD or PaReq that is not the session's is refused (HTTP 400); a session
//! whose answer was used shows that it is over.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use freedompay::{Params, form};
use maud::{DOCTYPE, Markup, html};

use crate::ops::App;
use crate::ops::acs::{AcsTurn, PayerStep, payer_step};
use crate::page::{not_found, page};
use crate::payer::THREE_DS_PASSWORD;
use crate::store::{AcsSession, AcsStep};

/// The first of `names` among the form's fields, whatever the case of its
/// name, trimmed; empty values count as missing.
fn field<'a>(fields: &'a Params, names: &[&str]) -> Option<&'a str> {
    fields
        .iter()
        .filter(|(name, _)| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
        .find_map(|(_, value)| value.as_text())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The `TermUrl` the merchant gave, when it is an `http(s)` address.
fn term_url(fields: &Params) -> Option<&str> {
    field(fields, &["TermUrl", "term_url"]).filter(|url| {
        let lower = url.to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    })
}

/// The password form.
fn password_form(session: &AcsSession, term_url: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        h1 { "3-D Secure" }
        p {
            "Your bank asks you to confirm "
            @if let Some(amount) = &session.amount { "the payment of " (amount) " " }
            "with card " span id="card" { (session.card_mask) } "."
        }
        form method="post" {
            input type="hidden" name="MD" value=(session.md);
            @if let Some(url) = term_url { input type="hidden" name="TermUrl" value=(url); }
            label { "Password " input name="password" id="password" type="password" autocomplete="one-time-code"; }
            @if let Some(error) = error { p.error id="password_error" { (error) } }
            button type="submit" id="confirm" name="action" value="confirm" { "Confirm" }
            " "
            button type="submit" id="cancel" name="action" value="cancel" { "Cancel" }
        }
        p { small { "The sandbox's 3-D Secure password is " code { (THREE_DS_PASSWORD) } "." } }
    }
}

/// The way back to the merchant once the payer is done: `PaRes` and `MD`
/// posted to `term_url`, or shown.
fn back_to_merchant(session: &AcsSession, term_url: Option<&str>) -> Response {
    let AcsStep::Answered { pares, passed } = &session.step else {
        return over();
    };
    if let Some(url) = term_url {
        return Html(
            html! {
                (DOCTYPE)
                html { body onload="document.forms[0].submit()" {
                    form method="post" action=(url) {
                        input type="hidden" name="PaRes" value=(pares);
                        input type="hidden" name="MD" value=(session.md);
                        noscript { button type="submit" { "Back to the shop" } }
                    }
                } }
            }
            .into_string(),
        )
        .into_response();
    }
    let outcome = if *passed {
        "You have confirmed the payment."
    } else {
        "The payment was not confirmed."
    };
    page(
        "3-D Secure",
        html! {
            h1 id="outcome" { (outcome) }
            p { "Pass these values on to the gateway (pg_md and pg_pares):" }
            p { "MD " code id="md" { (session.md) } }
            p { "PaRes " code id="pares" { (pares) } }
        },
    )
    .into_response()
}

/// A session whose answer the merchant has used.
fn over() -> Response {
    page(
        "3-D Secure",
        html! { h1 id="outcome" { "This 3-D Secure check is over" } },
    )
    .into_response()
}

/// The page's answer to the fields a browser sent.
fn respond(app: &App, id: i64, fields: &Params) -> Response {
    let Some(session) = app.store.acs_session(id) else {
        return not_found();
    };
    let md = field(fields, &["MD", "pg_3d_md"]);
    let pareq = field(fields, &["PaReq", "pg_3d_pareq"]);
    if md.is_some_and(|md| md != session.md) || pareq.is_some_and(|p| p != session.pareq) {
        return (
            StatusCode::BAD_REQUEST,
            page(
                "3-D Secure",
                html! { h1 { "This MD or PaReq does not belong to this 3-D Secure check" } },
            ),
        )
            .into_response();
    }
    let term_url = term_url(fields);
    let step = if field(fields, &["action"]).is_some_and(|a| a.eq_ignore_ascii_case("cancel")) {
        Some(PayerStep::Cancel)
    } else {
        field(fields, &["password"]).map(|p| PayerStep::Password(p.to_owned()))
    };
    match (step, &session.step) {
        (_, AcsStep::Used { .. }) => over(),
        (None, AcsStep::Waiting { .. }) => {
            page("3-D Secure", password_form(&session, term_url, None)).into_response()
        }
        (None, AcsStep::Answered { .. }) => back_to_merchant(&session, term_url),
        (Some(step), _) => match payer_step(app, id, &step) {
            Ok(AcsTurn::WrongPassword(session)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                page(
                    "3-D Secure",
                    password_form(
                        &session,
                        term_url,
                        Some("The password is wrong; try again."),
                    ),
                ),
            )
                .into_response(),
            Ok(AcsTurn::Answered(session)) => back_to_merchant(&session, term_url),
            Err(failure) => {
                (StatusCode::INTERNAL_SERVER_ERROR, failure.description).into_response()
            }
        },
    }
}

/// `GET /sandbox/acs/{id}`: the page, with `MD`, `PaReq` and `TermUrl` in
/// the query or without them.
pub async fn show(
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Response {
    respond(
        &app,
        id,
        &form::decode(query.as_deref().unwrap_or_default()),
    )
}

/// `POST /sandbox/acs/{id}`: the merchant's form (`PaReq`, `MD`, `TermUrl`)
/// or the payer's step (`password`, or `action=cancel`).
pub async fn submit(State(app): State<Arc<App>>, Path(id): Path<i64>, body: Bytes) -> Response {
    respond(&app, id, &form::decode(&String::from_utf8_lossy(&body)))
}
