//! OpenAPI 3.1 documents, one per API family (`docs/openapi/<family>.json`),
//! built from the IR with `serde_json` values.
//!
//! Each document holds every request and browser redirect of its family at
//! its method and path (calls that share a method and path are one operation
//! whose body is any of theirs), the request bodies in their media type, the
//! answers with the JSON Schemas of `docs/schemas/` (the same function makes
//! both, inlined under `components/schemas`), the documented examples, the
//! signing schemes, the hosts, and, for the Merchant API, the callbacks as
//! `webhooks`. Every operation names the spec endpoints it stands for in
//! `x-freedompay-endpoints`.

use std::collections::BTreeSet;

use freedompay_core::{Params, SecretKey, Value as ParamValue, signature};
use serde_json::{Map, Value, json};

use crate::emit::{describe, markdown, schema};
use crate::ir::{Api, Endpoint, Field, Message, TEST_MERCHANT_ID, TEST_SECRET_KEY, Type};
use crate::spec::{ApiName, Auth, Direction, Encoding, ListStyle, Method, Server, Site};

/// The API families, in the order of their documents.
pub const FAMILIES: [ApiName; 4] = [
    ApiName::Merchant,
    ApiName::Gateway,
    ApiName::Card,
    ApiName::Partner,
];

/// The name of the extension that lists the spec endpoints an operation
/// (or webhook) stands for.
pub const ENDPOINTS_EXTENSION: &str = "x-freedompay-endpoints";

/// How `pg_sig` is made, in words.
const PG_SIG_TEXT: &str = "Every form request, XML answer and callback carries `pg_salt` (a random \
string) and `pg_sig`. `pg_sig` is the lowercase hex MD5 of a string joined with `;`: first the \
script name (the last segment of the called path, `init_payment.php` for `/init_payment.php`), then \
every parameter value in the order of its sort key, then the merchant's secret key. A value's sort \
key is its parent's key, its own name and its 1-based position among its siblings as three digits \
(`pg_amount003`); `pg_sig` itself counts for the positions but is left out. A nested value (a \
bracketed form array such as `pg_receipt_positions[0][count]`, or an XML element with children) is \
not a value itself: its children are walked the same way, with its sort key as their parent key. \
The keys are sorted by their bytes. For example, `pg_order_id=23`, `pg_amount=25`, \
`pg_description=test`, `pg_salt=molbulak` of merchant `12345` with key `mysecret` sign \
`init_payment.php;25;test;12345;23;molbulak;mysecret`. Payouts may be signed with a separate payout \
key.";

/// How the detached JWS is made, in words.
const JWS_TEXT: &str = "A JSON request is signed with a detached JWS in the `X-JWS-Signature` \
header: `base64url(header)..base64url(signature)` (the payload part is left empty). The header is \
the compact JSON `{\"uri\":…,\"auth_id\":…,\"method\":…,\"params\":\"\",\"alg\":…}` with these five \
members in this order: the called path, the API user (or merchant id), the HTTP method and the \
algorithm. The signature is the HMAC (`HS256`: SHA-256, `HS512`: SHA-512) with the API key over \
`base64url(header) + \".\" + base64url(body)`, the body exactly as sent. Each request also carries \
a fresh UUID in `X-Request-Id`; a repeated id with the same body is answered with the first \
answer.";

/// How Freedom ID's calls are authenticated, in words.
const BASIC_TEXT: &str = "Freedom ID's calls are authenticated with HTTP Basic client \
credentials: `base64(CLIENT_ID:CLIENT_SECRET)`, issued by Freedom ID.";

/// The file of a family's document, relative to the workspace root.
pub fn file_path(family: ApiName) -> String {
    format!("docs/openapi/{}.json", describe::api_module(family))
}

/// Every family's document as `(path, pretty JSON)`, for the families that
/// have endpoints.
pub fn files(api: &Api) -> Vec<(String, String)> {
    FAMILIES
        .iter()
        .filter(|family| api.endpoints.iter().any(|e| e.api == **family))
        .map(|family| {
            let mut text =
                serde_json::to_string_pretty(&document(api, *family)).unwrap_or_default();
            text.push('\n');
            (file_path(*family), text)
        })
        .collect()
}

/// The key of a message's schema under `components/schemas`: the name of
/// its file in `docs/schemas/` without `.json`.
fn schema_key(endpoint: &Endpoint, response: bool) -> String {
    let kind = match (endpoint.direction.outgoing(), response) {
        (true, false) => "request",
        (true, true) => "response",
        (false, false) => "callback",
        (false, true) => "reply",
    };
    format!("{}.{kind}", endpoint.id)
}

fn schema_ref(key: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{key}") })
}

/// A message's schema for the document: the `docs/schemas/` one without
/// `$schema`, with enum value descriptions and, for XML, how lists travel.
fn component(title: &str, description: &str, message: &Message) -> Value {
    let mut value = schema::message(title, description, message);
    if let Value::Object(map) = &mut value {
        map.remove("$schema");
        if message.encoding == Encoding::Xml {
            map.insert("xml".into(), json!({ "name": "response" }));
        }
    }
    annotate(
        &message.fields,
        &mut value,
        message.encoding == Encoding::Xml,
    );
    value
}

/// Adds what the JSON Schema leaves out to the properties of `schema` for
/// `fields`: `x-enum-descriptions` (value → meaning) and, in XML, whether a
/// list is an element wrapping its items (`xml.wrapped`) or a repeated element.
fn annotate(fields: &[Field], schema: &mut Value, xml: bool) {
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for field in fields {
        let Some(property) = properties.get_mut(&field.wire) else {
            continue;
        };
        match &field.ty {
            Type::Enum { def, .. } => {
                let descriptions: Map<String, Value> = def
                    .values
                    .iter()
                    .map(|v| (v.wire.clone(), json!(v.description)))
                    .collect();
                if let Value::Object(p) = property {
                    p.insert("x-enum-descriptions".into(), Value::Object(descriptions));
                }
            }
            Type::List {
                style,
                fields: items,
                ..
            } => {
                if let Some(item) = property.get_mut("items") {
                    annotate(items, item, xml);
                }
                if xml && let Value::Object(p) = property {
                    p.insert(
                        "xml".into(),
                        json!({ "wrapped": *style == ListStyle::Indexed }),
                    );
                }
            }
            Type::TextList { style } => {
                if xml && let Value::Object(p) = property {
                    p.insert(
                        "xml".into(),
                        json!({ "wrapped": *style == ListStyle::Indexed }),
                    );
                }
            }
            Type::Object { fields: inner, .. } => annotate(inner, property, xml),
            _ => {}
        }
    }
}

/// The media type a message travels in.
fn media_type(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Form => "application/x-www-form-urlencoded",
        Encoding::Multipart => "multipart/form-data",
        Encoding::Xml => "application/xml",
        Encoding::Json => "application/json",
    }
}

/// A site's name in a server's description.
fn site_name(site: Site) -> &'static str {
    match site {
        Site::Kz => "Kazakhstan",
        Site::Kg => "Kyrgyzstan",
        Site::Uz => "Uzbekistan",
        Site::Money => "international mirror",
    }
}

/// The production and test hosts of `sites` for `server`, then the sandbox.
fn servers(sites: &BTreeSet<Site>, server: Server) -> Vec<Value> {
    let service = describe::server(server);
    let mut out = Vec::new();
    for site in sites {
        let core = describe::site(*site);
        let what = match server {
            Server::Api => "payment API",
            Server::FreedomId => "Freedom ID",
        };
        if let Some(url) = service.production(core) {
            out.push(json!({
                "url": url,
                "description": format!("Production {what}, {}", site_name(*site)),
            }));
        }
        if let Some(url) = service.test(core) {
            out.push(json!({
                "url": url,
                "description": format!("Test {what}, {}", site_name(*site)),
            }));
        }
    }
    out.push(json!({
        "url": "http://127.0.0.1:{port}",
        "description": "The local sandbox gateway (`cargo run -p freedompay-sandbox`); it serves \
            every family and Freedom ID, and knows the test merchant `12345` with the key `mysecret`",
        "variables": {
            "port": {
                "default": "8080",
                "description": "The port the sandbox listens on (`--listen`)",
            },
        },
    }));
    out
}

/// The security scheme name of an authentication, `None` for none.
fn scheme_name(auth: Auth) -> Option<&'static str> {
    match auth {
        Auth::PgSig => Some("pgSig"),
        Auth::JwsHs256 => Some("jwsHs256"),
        Auth::JwsHs512 => Some("jwsHs512"),
        Auth::Basic => Some("freedomIdBasic"),
        Auth::None => None,
    }
}

/// The security scheme of an authentication.
fn scheme(auth: Auth) -> Value {
    match auth {
        Auth::PgSig => json!({
            "type": "apiKey",
            "in": "query",
            "name": "pg_sig",
            "description": format!(
                "`pg_sig` travels among the request's parameters: in the query of a GET, in the \
                 form body of a POST (or inside its `pg_xml` document). {PG_SIG_TEXT}"
            ),
        }),
        Auth::JwsHs256 | Auth::JwsHs512 => {
            let alg = auth.jws_algorithm().map(|a| a.name()).unwrap_or_default();
            json!({
                "type": "apiKey",
                "in": "header",
                "name": "X-JWS-Signature",
                "description": format!("A detached JWS with `alg` `{alg}`. {JWS_TEXT}"),
            })
        }
        Auth::Basic => json!({
            "type": "http",
            "scheme": "basic",
            "description": BASIC_TEXT,
        }),
        Auth::None => json!({}),
    }
}

/// Freedom ID's OpenID Connect login as an OAuth2 scheme, from its browser
/// redirect (the authorization endpoint) and its token exchange: the scopes
/// are the grants of the redirect's documented `scope` example.
fn freedom_id_oauth(endpoints: &[&Endpoint]) -> Option<Value> {
    let freedom_id = |e: &&&Endpoint| e.server == Server::FreedomId;
    let authorize = endpoints
        .iter()
        .filter(freedom_id)
        .find(|e| e.direction == Direction::Redirect)?;
    let token = endpoints.iter().filter(freedom_id).find(|e| {
        e.direction == Direction::Request
            && e.request.fields.iter().any(|f| f.wire == "code")
            && e.request.fields.iter().any(|f| f.wire == "redirect_uri")
    })?;
    let host = describe::server(Server::FreedomId).production(describe::site(Site::Kz))?;
    let mut scopes = Map::new();
    let example = authorize
        .request
        .fields
        .iter()
        .find(|f| f.wire == "scope")
        .and_then(|f| f.example.clone())
        .unwrap_or_default();
    for grant in example.split_whitespace() {
        let meaning = if grant == "openid" {
            "Required: the answer of the token exchange carries an ID token".to_owned()
        } else {
            format!("The grant `{grant}`, from the documented example")
        };
        scopes.insert(grant.to_owned(), json!(meaning));
    }
    Some(json!({
        "type": "oauth2",
        "description": "Freedom ID's OpenID Connect login (authorization code flow): the partner \
            sends the user's browser to the authorization endpoint, then exchanges the code it \
            gets back, with its HTTP Basic client credentials, for an access token, a refresh \
            token and an ID token. No discovery document or key set is documented. The grants \
            are free text; `openid` must be among them.",
        "flows": {
            "authorizationCode": {
                "authorizationUrl": format!("{host}{}", authorize.path.as_deref().unwrap_or_default()),
                "tokenUrl": format!("{host}{}", token.path.as_deref().unwrap_or_default()),
                "scopes": scopes,
            },
        },
    }))
}

/// The example's parameters as JSON: text as strings, nested values as
/// objects, or as arrays when their names are the positions `0`, `1`, ….
fn params_json(params: &Params) -> Value {
    let indexed = !params.is_empty()
        && params
            .iter()
            .enumerate()
            .all(|(i, (name, _))| name == i.to_string());
    let value = |v: &ParamValue| match v {
        ParamValue::Text(text) => json!(text),
        ParamValue::Nested(children) => params_json(children),
    };
    if indexed {
        Value::Array(params.iter().map(|(_, v)| value(v)).collect())
    } else {
        Value::Object(
            params
                .iter()
                .map(|(name, v)| (name.to_owned(), value(v)))
                .collect(),
        )
    }
}

/// The documented examples of an endpoint's request, as the client sends
/// them with the test credentials (signed, where the message is).
fn request_examples(endpoint: &Endpoint, out: &mut Map<String, Value>) {
    for example in &endpoint.examples {
        let value = if endpoint.is_json() {
            match &example.body {
                Some(body) => body.clone(),
                None => continue,
            }
        } else {
            let mut params = markdown::example_params(endpoint, example);
            if endpoint.request.signed {
                let sig =
                    signature::sign(&endpoint.script, &params, &SecretKey::new(TEST_SECRET_KEY));
                params.set(signature::SIG, sig);
            }
            params_json(&params)
        };
        let mut entry = Map::new();
        entry.insert(
            "summary".into(),
            json!(format!("{}: {}", endpoint.title, example.name)),
        );
        if let Some(description) = &example.description {
            entry.insert("description".into(), json!(description.trim()));
        }
        entry.insert("value".into(), value);
        out.insert(
            format!("{}.{}", endpoint.id, example.name),
            Value::Object(entry),
        );
    }
}

/// The documented answers of an endpoint's examples, for `media`: XML as
/// text, JSON parsed (an answer that is not JSON is left out).
fn response_examples(endpoint: &Endpoint, media: &str, out: &mut Map<String, Value>) {
    for example in &endpoint.examples {
        let Some(response) = &example.response else {
            continue;
        };
        let value = if media == "application/json" {
            match serde_json::from_str::<Value>(response) {
                Ok(value) => value,
                Err(_) => continue,
            }
        } else {
            json!(response.trim_end())
        };
        out.insert(
            format!("{}.{}", endpoint.id, example.name),
            json!({
                "summary": format!("{}: {}", endpoint.title, example.name),
                "value": value,
            }),
        );
    }
}

/// `schemas` as one schema: itself when alone, else any of them.
fn any_of(mut schemas: Vec<Value>) -> Value {
    if schemas.len() == 1 {
        schemas.remove(0)
    } else {
        json!({ "anyOf": schemas })
    }
}

/// What selects an endpoint at a shared path, in words.
fn selection(endpoint: &Endpoint) -> String {
    if endpoint.selected_by.is_empty() {
        return "the call a request is when no other one's parameters select it".to_owned();
    }
    let parts: Vec<String> = endpoint
        .selected_by
        .iter()
        .map(|(name, value)| match value {
            Some(value) => format!("`{name}` = `{value}`"),
            None => format!("`{name}` present"),
        })
        .collect();
    format!("selected by {}", parts.join(" and "))
}

/// The first paragraph of a description.
fn first_paragraph(text: &str) -> &str {
    text.trim().split("\n\n").next().unwrap_or_default().trim()
}

/// How an operation's request is authenticated and read, in words.
fn travel(endpoint: &Endpoint) -> String {
    let mut out = format!("Authentication: {}.", describe::auth(endpoint.auth));
    if endpoint.auth == Auth::PgSig && endpoint.direction == Direction::Request {
        out.push_str(&format!(
            " Script name: `{}`{}.",
            endpoint.script,
            if endpoint.payout_key {
                "; signed with the payout key where the merchant has one"
            } else {
                ""
            }
        ));
        let other = match endpoint.request.encoding {
            Encoding::Multipart => "`application/x-www-form-urlencoded`",
            _ => "`multipart/form-data`",
        };
        out.push_str(&format!(
            " The gateway also reads the same parameters as {other}, in the query string of a \
             GET, or as an XML document `<request>…</request>` in a single `pg_xml` parameter \
             (signed over its elements the same way)."
        ));
    }
    if endpoint.direction == Direction::Redirect {
        out.push_str(
            " A browser redirect: the client only builds the URL, and the user's browser opens it.",
        );
    }
    out
}

/// Components the operations refer to, collected while they are built.
#[derive(Default)]
struct Components {
    schemas: Map<String, Value>,
    schemes: Vec<Auth>,
    /// Whether an answer refers to the XML error answer.
    error: bool,
}

/// Builds the operation of the endpoints sharing one method and path.
fn operation(
    group: &[&Endpoint],
    family_sites: &BTreeSet<Site>,
    components: &mut Components,
) -> Value {
    let Some(first) = group.first() else {
        return json!({});
    };
    let path = first.path.as_deref().unwrap_or_default();
    let mut op = Map::new();
    op.insert("operationId".into(), json!(first.id));
    op.insert("tags".into(), json!([first.group]));
    let titles: Vec<&str> = group.iter().map(|e| e.title.as_str()).collect();
    op.insert("summary".into(), json!(titles.join(" · ")));
    let mut description = String::new();
    if let [only] = group {
        description.push_str(only.description.trim());
    } else {
        description.push_str(
            "Several calls share this method and path; the parameters a request carries tell \
             them apart.\n",
        );
        for e in group {
            description.push_str(&format!(
                "\n- **{}** (`{}`), {}: {}",
                e.title,
                e.id,
                selection(e),
                first_paragraph(&e.description)
            ));
        }
    }
    description.push_str(&format!("\n\n{}", travel(first)));
    let pages: Vec<String> = group
        .iter()
        .map(|e| format!("`docs/{}`", markdown::page_path(e)))
        .collect();
    description.push_str(&format!(
        "\n\nReference page{}: {}.",
        if pages.len() == 1 { "" } else { "s" },
        pages.join(", ")
    ));
    op.insert("description".into(), json!(description));
    let ids: Vec<&str> = group.iter().map(|e| e.id.as_str()).collect();
    op.insert(ENDPOINTS_EXTENSION.into(), json!(ids));
    op.insert(
        "x-freedompay-completeness".into(),
        json!(
            group
                .iter()
                .map(|e| describe::completeness(e.completeness))
                .collect::<Vec<_>>()
        ),
    );

    // Hosts: the operation's own when they are not the family's.
    let sites: BTreeSet<Site> = group.iter().flat_map(|e| e.hosts.iter().copied()).collect();
    if first.server != Server::Api || &sites != family_sites {
        op.insert("servers".into(), json!(servers(&sites, first.server)));
    }

    // Security.
    let security: Vec<Value> = match scheme_name(first.auth) {
        Some(name) => {
            if !components.schemes.contains(&first.auth) {
                components.schemes.push(first.auth);
            }
            vec![json!({ name: [] })]
        }
        None => Vec::new(),
    };
    op.insert("security".into(), Value::Array(security));

    // Parameters: the path's, the JSON headers, a GET's query.
    let mut parameters = Vec::new();
    for segment in path.split('/') {
        let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            continue;
        };
        let description = if name == "merchant_id" {
            "The merchant's id (the client fills it in from its configuration; it must be the \
             `pg_merchant_id` the request carries)"
                .to_owned()
        } else {
            first
                .request
                .fields
                .iter()
                .find(|f| f.rust == name)
                .map(|f| f.description.clone())
                .unwrap_or_default()
        };
        parameters.push(json!({
            "name": name,
            "in": "path",
            "required": true,
            "description": description,
            "schema": { "type": "string", "minLength": 1 },
        }));
    }
    if first.auth.jws_algorithm().is_some() {
        parameters.push(json!({
            "name": "X-Request-Id",
            "in": "header",
            "required": true,
            "description": "A fresh UUID per request; a request repeated with the same id and \
                body is answered with the first answer, with another body it is refused.",
            "schema": { "type": "string", "format": "uuid" },
        }));
    }
    let actions: Vec<(&str, &str)> = group
        .iter()
        .filter_map(|e| e.action.as_deref().map(|a| (a, e.title.as_str())))
        .collect();
    if !actions.is_empty() {
        let descriptions: Map<String, Value> = actions
            .iter()
            .map(|(a, title)| ((*a).to_owned(), json!(title)))
            .collect();
        let values: Vec<&str> = actions.iter().map(|(a, _)| *a).collect();
        parameters.push(json!({
            "name": "X-Action",
            "in": "header",
            "required": group.len() > 1,
            "description": "The method called, where several share this path.",
            "schema": {
                "type": "string",
                "enum": values,
                "x-enum-descriptions": descriptions,
            },
        }));
    }
    let request_schemas: Vec<(String, Value)> = group
        .iter()
        .map(|e| {
            (
                schema_key(e, false),
                component(&e.request_type(), &e.title, &e.request),
            )
        })
        .collect();
    if first.method == Method::Get {
        // The parameters travel in the query.
        for (_, message) in &request_schemas {
            let required: BTreeSet<String> = message
                .get("required")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let Some(Value::Object(properties)) = message.get("properties") else {
                continue;
            };
            for (name, property) in properties {
                if parameters
                    .iter()
                    .any(|p| p["name"] == json!(name) && p["in"] == "query")
                {
                    continue;
                }
                let mut parameter = json!({
                    "name": name,
                    "in": "query",
                    "required": group.len() == 1 && required.contains(name),
                    "description": property.get("description").cloned().unwrap_or_default(),
                    "schema": property,
                });
                if property.get("type") == Some(&json!("array")) {
                    parameter["style"] = json!("deepObject");
                    parameter["explode"] = json!(true);
                }
                parameters.push(parameter);
            }
        }
    } else {
        for (key, value) in &request_schemas {
            components.schemas.insert(key.clone(), value.clone());
        }
        let media = media_type(first.request.encoding);
        let mut content = Map::new();
        content.insert(
            "schema".into(),
            any_of(request_schemas.iter().map(|(k, _)| schema_ref(k)).collect()),
        );
        if media != "application/json" {
            // Lists travel in bracket notation: `pg_receipt_positions[0][count]`.
            let mut encoding = Map::new();
            for e in group {
                for f in e.request.fields.iter().filter(|f| f.ty.is_list()) {
                    encoding.insert(
                        f.wire.clone(),
                        json!({ "style": "deepObject", "explode": true }),
                    );
                }
            }
            if !encoding.is_empty() {
                content.insert("encoding".into(), Value::Object(encoding));
            }
        }
        let mut examples = Map::new();
        for e in group {
            request_examples(e, &mut examples);
        }
        if !examples.is_empty() {
            content.insert("examples".into(), Value::Object(examples));
        }
        op.insert(
            "requestBody".into(),
            json!({
                "required": true,
                "content": { media: content },
            }),
        );
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }

    // Answers.
    let mut responses = Map::new();
    let json_family = first.is_json();
    if first.direction == Direction::Redirect {
        responses.insert(
            "3XX".into(),
            json!({ "description": "The browser is sent on to the page the call opens." }),
        );
    } else {
        let answered: Vec<&&Endpoint> = group.iter().filter(|e| e.response.is_some()).collect();
        let mut schemas = Vec::new();
        let mut examples = Map::new();
        let media = if json_family {
            "application/json"
        } else {
            "application/xml"
        };
        for e in &answered {
            if let Some(response) = &e.response {
                let key = schema_key(e, true);
                components.schemas.insert(
                    key.clone(),
                    component(&e.response_type(), &e.title, response),
                );
                schemas.push(schema_ref(&key));
                response_examples(e, media, &mut examples);
            }
        }
        if !json_family {
            // The gateway answers a refusal with HTTP 200 too.
            schemas.push(schema_ref("error"));
            components.error = true;
        }
        let mut content = Map::new();
        if schemas.is_empty() {
            content.insert("schema".into(), json!({}));
        } else {
            content.insert("schema".into(), any_of(schemas));
        }
        if !examples.is_empty() {
            content.insert("examples".into(), Value::Object(examples));
        }
        let description = if json_family {
            "The answer."
        } else {
            "The signed XML answer, or the error answer (`pg_status` `error`)."
        };
        responses.insert(
            "200".into(),
            json!({ "description": description, "content": { media: content } }),
        );
    }
    if json_family {
        let (key, description) = if first.auth == Auth::Basic {
            ("freedom_id_error", "Freedom ID's refusal.")
        } else {
            (
                "json_error",
                "A refusal in the families' error envelope: a bad or missing signature (401), \
                 a missing `X-Request-Id` or a body that is not the documented one (400), an \
                 `X-Request-Id` used for another body (409), an unknown object (404).",
            )
        };
        responses.insert(
            "default".into(),
            json!({
                "description": description,
                "content": { "application/json": { "schema": schema_ref(key) } },
            }),
        );
    } else if first.direction == Direction::Redirect && first.request.signed {
        components.error = true;
        responses.insert(
            "200".into(),
            json!({
                "description": "The error answer, when the gateway refuses the request.",
                "content": { "application/xml": { "schema": schema_ref("error") } },
            }),
        );
    }
    op.insert("responses".into(), Value::Object(responses));
    Value::Object(op)
}

/// A callback as a webhook: what the gateway POSTs to the merchant's URL,
/// and the merchant's signed reply.
fn webhook(endpoint: &Endpoint, components: &mut Components) -> Value {
    let key = schema_key(endpoint, false);
    components.schemas.insert(
        key.clone(),
        component(&endpoint.request_type(), &endpoint.title, &endpoint.request),
    );
    let mut content = Map::new();
    content.insert("schema".into(), schema_ref(&key));
    let mut examples = Map::new();
    request_examples(endpoint, &mut examples);
    if !examples.is_empty() {
        content.insert("examples".into(), Value::Object(examples));
    }
    let mut responses = Map::new();
    match &endpoint.response {
        Some(reply) => {
            let reply_key = schema_key(endpoint, true);
            components.schemas.insert(
                reply_key.clone(),
                component(&endpoint.response_type(), &endpoint.title, reply),
            );
            let mut reply_content = Map::new();
            reply_content.insert("schema".into(), schema_ref(&reply_key));
            let mut reply_examples = Map::new();
            response_examples(endpoint, media_type(reply.encoding), &mut reply_examples);
            if !reply_examples.is_empty() {
                reply_content.insert("examples".into(), Value::Object(reply_examples));
            }
            responses.insert(
                "200".into(),
                json!({
                    "description": "The merchant's reply, signed with the same script name.",
                    "content": { media_type(reply.encoding): reply_content },
                }),
            );
        }
        None => {
            responses.insert(
                "200".into(),
                json!({ "description": "Any answer: the gateway reads none." }),
            );
        }
    }
    if !components.schemes.contains(&Auth::PgSig) {
        components.schemes.push(Auth::PgSig);
    }
    json!({
        "post": {
            "operationId": endpoint.id,
            "tags": ["callbacks"],
            "summary": endpoint.title,
            "description": format!(
                "{}\n\nSent to the merchant's URL; signed with `pg_sig`, whose script name is the \
                 last segment of that URL's path (`{}` in the examples). The gateway may also call \
                 with GET or send the parameters as XML, as the payment's `pg_request_method` asks.\
                 \n\nReference page: `docs/{}`.",
                endpoint.description.trim(),
                endpoint.script,
                markdown::page_path(endpoint)
            ),
            ENDPOINTS_EXTENSION: [endpoint.id],
            "security": [{ "pgSig": [] }],
            "requestBody": {
                "required": true,
                "content": { media_type(endpoint.request.encoding): content },
            },
            "responses": responses,
        },
    })
}

/// The shared fields of `wires`, marked required where listed in `required`.
fn shared(api: &Api, wires: &[&str], required: &[&str]) -> Vec<Field> {
    wires
        .iter()
        .filter_map(|wire| api.shared_fields.iter().find(|f| f.wire == *wire))
        .map(|f| Field {
            required: required.contains(&f.wire.as_str()),
            ..f.clone()
        })
        .collect()
}

/// The schemas of the refusals: the XML error answer, the JSON families'
/// envelope and Freedom ID's refusal.
fn error_schemas(
    api: &Api,
    forms: bool,
    json_family: bool,
    basic: bool,
    components: &mut Components,
) {
    if json_family {
        let fields = shared(
            api,
            &[
                "status",
                "request_status",
                "error_code",
                "error_description",
                "dt",
            ],
            &["status", "error_code", "error_description"],
        );
        let mut value = schema::fields_object(&fields, true);
        value["title"] = json!("JsonError");
        value["description"] = json!(
            "The JSON families' error envelope: `status` `error`, the code and what went wrong."
        );
        annotate(&fields, &mut value, false);
        components.schemas.insert("json_error".into(), value);
    }
    if basic {
        components.schemas.insert(
            "freedom_id_error".into(),
            json!({
                "title": "FreedomIdError",
                "description": "Freedom ID's refusal: a message, often a code, and for refused \
                    fields their messages by field name.",
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["message"],
                        "properties": {
                            "message": { "type": "string" },
                            "code": { "type": ["string", "integer"] },
                            "errors": {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "array",
                                    "items": { "type": "string" },
                                },
                            },
                        },
                    },
                },
            }),
        );
    }
    if forms {
        let fields = shared(
            api,
            &[
                "pg_status",
                "pg_error_code",
                "pg_error_description",
                "pg_payment_id",
                "pg_salt",
                "pg_sig",
            ],
            &["pg_status", "pg_error_code", "pg_error_description"],
        );
        let mut value = schema::fields_object(&fields, false);
        value["title"] = json!("Error");
        value["description"] = json!(
            "The gateway's refusal, answered with HTTP 200: `pg_status` `error`, the code and \
             what went wrong (with `pg_payment_id` when it concerns a payment). Signed, unless \
             the gateway could not identify the merchant."
        );
        value["xml"] = json!({ "name": "response" });
        annotate(&fields, &mut value, true);
        components.schemas.insert("error".into(), value);
    }
}

/// The OpenAPI 3.1 document of one API family.
pub fn document(api: &Api, family: ApiName) -> Value {
    let endpoints: Vec<&Endpoint> = api.endpoints.iter().filter(|e| e.api == family).collect();
    let module = describe::api_module(family);
    let def = api.apis.iter().find(|d| d.api == family);
    let title = def.map_or_else(
        || format!("{} API", describe::api_title_by_module(module)),
        |d| d.title.clone(),
    );
    let family_sites: BTreeSet<Site> = endpoints
        .iter()
        .filter(|e| e.server == Server::Api && e.direction != Direction::Callback)
        .flat_map(|e| e.hosts.iter().copied())
        .collect();

    // Operations, by path then method, in spec order.
    let mut groups: Vec<(&str, Method, Vec<&Endpoint>)> = Vec::new();
    for e in endpoints.iter().filter(|e| e.direction.outgoing()) {
        let Some(path) = e.path.as_deref() else {
            continue;
        };
        match groups
            .iter_mut()
            .find(|(p, m, _)| *p == path && *m == e.method)
        {
            Some((_, _, group)) => group.push(e),
            None => groups.push((path, e.method, vec![e])),
        }
    }
    let mut components = Components::default();
    let mut paths = Map::new();
    let mut tags: Vec<String> = Vec::new();
    for (path, method, group) in &groups {
        for e in group {
            if !tags.contains(&e.group) {
                tags.push(e.group.clone());
            }
        }
        let op = operation(group, &family_sites, &mut components);
        let item = paths.entry((*path).to_owned()).or_insert_with(|| json!({}));
        item[method.name().to_lowercase()] = op;
    }
    let mut webhooks = Map::new();
    for e in endpoints
        .iter()
        .filter(|e| e.direction == Direction::Callback)
    {
        if !tags.iter().any(|t| t == "callbacks") {
            tags.push("callbacks".to_owned());
        }
        webhooks.insert(e.id.clone(), webhook(e, &mut components));
    }
    let json_family = endpoints
        .iter()
        .any(|e| e.is_json() && e.auth != Auth::Basic);
    let basic = endpoints.iter().any(|e| e.auth == Auth::Basic);
    let forms = components.error;
    error_schemas(api, forms, json_family, basic, &mut components);

    let mut schemes = Map::new();
    for auth in &components.schemes {
        if let Some(name) = scheme_name(*auth) {
            schemes.insert(name.to_owned(), scheme(*auth));
        }
    }
    if let Some(oauth) = freedom_id_oauth(&endpoints) {
        schemes.insert("freedomId".to_owned(), oauth);
    }

    let mut description = format!(
        "The {title} of the Freedom Pay payment gateway, generated from the YAML spec of \
         freedompay-rs (`spec/`): the same source as the Rust client, the Markdown pages in \
         `docs/` and the JSON Schemas in `docs/schemas/`."
    );
    if let Some(note) = def.and_then(|d| d.note.as_deref()) {
        description.push_str(&format!("\n\n{}", note.trim()));
    }
    if components.schemes.contains(&Auth::PgSig) {
        description.push_str(&format!(
            "\n\n## Signature (`pg_sig`)\n\n{PG_SIG_TEXT} The gateway answers with HTTP 200 and \
             an XML document `<response>`, signed the same way with the called script's name; a \
             refusal says `pg_status` `error` (schema `error`). An answer is unsigned only when \
             the merchant could not be identified."
        ));
    }
    if components
        .schemes
        .iter()
        .any(|a| a.jws_algorithm().is_some())
    {
        description.push_str(&format!("\n\n## Signature (JWS)\n\n{JWS_TEXT}"));
    }
    if basic {
        description.push_str(&format!("\n\n## Freedom ID\n\n{BASIC_TEXT}"));
    }
    description.push_str(&format!(
        "\n\nThe examples are signed with the documented test credentials: merchant id \
         `{TEST_MERCHANT_ID}`, secret key `{TEST_SECRET_KEY}`."
    ));

    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.1.0"));
    doc.insert(
        "info".into(),
        json!({
            "title": format!("Freedom Pay {title}"),
            "version": env!("CARGO_PKG_VERSION"),
            "description": description,
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" },
        }),
    );
    doc.insert("servers".into(), json!(servers(&family_sites, Server::Api)));
    doc.insert(
        "tags".into(),
        Value::Array(tags.iter().map(|t| json!({ "name": t })).collect()),
    );
    doc.insert("paths".into(), Value::Object(paths));
    if !webhooks.is_empty() {
        doc.insert("webhooks".into(), Value::Object(webhooks));
    }
    doc.insert(
        "components".into(),
        json!({ "schemas": components.schemas, "securitySchemes": schemes }),
    );
    Value::Object(doc)
}
