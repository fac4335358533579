//! The JSON families against the sandbox: the client signs every documented
//! example body with a detached JWS and the sandbox verifies, validates and
//! answers it; a missing, forged or misdirected signature, a reused request
//! id and an invalid body are refused with the families' error envelope.

use freedompay::hosts::Server;
use freedompay::json::JsonApi;
use freedompay::jws::{self, Algorithm, JwsHeader};
use freedompay::{Client, Config, SecretKey};
use serde_json::Value;

use super::harness::{MERCHANT, SECRET, client, sandbox};
use crate::support::{examples, spec};

/// Every JSON endpoint's examples, as `(id, path, compact body)`.
fn json_examples() -> Vec<(String, String, Vec<u8>)> {
    spec()
        .endpoints
        .iter()
        .filter(|e| e.is_json())
        .flat_map(|e| {
            e.examples.iter().filter_map(move |x| {
                let body = serde_json::to_vec(x.body.as_ref()?).ok()?;
                Some((e.id.clone(), e.path.clone().unwrap_or_default(), body))
            })
        })
        .collect()
}

#[tokio::test]
async fn the_client_calls_every_json_example_and_the_sandbox_answers() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    // Freedom ID's examples carry codes no login of the sandbox issued:
    // `sandbox::freedom_id` sends them and expects the documented refusal.
    let cases: Vec<_> = json_examples()
        .into_iter()
        .filter(|(id, _, _)| {
            freedompay::registry::json_by_id(id).is_some_and(|e| e.server == Server::Api)
        })
        .collect();
    assert!(!cases.is_empty(), "the spec has JSON examples");
    for (id, _, body) in &cases {
        let answer = examples::json_send(&client, id, body)
            .await
            .unwrap_or_else(|| panic!("no generated type for {id}"))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(answer.is_object(), "{id}: {answer}");
        if let Some(status) = answer.get("status").filter(|s| s.is_string()) {
            assert_eq!(status, "ok", "{id}: {answer}");
        }
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_card_api_user_the_sandbox_does_not_know_is_refused() {
    let sandbox = sandbox().await;
    // Card API credentials of a user the sandbox does not know: refused,
    // although the merchant's own key would have been accepted.
    let config = Config::new(MERCHANT, SECRET)
        .host(sandbox.host())
        .jws_credentials(JsonApi::Card, "card-user", "card-key");
    let stranger = Client::new(config).expect("client");
    let (id, _, body) = json_examples()
        .into_iter()
        .find(|(id, _, _)| {
            freedompay::registry::json_by_id(id).is_some_and(|e| e.api == JsonApi::Card)
        })
        .expect("a Card API example");
    let refused = examples::json_send(&stranger, &id, &body)
        .await
        .expect("generated")
        .expect_err("unknown auth_id");
    assert!(refused.contains("auth_id"), "{refused}");
    sandbox.shutdown().await;
}

/// A raw JSON request to `path`, signed with the merchant's key unless `signature` is given.
async fn raw(
    base: &str,
    path: &str,
    body: &[u8],
    request_id: Option<&str>,
    signature: Option<String>,
) -> (u16, Value) {
    let endpoint = freedompay::registry::JSON_ENDPOINTS
        .iter()
        .find(|e| e.path == path)
        .expect("a JSON endpoint");
    let signature = signature.unwrap_or_else(|| {
        let header = JwsHeader::new(path, MERCHANT, endpoint.method, alg(endpoint));
        jws::sign(&header, body, &SecretKey::new(SECRET))
    });
    let mut request = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .header("x-jws-signature", signature)
        .body(body.to_vec());
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).expect("a JSON answer"))
}

#[tokio::test]
async fn the_front_door_refuses_with_the_error_envelope() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url();
    let (_, path, body) = json_examples()
        .into_iter()
        .find(|(id, _, _)| {
            freedompay::registry::json_by_id(id).is_some_and(|e| e.auth.algorithm().is_some())
        })
        .expect("a JWS-signed example");
    let envelope = |answer: &Value| {
        assert_eq!(answer["status"], "error", "{answer}");
        assert!(answer["error_description"].is_string(), "{answer}");
    };

    let (status, answer) = raw(base, &path, &body, Some("r-1"), None).await;
    assert_eq!(status, 200, "{answer}");
    // The same id and body: the first answer again.
    let (again, replayed) = raw(base, &path, &body, Some("r-1"), None).await;
    assert_eq!((again, &replayed), (200, &answer));
    // The same id, another body.
    let mut other = body.clone();
    other.splice(1..1, br#""note":"x","#.iter().copied());
    let (conflict, answer) = raw(base, &path, &other, Some("r-1"), None).await;
    assert_eq!(conflict, 409);
    envelope(&answer);
    // No request id.
    let (missing, answer) = raw(base, &path, &body, None, None).await;
    assert_eq!(missing, 400);
    envelope(&answer);
    // No signature, a signature of other bytes, `alg: none`, another key, another path.
    let (unsigned, answer) = raw(base, &path, &body, Some("r-2"), Some(String::new())).await;
    assert_eq!(unsigned, 401);
    envelope(&answer);
    let endpoint = freedompay::registry::JSON_ENDPOINTS
        .iter()
        .find(|e| e.path == path)
        .expect("endpoint");
    let header = JwsHeader::new(&path, MERCHANT, endpoint.method, alg(endpoint));
    let key = SecretKey::new(SECRET);
    let forged = jws::sign(&header, b"{}", &key);
    let (status, answer) = raw(base, &path, &body, Some("r-3"), Some(forged)).await;
    assert_eq!(status, 401);
    envelope(&answer);
    let none = format!(
        "{}..",
        base64_url(&format!(
            r#"{{"uri":"{path}","auth_id":"{MERCHANT}","method":"POST","params":"","alg":"none"}}"#
        ))
    );
    let (status, _) = raw(base, &path, &body, Some("r-4"), Some(none)).await;
    assert_eq!(status, 401);
    let other_alg = match alg(endpoint) {
        Algorithm::Hs256 => Algorithm::Hs512,
        Algorithm::Hs512 => Algorithm::Hs256,
    };
    let wrong_alg = jws::sign(
        &JwsHeader::new(&path, MERCHANT, endpoint.method, other_alg),
        &body,
        &key,
    );
    let (status, _) = raw(base, &path, &body, Some("r-5"), Some(wrong_alg)).await;
    assert_eq!(status, 401);
    let wrong_key = jws::sign(&header, &body, &SecretKey::new("not-the-key"));
    let (status, _) = raw(base, &path, &body, Some("r-6"), Some(wrong_key)).await;
    assert_eq!(status, 401);
    let elsewhere = jws::sign(
        &JwsHeader::new("/v5/elsewhere", MERCHANT, endpoint.method, alg(endpoint)),
        &body,
        &key,
    );
    let (status, _) = raw(base, &path, &body, Some("r-7"), Some(elsewhere)).await;
    assert_eq!(status, 401);
    // A body that is not the documented JSON.
    let (status, answer) = raw(base, &path, b"[1,2]", Some("r-8"), None).await;
    assert_eq!(status, 400);
    envelope(&answer);
    sandbox.shutdown().await;
}

/// The JWS algorithm of a JWS-signed endpoint.
fn alg(endpoint: &freedompay::registry::JsonEndpointInfo) -> Algorithm {
    endpoint
        .auth
        .algorithm()
        .unwrap_or_else(|| panic!("{} is not signed with a JWS", endpoint.id))
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

/// The documented JWS vectors, through the generated request types: the
/// example body, read and written back, is byte for byte the body the
/// documentation signed, and the client's signature of it is the documented one.
#[test]
fn documented_jws_vectors_hold_for_the_generated_types() {
    let mut checked = 0;
    for endpoint in spec().endpoints.iter().filter(|e| e.is_json()) {
        for example in &endpoint.examples {
            let (Some(body), Some(vector)) = (&example.body, &example.jws) else {
                continue;
            };
            let compact = serde_json::to_vec(body).expect("JSON");
            let sent = examples::json_request(&endpoint.id, &compact)
                .expect("generated")
                .unwrap_or_else(|e| panic!("{}: {e}", endpoint.id));
            assert_eq!(sent, compact, "{} does not resend its example", endpoint.id);
            let info = freedompay::registry::json_by_id(&endpoint.id).expect("registry");
            let header = JwsHeader::new(info.path, vector.auth_id.clone(), info.method, alg(info));
            let signature = jws::sign(&header, &sent, &SecretKey::new(vector.key.as_str()));
            assert_eq!(signature, vector.signature, "{}", endpoint.id);
            checked += 1;
        }
    }
    assert!(checked >= 1, "no documented vector checked");
}

/// Every documented answer of a JSON endpoint reads into its response type.
#[test]
fn documented_json_answers_read_into_the_generated_types() {
    let mut refusals = 0;
    for endpoint in spec().endpoints.iter().filter(|e| e.is_json()) {
        for example in &endpoint.examples {
            let Some(text) = &example.response else {
                continue;
            };
            let read = examples::json_response(&endpoint.id, text).expect("generated");
            // A documented refusal (the families' envelope, Freedom ID's
            // `{"error": …}`) reads as the gateway's error, with its message.
            let value = freedompay::json::answer_value(text).expect("JSON or XML");
            match freedompay::json::refusal(&value) {
                Some(refusal) => {
                    let error = read.expect_err("a documented refusal is an error");
                    assert_eq!(error, refusal.to_string(), "{}", endpoint.id);
                    refusals += 1;
                }
                None => {
                    read.unwrap_or_else(|e| panic!("{} {}: {e}", endpoint.id, example.name));
                }
            }
        }
    }
    assert!(refusals >= 1, "no documented refusal read");
}

/// The docs page of a JSON endpoint shows each example as sent: its body,
/// its JWS header and, where the documentation prints one, the documented
/// signature, which the page's own signature equals.
#[test]
fn docs_pages_show_the_documented_signatures() {
    let mut checked = 0;
    for endpoint in spec().json_endpoints() {
        let page = codegen::emit::markdown::page(endpoint);
        assert!(!page.contains("pg_sig"), "{}", endpoint.id);
        for example in &endpoint.examples {
            if let Some(body) = &example.body {
                let compact = serde_json::to_string(body).expect("JSON");
                assert!(page.contains(&compact), "{}: body", endpoint.id);
            }
            if let Some(vector) = &example.jws {
                assert!(
                    page.contains(&format!("X-JWS-Signature: {}", vector.signature)),
                    "{}: signature",
                    endpoint.id
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 3,
        "only {checked} documented signatures on the pages"
    );
}
