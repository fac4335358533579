//! Remote input never panics: malformed forms, XML and values give a typed
//! error (or are kept as the gateway keeps them), never a panic.

use freedompay::merchant::page::InitPaymentResponse;
use freedompay_core::message::{Decode, DecodeError, Rule, ValidationErrors};
use freedompay_core::{Params, Value, form, rules, xml};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

#[test]
fn no_panics_form_names_with_unclosed_or_non_ascii_brackets() {
    let params = form::from_pairs(pairs(&[
        ("a[b", "1"),
        ("[x]", "2"),
        ("карта[номер]", "3"),
        ("a[é", "4"),
        ("é[", "5"),
        ("ж[]]", "6"),
    ]));
    // Brackets that do not close are taken literally, as PHP does.
    assert_eq!(params.get_text("a[b"), Some("1"));
    assert_eq!(params.get_text("[x]"), Some("2"));
    assert_eq!(params.get_text("a[é"), Some("4"));
    assert_eq!(params.get_text("é["), Some("5"));
    match params.get("карта") {
        Some(Value::Nested(children)) => assert_eq!(children.get_text("номер"), Some("3")),
        other => panic!("expected a nested карта, got {other:?}"),
    }
    assert!(params.get("ж").is_some());
}

#[test]
fn no_panics_form_body_with_broken_escapes() {
    for body in [
        "%",
        "%F",
        "%FF%FE=%E2%82",
        "a%5Bb=1&=x&&",
        "é[=1&[]=2&a[]]]=3",
        "\u{0}=\u{0}",
    ] {
        let _ = form::decode(body);
    }
}

#[test]
fn no_panics_malformed_xml_is_a_typed_error() {
    for text in [
        "",
        "<response><pg_status>ok</pg_status>",
        "<response><pg_status>ok</pg_sig></response>",
        "<ответ><статус>ок</статус",
        "<response><a>&bogus;</a></response>",
        "<response><a>&#xFFFFFFFF;</a></response>",
    ] {
        let parsed = xml::parse(text);
        assert!(parsed.is_err(), "{text:?} parsed as {parsed:?}");
        // A body that is not XML (the empty one) is read as a form instead.
        if text.starts_with('<') {
            let as_message = form::decode_message(text);
            assert!(as_message.is_err(), "{text:?} decoded as {as_message:?}");
        }
    }
}

#[test]
fn no_panics_response_with_malformed_values_is_a_decode_error() {
    let mut params = Params::new();
    params.push("pg_status", Value::Text("ok".to_owned()));
    params.push("pg_payment_id", Value::Text("١٢٣".to_owned()));
    params.push(
        "pg_redirect_url",
        Value::Text("https://example.com/é".to_owned()),
    );
    params.push("pg_redirect_url_type", Value::Text("need data".to_owned()));
    match InitPaymentResponse::decode(&params) {
        Err(DecodeError::Invalid { field, .. }) => assert_eq!(field, "pg_payment_id"),
        other => panic!("expected an invalid pg_payment_id, got {other:?}"),
    }
}

#[test]
fn no_panics_pattern_that_did_not_compile_is_a_failed_rule() {
    let mut errors = ValidationErrors::default();
    rules::compiled_pattern(&mut errors, "pg_order_id", "23", None, "^[0-9+$");
    let found: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.rule)).collect();
    assert_eq!(found, [("pg_order_id", Rule::Pattern)]);

    let regex = regex::Regex::new("^[0-9]+$").ok();
    let mut errors = ValidationErrors::default();
    rules::compiled_pattern(&mut errors, "pg_order_id", "23", regex.as_ref(), "^[0-9]+$");
    assert!(errors.iter().next().is_none());
}
