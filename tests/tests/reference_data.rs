//! Reference data generated from `spec/shared/`: the documentation's endpoint
//! index (every row covered or marked with a reason), the error codes and the
//! test cards and phones; and every callback in the spec verified, tampered
//! with and answered.

use std::collections::BTreeSet;

use freedompay::errors::{ErrorCode, Source};
use freedompay::signature::{self, SecretKey};
use freedompay::test_data::{CardUse, Outcome, TEST_CARDS, TEST_PHONES, TestCard};
use freedompay::{GatewayError, Params, Value, xml};

use crate::support::{examples, spec};

const SECRET: &str = codegen::ir::TEST_SECRET_KEY;

#[test]
fn every_row_of_the_documentation_index_is_covered_or_has_a_reason() {
    let api = spec();
    let index = &api.reference.index;
    let numbers: BTreeSet<&str> = index
        .iter()
        .filter(|e| e.api == codegen::spec::ApiName::Merchant)
        .map(|e| e.number.as_str())
        .collect();
    // The reference documentation indexes 39 Merchant API endpoints and 6 callbacks.
    let expected: BTreeSet<String> = (1..=39)
        .map(|n| n.to_string())
        .chain((1..=6).map(|n| format!("C{n}")))
        .collect();
    let expected: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(numbers, expected, "rows of spec/shared/index.yaml");
    let ids: BTreeSet<&str> = api.endpoints.iter().map(|e| e.id.as_str()).collect();
    for entry in index {
        match (&entry.covered_by[..], &entry.not_covered) {
            ([], Some(reason)) => assert!(
                reason.len() > 10,
                "row {} needs a real reason, not {reason:?}",
                entry.number
            ),
            ([], None) => panic!("row {} is neither covered nor explained", entry.number),
            (covered, _) => {
                for id in covered {
                    assert!(
                        ids.contains(id.as_str()),
                        "row {}: no endpoint {id}",
                        entry.number
                    );
                }
            }
        }
    }
    for endpoint in &api.endpoints {
        assert!(
            index.iter().any(|e| e.covered_by.contains(&endpoint.id)),
            "{} is in no row of the index",
            endpoint.id
        );
    }
}

#[test]
fn the_readme_coverage_table_is_the_generated_one() {
    let readme =
        std::fs::read_to_string(crate::support::workspace().join("README.md")).expect("README.md");
    for section in codegen::sections(spec()) {
        assert_eq!(section.path, "README.md");
        let spliced = codegen::splice(&readme, &section).expect("README has the markers");
        assert_eq!(spliced, readme, "run `cargo run -p codegen -- generate`");
    }
}

#[test]
fn error_codes_round_trip_and_describe_themselves() {
    assert!(
        ErrorCode::ALL.len() >= 100,
        "{} codes",
        ErrorCode::ALL.len()
    );
    let mut seen = BTreeSet::new();
    for code in ErrorCode::ALL {
        assert!(seen.insert(code.code()), "{} listed twice", code.code());
        assert_eq!(ErrorCode::from_code(code.code()), *code);
        let description = code.description().expect("a listed code has a meaning");
        assert!(!description.is_empty());
        assert!(code.source().is_some());
        assert!(code.to_string().starts_with(&format!("{}: ", code.code())));
    }
    let unknown = ErrorCode::from_code(424_242);
    assert_eq!(unknown, ErrorCode::Unknown(424_242));
    assert_eq!(unknown.code(), 424_242);
    assert_eq!(unknown.description(), None);
    assert_eq!(unknown.to_string(), "424242 (not documented)");
}

#[test]
fn freedom_pay_codes_take_precedence_over_the_predecessors() {
    // 9998 is "merchant not identified" on Freedom Pay's pages, "incorrect
    // signature" in the PayBox table: Freedom Pay's meaning wins.
    let code = ErrorCode::from_code(9998);
    assert_eq!(code.source(), Some(Source::Freedompay));
    let text = code.description().expect("documented").to_lowercase();
    assert!(text.contains("merchant"), "{text}");
    // A code only the predecessors document keeps their meaning and says so.
    assert_eq!(ErrorCode::from_code(10009).source(), Some(Source::Paybox));
    assert_eq!(ErrorCode::from_code(340).source(), Some(Source::Platron));
    // 101 is documented on the older kz intro for the same unsigned case.
    assert_ne!(ErrorCode::from_code(101), ErrorCode::Unknown(101));
}

#[test]
fn an_unsigned_error_is_merchant_not_identified_whatever_its_code() {
    let unsigned = |code| GatewayError {
        code,
        description: "Merchant not found".into(),
        signed: false,
        params: freedompay::Params::new(),
    };
    let expected = ErrorCode::from_code(9998);
    assert_eq!(ErrorCode::of(&unsigned(9998)), expected);
    assert_eq!(ErrorCode::of(&unsigned(101)), expected);
    assert_eq!(ErrorCode::of(&unsigned(0)), expected);
    let signed = GatewayError {
        code: 10009,
        description: "Insufficient funds".into(),
        signed: true,
        params: freedompay::Params::new(),
    };
    assert_eq!(ErrorCode::of(&signed), ErrorCode::from_code(10009));
}

#[test]
fn test_cards_and_phones_are_the_documented_ones() {
    let approving = TestCard::find("4716047261941981").expect("documented purchase card");
    assert_eq!(approving.usage, CardUse::Purchase);
    assert_eq!(approving.outcome, Outcome::Success);
    let declining = TestCard::first(CardUse::Purchase, Outcome::Declined).expect("a decline");
    assert_eq!(declining.number, "5335215945367703");
    let payout_ok = TestCard::first(CardUse::Payout, Outcome::Success).expect("a payout card");
    assert_eq!(payout_ok.number, "4671593866478252");
    for card in TEST_CARDS {
        assert!(card.number.chars().all(|c| c.is_ascii_digit()));
        if let Some(code) = card.error_code {
            assert_ne!(
                ErrorCode::from_code(code),
                ErrorCode::Unknown(code),
                "{} declines with an undocumented code",
                card.number
            );
        }
    }
    let insufficient = TEST_CARDS
        .iter()
        .find(|c| c.error_code == Some(8888))
        .expect("the payout card that runs out of balance");
    assert_eq!(insufficient.usage, CardUse::Payout);
    let kcell = TEST_PHONES
        .iter()
        .find(|p| p.phone == "+77017777777")
        .expect("the Kcell test phone");
    assert_eq!(kcell.code, "111111");
    assert_eq!(kcell.operator.to_string(), "KCELLKZT");
}

// ---------------------------------------------------------------------------
// Every callback: accepted when signed, rejected when tampered, answered
// ---------------------------------------------------------------------------

/// The example's parameters, without `pg_salt`/`pg_sig`, signed as the gateway would.
fn signed_callback(script: &str, params: &Params) -> Params {
    let mut params: Params = params
        .iter()
        .filter(|(name, _)| !matches!(*name, "pg_salt" | "pg_sig"))
        .map(|(name, value)| (name.to_owned(), value.clone()))
        .collect();
    params.push("pg_salt", "Callback-Salt-1");
    let sig = signature::sign(script, &params, &SecretKey::new(SECRET));
    params.push("pg_sig", sig);
    params
}

/// `params` with the first text value changed.
fn tampered(params: &Params) -> Params {
    let mut done = false;
    params
        .iter()
        .map(|(name, value)| {
            let value = match value {
                Value::Text(text) if !done && name != "pg_sig" && name != "pg_salt" => {
                    done = true;
                    Value::Text(format!("{text}0"))
                }
                other => other.clone(),
            };
            (name.to_owned(), value)
        })
        .collect()
}

#[test]
fn every_callback_accepts_its_signed_example_and_rejects_a_tampered_one() {
    let secret = SecretKey::new(SECRET);
    let mut checked = 0;
    for endpoint in &spec().endpoints {
        if endpoint.direction != codegen::spec::Direction::Callback {
            continue;
        }
        for example in &endpoint.examples {
            let params = codegen::emit::markdown::example_params(endpoint, example);
            let signed = signed_callback(&endpoint.script, &params);
            let accepted =
                examples::callback(&endpoint.id, &endpoint.script, &secret, signed.clone())
                    .expect("a generated callback type");
            assert_eq!(accepted, Ok(()), "{} example {}", endpoint.id, example.name);

            let forged =
                examples::callback(&endpoint.id, &endpoint.script, &secret, tampered(&signed))
                    .expect("a generated callback type");
            assert!(
                forged.is_err(),
                "{} accepted a tampered callback",
                endpoint.id
            );

            let wrong_key = examples::callback(
                &endpoint.id,
                &endpoint.script,
                &SecretKey::new("another key"),
                signed.clone(),
            )
            .expect("a generated callback type");
            assert!(wrong_key.is_err(), "{} accepted another key", endpoint.id);

            let mut unsigned = signed.clone();
            unsigned.remove("pg_sig");
            let unsigned = examples::callback(&endpoint.id, &endpoint.script, &secret, unsigned)
                .expect("a generated callback type");
            assert!(
                unsigned.is_err(),
                "{} accepted an unsigned callback",
                endpoint.id
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} callback examples checked");
}

#[test]
fn every_callback_reply_is_signed_and_stable() {
    let secret = SecretKey::new(SECRET);
    let callbacks = spec().endpoints.iter().filter(|endpoint| {
        endpoint.direction == codegen::spec::Direction::Callback && endpoint.response.is_some()
    });
    crate::support::check_each(
        callbacks,
        |endpoint| endpoint.id.clone(),
        |endpoint| {
            let example = endpoint
                .examples
                .iter()
                .find(|e| e.response.is_some())
                .unwrap_or_else(|| panic!("{} has no example reply", endpoint.id));
            let body = example.response.as_deref().expect("a reply");
            let reply: Params = xml::parse(body)
                .expect("well-formed reply")
                .params
                .iter()
                .filter(|(name, _)| !matches!(*name, "pg_salt" | "pg_sig"))
                .map(|(name, value)| (name.to_owned(), value.clone()))
                .collect();
            let salt = "Callback-Salt-1";
            let signed = examples::reply(&endpoint.id, &endpoint.script, &secret, &reply, salt)
                .expect("a generated reply type")
                .unwrap_or_else(|e| panic!("{}: {e}", endpoint.id));
            // The same callback gets the same answer every time (the gateway retries).
            let again = examples::reply(&endpoint.id, &endpoint.script, &secret, &reply, salt)
                .expect("a generated reply type")
                .expect("signs");
            assert_eq!(signed, again, "{}", endpoint.id);
            let parsed = xml::parse(&signed).expect("the reply is XML");
            signature::verify(&endpoint.script, &parsed.params, &secret)
                .unwrap_or_else(|e| panic!("{}: reply signature {e:?}", endpoint.id));
            insta::assert_snapshot!(format!("reply_{}", endpoint.id), signed);
        },
    );
}
