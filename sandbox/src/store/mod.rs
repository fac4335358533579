//! The sandbox's state: payments, payouts, payout balances, saved cards,
//! recurring profiles, 3-D Secure sessions, transfers and idempotency keys,
//! behind one lock. Every change
//! goes through a method here, so a payment moves only along its documented
//! lifecycle. This is the bottom layer: it knows rows and transactions, not
//! the gateway's error codes (a refusal is a [`StoreError`]).
//!
//! With `--db` every change is written to SQLite before it takes effect.
//! Each submodule keeps the records of one kind: it creates their tables
//! when missing (so older databases open as they are) and reads them back
//! when the file is opened.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use freedompay::Amount;
use rust_decimal::Decimal;
use serde::Serialize;

mod acs;
mod cards;
mod payments;
mod payouts;
mod recurring;
mod transfers;

pub use acs::{AcsKind, AcsPurpose, AcsSession, AcsStep};
pub use cards::{CardSession, PayoutCardSession, SavedCard};
pub use payments::{AmountRange, Method, Payment, PaymentState, Refund, Urls};
pub use payouts::{Payout, PayoutDestination, PayoutState};
pub use recurring::{AtmOperation, RecurringProfile};
pub use transfers::{Transfer, TransferState};

/// Amounts are stored as their canonical text.
mod amount_text {
    use freedompay::Amount;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(amount: &Amount, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(amount)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Amount, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Why the store refused a change or could not make it; nothing changed.
/// It names no gateway error code: the operations answer each with theirs.
/// Its text is the description the gateway's answer carries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// What the change names is not there (or not the merchant's, or no
    /// longer open).
    #[error("{0}")]
    NotFound(Missing),
    /// The merchant used the idempotency key before, for another request.
    #[error("this idempotency key was already used for a different request")]
    IdempotencyKeyReused,
    /// The merchant's payout balance is lower than the payout's amount.
    #[error("insufficient funds on the payout balance")]
    InsufficientBalance,
    /// The merchant used the order id before for a cash-by-code operation.
    #[error("the order id {0} was already used for a cash-by-code operation")]
    OrderIdTaken(String),
    /// The payout page's payout was already made (or expired).
    #[error("the payout has already been made")]
    AlreadyDone,
    /// The database refused the write (the reason is logged).
    #[error("the change could not be stored: {0}")]
    NotStored(String),
}

/// What a change named that the store does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// A payment, by id.
    Payment(i64),
    /// A payout, by id.
    Payout(i64),
    /// A card-storage session, by id.
    CardSession(i64),
    /// An open session of the page that saves a card for payouts, by id.
    OpenPayoutCardSession(i64),
    /// A saved card of the user, not removed, by token.
    SavedCard(String),
    /// The 3-D Secure session of an operation, by the operation's id.
    AcsSession(i64),
    /// A transfer, by id.
    Transfer(i64),
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::Payment(id) => write!(f, "payment {id} not found"),
            Missing::Payout(_) => f.write_str("payout not found"),
            Missing::CardSession(_) => f.write_str("no such card session"),
            Missing::OpenPayoutCardSession(_) => f.write_str("no open card session"),
            Missing::SavedCard(_) => f.write_str("no such saved card for this user"),
            Missing::AcsSession(_) => f.write_str("no 3-D Secure session for this operation"),
            Missing::Transfer(_) => f.write_str("transfer not found"),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    next_id: i64,
    payments: BTreeMap<i64, Payment>,
    payouts: BTreeMap<i64, Payout>,
    balances: BTreeMap<String, Decimal>,
    /// (merchant, key) → (request fingerprint, payment id).
    idempotency: BTreeMap<(String, String), (String, i64)>,
    cards: BTreeMap<String, SavedCard>,
    card_sessions: BTreeMap<i64, CardSession>,
    /// Cards saved for payouts (`cardstorage/add2`), by token.
    payout_cards: BTreeMap<String, SavedCard>,
    /// Sessions of the page that saves a card for payouts.
    payout_card_sessions: BTreeMap<i64, PayoutCardSession>,
    /// Recurring profiles, by id.
    recurring_profiles: BTreeMap<i64, RecurringProfile>,
    /// Cash-by-code orders (ATM), by id.
    atm_operations: BTreeMap<i64, AtmOperation>,
    /// 3-D Secure sessions of the ACS page, by the id of their operation.
    acs_sessions: BTreeMap<i64, AcsSession>,
    /// Card-to-card transfers, by id.
    transfers: BTreeMap<i64, Transfer>,
}

struct Inner {
    state: State,
    /// Where every change is written before it takes effect, with `--db`.
    db: Option<rusqlite::Connection>,
}

/// The sandbox's state: in memory, and in a SQLite file when opened with one.
pub struct Store {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// Ids start here, so they look like the gateway's and never collide with small test numbers.
const FIRST_ID: i64 = 1_000_001;

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
#[error("sandbox database: {0}")]
pub struct DbError(String);

impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> Self {
        DbError(error.to_string())
    }
}

impl From<serde_json::Error> for DbError {
    fn from(error: serde_json::Error) -> Self {
        DbError(error.to_string())
    }
}

/// Set on every connection before the tables are created.
const PRAGMAS: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
";

fn save_json(
    db: &rusqlite::Connection,
    table: &str,
    key: &dyn rusqlite::ToSql,
    body: &impl Serialize,
) -> Result<(), DbError> {
    // Saved cards are kept by their token, everything else by its id.
    let column = if matches!(table, "cards" | "payout_cards") {
        "token"
    } else {
        "id"
    };
    db.execute(
        &format!(
            "INSERT INTO {table} ({column}, body) VALUES (?1, ?2) ON CONFLICT({column}) DO UPDATE SET body = excluded.body"
        ),
        rusqlite::params![key, serde_json::to_string(body)?],
    )?;
    Ok(())
}

/// Runs `writes` in one transaction.
fn in_transaction(
    db: &mut rusqlite::Connection,
    writes: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let tx = db.transaction()?;
    writes(&tx)?;
    tx.commit()?;
    Ok(())
}

fn stored(error: DbError) -> StoreError {
    tracing::error!(%error, "the change was not stored");
    StoreError::NotStored(error.0)
}

impl Store {
    /// An empty in-memory store; `balances` are the merchants' starting payout balances.
    pub fn new(balances: impl IntoIterator<Item = (String, Amount)>) -> Self {
        Store {
            inner: Mutex::new(Inner {
                state: State {
                    next_id: FIRST_ID,
                    balances: balances
                        .into_iter()
                        .map(|(id, amount)| (id, amount.as_decimal()))
                        .collect(),
                    ..State::default()
                },
                db: None,
            }),
        }
    }

    /// A store kept in the SQLite file at `path`: what it holds is loaded,
    /// and every change is written (in one transaction) before it takes
    /// effect, so a killed sandbox restarts where it was. Merchants without a
    /// stored balance start with theirs from `balances`.
    pub fn open(
        path: &Path,
        balances: impl IntoIterator<Item = (String, Amount)>,
    ) -> Result<Self, DbError> {
        let mut db = rusqlite::Connection::open(path)?;
        db.execute_batch(PRAGMAS)?;
        let mut state = State {
            next_id: FIRST_ID,
            ..State::default()
        };
        payments::load(&db, &mut state)?;
        payouts::load(&db, &mut state)?;
        cards::load(&db, &mut state)?;
        recurring::load(&db, &mut state)?;
        acs::load(&db, &mut state)?;
        transfers::load(&db, &mut state)?;
        // Ids are never reused: the next one follows every id stored.
        let highest = state
            .payments
            .values()
            .flat_map(|p| std::iter::once(p.id).chain(p.refunds.iter().map(|r| r.id)))
            .chain(state.payouts.keys().copied())
            .chain(state.card_sessions.keys().copied())
            .chain(state.payout_card_sessions.keys().copied())
            .chain(state.recurring_profiles.keys().copied())
            .chain(state.atm_operations.keys().copied())
            .chain(state.acs_sessions.keys().copied())
            .chain(state.transfers.keys().copied())
            .max();
        if let Some(highest) = highest {
            state.next_id = state.next_id.max(highest + 1);
        }
        payouts::add_missing_balances(&mut db, &mut state, balances)?;
        Ok(Store {
            inner: Mutex::new(Inner {
                state,
                db: Some(db),
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every change below is stored and then applied in one assignment, so
        // a panic while holding the lock leaves no half-made change behind.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A fresh id for a payment, payout or refund.
    pub fn next_id(&self) -> i64 {
        let mut inner = self.lock();
        let id = inner.state.next_id;
        inner.state.next_id += 1;
        id
    }
}
