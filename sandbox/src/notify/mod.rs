//! Calls to the merchant: the check before charging, the result after it, the
//! payout notification and the payer's redirect back. Each is signed with
//! the merchant's key and the script name of the merchant's own URL, as the
//! gateway signs them, and sent with the payment's `pg_request_method`.
//!
//! This module is the transport (sending, signing, retrying, reading the
//! merchant's answer); [`callbacks`] builds each call and takes the events
//! the operations emit.

use std::time::Duration;

use freedompay::signature::{self, SecretKey};
use freedompay::{Params, form, xml};

mod callbacks;

pub(crate) use callbacks::Notifications;

/// How notifications are retried. The real gateway retries for hours; the
/// sandbox keeps the same rule (retry on a timeout, a transport error, an
/// HTTP error or an answer other than `ok`) on a short, bounded schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Wait before the second attempt; doubled before each further one.
    pub delay: Duration,
    /// Time allowed for one attempt.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            delay: Duration::from_millis(250),
            timeout: Duration::from_secs(5),
        }
    }
}

/// What the merchant answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A signed `ok`.
    Ok,
    /// A signed `rejected`, with the merchant's description.
    Rejected(String),
    /// Anything else: `error`, an unsigned or forged answer, an HTTP error, no answer.
    Failed(String),
}

/// The merchant's URL's script name: its last path segment.
pub fn script_of(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) => signature::script_name(parsed.path()).to_owned(),
        Err(_) => signature::script_name(url).to_owned(),
    }
}

/// `params` with a fresh salt and the signature for `url`'s script name.
pub fn sign_for(url: &str, key: &SecretKey, mut params: Params) -> Params {
    signature::seal(
        &script_of(url),
        &mut params,
        key,
        &signature::generate_salt(),
    );
    params
}

/// Sends notifications.
#[derive(Debug, Clone)]
pub struct Notifier {
    http: reqwest::Client,
    policy: RetryPolicy,
}

impl Notifier {
    /// A notifier with `policy`.
    pub fn new(policy: RetryPolicy) -> Self {
        let http = reqwest::Client::builder()
            .timeout(policy.timeout)
            .user_agent("freedompay-sandbox")
            .build()
            .unwrap_or_default();
        Notifier { http, policy }
    }

    /// One attempt: sends `params` (already signed) to `url` with `method`
    /// (`GET`, `POST` or `XML`); the body of a 2xx answer, or why there is none.
    async fn send_once(&self, url: &str, method: &str, params: &Params) -> Result<String, String> {
        let request = match method {
            "GET" => {
                let separator = if url.contains('?') { '&' } else { '?' };
                self.http
                    .get(format!("{url}{separator}{}", form::encode(params)))
            }
            "XML" => {
                let document = xml::write("request", params);
                self.http
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form::encode(&Params::new().with("pg_xml", document)))
            }
            _ => self
                .http
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form::encode(params)),
        };
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) if error.is_timeout() => return Err("no answer in time".into()),
            Err(error) => return Err(format!("not reachable: {}", error.without_url())),
        };
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|_| "the answer could not be read".to_owned())?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(format!("HTTP {}", status.as_u16()))
        }
    }

    /// The check: one attempt; anything but a signed `ok` refuses the payment.
    pub async fn check(&self, url: &str, method: &str, key: &SecretKey, params: &Params) -> Answer {
        let answer = match self.send_once(url, method, params).await {
            Ok(body) => read_answer(&script_of(url), key, &body),
            Err(reason) => Answer::Failed(reason),
        };
        tracing::info!(script = %script_of(url), ?answer, "check callback answered");
        answer
    }

    /// The result: retried on the policy's schedule until a signed `ok` or
    /// `rejected` arrives. Returns the last answer and the attempts made.
    pub async fn result(
        &self,
        url: &str,
        method: &str,
        key: &SecretKey,
        params: &Params,
    ) -> (Answer, u32) {
        let script = script_of(url);
        self.with_retries(|| async {
            match self.send_once(url, method, params).await {
                Ok(body) => read_answer(&script, key, &body),
                Err(reason) => Answer::Failed(reason),
            }
        })
        .await
    }

    /// The payout notification: retried until the merchant answers HTTP 2xx
    /// (the documentation asks for nothing more).
    pub async fn payout(&self, url: &str, params: &Params) -> (Answer, u32) {
        self.with_retries(|| async {
            match self.send_once(url, "POST", params).await {
                Ok(_) => Answer::Ok,
                Err(reason) => Answer::Failed(reason),
            }
        })
        .await
    }

    async fn with_retries<F, Fut>(&self, mut attempt_once: F) -> (Answer, u32)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Answer>,
    {
        let mut delay = self.policy.delay;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let answer = attempt_once().await;
            tracing::info!(attempt, ?answer, "notification answered");
            if !matches!(answer, Answer::Failed(_)) || attempt >= self.policy.attempts.max(1) {
                return (answer, attempt);
            }
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2);
        }
    }
}

/// Reads the merchant's XML answer: it must be signed with the merchant's key.
pub fn read_answer(script: &str, key: &SecretKey, body: &str) -> Answer {
    let Ok(message) = xml::parse(body) else {
        return Answer::Failed("the answer is not XML".into());
    };
    if signature::verify(script, &message.params, key).is_err() {
        return Answer::Failed("the answer is not signed with the merchant's key".into());
    }
    let description = message
        .params
        .get_text("pg_description")
        .unwrap_or_default()
        .to_owned();
    match message.params.get_text("pg_status").map(str::trim) {
        Some("ok") => Answer::Ok,
        Some("rejected") => Answer::Rejected(description),
        Some(other) => Answer::Failed(format!("the merchant answered `{other}`: {description}")),
        None => Answer::Failed("the answer has no pg_status".into()),
    }
}
