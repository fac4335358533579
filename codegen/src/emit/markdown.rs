//! Markdown pages: one per endpoint and an index.

use std::fmt::Write;

use freedompay_core::{Params, SecretKey, Value, form, signature};

use crate::emit::describe;
use crate::ir::{Api, Endpoint, Example, Field, Message, TEST_MERCHANT_ID, TEST_SECRET_KEY, Type};
use crate::spec::{Direction, FilledBy};

/// Where an endpoint's page lives, relative to `docs/`.
pub fn page_path(endpoint: &Endpoint) -> String {
    format!(
        "{}/{}/{}.md",
        describe::api_module(endpoint.api),
        endpoint.group,
        endpoint.id
    )
}

/// Text made safe for a Markdown table cell.
pub(crate) fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn table(message: &Message, out: &mut String) {
    let _ = writeln!(
        out,
        "| Field | Type | Required | Constraints | Description |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    rows(&message.fields, "", out);
}

fn rows(fields: &[Field], prefix: &str, out: &mut String) {
    for field in fields {
        let name = if prefix.is_empty() {
            format!("`{}`", field.wire)
        } else {
            format!("`{prefix}[n][{}]`", field.wire)
        };
        let mut description = field.description.clone();
        match field.filled_by {
            Some(FilledBy::MerchantId) => {
                description.push_str(" (set by the client from its configuration when sending)")
            }
            Some(FilledBy::Salt) => {
                description.push_str(" (set by the client: a fresh random salt)")
            }
            Some(FilledBy::Signature) => {
                description.push_str(" (set by the client: the signature)")
            }
            None => {}
        }
        if let Some(example) = &field.example {
            let _ = write!(description, " Example: `{example}`.");
        }
        if let Some(default) = &field.default {
            let _ = write!(description, " Default: `{default}`.");
        }
        if let Some(note) = &field.note {
            let _ = write!(description, " Note: {note}");
        }
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            escape(&describe::type_name(field)),
            if field.required { "yes" } else { "no" },
            escape(&describe::constraints(field).join(", ")),
            escape(&description)
        );
        if let Type::List { fields, .. } = &field.ty {
            let inner = if prefix.is_empty() {
                field.wire.clone()
            } else {
                format!("{prefix}[n][{}]", field.wire)
            };
            rows(fields, &inner, out);
        }
    }
}

/// The example's parameters as the client would send them, with the test merchant id.
pub fn example_params(endpoint: &Endpoint, example: &Example) -> Params {
    let mut params = Params::new();
    let outgoing = endpoint.direction.outgoing();
    let fills_merchant = outgoing
        && endpoint
            .request
            .fields
            .iter()
            .any(|f| f.filled_by == Some(FilledBy::MerchantId));
    if fills_merchant && !example.request.contains("pg_merchant_id") {
        params.push("pg_merchant_id", TEST_MERCHANT_ID);
    }
    for (name, value) in example.request.iter() {
        if name == "pg_merchant_id" && fills_merchant {
            params.push(name.to_owned(), TEST_MERCHANT_ID);
        } else {
            params.push(name.to_owned(), value.clone());
        }
    }
    params
}

fn example_section(endpoint: &Endpoint, example: &Example, out: &mut String) {
    let _ = writeln!(out, "### Example: {}\n", example.name);
    if let Some(description) = &example.description {
        let _ = writeln!(out, "{description}\n");
    }
    if endpoint.is_json() {
        json_example(endpoint, example, out);
        return;
    }
    let params = example_params(endpoint, example);
    let secret = SecretKey::new(TEST_SECRET_KEY);
    let _ = writeln!(out, "Parameters, in the order sent:\n\n```text");
    for (name, value) in form::to_pairs(&params) {
        let _ = writeln!(out, "{name}={value}");
    }
    let _ = writeln!(out, "```\n");
    if !endpoint.request.signed && endpoint.direction.outgoing() {
        if endpoint.direction == Direction::Redirect
            && let Some(site) = endpoint.hosts.first()
            && let Some(base) = describe::server(endpoint.server).production(describe::site(*site))
        {
            let _ = writeln!(
                out,
                "The URL the browser opens (unsigned):\n\n```text\n{base}{}?{}\n```\n",
                endpoint.path.as_deref().unwrap_or_default(),
                form::encode(&params)
            );
        }
        return;
    }
    let string = signature::string_to_sign(&endpoint.script, &params, &secret);
    let sig = signature::md5_hex(&string);
    let _ = writeln!(
        out,
        "String to sign with the test credentials (merchant id `{TEST_MERCHANT_ID}`, secret key `{TEST_SECRET_KEY}`):\n\n```text\n{string}\n```\n\n`pg_sig` = `{sig}`\n"
    );
    if let Some(documented) = &example.string_to_sign {
        let _ = writeln!(
            out,
            "The documentation prints this string as `{documented}`.\n"
        );
    }
    if let Some(response) = &example.response {
        let _ = writeln!(out, "Response:\n\n```xml\n{}\n```\n", response.trim_end());
    }
}

/// A JSON example: the body as sent, the headers and, for a JWS-signed
/// endpoint, how its signature is made ([`jws_example`]); then the answer.
fn json_example(endpoint: &Endpoint, example: &Example, out: &mut String) {
    let body = example
        .body
        .as_ref()
        .map(|b| serde_json::to_string(b).unwrap_or_default())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Body, exactly as sent{}:\n\n```json\n{body}\n```\n",
        if endpoint.auth == crate::spec::Auth::Basic {
            ""
        } else {
            " and signed"
        }
    );
    let _ = writeln!(out, "Headers:\n\n```text");
    let _ = writeln!(
        out,
        "Content-Type: application/json\nAccept: application/json"
    );
    if endpoint.auth == crate::spec::Auth::Basic {
        let _ = writeln!(
            out,
            "Authorization: Basic <base64 of CLIENT_ID:CLIENT_SECRET, the client credentials Freedom ID issues>\n```\n"
        );
    } else {
        jws_example(endpoint, example, &body, out);
    }
    if let Some(response) = &example.response {
        let language = if response.trim_start().starts_with('<') {
            "xml"
        } else {
            "json"
        };
        let _ = writeln!(
            out,
            "Response:\n\n```{language}\n{}\n```\n",
            response.trim_end()
        );
    }
}

/// The JWS part of a JSON example: the rest of its headers, the JWS header,
/// the signing input and the signature made with the documented test
/// credentials (the example's own, else its API's, else the Merchant API
/// test credentials the form examples use).
fn jws_example(endpoint: &Endpoint, example: &Example, body: &str, out: &mut String) {
    use freedompay_core::jws::{self, JwsHeader};
    let (auth_id, key, whose) = match (&example.jws, &endpoint.test_credentials) {
        (Some(jws), _) => (jws.auth_id.clone(), jws.key.clone(), "the example's"),
        (None, Some(c)) => (c.auth_id.clone(), c.key.clone(), "the API's documented"),
        (None, None) => (
            TEST_MERCHANT_ID.to_owned(),
            TEST_SECRET_KEY.to_owned(),
            "the test",
        ),
    };
    let path = endpoint.path.as_deref().unwrap_or_default();
    let header = JwsHeader::new(
        path,
        auth_id.clone(),
        endpoint.method.name(),
        endpoint.jws_algorithm(),
    );
    let signature = jws::sign(&header, body.as_bytes(), &SecretKey::new(key.as_str()));
    let _ = writeln!(out, "X-Request-Id: <a new UUID v7; the same on a retry>");
    if let Some(action) = &endpoint.action {
        let _ = writeln!(out, "X-Action: {action}");
    }
    let _ = writeln!(out, "X-JWS-Signature: {signature}\n```\n");
    let _ = writeln!(
        out,
        "JWS header ({whose} credentials: auth id `{auth_id}`, key `{key}`):\n\n```json\n{}\n```\n",
        header.to_json()
    );
    let _ = writeln!(
        out,
        "Signing input (base64url of the header, a dot, base64url of the body), signed with {}:\n\n```text\n{}\n```\n",
        endpoint.jws_algorithm().name(),
        jws::signing_input(&header, body.as_bytes())
    );
    if let Some(documented) = &example.jws {
        let agrees = if documented.signature == signature {
            "the same value"
        } else {
            "a different value"
        };
        let _ = writeln!(
            out,
            "The documentation prints `{}` for this body: {agrees}.\n",
            documented.signature
        );
    }
}

/// The page of one endpoint.
pub fn page(endpoint: &Endpoint) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo run -p codegen -- generate` from {}; do not edit. -->\n",
        endpoint.origin.file
    );
    let _ = writeln!(out, "# {}\n", endpoint.title);
    let _ = writeln!(out, "{}\n", endpoint.description);
    let _ = writeln!(
        out,
        "- Completeness: {}",
        describe::completeness(endpoint.completeness)
    );
    let _ = writeln!(out, "- Spec id: `{}`", endpoint.id);
    let api_mod = describe::api_module(endpoint.api);
    let _ = writeln!(
        out,
        "- Rust: `freedompay::{api_mod}::{}::{}`{}",
        endpoint.group,
        endpoint.request_type(),
        endpoint
            .response
            .as_ref()
            .map(|_| format!(
                ", `freedompay::{api_mod}::{}::{}`",
                endpoint.group,
                endpoint.response_type()
            ))
            .unwrap_or_default()
    );
    match endpoint.direction {
        Direction::Request | Direction::Redirect => {
            if endpoint.direction == Direction::Redirect {
                let _ = writeln!(
                    out,
                    "- A browser redirect: the client builds the {} opens it",
                    if endpoint.request.signed {
                        "signed URL and the payer's browser"
                    } else {
                        "URL (unsigned) and the user's browser"
                    }
                );
            }
            let method = endpoint.method.name();
            let path = endpoint.path.as_deref().unwrap_or_default();
            let _ = writeln!(
                out,
                "- Method: `{method}`, encoding: {:?}",
                endpoint.request.encoding
            );
            let _ = writeln!(out, "- Authentication: {}", describe::auth(endpoint.auth));
            if !endpoint.selected_by.is_empty() {
                let conditions: Vec<String> = endpoint
                    .selected_by
                    .iter()
                    .map(|(name, value)| match value {
                        Some(value) => format!("`{name}` = `{value}`"),
                        None => format!("`{name}`"),
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "- Shares `{method} {path}` with other calls: a request is this one when it carries {}",
                    conditions.join(" and ")
                );
            }
            if endpoint.auth == crate::spec::Auth::PgSig {
                let _ = writeln!(out, "- Signature script name: `{}`", endpoint.script);
            }
            if endpoint.payout_key {
                let _ = writeln!(
                    out,
                    "- Signed with the payout secret key when one is configured"
                );
            }
            if endpoint.direction == Direction::Request {
                let retry = match (endpoint.effect, endpoint.idempotency_key()) {
                    (crate::spec::Effect::Write, _)
                        if endpoint.auth == crate::spec::Auth::Basic =>
                    {
                        "not sent again once it may have reached Freedom ID (it documents no \
                        request id); the client reports the outcome as unknown"
                            .to_owned()
                    }
                    _ if endpoint.is_json() && endpoint.auth != crate::spec::Auth::Basic => {
                        "sent again with the same body and `X-Request-Id` \
                        (the gateway answers a repeated request id with the first answer)"
                            .to_owned()
                    }
                    (crate::spec::Effect::Read, _) => "sent again (it only reads)".to_owned(),
                    (crate::spec::Effect::Write, Some(key)) => format!(
                        "sent again with the same `{}` (the client sets one when it is empty)",
                        key.wire
                    ),
                    (crate::spec::Effect::Write, None) => "not sent again once it may have \
                        reached the gateway; the client reports the outcome as unknown"
                        .to_owned(),
                };
                let _ = writeln!(out, "- After a transient failure: {retry}");
            }
            let _ = writeln!(out, "\n| Site | Production | Test |\n|---|---|---|");
            let server = describe::server(endpoint.server);
            for site in &endpoint.hosts {
                let site = describe::site(*site);
                let url = |base: Option<&str>| {
                    base.map_or_else(|| "not documented".to_owned(), |b| format!("`{b}{path}`"))
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    site.code(),
                    url(server.production(site)),
                    url(server.test(site))
                );
            }
        }
        Direction::Callback => {
            let _ = writeln!(
                out,
                "- Sent by the gateway to the merchant's URL; signed with the last segment of that URL's path as the script name (`{}` in the examples below)",
                endpoint.script
            );
        }
    }
    out.push('\n');
    for note in &endpoint.notes {
        let _ = writeln!(out, "> Note: {note}\n");
    }
    let (request_title, response_title) = match endpoint.direction {
        Direction::Request | Direction::Redirect => ("Request", "Response"),
        Direction::Callback => ("Callback parameters", "Reply"),
    };
    let _ = writeln!(out, "## {request_title}\n");
    if let Some(d) = &endpoint.request.description {
        let _ = writeln!(out, "{d}\n");
    }
    table(&endpoint.request, &mut out);
    out.push('\n');
    if let Some(response) = &endpoint.response {
        let _ = writeln!(out, "## {response_title}\n");
        if let Some(d) = &response.description {
            let _ = writeln!(out, "{d}\n");
        }
        let _ = writeln!(
            out,
            "Encoding: {:?}{}\n",
            response.encoding,
            match (response.signed, endpoint.is_json()) {
                (true, _) => ", signed",
                // A JSON answer carries no signature; the request's JWS is what authenticates.
                (false, true) => "",
                (false, false) => ", unsigned",
            }
        );
        table(response, &mut out);
        out.push('\n');
    }
    for (name, def) in endpoint.enums.iter().map(|e| (&e.rust_name, e)) {
        let _ = writeln!(
            out,
            "## Enum `{name}`\n\n{}\n\n| Value | Variant | Meaning |\n|---|---|---|",
            def.description
        );
        for v in &def.values {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} |",
                v.wire,
                v.rust,
                escape(&v.description)
            );
        }
        out.push('\n');
    }
    if !endpoint.examples.is_empty() {
        let _ = writeln!(out, "## Examples\n");
        for example in &endpoint.examples {
            example_section(endpoint, example, &mut out);
        }
    }
    if !endpoint.sources.is_empty() {
        let _ = writeln!(out, "## Sources\n\n{}", endpoint.sources.join(", "));
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The index page.
pub fn index(api: &Api) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo run -p codegen -- generate`; do not edit. -->\n"
    );
    let _ = writeln!(out, "# Freedom Pay API reference\n");
    let _ = writeln!(
        out,
        "Generated from the YAML spec in `spec/`. Examples are signed with the test merchant id `{TEST_MERCHANT_ID}` and secret key `{TEST_SECRET_KEY}`.\n"
    );
    let _ = writeln!(
        out,
        "| API | Group | Endpoint | Path or kind | Completeness |\n|---|---|---|---|---|"
    );
    for endpoint in &api.endpoints {
        let kind = match endpoint.direction {
            Direction::Request => format!("`{}`", endpoint.path.as_deref().unwrap_or_default()),
            Direction::Redirect => format!(
                "`{}` (browser redirect)",
                endpoint.path.as_deref().unwrap_or_default()
            ),
            Direction::Callback => "callback".to_owned(),
        };
        let mark = describe::completeness(endpoint.completeness)
            .split(' ')
            .next()
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {} | [{}]({}) | {kind} | {mark} |",
            describe::api_title_by_module(describe::api_module(endpoint.api)),
            endpoint.group,
            endpoint.title,
            page_path(endpoint)
        );
    }
    let _ = writeln!(out, "\n## Enums\n");
    for def in &api.enums {
        let values: Vec<String> = def.values.iter().map(|v| format!("`{}`", v.wire)).collect();
        let _ = writeln!(
            out,
            "- `{}`: {} Values: {}.",
            def.rust_name,
            def.description,
            values.join(", ")
        );
    }
    out
}

/// A nested value rendered for humans (unused for flat params).
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Text(t) => t.clone(),
        Value::Nested(p) => format!("[{} items]", p.len()),
    }
}
