//! The HTTP transport: reqwest (rustls) on top of the I/O-free core.
//!
//! [`Client::send`] validates, signs and encodes a request with
//! [`freedompay_core::exchange::prepare`], sends the form exactly as signed,
//! and hands the body to [`freedompay_core::exchange::read_response`], which
//! verifies the signature over the XML as received and decodes it.

use std::fmt;
use std::time::Duration;

use freedompay_core::exchange::{self, AnswerSignature, PreparedRequest, Response, ResponseError};
use freedompay_core::hosts::Site;
use freedompay_core::{Endpoint, HttpMethod, Redirect, SecretKey, ValidationErrors};

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
    /// The base URL, or `None` for a test host the documentation does not give.
    pub fn base_url(&self) -> Option<String> {
        match self {
            Host::Production(site) => Some(site.production().to_owned()),
            Host::Test(site) => site.test().map(str::to_owned),
            Host::Custom(url) => Some(url.trim_end_matches('/').to_owned()),
        }
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
        }
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
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
    /// No answer in time.
    #[error("the gateway did not answer within the timeout")]
    Timeout,
    /// The request could not be sent or the answer not read.
    #[error("transport error: {0}")]
    Transport(reqwest::Error),
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
}

fn transport(error: reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Timeout
    } else {
        Error::Transport(error.without_url())
    }
}

/// An async Freedom Pay client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Config,
}

impl Client {
    /// A client for `config`.
    pub fn new(config: Config) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("freedompay-rs/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::Client)?;
        Ok(Client { http, config })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Validates, signs and encodes `request` without sending it.
    pub fn prepare<E: Endpoint>(&self, request: &E) -> Result<PreparedRequest, Error> {
        Ok(exchange::prepare(
            request,
            &self.config.merchant_id,
            self.config.secret_for::<E>(),
        )?)
    }

    /// Validates and signs a browser-redirect request (`payment.php`) and returns
    /// the URL to send the payer's browser to; nothing is sent.
    pub fn redirect_url<R: Redirect>(&self, request: &R) -> Result<String, Error> {
        let base = self.base_url()?;
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

    /// Sends `request` and returns the verified, typed response.
    pub async fn send<E: Endpoint>(&self, request: &E) -> Result<Response<E::Response>, Error> {
        let prepared = self.prepare(request)?;
        self.send_prepared::<E>(&prepared).await
    }

    /// Sends a request prepared by [`Client::prepare`].
    pub async fn send_prepared<E: Endpoint>(
        &self,
        prepared: &PreparedRequest,
    ) -> Result<Response<E::Response>, Error> {
        let base = self.base_url()?;
        let url = format!("{base}{}", prepared.path);
        tracing::debug!(endpoint = E::ID, path = %prepared.path, "sending request");
        let builder = match prepared.method {
            HttpMethod::Post => self
                .http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(prepared.body.clone()),
            HttpMethod::Get => self.http.get(format!("{url}?{}", prepared.body)),
        };
        let mut response = builder.send().await.map_err(transport)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(Error::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body).map_err(|_| Error::NotText)?;
        if !status.is_success() {
            return Err(Error::Status {
                status: status.as_u16(),
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
