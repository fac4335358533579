//! The sandbox logs each request and callback, and never the merchant's keys
//! or a full card number.

use std::io::Write;
use std::sync::{Arc, Mutex};

use freedompay::merchant::page::InitPaymentRequest;
use freedompay::merchant::payout::{CardPayoutRequest, CardPayoutRequestRequired};
use freedompay::{Client, Config};
use freedompay_sandbox::{Merchant, Sandbox, payer};

const SECRET: &str = "Very-Secret-Key-9";
const PAYOUT_SECRET: &str = "Very-Secret-Payout-10";
const CARD: &str = "4716047261941981";
const PAYOUT_CARD: &str = "4671593866478252";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_name_requests_but_no_secret_or_card_number() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("debug")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let sandbox = Sandbox::builder()
        .merchant(Merchant::new("545084", SECRET).with_payout_secret(PAYOUT_SECRET))
        .start()
        .await
        .expect("sandbox");
    let client = Client::new(
        Config::new("545084", SECRET)
            .payout_secret(PAYOUT_SECRET)
            .host(sandbox.host()),
    )
    .expect("client");
    let created = client
        .page()
        .init_payment(
            &InitPaymentRequest::new("10".parse().unwrap(), "Tea")
                .result_url("http://127.0.0.1:9/result"),
        )
        .await
        .expect("created");
    payer::submit_card(&reqwest::Client::new(), &created.redirect_url, CARD)
        .await
        .expect("paid");
    client
        .payout()
        .card(&CardPayoutRequest::new(CardPayoutRequestRequired {
            order_id: "p-1".to_owned(),
            amount: "5".parse().unwrap(),
            payment_to: PAYOUT_CARD.into(),
            description: "Payout".to_owned(),
            post_link: "http://127.0.0.1:9/post".to_owned(),
        }))
        .await
        .expect("payout");
    // A failed login attempt with the wrong key is logged too.
    let _ = Client::new(Config::new("545084", "Wrong-Key-11").host(sandbox.host()))
        .unwrap()
        .page()
        .init_payment(&InitPaymentRequest::new("10".parse().unwrap(), "Tea"))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "request accepted",
        "payment created",
        "card submitted",
        "payment processed",
        "payout made",
        "request refused",
    ] {
        assert!(log.contains(expected), "no `{expected}` in the log:\n{log}");
    }
    assert!(
        log.contains("471604******1981"),
        "the masked card is logged"
    );
    for secret in [SECRET, PAYOUT_SECRET, CARD, PAYOUT_CARD, "Wrong-Key-11"] {
        assert!(
            !log.contains(secret),
            "`{secret}` leaked into the log:\n{log}"
        );
    }
}
