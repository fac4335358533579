//! A whole Freedom Pay integration on one machine, no account, no network:
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! It starts the sandbox gateway and a small merchant server in-process,
//! creates a payment with the generated client, pays it on the payment page
//! as a payer would (over HTTP, with a documented test card), answers the
//! gateway's check and result callbacks with signed replies, reads the
//! payment's status, refunds part of it and pays money out to a card. Then
//! it pays server to server through the Gateway API with a 3-D Secure test
//! card: the payer passes 3-D Secure on the sandbox's ACS page, and the
//! merchant finishes, clears and tries to refund the payment.

use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::{get, post};
use freedompay::axum::{CallbackKeys, SignedReply, VerifiedCallback};
use freedompay::enums::ReplyStatus;
use freedompay::gateway::payments::{
    G2gCardPaymentRequest, G2gCardPaymentRequestRequired, G2gClearingRequest, G2gPaymentAcsRequest,
    G2gPaymentStatusRequest, G2gRefundRequest,
};
use freedompay::merchant::callbacks::{
    CheckCallback, CheckReply, PayoutNotifyCallback, RedirectBackCallback, ResultCallback,
    ResultReply,
};
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::merchant::payments::{PaymentStatusRequest, RefundRequest};
use freedompay::merchant::payout::{CardPayoutRequest, CardPayoutRequestRequired};
use freedompay::test_data::{Availability, CardUse, Outcome, TEST_CARDS, TestCard};
use freedompay::{Amount, Client, Config};
use freedompay_sandbox::{RetryPolicy, Sandbox};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// The sandbox's documented test merchant.
const MERCHANT_ID: &str = "12345";
const SECRET: &str = "mysecret";

type Events = mpsc::UnboundedSender<String>;

#[derive(Clone)]
struct Shop {
    keys: CallbackKeys,
    events: Events,
}

impl FromRef<Shop> for CallbackKeys {
    fn from_ref(shop: &Shop) -> Self {
        shop.keys.clone()
    }
}

/// The gateway asks whether the order can be paid. The extractor has already
/// verified `pg_sig` against the message as received (forgeries never get here).
async fn check(State(shop): State<Shop>, callback: VerifiedCallback<CheckCallback>) -> SignedReply {
    let _ = shop.events.send(format!(
        "shop: check callback for order {} ({} {}), pg_sig {} verified → ok",
        callback.order_id,
        callback.amount,
        callback.currency,
        callback.params().get_text("pg_sig").unwrap_or_default()
    ));
    callback.reply(&CheckReply::new(ReplyStatus::Ok).description("order is ready"))
}

/// The gateway reports the outcome; a retried delivery gets the same answer
/// without reaching this handler again.
async fn result(
    State(shop): State<Shop>,
    callback: VerifiedCallback<ResultCallback>,
) -> SignedReply {
    let _ = shop.events.send(format!(
        "shop: result callback: payment {} {} (pg_result={}), pg_sig {} verified → ok",
        callback.payment_id,
        if callback.result == 1 {
            "paid"
        } else {
            "failed"
        },
        callback.result,
        callback.params().get_text("pg_sig").unwrap_or_default()
    ));
    callback.reply(&ResultReply::new(ReplyStatus::Ok))
}

/// The gateway reports a payout's final state.
async fn payout(
    State(shop): State<Shop>,
    notice: VerifiedCallback<PayoutNotifyCallback>,
) -> SignedReply {
    let _ = shop.events.send(format!(
        "shop: payout notification: payout {} to {} is {}, balance left {}",
        notice.payment_id,
        notice.card_hash.as_deref().unwrap_or("?"),
        notice
            .status
            .as_ref()
            .map_or("?".to_owned(), ToString::to_string),
        notice.balance.as_deref().unwrap_or("?"),
    ));
    notice.acknowledge()
}

/// The payer's browser comes back with signed parameters.
async fn success(back: VerifiedCallback<RedirectBackCallback>) -> String {
    format!("Thank you! Order {} is paid.", back.order_id)
}

async fn start_shop(secret: &str, events: Events) -> String {
    let shop = Shop {
        keys: CallbackKeys::new(secret),
        events,
    };
    let app = Router::new()
        .route("/freedompay/check", post(check))
        .route("/freedompay/result", post(result))
        .route("/freedompay/payout", post(payout))
        .route("/shop/success", get(success))
        .with_state(shop);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the shop serves") });
    url
}

fn amount(text: &str) -> Amount {
    text.parse().expect("an amount")
}

/// The Gateway API, server to server: the merchant takes the card itself
/// (PCI DSS), the issuer asks for 3-D Secure, the payer passes it on the ACS
/// page, and the merchant finishes, clears and refunds the payment.
async fn gateway(
    client: &Client,
    payer: &reqwest::Client,
) -> Result<(), Box<dyn std::error::Error>> {
    let card = TEST_CARDS
        .iter()
        .find(|c| {
            c.usage == CardUse::Purchase
                && c.outcome == Outcome::Success
                && c.three_ds == Some(Availability::Available)
                && c.clearing == Some(Availability::Available)
        })
        .expect("a 3-D Secure test card that may be cleared");
    let expiry = freedompay_sandbox::payer::valid_expiry();
    let (month, year) = expiry.split_once('/').unwrap_or(("12", "30"));
    let request = G2gCardPaymentRequest::new(G2gCardPaymentRequestRequired {
        order_id: "order43".to_owned(),
        amount: amount("800"),
        description: "Order 43".to_owned(),
        card_pan: card.number.into(),
        card_cvc: "123".into(),
        card_year: year.into(),
        card_month: month.into(),
        card_name: "IVAN IVANOV".into(),
    })
    .auto_clearing(false);
    let asked = client.gateway_payments().card(&request).await?.into_data();
    println!(
        "10. g2g/payment (multipart, card {}, CVC ***): payment {}, 3-D Secure asked: {}",
        request.card_pan, asked.payment_id, asked.three_ds
    );
    let (Some(acs_url), Some(md), Some(pareq)) = (
        asked.three_d_acs_url.as_deref(),
        asked.three_d_md.as_deref(),
        asked.three_d_pareq.as_deref(),
    ) else {
        return Err("the 3-D Secure card was not sent to its ACS page".into());
    };
    let term_url = "https://shop.example/3ds/back";
    let passed = freedompay_sandbox::payer::pass_three_ds(payer, acs_url, pareq, md, term_url)
        .await?
        .ok_or("the ACS page did not pass the payer")?;
    println!("    payer passes 3-D Secure on {acs_url}; the page posts MD and PaRes to {term_url}");
    let finished = client
        .gateway_payments()
        .payment_acs(&G2gPaymentAcsRequest::new(
            asked.payment_id,
            passed.md,
            passed.pares,
        ))
        .await?
        .into_data();
    println!(
        "11. g2g/paymentAcs: payment {} finished, status {}",
        finished.payment_id, finished.status
    );
    let cleared = client
        .gateway_payments()
        .clearing(&G2gClearingRequest::new(asked.payment_id))
        .await?;
    println!("12. g2g/clearing: {}", cleared.data().status);
    // This test card's issuer allows no refund (the documentation's card
    // matrix): the gateway's signed refusal is a typed error.
    match client
        .gateway_payments()
        .refund(&G2gRefundRequest::new(asked.payment_id).amount(amount("300")))
        .await
    {
        Ok(refunded) => println!("13. g2g/refund of 300 KZT: {}", refunded.data().status),
        Err(error) => match error.gateway_error() {
            Some(refusal) => println!(
                "13. g2g/refund refused, as this test card's issuer does: error {} ({})",
                refusal.code, refusal.description
            ),
            None => return Err(error.into()),
        },
    }
    let status = client
        .gateway_payments()
        .status(&G2gPaymentStatusRequest::new(asked.payment_id, "order43"))
        .await?
        .into_data();
    println!(
        "    g2g/status_v2: payment {}, {} KZT cleared, {} refunded",
        status
            .payment_status
            .as_ref()
            .map_or("unknown".to_owned(), ToString::to_string),
        status
            .clearing_amount
            .map_or("nothing".to_owned(), |a| a.to_string()),
        status
            .refund_amount
            .map_or("nothing".to_owned(), |a| a.to_string())
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder()
        .retry(RetryPolicy {
            attempts: 3,
            delay: Duration::from_millis(100),
            ..RetryPolicy::default()
        })
        .payout_delay(Duration::from_millis(100))
        .start()
        .await?;
    println!(
        "1. Sandbox gateway at {} (merchant {MERCHANT_ID}, key `{SECRET}`)",
        sandbox.base_url()
    );

    let (events, mut received) = mpsc::unbounded_channel();
    let shop = start_shop(SECRET, events).await;
    println!("2. Merchant server at {shop}");

    let client = Client::new(Config::new(MERCHANT_ID, SECRET).host(sandbox.host()))?;
    let request = InitPaymentRequest::new(amount("1500"), "Coffee beans, 1 kg")
        .order_id("order-42")
        .check_url(format!("{shop}/freedompay/check"))
        .result_url(format!("{shop}/freedompay/result"))
        .success_url(format!("{shop}/shop/success"))
        .with_extra("cart", "A-17");
    let prepared = client.prepare(&request)?;
    println!(
        "3. init_payment.php: order-42, 1500 KZT, signed pg_sig {}",
        prepared.signature()
    );
    // `client.page().init_payment(&request)` does the same in one call; preparing
    // first shows the exact signature that is sent.
    let created = client
        .send_prepared::<InitPaymentRequest>(&prepared)
        .await?;
    println!(
        "   → payment {} created (answer pg_sig {} verified); payer goes to {}",
        created.payment_id,
        created.params().get_text("pg_sig").unwrap_or_default(),
        created.redirect_url
    );

    let card = TestCard::first(CardUse::Purchase, Outcome::Success).expect("a test card");
    let payer = reqwest::Client::new();
    let page = payer.get(&created.redirect_url).send().await?;
    println!("4. Payer opens the payment page: HTTP {}", page.status());
    let paid =
        freedompay_sandbox::payer::submit_card(&payer, &created.redirect_url, card.number).await?;
    let landed = paid.url().path().to_owned();
    println!(
        "   payer pays with test card {} and lands on {landed}: \"{}\"",
        freedompay::redact::mask(card.number),
        paid.text().await?
    );

    // The check came before the charge; the result follows it.
    for _ in 0..2 {
        if let Some(event) = tokio::time::timeout(Duration::from_secs(5), received.recv()).await? {
            println!("5. {event}");
        }
    }

    let status = client
        .payments()
        .status(&PaymentStatusRequest::new(created.payment_id))
        .await?;
    println!(
        "6. get_status3.php: payment {} is {}, {} {}, captured {}",
        status.payment_id,
        status
            .payment_status
            .as_ref()
            .map_or("unknown".to_owned(), ToString::to_string),
        status.amount,
        status.currency,
        status
            .clearing_amount
            .map_or("nothing".to_owned(), |a| a.to_string())
    );

    let refund = client
        .payments()
        .refund(&RefundRequest::new(created.payment_id).refund_amount(amount("500")))
        .await?;
    println!(
        "7. revoke.php: 500 KZT of payment {} refunded ({}, answer pg_sig {})",
        created.payment_id,
        refund.status,
        refund.params().get_text("pg_sig").unwrap_or_default()
    );
    let status = client
        .payments()
        .status(&PaymentStatusRequest::new(created.payment_id))
        .await?;
    println!(
        "   status now lists {} refund(s), {} KZT in all",
        status.refund_payments.len(),
        status.refund_amount.unwrap_or_default()
    );

    let payout_card = TestCard::first(CardUse::Payout, Outcome::Success).expect("a payout card");
    let payout = client
        .payout()
        .card(&CardPayoutRequest::new(CardPayoutRequestRequired {
            order_id: "payout-7".to_owned(),
            amount: amount("2500"),
            payment_to: payout_card.number.into(),
            description: "Supplier payment".to_owned(),
            post_link: format!("{shop}/freedompay/payout"),
        }))
        .await?;
    println!(
        "8. p2p2nonreg: payout {} of {} to {}, balance left {}",
        payout.payment_id,
        payout.payment_amount,
        freedompay::redact::mask(payout_card.number),
        payout.balance
    );
    if let Some(event) = tokio::time::timeout(Duration::from_secs(5), received.recv()).await? {
        println!("9. {event}");
    }

    gateway(&client, &payer).await?;
    println!(
        "Done: a payment, its callbacks, a refund, a payout and a server-to-server payment \
         with 3-D Secure, all signed and verified."
    );
    sandbox.shutdown().await;
    Ok(())
}
