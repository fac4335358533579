//! The gateway's HTTP face: every endpoint of the spec at its real path, one
//! pipeline for all of them.
//!
//! 1. The path (and method) selects the endpoints of the registry it can be.
//! 2. The parameters are read from the form body, the query string or a
//!    `pg_xml` document.
//! 3. The merchant is identified (`pg_merchant_id`, or the path's
//!    `{merchant_id}`); an unknown merchant gets the unsigned 9998 answer.
//! 4. `pg_sig` is checked with the endpoint's script name and the merchant's
//!    key (the payout key for payout endpoints): a bad one answers 1100.
//! 5. The registry's generated check decodes and validates the request as
//!    the client built it: a missing or invalid field answers 200.
//! 6. The operation runs against the store; its answer is signed XML.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use freedompay::errors::ErrorCode;
use freedompay::json::JsonAuth;
use freedompay::partner::freedom_id::PartnerFreedomIdOidcAuthorizeRequest;
use freedompay::registry::EndpointInfo;
use freedompay::server::{self, Served};
use freedompay::signature::{self, SecretKey, SignatureError};
use freedompay::{Params, form, xml};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::json_api::JsonState;
use crate::notify::Notifications;
use crate::ops::{App, Failure, Operations, Page};

/// What the routes share: the operations' state, and the notifications the
/// payment page asks for the merchant's check.
#[derive(Clone)]
struct Site {
    app: Arc<App>,
    notifications: Arc<Notifications>,
    json: Arc<JsonState>,
    logins: Arc<crate::freedom_id::Logins>,
}

impl FromRef<Site> for Arc<crate::freedom_id::Logins> {
    fn from_ref(site: &Site) -> Self {
        site.logins.clone()
    }
}

impl FromRef<Site> for Arc<JsonState> {
    fn from_ref(site: &Site) -> Self {
        site.json.clone()
    }
}

impl FromRef<Site> for Arc<App> {
    fn from_ref(site: &Site) -> Self {
        site.app.clone()
    }
}

impl FromRef<Site> for Arc<Notifications> {
    fn from_ref(site: &Site) -> Self {
        site.notifications.clone()
    }
}

/// The route of one of the sandbox's pages: its path and the id after it.
fn page_route(page: Page) -> String {
    format!("{}/{{id}}", page.path())
}

/// Largest request body the sandbox reads, in bytes (64 KiB); a larger body
/// is answered with HTTP 413 before any of it is parsed (axum's
/// [`DefaultBodyLimit`]). The gateway's requests are a few kilobytes.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// The sandbox's routes: the home page, the payment and card pages, the payee's payout and
/// payout-card pages, the saved card's CVC page, the Gateway's 3-D Secure
/// page, and the gateway for
/// everything else (the JSON families through `json`'s front door).
pub fn router(app: Arc<App>, notifications: Arc<Notifications>, json: Arc<JsonState>) -> Router {
    Router::new()
        .route(
            &page_route(Page::Payment),
            get(crate::page::show).post(crate::page::submit),
        )
        .route(
            &page_route(Page::Card),
            get(crate::page::show_card_session).post(crate::page::submit_card_session),
        )
        .route(
            &page_route(Page::Payout),
            get(crate::payout_page::show_payout).post(crate::payout_page::submit_payout),
        )
        .route(
            &page_route(Page::PayoutCard),
            get(crate::payout_page::show_card).post(crate::payout_page::submit_card),
        )
        .route(
            &page_route(Page::Token),
            get(crate::token_page::show).post(crate::token_page::submit),
        )
        .route(
            &page_route(Page::Acs),
            get(crate::acs_page::show).post(crate::acs_page::submit),
        )
        .route(
            crate::home_page::HOME_PATH,
            get(crate::home_page::show).fallback(handle),
        )
        .route(crate::freedom_id::LOGIN_PATH, get(crate::freedom_id::login))
        .route(
            crate::debugger_page::SIGNATURE_DEBUGGER_PATH,
            get(crate::debugger_page::show).post(crate::debugger_page::check),
        )
        .route(
            <PartnerFreedomIdOidcAuthorizeRequest as freedompay::Redirect>::PATH,
            get(crate::freedom_id::authorize),
        )
        .fallback(handle)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(cors())
        .layer(axum::middleware::from_fn(no_cors_for_other_origins))
        .with_state(Site {
            app,
            notifications,
            json,
            logins: Arc::default(),
        })
}

/// The request headers a page may send: those the API's calls use.
const CORS_HEADERS: [&str; 5] = [
    "content-type",
    "x-jws-signature",
    "x-request-id",
    "x-action",
    "authorization",
];

/// CORS for pages served from the loopback interface (`http://localhost`,
/// `http://127.0.0.1`, `http://[::1]`, any port), such as the docs site's API
/// reference: they may call every endpoint, preflight included, with the
/// methods and headers the API uses. Any other origin gets no CORS headers,
/// so a page elsewhere cannot read the sandbox's answers.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin, _| {
            is_loopback_origin(origin.as_bytes())
        }))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(CORS_HEADERS.map(HeaderName::from_static))
        .expose_headers([HeaderName::from_static("x-request-id")])
}

/// Takes the CORS headers off the answers to any origin but loopback's: the
/// [`CorsLayer`] answers a preflight with the allowed methods and headers
/// whatever its origin (without allowing the origin itself).
async fn no_cors_for_other_origins(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let loopback = request
        .headers()
        .get(header::ORIGIN)
        .is_some_and(|origin| is_loopback_origin(origin.as_bytes()));
    let mut response = next.run(request).await;
    if !loopback {
        let headers = response.headers_mut();
        for name in [
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header::ACCESS_CONTROL_ALLOW_METHODS,
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            header::ACCESS_CONTROL_MAX_AGE,
        ] {
            headers.remove(name);
        }
    }
    response
}

/// `http://localhost`, `http://127.0.0.1` or `http://[::1]`, with or without
/// a port.
fn is_loopback_origin(origin: &[u8]) -> bool {
    let Some(rest) = origin.strip_prefix(b"http://") else {
        return false;
    };
    [&b"localhost"[..], b"127.0.0.1", b"[::1]"]
        .iter()
        .filter_map(|host| rest.strip_prefix(*host))
        .any(|port| match port.strip_prefix(b":") {
            None => port.is_empty(),
            Some(digits) => {
                (1..=5).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit)
            }
        })
}

/// The request's parameters: a `pg_xml` document, a form body (URL-encoded
/// or `multipart/form-data`, as the Gateway API's pages send it) or a query
/// string.
async fn read_params(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Params, String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let text = if *method == Method::GET {
        uri.query().unwrap_or_default()
    } else if content_type
        .get(..19)
        .is_some_and(|t| t.eq_ignore_ascii_case("multipart/form-data"))
    {
        let pairs = multipart_pairs(content_type, body).await?;
        return form::decode_message_pairs(pairs).map_err(|e| format!("the XML document: {e}"));
    } else {
        std::str::from_utf8(&body).map_err(|_| "the body is not UTF-8".to_owned())?
    };
    form::decode_message(text).map_err(|e| format!("the XML document: {e}"))
}

/// The `(name, value)` pairs of a `multipart/form-data` body, every part read
/// as text, at most [`form::MAX_PAIRS`] of them.
async fn multipart_pairs(content_type: &str, body: Bytes) -> Result<Vec<(String, String)>, String> {
    use axum::extract::FromRequest;
    let request = axum::http::Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(axum::body::Body::from(body))
        .map_err(|e| format!("the multipart body: {e}"))?;
    let mut multipart = axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|e| format!("the multipart body: {}", e.body_text()))?;
    let mut pairs = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| format!("the multipart body: {}", e.body_text()))?
    {
        if pairs.len() >= form::MAX_PAIRS {
            break;
        }
        let name = field.name().unwrap_or_default().to_owned();
        let value = field
            .text()
            .await
            .map_err(|e| format!("the multipart part `{name}`: {}", e.body_text()))?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// A signed XML answer.
pub fn signed_xml(script: &str, key: &SecretKey, mut params: Params) -> Response {
    // An answer may quote a request's value: it stays well-formed XML.
    xml::make_carryable(&mut params);
    signature::seal(script, &mut params, key, &signature::generate_salt());
    xml_response(xml::write("response", &params))
}

fn xml_response(body: String) -> Response {
    (
        StatusCode::OK,
        // A static value: not copied or checked again for every answer.
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// The error envelope, signed when the merchant is known; with the payment's
/// `pg_payment_id` when the refusal concerns one (as the Gateway's error
/// answers document it).
fn error_xml(script: &str, key: Option<&SecretKey>, failure: &Failure) -> Response {
    let mut params = Params::new()
        .with("pg_status", "error")
        .with("pg_error_code", failure.code.code().to_string())
        .with("pg_error_description", failure.description.clone());
    if let Some(id) = failure.payment_id {
        params.push("pg_payment_id", id.to_string());
    }
    match key {
        Some(key) => signed_xml(script, key, params),
        None => {
            xml::make_carryable(&mut params);
            xml_response(xml::write("response", &params))
        }
    }
}

async fn handle(
    State(app): State<Arc<App>>,
    State(json): State<Arc<JsonState>>,
    State(logins): State<Arc<crate::freedom_id::Logins>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    if let Some(routed) = crate::json_api::route(path, &headers) {
        let endpoint = match routed {
            Ok(endpoint) => endpoint,
            Err(refusal) => return refusal,
        };
        if endpoint.auth == JsonAuth::Basic {
            return crate::freedom_id::handle(
                &app,
                &logins,
                endpoint,
                method.as_str(),
                &headers,
                &body,
            );
        }
        return crate::json_api::handle(&app, &json, endpoint, method.as_str(), &headers, &body);
    }
    let candidates = crate::routes::form_endpoints(path);
    let Some((first, _)) = candidates.first() else {
        return (
            StatusCode::NOT_FOUND,
            "no Freedom Pay endpoint at this path",
        )
            .into_response();
    };
    // The gateway accepts GET as well as POST for its form endpoints.
    if !matches!(method, Method::GET | Method::POST) {
        return (StatusCode::METHOD_NOT_ALLOWED, "use GET or POST").into_response();
    }
    let params = match read_params(&method, &uri, &headers, body).await {
        Ok(params) => params,
        Err(reason) => {
            let failure = Failure::new(ErrorCode::InvalidParameter, reason);
            return error_xml(first.script, None, &failure);
        }
    };
    let merchant_id = candidates
        .iter()
        .find_map(|(_, captured)| captured.as_deref())
        .or_else(|| params.get_text("pg_merchant_id"));
    let Some(merchant) = merchant_id.and_then(|id| app.merchant(id)) else {
        tracing::info!(%path, "unknown merchant");
        let failure = Failure::new(ErrorCode::MerchantNotIdentified, "merchant not identified");
        return error_xml(first.script, None, &failure);
    };
    if let Some(id) = params.get_text("pg_merchant_id")
        && id != merchant.id
    {
        let failure = Failure::new(
            ErrorCode::InvalidParameter,
            "pg_merchant_id differs from the merchant id in the path",
        );
        return error_xml(first.script, Some(&merchant.secret), &failure);
    }

    // Several endpoints share a path (init_payment.php serves card and mobile
    // payments, /g2g/payment cards, tokens and wallets): those the request's
    // parameters select (`selected_by`) come first, then those that select
    // nothing by themselves; of these, the first whose checks pass is the one
    // called. Only when nothing is left is every candidate tried.
    let selected: Vec<&(&EndpointInfo, Option<String>)> = candidates
        .iter()
        .filter(|(e, _)| e.selects(&params))
        .chain(candidates.iter().filter(|(e, _)| e.selected_by.is_empty()))
        .collect();
    let tried = if selected.is_empty() {
        candidates.iter().collect()
    } else {
        selected
    };
    let mut rejection = None;
    // Endpoints sharing a path mostly share a script and a key: each pair is
    // verified once.
    let mut verified: Vec<(&str, bool, Result<(), SignatureError>)> = Vec::new();
    for (endpoint, _) in tried {
        let key = merchant.key(endpoint.payout_key);
        let known = verified
            .iter()
            .find(|(script, payout, _)| {
                *script == endpoint.script && *payout == endpoint.payout_key
            })
            .map(|(_, _, outcome)| outcome.clone());
        let outcome = known.unwrap_or_else(|| {
            let outcome = signature::verify(endpoint.script, &params, key);
            verified.push((endpoint.script, endpoint.payout_key, outcome.clone()));
            outcome
        });
        match outcome {
            Ok(()) => {}
            Err(error) => {
                let description = match error {
                    SignatureError::Missing => "the request is not signed (no pg_sig)",
                    SignatureError::Mismatch => "incorrect request signature",
                };
                rejection.get_or_insert((
                    *endpoint,
                    Failure::new(ErrorCode::InvalidSignature, description),
                ));
                continue;
            }
        }
        let message = match (endpoint.decode)(&params) {
            Ok(message) => message,
            Err(problem) => {
                rejection = Some((
                    *endpoint,
                    Failure::new(ErrorCode::InvalidParameter, problem.to_string()),
                ));
                continue;
            }
        };
        tracing::debug!(endpoint = endpoint.id, merchant = %merchant.id, "request accepted");
        let operations = Operations { app: &app };
        return match server::serve(&operations, merchant, message) {
            Some(Ok(Served::Answer(answer))) => signed_xml(endpoint.script, key, answer),
            Some(Ok(Served::Redirect(url))) => Redirect::to(&url).into_response(),
            Some(Err(failure)) => {
                tracing::info!(
                    endpoint = endpoint.id,
                    code = failure.code.code(),
                    "request refused"
                );
                error_xml(endpoint.script, Some(key), &failure)
            }
            // Only requests and redirects are routed here.
            None => (StatusCode::NOT_FOUND, "callbacks are sent, not served").into_response(),
        };
    }
    let (endpoint, failure) = rejection.unwrap_or((
        first,
        Failure::new(
            ErrorCode::InvalidParameter,
            "the request matches no endpoint",
        ),
    ));
    tracing::info!(
        endpoint = endpoint.id,
        code = failure.code.code(),
        "request refused"
    );
    error_xml(
        endpoint.script,
        Some(merchant.key(endpoint.payout_key)),
        &failure,
    )
}

#[cfg(test)]
mod tests {
    use super::is_loopback_origin;

    #[test]
    fn loopback_origins_are_told_apart_from_others() {
        for origin in [
            "http://localhost:5173",
            "http://127.0.0.1:4173",
            "http://[::1]:8080",
            "http://localhost",
        ] {
            assert!(is_loopback_origin(origin.as_bytes()), "{origin}");
        }
        for origin in [
            "https://localhost:5173",
            "http://localhost.example.com",
            "http://127.0.0.1.example.com:80",
            "http://127.0.0.10:80",
            "http://example.com",
            "http://localhost:",
            "http://localhost:123456",
            "http://localhost:80/",
            "null",
            "",
        ] {
            assert!(!is_loopback_origin(origin.as_bytes()), "{origin}");
        }
    }
}
