//! The hosted payment page at `pg_redirect_url`: the payer types a test card,
//! sees mistakes inline, and is sent back to the merchant's success or
//! failure URL. Before the charge the merchant's check is asked for; once
//! the payment is settled (by the operations, which then report it for the
//! result callback) the payer goes back. Also the card-storage page, and the parts of a page the
//! payout and CVC pages share.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use freedompay::merchant::callbacks::RedirectBackCallback;
use freedompay::test_data::{Availability, CardUse, TestCard};
use freedompay::{Amount, Encode, Params, form};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::notify::{self, Notifications};
use crate::ops::{
    App, Failure, Issuer, Page, THREE_DS_ATTEMPTS, await_three_ds, issuer_of, settle,
    three_ds_refused,
};
use crate::payer::THREE_DS_PASSWORD;
use crate::store::{AmountRange, Method, Payment, PaymentState, StoreError};
use crate::values::{mask, this_month};

pub(crate) fn page(title: &str, body: Markup) -> Html<String> {
    document(
        &format!("{title} — Freedom Pay sandbox"),
        "body{font-family:sans-serif;max-width:32rem;margin:2rem auto}label{display:block;margin:.6rem 0}.error{color:#b00020}input{font-size:1rem}",
        html! {
            p { small { "Freedom Pay sandbox — no real money moves" } }
            (body)
        },
    )
}

/// An HTML document of the sandbox: its title, its style sheet and its body.
pub(crate) fn document(title: &str, style: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) }
                    style { (PreEscaped(style)) }
                }
                body { (body) }
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
    /// The amount, when the payer chooses it (any amount).
    pub(crate) amount: String,
}

/// The messages for `field` among `errors`.
fn errors_for(errors: &[(&str, String)], field: &str) -> Vec<String> {
    errors
        .iter()
        .filter(|(f, _)| *f == field)
        .map(|(_, m)| m.clone())
        .collect()
}

/// The card fields with their inline errors.
pub(crate) fn card_fields(form: &CardForm, errors: &[(&str, String)], button: &str) -> Markup {
    card_fields_after(html! {}, form, errors, button)
}

/// The card form with `first` (more fields) at its top.
fn card_fields_after(
    first: Markup,
    form: &CardForm,
    errors: &[(&str, String)],
    button: &str,
) -> Markup {
    html! {
        form method="post" {
            (first)
            label { "Card number " input name="card_number" id="card_number" inputmode="numeric" autocomplete="cc-number" value=(form.number); }
            @for e in errors_for(errors, "card_number") { p.error id="card_number_error" { (e) } }
            label { "Expiry (MM/YY) " input name="expiry" id="expiry" placeholder="09/30" value=(form.expiry); }
            @for e in errors_for(errors, "expiry") { p.error id="expiry_error" { (e) } }
            label { "CVC " input name="cvc" id="cvc" inputmode="numeric" value=(form.cvc); }
            @for e in errors_for(errors, "cvc") { p.error id="cvc_error" { (e) } }
            label { "Cardholder " input name="holder" id="holder" placeholder="IVAN IVANOV" value=(form.holder); }
            @for e in errors_for(errors, "holder") { p.error id="holder_error" { (e) } }
            button type="submit" id="pay" { (button) }
        }
        p { small { "Use a documented test card (freedompay::test_data::TEST_CARDS), e.g. 4716047261941981." } }
    }
}

/// The bounds of an any-amount payment, as the page states them.
fn range_text(range: &AmountRange, currency: &str) -> String {
    match range.to {
        Some(to) => format!("from {} to {to} {currency}", range.from),
        None => format!("of at least {} {currency}", range.from),
    }
}

/// The payment page's card form (with the amount, for any amount).
pub(crate) fn card_form(
    payment: &Payment,
    form: &CardForm,
    errors: &[(&str, String)],
) -> Html<String> {
    let heading = match &payment.amount_range {
        Some(range) => format!("Pay an amount {}", range_text(range, &payment.currency)),
        None => format!("Pay {} {}", payment.amount, payment.currency),
    };
    let amount_field = match &payment.amount_range {
        Some(_) => html! {
            label { "Amount (" (payment.currency) ") " input name="amount" id="amount" inputmode="decimal" value=(form.amount); }
            @for e in errors_for(errors, "amount") { p.error id="amount_error" { (e) } }
        },
        None => html! {},
    };
    page(
        "Payment",
        html! {
            h1 { (heading) }
            p { (payment.description) " — order " (payment.order_id) }
            (card_fields_after(amount_field, form, errors, "Pay"))
        },
    )
}

/// The mobile-balance page: the subscriber's operator and phone number.
fn phone_page(
    payment: &Payment,
    phone: &str,
    operator: &str,
    errors: &[(&str, String)],
) -> Html<String> {
    page(
        "Payment",
        html! {
            h1 { "Pay " (payment.amount) " " (payment.currency) }
            p { (payment.description) " — order " (payment.order_id) }
            p { "Paid from the balance of a mobile phone: a confirmation code is sent to it." }
            form method="post" {
                label { "Operator "
                    select name="operator" id="operator" {
                        @for code in OPERATORS {
                            option value=(code) selected[operator == *code] { (code) }
                        }
                    }
                }
                label { "Phone number " input name="phone" id="phone" inputmode="tel" placeholder="+77017777777" value=(phone); }
                @for e in errors_for(errors, "phone") { p.error id="phone_error" { (e) } }
                button type="submit" id="send_code" { "Send the code" }
            }
            p { small { "Use a documented test phone (freedompay::test_data::TEST_PHONES), e.g. +77017777777." } }
        },
    )
}

/// The operators the phone form offers.
const OPERATORS: &[&str] = &["KCELLKZT", "ACTIVKZT", "BEELINEKZT", "TELE2KZT", "ALTELKZT"];

/// The confirmation-code form of a mobile-balance payment.
fn code_form(payment: &Payment, errors: &[(&str, String)]) -> Html<String> {
    page(
        "Confirmation code",
        html! {
            h1 { "Confirm " (payment.amount) " " (payment.currency) }
            p { "A code was sent to " (payment.phone.as_deref().unwrap_or("the phone")) "." }
            form method="post" {
                label { "Code " input name="code" id="code" inputmode="numeric" autocomplete="one-time-code"; }
                @for e in errors_for(errors, "code") { p.error id="code_error" { (e) } }
                button type="submit" id="confirm" { "Confirm" }
            }
            p { small { "The test phones' code is in freedompay::test_data::TEST_PHONES." } }
        },
    )
}

/// The issuer's 3-D Secure page.
fn three_ds_form(payment: &Payment, errors: &[(&str, String)]) -> Html<String> {
    page(
        "3-D Secure",
        html! {
            h1 { "3-D Secure" }
            p { "Your bank asks you to confirm the payment of " (payment.amount) " " (payment.currency)
                " with card " (payment.card_pan.as_deref().unwrap_or_default()) "." }
            form method="post" {
                label { "Password " input name="password" id="password" type="password" autocomplete="one-time-code"; }
                @for e in errors_for(errors, "password") { p.error id="password_error" { (e) } }
                button type="submit" id="confirm" { "Confirm" }
            }
            p { small { "The sandbox's 3-D Secure password is " code { (THREE_DS_PASSWORD) } "." } }
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
        PaymentState::New
        | PaymentState::AwaitingCode { .. }
        | PaymentState::AwaitingThreeDs { .. } => {
            ("Payment pending", "The payment is not finished.".to_owned())
        }
    };
    page(title, html! { h1 id="outcome" { (title) } p { (text) } })
}

/// A Gateway payment waiting for 3-D Secure passes it on the issuer's ACS
/// page, not here: the browser is sent there.
fn on_the_acs_page(app: &App, payment: &Payment) -> Option<Response> {
    let waiting = matches!(payment.state, PaymentState::AwaitingThreeDs { .. });
    (waiting && app.store.acs_session(payment.id).is_some())
        .then(|| Redirect::to(&app.page_url(Page::Acs, payment.id)).into_response())
}

/// `GET /sandbox/pay/{id}`: the step the payment is at.
pub async fn show(State(app): State<Arc<App>>, Path(id): Path<i64>) -> Response {
    let Some(payment) = app.store.payment_any(id) else {
        return not_found();
    };
    if let Some(acs) = on_the_acs_page(&app, &payment) {
        return acs;
    }
    match payment.state {
        PaymentState::New if payment.method == Method::MobileBalance => {
            let phone = payment.phone.clone().unwrap_or_default();
            phone_page(&payment, &phone, "", &[]).into_response()
        }
        PaymentState::New => {
            let form = CardForm {
                amount: suggested_amount(&payment),
                ..CardForm::default()
            };
            card_form(&payment, &form, &[]).into_response()
        }
        PaymentState::AwaitingCode { .. } => code_form(&payment, &[]).into_response(),
        PaymentState::AwaitingThreeDs { .. } => three_ds_form(&payment, &[]).into_response(),
        _ => outcome_page(&payment).into_response(),
    }
}

/// The amount an any-amount form starts with: the merchant's `pg_amount`, if any.
fn suggested_amount(payment: &Payment) -> String {
    if payment.amount_range.is_some() && !payment.amount.as_decimal().is_zero() {
        payment.amount.to_string()
    } else {
        String::new()
    }
}

/// A CVC is the 3 or 4 digits on the back of the card.
pub(crate) fn check_cvc(cvc: &str) -> Result<(), &'static str> {
    let cvc = cvc.trim();
    if (3..=4).contains(&cvc.len()) && cvc.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err("Enter the 3 or 4 digits on the back of the card.")
    }
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
    if let Err(message) = check_cvc(&form.cvc) {
        errors.push(("cvc", message.to_owned()));
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
    card_form_of(&form::decode(&String::from_utf8_lossy(body)))
}

/// The card form among the decoded fields of a page's form.
fn card_form_of(fields: &Params) -> CardForm {
    let get = |name: &str| fields.get_text(name).unwrap_or_default().to_owned();
    CardForm {
        number: get("card_number"),
        expiry: get("expiry"),
        cvc: get("cvc"),
        holder: get("holder"),
        amount: get("amount"),
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
    let saved =
        crate::store::SavedCard::typed("sandbox-", &session.merchant_id, &session.user_id, number);
    tracing::info!(session = id, card = %saved.card_hash, "card saved");
    match app.store.save_card(id, saved) {
        Ok(session) => Redirect::to(&session.back_link).into_response(),
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            crate::ops::Failure::from(error).description,
        )
            .into_response(),
    }
}

/// `POST /sandbox/pay/{id}`: the payer submits the step the payment is at:
/// the card (and amount), the 3-D Secure password, the phone number or the
/// confirmation code.
pub async fn submit(
    State(app): State<Arc<App>>,
    State(notifications): State<Arc<Notifications>>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let Some(payment) = app.store.payment_any(id) else {
        return not_found();
    };
    if let Some(acs) = on_the_acs_page(&app, &payment) {
        return acs;
    }
    let fields = form::decode(&String::from_utf8_lossy(&body));
    let field = |name: &str| fields.get_text(name).unwrap_or_default().trim().to_owned();
    match (&payment.state, &payment.method) {
        (PaymentState::New, Method::MobileBalance) => {
            submit_phone(&app, &payment, &field("phone"), &field("operator"))
        }
        (PaymentState::New, _) => {
            submit_card(&app, &notifications, payment, &card_form_of(&fields)).await
        }
        (PaymentState::AwaitingThreeDs { .. }, _) => {
            submit_three_ds(&app, &notifications, payment, &field("password")).await
        }
        (PaymentState::AwaitingCode { .. }, _) => submit_code(&app, &payment, &field("code")),
        _ => outcome_page(&payment).into_response(),
    }
}

/// The amount the payer chose for an any-amount payment, or why it is not
/// acceptable. `Ok(None)` when the payment has a fixed amount.
fn chosen_amount(payment: &Payment, typed: &str) -> Result<Option<Amount>, String> {
    let Some(range) = &payment.amount_range else {
        return Ok(None);
    };
    let wrong = || format!("Enter an amount {}.", range_text(range, &payment.currency));
    let amount: Amount = typed.replace(',', ".").parse().map_err(|_| wrong())?;
    if range.contains(amount.as_decimal()) {
        Ok(Some(amount))
    } else {
        Err(wrong())
    }
}

/// See 303: the browser loads the page again for the next step.
fn next_step(app: &App, payment: &Payment) -> Response {
    Redirect::to(&app.page_url(Page::Payment, payment.id)).into_response()
}

async fn submit_card(
    app: &Arc<App>,
    notifications: &Notifications,
    mut payment: Payment,
    form: &CardForm,
) -> Response {
    let mut errors = check_form(form);
    let chosen = chosen_amount(&payment, &form.amount).unwrap_or_else(|message| {
        errors.push(("amount", message));
        None
    });
    if !errors.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            card_form(&payment, form, &errors),
        )
            .into_response();
    }
    if let Some(amount) = chosen {
        payment.amount = amount;
        payment.amount_range = None;
    }
    let number: String = form.number.chars().filter(char::is_ascii_digit).collect();
    let pan = mask(&number);
    tracing::info!(payment_id = payment.id, card = %pan, "card submitted");
    let decision = match issuer_of(&number) {
        Issuer::Approves => Ok(()),
        Issuer::Declines(refused) => Err(refused),
        Issuer::AsksForThreeDs => {
            // The issuer asks for its password before anything is charged.
            return match await_three_ds(app, payment.id, &pan, payment.amount) {
                Ok(payment) => next_step(app, &payment),
                Err(_) => not_found(),
            };
        }
    };
    charge(app, notifications, payment, pan, decision).await
}

async fn submit_three_ds(
    app: &Arc<App>,
    notifications: &Notifications,
    payment: Payment,
    password: &str,
) -> Response {
    let PaymentState::AwaitingThreeDs { attempts } = payment.state else {
        return outcome_page(&payment).into_response();
    };
    if password == THREE_DS_PASSWORD {
        tracing::info!(payment_id = payment.id, "3-D Secure passed");
        let pan = payment.card_pan.clone().unwrap_or_default();
        return charge(app, notifications, payment, pan, Ok(())).await;
    }
    if attempts + 1 >= THREE_DS_ATTEMPTS {
        tracing::info!(payment_id = payment.id, "3-D Secure failed");
        let pan = payment.card_pan.clone().unwrap_or_default();
        return charge(app, notifications, payment, pan, Err(three_ds_refused())).await;
    }
    let updated = app
        .store
        .update_payment(None, payment.id, |p| -> Result<(), StoreError> {
            p.state = PaymentState::AwaitingThreeDs {
                attempts: attempts + 1,
            };
            Ok(())
        });
    match updated {
        Ok((payment, ())) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            three_ds_form(
                &payment,
                &[("password", "The password is wrong; try again.".to_owned())],
            ),
        )
            .into_response(),
        Err(_) => not_found(),
    }
}

/// Runs the check (when the card was accepted), then charges or fails the
/// payment, sends the result callback and the payer back to the merchant.
async fn charge(
    app: &Arc<App>,
    notifications: &Notifications,
    payment: Payment,
    pan: String,
    decision: Result<(), Failure>,
) -> Response {
    let decision = match decision {
        Ok(()) => notifications.check(&payment).await,
        refused => refused,
    };
    let Ok((payment, _)) = settle(app, payment.id, &pan, payment.amount, &decision) else {
        return not_found();
    };
    redirect_back(app, &payment)
}

/// The phone number of a mobile-balance payment: the code is sent (as with
/// mfs/pay) and the page asks for it.
fn submit_phone(app: &Arc<App>, payment: &Payment, phone: &str, operator: &str) -> Response {
    let operator = Some(operator).filter(|o| !o.is_empty());
    match crate::ops::mobile::send_code(app, None, payment.id, phone, operator) {
        Ok(payment) => next_step(app, &payment),
        Err(failure) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            phone_page(
                payment,
                phone,
                operator.unwrap_or_default(),
                &[("phone", failure.description)],
            ),
        )
            .into_response(),
    }
}

/// The confirmation code of a mobile-balance payment (as with mfs/approve).
fn submit_code(app: &Arc<App>, payment: &Payment, code: &str) -> Response {
    match crate::ops::mobile::enter_code(app, None, payment.id, code) {
        Ok(payment) => redirect_back(app, &payment),
        Err(failure) => match app.store.payment_any(payment.id) {
            Some(now) if matches!(now.state, PaymentState::Failed { .. }) => {
                redirect_back(app, &now)
            }
            Some(now) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                code_form(&now, &[("code", failure.description)]),
            )
                .into_response(),
            None => not_found(),
        },
    }
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
