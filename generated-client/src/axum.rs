//! The merchant's side of callbacks in an axum server (cargo feature `axum`).
//!
//! [`VerifiedCallback<C>`] is an extractor: it reads the gateway's call (a form
//! body, a query string or a `pg_xml` document), takes the script name from
//! the last segment of the request's own path, verifies `pg_sig` over the
//! parameters exactly as received with the merchant's key (the payout key for
//! payout notifications), decodes and validates them into `C`. A forged,
//! unsigned, malformed or replayed callback never reaches the handler.
//!
//! The handler answers with [`VerifiedCallback::reply`] (a signed XML
//! `<response>`, for check and result) or [`VerifiedCallback::acknowledge`]
//! (HTTP 200, for notifications). The answer is remembered: when the gateway
//! delivers the same signed callback again (it retries until it gets an
//! answer), it gets the same answer without the handler being called.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use freedompay::axum::{CallbackKeys, SignedReply, VerifiedCallback};
//! use freedompay::enums::ReplyStatus;
//! use freedompay::merchant::callbacks::{CheckCallback, CheckReply};
//!
//! async fn check(callback: VerifiedCallback<CheckCallback>) -> SignedReply {
//!     // Only genuine, first deliveries get here.
//!     let status = if callback.amount.to_string() == "1500" { ReplyStatus::Ok } else { ReplyStatus::Rejected };
//!     callback.reply(&CheckReply::new(status))
//! }
//!
//! let app: Router = Router::new()
//!     .route("/freedompay/check", post(check))
//!     .with_state(CallbackKeys::new("merchant-secret-key"));
//! ```

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use freedompay_core::callback::{self, CallbackError, Verified};
use freedompay_core::{Callback, Encode, Params, SecretKey, Validate, form, signature};

/// Largest callback body accepted, in bytes (64 KiB); a larger body is
/// refused with [`CallbackRejection::TooLarge`] (HTTP 413) while it is read,
/// before any of it is parsed. The gateway's callbacks are a few kilobytes.
pub const MAX_CALLBACK_BYTES: usize = 64 * 1024;

/// How many answered callbacks are remembered for replays.
const REMEMBERED: usize = 10_000;

/// The merchant's keys and the memory of answered callbacks; put it in the
/// router's state (or make it reachable with `FromRef`).
#[derive(Clone)]
pub struct CallbackKeys {
    secret: SecretKey,
    payout_secret: Option<SecretKey>,
    answered: Arc<Mutex<Answered>>,
}

impl fmt::Debug for CallbackKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackKeys")
            .field("secret", &self.secret)
            .field("payout_secret", &self.payout_secret)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Answered {
    /// `pg_sig` → the answer given (`None` while the handler runs).
    answers: HashMap<String, Option<StoredAnswer>>,
    order: VecDeque<String>,
}

#[derive(Clone)]
struct StoredAnswer {
    status: StatusCode,
    content_type: &'static str,
    body: String,
}

impl IntoResponse for StoredAnswer {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, self.content_type)],
            self.body,
        )
            .into_response()
    }
}

impl CallbackKeys {
    /// Keys with the merchant's secret key.
    pub fn new(secret: impl Into<SecretKey>) -> Self {
        CallbackKeys {
            secret: secret.into(),
            payout_secret: None,
            answered: Arc::default(),
        }
    }

    /// A separate key for payout notifications.
    pub fn payout_secret(mut self, secret: impl Into<SecretKey>) -> Self {
        self.payout_secret = Some(secret.into());
        self
    }

    fn key_for(&self, id: &str) -> &SecretKey {
        let payout = crate::registry::by_id(id).is_some_and(|e| e.payout_key);
        match (&self.payout_secret, payout) {
            (Some(key), true) => key,
            _ => &self.secret,
        }
    }

    /// Marks `sig` as being answered; the stored answer when it was answered before.
    fn claim(&self, sig: &str) -> Result<(), Option<StoredAnswer>> {
        let mut answered = self.answered.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(previous) = answered.answers.get(sig) {
            return Err(previous.clone());
        }
        answered.answers.insert(sig.to_owned(), None);
        answered.order.push_back(sig.to_owned());
        while answered.order.len() > REMEMBERED {
            if let Some(oldest) = answered.order.pop_front() {
                answered.answers.remove(&oldest);
            }
        }
        Ok(())
    }

    /// Forgets a claim that was never answered, so a retry reaches the handler.
    fn release(&self, sig: &str) {
        let mut answered = self.answered.lock().unwrap_or_else(|p| p.into_inner());
        if matches!(answered.answers.get(sig), Some(None)) {
            answered.answers.remove(sig);
            answered.order.retain(|s| s != sig);
        }
    }

    fn remember(&self, sig: &str, answer: StoredAnswer) {
        let mut answered = self.answered.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = answered.answers.get_mut(sig) {
            *slot = Some(answer);
        }
    }
}

/// Why a callback was not handed to the handler. As a response: plain text
/// with 400 (malformed or invalid), 413 (larger than [`MAX_CALLBACK_BYTES`]), 403 (unsigned or forged) or 409 (a
/// replay of a callback still being answered); a replay of an answered
/// callback gets the first answer again.
#[derive(Debug)]
pub enum CallbackRejection {
    /// The body could not be read or is not UTF-8.
    Unreadable,
    /// The body is larger than [`MAX_CALLBACK_BYTES`].
    TooLarge,
    /// No valid signature: forged, altered, unsigned, or for another key or URL.
    Forged(CallbackError),
    /// Signed, but malformed, missing a field or breaking a rule.
    Invalid(String),
    /// The same callback again while the first is still being answered.
    InProgress,
    /// The same callback again: the first answer, repeated.
    Replayed(Response),
}

impl fmt::Display for CallbackRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackRejection::Unreadable => f.write_str("the callback body could not be read"),
            CallbackRejection::TooLarge => write!(
                f,
                "the callback body is larger than {MAX_CALLBACK_BYTES} bytes"
            ),
            CallbackRejection::Forged(e) => write!(f, "{e}"),
            CallbackRejection::Invalid(e) => write!(f, "callback rejected: {e}"),
            CallbackRejection::InProgress => {
                f.write_str("callback rejected: the same callback is being answered")
            }
            CallbackRejection::Replayed(_) => f.write_str("a replayed callback: the first answer"),
        }
    }
}

impl IntoResponse for CallbackRejection {
    fn into_response(self) -> Response {
        let status = match &self {
            CallbackRejection::Replayed(_) => {
                let CallbackRejection::Replayed(response) = self else {
                    unreachable!("matched above")
                };
                return response;
            }
            CallbackRejection::Unreadable | CallbackRejection::Invalid(_) => {
                StatusCode::BAD_REQUEST
            }
            CallbackRejection::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            CallbackRejection::Forged(_) => StatusCode::FORBIDDEN,
            CallbackRejection::InProgress => StatusCode::CONFLICT,
        };
        tracing::info!(%status, reason = %self, "callback rejected");
        (status, self.to_string()).into_response()
    }
}

/// A verified callback of type `C`; dereferences to `C`.
pub struct VerifiedCallback<C> {
    verified: Verified<C>,
    script: String,
    key: SecretKey,
    keys: CallbackKeys,
    sig: String,
    answered: AtomicBool,
}

impl<C> Drop for VerifiedCallback<C> {
    fn drop(&mut self) {
        // A handler that gave no answer (an error, a panic) leaves the
        // callback open: the gateway's next delivery reaches it again.
        if !self.answered.load(Ordering::SeqCst) {
            self.keys.release(&self.sig);
        }
    }
}

impl<C: fmt::Debug> fmt::Debug for VerifiedCallback<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedCallback")
            .field("data", self.verified.data())
            .field("script", &self.script)
            .finish_non_exhaustive()
    }
}

impl<C> Deref for VerifiedCallback<C> {
    type Target = C;

    fn deref(&self) -> &C {
        self.verified.data()
    }
}

impl<C> VerifiedCallback<C> {
    /// Every parameter as received, merchant parameters included.
    pub fn params(&self) -> &Params {
        self.verified.params()
    }

    /// The script name the callback was signed with (the URL's last segment).
    pub fn script(&self) -> &str {
        &self.script
    }

    /// The typed data.
    pub fn data(&self) -> &C {
        self.verified.data()
    }

    /// The signed XML answer, with the callback's salt; remembered for replays.
    pub fn reply<R: Encode + Validate>(&self, reply: &R) -> SignedReply {
        let answer = match callback::sign_reply(
            &self.script,
            &self.key,
            reply,
            Some(self.verified.salt()),
        ) {
            Ok(body) => StoredAnswer {
                status: StatusCode::OK,
                content_type: "application/xml; charset=utf-8",
                body,
            },
            Err(errors) => {
                tracing::error!(%errors, "the reply breaks the spec and was not sent");
                StoredAnswer {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    content_type: "text/plain; charset=utf-8",
                    body: format!("invalid reply: {errors}"),
                }
            }
        };
        self.answered.store(true, Ordering::SeqCst);
        self.keys.remember(&self.sig, answer.clone());
        SignedReply(answer)
    }

    /// HTTP 200 `OK`, for notifications that expect no document; remembered for replays.
    pub fn acknowledge(&self) -> SignedReply {
        let answer = StoredAnswer {
            status: StatusCode::OK,
            content_type: "text/plain; charset=utf-8",
            body: "OK".to_owned(),
        };
        self.answered.store(true, Ordering::SeqCst);
        self.keys.remember(&self.sig, answer.clone());
        SignedReply(answer)
    }
}

/// The handler's answer to a callback.
#[derive(Clone)]
pub struct SignedReply(StoredAnswer);

impl fmt::Debug for SignedReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SignedReply").field(&self.0.body).finish()
    }
}

impl IntoResponse for SignedReply {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

/// The request's body, read up to [`MAX_CALLBACK_BYTES`] and no further.
async fn read_body(request: Request) -> Result<Bytes, CallbackRejection> {
    let limited = http_body_util::Limited::new(request.into_body(), MAX_CALLBACK_BYTES);
    match http_body_util::BodyExt::collect(limited).await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            Err(CallbackRejection::TooLarge)
        }
        Err(_) => Err(CallbackRejection::Unreadable),
    }
}

/// What identifies a delivery for replays: its `pg_sig` as the signature
/// check reads it (trimmed, lowercase hex), so the same callback with its
/// signature in capitals or padded, which verifies all the same, is still
/// the same callback.
fn replay_key(params: &Params) -> String {
    params
        .get_text(signature::SIG)
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The parameters of a callback request: query string, form body or `pg_xml`.
fn read_params(method: &Method, query: Option<&str>, body: &str) -> Result<Params, String> {
    let text = if *method == Method::GET {
        query.unwrap_or_default()
    } else {
        body
    };
    form::decode_message(text).map_err(|e| e.to_string())
}

impl<C, S> FromRequest<S> for VerifiedCallback<C>
where
    C: Callback + Send,
    S: Send + Sync,
    CallbackKeys: FromRef<S>,
{
    type Rejection = CallbackRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let keys = CallbackKeys::from_ref(state);
        let method = request.method().clone();
        let uri = request.uri().clone();
        let body = read_body(request).await?;
        let body = std::str::from_utf8(&body).map_err(|_| CallbackRejection::Unreadable)?;
        let params = read_params(&method, uri.query(), body).map_err(CallbackRejection::Invalid)?;
        let script = signature::script_name(uri.path()).to_owned();
        let key = keys.key_for(C::ID).clone();
        let verified = callback::verify::<C>(&script, &key, params).map_err(|e| match e {
            CallbackError::Decode(e) => CallbackRejection::Invalid(e.to_string()),
            CallbackError::Invalid(e) => CallbackRejection::Invalid(e.to_string()),
            other => CallbackRejection::Forged(other),
        })?;
        let sig = replay_key(verified.params());
        if let Err(previous) = keys.claim(&sig) {
            tracing::info!(callback = C::ID, "replayed callback");
            return Err(match previous {
                Some(answer) => CallbackRejection::Replayed(answer.into_response()),
                None => CallbackRejection::InProgress,
            });
        }
        tracing::info!(callback = C::ID, %script, "callback verified");
        Ok(VerifiedCallback {
            verified,
            script,
            key,
            keys,
            sig,
            answered: AtomicBool::new(false),
        })
    }
}
