//! The JSON families' front door: the Async Gateway, Card and Partner APIs
//! and Invoice v5, every JSON endpoint of the spec at its real path.
//!
//! 1. The path selects the JSON endpoint (registry's `JSON_ENDPOINTS`).
//! 2. `X-JWS-Signature` names its `auth_id`: an API user of the endpoint's
//!    API (`--card-api`, `--partner`: the Card and Partner APIs may have
//!    users of their own, whose keys sign that API's calls only), or a
//!    configured merchant, whose secret key signs the JWS calls of every
//!    family (the documentation allows "the partner's key can be
//!    secret_key"). An API user of another API is refused with 401.
//! 3. The detached JWS is verified over the body exactly as received, with
//!    the endpoint's path, method and algorithm (`alg: none` and any other
//!    algorithm are refused): a missing or wrong signature answers 401.
//! 4. `X-Request-Id` is required; a repeated id with the same body answers
//!    the first answer again (the documentation's idempotency promise), with
//!    another body it is refused with 409.
//! 5. The body is read and validated by the spec's generated type: 400 when
//!    it is not the documented JSON.
//! 6. The answer is the spec's (`server::JsonHandler`'s default), with its
//!    envelope (`status`, `request_status`, `dt`) filled as a real answer;
//!    where the documentation describes a flow, the state decides between
//!    that answer and a refusal ([`flows`]: Async payments, Card API
//!    requests and clients). A refusal of the flow (404, 409) is remembered
//!    for its `X-Request-Id` like an answer.
//!
//! Every refusal is the families' documented error envelope: `status`
//! `error`, `request_status` `error`, `error_code`, `error_description`, `dt`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use freedompay::SecretKey;
use freedompay::json::{JsonApi, JsonAuth};
use freedompay::jws::{self, Expected};
use freedompay::registry::{self, JsonEndpointInfo};
use freedompay::server;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::merchant::ApiFamily;
use crate::ops::App;

pub(crate) mod flows;

pub use flows::AsyncPayment;
use flows::{Flows, Refusal, StatefulAnswers};

/// What the JSON front door keeps: the answers given, for idempotency, and
/// the state of the documented flows.
#[derive(Default)]
pub(crate) struct JsonState {
    answered: Answered,
    /// Async payments, Card API requests and clients.
    pub flows: Flows,
}

/// The answers already given, by `(auth_id, X-Request-Id)`: the body's
/// SHA-256 and the answer, so a repeated request gets the same answer.
#[derive(Default)]
pub(crate) struct Answered {
    answers: Mutex<HashMap<RequestKey, Remembered>>,
}

/// Whose request it was: `(auth_id, X-Request-Id)`.
type RequestKey = (String, String);

/// A request's body digest and the answer it got.
type Remembered = ([u8; 32], StatusCode, Value);

/// The most answers kept for idempotency; the oldest are forgotten first
/// (a sandbox runs for a test session, not for months).
const MAX_REMEMBERED: usize = 100_000;

/// The JSON endpoint a request to `path` calls, if any JSON endpoint lives
/// there. Where several share the path (the Async API's `/v5/g2g/edit` and
/// `/v5/g2g/read`), the `X-Action` header names the one; without a header
/// that names one of them, the request is refused with 400 in the error
/// envelope (rather than guessed).
pub(crate) fn route(
    path: &str,
    headers: &HeaderMap,
) -> Option<Result<&'static JsonEndpointInfo, Response>> {
    let path = merge_slashes(path);
    let at_path: Vec<&'static JsonEndpointInfo> = registry::JSON_ENDPOINTS
        .iter()
        .filter(|e| merge_slashes(e.path) == path)
        .collect();
    let [first, ..] = at_path.as_slice() else {
        return None;
    };
    if at_path.len() == 1 {
        return Some(Ok(*first));
    }
    let action = headers
        .get("x-action")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    Some(
        at_path
            .iter()
            .find(|e| e.action.is_some() && e.action == action)
            .copied()
            .ok_or_else(|| {
                let actions: Vec<&str> = at_path.iter().filter_map(|e| e.action).collect();
                refusal(
                    StatusCode::BAD_REQUEST,
                    "action",
                    format!(
                        "X-Action names the method at this path: one of {}",
                        actions.join(", ")
                    ),
                )
            }),
    )
}

/// `path` with each run of slashes read as one and no trailing slash, as a
/// web server in front of the gateway reads it: Freedom ID's documented
/// `/api/v1oidc//token` is also reached as `/api/v1oidc/token`, the form
/// many HTTP clients send.
fn merge_slashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(segment);
    }
    out
}

/// The families' error envelope.
fn envelope(code: &str, description: impl Into<String>) -> Value {
    json!({
        "status": "error",
        "request_status": "error",
        "error_code": code,
        "error_description": description.into(),
        "dt": crate::values::now(),
    })
}

/// A refusal in the families' error envelope.
fn refusal(status: StatusCode, code: &str, description: impl Into<String>) -> Response {
    json_response(status, &envelope(code, description), None)
}

/// The API's name in messages.
fn api_name(api: JsonApi) -> &'static str {
    match api {
        JsonApi::Merchant => "Merchant API (Invoice v5)",
        JsonApi::Gateway => "Async Gateway API",
        JsonApi::Card => "Card API",
        JsonApi::Partner => "Partner API",
    }
}

/// The key that signs `endpoint`'s calls for `auth_id`: the endpoint API's
/// own user, else a merchant; else the refusal (401).
fn signing_key<'a>(
    app: &'a App,
    endpoint: &JsonEndpointInfo,
    auth_id: &str,
) -> Result<&'a SecretKey, Refusal> {
    let own = ApiFamily::of(endpoint.api).and_then(|family| app.api_user(family, auth_id));
    if let Some(user) = own {
        return Ok(&user.key);
    }
    if let Some(merchant) = app.merchant(auth_id) {
        return Ok(&merchant.secret);
    }
    let families = app.api_user_families(auth_id);
    if families.is_empty() {
        tracing::info!(endpoint = endpoint.id, "unknown auth_id");
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "auth_id",
            "the auth_id of the signature is not known",
        ));
    }
    let theirs: Vec<&str> = families.iter().map(|family| family.name()).collect();
    tracing::info!(endpoint = endpoint.id, "auth_id of another API");
    Err(Refusal::new(
        StatusCode::UNAUTHORIZED,
        "auth_id",
        format!(
            "the auth_id of the signature is a {} user; it does not sign {} calls",
            theirs.join(" and "),
            api_name(endpoint.api)
        ),
    ))
}

fn json_response(status: StatusCode, body: &Value, request_id: Option<&str>) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    if let Some(id) = request_id.and_then(|id| id.parse().ok()) {
        response.headers_mut().insert("x-request-id", id);
    }
    response
}

/// Serves one JSON request.
pub(crate) fn handle(
    app: &App,
    json: &JsonState,
    endpoint: &'static JsonEndpointInfo,
    method: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if method != endpoint.method {
        return refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            "method",
            format!("use {}", endpoint.method),
        );
    }
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let Some(signature) = header_text("x-jws-signature") else {
        return refusal(
            StatusCode::UNAUTHORIZED,
            "signature",
            "the request is not signed (no X-JWS-Signature)",
        );
    };
    let Ok(claimed) = jws::claimed_header(signature) else {
        return refusal(
            StatusCode::UNAUTHORIZED,
            "signature",
            "X-JWS-Signature is not a detached JWS (header..signature)",
        );
    };
    let signing = match signing_key(app, endpoint, &claimed.auth_id) {
        Ok(signing) => signing,
        Err(refused) => return refusal(refused.status, refused.code, refused.description),
    };
    let JsonAuth::Jws(alg) = endpoint.auth else {
        return refusal(
            StatusCode::UNAUTHORIZED,
            "signature",
            "this endpoint takes HTTP Basic client credentials, not a JWS",
        );
    };
    let expected = Expected {
        uri: endpoint.path,
        method: endpoint.method,
        alg,
    };
    if let Err(error) = jws::verify(signature, body, signing, &expected) {
        tracing::info!(endpoint = endpoint.id, %error, "JWS refused");
        return refusal(StatusCode::UNAUTHORIZED, "signature", error.to_string());
    }
    let Some(request_id) = header_text("x-request-id").filter(|id| !id.trim().is_empty()) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "request_id",
            "X-Request-Id is required",
        );
    };
    let digest: [u8; 32] = Sha256::digest(body).into();
    let auth_id = claimed.auth_id;
    let key = (auth_id.clone(), request_id.to_owned());
    // Held until the answer is remembered: two copies of one request sent
    // at once are served once, the second gets the first's answer.
    let mut answers = json
        .answered
        .answers
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((seen, status, answer)) = answers.get(&key) {
        return if *seen == digest {
            json_response(*status, answer, Some(request_id))
        } else {
            refusal(
                StatusCode::CONFLICT,
                "request_id",
                "this X-Request-Id was already used for another request",
            )
        };
    }
    let (status, answer) = match (endpoint.decode)(body) {
        Err(rejection) => {
            return refusal(StatusCode::BAD_REQUEST, "validation", rejection.to_string());
        }
        Ok(message) => {
            tracing::info!(endpoint = endpoint.id, %auth_id, "JSON request accepted");
            let handler = StatefulAnswers::new(&json.flows);
            match server::serve_json(&handler, &auth_id, message) {
                Ok(answer) => (StatusCode::OK, fill_envelope(answer)),
                // The sandbox's own fault (a spec answer that does not
                // build): not an answer to remember.
                Err(Refusal {
                    status,
                    code,
                    description,
                }) if status.is_server_error() => {
                    return refusal(status, code, description);
                }
                Err(Refusal {
                    status,
                    code,
                    description,
                }) => {
                    tracing::info!(endpoint = endpoint.id, %auth_id, code, "JSON request refused");
                    (status, envelope(code, description))
                }
            }
        }
    };
    if answers.len() >= MAX_REMEMBERED {
        answers.clear();
    }
    answers.insert(key, (digest, status, answer.clone()));
    drop(answers);
    if endpoint.api == JsonApi::Gateway {
        let named = answer.get("id").and_then(Value::as_str);
        json.flows.record_async_request(&auth_id, request_id, named);
    }
    json_response(status, &answer, Some(request_id))
}

/// A documented answer's envelope may hold the pages' schema placeholders
/// (`"status": "string"`): a real answer says `ok` and `success` there. A
/// documented value (the Async API's payment status `approved`, the gift
/// cards' number `0`) is kept. `dt`, when it is text, is the time the answer
/// was made.
fn fill_envelope(mut answer: Value) -> Value {
    /// The Apidog pages' placeholder for any text.
    const PLACEHOLDER: &str = "string";
    if let Some(object) = answer.as_object_mut() {
        for (name, value) in [("status", "ok"), ("request_status", "success")] {
            if let Some(slot) = object.get_mut(name)
                && slot.as_str() == Some(PLACEHOLDER)
            {
                *slot = json!(value);
            }
        }
        if let Some(slot) = object.get_mut("dt")
            && slot.is_string()
        {
            *slot = json!(crate::values::now());
        }
    }
    answer
}
