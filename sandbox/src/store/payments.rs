//! Payments, their refunds and the idempotency keys that created them.

use freedompay::Amount;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    DbError, Inner, Missing, State, Store, StoreError, amount_text, in_transaction, save_json,
    stored,
};

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
    /// The id of the reversal that cancelled the payment, once cancelled.
    #[serde(default)]
    pub revoke_id: Option<i64>,
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
            revoke_id: None,
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

/// The tables of payments and of the idempotency keys that created them.
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS payments (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS idempotency (
        merchant TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, payment_id INTEGER NOT NULL,
        PRIMARY KEY (merchant, key)
    );
";

/// Creates the tables of [`SCHEMA`] when missing and reads them into `state`.
pub(super) fn load(db: &rusqlite::Connection, state: &mut State) -> Result<(), DbError> {
    db.execute_batch(SCHEMA)?;
    let mut rows = db.prepare("SELECT body FROM payments")?;
    for body in rows.query_map([], |row| row.get::<_, String>(0))? {
        let payment: Payment = serde_json::from_str(&body?)?;
        state.payments.insert(payment.id, payment);
    }
    let mut rows = db.prepare("SELECT merchant, key, fingerprint, payment_id FROM idempotency")?;
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
    Ok(())
}

fn save_payment(db: &rusqlite::Connection, payment: &Payment) -> Result<(), DbError> {
    save_json(db, "payments", &payment.id, payment)
}

impl Store {
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
        self.read_payment(merchant_id, id, Payment::clone)
    }

    /// What `read` makes of a payment of `merchant_id`, read where it is
    /// stored (under the store's lock, so `read` must be quick): an answer
    /// built from a few of its fields copies those, not the whole payment.
    pub fn read_payment<R>(
        &self,
        merchant_id: &str,
        id: i64,
        read: impl FnOnce(&Payment) -> R,
    ) -> Option<R> {
        self.lock()
            .state
            .payments
            .get(&id)
            .filter(|p| p.merchant_id == merchant_id)
            .map(read)
    }

    /// Copies of every payment of `merchant_id` for `order_id`, oldest first.
    pub fn payments_of_order(&self, merchant_id: &str, order_id: &str) -> Vec<Payment> {
        self.lock()
            .state
            .payments
            .values()
            .filter(|p| p.merchant_id == merchant_id && p.order_id == order_id)
            .cloned()
            .collect()
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
}
