//! The examples of JSON endpoints: the body must give every required field,
//! in the JSON type the field travels as, with values its rules accept; it
//! must come out of the generated type byte for byte (typed fields in the
//! message's order, others after them), which a body written in another
//! order could not; a documented answer must be JSON (or XML, as some pages
//! print it) carrying every required field.

use serde_json::Value;

use crate::ir::{Field, JsonKind, Message, Type};
use crate::values::value_problems;

/// One problem: the YAML path below the example, the field, the message.
pub(crate) type Problem = (String, String, String);

/// The problems of a JSON body `value` at `path` against `fields`.
pub(crate) fn body(path: &str, value: &Value, fields: &[Field], out: &mut Vec<Problem>) {
    let Value::Object(object) = value else {
        out.push((
            path.to_owned(),
            String::new(),
            "a JSON body here is an object".to_owned(),
        ));
        return;
    };
    for field in fields.iter().filter(|f| f.required) {
        if !object.contains_key(&field.wire) {
            out.push((
                path.to_owned(),
                field.wire.clone(),
                format!("the example lacks the required field `{}`", field.wire),
            ));
        }
    }
    // Typed fields are written in the message's order, then the others.
    let positions: Vec<usize> = object
        .keys()
        .filter_map(|k| fields.iter().position(|f| &f.wire == k))
        .collect();
    let typed_then_extra = object
        .keys()
        .map(|k| fields.iter().any(|f| &f.wire == k))
        .collect::<Vec<_>>()
        .windows(2)
        .all(|w| w[0] || !w[1]);
    if !positions.windows(2).all(|w| w[0] < w[1]) || !typed_then_extra {
        out.push((
            path.to_owned(),
            String::new(),
            "the example's keys are not in the message's field order (then unlisted ones): the generated type would send them in another order".to_owned(),
        ));
    }
    for (name, item) in object {
        let Some(field) = fields.iter().find(|f| &f.wire == name) else {
            continue;
        };
        value_of(&format!("{path}.{name}"), field, item, out);
    }
}

fn value_of(path: &str, field: &Field, value: &Value, out: &mut Vec<Problem>) {
    let mut problem = |message: String| out_push(out, path, &field.wire, message);
    let expected = match (&field.ty, value) {
        (_, Value::Null) if field.nullable || !field.required => None,
        (Type::Object { fields, .. }, Value::Object(_)) => {
            body(path, value, fields, out);
            return;
        }
        (Type::List { fields, .. }, Value::Array(items)) => {
            count(path, field, items.len(), out);
            for (i, item) in items.iter().enumerate() {
                body(&format!("{path}[{i}]"), item, fields, out);
            }
            return;
        }
        (Type::TextList { .. }, Value::Array(items)) => {
            count(path, field, items.len(), out);
            if !items.iter().all(Value::is_string) {
                out_push(
                    out,
                    path,
                    &field.wire,
                    "the items of a `text_list` are JSON strings".to_owned(),
                );
            }
            return;
        }
        (ty, value) => match (ty.json_kind(), value) {
            (JsonKind::Boolean, Value::Bool(_)) => None,
            (JsonKind::Number, Value::Number(n)) => Some(n.to_string()),
            (JsonKind::Text, Value::String(s)) => Some(s.clone()),
            (expected, _) => {
                problem(format!(
                    "the example gives {} where the field travels as {}",
                    kind(value),
                    expected.describe()
                ));
                return;
            }
        },
    };
    if let Some(text) = expected {
        for broken in value_problems(field, &text) {
            out_push(
                out,
                path,
                &field.wire,
                format!("the example value `{text}` breaks its field's rules: {broken}"),
            );
        }
    }
}

fn out_push(out: &mut Vec<Problem>, path: &str, field: &str, message: String) {
    out.push((path.to_owned(), field.to_owned(), message));
}

fn count(path: &str, field: &Field, len: usize, out: &mut Vec<Problem>) {
    let c = &field.constraints;
    if c.min_items.is_some_and(|n| len < n as usize)
        || c.max_items.is_some_and(|n| len > n as usize)
    {
        out_push(
            out,
            path,
            &field.wire,
            format!("the example list has {len} items, outside its field's limits"),
        );
    }
}

/// What a JSON value is, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "`null`",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The problems of a documented answer `text` to a JSON request.
pub(crate) fn answer(text: &str, message: &Message, out: &mut Vec<Problem>) {
    let value = match freedompay_core::json::answer_value(text) {
        Ok(value) => value,
        Err(error) => {
            out_push(
                out,
                "response",
                "",
                format!("the example answer is neither JSON nor well-formed XML: {error}"),
            );
            return;
        }
    };
    let Value::Object(object) = &value else {
        out_push(
            out,
            "response",
            "",
            "the example answer is not a JSON object".to_owned(),
        );
        return;
    };
    // A documented refusal is the family's error envelope, not the answer's fields.
    if freedompay_core::json::refusal(&value).is_some() {
        return;
    }
    for field in message.fields.iter().filter(|f| f.required) {
        if !object.contains_key(&field.wire) {
            out_push(
                out,
                "response",
                &field.wire,
                format!(
                    "the example answer lacks the required field `{}`",
                    field.wire
                ),
            );
        }
    }
}
