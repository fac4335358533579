//! The sandbox serves every endpoint of the spec that a merchant calls: the
//! documented example of each, signed as the client signs it, reaches the
//! endpoint's operation (whatever the business answer, e.g. a payment that
//! does not exist) rather than the "not simulated" refusal.

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
        "payout_page",
        &[("pg_order_time_limit", "2099-12-31 12:00:00")],
    ),
    (
        "payout_token",
        &[("pg_order_time_limit", "2099-12-31 12:00:00")],
    ),
    ("mobile_balance_resend_code", &[("pg_payment_id", "1")]),
];

/// The answer's error code, or `None` for a success or a browser redirect.
async fn send(sandbox_url: &str, endpoint: &codegen::ir::Endpoint) -> Option<String> {
    let info = freedompay::registry::by_id(&endpoint.id).expect("in the registry");
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
    let answer = xml::parse(&body)
        .unwrap_or_else(|e| panic!("{}: not an XML answer ({e}): {body}", endpoint.id))
        .params;
    let code = answer.get_text("pg_error_code").map(str::to_owned);
    assert!(
        !matches!(code.as_deref(), Some("1100" | "9998" | "200")),
        "{}: the documented example was refused: {answer:?}",
        endpoint.id
    );
    code
}

#[tokio::test]
async fn every_endpoint_a_merchant_calls_is_simulated() {
    let sandbox = sandbox().await;
    let mut not_simulated = Vec::new();
    let mut sent = 0;
    for endpoint in spec().endpoints.iter().filter(|e| e.direction.outgoing()) {
        sent += 1;
        if send(sandbox.base_url(), endpoint).await.as_deref() == Some("9992") {
            not_simulated.push(endpoint.id.as_str());
        }
    }
    assert!(sent >= 30, "only {sent} endpoints sent");
    assert!(
        not_simulated.is_empty(),
        "checked but not simulated: {not_simulated:?}"
    );
}
