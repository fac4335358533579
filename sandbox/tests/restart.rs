//! `--db`: the sandbox binary is killed with SIGKILL in the middle of a flow
//! and restarted on the same file; every payment, payout and balance is still
//! there, in the state it had, and the flow carries on.

use std::ffi::OsStr;
use std::process::Child;

use freedompay::enums::Currency;
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::merchant::payments::{ClearingRequest, PaymentStatusRequest};
use freedompay::merchant::payout::{
    CardPayoutRequest, CardPayoutRequestRequired, PayoutBalanceRequest,
};
use freedompay::{Amount, Client, Config, Host};
use freedompay_sandbox::payer;

mod common;

const MERCHANT: &str = "545084";
const SECRET: &str = "Restart-Secret-3";

/// Starts the binary on `db`.
fn start(db: &std::path::Path) -> (Child, String) {
    common::start([
        OsStr::new("--merchant"),
        OsStr::new(&format!("{MERCHANT}:{SECRET}")),
        OsStr::new("--db"),
        db.as_os_str(),
    ])
}

fn client(url: &str) -> Client {
    Client::new(Config::new(MERCHANT, SECRET).host(Host::Custom(url.to_owned()))).expect("client")
}

fn amount(text: &str) -> Amount {
    text.parse().expect("amount")
}

#[tokio::test]
async fn a_killed_sandbox_restarts_where_it_was() {
    let db = std::env::temp_dir().join(format!("freedompay-sandbox-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);

    let (mut first, url) = start(&db);
    let client = client(&url);
    let created = client
        .page()
        .init_payment(&InitPaymentRequest::new(amount("700"), "Held order").auto_clearing(false))
        .await
        .expect("created");
    payer::submit_card(
        &reqwest::Client::new(),
        &created.redirect_url,
        "4716047261941981",
    )
    .await
    .expect("paid");
    let payout = client
        .payout()
        .card(&CardPayoutRequest::new(CardPayoutRequestRequired {
            order_id: "p-1".to_owned(),
            amount: amount("100"),
            payment_to: "4671593866478252".into(),
            description: "Payout".to_owned(),
            post_link: "http://127.0.0.1:9/post".to_owned(),
        }))
        .await
        .expect("payout");
    first.kill().expect("SIGKILL");
    first.wait().expect("exited");

    let (mut second, url) = start(&db);
    let client = self::client(&url);
    let status = client
        .payments()
        .status(&PaymentStatusRequest::new(created.payment_id))
        .await
        .expect("the payment survived");
    assert_eq!(status.amount, amount("700"));
    assert_eq!(status.captured, Some(false), "still held, not captured");
    let balance = client
        .payout()
        .balance(&PayoutBalanceRequest::new(Currency::Kzt))
        .await
        .expect("balance");
    assert_eq!(
        balance.balance, payout.balance,
        "the payout's debit survived"
    );

    // The flow carries on: the held payment is cleared now.
    client
        .payments()
        .clearing(&ClearingRequest::new(created.payment_id))
        .await
        .expect("cleared after the restart");
    // New ids never reuse old ones.
    let again = client
        .page()
        .init_payment(&InitPaymentRequest::new(amount("1"), "Next"))
        .await
        .expect("created");
    assert!(again.payment_id > payout.payment_id);
    second.kill().expect("stop");
    let _ = second.wait();
    let _ = std::fs::remove_file(&db);
}
