//! Card-to-card transfers of the Gateway API (`g2g/p2p/transfer`). The
//! table was added after the first schema; a database without it still
//! loads.

use freedompay::Amount;
use serde::{Deserialize, Serialize};

use super::{DbError, Inner, Missing, State, Store, StoreError, amount_text, save_json, stored};

/// Where a transfer is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferState {
    /// The sender has to pass 3-D Secure; the transfer then ends as `then`.
    AwaitingThreeDs {
        /// How it ends once the sender passed.
        then: Box<TransferState>,
    },
    /// Debited and credited.
    Success,
    /// Declined or refused; whatever was debited came back.
    Failed {
        /// The error code.
        code: i64,
        /// Its description.
        description: String,
    },
}

/// A card-to-card transfer. Its cards are kept masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// `pg_payment_id`.
    pub id: i64,
    /// The merchant.
    pub merchant_id: String,
    /// `pg_order_id`.
    pub order_id: String,
    /// The amount debited from the sender (`pg_amount`).
    #[serde(with = "amount_text")]
    pub amount: Amount,
    /// `pg_currency_from`.
    pub currency_from: String,
    /// The amount credited to the recipient.
    #[serde(with = "amount_text")]
    pub amount_to: Amount,
    /// `pg_currency_to`.
    pub currency_to: String,
    /// The sender's card, masked; `None` when no debit is made.
    pub sender_mask: Option<String>,
    /// The token of the sender's saved card, when it paid with one.
    pub sender_token: Option<String>,
    /// The recipient's card, masked; `None` when no payout is made.
    pub recipient_mask: Option<String>,
    /// The token of the recipient's saved card, when it was named by one.
    pub recipient_token: Option<String>,
    /// Where it is.
    pub state: TransferState,
    /// When it was requested (RFC 3339).
    pub created_at: String,
    /// When it ended (RFC 3339).
    pub done_at: Option<String>,
}

/// The table of transfers.
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS transfers (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
";

/// Creates the table of [`SCHEMA`] when missing and reads it into `state`.
pub(super) fn load(db: &rusqlite::Connection, state: &mut State) -> Result<(), DbError> {
    db.execute_batch(SCHEMA)?;
    let mut rows = db.prepare("SELECT body FROM transfers")?;
    for body in rows.query_map([], |row| row.get::<_, String>(0))? {
        let transfer: Transfer = serde_json::from_str(&body?)?;
        state.transfers.insert(transfer.id, transfer);
    }
    Ok(())
}

impl Store {
    /// Stores a new transfer.
    pub fn create_transfer(&self, transfer: Transfer) -> Result<Transfer, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        if let Some(db) = db {
            save_json(db, "transfers", &transfer.id, &transfer).map_err(stored)?;
        }
        state.transfers.insert(transfer.id, transfer.clone());
        Ok(transfer)
    }

    /// A transfer of `merchant_id`, by id.
    pub fn transfer(&self, merchant_id: &str, id: i64) -> Option<Transfer> {
        self.lock()
            .state
            .transfers
            .get(&id)
            .filter(|t| t.merchant_id == merchant_id)
            .cloned()
    }

    /// The latest transfer of `merchant_id` for `order_id`.
    pub fn transfer_of_order(&self, merchant_id: &str, order_id: &str) -> Option<Transfer> {
        self.lock()
            .state
            .transfers
            .values()
            .rev()
            .find(|t| t.merchant_id == merchant_id && t.order_id == order_id)
            .cloned()
    }

    /// Applies `change` to a transfer of `merchant_id` and returns the
    /// result; the change is stored only when it succeeds.
    pub fn update_transfer<T, E: From<StoreError>>(
        &self,
        merchant_id: &str,
        id: i64,
        change: impl FnOnce(&mut Transfer) -> Result<T, E>,
    ) -> Result<(Transfer, T), E> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let Some(current) = state
            .transfers
            .get(&id)
            .filter(|t| t.merchant_id == merchant_id)
        else {
            return Err(StoreError::NotFound(Missing::Transfer(id)).into());
        };
        let mut updated = current.clone();
        let out = change(&mut updated)?;
        if let Some(db) = db {
            save_json(db, "transfers", &id, &updated).map_err(stored)?;
        }
        state.transfers.insert(id, updated.clone());
        Ok((updated, out))
    }
}
