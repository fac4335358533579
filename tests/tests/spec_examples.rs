//! Every example in the spec is a test: the request decodes into its generated
//! type, validates, re-encodes to the same parameters and signs to the
//! documented string; the response parses into its generated type.

use freedompay::signature::{self, SecretKey};
use freedompay::{Params, xml};

use crate::support::{examples, spec};

const MERCHANT_ID: &str = codegen::ir::TEST_MERCHANT_ID;
const SECRET: &str = codegen::ir::TEST_SECRET_KEY;

/// The example's parameters without those the client fills in.
fn without_filled(params: &Params, outgoing: bool) -> Params {
    params
        .iter()
        .filter(|(name, _)| {
            let filled_by_client = outgoing && *name == "pg_merchant_id";
            !matches!(*name, "pg_salt" | "pg_sig") && !filled_by_client
        })
        .map(|(name, value)| (name.to_owned(), value.clone()))
        .collect()
}

#[test]
fn every_endpoint_has_an_example() {
    // Where the documentation prints no example (a few JSON pages print no
    // body at all), the endpoint has none, and its notes say so.
    for endpoint in &spec().endpoints {
        let explained = endpoint
            .notes
            .iter()
            .any(|note| note.contains("no example") || note.contains("no documented example"));
        assert!(
            !endpoint.examples.is_empty() || explained,
            "{} has no example",
            endpoint.id
        );
    }
}

#[test]
fn example_requests_roundtrip_through_generated_types() {
    let mut checked = 0;
    for endpoint in spec().form_endpoints() {
        let outgoing = endpoint.direction.outgoing();
        for example in &endpoint.examples {
            let params = codegen::emit::markdown::example_params(endpoint, example);
            // The client fills in the merchant id of what it sends; the typed struct has no field for it.
            let input = without_filled(&params, outgoing);
            let reencoded = examples::request(&endpoint.id, &input)
                .unwrap_or_else(|| panic!("no generated type for {}", endpoint.id))
                .unwrap_or_else(|e| panic!("{} example {}: {e}", endpoint.id, example.name));
            assert_eq!(
                reencoded, input,
                "{} example {} does not re-encode to itself",
                endpoint.id, example.name
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} examples checked");
}

#[test]
fn example_requests_sign_to_the_documented_string() {
    let secret = SecretKey::new(SECRET);
    let mut checked = 0;
    for endpoint in spec().form_endpoints() {
        for example in &endpoint.examples {
            let Some(documented) = &example.string_to_sign else {
                continue;
            };
            let expected = documented
                .replace("{merchant_id}", MERCHANT_ID)
                .replace("{secret_key}", SECRET);
            let params = codegen::emit::markdown::example_params(endpoint, example);
            let actual = signature::string_to_sign(&endpoint.script, &params, &secret);
            assert_eq!(actual, expected, "{} example {}", endpoint.id, example.name);
            checked += 1;
        }
    }
    assert!(checked >= 2, "only {checked} documented strings checked");
}

#[test]
fn example_responses_parse_into_generated_types() {
    let mut checked = 0;
    for endpoint in spec().form_endpoints() {
        for example in &endpoint.examples {
            let Some(body) = &example.response else {
                continue;
            };
            let message = xml::parse(body)
                .unwrap_or_else(|e| panic!("{} example {}: {e}", endpoint.id, example.name));
            let result = examples::response(&endpoint.id, &message.params)
                .unwrap_or_else(|| panic!("no generated response type for {}", endpoint.id));
            if let Err(e) = result {
                panic!("{} example {} response: {e}", endpoint.id, example.name);
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} example responses checked");
}

/// The documented PHP example request of `init_payment.php` signs to the
/// documented hash, through the generated type.
#[test]
fn init_payment_documented_example_signs_through_the_typed_struct() {
    use freedompay::Sign;
    use freedompay::merchant::page::InitPaymentRequest;
    let request = InitPaymentRequest::new("25".parse().expect("amount"), "test").order_id("23");
    let params = request.signed_params(Some(MERCHANT_ID), &SecretKey::new(SECRET), "molbulak");
    assert_eq!(
        signature::string_to_sign("init_payment.php", &params, &SecretKey::new(SECRET)),
        "init_payment.php;25;test;12345;23;molbulak;mysecret"
    );
    assert_eq!(
        params.get_text("pg_sig"),
        Some("02a4d571f7ac768f3e7e51e1b4afa122")
    );
}

/// What a server receives (a signed request, merchant id included) decodes
/// back into the request type: the protocol fields are not extras, and the
/// decoded value validates and equals what was sent.
#[test]
fn a_received_request_decodes_into_its_type() {
    use freedompay::merchant::mobile_balance::MobileBalanceApproveRequest;
    use freedompay::{Decode, Sign, Validate};
    let sent = MobileBalanceApproveRequest::new(12345, "077587").with_extra("order_ref", "A-17");
    let received = sent.signed_params(Some(MERCHANT_ID), &SecretKey::new(SECRET), "salt-1");
    assert_eq!(received.get_text("pg_merchant_id"), Some(MERCHANT_ID));
    let decoded = MobileBalanceApproveRequest::decode(&received).expect("decodes");
    assert_eq!(decoded.validate(), Ok(()));
    assert_eq!(decoded, sent);
    assert_eq!(decoded.extra.get_text("order_ref"), Some("A-17"));
    assert_eq!(decoded.extra.get_text("pg_merchant_id"), None);
}
