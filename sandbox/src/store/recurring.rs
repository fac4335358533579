//! Recurring-payment profiles and ATM cash-by-code operations (tables added
//! after the first schema; a database without them still loads).

use freedompay::Amount;
use serde::{Deserialize, Serialize};

use super::{DbError, Inner, State, Store, StoreError, amount_text, save_json, stored};

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

/// The tables of recurring profiles and ATM operations.
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS recurring_profiles (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS atm_operations (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
";

/// Creates the tables of [`SCHEMA`] when missing and reads them into `state`.
pub(super) fn load(db: &rusqlite::Connection, state: &mut State) -> Result<(), DbError> {
    db.execute_batch(SCHEMA)?;
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
