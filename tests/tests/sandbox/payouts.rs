//! Payouts beyond the card payout: to an IBAN, to a card saved for payouts,
//! through the payee's payout page, and the v1 status call.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use freedompay::enums::ResponseStatus;
use freedompay::merchant::card_storage::{
    CardAddRequest, CardListRequest, CardRemoveRequest, PayoutCardAddRequest,
};
use freedompay::merchant::payout::{
    IbanPayoutRequest, PayoutPageRequest, PayoutPageRequestRequired, PayoutPaymentStatus,
    PayoutStatusByOrderRequest, PayoutStatusRequest, PayoutStatusV2Request,
    PayoutTransactionStatus, TokenPayoutRequest, TokenPayoutRequestRequired,
};
use freedompay::merchant::token::{TokenInitRequest, TokenInitRequestRequired};
use freedompay::test_data::Outcome;
use freedompay::{Client, Params};
use freedompay_sandbox::PayoutState;
use freedompay_sandbox::store::PayoutDestination;
use rust_decimal::Decimal;

use super::harness::*;

/// A valid Kazakh IBAN (ISO 13616 check digits right).
const IBAN: &str = "KZ86125KZT5004100100";
/// A deadline far ahead, in the documented `YYYY-MM-DD HH:MM:SS` form.
const LATER: &str = "2099-12-31 12:00:00";

fn decimal(text: &str) -> Decimal {
    text.parse().expect("decimal")
}

/// The v1 status (`api/payment_status`) of an order: the payout's state in `pg_status`.
async fn status_v1(client: &Client, order: &str) -> String {
    client
        .payout()
        .status(&PayoutStatusRequest::new(order))
        .await
        .expect("status v1")
        .status
        .clone()
        .map(|s| s.to_string())
        .unwrap_or_default()
}

/// The payout notices the shop got so far.
fn notices(shop: &ShopServer) -> Vec<Params> {
    shop.shop.payouts.lock().unwrap().clone()
}

/// The notice about order `order`, once it has arrived.
async fn notice_for(shop: &ShopServer, order: &str) -> Params {
    let about = |n: &Params| n.get_text("pg_order_id") == Some(order);
    shop.wait(
        |s| {
            s.payouts
                .lock()
                .unwrap()
                .iter()
                .filter(|n| about(n))
                .count()
        },
        1,
    )
    .await;
    notices(shop).into_iter().find(about).expect("the notice")
}

/// `YYYY-MM-DD HH:MM:SS` in UTC, `seconds` from now.
fn utc_in(seconds: u64) -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        + seconds;
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[tokio::test]
async fn an_iban_payout_is_made_when_the_check_digits_are_right() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let start = sandbox.payout_balance(MERCHANT);
    let request = |order: &str, sum: &str, iban: &str| {
        IbanPayoutRequest::new()
            .amount(amount(sum))
            .order_id(order)
            .recipient_iban(iban)
            .recipient_iin("761223455678")
            .recipient_name("IVANOV IVAN")
            .recipient_kbe("19")
            .knp("119")
            .bank_bik("KZZSAE")
            .description("Salary")
            .post_link(shop.url("payout"))
    };

    // Spaces and lower case are read as the same IBAN.
    let made = client
        .payout()
        .iban(&request("iban-1", "2500", "kz86 125k zt50 0410 0100"))
        .await
        .expect("IBAN payout");
    assert_eq!(made.status, Some(ResponseStatus::Ok));
    assert_eq!(made.order_id.as_deref(), Some("iban-1"));
    assert_eq!(made.payment_amount, Some(amount("2500")));
    assert!(!made.payment_date.is_empty());
    let id = made.payment_id.expect("a payout id");
    assert_eq!(sandbox.payout_balance(MERCHANT), start - decimal("2500"));
    let payout = sandbox.payout(id).expect("stored");
    assert_eq!(payout.state, PayoutState::Success);
    assert_eq!(
        payout.destination,
        PayoutDestination::Iban {
            iban: "KZ86************0100".to_owned()
        }
    );

    // The signed notice: ok, the balance after, no card.
    let notice = notice_for(&shop, "iban-1").await;
    assert_eq!(notice.get_text("pg_status"), Some("ok"));
    assert_eq!(
        notice.get_text("pg_payment_id"),
        Some(id.to_string().as_str())
    );
    assert_eq!(notice.get_text("pg_card_hash"), None);
    assert_eq!(
        notice.get_text("pg_balance").map(decimal),
        Some(start - decimal("2500"))
    );
    assert_eq!(status_v1(&client, "iban-1").await, "ok");

    // Wrong check digits (the documentation's example among them): 200, nothing debited.
    for iban in [
        "KZ123412341234123412",
        "KZ87125KZT5004100100",
        "KZ86125KZT500410010",
    ] {
        let error = client
            .payout()
            .iban(&request("iban-2", "10", iban))
            .await
            .unwrap_err();
        assert_eq!(gateway_code(&error), 200, "{iban}");
        assert!(error.to_string().contains("pg_recipient_iban"), "{error}");
    }
    // The amount and the account are needed.
    let error = client
        .payout()
        .iban(
            &IbanPayoutRequest::new()
                .order_id("iban-3")
                .recipient_iban(IBAN),
        )
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 200);
    assert!(error.to_string().contains("pg_amount"), "{error}");
    let error = client
        .payout()
        .iban(
            &IbanPayoutRequest::new()
                .order_id("iban-3")
                .amount(amount("1")),
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("pg_recipient_iban"), "{error}");
    // More than the balance: 8888.
    let error = client
        .payout()
        .iban(&request("iban-4", "99999999", IBAN))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 8888);
    assert_eq!(sandbox.payout_balance(MERCHANT), start - decimal("2500"));
    assert_eq!(notices(&shop).len(), 1, "refused payouts are not notified");

    // Signed with the payment key instead of the payout key: 1100.
    let answer = raw_call(
        &sandbox,
        "/api/to_iban",
        "to_iban",
        SECRET,
        Params::new()
            .with("pg_merchant_id", MERCHANT)
            .with("pg_amount", "10")
            .with("pg_order_id", "iban-5")
            .with("pg_recipient_iban", IBAN),
    )
    .await;
    assert_refused(&answer, "1100", "signature");
}

/// Saves `card` for payouts for `user` on the sandbox's page and returns its
/// token, as the merchant learns it: from the user's card list.
async fn save_payout_card(client: &Client, shop: &ShopServer, user: &str, card: &str) -> String {
    let before = listed_tokens(client, user).await;
    let session = client
        .card_storage()
        .add_for_payout(&PayoutCardAddRequest::new(user, shop.url("saved")))
        .await
        .expect("cardstorage/add2");
    assert_eq!(session.status, ResponseStatus::Ok);
    let page = session.redirect_url.clone().expect("a card page");
    let saved = pay(&page, card).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(saved.headers()["location"], shop.url("saved").as_str());
    listed_tokens(client, user)
        .await
        .into_iter()
        .find(|t| !before.contains(t))
        .expect("the new card is listed")
}

async fn listed_tokens(client: &Client, user: &str) -> Vec<String> {
    match client
        .card_storage()
        .list(&CardListRequest::new(user))
        .await
    {
        Ok(list) => list
            .cards
            .iter()
            .filter_map(|c| c.card_token.clone())
            .collect(),
        // A user without cards: the documented answer needs at least one `card`.
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn a_card_saved_for_payouts_receives_token_payouts() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let start = sandbox.payout_balance(MERCHANT);

    // The card-saving page: a mistake is shown inline and nothing is saved.
    let session = client
        .card_storage()
        .add_for_payout(&PayoutCardAddRequest::new("payee-1", shop.url("saved")))
        .await
        .expect("cardstorage/add2");
    let page_url = session.redirect_url.clone().expect("a card page");
    let id = session.payment_id.expect("a session id");
    assert!(
        page_url.ends_with(&format!("/sandbox/payout-card/{id}")),
        "{page_url}"
    );
    let shown = reqwest::get(&page_url).await.unwrap();
    assert_eq!(shown.status(), 200);
    assert!(
        shown
            .text()
            .await
            .unwrap()
            .contains("Save a card for payouts")
    );
    let refused = pay(&page_url, "1234").await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("id=\"card_number_error\"")
    );
    let saved = pay(&page_url, payout_card(Outcome::Success)).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(saved.headers()["location"], shop.url("saved").as_str());
    // Saved once: the page now says so, and a second card is not taken.
    let again = pay(&page_url, payout_card(Outcome::Success)).await;
    assert_eq!(again.status(), 200);
    assert!(again.text().await.unwrap().contains("Card saved"));
    let list = client
        .card_storage()
        .list(&CardListRequest::new("payee-1"))
        .await
        .expect("the payee's cards");
    assert_eq!(list.cards.len(), 1);
    assert_eq!(list.cards[0].card_hash.as_deref(), Some("467159******8252"));
    let token = list.cards[0].card_token.clone().expect("a token");

    let request = |order: &str, sum: &str, user: &str, token: &str| {
        TokenPayoutRequest::new(TokenPayoutRequestRequired {
            order_id: order.to_owned(),
            amount: amount(sum),
            description: "Prize".to_owned(),
            order_time_limit: LATER.to_owned(),
            user_id: user.to_owned(),
            post_link: shop.url("payout"),
            card_token_to: token.to_owned(),
        })
    };
    let made = client
        .payout()
        .token(&request("tok-1", "300", "payee-1", &token))
        .await
        .expect("token payout");
    assert_eq!(made.status, Some(ResponseStatus::Ok));
    assert_eq!(made.card_token.as_deref(), Some(token.as_str()));
    assert_eq!(made.card_hash.as_deref(), Some("467159******8252"));
    assert_eq!(made.payment_amount, Some(amount("300")));
    assert_eq!(
        made.balance.map(|b| b.as_decimal()),
        Some(start - decimal("300"))
    );
    let payout = sandbox.payout(made.payment_id.expect("an id")).unwrap();
    assert_eq!(payout.state, PayoutState::Success);
    assert_eq!(
        payout.destination,
        PayoutDestination::SavedCard {
            token: token.clone()
        }
    );
    let notice = notice_for(&shop, "tok-1").await;
    assert_eq!(notice.get_text("pg_status"), Some("ok"));
    assert_eq!(notice.get_text("pg_card_hash"), Some("467159******8252"));
    assert_eq!(notice.get_text("pg_payment_amount"), Some("300"));
    assert_eq!(status_v1(&client, "tok-1").await, "ok");

    // A card saved with a declining payout card: its code, nothing debited.
    let declining = save_payout_card(&client, &shop, "payee-2", declining_payout_card(10001)).await;
    let error = client
        .payout()
        .token(&request("tok-2", "10", "payee-2", &declining))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10001);
    assert_eq!(sandbox.payout_balance(MERCHANT), start - decimal("300"));

    // Pending, then declined: accepted, then the notice says error and the money comes back.
    let pending = save_payout_card(
        &client,
        &shop,
        "payee-2",
        payout_card(Outcome::PendingThenDeclined),
    )
    .await;
    let accepted = client
        .payout()
        .token(&request("tok-3", "40", "payee-2", &pending))
        .await
        .expect("accepted while pending");
    assert_eq!(
        accepted.balance.map(|b| b.as_decimal()),
        Some(start - decimal("340"))
    );
    let notice = notice_for(&shop, "tok-3").await;
    assert_eq!(notice.get_text("pg_status"), Some("error"));
    assert_eq!(status_v1(&client, "tok-3").await, "failed");
    assert_eq!(sandbox.payout_balance(MERCHANT), start - decimal("300"));

    // Another user's token, an unknown one, and a card saved for payments: 10032.
    let purchase = client
        .card_storage()
        .add(&CardAddRequest::new("payee-1", shop.url("saved")))
        .await
        .expect("cardstorage/add");
    let saved = pay(&purchase.redirect_url, purchase_card(Outcome::Success)).await;
    assert_eq!(saved.status(), 303);
    let purchase_token = listed_tokens(&client, "payee-1")
        .await
        .into_iter()
        .find(|t| *t != token)
        .expect("the card saved for payments");
    for (user, token) in [
        ("payee-2", token.as_str()),
        ("payee-1", "no-such-token"),
        ("payee-1", purchase_token.as_str()),
    ] {
        let error = client
            .payout()
            .token(&request("tok-4", "1", user, token))
            .await
            .unwrap_err();
        assert_eq!(gateway_code(&error), 10032, "{user} {token}");
    }
    // …and a card saved for payouts cannot be charged.
    let error = client
        .token()
        .init(&TokenInitRequest::new(TokenInitRequestRequired {
            order_id: "t-1".to_owned(),
            amount: amount("1"),
            description: "x".to_owned(),
            user_id: "payee-1".to_owned(),
            card_token: token.clone(),
        }))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10032);

    // A deadline that has passed: 200 naming the field.
    let error = client
        .payout()
        .token(&TokenPayoutRequest::new(TokenPayoutRequestRequired {
            order_id: "tok-5".to_owned(),
            amount: amount("1"),
            description: "Prize".to_owned(),
            order_time_limit: "2020-12-31 12:00:00".to_owned(),
            user_id: "payee-1".to_owned(),
            post_link: shop.url("payout"),
            card_token_to: token.clone(),
        }))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 200);
    assert!(error.to_string().contains("pg_order_time_limit"), "{error}");
    // More than the balance: 8888.
    let error = client
        .payout()
        .token(&request("tok-6", "99999999", "payee-1", &token))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 8888);

    // Removed, the card takes no more payouts.
    client
        .card_storage()
        .remove(&CardRemoveRequest::new("payee-1", token.clone()))
        .await
        .expect("removed");
    let error = client
        .payout()
        .token(&request("tok-7", "1", "payee-1", &token))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 10032);
    assert_eq!(sandbox.payout_balance(MERCHANT), start - decimal("300"));
}

#[tokio::test]
async fn the_payout_page_pays_the_card_the_payee_types() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);
    let start = sandbox.payout_balance(MERCHANT);
    let request = |order: &str, sum: &str| {
        PayoutPageRequest::new(PayoutPageRequestRequired {
            order_id: order.to_owned(),
            amount: amount(sum),
            description: "Cashback".to_owned(),
            order_time_limit: LATER.to_owned(),
            back_link: shop.url("back"),
            post_link: shop.url("payout"),
        })
    };

    let created = client
        .payout()
        .page(&request("page-1", "750").user_id("payee-1"))
        .await
        .expect("reg2nonreg");
    assert_eq!(created.status, Some(ResponseStatus::Ok));
    let id = created.payment_id.expect("a payout id");
    let page_url = created.redirect_url.clone().expect("a page");
    assert!(
        page_url.ends_with(&format!("/sandbox/payout/{id}")),
        "{page_url}"
    );

    // Registered, waiting for the payee: nothing debited, every status says so.
    assert_eq!(
        sandbox.payout(id).unwrap().state,
        PayoutState::AwaitingPayee
    );
    assert_eq!(sandbox.payout_balance(MERCHANT), start);
    assert_eq!(status_v1(&client, "page-1").await, "partial");
    let v2 = client
        .payout()
        .status_v2(&PayoutStatusV2Request::new("page-1").payment_id(id))
        .await
        .expect("status V2");
    assert_eq!(v2.payment_status, PayoutPaymentStatus::Process);
    let by_order = client
        .payout()
        .status_by_order(&PayoutStatusByOrderRequest::new("page-1"))
        .await
        .expect("status by order");
    assert_eq!(
        by_order.transaction_status,
        PayoutTransactionStatus::Partial
    );

    let shown = reqwest::get(&page_url).await.unwrap();
    assert_eq!(shown.status(), 200);
    let html = shown.text().await.unwrap();
    assert!(html.contains("Receive 750 KZT"), "{html}");
    assert!(html.contains("Cashback"));

    // A mistake is shown inline, with what the payee typed kept.
    let http = browser();
    let wrong = http
        .post(&page_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(freedompay::form::encode(
            &Params::new()
                .with("card_number", payout_card(Outcome::Success))
                .with("expiry", "13/40")
                .with("cvc", "123")
                .with("holder", "IVAN IVANOV"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("id=\"expiry_error\""), "{html}");
    assert!(html.contains("IVAN IVANOV"));
    assert_eq!(
        sandbox.payout(id).unwrap().state,
        PayoutState::AwaitingPayee
    );

    // Then the payout is made and the payee goes back.
    let done = pay(&page_url, payout_card(Outcome::Success)).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], shop.url("back").as_str());
    let payout = sandbox.payout(id).unwrap();
    assert_eq!(payout.state, PayoutState::Success);
    assert_eq!(payout.card_hash, "467159******8252");
    assert_eq!(sandbox.payout_balance(MERCHANT), start - decimal("750"));
    let notice = notice_for(&shop, "page-1").await;
    assert_eq!(notice.get_text("pg_status"), Some("ok"));
    assert_eq!(
        notice.get_text("pg_payment_id"),
        Some(id.to_string().as_str())
    );
    assert_eq!(notice.get_text("pg_card_hash"), Some("467159******8252"));
    assert_eq!(status_v1(&client, "page-1").await, "ok");
    // Made once: the page shows the outcome, a second card is not paid.
    let again = pay(&page_url, payout_card(Outcome::Success)).await;
    assert_eq!(again.status(), 200);
    assert!(again.text().await.unwrap().contains("Payout successful"));
    assert_eq!(sandbox.payout_balance(MERCHANT), start - decimal("750"));
    assert_eq!(notices(&shop).len(), 1);

    // A declining card: the page shows the code, nothing debited, the notice says error.
    let declined = client
        .payout()
        .page(&request("page-2", "20"))
        .await
        .expect("reg2nonreg");
    let page = declined.redirect_url.clone().unwrap();
    let answer = pay(&page, declining_payout_card(10000)).await;
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.unwrap().contains("code 10000"));
    assert_eq!(
        notice_for(&shop, "page-2").await.get_text("pg_status"),
        Some("error")
    );
    assert_eq!(status_v1(&client, "page-2").await, "failed");
    assert_eq!(sandbox.payout_balance(MERCHANT), start - decimal("750"));

    // Pending, then success: the payee goes back at once, the notice follows.
    let pending = client
        .payout()
        .page(&request("page-3", "30"))
        .await
        .expect("reg2nonreg");
    let answer = pay(
        pending.redirect_url.as_deref().unwrap(),
        payout_card(Outcome::PendingThenSuccess),
    )
    .await;
    assert_eq!(answer.status(), 303);
    assert_eq!(
        notice_for(&shop, "page-3").await.get_text("pg_status"),
        Some("ok")
    );
    assert_eq!(
        sandbox.payout(pending.payment_id.unwrap()).unwrap().state,
        PayoutState::Success
    );
    assert_eq!(sandbox.payout_balance(MERCHANT), start - decimal("780"));

    // Registered within the balance, but the balance dropped before the payee came: 8888.
    let big = start - decimal("780");
    let first = client
        .payout()
        .page(&request("page-4", &big.to_string()))
        .await
        .expect("within the balance");
    let second = client
        .payout()
        .page(&request("page-5", &big.to_string()))
        .await
        .expect("within the balance too");
    let answer = pay(
        first.redirect_url.as_deref().unwrap(),
        payout_card(Outcome::Success),
    )
    .await;
    assert_eq!(answer.status(), 303);
    let answer = pay(
        second.redirect_url.as_deref().unwrap(),
        payout_card(Outcome::Success),
    )
    .await;
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.unwrap().contains("code 8888"));
    assert_eq!(
        sandbox.payout(second.payment_id.unwrap()).unwrap().state,
        PayoutState::Failed { code: 8888 }
    );
    assert_eq!(sandbox.payout_balance(MERCHANT), Decimal::ZERO);
    // And a payout beyond the balance is refused at once.
    let error = client
        .payout()
        .page(&request("page-6", "1"))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 8888);
}

#[tokio::test]
async fn the_payout_page_refuses_what_it_cannot_pay() {
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let client = client(&sandbox);

    // A deadline that has passed.
    let error = client
        .payout()
        .page(&PayoutPageRequest::new(PayoutPageRequestRequired {
            order_id: "late-1".to_owned(),
            amount: amount("10"),
            description: "Cashback".to_owned(),
            order_time_limit: "2020-12-31 12:00:00".to_owned(),
            back_link: shop.url("back"),
            post_link: shop.url("payout"),
        }))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 200);
    assert!(error.to_string().contains("pg_order_time_limit"), "{error}");

    // Missing fields the client would never leave out: 200 naming them.
    let answer = raw_call(
        &sandbox,
        "/api/reg2nonreg",
        "reg2nonreg",
        PAYOUT_SECRET,
        Params::new()
            .with("pg_merchant_id", MERCHANT)
            .with("pg_order_id", "late-2")
            .with("pg_amount", "10")
            .with("pg_description", "Cashback")
            .with("pg_order_time_limit", LATER)
            .with("pg_post_link", shop.url("payout")),
    )
    .await;
    assert_refused(&answer, "200", "pg_back_link");

    // Pages that do not exist.
    for path in ["/sandbox/payout/999", "/sandbox/payout-card/999"] {
        let url = format!("{}{path}", sandbox.base_url());
        assert_eq!(reqwest::get(&url).await.unwrap().status(), 404, "{path}");
        assert_eq!(pay(&url, payout_card(Outcome::Success)).await.status(), 404);
    }
    // A payout that is not a payout page's has no page.
    let iban = client
        .payout()
        .iban(
            &IbanPayoutRequest::new()
                .amount(amount("1"))
                .order_id("iban-1")
                .recipient_iban(IBAN),
        )
        .await
        .expect("IBAN payout");
    let url = format!(
        "{}/sandbox/payout/{}",
        sandbox.base_url(),
        iban.payment_id.unwrap()
    );
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);

    // Unknown orders: 11068 from the v1 status.
    let error = client
        .payout()
        .status(&PayoutStatusRequest::new("no-such-order"))
        .await
        .unwrap_err();
    assert_eq!(gateway_code(&error), 11068);

    // A page left until its deadline passes: the payout fails with 10018 and is notified.
    let created = client
        .payout()
        .page(&PayoutPageRequest::new(PayoutPageRequestRequired {
            order_id: "late-3".to_owned(),
            amount: amount("10"),
            description: "Cashback".to_owned(),
            order_time_limit: utc_in(2),
            back_link: shop.url("back"),
            post_link: shop.url("payout"),
        }))
        .await
        .expect("a deadline two seconds ahead");
    let page = created.redirect_url.clone().unwrap();
    let mut expired = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if status_v1(&client, "late-3").await == "failed" {
            expired = true;
            break;
        }
    }
    assert!(expired, "the payout expired");
    assert_eq!(
        sandbox.payout(created.payment_id.unwrap()).unwrap().state,
        PayoutState::Failed { code: 10018 }
    );
    let notice = notice_for(&shop, "late-3").await;
    assert_eq!(notice.get_text("pg_status"), Some("error"));
    assert_eq!(notice.get_text("pg_card_hash"), None);
    let answer = pay(&page, payout_card(Outcome::Success)).await;
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.unwrap().contains("code 10018"));
    assert_eq!(notices(&shop).len(), 1, "the expiry notice only");
}
