//! Examples: documented exchanges, read into the parameters the client sends.
//!
//! Lowering turns an example's YAML request into [`Params`]: each key a wire
//! name, each value text, a list field's value a sequence of mappings. What
//! cannot be read so (a key that is not text, a value of the wrong kind, a
//! `pg_` name the message does not define) is reported and left out. The
//! checks of the values against their fields, of the request as the generated
//! type resends it and of the response run over the IR, in `check`.

use freedompay_core::{Params, Value};

use crate::ir::{Example, Field, Message, Type, Unlowered};
use crate::lower::Ctx;
use crate::spec;

/// Reads one example of an endpoint whose request is `request`. Fields that
/// could not be lowered (`unchecked`; their problem is reported where they are
/// defined) may be set: their values are taken as they are.
pub(crate) fn lower(
    cx: &mut Ctx<'_>,
    path: &str,
    example: &spec::Example,
    request: &Message,
    unchecked: &Unlowered,
) -> Example {
    let (params, body) = if request.encoding == spec::Encoding::Json {
        (
            Params::new(),
            json_body(cx, &format!("{path}.request"), &example.request),
        )
    } else {
        let params = mapping(
            cx,
            &format!("{path}.request"),
            &example.request,
            &request.fields,
            unchecked,
        );
        (params, None)
    };
    if example.jws.is_some() && request.encoding != spec::Encoding::Json {
        cx.error(
            &format!("{path}.jws"),
            "",
            "`jws` is the signature of a JSON request; this request is not JSON",
        );
    }
    Example {
        name: example.name.clone(),
        description: example.description.as_ref().map(|d| d.trim().to_owned()),
        request: params,
        string_to_sign: example.string_to_sign.clone(),
        response: example.response.clone(),
        body,
        jws: example.jws.clone(),
        origin: cx.origin(path),
    }
}

/// A JSON request's body: the YAML mapping as JSON, key order kept.
fn json_body(cx: &mut Ctx<'_>, path: &str, map: &serde_yaml::Mapping) -> Option<serde_json::Value> {
    match serde_json::to_value(map) {
        Ok(value) => Some(value),
        Err(error) => {
            cx.error(
                path,
                "",
                format!(
                    "the example is not a JSON body (keys must be text, numbers finite): {error}"
                ),
            );
            None
        }
    }
}

fn mapping(
    cx: &mut Ctx<'_>,
    path: &str,
    map: &serde_yaml::Mapping,
    fields: &[Field],
    unchecked: &Unlowered,
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
                    params.push(name.to_owned(), value);
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
                Some(text) => params.push(name.to_owned(), text),
                None => cx.error(
                    &vpath,
                    name,
                    "a merchant parameter's example value must be a scalar",
                ),
            },
            (Some(field), serde_yaml::Value::Sequence(items))
                if matches!(field.ty, Type::TextList { .. }) =>
            {
                let mut list = Params::new();
                for (i, item) in items.iter().enumerate() {
                    match scalar(item) {
                        Some(text) => list.push(i.to_string(), text),
                        None => cx.error(
                            &format!("{vpath}[{i}]"),
                            name,
                            "each item of a text list is a scalar",
                        ),
                    }
                }
                params.push(name.to_owned(), Value::Nested(list));
            }
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
                    list.push(i.to_string(), Value::Nested(item_params));
                }
                params.push(name.to_owned(), Value::Nested(list));
            }
            (Some(_), value) => {
                let Some(text) = scalar(value) else {
                    cx.error(
                        &vpath,
                        name,
                        "an example value must be a scalar (or a sequence for a list)",
                    );
                    continue;
                };
                params.push(name.to_owned(), text);
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
            children.push(key.as_str()?.to_owned(), unchecked_value(value)?);
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
