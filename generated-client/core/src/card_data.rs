//! Card data and other sensitive text, typed so that it cannot be shown by
//! accident.
//!
//! A [`CardNumber`] shows at most its first six and last four digits, and a
//! [`Sensitive`] value (a CVC, an expiry, a cardholder's name, a token)
//! nothing at all, in `Debug`, in `Display` (and so in `tracing` fields and
//! `format!`) and in every error message the toolkit writes. The value itself
//! is sent on the wire as it is, and read with [`CardNumber::expose`] or
//! [`Sensitive::expose`], which say at the call site that it leaves the type.

use std::fmt;

use crate::redact::mask;
use crate::wire::{FromWire, ToWire};

/// A card number (PAN). `Debug` and `Display` show its first six and last
/// four digits (`440564******6150`); a validated request's card number is
/// digits only, of a card's length, with a correct Luhn check digit
/// ([`luhn_valid`]).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct CardNumber(String);

/// Text that is never shown: a CVC, an expiry, a cardholder's name, a
/// cryptogram or a token. `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Sensitive(String);

macro_rules! text_type {
    ($name:ident, $shown:expr) => {
        impl $name {
            /// Wraps the text as it is sent.
            pub fn new(text: impl Into<String>) -> Self {
                $name(text.into())
            }

            /// The text itself, to send or to compare; keep it out of logs.
            pub fn expose(&self) -> &str {
                &self.0
            }

            /// Whether the text is empty.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&$shown(&self.0), f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&$shown(&self.0))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name(text.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                $name(text)
            }
        }

        /// The text, for the validation rules of the spec (lengths, patterns).
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ToWire for $name {
            fn to_wire(&self) -> String {
                self.0.clone()
            }
        }

        impl FromWire for $name {
            fn from_wire(text: &str) -> Result<Self, String> {
                Ok($name(text.to_owned()))
            }

            fn from_wire_optional(text: &str) -> Result<Option<Self>, String> {
                Ok(Some($name(text.to_owned())))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name)
            }
        }
    };
}

fn hidden(_: &str) -> String {
    "***".to_owned()
}

text_type!(CardNumber, mask);
text_type!(Sensitive, hidden);

/// Whether `digits` is a card number by its form: 12 to 19 ASCII digits
/// whose last is the Luhn check digit of the others (ISO/IEC 7812).
pub fn luhn_valid(digits: &str) -> bool {
    if !(12..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(position, byte)| {
            let digit = u32::from(byte - b'0');
            match position % 2 {
                0 => digit,
                _ if digit > 4 => digit * 2 - 9,
                _ => digit * 2,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_show_six_and_four_and_secrets_nothing() {
        let pan = CardNumber::new("4405645000006150");
        assert_eq!(format!("{pan}"), "440564******6150");
        assert_eq!(format!("{pan:?}"), "\"440564******6150\"");
        assert_eq!(pan.expose(), "4405645000006150");
        assert_eq!(pan.to_wire(), "4405645000006150");
        let cvc = Sensitive::from("012");
        assert_eq!(format!("{cvc} {cvc:?}"), "*** \"***\"");
        assert_eq!(cvc.expose(), "012");
        assert_eq!(
            serde_json::to_string(&cvc).expect("JSON"),
            "\"012\"",
            "sent as it is"
        );
        let read: Sensitive = serde_json::from_str("\"09\"").expect("JSON");
        assert_eq!(read.expose(), "09");
    }

    #[test]
    fn luhn_check_digits() {
        // The documentation's example card and its test cards.
        for valid in ["4405645000006150", "4716047261941981", "5367654276102126"] {
            assert!(luhn_valid(valid), "{valid}");
        }
        for invalid in [
            "4405645000006151",
            "1234567890123456",
            "4405 6450 0000 6150",
            "44056450000061５0",
            "00000000000",
            "",
        ] {
            assert!(!luhn_valid(invalid), "{invalid}");
        }
    }
}
