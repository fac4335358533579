//! A payer in a real browser: headless Chromium, driven over WebDriver
//! (chromedriver), opens the sandbox's payment page, makes a mistake, sees it
//! inline, types a documented test card, pays, lands on the merchant's
//! success page, and the merchant receives the signed result callback.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them).
//! Without them the test says so and passes, except under CI (`CI` set),
//! where a missing browser is a failure.

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::{get, post};
use fantoccini::{ClientBuilder, Locator};
use freedompay::axum::{CallbackKeys, SignedReply, VerifiedCallback};
use freedompay::enums::ReplyStatus;
use freedompay::merchant::callbacks::{RedirectBackCallback, ResultCallback, ResultReply};
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::test_data::{CardUse, Outcome, TestCard};
use freedompay::{Client, Config};
use freedompay_sandbox::{Merchant, PaymentState, Sandbox};
use tokio::net::TcpListener;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
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

/// chromedriver on a free port; killed on drop.
struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_driver() -> Driver {
    let port = StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    Driver(child, port)
}

#[tokio::test]
async fn a_payer_pays_in_a_real_browser() {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: install chromium and chromium-driver to run the browser test");
        return;
    }
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

    let driver = start_driver();
    let mut capabilities = serde_json::Map::new();
    let user_data = std::env::temp_dir().join(format!("fp-chromium-{}", std::process::id()));
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", user_data.display()),
            ],
        }),
    );
    let mut browser = None;
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("TLS")
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.1))
            .await
        {
            Ok(connected) => {
                browser = Some(connected);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let browser = browser.expect("chromedriver answers");

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
    browser.close().await.unwrap();
    let _ = std::fs::remove_dir_all(user_data);
}
