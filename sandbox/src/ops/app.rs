//! The state the operations work on, the addresses of the sandbox's own
//! pages they hand out, and the outbox where they report what happened.
//!
//! The operations never call the layers above them: when a payment finishes
//! or a payout is made they put an [`Event`] in the outbox, and the
//! notification layer, which owns the receiving end, sends the merchant's
//! callbacks.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::merchant::{ApiFamily, ApiUser, Merchant};
use crate::rates::Rates;
use crate::store::{Payment, Store};

/// Shared by every operation and page: the merchants, the API users, the
/// store, the exchange rates, the sandbox's own address and the outbox.
pub(crate) struct App {
    /// The merchants the sandbox knows, by id.
    pub merchants: Arc<BTreeMap<String, Merchant>>,
    /// The Card and Partner API users, by API and `auth_id`.
    pub api_users: BTreeMap<(ApiFamily, String), ApiUser>,
    /// The sandbox's state.
    pub store: Arc<Store>,
    /// The exchange rates of the Gateway's transfers.
    pub rates: Rates,
    /// `http://HOST:PORT`, without a trailing `/`.
    pub base_url: String,
    outbox: mpsc::UnboundedSender<Event>,
}

/// What happened that the merchant is told about. Emitted once the change
/// is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// A payment finished (paid, held or failed): its result callback, of
    /// the payment as it was stored then, is due.
    PaymentFinished(Box<Payment>),
    /// A payout was made (or failed, or its payout page expired), by id: it
    /// settles when pending, then its notification is due.
    PayoutMade(i64),
}

/// The receiving end of the outbox: every [`Event`] the operations and pages
/// emit, in order. It ends once the [`App`] is gone.
pub(crate) type Inbox = mpsc::UnboundedReceiver<Event>;

impl App {
    /// The operations' state, and the inbox where their events arrive.
    pub fn new(
        merchants: impl IntoIterator<Item = Merchant>,
        api_users: impl IntoIterator<Item = ApiUser>,
        store: Store,
        rates: Rates,
        base_url: String,
    ) -> (Self, Inbox) {
        let (outbox, inbox) = mpsc::unbounded_channel();
        let app = App {
            merchants: Arc::new(merchants.into_iter().map(|m| (m.id.clone(), m)).collect()),
            api_users: api_users
                .into_iter()
                .map(|user| ((user.family, user.auth_id.clone()), user))
                .collect(),
            store: Arc::new(store),
            rates,
            base_url,
            outbox,
        };
        (app, inbox)
    }

    /// A merchant, by id.
    pub fn merchant(&self, id: &str) -> Option<&Merchant> {
        self.merchants.get(id)
    }

    /// The API user `auth_id` of `family`.
    pub fn api_user(&self, family: ApiFamily, auth_id: &str) -> Option<&ApiUser> {
        self.api_users.get(&(family, auth_id.to_owned()))
    }

    /// The APIs whose user `auth_id` is, in order (empty when none).
    pub fn api_user_families(&self, auth_id: &str) -> Vec<ApiFamily> {
        self.api_users
            .values()
            .filter(|user| user.auth_id == auth_id)
            .map(|user| user.family)
            .collect()
    }

    /// Reports `event` to whoever takes the inbox (no one once the sandbox
    /// has stopped: the event is then dropped).
    pub fn emit(&self, event: Event) {
        if let Err(unsent) = self.outbox.send(event) {
            tracing::debug!(event = ?unsent.0, "the sandbox has stopped: event dropped");
        }
    }

    /// The address of `page` for the payment, payout or session `id`.
    pub fn page_url(&self, page: Page, id: i64) -> String {
        format!("{}{}/{id}", self.base_url, page.path())
    }
}

/// The sandbox's own pages, which the operations send payers and payees to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page {
    /// The payment page (`pg_redirect_url` of a payment).
    Payment,
    /// The page that saves a card (`cardstorage/add`).
    Card,
    /// The CVC page of a payment with a saved card (`card/pay`).
    Token,
    /// The payout page (`api/reg2nonreg`).
    Payout,
    /// The page that saves a card for payouts (`cardstorage/add2`).
    PayoutCard,
    /// The card issuer's 3-D Secure page of the Gateway API (`pg_3d_acsurl`).
    Acs,
}

impl Page {
    /// The page's path, to which its id is appended.
    pub fn path(self) -> &'static str {
        match self {
            Page::Payment => "/sandbox/pay",
            Page::Card => "/sandbox/card",
            Page::Token => "/sandbox/token",
            Page::Payout => "/sandbox/payout",
            Page::PayoutCard => "/sandbox/payout-card",
            Page::Acs => "/sandbox/acs",
        }
    }
}
