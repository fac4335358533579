//! The sandbox serves every endpoint of the spec that a merchant calls: the
//! documented example of each, signed as the client signs it, is accepted and
//! answered, by the endpoint's simulated operation (whatever the business
//! answer, e.g. a payment that does not exist) or from the spec. The README's
//! table of which is which is current.

use freedompay::registry::Direction;
use freedompay::server::{self, Handler, Served, SpecAnswerError};
use freedompay::signature::{self, SecretKey};
use freedompay::{HttpMethod, Params, form, xml};

use super::harness::*;
use crate::support::spec;

/// Parameters set over a documented example, where it is not a request the
/// gateway would accept: the spec gives payment.php only its protocol fields
/// (the payment's own, as for init_payment, travel as extra parameters), and
/// the IBAN of the to_iban example has wrong check digits, the payout
/// deadlines of the examples have passed, and resend_code names its payment
/// by an extra `pg_payment_id` (its documentation lists no parameter).
const COMPLETING: &[(&str, &[(&str, &str)])] = &[
    (
        "payment_redirect",
        &[("pg_amount", "10"), ("pg_description", "Tea")],
    ),
    (
        "payout_iban",
        &[("pg_recipient_iban", "KZ86125KZT5004100100")],
    ),
    (
        "g2g_payout_iban",
        &[("pg_recipient_iban", "KZ86125KZT5004100100")],
    ),
    (
        "payout_page",
        &[("pg_order_time_limit", "2099-12-31 12:00:00")],
    ),
    (
        "payout_token",
        &[("pg_order_time_limit", "2099-12-31 12:00:00")],
    ),
    (
        "g2g_token_payout",
        &[("pg_order_time_limit", "2099-12-31 12:00:00")],
    ),
    ("mobile_balance_resend_code", &[("pg_payment_id", "1")]),
];

/// The documented example request of `endpoint`, made acceptable (see
/// [`COMPLETING`]), without merchant id, salt and signature.
fn example_request(endpoint: &codegen::ir::Endpoint) -> Params {
    let example = &endpoint.examples[0];
    let mut params: Params = codegen::emit::markdown::example_params(endpoint, example)
        .iter()
        .filter(|(name, _)| !matches!(*name, "pg_salt" | "pg_sig" | "pg_merchant_id"))
        .map(|(name, value)| (name.to_owned(), value.clone()))
        .collect();
    for (id, fields) in COMPLETING {
        if *id == endpoint.id {
            for (name, value) in *fields {
                params.set(*name, *value);
            }
        }
    }
    params
}

/// The form endpoints a merchant calls on the gateway's hosts (Freedom ID's
/// browser redirect is tested in `sandbox::freedom_id`).
fn gateway_calls() -> impl Iterator<Item = &'static codegen::ir::Endpoint> {
    spec()
        .form_endpoints()
        .filter(|e| e.direction.outgoing() && e.server == codegen::spec::Server::Api)
}

/// The sandbox's answer to `endpoint`'s example, without salt and signature;
/// `None` for a browser redirect.
async fn send(sandbox_url: &str, endpoint: &codegen::ir::Endpoint) -> Option<Params> {
    let info = freedompay::registry::by_id(&endpoint.id).expect("in the registry");
    let mut params = example_request(endpoint);
    params.push("pg_merchant_id", MERCHANT);
    params.push("pg_salt", "coverage");
    let key = if info.payout_key {
        PAYOUT_SECRET
    } else {
        SECRET
    };
    let sig = signature::sign(info.script, &params, &SecretKey::new(key));
    params.push("pg_sig", sig);
    let path = info
        .path
        .expect("an endpoint the merchant calls has a path")
        .replace("{merchant_id}", MERCHANT);
    let http = browser();
    let url = format!("{sandbox_url}{path}");
    let request = match info.method {
        HttpMethod::Get => http.get(format!("{url}?{}", form::encode(&params))),
        _ => http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form::encode(&params)),
    };
    let answer = request.send().await.expect("the sandbox answers");
    if answer.status().is_redirection() {
        return None;
    }
    let body = answer.text().await.unwrap();
    let message = xml::parse(&body)
        .unwrap_or_else(|e| panic!("{}: not an XML answer ({e}): {body}", endpoint.id));
    signature::verify(info.script, &message.params, &SecretKey::new(key))
        .unwrap_or_else(|e| panic!("{}: the answer is not signed ({e}): {body}", endpoint.id));
    let mut answer = message.params;
    let code = answer.get_text("pg_error_code");
    assert!(
        !matches!(code, Some("1100" | "9998" | "200")),
        "{}: the documented example was refused: {answer:?}",
        endpoint.id
    );
    answer.remove("pg_salt");
    answer.remove("pg_sig");
    Some(answer)
}

/// A server that simulates nothing: every method keeps its default, the
/// spec's answer.
struct SpecOnly;

impl Handler for SpecOnly {
    type Context = ();
    type Error = SpecAnswerError;
}

/// What [`SpecOnly`] answers to `endpoint`'s example.
fn spec_answer(endpoint: &codegen::ir::Endpoint) -> Result<Served, SpecAnswerError> {
    let info = freedompay::registry::by_id(&endpoint.id).expect("in the registry");
    let message = (info.decode)(&example_request(endpoint))
        .unwrap_or_else(|e| panic!("{}: the example does not decode: {e}", endpoint.id));
    server::serve(&SpecOnly, &(), message).expect("a request is served")
}

#[tokio::test]
async fn every_endpoint_a_merchant_calls_is_answered() {
    let sandbox = sandbox().await;
    let mut unanswerable = Vec::new();
    let mut sent = 0;
    for endpoint in gateway_calls() {
        sent += 1;
        let answer = send(sandbox.base_url(), endpoint).await;
        // SystemError is what a spec answer that cannot be built becomes.
        if answer.as_ref().and_then(|a| a.get_text("pg_error_code")) == Some("9999") {
            unanswerable.push(endpoint.id.as_str());
        }
    }
    assert!(sent >= 30, "only {sent} endpoints sent");
    assert!(unanswerable.is_empty(), "not answered: {unanswerable:?}");
}

#[test]
fn every_request_endpoint_answers_from_its_spec() {
    let mut checked = 0;
    let mut unanswered = Vec::new();
    for endpoint in gateway_calls() {
        let answer = spec_answer(endpoint);
        if endpoint.direction == codegen::spec::Direction::Redirect {
            assert!(
                matches!(answer, Err(SpecAnswerError::Redirect { .. })),
                "{}: {answer:?}",
                endpoint.id
            );
            continue;
        }
        let answer = match answer {
            Ok(Served::Answer(answer)) => answer,
            Ok(Served::Redirect(_)) => {
                panic!("{}: a request answered with a redirect", endpoint.id)
            }
            Err(e) => {
                unanswered.push(format!("{}: {e}", endpoint.id));
                continue;
            }
        };
        // Fields the request carries are answered with the request's values.
        let request = example_request(endpoint);
        for (name, value) in answer.iter() {
            if let Some(sent) = request.get(name) {
                assert_eq!(value, sent, "{}: {name} is not the request's", endpoint.id);
            }
        }
        checked += 1;
    }
    assert!(unanswered.is_empty(), "{}", unanswered.join("\n"));
    assert!(checked >= 25, "only {checked} endpoints checked");
}

#[tokio::test]
async fn endpoints_without_a_simulation_answer_from_the_spec() {
    for id in freedompay_sandbox::STATEFUL {
        let info = freedompay::registry::by_id(id)
            .unwrap_or_else(|| panic!("STATEFUL names `{id}`, which is not in the spec"));
        assert_ne!(info.direction, Direction::Callback, "{id} is a callback");
    }
    let sandbox = sandbox().await;
    for endpoint in spec().form_endpoints().filter(|e| {
        e.direction == codegen::spec::Direction::Request
            && !freedompay_sandbox::STATEFUL.contains(&e.id.as_str())
    }) {
        let Ok(Served::Answer(expected)) = spec_answer(endpoint) else {
            panic!("{}: no spec answer", endpoint.id);
        };
        let answer = send(sandbox.base_url(), endpoint).await;
        assert_eq!(answer, Some(expected), "{}", endpoint.id);
    }
}

#[test]
fn the_readme_table_of_simulated_endpoints_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let section = codegen::Section {
        path: "README.md",
        name: "sandbox-endpoints",
        content: freedompay_sandbox::endpoint_table(),
    };
    let expected = codegen::splice(&readme, &section).expect("the README has the markers");
    if std::env::var_os("FREEDOMPAY_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    assert!(
        readme == expected,
        "the README's table of simulated endpoints is stale: run \
         `FREEDOMPAY_BLESS=1 cargo test -p freedompay-tests sandbox::coverage`"
    );
    assert_eq!(
        freedompay_sandbox::STATEFUL.len(),
        section.content.lines().count() - 2,
        "one row per simulated endpoint"
    );
}
