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
/// the request. A request's value that the answer's field does not take (an
/// extra parameter named like it, a value of another type) leaves the
/// documented one in place.
pub fn spec_answer<Req: Encode, Resp: Decode>(
    endpoint: &'static str,
    request: &Req,
    answer: &str,
) -> Result<Resp, SpecAnswerError> {
    let documented = xml::parse(answer)
        .map_err(|source| SpecAnswerError::Xml { endpoint, source })?
        .params;
    let carried: Vec<_> = request
        .to_params()
        .into_iter()
        .filter(|(name, _)| documented.contains(name))
        .collect();
    carry_into(
        documented,
        &carried,
        |params, name: &crate::params::Name, value| params.set(name.clone(), value.clone()),
        |params| Resp::decode(params).ok(),
    )
    .or_else(|params| {
        Resp::decode(&params).map_err(|source| SpecAnswerError::Decode { endpoint, source })
    })
}

/// `documented` with the request's values of `carried` set into it where
/// the result still reads: all at once when that reads (the usual case),
/// otherwise one by one, each kept only if the answer still reads with it.
/// The answer read, or the last values tried when even that does not read.
fn carry_into<V: Clone, K, X, R>(
    documented: V,
    carried: &[(K, X)],
    set: impl Fn(&mut V, &K, &X),
    read: impl Fn(&V) -> Option<R>,
) -> Result<R, V> {
    let mut all = documented.clone();
    for (name, value) in carried {
        set(&mut all, name, value);
    }
    if let Some(answer) = read(&all) {
        return Ok(answer);
    }
    let mut kept = documented;
    for (name, value) in carried {
        let mut trial = kept.clone();
        set(&mut trial, name, value);
        if read(&trial).is_some() {
            kept = trial;
        }
    }
    read(&kept).ok_or(kept)
}

/// The JSON answer the spec gives to `request` of the JSON endpoint
/// `endpoint`: `answer` (its documented example answer, JSON or XML, or its
/// fields filled with their examples), with every top-level member whose
/// name the request also carries taken from the request (its `request_id`,
/// say). A request's member that the answer's field does not take (an extra
/// member named like it, a value of another type) leaves the documented one
/// in place.
pub fn json_spec_answer<Req: serde::Serialize, Resp: serde::de::DeserializeOwned>(
    endpoint: &'static str,
    request: &Req,
    answer: &str,
) -> Result<Resp, SpecAnswerError> {
    let fail = |reason: String| SpecAnswerError::Json { endpoint, reason };
    let documented = crate::json::answer_value(answer).map_err(fail)?;
    let carried: Vec<(String, serde_json::Value)> = match serde_json::to_value(request) {
        Ok(serde_json::Value::Object(request)) => request
            .into_iter()
            .filter(|(name, _)| documented.get(name).is_some())
            .collect(),
        _ => Vec::new(),
    };
    carry_into(
        documented,
        &carried,
        |value, name, member| {
            if let Some(slot) = value.get_mut(name) {
                *slot = member.clone();
            }
        },
        |value| serde_json::from_value::<Resp>(value.clone()).ok(),
    )
    .or_else(|value| serde_json::from_value(value).map_err(|e| fail(e.to_string())))
}
