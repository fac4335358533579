//! No secret reaches a log or a `Debug`/`Display` rendering: a whole payment
//! flow as the quickstart runs it (create, pay on the sandbox's page with a
//! test card, check and result callbacks, status, refund, a payout and its
//! notification, then JSON calls signed by the merchant and by Card and
//! Partner API users, accepted and refused, and their config file) with every
//! `tracing` event at TRACE level captured and every value the flow touches
//! rendered; none of it may hold the merchant's secret key, the payout key,
//! an API user's key, a full test card number or the CVC that was typed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::{get, post};
use freedompay::axum::{CallbackKeys, SignedReply, VerifiedCallback};
use freedompay::card::clients::CardClientAddRequest;
use freedompay::card::requests::CardRequestStatusRequest;
use freedompay::enums::ReplyStatus;
use freedompay::gateway::async_payments::{AsyncPaymentCreateRequest, AsyncPaymentReverseRequest};
use freedompay::json::JsonApi;
use freedompay::merchant::callbacks::{
    CheckCallback, CheckReply, PayoutNotifyCallback, RedirectBackCallback, ResultCallback,
    ResultReply,
};
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::merchant::payments::{PaymentStatusRequest, RefundRequest};
use freedompay::merchant::payout::{CardPayoutRequest, CardPayoutRequestRequired};
use freedompay::partner::wallet::PartnerWalletBlockRequest;
use freedompay::test_data::{CardUse, Outcome, TEST_CARDS, TestCard};
use freedompay::{Amount, Client, Config, SecretKey};
use freedompay_sandbox::{ApiFamily, ApiUser, Merchant, RetryPolicy, Sandbox, payer};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const MERCHANT_ID: &str = "545084";
const SECRET: &str = "sk-LEAKCANARY-merchant-9f3Q";
const PAYOUT_SECRET: &str = "pk-LEAKCANARY-payout-4xZ7";
const CARD_API_USER: &str = "card-user-LEAKTEST";
const CARD_API_KEY: &str = "ck-LEAKCANARY-cardapi-2Hd8";
const PARTNER_USER: &str = "770042";
const PARTNER_KEY: &str = "ptk-LEAKCANARY-partner-7Jw1";
/// The CVC the payer types: three digits that appear nowhere else in the flow.
const CVC: &str = "739";
const ORDER_ID: &str = "order-LEAKTEST-42";

/// Renderings of the values the flow touched.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn debug(&self, value: &impl std::fmt::Debug) {
        self.0
            .lock()
            .expect("the list")
            .push(format!("{value:?}\n{value:#?}"));
    }

    fn both(&self, value: &(impl std::fmt::Debug + std::fmt::Display)) {
        self.debug(value);
        self.0.lock().expect("the list").push(value.to_string());
    }

    fn text(&self, text: impl Into<String>) {
        self.0.lock().expect("the list").push(text.into());
    }

    fn all(&self) -> String {
        self.0.lock().expect("the list").join("\n")
    }
}

#[derive(Clone)]
struct Shop {
    keys: CallbackKeys,
    seen: Seen,
    events: mpsc::UnboundedSender<&'static str>,
}

impl FromRef<Shop> for CallbackKeys {
    fn from_ref(shop: &Shop) -> Self {
        shop.keys.clone()
    }
}

async fn check(State(shop): State<Shop>, callback: VerifiedCallback<CheckCallback>) -> SignedReply {
    shop.seen.debug(&callback);
    shop.seen.debug(callback.params());
    let reply = callback.reply(&CheckReply::new(ReplyStatus::Ok).description("ready"));
    shop.seen.debug(&reply);
    let _ = shop.events.send("check");
    reply
}

async fn result(
    State(shop): State<Shop>,
    callback: VerifiedCallback<ResultCallback>,
) -> SignedReply {
    shop.seen.debug(&callback);
    shop.seen.debug(callback.params());
    let reply = callback.reply(&ResultReply::new(ReplyStatus::Ok));
    shop.seen.debug(&reply);
    let _ = shop.events.send("result");
    reply
}

async fn payout(
    State(shop): State<Shop>,
    notice: VerifiedCallback<PayoutNotifyCallback>,
) -> SignedReply {
    shop.seen.debug(&notice);
    shop.seen.debug(notice.params());
    let _ = shop.events.send("payout");
    notice.acknowledge()
}

async fn success(State(shop): State<Shop>, back: VerifiedCallback<RedirectBackCallback>) -> String {
    shop.seen.debug(&back);
    format!("Order {} is paid.", back.order_id)
}

async fn start_shop(shop: Shop) -> String {
    let app = Router::new()
        .route("/freedompay/check", post(check))
        .route("/freedompay/result", post(result))
        .route("/freedompay/payout", post(payout))
        .route("/shop/success", get(success).post(success))
        .with_state(shop);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the shop serves") });
    url
}

async fn next_event(events: &mut mpsc::UnboundedReceiver<&'static str>) -> &'static str {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("a callback in time")
        .expect("the shop is running")
}

fn amount(text: &str) -> Amount {
    text.parse().expect("an amount")
}

/// The flow; everything runs on this (current-thread) runtime's thread, so
/// the thread's default subscriber sees the sandbox's, the shop's and the
/// client's events alike.
async fn flow(seen: &Seen) -> i64 {
    let merchant = Merchant::new(MERCHANT_ID, SECRET).with_payout_secret(PAYOUT_SECRET);
    seen.debug(&merchant);
    let card_user = ApiUser::new(ApiFamily::Card, CARD_API_USER, CARD_API_KEY);
    seen.debug(&card_user);
    let builder = Sandbox::builder()
        .merchant(merchant)
        .api_user(card_user)
        .api_user(ApiUser::new(ApiFamily::Partner, PARTNER_USER, PARTNER_KEY))
        .retry(RetryPolicy {
            attempts: 3,
            delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        })
        .payout_delay(Duration::from_millis(50));
    seen.debug(&builder);
    let sandbox = builder.start().await.expect("the sandbox starts");
    seen.debug(&sandbox);
    seen.debug(&sandbox.host());

    let (events, mut received) = mpsc::unbounded_channel();
    let keys = CallbackKeys::new(SECRET).payout_secret(PAYOUT_SECRET);
    seen.debug(&keys);
    let shop = start_shop(Shop {
        keys,
        seen: seen.clone(),
        events,
    })
    .await;

    let config = Config::new(MERCHANT_ID, SECRET)
        .payout_secret(PAYOUT_SECRET)
        .host(sandbox.host());
    seen.debug(&config);
    seen.debug(&SecretKey::new(SECRET));
    seen.debug(config.secret_for::<CardPayoutRequest>());
    let client = Client::new(config).expect("a client");
    seen.debug(&client);

    let request = InitPaymentRequest::new(amount("1500"), "Coffee beans, 1 kg")
        .order_id(ORDER_ID)
        .check_url(format!("{shop}/freedompay/check"))
        .result_url(format!("{shop}/freedompay/result"))
        .success_url(format!("{shop}/shop/success"))
        .with_extra("cart", "A-17");
    seen.debug(&request);
    let prepared = client.prepare(&request).expect("a valid request");
    seen.debug(&prepared);
    let created = client
        .send_prepared::<InitPaymentRequest>(&prepared)
        .await
        .expect("the payment is created");
    seen.debug(&created);
    seen.text(created.raw_xml());

    // The payer, with a documented card and a CVC of the test's own.
    let card = TestCard::first(CardUse::Purchase, Outcome::Success).expect("a test card");
    let browser = reqwest::Client::new();
    let page = browser
        .get(&created.redirect_url)
        .send()
        .await
        .expect("the page");
    seen.debug(&page);
    let expiry = payer::valid_expiry();
    let paid = payer::submit(
        &browser,
        &created.redirect_url,
        &[
            ("card_number", card.number),
            ("expiry", &expiry),
            ("cvc", CVC),
            ("holder", "IVAN IVANOV"),
        ],
    )
    .await
    .expect("the card is submitted");
    seen.debug(&paid);
    seen.text(paid.text().await.expect("the landing page"));
    assert_eq!(next_event(&mut received).await, "check");
    assert_eq!(next_event(&mut received).await, "result");

    let status = client
        .payments()
        .status(&PaymentStatusRequest::new(created.payment_id))
        .await
        .expect("the status");
    seen.debug(&status);
    let refund_request = RefundRequest::new(created.payment_id).refund_amount(amount("500"));
    seen.debug(&refund_request);
    let refund = client
        .payments()
        .refund(&refund_request)
        .await
        .expect("the refund");
    seen.debug(&refund);
    // A refund past what is left: an error, rendered both ways.
    let refused = client
        .payments()
        .refund(&RefundRequest::new(created.payment_id).refund_amount(amount("999999")))
        .await
        .expect_err("more than was paid");
    seen.both(&refused);
    seen.debug(&sandbox.payment(created.payment_id));

    let payout_card = TestCard::first(CardUse::Payout, Outcome::Success).expect("a payout card");
    let payout_request = CardPayoutRequest::new(CardPayoutRequestRequired {
        order_id: "payout-LEAKTEST-7".to_owned(),
        amount: amount("2500"),
        payment_to: payout_card.number.into(),
        description: "Supplier payment".to_owned(),
        post_link: format!("{shop}/freedompay/payout"),
    });
    seen.debug(&payout_request);
    seen.debug(&client.prepare(&payout_request).expect("a valid payout"));
    let payout = client
        .payout()
        .card(&payout_request)
        .await
        .expect("the payout");
    seen.debug(&payout);
    assert_eq!(next_event(&mut received).await, "payout");
    seen.debug(&sandbox.payout(payout.payment_id));

    json_calls(&sandbox, seen).await;
    debugger_calls(&sandbox, seen).await;
    sandbox.shutdown().await;
    created.payment_id
}

/// The signature debugger, pasted a Gateway API card payment (card number
/// and CVC) signed wrong, the string signed (with the key), and the key;
/// then a JSON body with a JWS and bad input. Its answers may show the
/// pasted values to the one who pasted them, never the key; its reports'
/// `Debug` shows neither; nothing of it is logged.
async fn debugger_calls(sandbox: &freedompay_sandbox::RunningSandbox, seen: &Seen) {
    let card = TestCard::first(CardUse::Purchase, Outcome::Success).expect("a test card");
    let request = format!(
        "pg_merchant_id={MERCHANT_ID}&pg_amount=100&pg_order_id={ORDER_ID}&pg_card_pan={}\
         &pg_card_cvc={CVC}&pg_salt=s&pg_sig=0123456789abcdef0123456789abcdef",
        card.number
    );
    let signed = format!(
        "payment;100;{CVC};{};{MERCHANT_ID};{ORDER_ID};s;{SECRET}",
        card.number
    );
    let url = format!(
        "{}{}",
        sandbox.base_url(),
        freedompay_sandbox::SIGNATURE_DEBUGGER_PATH
    );
    let http = reqwest::Client::new();
    for form in [
        serde_json::json!({"request": request, "called": "/g2g/payment", "key": SECRET, "signed": signed}),
        serde_json::json!({"request": "{\"a\":1}", "key": SECRET, "jws": "e30..x"}),
        serde_json::json!({"request": "<request>", "called": "x", "key": SECRET}),
    ] {
        let answer = http
            .post(&url)
            .header("content-type", "application/json")
            .body(form.to_string())
            .send()
            .await
            .expect("the debugger answers")
            .text()
            .await
            .expect("its body");
        assert!(
            !answer.contains(SECRET),
            "the debugger answered the key: {answer}"
        );
    }
    let params = freedompay::form::decode(&request);
    let report = freedompay::debugger::diagnose(
        "/g2g/payment",
        &params,
        &SecretKey::new(SECRET),
        Some(&signed),
    );
    seen.debug(&report);
    seen.debug(&freedompay::debugger::read_request(&request));
}

/// JSON calls: the Card and Partner API users' and the merchant's, accepted
/// and refused (another API's user, a wrong key), and a config file that
/// lists the users, read and refused.
async fn json_calls(sandbox: &freedompay_sandbox::RunningSandbox, seen: &Seen) {
    let config = Config::new(MERCHANT_ID, SECRET)
        .host(sandbox.host())
        .jws_credentials(JsonApi::Card, CARD_API_USER, CARD_API_KEY)
        .jws_credentials(JsonApi::Partner, PARTNER_USER, PARTNER_KEY);
    seen.debug(&config);
    seen.debug(&config.credentials_for(JsonApi::Card));
    let client = Client::new(config).expect("a client");
    let add: CardClientAddRequest = serde_json::from_value(serde_json::json!({
        "request_id": "0197a000-0000-7000-8000-00000000c1d1",
        "product_id": 2000,
        "client": {"phone": 77001234567u64, "type": 1, "resident": 1,
                   "first_name": "IVAN", "last_name": "IVANOV"}
    }))
    .expect("a Create client request");
    seen.debug(&client.prepare_json(&add).expect("a valid request"));
    let added = client.card_clients().add(&add).await.expect("added");
    seen.debug(&added);
    let status = client
        .card_requests()
        .status(&CardRequestStatusRequest::new(add.request_id.clone()))
        .await
        .expect("a known request");
    seen.debug(&status);
    let block = PartnerWalletBlockRequest::new(
        "266ea41d-adf5-480b-af50-15b940c2b846",
        "wallet-42",
        "lost phone",
    );
    seen.debug(
        &client
            .partner_wallet()
            .block(&block)
            .await
            .expect("blocked"),
    );
    let payments = client.gateway_async_payments();
    payments
        .create(&AsyncPaymentCreateRequest::new().order_id(ORDER_ID))
        .await
        .expect("an async payment");
    let payment = sandbox
        .async_payment_of_order(MERCHANT_ID, ORDER_ID)
        .expect("held");
    seen.debug(&payment);
    payments
        .reverse(&AsyncPaymentReverseRequest::new().id(payment.id.clone()))
        .await
        .expect("reversed");

    // Refused: the Card API user on the Partner API, a wrong Card API key,
    // a second reversal.
    let crossed = Client::new(
        Config::new(MERCHANT_ID, SECRET)
            .host(sandbox.host())
            .jws_credentials(JsonApi::Partner, CARD_API_USER, CARD_API_KEY),
    )
    .expect("a client");
    seen.debug(&crossed);
    let refused = crossed
        .partner_wallet()
        .block(&block)
        .await
        .expect_err("not its API");
    seen.both(&refused);
    let wrong = Client::new(
        Config::new(MERCHANT_ID, SECRET)
            .host(sandbox.host())
            .jws_credentials(JsonApi::Card, CARD_API_USER, PARTNER_KEY),
    )
    .expect("a client");
    let refused = wrong
        .card_requests()
        .status(&CardRequestStatusRequest::new(add.request_id.clone()))
        .await
        .expect_err("signed with another key");
    seen.both(&refused);
    let refused = payments
        .reverse(&AsyncPaymentReverseRequest::new().id(payment.id))
        .await
        .expect_err("reversed already");
    seen.both(&refused);

    // The users in a config file: read, and refused.
    let text = format!(
        "merchants:\n  - id: {MERCHANT_ID}\n    secret: {SECRET}\ncard_api:\n  - auth_id: {CARD_API_USER}\n    key: {CARD_API_KEY}\npartner:\n  - auth_id: {PARTNER_USER}\n    key: {PARTNER_KEY}\n"
    );
    let path = std::path::Path::new("sandbox.yaml");
    let read = freedompay_sandbox::config::Config::parse(&text, path).expect("a good file");
    seen.debug(&read);
    let bad = format!(
        "merchants:\n  - id: {MERCHANT_ID}\n    secret: {SECRET}\npartner:\n  - auth_id: {MERCHANT_ID}\n    key: {PARTNER_KEY}\n"
    );
    let error = freedompay_sandbox::config::Config::parse(&bad, path).expect_err("a merchant's id");
    seen.both(&error);
    let unknown_field = format!("card_api:\n  - auth_id: u\n    secret: {CARD_API_KEY}\n");
    let error =
        freedompay_sandbox::config::Config::parse(&unknown_field, path).expect_err("misspelt");
    seen.both(&error);
}

/// Whether `text` holds `digits` with no letter or digit right before or after it.
fn holds_number(text: &str, digits: &str) -> bool {
    text.match_indices(digits).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + digits.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn leaks_no_key_card_number_or_cvc_reaches_logs_or_renderings() {
    let seen = Seen::default();
    let (payment_id, logs) = crate::support::with_captured_logs(flow(&seen));
    let rendered = seen.all();

    // Not vacuous: the logs and the renderings are there and name the flow.
    assert!(
        logs.contains("payment created") && logs.contains(&payment_id.to_string()),
        "the sandbox's events were captured:\n{logs}"
    );
    assert!(
        logs.contains("callback verified"),
        "the shop's events were captured"
    );
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "below INFO too"
    );
    assert!(rendered.contains(ORDER_ID), "the renderings name the order");
    assert!(
        logs.contains("JSON request accepted") && logs.contains("auth_id of another API"),
        "the JSON calls' events were captured"
    );
    assert!(
        rendered.contains(CARD_API_USER) && rendered.contains("already_reversed"),
        "the renderings name the API user and the refusals"
    );

    let everything = format!("{logs}\n{rendered}");
    let mut found = Vec::new();
    for (what, secret) in [
        ("the secret key", SECRET),
        ("the payout key", PAYOUT_SECRET),
        ("the Card API user's key", CARD_API_KEY),
        ("the Partner API user's key", PARTNER_KEY),
    ] {
        if everything.contains(secret) {
            found.push(what.to_owned());
        }
    }
    for card in TEST_CARDS {
        if everything.contains(card.number) {
            found.push(format!("test card {}", card.number));
        }
    }
    if holds_number(&everything, CVC) {
        found.push("the CVC".to_owned());
    }
    let context = |needle: &str| {
        everything
            .lines()
            .filter(|line| line.contains(needle))
            .take(5)
            .collect::<Vec<_>>()
            .join("\n      ")
    };
    assert!(
        found.is_empty(),
        "leaked: {}\n{}",
        found.join(", "),
        TEST_CARDS
            .iter()
            .map(|c| c.number)
            .chain([SECRET, PAYOUT_SECRET, CARD_API_KEY, PARTNER_KEY])
            .filter(|needle| everything.contains(needle))
            .map(|needle| format!("  {needle}:\n      {}", context(needle)))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
