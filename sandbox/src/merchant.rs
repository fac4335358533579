//! The merchants the sandbox knows: id, secret key, optional payout key and
//! the payout balance they start with.

use std::fmt;
use std::str::FromStr;

use freedompay::{Amount, SecretKey};

/// The merchant id of the default test merchant (the spec's documented test credentials).
pub const DEFAULT_MERCHANT_ID: &str = "12345";
/// The secret key of the default test merchant.
pub const DEFAULT_SECRET_KEY: &str = "mysecret";
/// The payout balance every merchant starts with, in KZT.
pub const DEFAULT_PAYOUT_BALANCE: u64 = 1_000_000;

/// A merchant account of the sandbox. `Debug` never shows the keys.
#[derive(Clone)]
pub struct Merchant {
    /// The merchant id (`pg_merchant_id`).
    pub id: String,
    /// The secret key requests and responses are signed with.
    pub secret: SecretKey,
    /// A separate key for payout endpoints, when the merchant has one.
    pub payout_secret: Option<SecretKey>,
    /// The payout balance the merchant starts with.
    pub payout_balance: Amount,
}

impl fmt::Debug for Merchant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Merchant")
            .field("id", &self.id)
            .field("secret", &self.secret)
            .field("payout_secret", &self.payout_secret)
            .field("payout_balance", &self.payout_balance)
            .finish()
    }
}

impl Merchant {
    /// A merchant with a secret key and the default payout balance.
    pub fn new(id: impl Into<String>, secret: impl Into<SecretKey>) -> Self {
        Merchant {
            id: id.into(),
            secret: secret.into(),
            payout_secret: None,
            payout_balance: Amount::from_major(DEFAULT_PAYOUT_BALANCE),
        }
    }

    /// The documented test merchant `12345` with the key `mysecret`.
    pub fn default_test() -> Self {
        Merchant::new(DEFAULT_MERCHANT_ID, DEFAULT_SECRET_KEY)
    }

    /// Gives the merchant a separate payout key.
    pub fn with_payout_secret(mut self, secret: impl Into<SecretKey>) -> Self {
        self.payout_secret = Some(secret.into());
        self
    }

    /// Sets the payout balance the merchant starts with.
    pub fn with_payout_balance(mut self, balance: Amount) -> Self {
        self.payout_balance = balance;
        self
    }

    /// The merchant id as the number answers and callbacks carry in
    /// `pg_merchant_id` (0 when the id is not a number, which `--merchant`
    /// and the config file never allow).
    pub fn number(&self) -> i64 {
        self.id.parse().unwrap_or_default()
    }

    /// The key of an endpoint: the payout key for payout endpoints when there is one.
    pub fn key(&self, payout: bool) -> &SecretKey {
        match (&self.payout_secret, payout) {
            (Some(key), true) => key,
            _ => &self.secret,
        }
    }
}

/// Why a `--merchant` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerchantParseError {
    /// Not `ID:SECRET` or `ID:SECRET:PAYOUT_SECRET`.
    #[error("expected ID:SECRET or ID:SECRET:PAYOUT_SECRET")]
    Shape,
    /// The id is not a positive number.
    #[error("the merchant id must be digits")]
    Id,
    /// A key is empty.
    #[error("a secret key may not be empty")]
    EmptySecret,
}

impl FromStr for Merchant {
    type Err = MerchantParseError;

    /// Parses `ID:SECRET` or `ID:SECRET:PAYOUT_SECRET`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.splitn(3, ':');
        let (Some(id), Some(secret)) = (parts.next(), parts.next()) else {
            return Err(MerchantParseError::Shape);
        };
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
            return Err(MerchantParseError::Id);
        }
        if secret.is_empty() {
            return Err(MerchantParseError::EmptySecret);
        }
        let mut merchant = Merchant::new(id, secret);
        if let Some(payout) = parts.next() {
            if payout.is_empty() {
                return Err(MerchantParseError::EmptySecret);
            }
            merchant = merchant.with_payout_secret(payout);
        }
        Ok(merchant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_id_secret_and_payout_secret() {
        let m: Merchant = "545084:abc".parse().unwrap();
        assert_eq!(m.id, "545084");
        assert_eq!(m.key(true).expose(), "abc");
        let m: Merchant = "545084:abc:p:q".parse().unwrap();
        assert_eq!(m.key(false).expose(), "abc");
        assert_eq!(m.key(true).expose(), "p:q");
        assert_eq!(
            "x:abc".parse::<Merchant>().unwrap_err(),
            MerchantParseError::Id
        );
        assert_eq!(
            "1".parse::<Merchant>().unwrap_err(),
            MerchantParseError::Shape
        );
        assert_eq!(
            "1:".parse::<Merchant>().unwrap_err(),
            MerchantParseError::EmptySecret
        );
        assert!(!format!("{m:?}").contains("abc"));
    }

    #[test]
    fn debug_never_shows_the_keys() {
        let m = Merchant::new("545084", "Main-Key-7f3").with_payout_secret("Payout-Key-9x");
        let shown = format!("{m:?} {m:#?}");
        assert!(!shown.contains("Main-Key"), "{shown}");
        assert!(!shown.contains("Payout-Key"), "{shown}");
        assert!(shown.contains("545084"), "{shown}");
    }
}
