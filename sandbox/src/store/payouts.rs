//! Payouts, where each goes, the merchants' payout balances they draw on,
//! and the payouts the payout page registers and makes once the payee has
//! typed a card.

use freedompay::Amount;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    DbError, Inner, Missing, State, Store, StoreError, amount_text, in_transaction, save_json,
    stored,
};

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

/// The tables of payouts and of payout balances.
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS payouts (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS balances (merchant TEXT PRIMARY KEY, amount TEXT NOT NULL);
";

/// Creates the tables of [`SCHEMA`] when missing and reads them into `state`.
pub(super) fn load(db: &rusqlite::Connection, state: &mut State) -> Result<(), DbError> {
    db.execute_batch(SCHEMA)?;
    let mut rows = db.prepare("SELECT body FROM payouts")?;
    for body in rows.query_map([], |row| row.get::<_, String>(0))? {
        let payout: Payout = serde_json::from_str(&body?)?;
        state.payouts.insert(payout.id, payout);
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
    Ok(())
}

/// Gives the merchants without a stored balance theirs from `balances`, and stores it.
pub(super) fn add_missing_balances(
    db: &mut rusqlite::Connection,
    state: &mut State,
    balances: impl IntoIterator<Item = (String, Amount)>,
) -> Result<(), DbError> {
    let missing: Vec<(String, Decimal)> = balances
        .into_iter()
        .filter(|(merchant, _)| !state.balances.contains_key(merchant))
        .map(|(merchant, amount)| (merchant, amount.as_decimal()))
        .collect();
    in_transaction(db, |tx| {
        missing
            .iter()
            .try_for_each(|(merchant, amount)| save_balance(tx, merchant, *amount))
    })?;
    state.balances.extend(missing);
    Ok(())
}

fn save_payout(db: &rusqlite::Connection, payout: &Payout) -> Result<(), DbError> {
    save_json(db, "payouts", &payout.id, payout)
}

fn save_balance(db: &rusqlite::Connection, merchant: &str, amount: Decimal) -> Result<(), DbError> {
    db.execute(
        "INSERT INTO balances (merchant, amount) VALUES (?1, ?2) ON CONFLICT(merchant) DO UPDATE SET amount = excluded.amount",
        rusqlite::params![merchant, amount.to_string()],
    )?;
    Ok(())
}

/// Writes `payout` and its merchant's `balance` after it, in one
/// transaction when there is a database, then into the state.
fn commit_payout(
    state: &mut State,
    db: &mut Option<rusqlite::Connection>,
    payout: &Payout,
    balance: Decimal,
) -> Result<(), StoreError> {
    if let Some(db) = db {
        in_transaction(db, |tx| {
            save_payout(tx, payout)?;
            save_balance(tx, &payout.merchant_id, balance)
        })
        .map_err(stored)?;
    }
    state.balances.insert(payout.merchant_id.clone(), balance);
    state.payouts.insert(payout.id, payout.clone());
    Ok(())
}

impl Store {
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
        commit_payout(state, db, &payout, left)?;
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
            commit_payout(state, db, &payout, balance).ok()?;
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
        commit_payout(state, db, &payout, balance)?;
        Ok((payout, balance))
    }
}

#[cfg(test)]
mod tests {
    use freedompay::Amount;

    use crate::store::{
        Missing, Payout, PayoutCardSession, PayoutDestination, PayoutState, SavedCard, Store,
        StoreError,
    };

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
