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
//! An answer is JSON. One whose `status` is `error` becomes
//! [`JsonError::Gateway`] with the family's `error_code` and
//! `error_description`; anything else is deserialised into the endpoint's
//! response type, and a failure keeps the body ([`JsonError::Decode`]).

pub mod field;

use serde::Serialize;
use serde::de::DeserializeOwned;

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
    /// The path on the API host (`/v5/card-api/card/unblock`): the JWS header's `uri`.
    const PATH: &'static str;
    /// The API the endpoint belongs to: whose credentials sign it.
    const API: JsonApi;
    /// The JWS algorithm of the endpoint.
    const ALG: Algorithm;
    /// What the request does to the gateway's state.
    const EFFECT: Effect = Effect::Write;
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

/// A JSON request ready to send: validated, serialised, signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedJson {
    /// The HTTP method.
    pub method: &'static str,
    /// The path on the API host.
    pub path: &'static str,
    /// The body, exactly as signed.
    pub body: Vec<u8>,
    /// The `X-Request-Id`.
    pub request_id: String,
    /// The `X-JWS-Signature` value.
    pub signature: String,
    /// The `X-Action` header, when the endpoint has one.
    pub action: Option<&'static str>,
}

impl PreparedJson {
    /// Every header to send, in order (`X-Action` last, when there is one).
    pub fn headers(&self) -> Vec<(&'static str, &str)> {
        let mut headers = vec![
            ("content-type", "application/json"),
            ("accept", "application/json"),
            ("x-request-id", self.request_id.as_str()),
            ("x-jws-signature", self.signature.as_str()),
        ];
        if let Some(action) = self.action {
            headers.push(("x-action", action));
        }
        headers
    }
}

/// Validates, serialises and signs `request`, to be sent with `request_id`.
pub fn prepare_json<E: JsonEndpoint>(
    request: &E,
    credentials: &JwsCredentials,
    request_id: &str,
) -> Result<PreparedJson, ValidationErrors> {
    request.validate()?;
    // Serialising a generated (or any derived) request into a Vec cannot fail:
    // its keys are strings and it holds no non-finite floats; were it to,
    // the empty body would be refused by the gateway, never sent half-made.
    let body = serde_json::to_vec(request).unwrap_or_default();
    let header = JwsHeader::new(E::PATH, credentials.auth_id.clone(), E::METHOD, E::ALG);
    let signature = jws::sign(&header, &body, &credentials.key);
    Ok(PreparedJson {
        method: E::METHOD,
        path: E::PATH,
        body,
        request_id: request_id.to_owned(),
        signature,
        action: E::ACTION,
    })
}

/// The error envelope the JSON APIs answer with (`status` = `error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonGatewayError {
    /// `error_code` (an integer on some pages, a string on others), as text.
    pub code: Option<String>,
    /// `error_description`.
    pub description: Option<String>,
    /// `request_status`, where given.
    pub request_status: Option<String>,
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
    if value.get("status").and_then(serde_json::Value::as_str) == Some("error") {
        let text = |name: &str| match value.get(name) {
            Some(serde_json::Value::String(text)) => Some(text.clone()),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        return Err(JsonError::Gateway(JsonGatewayError {
            code: text("error_code"),
            description: text("error_description"),
            request_status: text("request_status"),
        }));
    }
    serde_json::from_value(value).map_err(|error| JsonError::Decode {
        reason: error.to_string(),
        raw: body.to_owned(),
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
        const ALG: Algorithm = Algorithm::Hs512;
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
        let prepared = prepare_json(&request, &credentials, "id-1").unwrap();
        assert_eq!(
            prepared.body,
            br#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca"}"#
        );
        assert!(prepared.signature.ends_with(
            "..f1sQoeIpX_ZjOaykQzSeylvvKaVrEQV4gNM2ACFbEMkFDUV9Zk5WO1yQGEWez-vnQMVHodLBDVEyh5Xm2-3MjQ"
        ));
        let expected = Expected {
            uri: RequestStatus::PATH,
            method: "POST",
            alg: Algorithm::Hs512,
        };
        assert!(
            jws::verify(
                &prepared.signature,
                &prepared.body,
                &credentials.key,
                &expected
            )
            .is_ok()
        );
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
            }))
        );
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
}
