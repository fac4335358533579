//! Money amounts: a decimal with at most two fraction digits, never a float.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// A non-negative amount of money with at most two fraction digits.
///
/// It always renders the same string for the same value, with no trailing
/// zeros and no exponent (`25`, `25.5`, `0.01`), so what is signed is what the
/// gateway reads: `"25.50".parse::<Amount>()` and `Amount::from_minor(2550)`
/// both render `25.5`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(Decimal);

/// Why a value is not an [`Amount`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a plain decimal number (`1e5`, `1,50` and `abc` are not).
    #[error(
        "`{0}` is not a decimal amount (use digits with an optional `.` and up to two fraction digits)"
    )]
    Syntax(String),
    /// Below zero.
    #[error("an amount cannot be negative (got {0})")]
    Negative(String),
    /// More than two digits after the point.
    #[error("an amount has at most two fraction digits (got {0})")]
    Precision(String),
}

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// An amount from a decimal, rejecting negative values and sub-cent precision.
    pub fn new(value: Decimal) -> Result<Self, AmountError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AmountError::Negative(value.to_string()));
        }
        let normalized = value.normalize();
        if normalized.scale() > 2 {
            return Err(AmountError::Precision(value.to_string()));
        }
        Ok(Amount(normalized))
    }

    /// An amount in minor units (tiyn, tyiyn): `from_minor(2550)` is 25.50.
    pub fn from_minor(minor: u64) -> Self {
        Amount(Decimal::from_i128_with_scale(i128::from(minor), 2).normalize())
    }

    /// A whole amount: `from_major(25)` is 25.
    pub fn from_major(major: u64) -> Self {
        Amount(Decimal::from(major))
    }

    /// The value as a decimal.
    pub fn as_decimal(&self) -> Decimal {
        self.0
    }

    /// The value in minor units (hundredths).
    pub fn to_minor(&self) -> Option<u64> {
        let scaled = self.0.checked_mul(Decimal::ONE_HUNDRED)?;
        u64::try_from(scaled.trunc().mantissa() / 10i128.pow(scaled.trunc().scale())).ok()
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let plain = !text.is_empty()
            && text.bytes().filter(|&b| b == b'.').count() <= 1
            && text
                .bytes()
                .enumerate()
                .all(|(i, b)| b.is_ascii_digit() || b == b'.' || (i == 0 && b == b'-'))
            && text.bytes().any(|b| b.is_ascii_digit());
        if !plain {
            return Err(AmountError::Syntax(text.to_owned()));
        }
        let value =
            Decimal::from_str_exact(text).map_err(|_| AmountError::Syntax(text.to_owned()))?;
        Amount::new(value)
    }
}

impl TryFrom<Decimal> for Amount {
    type Error = AmountError;

    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Amount::new(value)
    }
}

impl From<Amount> for Decimal {
    fn from(amount: Amount) -> Self {
        amount.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({})", self.0)
    }
}
