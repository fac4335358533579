//! Whatever arrives, the sandbox answers: random parameters (signed or not,
//! known names with wrong values, nested names, odd bytes) on every gateway
//! path, and random form bodies on the payment page, never make it fail with
//! a server error, never close the connection, and always give an answer a
//! client can read.

use std::sync::OnceLock;

use freedompay::signature::{self, SecretKey};
use freedompay::{Params, form, xml};
use freedompay_sandbox::RunningSandbox;
use proptest::prelude::*;

use super::harness::*;

/// One sandbox and runtime for all cases (starting one per case would test
/// start-up, not requests).
fn shared() -> &'static (tokio::runtime::Runtime, RunningSandbox) {
    static SHARED: OnceLock<(tokio::runtime::Runtime, RunningSandbox)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sandbox = runtime.block_on(sandbox());
        (runtime, sandbox)
    })
}

/// A path no endpoint has: a plain 404.
const UNKNOWN_PATH: &str = "/no/such/endpoint";

/// The gateway paths of the registry, with the merchant id filled in.
fn paths() -> Vec<String> {
    // The gateway's hosts only: Freedom ID's browser redirect answers the
    // browser, not with XML (`sandbox::freedom_id`).
    let freedom_id = |id: &str| {
        crate::support::spec()
            .endpoints
            .iter()
            .any(|e| e.id == id && e.server != codegen::spec::Server::Api)
    };
    freedompay::registry::ENDPOINTS
        .iter()
        .filter(|e| !freedom_id(e.id))
        .filter_map(|e| e.path)
        .map(|p| p.replace("{merchant_id}", MERCHANT))
        .chain([UNKNOWN_PATH.to_owned()])
        .collect()
}

/// Whether the endpoint at `path` documents an answer without `pg_status`.
fn answers_without_status(path: &str) -> bool {
    crate::support::spec().endpoints.iter().any(|e| {
        e.path
            .as_deref()
            .map(|p| p.replace("{merchant_id}", MERCHANT))
            .as_deref()
            == Some(path)
            && e.response
                .as_ref()
                .is_some_and(|r| r.fields.iter().all(|f| f.wire != "pg_status"))
    })
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "pg_merchant_id",
            "pg_amount",
            "pg_description",
            "pg_payment_id",
            "pg_order_id",
            "pg_currency",
            "pg_card_token",
            "pg_user_id",
            "pg_abonent_phone",
            "pg_approval_code",
            "pg_sig",
            "pg_salt",
            "pg_xml",
            "pg_receipt_positions[0][price]",
            "pg_post_link",
            "pg_refund_amount",
        ])
        .prop_map(str::to_owned),
        "[a-z_\\[\\]0-9]{0,12}",
        any::<String>(),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(MERCHANT.to_owned()),
        "-?[0-9]{1,12}(\\.[0-9]{0,4})?",
        "<[a-z]{1,5}>[^<]{0,10}",
        any::<String>(),
    ]
}

fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((name(), value()), 0..8)
}

/// A readable answer: a redirect, or XML (even a refusal).
async fn assert_readable(answer: reqwest::Response, what: &str) {
    let status = answer.status();
    assert!(!status.is_server_error(), "{what}: {status}");
    if status.is_redirection() {
        return;
    }
    let body = answer.text().await.expect("a complete body");
    if body.trim_start().starts_with("<?xml") || body.trim_start().starts_with("<response") {
        xml::parse(&body).unwrap_or_else(|e| panic!("{what}: unreadable XML ({e}): {body}"));
    }
}

proptest! {
    // 64 cases from a fixed seed: every run (and CI) sends the same requests;
    // a wider search is a change of this seed or of `cases`.
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x0B05_7A7E_5EED),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_parameters_on_any_gateway_path_get_a_readable_answer(
        path in prop::sample::select(paths()),
        fields in params(),
        sign in any::<bool>(),
    ) {
        let (runtime, sandbox) = shared();
        runtime.block_on(async {
            let mut params = Params::new();
            for (name, value) in &fields {
                params.push(name.clone(), value.clone());
            }
            if sign {
                let script = path.rsplit('/').next().unwrap_or_default();
                params.push("pg_salt", "robust");
                let sig = signature::sign(script, &params, &SecretKey::new(SECRET));
                params.push("pg_sig", sig);
            }
            let answer = reqwest::Client::new()
                .post(format!("{}{path}", sandbox.base_url()))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form::encode(&params))
                .send()
                .await
                .expect("the sandbox answers");
            if path == UNKNOWN_PATH {
                prop_assert_eq!(answer.status(), 404);
                return Ok(());
            }
            prop_assert!(!answer.status().is_server_error(), "{}: {}", path, answer.status());
            let body = answer.text().await.expect("a complete body");
            let answer = xml::parse(&body).map_err(|e| {
                TestCaseError::fail(format!("{path}: unreadable XML ({e}): {body}"))
            })?;
            // Every gateway answer here is a refusal or a success, never empty:
            // a `pg_status`, or the documented answer of an endpoint that has none
            // (the card list is only the cards, none for a user without cards).
            prop_assert!(
                answer.params.get_text("pg_status").is_some() || answers_without_status(&path),
                "{}: {:?}",
                path,
                answer
            );
            Ok(())
        })?;
    }

    #[test]
    fn any_form_on_the_payment_page_gets_a_readable_answer(
        fields in params(),
        raw in any::<Vec<u8>>(),
        use_raw in any::<bool>(),
    ) {
        let (runtime, sandbox) = shared();
        runtime.block_on(async {
            let created = client(sandbox)
                .page()
                .init_payment(&freedompay::merchant::page::InitPaymentRequest::new(
                    amount("10"),
                    "Robustness",
                ))
                .await
                .expect("created");
            let body = if use_raw {
                raw
            } else {
                let mut params = Params::new();
                for (name, value) in &fields {
                    params.push(name.clone(), value.clone());
                }
                form::encode(&params).into_bytes()
            };
            let answer = reqwest::Client::new()
                .post(&created.redirect_url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .expect("the page answers");
            assert_readable(answer, "payment page").await;
        });
    }
}

/// Whether XML 1.0 can carry `c` (it cannot carry the control characters
/// other than tab, line feed and carriage return, nor U+FFFE and U+FFFF).
fn xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

#[test]
fn an_answer_quoting_control_characters_is_well_formed_signed_xml() {
    let (runtime, sandbox) = shared();
    runtime.block_on(async {
        // The refusal quotes the value (`expected an integer, got …`).
        let mut params = Params::new()
            .with("pg_merchant_id", MERCHANT)
            .with("pg_payment_id", "1\u{1f}2\u{0}\u{b}")
            .with("pg_salt", "robust");
        let sig = signature::sign("get_status3.php", &params, &SecretKey::new(SECRET));
        params.push("pg_sig", sig);
        let answer = reqwest::Client::new()
            .post(format!("{}/get_status3.php", sandbox.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form::encode(&params))
            .send()
            .await
            .expect("the sandbox answers");
        assert_eq!(
            answer.headers()["content-type"],
            "application/xml; charset=utf-8"
        );
        let body = answer.text().await.expect("a body");
        assert!(body.contains("pg_error_description"), "{body}");
        assert!(body.chars().all(xml_char), "not XML 1.0: {body:?}");
        let parsed = xml::parse(&body).expect("XML");
        signature::verify("get_status3.php", &parsed.params, &SecretKey::new(SECRET))
            .expect("signed over what the merchant reads");
    });
}

#[test]
fn a_json_path_is_found_with_its_slashes_merged() {
    let (runtime, sandbox) = shared();
    runtime.block_on(async {
        // Freedom ID's token exchange is documented at `/api/v1oidc//token`;
        // many HTTP clients send `/api/v1oidc/token`. Both reach it (its
        // refusal of an unknown code is Freedom ID's, not a 404).
        for path in ["/api/v1oidc//token", "/api/v1oidc/token", "/api//v1oidc/token/"] {
            let answer = reqwest::Client::new()
                .post(format!("{}{path}", sandbox.base_url()))
                .basic_auth(MERCHANT, Some(SECRET))
                .header("content-type", "application/json")
                .body(r#"{"code":"none","redirect_uri":"https://example.com/login","grant_type":"authorization_code"}"#)
                .send()
                .await
                .expect("the sandbox answers");
            let status = answer.status();
            let body = answer.text().await.expect("a body");
            assert!(status != 404 && !status.is_server_error(), "{path}: {status} {body}");
            assert!(body.contains("\"error\""), "{path}: {body}");
        }
    });
}
