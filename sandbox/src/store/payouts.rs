//! Payout state beyond payouts to a typed card number: where each payout
//! goes, payouts the payout page registers and makes once the payee has
//! typed a card, and cards saved for payouts (`cardstorage/add2`) with the
//! page sessions that save them. Kept in their own tables, so databases
//! written before these existed still load.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    DbError, Inner, Missing, Payout, PayoutState, SavedCard, State, Store, StoreError,
    in_transaction, remove_saved_card, save_balance, save_json, save_payout, stored,
};

/// Where a payout's money goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayoutDestination {
    /// A card number sent with the request (`g2g/p2p2nonreg`).
    #[default]
    Card,
    /// A bank account (`api/to_iban`).
    Iban {
        /// The account's IBAN, masked (country, check digits and last four kept).
        iban: String,
    },
    /// A card saved for payouts (`api/reg2reg`).
    SavedCard {
        /// `pg_card_token_to`.
        token: String,
    },
    /// A card the payee types on the payout page (`api/reg2nonreg`).
    PayeePage {
        /// `pg_description`, shown on the page.
        description: String,
        /// `pg_order_time_limit` (`YYYY-MM-DD HH:MM:SS`, read as UTC): the
        /// page refuses the payout after it.
        order_time_limit: String,
        /// `pg_back_link`: where the payee goes after the payout.
        back_link: String,
    },
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

pub(super) const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS payout_cards (token TEXT PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS payout_card_sessions (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
";

/// Reads the tables of [`SCHEMA`] into `state`.
pub(super) fn load(db: &rusqlite::Connection, state: &mut State) -> Result<(), DbError> {
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

fn save_card(db: &rusqlite::Connection, card: &SavedCard) -> Result<(), DbError> {
    save_json(db, "payout_cards", &card.token, card)
}

fn save_session(db: &rusqlite::Connection, session: &PayoutCardSession) -> Result<(), DbError> {
    save_json(db, "payout_card_sessions", &session.id, session)
}

impl Store {
    /// Stores a payout the payout page will make later
    /// ([`PayoutState::AwaitingPayee`]); nothing is debited, but the balance
    /// must cover the amount now.
    pub fn register_payout(&self, payout: Payout) -> Result<Payout, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let balance = state
            .balances
            .get(&payout.merchant_id)
            .copied()
            .unwrap_or_default();
        if payout.amount.as_decimal() > balance {
            return Err(StoreError::InsufficientBalance);
        }
        if let Some(db) = db {
            save_payout(db, &payout).map_err(stored)?;
        }
        state.payouts.insert(payout.id, payout.clone());
        Ok(payout)
    }

    /// Makes a payout registered by the payout page: `decide` is told
    /// whether the balance covers the amount now and gives the state the
    /// payout takes. A success or a pending payout is debited; a failed one
    /// is not. `card_hash` is the masked card the payee typed. Fails when
    /// the payout does not exist or is no longer waiting, and when `decide`
    /// makes a payout the balance does not cover. Returns the payout and the
    /// balance after.
    pub fn make_registered_payout(
        &self,
        id: i64,
        card_hash: String,
        decide: impl FnOnce(bool) -> PayoutState,
    ) -> Result<(Payout, Decimal), StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        let Some(mut payout) = state.payouts.get(&id).cloned() else {
            return Err(StoreError::NotFound(Missing::Payout(id)));
        };
        if payout.state != PayoutState::AwaitingPayee {
            return Err(StoreError::AlreadyDone);
        }
        let mut balance = state
            .balances
            .get(&payout.merchant_id)
            .copied()
            .unwrap_or_default();
        let amount = payout.amount.as_decimal();
        payout.card_hash = card_hash;
        payout.state = decide(amount <= balance);
        if matches!(
            payout.state,
            PayoutState::Success | PayoutState::Pending { .. }
        ) {
            if amount > balance {
                return Err(StoreError::InsufficientBalance);
            }
            balance -= amount;
        }
        if let Some(db) = db {
            in_transaction(db, |tx| {
                save_payout(tx, &payout)?;
                save_balance(tx, &payout.merchant_id, balance)
            })
            .map_err(stored)?;
        }
        state.balances.insert(payout.merchant_id.clone(), balance);
        state.payouts.insert(id, payout.clone());
        Ok((payout, balance))
    }

    /// Stores a session of the page that saves a card for payouts.
    pub fn create_payout_card_session(
        &self,
        session: PayoutCardSession,
    ) -> Result<PayoutCardSession, StoreError> {
        let mut inner = self.lock();
        let Inner { state, db } = &mut *inner;
        if let Some(db) = db {
            save_session(db, &session).map_err(stored)?;
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
                save_card(tx, &card)?;
                save_session(tx, &session)
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

#[cfg(test)]
mod tests {
    use freedompay::Amount;

    use super::{PayoutCardSession, PayoutDestination};
    use crate::store::{Missing, Payout, PayoutState, SavedCard, Store, StoreError};

    fn temp_db(name: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "freedompay-sandbox-{name}-{}.db",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        path
    }

    /// The rule the operations give the payout page: paid, or `8888` when
    /// the balance no longer covers the payout.
    fn paid_unless_short(covered: bool) -> PayoutState {
        if covered {
            PayoutState::Success
        } else {
            PayoutState::Failed { code: 8888 }
        }
    }

    fn balances() -> Vec<(String, Amount)> {
        vec![("77".to_owned(), "1000".parse().expect("amount"))]
    }

    fn page_payout(id: i64, sum: &str) -> Payout {
        Payout {
            id,
            merchant_id: "77".to_owned(),
            order_id: format!("page-{id}"),
            amount: sum.parse().expect("amount"),
            card_hash: String::new(),
            state: PayoutState::AwaitingPayee,
            post_link: Some("http://127.0.0.1:9/post".to_owned()),
            created_at: "2026-01-01T00:00:00Z".to_owned(),
            destination: PayoutDestination::PayeePage {
                description: "Prize".to_owned(),
                order_time_limit: "2099-12-31 12:00:00".to_owned(),
                back_link: "http://127.0.0.1:9/back".to_owned(),
            },
        }
    }

    /// Payout page payouts, payout card sessions and cards saved for payouts
    /// are in the file: reopened, the store has them, and carries on.
    #[test]
    fn payout_state_survives_reopening() {
        let path = temp_db("payouts");
        {
            let store = Store::open(&path, balances()).expect("open");
            let id = store.next_id();
            store
                .register_payout(page_payout(id, "100"))
                .expect("registered");
            let waiting = store.next_id();
            store
                .register_payout(page_payout(waiting, "50"))
                .expect("registered");
            store
                .make_registered_payout(id, "467159******8252".to_owned(), paid_unless_short)
                .expect("made");
            let session = store.next_id();
            store
                .create_payout_card_session(PayoutCardSession {
                    id: session,
                    merchant_id: "77".to_owned(),
                    user_id: "u-1".to_owned(),
                    back_link: "http://127.0.0.1:9/back".to_owned(),
                    token: None,
                })
                .expect("session");
            let open = store.next_id();
            store
                .create_payout_card_session(PayoutCardSession {
                    id: open,
                    merchant_id: "77".to_owned(),
                    user_id: "u-2".to_owned(),
                    back_link: "http://127.0.0.1:9/back".to_owned(),
                    token: None,
                })
                .expect("session");
            store
                .save_payout_card(
                    session,
                    SavedCard {
                        token: "tok-1".to_owned(),
                        merchant_id: "77".to_owned(),
                        user_id: "u-1".to_owned(),
                        card_hash: "467159******8252".to_owned(),
                        test_card: "4671593866478252".to_owned(),
                        deleted: false,
                        created_at: "2026-01-01T00:00:00Z".to_owned(),
                    },
                )
                .expect("saved");
        }
        let store = Store::open(&path, balances()).expect("reopen");
        let made = store.payout(1_000_001).expect("the made payout");
        assert_eq!(made.state, PayoutState::Success);
        assert_eq!(made.card_hash, "467159******8252");
        assert!(matches!(
            made.destination,
            PayoutDestination::PayeePage { .. }
        ));
        assert_eq!(store.balance("77"), "900".parse().expect("decimal"));
        // The waiting payout is still waiting and can be made now.
        let (later, balance) = store
            .make_registered_payout(1_000_002, "x".to_owned(), paid_unless_short)
            .expect("made after reopening");
        assert_eq!(later.state, PayoutState::Success);
        assert_eq!(balance, "850".parse().expect("decimal"));
        let card = store.payout_card("77", "u-1", "tok-1").expect("the card");
        assert_eq!(card.test_card, "4671593866478252");
        assert!(store.payout_card("77", "u-2", "tok-1").is_none());
        let closed = store.payout_card_session(1_000_003).expect("session");
        assert_eq!(closed.token.as_deref(), Some("tok-1"));
        let open = store.payout_card_session(1_000_004).expect("open session");
        assert_eq!(open.token, None);
        assert_eq!(store.next_id(), 1_000_005, "ids are not reused");
        let _ = std::fs::remove_file(&path);
    }

    /// A payout stored before destinations were kept loads as a card payout.
    #[test]
    fn a_payout_without_destination_loads_as_a_card_payout() {
        let path = temp_db("old-payout");
        drop(Store::open(&path, balances()).expect("create"));
        let db = rusqlite::Connection::open(&path).expect("sqlite");
        db.execute(
            "INSERT INTO payouts (id, body) VALUES (?1, ?2)",
            rusqlite::params![
                1_000_009,
                r#"{"id":1000009,"merchant_id":"77","order_id":"p-1","amount":"10","card_hash":"467159******8252","state":"Success","post_link":null,"created_at":"2026-01-01T00:00:00Z"}"#
            ],
        )
        .expect("an old row");
        drop(db);
        let store = Store::open(&path, balances()).expect("reopen");
        let payout = store.payout(1_000_009).expect("loaded");
        assert_eq!(payout.destination, PayoutDestination::Card);
        assert_eq!(payout.state, PayoutState::Success);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_page_payout_is_made_once_and_never_beyond_the_balance() {
        let store = Store::new(balances());
        assert_eq!(
            store
                .register_payout(page_payout(1, "1000.01"))
                .map(|p| p.id),
            Err(StoreError::InsufficientBalance)
        );
        store.register_payout(page_payout(2, "600")).expect("a");
        store.register_payout(page_payout(3, "600")).expect("b");
        store
            .make_registered_payout(2, "a".to_owned(), paid_unless_short)
            .expect("made");
        // The balance dropped to 400 meanwhile: the second fails with 8888, nothing debited.
        let (failed, balance) = store
            .make_registered_payout(3, "b".to_owned(), paid_unless_short)
            .expect("decided");
        assert_eq!(failed.state, PayoutState::Failed { code: 8888 });
        assert_eq!(balance, "400".parse().expect("decimal"));
        let again = store.make_registered_payout(2, "a".to_owned(), paid_unless_short);
        assert_eq!(again.err(), Some(StoreError::AlreadyDone));
        let missing = store
            .make_registered_payout(9, "c".to_owned(), |_| PayoutState::Failed { code: 10001 });
        assert_eq!(
            missing.err(),
            Some(StoreError::NotFound(Missing::Payout(9)))
        );
    }
}
