//! The JSON families' front door: the Async Gateway, Card and Partner APIs
//! and Invoice v5, every JSON endpoint of the spec at its real path.
//!
//! 1. The path selects the JSON endpoint (registry's `JSON_ENDPOINTS`).
//! 2. `X-JWS-Signature` names its `auth_id`: a configured merchant, whose
//!    secret key signs the JWS calls of every family (the documentation
//!    allows "the partner's key can be secret_key").
//! 3. The detached JWS is verified over the body exactly as received, with
//!    the endpoint's path, method and algorithm (`alg: none` and any other
//!    algorithm are refused): a missing or wrong signature answers 401.
//! 4. `X-Request-Id` is required; a repeated id with the same body answers
//!    the first answer again (the documentation's idempotency promise), with
//!    another body it is refused with 409.
//! 5. The body is read and validated by the spec's generated type: 400 when
//!    it is not the documented JSON.
//! 6. The answer is the spec's (`server::JsonHandler`'s default), with its
//!    envelope (`status`, `request_status`, `dt`) filled as a real answer.
//!
//! Every refusal is the families' documented error envelope: `status`
//! `error`, `request_status` `error`, `error_code`, `error_description`, `dt`.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use freedompay::json::JsonAuth;
use freedompay::jws::{self, Expected};
use freedompay::registry::{self, JsonEndpointInfo};
use freedompay::server::{self, JsonHandler, SpecAnswerError};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::ops::App;

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

/// The JSON endpoint at `path`, if any.
pub(crate) fn endpoint(path: &str) -> Option<&'static JsonEndpointInfo> {
    let path = path.trim_end_matches('/');
    registry::JSON_ENDPOINTS
        .iter()
        .find(|e| e.path.trim_end_matches('/') == path)
}

/// A refusal in the families' error envelope.
fn refusal(status: StatusCode, code: &str, description: impl Into<String>) -> Response {
    let body = json!({
        "status": "error",
        "request_status": "error",
        "error_code": code,
        "error_description": description.into(),
        "dt": crate::values::now(),
    });
    json_response(status, &body, None)
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
    answered: &Answered,
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
    let Some(merchant) = app.merchant(&claimed.auth_id) else {
        tracing::info!(endpoint = endpoint.id, "unknown auth_id");
        return refusal(
            StatusCode::UNAUTHORIZED,
            "auth_id",
            "the auth_id of the signature is not known",
        );
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
    if let Err(error) = jws::verify(signature, body, &merchant.secret, &expected) {
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
    let key = (merchant.id.clone(), request_id.to_owned());
    if let Ok(answers) = answered.answers.lock()
        && let Some((seen, status, answer)) = answers.get(&key)
    {
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
            tracing::info!(endpoint = endpoint.id, auth_id = %merchant.id, "JSON request accepted");
            match server::serve_json(&SpecAnswers, &(), message) {
                Ok(answer) => (StatusCode::OK, fill_envelope(answer)),
                Err(error) => {
                    return refusal(StatusCode::INTERNAL_SERVER_ERROR, "spec", error.to_string());
                }
            }
        }
    };
    if let Ok(mut answers) = answered.answers.lock() {
        if answers.len() >= MAX_REMEMBERED {
            answers.clear();
        }
        answers.insert(key, (digest, status, answer.clone()));
    }
    json_response(status, &answer, Some(request_id))
}

/// A documented answer's envelope holds placeholders (`"status": "string"`):
/// a real answer says `ok`, `success` and the time it was made, where the
/// documented value is text.
fn fill_envelope(mut answer: Value) -> Value {
    if let Some(object) = answer.as_object_mut() {
        for (name, value) in [
            ("status", json!("ok")),
            ("request_status", json!("success")),
            ("dt", json!(crate::values::now())),
        ] {
            // Only text placeholders: a family whose `status` is a number
            // (the gift cards' `0`) keeps its documented value.
            if let Some(slot) = object.get_mut(name)
                && slot.is_string()
            {
                *slot = value;
            }
        }
    }
    answer
}

/// The spec's answers to every JSON endpoint.
struct SpecAnswers;

impl JsonHandler for SpecAnswers {
    type Context = ();
    type Error = SpecAnswerError;
}
