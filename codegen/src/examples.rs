//! Examples: documented exchanges, checked against their own endpoint.
//!
//! An example's request must name only known fields (or merchant parameters,
//! which never start with `pg_`), give every required field, and hold values
//! its fields accept; its response must be well-formed XML carrying every
//! required response field. The generated tests then prove the same with the
//! generated types.

use freedompay_core::{Params, Value};

use crate::ir::{Ctx, Example, Field, Message, Type, Unchecked};
use crate::spec;

/// Checks one example against its endpoint's messages. Fields that could not
/// be lowered (`unchecked`; their problem is reported where they are defined)
/// may be set without being checked.
pub(crate) fn lower(
    cx: &mut Ctx<'_>,
    path: &str,
    example: &spec::Example,
    request: &Message,
    response: Option<&Message>,
    unchecked: &Unchecked,
) -> Example {
    let params = mapping(
        cx,
        &format!("{path}.request"),
        &example.request,
        &request.fields,
        unchecked,
    );
    for field in request
        .fields
        .iter()
        .filter(|f| f.required && f.filled_by.is_none())
    {
        if !params.contains(&field.wire) {
            cx.error(
                &format!("{path}.request"),
                &field.wire,
                format!("the example lacks the required field `{}`", field.wire),
            );
        }
    }
    if let Some(body) = &example.response {
        match response {
            None => cx.error(
                &format!("{path}.response"),
                "",
                "the endpoint has no response message to check this example against",
            ),
            Some(message) => match freedompay_core::xml::parse(body) {
                Err(e) => cx.error(
                    &format!("{path}.response"),
                    "",
                    format!("the example response is not well-formed XML: {e}"),
                ),
                Ok(parsed) => {
                    let parsed = parsed.params;
                    for field in message
                        .fields
                        .iter()
                        .filter(|f| f.required && f.filled_by.is_none())
                    {
                        if !parsed.contains(&field.wire) {
                            cx.error(
                                &format!("{path}.response"),
                                &field.wire,
                                format!(
                                    "the example response lacks the required field `{}`",
                                    field.wire
                                ),
                            );
                        }
                    }
                }
            },
        }
    }
    Example {
        name: example.name.clone(),
        description: example.description.as_ref().map(|d| d.trim().to_owned()),
        request: params,
        string_to_sign: example.string_to_sign.clone(),
        response: example.response.clone(),
    }
}

fn mapping(
    cx: &mut Ctx<'_>,
    path: &str,
    map: &serde_yaml::Mapping,
    fields: &[Field],
    unchecked: &Unchecked,
) -> Params {
    let mut params = Params::new();
    for (key, value) in map {
        let Some(name) = key.as_str() else {
            cx.error(path, "", "example keys are wire names (text)");
            continue;
        };
        let vpath = format!("{path}.{name}");
        let field = fields.iter().find(|f| f.wire == name);
        match (field, value) {
            (None, value) if unchecked.covers(name) => {
                if let Some(value) = unchecked_value(value) {
                    params.push(name, value);
                }
            }
            (None, _) if name.starts_with("pg_") => {
                cx.error(
                    &vpath,
                    name,
                    format!("the example sets `{name}`, which the message does not define"),
                );
            }
            (None, value) => match scalar(value) {
                Some(text) => params.push(name, text),
                None => cx.error(
                    &vpath,
                    name,
                    "a merchant parameter's example value must be a scalar",
                ),
            },
            (Some(field), serde_yaml::Value::Sequence(items)) => {
                let Type::List {
                    fields: item_fields,
                    ..
                } = &field.ty
                else {
                    cx.error(&vpath, name, "only a list field takes a sequence of items");
                    continue;
                };
                let mut list = Params::new();
                for (i, item) in items.iter().enumerate() {
                    let ipath = format!("{vpath}[{i}]");
                    let Some(item_map) = item.as_mapping() else {
                        cx.error(
                            &ipath,
                            name,
                            "each list item is a mapping of wire names to values",
                        );
                        continue;
                    };
                    let item_params = mapping(cx, &ipath, item_map, item_fields, unchecked);
                    for f in item_fields.iter().filter(|f| f.required) {
                        if !item_params.contains(&f.wire) {
                            cx.error(
                                &ipath,
                                &f.wire,
                                format!("the example item lacks the required field `{}`", f.wire),
                            );
                        }
                    }
                    list.push(i.to_string(), Value::Nested(item_params));
                }
                params.push(name, Value::Nested(list));
            }
            (Some(field), value) => {
                let Some(text) = scalar(value) else {
                    cx.error(
                        &vpath,
                        name,
                        "an example value must be a scalar (or a sequence for a list)",
                    );
                    continue;
                };
                // Filled fields (salt, signature) take any text; the salt is part of the example.
                if field.filled_by.is_none() {
                    for problem in crate::check::value_problems(field, &text) {
                        cx.error(
                            &vpath,
                            name,
                            format!(
                                "the example value `{text}` breaks its field's rules: {problem}"
                            ),
                        );
                    }
                }
                params.push(name, text);
            }
        }
    }
    params
}

/// A value set for a field that could not be lowered, taken as it is.
fn unchecked_value(value: &serde_yaml::Value) -> Option<Value> {
    if let Some(text) = scalar(value) {
        return Some(Value::Text(text));
    }
    let items = value.as_sequence()?;
    let mut list = Params::new();
    for (i, item) in items.iter().enumerate() {
        let mut children = Params::new();
        for (key, value) in item.as_mapping()? {
            children.push(key.as_str()?, unchecked_value(value)?);
        }
        list.push(i.to_string(), Value::Nested(children));
    }
    Some(Value::Nested(list))
}

fn scalar(value: &serde_yaml::Value) -> Option<String> {
    match value {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        _ => None,
    }
}
