//! The Gateway API (Sync) against the sandbox, through the generated client:
//! card payments server to server that approve, decline or ask for 3-D
//! Secure (the ACS page driven as a payer's browser would), `paymentAcs`,
//! clearing, cancel, refund and `status_v2`, on the same payments the
//! Merchant API's calls see; card storage on the Merchant API's saved cards;
//! card-to-card transfers and their rates; token, Apple Pay and Google Pay payments and the
//! token payout; the recurring charge; payouts from the Merchant API's
//! payout balance; the any-amount page; and no card number, CVC or wallet cryptogram in what the
//! sandbox logs.

use freedompay::enums::{
    Currency, G2gPaymentState, PaymentMethod, PaymentState as MerchantPaymentState, ResponseStatus,
};
use freedompay::errors::ErrorCode;
use freedompay::gateway::card_storage::{
    CardRemoveStatus, G2gCardAcsRequest, G2gCardAddRequest, G2gCardAddRequestRequired,
    G2gCardListRequest, G2gCardRemoveRequest,
};
use freedompay::gateway::page::G2gAnyAmountRequest;
use freedompay::gateway::payments::{
    G2gCancelRequest, G2gCardPaymentRequest, G2gCardPaymentRequestRequired, G2gCardPaymentResponse,
    G2gClearingRequest, G2gPaymentAcsRequest, G2gPaymentStatusRequest, G2gRecurrentPaymentRequest,
    G2gRefundRequest,
};
use freedompay::gateway::payout::{
    G2gIbanPayoutRequest, G2gIbanPayoutRequestRequired, G2gPayoutBalanceRequest,
    G2gPayoutStatusRequest,
};
use freedompay::gateway::tokens::{
    G2gApplePayPaymentRequest, G2gApplePayPaymentRequestRequired, G2gGooglePayPaymentRequest,
    G2gGooglePayPaymentRequestRequired, G2gTokenPaymentRequest, G2gTokenPaymentRequestRequired,
    G2gTokenPayoutRequest, G2gTokenPayoutRequestRequired,
};
use freedompay::gateway::transfers::{
    G2gTransferAcsRequest, G2gTransferRequest, G2gTransferRequestRequired, G2gTransferStatusRequest,
};
use freedompay::merchant::card_storage::{CardListRequest, PayoutCardAddRequest};
use freedompay::merchant::payments::PaymentStatusRequest;
use freedompay::merchant::token::{TokenDirectRequest, TokenInitRequest, TokenInitRequestRequired};
use freedompay::test_data::{Outcome, TEST_CARDS};
use freedompay::{CardNumber, Client, Sensitive};
use freedompay::{Encode, Sign};
use freedompay_sandbox::{PaymentState, RunningSandbox, payer};
use regex::Regex;

use super::harness::*;

/// The CVC every payment here is sent with: three digits that appear
/// nowhere else, so a leak of it can be told.
const CVC: &str = "736";

/// The expiry (`MM`, `YY`) of every card here: one the sandbox accepts.
fn expiry() -> (String, String) {
    let expiry = payer::valid_expiry();
    let (month, year) = expiry.split_once('/').expect("MM/YY");
    (month.to_owned(), year.to_owned())
}

/// A card payment of `amount` KZT for `order_id` with test card `card`.
fn card_payment(order_id: &str, amount_text: &str, card: &str) -> G2gCardPaymentRequest {
    let (month, year) = expiry();
    G2gCardPaymentRequest::new(G2gCardPaymentRequestRequired {
        order_id: order_id.to_owned(),
        amount: amount(amount_text),
        description: "Tea".to_owned(),
        card_pan: card.into(),
        card_cvc: CVC.into(),
        card_year: year.into(),
        card_month: month.into(),
        card_name: "IVAN IVANOV".into(),
    })
}

async fn status_v2(
    client: &Client,
    payment_id: i64,
    order_id: &str,
) -> freedompay::gateway::payments::G2gPaymentStatusResponse {
    client
        .gateway_payments()
        .status(&G2gPaymentStatusRequest::new(payment_id, order_id))
        .await
        .expect("the status")
        .into_data()
}

/// The value of the hidden input `name` in an HTML form.
fn hidden(html: &str, name: &str) -> String {
    let pattern = format!(r#"name="{name}" value="([^"]*)""#);
    Regex::new(&pattern)
        .unwrap()
        .captures(html)
        .unwrap_or_else(|| panic!("no {name} in {html}"))[1]
        .to_owned()
}

/// The text of the element with id `id`.
fn element(html: &str, id: &str) -> String {
    let pattern = format!(r#"id="{id}">([^<]*)<"#);
    Regex::new(&pattern)
        .unwrap()
        .captures(html)
        .unwrap_or_else(|| panic!("no #{id} in {html}"))[1]
        .to_owned()
}

/// What a payer's browser posts to the ACS page, and the page's answer.
async fn post_acs(url: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let answer = payer::submit(&browser(), url, fields)
        .await
        .expect("the ACS page answers");
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// The merchant's form to the ACS page (PaReq, MD, TermUrl), then the
/// payer's password: the MD and PaRes the page posts back to the TermUrl.
async fn pass_three_ds(answer: &G2gCardPaymentResponse, term_url: &str) -> (String, String) {
    let url = answer.three_d_acs_url.clone().expect("pg_3d_acsurl");
    let md = answer.three_d_md.clone().expect("pg_3d_md");
    let pareq = answer.three_d_pareq.clone().expect("pg_3d_pareq");
    let (status, page) = post_acs(
        &url,
        &[("PaReq", &pareq), ("MD", &md), ("TermUrl", term_url)],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("name=\"password\""), "{page}");
    let (status, back) = post_acs(
        &url,
        &[
            ("MD", &md),
            ("TermUrl", term_url),
            ("password", payer::THREE_DS_PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, 200, "{back}");
    assert!(
        back.contains(&format!("action=\"{term_url}\"")),
        "posted back to the TermUrl: {back}"
    );
    assert_eq!(hidden(&back, "MD"), md, "the MD comes back");
    (md, hidden(&back, "PaRes"))
}

#[tokio::test]
async fn an_approving_card_pays_at_once_and_the_merchant_api_sees_the_payment() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| !available(c.three_ds) && available(c.refund));
    let paid = client
        .gateway_payments()
        .card(&card_payment("g2g1", "1500", card))
        .await
        .expect("paid");
    assert_eq!(paid.status, ResponseStatus::Ok);
    assert!(!paid.three_ds, "no 3-D Secure for this card");
    assert!(paid.three_d_acs_url.is_none());
    let auth_code = paid.auth_code.clone().expect("an authorisation code");
    assert!(Regex::new("^[0-9]{6}$").unwrap().is_match(&auth_code));
    let payment = sandbox.payment(paid.payment_id).expect("stored");
    assert_eq!(payment.state, PaymentState::Paid);
    assert_eq!(payment.order_id, "g2g1");
    assert_eq!(payment.card_pan.as_deref(), Some("471604******1981"));

    let status = status_v2(&client, paid.payment_id, "g2g1").await;
    assert_eq!(status.payment_status, Some(G2gPaymentState::Success));
    assert_eq!(status.amount, amount("1500"));
    assert_eq!(status.clearing_amount, Some(amount("1500")));
    assert_eq!(status.captured, Some(true));
    assert_eq!(status.auth_code.as_deref(), Some(auth_code.as_str()));
    assert_eq!(
        status.card_pan.as_ref().map(Sensitive::expose),
        Some("471604******1981")
    );

    // The Merchant API's status call sees the same payment.
    let merchant = client
        .payments()
        .status(&PaymentStatusRequest::new(paid.payment_id))
        .await
        .expect("the Merchant API's status");
    assert_eq!(merchant.payment_status, Some(MerchantPaymentState::Success));
    assert_eq!(merchant.order_id.as_deref(), Some("g2g1"));
    assert_eq!(merchant.amount, amount("1500"));
}

/// A Gateway payment's result goes to its `pg_result_url` signed like the
/// Merchant API's result: at once for a card that approves or declines,
/// after `paymentAcs` for a 3-D Secure card; the card number in it is masked.
#[tokio::test]
async fn a_gateway_payment_sends_its_signed_result_to_the_result_url() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let shop = ShopServer::start().await;
    let results = |s: &Shop| s.results.lock().unwrap().len();
    let with_result =
        |order: &str, card: &str| card_payment(order, "250", card).result_url(shop.url("result"));

    let approving = purchase_card_where(|c| !available(c.three_ds) && available(c.refund));
    let paid = client
        .gateway_payments()
        .card(&with_result("g2gr1", approving))
        .await
        .expect("paid");
    shop.wait(results, 1).await;
    let declined = client
        .gateway_payments()
        .card(&with_result("g2gr2", purchase_card(Outcome::Declined)))
        .await
        .expect_err("declined");
    shop.wait(results, 2).await;
    let declined_id = declined
        .gateway_error()
        .and_then(|e| e.payment_id())
        .expect("the refusal names its payment");

    let three_ds = purchase_card_where(|c| available(c.three_ds));
    let asked = client
        .gateway_payments()
        .card(&with_result("g2gr3", three_ds))
        .await
        .expect("3-D Secure asked for")
        .into_data();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(
        results(&shop.shop),
        2,
        "no result before 3-D Secure is done"
    );
    let (md, pares) = pass_three_ds(&asked, "https://merchant.example/3ds").await;
    client
        .gateway_payments()
        .payment_acs(&G2gPaymentAcsRequest::new(asked.payment_id, md, pares))
        .await
        .expect("finished");
    shop.wait(results, 3).await;

    let received = shop.shop.results.lock().unwrap().clone();
    let expected = [
        (paid.payment_id, "g2gr1", "1", approving),
        (declined_id, "g2gr2", "0", purchase_card(Outcome::Declined)),
        (asked.payment_id, "g2gr3", "1", three_ds),
    ];
    for (result, (id, order, outcome, card)) in received.iter().zip(expected) {
        assert_eq!(
            result.get_text("pg_payment_id"),
            Some(id.to_string().as_str())
        );
        assert_eq!(result.get_text("pg_order_id"), Some(order));
        assert_eq!(result.get_text("pg_result"), Some(outcome), "{order}");
        assert_eq!(result.get_text("pg_amount"), Some("250"));
        let pan = result.get_text("pg_card_pan").expect("the card, masked");
        assert_eq!(
            pan,
            format!("{}******{}", &card[..6], &card[card.len() - 4..])
        );
    }
}

#[tokio::test]
async fn a_held_payment_is_cleared_then_refunded_through_the_gateway() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| {
        !available(c.three_ds) && available(c.clearing) && available(c.refund)
    });
    let held = client
        .gateway_payments()
        .card(&card_payment("g2g2", "1000", card).auto_clearing(false))
        .await
        .expect("held");
    let id = held.payment_id;
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Held);
    let status = status_v2(&client, id, "g2g2").await;
    assert_eq!(status.payment_status, Some(G2gPaymentState::Success));
    assert_eq!(status.captured, Some(false));

    let refused = client
        .gateway_payments()
        .refund(&G2gRefundRequest::new(id))
        .await
        .expect_err("a held payment is not refunded");
    assert_eq!(
        gateway_code(&refused),
        ErrorCode::RefundRequiresClearing.code()
    );

    let cleared = client
        .gateway_payments()
        .clearing(&G2gClearingRequest::new(id).clearing_amount(amount("600")))
        .await
        .expect("cleared");
    assert_eq!(cleared.payment_id, id);
    assert_eq!(cleared.amount, Some(amount("1000")));
    assert_eq!(cleared.clearing_amount, Some(amount("600")));
    assert_eq!(cleared.status_clearing, Some(true));
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Paid);
    let again = client
        .gateway_payments()
        .clearing(&G2gClearingRequest::new(id))
        .await
        .expect_err("cleared once");
    assert_eq!(gateway_code(&again), ErrorCode::AlreadyCleared.code());

    let refund = client
        .gateway_payments()
        .refund(&G2gRefundRequest::new(id).amount(amount("200")))
        .await
        .expect("refunded");
    assert_eq!(refund.refund_status, G2gPaymentState::Success);
    let refund_id = refund.payment_refund_id.expect("the refund's id");
    assert_ne!(refund_id, id);
    let past = client
        .gateway_payments()
        .refund(&G2gRefundRequest::new(id).amount(amount("500")))
        .await
        .expect_err("only 400 is left");
    assert_eq!(gateway_code(&past), ErrorCode::RefundExceedsPayment.code());
    let other_currency = client
        .gateway_payments()
        .refund(
            &G2gRefundRequest::new(id)
                .amount(amount("1"))
                .currency(Currency::Unknown("USD".to_owned())),
        )
        .await
        .expect_err("the payment is in KZT");
    assert_eq!(
        gateway_code(&other_currency),
        ErrorCode::InvalidParameter.code()
    );

    let status = status_v2(&client, id, "g2g2").await;
    assert_eq!(status.captured, Some(true));
    assert_eq!(status.clearing_amount, Some(amount("600")));
    assert_eq!(status.refund_amount, Some("-200".parse().unwrap()));
    assert_eq!(status.refund_payments.len(), 1);
    assert_eq!(status.refund_payments[0].payment_id, Some(refund_id));
    let merchant = client
        .payments()
        .status(&PaymentStatusRequest::new(id))
        .await
        .expect("the Merchant API's status");
    assert_eq!(merchant.refund_amount, Some("-200".parse().unwrap()));
    assert_eq!(merchant.clearing_amount, Some(amount("600")));
}

#[tokio::test]
async fn a_declining_card_fails_the_payment_with_its_code() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card(Outcome::Declined);
    let refused = client
        .gateway_payments()
        .card(&card_payment("g2g3", "100", card))
        .await
        .expect_err("declined");
    assert_eq!(
        gateway_code(&refused),
        ErrorCode::PaymentErrorContactIssuer.code()
    );
    let payments = sandbox.payments_of_order(MERCHANT, "g2g3");
    assert_eq!(payments.len(), 1, "the declined payment is kept");
    let payment = &payments[0];
    assert!(
        matches!(payment.state, PaymentState::Failed { code: 10001, .. }),
        "{:?}",
        payment.state
    );
    let status = status_v2(&client, payment.id, "g2g3").await;
    assert_eq!(status.payment_status, Some(G2gPaymentState::Error));
    assert_eq!(status.failure_code, Some(10001));

    // The error answer names the payment it made.
    let mut params = card_payment("g2g3b", "100", card).to_params();
    params.push("pg_merchant_id", MERCHANT);
    let answer = raw_call(&sandbox, "/g2g/payment", "payment", SECRET, params).await;
    assert_eq!(answer.get_text("pg_status"), Some("error"));
    assert_eq!(answer.get_text("pg_error_code"), Some("10001"));
    let declined = &sandbox.payments_of_order(MERCHANT, "g2g3b")[0];
    assert_eq!(
        answer.get_text("pg_payment_id"),
        Some(declined.id.to_string().as_str())
    );

    // A card that is no purchase test card is not approved either.
    let unknown = client
        .gateway_payments()
        .card(&card_payment("g2g3c", "100", "4405645000006150"))
        .await
        .expect_err("unknown card");
    assert_eq!(
        gateway_code(&unknown),
        ErrorCode::UnknownPaymentSystemError.code()
    );
}

#[tokio::test]
async fn a_three_ds_card_is_finished_with_the_acs_answer_then_cleared() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| available(c.three_ds) && available(c.clearing));
    let asked = client
        .gateway_payments()
        .card(&card_payment("g2g4", "700", card).auto_clearing(false))
        .await
        .expect("3-D Secure asked for")
        .into_data();
    let id = asked.payment_id;
    assert_eq!(asked.status, ResponseStatus::Ok);
    assert!(asked.three_ds);
    let acs_url = asked.three_d_acs_url.clone().unwrap();
    assert_eq!(acs_url, format!("{}/sandbox/acs/{id}", sandbox.base_url()));
    let md = asked.three_d_md.clone().unwrap();
    assert!(Regex::new("^[0-9A-Za-z]+$").unwrap().is_match(&md), "{md}");
    assert!(asked.three_d_pareq.is_some());
    assert!(asked.auth_code.is_none(), "not authorised yet");
    assert_eq!(
        sandbox.payment(id).unwrap().state,
        PaymentState::AwaitingThreeDs { attempts: 0 }
    );
    let status = status_v2(&client, id, "g2g4").await;
    assert_eq!(status.payment_status, Some(G2gPaymentState::Process));

    // The payment page sends the payer to the ACS page.
    let page = browser()
        .get(format!("{}/sandbox/pay/{id}", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(location(&page), acs_url);

    // Before the payer has finished there is no PaRes to pass on.
    let early = client
        .gateway_payments()
        .payment_acs(&G2gPaymentAcsRequest::new(id, md.clone(), "pares-guess"))
        .await
        .expect_err("the payer has not finished");
    assert_eq!(gateway_code(&early), ErrorCode::ThreeDsNotEntered.code());

    // A PaReq that is not the payment's is turned away; a wrong password counts.
    let (status, _) = post_acs(&acs_url, &[("PaReq", "other"), ("MD", &md)]).await;
    assert_eq!(status, 400);
    let (status, page) = post_acs(&acs_url, &[("MD", &md), ("password", "000000")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"password_error\""), "{page}");

    let term_url = "https://shop.example/3ds/back?order=g2g4";
    let (md_back, pares) = pass_three_ds(&asked, term_url).await;
    assert!(
        Regex::new("^[0-9A-Za-z-]+$").unwrap().is_match(&pares),
        "{pares}"
    );
    let wrong_md = client
        .gateway_payments()
        .payment_acs(&G2gPaymentAcsRequest::new(id, "0000", pares.clone()))
        .await
        .expect_err("not the payment's MD");
    assert_eq!(gateway_code(&wrong_md), ErrorCode::ThreeDsFailed.code());
    let wrong_pares = client
        .gateway_payments()
        .payment_acs(&G2gPaymentAcsRequest::new(id, md_back.clone(), "pares-0"))
        .await
        .expect_err("not the ACS's PaRes");
    assert_eq!(gateway_code(&wrong_pares), ErrorCode::ThreeDsFailed.code());
    assert_eq!(
        sandbox.payment(id).unwrap().state,
        PaymentState::AwaitingThreeDs { attempts: 0 },
        "a wrong answer leaves the payment waiting"
    );

    let finished = client
        .gateway_payments()
        .payment_acs(&G2gPaymentAcsRequest::new(
            id,
            md_back.clone(),
            pares.clone(),
        ))
        .await
        .expect("3-D Secure finished");
    assert_eq!(finished.payment_id, id);
    assert_eq!(finished.status, ResponseStatus::Ok);
    assert!(finished.auth_code.is_some());
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Held);
    let reused = client
        .gateway_payments()
        .payment_acs(&G2gPaymentAcsRequest::new(id, md_back, pares))
        .await
        .expect_err("MD and PaRes serve once");
    assert_eq!(
        gateway_code(&reused),
        ErrorCode::TransactionAlreadyDone.code()
    );
    let (_, over) = post_acs(&acs_url, &[]).await;
    assert!(over.contains("is over"), "{over}");

    client
        .gateway_payments()
        .clearing(&G2gClearingRequest::new(id))
        .await
        .expect("cleared");
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Paid);
    let status = status_v2(&client, id, "g2g4").await;
    assert_eq!(status.payment_status, Some(G2gPaymentState::Success));
    assert_eq!(status.captured, Some(true));
    let merchant = client
        .payments()
        .status(&PaymentStatusRequest::new(id))
        .await
        .expect("the Merchant API's status");
    assert_eq!(merchant.payment_status, Some(MerchantPaymentState::Success));
}

#[tokio::test]
async fn a_payer_who_cancels_three_ds_fails_the_payment() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| available(c.three_ds));
    let asked = client
        .gateway_payments()
        .card(&card_payment("g2g5", "50", card))
        .await
        .expect("3-D Secure asked for");
    let url = asked.three_d_acs_url.clone().unwrap();
    // Without a TermUrl the page shows MD and PaRes for the merchant to pass on.
    let (status, page) = post_acs(&url, &[]).await;
    assert_eq!(status, 200);
    assert!(page.contains("471604") || page.contains("******"), "{page}");
    let (status, shown) = post_acs(&url, &[("action", "cancel")]).await;
    assert_eq!(status, 200);
    assert!(shown.contains("not confirmed"), "{shown}");
    let md = element(&shown, "md");
    let pares = element(&shown, "pares");
    assert_eq!(Some(&md), asked.three_d_md.as_ref());
    let refused = client
        .gateway_payments()
        .payment_acs(&G2gPaymentAcsRequest::new(asked.payment_id, md, pares))
        .await
        .expect_err("the payer failed 3-D Secure");
    assert_eq!(
        gateway_code(&refused),
        ErrorCode::ThreeDsNotEnteredOrWrong.code()
    );
    let payment = sandbox.payment(asked.payment_id).unwrap();
    assert!(
        matches!(payment.state, PaymentState::Failed { code: 10004, .. }),
        "{:?}",
        payment.state
    );
    let status = status_v2(&client, asked.payment_id, "g2g5").await;
    assert_eq!(status.payment_status, Some(G2gPaymentState::Error));
}

#[tokio::test]
async fn a_held_payment_is_cancelled_once_and_its_status_lists_the_reversal() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| !available(c.three_ds) && available(c.reverse));
    let held = client
        .gateway_payments()
        .card(&card_payment("g2g6", "300", card).auto_clearing(false))
        .await
        .expect("held");
    let cancelled = client
        .gateway_payments()
        .cancel(&G2gCancelRequest::new(held.payment_id))
        .await
        .expect("cancelled");
    assert_eq!(cancelled.payment_id, held.payment_id);
    assert_eq!(cancelled.revoke_status, G2gPaymentState::Success);
    let revoke_id = cancelled.payment_revoke_id.expect("the reversal's id");
    assert_eq!(
        sandbox.payment(held.payment_id).unwrap().state,
        PaymentState::Cancelled
    );
    let again = client
        .gateway_payments()
        .cancel(&G2gCancelRequest::new(held.payment_id))
        .await
        .expect_err("cancelled once");
    assert_eq!(gateway_code(&again), ErrorCode::AlreadyCancelled.code());
    let status = status_v2(&client, held.payment_id, "g2g6").await;
    assert_eq!(status.revoked_payments.len(), 1);
    assert_eq!(status.revoked_payments[0].payment_id, Some(revoke_id));

    // A card whose issuer allows no reversal keeps the hold.
    let no_reverse = purchase_card_where(|c| !available(c.three_ds) && !available(c.reverse));
    let held = client
        .gateway_payments()
        .card(&card_payment("g2g6b", "300", no_reverse).auto_clearing(false))
        .await
        .expect("held");
    let refused = client
        .gateway_payments()
        .cancel(&G2gCancelRequest::new(held.payment_id))
        .await
        .expect_err("no reversal with this card");
    assert_eq!(gateway_code(&refused), ErrorCode::CancelNotPossible.code());
}

#[tokio::test]
async fn cards_that_cannot_pay_are_refused_before_a_payment_is_made() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card(Outcome::Success);
    let mut expired = card_payment("g2g7", "10", card);
    expired.card_year = "20".into();
    let refused = client
        .gateway_payments()
        .card(&expired)
        .await
        .expect_err("expired");
    assert_eq!(gateway_code(&refused), ErrorCode::CardExpired.code());

    // The client refuses an impossible CVC or month itself; a client that
    // sends one anyway gets a refusal naming the field.
    type Spoil = fn(&mut G2gCardPaymentRequest);
    let impossible: [(&str, Spoil, &str); 2] = [
        (
            "a CVC of two digits",
            |r| r.card_cvc = "12".into(),
            "pg_card_cvc",
        ),
        (
            "no 13th month",
            |r| r.card_month = "13".into(),
            "pg_card_month",
        ),
    ];
    for (what, spoil, field) in impossible {
        let mut request = card_payment("g2g7", "10", card);
        spoil(&mut request);
        let error = client
            .gateway_payments()
            .card(&request)
            .await
            .expect_err(what);
        assert!(
            matches!(error, freedompay::Error::Invalid(_)),
            "{what}: {error}"
        );
        let params = request.signed_params(
            Some(MERCHANT),
            &freedompay::signature::SecretKey::new(SECRET),
            "salt-raw",
        );
        let answer = post_params(&sandbox, "/g2g/payment", &params).await;
        assert_refused(&answer, "200", field);
    }
    assert!(sandbox.payments_of_order(MERCHANT, "g2g7").is_empty());

    // A status names the payment by its id and its order.
    let paid = client
        .gateway_payments()
        .card(&card_payment("g2g7", "10", card))
        .await
        .expect("paid");
    let other_order = client
        .gateway_payments()
        .status(&G2gPaymentStatusRequest::new(paid.payment_id, "another"))
        .await
        .expect_err("not this order's");
    assert_eq!(
        gateway_code(&other_order),
        ErrorCode::PaymentNotFound.code()
    );
}

/// Approved, declined, 3-D Secure and refused payments, with every request,
/// answer and error rendered; returns the renderings.
async fn gateway_flow(sandbox: &RunningSandbox) -> String {
    let client = client(sandbox);
    let mut seen = Vec::new();
    for (order, card) in [
        ("leak1", purchase_card_where(|c| !available(c.three_ds))),
        ("leak2", purchase_card(Outcome::Declined)),
        ("leak3", purchase_card_where(|c| available(c.three_ds))),
    ] {
        let request = card_payment(order, "10", card);
        seen.push(format!("{request:?}"));
        match client.gateway_payments().card(&request).await {
            Ok(answer) => {
                seen.push(format!("{answer:?}"));
                if answer.three_ds {
                    let (md, pares) = pass_three_ds(&answer, "https://shop.example/back").await;
                    let finished = client
                        .gateway_payments()
                        .payment_acs(&G2gPaymentAcsRequest::new(answer.payment_id, md, pares))
                        .await;
                    seen.push(format!("{finished:?}"));
                }
                seen.push(format!("{:?}", sandbox.payment(answer.payment_id)));
            }
            Err(error) => seen.push(format!("{error:?}\n{error}")),
        }
    }
    // Refused by the generated checks (a letter in the number) and by the
    // sandbox's (an expired card), sent raw so the sandbox sees them.
    let mut bad = card_payment("leak4", "10", "4716047261941981").to_params();
    bad.set("pg_card_pan", "471604726194198X");
    bad.push("pg_merchant_id", MERCHANT);
    seen.push(format!(
        "{:?}",
        raw_call(sandbox, "/g2g/payment", "payment", SECRET, bad).await
    ));
    let mut expired = card_payment("leak5", "10", "4716047261941981");
    expired.card_year = "20".into();
    let error = client.gateway_payments().card(&expired).await;
    seen.push(format!("{error:?}"));
    let wallet = apple_pay("leak6", "4716047261941981");
    seen.push(format!("{wallet:?}"));
    let paid = client.gateway_tokens().apple_pay(&wallet).await;
    seen.push(format!("{paid:?}"));
    seen.join("\n")
}

#[test]
fn no_card_number_or_cvc_of_a_gateway_payment_reaches_the_logs() {
    let (rendered, logs) = crate::support::with_captured_logs(async {
        let sandbox = sandbox().await;
        let rendered = gateway_flow(&sandbox).await;
        sandbox.shutdown().await;
        rendered
    });
    // Not vacuous: the sandbox's events were captured, with masked numbers.
    assert!(logs.contains("card sent server to server"), "{logs}");
    assert!(logs.contains("471604******1981"), "{logs}");
    assert!(logs.contains("3-D Secure answer used"), "{logs}");
    let everything = format!("{logs}\n{rendered}");
    for card in TEST_CARDS {
        assert!(
            !everything.contains(card.number),
            "test card {} leaked:\n{}",
            card.number,
            everything
                .lines()
                .filter(|l| l.contains(card.number))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(!everything.contains("471604726194198X"), "the bad number");
    assert!(
        logs.contains("payment created"),
        "the wallet payment's events"
    );
    assert!(!everything.contains(CRYPTOGRAM), "the wallet's cryptogram");
    let cvc = Regex::new(&format!(r"(^|[^0-9A-Za-z]){CVC}([^0-9A-Za-z]|$)")).unwrap();
    assert!(
        !cvc.is_match(&everything),
        "the CVC leaked:\n{}",
        everything
            .lines()
            .filter(|l| cvc.is_match(l))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A card-saving request for `user` with test card `card`.
fn card_add(user: &str, card: Option<&str>) -> G2gCardAddRequest {
    let (month, year) = expiry();
    let mut request = G2gCardAddRequest::new(G2gCardAddRequestRequired {
        user_id: user.to_owned(),
        card_cvc: CVC.into(),
        card_year: year.into(),
        card_month: month.into(),
        card_name: "IVAN IVANOV".into(),
    });
    request.card_pan = card.map(CardNumber::from);
    request
}

/// The tokens of `user`'s cards in the Gateway's list.
async fn gateway_tokens(client: &Client, user: &str) -> Vec<String> {
    client
        .gateway_card_storage()
        .list(&G2gCardListRequest::new(user))
        .await
        .expect("the list")
        .into_data()
        .cards
        .into_iter()
        .filter_map(|c| c.card_token)
        .collect()
}

/// The tokens of `user`'s cards in the Merchant API's list.
async fn merchant_tokens(client: &Client, user: &str) -> Vec<String> {
    client
        .card_storage()
        .list(&CardListRequest::new(user))
        .await
        .expect("the list")
        .into_data()
        .cards
        .into_iter()
        .filter_map(|c| c.card_token)
        .collect()
}

#[tokio::test]
async fn a_card_saved_through_the_gateway_is_the_merchant_apis_saved_card() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| !available(c.three_ds) && available(c.card_add));
    let added = client
        .gateway_card_storage()
        .add(&card_add("g2g-user", Some(card)).order_id("add1"))
        .await
        .expect("saved");
    assert_eq!(added.status, ResponseStatus::Ok);
    assert!(!added.three_ds);
    assert_eq!(added.order_id.as_deref(), Some("add1"));
    assert_eq!(
        added.card_mask.as_ref().map(Sensitive::expose),
        Some("471604******1981")
    );
    let token = added.card_token.clone().expect("a token");
    assert_eq!(gateway_tokens(&client, "g2g-user").await, [token.as_str()]);
    assert_eq!(merchant_tokens(&client, "g2g-user").await, [token.as_str()]);
    let listed = client
        .gateway_card_storage()
        .list(&G2gCardListRequest::new("g2g-user"))
        .await
        .unwrap()
        .into_data();
    assert_eq!(
        listed.cards[0].card_hash.as_ref().map(Sensitive::expose),
        Some("471604******1981")
    );
    assert_eq!(listed.cards[0].is_filled, Some(true));

    // The Merchant API charges it by its token.
    let init = client
        .token()
        .init(&TokenInitRequest::new(TokenInitRequestRequired {
            order_id: "add1pay".to_owned(),
            amount: amount("90"),
            description: "Refill".to_owned(),
            user_id: "g2g-user".to_owned(),
            card_token: token.clone(),
        }))
        .await
        .expect("card/init");
    client
        .token()
        .direct(&TokenDirectRequest::new(init.payment_id))
        .await
        .expect("card/direct");
    assert_eq!(
        sandbox.payment(init.payment_id).unwrap().state,
        PaymentState::Paid
    );

    // Removed through the Gateway, it is gone from both lists.
    let removed = client
        .gateway_card_storage()
        .remove(&G2gCardRemoveRequest::new("g2g-user", token.clone()))
        .await
        .expect("removed");
    assert_eq!(removed.status, CardRemoveStatus::Success);
    assert!(removed.deleted_at.is_some());
    assert!(gateway_tokens(&client, "g2g-user").await.is_empty());
    assert!(merchant_tokens(&client, "g2g-user").await.is_empty());
    let again = client
        .gateway_card_storage()
        .remove(&G2gCardRemoveRequest::new("g2g-user", token))
        .await
        .expect_err("removed once");
    assert_eq!(gateway_code(&again), ErrorCode::PaymentNotFound.code());

    // Cards that cannot be saved.
    let declined = client
        .gateway_card_storage()
        .add(&card_add(
            "g2g-user",
            Some(purchase_card(Outcome::Declined)),
        ))
        .await
        .expect_err("declined");
    assert_eq!(
        gateway_code(&declined),
        ErrorCode::PaymentErrorContactIssuer.code()
    );
    let mut expired = card_add("g2g-user", Some(card));
    expired.card_year = "20".into();
    let refused = client
        .gateway_card_storage()
        .add(&expired)
        .await
        .expect_err("expired");
    assert_eq!(gateway_code(&refused), ErrorCode::CardExpired.code());
    let neither = client
        .gateway_card_storage()
        .add(&card_add("g2g-user", None))
        .await
        .expect_err("no number, no token");
    assert_eq!(gateway_code(&neither), ErrorCode::InvalidParameter.code());
    assert!(gateway_tokens(&client, "g2g-user").await.is_empty());
}

#[tokio::test]
async fn a_three_ds_card_is_saved_once_the_payer_passed_on_the_acs_page() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| available(c.three_ds) && available(c.card_add));
    let asked = client
        .gateway_card_storage()
        .add(&card_add("g2g-3ds", Some(card)))
        .await
        .expect("3-D Secure asked for");
    assert!(asked.three_ds);
    assert!(asked.card_token.is_none(), "not saved yet");
    let url = asked.three_d_acs_url.clone().expect("pg_3d_acsurl");
    assert!(gateway_tokens(&client, "g2g-3ds").await.is_empty());

    // The payer opens the page; without a TermUrl it shows MD and PaRes.
    let shown = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(shown.contains("name=\"password\""), "{shown}");
    let (_, done) = post_acs(&url, &[("password", payer::THREE_DS_PASSWORD)]).await;
    let (md, pares) = (element(&done, "md"), element(&done, "pares"));
    let wrong = client
        .gateway_card_storage()
        .add_acs(&G2gCardAcsRequest::new(
            asked.payment_id,
            md.clone(),
            "pares-x",
        ))
        .await
        .expect_err("not the ACS's PaRes");
    assert_eq!(gateway_code(&wrong), ErrorCode::ThreeDsFailed.code());
    // The payment's 3-D Secure call does not finish a card's.
    let other_call = client
        .gateway_payments()
        .payment_acs(&G2gPaymentAcsRequest::new(
            asked.payment_id,
            md.clone(),
            pares.clone(),
        ))
        .await
        .expect_err("not a payment");
    assert_eq!(gateway_code(&other_call), ErrorCode::PaymentNotFound.code());
    let saved = client
        .gateway_card_storage()
        .add_acs(&G2gCardAcsRequest::new(
            asked.payment_id,
            md.clone(),
            pares.clone(),
        ))
        .await
        .expect("saved");
    let token = saved.card_token.clone().expect("a token");
    assert_eq!(saved.user_id.as_deref(), Some("g2g-3ds"));
    assert_eq!(gateway_tokens(&client, "g2g-3ds").await, [token]);
    let reused = client
        .gateway_card_storage()
        .add_acs(&G2gCardAcsRequest::new(asked.payment_id, md, pares))
        .await
        .expect_err("once");
    assert_eq!(
        gateway_code(&reused),
        ErrorCode::TransactionAlreadyDone.code()
    );

    // A payer who cancels: nothing is saved.
    let asked = client
        .gateway_card_storage()
        .add(&card_add("g2g-3ds-no", Some(card)))
        .await
        .expect("3-D Secure asked for");
    let url = asked.three_d_acs_url.clone().unwrap();
    let (_, done) = post_acs(&url, &[("action", "cancel")]).await;
    let failed = client
        .gateway_card_storage()
        .add_acs(&G2gCardAcsRequest::new(
            asked.payment_id,
            element(&done, "md"),
            element(&done, "pares"),
        ))
        .await
        .expect_err("the payer failed");
    assert_eq!(
        gateway_code(&failed),
        ErrorCode::ThreeDsNotEnteredOrWrong.code()
    );
    assert!(gateway_tokens(&client, "g2g-3ds-no").await.is_empty());
}

#[tokio::test]
async fn a_card_saved_for_payouts_is_completed_for_payments_under_its_token() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| !available(c.three_ds) && available(c.card_add));
    let session = client
        .card_storage()
        .add_for_payout(&PayoutCardAddRequest::new("payee-g2g", shop.url("saved")))
        .await
        .expect("cardstorage/add2");
    let saved = pay(&session.redirect_url.clone().unwrap(), card).await;
    assert_eq!(saved.status(), 303);
    let payout_token = merchant_tokens(&client, "payee-g2g").await[0].clone();

    let mut completed = card_add("payee-g2g", None);
    completed.card_token = Some(payout_token.clone());
    let added = client
        .gateway_card_storage()
        .add(&completed)
        .await
        .expect("completed");
    assert_eq!(added.card_token.as_deref(), Some(payout_token.as_str()));
    assert_eq!(
        added.card_mask.as_ref().map(Sensitive::expose),
        Some("471604******1981")
    );
    // Now a payment card: card/init takes it.
    client
        .token()
        .init(&TokenInitRequest::new(TokenInitRequestRequired {
            order_id: "payee1".to_owned(),
            amount: amount("5"),
            description: "Fee".to_owned(),
            user_id: "payee-g2g".to_owned(),
            card_token: payout_token,
        }))
        .await
        .expect("a payment card now");

    let mut unknown = card_add("payee-g2g", None);
    unknown.card_token = Some("no-such-token".to_owned());
    let refused = client
        .gateway_card_storage()
        .add(&unknown)
        .await
        .expect_err("no such card");
    assert_eq!(gateway_code(&refused), ErrorCode::InvalidCardNumber.code());
}

/// A transfer of `amount` KZT for `order_id` from test card `sender`.
fn transfer(order_id: &str, amount_text: &str, sender: Option<&str>) -> G2gTransferRequest {
    let (month, year) = expiry();
    let mut request = G2gTransferRequest::new(G2gTransferRequestRequired {
        order_id: order_id.to_owned(),
        amount: amount(amount_text),
        currency_from: Currency::Kzt,
        currency_to: Currency::Kzt,
        description: "Gift".to_owned(),
    });
    if let Some(sender) = sender {
        request.card_pan = Some(sender.into());
        request.card_cvc = Some(CVC.into());
        request.card_month = Some(month.into());
        request.card_year = Some(year.into());
        request.card_name = Some("IVAN IVANOV".into());
    }
    request
}

/// The token that leaves one half of a transfer out.
const SKIP_HALF: &str = "2d0b504c-b95d-4cf6-b782-5a7d13ab2c85";

#[tokio::test]
async fn a_card_to_card_transfer_is_debited_and_credited_at_once() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let sender = purchase_card_where(|c| !available(c.three_ds));
    let recipient = payout_card(Outcome::Success);
    let done = client
        .gateway_transfers()
        .transfer(&transfer("tr1", "100", Some(sender)).card_recipient(recipient))
        .await
        .expect("transferred")
        .into_data();
    assert_eq!(done.status, ResponseStatus::Ok);
    assert_eq!(done.payment_status, Some(G2gPaymentState::Success));
    assert_eq!(done.three_ds, Some(false));
    assert_eq!(done.order_id, "tr1");
    assert_eq!(done.payment_amount, amount("100"));
    assert_eq!(done.payout_amount, Some(amount("100")));
    assert_eq!(
        done.card_mask.as_ref().map(Sensitive::expose),
        Some("471604******1981")
    );
    assert_eq!(
        done.card_recipient_mask.as_ref().map(Sensitive::expose),
        Some(
            format!(
                "{}******{}",
                &recipient[..6],
                &recipient[recipient.len() - 4..]
            )
            .as_str()
        )
    );
    assert!(done.payment_date.is_some());
    let by_id = client
        .gateway_transfers()
        .status(&G2gTransferStatusRequest::new().payment_id(done.payment_id))
        .await
        .expect("the status");
    assert_eq!(by_id.payment_status, G2gPaymentState::Success);
    let by_order = client
        .gateway_transfers()
        .status(&G2gTransferStatusRequest::new().order_id("tr1"))
        .await
        .expect("the status");
    assert_eq!(by_order.payment_id, done.payment_id);
    let unknown = client
        .gateway_transfers()
        .status(&G2gTransferStatusRequest::new().order_id("no-such"))
        .await
        .expect_err("no such transfer");
    assert_eq!(gateway_code(&unknown), ErrorCode::PaymentNotFound.code());
    // A transfer is no payment of the Merchant API.
    assert!(sandbox.payment(done.payment_id).is_none());

    // A currency the sandbox has no rate for needs the credited amount.
    let mut usd = transfer("tr1b", "100", Some(sender)).card_recipient(recipient);
    usd.currency_to = Currency::Unknown("GBP".to_owned());
    let refused = client
        .gateway_transfers()
        .transfer(&usd)
        .await
        .expect_err("no rate for GBP in the sandbox");
    assert_eq!(gateway_code(&refused), ErrorCode::InvalidParameter.code());
    let converted = client
        .gateway_transfers()
        .transfer(&usd.amount_to(amount("0.2")))
        .await
        .expect("with the credited amount");
    assert_eq!(converted.payout_amount, Some(amount("0.2")));
    assert_eq!(
        converted.currency_to,
        Some(Currency::Unknown("GBP".to_owned()))
    );
}

#[tokio::test]
async fn a_declined_half_fails_the_transfer_with_its_code() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let approving = purchase_card_where(|c| !available(c.three_ds) && available(c.refund));
    let refused = client
        .gateway_transfers()
        .transfer(
            &transfer("tr2", "10", Some(purchase_card(Outcome::Declined)))
                .card_recipient(payout_card(Outcome::Success)),
        )
        .await
        .expect_err("the debit is declined");
    assert_eq!(
        gateway_code(&refused),
        ErrorCode::PaymentErrorContactIssuer.code()
    );
    let status = client
        .gateway_transfers()
        .status(&G2gTransferStatusRequest::new().order_id("tr2"))
        .await
        .expect("kept");
    assert_eq!(status.payment_status, G2gPaymentState::Error);

    let refused = client
        .gateway_transfers()
        .transfer(
            &transfer("tr2b", "10", Some(approving)).card_recipient(declining_payout_card(10000)),
        )
        .await
        .expect_err("the credit is declined");
    assert_eq!(gateway_code(&refused), 10000);
    let status = client
        .gateway_transfers()
        .status(&G2gTransferStatusRequest::new().order_id("tr2b"))
        .await
        .expect("kept");
    assert_eq!(status.payment_status, G2gPaymentState::Error);

    let nobody = client
        .gateway_transfers()
        .transfer(&transfer("tr2c", "10", Some(approving)))
        .await
        .expect_err("no recipient");
    assert_eq!(gateway_code(&nobody), ErrorCode::InvalidParameter.code());
}

#[tokio::test]
async fn a_three_ds_sender_is_finished_by_transfer_acs() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let sender = purchase_card_where(|c| available(c.three_ds));
    let recipient = payout_card(Outcome::Success);
    let pending = client
        .gateway_transfers()
        .transfer(&transfer("tr3", "40", Some(sender)).card_recipient(recipient))
        .await
        .expect("in process")
        .into_data();
    assert_eq!(pending.status, ResponseStatus::Pending);
    assert_eq!(pending.payment_status, Some(G2gPaymentState::Process));
    assert_eq!(pending.three_ds, Some(true));
    let url = pending.three_d_acs_url.clone().expect("pg_3d_acsurl");
    assert!(pending.payment_date.is_none());
    let early = client
        .gateway_transfers()
        .transfer_acs(&G2gTransferAcsRequest::new(pending.payment_id))
        .await
        .expect_err("the payer has not finished");
    assert_eq!(gateway_code(&early), ErrorCode::ThreeDsNotEntered.code());

    let (status, _) = post_acs(&url, &[("password", payer::THREE_DS_PASSWORD)]).await;
    assert_eq!(status, 200);
    let done = client
        .gateway_transfers()
        .transfer_acs(&G2gTransferAcsRequest::new(pending.payment_id))
        .await
        .expect("finished");
    assert_eq!(done.status, ResponseStatus::Ok);
    assert_eq!(done.payment_status, Some(G2gPaymentState::Success));
    assert!(done.payment_date.is_some());
    let again = client
        .gateway_transfers()
        .transfer_acs(&G2gTransferAcsRequest::new(pending.payment_id))
        .await
        .expect_err("once");
    assert_eq!(
        gateway_code(&again),
        ErrorCode::TransactionAlreadyDone.code()
    );

    // A sender who cancels fails the transfer.
    let pending = client
        .gateway_transfers()
        .transfer(&transfer("tr3b", "40", Some(sender)).card_recipient(recipient))
        .await
        .expect("in process");
    post_acs(
        &pending.three_d_acs_url.clone().unwrap(),
        &[("action", "cancel")],
    )
    .await;
    let failed = client
        .gateway_transfers()
        .transfer_acs(&G2gTransferAcsRequest::new(pending.payment_id))
        .await
        .expect_err("the payer cancelled");
    assert_eq!(
        gateway_code(&failed),
        ErrorCode::ThreeDsNotEnteredOrWrong.code()
    );
    let status = client
        .gateway_transfers()
        .status(&G2gTransferStatusRequest::new().payment_id(pending.payment_id))
        .await
        .expect("kept");
    assert_eq!(status.payment_status, G2gPaymentState::Error);
}

#[tokio::test]
async fn saved_cards_and_the_skipping_token_name_the_halves_of_a_transfer() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| !available(c.three_ds) && available(c.card_add));
    let token = client
        .gateway_card_storage()
        .add(&card_add("tr-user", Some(card)))
        .await
        .expect("saved")
        .into_data()
        .card_token
        .expect("a token");

    // The saved card pays; the recipient's half is left out.
    let mut debit_only = transfer("tr4", "15", None).card_recipient_token(SKIP_HALF);
    debit_only.user_id = Some("tr-user".to_owned());
    debit_only.card_token = Some(token.clone());
    let done = client
        .gateway_transfers()
        .transfer(&debit_only)
        .await
        .expect("debited");
    assert_eq!(done.payment_status, Some(G2gPaymentState::Success));
    assert_eq!(done.card_token.as_deref(), Some(token.as_str()));
    assert_eq!(
        done.card_mask.as_ref().map(Sensitive::expose),
        Some("471604******1981")
    );
    assert!(done.card_recipient_mask.is_none());

    // The saved card is credited; the sender's half is left out.
    let mut credit_only = transfer("tr4b", "15", None).card_recipient_token(token.clone());
    credit_only.card_token = Some(SKIP_HALF.to_owned());
    let done = client
        .gateway_transfers()
        .transfer(&credit_only)
        .await
        .expect("credited");
    assert_eq!(done.card_recipient_token.as_deref(), Some(token.as_str()));
    assert!(done.card_mask.is_none());

    let mut unknown = transfer("tr4c", "15", None).card_recipient(payout_card(Outcome::Success));
    unknown.card_token = Some("no-such-token".to_owned());
    let refused = client
        .gateway_transfers()
        .transfer(&unknown)
        .await
        .expect_err("not a saved card");
    assert_eq!(gateway_code(&refused), ErrorCode::InvalidCardNumber.code());
    let mut neither = transfer("tr4d", "15", None).card_recipient_token(SKIP_HALF);
    neither.card_token = Some(SKIP_HALF.to_owned());
    let refused = client
        .gateway_transfers()
        .transfer(&neither)
        .await
        .expect_err("nothing to do");
    assert_eq!(gateway_code(&refused), ErrorCode::InvalidParameter.code());
}

/// A cryptogram that appears nowhere else, so a leak of it can be told.
const CRYPTOGRAM: &str = "CRYPTOCANARYq7Zx0w==";

fn apple_pay(order_id: &str, card: &str) -> G2gApplePayPaymentRequest {
    let (month, year) = expiry();
    G2gApplePayPaymentRequest::new(G2gApplePayPaymentRequestRequired {
        order_id: order_id.to_owned(),
        amount: amount("25"),
        description: "Tea".to_owned(),
        payment_method: PaymentMethod::ApplePay,
        card_pan: card.into(),
        card_year: year.into(),
        card_month: month.into(),
        card_name: "IVAN IVANOV".into(),
        online_payment_cryptogram: CRYPTOGRAM.into(),
        eci_indicator: "05".to_owned(),
    })
}

fn google_pay(order_id: &str, card: &str) -> G2gGooglePayPaymentRequest {
    let (month, year) = expiry();
    G2gGooglePayPaymentRequest::new(G2gGooglePayPaymentRequestRequired {
        order_id: order_id.to_owned(),
        amount: amount("35"),
        description: "Tea".to_owned(),
        payment_method: PaymentMethod::GooglePay,
        online_payment_cryptogram: CRYPTOGRAM.into(),
        eci_indicator: "07".to_owned(),
        card_pan: card.into(),
        card_year: year.into(),
        card_month: month.into(),
    })
}

#[tokio::test]
async fn a_saved_cards_token_pays_through_the_gateway() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| !available(c.three_ds) && available(c.card_add));
    let token = client
        .gateway_card_storage()
        .add(&card_add("tok-user", Some(card)))
        .await
        .expect("saved")
        .into_data()
        .card_token
        .expect("a token");
    let paid = client
        .gateway_tokens()
        .pay(&G2gTokenPaymentRequest::new(
            G2gTokenPaymentRequestRequired {
                order_id: "tok1".to_owned(),
                amount: amount("120"),
                description: "Refill".to_owned(),
                user_id: "tok-user".to_owned(),
                card_token: token.clone(),
            },
        ))
        .await
        .expect("paid")
        .into_data();
    assert_eq!(paid.status, ResponseStatus::Ok);
    assert_eq!(paid.order_id.as_deref(), Some("tok1"));
    let payment = sandbox.payment(paid.payment_id).expect("a payment");
    assert_eq!(payment.state, PaymentState::Paid);
    assert_eq!(payment.card_pan.as_deref(), Some("471604******1981"));
    let status = status_v2(&client, paid.payment_id, "tok1").await;
    assert_eq!(status.payment_status, Some(G2gPaymentState::Success));
    // Refunded like any other payment.
    client
        .gateway_payments()
        .refund(&G2gRefundRequest::new(paid.payment_id))
        .await
        .expect("refunded");

    let refused = client
        .gateway_tokens()
        .pay(&G2gTokenPaymentRequest::new(
            G2gTokenPaymentRequestRequired {
                order_id: "tok2".to_owned(),
                amount: amount("1"),
                description: "Refill".to_owned(),
                user_id: "another-user".to_owned(),
                card_token: token,
            },
        ))
        .await
        .expect_err("not this user's card");
    assert_eq!(gateway_code(&refused), ErrorCode::InvalidCardNumber.code());
}

#[tokio::test]
async fn wallet_payments_are_card_payments_with_the_wallets_card() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let approving = purchase_card_where(|c| !available(c.three_ds) && available(c.refund));
    let paid = client
        .gateway_tokens()
        .apple_pay(&apple_pay("ap1", approving))
        .await
        .expect("paid")
        .into_data();
    assert!(!paid.three_ds);
    assert!(paid.auth_code.is_some());
    assert_eq!(
        sandbox.payment(paid.payment_id).unwrap().state,
        PaymentState::Paid
    );
    let declined = client
        .gateway_tokens()
        .apple_pay(&apple_pay("ap2", purchase_card(Outcome::Declined)))
        .await
        .expect_err("declined");
    assert_eq!(
        gateway_code(&declined),
        ErrorCode::PaymentErrorContactIssuer.code()
    );

    let three_ds = purchase_card_where(|c| available(c.three_ds));
    let asked = client
        .gateway_tokens()
        .google_pay(&google_pay("gp1", three_ds).auto_clearing(false))
        .await
        .expect("3-D Secure asked for")
        .into_data();
    assert!(asked.three_ds);
    let url = asked.three_d_acs_url.clone().expect("pg_3d_acsurl");
    let md = asked.three_d_md.clone().expect("pg_3d_md");
    let (_, back) = post_acs(
        &url,
        &[
            ("MD", &md),
            ("TermUrl", "https://shop.example/back"),
            ("password", payer::THREE_DS_PASSWORD),
        ],
    )
    .await;
    client
        .gateway_payments()
        .payment_acs(&G2gPaymentAcsRequest::new(
            asked.payment_id,
            hidden(&back, "MD"),
            hidden(&back, "PaRes"),
        ))
        .await
        .expect("finished");
    assert_eq!(
        sandbox.payment(asked.payment_id).unwrap().state,
        PaymentState::Held
    );
}

#[tokio::test]
async fn a_token_payout_goes_to_a_card_saved_for_payouts() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let session = client
        .card_storage()
        .add_for_payout(&PayoutCardAddRequest::new("payee-tok", shop.url("saved")))
        .await
        .expect("cardstorage/add2");
    let saved = pay(
        &session.redirect_url.clone().unwrap(),
        payout_card(Outcome::Success),
    )
    .await;
    assert_eq!(saved.status(), 303);
    let token = merchant_tokens(&client, "payee-tok").await[0].clone();
    let before = sandbox.payout_balance(MERCHANT);
    let payout = |token: Option<String>| {
        let mut request = G2gTokenPayoutRequest::new(G2gTokenPayoutRequestRequired {
            order_id: "tpo1".to_owned(),
            amount: amount("70"),
            description: "Cashback".to_owned(),
            order_time_limit: "2099-12-31 12:00:00".to_owned(),
            user_id: "payee-tok".to_owned(),
            post_link: shop.url("payout"),
        });
        request.card_token_to = token;
        request
    };
    let paid = client
        .gateway_tokens()
        .payout(&payout(Some(token.clone())))
        .await
        .expect("paid out")
        .into_data();
    assert_eq!(paid.status, ResponseStatus::Ok);
    assert_eq!(paid.card_token.as_deref(), Some(token.as_str()));
    assert_eq!(
        sandbox.payout_balance(MERCHANT),
        before - rust_decimal::Decimal::from(70)
    );
    shop.wait(|s| s.payouts.lock().unwrap().len(), 1).await;
    let refused = client
        .gateway_tokens()
        .payout(&payout(None))
        .await
        .expect_err("which card?");
    assert_eq!(gateway_code(&refused), ErrorCode::InvalidParameter.code());
}

#[tokio::test]
async fn a_card_payment_starts_a_recurring_profile_that_g2g_recurrent_charges() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| !available(c.three_ds));
    let first = client
        .gateway_payments()
        .card(&card_payment("rec1", "300", card).recurring_start(true))
        .await
        .expect("paid")
        .into_data();
    let profile = first.recurring_profile.expect("a recurring profile");
    let again = client
        .gateway_payments()
        .recurrent(&G2gRecurrentPaymentRequest::new(
            amount("120"),
            "Monthly",
            "rec2",
            profile,
        ))
        .await
        .expect("charged again")
        .into_data();
    assert_eq!(again.recurring_profile, Some(profile.to_string()));
    let payment = sandbox.payment(again.payment_id).expect("a new payment");
    assert_eq!(payment.state, PaymentState::Paid);
    assert_eq!(payment.amount, amount("120"));
    assert_eq!(payment.card_pan.as_deref(), Some("471604******1981"));
    let unknown = client
        .gateway_payments()
        .recurrent(&G2gRecurrentPaymentRequest::new(
            amount("1"),
            "Monthly",
            "rec3",
            profile + 1,
        ))
        .await
        .expect_err("no such profile");
    assert_eq!(
        gateway_code(&unknown),
        ErrorCode::LegacyTransactionNotFound.code()
    );
}

#[tokio::test]
async fn gateway_payouts_draw_on_the_merchant_apis_payout_balance() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let before = sandbox.payout_balance(MERCHANT);
    let balance = client
        .gateway_payout()
        .balance(&G2gPayoutBalanceRequest::new(Currency::Kzt))
        .await
        .expect("the balance");
    assert_eq!(balance.balance.as_decimal(), before);
    let paid = client
        .gateway_payout()
        .iban(&G2gIbanPayoutRequest::new(G2gIbanPayoutRequestRequired {
            order_id: "iban1".to_owned(),
            amount: amount("250"),
            recipient_iban: "KZ86125KZT5004100100".to_owned(),
            recipient_iin: "761223455678".to_owned(),
            recipient_name: "IVANOV IVAN".to_owned(),
            recipient_kbe: "19".to_owned(),
            knp: "119".to_owned(),
            bank_bik: "KZZSAE".to_owned(),
            post_link: shop.url("payout"),
        }))
        .await
        .expect("paid out")
        .into_data();
    assert_eq!(paid.status, ResponseStatus::Ok);
    assert!(paid.extra.is_empty(), "only the Gateway's fields: {paid:?}");
    assert_eq!(
        sandbox.payout_balance(MERCHANT),
        before - rust_decimal::Decimal::from(250)
    );
    shop.wait(|s| s.payouts.lock().unwrap().len(), 1).await;
    let status = client
        .gateway_payout()
        .status(&G2gPayoutStatusRequest::new(paid.payment_id, "iban1"))
        .await
        .expect("the status");
    assert_eq!(status.payment_status, G2gPaymentState::Success);
    assert_eq!(status.amount, amount("250"));
    let other = client
        .gateway_payout()
        .status(&G2gPayoutStatusRequest::new(paid.payment_id, "another"))
        .await
        .expect_err("not this order's");
    assert_eq!(gateway_code(&other), ErrorCode::PaymentNotFound.code());
}

#[tokio::test]
async fn the_gateways_any_amount_page_is_the_merchant_apis() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let created = client
        .gateway_page()
        .any_amount(
            &G2gAnyAmountRequest::new("aa1", "Donation")
                .amount_interval_from(100)
                .amount_interval_to(500),
        )
        .await
        .expect("created")
        .into_data();
    assert_eq!(created.redirect_url_type, "need data");
    assert_eq!(
        created.redirect_url,
        format!("{}/sandbox/pay/{}", sandbox.base_url(), created.payment_id)
    );
    let page = reqwest::get(&created.redirect_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("from 100 to 500 KZT"), "{page}");
    let payment = sandbox.payment(created.payment_id).expect("stored");
    assert_eq!(payment.order_id, "aa1");
    assert_eq!(payment.state, PaymentState::New);
}

/// A currency by its code: `KZT` is the enum's variant, any other an
/// unknown code.
fn currency_of(code: &str) -> Currency {
    match code {
        "KZT" => Currency::Kzt,
        other => Currency::Unknown(other.to_owned()),
    }
}

/// The rates the sandbox answers `g2g/p2p/rates` with, for `from` and `to`
/// (either or both left out), as (from, to, rate).
async fn transfer_rates(
    client: &Client,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<(String, String, rust_decimal::Decimal)>, freedompay::Error> {
    let mut request = freedompay::gateway::transfers::G2gTransferRatesRequest::new();
    request.currency_from = from.map(currency_of);
    request.currency_to = to.map(currency_of);
    let answer = client.gateway_transfers().rates(&request).await?;
    assert_eq!(answer.status, ResponseStatus::Ok);
    Ok(answer
        .rates
        .iter()
        .map(|rate| {
            (
                rate.currency_from
                    .as_ref()
                    .expect("pg_currency_from")
                    .as_str()
                    .to_owned(),
                rate.currency_to
                    .as_ref()
                    .expect("pg_currency_to")
                    .as_str()
                    .to_owned(),
                rate.rate.expect("pg_rate"),
            )
        })
        .collect())
}

/// `(from, to, rate)` rows written as text, to compare with [`transfer_rates`].
fn rate_rows(rows: &[(&str, &str, &str)]) -> Vec<(String, String, rust_decimal::Decimal)> {
    rows.iter()
        .map(|(from, to, rate)| {
            (
                (*from).to_owned(),
                (*to).to_owned(),
                rate.parse().expect("a rate"),
            )
        })
        .collect()
}

#[tokio::test]
async fn transfer_rates_answer_the_pair_asked_from_the_sandboxs_table() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    for (from, to, rate) in [
        ("KZT", "USD", "0.002"),
        ("USD", "KZT", "500"),
        ("EUR", "USD", "1.08"),
        ("KZT", "EUR", "0.001852"),
        ("UZS", "KGS", "0.006897"),
        ("RUB", "RUB", "1"),
    ] {
        let answered = transfer_rates(&client, Some(from), Some(to))
            .await
            .expect("the rate");
        assert_eq!(answered, rate_rows(&[(from, to, rate)]), "{from} to {to}");
    }
}

#[tokio::test]
async fn transfer_rates_with_one_currency_or_none_list_every_pair() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let from_usd = transfer_rates(&client, Some("USD"), None)
        .await
        .expect("the rates from USD");
    assert_eq!(
        from_usd,
        rate_rows(&[
            ("USD", "EUR", "0.925926"),
            ("USD", "KGS", "86.206897"),
            ("USD", "KZT", "500"),
            ("USD", "RUB", "90.909091"),
            ("USD", "UZS", "12500"),
        ])
    );
    let to_kzt = transfer_rates(&client, None, Some("KZT"))
        .await
        .expect("the rates to KZT");
    assert_eq!(
        to_kzt,
        rate_rows(&[
            ("EUR", "KZT", "540"),
            ("KGS", "KZT", "5.8"),
            ("RUB", "KZT", "5.5"),
            ("USD", "KZT", "500"),
            ("UZS", "KZT", "0.04"),
        ])
    );
    let every = transfer_rates(&client, None, None)
        .await
        .expect("every rate");
    assert_eq!(every.len(), 30, "six currencies, each to the five others");
    let from_eur = rate_rows(&[
        ("EUR", "KGS", "93.103448"),
        ("EUR", "KZT", "540"),
        ("EUR", "RUB", "98.181818"),
        ("EUR", "USD", "1.08"),
        ("EUR", "UZS", "13500"),
    ]);
    assert_eq!(
        every[..5],
        from_eur[..],
        "in order of the currency from, then to"
    );
    assert_eq!(every[20..25], from_usd[..]);
}

#[tokio::test]
async fn a_currency_without_a_rate_is_refused_naming_its_field() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    for (from, to, field) in [
        (Some("GBP"), Some("KZT"), "pg_currency_from"),
        (Some("KZT"), Some("GBP"), "pg_currency_to"),
        (Some("GBP"), None, "pg_currency_from"),
        (None, Some("GBP"), "pg_currency_to"),
    ] {
        let refused = transfer_rates(&client, from, to)
            .await
            .expect_err("no rate for GBP");
        let error = refused.gateway_error().expect("a gateway error");
        assert_eq!(error.code, ErrorCode::InvalidParameter.code());
        assert_eq!(
            error.description,
            format!("{field}: the sandbox has no rate for the currency \"GBP\"")
        );
    }
    // A transfer to it without pg_amount_to is refused the same way, and
    // nothing is made.
    let sender = purchase_card_where(|c| !available(c.three_ds));
    let mut gbp =
        transfer("rtgbp", "100", Some(sender)).card_recipient(payout_card(Outcome::Success));
    gbp.currency_to = currency_of("GBP");
    let refused = client
        .gateway_transfers()
        .transfer(&gbp)
        .await
        .expect_err("no rate for GBP");
    let error = refused.gateway_error().expect("a gateway error");
    assert_eq!(error.code, ErrorCode::InvalidParameter.code());
    assert_eq!(
        error.description,
        "pg_currency_to: the sandbox has no rate for the currency \"GBP\""
    );
    let none = client
        .gateway_transfers()
        .status(&G2gTransferStatusRequest::new().order_id("rtgbp"))
        .await
        .expect_err("no transfer made");
    assert_eq!(gateway_code(&none), ErrorCode::PaymentNotFound.code());
}

#[tokio::test]
async fn a_transfer_between_currencies_without_amount_to_is_credited_at_the_rate() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let sender = purchase_card_where(|c| !available(c.three_ds));
    let mut usd =
        transfer("rtusd", "1234.56", Some(sender)).card_recipient(payout_card(Outcome::Success));
    usd.currency_to = currency_of("USD");
    let done = client
        .gateway_transfers()
        .transfer(&usd)
        .await
        .expect("converted at 0.002")
        .into_data();
    assert_eq!(done.payment_status, Some(G2gPaymentState::Success));
    assert_eq!(done.payment_amount, amount("1234.56"));
    // 1234.56 × 0.002 = 2.46912, to 2 decimals.
    assert_eq!(done.payout_amount, Some(amount("2.47")));
    let status = client
        .gateway_transfers()
        .status(&G2gTransferStatusRequest::new().payment_id(done.payment_id))
        .await
        .expect("the status")
        .into_data();
    assert_eq!(status.payment_status, G2gPaymentState::Success);
    assert_eq!(status.payment_amount, amount("1234.56"));
    assert_eq!(status.payout_amount, Some(amount("2.47")));
    assert_eq!(status.currency_from, Some(Currency::Kzt));
    assert_eq!(status.currency_to, Some(currency_of("USD")));
}

#[tokio::test]
async fn the_config_files_rates_replace_and_add_to_the_defaults() {
    let config = freedompay_sandbox::config::Config::parse(
        "rates:\n  USD: 450\n  GBP: 600\n",
        std::path::Path::new("sandbox.yaml"),
    )
    .expect("a good file");
    let sandbox = freedompay_sandbox::Sandbox::builder()
        .merchant(
            freedompay_sandbox::Merchant::new(MERCHANT, SECRET).with_payout_secret(PAYOUT_SECRET),
        )
        .rates(config.rates)
        .start()
        .await
        .expect("the sandbox starts");
    let client = client(&sandbox);
    let to_usd = transfer_rates(&client, None, Some("USD"))
        .await
        .expect("the rates to USD");
    assert_eq!(
        to_usd,
        rate_rows(&[
            ("EUR", "USD", "1.2"),
            ("GBP", "USD", "1.333333"),
            ("KGS", "USD", "0.012889"),
            ("KZT", "USD", "0.002222"),
            ("RUB", "USD", "0.012222"),
            ("UZS", "USD", "0.000089"),
        ])
    );
    // A transfer is credited at the configured rate: 900 × 0.002222 = 1.9998.
    let sender = purchase_card_where(|c| !available(c.three_ds));
    let mut usd =
        transfer("rtcfg", "900", Some(sender)).card_recipient(payout_card(Outcome::Success));
    usd.currency_to = currency_of("USD");
    let done = client
        .gateway_transfers()
        .transfer(&usd)
        .await
        .expect("converted at the configured rate");
    assert_eq!(done.payout_amount, Some(amount("2")));
    // The added currency converts too: 10 GBP × 600 = 6000 KZT.
    let mut gbp =
        transfer("rtcfggbp", "10", Some(sender)).card_recipient(payout_card(Outcome::Success));
    gbp.currency_from = currency_of("GBP");
    let done = client
        .gateway_transfers()
        .transfer(&gbp)
        .await
        .expect("converted from the added currency");
    assert_eq!(done.payout_amount, Some(amount("6000")));
}
