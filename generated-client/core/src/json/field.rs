//! How the fields of generated JSON messages travel, as serde `with`
//! modules: [`text`] (a JSON string), [`number`] (a JSON number: integers,
//! amounts, decimals and enums of numbers) and [`boolean`], each also under
//! [`optional`] for `Option` fields.
//!
//! Values are written exactly as the documentation types them and read
//! liberally, as the gateway's own answers vary between pages: a number
//! where text is expected is read as its text, a number sent as a string is
//! read as the number, `0`/`1` and `"true"`/`"false"` are booleans, and an
//! optional value that is `null` or an empty string is absent. The text of
//! a value goes through [`FromWire`] and [`ToWire`], the same conversions a
//! form or XML message uses, so an amount or an enum means the same in
//! every family.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::wire::{FromWire, ToWire};

/// The text of a scalar JSON value, or why it has none.
fn scalar_text(value: Value) -> Result<String, String> {
    match value {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("expected a value, found `null`".to_owned()),
        Value::Array(_) => Err("expected a single value, found an array".to_owned()),
        Value::Object(_) => Err("expected a single value, found an object".to_owned()),
    }
}

/// A JSON number for the wire text of a number: an integer as an integer,
/// a decimal as the shortest float that reads back to it (`123.42`).
fn number_of(text: &str) -> Option<serde_json::Number> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(i.into());
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(u.into());
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
}

/// A boolean from `true`/`false`, `1`/`0`, or their text.
fn boolean_of(value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.as_u64() == Some(1) => Ok(true),
        Value::Number(n) if n.as_u64() == Some(0) => Ok(false),
        Value::String(s) if s == "true" || s == "1" => Ok(true),
        Value::String(s) if s == "false" || s == "0" => Ok(false),
        other => Err(format!("expected `true` or `false`, found {other}")),
    }
}

/// A field sent as a JSON string.
pub mod text {
    use super::*;

    /// Writes the value's wire text as a JSON string.
    pub fn serialize<T: ToWire, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_wire())
    }

    /// Reads a string (or a number or boolean, as its text).
    pub fn deserialize<'de, T: FromWire, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let text =
            scalar_text(Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)?;
        T::from_wire(&text).map_err(serde::de::Error::custom)
    }
}

/// A field sent as a JSON number.
pub mod number {
    use super::*;

    /// Writes the value's wire text as a JSON number (as a string, should the
    /// text be no number: never for the types generated code uses here).
    pub fn serialize<T: ToWire, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let text = value.to_wire();
        match number_of(&text) {
            Some(number) => number.serialize(serializer),
            None => serializer.serialize_str(&text),
        }
    }

    /// Reads a number (or a string holding one).
    pub fn deserialize<'de, T: FromWire, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        text::deserialize(deserializer)
    }
}

/// A field sent as a JSON boolean.
pub mod boolean {
    use super::*;

    /// Writes `true` or `false`.
    pub fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*value)
    }

    /// Reads `true`/`false`, `1`/`0` or their text.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        boolean_of(&Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// The same for `Option` fields: `None` is written as `null` (generated code
/// leaves an absent optional field out unless the documentation shows
/// `null`), and `null` or an empty string is read as `None`.
pub mod optional {
    use super::*;

    /// Reads an optional value: `None` for `null` or an empty string.
    fn read<'de, D: Deserializer<'de>, T>(
        deserializer: D,
        convert: impl FnOnce(Value) -> Result<T, String>,
    ) -> Result<Option<T>, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Null => Ok(None),
            Value::String(s) if s.is_empty() => Ok(None),
            value => convert(value).map(Some).map_err(serde::de::Error::custom),
        }
    }

    /// An optional JSON string.
    pub mod text {
        use super::*;

        /// Writes the text, or `null`.
        pub fn serialize<T: ToWire, S: Serializer>(
            value: &Option<T>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => super::super::text::serialize(value, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Reads the text; `null` or `""` is absent.
        pub fn deserialize<'de, T: FromWire, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<T>, D::Error> {
            read(deserializer, |value| T::from_wire(&scalar_text(value)?))
        }
    }

    /// An optional JSON number.
    pub mod number {
        use super::*;

        /// Writes the number, or `null`.
        pub fn serialize<T: ToWire, S: Serializer>(
            value: &Option<T>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => super::super::number::serialize(value, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Reads the number; `null` or `""` is absent.
        pub fn deserialize<'de, T: FromWire, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<T>, D::Error> {
            read(deserializer, |value| T::from_wire(&scalar_text(value)?))
        }
    }

    /// An optional JSON boolean.
    pub mod boolean {
        use super::*;

        /// Writes the boolean, or `null`.
        pub fn serialize<S: Serializer>(
            value: &Option<bool>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => serializer.serialize_bool(*value),
                None => serializer.serialize_none(),
            }
        }

        /// Reads the boolean; `null` or `""` is absent.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<bool>, D::Error> {
            read(deserializer, |value| boolean_of(&value))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use crate::Amount;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        #[serde(with = "super::number")]
        amount: Amount,
        #[serde(with = "super::number")]
        count: i64,
        #[serde(with = "super::text")]
        name: String,
        #[serde(with = "super::boolean")]
        save: bool,
        #[serde(
            default,
            with = "super::optional::number",
            skip_serializing_if = "Option::is_none"
        )]
        limit: Option<i64>,
    }

    #[test]
    fn values_are_written_as_typed_and_read_liberally() {
        let sample = Sample {
            amount: "123.42".parse().unwrap(),
            count: 7,
            name: "x".into(),
            save: true,
            limit: None,
        };
        let text = serde_json::to_string(&sample).unwrap();
        assert_eq!(
            text,
            r#"{"amount":123.42,"count":7,"name":"x","save":true}"#
        );
        let whole = Sample {
            amount: "100".parse().unwrap(),
            name: "5".into(),
            ..sample
        };
        assert!(
            serde_json::to_string(&whole)
                .unwrap()
                .starts_with(r#"{"amount":100,"#)
        );
        let liberal: Sample =
            serde_json::from_str(r#"{"amount":"100","count":"7","name":5,"save":1,"limit":""}"#)
                .unwrap();
        assert_eq!(liberal, whole);
        let null: Sample =
            serde_json::from_str(r#"{"amount":1,"count":1,"name":"","save":"false","limit":null}"#)
                .unwrap();
        assert_eq!(null.limit, None);
        assert!(!null.save);
        for bad in [
            r#"{"amount":-1,"count":1,"name":"","save":true}"#,
            r#"{"amount":1,"count":1.5,"name":"","save":true}"#,
            r#"{"amount":1,"count":1,"name":null,"save":true}"#,
            r#"{"amount":1,"count":1,"name":"","save":2}"#,
            r#"{"amount":1,"count":1,"name":[],"save":true}"#,
        ] {
            assert!(serde_json::from_str::<Sample>(bad).is_err(), "{bad}");
        }
    }
}
