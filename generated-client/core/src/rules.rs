//! The checks behind validation attributes, called by derived `Validate` impls.
//!
//! Each check records a [`ValidationError`](crate::message::ValidationError)
//! naming the field and the rule. Messages show the limit and, for numbers
//! and lengths, what was found; they never echo text values, which may be
//! card numbers or personal data.

use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::message::{Rule, ValidationErrors};
use crate::wire::Numeric;

fn limit(text: &str) -> Decimal {
    // The derive macro accepts only numeric literals here, so this cannot fail.
    Decimal::from_str(text).unwrap_or_default()
}

/// `min`: the value is at least `min`.
pub fn min<T: Numeric>(errors: &mut ValidationErrors, field: &str, value: &T, min: &str) {
    let value = value.to_decimal();
    if value < limit(min) {
        errors.push(
            field,
            Rule::Min,
            format!("must be at least {min}, got {value}"),
        );
    }
}

/// `max`: the value is at most `max`.
pub fn max<T: Numeric>(errors: &mut ValidationErrors, field: &str, value: &T, max: &str) {
    let value = value.to_decimal();
    if value > limit(max) {
        errors.push(
            field,
            Rule::Max,
            format!("must be at most {max}, got {value}"),
        );
    }
}

/// `min_length`: at least `min` characters.
pub fn min_length(errors: &mut ValidationErrors, field: &str, value: &str, min: usize) {
    let len = value.chars().count();
    if len < min {
        errors.push(
            field,
            Rule::MinLength,
            format!("must be at least {min} characters long, got {len}"),
        );
    }
}

/// `max_length`: at most `max` characters.
pub fn max_length(errors: &mut ValidationErrors, field: &str, value: &str, max: usize) {
    let len = value.chars().count();
    if len > max {
        errors.push(
            field,
            Rule::MaxLength,
            format!("must be at most {max} characters long, got {len}"),
        );
    }
}

/// `pattern`: the whole value matches the regular expression.
///
/// `regex` is the pattern anchored at both ends (`^(?:…)$`); `shown` is the
/// pattern as written, for the message.
pub fn pattern(
    errors: &mut ValidationErrors,
    field: &str,
    value: &str,
    regex: &Regex,
    shown: &str,
) {
    if !regex.is_match(value) {
        errors.push(
            field,
            Rule::Pattern,
            format!("must match the pattern {shown}"),
        );
    }
}

/// `pattern` with a regex compiled at run time, as the `Validate` derive
/// emits it: `None` (the pattern did not compile) is reported as a failed
/// `pattern` rule instead of a panic. The derive rejects a pattern that does
/// not compile, so with derived code `None` does not happen.
pub fn compiled_pattern(
    errors: &mut ValidationErrors,
    field: &str,
    value: &str,
    regex: Option<&Regex>,
    shown: &str,
) {
    match regex {
        Some(regex) => pattern(errors, field, value, regex, shown),
        None => errors.push(
            field,
            Rule::Pattern,
            format!("the pattern {shown} does not compile"),
        ),
    }
}

/// `min_items`: a list has at least `min` items.
pub fn min_items<T>(errors: &mut ValidationErrors, field: &str, value: &[T], min: usize) {
    if value.len() < min {
        errors.push(
            field,
            Rule::MinItems,
            format!("must have at least {min} items, got {}", value.len()),
        );
    }
}

/// `max_items`: a list has at most `max` items.
pub fn max_items<T>(errors: &mut ValidationErrors, field: &str, value: &[T], max: usize) {
    if value.len() > max {
        errors.push(
            field,
            Rule::MaxItems,
            format!("must have at most {max} items, got {}", value.len()),
        );
    }
}

/// The formats a text field can be checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An absolute `http` or `https` URL.
    Url,
    /// An e-mail address.
    Email,
    /// A phone number in international form: digits, optionally after `+`.
    Phone,
    /// An IPv4 or IPv6 address.
    Ip,
    /// A date and time: `YYYY-MM-DD HH:MM:SS` or RFC 3339.
    DateTime,
    /// A card number: 12 to 19 digits whose last is the Luhn check digit.
    CardNumber,
    /// A card security code (CVC2/CVV2): three or four digits.
    CardCvc,
    /// A card's expiry month: two digits, `01` to `12`.
    CardMonth,
    /// A card's expiry year: its last two digits.
    CardYear,
}

impl Format {
    /// Every format, in the order the spec's documentation lists them.
    pub const ALL: [Format; 9] = [
        Format::Url,
        Format::Email,
        Format::Phone,
        Format::Ip,
        Format::DateTime,
        Format::CardNumber,
        Format::CardCvc,
        Format::CardMonth,
        Format::CardYear,
    ];

    /// The format named `name` ([`Format::name`]), if there is one.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }

    /// The format's name as written in the spec.
    pub fn name(self) -> &'static str {
        match self {
            Format::Url => "url",
            Format::Email => "email",
            Format::Phone => "phone",
            Format::Ip => "ip",
            Format::DateTime => "datetime",
            Format::CardNumber => "card_number",
            Format::CardCvc => "card_cvc",
            Format::CardMonth => "card_month",
            Format::CardYear => "card_year",
        }
    }

    fn expectation(self) -> &'static str {
        match self {
            Format::Url => "an absolute http(s) URL",
            Format::Email => "an e-mail address",
            Format::Phone => "a phone number of 10 to 15 digits starting with the country code",
            Format::Ip => "an IP address",
            Format::DateTime => "a date-time as YYYY-MM-DD HH:MM:SS or RFC 3339",
            Format::CardNumber => "a card number: 12 to 19 digits with a correct Luhn check digit",
            Format::CardCvc => "a card security code of 3 or 4 digits",
            Format::CardMonth => "an expiry month of two digits, 01 to 12",
            Format::CardYear => "an expiry year of two digits",
        }
    }

    /// Whether `value` has this format.
    pub fn matches(self, value: &str) -> bool {
        static EMAIL: LazyLock<Regex> = LazyLock::new(|| literal(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"));
        static PHONE: LazyLock<Regex> = LazyLock::new(|| literal(r"^\+?[0-9]{10,15}$"));
        static URL: LazyLock<Regex> = LazyLock::new(|| literal(r"^https?://[^\s/?#]+[^\s]*$"));
        static DATE_TIME: LazyLock<Regex> = LazyLock::new(|| {
            literal(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
        });
        match self {
            Format::Url => URL.is_match(value),
            Format::Email => EMAIL.is_match(value),
            Format::Phone => PHONE.is_match(value),
            Format::Ip => value.parse::<std::net::IpAddr>().is_ok(),
            Format::DateTime => DATE_TIME.is_match(value),
            Format::CardNumber => crate::card_data::luhn_valid(value),
            Format::CardCvc => digits(value, 3..=4),
            Format::CardMonth => digits(value, 2..=2) && matches!(value.parse::<u8>(), Ok(1..=12)),
            Format::CardYear => digits(value, 2..=2),
        }
    }
}

/// Whether `value` is ASCII digits only, as many as `count` allows.
fn digits(value: &str, count: std::ops::RangeInclusive<usize>) -> bool {
    count.contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

/// Compiles one of the fixed patterns of [`Format::matches`].
///
/// Only ever called with the string literals above, never with input, so
/// compiling cannot fail at run time; the unit test
/// `format_patterns_compile` compiles every one of them.
#[allow(clippy::expect_used)] // proof: literal patterns, checked by `format_patterns_compile`
fn literal(pattern: &'static str) -> Regex {
    Regex::new(pattern).expect("a literal pattern compiles")
}

/// `format`: the value has the given format.
pub fn format(errors: &mut ValidationErrors, field: &str, value: &str, format: Format) {
    if !format.matches(value) {
        errors.push(
            field,
            Rule::Format,
            format!("must be {}", format.expectation()),
        );
    }
}

/// The field of a message that holds the parameters no typed field takes:
/// [`Params`](crate::params::Params) in a form or XML message, a JSON object
/// map in a JSON one.
pub trait ExtraFields {
    /// Whether the names travel in a form or XML (where brackets and the
    /// `pg_sig` family have a meaning of their own).
    const FORM: bool;
    /// The names, in order.
    fn extra_names(&self) -> Vec<&str>;
    /// Adds a parameter (a JSON string member in a JSON message).
    fn push_extra(&mut self, name: String, value: String);
}

impl ExtraFields for crate::params::Params {
    const FORM: bool = true;
    fn extra_names(&self) -> Vec<&str> {
        self.iter().map(|(name, _)| name).collect()
    }
    fn push_extra(&mut self, name: String, value: String) {
        self.push(name, value);
    }
}

impl ExtraFields for serde_json::Map<String, serde_json::Value> {
    const FORM: bool = false;
    fn extra_names(&self) -> Vec<&str> {
        self.keys().map(String::as_str).collect()
    }
    fn push_extra(&mut self, name: String, value: String) {
        self.insert(name, serde_json::Value::String(value));
    }
}

/// Extra parameters must have a name and must not repeat a typed field.
pub fn extra_names<E: ExtraFields>(
    errors: &mut ValidationErrors,
    path: &str,
    extra: &E,
    known: &[&str],
) {
    for name in extra.extra_names() {
        let problem = if name.is_empty() {
            Some("an extra parameter needs a name")
        } else if known.contains(&name)
            || (E::FORM && (name == "pg_sig" || name == "pg_salt" || name == "pg_merchant_id"))
        {
            Some("an extra parameter repeats a parameter the message already sets")
        } else if E::FORM && name.contains(['[', ']', '<', '>', '&', '=', ' ']) {
            Some("an extra parameter name may not contain brackets, spaces, `<`, `>`, `&` or `=`")
        } else {
            None
        };
        if let Some(problem) = problem {
            errors.push(
                crate::message::child_path(path, name),
                Rule::ExtraName,
                problem,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    /// Forces every pattern of `Format::matches` to compile (`literal` would
    /// panic on a broken one) and checks each against one good and one bad value.
    #[test]
    fn format_patterns_compile() {
        for (format, good, bad) in [
            (Format::Url, "https://example.com/x", "example.com"),
            (Format::Email, "a@b.kz", "a@b"),
            (Format::Phone, "77001234567", "12"),
            (Format::DateTime, "2024-01-02 03:04:05", "2024-01-02"),
        ] {
            assert!(format.matches(good), "{good}");
            assert!(!format.matches(bad), "{bad}");
        }
    }

    /// The card detail formats: the CVC's length, the month's range and the
    /// year's two digits, with the leading zeros the card prints.
    #[test]
    fn card_details_are_checked_by_length_and_range() {
        let cases: &[(Format, &[&str], &[&str])] = &[
            (
                Format::CardCvc,
                &["653", "012", "1234"],
                &["", "12", "12345", "65a", " 653", "６５３"],
            ),
            (
                Format::CardMonth,
                &["01", "09", "12"],
                &["", "1", "9", "00", "13", "99", "1a", "001"],
            ),
            (
                Format::CardYear,
                &["25", "31", "00"],
                &["", "5", "2031", "3a"],
            ),
        ];
        for (format, good, bad) in cases {
            for value in *good {
                assert!(format.matches(value), "{} refused {value:?}", format.name());
            }
            for value in *bad {
                assert!(!format.matches(value), "{} took {value:?}", format.name());
            }
        }
    }
}
