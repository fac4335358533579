//! The accounts the sandbox knows: merchants (id, secret key, optional
//! payout key and the payout balance they start with), and the API users of
//! the Card and Partner APIs, whose JWS credentials sign that API's calls only.

use std::fmt;
use std::str::FromStr;

use freedompay::json::JsonApi;
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

/// The JSON APIs that can have API users of their own: the Card and the
/// Partner API ("the partner's key can be secret_key": without an API user,
/// a merchant's key signs them, as it signs every JSON family), and Freedom
/// ID's OAuth2 clients (without one, a merchant's id and key are its client
/// credentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiFamily {
    /// The Card API (`/v5/card-api/*`, the gift cards' `/v5/cards/*`).
    Card,
    /// The Partner API (`/v5/partner/*`).
    Partner,
    /// Freedom ID's OAuth2 clients: a client id and secret, sent as HTTP
    /// Basic credentials to Freedom ID's calls (no JWS).
    FreedomId,
}

impl ApiFamily {
    /// The family of a JSON API whose calls a JWS signs, if it has API users
    /// of its own (the Async Gateway and Invoice v5 are signed with the
    /// merchant's key only; Freedom ID's clients sign nothing).
    pub fn of(api: JsonApi) -> Option<ApiFamily> {
        match api {
            JsonApi::Card => Some(ApiFamily::Card),
            JsonApi::Partner => Some(ApiFamily::Partner),
            JsonApi::Merchant | JsonApi::Gateway => None,
        }
    }

    /// The client's name of the API.
    pub fn api(self) -> JsonApi {
        match self {
            ApiFamily::Card => JsonApi::Card,
            ApiFamily::Partner | ApiFamily::FreedomId => JsonApi::Partner,
        }
    }

    /// The API's name in messages: `Card API`, `Partner API`.
    pub fn name(self) -> &'static str {
        match self {
            ApiFamily::Card => "Card API",
            ApiFamily::Partner => "Partner API",
            ApiFamily::FreedomId => "Freedom ID client",
        }
    }
}

/// An API user of the Card or the Partner API: the `auth_id` its JWS names
/// and the key that signs it. It signs the calls of its API only; `Debug`
/// never shows the key.
#[derive(Clone)]
pub struct ApiUser {
    /// The API whose calls it signs.
    pub family: ApiFamily,
    /// The `auth_id` of its JWS header.
    pub auth_id: String,
    /// The key its calls are signed with.
    pub key: SecretKey,
}

impl fmt::Debug for ApiUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiUser")
            .field("family", &self.family)
            .field("auth_id", &self.auth_id)
            .field("key", &self.key)
            .finish()
    }
}

/// Why an API user (`--card-api`, `--partner`, a config entry) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiUserParseError {
    /// Not `AUTH_ID:KEY`.
    #[error("expected AUTH_ID:KEY")]
    Shape,
    /// The `auth_id` is empty or holds a space or a control character.
    #[error("the auth_id may not be empty or hold spaces or control characters")]
    AuthId,
    /// The key is empty.
    #[error("a key may not be empty")]
    EmptyKey,
}

impl ApiUser {
    /// An API user of `family` with its `auth_id` and key.
    pub fn new(family: ApiFamily, auth_id: impl Into<String>, key: impl Into<SecretKey>) -> Self {
        ApiUser {
            family,
            auth_id: auth_id.into(),
            key: key.into(),
        }
    }

    /// Checks an `auth_id` and a key as written (a flag, a config entry).
    pub fn check(auth_id: &str, key: &str) -> Result<(), ApiUserParseError> {
        if auth_id.is_empty() || auth_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ApiUserParseError::AuthId);
        }
        if key.is_empty() {
            return Err(ApiUserParseError::EmptyKey);
        }
        Ok(())
    }

    /// Parses `AUTH_ID:KEY` (the key may hold `:`) as a user of `family`.
    pub fn parse(family: ApiFamily, text: &str) -> Result<Self, ApiUserParseError> {
        let Some((auth_id, key)) = text.split_once(':') else {
            return Err(ApiUserParseError::Shape);
        };
        ApiUser::check(auth_id, key)?;
        Ok(ApiUser::new(family, auth_id, key))
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

    #[test]
    fn parses_api_users_without_showing_their_keys() {
        let user = ApiUser::parse(ApiFamily::Card, "card-user:Card-Key-1:x").unwrap();
        assert_eq!(user.family, ApiFamily::Card);
        assert_eq!(user.auth_id, "card-user");
        assert_eq!(user.key.expose(), "Card-Key-1:x", "the key may hold `:`");
        let shown = format!("{user:?} {user:#?}");
        assert!(!shown.contains("Card-Key"), "{shown}");
        assert!(shown.contains("card-user"), "{shown}");
        let refused = |text| ApiUser::parse(ApiFamily::Partner, text).unwrap_err();
        assert_eq!(refused("no-key"), ApiUserParseError::Shape);
        assert_eq!(refused(":key"), ApiUserParseError::AuthId);
        assert_eq!(refused("a b:key"), ApiUserParseError::AuthId);
        assert_eq!(refused("user:"), ApiUserParseError::EmptyKey);
    }

    #[test]
    fn only_the_card_and_partner_apis_have_api_users() {
        for family in [ApiFamily::Card, ApiFamily::Partner] {
            assert_eq!(ApiFamily::of(family.api()), Some(family));
        }
        assert_eq!(ApiFamily::of(JsonApi::Gateway), None);
        assert_eq!(ApiFamily::of(JsonApi::Merchant), None);
    }
}
