//! The HTTP transport: reqwest, over the TLS stack the cargo features chose
//! (see `tls`), on top of the I/O-free core.
//!
//! [`Client::send`] validates, signs and encodes a request with
//! [`freedompay_core::exchange::prepare`], sends the form exactly as signed,
//! and hands the body to [`freedompay_core::exchange::read_response`], which
//! verifies the signature over the XML as received and decodes it.
//!
//! # Transient failures
//!
//! A connection that cannot be made, an answer that does not come in time
//! and a 502, 503 or 504 are retried with exponential backoff and jitter
//! ([`Retry`]), but only where a second copy cannot charge or pay twice
//! ([`freedompay_core::retry`]): a request that never left, a read-only
//! request, and a request carrying its endpoint's idempotency key (set to a
//! fresh UUID by [`Client::prepare`] where the endpoint has the field; every
//! retry resends the same signed body byte for byte). Any other request that
//! may have reached the gateway fails with [`Error::OutcomeUnknown`]: look the
//! payment up by its order id before sending it again.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use freedompay_core::exchange::{self, AnswerSignature, PreparedRequest, Response, ResponseError};
use freedompay_core::hosts::{Server, Site};
use freedompay_core::json::{
    self, BasicCredentials, JsonApi, JsonEndpoint, JsonError, JwsCredentials, PrepareJsonError,
    PreparedJson,
};
use freedompay_core::retry::{Resend, Transient};
use freedompay_core::{Effect, Endpoint, HttpMethod, Redirect, SecretKey, ValidationErrors};

/// Largest response body accepted (1 MiB); the gateway's answers are a few hundred bytes.
///
/// Enforced while the body streams in: reading stops with [`Error::TooLarge`]
/// as soon as the next chunk would pass it, whatever `Content-Length` says.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A site's production host.
    Production(Site),
    /// A site's test host (not documented for Uzbekistan: use [`Host::Custom`]).
    Test(Site),
    /// Any base URL (a sandbox, a proxy), without a trailing `/`.
    Custom(String),
}

impl Host {
    /// The payment API's base URL, or `None` for a test host the
    /// documentation does not give.
    pub fn base_url(&self) -> Option<String> {
        self.base_url_of(Server::Api)
    }

    /// The base URL of `server` on this host: the site's own for a
    /// production or test host, where documented (Freedom ID has a production
    /// host for Kazakhstan only); a custom URL (a sandbox, a proxy) serves
    /// every service.
    pub fn base_url_of(&self, server: Server) -> Option<String> {
        match self {
            Host::Production(site) => server.production(*site).map(str::to_owned),
            Host::Test(site) => server.test(*site).map(str::to_owned),
            Host::Custom(url) => Some(url.trim_end_matches('/').to_owned()),
        }
    }
}

/// The gateway's advice on pacing: 1.5 to 2 seconds between consecutive
/// payment requests, against duplicate transactions and its anti-fraud limits.
/// Pass it to [`Config::pacing`] to follow it.
pub const DOCUMENTED_PACING: Duration = Duration::from_millis(1500);

/// How transient failures are retried: exponential backoff with full jitter,
/// a bounded number of times.
///
/// The delay before retry `n` (from 1) is a random share of
/// `min_delay × 2^(n-1)`, at most `max_delay`. Which requests may be retried
/// at all is decided by [`freedompay_core::retry::Resend`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    max_retries: usize,
    min_delay: Duration,
    max_delay: Duration,
}

impl Retry {
    /// Never retry.
    pub const NONE: Retry = Retry {
        max_retries: 0,
        min_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    };

    /// At most `max_retries` retries after the first attempt, the delays
    /// growing from `min_delay` and never above `max_delay`.
    pub fn new(max_retries: usize, min_delay: Duration, max_delay: Duration) -> Self {
        Retry {
            max_retries,
            min_delay,
            max_delay: max_delay.max(min_delay),
        }
    }

    /// The most retries after the first attempt.
    pub fn max_retries(&self) -> usize {
        self.max_retries
    }

    /// The delays before each retry, in order.
    pub fn delays(&self) -> impl Iterator<Item = Duration> + use<> {
        use backon::BackoffBuilder;
        backon::ExponentialBuilder::new()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_jitter()
            .build()
    }
}

impl Default for Retry {
    /// Three retries, after about 0.2 s, 0.4 s and 0.8 s (jittered), each at most 5 s.
    fn default() -> Self {
        Retry::new(3, Duration::from_millis(200), Duration::from_secs(5))
    }
}

/// Client configuration. Its `Debug` never shows the secret keys.
#[derive(Clone)]
pub struct Config {
    merchant_id: String,
    secret: SecretKey,
    payout_secret: Option<SecretKey>,
    host: Host,
    timeout: Duration,
    connect_timeout: Duration,
    require_signed_answers: bool,
    retry: Retry,
    pacing: Option<Duration>,
    jws: std::collections::BTreeMap<JsonApi, JwsCredentials>,
    freedom_id: Option<BasicCredentials>,
    freedom_id_host: Option<Host>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("merchant_id", &self.merchant_id)
            .field("secret", &self.secret)
            .field("payout_secret", &self.payout_secret)
            .field("host", &self.host)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("require_signed_answers", &self.require_signed_answers)
            .field("retry", &self.retry)
            .field("pacing", &self.pacing)
            .field("jws", &self.jws)
            .field("freedom_id", &self.freedom_id)
            .field("freedom_id_host", &self.freedom_id_host)
            .finish()
    }
}

impl Config {
    /// A configuration for the Kazakhstan production host, 30 s timeout.
    pub fn new(merchant_id: impl Into<String>, secret: impl Into<SecretKey>) -> Self {
        Config {
            merchant_id: merchant_id.into(),
            secret: secret.into(),
            payout_secret: None,
            host: Host::Production(Site::Kz),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            require_signed_answers: false,
            retry: Retry::default(),
            pacing: None,
            jws: std::collections::BTreeMap::new(),
            freedom_id: None,
            freedom_id_host: None,
        }
    }

    /// The API user and key that sign the JSON requests of `api` (its JWS
    /// `auth_id`). Without them, the merchant id and secret key sign them, as
    /// the documentation allows ("the partner's key can be secret_key").
    pub fn jws_credentials(
        mut self,
        api: JsonApi,
        auth_id: impl Into<String>,
        key: impl Into<SecretKey>,
    ) -> Self {
        self.jws.insert(
            api,
            JwsCredentials {
                auth_id: auth_id.into(),
                key: key.into(),
            },
        );
        self
    }

    /// The client id and secret Freedom ID issued to the partner: its calls
    /// (the authorization link, the token exchanges) are authenticated with
    /// them as HTTP Basic credentials. Without them those calls are refused
    /// before anything is sent ([`Error::NoFreedomIdCredentials`]).
    pub fn freedom_id_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretKey>,
    ) -> Self {
        self.freedom_id = Some(BasicCredentials::new(client_id, client_secret));
        self
    }

    /// Where Freedom ID's calls go, when not where [`Config::host`] puts
    /// them: `passport.freedompay.kz` for the Kazakhstan production host,
    /// the custom URL itself for a [`Host::Custom`] (a sandbox serves
    /// Freedom ID's paths too), nowhere documented otherwise.
    pub fn freedom_id_host(mut self, host: Host) -> Self {
        self.freedom_id_host = Some(host);
        self
    }

    /// The credentials the JSON requests of `api` are signed with.
    pub fn credentials_for(&self, api: JsonApi) -> JwsCredentials {
        self.jws
            .get(&api)
            .cloned()
            .unwrap_or_else(|| JwsCredentials {
                auth_id: self.merchant_id.clone(),
                key: self.secret.clone(),
            })
    }

    /// How transient failures are retried ([`Retry::default`] unless set;
    /// [`Retry::NONE`] turns retries off).
    pub fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// Keeps at least `interval` between the starts of consecutive requests
    /// that create or change something ([`Effect::Write`]), across every clone
    /// of the client; read-only requests are not held back. Off by default;
    /// [`DOCUMENTED_PACING`] follows the gateway's advice.
    pub fn pacing(mut self, interval: Duration) -> Self {
        self.pacing = Some(interval);
        self
    }

    /// Sends to `host`.
    pub fn host(mut self, host: Host) -> Self {
        self.host = host;
        self
    }

    /// A separate secret key for payout endpoints (the documentation allows one).
    pub fn payout_secret(mut self, secret: impl Into<SecretKey>) -> Self {
        self.payout_secret = Some(secret.into());
        self
    }

    /// Total time allowed for one request, response body included: an answer
    /// dripped slowly fails with [`Error::Timeout`] once it has passed.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to establish the connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// With `true`, every successful answer must carry a valid `pg_sig`.
    ///
    /// By default an endpoint whose answer the documentation shows without
    /// `pg_salt` and `pg_sig` (`mfs/pay`, `mfs/approve`, `cardstorage/list`:
    /// [`Endpoint::SIGNED_ANSWER`](crate::Endpoint::SIGNED_ANSWER)) may answer unsigned; a
    /// `pg_sig` that is present is checked all the same. Every other endpoint's
    /// answer must always be signed.
    pub fn require_signed_answers(mut self, require: bool) -> Self {
        self.require_signed_answers = require;
        self
    }

    /// Whether the answers of `E` must be signed under this configuration.
    pub fn answer_signature<E: Endpoint>(&self) -> AnswerSignature {
        if self.require_signed_answers {
            AnswerSignature::Required
        } else {
            AnswerSignature::documented::<E>()
        }
    }

    /// The merchant id.
    pub fn merchant_id(&self) -> &str {
        &self.merchant_id
    }

    /// The key requests of `E` are signed with.
    pub fn secret_for<E: Endpoint>(&self) -> &SecretKey {
        match (&self.payout_secret, E::PAYOUT) {
            (Some(payout), true) => payout,
            _ => &self.secret,
        }
    }
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request broke a rule of the spec; nothing was sent.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// The configured host has no URL (the Uzbekistan test host is not documented).
    #[error("no base URL for {0:?}; configure Host::Custom")]
    NoBaseUrl(Host),
    /// Freedom ID has no documented host for the configured one (only
    /// Kazakhstan's production host is documented).
    #[error("no documented Freedom ID host for {0:?}; configure Config::freedom_id_host")]
    NoFreedomIdHost(Host),
    /// A Freedom ID call needs the partner's client credentials, and none
    /// are configured ([`Config::freedom_id_credentials`]); nothing was sent.
    #[error(
        "`{endpoint}` is authenticated with Freedom ID client credentials, and none are configured (Config::freedom_id_credentials); nothing was sent"
    )]
    NoFreedomIdCredentials {
        /// The endpoint's id.
        endpoint: &'static str,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
    /// The TLS stack could not be set up (with `rustls-ring`: no CA
    /// certificate found on the system, say); no client was built.
    #[error("cannot set up TLS: {0}")]
    Tls(Box<dyn std::error::Error + Send + Sync>),
    /// No connection could be made to the gateway: nothing was sent.
    #[error("cannot connect to the gateway (nothing was sent): {0}")]
    Connect(reqwest::Error),
    /// No answer in time.
    #[error("the gateway did not answer within the timeout")]
    Timeout,
    /// The request could not be sent or the answer not read.
    #[error("transport error: {0}")]
    Transport(reqwest::Error),
    /// A request that creates or changes something met a transient failure
    /// after it may have reached the gateway, and was not (or no longer)
    /// retried: the gateway may or may not have acted on it. Look the payment
    /// up by its order id (the status endpoints) before sending it again; a
    /// request with an idempotency key may instead be resent as prepared.
    #[error(
        "the outcome of {endpoint} is unknown after {attempts} attempt(s) ({cause}); \
         check the status{} before sending it again",
        by_order(order_id.as_deref())
    )]
    OutcomeUnknown {
        /// The endpoint's id in the spec.
        endpoint: &'static str,
        /// The request's `pg_order_id`, if it has one.
        order_id: Option<String>,
        /// The request's idempotency key, if it carried one.
        idempotency_key: Option<String>,
        /// How many times the request was sent.
        attempts: u32,
        /// The last failure.
        #[source]
        cause: Box<Error>,
    },
    /// The gateway answered with an HTTP status other than 2xx.
    #[error("the gateway answered HTTP {status}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the body, for debugging.
        body: String,
    },
    /// The answer is larger than [`MAX_RESPONSE_BYTES`].
    #[error("the response is larger than {MAX_RESPONSE_BYTES} bytes")]
    TooLarge,
    /// The answer is not valid UTF-8.
    #[error("the response is not UTF-8 text")]
    NotText,
    /// The answer was malformed, unsigned, forged, an error, or lacked a field.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// A JSON API's answer was not JSON, its error envelope, or not the documented shape.
    #[error(transparent)]
    Json(#[from] JsonError),
}

impl Error {
    /// The gateway's `pg_error_code` and `pg_error_description`, when it reported an error.
    pub fn gateway_error(&self) -> Option<&exchange::GatewayError> {
        match self {
            Error::Response(ResponseError::Gateway(e)) => Some(e),
            _ => None,
        }
    }

    /// The documented meaning of the gateway's error code, when it reported
    /// one; an unsigned error answer is "merchant not identified" whatever its code.
    pub fn error_code(&self) -> Option<crate::errors::ErrorCode> {
        self.gateway_error().map(crate::errors::ErrorCode::of)
    }

    /// The transient failure this error stands for, if sending again may succeed.
    pub fn transient(&self) -> Option<Transient> {
        match self {
            Error::Connect(_) => Some(Transient::NotSent),
            Error::Timeout => Some(Transient::NoAnswer),
            Error::Transport(error) if !error.is_builder() => Some(Transient::NoAnswer),
            Error::Status { status, .. } => Transient::from_status(*status),
            _ => None,
        }
    }
}

fn by_order(order_id: Option<&str>) -> String {
    order_id.map_or_else(String::new, |id| format!(" of order `{id}`"))
}

fn transport(error: reqwest::Error) -> Error {
    if error.is_connect() {
        Error::Connect(error.without_url())
    } else if error.is_timeout() {
        Error::Timeout
    } else {
        Error::Transport(error.without_url())
    }
}

/// What the retry loop knows of the request it sends.
struct Sent {
    endpoint: &'static str,
    effect: Effect,
    resend: Resend,
    order_id: Option<String>,
    idempotency_key: Option<String>,
}

/// Keeps a minimum interval between the starts of consecutive paced requests.
#[derive(Debug)]
struct Pacer {
    interval: Duration,
    last: tokio::sync::Mutex<Option<tokio::time::Instant>>,
}

impl Pacer {
    /// Waits until `interval` has passed since the previous paced request
    /// started, then marks this one as started. Callers queue in turn.
    async fn wait(&self) {
        let mut last = self.last.lock().await;
        if let Some(previous) = *last {
            tokio::time::sleep_until(previous + self.interval).await;
        }
        *last = Some(tokio::time::Instant::now());
    }
}

/// An async Freedom Pay client. Clones share the connection pool and the pacing.
///
/// # Transient failures
///
/// A connection that cannot be made, an answer that does not come in time
/// and a 502, 503 or 504 are retried with exponential backoff and jitter
/// ([`Retry`]), but only where a second copy cannot charge or pay twice
/// ([`freedompay_core::retry`]): a request that never left, a read-only
/// request, and a request carrying its endpoint's idempotency key (set to a
/// fresh UUID by [`Client::prepare`] where the endpoint has the field; every
/// retry resends the same signed body byte for byte). Any other request that
/// may have reached the gateway fails with [`Error::OutcomeUnknown`]: look the
/// payment up by its order id before sending it again.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Config,
    pacer: Option<Arc<Pacer>>,
}

impl Client {
    /// A client for `config`, over the TLS stack of the crate's features.
    ///
    /// ```
    /// use freedompay::{Client, Config};
    ///
    /// let client = Client::new(Config::new("545084", "merchant-secret-key"));
    /// assert!(client.is_ok(), "{client:?}");
    /// ```
    pub fn new(config: Config) -> Result<Self, Error> {
        let builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("freedompay-rs/", env!("CARGO_PKG_VERSION")));
        let http = tls(builder)?.build().map_err(Error::Client)?;
        let pacer = config.pacing.map(|interval| {
            Arc::new(Pacer {
                interval,
                last: tokio::sync::Mutex::new(None),
            })
        });
        Ok(Client {
            http,
            config,
            pacer,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Validates, signs and encodes `request` without sending it.
    ///
    /// Where the endpoint has an idempotency key and the request leaves it
    /// empty, it is set to a fresh random UUID, so that the prepared request
    /// can safely be sent again (by the retries of [`Client::send_prepared`],
    /// or by the caller after [`Error::OutcomeUnknown`]).
    pub fn prepare<E: Endpoint>(&self, request: &E) -> Result<PreparedRequest, Error> {
        let merchant_id = &self.config.merchant_id;
        let secret = self.config.secret_for::<E>();
        let salt = freedompay_core::signature::generate_salt();
        let prepared = match E::IDEMPOTENCY_KEY {
            Some(_) => {
                let key = uuid::Uuid::new_v4().to_string();
                exchange::prepare_idempotent(request, merchant_id, secret, &salt, &key)
            }
            None => exchange::prepare_with_salt(request, merchant_id, secret, &salt),
        };
        Ok(prepared?)
    }

    /// Validates and signs a browser-redirect request (`payment.php`) and returns
    /// the URL to send the payer's browser to; nothing is sent.
    pub fn redirect_url<R: Redirect>(&self, request: &R) -> Result<String, Error> {
        let base = self.base_url_of(R::SERVER)?;
        Ok(exchange::redirect_url(
            request,
            &base,
            &self.config.merchant_id,
            &self.config.secret,
        )?)
    }

    fn base_url(&self) -> Result<String, Error> {
        self.config
            .host
            .base_url()
            .ok_or_else(|| Error::NoBaseUrl(self.config.host.clone()))
    }

    /// The base URL of `server`'s calls.
    fn base_url_of(&self, server: Server) -> Result<String, Error> {
        match server {
            Server::Api => self.base_url(),
            Server::FreedomId => {
                let host = self
                    .config
                    .freedom_id_host
                    .as_ref()
                    .unwrap_or(&self.config.host);
                host.base_url_of(server)
                    .ok_or_else(|| Error::NoFreedomIdHost(host.clone()))
            }
        }
    }

    /// Sends `request` and returns the verified, typed response.
    pub async fn send<E: Endpoint>(&self, request: &E) -> Result<Response<E::Response>, Error> {
        let prepared = self.prepare(request)?;
        self.send_prepared::<E>(&prepared).await
    }

    /// Sends a request prepared by [`Client::prepare`], retrying transient
    /// failures where that cannot act twice (see [`Client`], "Transient failures").
    pub async fn send_prepared<E: Endpoint>(
        &self,
        prepared: &PreparedRequest,
    ) -> Result<Response<E::Response>, Error> {
        let base = self.base_url()?;
        let url = format!("{base}{}", prepared.path);
        let sent = Sent {
            endpoint: E::ID,
            effect: E::EFFECT,
            resend: Resend::of::<E>(prepared),
            order_id: prepared.order_id().map(str::to_owned),
            idempotency_key: prepared.idempotency_key::<E>().map(str::to_owned),
        };
        self.retrying(sent, || self.attempt::<E>(&url, prepared))
            .await
    }

    /// Runs `attempt` until it succeeds, fails for good, or the transient
    /// failures it meets may no longer be retried (see [`Client`]).
    async fn retrying<T, F, Fut>(&self, sent: Sent, mut attempt: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let mut delays = self.config.retry.delays();
        let mut attempts = 0;
        let mut reached = false;
        loop {
            if let (Effect::Write, Some(pacer)) = (sent.effect, &self.pacer) {
                pacer.wait().await;
            }
            attempts += 1;
            let error = match attempt().await {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            let Some(failure) = error.transient() else {
                return Err(error);
            };
            reached |= failure.may_have_reached_gateway();
            if sent.resend.allows(failure)
                && let Some(delay) = delays.next()
            {
                tracing::warn!(
                    endpoint = sent.endpoint,
                    attempt = attempts,
                    ?failure,
                    ?delay,
                    "transient failure; sending the same request again"
                );
                tokio::time::sleep(delay).await;
                continue;
            }
            if reached && sent.resend != Resend::Read {
                return Err(Error::OutcomeUnknown {
                    endpoint: sent.endpoint,
                    order_id: sent.order_id,
                    idempotency_key: sent.idempotency_key,
                    attempts,
                    cause: Box::new(error),
                });
            }
            return Err(error);
        }
    }

    /// Validates, serialises and signs a JSON request with a fresh
    /// `X-Request-Id` (a UUID v7), without sending it.
    pub fn prepare_json<E: JsonEndpoint>(&self, request: &E) -> Result<PreparedJson, Error> {
        let credentials = self.config.credentials_for(E::API);
        let request_id = uuid::Uuid::now_v7().to_string();
        json::prepare_json(
            request,
            &credentials,
            self.config.freedom_id.as_ref(),
            &request_id,
        )
        .map_err(|error| match error {
            PrepareJsonError::Invalid(errors) => Error::Invalid(errors),
            PrepareJsonError::NoBasicCredentials { endpoint } => {
                Error::NoFreedomIdCredentials { endpoint }
            }
        })
    }

    /// Sends a JSON request and returns its typed answer.
    pub async fn send_json<E: JsonEndpoint>(&self, request: &E) -> Result<E::Response, Error> {
        let prepared = self.prepare_json(request)?;
        self.send_prepared_json::<E>(&prepared).await
    }

    /// Sends a JSON request prepared by [`Client::prepare_json`]. Transient
    /// failures are retried with the same body and `X-Request-Id`, which the
    /// gateway answers with the first request's outcome. A Freedom ID call,
    /// which has no request id, is sent again only when it reads.
    pub async fn send_prepared_json<E: JsonEndpoint>(
        &self,
        prepared: &PreparedJson,
    ) -> Result<E::Response, Error> {
        let base = self.base_url_of(prepared.server)?;
        let url = format!("{base}{}", prepared.path);
        let sent = Sent {
            endpoint: E::ID,
            effect: E::EFFECT,
            // The gateway answers a repeated `X-Request-Id` with the first
            // outcome; Freedom ID's calls carry none.
            resend: Resend::new(E::EFFECT, prepared.request_id.is_some()),
            order_id: None,
            idempotency_key: prepared.request_id.clone(),
        };
        self.retrying(sent, || async {
            tracing::debug!(
                endpoint = E::ID,
                path = prepared.path,
                "sending JSON request"
            );
            let mut builder = self.http.post(&url).body(prepared.body.clone());
            for (name, value) in prepared.headers() {
                builder = builder.header(name, value);
            }
            let (status, body) = read_body(builder).await?;
            let success = (200..300).contains(&status);
            match (json::read_json_response::<E::Response>(&body), success) {
                // A refusal in the family's envelope, whatever the status.
                (Err(JsonError::Gateway(error)), _) => Err(Error::Json(JsonError::Gateway(error))),
                (_, false) => Err(Error::Status {
                    status,
                    body: body.chars().take(200).collect(),
                }),
                (result, true) => result.map_err(Error::Json),
            }
        })
        .await
    }

    /// One attempt: sends the prepared body and reads the answer.
    async fn attempt<E: Endpoint>(
        &self,
        url: &str,
        prepared: &PreparedRequest,
    ) -> Result<Response<E::Response>, Error> {
        tracing::debug!(endpoint = E::ID, path = %prepared.path, "sending request");
        let builder = match prepared.method {
            HttpMethod::Post if prepared.multipart => {
                let form = freedompay_core::form::to_pairs(&prepared.params)
                    .into_iter()
                    .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
                        form.text(name, value)
                    });
                self.http.post(url).multipart(form)
            }
            HttpMethod::Post => self
                .http
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(prepared.body.clone()),
            HttpMethod::Get => self.http.get(format!("{url}?{}", prepared.body)),
        };
        let (status, body) = read_body(builder).await?;
        if !(200..300).contains(&status) {
            return Err(Error::Status {
                status,
                body: body.chars().take(200).collect(),
            });
        }
        let result = exchange::read_response_with(
            E::SCRIPT,
            self.config.secret_for::<E>(),
            &body,
            self.config.answer_signature::<E>(),
        );
        tracing::debug!(endpoint = E::ID, ok = result.is_ok(), "response read");
        Ok(result?)
    }
}

/// Sets the TLS stack of the cargo features on `builder`. When several are
/// compiled (features add up across a dependency graph), `native-tls` wins,
/// as it does in reqwest, then `rustls-ring`, then `rustls` (aws-lc-rs).
/// With none, the client speaks plain HTTP only (a sandbox, a local proxy).
fn tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    #[cfg(feature = "native-tls")]
    let builder = builder.tls_backend_native();
    #[cfg(all(feature = "rustls-ring", not(feature = "native-tls")))]
    let builder = rustls_ring(builder)?;
    Ok(builder)
}

/// rustls with the ring provider, for this client only: reqwest's
/// `rustls-no-provider` would otherwise take the process's default provider,
/// which a library has no business installing. Verifies certificates as
/// reqwest's own rustls does: with the platform's verifier, over TLS 1.2 and
/// 1.3, HTTP/1.1 offered by ALPN.
#[cfg(all(feature = "rustls-ring", not(feature = "native-tls")))]
fn rustls_ring(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|config| config.with_platform_verifier())
        .map_err(|error| Error::Tls(Box::new(error)))?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(config))
}

/// Sends `builder` and reads the whole answer as text, at most
/// [`MAX_RESPONSE_BYTES`], within the client's total timeout.
async fn read_body(builder: reqwest::RequestBuilder) -> Result<(u16, String), Error> {
    let mut response = builder.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(Error::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let body = String::from_utf8(body).map_err(|_| Error::NotText)?;
    Ok((status, body))
}
