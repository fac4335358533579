//! 3-D Secure sessions of the sandbox's ACS page (the card issuer's page of
//! the Gateway API): one per operation that asked for 3-D Secure, by the
//! operation's id. The table was added after the first schema; a database
//! without it still loads.

use serde::{Deserialize, Serialize};

use super::{DbError, Inner, Missing, SavedCard, State, Store, StoreError, save_json, stored};

/// What a 3-D Secure session authenticates, and so which call finishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AcsPurpose {
    /// A Gateway card payment (`g2g/payment`), finished by `g2g/paymentAcs`.
    Payment,
    /// A card to be saved (`g2g/cardstorage/add`), finished by
    /// `g2g/cardstorage/payment_acs`: saved once the payer passed.
    CardAdd {
        /// The card, saved when the payer passes.
        card: SavedCard,
        /// The merchant's `pg_order_id` of the operation, when sent.
        order_id: Option<String>,
    },
    /// A card-to-card transfer (`g2g/p2p/transfer`), finished by
    /// `g2g/p2p/transfer_acs`.
    Transfer,
}

/// The kinds of [`AcsPurpose`]: which call finishes a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcsKind {
    /// [`AcsPurpose::Payment`].
    Payment,
    /// [`AcsPurpose::CardAdd`].
    CardAdd,
    /// [`AcsPurpose::Transfer`].
    Transfer,
}

impl AcsPurpose {
    /// Its kind.
    pub fn kind(&self) -> AcsKind {
        match self {
            AcsPurpose::Payment => AcsKind::Payment,
            AcsPurpose::CardAdd { .. } => AcsKind::CardAdd,
            AcsPurpose::Transfer => AcsKind::Transfer,
        }
    }
}

/// Where a 3-D Secure session is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AcsStep {
    /// Waiting for the payer on the ACS page.
    Waiting {
        /// Wrong passwords entered so far.
        attempts: u32,
    },
    /// The payer is done: the ACS issued its answer (PaRes).
    Answered {
        /// The PaRes handed back with MD.
        pares: String,
        /// Whether the payer passed.
        passed: bool,
    },
    /// The merchant finished the operation with MD and PaRes: they cannot be
    /// used again.
    Used {
        /// Whether the payer had passed.
        passed: bool,
    },
}

/// A 3-D Secure session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcsSession {
    /// The id of the operation it authenticates (a payment's id).
    pub id: i64,
    /// The merchant.
    pub merchant_id: String,
    /// What it authenticates.
    pub purpose: AcsPurpose,
    /// The merchant data (`pg_3d_md`), returned as MD.
    pub md: String,
    /// The authentication request (`pg_3d_pareq`).
    pub pareq: String,
    /// The masked number of the card.
    pub card_mask: String,
    /// What the page says is confirmed (`10 KZT`), when an amount is.
    pub amount: Option<String>,
    /// Where the session is.
    pub step: AcsStep,
}

/// The table of 3-D Secure sessions.
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS acs_sessions (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
";

/// Creates the table of [`SCHEMA`] when missing and reads it into `state`.
pub(super) fn load(db: &rusqlite::Connection, state: &mut State) -> Result<(), DbError> {
    db.execute_batch(SCHEMA)?;
    let mut rows = db.prepare("SELECT body FROM acs_sessions")?;
    for body in rows.query_map([], |row| row.get::<_, String>(0))? {
        let session: AcsSession = serde_json::from_str(&body?)?;
        state.acs_sessions.insert(session.id, session);
    }
    Ok(())
}

impl Store {
    /// Stores a 3-D Secure session, replacing the operation's earlier one.
    pub fn create_acs_session(&self, session: AcsSession) -> Result<AcsSession, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        if let Some(db) = db {
            save_json(db, "acs_sessions", &session.id, &session).map_err(stored)?;
        }
        state.acs_sessions.insert(session.id, session.clone());
        Ok(session)
    }

    /// A copy of the 3-D Secure session of operation `id`.
    pub fn acs_session(&self, id: i64) -> Option<AcsSession> {
        self.lock().state.acs_sessions.get(&id).cloned()
    }

    /// Applies `change` to the 3-D Secure session of operation `id` and
    /// returns the result; the change is stored only when it succeeds.
    pub fn update_acs_session<T, E: From<StoreError>>(
        &self,
        id: i64,
        change: impl FnOnce(&mut AcsSession) -> Result<T, E>,
    ) -> Result<(AcsSession, T), E> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let Some(current) = state.acs_sessions.get(&id) else {
            return Err(StoreError::NotFound(Missing::AcsSession(id)).into());
        };
        let mut updated = current.clone();
        let out = change(&mut updated)?;
        if let Some(db) = db {
            save_json(db, "acs_sessions", &id, &updated).map_err(stored)?;
        }
        state.acs_sessions.insert(id, updated.clone());
        Ok((updated, out))
    }
}
