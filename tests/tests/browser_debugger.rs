//! An integrator in a real browser on the sandbox's signature debugger
//! (headless Chromium over WebDriver, from `support::browser`): pastes the
//! documented `init_payment.php` request signed right and sees that it
//! matches; pastes it signed with the whole URL as the script name, with
//! the string that was signed, and sees the expected signature, the string
//! to sign and the mistake named; then pastes the documented Partner API
//! JSON body with its `X-JWS-Signature`, and the same body re-serialised.
//! The key typed is never in the page.

use std::time::Duration;

use fantoccini::Locator;
use freedompay_core::signature::{self, SecretKey};
use freedompay_core::{Params, form};
use freedompay_sandbox::{SIGNATURE_DEBUGGER_PATH, Sandbox};

use crate::support::browser::Session;

/// The key the integrator types: not the documentation's, so the page's
/// own example cannot stand in for it.
const KEY: &str = "Debugger-Key-5xQ";
const URL: &str = "https://api.freedompay.kz/init_payment.php";
/// merchant-api.md §1.3: the documented `init_payment.php` request.
const REQUEST: &str =
    "pg_order_id=23&pg_merchant_id=12345&pg_amount=25&pg_description=test&pg_salt=molbulak";
const STRING_TO_SIGN: &str = "init_payment.php;25;test;12345;23;molbulak;<secret key>";

/// partner-api.md §2.1 (E-Money `wallet/add`, HS256, jwt.io's default key).
const PARTNER_BODY: &str =
    r#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca","country":"KAZ","currency":"KZT"}"#;
const PARTNER_JWS: &str = "eyJ1cmkiOiIvdjUvcGFydG5lci93YWxsZXQvYWRkIiwiYXV0aF9pZCI6IjEyMzQ1NiIsIm1ldGhvZCI6IlBPU1QiLCJwYXJhbXMiOiIiLCJhbGciOiJIUzI1NiJ9..5xVbhml5y1Uw1TYQ_djwwefFz8y_CnX-ajzNvOBCcmE";
const PARTNER_KEY: &str = "your-256-bit-secret";

/// Puts `text` in the field `id`, as a paste does.
async fn paste(browser: &Session, id: &str, text: &str) {
    browser
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![serde_json::json!(id), serde_json::json!(text)],
        )
        .await
        .expect("the field takes the text");
}

/// Types the key into its password field, as a person does.
async fn type_key(browser: &Session, key: &str) {
    let field = browser
        .find(Locator::Id("key"))
        .await
        .expect("the key field");
    field.clear().await.expect("cleared");
    field.send_keys(key).await.expect("typed");
}

/// Clicks "Check the signature" and waits for the new answer's verdict.
async fn check(browser: &Session) -> String {
    browser
        .execute(
            "document.getElementById('result').textContent = '';",
            vec![],
        )
        .await
        .expect("the old answer is cleared");
    browser
        .find(Locator::Id("check"))
        .await
        .expect("the button")
        .click()
        .await
        .expect("clicked");
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("verdict"))
        .await
        .expect("an answer is shown")
        .text()
        .await
        .expect("its text")
}

async fn text_of(browser: &Session, id: &str) -> String {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("#{id} is shown"))
        .text()
        .await
        .expect("its text")
}

#[tokio::test]
async fn an_integrator_debugs_signatures_in_a_real_browser() {
    let Some(browser) = crate::support::browser::open().await else {
        return;
    };
    let sandbox = Sandbox::start().await.expect("sandbox");
    let key = SecretKey::new(KEY);
    let params: Params = form::decode(REQUEST);
    let right = signature::sign("init_payment.php", &params, &key);

    browser
        .goto(&format!("{}{SIGNATURE_DEBUGGER_PATH}", sandbox.base_url()))
        .await
        .expect("the page opens");
    assert_eq!(text_of(&browser, "check").await, "Check the signature");

    // Signed right: it matches, step by step.
    paste(&browser, "request", &format!("{REQUEST}&pg_sig={right}")).await;
    paste(&browser, "called", URL).await;
    type_key(&browser, KEY).await;
    let verdict = check(&browser).await;
    assert!(verdict.contains("matches"), "{verdict}");
    assert_eq!(text_of(&browser, "script").await, "init_payment.php");
    assert_eq!(text_of(&browser, "string_to_sign").await, STRING_TO_SIGN);
    assert_eq!(text_of(&browser, "expected").await, right);
    let rows = browser
        .find_all(Locator::Css("#steps tr"))
        .await
        .expect("the steps");
    assert_eq!(rows.len(), 6, "a header and five values");
    assert_eq!(rows[1].text().await.unwrap(), "1 pg_amount003 pg_amount 25");

    // Signed with the whole URL as the script name: the expected signature,
    // the string to sign, the mistake and where the string differs.
    let wrong_string = format!("{URL};25;test;12345;23;molbulak;{KEY}");
    let wrong = signature::md5_hex(&wrong_string);
    paste(&browser, "request", &format!("{REQUEST}&pg_sig={wrong}")).await;
    paste(&browser, "signed", &wrong_string).await;
    let verdict = check(&browser).await;
    assert!(verdict.contains("differs"), "{verdict}");
    assert!(
        verdict.contains(&wrong) && verdict.contains(&right),
        "{verdict}"
    );
    assert_eq!(text_of(&browser, "expected").await, right);
    assert_eq!(text_of(&browser, "string_to_sign").await, STRING_TO_SIGN);
    let mistake = browser
        .find(Locator::Css("#mistakes .mistake"))
        .await
        .expect("the mistake is named")
        .text()
        .await
        .unwrap();
    assert_eq!(
        mistake,
        "the script name is the whole URL or path, not its last segment"
    );
    let mistakes = text_of(&browser, "mistakes").await;
    assert!(
        mistakes.contains(&format!(
            "You signed: {URL};25;test;12345;23;molbulak;<secret key>"
        )),
        "{mistakes}"
    );
    let difference = text_of(&browser, "difference").await;
    assert!(
        difference.contains("character 1, in the script name"),
        "{difference}"
    );
    assert!(
        difference.contains("The MD5 of your string is the pg_sig you sent"),
        "{difference}"
    );
    // Nothing shown holds the key, nor does the page's source.
    let source = browser.source().await.expect("the page's source");
    assert!(!source.contains(KEY), "the key is in the page");

    // A JSON body with its X-JWS-Signature (the documented vector).
    paste(&browser, "request", PARTNER_BODY).await;
    paste(&browser, "called", "/v5/partner/wallet/add").await;
    paste(&browser, "jws", PARTNER_JWS).await;
    paste(&browser, "signed", "").await;
    type_key(&browser, PARTNER_KEY).await;
    let verdict = check(&browser).await;
    assert_eq!(
        verdict,
        "The JWS matches: the gateway accepts this signature."
    );
    assert_eq!(text_of(&browser, "expected").await, PARTNER_JWS);
    let header = text_of(&browser, "header_json").await;
    assert!(header.contains(r#""alg":"HS256""#), "{header}");
    let input = text_of(&browser, "string_to_sign").await;
    assert!(
        input.starts_with(PARTNER_JWS.split_once("..").unwrap().0),
        "{input}"
    );

    // The same JWS with the body sent pretty-printed: re-serialised.
    paste(
        &browser,
        "request",
        "{\n  \"request_id\": \"828cf71d-a447-4a67-a149-c1df8bc197ca\",\n  \"country\": \"KAZ\",\n  \"currency\": \"KZT\"\n}",
    )
    .await;
    let verdict = check(&browser).await;
    assert!(verdict.contains("differs"), "{verdict}");
    let mistake = text_of(&browser, "mistakes").await;
    assert!(mistake.contains("re-serialised"), "{mistake}");
    let source = browser.source().await.expect("the page's source");
    assert!(!source.contains(PARTNER_KEY), "the key is in the page");

    browser.close().await;
}
