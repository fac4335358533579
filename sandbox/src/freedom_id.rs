//! Freedom ID, the Partner API's identity provider: every endpoint of the
//! spec with `server: freedom_id`, at its real path, and the user's side of
//! its two login flows.
//!
//! The calls (JSON bodies):
//!
//! 1. `Authorization: Basic base64(CLIENT_ID:CLIENT_SECRET)` names the
//!    client: a configured Freedom ID client (`--freedom-id CLIENT_ID:SECRET`,
//!    as Freedom ID support issues them), or else a merchant, whose id and
//!    secret key the sandbox takes as client credentials. Missing or wrong
//!    credentials answer 401.
//! 2. The body is read and validated by the spec's generated type: 400 when
//!    it is not the documented JSON, with Freedom ID's validation envelope.
//! 3. The answer follows the flow below; an endpoint without a flow answers
//!    from the spec (`server::JsonHandler`'s default).
//!
//! The flows, as the documentation describes them:
//!
//! - **OAuth2**: the authorization link call answers the URL of a login page
//!   (`/sandbox/freedom-id/login?track_id=…&expire_at=…`, served here); the user who opens it is
//!   logged in at once, as the sandbox's test user, and sent back to the
//!   link's `redirect_uri` with an `authorization_code` appended; the token
//!   exchange turns that code, once, into an access and a refresh token. An
//!   unknown or used code is refused with the documented
//!   `{"error": {"message": "Invalid authorization_code.", "code": 100101}}`.
//! - **OpenID Connect**: the browser opens the authorization endpoint
//!   (`GET /openid?…`, the spec's redirect), is logged in at once and sent
//!   back to `redirect_uri` with `code` and the request's `state`; the OIDC
//!   token exchange turns the code, once and with the same `redirect_uri`,
//!   into tokens and an ID token. The documentation does not say how the ID
//!   token is signed: the sandbox signs it HS256 with the client secret, the
//!   OpenID Connect choice for a client that has one, with the claims the
//!   documentation shows (`iss`, `sub`, `aud`, `exp`, `iat`, `nonce`).
//!
//! Every refusal of a call is Freedom ID's documented error envelope,
//! `{"error": {"message": …, "code": …, "errors": {field: [messages]}}}`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use freedompay::SecretKey;
use freedompay::partner::freedom_id::{
    PartnerFreedomIdLinkRequest, PartnerFreedomIdLinkResponse,
    PartnerFreedomIdOidcAuthorizeRequest, PartnerFreedomIdOidcTokenRequest,
    PartnerFreedomIdOidcTokenResponse, PartnerFreedomIdTokenRequest, PartnerFreedomIdTokenResponse,
};
use freedompay::registry::JsonEndpointInfo;
use freedompay::server::{self, JsonHandler, SpecAnswerError};
use freedompay::{Decode, Validate, form};
use hmac::{KeyInit, Mac};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::merchant::ApiFamily;
use crate::ops::App;

/// The sandbox's Freedom ID login page (Freedom ID's own is `/login`).
pub(crate) const LOGIN_PATH: &str = "/sandbox/freedom-id/login";
/// How long a login page and an authorization code stay valid.
const LOGIN_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// How long an access token lives (`expires_in`, `access_expire_at`).
const ACCESS_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// How long a refresh token lives (`refresh_expire_at`).
const REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// The most pending logins and codes kept; the oldest are dropped first
/// when there are more (a sandbox runs for a test session).
const MAX_PENDING: usize = 10_000;
/// The sandbox's one test user, as the ID token's `sub` (the documentation's
/// example subject).
const TEST_USER: &str = "41790bb3-62ba-461f-9bed-e232e30ad377";
/// The documented refusal of an unknown authorization code.
const INVALID_CODE: (&str, u32) = ("Invalid authorization_code.", 100_101);

/// The logins under way and the codes not yet exchanged.
#[derive(Default)]
pub(crate) struct Logins {
    tracks: Mutex<HashMap<String, Track>>,
    codes: Mutex<HashMap<String, Code>>,
}

/// A login page handed out by the authorization link call.
struct Track {
    client_id: String,
    redirect_uri: String,
    expires: SystemTime,
}

/// An authorization code handed to the partner through the user's browser.
struct Code {
    client_id: String,
    redirect_uri: String,
    /// The OIDC request's nonce; `None` for the OAuth2 flow's code.
    oidc_nonce: Option<String>,
    expires: SystemTime,
}

/// Inserts into a bounded map, forgetting everything when it is full (old
/// logins are the ones that matter least).
fn remember<V>(map: &Mutex<HashMap<String, V>>, key: String, value: V) {
    if let Ok(mut map) = map.lock() {
        if map.len() >= MAX_PENDING {
            map.clear();
        }
        map.insert(key, value);
    }
}

/// Takes an entry out, if it is there and not expired.
fn take<V>(
    map: &Mutex<HashMap<String, V>>,
    key: &str,
    expires: impl Fn(&V) -> SystemTime,
) -> Option<V> {
    let value = map.lock().ok()?.remove(key)?;
    (expires(&value) > SystemTime::now()).then_some(value)
}

/// A random token of `blocks` × 16 letters and digits.
fn token(blocks: usize) -> String {
    (0..blocks)
        .map(|_| freedompay::signature::generate_salt())
        .collect()
}

fn unix(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A time as Freedom ID writes it: `2024-10-02T10:52:21.000000Z`.
fn timestamp(time: SystemTime) -> String {
    let seconds = humantime::format_rfc3339_seconds(time).to_string();
    format!("{}.000000Z", seconds.trim_end_matches('Z'))
}

/// A refusal in Freedom ID's error envelope.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    message: String,
    code: Option<u32>,
    errors: Option<Value>,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
            code: None,
            errors: None,
        }
    }

    fn invalid_code() -> Self {
        Refusal {
            code: Some(INVALID_CODE.1),
            ..Refusal::new(StatusCode::BAD_REQUEST, INVALID_CODE.0)
        }
    }

    fn response(self) -> Response {
        let mut error = json!({ "message": self.message });
        if let Some(object) = error.as_object_mut() {
            if let Some(code) = self.code {
                object.insert("code".to_owned(), json!(code));
            }
            if let Some(errors) = self.errors {
                object.insert("errors".to_owned(), errors);
            }
        }
        json_response(self.status, &json!({ "error": error }))
    }
}

impl From<SpecAnswerError> for Refusal {
    fn from(error: SpecAnswerError) -> Self {
        Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// An answer of the generated type `T`, built from its JSON.
fn answer<T: DeserializeOwned>(value: Value) -> Result<T, Refusal> {
    serde_json::from_value(value)
        .map_err(|e| Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

/// The Freedom ID client whose id and secret the `Authorization` header
/// carries as HTTP Basic credentials, if any: a configured client
/// (`--freedom-id`), or else a merchant, with its id and secret key.
fn client(app: &App, headers: &HeaderMap) -> Option<Client> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let expected = match app.api_user(ApiFamily::FreedomId, id) {
        Some(client) => &client.key,
        None => &app.merchant(id)?.secret,
    };
    bool::from(secret.as_bytes().ct_eq(expected.expose().as_bytes())).then(|| Client {
        id: id.to_owned(),
        secret: expected.clone(),
    })
}

/// An authenticated Freedom ID client.
pub(crate) struct Client {
    id: String,
    secret: SecretKey,
}

/// Serves one Freedom ID call.
pub(crate) fn handle(
    app: &App,
    logins: &Logins,
    endpoint: &'static JsonEndpointInfo,
    method: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if method != endpoint.method {
        return Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("Use {}.", endpoint.method),
        )
        .response();
    }
    let Some(caller) = client(app, headers) else {
        tracing::info!(
            endpoint = endpoint.id,
            "Freedom ID client not authenticated"
        );
        return Refusal::new(
            StatusCode::UNAUTHORIZED,
            "Client authentication failed: send the client id and secret as HTTP Basic credentials.",
        )
        .response();
    };
    let message = match (endpoint.decode)(body) {
        Ok(message) => message,
        Err(rejection) => {
            return Refusal {
                errors: Some(json!({ "body": [rejection.to_string()] })),
                ..Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "Error validating transmitted data.",
                )
            }
            .response();
        }
    };
    tracing::info!(endpoint = endpoint.id, client = %caller.id, "Freedom ID call accepted");
    let flows = Flows {
        logins,
        base_url: &app.base_url,
    };
    match server::serve_json(&flows, &caller, message) {
        Ok(answer) => json_response(StatusCode::OK, &answer),
        Err(refusal) => refusal.response(),
    }
}

/// Freedom ID's flows; every other JSON endpoint answers from the spec.
struct Flows<'a> {
    logins: &'a Logins,
    base_url: &'a str,
}

impl JsonHandler for Flows<'_> {
    type Context = Client;
    type Error = Refusal;

    fn partner_freedom_id_link(
        &self,
        client: &Client,
        request: PartnerFreedomIdLinkRequest,
    ) -> Result<PartnerFreedomIdLinkResponse, Refusal> {
        let track_id = uuid::Uuid::new_v4().to_string();
        let expires = SystemTime::now() + LOGIN_LIFETIME;
        let url = format!(
            "{}{LOGIN_PATH}?track_id={track_id}&expire_at={}",
            self.base_url,
            unix(expires)
        );
        remember(
            &self.logins.tracks,
            track_id,
            Track {
                client_id: client.id.clone(),
                redirect_uri: request.redirect_uri,
                expires,
            },
        );
        answer(json!({ "redirect_uri": url }))
    }

    fn partner_freedom_id_token(
        &self,
        client: &Client,
        request: PartnerFreedomIdTokenRequest,
    ) -> Result<PartnerFreedomIdTokenResponse, Refusal> {
        let code = request.authorization_code.unwrap_or_default();
        let issued = take(&self.logins.codes, &code, |c| c.expires)
            .filter(|c| c.client_id == client.id && c.oidc_nonce.is_none());
        if issued.is_none() {
            return Err(Refusal::invalid_code());
        }
        let now = SystemTime::now();
        answer(json!({
            "access_token": token(8),
            "refresh_token": token(8),
            "access_expire_at": timestamp(now + ACCESS_LIFETIME),
            "refresh_expire_at": timestamp(now + REFRESH_LIFETIME),
        }))
    }

    fn partner_freedom_id_oidc_token(
        &self,
        client: &Client,
        request: PartnerFreedomIdOidcTokenRequest,
    ) -> Result<PartnerFreedomIdOidcTokenResponse, Refusal> {
        let issued = take(&self.logins.codes, &request.code, |c| c.expires)
            .filter(|c| c.client_id == client.id && c.redirect_uri == request.redirect_uri);
        let Some(Code {
            oidc_nonce: Some(nonce),
            ..
        }) = issued
        else {
            return Err(Refusal::invalid_code());
        };
        let now = SystemTime::now();
        let claims = json!({
            "iss": self.base_url,
            "sub": TEST_USER,
            "aud": client.id,
            "exp": unix(now + ACCESS_LIFETIME),
            "iat": unix(now),
            "nonce": nonce,
        });
        answer(json!({
            "access_token": token(8),
            "expires_in": ACCESS_LIFETIME.as_secs(),
            "refresh_token": token(8),
            "token_type": "Bearer",
            "id_token": id_token(&claims, &client.secret),
        }))
    }
}

/// A JWT of `claims`, signed HS256 with the client secret.
fn id_token(claims: &Value, secret: &SecretKey) -> String {
    let encode = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let input = format!(
        "{}.{}",
        encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        encode(claims.to_string().as_bytes())
    );
    let signature = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.expose().as_bytes())
        .map(|mut mac| {
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        })
        .unwrap_or_default();
    format!("{input}.{}", encode(&signature))
}

/// The query of the login page.
#[derive(serde::Deserialize)]
pub(crate) struct LoginQuery {
    track_id: String,
}

/// `GET /sandbox/freedom-id/login?track_id=…`: the sandbox's test user logs in at once and
/// goes back to the partner with an authorization code.
pub(crate) async fn login(
    State(logins): State<std::sync::Arc<Logins>>,
    Query(query): Query<LoginQuery>,
) -> Response {
    let Some(track) = take(&logins.tracks, &query.track_id, |t| t.expires) else {
        return (
            StatusCode::NOT_FOUND,
            "This Freedom ID login link is unknown or has expired.",
        )
            .into_response();
    };
    let code = token(2);
    let back = with_query(&track.redirect_uri, &[("authorization_code", &code)]);
    remember(
        &logins.codes,
        code,
        Code {
            client_id: track.client_id,
            redirect_uri: track.redirect_uri,
            oidc_nonce: None,
            expires: SystemTime::now() + LOGIN_LIFETIME,
        },
    );
    Redirect::to(&back).into_response()
}

/// `GET /openid?…`, the OpenID Connect authorization endpoint: the query is
/// read and validated by the spec's type; the sandbox's test user consents
/// at once and goes back to `redirect_uri` with `code` and `state`.
pub(crate) async fn authorize(
    State(app): State<std::sync::Arc<App>>,
    State(logins): State<std::sync::Arc<Logins>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = form::decode(&query.unwrap_or_default());
    let request = match PartnerFreedomIdOidcAuthorizeRequest::decode(&params) {
        Ok(request) => request,
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    };
    if let Err(errors) = request.validate() {
        return (StatusCode::BAD_REQUEST, errors.to_string()).into_response();
    }
    if !request
        .scope
        .split_whitespace()
        .any(|grant| grant == "openid")
    {
        return (StatusCode::BAD_REQUEST, "`scope` must include `openid`.").into_response();
    }
    if app
        .api_user(ApiFamily::FreedomId, &request.client_id)
        .is_none()
        && app.merchant(&request.client_id).is_none()
    {
        return (StatusCode::BAD_REQUEST, "The client_id is not known.").into_response();
    }
    let code = token(2);
    let back = with_query(
        &request.redirect_uri,
        &[("code", &code), ("state", &request.state)],
    );
    remember(
        &logins.codes,
        code,
        Code {
            client_id: request.client_id,
            redirect_uri: request.redirect_uri,
            oidc_nonce: Some(request.nonce),
            expires: SystemTime::now() + LOGIN_LIFETIME,
        },
    );
    Redirect::to(&back).into_response()
}

/// `url` with `pairs` appended to its query.
fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let params: freedompay::Params = pairs.iter().copied().collect();
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{}", form::encode(&params))
}
