//! What the generated types make of a value written in the spec: whether it
//! breaks its field's rules, and the text they send for it. A leaf module over
//! the [`crate::ir`] field types; the rules, reading and writing are the core
//! crate's (`freedompay_core::rules`, `FromWire`, `ToWire`), not re-implemented
//! here.

use freedompay_core::rules::{self, Format};
use freedompay_core::{Amount, Decimal, FromWire, ToWire, ValidationErrors};

use crate::ir::{Field, Type};

/// What is wrong with `value` as a value of `field` (empty when nothing is).
///
/// The value rules are the core crate's, the ones the generated types apply:
/// the text is read as the client reads it (`FromWire`) and checked with the
/// validation rules of `freedompay_core::rules`, so an example in the spec that
/// passes here passes in the client too, with the client's messages.
pub(crate) fn value_problems(field: &Field, value: &str) -> Vec<String> {
    let mut problems = Vec::new();
    // An empty optional value reads as absent (text stays empty text): no rule applies.
    if value.is_empty() && !field.required && !field.ty.is_text() {
        return problems;
    }
    let mut broken = ValidationErrors::default();
    let c = &field.constraints;
    let number = match &field.ty {
        Type::Integer => i64::from_wire(value).map(Decimal::from).map(Some),
        Type::Amount => Amount::from_wire(value).map(|a| Some(a.as_decimal())),
        Type::Decimal => Decimal::from_wire(value).map(Some),
        Type::Flag => bool::from_wire(value).map(|_| None),
        Type::Enum { def, .. } => {
            if !def.open && !def.values.iter().any(|v| v.wire == value.trim()) {
                let allowed: Vec<&str> = def.values.iter().map(|v| v.wire.as_str()).collect();
                problems.push(format!("`{value}` is not one of {}", allowed.join(", ")));
            }
            Ok(None)
        }
        // Text: its format, length and pattern are checked below.
        Type::String
        | Type::Url
        | Type::Email
        | Type::Phone
        | Type::Ip
        | Type::DateTime
        | Type::CardNumber
        | Type::CardCvc
        | Type::CardMonth
        | Type::CardYear => Ok(None),
        Type::Boolean => match value {
            "true" | "false" => Ok(None),
            _ => Err(format!("`{value}` is not `true` or `false`")),
        },
        Type::List { .. } | Type::TextList { .. } => Err("a list has no scalar value".to_owned()),
        Type::Object { .. } => Err("an object has no scalar value".to_owned()),
    };
    if let Some(format) = field.ty.format().and_then(Format::from_name) {
        rules::format(&mut broken, "", value, format);
    }
    match number {
        Ok(Some(number)) => {
            if let Some(min) = &c.min {
                rules::min(&mut broken, "", &number, min);
            }
            if let Some(max) = &c.max {
                rules::max(&mut broken, "", &number, max);
            }
        }
        Ok(None) => {}
        Err(problem) => problems.push(problem),
    }
    if field.ty.is_text() {
        if let Some(min) = c.min_length {
            rules::min_length(&mut broken, "", value, min as usize);
        }
        if let Some(max) = c.max_length {
            rules::max_length(&mut broken, "", value, max as usize);
        }
        // The generated validation anchors the pattern the same way.
        if let Some(pattern) = &c.pattern
            && let Ok(regex) = regex::Regex::new(&format!("^(?:{pattern})$"))
        {
            rules::pattern(&mut broken, "", value, &regex, pattern);
        }
    }
    problems.extend(broken.iter().map(|e| e.message.clone()));
    problems
}

/// The text the generated type sends for a value it received as `text`: what
/// reading and writing it back make of it (`10.50` becomes `10.5`), or `None`
/// when an empty optional value reads as absent and is not sent. Reading and
/// writing are the core crate's (`FromWire`, `ToWire`), as in the client.
pub(crate) fn sent_as(field: &Field, text: &str) -> Result<Option<String>, String> {
    fn reread<T: FromWire + ToWire>(text: &str, required: bool) -> Result<Option<String>, String> {
        let value = if required {
            Some(T::from_wire(text)?)
        } else {
            T::from_wire_optional(text)?
        };
        Ok(value.map(|v| v.to_wire()))
    }
    match &field.ty {
        Type::Integer => reread::<i64>(text, field.required),
        Type::Amount => reread::<Amount>(text, field.required),
        Type::Decimal => reread::<Decimal>(text, field.required),
        Type::Flag => reread::<bool>(text, field.required),
        // As the generated enums read: an empty optional value is absent, a listed
        // value is matched without surrounding spaces, an open enum keeps others as they are.
        Type::Enum { def, .. } => {
            if text.is_empty() && !field.required {
                return Ok(None);
            }
            match def.values.iter().find(|v| v.wire == text.trim()) {
                Some(v) => Ok(Some(v.wire.clone())),
                None if def.open => Ok(Some(text.to_owned())),
                None => Err(format!("`{text}` is not a value of the enum")),
            }
        }
        Type::String
        | Type::Url
        | Type::Email
        | Type::Phone
        | Type::Ip
        | Type::DateTime
        | Type::CardNumber
        | Type::CardCvc
        | Type::CardMonth
        | Type::CardYear => Ok(Some(text.to_owned())),
        Type::Boolean => Ok(Some(text.to_owned())),
        Type::List { .. } | Type::TextList { .. } => Err("a list has no scalar value".to_owned()),
        Type::Object { .. } => Err("an object has no scalar value".to_owned()),
    }
}
