//! How single values travel: every value is text on the wire.

use rust_decimal::Decimal;

use crate::amount::Amount;

/// A value that can be written as wire text.
pub trait ToWire {
    /// The text sent for this value.
    fn to_wire(&self) -> String;
}

/// A value that can be read from wire text.
pub trait FromWire: Sized {
    /// Reads the value; the error says what was expected.
    fn from_wire(text: &str) -> Result<Self, String>;

    /// Reads an optional value: an empty text means "absent" for every type
    /// but text itself.
    fn from_wire_optional(text: &str) -> Result<Option<Self>, String> {
        if text.is_empty() {
            Ok(None)
        } else {
            Self::from_wire(text).map(Some)
        }
    }
}

impl ToWire for String {
    fn to_wire(&self) -> String {
        self.clone()
    }
}

impl FromWire for String {
    fn from_wire(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }

    fn from_wire_optional(text: &str) -> Result<Option<Self>, String> {
        Ok(Some(text.to_owned()))
    }
}

macro_rules! integer_wire {
    ($($ty:ty),*) => {$(
        impl ToWire for $ty {
            fn to_wire(&self) -> String {
                self.to_string()
            }
        }

        impl FromWire for $ty {
            fn from_wire(text: &str) -> Result<Self, String> {
                text.trim()
                    .parse()
                    .map_err(|_| format!("expected an integer, got `{text}`"))
            }
        }
    )*};
}

integer_wire!(i32, i64, u32, u64);

impl ToWire for Amount {
    fn to_wire(&self) -> String {
        self.to_string()
    }
}

impl FromWire for Amount {
    fn from_wire(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|e: crate::amount::AmountError| e.to_string())
    }
}

impl ToWire for Decimal {
    fn to_wire(&self) -> String {
        self.normalize().to_string()
    }
}

impl FromWire for Decimal {
    fn from_wire(text: &str) -> Result<Self, String> {
        Decimal::from_str_exact(text.trim())
            .map_err(|_| format!("expected a decimal number, got `{text}`"))
    }
}

/// Flags travel as `1` and `0`.
impl ToWire for bool {
    fn to_wire(&self) -> String {
        if *self { "1" } else { "0" }.to_owned()
    }
}

impl FromWire for bool {
    fn from_wire(text: &str) -> Result<Self, String> {
        match text.trim() {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(format!("expected 0 or 1, got `{text}`")),
        }
    }
}

/// Numbers compared against `min`/`max` rules.
pub trait Numeric {
    /// The value as a decimal.
    fn to_decimal(&self) -> Decimal;
}

impl Numeric for Amount {
    fn to_decimal(&self) -> Decimal {
        self.as_decimal()
    }
}

impl Numeric for Decimal {
    fn to_decimal(&self) -> Decimal {
        *self
    }
}

macro_rules! integer_numeric {
    ($($ty:ty),*) => {$(
        impl Numeric for $ty {
            fn to_decimal(&self) -> Decimal {
                Decimal::from(*self)
            }
        }
    )*};
}

integer_numeric!(i32, i64, u32, u64);
