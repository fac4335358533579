//! Recurring payments: profiles of paid card payments charged again, the
//! refusals the sandbox answers, and profiles kept in the database.

use freedompay::Amount;
use freedompay::enums::Currency;
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::merchant::payments::{PaymentStatusRequest, RecurringPaymentRequest};
use freedompay::test_data::Outcome;
use freedompay::{Client, Params};
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
