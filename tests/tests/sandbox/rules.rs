//! The sandbox refuses what the gateway refuses, one test per rule: each
//! validation rule of the spec (through init_payment, whose fields carry
//! every rule the Merchant API uses), each way a signature can be wrong, and
//! an unknown or missing merchant. Valid answers to bad requests are signed
//! error envelopes; only an unidentified merchant gets an unsigned one.

use freedompay::Params;
use freedompay::signature::{self, SecretKey};

use super::harness::*;

/// A valid init_payment, before the salt and signature.
fn valid() -> Params {
    Params::new()
        .with("pg_merchant_id", MERCHANT)
        .with("pg_amount", "10")
        .with("pg_description", "Tea")
}

/// Sends init_payment with `name` set to `value` (removed when `None`) and
/// checks the refusal: a signed error 200 that names the field and `rule`,
/// and no payment.
async fn refuses(name: &str, value: Option<&str>, rule: &str) {
    let sandbox = sandbox().await;
    let mut params = valid();
    match value {
        Some(value) => params.set(name.to_owned(), value),
        None => {
            params.remove(name);
        }
    }
    let answer = raw_call(
        &sandbox,
        "/init_payment.php",
        "init_payment.php",
        SECRET,
        params,
    )
    .await;
    assert_eq!(answer.get_text("pg_status"), Some("error"), "{answer:?}");
    assert_eq!(answer.get_text("pg_error_code"), Some("200"), "{answer:?}");
    let description = answer.get_text("pg_error_description").unwrap_or_default();
    assert!(description.contains(name), "{name}: {description}");
    assert!(description.contains(rule), "{rule}: {description}");
    assert_eq!(answer.get_text("pg_payment_id"), None);
    assert_eq!(
        signature::verify("init_payment.php", &answer, &SecretKey::new(SECRET)),
        Ok(()),
        "the refusal is signed"
    );
}

/// One test per rule: `test_name: field = value => words the refusal names`.
macro_rules! each_rule_is_enforced {
    ($($test:ident: $field:literal = $value:expr => $rule:literal;)*) => {$(
        #[tokio::test]
        async fn $test() {
            refuses($field, $value, $rule).await;
        }
    )*};
}

each_rule_is_enforced! {
    required_field_missing: "pg_description" = None => "missing";
    amount_not_a_number: "pg_amount" = Some("ten") => "not a decimal amount";
    amount_with_three_decimals: "pg_amount" = Some("10.001") => "at most two fraction digits";
    integer_not_a_number: "pg_lifetime" = Some("a day") => "expected an integer";
    flag_not_zero_or_one: "pg_auto_clearing" = Some("yes") => "expected 0 or 1";
    closed_enum_unknown_value: "pg_request_method" = Some("PUT") => "expected one of `GET`, `POST`, `XML`";
    amount_below_min: "pg_amount" = Some("0") => "(min)";
    integer_below_min: "pg_lifetime" = Some("299") => "(min)";
    amount_above_max: "pg_amount" = Some("100000000") => "(max)";
    integer_above_max: "pg_lifetime" = Some("604801") => "(max)";
    text_longer_than_max_length: "pg_order_id" = Some(&"7".repeat(51)) => "(max_length)";
    text_shorter_than_min_length: "pg_receipt_positions[0][name]" = Some("") => "(min_length)";
    text_not_matching_pattern: "pg_user_id" = Some("user 1") => "(pattern)";
    url_format: "pg_check_url" = Some("shop/check") => "(format)";
    email_format: "pg_user_contact_email" = Some("nobody") => "(format)";
    ip_format: "pg_user_ip" = Some("999.0.0.1") => "(format)";
    nested_field_below_min: "pg_receipt_positions[0][price]" = Some("0") => "(min)";
    extra_parameter_with_an_unusable_name: "gift card" = Some("1") => "(extra)";
}

/// Signs `params` with `script` and `key`, then lets `tamper` change the
/// signed message before it is sent.
async fn signed_then(
    script: &str,
    key: &str,
    path: &str,
    params: Params,
    tamper: impl FnOnce(&mut Params),
) -> Params {
    let sandbox = sandbox().await;
    let mut params = params;
    params.push("pg_salt", "salt-rules");
    let sig = signature::sign(script, &params, &SecretKey::new(key));
    params.push("pg_sig", sig);
    tamper(&mut params);
    post_params(&sandbox, path, &params).await
}

/// A signed 1100: the merchant is known, the signature is not right.
fn assert_bad_signature(answer: &Params, script: &str, key: &str) {
    assert_eq!(answer.get_text("pg_error_code"), Some("1100"), "{answer:?}");
    assert_eq!(
        signature::verify(script, answer, &SecretKey::new(key)),
        Ok(())
    );
}

/// One test per way an init_payment signature can be wrong:
/// `test_name: signed with (script, key), then changed by tamper`.
macro_rules! each_bad_signature_is_refused {
    ($($test:ident: ($script:literal, $key:expr), $tamper:expr;)*) => {$(
        #[tokio::test]
        async fn $test() {
            let answer =
                signed_then($script, $key, "/init_payment.php", valid(), $tamper).await;
            assert_bad_signature(&answer, "init_payment.php", SECRET);
        }
    )*};
}

each_bad_signature_is_refused! {
    a_signature_made_with_another_key_is_refused: ("init_payment.php", "another-key"), |_| {};
    a_signature_made_for_another_script_is_refused: ("payment.php", SECRET), |_| {};
    a_parameter_changed_after_signing_is_refused:
        ("init_payment.php", SECRET), |p| p.set("pg_amount", "1000");
    a_parameter_added_after_signing_is_refused:
        ("init_payment.php", SECRET), |p| p.push("pg_testing_mode", "1");
    a_missing_signature_is_refused: ("init_payment.php", SECRET), |p| {
        p.remove("pg_sig");
    };
    an_upper_case_signature_of_another_message_is_refused:
        ("init_payment.php", SECRET), |p| p.set("pg_sig", "0123456789ABCDEF0123456789ABCDEF");
}

#[tokio::test]
async fn a_payout_signed_with_the_main_key_is_refused() {
    let params = Params::new()
        .with("pg_merchant_id", MERCHANT)
        .with("pg_currency", "KZT");
    let answer = signed_then(
        "balance_status",
        SECRET,
        "/api/balance_status",
        params,
        |_| {},
    )
    .await;
    assert_eq!(answer.get_text("pg_error_code"), Some("1100"), "{answer:?}");
    assert_eq!(
        signature::verify("balance_status", &answer, &SecretKey::new(PAYOUT_SECRET)),
        Ok(()),
        "payout answers are signed with the payout key"
    );
}

/// Sends a signed init_payment with `params`: the merchant is not
/// identified, so the refusal (9998) is unsigned.
async fn refused_unsigned(params: Params) {
    let answer = signed_then(
        "init_payment.php",
        SECRET,
        "/init_payment.php",
        params,
        |_| {},
    )
    .await;
    assert_eq!(answer.get_text("pg_error_code"), Some("9998"), "{answer:?}");
    assert_eq!(answer.get_text("pg_sig"), None, "nobody's key to sign with");
}

#[tokio::test]
async fn an_unknown_merchant_gets_an_unsigned_refusal() {
    let mut params = valid();
    params.set("pg_merchant_id", "999999");
    refused_unsigned(params).await;
}

#[tokio::test]
async fn a_request_without_a_merchant_gets_an_unsigned_refusal() {
    let mut params = valid();
    params.remove("pg_merchant_id");
    refused_unsigned(params).await;
}
