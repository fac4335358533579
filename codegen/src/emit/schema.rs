//! JSON Schemas: the spec format's own, and one per request and response type.

use schemars::{Schema, json_schema};
use serde_json::{Map, Value, json};

use crate::ir::{Endpoint, Field, JsonKind, Message, Type};
use crate::spec::Encoding;

/// The schema of the spec format: of an endpoint file, with shared files described under `$defs`.
pub fn spec_format() -> String {
    let mut schema = schemars::schema_for!(crate::spec::EndpointFile);
    let shared = schemars::schema_for!(crate::spec::SharedFile);
    let mut root = schema.as_object().cloned().unwrap_or_default();
    root.insert("title".into(), json!("Freedom Pay spec file"));
    // An editor validates both kinds of file with one schema: an endpoint file or a shared file.
    let endpoint_props = root.remove("properties");
    let endpoint_required = root.remove("required");
    let shared_obj = shared.as_object().cloned().unwrap_or_default();
    let mut defs = root
        .remove("$defs")
        .and_then(|d| d.as_object().cloned())
        .unwrap_or_default();
    if let Some(Value::Object(shared_defs)) = shared_obj.get("$defs") {
        for (k, v) in shared_defs {
            defs.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    defs.insert(
        "EndpointFile".into(),
        json!({"type": "object", "additionalProperties": false, "properties": endpoint_props, "required": endpoint_required}),
    );
    defs.insert(
        "SharedFile".into(),
        json!({"type": "object", "additionalProperties": false, "properties": shared_obj.get("properties")}),
    );
    root.remove("type");
    root.remove("additionalProperties");
    root.insert(
        "oneOf".into(),
        json!([{"$ref": "#/$defs/EndpointFile"}, {"$ref": "#/$defs/SharedFile"}]),
    );
    root.insert("$defs".into(), Value::Object(defs));
    schema = Schema::from(root);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// A field's schema; `json` when it travels in a JSON body, where numbers,
/// booleans and objects have their own JSON types.
fn field_schema(field: &Field, json: bool) -> Value {
    let mut s = Map::new();
    let c = &field.constraints;
    match &field.ty {
        Type::Integer if json => {
            s.insert("type".into(), json!("integer"));
        }
        Type::Amount | Type::Decimal if json => {
            s.insert("type".into(), json!("number"));
        }
        Type::Enum { def, .. } if json && def.is_numeric() => {
            let values: Vec<Value> = def
                .values
                .iter()
                .filter_map(|v| v.wire.parse::<i64>().ok())
                .map(|n| json!(n))
                .collect();
            if def.open {
                s.insert("type".into(), json!("integer"));
                s.insert("examples".into(), Value::Array(values));
            } else {
                s.insert("enum".into(), Value::Array(values));
            }
        }
        Type::CardNumber | Type::CardCvc | Type::CardMonth | Type::CardYear => {
            let pattern = match field.ty {
                Type::CardNumber => "^[0-9]{12,19}$",
                Type::CardCvc => "^[0-9]{3,4}$",
                Type::CardMonth => "^(0[1-9]|1[0-2])$",
                _ => "^[0-9]{2}$",
            };
            s.insert("type".into(), json!("string"));
            s.insert("pattern".into(), json!(pattern));
        }
        Type::String | Type::Url | Type::Email | Type::Phone | Type::Ip | Type::DateTime => {
            s.insert("type".into(), json!("string"));
            let format = match field.ty {
                Type::Url => Some("uri"),
                Type::Email => Some("email"),
                Type::Ip => Some("ip"),
                Type::DateTime => Some("date-time"),
                _ => None,
            };
            if let Some(format) = format {
                s.insert("format".into(), json!(format));
            }
        }
        Type::Integer => {
            s.insert("type".into(), json!("string"));
            s.insert("pattern".into(), json!("^-?[0-9]+$"));
        }
        Type::Amount => {
            s.insert("type".into(), json!("string"));
            s.insert("pattern".into(), json!("^[0-9]+(\\.[0-9]{1,2})?$"));
        }
        Type::Decimal => {
            s.insert("type".into(), json!("string"));
            s.insert("pattern".into(), json!("^-?[0-9]+(\\.[0-9]+)?$"));
        }
        Type::Flag => {
            s.insert("enum".into(), json!(["0", "1"]));
        }
        Type::Boolean => {
            s.insert("type".into(), json!("boolean"));
        }
        Type::Object { fields, .. } => {
            if let Value::Object(body) = object(fields, json) {
                s.extend(body);
            }
        }
        Type::Enum { def, .. } => {
            let values: Vec<&str> = def.values.iter().map(|v| v.wire.as_str()).collect();
            if def.open {
                s.insert("type".into(), json!("string"));
                s.insert("examples".into(), json!(values));
            } else {
                s.insert("enum".into(), json!(values));
            }
        }
        Type::List { .. } | Type::TextList { .. } => {
            s.insert("type".into(), json!("array"));
            let items = match &field.ty {
                Type::List { fields, .. } => object(fields, json),
                _ => json!({ "type": "string" }),
            };
            s.insert("items".into(), items);
            if let Some(n) = c.min_items {
                s.insert("minItems".into(), json!(n));
            }
            if let Some(n) = c.max_items {
                s.insert("maxItems".into(), json!(n));
            }
        }
    }
    if let Some(min) = &c.min {
        s.insert("x-minimum".into(), json!(min));
    }
    if let Some(max) = &c.max {
        s.insert("x-maximum".into(), json!(max));
    }
    if let Some(n) = c.min_length {
        s.insert("minLength".into(), json!(n));
    }
    if let Some(n) = c.max_length {
        s.insert("maxLength".into(), json!(n));
    }
    if let Some(p) = &c.pattern {
        // A pattern with Unicode classes (`\p{L}`) is Rust regex syntax that
        // ECMA-262 reads only in Unicode mode, and many validators and
        // generators (Python's `re`) not at all: it is given as `x-pattern`,
        // for the reader; the description says the rule in words.
        let key = if p.contains("\\p{") || p.contains("\\P{") {
            "x-pattern"
        } else {
            "pattern"
        };
        s.insert(key.into(), json!(p));
    }
    s.insert("description".into(), json!(field.description));
    if let Some(example) = &field.example {
        s.insert("examples".into(), json!([literal(field, example, json)]));
    }
    if let Some(default) = &field.default {
        s.insert("default".into(), literal(field, default, json));
    }
    Value::Object(s)
}

/// A field's example or default, written as wire text in the spec, as the
/// value it is in the message: in a JSON body a number or a boolean where the
/// field travels as one, text everywhere else.
fn literal(field: &Field, text: &str, json: bool) -> Value {
    if json {
        match field.ty.json_kind() {
            JsonKind::Number => {
                if let Ok(n) = serde_json::from_str::<serde_json::Number>(text) {
                    return Value::Number(n);
                }
            }
            JsonKind::Boolean => match text {
                "true" | "1" => return json!(true),
                "false" | "0" => return json!(false),
                _ => {}
            },
            _ => {}
        }
    }
    json!(text)
}

fn object(fields: &[Field], json: bool) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        properties.insert(field.wire.clone(), field_schema(field, json));
        if field.required {
            required.push(field.wire.clone());
        }
    }
    // Unlisted parameters of a form or XML message are text; a JSON body may
    // hold anything there.
    let additional = if json {
        json!(true)
    } else {
        json!({"type": "string"})
    };
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": additional,
    })
}

/// The JSON Schema of a message (draft 2020-12): the one `docs/schemas/`
/// holds, and the OpenAPI documents inline under `components/schemas`.
pub fn message(title: &str, description: &str, message: &Message) -> Value {
    let mut schema: Schema = json_schema!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
    });
    if let (Some(target), Value::Object(body)) = (
        schema.as_object_mut(),
        object(&message.fields, message.encoding == Encoding::Json),
    ) {
        target.insert("title".into(), json!(title));
        target.insert("description".into(), json!(description));
        target.extend(body);
    }
    // Serialised as schemars writes it (its order of keys), not taken apart.
    serde_json::to_value(&schema).unwrap_or_default()
}

/// The JSON Schema of an object of `fields` (no `$schema`, title or
/// description); `json` when it travels in a JSON body.
pub fn fields_object(fields: &[Field], json: bool) -> Value {
    object(fields, json)
}

fn message_schema(title: &str, description: &str, msg: &Message) -> String {
    let mut text =
        serde_json::to_string_pretty(&message(title, description, msg)).unwrap_or_default();
    text.push('\n');
    text
}

/// Schemas of an endpoint's messages as `(file name, JSON)`; values of a
/// form or XML message are wire text, as they travel.
pub fn endpoint(endpoint: &Endpoint) -> Vec<(String, String)> {
    let mut out = vec![(
        format!(
            "{}.{}.json",
            endpoint.id,
            if endpoint.direction.outgoing() {
                "request"
            } else {
                "callback"
            }
        ),
        message_schema(&endpoint.request_type(), &endpoint.title, &endpoint.request),
    )];
    if let Some(response) = &endpoint.response {
        out.push((
            format!(
                "{}.{}.json",
                endpoint.id,
                if endpoint.direction.outgoing() {
                    "response"
                } else {
                    "reply"
                }
            ),
            message_schema(&endpoint.response_type(), &endpoint.title, response),
        ));
    }
    out
}
