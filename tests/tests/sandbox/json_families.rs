//! The JSON families against the sandbox: the client signs every documented
//! example body with a detached JWS and the sandbox verifies, validates and
//! answers it; a missing, forged or misdirected signature, a reused request
//! id and an invalid body are refused with the families' error envelope.
//! The documented flows keep state (Async payments created, read and
//! reversed; Card API request ids, clients and request status), and the
//! Card and Partner APIs can have API users whose keys sign their API only.

use freedompay::card::clients::{CardClientAddRequest, CardClientAddResponse};
use freedompay::card::requests::CardRequestStatusRequest;
use freedompay::gateway::async_payments::{
    AsyncPaymentCreateRequest, AsyncPaymentReadRequest, AsyncPaymentReverseRequest,
};
use freedompay::hosts::Server;
use freedompay::json::{JsonApi, JsonError};
use freedompay::jws::{self, Algorithm, JwsHeader};
use freedompay::{Client, Config, Error, SecretKey};
use freedompay_sandbox::{AsyncPayment, RunningSandbox};
use serde_json::{Value, json};

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

/// The JSON examples whose documented body names something no request of
/// the sandbox's made, with why: sent alone they are answered 404 with the
/// error envelope, as the gateway answers an id it never issued. The sandbox
/// is not seeded with them: that state would be invented.
const NOT_FOUND_ALONE: &[(&str, &str)] = &[
    (
        "async_payment_read",
        "it reads payment 01907dac-… of order 1234, which no create made",
    ),
    (
        "async_payment_clearing",
        "it clears payment 019052f1-… (the export's example), which no create made",
    ),
    (
        "async_payment_refund",
        "it refunds payment 01904e28-… (the export's example), which no create made",
    ),
    (
        "async_payment_request_status",
        "it asks about a request id the sandbox never received",
    ),
    (
        "async_payment_reverse",
        "it reverses payment 01909b30-… (the export's example), which no create made",
    ),
    (
        "card_request_status",
        "it asks about request 828cf71d-…, which the sandbox never received",
    ),
];

/// Every example is sent to a sandbox of its own, so no example's state
/// (the Card API examples share the request id 828cf71d-…) decides another's.
#[tokio::test]
async fn the_client_calls_every_json_example_and_the_sandbox_answers() {
    // Freedom ID's examples carry codes no login of the sandbox issued:
    // `sandbox::freedom_id` sends them and expects the documented refusal.
    let cases: Vec<_> = json_examples()
        .into_iter()
        .filter(|(id, _, _)| {
            freedompay::registry::json_by_id(id).is_some_and(|e| e.server == Server::Api)
        })
        .collect();
    assert!(!cases.is_empty(), "the spec has JSON examples");
    for (listed, _) in NOT_FOUND_ALONE {
        assert!(
            cases.iter().any(|(id, _, _)| id == listed),
            "{listed} has no example any more: NOT_FOUND_ALONE is stale"
        );
    }
    for (id, _, body) in &cases {
        let sandbox = sandbox().await;
        if let Some((_, why)) = NOT_FOUND_ALONE.iter().find(|(listed, _)| listed == id) {
            let (status, answer) = raw(sandbox.base_url(), id, body, Some("alone"), None).await;
            assert_eq!(status, 404, "{id}: {why}; {answer}");
            assert_eq!(answer["error_code"], "not_found", "{id}: {answer}");
            error_envelope(&answer);
            let refused = examples::json_send(&client(&sandbox), id, body)
                .await
                .expect("generated")
                .expect_err("not found");
            assert!(refused.contains("not_found"), "{id}: {refused}");
        } else {
            let answer = examples::json_send(&client(&sandbox), id, body)
                .await
                .unwrap_or_else(|| panic!("no generated type for {id}"))
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            assert!(answer.is_object(), "{id}: {answer}");
            // Placeholders become real values; documented ones are kept.
            if let Some(status) = answer.get("status").and_then(Value::as_str) {
                assert!(!matches!(status, "string" | "error"), "{id}: {answer}");
            }
        }
        sandbox.shutdown().await;
    }
}

/// The example of `id`: its path and compact body.
fn example(id: &str) -> (String, Vec<u8>) {
    json_examples()
        .into_iter()
        .find(|(endpoint, _, _)| endpoint == id)
        .map(|(_, path, body)| (path, body))
        .unwrap_or_else(|| panic!("an example of {id}"))
}

/// The refusal's envelope: status and request status `error`, a code, a
/// description and a time.
fn error_envelope(answer: &Value) {
    assert_eq!(answer["status"], "error", "{answer}");
    assert_eq!(answer["request_status"], "error", "{answer}");
    assert!(answer["error_code"].is_string(), "{answer}");
    assert!(answer["error_description"].is_string(), "{answer}");
    assert!(answer["dt"].is_string(), "{answer}");
}

/// The family's error code of a refused call.
fn gateway_code(error: &Error) -> Option<String> {
    match error {
        Error::Json(JsonError::Gateway(refusal)) => refusal.code.clone(),
        _ => None,
    }
}

/// The documented examples in one sandbox, in flow order: the Card API's
/// request status knows the request once it was sent; the Card info and
/// Unblock examples share that request id, so the second is refused as a
/// duplicate, as the Card API documents.
#[tokio::test]
async fn the_card_examples_in_one_sandbox_follow_the_documented_request_rules() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url();
    let (status_path, status_body) = example("card_request_status");
    let (before, _) = raw(base, &status_path, &status_body, Some("s-1"), None).await;
    assert_eq!(before, 404);
    let (info_path, info_body) = example("card_info");
    let (info, answer) = raw(base, &info_path, &info_body, Some("i-1"), None).await;
    assert_eq!(info, 200, "{answer}");
    let (after, answer) = raw(base, &status_path, &status_body, Some("s-2"), None).await;
    assert_eq!(after, 200, "the request was sent now: {answer}");
    let (unblock_path, unblock_body) = example("card_unblock");
    let (duplicate, answer) = raw(base, &unblock_path, &unblock_body, Some("u-1"), None).await;
    assert_eq!(duplicate, 409, "{answer}");
    assert_eq!(answer["error_code"], "duplicate_request_id");
    error_envelope(&answer);
    // The first status answer was a 404; its X-Request-Id keeps it.
    let (replayed, answer) = raw(base, &status_path, &status_body, Some("s-1"), None).await;
    assert_eq!(replayed, 404, "the original response: {answer}");
    sandbox.shutdown().await;
}

/// Creates an Async Gateway payment of `amount` KZT for `order` through the
/// client, and returns it as the sandbox holds it.
async fn create_async_payment(
    sandbox: &RunningSandbox,
    client: &Client,
    order: &str,
    amount: &str,
) -> AsyncPayment {
    client
        .gateway_async_payments()
        .create(
            &AsyncPaymentCreateRequest::new()
                .order_id(order)
                .amount(amount.parse().expect("amount"))
                .currency("KZT"),
        )
        .await
        .expect("created");
    sandbox
        .async_payment_of_order(MERCHANT, order)
        .expect("the sandbox holds it")
}

/// Create → read (by id, by order, by both) → reverse → read → a second
/// reverse refused; with the generated client.
#[tokio::test]
async fn an_async_payment_is_created_read_and_reversed_once() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let payments = client.gateway_async_payments();
    let order = "async-order-1";
    assert!(sandbox.async_payment_of_order(MERCHANT, order).is_none());
    let payment = create_async_payment(&sandbox, &client, order, "123.42").await;
    assert_eq!(payment.auth_id, MERCHANT);
    assert!(!payment.reversed);
    let id = uuid::Uuid::parse_str(&payment.id).expect("a UUID");
    assert_eq!(id.get_version_num(), 7, "a UUID v7 like the documented ids");
    for read in [
        AsyncPaymentReadRequest::new().id(payment.id.clone()),
        AsyncPaymentReadRequest::new().order_id(order),
        AsyncPaymentReadRequest::new()
            .id(payment.id.clone())
            .order_id(order),
    ] {
        payments.read(&read).await.expect("a payment that exists");
    }
    payments
        .reverse(&AsyncPaymentReverseRequest::new().id(payment.id.clone()))
        .await
        .expect("reversed");
    assert!(
        sandbox
            .async_payment(MERCHANT, &payment.id)
            .expect("kept")
            .reversed
    );
    payments
        .read(&AsyncPaymentReadRequest::new().id(payment.id.clone()))
        .await
        .expect("a reversed payment is still read");
    let again = payments
        .reverse(&AsyncPaymentReverseRequest::new().with_extra("order_id", order))
        .await
        .expect_err("reversed already");
    assert_eq!(
        gateway_code(&again).as_deref(),
        Some("already_reversed"),
        "{again}"
    );
    // The same refusal raw: 409 with the envelope.
    let body = serde_json::to_vec(&json!({"id": payment.id})).expect("JSON");
    let (status, answer) = raw(
        sandbox.base_url(),
        "async_payment_reverse",
        &body,
        Some("rev-2"),
        None,
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error_code"], "already_reversed");
    error_envelope(&answer);
    sandbox.shutdown().await;
}

/// A request member named like a field of the answer, whose value that field
/// does not take (an extra `amount` that is no amount of money), leaves the
/// answer's own value: the answer is 200, never the sandbox's 500.
#[tokio::test]
async fn a_request_member_the_answer_cannot_take_leaves_the_answer_as_it_is() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let order = "async-order-extra";
    let payment = create_async_payment(&sandbox, &client, order, "10").await;
    let body = format!(
        r#"{{"id":"{}","amount":-9.528206415205917e19}}"#,
        payment.id
    );
    let (status, answer) = raw(
        sandbox.base_url(),
        "async_payment_reverse",
        body.as_bytes(),
        Some("rev-extra"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer["amount"].as_f64().is_some_and(|a| a >= 0.0),
        "{answer}"
    );
    sandbox.shutdown().await;
}

/// The read request names an earlier Async request by its X-Request-Id:
/// known, it answers that id and the payment the request made; else 404.
#[tokio::test]
async fn the_read_request_knows_the_requests_sent_before() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url();
    let create = serde_json::to_vec(&json!({"order_id": "o-req"})).expect("JSON");
    let (created, answer) = raw(base, "/v5/g2g/create", &create, Some("req-create-1"), None).await;
    assert_eq!(created, 200, "{answer}");
    let payment = sandbox
        .async_payment_of_order(MERCHANT, "o-req")
        .expect("created");
    let ask = |id: &str| serde_json::to_vec(&json!({"id": id})).expect("JSON");
    let (status, answer) = raw(
        base,
        "async_payment_request_status",
        &ask("req-create-1"),
        Some("req-read-1"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["id"], "req-create-1");
    assert_eq!(answer["response"]["id"], payment.id.as_str());
    let (status, answer) = raw(
        base,
        "async_payment_request_status",
        &ask("never-sent"),
        Some("req-read-2"),
        None,
    )
    .await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(answer["error_code"], "not_found");
    sandbox.shutdown().await;
}

/// A repeated X-Request-Id of a reversal gets the reversal's answer again,
/// not a refusal: the documented idempotency comes before the state.
#[tokio::test]
async fn a_retried_reversal_gets_its_first_answer() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url();
    let create = serde_json::to_vec(&json!({"order_id": "o-retry"})).expect("JSON");
    let (created, _) = raw(base, "/v5/g2g/create", &create, Some("c-1"), None).await;
    assert_eq!(created, 200);
    let reverse = serde_json::to_vec(&json!({"order_id": "o-retry"})).expect("JSON");
    let (first, answer) = raw(base, "async_payment_reverse", &reverse, Some("r-1"), None).await;
    assert_eq!(first, 200, "{answer}");
    let (retried, replayed) = raw(base, "async_payment_reverse", &reverse, Some("r-1"), None).await;
    assert_eq!((retried, &replayed), (200, &answer));
    let (other, answer) = raw(base, "async_payment_reverse", &reverse, Some("r-2"), None).await;
    assert_eq!(other, 409, "{answer}");
    // A second create for the order: the order's payment again, not another.
    let (twice, answer) = raw(base, "/v5/g2g/create", &create, Some("c-2"), None).await;
    assert_eq!(twice, 200, "{answer}");
    let payment = sandbox
        .async_payment_of_order(MERCHANT, "o-retry")
        .expect("one payment");
    assert_eq!(answer["id"], payment.id.as_str());
    sandbox.shutdown().await;
}

/// An unknown payment is read and reversed with a 404 envelope; another
/// merchant's payment is unknown too; naming none is a 400.
#[tokio::test]
async fn unknown_async_payments_are_refused_with_404() {
    let sandbox = freedompay_sandbox::Sandbox::builder()
        .merchant(freedompay_sandbox::Merchant::new(MERCHANT, SECRET))
        .merchant(freedompay_sandbox::Merchant::new("545085", "other-secret"))
        .start()
        .await
        .expect("the sandbox starts");
    let base = sandbox.base_url();
    let other =
        Client::new(Config::new("545085", "other-secret").host(sandbox.host())).expect("client");
    other
        .gateway_async_payments()
        .create(&AsyncPaymentCreateRequest::new().order_id("theirs"))
        .await
        .expect("the other merchant's payment");
    let theirs = sandbox
        .async_payment_of_order("545085", "theirs")
        .expect("created")
        .id;
    let client = client(&sandbox);
    let unknown = "01907dac-a93d-776e-b475-cba6a54a4888";
    for (path, body) in [
        ("async_payment_read", json!({"id": unknown})),
        ("async_payment_read", json!({"order_id": "never"})),
        ("async_payment_read", json!({"id": theirs})),
        ("async_payment_read", json!({"order_id": "theirs"})),
        ("async_payment_reverse", json!({"id": unknown})),
        ("async_payment_reverse", json!({"order_id": "theirs"})),
    ] {
        let bytes = serde_json::to_vec(&body).expect("JSON");
        let request_id = uuid::Uuid::now_v7().to_string();
        let (status, answer) = raw(base, path, &bytes, Some(&request_id), None).await;
        assert_eq!(status, 404, "{path} {body}: {answer}");
        assert_eq!(answer["error_code"], "not_found", "{answer}");
        error_envelope(&answer);
    }
    let refused = client
        .gateway_async_payments()
        .read(&AsyncPaymentReadRequest::new().id(unknown))
        .await
        .expect_err("unknown");
    assert_eq!(gateway_code(&refused).as_deref(), Some("not_found"));
    let refused = client
        .gateway_async_payments()
        .reverse(&AsyncPaymentReverseRequest::new().id(unknown))
        .await
        .expect_err("unknown");
    assert_eq!(gateway_code(&refused).as_deref(), Some("not_found"));
    let (status, answer) = raw(base, "async_payment_reverse", b"{}", Some("none"), None).await;
    assert_eq!(status, 400, "{answer}");
    error_envelope(&answer);
    assert!(
        !sandbox
            .async_payment("545085", &theirs)
            .expect("kept")
            .reversed,
        "another merchant cannot reverse it"
    );
    sandbox.shutdown().await;
}

fn client_add_request(request_id: &str) -> CardClientAddRequest {
    serde_json::from_value(json!({
        "request_id": request_id,
        "product_id": 2000,
        "client": {
            "phone": 77001234567u64,
            "type": 1,
            "resident": 1,
            "first_name": "IVAN",
            "last_name": "IVANOV"
        }
    }))
    .expect("a Create client request")
}

/// Create client answers a fresh client id and its request id becomes
/// known to Request status; an unknown request id is a 404; the client id
/// links a card (Update client), an unknown one does not.
#[tokio::test]
async fn a_card_client_is_added_and_its_request_status_known() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let request_id = uuid::Uuid::new_v4().to_string();
    let unknown = client
        .card_requests()
        .status(&CardRequestStatusRequest::new(request_id.clone()))
        .await
        .expect_err("not sent yet");
    assert_eq!(gateway_code(&unknown).as_deref(), Some("not_found"));
    let added: CardClientAddResponse = client
        .card_clients()
        .add(&client_add_request(&request_id))
        .await
        .expect("added");
    let client_id = added.client_id.clone().expect("the documented client_id");
    let second = client
        .card_clients()
        .add(&client_add_request(&uuid::Uuid::new_v4().to_string()))
        .await
        .expect("added");
    assert_ne!(second.client_id, added.client_id, "a fresh id each time");
    client
        .card_requests()
        .status(&CardRequestStatusRequest::new(request_id.clone()))
        .await
        .expect("a request it sent");
    let duplicate = client
        .card_clients()
        .add(&client_add_request(&request_id))
        .await
        .expect_err("the request id was used");
    assert_eq!(
        gateway_code(&duplicate).as_deref(),
        Some("duplicate_request_id")
    );
    let base = sandbox.base_url();
    let link = |client_id: &str| {
        serde_json::to_vec(&json!({
            "request_id": uuid::Uuid::new_v4().to_string(),
            "client_id": client_id,
            "card_id": "828cf71d-a447-4a67-a149-c1df8bc197ca"
        }))
        .expect("JSON")
    };
    let (status, answer) = raw(
        base,
        "/v5/card-api/card/link",
        &link("nobody"),
        Some("l-1"),
        None,
    )
    .await;
    assert_eq!(status, 404, "{answer}");
    error_envelope(&answer);
    let (status, answer) = raw(
        base,
        "/v5/card-api/card/link",
        &link(&client_id),
        Some("l-2"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let status_body = serde_json::to_vec(&json!({"request_id": "never-sent"})).expect("JSON");
    let (status, answer) = raw(
        base,
        "/v5/card-api/request/status",
        &status_body,
        Some("s-1"),
        None,
    )
    .await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(answer["error_code"], "not_found");
    error_envelope(&answer);
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
///
/// `target` is an endpoint's id, or its path where no other JSON endpoint
/// shares it; the request carries the endpoint's `X-Action`, if it has one.
async fn raw(
    base: &str,
    target: &str,
    body: &[u8],
    request_id: Option<&str>,
    signature: Option<String>,
) -> (u16, Value) {
    let endpoint = freedompay::registry::JSON_ENDPOINTS
        .iter()
        .find(|e| e.id == target || e.path == target)
        .expect("a JSON endpoint");
    let path = endpoint.path;
    let signature = signature.unwrap_or_else(|| {
        let header = JwsHeader::new(path, MERCHANT, endpoint.method, alg(endpoint));
        jws::sign(&header, body, &SecretKey::new(SECRET))
    });
    let mut request = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .header("x-jws-signature", signature)
        .body(body.to_vec());
    if let Some(action) = endpoint.action {
        request = request.header("x-action", action);
    }
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
    // A JWS-signed example answered alone (not one that names state no
    // request made).
    let (_, path, body) = json_examples()
        .into_iter()
        .find(|(id, _, _)| {
            freedompay::registry::json_by_id(id).is_some_and(|e| e.auth.algorithm().is_some())
                && !NOT_FOUND_ALONE.iter().any(|(listed, _)| listed == id)
        })
        .expect("an example");
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

// Separate Card API and Partner API credentials.

const CARD_USER: &str = "card-user-1";
const CARD_KEY: &str = "Card-Api-Key-1";
const PARTNER_USER: &str = "770001";
const PARTNER_KEY: &str = "Partner-Api-Key-2";

/// A sandbox with the harness's merchant, a Card API user and a Partner API user.
async fn sandbox_with_api_users() -> freedompay_sandbox::RunningSandbox {
    use freedompay_sandbox::{ApiFamily, ApiUser, Merchant, Sandbox};
    Sandbox::builder()
        .merchant(Merchant::new(MERCHANT, SECRET))
        .api_user(ApiUser::new(ApiFamily::Card, CARD_USER, CARD_KEY))
        .api_user(ApiUser::new(ApiFamily::Partner, PARTNER_USER, PARTNER_KEY))
        .start()
        .await
        .expect("the sandbox starts")
}

/// A client whose JSON calls of every family are signed by `auth_id` and `key`.
fn signing_everything_as(
    sandbox: &freedompay_sandbox::RunningSandbox,
    auth_id: &str,
    key: &str,
) -> Client {
    let mut config = Config::new(MERCHANT, SECRET).host(sandbox.host());
    for api in [
        JsonApi::Gateway,
        JsonApi::Card,
        JsonApi::Partner,
        JsonApi::Merchant,
    ] {
        config = config.jws_credentials(api, auth_id, key);
    }
    Client::new(config).expect("client")
}

/// The first example of a JWS-signed endpoint of `api`: `(id, path, body)`.
fn example_of(api: JsonApi) -> (String, String, Vec<u8>) {
    json_examples()
        .into_iter()
        .find(|(id, _, _)| {
            // A JWS-signed endpoint of `api` (Freedom ID's take client credentials).
            freedompay::registry::json_by_id(id)
                .is_some_and(|e| e.api == api && e.auth.algorithm().is_some())
                && !NOT_FOUND_ALONE.iter().any(|(listed, _)| listed == id)
        })
        .unwrap_or_else(|| panic!("an example of {api:?}"))
}

/// `body` to `path` signed by `auth_id` with `key`: the HTTP status and answer.
async fn signed_as(
    base: &str,
    (id, body): (&str, &[u8]),
    auth_id: &str,
    key: &str,
) -> (u16, Value) {
    let endpoint = freedompay::registry::json_by_id(id).expect("a JSON endpoint");
    let header = JwsHeader::new(endpoint.path, auth_id, endpoint.method, alg(endpoint));
    let signature = jws::sign(&header, body, &SecretKey::new(key));
    let request_id = uuid::Uuid::now_v7().to_string();
    raw(base, id, body, Some(&request_id), Some(signature)).await
}

#[tokio::test]
async fn a_card_api_user_signs_card_api_calls_only() {
    let sandbox = sandbox_with_api_users().await;
    let base = sandbox.base_url();
    let card_user = signing_everything_as(&sandbox, CARD_USER, CARD_KEY);
    let (card_id, _, card_body) = example_of(JsonApi::Card);
    examples::json_send(&card_user, &card_id, &card_body)
        .await
        .expect("generated")
        .unwrap_or_else(|e| panic!("{card_id} signed by the Card API user: {e}"));
    for api in [JsonApi::Partner, JsonApi::Gateway] {
        let (id, _, body) = example_of(api);
        let refused = examples::json_send(&card_user, &id, &body)
            .await
            .expect("generated")
            .expect_err("not its API");
        assert!(refused.contains("auth_id"), "{id}: {refused}");
        let (status, answer) = signed_as(base, (&id, &body), CARD_USER, CARD_KEY).await;
        assert_eq!(status, 401, "{id}: {answer}");
        assert_eq!(answer["error_code"], "auth_id");
        error_envelope(&answer);
        assert!(!answer.to_string().contains(CARD_KEY), "{answer}");
    }
    // Its own API with another key: the signature is refused.
    let (status, answer) = signed_as(base, (&card_id, &card_body), CARD_USER, PARTNER_KEY).await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["error_code"], "signature");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_partner_api_user_signs_partner_api_calls_only() {
    let sandbox = sandbox_with_api_users().await;
    let base = sandbox.base_url();
    let partner = signing_everything_as(&sandbox, PARTNER_USER, PARTNER_KEY);
    let (partner_id, _, partner_body) = example_of(JsonApi::Partner);
    examples::json_send(&partner, &partner_id, &partner_body)
        .await
        .expect("generated")
        .unwrap_or_else(|e| panic!("{partner_id} signed by the Partner API user: {e}"));
    for api in [JsonApi::Card, JsonApi::Gateway] {
        let (id, _, body) = example_of(api);
        let refused = examples::json_send(&partner, &id, &body)
            .await
            .expect("generated")
            .expect_err("not its API");
        assert!(refused.contains("auth_id"), "{id}: {refused}");
        let (status, answer) = signed_as(base, (&id, &body), PARTNER_USER, PARTNER_KEY).await;
        assert_eq!(status, 401, "{id}: {answer}");
        assert_eq!(answer["error_code"], "auth_id");
        error_envelope(&answer);
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_merchant_still_signs_every_family_beside_api_users() {
    // The merchant alone, then with the client's per-API credentials beside
    // it; each in a sandbox of its own (the examples create state).
    let merchant_only = |sandbox: &freedompay_sandbox::RunningSandbox| client(sandbox);
    let mixed = |sandbox: &freedompay_sandbox::RunningSandbox| {
        Client::new(
            Config::new(MERCHANT, SECRET)
                .host(sandbox.host())
                .jws_credentials(JsonApi::Card, CARD_USER, CARD_KEY)
                .jws_credentials(JsonApi::Partner, PARTNER_USER, PARTNER_KEY),
        )
        .expect("client")
    };
    for (who, make) in [
        ("the merchant", &merchant_only as &dyn Fn(&_) -> Client),
        ("the API users and the merchant", &mixed),
    ] {
        let sandbox = sandbox_with_api_users().await;
        let client = make(&sandbox);
        for api in [JsonApi::Card, JsonApi::Partner, JsonApi::Gateway] {
            let (id, _, body) = example_of(api);
            examples::json_send(&client, &id, &body)
                .await
                .expect("generated")
                .unwrap_or_else(|e| panic!("{id} signed by {who}: {e}"));
        }
        sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn an_api_user_with_a_merchants_id_or_twice_is_refused_at_start() {
    use freedompay_sandbox::{ApiFamily, ApiUser, Merchant, Sandbox};
    let as_merchant = Sandbox::builder()
        .merchant(Merchant::new(MERCHANT, SECRET))
        .api_user(ApiUser::new(ApiFamily::Card, MERCHANT, "Hidden-Key-1"))
        .start()
        .await
        .expect_err("an auth_id that is a merchant's");
    assert_eq!(as_merchant.kind(), std::io::ErrorKind::InvalidInput);
    let twice = Sandbox::builder()
        .api_user(ApiUser::new(ApiFamily::Partner, "p", "Hidden-Key-2"))
        .api_user(ApiUser::new(ApiFamily::Partner, "p", "Hidden-Key-3"))
        .start()
        .await
        .expect_err("one auth_id twice for one API");
    for error in [as_merchant.to_string(), twice.to_string()] {
        assert!(!error.contains("Hidden-Key"), "{error}");
    }
    assert!(twice.to_string().contains("Partner API"), "{twice}");
    // One auth_id for each of the two APIs is fine.
    Sandbox::builder()
        .api_user(ApiUser::new(ApiFamily::Card, "u", "k-1"))
        .api_user(ApiUser::new(ApiFamily::Partner, "u", "k-2"))
        .start()
        .await
        .expect("one user of each API")
        .shutdown()
        .await;
}
