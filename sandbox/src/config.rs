//! The sandbox's configuration file (`--config PATH`): merchants with their
//! keys and starting payout balances, the Card and Partner API users and
//! Freedom ID clients, how callbacks are retried, and the exchange rates of
//! the Gateway's transfers.
//!
//! ```yaml
//! merchants:
//!   - id: "545084"
//!     secret: "my-secret-key"
//!     payout_secret: "my-payout-key"   # optional
//!     payout_balance: 250000           # optional, KZT; 1 000 000 when absent
//!   - id: "545085"
//!     secret: "another-key"
//! card_api:                            # optional: Card API users (their JWS signs Card API calls only)
//!   - auth_id: "card-user"
//!     key: "card-api-key"
//! partner:                             # optional: Partner API users (Partner API calls only)
//!   - auth_id: "777001"
//!     key: "partner-key"
//! freedom_id:                          # optional: Freedom ID clients (HTTP Basic on Freedom ID's calls)
//!   - client_id: "c388f3cd-7722-4040-9bb2-94b0a05093aa"
//!     client_secret: "client-secret"
//! notify:                              # optional
//!   attempts: 4                        # attempts per result or payout notification
//!   delay_ms: 1000                     # before the first retry, doubled each time
//! payout_delay_ms: 200                 # optional: how long a pending payout stays in process
//! rates:                               # optional: KZT per unit of a currency, over the defaults
//!   USD: 480                           # replaces USD's 500
//!   GBP: 610.5                         # adds GBP
//! ```
//!
//! `rates` gives what one unit of a currency is worth in KZT (a code of
//! three capital letters, a value above 0; KZT stays 1). The rate between two
//! currencies is the quotient of their values, to six decimals; the
//! currencies not listed keep the sandbox's defaults (KZT 1, USD 500, EUR 540,
//! RUB 5.5, KGS 5.8, UZS 0.04; see [`crate::rates`]).
//!
//! A merchant's key signs the JSON calls of every family; an API user's
//! signs its own API's only. An API user's `auth_id` may be neither a
//! merchant's id nor another user's of the same API.
//!
//! Unknown keys are refused, so a misspelt setting is never silently
//! ignored. Errors name the file and the line or the entry; they never show
//! a key. The file's text and the keys read from it are overwritten with
//! zeros once the keys are in the merchants' and users'
//! [`SecretKey`](freedompay::SecretKey)s (or refused).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use freedompay::Amount;
use rust_decimal::Decimal;
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use crate::merchant::{ApiFamily, ApiUser, Merchant, MerchantParseError};
use crate::rates::Rates;

/// A configuration file, read and checked.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The merchant accounts, in file order.
    pub merchants: Vec<Merchant>,
    /// The Card API users, then the Partner API users, in file order.
    pub api_users: Vec<ApiUser>,
    /// Attempts per result or payout notification, when set.
    pub notify_attempts: Option<u32>,
    /// Milliseconds before the first retry, when set.
    pub notify_delay_ms: Option<u64>,
    /// Milliseconds a pending payout stays in process, when set.
    pub payout_delay_ms: Option<u64>,
    /// The exchange rates: the defaults, with the file's `rates` over them.
    pub rates: Rates,
}

/// Why a configuration file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// Not valid YAML, or not the shape described in [`crate::config`].
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its line and column.
        message: String,
    },
    /// A merchant entry is wrong.
    #[error("{path}: merchants[{index}] (id {id:?}): {problem}")]
    Merchant {
        /// The file.
        path: PathBuf,
        /// The entry's position in `merchants`.
        index: usize,
        /// The entry's id as written.
        id: String,
        /// What is wrong.
        problem: String,
    },
    /// An API user entry (`card_api`, `partner`, `freedom_id`) is wrong.
    #[error("{path}: {list}[{index}] (auth_id {auth_id:?}): {problem}")]
    ApiUser {
        /// The file.
        path: PathBuf,
        /// The list: `card_api`, `partner` or `freedom_id`.
        list: &'static str,
        /// The entry's position in the list.
        index: usize,
        /// The entry's `auth_id` as written.
        auth_id: String,
        /// What is wrong.
        problem: String,
    },
    /// An entry of `rates` is wrong.
    #[error("{path}: rates.{currency}: {problem}")]
    Rate {
        /// The file.
        path: PathBuf,
        /// The entry's currency as written.
        currency: String,
        /// What is wrong.
        problem: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    merchants: Vec<MerchantEntry>,
    #[serde(default)]
    card_api: Vec<ApiUserEntry>,
    #[serde(default)]
    partner: Vec<ApiUserEntry>,
    #[serde(default)]
    freedom_id: Vec<ApiUserEntry>,
    #[serde(default)]
    notify: Option<Notify>,
    #[serde(default)]
    payout_delay_ms: Option<u64>,
    #[serde(default)]
    rates: BTreeMap<String, serde_yaml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MerchantEntry {
    id: serde_yaml::Value,
    secret: String,
    #[serde(default)]
    payout_secret: Option<String>,
    #[serde(default)]
    payout_balance: Option<serde_yaml::Value>,
}

impl Drop for MerchantEntry {
    fn drop(&mut self) {
        // Whatever was not moved into a `SecretKey` (a refused entry, a
        // file that failed later) is wiped here.
        self.secret.zeroize();
        if let Some(payout) = &mut self.payout_secret {
            payout.zeroize();
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiUserEntry {
    /// A Freedom ID client writes it `client_id`.
    #[serde(alias = "client_id")]
    auth_id: serde_yaml::Value,
    /// A Freedom ID client writes it `client_secret`.
    #[serde(alias = "client_secret")]
    key: String,
}

impl Drop for ApiUserEntry {
    fn drop(&mut self) {
        // A key not moved into a `SecretKey` is wiped here.
        self.key.zeroize();
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Notify {
    #[serde(default)]
    attempts: Option<u32>,
    #[serde(default)]
    delay_ms: Option<u64>,
}

/// A YAML scalar as text: `545084` and `"545084"` are the same id.
fn scalar(value: &serde_yaml::Value) -> Option<String> {
    match value {
        serde_yaml::Value::String(text) => Some(text.clone()),
        serde_yaml::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

impl Config {
    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?,
            );
        Config::parse(&text, path)
    }

    /// Checks the text of a configuration file; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let file: File = serde_yaml::from_str(text).map_err(|error| ConfigError::Format {
            path: path.to_owned(),
            message: error.to_string(),
        })?;
        let mut merchants: Vec<Merchant> = Vec::with_capacity(file.merchants.len());
        for (index, entry) in file.merchants.into_iter().enumerate() {
            let written = scalar(&entry.id).unwrap_or_default();
            let refuse = |problem: String| ConfigError::Merchant {
                path: path.to_owned(),
                index,
                id: written.clone(),
                problem,
            };
            let merchant = merchant(&written, entry).map_err(refuse)?;
            if merchants.iter().any(|m| m.id == merchant.id) {
                return Err(refuse("this merchant id is already listed".to_owned()));
            }
            merchants.push(merchant);
        }
        let mut api_users: Vec<ApiUser> = Vec::new();
        for (list, family, entries) in [
            ("card_api", ApiFamily::Card, file.card_api),
            ("partner", ApiFamily::Partner, file.partner),
            ("freedom_id", ApiFamily::FreedomId, file.freedom_id),
        ] {
            for (index, mut entry) in entries.into_iter().enumerate() {
                let written = scalar(&entry.auth_id).unwrap_or_default();
                let refuse = |problem: String| ConfigError::ApiUser {
                    path: path.to_owned(),
                    list,
                    index,
                    auth_id: written.clone(),
                    problem,
                };
                ApiUser::check(&written, &entry.key).map_err(|e| refuse(e.to_string()))?;
                if merchants.iter().any(|m| m.id == written) {
                    return Err(refuse("this auth_id is a merchant's id".to_owned()));
                }
                if api_users
                    .iter()
                    .any(|u| u.family == family && u.auth_id == written)
                {
                    return Err(refuse("this auth_id is already listed".to_owned()));
                }
                // Moved, not copied, as the merchants' keys.
                let key = std::mem::take(&mut entry.key);
                api_users.push(ApiUser::new(family, written.clone(), key));
            }
        }
        let mut rates = Rates::default();
        for (currency, value) in &file.rates {
            let refuse = |problem: String| ConfigError::Rate {
                path: path.to_owned(),
                currency: currency.clone(),
                problem,
            };
            let text = scalar(value).unwrap_or_default();
            let kzt: Decimal = text
                .parse()
                .map_err(|_| refuse(format!("{text:?} is not a number")))?;
            rates
                .set(currency, kzt)
                .map_err(|error| refuse(error.to_string()))?;
        }
        let notify = file.notify.unwrap_or(Notify {
            attempts: None,
            delay_ms: None,
        });
        Ok(Config {
            merchants,
            api_users,
            notify_attempts: notify.attempts,
            notify_delay_ms: notify.delay_ms,
            payout_delay_ms: file.payout_delay_ms,
            rates,
        })
    }
}

/// One merchant entry as a [`Merchant`], with the rules of `--merchant`.
fn merchant(id: &str, mut entry: MerchantEntry) -> Result<Merchant, String> {
    let problem = |error: MerchantParseError| error.to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(problem(MerchantParseError::Id));
    }
    if entry.secret.is_empty() || entry.payout_secret.as_deref() == Some("") {
        return Err(problem(MerchantParseError::EmptySecret));
    }
    // Moved, not copied: the key's only copy ends up in a zeroizing `SecretKey`.
    let mut merchant = Merchant::new(id, std::mem::take(&mut entry.secret));
    if let Some(payout) = entry.payout_secret.take() {
        merchant = merchant.with_payout_secret(payout);
    }
    if let Some(balance) = &entry.payout_balance {
        let text = scalar(balance).unwrap_or_default();
        let amount: Amount = text
            .parse()
            .map_err(|error| format!("payout_balance {text:?}: {error}"))?;
        merchant = merchant.with_payout_balance(amount);
    }
    Ok(merchant)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("sandbox.yaml"))
    }

    #[test]
    fn reads_merchants_and_settings() {
        let config = parse(
            "merchants:\n  - id: \"545084\"\n    secret: key-1\n    payout_secret: key-2\n    payout_balance: 250000.50\n  - id: 545085\n    secret: key-3\nnotify:\n  attempts: 2\n  delay_ms: 50\npayout_delay_ms: 10\n",
        )
        .unwrap();
        assert_eq!(config.merchants.len(), 2);
        let first = &config.merchants[0];
        assert_eq!(first.id, "545084");
        assert_eq!(first.key(false).expose(), "key-1");
        assert_eq!(first.key(true).expose(), "key-2");
        assert_eq!(first.payout_balance, "250000.50".parse().unwrap());
        let second = &config.merchants[1];
        assert_eq!(second.id, "545085", "a number is read as the same id");
        assert_eq!(
            second.key(true).expose(),
            "key-3",
            "no payout key: the main one"
        );
        assert_eq!(second.payout_balance, Amount::from_major(1_000_000));
        assert_eq!(config.notify_attempts, Some(2));
        assert_eq!(config.notify_delay_ms, Some(50));
        assert_eq!(config.payout_delay_ms, Some(10));
        let shown = format!("{config:?}");
        assert!(!shown.contains("key-1") && !shown.contains("key-2") && !shown.contains("key-3"));
    }

    #[test]
    fn an_empty_file_is_no_merchants() {
        let config = parse("{}").unwrap();
        assert!(config.merchants.is_empty());
        assert_eq!(config.notify_attempts, None);
    }

    #[test]
    fn a_misspelt_key_is_refused_with_its_line() {
        let error = parse("merchants:\n  - id: \"1\"\n    secret: k\n    payout_secrets: p\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("sandbox.yaml: "), "{error}");
        assert!(error.contains("payout_secrets"), "{error}");
        assert!(error.contains("line 4"), "{error}");
    }

    #[test]
    fn bad_merchants_are_refused_by_position_without_their_keys() {
        let cases = [
            (
                "merchants:\n  - id: abc\n    secret: hidden-1\n",
                "merchants[0] (id \"abc\"): the merchant id must be digits",
            ),
            (
                "merchants:\n  - id: 1\n    secret: \"\"\n",
                "merchants[0] (id \"1\"): a secret key may not be empty",
            ),
            (
                "merchants:\n  - id: 1\n    secret: hidden-1\n  - id: \"1\"\n    secret: hidden-2\n",
                "merchants[1] (id \"1\"): this merchant id is already listed",
            ),
            (
                "merchants:\n  - id: 1\n    secret: hidden-1\n    payout_balance: lots\n",
                "merchants[0] (id \"1\"): payout_balance \"lots\"",
            ),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
            assert!(!error.contains("hidden"), "{error}");
        }
    }

    #[test]
    fn reads_card_and_partner_api_users() {
        let config = parse(
            "merchants:\n  - id: 545084\n    secret: key-1\ncard_api:\n  - auth_id: card-user\n    key: Card-Key-7\npartner:\n  - auth_id: 777001\n    key: Partner-Key-8\n  - auth_id: card-user\n    key: Partner-Key-9\n",
        )
        .unwrap();
        let users: Vec<_> = config
            .api_users
            .iter()
            .map(|u| (u.family, u.auth_id.as_str(), u.key.expose()))
            .collect();
        assert_eq!(
            users,
            [
                (ApiFamily::Card, "card-user", "Card-Key-7"),
                (ApiFamily::Partner, "777001", "Partner-Key-8"),
                (ApiFamily::Partner, "card-user", "Partner-Key-9",),
            ],
            "a number is read as the same auth_id; one auth_id may be a user of each API"
        );
        let shown = format!("{config:?}");
        assert!(!shown.contains("-Key-"), "{shown}");
    }

    #[test]
    fn reads_freedom_id_clients_by_their_own_names() {
        let config = parse(
            "freedom_id:\n  - client_id: c388f3cd-7722-4040-9bb2-94b0a05093aa\n    client_secret: Client-Key-3\n",
        )
        .unwrap();
        let clients: Vec<_> = config
            .api_users
            .iter()
            .map(|u| (u.family, u.auth_id.as_str(), u.key.expose()))
            .collect();
        assert_eq!(
            clients,
            [(
                ApiFamily::FreedomId,
                "c388f3cd-7722-4040-9bb2-94b0a05093aa",
                "Client-Key-3"
            )]
        );
        let error = parse("freedom_id:\n  - client_id: c-1\n    client_secret: \"\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("freedom_id[0] (auth_id \"c-1\"): a key may not be empty"),
            "{error}"
        );
    }

    #[test]
    fn bad_api_users_are_refused_by_list_and_position_without_their_keys() {
        let cases = [
            (
                "card_api:\n  - auth_id: \"\"\n    key: hidden-1\n",
                "card_api[0] (auth_id \"\"): the auth_id may not be empty",
            ),
            (
                "partner:\n  - auth_id: p-1\n    key: hidden-1\n  - auth_id: p-2\n    key: \"\"\n",
                "partner[1] (auth_id \"p-2\"): a key may not be empty",
            ),
            (
                "partner:\n  - auth_id: p-1\n    key: hidden-1\n  - auth_id: p-1\n    key: hidden-2\n",
                "partner[1] (auth_id \"p-1\"): this auth_id is already listed",
            ),
            (
                "merchants:\n  - id: 545084\n    secret: hidden-1\ncard_api:\n  - auth_id: \"545084\"\n    key: hidden-2\n",
                "card_api[0] (auth_id \"545084\"): this auth_id is a merchant's id",
            ),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err().to_string();
            assert!(error.starts_with("sandbox.yaml: "), "{error}");
            assert!(error.contains(expected), "{error}");
            assert!(!error.contains("hidden"), "{error}");
        }
        // A misspelt field of an entry: refused with its line, no key shown.
        let error = parse("card_api:\n  - auth_id: u\n    secret: hidden-3\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("secret") && error.contains("line 3"),
            "{error}"
        );
        assert!(!error.contains("hidden"), "{error}");
    }

    #[test]
    fn rates_replace_or_add_to_the_defaults() {
        let config = parse("rates:\n  USD: 450\n  GBP: 610.5\n  UZS: \"0.05\"\n").unwrap();
        let kzt = |code: &str| config.rates.kzt(code).map(|v| v.to_string());
        assert_eq!(kzt("USD").as_deref(), Some("450"));
        assert_eq!(kzt("GBP").as_deref(), Some("610.5"));
        assert_eq!(kzt("UZS").as_deref(), Some("0.05"));
        assert_eq!(kzt("EUR").as_deref(), Some("540"), "unlisted: the default");
        assert_eq!(parse("{}").unwrap().rates, Rates::default());
        let cases = [
            (
                "rates:\n  USD: lots\n",
                "rates.USD: \"lots\" is not a number",
            ),
            (
                "rates:\n  USD: 0\n",
                "rates.USD: the value of USD in KZT must be more than 0",
            ),
            (
                "rates:\n  usd: 1\n",
                "rates.usd: \"usd\" is no currency code",
            ),
            (
                "rates:\n  KZT: 2\n",
                "rates.KZT: KZT is the unit of the rates",
            ),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err().to_string();
            assert!(error.starts_with("sandbox.yaml: "), "{error}");
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn a_missing_file_names_its_path() {
        let error = Config::load(Path::new("/nonexistent/sandbox.yaml"))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("/nonexistent/sandbox.yaml: "), "{error}");
    }
}
