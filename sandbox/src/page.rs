//! The hosted payment page at `pg_redirect_url`: the payer types a test card,
//! sees mistakes inline, and is sent back to the merchant's success or
//! failure URL. Around the charge the gateway's calls to the merchant: the
//! check before it, the result after it, and the payout notification.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use freedompay::enums::{PaymentMethod, ResponseStatus};
use freedompay::errors::ErrorCode;
use freedompay::merchant::callbacks::{
    CheckCallback, PayoutNotifyCallback, RedirectBackCallback, ResultCallback,
};
use freedompay::test_data::{Availability, CardUse, Outcome as CardOutcome, TestCard};
use freedompay::{Encode, Params, form};
use maud::{DOCTYPE, Markup, html};

use crate::App;
use crate::notify::{self, Answer};
use crate::ops::{currency, mask, now};
use crate::store::{Method, Payment, PaymentState, PayoutState};

pub(crate) fn page(title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    title { (title) " — Freedom Pay sandbox" }
                    style { "body{font-family:sans-serif;max-width:32rem;margin:2rem auto}label{display:block;margin:.6rem 0}.error{color:#b00020}input{font-size:1rem}" }
                }
                body {
                    p { small { "Freedom Pay sandbox — no real money moves" } }
                    (body)
                }
            }
        }
        .into_string(),
    )
}

pub(crate) fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        page("Not found", html! { h1 { "This payment does not exist" } }),
    )
        .into_response()
}

/// What the payer typed.
#[derive(Debug, Default, Clone)]
pub(crate) struct CardForm {
    pub(crate) number: String,
    pub(crate) expiry: String,
    pub(crate) cvc: String,
    pub(crate) holder: String,
}

/// The card fields with their inline errors.
pub(crate) fn card_fields(form: &CardForm, errors: &[(&str, String)], button: &str) -> Markup {
    let error_for = |field: &str| {
        errors
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
    };
    html! {
        form method="post" {
            label { "Card number " input name="card_number" id="card_number" inputmode="numeric" autocomplete="cc-number" value=(form.number); }
            @for e in error_for("card_number") { p.error id="card_number_error" { (e) } }
            label { "Expiry (MM/YY) " input name="expiry" id="expiry" placeholder="09/30" value=(form.expiry); }
            @for e in error_for("expiry") { p.error id="expiry_error" { (e) } }
            label { "CVC " input name="cvc" id="cvc" inputmode="numeric" value=(form.cvc); }
            @for e in error_for("cvc") { p.error id="cvc_error" { (e) } }
            label { "Cardholder " input name="holder" id="holder" placeholder="IVAN IVANOV" value=(form.holder); }
            @for e in error_for("holder") { p.error id="holder_error" { (e) } }
            button type="submit" id="pay" { (button) }
        }
        p { small { "Use a documented test card (freedompay::test_data::TEST_CARDS), e.g. 4716047261941981." } }
    }
}

pub(crate) fn card_form(
    payment: &Payment,
    form: &CardForm,
    errors: &[(&str, String)],
) -> Html<String> {
    page(
        "Payment",
        html! {
            h1 { "Pay " (payment.amount) " " (payment.currency) }
            p { (payment.description) " — order " (payment.order_id) }
            @if payment.method == Method::MobileBalance {
                p { "This payment is paid from a mobile balance: the merchant confirms it with mfs/pay and mfs/approve." }
            } @else {
                (card_fields(form, errors, "Pay"))
            }
        },
    )
}

pub(crate) fn outcome_page(payment: &Payment) -> Html<String> {
    let (title, text) = match &payment.state {
        PaymentState::Paid | PaymentState::Held => {
            ("Payment successful", "The payment went through.".to_owned())
        }
        PaymentState::Failed { code, description } => {
            ("Payment failed", format!("{description} (code {code})"))
        }
        PaymentState::Cancelled => ("Payment cancelled", "The payment was cancelled.".to_owned()),
        PaymentState::New | PaymentState::AwaitingCode { .. } => {
            ("Payment pending", "The payment is not finished.".to_owned())
        }
    };
    page(title, html! { h1 id="outcome" { (title) } p { (text) } })
}

/// `GET /sandbox/pay/{id}`.
pub async fn show(State(app): State<Arc<App>>, Path(id): Path<i64>) -> Response {
    let Some(payment) = app.store.payment_any(id) else {
        return not_found();
    };
    match payment.state {
        PaymentState::New => card_form(&payment, &CardForm::default(), &[]).into_response(),
        _ => outcome_page(&payment).into_response(),
    }
}

/// The current year and month, from the clock.
pub(crate) fn this_month() -> (u32, u32) {
    let stamp = now();
    let year = stamp.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(2000);
    let month = stamp.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    (year, month)
}

pub(crate) fn check_form(form: &CardForm) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    let digits: String = form.number.chars().filter(|c| !c.is_whitespace()).collect();
    if !(12..=19).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        errors.push((
            "card_number",
            "Enter the 12 to 19 digits of the card number.".to_owned(),
        ));
    }
    let expiry = form.expiry.trim();
    let parsed = expiry
        .split_once('/')
        .and_then(|(m, y)| Some((m.trim().parse::<u32>().ok()?, y.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((month, year)) if (1..=12).contains(&month) && year < 100 => {
            let (now_year, now_month) = this_month();
            if (2000 + year, month) < (now_year, now_month) {
                errors.push(("expiry", "This card has expired.".to_owned()));
            }
        }
        _ => errors.push(("expiry", "Enter the expiry as MM/YY.".to_owned())),
    }
    let cvc = form.cvc.trim();
    if !(3..=4).contains(&cvc.len()) || !cvc.chars().all(|c| c.is_ascii_digit()) {
        errors.push((
            "cvc",
            "Enter the 3 or 4 digits on the back of the card.".to_owned(),
        ));
    }
    let words = form.holder.split_whitespace().count();
    if words < 2
        || !form
            .holder
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c.is_whitespace() || c == '-')
    {
        errors.push((
            "holder",
            "Enter the cardholder's name as on the card, in Latin letters.".to_owned(),
        ));
    }
    errors
}

pub(crate) fn read_card_form(body: &[u8]) -> CardForm {
    let fields = form::decode(&String::from_utf8_lossy(body));
    let get = |name: &str| fields.get_text(name).unwrap_or_default().to_owned();
    CardForm {
        number: get("card_number"),
        expiry: get("expiry"),
        cvc: get("cvc"),
        holder: get("holder"),
    }
}

fn card_session_page(form: &CardForm, errors: &[(&str, String)]) -> Html<String> {
    page(
        "Save a card",
        html! {
            h1 { "Save a card" }
            p { "The card is saved for later payments; nothing is charged now." }
            (card_fields(form, errors, "Save card"))
        },
    )
}

/// `GET /sandbox/card/{id}`: the card-storage page.
pub async fn show_card_session(State(app): State<Arc<App>>, Path(id): Path<i64>) -> Response {
    match app.store.card_session(id) {
        Some(session) if session.token.is_none() => {
            card_session_page(&CardForm::default(), &[]).into_response()
        }
        Some(_) => page("Card saved", html! { h1 id="outcome" { "Card saved" } }).into_response(),
        None => not_found(),
    }
}

/// `POST /sandbox/card/{id}`: the payer submits the card to save.
pub async fn submit_card_session(
    State(app): State<Arc<App>>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let Some(session) = app.store.card_session(id).filter(|s| s.token.is_none()) else {
        return not_found();
    };
    let form = read_card_form(&body);
    let mut errors = check_form(&form);
    let number: String = form.number.chars().filter(char::is_ascii_digit).collect();
    let card = TestCard::find(&number).filter(|c| c.usage == CardUse::Purchase);
    if errors.is_empty() && card.and_then(|c| c.card_add) != Some(Availability::Available) {
        errors.push((
            "card_number",
            "This card cannot be saved: use a test card whose \"card add\" is available."
                .to_owned(),
        ));
    }
    if !errors.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            card_session_page(&form, &errors),
        )
            .into_response();
    }
    let saved = crate::store::SavedCard {
        token: format!("sandbox-{}", freedompay::signature::generate_salt()),
        merchant_id: session.merchant_id.clone(),
        user_id: session.user_id.clone(),
        card_hash: mask(&number),
        test_card: number,
        deleted: false,
        created_at: now(),
    };
    tracing::info!(session = id, card = %saved.card_hash, "card saved");
    match app.store.save_card(id, saved) {
        Ok(session) => Redirect::to(&session.back_link).into_response(),
        Err(failure) => (StatusCode::INTERNAL_SERVER_ERROR, failure.description).into_response(),
    }
}

/// `POST /sandbox/pay/{id}`: the payer submits a card.
pub async fn submit(State(app): State<Arc<App>>, Path(id): Path<i64>, body: Bytes) -> Response {
    let Some(payment) = app.store.payment_any(id) else {
        return not_found();
    };
    if payment.state != PaymentState::New || payment.method != Method::Card {
        return outcome_page(&payment).into_response();
    }
    let form = read_card_form(&body);
    let errors = check_form(&form);
    if !errors.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            card_form(&payment, &form, &errors),
        )
            .into_response();
    }
    let number: String = form.number.chars().filter(char::is_ascii_digit).collect();
    let card = TestCard::find(&number).filter(|c| c.usage == CardUse::Purchase);
    tracing::info!(payment_id = id, card = %mask(&number), "card submitted");

    let decision = match card.map(|c| c.outcome) {
        Some(CardOutcome::Success | CardOutcome::PendingThenSuccess) => Ok(()),
        Some(_) => Err((
            ErrorCode::from_code(10001),
            "the issuing bank declined the payment".to_owned(),
        )),
        None => Err((
            ErrorCode::from_code(99999),
            "unknown card: use a documented test card".to_owned(),
        )),
    };
    let decision = match decision {
        Ok(()) => run_check(&app, &payment).await,
        refused => refused,
    };
    let three_ds = card.and_then(|c| c.three_ds) == Some(Availability::Available);
    let updated = app.store.update_payment(None, id, |p| {
        if p.state != PaymentState::New {
            return Ok(());
        }
        p.card_pan = Some(mask(&number));
        p.paid_at = Some(now());
        match &decision {
            Ok(()) if p.auto_clearing => {
                p.state = PaymentState::Paid;
                p.captured = p.amount;
            }
            Ok(()) => p.state = PaymentState::Held,
            Err((code, description)) => {
                p.state = PaymentState::Failed {
                    code: code.code(),
                    description: description.clone(),
                };
            }
        }
        Ok(())
    });
    let Ok((payment, ())) = updated else {
        return not_found();
    };
    tracing::info!(
        payment_id = id,
        state = payment.state.wire(),
        three_ds,
        "payment processed"
    );
    spawn_result(app.clone(), payment.clone());
    redirect_back(&app, &payment)
}

/// The check callback before charging; anything but a signed `ok` refuses.
pub(crate) async fn run_check(
    app: &Arc<App>,
    payment: &Payment,
) -> Result<(), (ErrorCode, String)> {
    let Some(url) = &payment.urls.check else {
        return Ok(());
    };
    let Some(merchant) = app.merchant(&payment.merchant_id) else {
        return Ok(());
    };
    let currency = currency(&payment.currency);
    let callback = CheckCallback::new(
        payment.order_id.clone(),
        payment.id,
        payment.amount,
        currency.clone(),
        payment.amount,
        currency,
        payment.amount,
    );
    let params = with_merchant_params(callback.to_params(), payment);
    let params = notify::sign_for(url, &merchant.secret, params);
    let method = payment.urls.request_method.as_deref().unwrap_or("POST");
    match app
        .notifier
        .check(url, method, &merchant.secret, &params)
        .await
    {
        Answer::Ok => Ok(()),
        Answer::Rejected(reason) => Err((
            ErrorCode::from_code(9994),
            format!("the merchant's check refused the payment: {reason}"),
        )),
        Answer::Failed(reason) => Err((
            ErrorCode::from_code(9994),
            format!("the merchant's check did not accept the payment: {reason}"),
        )),
    }
}

pub(crate) fn with_merchant_params(mut params: Params, payment: &Payment) -> Params {
    for (name, value) in &payment.merchant_params {
        params.push(name.clone(), value.clone());
    }
    params
}

/// Sends the result callback in the background, retrying on the policy's schedule.
pub fn spawn_result(app: Arc<App>, payment: Payment) {
    let Some(url) = payment.urls.result.clone() else {
        return;
    };
    tokio::spawn(async move {
        let Some(merchant) = app.merchant(&payment.merchant_id) else {
            return;
        };
        let success = matches!(payment.state, PaymentState::Paid | PaymentState::Held);
        let currency = currency(&payment.currency);
        let mut callback = ResultCallback::new(
            payment.order_id.clone(),
            payment.id,
            payment.amount,
            currency.clone(),
            payment.amount,
            payment.amount,
            payment.amount,
            currency,
            payment.description.clone(),
            i64::from(success),
            payment.paid_at.clone().unwrap_or_else(now),
            success,
        )
        .testing_mode(payment.testing)
        .captured(i64::from(!payment.captured.as_decimal().is_zero()))
        .payment_method(match payment.method {
            Method::Card | Method::Token { .. } => PaymentMethod::BankCard,
            Method::MobileBalance => PaymentMethod::MobileCommerce,
        });
        if let Some(pan) = &payment.card_pan {
            callback = callback.card_pan(pan.clone());
        }
        if let Some(phone) = &payment.phone {
            callback = callback.user_phone(phone.clone());
        }
        let params = with_merchant_params(callback.to_params(), &payment);
        let params = crate::ops::with_recurring_profile(&app, &payment, params);
        let params = notify::sign_for(&url, &merchant.secret, params);
        let method = payment.urls.request_method.as_deref().unwrap_or("POST");
        let (answer, attempts) = app
            .notifier
            .result(&url, method, &merchant.secret, &params)
            .await;
        tracing::info!(
            payment_id = payment.id,
            attempts,
            ?answer,
            "result callback done"
        );
    });
}

/// Settles a payout after the delay (when pending) and notifies `pg_post_link`.
pub fn spawn_payout_notify(app: Arc<App>, payout_id: i64) {
    tokio::spawn(async move {
        let Some(payout) = app.store.payout(payout_id) else {
            return;
        };
        if matches!(payout.state, PayoutState::Pending { .. }) {
            tokio::time::sleep(app.payout_delay).await;
        }
        let Some((payout, balance)) = app.store.settle_payout(payout_id) else {
            return;
        };
        let (Some(url), Some(merchant)) =
            (payout.post_link.clone(), app.merchant(&payout.merchant_id))
        else {
            return;
        };
        let status = match payout.state {
            PayoutState::Success => ResponseStatus::Ok,
            _ => ResponseStatus::Error,
        };
        let callback =
            PayoutNotifyCallback::new(payout.id, merchant.id.parse().unwrap_or_default())
                .order_id(payout.order_id.clone())
                .card_hash(payout.card_hash.clone())
                .status(status)
                .balance(balance.to_string())
                .payment_amount(payout.amount.to_string())
                .payment_date(payout.created_at.clone());
        let params = notify::sign_for(&url, merchant.key(true), callback.to_params());
        let (answer, attempts) = app.notifier.payout(&url, &params).await;
        tracing::info!(payout_id, attempts, ?answer, "payout notification done");
    });
}

/// Sends the payer back to the success or failure URL with the signed parameters.
pub(crate) fn redirect_back(app: &Arc<App>, payment: &Payment) -> Response {
    let success = matches!(payment.state, PaymentState::Paid | PaymentState::Held);
    let (url, method) = if success {
        (&payment.urls.success, &payment.urls.success_method)
    } else {
        (&payment.urls.failure, &payment.urls.failure_method)
    };
    let (Some(url), Some(merchant)) = (url, app.merchant(&payment.merchant_id)) else {
        return outcome_page(payment).into_response();
    };
    let mut callback = RedirectBackCallback::new(payment.order_id.clone(), payment.id);
    if let PaymentState::Failed { code, description } = &payment.state {
        callback = callback
            .error_code(*code)
            .error_description(description.clone());
    }
    let params = notify::sign_for(url, &merchant.secret, callback.to_params());
    if method.as_deref() == Some("POST") {
        let fields = form::to_pairs(&params);
        return Html(
            html! {
                (DOCTYPE)
                html { body onload="document.forms[0].submit()" {
                    form method="post" action=(url) {
                        @for (name, value) in &fields { input type="hidden" name=(name) value=(value); }
                        noscript { button type="submit" { "Back to the shop" } }
                    }
                } }
            }
            .into_string(),
        )
        .into_response();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    let target = format!("{url}{separator}{}", form::encode(&params));
    ([(header::CACHE_CONTROL, "no-store")], Redirect::to(&target)).into_response()
}
