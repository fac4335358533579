//! Examples: documented exchanges, checked against their own endpoint.
//!
//! An example's request must name only known fields (or merchant parameters,
//! which never start with `pg_`), give every required field, and hold values
//! its fields accept; read by the generated type and sent again, it must come
//! out unchanged: fields in the message's wire order, merchant parameters
//! last, each value written as it is sent. Its response must be well-formed
//! XML carrying every required response field. The generated tests then prove
//! the same with the generated types.

use freedompay_core::rules;
use freedompay_core::{Params, ValidationErrors, Value};

use crate::ir::{Example, Field, Message, Type};
use crate::lower::{Ctx, Unchecked};
use crate::spec::{self, FilledBy, ListStyle};
use crate::values::{sent_as, value_problems};

/// Checks one example against its endpoint's messages; `outgoing` when the
/// client sends the request (it then fills the merchant id). Fields that could
/// not be lowered (`unchecked`; their problem is reported where they are
/// defined) may be set without being checked.
pub(crate) fn lower(
    cx: &mut Ctx<'_>,
    path: &str,
    example: &spec::Example,
    request: &Message,
    response: Option<&Message>,
    outgoing: bool,
    unchecked: &Unchecked,
) -> Example {
    let params = mapping(
        cx,
        &format!("{path}.request"),
        &example.request,
        &request.fields,
        unchecked,
    );
    if unchecked.is_empty() {
        resent(
            cx,
            &format!("{path}.request"),
            &params,
            &request.fields,
            outgoing,
        );
    }
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
                let mut broken = ValidationErrors::default();
                if let Some(min) = field.constraints.min_items {
                    rules::min_items(&mut broken, name, items, min as usize);
                }
                if let Some(max) = field.constraints.max_items {
                    rules::max_items(&mut broken, name, items, max as usize);
                }
                for problem in broken.iter() {
                    cx.error(
                        &vpath,
                        name,
                        format!(
                            "the example list breaks its field's rules: {}",
                            problem.message
                        ),
                    );
                }
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
                    for problem in value_problems(field, &text) {
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

/// Reads `params` as the generated type of `fields` does and writes it back,
/// reporting where the result would differ from the example: a value not
/// written as it is sent (`10.50` goes out as `10.5`), an empty optional value
/// (read as absent, not sent), and fields out of the message's wire order
/// (typed fields go out in that order, then the merchant parameters). Salt,
/// signature and, for what the client sends, the merchant id are filled by the
/// client and left out; unknown `pg_` names are reported by [`mapping`].
fn resent(cx: &mut Ctx<'_>, path: &str, params: &Params, fields: &[Field], outgoing: bool) {
    let typed = |name: &str| {
        fields.iter().find(|f| {
            f.wire == name
                && match f.filled_by {
                    None => true,
                    Some(FilledBy::MerchantId) => !outgoing,
                    Some(FilledBy::Salt | FilledBy::Signature) => false,
                }
        })
    };
    let mut given = Vec::new();
    let mut extras = Vec::new();
    for (name, value) in params.iter() {
        let Some(field) = typed(name) else {
            let filled = fields.iter().any(|f| f.wire == name)
                || matches!(name, "pg_salt" | "pg_sig" | "pg_merchant_id");
            if !filled && !name.starts_with("pg_") {
                given.push(name);
                extras.push(name);
            }
            continue;
        };
        let vpath = format!("{path}.{name}");
        match (&field.ty, value) {
            (Type::List { fields: items, style, .. }, Value::Nested(list)) => {
                if *style == ListStyle::Indexed {
                    for (i, (_, item)) in list.iter().enumerate() {
                        if let Value::Nested(item) = item {
                            resent(cx, &format!("{vpath}[{i}]"), item, items, outgoing);
                        }
                    }
                }
                given.push(name);
            }
            (_, Value::Text(text)) => match sent_as(field, text) {
                Ok(Some(sent)) if sent != *text => {
                    cx.error(
                        &vpath,
                        name,
                        format!(
                            "the example value `{text}` is sent as `{sent}`: write it as it is sent, or the example does not re-encode to itself"
                        ),
                    );
                    given.push(name);
                }
                Ok(None) => cx.error(
                    &vpath,
                    name,
                    "an empty value reads as absent and is not sent: leave the field out, or the example does not re-encode to itself",
                ),
                // Reported as a broken rule of the value, or of its kind, by `mapping`.
                Ok(Some(_)) | Err(_) => given.push(name),
            },
            _ => given.push(name),
        }
    }
    // Merchant parameters travel as the generated type's extras, under its rules.
    let mut broken = ValidationErrors::default();
    let extra: Params = extras.iter().map(|name| (*name, "")).collect();
    let known: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
    rules::extra_names(&mut broken, "", &extra, &known);
    for problem in broken.iter() {
        cx.error(
            &format!("{path}.{}", problem.field),
            &problem.field,
            format!(
                "the example's merchant parameter breaks a rule: {}",
                problem.message
            ),
        );
    }
    let sent: Vec<&str> = fields
        .iter()
        .map(|f| f.wire.as_str())
        .filter(|wire| given.contains(wire) && !extras.contains(wire))
        .chain(extras.iter().copied())
        .collect();
    if let Some((early, first)) = given.iter().zip(&sent).find(|(given, sent)| given != sent) {
        cx.error(
            &format!("{path}.{early}"),
            early,
            format!(
                "the example lists `{early}` before `{first}`, but the generated type sends `{first}` first: list the fields in the message's wire order, merchant parameters last"
            ),
        );
    }
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
