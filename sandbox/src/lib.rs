//! A local Freedom Pay gateway for tests and demos, driven by the same spec
//! and generated types as the `freedompay` client.
//!
//! It serves the gateway's endpoints at their real paths, checks every
//! request with the generated registry (decode, validate) and the merchant's
//! key, keeps payments, payouts and balances in memory, answers with signed
//! XML, shows a payment page where a payer types a documented test card or
//! phone code, a payout page where a payee types the card to be paid,
//! card-saving pages and the card issuer's 3-D Secure page of the Gateway
//! API, and calls the merchant's check, result and payout URLs signed as the
//! gateway signs them. The Gateway API's server-to-server payments are the
//! Merchant API's payments, in the same store.
//!
//! The JSON families (Async Gateway, Card and Partner APIs, Invoice v5) are
//! served at their paths too, their detached JWS checked with the key of the
//! `auth_id` it names: a merchant's secret key signs every family's calls;
//! an API user of the Card or Partner API ([`ApiUser`], `--card-api`,
//! `--partner`) signs its own API's calls only. Where the documentation
//! describes a flow (Async payments created, read and reversed; Card API
//! request ids, clients and request status) the state decides between the
//! documented answer and the error envelope; every other JSON endpoint
//! answers from the spec.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = freedompay_sandbox::Sandbox::builder().start().await?;
//! let client = freedompay::Client::new(
//!     freedompay::Config::new("12345", "mysecret").host(sandbox.host()),
//! )
//! .expect("a client");
//! # Ok(()) }
//! ```
//!
//! # Layers
//!
//! The modules are layered, and each depends only on the layers below it
//! (and its own): none names, calls or imports a module above it.
//!
//! | Layer | Modules | Holds |
//! |---|---|---|
//! | 0 values | `values`, `merchant`, `config`, `payer`, `rates`, `routes` | the clock, masking, merchant accounts and API users, the config file, what a payer's browser sends, the transfers' exchange rates, which endpoints a path can be |
//! | 1 store | `store` | rows and transactions; a refusal is a `StoreError`, never a gateway code |
//! | 2 operations | `ops` | the business rules of each endpoint (the generated `Handler`), the gateway's `Failure`s; what happened goes out as an `Event` |
//! | 3 notifications | `notify` | the merchant's callbacks: takes the events (result callbacks, payout settlement and notification, with retries), and the check |
//! | 4 pages | `page`, `payout_page`, `token_page`, `acs_page`, `json_api`, `freedom_id`, `debugger_page`, `home_page` | the HTML pages of payers and payees (the Gateway's 3-D Secure page too); the JSON families' front door and the state of their flows; Freedom ID's calls and login pages; the signature debugger; the home page |
//! | 5 gateway | `gateway` | HTTP: routes, CORS for loopback pages, parameters, signatures, the registry's decoding |
//! | 6 wiring | `lib.rs` | the `Sandbox` builder, which starts the notifications and the server |
//!
//! Where a lower layer needs something to happen above it, it reports it
//! instead: the operations put an `Event` in the outbox, and the
//! notification layer, started with the sandbox, takes it. A unit test
//! (`src/layers.rs`) reads the sources and fails when a module names one of
//! a higher layer, when the store names a gateway error code, or when an
//! error code is written by number.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::string_slice
    )
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

mod acs_page;
pub mod config;
mod debugger_page;
mod freedom_id;
mod gateway;
mod home_page;
mod json_api;
#[cfg(test)]
mod layers;
pub mod merchant;
mod notify;
mod ops;
mod page;
pub mod payer;
mod payout_page;
pub mod rates;
mod routes;
pub mod store;
mod token_page;
mod values;

pub use debugger_page::SIGNATURE_DEBUGGER_PATH;
pub use gateway::MAX_REQUEST_BYTES;
pub use json_api::AsyncPayment;
pub use merchant::{ApiFamily, ApiUser, Merchant};
pub use notify::RetryPolicy;
pub use ops::STATEFUL;
pub use rates::Rates;
pub use store::{Payment, PaymentState, Payout, PayoutState};

/// A Markdown table of the endpoints the sandbox simulates ([`STATEFUL`]):
/// their answers come from the sandbox's state. Every other request endpoint
/// of the spec answers from the spec (its documented example answer, with
/// the request's values put in), so adding an endpoint's YAML leaves the
/// table as it is. The README carries it between
/// `<!-- sandbox-endpoints:start -->` and `<!-- sandbox-endpoints:end -->`;
/// a test keeps it current.
pub fn endpoint_table() -> String {
    let mut table = String::from("| Simulated endpoint | Called as |\n|---|---|\n");
    for endpoint in STATEFUL
        .iter()
        .filter_map(|id| freedompay::registry::by_id(id))
    {
        let method = match endpoint.method {
            freedompay::HttpMethod::Get => "GET",
            freedompay::HttpMethod::Post => "POST",
        };
        table.push_str(&format!(
            "| `{}` | `{method} {}` |\n",
            endpoint.id,
            endpoint.path.unwrap_or_default()
        ));
    }
    table
}

/// Configures and starts a sandbox.
#[derive(Debug, Clone)]
pub struct Builder {
    merchants: Vec<Merchant>,
    api_users: Vec<ApiUser>,
    listen: SocketAddr,
    retry: RetryPolicy,
    payout_delay: Duration,
    database: Option<std::path::PathBuf>,
    rates: Rates,
}

/// Entry point: `Sandbox::builder()…start()`, or `Sandbox::start()` for the defaults.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with no merchant yet (the default test merchant is added when
    /// none is given), listening on `127.0.0.1` on a free port.
    pub fn builder() -> Builder {
        Builder {
            merchants: Vec::new(),
            api_users: Vec::new(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            retry: RetryPolicy::default(),
            payout_delay: Duration::from_millis(200),
            database: None,
            rates: Rates::default(),
        }
    }

    /// Starts a sandbox with the defaults: the test merchant `12345` / `mysecret`
    /// on a free loopback port.
    pub async fn start() -> std::io::Result<RunningSandbox> {
        Sandbox::builder().start().await
    }
}

impl Builder {
    /// Adds a merchant account.
    pub fn merchant(mut self, merchant: Merchant) -> Self {
        self.merchants.push(merchant);
        self
    }

    /// Adds an API user of the Card or the Partner API: its key signs that
    /// API's JSON calls, and only those (a merchant's key signs every JSON
    /// family's). Its `auth_id` may be neither a merchant's id nor another
    /// user's of the same API: [`Builder::start`] refuses the sandbox then.
    pub fn api_user(mut self, user: ApiUser) -> Self {
        self.api_users.push(user);
        self
    }

    /// The address to listen on (`127.0.0.1:0` picks a free port).
    pub fn listen(mut self, address: SocketAddr) -> Self {
        self.listen = address;
        self
    }

    /// How check, result and payout notifications are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How long a pending payout stays in process before it settles.
    pub fn payout_delay(mut self, delay: Duration) -> Self {
        self.payout_delay = delay;
        self
    }

    /// The exchange rates of the Gateway's card-to-card transfers
    /// (`g2g/p2p/rates`, and a transfer between two currencies without
    /// `pg_amount_to`); [`Rates::default`] when not set.
    pub fn rates(mut self, rates: Rates) -> Self {
        self.rates = rates;
        self
    }

    /// Keeps the state in the SQLite file at `path` (created when missing):
    /// a restarted sandbox carries on where it stopped, even after `kill -9`.
    pub fn database(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.database = Some(path.into());
        self
    }

    /// Binds the address and serves until the returned handle is shut down
    /// or dropped. An API user whose `auth_id` is a merchant's id or another
    /// user's of the same API is refused ([`std::io::ErrorKind::InvalidInput`]).
    pub async fn start(self) -> std::io::Result<RunningSandbox> {
        self.check_accounts()?;
        let listener = TcpListener::bind(self.listen).await?;
        let address = listener.local_addr()?;
        let base_url = format!("http://{address}");
        let retry = self.retry;
        let payout_delay = self.payout_delay;
        let (app, inbox) = self.app(base_url.clone())?;
        let app = Arc::new(app);
        let notifications = Arc::new(notify::Notifications::new(&app, retry, payout_delay));
        // Ends once the app is gone (the server stopped, the handle dropped),
        // after the events emitted until then.
        notifications.clone().start(inbox);
        let json = Arc::new(json_api::JsonState::default());
        let router = gateway::router(app.clone(), notifications, json.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "the sandbox stopped");
            }
        });
        tracing::info!(%base_url, "sandbox listening");
        Ok(RunningSandbox {
            base_url,
            address,
            app,
            json,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The sandbox's routes without a listener, to drive it in-process (with
    /// `tower::ServiceExt::oneshot`, from a fuzzer): the same gateway, pages
    /// and state as [`Builder::start`], with `base_url` as the sandbox's own
    /// address in the URLs it hands out. Nothing is sent to the merchant:
    /// the events of the operations are dropped, so no check, result or
    /// payout callback is made and a pending payout never settles. The
    /// listening address is not used.
    pub fn router(self, base_url: &str) -> std::io::Result<axum::Router> {
        self.check_accounts()?;
        let retry = self.retry;
        let payout_delay = self.payout_delay;
        // The inbox is dropped here: no notification layer takes the events.
        let (app, _inbox) = self.app(base_url.to_owned())?;
        let app = Arc::new(app);
        let notifications = Arc::new(notify::Notifications::new(&app, retry, payout_delay));
        Ok(gateway::router(app, notifications, Arc::default()))
    }

    /// The merchants, the default test merchant when none is given.
    fn merchants(&self) -> Vec<Merchant> {
        if self.merchants.is_empty() {
            vec![Merchant::default_test()]
        } else {
            self.merchants.clone()
        }
    }

    /// Refuses an API user whose `auth_id` is a merchant's id or another
    /// user's of the same API (the JWS would not say whose key signs). The
    /// error names the `auth_id`, never a key.
    fn check_accounts(&self) -> std::io::Result<()> {
        let merchants = self.merchants();
        for (index, user) in self.api_users.iter().enumerate() {
            let problem = if merchants.iter().any(|m| m.id == user.auth_id) {
                "is also a merchant's id"
            } else if self
                .api_users
                .iter()
                .take(index)
                .any(|u| u.family == user.family && u.auth_id == user.auth_id)
            {
                "is given twice"
            } else {
                continue;
            };
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "the {} user {:?} {problem}",
                    user.family.name(),
                    user.auth_id
                ),
            ));
        }
        Ok(())
    }

    /// The operations' state (the merchants, the API users, the store, the
    /// rates) and their inbox.
    fn app(self, base_url: String) -> std::io::Result<(ops::App, ops::Inbox)> {
        let merchants = self.merchants();
        let balances: Vec<_> = merchants
            .iter()
            .map(|m| (m.id.clone(), m.payout_balance))
            .collect();
        let store = match &self.database {
            Some(path) => store::Store::open(path, balances).map_err(std::io::Error::other)?,
            None => store::Store::new(balances),
        };
        Ok(ops::App::new(
            merchants,
            self.api_users,
            store,
            self.rates,
            base_url,
        ))
    }
}

/// A running sandbox; stops when shut down or dropped.
pub struct RunningSandbox {
    base_url: String,
    address: SocketAddr,
    app: Arc<ops::App>,
    json: Arc<json_api::JsonState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningSandbox {
    /// The base URL (`http://127.0.0.1:PORT`), without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The host to configure a `freedompay::Client` with.
    pub fn host(&self) -> freedompay::Host {
        freedompay::Host::Custom(self.base_url.clone())
    }

    /// A payment as the sandbox holds it.
    pub fn payment(&self, id: i64) -> Option<Payment> {
        self.app.store.payment_any(id)
    }

    /// Every payment a merchant made for an order, oldest first: a retried
    /// request that created one payment, not two, leaves one here.
    pub fn payments_of_order(&self, merchant_id: &str, order_id: &str) -> Vec<Payment> {
        self.app.store.payments_of_order(merchant_id, order_id)
    }

    /// The Async Gateway payment `id` of the API user `auth_id` (a
    /// merchant's id), as the sandbox holds it.
    pub fn async_payment(&self, auth_id: &str, id: &str) -> Option<AsyncPayment> {
        self.json.flows.async_payment(auth_id, id)
    }

    /// The Async Gateway payment `auth_id` made for `order_id`: its id is in
    /// no documented answer, so a test reads it here.
    pub fn async_payment_of_order(&self, auth_id: &str, order_id: &str) -> Option<AsyncPayment> {
        self.json.flows.async_payment_of_order(auth_id, order_id)
    }

    /// A payout as the sandbox holds it.
    pub fn payout(&self, id: i64) -> Option<Payout> {
        self.app.store.payout(id)
    }

    /// A merchant's payout balance.
    pub fn payout_balance(&self, merchant_id: &str) -> rust_decimal::Decimal {
        self.app.store.balance(merchant_id)
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
