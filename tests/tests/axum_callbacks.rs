//! The axum extractor for callbacks (`freedompay::axum`): genuine callbacks
//! reach the handler once and get a signed answer; forged, unsigned, invalid
//! and replayed ones never reach it, and a replay gets the first answer again.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use freedompay::axum::{CallbackKeys, SignedReply, VerifiedCallback};
use freedompay::enums::ReplyStatus;
use freedompay::merchant::callbacks::{CheckCallback, CheckReply, PayoutNotifyCallback};
use freedompay::signature::{self, SecretKey};
use freedompay::{Params, form, xml};
use tokio::net::TcpListener;

const SECRET: &str = "Axum-Secret-5";
const PAYOUT_SECRET: &str = "Axum-Payout-6";

#[derive(Clone)]
struct AppState {
    keys: CallbackKeys,
    calls: Arc<AtomicUsize>,
}

impl FromRef<AppState> for CallbackKeys {
    fn from_ref(state: &AppState) -> Self {
        state.keys.clone()
    }
}

async fn check(
    axum::extract::State(state): axum::extract::State<AppState>,
    callback: VerifiedCallback<CheckCallback>,
) -> SignedReply {
    state.calls.fetch_add(1, Ordering::SeqCst);
    let status = if callback.amount.to_string() == "10" {
        ReplyStatus::Ok
    } else {
        ReplyStatus::Rejected
    };
    callback.reply(&CheckReply::new(status).description(format!("order {}", callback.order_id)))
}

async fn flaky(
    axum::extract::State(state): axum::extract::State<AppState>,
    callback: VerifiedCallback<CheckCallback>,
) -> axum::response::Response {
    // Fails the first time without answering; the retry must reach it again.
    if state.calls.fetch_add(1, Ordering::SeqCst) == 0 {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    callback
        .reply(&CheckReply::new(ReplyStatus::Ok))
        .into_response()
}

async fn payout(
    axum::extract::State(state): axum::extract::State<AppState>,
    notice: VerifiedCallback<PayoutNotifyCallback>,
) -> SignedReply {
    state.calls.fetch_add(1, Ordering::SeqCst);
    notice.acknowledge()
}

struct Shop {
    url: String,
    calls: Arc<AtomicUsize>,
}

async fn shop() -> Shop {
    let calls = Arc::new(AtomicUsize::new(0));
    let state = AppState {
        keys: CallbackKeys::new(SECRET).payout_secret(PAYOUT_SECRET),
        calls: calls.clone(),
    };
    let app = Router::new()
        .route("/freedompay/check", post(check).get(check))
        .route("/freedompay/flaky/check", post(flaky))
        .route("/freedompay/payout", post(payout))
        .with_state(state);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    Shop { url, calls }
}

fn check_fields(amount: &str) -> Params {
    Params::new()
        .with("pg_order_id", "A-1")
        .with("pg_payment_id", "42")
        .with("pg_amount", amount)
        .with("pg_currency", "KZT")
        .with("pg_ps_amount", amount)
        .with("pg_ps_currency", "KZT")
        .with("pg_ps_full_amount", amount)
        .with("cart", "merchant parameter")
}

fn signed(script: &str, key: &str, mut params: Params) -> Params {
    params.push("pg_salt", "gateway-salt");
    let sig = signature::sign(script, &params, &SecretKey::new(key));
    params.push("pg_sig", sig);
    params
}

async fn post_form(url: &str, params: &Params) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form::encode(params))
        .send()
        .await
        .expect("answer");
    (
        response.status().as_u16(),
        response.text().await.expect("body"),
    )
}

#[tokio::test]
async fn a_genuine_check_is_answered_once_and_replays_get_the_same_answer() {
    let shop = shop().await;
    let url = format!("{}/freedompay/check", shop.url);
    let callback = signed("check", SECRET, check_fields("10"));
    let (status, body) = post_form(&url, &callback).await;
    assert_eq!(status, 200);
    let reply = xml::parse(&body).expect("XML").params;
    assert_eq!(reply.get_text("pg_status"), Some("ok"));
    assert_eq!(reply.get_text("pg_description"), Some("order A-1"));
    assert_eq!(reply.get_text("pg_salt"), Some("gateway-salt"));
    assert_eq!(
        signature::verify("check", &reply, &SecretKey::new(SECRET)),
        Ok(())
    );

    let (again_status, again) = post_form(&url, &callback).await;
    assert_eq!((again_status, again), (200, body), "the same answer");
    assert_eq!(shop.calls.load(Ordering::SeqCst), 1, "the handler ran once");
}

#[tokio::test]
async fn forged_unsigned_and_invalid_callbacks_never_reach_the_handler() {
    let shop = shop().await;
    let url = format!("{}/freedompay/check", shop.url);

    let mut tampered = signed("check", SECRET, check_fields("10"));
    tampered.set("pg_amount", "1000");
    assert_eq!(post_form(&url, &tampered).await.0, 403);

    let other_key = signed("check", "not-the-key", check_fields("10"));
    assert_eq!(post_form(&url, &other_key).await.0, 403);

    // Signed for another URL (script name `result`).
    let other_script = signed("result", SECRET, check_fields("10"));
    assert_eq!(post_form(&url, &other_script).await.0, 403);

    let unsigned = check_fields("10");
    let (status, body) = post_form(&url, &unsigned).await;
    assert_eq!(status, 403);
    assert!(body.contains("pg_sig"), "{body}");

    // Signed, but the amount is not an amount: 400.
    let invalid = signed("check", SECRET, check_fields("ten"));
    assert_eq!(post_form(&url, &invalid).await.0, 400);

    assert_eq!(shop.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn get_and_xml_callbacks_are_read_too() {
    let shop = shop().await;
    let url = format!("{}/freedompay/check", shop.url);
    let query = form::encode(&signed("check", SECRET, check_fields("10")));
    let response = reqwest::get(format!("{url}?{query}"))
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);

    let mut fields = check_fields("10");
    fields.set("pg_order_id", "A-2");
    let document = xml::write("request", &signed("check", SECRET, fields));
    let (status, body) = post_form(&url, &Params::new().with("pg_xml", document)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(shop.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_unanswered_callback_reaches_the_handler_again() {
    let shop = shop().await;
    let url = format!("{}/freedompay/flaky/check", shop.url);
    let callback = signed("check", SECRET, check_fields("10"));
    assert_eq!(post_form(&url, &callback).await.0, 503);
    let (status, body) = post_form(&url, &callback).await;
    assert_eq!(status, 200);
    assert!(body.contains("<pg_status>ok</pg_status>"));
    assert_eq!(shop.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn payout_notifications_need_the_payout_key() {
    let shop = shop().await;
    let url = format!("{}/freedompay/payout", shop.url);
    let fields = Params::new()
        .with("pg_payment_id", "77")
        .with("pg_merchant_id", "545084")
        .with("pg_status", "ok");
    assert_eq!(
        post_form(&url, &signed("payout", SECRET, fields.clone()))
            .await
            .0,
        403
    );
    let (status, body) = post_form(&url, &signed("payout", PAYOUT_SECRET, fields)).await;
    assert_eq!((status, body.as_str()), (200, "OK"));
    assert_eq!(shop.calls.load(Ordering::SeqCst), 1);
}
