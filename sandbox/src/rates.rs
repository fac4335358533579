//! The sandbox's exchange rates, used by the Gateway's card-to-card
//! transfers: `g2g/p2p/rates` answers them, and a transfer between two
//! currencies without `pg_amount_to` is credited at them.
//!
//! The table holds what one unit of each currency is worth in KZT. The rate
//! from one currency to another is `kzt(from) / kzt(to)`, rounded to
//! [`RATE_DECIMALS`] decimals. The defaults are the sandbox's own, no
//! market's: KZT 1, USD 500, EUR 540, RUB 5.5, KGS 5.8, UZS 0.04 (so KZT to
//! USD is 0.002, USD to KZT 500, EUR to USD 1.08). The configuration file's
//! `rates:` (see [`crate::config`]) or [`Rates::set`] changes a currency's
//! value or adds a currency; KZT is the unit and stays 1.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

/// The decimals of a rate between two currencies.
pub const RATE_DECIMALS: u32 = 6;

/// The unit every value of the table is written in.
pub const UNIT: &str = "KZT";

/// The default table: a currency, and its value in KZT as a mantissa and a
/// scale (`55, 1` is 5.5).
const DEFAULTS: &[(&str, i64, u32)] = &[
    ("KZT", 1, 0),
    ("USD", 500, 0),
    ("EUR", 540, 0),
    ("RUB", 55, 1),
    ("KGS", 58, 1),
    ("UZS", 4, 2),
];

/// The exchange rates the sandbox knows: each currency's value in KZT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rates {
    kzt: BTreeMap<String, Decimal>,
}

/// Why a currency's value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    /// The code is not three letters A to Z.
    #[error("{0:?} is no currency code (three capital letters)")]
    Code(String),
    /// The value is zero or negative.
    #[error("the value of {0} in KZT must be more than 0")]
    NotPositive(String),
    /// KZT given another value than 1.
    #[error("KZT is the unit of the rates: its value is 1")]
    Unit,
}

impl Default for Rates {
    /// The sandbox's default rates (see [the module](self)).
    fn default() -> Self {
        Rates {
            kzt: DEFAULTS
                .iter()
                .map(|(code, mantissa, scale)| {
                    ((*code).to_owned(), Decimal::new(*mantissa, *scale))
                })
                .collect(),
        }
    }
}

impl Rates {
    /// Sets the value of one unit of `code` in KZT, replacing the currency's
    /// value or adding the currency.
    pub fn set(&mut self, code: &str, kzt: Decimal) -> Result<(), RateError> {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(RateError::Code(code.to_owned()));
        }
        if kzt <= Decimal::ZERO {
            return Err(RateError::NotPositive(code.to_owned()));
        }
        if code == UNIT && kzt != Decimal::ONE {
            return Err(RateError::Unit);
        }
        self.kzt.insert(code.to_owned(), kzt.normalize());
        Ok(())
    }

    /// The value of one unit of `code` in KZT, when the sandbox knows the
    /// currency.
    pub fn kzt(&self, code: &str) -> Option<Decimal> {
        self.kzt.get(code).copied()
    }

    /// The currencies the sandbox knows, in alphabetical order.
    pub fn currencies(&self) -> impl Iterator<Item = &str> {
        self.kzt.keys().map(String::as_str)
    }

    /// The rate from `from` to `to`: what an amount in `from` is multiplied
    /// by to get the amount in `to`, to [`RATE_DECIMALS`] decimals. `None`
    /// when either currency is unknown.
    pub fn rate(&self, from: &str, to: &str) -> Option<Decimal> {
        let rate = self.kzt(from)?.checked_div(self.kzt(to)?)?;
        Some(rate.round_dp(RATE_DECIMALS).normalize())
    }

    /// Every pair of two different currencies the sandbox knows, with its
    /// rate: from `from` only, when given, and to `to` only, when given; in
    /// alphabetical order of the currency from, then of the currency to.
    pub fn pairs(&self, from: Option<&str>, to: Option<&str>) -> Vec<(String, String, Decimal)> {
        let mut pairs = Vec::new();
        for source in self.currencies().filter(|c| from.is_none_or(|f| f == *c)) {
            for target in self.currencies().filter(|c| to.is_none_or(|t| t == *c)) {
                if source == target {
                    continue;
                }
                if let Some(rate) = self.rate(source, target) {
                    pairs.push((source.to_owned(), target.to_owned(), rate));
                }
            }
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn the_default_rates_divide_the_values_in_kzt() {
        let rates = Rates::default();
        assert_eq!(
            rates.currencies().collect::<Vec<_>>(),
            ["EUR", "KGS", "KZT", "RUB", "USD", "UZS"]
        );
        assert_eq!(rates.rate("KZT", "USD"), Some(dec("0.002")));
        assert_eq!(rates.rate("USD", "KZT"), Some(dec("500")));
        assert_eq!(rates.rate("EUR", "USD"), Some(dec("1.08")));
        assert_eq!(rates.rate("KZT", "EUR"), Some(dec("0.001852")));
        assert_eq!(rates.rate("USD", "RUB"), Some(dec("90.909091")));
        assert_eq!(rates.rate("UZS", "USD"), Some(dec("0.00008")));
        assert_eq!(rates.rate("KZT", "KZT"), Some(Decimal::ONE));
        assert_eq!(rates.rate("KZT", "GBP"), None);
        assert_eq!(rates.rate("GBP", "KZT"), None);
    }

    #[test]
    fn pairs_are_every_other_currency_in_order() {
        let rates = Rates::default();
        assert_eq!(rates.pairs(None, None).len(), 30);
        let to_kzt: Vec<_> = rates
            .pairs(None, Some("KZT"))
            .into_iter()
            .map(|(from, _, rate)| (from, rate.to_string()))
            .collect();
        assert_eq!(
            to_kzt,
            [
                ("EUR".to_owned(), "540".to_owned()),
                ("KGS".to_owned(), "5.8".to_owned()),
                ("RUB".to_owned(), "5.5".to_owned()),
                ("USD".to_owned(), "500".to_owned()),
                ("UZS".to_owned(), "0.04".to_owned()),
            ]
        );
        assert_eq!(rates.pairs(Some("USD"), None).len(), 5);
        assert!(rates.pairs(Some("GBP"), None).is_empty());
    }

    #[test]
    fn set_replaces_or_adds_a_currency_and_refuses_nonsense() {
        let mut rates = Rates::default();
        rates.set("USD", dec("450")).unwrap();
        rates.set("GBP", dec("600")).unwrap();
        rates.set("KZT", dec("1.0")).unwrap();
        assert_eq!(rates.rate("KZT", "USD"), Some(dec("0.002222")));
        assert_eq!(rates.rate("GBP", "USD"), Some(dec("1.333333")));
        assert_eq!(
            rates.set("usd", dec("1")),
            Err(RateError::Code("usd".to_owned()))
        );
        assert_eq!(
            rates.set("GBP", dec("0")),
            Err(RateError::NotPositive("GBP".to_owned()))
        );
        assert_eq!(rates.set("KZT", dec("2")), Err(RateError::Unit));
    }
}
