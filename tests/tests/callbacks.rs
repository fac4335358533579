//! Callbacks: the Check request as the gateway sends it, and the merchant's signed replies.
//!
//! A callback is accepted only when its `pg_sig` matches the parameters
//! exactly as received, merchant parameters (names without `pg_`) included,
//! for the script name of the merchant's URL. Replies are XML `<response>`
//! documents signed with that same script name.

use freedompay::callback::{CallbackError, sign_reply, verify, verify_form, verify_xml};
use freedompay::enums::{Currency, ReplyStatus};
use freedompay::merchant::callbacks::{CheckCallback, CheckCallbackRequired, CheckReply};
use freedompay::signature::{self, SignatureError};
use freedompay::{Amount, DecodeError, Params, Rule, SecretKey, form, xml};

const SECRET: &str = "Check-Secret-4mR2";
const SCRIPT: &str = "check";
/// The callback's salt, from the spec example.
const SALT: &str = "some random string";

fn key(secret: &str) -> SecretKey {
    SecretKey::new(secret)
}

fn amount(text: &str) -> Amount {
    text.parse().expect("amount")
}

/// Top-level text parameters, in order.
fn flat(pairs: &[(&str, &str)]) -> Params {
    pairs.iter().map(|&(name, value)| (name, value)).collect()
}

/// The fields of the spec example plus a merchant parameter, unsigned.
fn example_fields() -> Params {
    flat(&[
        ("pg_order_id", "123456789"),
        ("pg_payment_id", "12345"),
        ("pg_amount", "10"),
        ("pg_currency", "KZT"),
        ("pg_ps_amount", "5"),
        ("pg_ps_currency", "KZT"),
        ("pg_ps_full_amount", "5"),
        ("order_ref", "A-17"),
    ])
}

/// `params` with `pg_salt` and `pg_sig` appended, signed as the gateway would.
fn sign_as_gateway(script: &str, secret: &str, mut params: Params) -> Params {
    params.push("pg_salt", SALT);
    let sig = signature::sign(script, &params, &key(secret));
    params.push("pg_sig", sig);
    params
}

/// The signed example, as a form body.
fn example_body() -> String {
    form::encode(&sign_as_gateway(SCRIPT, SECRET, example_fields()))
}

fn check_form(body: &str) -> Result<freedompay::callback::Verified<CheckCallback>, CallbackError> {
    verify_form::<CheckCallback>(SCRIPT, &key(SECRET), body)
}

fn assert_example(callback: &CheckCallback) {
    assert_eq!(callback.order_id, "123456789");
    assert_eq!(callback.payment_id, 12345);
    assert_eq!(callback.amount, amount("10"));
    assert_eq!(callback.currency, Currency::Kzt);
    assert_eq!(callback.ps_amount, amount("5"));
    assert_eq!(callback.ps_currency, Some(Currency::Kzt));
    assert_eq!(callback.ps_full_amount, amount("5"));
    assert_eq!(callback.extra, flat(&[("order_ref", "A-17")]));
}

// ---------------------------------------------------------------------------
// Accepted
// ---------------------------------------------------------------------------

#[test]
fn signed_example_is_accepted() {
    let body = example_body();
    assert!(body.contains("order_ref=A-17"), "{body}");

    let verified = check_form(&body).expect("a correctly signed callback");
    assert_example(verified.data());
    assert_eq!(verified.extra.get_text("order_ref"), Some("A-17"));
    assert_eq!(verified.params().get_text("order_ref"), Some("A-17"));
    assert_eq!(verified.params(), &form::decode(&body));
    assert_eq!(verified.salt(), SALT);

    let expected = CheckCallback::new(CheckCallbackRequired {
        order_id: "123456789".to_owned(),
        payment_id: 12345,
        amount: amount("10"),
        currency: Currency::Kzt,
        ps_amount: amount("5"),
        ps_full_amount: amount("5"),
    })
    .ps_currency(Currency::Kzt)
    .with_extra("order_ref", "A-17");
    assert_eq!(verified.into_data(), expected);
}

#[test]
fn the_same_callback_as_query_string_parameters_or_xml() {
    let params = sign_as_gateway(SCRIPT, SECRET, example_fields());

    // GET: the query string is the same encoding.
    let query = form::encode(&params);
    assert_example(&check_form(&query).expect("query string"));

    // Already parsed parameters (e.g. from a web framework's form extractor).
    let pairs = form::to_pairs(&params);
    let verified =
        verify::<CheckCallback>(SCRIPT, &key(SECRET), form::from_pairs(pairs)).expect("parameters");
    assert_example(&verified);

    // pg_request_method=XML.
    let document = xml::write("request", &params);
    let verified =
        verify_xml::<CheckCallback>(SCRIPT, &key(SECRET), &document).expect("xml document");
    assert_example(&verified);

    let tampered = document.replace("<pg_amount>10</pg_amount>", "<pg_amount>1</pg_amount>");
    assert_ne!(tampered, document);
    assert_eq!(
        verify_xml::<CheckCallback>(SCRIPT, &key(SECRET), &tampered),
        Err(CallbackError::Signature(SignatureError::Mismatch))
    );
    let broken = &document[..document.len() - 5];
    assert!(matches!(
        verify_xml::<CheckCallback>(SCRIPT, &key(SECRET), broken),
        Err(CallbackError::Malformed(_))
    ));
}

// ---------------------------------------------------------------------------
// Rejected
// ---------------------------------------------------------------------------

fn assert_mismatch(case: &str, body: &str) {
    assert_ne!(body, example_body(), "{case}: the body was changed");
    assert_eq!(
        check_form(body).map(|v| v.into_data()),
        Err(CallbackError::Signature(SignatureError::Mismatch)),
        "{case}"
    );
}

#[test]
fn tampered_value_is_rejected() {
    let body = example_body();
    assert_mismatch("amount", &body.replace("pg_amount=10&", "pg_amount=1&"));
    assert_mismatch(
        "order id",
        &body.replace("pg_order_id=123456789", "pg_order_id=123456780"),
    );
    assert_mismatch("salt", &body.replace("pg_salt=some", "pg_salt=same"));
}

#[test]
fn tampered_added_or_removed_merchant_parameter_is_rejected() {
    let body = example_body();
    assert_mismatch("changed", &body.replace("order_ref=A-17", "order_ref=A-18"));
    assert_mismatch("added", &format!("{body}&promo=FREE"));
    assert_mismatch(
        "added empty",
        &body.replace("order_ref=A-17", "order_ref=A-17&promo="),
    );
    assert_mismatch("removed", &body.replace("order_ref=A-17&", ""));
}

#[test]
fn missing_signature_is_rejected() {
    let mut params = sign_as_gateway(SCRIPT, SECRET, example_fields());
    params.remove("pg_sig");
    let body = form::encode(&params);
    assert_eq!(
        check_form(&body).map(|v| v.into_data()),
        Err(CallbackError::Signature(SignatureError::Missing))
    );
    // A signature of the right form but empty is no better.
    let body = format!("{body}&pg_sig=");
    assert_eq!(
        check_form(&body).map(|v| v.into_data()),
        Err(CallbackError::Signature(SignatureError::Mismatch))
    );
}

#[test]
fn signed_with_another_key_is_rejected() {
    let body = form::encode(&sign_as_gateway(SCRIPT, "another-key", example_fields()));
    assert_mismatch("another key", &body);
}

#[test]
fn signed_for_another_script_is_rejected() {
    let body = form::encode(&sign_as_gateway("result", SECRET, example_fields()));
    assert_mismatch("result script", &body);
    // And the other way round: a check callback is not a valid result callback.
    assert_eq!(
        verify_form::<CheckCallback>("result", &key(SECRET), &example_body())
            .map(|v| v.into_data()),
        Err(CallbackError::Signature(SignatureError::Mismatch))
    );
}

#[test]
fn signed_but_missing_a_required_field_is_rejected() {
    let mut fields = example_fields();
    fields.remove("pg_payment_id");
    let body = form::encode(&sign_as_gateway(SCRIPT, SECRET, fields));
    let error = check_form(&body)
        .map(|v| v.into_data())
        .expect_err("missing field");
    assert_eq!(
        error,
        CallbackError::Decode(DecodeError::Missing {
            field: "pg_payment_id".to_owned()
        })
    );
    assert!(error.to_string().contains("pg_payment_id"), "{error}");
    assert!(!error.to_string().contains(SECRET));
}

#[test]
fn signed_but_invalid_value_is_rejected() {
    let mut fields = example_fields();
    fields.set("pg_amount", "ten");
    let body = form::encode(&sign_as_gateway(SCRIPT, SECRET, fields));
    match check_form(&body).map(|v| v.into_data()) {
        Err(CallbackError::Decode(DecodeError::Invalid { field, .. })) => {
            assert_eq!(field, "pg_amount");
        }
        other => panic!("expected Decode(Invalid), got {other:?}"),
    }
}

/// The check and result pages print `<= 3 characters` for both currencies.
/// A currency the spec does not list is a valid value (the enum is open); a
/// longer code breaks the rule, on receipt and in the sandbox's registry.
#[test]
fn currencies_are_open_but_at_most_three_characters() {
    use freedompay::registry::by_id;

    let mut fields = example_fields();
    fields.set("pg_currency", "USD");
    fields.set("pg_ps_currency", "UZS");
    let body = form::encode(&sign_as_gateway(SCRIPT, SECRET, fields.clone()));
    let callback = check_form(&body).expect("another currency").into_data();
    assert_eq!(callback.currency.as_str(), "USD");
    assert_eq!(
        callback.ps_currency.as_ref().map(|c| c.as_str()),
        Some("UZS")
    );
    assert!((by_id("check").unwrap().decode)(&fields).is_ok());

    for field in ["pg_currency", "pg_ps_currency"] {
        let mut fields = example_fields();
        fields.set(field, "KZTX");
        let body = form::encode(&sign_as_gateway(SCRIPT, SECRET, fields.clone()));
        match check_form(&body).map(|v| v.into_data()) {
            Err(CallbackError::Invalid(errors)) => {
                let text = errors.to_string();
                assert!(
                    text.contains(field) && text.contains("at most 3 characters"),
                    "{field}: {text}"
                );
            }
            other => panic!("{field}: expected CallbackError::Invalid, got {other:?}"),
        }
        let refused = (by_id("check").unwrap().decode)(&fields)
            .map(|_| ())
            .expect_err(field);
        assert!(refused.to_string().contains(field), "{refused}");
    }
}

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

/// Signs `reply` with the test salt, checks it verifies, and returns the XML.
fn signed_reply(reply: &CheckReply) -> String {
    let document = sign_reply(SCRIPT, &key(SECRET), reply, Some("salt")).expect("valid reply");
    let message = xml::parse(&document).expect("well-formed reply");
    assert_eq!(message.root, "response");
    assert_eq!(message.params.get_text("pg_salt"), Some("salt"));
    assert_eq!(
        signature::verify(SCRIPT, &message.params, &key(SECRET)),
        Ok(())
    );
    assert_eq!(
        signature::verify(SCRIPT, &message.params, &key("another-key")),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        signature::verify("result", &message.params, &key(SECRET)),
        Err(SignatureError::Mismatch)
    );
    document
}

#[test]
fn reply_ok() {
    let reply = CheckReply::new(ReplyStatus::Ok).description("Платеж разрешен");
    let document = signed_reply(&reply);
    let params = xml::parse(&document).expect("xml").params;
    let names: Vec<&str> = params.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["pg_status", "pg_description", "pg_salt", "pg_sig"]);
    assert_eq!(params.get_text("pg_status"), Some("ok"));
    assert_eq!(params.get_text("pg_description"), Some("Платеж разрешен"));
    insta::assert_snapshot!("check_reply_ok", document);
}

#[test]
fn reply_rejected() {
    let reply = CheckReply::new(ReplyStatus::Rejected).description("Заказ уже оплачен");
    let document = signed_reply(&reply);
    let params = xml::parse(&document).expect("xml").params;
    assert_eq!(params.get_text("pg_status"), Some("rejected"));
    insta::assert_snapshot!("check_reply_rejected", document);
}

#[test]
fn reply_error() {
    let reply = CheckReply::new(ReplyStatus::Error).description("Unknown order <123> & co");
    let document = signed_reply(&reply);
    let params = xml::parse(&document).expect("xml").params;
    assert_eq!(params.get_text("pg_status"), Some("error"));
    assert_eq!(
        params.get_text("pg_description"),
        Some("Unknown order <123> & co"),
        "special characters survive the XML round trip"
    );
    insta::assert_snapshot!("check_reply_error", document);
}

#[test]
fn reply_without_description_or_with_merchant_parameter() {
    let bare = signed_reply(&CheckReply::new(ReplyStatus::Ok));
    let params = xml::parse(&bare).expect("xml").params;
    let names: Vec<&str> = params.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["pg_status", "pg_salt", "pg_sig"]);

    let with_extra =
        signed_reply(&CheckReply::new(ReplyStatus::Ok).with_extra("order_ref", "A-17"));
    let params = xml::parse(&with_extra).expect("xml").params;
    let names: Vec<&str> = params.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["pg_status", "order_ref", "pg_salt", "pg_sig"]);
}

#[test]
fn reply_with_a_reserved_extra_name_is_refused() {
    let reply = CheckReply::new(ReplyStatus::Ok).with_extra("pg_sig", "forged");
    let errors = sign_reply(SCRIPT, &key(SECRET), &reply, Some("salt")).expect_err("refused");
    assert_eq!(errors.0.len(), 1, "{errors:?}");
    assert_eq!(errors.0[0].field, "pg_sig");
    assert_eq!(errors.0[0].rule, Rule::ExtraName);
}

#[test]
fn reply_matches_the_platron_vector() {
    let secret = key("secret_key");
    let reply = CheckReply::new(ReplyStatus::Ok).description("Товар передан покупателю");
    let document = sign_reply("check", &secret, &reply, Some("salt")).expect("valid reply");
    let params = xml::parse(&document).expect("xml").params;
    assert_eq!(
        signature::string_to_sign("check", &params, &secret),
        "check;Товар передан покупателю;salt;ok;secret_key"
    );
    assert_eq!(
        params.get_text("pg_sig"),
        Some("173d9dec3eed87c273886e17afaf8fbe")
    );
    assert_eq!(signature::verify("check", &params, &secret), Ok(()));
}

#[test]
fn reply_without_salt_draws_a_fresh_one() {
    let reply = CheckReply::new(ReplyStatus::Ok);
    let first = sign_reply(SCRIPT, &key(SECRET), &reply, None).expect("valid");
    let second = sign_reply(SCRIPT, &key(SECRET), &reply, None).expect("valid");
    let first = xml::parse(&first).expect("xml").params;
    let second = xml::parse(&second).expect("xml").params;
    let salt1 = first.get_text("pg_salt").expect("salt");
    let salt2 = second.get_text("pg_salt").expect("salt");
    for salt in [salt1, salt2] {
        assert_eq!(salt.len(), 16, "{salt:?}");
        assert!(salt.chars().all(|c| c.is_ascii_alphanumeric()), "{salt:?}");
    }
    assert_ne!(salt1, salt2);
    assert_ne!(first.get_text("pg_sig"), second.get_text("pg_sig"));
    for params in [&first, &second] {
        assert_eq!(signature::verify(SCRIPT, params, &key(SECRET)), Ok(()));
    }
}

#[test]
fn reply_with_the_callbacks_salt() {
    let verified = check_form(&example_body()).expect("accepted");
    let reply = CheckReply::new(ReplyStatus::Ok);
    let document = sign_reply(SCRIPT, &key(SECRET), &reply, Some(verified.salt())).expect("valid");
    let params = xml::parse(&document).expect("xml").params;
    assert_eq!(params.get_text("pg_salt"), Some(SALT));
    assert_eq!(signature::verify(SCRIPT, &params, &key(SECRET)), Ok(()));
}

// ---------------------------------------------------------------------------
// The result callback of a failed payment
// ---------------------------------------------------------------------------

/// A failed payment's result callback may come without `pg_can_reject`
/// (optional on the uz page) and without `pg_ps_currency` (the check page: it
/// may be absent when the payment failed). It still verifies and decodes; a
/// forged one is still refused.
#[test]
fn a_failed_payment_result_callback_without_can_reject_or_ps_currency_decodes() {
    use freedompay::merchant::callbacks::ResultCallback;
    const RESULT: &str = "result";
    let fields = flat(&[
        ("pg_order_id", "123456789"),
        ("pg_payment_id", "12345"),
        ("pg_amount", "500"),
        ("pg_currency", "KZT"),
        ("pg_net_amount", "482.5"),
        ("pg_ps_amount", "500"),
        ("pg_ps_full_amount", "500"),
        ("pg_description", "Purchase in the online store Site.kz"),
        ("pg_result", "0"),
        ("pg_payment_date", "2019-01-01 12:00:00"),
    ]);
    let body = form::encode(&sign_as_gateway(RESULT, SECRET, fields));
    let verified = verify_form::<ResultCallback>(RESULT, &key(SECRET), &body)
        .expect("a signed failed-payment result callback");
    assert_eq!(verified.result, 0);
    assert_eq!(verified.payment_id, 12345);
    assert_eq!(verified.can_reject, None);
    assert_eq!(verified.ps_currency, None);
    assert!(verified.extra.is_empty(), "{:?}", verified.extra);

    let forged = body.replace("pg_amount=500", "pg_amount=5");
    assert_ne!(forged, body);
    assert!(matches!(
        verify_form::<ResultCallback>(RESULT, &key(SECRET), &forged),
        Err(CallbackError::Signature(SignatureError::Mismatch))
    ));
}
