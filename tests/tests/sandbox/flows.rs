//! Full flows through the sandbox and the rules it enforces.

use std::time::Duration;

use freedompay::enums::{Currency, ReplyStatus};
use freedompay::errors::ErrorCode;
use freedompay::merchant::mobile_balance::{
    MobileBalanceApproveRequest, MobileBalanceApproveStatus, MobileBalanceInitRequest,
    MobileBalancePayRequest, MobileBalancePayStatus,
};
use freedompay::merchant::page::{InitPaymentRequest, PaymentPageRequest};
use freedompay::merchant::payments::{
    CancelRequest, ClearingRequest, PaymentStatusRequest, RefundRequest,
};
use freedompay::merchant::payout::{
    CardPayoutRequest, CardPayoutRequestRequired, PayoutBalanceRequest, PayoutPaymentStatus,
    PayoutStatusByOrderRequest, PayoutStatusV2Request, PayoutTransactionStatus,
};
use freedompay::signature::{self, SecretKey};
use freedompay::test_data::{Outcome, TEST_PHONES};
use freedompay::{Client, Config, Error, Params, form};
use freedompay_sandbox::{PaymentState, Sandbox};
use rust_decimal::Decimal;

use super::harness::*;

#[tokio::test]
async fn card_purchase_runs_check_result_and_redirect_back() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let request = InitPaymentRequest::new(amount("1500"), "Coffee")
        .order_id("order-1")
        .check_url(shop.url("check"))
        .result_url(shop.url("result"))
        .success_url(shop.url("success"))
        .with_extra("cart", "A-17");
    let created = client.page().init_payment(&request).await.expect("created");
    let page = reqwest::get(&created.redirect_url).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Pay 1500 KZT"));

    let answer = pay(&created.redirect_url, purchase_card(Outcome::Success)).await;
    assert_eq!(answer.status(), 303);
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let (target, query) = location.split_once('?').expect("signed parameters");
    assert_eq!(target, shop.url("success"));
    let back = form::decode(query);
    assert_eq!(
        signature::verify("success", &back, &SecretKey::new(SECRET)),
        Ok(())
    );
    assert_eq!(back.get_text("pg_order_id"), Some("order-1"));

    // The check came before the charge, with the merchant parameter, signed.
    assert_eq!(shop.shop.checks.lock().unwrap().len(), 1);
    let check = shop.shop.checks.lock().unwrap()[0].clone();
    assert_eq!(check.get_text("cart"), Some("A-17"));
    assert_eq!(check.get_text("pg_amount"), Some("1500"));
    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    let result = shop.shop.results.lock().unwrap()[0].clone();
    assert_eq!(result.get_text("pg_result"), Some("1"));
    assert_eq!(result.get_text("cart"), Some("A-17"));
    assert!(result.get_text("pg_card_pan").unwrap().contains("******"));

    let status = client
        .payments()
        .status(&PaymentStatusRequest::new(created.payment_id))
        .await
        .expect("status");
    assert_eq!(
        status
            .payment_status
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("success")
    );
    assert_eq!(status.clearing_amount, Some(amount("1500")));
    assert_eq!(status.order_id.as_deref(), Some("order-1"));
}

#[tokio::test]
async fn a_declined_card_fails_the_payment() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let created = client
        .page()
        .init_payment(
            &InitPaymentRequest::new(amount("10"), "Tea")
                .result_url(shop.url("result"))
                .failure_url(shop.url("failure")),
        )
        .await
        .unwrap();
    let answer = pay(&created.redirect_url, purchase_card(Outcome::Declined)).await;
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&shop.url("failure")));
    assert!(location.contains("pg_error_code=10001"), "{location}");
    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    assert_eq!(
        shop.shop.results.lock().unwrap()[0].get_text("pg_result"),
        Some("0")
    );
    let status = client
        .payments()
        .status(&PaymentStatusRequest::new(created.payment_id))
        .await
        .unwrap();
    assert_eq!(status.failure_code, Some(10001));
    assert_eq!(
        status
            .payment_status
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("error")
    );

    // An unknown card fails as the live test shop does (99999).
    let other = client
        .page()
        .init_payment(&InitPaymentRequest::new(amount("10"), "Tea"))
        .await
        .unwrap();
    pay(&other.redirect_url, "4000000000000002").await;
    assert!(matches!(
        sandbox.payment(other.payment_id).unwrap().state,
        PaymentState::Failed { code: 99999, .. }
    ));
}

#[tokio::test]
async fn the_page_shows_mistakes_inline_and_keeps_the_payment_open() {
    let sandbox = sandbox().await;
    let created = client(&sandbox)
        .page()
        .init_payment(&InitPaymentRequest::new(amount("10"), "Tea"))
        .await
        .unwrap();
    let body = form::encode(
        &Params::new()
            .with("card_number", "12ab")
            .with("expiry", "13/30")
            .with("cvc", "1")
            .with("holder", "Ivan"),
    );
    let answer = reqwest::Client::new()
        .post(&created.redirect_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 422);
    let html = answer.text().await.unwrap();
    for id in [
        "card_number_error",
        "expiry_error",
        "cvc_error",
        "holder_error",
    ] {
        assert!(html.contains(id), "{id} missing");
    }
    assert!(
        html.contains("value=\"12ab\""),
        "what the payer typed is kept"
    );
    assert_eq!(
        sandbox.payment(created.payment_id).unwrap().state,
        PaymentState::New
    );
}

#[tokio::test]
async fn a_refused_check_stops_the_charge() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    *shop.shop.check_answer.lock().unwrap() = Some(ReplyStatus::Rejected);
    let created = client(&sandbox)
        .page()
        .init_payment(&InitPaymentRequest::new(amount("10"), "Tea").check_url(shop.url("check")))
        .await
        .unwrap();
    pay(&created.redirect_url, purchase_card(Outcome::Success)).await;
    let payment = sandbox.payment(created.payment_id).unwrap();
    assert!(
        matches!(payment.state, PaymentState::Failed { .. }),
        "{:?}",
        payment.state
    );
    assert_eq!(payment.captured, amount("0"));
}

#[tokio::test]
async fn the_result_is_retried_until_the_merchant_answers_ok() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    *shop.shop.result_failures.lock().unwrap() = 2;
    let created = client(&sandbox)
        .page()
        .init_payment(&InitPaymentRequest::new(amount("10"), "Tea").result_url(shop.url("result")))
        .await
        .unwrap();
    pay(&created.redirect_url, purchase_card(Outcome::Success)).await;
    shop.wait(|s| s.results.lock().unwrap().len(), 3).await;
    let results = shop.shop.results.lock().unwrap().clone();
    // The same notification each time, apart from its salt and signature.
    let strip = |p: &Params| {
        let mut p = p.clone();
        p.remove("pg_salt");
        p.remove("pg_sig");
        p
    };
    assert_eq!(strip(&results[0]), strip(&results[2]));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        shop.shop.results.lock().unwrap().len(),
        3,
        "no retry after ok"
    );
}

#[tokio::test]
async fn hold_then_clear_refund_and_the_lifecycle_rules() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let created = client
        .page()
        .init_payment(&InitPaymentRequest::new(amount("1000"), "Tea").auto_clearing(false))
        .await
        .unwrap();
    pay(&created.redirect_url, purchase_card(Outcome::Success)).await;
    let id = created.payment_id;
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Held);

    // A held payment cannot be refunded, and cannot be cleared above the authorised amount.
    let error = client
        .payments()
        .refund(&RefundRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10034);
    let error = client
        .payments()
        .clearing(&ClearingRequest::new(id).clearing_amount(amount("1000.01")))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 11005);

    let cleared = client
        .payments()
        .clearing(&ClearingRequest::new(id).clearing_amount(amount("800")))
        .await
        .expect("clearing");
    assert_eq!(cleared.clearing_amount, Some(amount("800")));
    let error = client
        .payments()
        .clearing(&ClearingRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10036, "double clearing");
    let error = client
        .payments()
        .cancel(&CancelRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10012, "cancel after clearing");

    client
        .payments()
        .refund(&RefundRequest::new(id).refund_amount(amount("300")))
        .await
        .expect("partial refund");
    let error = client
        .payments()
        .refund(&RefundRequest::new(id).refund_amount(amount("500.01")))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10020, "more than captured");
    assert_eq!(error.error_code(), Some(ErrorCode::from_code(10020)));
    client
        .payments()
        .refund(&RefundRequest::new(id))
        .await
        .expect("the rest");
    let error = client
        .payments()
        .refund(&RefundRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10020, "nothing left");

    let status = client
        .payments()
        .status(&PaymentStatusRequest::new(id))
        .await
        .unwrap();
    assert_eq!(status.refund_payments.len(), 2);
    assert_eq!(status.refund_amount, Some(Decimal::new(-800, 0)));
}

#[tokio::test]
async fn cancel_releases_a_held_payment_once() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let created = client
        .page()
        .init_payment(&InitPaymentRequest::new(amount("50"), "Tea").auto_clearing(false))
        .await
        .unwrap();
    let id = created.payment_id;
    let error = client
        .payments()
        .cancel(&CancelRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(
        gateway_code(&error),
        9013,
        "nothing to cancel before payment"
    );
    // A card whose issuer allows reversal, without 3-D Secure.
    let card = purchase_card_where(|c| available(c.reverse) && !available(c.three_ds));
    pay(&created.redirect_url, card).await;
    client
        .payments()
        .cancel(&CancelRequest::new(id))
        .await
        .expect("cancel");
    let error = client
        .payments()
        .cancel(&CancelRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10033);
    let error = client
        .payments()
        .clearing(&ClearingRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10035);
    let status = client
        .payments()
        .status(&PaymentStatusRequest::new(id))
        .await
        .unwrap();
    assert_eq!(
        status
            .payment_status
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("revoked")
    );
}

#[tokio::test]
async fn the_sandbox_rejects_what_the_gateway_rejects() {
    let sandbox = sandbox().await;
    let request = InitPaymentRequest::new(amount("10"), "Tea");

    // Unknown merchant: the unsigned answer, merchant not identified.
    let stranger = Client::new(Config::new("999", SECRET).host(sandbox.host())).unwrap();
    let error = stranger.page().init_payment(&request).await.unwrap_err();
    assert!(error.gateway_error().unwrap().merchant_not_identified());
    assert_eq!(error.error_code(), Some(ErrorCode::from_code(9998)));

    // Wrong key: a signed 1100.
    let wrong_key = Client::new(Config::new(MERCHANT, "not-the-key").host(sandbox.host())).unwrap();
    let error = wrong_key.page().init_payment(&request).await.unwrap_err();
    // The answer is signed with the merchant's real key, which this client does not have.
    assert!(matches!(
        error,
        Error::Response(freedompay::ResponseError::BadSignature)
    ));

    // A payout signed with the main key instead of the payout key.
    let main_key_only = Client::new(Config::new(MERCHANT, SECRET).host(sandbox.host())).unwrap();
    let error = main_key_only
        .payout()
        .balance(&PayoutBalanceRequest::new(Currency::Kzt))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        Error::Response(freedompay::ResponseError::BadSignature)
    ));
}

#[tokio::test]
async fn bad_signatures_and_invalid_fields_get_signed_error_codes() {
    let sandbox = sandbox().await;
    let base = Params::new()
        .with("pg_merchant_id", MERCHANT)
        .with("pg_amount", "10")
        .with("pg_description", "Tea");

    // A wrong signature: signed error 1100.
    let answer = raw_call(
        &sandbox,
        "/init_payment.php",
        "init_payment.php",
        "wrong",
        base.clone(),
    )
    .await;
    assert_eq!(answer.get_text("pg_error_code"), Some("1100"));
    assert_eq!(
        signature::verify("init_payment.php", &answer, &SecretKey::new(SECRET)),
        Ok(())
    );

    // A missing required field: 200, naming it.
    let mut missing = base.clone();
    missing.remove("pg_description");
    let answer = raw_call(
        &sandbox,
        "/init_payment.php",
        "init_payment.php",
        SECRET,
        missing,
    )
    .await;
    assert_refused(&answer, "200", "pg_description");

    // A value that breaks a rule: 200, naming the field and the rule.
    let mut bad = base.clone();
    bad.set("pg_amount", "0");
    let answer = raw_call(
        &sandbox,
        "/init_payment.php",
        "init_payment.php",
        SECRET,
        bad,
    )
    .await;
    assert_refused(&answer, "200", "pg_amount");

    // Unsigned: 1100 too.
    let answer = post_params(&sandbox, "/init_payment.php", &base).await;
    assert_refused(&answer, "1100", "not signed");
}

#[tokio::test]
async fn an_idempotency_key_gives_the_same_payment_once() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let request = PaymentPageRequest::new("order-9", amount("20"), "Tea").idempotency_key("key-1");
    let first = client.page().payment_page(&request).await.unwrap();
    let again = client.page().payment_page(&request).await.unwrap();
    assert_eq!(first.payment_id, again.payment_id);
    let other = PaymentPageRequest::new("order-9", amount("21"), "Tea").idempotency_key("key-1");
    let error = client.page().payment_page(&other).await.unwrap_err();
    assert_eq!(gateway_code(&error), 11013);
}

#[tokio::test]
async fn mobile_balance_init_pay_and_approve() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let phone = &TEST_PHONES[0];
    let created = client
        .mobile_balance()
        .init(
            &MobileBalanceInitRequest::new(
                amount("500"),
                "Top-up",
                freedompay::enums::PaymentMethod::MobileCommerce,
            )
            .result_url(shop.url("result")),
        )
        .await
        .expect("init");
    let id = created.payment_id;

    let error = client
        .mobile_balance()
        .pay(&MobileBalancePayRequest::new(id, "+77000000000"))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 11004, "not a test phone");

    let paid = client
        .mobile_balance()
        .pay(
            &MobileBalancePayRequest::new(id, phone.phone)
                .payment_system_code(phone.operator.clone()),
        )
        .await
        .expect("pay");
    assert_eq!(paid.status, MobileBalancePayStatus::NeedApprove);

    let error = client
        .mobile_balance()
        .approve(&MobileBalanceApproveRequest::new(id, "000000"))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 11002);
    let approved = client
        .mobile_balance()
        .approve(&MobileBalanceApproveRequest::new(id, phone.code))
        .await
        .expect("approve");
    assert_eq!(approved.status, MobileBalanceApproveStatus::Ok);
    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Paid);
}

#[tokio::test]
async fn payouts_follow_the_test_cards_and_the_balance() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let start = sandbox.payout_balance(MERCHANT);
    let payout = |order: &str, sum: &str, to: &str| {
        CardPayoutRequest::new(CardPayoutRequestRequired {
            order_id: order.to_owned(),
            amount: amount(sum),
            payment_to: to.into(),
            description: "Payout".to_owned(),
            post_link: shop.url("payout"),
        })
    };

    let ok = client
        .payout()
        .card(&payout("p-1", "1000", payout_card(Outcome::Success)))
        .await
        .expect("payout");
    assert_eq!(ok.balance.as_decimal(), start - Decimal::new(1000, 0));
    shop.wait(|s| s.payouts.lock().unwrap().len(), 1).await;
    assert_eq!(
        shop.shop.payouts.lock().unwrap()[0].get_text("pg_status"),
        Some("ok")
    );

    // A declining card: the documented code, nothing debited.
    let declining = declining_payout_card(10000);
    let error = client
        .payout()
        .card(&payout("p-2", "10", declining))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10000);
    assert_eq!(
        sandbox.payout_balance(MERCHANT),
        start - Decimal::new(1000, 0)
    );

    // Pending, then declined: the notice says error and the money comes back.
    client
        .payout()
        .card(&payout(
            "p-3",
            "50",
            payout_card(Outcome::PendingThenDeclined),
        ))
        .await
        .expect("accepted while pending");
    shop.wait(|s| s.payouts.lock().unwrap().len(), 2).await;
    assert_eq!(
        shop.shop.payouts.lock().unwrap()[1].get_text("pg_status"),
        Some("error")
    );
    assert_eq!(
        sandbox.payout_balance(MERCHANT),
        start - Decimal::new(1000, 0)
    );

    // The status calls report what happened, by order id and by payment id.
    let v2 = client
        .payout()
        .status_v2(&PayoutStatusV2Request::new("p-3"))
        .await
        .expect("status V2");
    assert_eq!(v2.payment_status, PayoutPaymentStatus::Error);
    let by_order = client
        .payout()
        .status_by_order(&PayoutStatusByOrderRequest::new("p-1"))
        .await
        .expect("status by order");
    assert_eq!(by_order.transaction_status, PayoutTransactionStatus::Ok);
    assert_eq!(by_order.payment_id, ok.payment_id);
    let error = client
        .payout()
        .status_v2(&PayoutStatusV2Request::new("no-such-order"))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 11068);

    // More than the balance: 8888.
    let error = client
        .payout()
        .card(&payout("p-4", "99999999", payout_card(Outcome::Success)))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 8888);

    let balance = client
        .payout()
        .balance(&PayoutBalanceRequest::new(Currency::Kzt))
        .await
        .expect("balance");
    assert_eq!(balance.balance.as_decimal(), start - Decimal::new(1000, 0));
}

/// Interop: the sandbox accepts the documentation's own signed example
/// (`init_payment.php;25;test;12345;23;molbulak;mysecret`, whose MD5 was
/// checked with md5sum), in the PHP sample's field order, so a signing bug
/// shared by the client and the sandbox cannot hide.
#[tokio::test]
async fn the_sandbox_accepts_the_documented_signature_vector() {
    let sandbox = Sandbox::start()
        .await
        .expect("sandbox with the test merchant");
    let documented = Params::new()
        .with("pg_order_id", "23")
        .with("pg_merchant_id", "12345")
        .with("pg_amount", "25")
        .with("pg_description", "test")
        .with("pg_salt", "molbulak")
        .with("pg_sig", "02a4d571f7ac768f3e7e51e1b4afa122");
    let answer = post_params(&sandbox, "/init_payment.php", &documented).await;
    assert_eq!(answer.get_text("pg_status"), Some("ok"), "{answer:?}");
    assert_eq!(
        signature::verify("init_payment.php", &answer, &SecretKey::new("mysecret")),
        Ok(())
    );

    // One character off in the signature and it is refused.
    let mut forged = documented.clone();
    forged.set("pg_sig", "02a4d571f7ac768f3e7e51e1b4afa123");
    let answer = post_params(&sandbox, "/init_payment.php", &forged).await;
    assert_refused(&answer, "1100", "signature");
}

/// The Gateway API's pages send every body as `multipart/form-data`: the
/// sandbox reads the same signed parameters from its parts (a `pg_xml` part
/// too), and a malformed multipart body is refused, not a crash.
#[tokio::test]
async fn multipart_bodies_are_read_like_forms() {
    let sandbox = Sandbox::start()
        .await
        .expect("sandbox with the test merchant");
    let url = format!("{}/init_payment.php", sandbox.base_url());
    let documented = [
        ("pg_order_id", "23"),
        ("pg_merchant_id", "12345"),
        ("pg_amount", "25"),
        ("pg_description", "test"),
        ("pg_salt", "molbulak"),
        ("pg_sig", "02a4d571f7ac768f3e7e51e1b4afa122"),
    ];
    let send = |form: reqwest::multipart::Form| {
        let url = url.clone();
        async move {
            let body = reqwest::Client::new()
                .post(url)
                .multipart(form)
                .send()
                .await
                .expect("sent")
                .text()
                .await
                .expect("body");
            freedompay::xml::parse(&body).expect("an XML answer").params
        }
    };
    let parts = documented
        .iter()
        .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
            form.text(*name, *value)
        });
    let answer = send(parts).await;
    assert_eq!(answer.get_text("pg_status"), Some("ok"), "{answer:?}");

    // The whole message in one `pg_xml` part.
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><request>{}</request>",
        documented
            .iter()
            .map(|(name, value)| format!("<{name}>{value}</{name}>"))
            .collect::<String>()
    );
    let answer = send(reqwest::multipart::Form::new().text("pg_xml", document)).await;
    assert_eq!(answer.get_text("pg_status"), Some("ok"), "{answer:?}");

    // A forged signature is refused as in a form.
    let forged = documented
        .iter()
        .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
            let value = if *name == "pg_sig" {
                "02a4d571f7ac768f3e7e51e1b4afa123"
            } else {
                value
            };
            form.text(*name, value)
        });
    assert_refused(&send(forged).await, "1100", "signature");

    // The client's own multipart request (a Gateway call), end to end.
    let client =
        Client::new(Config::new("12345", "mysecret").host(sandbox.host())).expect("client");
    let created = client
        .page()
        .init_payment(&InitPaymentRequest::new(amount("25"), "test").order_id("2343253465454"))
        .await
        .expect("a payment to ask about");
    let status = freedompay::gateway::payments::G2gPaymentStatusRequest::new(
        created.payment_id,
        "2343253465454",
    );
    assert!(client.prepare(&status).expect("valid").multipart);
    let answer = client
        .gateway_payments()
        .status(&status)
        .await
        .expect("the sandbox reads the parts and answers");
    assert_eq!(answer.data().order_id, "2343253465454");

    // A body that does not match its boundary: a readable refusal.
    let broken = reqwest::Client::new()
        .post(&url)
        .header("content-type", "multipart/form-data; boundary=xyz")
        .body("--abc\r\nnot a part")
        .send()
        .await
        .expect("sent");
    assert!(!broken.status().is_server_error());
    let text = broken.text().await.expect("body");
    assert!(text.contains("multipart"), "{text}");
}

/// Card storage and token payments: the payer saves a card on the sandbox's
/// page, the merchant lists it, charges it with card/init + card/direct, and
/// removes it; a card whose "card add" is impossible cannot be saved.
#[tokio::test]
async fn a_saved_card_is_listed_charged_and_removed() {
    use freedompay::merchant::card_storage::{CardAddRequest, CardListRequest, CardRemoveRequest};
    use freedompay::merchant::token::{
        TokenDirectRequest, TokenInitRequest, TokenInitRequestRequired,
    };
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let session = client
        .card_storage()
        .add(&CardAddRequest::new("user-7", shop.url("cards")))
        .await
        .expect("a card-storage session");

    // A declining card cannot be saved: the page says so.
    let refused = pay(&session.redirect_url, purchase_card(Outcome::Declined)).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("cannot be saved"));

    let saved = pay(&session.redirect_url, purchase_card(Outcome::Success)).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(saved.headers()["location"], shop.url("cards").as_str());

    let list = client
        .card_storage()
        .list(&CardListRequest::new("user-7"))
        .await
        .expect("the user's cards");
    assert_eq!(list.cards.len(), 1);
    let token = list.cards[0].card_token.clone().expect("a token");
    assert_eq!(list.cards[0].card_hash.as_deref(), Some("471604******1981"));

    let payment = client
        .token()
        .init(
            &TokenInitRequest::new(TokenInitRequestRequired {
                order_id: "t-1".to_owned(),
                amount: amount("250"),
                description: "Subscription".to_owned(),
                user_id: "user-7".to_owned(),
                card_token: token.clone(),
            })
            .result_url(shop.url("result")),
        )
        .await
        .expect("card/init");
    let charged = client
        .token()
        .direct(&TokenDirectRequest::new(payment.payment_id))
        .await
        .expect("card/direct");
    assert_eq!(charged.payment_id, Some(payment.payment_id));
    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    assert_eq!(
        sandbox.payment(payment.payment_id).unwrap().state,
        PaymentState::Paid
    );
    let error = client
        .token()
        .direct(&TokenDirectRequest::new(payment.payment_id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10015, "charged once");

    // Another user's token, and a removed one, are refused.
    let error = client
        .token()
        .init(&TokenInitRequest::new(TokenInitRequestRequired {
            order_id: "t-2".to_owned(),
            amount: amount("1"),
            description: "x".to_owned(),
            user_id: "user-8".to_owned(),
            card_token: token.clone(),
        }))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10032);
    client
        .card_storage()
        .remove(&CardRemoveRequest::new("user-7", token.clone()))
        .await
        .expect("removed");
    let error = client
        .token()
        .init(&TokenInitRequest::new(TokenInitRequestRequired {
            order_id: "t-3".to_owned(),
            amount: amount("1"),
            description: "x".to_owned(),
            user_id: "user-7".to_owned(),
            card_token: token,
        }))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10032);
}
