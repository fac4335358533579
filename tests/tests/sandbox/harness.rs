//! What the sandbox tests share: a sandbox with a known merchant, the
//! generated client, a merchant server that records the callbacks it gets,
//! a payer, and raw calls for requests the client would never send.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::post;
use freedompay::callback::{sign_reply, verify_form};
use freedompay::enums::ReplyStatus;
use freedompay::merchant::callbacks::{
    CheckCallback, CheckReply, PayoutNotifyCallback, ResultCallback, ResultReply,
};
use freedompay::signature::{self, SecretKey};
use freedompay::test_data::{Availability, CardUse, Outcome, TestCard};
use freedompay::{Amount, Client, Config, Error, Params, form, xml};
use freedompay_sandbox::{Merchant, RetryPolicy, RunningSandbox, Sandbox};
use tokio::net::TcpListener;

pub(crate) const MERCHANT: &str = "545084";
pub(crate) const SECRET: &str = "Sandbox-Secret-1";
pub(crate) const PAYOUT_SECRET: &str = "Sandbox-Payout-2";

pub(crate) fn amount(text: &str) -> Amount {
    text.parse().expect("amount")
}

pub(crate) async fn sandbox() -> RunningSandbox {
    Sandbox::builder()
        .merchant(Merchant::new(MERCHANT, SECRET).with_payout_secret(PAYOUT_SECRET))
        .retry(RetryPolicy {
            attempts: 3,
            delay: Duration::from_millis(20),
            timeout: Duration::from_secs(2),
        })
        .payout_delay(Duration::from_millis(20))
        .start()
        .await
        .expect("the sandbox starts")
}

pub(crate) fn client(sandbox: &RunningSandbox) -> Client {
    Client::new(
        Config::new(MERCHANT, SECRET)
            .payout_secret(PAYOUT_SECRET)
            // The sandbox takes a merchant's id and key as its Freedom ID
            // client credentials.
            .freedom_id_credentials(MERCHANT, SECRET)
            .host(sandbox.host()),
    )
    .expect("client")
}

/// What the merchant server saw, and how it answers.
#[derive(Default)]
pub(crate) struct Shop {
    pub(crate) checks: Mutex<Vec<Params>>,
    pub(crate) results: Mutex<Vec<Params>>,
    pub(crate) payouts: Mutex<Vec<Params>>,
    /// The check answer: ok unless set.
    pub(crate) check_answer: Mutex<Option<ReplyStatus>>,
    /// Result answers to give before `ok` (e.g. two `error`s).
    pub(crate) result_failures: Mutex<u32>,
}

pub(crate) struct ShopServer {
    pub(crate) url: String,
    pub(crate) shop: Arc<Shop>,
}

impl ShopServer {
    pub(crate) async fn start() -> Self {
        let shop = Arc::new(Shop::default());
        let app = Router::new()
            .route("/fp/{kind}", post(shop_callback))
            .with_state(shop.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        ShopServer { url, shop }
    }

    pub(crate) fn url(&self, kind: &str) -> String {
        format!("{}/fp/{kind}", self.url)
    }

    /// Waits until `list` holds `n` entries.
    pub(crate) async fn wait(&self, list: impl Fn(&Shop) -> usize, n: usize) {
        for _ in 0..200 {
            if list(&self.shop) >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the callback did not arrive");
    }
}

async fn shop_callback(
    State(shop): State<Arc<Shop>>,
    Path(kind): Path<String>,
    body: Bytes,
) -> axum::response::Response {
    let body = String::from_utf8_lossy(&body).into_owned();
    let key = SecretKey::new(SECRET);
    match kind.as_str() {
        "check" => {
            let callback =
                verify_form::<CheckCallback>("check", &key, &body).expect("a signed check");
            shop.checks.lock().unwrap().push(callback.params().clone());
            let status = shop.check_answer.lock().unwrap().unwrap_or(ReplyStatus::Ok);
            let reply = CheckReply::new(status).description("decided by the test");
            sign_reply("check", &key, &reply, Some(callback.salt()))
                .unwrap()
                .into_response()
        }
        "result" => {
            let callback =
                verify_form::<ResultCallback>("result", &key, &body).expect("a signed result");
            shop.results.lock().unwrap().push(callback.params().clone());
            let mut failures = shop.result_failures.lock().unwrap();
            let status = if *failures > 0 {
                *failures -= 1;
                ReplyStatus::Error
            } else {
                ReplyStatus::Ok
            };
            let reply = ResultReply::new(status);
            sign_reply("result", &key, &reply, Some(callback.salt()))
                .unwrap()
                .into_response()
        }
        "payout" => {
            let notice = verify_form::<PayoutNotifyCallback>(
                "payout",
                &SecretKey::new(PAYOUT_SECRET),
                &body,
            )
            .expect("a payout notice signed with the payout key");
            shop.payouts.lock().unwrap().push(notice.params().clone());
            "OK".into_response()
        }
        _ => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

/// A browser that does not follow redirects, so a test sees each answer.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

/// The `Location` of a redirect answer.
pub(crate) fn location(answer: &reqwest::Response) -> String {
    answer.headers()["location"]
        .to_str()
        .expect("a location")
        .to_owned()
}

/// A payer on the payment page: submits the card form, does not follow redirects.
pub(crate) async fn pay(page_url: &str, card: &str) -> reqwest::Response {
    freedompay_sandbox::payer::submit_card(&browser(), page_url, card)
        .await
        .expect("the page answers")
}

/// The first purchase test card with `outcome`.
pub(crate) fn purchase_card(outcome: Outcome) -> &'static str {
    TestCard::first(CardUse::Purchase, outcome)
        .expect("a test card")
        .number
}

/// An approving purchase test card whose marks satisfy `wanted`.
pub(crate) fn purchase_card_where(wanted: impl Fn(&TestCard) -> bool) -> &'static str {
    freedompay::test_data::TEST_CARDS
        .iter()
        .find(|c| c.usage == CardUse::Purchase && c.outcome == Outcome::Success && wanted(c))
        .expect("a documented test card")
        .number
}

/// Whether a test card's mark says the operation is available.
pub(crate) fn available(mark: Option<Availability>) -> bool {
    mark == Some(Availability::Available)
}

/// The first payout test card with `outcome`.
pub(crate) fn payout_card(outcome: Outcome) -> &'static str {
    TestCard::first(CardUse::Payout, outcome)
        .expect("a payout test card")
        .number
}

/// The payout test card declined with error `code`.
pub(crate) fn declining_payout_card(code: i64) -> &'static str {
    freedompay::test_data::TEST_CARDS
        .iter()
        .find(|c| {
            c.usage == CardUse::Payout
                && c.outcome == Outcome::Declined
                && c.error_code == Some(code)
        })
        .expect("a declining payout card")
        .number
}

pub(crate) fn gateway_code(error: &Error) -> i64 {
    error.gateway_error().map_or(-1, |e| e.code)
}

/// Posts `params` signed with `script` and the merchant's key, and reads the raw answer.
pub(crate) async fn raw_call(
    sandbox: &RunningSandbox,
    path: &str,
    script: &str,
    key: &str,
    mut params: Params,
) -> Params {
    params.push("pg_salt", "salt-raw");
    let sig = signature::sign(script, &params, &SecretKey::new(key));
    params.push("pg_sig", sig);
    post_params(sandbox, path, &params).await
}

/// Posts `params` exactly as given and reads the XML answer.
pub(crate) async fn post_params(sandbox: &RunningSandbox, path: &str, params: &Params) -> Params {
    let body = reqwest::Client::new()
        .post(format!("{}{path}", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form::encode(params))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    xml::parse(&body).expect("XML").params
}

/// The answer is the error `code` and its description names `field`.
pub(crate) fn assert_refused(answer: &Params, code: &str, field: &str) {
    assert_eq!(answer.get_text("pg_error_code"), Some(code), "{answer:?}");
    let description = answer.get_text("pg_error_description").unwrap_or_default();
    assert!(description.contains(field), "{description}");
}
