//! Saved cards: cards saved for payments (`cardstorage/add`) and for
//! payouts (`cardstorage/add2`), and the sessions of the pages where they
//! are typed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DbError, Inner, Missing, State, Store, StoreError, in_transaction, save_json, stored};

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

/// A session of the page where a payee saves a card for payouts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutCardSession {
    /// The session's `pg_payment_id`.
    pub id: i64,
    /// The merchant.
    pub merchant_id: String,
    /// The merchant's user the card is saved for (`pg_user_id`).
    pub user_id: String,
    /// Where the payee goes back (`pg_back_link`).
    pub back_link: String,
    /// The saved card's token, once done.
    pub token: Option<String>,
}

/// The tables of saved cards and of the sessions that save them (the payout
/// ones were added later; a database without them still loads).
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS cards (token TEXT PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS card_sessions (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS payout_cards (token TEXT PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS payout_card_sessions (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
";

/// Creates the tables of [`SCHEMA`] when missing and reads them into `state`.
pub(super) fn load(db: &rusqlite::Connection, state: &mut State) -> Result<(), DbError> {
    db.execute_batch(SCHEMA)?;
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
    let mut rows = db.prepare("SELECT body FROM payout_cards")?;
    for body in rows.query_map([], |row| row.get::<_, String>(0))? {
        let card: SavedCard = serde_json::from_str(&body?)?;
        state.payout_cards.insert(card.token.clone(), card);
    }
    let mut rows = db.prepare("SELECT body FROM payout_card_sessions")?;
    for body in rows.query_map([], |row| row.get::<_, String>(0))? {
        let session: PayoutCardSession = serde_json::from_str(&body?)?;
        state.payout_card_sessions.insert(session.id, session);
    }
    Ok(())
}

fn save_payout_card(db: &rusqlite::Connection, card: &SavedCard) -> Result<(), DbError> {
    save_json(db, "payout_cards", &card.token, card)
}

fn save_payout_session(
    db: &rusqlite::Connection,
    session: &PayoutCardSession,
) -> Result<(), DbError> {
    save_json(db, "payout_card_sessions", &session.id, session)
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

impl Store {
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

    /// Saves `card` for payments without a page's session (the Gateway's
    /// `cardstorage/add`).
    pub fn add_card(&self, card: SavedCard) -> Result<SavedCard, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        if let Some(db) = db {
            save_json(db, "cards", &card.token, &card).map_err(stored)?;
        }
        state.cards.insert(card.token.clone(), card.clone());
        Ok(card)
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

    /// Stores a session of the page that saves a card for payouts.
    pub fn create_payout_card_session(
        &self,
        session: PayoutCardSession,
    ) -> Result<PayoutCardSession, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        if let Some(db) = db {
            save_payout_session(db, &session).map_err(stored)?;
        }
        state
            .payout_card_sessions
            .insert(session.id, session.clone());
        Ok(session)
    }

    /// A copy of a session of the page that saves a card for payouts.
    pub fn payout_card_session(&self, id: i64) -> Option<PayoutCardSession> {
        self.lock().state.payout_card_sessions.get(&id).cloned()
    }

    /// Saves `card` for payouts and closes its session; fails when the
    /// session does not exist or already saved a card.
    pub fn save_payout_card(
        &self,
        session_id: i64,
        card: SavedCard,
    ) -> Result<PayoutCardSession, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let Some(mut session) = state
            .payout_card_sessions
            .get(&session_id)
            .filter(|s| s.token.is_none())
            .cloned()
        else {
            return Err(StoreError::NotFound(Missing::OpenPayoutCardSession(
                session_id,
            )));
        };
        session.token = Some(card.token.clone());
        if let Some(db) = db {
            in_transaction(db, |tx| {
                save_payout_card(tx, &card)?;
                save_payout_session(tx, &session)
            })
            .map_err(stored)?;
        }
        state.payout_cards.insert(card.token.clone(), card);
        state
            .payout_card_sessions
            .insert(session_id, session.clone());
        Ok(session)
    }

    /// The cards (not removed) a merchant's user saved for payouts.
    pub fn payout_cards(&self, merchant_id: &str, user_id: &str) -> Vec<SavedCard> {
        self.lock()
            .state
            .payout_cards
            .values()
            .filter(|c| c.merchant_id == merchant_id && c.user_id == user_id && !c.deleted)
            .cloned()
            .collect()
    }

    /// Removes a card saved for payouts.
    pub fn remove_payout_card(
        &self,
        merchant_id: &str,
        user_id: &str,
        token: &str,
    ) -> Result<SavedCard, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        remove_saved_card(
            &mut state.payout_cards,
            db.as_ref(),
            "payout_cards",
            merchant_id,
            user_id,
            token,
        )
    }

    /// A card a merchant's user saved for payouts.
    pub fn payout_card(&self, merchant_id: &str, user_id: &str, token: &str) -> Option<SavedCard> {
        self.lock()
            .state
            .payout_cards
            .get(token)
            .filter(|c| c.merchant_id == merchant_id && c.user_id == user_id && !c.deleted)
            .cloned()
    }
}
