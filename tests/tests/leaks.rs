//! No secret reaches a log or a `Debug`/`Display` rendering: a whole payment
//! flow as the quickstart runs it (create, pay on the sandbox's page with a
//! test card, check and result callbacks, status, refund, a payout and its
//! notification) with every `tracing` event at TRACE level captured and every
//! value the flow touches rendered; none of it may hold the merchant's secret
//! key, the payout key, a full test card number or the CVC that was typed.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::{get, post};
use freedompay::axum::{CallbackKeys, SignedReply, VerifiedCallback};
use freedompay::enums::ReplyStatus;
use freedompay::merchant::callbacks::{
    CheckCallback, CheckReply, PayoutNotifyCallback, RedirectBackCallback, ResultCallback,
    ResultReply,
};
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::merchant::payments::{PaymentStatusRequest, RefundRequest};
use freedompay::merchant::payout::{CardPayoutRequest, CardPayoutRequestRequired};
use freedompay::test_data::{CardUse, Outcome, TEST_CARDS, TestCard};
use freedompay::{Amount, Client, Config, SecretKey};
use freedompay_sandbox::{Merchant, RetryPolicy, Sandbox, payer};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const MERCHANT_ID: &str = "545084";
const SECRET: &str = "sk-LEAKCANARY-merchant-9f3Q";
const PAYOUT_SECRET: &str = "pk-LEAKCANARY-payout-4xZ7";
/// The CVC the payer types: three digits that appear nowhere else in the flow.
const CVC: &str = "739";
const ORDER_ID: &str = "order-LEAKTEST-42";

/// Everything `tracing` writes, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("the buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

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
    let sandbox = Sandbox::builder()
        .merchant(merchant)
        .retry(RetryPolicy {
            attempts: 3,
            delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        })
        .payout_delay(Duration::from_millis(50))
        .start()
        .await
        .expect("the sandbox starts");
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
        payment_to: payout_card.number.to_owned(),
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

    sandbox.shutdown().await;
    created.payment_id
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
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let seen = Seen::default();
    let payment_id = {
        let _default = tracing::subscriber::set_default(subscriber);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(flow(&seen))
    };
    let logs = String::from_utf8(captured.0.lock().expect("the buffer").clone()).expect("UTF-8");
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

    let everything = format!("{logs}\n{rendered}");
    let mut found = Vec::new();
    for (what, secret) in [
        ("the secret key", SECRET),
        ("the payout key", PAYOUT_SECRET),
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
            .chain([SECRET, PAYOUT_SECRET])
            .filter(|needle| everything.contains(needle))
            .map(|needle| format!("  {needle}:\n      {}", context(needle)))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
