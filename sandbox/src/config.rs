//! The sandbox's configuration file (`--config PATH`): merchants with their
//! keys and starting payout balances, and how callbacks are retried.
//!
//! ```yaml
//! merchants:
//!   - id: "545084"
//!     secret: "my-secret-key"
//!     payout_secret: "my-payout-key"   # optional
//!     payout_balance: 250000           # optional, KZT; 1 000 000 when absent
//!   - id: "545085"
//!     secret: "another-key"
//! notify:                              # optional
//!   attempts: 4                        # attempts per result or payout notification
//!   delay_ms: 1000                     # before the first retry, doubled each time
//! payout_delay_ms: 200                 # optional: how long a pending payout stays in process
//! ```
//!
//! Unknown keys are refused, so a misspelt setting is never silently
//! ignored. Errors name the file and the line; they never show a key. The
//! file's text and the keys read from it are overwritten with zeros once
//! the keys are in the merchants' [`SecretKey`](freedompay::SecretKey)s
//! (or refused).

use std::path::{Path, PathBuf};

use freedompay::Amount;
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use crate::merchant::{Merchant, MerchantParseError};

/// A configuration file, read and checked.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The merchant accounts, in file order.
    pub merchants: Vec<Merchant>,
    /// Attempts per result or payout notification, when set.
    pub notify_attempts: Option<u32>,
    /// Milliseconds before the first retry, when set.
    pub notify_delay_ms: Option<u64>,
    /// Milliseconds a pending payout stays in process, when set.
    pub payout_delay_ms: Option<u64>,
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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    merchants: Vec<MerchantEntry>,
    #[serde(default)]
    notify: Option<Notify>,
    #[serde(default)]
    payout_delay_ms: Option<u64>,
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
        let notify = file.notify.unwrap_or(Notify {
            attempts: None,
            delay_ms: None,
        });
        Ok(Config {
            merchants,
            notify_attempts: notify.attempts,
            notify_delay_ms: notify.delay_ms,
            payout_delay_ms: file.payout_delay_ms,
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
    fn a_missing_file_names_its_path() {
        let error = Config::load(Path::new("/nonexistent/sandbox.yaml"))
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("/nonexistent/sandbox.yaml: "), "{error}");
    }
}
