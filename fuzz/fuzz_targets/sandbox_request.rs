//! A request to the sandbox gateway, in-process: the router of
//! `freedompay_sandbox::Builder::router` called with `tower::ServiceExt::oneshot`
//! on a current-thread runtime. It never panics and every gateway answer is
//! well-formed: a signed (or, for an unknown merchant or an unreadable body,
//! unsigned) XML `<response>` with a `pg_status`, or a redirect.
//!
//! Input: one selector byte, then the body (the query string for `GET`).
//! Bits 2..8 pick the path from the registry's endpoints (`{merchant_id}`
//! filled with the test merchant); 63 takes the path from the body's first
//! line instead. Bit 1 sends `GET` instead of `POST`; bit 0 re-signs the
//! decoded parameters with the test merchant's key and the endpoint's script
//! name first, so the fuzzer gets past the signature check.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request, header};
use freedompay::registry::{self, Direction};
use freedompay_core::signature::{self, SecretKey, SignatureError};
use freedompay_core::{form, xml};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const MERCHANT: &str = "12345";
const KEY: &str = "mysecret";

/// The paths of the gateway's endpoints, with their script names.
fn paths() -> &'static [(String, &'static str)] {
    static PATHS: OnceLock<Vec<(String, &'static str)>> = OnceLock::new();
    PATHS.get_or_init(|| {
        registry::ENDPOINTS
            .iter()
            .filter(|e| e.direction != Direction::Callback)
            .filter_map(|e| Some((e.path?.replace("{merchant_id}", MERCHANT), e.script)))
            .collect()
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("a runtime: {e}"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let rest = String::from_utf8_lossy(rest);
    let paths = paths();
    let (path, body) = match paths.get(usize::from(selector >> 2)) {
        Some((path, _)) => (path.clone(), rest.into_owned()),
        None => {
            if selector >> 2 != 63 {
                return;
            }
            let (line, body) = rest.split_once('\n').unwrap_or((&rest, ""));
            if !line.starts_with('/') || line.parse::<axum::http::Uri>().is_err() {
                return;
            }
            (line.to_owned(), body.to_owned())
        }
    };
    let key = SecretKey::new(KEY);
    let script = signature::script_name(&path).to_owned();
    let body = if selector & 1 == 1 {
        let Ok(mut params) = form::decode_message(&body) else {
            return;
        };
        params.remove(signature::SIG);
        let sig = signature::sign(&script, &params, &key);
        params.push(signature::SIG, sig);
        form::encode(&params)
    } else {
        body
    };
    let get = selector & 2 == 2;
    let request = if get {
        let separator = if path.contains('?') { '&' } else { '?' };
        let uri = format!("{path}{separator}{body}");
        if uri.parse::<axum::http::Uri>().is_err() {
            return;
        }
        Request::builder()
            .method(Method::GET)
            .uri(uri)
            .body(Body::empty())
    } else {
        Request::builder()
            .method(Method::POST)
            .uri(&path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
    };
    let Ok(request) = request else {
        return;
    };

    runtime().block_on(async {
        let router = freedompay_sandbox::Sandbox::builder()
            .router("http://sandbox.invalid")
            .unwrap_or_else(|e| panic!("the sandbox's router: {e}"));
        let Ok(response) = router.oneshot(request).await;
        let status = response.status();
        assert!(!status.is_server_error(), "{status} for {path}");
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if status.is_redirection() {
            assert!(response.headers().contains_key(header::LOCATION));
            return;
        }
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_else(|e| panic!("the answer's body: {e}"));
        // The sandbox answers `application/xml`, as the gateway documents.
        if !content_type.starts_with("application/xml") && !content_type.starts_with("text/xml") {
            return;
        }
        let text = std::str::from_utf8(&bytes)
            .unwrap_or_else(|e| panic!("an XML answer is not UTF-8: {e}"));
        let message =
            xml::parse(text).unwrap_or_else(|e| panic!("a malformed answer {text:?}: {e}"));
        assert_eq!(message.root, "response");
        let status = message.params.get_text("pg_status");
        let scripts = paths.iter().map(|(_, s)| *s);
        let verified = std::iter::once(script.as_str())
            .chain(scripts)
            .map(|s| signature::verify(s, &message.params, &key))
            .find(|v| *v != Err(SignatureError::Mismatch));
        match verified {
            Some(Ok(())) => {}
            Some(Err(_)) => {
                // Unsigned: only the error answers for an unknown merchant
                // or a body that cannot be read.
                assert_eq!(status, Some("error"), "an unsigned answer: {text}");
                let code = message.params.get_text("pg_error_code");
                assert!(
                    matches!(code, Some("9998" | "200")),
                    "an unsigned answer: {text}"
                );
            }
            None => panic!("an answer signed with no script name of the sandbox: {text}"),
        }
    });
});
