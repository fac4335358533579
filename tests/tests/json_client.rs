//! The client's JSON protocol (Async Gateway, Card and Partner APIs) against
//! a local server that checks what a gateway checks: the documented headers,
//! the detached JWS over the body as received, and `X-Request-Id` on retries.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use freedompay::json::{JsonApi, JsonAuth, JsonEndpoint};
use freedompay::jws::{self, Algorithm, Expected};
use freedompay::{
    Client, Config, Effect, Error, Host, Retry, SecretKey, Validate, ValidationErrors,
};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

/// The Card API's request-status call (its signature example), hand-written.
#[derive(Debug, Serialize)]
struct RequestStatus {
    request_id: String,
}

impl Validate for RequestStatus {
    fn validate_at(&self, _path: &str, _errors: &mut ValidationErrors) {}
}

#[derive(Debug, Deserialize, PartialEq)]
struct Envelope {
    status: String,
    request_status: String,
}

impl JsonEndpoint for RequestStatus {
    type Response = Envelope;
    const ID: &'static str = "card_request_status";
    const PATH: &'static str = "/v5/card-api/request/status";
    const API: JsonApi = JsonApi::Card;
    const AUTH: JsonAuth = JsonAuth::Jws(Algorithm::Hs512);
    const EFFECT: Effect = Effect::Write;
}

/// What the server saw, and how many first answers it loses with a 503.
#[derive(Default)]
struct Seen {
    requests: Mutex<Vec<(HeaderMap, Bytes)>>,
    unavailable: Mutex<u32>,
}

struct Server {
    url: String,
    seen: Arc<Seen>,
}

/// The keys the server knows, by `auth_id`.
const KEYS: [(&str, &str); 2] = [("545084", "merchant-secret"), ("card-7", "card-key")];

async fn handle(
    State(seen): State<Arc<Seen>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    seen.requests
        .lock()
        .unwrap()
        .push((headers.clone(), body.clone()));
    {
        let mut unavailable = seen.unavailable.lock().unwrap();
        if *unavailable > 0 {
            *unavailable -= 1;
            return (StatusCode::SERVICE_UNAVAILABLE, String::new());
        }
    }
    let refusal = |description: &str| {
        (
            StatusCode::UNAUTHORIZED,
            format!(
                r#"{{"status":"error","request_status":"error","error_code":401,"error_description":"{description}"}}"#
            ),
        )
    };
    let Some(value) = headers.get("x-jws-signature").and_then(|v| v.to_str().ok()) else {
        return refusal("no signature");
    };
    let Ok(claimed) = jws::claimed_header(value) else {
        return refusal("malformed signature");
    };
    let Some((_, key)) = KEYS.iter().find(|(id, _)| *id == claimed.auth_id) else {
        return refusal("unknown auth_id");
    };
    let expected = Expected {
        uri: RequestStatus::PATH,
        method: "POST",
        alg: Algorithm::Hs512,
    };
    match jws::verify(value, &body, &SecretKey::new(*key), &expected) {
        Ok(_) => (
            StatusCode::OK,
            r#"{"status":"ok","request_status":"success","dt":"2025-03-01T07:03:51+05:00"}"#
                .to_owned(),
        ),
        Err(error) => refusal(&error.to_string()),
    }
}

impl Server {
    async fn start(unavailable: u32) -> Self {
        let seen = Arc::new(Seen::default());
        *seen.unavailable.lock().unwrap() = unavailable;
        let app = Router::new()
            .route(RequestStatus::PATH, post(handle))
            .with_state(seen.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { url, seen }
    }

    fn client(&self, configure: impl FnOnce(Config) -> Config) -> Client {
        let config = Config::new("545084", "merchant-secret")
            .host(Host::Custom(self.url.clone()))
            .retry(Retry::new(
                3,
                Duration::from_millis(1),
                Duration::from_millis(5),
            ));
        Client::new(configure(config)).unwrap()
    }
}

fn request() -> RequestStatus {
    RequestStatus {
        request_id: "828cf71d-a447-4a67-a149-c1df8bc197ca".to_owned(),
    }
}

#[tokio::test]
async fn a_json_request_carries_the_documented_headers_and_a_valid_jws() {
    let server = Server::start(0).await;
    // No Card API credentials: the merchant id and key sign, as documented.
    let answer = server.client(|c| c).send_json(&request()).await.unwrap();
    assert_eq!(answer.request_status, "success");
    let requests = server.seen.requests.lock().unwrap();
    let (headers, body) = &requests[0];
    assert_eq!(
        &body[..],
        br#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca"}"#
    );
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["accept"], "application/json");
    let id = headers["x-request-id"].to_str().unwrap();
    let parsed = uuid::Uuid::parse_str(id).unwrap();
    assert_eq!(parsed.get_version_num(), 7, "{id}");
    let claimed = jws::claimed_header(headers["x-jws-signature"].to_str().unwrap()).unwrap();
    assert_eq!(claimed.auth_id, "545084");
}

#[tokio::test]
async fn the_card_api_credentials_sign_card_api_calls() {
    let server = Server::start(0).await;
    let client = server.client(|c| c.jws_credentials(JsonApi::Card, "card-7", "card-key"));
    client.send_json(&request()).await.unwrap();
    let requests = server.seen.requests.lock().unwrap();
    let claimed = jws::claimed_header(requests[0].0["x-jws-signature"].to_str().unwrap()).unwrap();
    assert_eq!(claimed.auth_id, "card-7");
    assert!(!format!("{client:?}").contains("card-key"));
}

#[tokio::test]
async fn a_retry_resends_the_same_body_and_request_id() {
    let server = Server::start(2).await;
    server.client(|c| c).send_json(&request()).await.unwrap();
    let requests = server.seen.requests.lock().unwrap();
    assert_eq!(requests.len(), 3);
    for (headers, body) in &requests[1..] {
        assert_eq!(body, &requests[0].1);
        assert_eq!(headers["x-request-id"], requests[0].0["x-request-id"]);
        assert_eq!(headers["x-jws-signature"], requests[0].0["x-jws-signature"]);
    }
}

#[tokio::test]
async fn a_refusal_in_the_error_envelope_is_a_typed_error() {
    let server = Server::start(0).await;
    let client = server.client(|c| c.jws_credentials(JsonApi::Card, "card-7", "wrong-key"));
    let error = client.send_json(&request()).await.unwrap_err();
    match &error {
        Error::Json(freedompay::json::JsonError::Gateway(refusal)) => {
            assert_eq!(refusal.code.as_deref(), Some("401"));
            assert!(
                refusal
                    .description
                    .as_deref()
                    .unwrap()
                    .contains("does not match")
            );
        }
        other => panic!("expected the gateway's refusal, got {other:?}"),
    }
    assert!(!error.to_string().contains("wrong-key"));
}
