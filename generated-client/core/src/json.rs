//! Building JWS-signed JSON requests and reading JSON answers, with no I/O:
//! the protocol of the Async Gateway, Card and Partner APIs.
//!
//! A request is serialised once; those bytes are the body, signed as they
//! are ([`crate::jws`]) and sent as they are, with the headers the
//! documentation lists: `Content-Type` and `Accept: application/json`,
//! `X-Request-Id` (the caller's UUID; the gateway answers a repeated id with
//! the first answer) and `X-JWS-Signature`. A retry resends the same
//! [`PreparedJson`], so the body and the request id stay byte-identical.
//!
//! Freedom ID, the Partner API's identity provider, takes JSON bodies too,
//! authenticated with HTTP Basic client credentials instead of a JWS
//! ([`JsonAuth::Basic`], [`BasicCredentials`]); its calls carry no
//! `X-Request-Id`, which Freedom ID does not document.
//!
//! An answer is JSON. One whose `status` is `error` becomes
//! [`JsonError::Gateway`] with the family's `error_code` and
//! `error_description`, and so does Freedom ID's `{"error": {"message", "code"}}`;
//! anything else is deserialised into the endpoint's response type, and a
//! failure keeps the body ([`JsonError::Decode`]).

pub mod field;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::hosts::Server;
use crate::jws::{self, Algorithm, JwsHeader};
use crate::message::{Effect, Validate, ValidationErrors};
use crate::signature::SecretKey;

/// The API families that speak JSON, each with its own credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JsonApi {
    /// The Merchant API's JSON calls (Invoice v5), signed with the merchant's key.
    Merchant,
    /// The Gateway API's asynchronous (JSON) calls.
    Gateway,
    /// The Card API.
    Card,
    /// The Partner API.
    Partner,
}

/// A JSON endpoint we call: its request type knows where it goes, how it is
/// signed and what comes back.
pub trait JsonEndpoint: Serialize + Validate {
    /// The typed answer.
    type Response: DeserializeOwned;
    /// The endpoint's id in the spec.
    const ID: &'static str;
    /// The HTTP method (`POST` for every documented JSON endpoint).
    const METHOD: &'static str = "POST";
    /// The path on the service's host (`/v5/card-api/card/unblock`): the JWS header's `uri`.
    const PATH: &'static str;
    /// The service whose host serves it: the payment API, or Freedom ID.
    const SERVER: Server = Server::Api;
    /// The API the endpoint belongs to: whose credentials sign it.
    const API: JsonApi;
    /// How the request is authenticated: a JWS and its algorithm, or HTTP Basic.
    const AUTH: JsonAuth;
    /// What the request does to the gateway's state.
    const EFFECT: Effect = Effect::Write;
    /// The names of the body's card data and other sensitive members (at any
    /// depth), which a prepared request's `Debug` shows as `***`.
    const SENSITIVE: &'static [&'static str] = &[];
    /// The `X-Action` header, where the documentation names the method so
    /// (`gateway.payment.status`).
    const ACTION: Option<&'static str> = None;
}

/// The credentials a JSON API signs with: the API user and its key.
#[derive(Clone)]
pub struct JwsCredentials {
    /// The API user (`auth_id` in the JWS header).
    pub auth_id: String,
    /// Its key. Never shown by `Debug`.
    pub key: SecretKey,
}

impl std::fmt::Debug for JwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwsCredentials")
            .field("auth_id", &self.auth_id)
            .field("key", &self.key)
            .finish()
    }
}

/// How a JSON request is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonAuth {
    /// A detached JWS of the body in `X-JWS-Signature`, with this algorithm.
    Jws(Algorithm),
    /// HTTP Basic client credentials in `Authorization` (Freedom ID).
    Basic,
}

impl JsonAuth {
    /// The JWS algorithm, for a JWS-signed request.
    pub fn algorithm(self) -> Option<Algorithm> {
        match self {
            JsonAuth::Jws(alg) => Some(alg),
            JsonAuth::Basic => None,
        }
    }
}

/// The OAuth2 client credentials Freedom ID issues to a partner, sent as
/// HTTP Basic authentication. `Debug` never shows the secret.
#[derive(Clone)]
pub struct BasicCredentials {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: SecretKey,
}

impl BasicCredentials {
    /// Credentials from a client id and secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<SecretKey>) -> Self {
        BasicCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// The `Authorization` header's value: `Basic base64(id:secret)`. It
    /// holds the secret, so it is a [`SecretKey`] too.
    pub fn authorization(&self) -> SecretKey {
        use base64::Engine as _;
        let pair = format!("{}:{}", self.client_id, self.client_secret.expose());
        SecretKey::new(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        ))
    }
}

impl std::fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish()
    }
}

/// What authenticates a prepared JSON request.
#[derive(Debug, Clone)]
pub enum Authorization {
    /// The `X-JWS-Signature` value.
    Jws(String),
    /// The `Authorization` value (`Basic …`); `Debug` hides it.
    Basic(SecretKey),
}

impl PartialEq for Authorization {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Authorization::Jws(a), Authorization::Jws(b)) => a == b,
            (Authorization::Basic(a), Authorization::Basic(b)) => a.expose() == b.expose(),
            _ => false,
        }
    }
}

impl Eq for Authorization {}

/// A JSON request ready to send: validated, serialised, signed. Its `Debug`
/// shows the body with card numbers masked and sensitive members hidden.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedJson {
    /// The HTTP method.
    pub method: &'static str,
    /// The path on the service's host.
    pub path: &'static str,
    /// The service whose host it goes to.
    pub server: Server,
    /// The body, exactly as signed.
    pub body: Vec<u8>,
    /// The `X-Request-Id` of a JWS-signed request (Freedom ID documents none).
    pub request_id: Option<String>,
    /// The signature or credentials it is sent with.
    pub authorization: Authorization,
    /// The `X-Action` header, when the endpoint has one.
    pub action: Option<&'static str>,
    /// The member names `Debug` hides ([`JsonEndpoint::SENSITIVE`]).
    pub sensitive: &'static [&'static str],
}

impl std::fmt::Debug for PreparedJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedJson")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("server", &self.server)
            .field(
                "body",
                &crate::redact::hide_json(&self.body, self.sensitive),
            )
            .field("request_id", &self.request_id)
            .field("authorization", &self.authorization)
            .field("action", &self.action)
            .finish()
    }
}

impl PreparedJson {
    /// Every header to send, in order (`X-Action` last, when there is one).
    pub fn headers(&self) -> Vec<(&'static str, &str)> {
        let mut headers = vec![
            ("content-type", "application/json"),
            ("accept", "application/json"),
        ];
        if let Some(request_id) = &self.request_id {
            headers.push(("x-request-id", request_id.as_str()));
        }
        headers.push(match &self.authorization {
            Authorization::Jws(signature) => ("x-jws-signature", signature.as_str()),
            Authorization::Basic(value) => ("authorization", value.expose()),
        });
        if let Some(action) = self.action {
            headers.push(("x-action", action));
        }
        headers
    }

    /// The `X-JWS-Signature` value, for a JWS-signed request.
    pub fn signature(&self) -> Option<&str> {
        match &self.authorization {
            Authorization::Jws(signature) => Some(signature),
            Authorization::Basic(_) => None,
        }
    }
}

/// Why a JSON request could not be prepared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrepareJsonError {
    /// A field breaks a documented rule.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// The endpoint is authenticated with HTTP Basic client credentials and
    /// none were given.
    #[error(
        "`{endpoint}` is authenticated with Freedom ID client credentials (HTTP Basic), and none are configured"
    )]
    NoBasicCredentials {
        /// The endpoint's id.
        endpoint: &'static str,
    },
}

/// Validates and serialises `request`, and authenticates it as its endpoint
/// says: a JWS-signed request is signed with `jws` and sent with
/// `request_id` as its `X-Request-Id`; a Freedom ID request carries `basic`
/// (and no request id), which it needs.
pub fn prepare_json<E: JsonEndpoint>(
    request: &E,
    jws: &JwsCredentials,
    basic: Option<&BasicCredentials>,
    request_id: &str,
) -> Result<PreparedJson, PrepareJsonError> {
    request.validate()?;
    // Serialising a generated (or any derived) request into a Vec cannot fail:
    // its keys are strings and it holds no non-finite floats; were it to,
    // the empty body would be refused by the gateway, never sent half-made.
    let body = serde_json::to_vec(request).unwrap_or_default();
    let (authorization, request_id) = match E::AUTH {
        JsonAuth::Jws(alg) => {
            let header = JwsHeader::new(E::PATH, jws.auth_id.clone(), E::METHOD, alg);
            let signature = jws::sign(&header, &body, &jws.key);
            (Authorization::Jws(signature), Some(request_id.to_owned()))
        }
        JsonAuth::Basic => {
            let basic = basic.ok_or(PrepareJsonError::NoBasicCredentials { endpoint: E::ID })?;
            (Authorization::Basic(basic.authorization()), None)
        }
    };
    Ok(PreparedJson {
        method: E::METHOD,
        path: E::PATH,
        server: E::SERVER,
        body,
        request_id,
        authorization,
        action: E::ACTION,
        sensitive: E::SENSITIVE,
    })
}

/// The error envelope the JSON APIs answer with (`status` = `error`). Its
/// `Debug` masks any card number in the answer.
#[derive(Clone, PartialEq, Eq)]
pub struct JsonGatewayError {
    /// `error_code` (an integer on some pages, a string on others), as text.
    pub code: Option<String>,
    /// `error_description`.
    pub description: Option<String>,
    /// `request_status`, where given.
    pub request_status: Option<String>,
    /// The whole answer as received: what it says besides the refusal, such
    /// as the `id` of an Async payment the gateway created and then declined.
    pub answer: Box<serde_json::Value>,
}

impl std::fmt::Debug for JsonGatewayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonGatewayError")
            .field("code", &self.code)
            .field("description", &self.description)
            .field("request_status", &self.request_status)
            .field("answer", &crate::redact::CardNumbersMasked(&self.answer))
            .finish()
    }
}

impl JsonGatewayError {
    /// The answer's top-level `id`, if it names one (an Async payment's).
    pub fn id(&self) -> Option<&str> {
        self.answer.get("id").and_then(serde_json::Value::as_str)
    }
}

impl std::fmt::Display for JsonGatewayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the gateway refused the request: error {}",
            self.code.as_deref().unwrap_or("without a code")
        )?;
        if let Some(description) = &self.description {
            write!(f, " ({description})")?;
        }
        Ok(())
    }
}

/// Why a JSON answer was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonError {
    /// The answer is not JSON.
    #[error("the answer is not JSON: {reason}")]
    NotJson {
        /// What the parser said.
        reason: String,
        /// The body as received.
        raw: String,
    },
    /// The gateway answered with its error envelope.
    #[error("{0}")]
    Gateway(JsonGatewayError),
    /// The answer is JSON but not the documented shape; the body is kept.
    #[error("the answer does not match the documented response: {reason}")]
    Decode {
        /// What did not match.
        reason: String,
        /// The body as received.
        raw: String,
    },
}

/// The fields of a JSON object no typed field takes, in the order received.
pub type JsonMap = serde_json::Map<String, serde_json::Value>;

/// An XML answer as the JSON value its elements describe, for the pages that
/// print a JSON API's answer as XML (`<root><status>ok</status>…</root>`):
/// the root's children become the object's members, an element with children
/// an object, an element that repeats an array, and every text a string
/// (which the generated types read as the number or boolean they expect).
pub fn xml_to_json(xml: &str) -> Result<serde_json::Value, crate::xml::XmlError> {
    Ok(params_to_json(&crate::xml::parse(xml)?.params))
}

fn params_to_json(params: &crate::params::Params) -> serde_json::Value {
    use crate::params::Value;
    let mut object = JsonMap::new();
    for (name, value) in params.iter() {
        let value = match value {
            Value::Text(text) => serde_json::Value::String(text.clone()),
            Value::Nested(children) => params_to_json(children),
        };
        match object.get_mut(name) {
            Some(serde_json::Value::Array(items)) => items.push(value),
            Some(first) => {
                let first = first.take();
                object.insert(
                    name.to_owned(),
                    serde_json::Value::Array(vec![first, value]),
                );
            }
            None => {
                object.insert(name.to_owned(), value);
            }
        }
    }
    serde_json::Value::Object(object)
}

/// The value of an answer as received: its JSON, or, when it is XML (some
/// pages print a JSON API's answer so), the JSON its elements describe
/// ([`xml_to_json`]). The error says what the parser found.
pub fn answer_value(body: &str) -> Result<serde_json::Value, String> {
    if body.trim_start().starts_with('<') {
        xml_to_json(body).map_err(|error| error.to_string())
    } else {
        serde_json::from_str(body).map_err(|error| error.to_string())
    }
}

/// Reads a JSON answer into `T`, or the error the gateway reported. An
/// answer that is XML is read as the JSON it describes ([`answer_value`]).
pub fn read_json_response<T: DeserializeOwned>(body: &str) -> Result<T, JsonError> {
    let value = answer_value(body).map_err(|reason| JsonError::NotJson {
        reason,
        raw: body.to_owned(),
    })?;
    if let Some(error) = refusal(&value) {
        return Err(JsonError::Gateway(error));
    }
    serde_json::from_value(value).map_err(|error| JsonError::Decode {
        reason: error.to_string(),
        raw: body.to_owned(),
    })
}

/// The refusal an answer holds, if it is one: the families' envelope
/// (`status` `error`, with `error_code` and `error_description`, or the Async
/// API's `error` object of `code` and `description`), or an `error` object
/// alone (the Async API's 422, Freedom ID's `{"error": {"message", "code"}}`).
pub fn refusal(answer: &serde_json::Value) -> Option<JsonGatewayError> {
    let error = answer.get("error").filter(|e| e.is_object());
    if answer.get("status").and_then(serde_json::Value::as_str) == Some("error") {
        let nested = |name: &str| error.and_then(|e| text_of(e, name));
        return Some(JsonGatewayError {
            code: text_of(answer, "error_code").or_else(|| nested("code")),
            description: text_of(answer, "error_description")
                .or_else(|| nested("description"))
                .or_else(|| nested("message")),
            request_status: text_of(answer, "request_status"),
            answer: Box::new(answer.clone()),
        });
    }
    error_object(answer)
}

/// A member of `object` as text: a string as it is, another value as its
/// JSON, `null` or nothing as `None`.
fn text_of(object: &serde_json::Value, name: &str) -> Option<String> {
    match object.get(name) {
        Some(serde_json::Value::String(text)) => Some(text.clone()),
        Some(serde_json::Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    }
}

/// A refusal that is an `error` object alone: the Async API's
/// `{"error": {"code": …, "description": …}}`, or Freedom ID's
/// `{"error": {"message": …, "code": …, "errors": {"grants": ["…"]}}}` (the
/// message, followed by each field's complaints).
fn error_object(value: &serde_json::Value) -> Option<JsonGatewayError> {
    let error = value.get("error").filter(|e| e.is_object())?;
    let message = error
        .get("message")
        .or_else(|| error.get("description"))?
        .as_str()?;
    let mut description = message.to_owned();
    if let Some(fields) = error.get("errors").and_then(serde_json::Value::as_object) {
        for (field, complaints) in fields {
            let complaints: Vec<String> = match complaints {
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map_or_else(|| item.to_string(), str::to_owned)
                    })
                    .collect(),
                other => vec![
                    other
                        .as_str()
                        .map_or_else(|| other.to_string(), str::to_owned),
                ],
            };
            description.push_str(&format!(" {field}: {}", complaints.join(" ")));
        }
    }
    Some(JsonGatewayError {
        code: text_of(error, "code"),
        description: Some(description),
        request_status: None,
        answer: Box::new(value.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jws::Expected;
    use crate::message::Validate;

    /// The card-api signature example as a typed request.
    #[derive(Serialize)]
    struct RequestStatus {
        request_id: String,
    }

    impl Validate for RequestStatus {
        fn validate_at(&self, _path: &str, _errors: &mut ValidationErrors) {}
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Envelope {
        status: String,
        request_status: String,
    }

    impl JsonEndpoint for RequestStatus {
        type Response = Envelope;
        const ID: &'static str = "card_request_status";
        const PATH: &'static str = "/v5/card-api/request/status";
        const API: JsonApi = JsonApi::Card;
        const AUTH: JsonAuth = JsonAuth::Jws(Algorithm::Hs512);
        const EFFECT: Effect = Effect::Read;
    }

    #[test]
    fn a_prepared_request_is_the_documented_vector() {
        let credentials = JwsCredentials {
            auth_id: "123456".to_owned(),
            key: SecretKey::new("secret"),
        };
        let request = RequestStatus {
            request_id: "828cf71d-a447-4a67-a149-c1df8bc197ca".to_owned(),
        };
        let prepared = prepare_json(&request, &credentials, None, "id-1").unwrap();
        assert_eq!(
            prepared.body,
            br#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca"}"#
        );
        let signature = prepared.signature().unwrap();
        assert!(signature.ends_with(
            "..f1sQoeIpX_ZjOaykQzSeylvvKaVrEQV4gNM2ACFbEMkFDUV9Zk5WO1yQGEWez-vnQMVHodLBDVEyh5Xm2-3MjQ"
        ));
        let expected = Expected {
            uri: RequestStatus::PATH,
            method: "POST",
            alg: Algorithm::Hs512,
        };
        assert!(jws::verify(signature, &prepared.body, &credentials.key, &expected).is_ok());
        assert_eq!(prepared.headers()[2], ("x-request-id", "id-1"));
        assert!(!format!("{credentials:?}").contains("secret\""));
    }

    #[test]
    fn answers_and_error_envelopes() {
        let ok: Envelope = read_json_response(
            r#"{"status":"ok","request_status":"success","dt":"2024-01-01T00:00:00+05:00"}"#,
        )
        .unwrap();
        assert_eq!(ok.request_status, "success");
        let refused = read_json_response::<Envelope>(
            r#"{"status":"error","request_status":"error","error_code":100102,"error_description":"Invalid signature"}"#,
        );
        assert_eq!(
            refused,
            Err(JsonError::Gateway(JsonGatewayError {
                code: Some("100102".to_owned()),
                description: Some("Invalid signature".to_owned()),
                request_status: Some("error".to_owned()),
                answer: Box::new(serde_json::json!({
                    "status": "error", "request_status": "error",
                    "error_code": 100102, "error_description": "Invalid signature"
                })),
            }))
        );
        // The Async API: a declined payment keeps its id; a 422 is an error object alone.
        let Err(JsonError::Gateway(declined)) = read_json_response::<JsonMap>(
            r#"{"amount":"100","error":{"code":"10012","description":"Limits on your card"},"id":"01978c87-82ad-793f-9a91-eb83d4566410","status":"error"}"#,
        ) else {
            panic!("a declined payment is a refusal");
        };
        assert_eq!(declined.code.as_deref(), Some("10012"));
        assert_eq!(declined.description.as_deref(), Some("Limits on your card"));
        assert_eq!(declined.id(), Some("01978c87-82ad-793f-9a91-eb83d4566410"));
        let Err(JsonError::Gateway(invalid)) = read_json_response::<JsonMap>(
            r#"{"error":{"code":"9403","description":"Incorrectly passed input parameters"}}"#,
        ) else {
            panic!("a 422 body is a refusal");
        };
        assert_eq!(invalid.code.as_deref(), Some("9403"));
        assert!(matches!(
            read_json_response::<Envelope>("<html>"),
            Err(JsonError::NotJson { .. })
        ));
        let xml: Envelope = read_json_response(
            "<?xml version=\"1.0\"?><root><status>ok</status><request_status>process</request_status></root>",
        )
        .unwrap();
        assert_eq!(xml.request_status, "process");
        assert!(matches!(
            read_json_response::<Envelope>(r#"{"status":"ok"}"#),
            Err(JsonError::Decode { raw, .. }) if raw == r#"{"status":"ok"}"#
        ));
    }

    /// A Freedom ID call: `{"authorization_code": …}` with HTTP Basic.
    #[derive(Serialize)]
    struct Token {
        authorization_code: String,
    }

    impl Validate for Token {
        fn validate_at(&self, _path: &str, _errors: &mut ValidationErrors) {}
    }

    impl JsonEndpoint for Token {
        type Response = JsonMap;
        const ID: &'static str = "partner_freedom_id_token";
        const PATH: &'static str = "/api/v1/oauth/token";
        const SERVER: Server = Server::FreedomId;
        const API: JsonApi = JsonApi::Partner;
        const AUTH: JsonAuth = JsonAuth::Basic;
    }

    #[test]
    fn a_freedom_id_request_carries_basic_credentials_and_no_request_id() {
        let token = Token {
            authorization_code: "your_authorization_code".to_owned(),
        };
        let jws = JwsCredentials {
            auth_id: "1".to_owned(),
            key: SecretKey::new("jws-key"),
        };
        assert_eq!(
            prepare_json(&token, &jws, None, "id-1"),
            Err(PrepareJsonError::NoBasicCredentials {
                endpoint: "partner_freedom_id_token"
            })
        );
        // RFC 7617's own example: "Aladdin" / "open sesame".
        let basic = BasicCredentials::new("Aladdin", "open sesame");
        let prepared = prepare_json(&token, &jws, Some(&basic), "id-1").unwrap();
        assert_eq!(prepared.server, Server::FreedomId);
        assert_eq!(prepared.signature(), None);
        assert_eq!(
            prepared.headers(),
            vec![
                ("content-type", "application/json"),
                ("accept", "application/json"),
                ("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
            ]
        );
        // The kz page's curl sends empty credentials: `Basic Og==`.
        assert_eq!(
            BasicCredentials::new("", "").authorization().expose(),
            "Basic Og=="
        );
        for shown in [format!("{basic:?}"), format!("{prepared:?}")] {
            assert!(!shown.contains("open sesame"), "{shown}");
            assert!(!shown.contains("QWxhZGRpbjpvcGVuIHNlc2FtZQ"), "{shown}");
        }
    }

    #[test]
    fn freedom_id_refusals_are_gateway_errors() {
        let invalid_code = read_json_response::<JsonMap>(
            r#"{"error": {"message": "Invalid authorization_code.","code": 100101}}"#,
        );
        assert_eq!(
            invalid_code,
            Err(JsonError::Gateway(JsonGatewayError {
                code: Some("100101".to_owned()),
                description: Some("Invalid authorization_code.".to_owned()),
                request_status: None,
                answer: Box::new(serde_json::json!({
                    "error": {"message": "Invalid authorization_code.", "code": 100101}
                })),
            }))
        );
        let Err(JsonError::Gateway(grants)) = read_json_response::<JsonMap>(
            r#"{"error": {"message": "Error validating transmitted data.","errors": {"grants.3": ["The selected grants.3 is invalid."]}}}"#,
        ) else {
            panic!("a validation refusal is an error");
        };
        assert_eq!(grants.code, None);
        assert_eq!(
            grants.description.as_deref(),
            Some("Error validating transmitted data. grants.3: The selected grants.3 is invalid.")
        );
        // An `error` that is not Freedom ID's object is data.
        let data: JsonMap = read_json_response(r#"{"error": "none", "id": 1}"#).unwrap();
        assert_eq!(data["error"], "none");
    }
}
