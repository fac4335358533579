//! The sandbox's state: payments, payouts, payout balances and idempotency
//! keys, behind one lock. Every change goes through a method here, so a
//! payment moves only along its documented lifecycle.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use freedompay::Amount;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

mod payouts;
pub use payouts::{PayoutCardSession, PayoutDestination};

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

/// Where a payment is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentState {
    /// Created; waiting for the payer on the payment page.
    New,
    /// Mobile balance: the subscriber was sent a code; waiting for Approve.
    AwaitingCode {
        /// The code that approves the debit.
        code: String,
        /// Wrong codes entered so far.
        attempts: u32,
    },
    /// The card needs 3-D Secure: waiting for the payer's password on the
    /// issuer's page.
    AwaitingThreeDs {
        /// Wrong passwords entered so far.
        attempts: u32,
    },
    /// Authorised and held (`pg_auto_clearing=0`); waiting for clearing or cancel.
    Held,
    /// Paid: the captured amount was debited.
    Paid,
    /// Declined or refused; never paid.
    Failed {
        /// The error code.
        code: i64,
        /// Its description.
        description: String,
    },
    /// A held payment that was cancelled (reversed).
    Cancelled,
}

impl PaymentState {
    /// The `pg_payment_status` a status call reports.
    pub fn wire(&self) -> &'static str {
        match self {
            PaymentState::New
            | PaymentState::AwaitingCode { .. }
            | PaymentState::AwaitingThreeDs { .. } => "new",
            PaymentState::Held | PaymentState::Paid => "success",
            PaymentState::Failed { .. } => "error",
            PaymentState::Cancelled => "revoked",
        }
    }
}

/// How the payer pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// A bank card on the payment page.
    Card,
    /// The balance of a mobile phone.
    MobileBalance,
    /// A saved card, by its token (`card/init` then `card/direct`).
    Token {
        /// The card token.
        token: String,
    },
}

/// Where the gateway calls the merchant back, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Urls {
    /// `pg_check_url`.
    pub check: Option<String>,
    /// `pg_result_url`.
    pub result: Option<String>,
    /// `pg_success_url`.
    pub success: Option<String>,
    /// `pg_failure_url`.
    pub failure: Option<String>,
    /// `pg_request_method` for check and result (`GET`, `POST`, `XML`).
    pub request_method: Option<String>,
    /// `pg_success_url_method`.
    pub success_method: Option<String>,
    /// `pg_failure_url_method`.
    pub failure_method: Option<String>,
}

/// One refund of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// The refund's own id.
    pub id: i64,
    /// The refunded amount.
    #[serde(with = "amount_text")]
    pub amount: Amount,
}

/// A payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// `pg_payment_id`.
    pub id: i64,
    /// The merchant.
    pub merchant_id: String,
    /// `pg_order_id` (the payment id when the merchant sent none).
    pub order_id: String,
    /// `pg_amount`; with [`Payment::amount_range`], what the payer chose.
    #[serde(with = "amount_text")]
    pub amount: Amount,
    /// Any amount (`any_amount.php`): the bounds of the amount the payer
    /// chooses on the page, until they chose it.
    #[serde(default)]
    pub amount_range: Option<AmountRange>,
    /// `pg_currency`.
    pub currency: String,
    /// `pg_description`.
    pub description: String,
    /// Card or mobile balance.
    pub method: Method,
    /// Whether the authorisation is captured at once (`pg_auto_clearing`, default 1).
    pub auto_clearing: bool,
    /// `pg_testing_mode`.
    pub testing: bool,
    /// The lifecycle state.
    pub state: PaymentState,
    /// The captured (cleared) amount.
    #[serde(with = "amount_text")]
    pub captured: Amount,
    /// Refunds, in order.
    pub refunds: Vec<Refund>,
    /// Callback and redirect URLs.
    pub urls: Urls,
    /// Merchant parameters (names without `pg_`), forwarded to check and result.
    pub merchant_params: Vec<(String, String)>,
    /// The payer's phone (mobile balance).
    pub phone: Option<String>,
    /// The masked card number, once paid by card.
    pub card_pan: Option<String>,
    /// When the payment was created (RFC 3339).
    pub created_at: String,
    /// When it was paid or failed (RFC 3339).
    pub paid_at: Option<String>,
}

/// The amounts a payer may choose for an any-amount payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountRange {
    /// `pg_amount_interval_from` (at least 0.01 when not given).
    pub from: Decimal,
    /// `pg_amount_interval_to`, when given.
    pub to: Option<Decimal>,
}

impl AmountRange {
    /// Whether `amount` lies within the range.
    pub fn contains(&self, amount: Decimal) -> bool {
        amount >= self.from && self.to.is_none_or(|to| amount <= to)
    }
}

impl Payment {
    /// A new payment of `amount` in KZT for `merchant_id`, waiting for the
    /// payer, charged at once when paid, with no callback URLs: the fields a
    /// request does not set.
    pub fn new(
        id: i64,
        merchant_id: &str,
        order_id: String,
        amount: Amount,
        description: String,
        method: Method,
    ) -> Self {
        Payment {
            id,
            merchant_id: merchant_id.to_owned(),
            order_id,
            amount,
            amount_range: None,
            currency: "KZT".to_owned(),
            description,
            method,
            auto_clearing: true,
            testing: false,
            state: PaymentState::New,
            captured: Amount::from_minor(0),
            refunds: Vec::new(),
            urls: Urls::default(),
            merchant_params: Vec::new(),
            phone: None,
            card_pan: None,
            created_at: crate::values::now(),
            paid_at: None,
        }
    }

    /// The amount refunded so far.
    pub fn refunded(&self) -> Decimal {
        self.refunds.iter().map(|r| r.amount.as_decimal()).sum()
    }
}

/// A payout to a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    /// `pg_payment_id`.
    pub id: i64,
    /// The merchant.
    pub merchant_id: String,
    /// `pg_order_id`.
    pub order_id: String,
    /// The amount paid out.
    #[serde(with = "amount_text")]
    pub amount: Amount,
    /// The masked card number.
    pub card_hash: String,
    /// Final or pending outcome.
    pub state: PayoutState,
    /// `pg_post_link`.
    pub post_link: Option<String>,
    /// When it was made.
    pub created_at: String,
    /// Where the money goes (a card number for payouts stored before destinations were kept).
    #[serde(default)]
    pub destination: PayoutDestination,
}

/// Where a payout is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayoutState {
    /// In process; becomes the final state after the notification delay.
    Pending {
        /// The state it turns into.
        then: Box<PayoutState>,
    },
    /// Paid out.
    Success,
    /// Failed with an error code (the amount went back to the balance).
    Failed {
        /// The error code.
        code: i64,
    },
    /// Registered by the payout page (`api/reg2nonreg`); waiting for the
    /// payee to type a card. Nothing is debited yet.
    AwaitingPayee,
}

/// A card saved in card storage. `Debug` shows the masked number only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCard {
    /// `pg_card_token`.
    pub token: String,
    /// The merchant.
    pub merchant_id: String,
    /// The merchant's user (`pg_user_id`).
    pub user_id: String,
    /// The masked number.
    pub card_hash: String,
    /// The test card it was saved from (decides how charges end).
    pub test_card: String,
    /// Removed from storage.
    pub deleted: bool,
    /// When it was saved.
    pub created_at: String,
}

impl SavedCard {
    /// The card `number` a payer typed, saved for `user_id` of `merchant_id`
    /// under a fresh token that starts with `token_prefix`.
    pub fn typed(token_prefix: &str, merchant_id: &str, user_id: &str, number: String) -> Self {
        SavedCard {
            token: format!("{token_prefix}{}", freedompay::signature::generate_salt()),
            merchant_id: merchant_id.to_owned(),
            user_id: user_id.to_owned(),
            card_hash: crate::values::mask(&number),
            test_card: number,
            deleted: false,
            created_at: crate::values::now(),
        }
    }
}

impl std::fmt::Debug for SavedCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SavedCard")
            .field("token", &self.token)
            .field("merchant_id", &self.merchant_id)
            .field("user_id", &self.user_id)
            .field("card_hash", &self.card_hash)
            .field("deleted", &self.deleted)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// A card-storage session: the payer types a card on the sandbox's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSession {
    /// The session's `pg_payment_id`.
    pub id: i64,
    /// The merchant.
    pub merchant_id: String,
    /// The merchant's user.
    pub user_id: String,
    /// Where the payer goes back (`pg_back_link`).
    pub back_link: String,
    /// The saved card's token, once done.
    pub token: Option<String>,
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
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::Payment(id) => write!(f, "payment {id} not found"),
            Missing::Payout(_) => f.write_str("payout not found"),
            Missing::CardSession(_) => f.write_str("no such card session"),
            Missing::OpenPayoutCardSession(_) => f.write_str("no open card session"),
            Missing::SavedCard(_) => f.write_str("no such saved card for this user"),
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

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    CREATE TABLE IF NOT EXISTS payments (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS payouts (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS cards (token TEXT PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS card_sessions (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS balances (merchant TEXT PRIMARY KEY, amount TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS idempotency (
        merchant TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, payment_id INTEGER NOT NULL,
        PRIMARY KEY (merchant, key)
    );
";

fn save_payment(db: &rusqlite::Connection, payment: &Payment) -> Result<(), DbError> {
    save_json(db, "payments", &payment.id, payment)
}

fn save_payout(db: &rusqlite::Connection, payout: &Payout) -> Result<(), DbError> {
    save_json(db, "payouts", &payout.id, payout)
}

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

/// Marks a user's card among `cards` (stored in `table`) as removed.
fn remove_saved_card(
    cards: &mut BTreeMap<String, SavedCard>,
    db: Option<&rusqlite::Connection>,
    table: &str,
    merchant_id: &str,
    user_id: &str,
    token: &str,
) -> Result<SavedCard, StoreError> {
    let Some(mut card) = cards
        .get(token)
        .filter(|c| c.merchant_id == merchant_id && c.user_id == user_id && !c.deleted)
        .cloned()
    else {
        return Err(StoreError::NotFound(Missing::SavedCard(token.to_owned())));
    };
    card.deleted = true;
    if let Some(db) = db {
        save_json(db, table, &card.token, &card).map_err(stored)?;
    }
    cards.insert(card.token.clone(), card.clone());
    Ok(card)
}

fn save_balance(db: &rusqlite::Connection, merchant: &str, amount: Decimal) -> Result<(), DbError> {
    db.execute(
        "INSERT INTO balances (merchant, amount) VALUES (?1, ?2) ON CONFLICT(merchant) DO UPDATE SET amount = excluded.amount",
        rusqlite::params![merchant, amount.to_string()],
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
        db.execute_batch(SCHEMA)?;
        db.execute_batch(payouts::SCHEMA)?;
        let mut state = State {
            next_id: FIRST_ID,
            ..State::default()
        };
        {
            let mut rows = db.prepare("SELECT body FROM payments")?;
            for body in rows.query_map([], |row| row.get::<_, String>(0))? {
                let payment: Payment = serde_json::from_str(&body?)?;
                state.payments.insert(payment.id, payment);
            }
            let mut rows = db.prepare("SELECT body FROM payouts")?;
            for body in rows.query_map([], |row| row.get::<_, String>(0))? {
                let payout: Payout = serde_json::from_str(&body?)?;
                state.payouts.insert(payout.id, payout);
            }
            let mut rows = db.prepare("SELECT body FROM cards")?;
            for body in rows.query_map([], |row| row.get::<_, String>(0))? {
                let card: SavedCard = serde_json::from_str(&body?)?;
                state.cards.insert(card.token.clone(), card);
            }
            let mut rows = db.prepare("SELECT body FROM card_sessions")?;
            for body in rows.query_map([], |row| row.get::<_, String>(0))? {
                let session: CardSession = serde_json::from_str(&body?)?;
                state.card_sessions.insert(session.id, session);
            }
            let mut rows = db.prepare("SELECT merchant, amount FROM balances")?;
            for row in rows.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })? {
                let (merchant, amount) = row?;
                let amount = amount
                    .parse()
                    .map_err(|_| DbError(format!("bad balance {amount}")))?;
                state.balances.insert(merchant, amount);
            }
            let mut rows =
                db.prepare("SELECT merchant, key, fingerprint, payment_id FROM idempotency")?;
            for row in rows.query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                ))
            })? {
                let (merchant, key, fingerprint, id) = row?;
                state.idempotency.insert((merchant, key), (fingerprint, id));
            }
        }
        payouts::load(&db, &mut state)?;
        load_more_payments(&db, &mut state)?;
        // Ids are never reused: the next one follows every id stored.
        let highest = state
            .payments
            .values()
            .flat_map(|p| std::iter::once(p.id).chain(p.refunds.iter().map(|r| r.id)))
            .chain(state.payouts.keys().copied())
            .chain(state.card_sessions.keys().copied())
            .chain(state.payout_card_sessions.keys().copied())
            .max();
        if let Some(highest) = highest {
            state.next_id = state.next_id.max(highest + 1);
        }
        let missing: Vec<(String, Decimal)> = balances
            .into_iter()
            .filter(|(merchant, _)| !state.balances.contains_key(merchant))
            .map(|(merchant, amount)| (merchant, amount.as_decimal()))
            .collect();
        in_transaction(&mut db, |tx| {
            missing
                .iter()
                .try_for_each(|(merchant, amount)| save_balance(tx, merchant, *amount))
        })?;
        state.balances.extend(missing);
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

    /// Stores a new payment, honouring an idempotency key: the same key with
    /// the same request gives the payment made the first time; with another
    /// request it is an error.
    pub fn create_payment(
        &self,
        payment: Payment,
        idempotency: Option<(String, String)>,
    ) -> Result<Payment, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        if let Some((key, fingerprint)) = &idempotency {
            let slot = (payment.merchant_id.clone(), key.clone());
            if let Some((seen, id)) = state.idempotency.get(&slot) {
                if seen == fingerprint
                    && let Some(existing) = state.payments.get(id)
                {
                    return Ok(existing.clone());
                }
                return Err(StoreError::IdempotencyKeyReused);
            }
        }
        if let Some(db) = db {
            in_transaction(db, |tx| {
                save_payment(tx, &payment)?;
                if let Some((key, fingerprint)) = &idempotency {
                    tx.execute(
                        "INSERT INTO idempotency (merchant, key, fingerprint, payment_id) VALUES (?1, ?2, ?3, ?4)",
                        rusqlite::params![payment.merchant_id, key, fingerprint, payment.id],
                    )?;
                }
                Ok(())
            })
            .map_err(stored)?;
        }
        if let Some((key, fingerprint)) = idempotency {
            state.idempotency.insert(
                (payment.merchant_id.clone(), key),
                (fingerprint, payment.id),
            );
        }
        state.payments.insert(payment.id, payment.clone());
        Ok(payment)
    }

    /// A copy of a payment of `merchant_id`.
    pub fn payment(&self, merchant_id: &str, id: i64) -> Option<Payment> {
        self.lock()
            .state
            .payments
            .get(&id)
            .filter(|p| p.merchant_id == merchant_id)
            .cloned()
    }

    /// A copy of a payment, whoever its merchant.
    pub fn payment_any(&self, id: i64) -> Option<Payment> {
        self.lock().state.payments.get(&id).cloned()
    }

    /// Applies `change` to a payment of `merchant_id` (any merchant when
    /// `None`) and returns the result; the change is stored only when it
    /// succeeds. `change` fails with the caller's own error type, which
    /// takes the store's errors too.
    pub fn update_payment<T, E: From<StoreError>>(
        &self,
        merchant_id: Option<&str>,
        id: i64,
        change: impl FnOnce(&mut Payment) -> Result<T, E>,
    ) -> Result<(Payment, T), E> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let Some(current) = state
            .payments
            .get(&id)
            .filter(|p| merchant_id.is_none_or(|m| p.merchant_id == m))
        else {
            return Err(StoreError::NotFound(Missing::Payment(id)).into());
        };
        let mut updated = current.clone();
        let out = change(&mut updated)?;
        if let Some(db) = db {
            save_payment(db, &updated).map_err(stored)?;
        }
        state.payments.insert(id, updated.clone());
        Ok((updated, out))
    }

    /// A merchant's payout balance.
    pub fn balance(&self, merchant_id: &str) -> Decimal {
        self.lock()
            .state
            .balances
            .get(merchant_id)
            .copied()
            .unwrap_or_default()
    }

    /// Debits the balance and stores the payout; fails without a change when
    /// the balance is too low.
    pub fn create_payout(&self, payout: Payout) -> Result<(Payout, Decimal), StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let balance = state
            .balances
            .get(&payout.merchant_id)
            .copied()
            .unwrap_or_default();
        let amount = payout.amount.as_decimal();
        if amount > balance {
            return Err(StoreError::InsufficientBalance);
        }
        let left = balance - amount;
        if let Some(db) = db {
            in_transaction(db, |tx| {
                save_payout(tx, &payout)?;
                save_balance(tx, &payout.merchant_id, left)
            })
            .map_err(stored)?;
        }
        state.balances.insert(payout.merchant_id.clone(), left);
        state.payouts.insert(payout.id, payout.clone());
        Ok((payout, left))
    }

    /// Settles a pending payout into its final state; a failed payout gives
    /// its amount back. Returns the payout and the balance after.
    pub fn settle_payout(&self, id: i64) -> Option<(Payout, Decimal)> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let mut payout = state.payouts.get(&id)?.clone();
        let mut balance = state
            .balances
            .get(&payout.merchant_id)
            .copied()
            .unwrap_or_default();
        if let PayoutState::Pending { then } = payout.state.clone() {
            payout.state = *then;
            if let PayoutState::Failed { .. } = payout.state {
                balance += payout.amount.as_decimal();
            }
            if let Some(db) = db {
                let written = in_transaction(db, |tx| {
                    save_payout(tx, &payout)?;
                    save_balance(tx, &payout.merchant_id, balance)
                });
                if written.map_err(stored).is_err() {
                    return None;
                }
            }
            state.balances.insert(payout.merchant_id.clone(), balance);
            state.payouts.insert(id, payout.clone());
        }
        Some((payout, balance))
    }

    /// The latest payout of a merchant with this order id.
    pub fn payout_by_order(&self, merchant_id: &str, order_id: &str) -> Option<Payout> {
        self.lock()
            .state
            .payouts
            .values()
            .rev()
            .find(|p| p.merchant_id == merchant_id && p.order_id == order_id)
            .cloned()
    }

    /// A copy of a payout.
    pub fn payout(&self, id: i64) -> Option<Payout> {
        self.lock().state.payouts.get(&id).cloned()
    }

    /// Stores a card-storage session.
    pub fn create_card_session(&self, session: CardSession) -> Result<CardSession, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        if let Some(db) = db {
            save_json(db, "card_sessions", &session.id, &session).map_err(stored)?;
        }
        state.card_sessions.insert(session.id, session.clone());
        Ok(session)
    }

    /// A copy of a card-storage session.
    pub fn card_session(&self, id: i64) -> Option<CardSession> {
        self.lock().state.card_sessions.get(&id).cloned()
    }

    /// Saves `card` and closes its session.
    pub fn save_card(&self, session_id: i64, card: SavedCard) -> Result<CardSession, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let Some(mut session) = state.card_sessions.get(&session_id).cloned() else {
            return Err(StoreError::NotFound(Missing::CardSession(session_id)));
        };
        session.token = Some(card.token.clone());
        if let Some(db) = db {
            in_transaction(db, |tx| {
                save_json(tx, "cards", &card.token, &card)?;
                save_json(tx, "card_sessions", &session.id, &session)
            })
            .map_err(stored)?;
        }
        state.cards.insert(card.token.clone(), card);
        state.card_sessions.insert(session_id, session.clone());
        Ok(session)
    }

    /// The saved (not removed) cards of a merchant's user.
    pub fn cards(&self, merchant_id: &str, user_id: &str) -> Vec<SavedCard> {
        self.lock()
            .state
            .cards
            .values()
            .filter(|c| c.merchant_id == merchant_id && c.user_id == user_id && !c.deleted)
            .cloned()
            .collect()
    }

    /// A saved card of a merchant's user.
    pub fn card(&self, merchant_id: &str, user_id: &str, token: &str) -> Option<SavedCard> {
        self.lock()
            .state
            .cards
            .get(token)
            .filter(|c| c.merchant_id == merchant_id && c.user_id == user_id && !c.deleted)
            .cloned()
    }

    /// A saved card by token alone (for charging a token payment).
    pub fn card_by_token(&self, token: &str) -> Option<SavedCard> {
        self.lock()
            .state
            .cards
            .get(token)
            .filter(|c| !c.deleted)
            .cloned()
    }

    /// Removes a saved card.
    pub fn remove_card(
        &self,
        merchant_id: &str,
        user_id: &str,
        token: &str,
    ) -> Result<SavedCard, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        remove_saved_card(
            &mut state.cards,
            db.as_ref(),
            "cards",
            merchant_id,
            user_id,
            token,
        )
    }
}

/// A recurring-payment profile: asked for by a card payment created with
/// `pg_recurring_start=1`, usable once that payment has succeeded, until its
/// lifetime (`pg_recurring_lifetime`, in months from the payment) runs out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecurringProfile {
    /// The profile's id (`pg_recurring_profile`).
    pub id: i64,
    /// The merchant.
    pub merchant_id: String,
    /// The payment that asked for the profile; its card is charged again.
    pub payment_id: i64,
    /// How long the profile lasts, in months, counted from that payment.
    pub lifetime_months: u32,
}

/// An ATM cash-by-code operation (`api/cbc/check`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtmOperation {
    /// The operation's `pg_payment_id`.
    pub id: i64,
    /// The merchant.
    pub merchant_id: String,
    /// `pg_order_id`, when sent.
    pub order_id: Option<String>,
    /// The user's phone (`pg_phone`, without the country code).
    pub phone: String,
    /// The amount to take out in cash.
    #[serde(with = "amount_text")]
    pub amount: Amount,
    /// `pg_post_link`, when sent.
    pub post_link: Option<String>,
    /// When it was requested (RFC 3339).
    pub created_at: String,
}

/// Tables of the state added after the first schema; created when missing,
/// so older databases open as they are.
const MORE_SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS recurring_profiles (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS atm_operations (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
";

/// Loads recurring profiles and ATM operations, and keeps their ids from being reused.
fn load_more_payments(db: &rusqlite::Connection, state: &mut State) -> Result<(), DbError> {
    db.execute_batch(MORE_SCHEMA)?;
    let mut rows = db.prepare("SELECT body FROM recurring_profiles")?;
    for body in rows.query_map([], |row| row.get::<_, String>(0))? {
        let profile: RecurringProfile = serde_json::from_str(&body?)?;
        state.recurring_profiles.insert(profile.id, profile);
    }
    let mut rows = db.prepare("SELECT body FROM atm_operations")?;
    for body in rows.query_map([], |row| row.get::<_, String>(0))? {
        let operation: AtmOperation = serde_json::from_str(&body?)?;
        state.atm_operations.insert(operation.id, operation);
    }
    let highest = state
        .recurring_profiles
        .keys()
        .chain(state.atm_operations.keys())
        .max()
        .copied();
    if let Some(highest) = highest {
        state.next_id = state.next_id.max(highest + 1);
    }
    Ok(())
}

impl Store {
    /// Stores the recurring profile a payment asks for; a payment has at most
    /// one (asking again, e.g. by repeating an idempotent request, gives the first).
    pub fn create_recurring_profile(
        &self,
        profile: RecurringProfile,
    ) -> Result<RecurringProfile, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        if let Some(existing) = state
            .recurring_profiles
            .values()
            .find(|p| p.payment_id == profile.payment_id)
        {
            return Ok(existing.clone());
        }
        if let Some(db) = db {
            save_json(db, "recurring_profiles", &profile.id, &profile).map_err(stored)?;
        }
        state.recurring_profiles.insert(profile.id, profile.clone());
        Ok(profile)
    }

    /// A recurring profile of `merchant_id`.
    pub fn recurring_profile(&self, merchant_id: &str, id: i64) -> Option<RecurringProfile> {
        self.lock()
            .state
            .recurring_profiles
            .get(&id)
            .filter(|p| p.merchant_id == merchant_id)
            .cloned()
    }

    /// The recurring profile a payment asked for, if any.
    pub fn recurring_profile_of(&self, payment_id: i64) -> Option<RecurringProfile> {
        self.lock()
            .state
            .recurring_profiles
            .values()
            .find(|p| p.payment_id == payment_id)
            .cloned()
    }

    /// Stores an ATM cash-by-code operation; an order id the merchant already
    /// used for one is refused.
    pub fn create_atm_operation(
        &self,
        operation: AtmOperation,
    ) -> Result<AtmOperation, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        if let Some(order_id) = &operation.order_id
            && state.atm_operations.values().any(|o| {
                o.merchant_id == operation.merchant_id && o.order_id.as_ref() == Some(order_id)
            })
        {
            return Err(StoreError::OrderIdTaken(order_id.clone()));
        }
        if let Some(db) = db {
            save_json(db, "atm_operations", &operation.id, &operation).map_err(stored)?;
        }
        state.atm_operations.insert(operation.id, operation.clone());
        Ok(operation)
    }

    /// A copy of an ATM cash-by-code operation.
    pub fn atm_operation(&self, id: i64) -> Option<AtmOperation> {
        self.lock().state.atm_operations.get(&id).cloned()
    }
}
