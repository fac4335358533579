//! Showing values no log may hold: card numbers.
//!
//! The generated types hold card numbers and other fields the spec marks
//! `sensitive` in types that mask themselves ([`crate::card_data`]), and
//! [`PreparedRequest`](crate::exchange::PreparedRequest) masks every card
//! number in its parameters and body, so a `{:?}` in a log line shows at
//! most the first six and last four digits of a card, as PCI DSS allows.

use std::fmt;

use crate::params::{Params, Value};

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

/// `params` with the value of every parameter named in `hidden` (at any
/// depth: a list item's fields too) shown as `***`.
pub fn hide_params(params: &Params, hidden: &[&str]) -> Params {
    let mut shown = Params::new();
    for (name, value) in params.entries() {
        let value = match value {
            Value::Text(_) if hidden.contains(&name.as_ref()) => Value::Text("***".to_owned()),
            Value::Text(text) => Value::Text(text.clone()),
            Value::Nested(children) => Value::Nested(hide_params(children, hidden)),
        };
        shown.push(name.clone(), value);
    }
    shown
}

/// A JSON body as it may be shown: every member named in `hidden` (at any
/// depth) as `"***"`, and every card number masked; a body that is not JSON
/// is shown by its length only.
pub fn hide_json(body: &[u8], hidden: &[&str]) -> String {
    fn walk(value: &mut serde_json::Value, hidden: &[&str]) {
        match value {
            serde_json::Value::Object(members) => {
                for (name, member) in members.iter_mut() {
                    if hidden.contains(&name.as_str()) && !member.is_null() {
                        *member = serde_json::Value::String("***".to_owned());
                    } else {
                        walk(member, hidden);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|item| walk(item, hidden)),
            _ => {}
        }
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            walk(&mut value, hidden);
            mask_card_numbers(&value.to_string())
        }
        Err(_) => format!("<{} bytes>", body.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_members_and_parameters_show_stars() {
        let body = br#"{"from":{"card":{"pan":"4405645000006150","cvc":"012"}},"amount":1}"#;
        assert_eq!(
            hide_json(body, &["cvc"]),
            r#"{"from":{"card":{"pan":"440564******6150","cvc":"***"}},"amount":1}"#
        );
        assert_eq!(hide_json(b"\x00\x01", &[]), "<2 bytes>");
        let params = Params::new()
            .with("pg_card_cvc", "653")
            .with("pg_order_id", "1");
        let shown = hide_params(&params, &["pg_card_cvc"]);
        assert_eq!(shown.get_text("pg_card_cvc"), Some("***"));
        assert_eq!(shown.get_text("pg_order_id"), Some("1"));
    }

    #[test]
    fn masks_keep_first_six_and_last_four() {
        assert_eq!(mask("4405645000006150"), "440564******6150");
        assert_eq!(mask("123"), "***");
        assert_eq!(
            mask_card_numbers("pg_payment_to=4405645000006150&pg_merchant_id=545084"),
            "pg_payment_to=440564******6150&pg_merchant_id=545084"
        );
        assert_eq!(
            format!("{:?}", Some(crate::CardNumber::new("4405645000006150"))),
            "Some(\"440564******6150\")"
        );
    }
}
