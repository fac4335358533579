//! Serving the gateway's side of an exchange without I/O: what a handler
//! answers, and the answer an endpoint gets from its spec when nothing more
//! specific is written for it.
//!
//! The `freedompay` crate generates a `server::Handler` trait with one method
//! per request endpoint; each method's default body calls [`spec_answer`].

use crate::message::{Decode, DecodeError, Encode};
use crate::params::Params;
use crate::xml::{self, XmlError};

/// What a served request answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// The parameters of the answer, to be signed and sent as XML.
    Answer(Params),
    /// A browser redirect to this URL.
    Redirect(String),
}

/// Why the spec's answer to a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecAnswerError {
    /// The answer written in the spec is not a readable XML message.
    #[error("the spec's answer to `{endpoint}` is not readable XML: {source}")]
    Xml {
        /// The endpoint's spec id.
        endpoint: &'static str,
        /// The parser's complaint.
        source: XmlError,
    },
    /// The answer, with the request's values put in, does not decode into the response type.
    #[error("the spec's answer to `{endpoint}` does not decode: {source}")]
    Decode {
        /// The endpoint's spec id.
        endpoint: &'static str,
        /// The decoder's complaint.
        source: DecodeError,
    },
    /// The JSON answer written in the spec, with the request's values put in,
    /// does not read as the response type.
    #[error("the spec's JSON answer to `{endpoint}` does not read: {reason}")]
    Json {
        /// The endpoint's spec id.
        endpoint: &'static str,
        /// What did not read.
        reason: String,
    },
    /// The endpoint is a browser redirect, whose target only an operation can choose.
    #[error("`{endpoint}` is a browser redirect; the spec documents no answer for it")]
    Redirect {
        /// The endpoint's spec id.
        endpoint: &'static str,
    },
}

/// The answer the spec gives to `request` of endpoint `endpoint`: `answer`
/// (the endpoint's documented example response, or its required fields
/// filled with their examples, as an XML message without salt and signature),
/// with every top-level field whose name the request also carries taken from
/// the request.
pub fn spec_answer<Req: Encode, Resp: Decode>(
    endpoint: &'static str,
    request: &Req,
    answer: &str,
) -> Result<Resp, SpecAnswerError> {
    let mut params = xml::parse(answer)
        .map_err(|source| SpecAnswerError::Xml { endpoint, source })?
        .params;
    for (name, value) in request.to_params() {
        if params.contains(&name) {
            params.set(name, value);
        }
    }
    Resp::decode(&params).map_err(|source| SpecAnswerError::Decode { endpoint, source })
}

/// The JSON answer the spec gives to `request` of the JSON endpoint
/// `endpoint`: `answer` (its documented example answer, JSON or XML, or its
/// fields filled with their examples), with every top-level member whose
/// name the request also carries taken from the request (its `request_id`,
/// say).
pub fn json_spec_answer<Req: serde::Serialize, Resp: serde::de::DeserializeOwned>(
    endpoint: &'static str,
    request: &Req,
    answer: &str,
) -> Result<Resp, SpecAnswerError> {
    let fail = |reason: String| SpecAnswerError::Json { endpoint, reason };
    let mut value = crate::json::answer_value(answer).map_err(fail)?;
    if let (Some(answer), Ok(serde_json::Value::Object(request))) =
        (value.as_object_mut(), serde_json::to_value(request))
    {
        for (name, member) in request {
            if let Some(slot) = answer.get_mut(&name) {
                *slot = member;
            }
        }
    }
    serde_json::from_value(value).map_err(|e| fail(e.to_string()))
}
