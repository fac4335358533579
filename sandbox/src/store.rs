//! The sandbox's state: payments, payouts, payout balances and idempotency
//! keys, behind one lock. Every change goes through a method here, so a
//! payment moves only along its documented lifecycle.

use std::collections::BTreeMap;
use std::sync::Mutex;

use freedompay::Amount;
use freedompay::errors::ErrorCode;
use rust_decimal::Decimal;

/// Where a payment is in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
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
            PaymentState::New | PaymentState::AwaitingCode { .. } => "new",
            PaymentState::Held | PaymentState::Paid => "success",
            PaymentState::Failed { .. } => "error",
            PaymentState::Cancelled => "revoked",
        }
    }
}

/// How the payer pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// A bank card on the payment page.
    Card,
    /// The balance of a mobile phone.
    MobileBalance,
}

/// Where the gateway calls the merchant back, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The refund's own id.
    pub id: i64,
    /// The refunded amount.
    pub amount: Amount,
}

/// A payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// `pg_payment_id`.
    pub id: i64,
    /// The merchant.
    pub merchant_id: String,
    /// `pg_order_id` (the payment id when the merchant sent none).
    pub order_id: String,
    /// `pg_amount`.
    pub amount: Amount,
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

impl Payment {
    /// The amount refunded so far.
    pub fn refunded(&self) -> Decimal {
        self.refunds.iter().map(|r| r.amount.as_decimal()).sum()
    }
}

/// A payout to a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// `pg_payment_id`.
    pub id: i64,
    /// The merchant.
    pub merchant_id: String,
    /// `pg_order_id`.
    pub order_id: String,
    /// The amount paid out.
    pub amount: Amount,
    /// The masked card number.
    pub card_hash: String,
    /// Final or pending outcome.
    pub state: PayoutState,
    /// `pg_post_link`.
    pub post_link: Option<String>,
    /// When it was made.
    pub created_at: String,
}

/// Where a payout is.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// A gateway error an operation answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The code.
    pub code: ErrorCode,
    /// The description sent in `pg_error_description`.
    pub description: String,
}

impl Failure {
    /// A failure with `code` and a description.
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Failure {
            code,
            description: description.into(),
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
}

/// The sandbox's state.
#[derive(Debug)]
pub struct Store {
    state: Mutex<State>,
}

/// Ids start here, so they look like the gateway's and never collide with small test numbers.
const FIRST_ID: i64 = 1_000_001;

impl Store {
    /// An empty store; `balances` are the merchants' starting payout balances.
    pub fn new(balances: impl IntoIterator<Item = (String, Amount)>) -> Self {
        Store {
            state: Mutex::new(State {
                next_id: FIRST_ID,
                balances: balances
                    .into_iter()
                    .map(|(id, amount)| (id, amount.as_decimal()))
                    .collect(),
                ..State::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-made change: every
        // change below is computed first and stored in one assignment.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A fresh id for a payment, payout or refund.
    pub fn next_id(&self) -> i64 {
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        id
    }

    /// Stores a new payment, honouring an idempotency key: the same key with
    /// the same request gives the payment made the first time; with another
    /// request it is an error.
    pub fn create_payment(
        &self,
        payment: Payment,
        idempotency: Option<(String, String)>,
    ) -> Result<Payment, Failure> {
        let mut state = self.lock();
        if let Some((key, fingerprint)) = &idempotency {
            let slot = (payment.merchant_id.clone(), key.clone());
            if let Some((seen, id)) = state.idempotency.get(&slot) {
                if seen == fingerprint
                    && let Some(existing) = state.payments.get(id)
                {
                    return Ok(existing.clone());
                }
                return Err(Failure::new(
                    ErrorCode::from_code(11013),
                    "this idempotency key was already used for a different request",
                ));
            }
            state
                .idempotency
                .insert(slot, (fingerprint.clone(), payment.id));
        }
        state.payments.insert(payment.id, payment.clone());
        Ok(payment)
    }

    /// A copy of a payment of `merchant_id`.
    pub fn payment(&self, merchant_id: &str, id: i64) -> Option<Payment> {
        self.lock()
            .payments
            .get(&id)
            .filter(|p| p.merchant_id == merchant_id)
            .cloned()
    }

    /// A copy of a payment, whoever its merchant.
    pub fn payment_any(&self, id: i64) -> Option<Payment> {
        self.lock().payments.get(&id).cloned()
    }

    /// Applies `change` to a payment of `merchant_id` (any merchant when
    /// `None`) and returns the result; the change is stored only when it succeeds.
    pub fn update_payment<T>(
        &self,
        merchant_id: Option<&str>,
        id: i64,
        change: impl FnOnce(&mut Payment) -> Result<T, Failure>,
    ) -> Result<(Payment, T), Failure> {
        let mut state = self.lock();
        let Some(current) = state
            .payments
            .get(&id)
            .filter(|p| merchant_id.is_none_or(|m| p.merchant_id == m))
        else {
            return Err(Failure::new(
                ErrorCode::from_code(11068),
                format!("payment {id} not found"),
            ));
        };
        let mut updated = current.clone();
        let out = change(&mut updated)?;
        state.payments.insert(id, updated.clone());
        Ok((updated, out))
    }

    /// A merchant's payout balance.
    pub fn balance(&self, merchant_id: &str) -> Decimal {
        self.lock()
            .balances
            .get(merchant_id)
            .copied()
            .unwrap_or_default()
    }

    /// Debits the balance and stores the payout; fails without a change when
    /// the balance is too low.
    pub fn create_payout(&self, payout: Payout) -> Result<(Payout, Decimal), Failure> {
        let mut state = self.lock();
        let balance = state
            .balances
            .get(&payout.merchant_id)
            .copied()
            .unwrap_or_default();
        let amount = payout.amount.as_decimal();
        if amount > balance {
            return Err(Failure::new(
                ErrorCode::from_code(8888),
                "insufficient funds on the payout balance",
            ));
        }
        let left = balance - amount;
        state.balances.insert(payout.merchant_id.clone(), left);
        state.payouts.insert(payout.id, payout.clone());
        Ok((payout, left))
    }

    /// Settles a pending payout into its final state; a failed payout gives
    /// its amount back. Returns the payout and the balance after.
    pub fn settle_payout(&self, id: i64) -> Option<(Payout, Decimal)> {
        let mut state = self.lock();
        let mut payout = state.payouts.get(&id)?.clone();
        if let PayoutState::Pending { then } = payout.state.clone() {
            payout.state = *then;
        }
        if let PayoutState::Failed { .. } = payout.state {
            *state
                .balances
                .entry(payout.merchant_id.clone())
                .or_default() += payout.amount.as_decimal();
        }
        state.payouts.insert(id, payout.clone());
        let balance = state
            .balances
            .get(&payout.merchant_id)
            .copied()
            .unwrap_or_default();
        Some((payout, balance))
    }

    /// A copy of a payout.
    pub fn payout(&self, id: i64) -> Option<Payout> {
        self.lock().payouts.get(&id).cloned()
    }

    /// How many payments are stored.
    pub fn payment_count(&self) -> usize {
        self.lock().payments.len()
    }
}
