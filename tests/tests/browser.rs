//! A payer in a real browser: headless Chromium, driven over WebDriver
//! (chromedriver), opens the sandbox's payment page, makes a mistake, sees it
//! inline, types a documented test card, pays, lands on the merchant's
//! success page, and the merchant receives the signed result callback.
//!
//! The browser comes from `support::browser`: without Chromium the test says
//! so and passes, except under CI, where a missing browser is a failure.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::{get, post};
use fantoccini::Locator;
use freedompay::axum::{CallbackKeys, SignedReply, VerifiedCallback};
use freedompay::enums::ReplyStatus;
use freedompay::merchant::callbacks::{RedirectBackCallback, ResultCallback, ResultReply};
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::test_data::{CardUse, Outcome, TestCard};
use freedompay::{Client, Config};
use freedompay_sandbox::{Merchant, PaymentState, Sandbox};
use tokio::net::TcpListener;

const MERCHANT: &str = "545084";
const SECRET: &str = "Browser-Secret-8";

#[derive(Clone)]
struct Shop {
    keys: CallbackKeys,
    results: Arc<Mutex<Vec<i64>>>,
}

impl FromRef<Shop> for CallbackKeys {
    fn from_ref(shop: &Shop) -> Self {
        shop.keys.clone()
    }
}

async fn result(
    State(shop): State<Shop>,
    callback: VerifiedCallback<ResultCallback>,
) -> SignedReply {
    shop.results.lock().unwrap().push(callback.result);
    callback.reply(&ResultReply::new(ReplyStatus::Ok))
}

async fn success(back: VerifiedCallback<RedirectBackCallback>) -> axum::response::Html<String> {
    axum::response::Html(format!(
        "<html><body><h1 id=\"thanks\">Order {} is paid</h1></body></html>",
        back.order_id
    ))
}

#[tokio::test]
async fn a_payer_pays_in_a_real_browser() {
    let Some(browser) = crate::support::browser::open().await else {
        return;
    };
    let sandbox = Sandbox::builder()
        .merchant(Merchant::new(MERCHANT, SECRET))
        .start()
        .await
        .expect("sandbox");
    let shop = Shop {
        keys: CallbackKeys::new(SECRET),
        results: Arc::default(),
    };
    let results = shop.results.clone();
    let app = Router::new()
        .route("/fp/result", post(result))
        .route("/shop/success", get(success))
        .with_state(shop);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let shop_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = Client::new(Config::new(MERCHANT, SECRET).host(sandbox.host())).unwrap();
    let created = client
        .page()
        .init_payment(
            &InitPaymentRequest::new("990".parse().unwrap(), "Headphones")
                .order_id("web-1")
                .result_url(format!("{shop_url}/fp/result"))
                .success_url(format!("{shop_url}/shop/success")),
        )
        .await
        .expect("payment created");

    browser
        .goto(&created.redirect_url)
        .await
        .expect("the page opens");
    let heading = browser
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "Pay 990 KZT");

    // A mistake first: a wrong expiry is shown next to its field.
    let card = TestCard::first(CardUse::Purchase, Outcome::Success).unwrap();
    for (field, typed) in [
        ("card_number", card.number),
        ("expiry", "13/99"),
        ("cvc", "123"),
        ("holder", "IVAN IVANOV"),
    ] {
        let input = browser.find(Locator::Id(field)).await.unwrap();
        input.send_keys(typed).await.unwrap();
    }
    browser
        .find(Locator::Id("pay"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("expiry_error"))
        .await
        .expect("the mistake is shown")
        .text()
        .await
        .unwrap();
    assert!(error.contains("MM/YY"), "{error}");
    assert_eq!(
        sandbox.payment(created.payment_id).unwrap().state,
        PaymentState::New
    );

    // The form kept what was typed; fix the expiry and pay.
    let expiry = browser.find(Locator::Id("expiry")).await.unwrap();
    expiry.clear().await.unwrap();
    expiry
        .send_keys(&freedompay_sandbox::payer::valid_expiry())
        .await
        .unwrap();
    browser
        .find(Locator::Id("pay"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let thanks = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("thanks"))
        .await
        .expect("back on the merchant's success page")
        .text()
        .await
        .unwrap();
    assert_eq!(thanks, "Order web-1 is paid");

    for _ in 0..200 {
        if !results.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        *results.lock().unwrap(),
        [1],
        "the signed result callback arrived"
    );
    assert_eq!(
        sandbox.payment(created.payment_id).unwrap().state,
        PaymentState::Paid
    );
    browser.close().await;
}
