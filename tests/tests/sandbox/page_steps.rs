//! The payment page's steps beyond a plain card: the amount the payer
//! chooses, the issuer's 3-D Secure password, a mobile balance paid with a
//! phone and a code; and the operations each test card's issuer allows.

use freedompay::merchant::mobile_balance::MobileBalanceInitRequest;
use freedompay::merchant::page::{AnyAmountRequest, InitPaymentRequest};
use freedompay::merchant::payments::{
    CancelRequest, ClearingRequest, PaymentStatusRequest, RefundRequest,
};
use freedompay::signature::{self, SecretKey};
use freedompay::test_data::{Outcome, TEST_PHONES};
use freedompay::{Amount, form};
use freedompay_sandbox::PaymentState;
use freedompay_sandbox::payer::{self, THREE_DS_PASSWORD};

use super::harness::*;

/// The card form with an amount, as the any-amount page posts it.
fn card_and_amount(card: &str, amount: &str) -> Vec<(&'static str, String)> {
    vec![
        ("amount", amount.to_owned()),
        ("card_number", card.to_owned()),
        ("expiry", payer::valid_expiry()),
        ("cvc", "123".to_owned()),
        ("holder", "IVAN IVANOV".to_owned()),
    ]
}

async fn post(url: &str, fields: &[(&str, String)]) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    payer::submit(&browser(), url, &fields)
        .await
        .expect("the page answers")
}

#[tokio::test]
async fn the_payer_chooses_the_amount_within_the_bounds() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let request = AnyAmountRequest::new()
        .order_id("donation-1")
        .description("Donation")
        .amount_interval_from(100)
        .amount_interval_to(5000)
        .check_url(shop.url("check"))
        .result_url(shop.url("result"))
        .success_url(shop.url("success"));
    let created = client.page().any_amount(&request).await.expect("created");
    let page = reqwest::get(&created.redirect_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("from 100 to 5000 KZT"), "{page}");
    assert!(page.contains("name=\"amount\""));

    let card = purchase_card(Outcome::Success);
    for wrong in ["50", "5000.01", "a lot", ""] {
        let answer = post(&created.redirect_url, &card_and_amount(card, wrong)).await;
        assert_eq!(answer.status(), 422, "{wrong}");
        let text = answer.text().await.unwrap();
        assert!(text.contains("id=\"amount_error\""), "{wrong}: {text}");
        assert!(text.contains("Enter an amount from 100 to 5000 KZT."));
    }
    assert_eq!(
        sandbox.payment(created.payment_id).unwrap().state,
        PaymentState::New,
        "a wrong amount charges nothing"
    );

    let answer = post(&created.redirect_url, &card_and_amount(card, "1234,50")).await;
    assert_eq!(answer.status(), 303);
    assert!(location(&answer).starts_with(&shop.url("success")));
    let check = shop.shop.checks.lock().unwrap()[0].clone();
    assert_eq!(check.get_text("pg_amount"), Some("1234.5"));
    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    let result = shop.shop.results.lock().unwrap()[0].clone();
    assert_eq!(result.get_text("pg_amount"), Some("1234.5"));
    assert_eq!(result.get_text("pg_result"), Some("1"));

    let status = client
        .payments()
        .status(&PaymentStatusRequest::new(created.payment_id))
        .await
        .unwrap();
    assert_eq!(status.amount, "1234.50".parse::<Amount>().unwrap());
    assert_eq!(status.order_id.as_deref(), Some("donation-1"));
}

#[tokio::test]
async fn any_amount_without_bounds_takes_any_positive_amount_and_suggests_pg_amount() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let created = client
        .page()
        .any_amount(&AnyAmountRequest::new().amount(amount("700")))
        .await
        .unwrap();
    let page = reqwest::get(&created.redirect_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("of at least 0.01 KZT"), "{page}");
    assert!(
        page.contains("value=\"700\""),
        "the suggestion is filled in"
    );
    let card = purchase_card(Outcome::Success);
    let answer = post(&created.redirect_url, &card_and_amount(card, "0")).await;
    assert_eq!(answer.status(), 422);
    let answer = post(&created.redirect_url, &card_and_amount(card, "99999")).await;
    assert_eq!(
        answer.status(),
        200,
        "the outcome page: no success URL was given"
    );
    let payment = sandbox.payment(created.payment_id).unwrap();
    assert_eq!(payment.state, PaymentState::Paid);
    assert_eq!(payment.amount, amount("99999"));
}

#[tokio::test]
async fn bounds_that_cannot_be_met_are_refused() {
    let sandbox = sandbox().await;
    let error = client(&sandbox)
        .page()
        .any_amount(
            &AnyAmountRequest::new()
                .amount_interval_from(500)
                .amount_interval_to(100),
        )
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 200);
    let text = error.to_string();
    assert!(text.contains("pg_amount_interval_to"), "{text}");
}

#[tokio::test]
async fn a_three_ds_card_asks_for_the_password_before_charging() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let card = purchase_card_where(|c| available(c.three_ds));
    let created = client
        .page()
        .init_payment(
            &InitPaymentRequest::new(amount("300"), "Book")
                .check_url(shop.url("check"))
                .result_url(shop.url("result"))
                .success_url(shop.url("success")),
        )
        .await
        .unwrap();
    let answer = pay(&created.redirect_url, card).await;
    assert_eq!(answer.status(), 303);
    assert_eq!(location(&answer), created.redirect_url, "the next step");
    let id = created.payment_id;
    assert_eq!(
        sandbox.payment(id).unwrap().state,
        PaymentState::AwaitingThreeDs { attempts: 0 }
    );
    assert!(
        shop.shop.checks.lock().unwrap().is_empty(),
        "no check before 3-D Secure"
    );
    let page = reqwest::get(&created.redirect_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("3-D Secure") && page.contains("name=\"password\""));

    let wrong = post(&created.redirect_url, &[("password", "000000".to_owned())]).await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("id=\"password_error\"")
    );
    assert_eq!(
        sandbox.payment(id).unwrap().state,
        PaymentState::AwaitingThreeDs { attempts: 1 }
    );

    let right = post(
        &created.redirect_url,
        &[("password", THREE_DS_PASSWORD.to_owned())],
    )
    .await;
    assert_eq!(right.status(), 303);
    let location = location(&right);
    let (target, query) = location.split_once('?').unwrap();
    assert_eq!(target, shop.url("success"));
    assert_eq!(
        signature::verify("success", &form::decode(query), &SecretKey::new(SECRET)),
        Ok(())
    );
    assert_eq!(shop.shop.checks.lock().unwrap().len(), 1);
    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Paid);
}

#[tokio::test]
async fn three_wrong_three_ds_passwords_fail_the_payment() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let created = client(&sandbox)
        .page()
        .init_payment(
            &InitPaymentRequest::new(amount("300"), "Book")
                .result_url(shop.url("result"))
                .failure_url(shop.url("failure")),
        )
        .await
        .unwrap();
    pay(
        &created.redirect_url,
        purchase_card_where(|c| available(c.three_ds)),
    )
    .await;
    for _ in 0..2 {
        let answer = post(&created.redirect_url, &[("password", "1".to_owned())]).await;
        assert_eq!(answer.status(), 422);
    }
    let answer = post(&created.redirect_url, &[("password", "1".to_owned())]).await;
    assert_eq!(answer.status(), 303);
    let location = location(&answer);
    assert!(location.starts_with(&shop.url("failure")), "{location}");
    assert!(location.contains("pg_error_code=10004"), "{location}");
    assert!(matches!(
        sandbox.payment(created.payment_id).unwrap().state,
        PaymentState::Failed { code: 10004, .. }
    ));
    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    assert_eq!(
        shop.shop.results.lock().unwrap()[0].get_text("pg_result"),
        Some("0")
    );
}

#[tokio::test]
async fn a_mobile_balance_is_paid_on_the_page_with_a_phone_and_a_code() {
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
            .result_url(shop.url("result"))
            .success_url(shop.url("success")),
        )
        .await
        .unwrap();
    let url = &created.redirect_url;
    let page = reqwest::get(url).await.unwrap().text().await.unwrap();
    assert!(page.contains("name=\"phone\"") && page.contains("KCELLKZT"));
    assert!(!page.contains("card_number"), "no card form for a phone");

    let operator = phone.operator.to_string();
    let answer = post(
        url,
        &[
            ("phone", "+77000000000".to_owned()),
            ("operator", operator.clone()),
        ],
    )
    .await;
    assert_eq!(answer.status(), 422);
    let text = answer.text().await.unwrap();
    assert!(text.contains("id=\"phone_error\""), "{text}");
    assert!(text.contains("+77000000000"), "what was typed is kept");

    let answer = post(
        url,
        &[("phone", phone.phone.to_owned()), ("operator", operator)],
    )
    .await;
    assert_eq!(answer.status(), 303);
    let page = reqwest::get(url).await.unwrap().text().await.unwrap();
    assert!(page.contains("name=\"code\""), "{page}");

    let answer = post(url, &[("code", "000000".to_owned())]).await;
    assert_eq!(answer.status(), 422);
    assert!(answer.text().await.unwrap().contains("id=\"code_error\""));
    let answer = post(url, &[("code", phone.code.to_owned())]).await;
    assert_eq!(answer.status(), 303);
    assert!(location(&answer).starts_with(&shop.url("success")));
    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    let result = shop.shop.results.lock().unwrap()[0].clone();
    assert_eq!(
        result.get_text("pg_payment_method"),
        Some("mobile_commerce")
    );
    assert_eq!(result.get_text("pg_user_phone"), Some(phone.phone));
    assert_eq!(
        sandbox.payment(created.payment_id).unwrap().state,
        PaymentState::Paid
    );
}

#[tokio::test]
async fn each_test_card_allows_only_the_operations_its_issuer_allows() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let paid_with = async |card: &str, auto_clearing: bool| {
        let created = client
            .page()
            .init_payment(
                &InitPaymentRequest::new(amount("100"), "Tea").auto_clearing(auto_clearing),
            )
            .await
            .unwrap();
        let answer = pay(&created.redirect_url, card).await;
        assert_eq!(answer.status(), 200, "no 3-D Secure, no redirect URL");
        created.payment_id
    };

    // Reverse not available: a held payment is not cancelled (10012).
    let no_reverse = purchase_card_where(|c| !available(c.reverse) && !available(c.three_ds));
    let id = paid_with(no_reverse, false).await;
    let error = client
        .payments()
        .cancel(&CancelRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10012);
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Held);

    // Clearing not available: a held payment is not cleared, only reversed.
    let no_clearing = purchase_card_where(|c| !available(c.clearing) && !available(c.three_ds));
    let id = paid_with(no_clearing, false).await;
    let error = client
        .payments()
        .clearing(&ClearingRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10001);
    client
        .payments()
        .cancel(&CancelRequest::new(id))
        .await
        .expect("reversal is available");
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Cancelled);

    // Refund impossible: an auto-cleared payment is not refunded.
    let id = paid_with(no_clearing, true).await;
    let error = client
        .payments()
        .refund(&RefundRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10001);
    assert!(sandbox.payment(id).unwrap().refunds.is_empty());
}
