//! Showing values no log may hold: card numbers.
//!
//! The generated types render a field the spec marks `sensitive` through
//! [`Masked`], and [`PreparedRequest`](crate::exchange::PreparedRequest)
//! masks every card number in its parameters and body, so a `{:?}` in a log
//! line shows at most the first six and last four digits of a card, as
//! PCI DSS allows.

use std::fmt;

/// `value` as it may be shown: a value of 13 characters or more keeps its
/// first six and last four (`440564******6150`); a shorter one is hidden
/// entirely.
pub fn mask(value: &str) -> String {
    let count = value.chars().count();
    if count < 13 {
        return "*".repeat(count);
    }
    let head: String = value.chars().take(6).collect();
    let tail: String = value.chars().skip(count - 4).collect();
    format!("{head}{}{tail}", "*".repeat(count - 10))
}

/// `text` with every run of 13 to 19 ASCII digits (a card number's length)
/// masked as [`mask`] does.
pub fn mask_card_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if (13..=19).contains(&digits.len()) {
            out.push_str(&mask(digits));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Renders a value with [`Debug`](fmt::Debug) as [`mask`] shows it; for
/// text and optional text.
pub struct Masked<'a, T: ?Sized>(pub &'a T);

impl fmt::Debug for Masked<'_, String> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&mask(self.0), f)
    }
}

impl fmt::Debug for Masked<'_, str> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&mask(self.0), f)
    }
}

impl fmt::Debug for Masked<'_, Option<String>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0.as_deref().map(mask), f)
    }
}

/// Renders any [`Debug`](fmt::Debug) value with every card number in its
/// output masked ([`mask_card_numbers`]); `{:#?}` stays pretty.
pub struct CardNumbersMasked<'a, T: ?Sized>(pub &'a T);

impl<T: fmt::Debug + ?Sized> fmt::Debug for CardNumbersMasked<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if f.alternate() {
            format!("{:#?}", self.0)
        } else {
            format!("{:?}", self.0)
        };
        f.write_str(&mask_card_numbers(&shown))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_first_six_and_last_four() {
        assert_eq!(mask("4405645000006150"), "440564******6150");
        assert_eq!(mask("123"), "***");
        assert_eq!(
            mask_card_numbers("pg_payment_to=4405645000006150&pg_merchant_id=545084"),
            "pg_payment_to=440564******6150&pg_merchant_id=545084"
        );
        assert_eq!(
            format!("{:?}", Masked(&Some("4405645000006150".to_owned()))),
            "Some(\"440564******6150\")"
        );
    }
}
