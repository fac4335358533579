//! Recurring payments, saved-card payments confirmed with the CVC, installment,
//! ATM cash by code and the resend of a mobile-balance code: full flows, the
//! refusals the sandbox answers, and their state across a restart.

use freedompay::Amount;
use freedompay::enums::Currency;
use freedompay::merchant::atm::AtmCheckRequest;
use freedompay::merchant::card_storage::{CardAddRequest, CardListRequest, CardRemoveRequest};
use freedompay::merchant::installment::InstallmentInitRequest;
use freedompay::merchant::mobile_balance::{
    MobileBalanceApproveRequest, MobileBalanceApproveStatus, MobileBalanceInitRequest,
    MobileBalancePayRequest, MobileBalanceResendCodeRequest,
};
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::merchant::payments::{PaymentStatusRequest, RecurringPaymentRequest};
use freedompay::merchant::token::{
    TokenDirectRequest, TokenInitWithCvcRequest, TokenPayWithCvcRequest,
};
use freedompay::signature::{self, SecretKey};
use freedompay::test_data::{Outcome, TEST_PHONES};
use freedompay::{Client, Params, form, xml};
use freedompay_sandbox::store::{Method, RecurringProfile, Store, Urls};
use freedompay_sandbox::{Merchant, Payment, PaymentState, RunningSandbox, Sandbox};

use super::harness::*;

/// The `pg_payment_status` the status call reports.
async fn wire_status(client: &Client, payment_id: i64) -> String {
    let status = client
        .payments()
        .status(&PaymentStatusRequest::new(payment_id))
        .await
        .expect("status");
    status
        .payment_status
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// A paid card payment that asks for a recurring profile; returns the
/// payment id and the result callback that reported it.
async fn paid_with_profile(
    client: &Client,
    shop: &ShopServer,
    lifetime: i64,
    results_before: usize,
) -> (i64, Params) {
    let created = client
        .page()
        .init_payment(
            &InitPaymentRequest::new(amount("990"), "Monthly plan")
                .order_id("sub-1")
                .recurring_start(true)
                .recurring_lifetime(lifetime)
                .result_url(shop.url("result")),
        )
        .await
        .expect("created");
    let answer = pay(&created.redirect_url, purchase_card(Outcome::Success)).await;
    assert_eq!(answer.status(), 200, "no success URL: the outcome page");
    shop.wait(|s| s.results.lock().unwrap().len(), results_before + 1)
        .await;
    let result = shop.shop.results.lock().unwrap()[results_before].clone();
    (created.payment_id, result)
}

#[tokio::test]
async fn a_recurring_profile_charges_the_card_again() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let (first, result) = paid_with_profile(&client, &shop, 12, 0).await;

    // The result of the first payment names the profile and when it expires:
    // twelve months after the payment, as the gateway writes dates.
    assert_eq!(result.get_text("pg_result"), Some("1"));
    let profile = result
        .get_text("pg_recurring_profile_id")
        .expect("the profile id")
        .to_owned();
    let expiry = result
        .get_text("pg_recurring_profile_expiry_date")
        .expect("the expiry")
        .to_owned();
    let paid_at = sandbox.payment(first).unwrap().paid_at.unwrap();
    let year: u32 = paid_at[0..4].parse().unwrap();
    assert_eq!(
        expiry,
        format!("{}{} {}", year + 1, &paid_at[4..10], &paid_at[11..19]),
        "{paid_at}"
    );

    // A charge with its own amount, order and result URL.
    let charged = client
        .payments()
        .recurring(
            &RecurringPaymentRequest::new(profile.clone(), "Plan, month 2")
                .amount(amount("450.50"))
                .order_id("sub-2")
                .result_url(shop.url("result"))
                .with_extra("plan", "gold"),
        )
        .await
        .expect("charged");
    let second = charged.payment_id.expect("a new payment");
    assert_ne!(second, first);
    assert_eq!(charged.amount, Some(amount("450.50")));
    assert_eq!(charged.currency, Some(Currency::Kzt));
    assert_eq!(charged.recurring_profile.as_deref(), Some(profile.as_str()));
    assert_eq!(
        charged.recurring_profile_expiry_date.as_deref(),
        Some(expiry.as_str())
    );
    let payment = sandbox.payment(second).unwrap();
    assert_eq!(payment.state, PaymentState::Paid);
    assert_eq!(payment.order_id, "sub-2");
    assert_eq!(payment.card_pan, sandbox.payment(first).unwrap().card_pan);
    assert_eq!(wire_status(&client, second).await, "success");

    // Its result arrives, signed (the harness checks), with the merchant parameter.
    shop.wait(|s| s.results.lock().unwrap().len(), 2).await;
    let result = shop.shop.results.lock().unwrap()[1].clone();
    assert_eq!(result.get_text("pg_payment_id"), Some(&*second.to_string()));
    assert_eq!(
        result.get_text("pg_amount").map(amount),
        Some(amount("450.50"))
    );
    assert_eq!(result.get_text("pg_result"), Some("1"));
    assert_eq!(result.get_text("plan"), Some("gold"));
    assert_eq!(result.get_text("pg_recurring_profile_id"), None);

    // Without an amount the original amount is charged; without a result URL
    // the original payment's is used.
    let again = client
        .payments()
        .recurring(&RecurringPaymentRequest::new(profile, "Plan, month 3"))
        .await
        .expect("charged again");
    let third = again.payment_id.unwrap();
    assert_eq!(again.amount, Some(amount("990")));
    assert_eq!(sandbox.payment(third).unwrap().order_id, third.to_string());
    shop.wait(|s| s.results.lock().unwrap().len(), 3).await;
    assert_eq!(
        shop.shop.results.lock().unwrap()[2].get_text("pg_payment_id"),
        Some(&*third.to_string())
    );
}

#[tokio::test]
async fn recurring_charges_of_unknown_or_unpaid_profiles_are_refused() {
    let sandbox = Sandbox::builder()
        .merchant(Merchant::new(MERCHANT, SECRET))
        .merchant(Merchant::new("777", "Other-Secret"))
        .start()
        .await
        .expect("the sandbox starts");
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    for profile in ["999999", "not-a-number"] {
        let error = client
            .payments()
            .recurring(&RecurringPaymentRequest::new(profile, "x"))
            .await
            .unwrap_err();
        assert_eq!(gateway_code(&error), 340, "{profile}");
    }

    // A payment without pg_recurring_start reports no profile.
    let plain = client
        .page()
        .init_payment(
            &InitPaymentRequest::new(amount("5"), "One-off").result_url(shop.url("result")),
        )
        .await
        .unwrap();
    pay(&plain.redirect_url, purchase_card(Outcome::Success)).await;
    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    assert_eq!(
        shop.shop.results.lock().unwrap()[0].get_text("pg_recurring_profile_id"),
        None
    );

    // A declined payment that asked for a profile reports none either.
    let declined = client
        .page()
        .init_payment(
            &InitPaymentRequest::new(amount("5"), "Declined")
                .recurring_start(true)
                .result_url(shop.url("result")),
        )
        .await
        .unwrap();
    pay(&declined.redirect_url, purchase_card(Outcome::Declined)).await;
    shop.wait(|s| s.results.lock().unwrap().len(), 2).await;
    let result = shop.shop.results.lock().unwrap()[1].clone();
    assert_eq!(result.get_text("pg_result"), Some("0"));
    assert_eq!(result.get_text("pg_recurring_profile_id"), None);

    // Another merchant cannot charge the profile.
    let (_, result) = paid_with_profile(&client, &shop, 1, 2).await;
    let profile = result.get_text("pg_recurring_profile_id").unwrap();
    let answer = raw_call(
        &sandbox,
        "/make_recurring_payment.php",
        "make_recurring_payment.php",
        "Other-Secret",
        Params::new()
            .with("pg_merchant_id", "777")
            .with("pg_recurring_profile", profile)
            .with("pg_description", "x"),
    )
    .await;
    assert_refused(&answer, "340", "no such profile");
}

/// A payment as stored, for databases prepared before the sandbox starts.
fn stored_payment(id: i64, merchant: &str, state: PaymentState, card: &str) -> Payment {
    Payment {
        id,
        merchant_id: merchant.to_owned(),
        order_id: format!("stored-{id}"),
        amount: amount("300"),
        amount_range: None,
        currency: "KZT".to_owned(),
        description: "Stored".to_owned(),
        method: Method::Card,
        auto_clearing: true,
        testing: false,
        captured: if state == PaymentState::Paid {
            amount("300")
        } else {
            Amount::from_minor(0)
        },
        paid_at: (state != PaymentState::New).then(|| "2025-06-30T12:00:00Z".to_owned()),
        state,
        refunds: Vec::new(),
        revoke_id: None,
        urls: Urls::default(),
        merchant_params: Vec::new(),
        phone: None,
        card_pan: Some(masked(card)),
        created_at: "2025-06-30T11:59:00Z".to_owned(),
    }
}

/// The masked card number, as the sandbox stores it.
fn masked(card: &str) -> String {
    format!("{}******{}", &card[..6], &card[card.len() - 4..])
}

fn temp_db(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "freedompay-more-payments-{}-{name}.db",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

async fn sandbox_on(db: &std::path::Path) -> RunningSandbox {
    Sandbox::builder()
        .merchant(Merchant::new(MERCHANT, SECRET).with_payout_secret(PAYOUT_SECRET))
        .database(db)
        .start()
        .await
        .expect("the sandbox starts on the database")
}

#[tokio::test]
async fn stored_recurring_profiles_expire_and_follow_their_card() {
    let db = temp_db("profiles");
    {
        let store = Store::open(&db, Vec::<(String, Amount)>::new()).expect("the database");
        let profiles = [
            // Paid on 30 June 2025; one month: expired on 30 July 2025.
            (2_000_001, PaymentState::Paid, Outcome::Success, 1),
            // 156 months: valid until 2038, but the card now declines.
            (2_000_003, PaymentState::Paid, Outcome::Declined, 156),
            // Never paid: no profile to charge.
            (2_000_005, PaymentState::New, Outcome::Success, 156),
            // Paid, 156 months, an approving card: charged.
            (2_000_007, PaymentState::Paid, Outcome::Success, 156),
        ];
        for (id, state, card, months) in profiles {
            store
                .create_payment(
                    stored_payment(id, MERCHANT, state, purchase_card(card)),
                    None,
                )
                .unwrap();
            store
                .create_recurring_profile(RecurringProfile {
                    id: id + 1,
                    merchant_id: MERCHANT.to_owned(),
                    payment_id: id,
                    lifetime_months: months,
                })
                .unwrap();
        }
        // Asking twice for the same payment gives the first profile.
        let again = store
            .create_recurring_profile(RecurringProfile {
                id: 3_000_000,
                merchant_id: MERCHANT.to_owned(),
                payment_id: 2_000_007,
                lifetime_months: 1,
            })
            .unwrap();
        assert_eq!(again.id, 2_000_008);
    }
    let sandbox = sandbox_on(&db).await;
    let client = client(&sandbox);
    let charge = |profile: i64| {
        let client = client.clone();
        async move {
            client
                .payments()
                .recurring(&RecurringPaymentRequest::new(
                    profile.to_string(),
                    "Renewal",
                ))
                .await
        }
    };

    let error = charge(2_000_002).await.unwrap_err();
    assert_eq!(gateway_code(&error), 365);
    assert!(error.to_string().contains("2025-07-30 12:00:00"), "{error}");

    let error = charge(2_000_004).await.unwrap_err();
    assert_eq!(gateway_code(&error), 10001);
    let error = charge(2_000_006).await.unwrap_err();
    assert_eq!(gateway_code(&error), 340);

    let charged = charge(2_000_008).await.expect("charged");
    let id = charged.payment_id.unwrap();
    assert!(id > 2_000_008, "new ids follow the stored ones: {id}");
    assert_eq!(charged.amount, Some(amount("300")));
    assert_eq!(
        charged.recurring_profile_expiry_date.as_deref(),
        Some("2038-06-30 12:00:00")
    );
    assert_eq!(wire_status(&client, id).await, "success");
    sandbox.shutdown().await;
    let _ = std::fs::remove_file(&db);
}

/// Saves the approving test card for `user` and returns its token.
pub(crate) async fn saved_card(client: &Client, shop: &ShopServer, user: &str) -> String {
    let session = client
        .card_storage()
        .add(&CardAddRequest::new(user, shop.url("cards")))
        .await
        .expect("a card-storage session");
    let saved = pay(&session.redirect_url, purchase_card(Outcome::Success)).await;
    assert_eq!(saved.status(), 303);
    let list = client
        .card_storage()
        .list(&CardListRequest::new(user))
        .await
        .expect("the cards");
    list.cards[0].card_token.clone().expect("a token")
}

#[tokio::test]
async fn a_saved_card_is_charged_after_the_payer_types_its_cvc() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let token = saved_card(&client, &shop, "user-9").await;
    let created = client
        .token()
        .init_with_cvc(
            &TokenInitWithCvcRequest::new("cvc-1", amount("777"), "user-9", "Headphones")
                .card_token(token.clone())
                .result_url(shop.url("result"))
                .success_url(shop.url("success"))
                .failure_url(shop.url("failure")),
        )
        .await
        .expect("card/init");
    assert_eq!(created.order_id.as_deref(), Some("cvc-1"));
    let id = created.payment_id;
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::New);

    // The browser opens the signed card/pay URL and lands on the CVC page.
    let url = client
        .token()
        .pay_with_cvc(&TokenPayWithCvcRequest::new(id))
        .expect("a signed URL");
    assert!(
        url.contains(&format!("/v1/merchant/{MERCHANT}/card/pay?")),
        "{url}"
    );
    let browser = browser();
    let answer = browser.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 303);
    let page_url = location(&answer);
    assert_eq!(
        page_url,
        format!("{}/sandbox/token/{id}", sandbox.base_url())
    );
    let page = browser.get(&page_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let text = page.text().await.unwrap();
    assert!(text.contains("Pay 777 KZT"), "{text}");
    assert!(text.contains("471604******1981"), "{text}");

    // A CVC that is not 3 or 4 digits is shown inline; nothing is charged.
    for cvc in ["12", "12a", ""] {
        let answer = browser
            .post(&page_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form::encode(&Params::new().with("cvc", cvc)))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 422, "{cvc:?}");
        assert!(answer.text().await.unwrap().contains("id=\"cvc_error\""));
    }
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::New);

    let answer = browser
        .post(&page_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("cvc=123")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let back = location(&answer);
    let (target, query) = back.split_once('?').expect("signed parameters");
    assert_eq!(target, shop.url("success"));
    let back = form::decode(query);
    assert_eq!(
        signature::verify("success", &back, &SecretKey::new(SECRET)),
        Ok(())
    );
    assert_eq!(back.get_text("pg_order_id"), Some("cvc-1"));

    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    let result = shop.shop.results.lock().unwrap()[0].clone();
    assert_eq!(result.get_text("pg_payment_id"), Some(&*id.to_string()));
    assert_eq!(result.get_text("pg_result"), Some("1"));
    assert_eq!(result.get_text("pg_card_pan"), Some("471604******1981"));
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Paid);
    assert_eq!(wire_status(&client, id).await, "success");

    // Charged once: card/pay and card/direct refuse it, the page shows the outcome.
    let answer = browser.get(&url).send().await.unwrap();
    let refused = xml::parse(&answer.text().await.unwrap()).unwrap().params;
    assert_eq!(refused.get_text("pg_error_code"), Some("10015"));
    let error = client
        .token()
        .direct(&TokenDirectRequest::new(id))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10015);
    let page = browser
        .get(&page_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Payment successful"), "{page}");
}

#[tokio::test]
async fn cvc_payments_refuse_unknown_payments_other_payments_and_removed_cards() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let browser = browser();
    let open = |id: i64| {
        let url = client
            .token()
            .pay_with_cvc(&TokenPayWithCvcRequest::new(id))
            .expect("a signed URL");
        let browser = browser.clone();
        async move {
            let body = browser
                .get(&url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            xml::parse(&body).expect("an XML error").params
        }
    };
    assert_refused(&open(42).await, "11068", "not found");
    let page_payment = client
        .page()
        .init_payment(&InitPaymentRequest::new(amount("5"), "Page"))
        .await
        .unwrap();
    assert_refused(&open(page_payment.payment_id).await, "200", "card/init");
    let page = browser
        .get(format!(
            "{}/sandbox/token/{}",
            sandbox.base_url(),
            page_payment.payment_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);

    // Unknown tokens, and cards named only by the deprecated id, are refused.
    let error = client
        .token()
        .init_with_cvc(
            &TokenInitWithCvcRequest::new("cvc-2", amount("1"), "user-5", "x")
                .card_token("no-such-token"),
        )
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10032);
    let error = client
        .token()
        .init_with_cvc(
            &TokenInitWithCvcRequest::new("cvc-3", amount("1"), "user-5", "x").card_id(56),
        )
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10032);

    // A card removed after card/init: card/pay refuses, the page says so.
    let token = saved_card(&client, &shop, "user-5").await;
    let created = client
        .token()
        .init_with_cvc(
            &TokenInitWithCvcRequest::new("cvc-4", amount("1"), "user-5", "x")
                .card_token(token.clone()),
        )
        .await
        .unwrap();
    client
        .card_storage()
        .remove(&CardRemoveRequest::new("user-5", token))
        .await
        .unwrap();
    assert_refused(&open(created.payment_id).await, "10032", "removed");
    let answer = browser
        .post(format!(
            "{}/sandbox/token/{}",
            sandbox.base_url(),
            created.payment_id
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("cvc=123")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 409);
    assert!(answer.text().await.unwrap().contains("removed"));
    assert_eq!(
        sandbox.payment(created.payment_id).unwrap().state,
        PaymentState::New
    );
}

#[tokio::test]
async fn profiles_and_cash_by_code_orders_survive_a_restart() {
    let db = temp_db("restart");
    let shop = ShopServer::start().await;
    let first = sandbox_on(&db).await;
    let (paid, result) = paid_with_profile(&client(&first), &shop, 24, 0).await;
    let profile = result
        .get_text("pg_recurring_profile_id")
        .unwrap()
        .to_owned();
    let atm = client(&first)
        .atm()
        .check(
            &AtmCheckRequest::new()
                .phone("7073175200")
                .amount(amount("2000"))
                .order_id("cash-1"),
        )
        .await
        .expect("cash by code");
    first.shutdown().await;

    let second = sandbox_on(&db).await;
    let client = client(&second);
    assert_eq!(second.payment(paid).unwrap().state, PaymentState::Paid);
    let charged = client
        .payments()
        .recurring(&RecurringPaymentRequest::new(
            profile.clone(),
            "After restart",
        ))
        .await
        .expect("the profile is still there");
    assert_eq!(charged.recurring_profile.as_deref(), Some(profile.as_str()));
    let id = charged.payment_id.unwrap();
    assert!(id > atm.payment_id.unwrap());
    let error = client
        .atm()
        .check(
            &AtmCheckRequest::new()
                .phone("7073175200")
                .amount(amount("2000"))
                .order_id("cash-1"),
        )
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 9991, "the order id is remembered");
    second.shutdown().await;
    let _ = std::fs::remove_file(&db);
}

#[tokio::test]
async fn an_installment_is_paid_on_the_page_and_reported_by_status() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let created = client
        .installment()
        .init(&InstallmentInitRequest::new(
            "inst-1",
            amount("10000"),
            "Sofa",
        ))
        .await
        .expect("installment");
    let id = created.payment_id.expect("a payment id");
    assert_eq!(created.order_id.as_deref(), Some("inst-1"));
    assert_eq!(created.amount, Some(amount("10000")));
    assert_eq!(created.merchant_id, Some(MERCHANT.parse().unwrap()));
    assert_eq!(created.transaction_type.as_deref(), Some("init"));
    assert_eq!(created.status, Some(freedompay::enums::ResponseStatus::Ok));
    let page_url = created.redirect_url.clone().expect("the page");
    assert_eq!(wire_status(&client, id).await, "new");
    let page = reqwest::get(&page_url).await.unwrap().text().await.unwrap();
    assert!(page.contains("Pay 10000 KZT"), "{page}");
    assert!(page.contains("Sofa"));

    let answer = pay(&page_url, purchase_card(Outcome::Success)).await;
    assert_eq!(answer.status(), 200, "no success URL: the outcome page");
    assert_eq!(sandbox.payment(id).unwrap().state, PaymentState::Paid);
    assert_eq!(wire_status(&client, id).await, "success");

    // A declining card fails the installment like a card payment.
    let other = client
        .installment()
        .init(&InstallmentInitRequest::new(
            "inst-2",
            amount("20000"),
            "Bed",
        ))
        .await
        .unwrap();
    let other_id = other.payment_id.unwrap();
    pay(
        &other.redirect_url.clone().expect("the page"),
        purchase_card(Outcome::Declined),
    )
    .await;
    assert_eq!(wire_status(&client, other_id).await, "error");
    assert!(matches!(
        sandbox.payment(other_id).unwrap().state,
        PaymentState::Failed { code: 10001, .. }
    ));
}

#[tokio::test]
async fn atm_cash_by_code_follows_the_documented_amount_rule() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let request = |phone: &str, value: &str, order: &str| {
        AtmCheckRequest::new()
            .phone(phone)
            .amount(amount(value))
            .order_id(order)
            .post_link("http://127.0.0.1:9/post")
    };
    let accepted = client
        .atm()
        .check(&request("7073175200", "2000", "cash-1"))
        .await
        .expect("accepted");
    assert_eq!(accepted.status, Some(freedompay::enums::ResponseStatus::Ok));
    assert_eq!(accepted.order_id.as_deref(), Some("cash-1"));
    assert_eq!(accepted.merchant_id, Some(MERCHANT.parse().unwrap()));
    let first = accepted.payment_id.expect("an operation id");
    for (value, order) in [("4000", "cash-2"), ("4500", "cash-3"), ("10001", "cash-4")] {
        let accepted = client
            .atm()
            .check(&request("707317520", value, order))
            .await
            .unwrap_or_else(|e| panic!("{value}: {e}"));
        assert!(accepted.payment_id.unwrap() > first);
    }
    for value in ["1000", "3000", "2000.50"] {
        let error = client
            .atm()
            .check(&request("7073175200", value, "cash-x"))
            .await
            .unwrap_err();
        assert_eq!(gateway_code(&error), 11005, "{value}");
    }
    for phone in ["+77073175200", "77073175200", "70731752", "70731752ab"] {
        let error = client
            .atm()
            .check(&request(phone, "2000", "cash-y"))
            .await
            .unwrap_err();
        assert_eq!(gateway_code(&error), 10031, "{phone}");
    }
    let error = client
        .atm()
        .check(&AtmCheckRequest::new().amount(amount("2000")))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 200);
    let error = client
        .atm()
        .check(&AtmCheckRequest::new().phone("7073175200"))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 200);
    let error = client
        .atm()
        .check(&request("7073175200", "2000", "cash-1"))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 9991);
    // Without an order id there is nothing to repeat.
    for _ in 0..2 {
        let accepted = client
            .atm()
            .check(
                &AtmCheckRequest::new()
                    .phone("7073175200")
                    .amount(amount("6000")),
            )
            .await
            .expect("accepted");
        assert_eq!(accepted.order_id, None);
    }
}

#[tokio::test]
async fn a_mobile_code_is_resent_only_while_the_payment_waits_for_it() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let phone = &TEST_PHONES[0];
    let resend = |id: i64| {
        let client = client.clone();
        async move {
            client
                .mobile_balance()
                .resend_code(
                    &MobileBalanceResendCodeRequest::new()
                        .with_extra("pg_payment_id", id.to_string()),
                )
                .await
        }
    };
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

    let error = resend(id).await.unwrap_err();
    assert_eq!(gateway_code(&error), 11013, "no code sent yet");
    client
        .mobile_balance()
        .pay(
            &MobileBalancePayRequest::new(id, phone.phone)
                .payment_system_code(phone.operator.clone()),
        )
        .await
        .expect("pay");

    let answer = resend(id).await.expect("resent");
    assert_eq!(answer.get_text("pg_status"), Some("ok"));
    let error = client
        .mobile_balance()
        .approve(&MobileBalanceApproveRequest::new(id, "000000"))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 11002);
    // The resent code is the same; the wrong attempt still counts.
    resend(id).await.expect("resent again");
    assert!(matches!(
        sandbox.payment(id).unwrap().state,
        PaymentState::AwaitingCode { attempts: 1, .. }
    ));
    let approved = client
        .mobile_balance()
        .approve(&MobileBalanceApproveRequest::new(id, phone.code))
        .await
        .expect("approved");
    assert_eq!(approved.status, MobileBalanceApproveStatus::Ok);
    shop.wait(|s| s.results.lock().unwrap().len(), 1).await;
    assert_eq!(wire_status(&client, id).await, "success");

    let error = resend(id).await.unwrap_err();
    assert_eq!(gateway_code(&error), 11013, "already paid");
    let error = resend(999).await.unwrap_err();
    assert_eq!(gateway_code(&error), 11068);
    let error = client
        .mobile_balance()
        .resend_code(&MobileBalanceResendCodeRequest::new())
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 200);
    let answer = raw_call(
        &sandbox,
        "/mfs/resend_code",
        "resend_code",
        SECRET,
        Params::new()
            .with("pg_merchant_id", MERCHANT)
            .with("pg_payment_id", "twelve"),
    )
    .await;
    assert_refused(&answer, "200", "pg_payment_id");
}
