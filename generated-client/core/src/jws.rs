//! The detached JWS of the JSON APIs (Async Gateway, Card, Partner), with no I/O.
//!
//! A request's body is sent as is; its `X-JWS-Signature` header carries a
//! compact JWS whose payload part is cut out: `header..signature`. The
//! header is the compact JSON
//! `{"uri":…,"auth_id":…,"method":…,"params":"","alg":…}` (these five
//! fields, in this order), the payload is the HTTP body **exactly as sent**
//! (no re-serialisation: a space more is another signature), and the
//! signature is an HMAC (SHA-256 for `HS256`, SHA-512 for `HS512`) with the
//! API key over `base64url(header) + "." + base64url(body)`.
//!
//! ```
//! use freedompay_core::SecretKey;
//! use freedompay_core::jws::{Algorithm, Expected, JwsHeader, sign, verify};
//!
//! let key = SecretKey::new("secret");
//! let body = br#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca"}"#;
//! let header = JwsHeader::new("/v5/card-api/request/status", "123456", "POST", Algorithm::Hs512);
//! let value = sign(&header, body, &key);
//! assert!(value.ends_with("..f1sQoeIpX_ZjOaykQzSeylvvKaVrEQV4gNM2ACFbEMkFDUV9Zk5WO1yQGEWez-vnQMVHodLBDVEyh5Xm2-3MjQ"));
//!
//! let expected = Expected { uri: "/v5/card-api/request/status", method: "POST", alg: Algorithm::Hs512 };
//! assert_eq!(verify(&value, body, &key, &expected).unwrap().auth_id, "123456");
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha512};

use crate::signature::SecretKey;

/// The HMAC algorithm of a JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC with SHA-256 (the Async Gateway and Partner APIs).
    Hs256,
    /// HMAC with SHA-512 (the Card API).
    Hs512,
}

impl Algorithm {
    /// The name in the header's `alg`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Hs256 => "HS256",
            Algorithm::Hs512 => "HS512",
        }
    }

    /// The algorithm named `name`, if it is one of ours.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "HS256" => Some(Algorithm::Hs256),
            "HS512" => Some(Algorithm::Hs512),
            _ => None,
        }
    }

    fn mac(self, key: &[u8], input: &[u8]) -> Vec<u8> {
        match self {
            Algorithm::Hs256 => tag::<Hmac<Sha256>>(key, input),
            Algorithm::Hs512 => tag::<Hmac<Sha512>>(key, input),
        }
    }

    fn verify(self, key: &[u8], input: &[u8], tag: &[u8]) -> bool {
        match self {
            Algorithm::Hs256 => tag_matches::<Hmac<Sha256>>(key, input, tag),
            Algorithm::Hs512 => tag_matches::<Hmac<Sha512>>(key, input, tag),
        }
    }
}

/// The MAC of `input` under `key`. HMAC takes a key of any length, so
/// `new_from_slice` cannot fail.
fn tag<M: Mac + KeyInit>(key: &[u8], input: &[u8]) -> Vec<u8> {
    <M as KeyInit>::new_from_slice(key)
        .map(|mac| mac.chain_update(input).finalize().into_bytes().to_vec())
        .unwrap_or_default()
}

/// Whether `tag` is the MAC of `input` under `key`, compared in constant time.
fn tag_matches<M: Mac + KeyInit>(key: &[u8], input: &[u8], tag: &[u8]) -> bool {
    <M as KeyInit>::new_from_slice(key)
        .is_ok_and(|mac| mac.chain_update(input).verify_slice(tag).is_ok())
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The protected header of a request's JWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwsHeader {
    /// The path of the called endpoint (`/v5/partner/wallet/add`).
    pub uri: String,
    /// The API user the key belongs to.
    pub auth_id: String,
    /// The HTTP method (`POST`).
    pub method: String,
    /// The reserved `params`: empty in every documented request.
    pub params: String,
    /// The algorithm.
    pub alg: Algorithm,
}

impl JwsHeader {
    /// A header with empty `params`.
    pub fn new(
        uri: impl Into<String>,
        auth_id: impl Into<String>,
        method: impl Into<String>,
        alg: Algorithm,
    ) -> Self {
        JwsHeader {
            uri: uri.into(),
            auth_id: auth_id.into(),
            method: method.into(),
            params: String::new(),
            alg,
        }
    }

    /// The compact JSON of the header, its five fields in the documented order.
    pub fn to_json(&self) -> String {
        format!(
            r#"{{"uri":{},"auth_id":{},"method":{},"params":{},"alg":"{}"}}"#,
            json_string(&self.uri),
            json_string(&self.auth_id),
            json_string(&self.method),
            json_string(&self.params),
            self.alg.name()
        )
    }
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    // Serialising a `&str` cannot fail.
    serde_json::to_string(text).unwrap_or_default()
}

/// Signs `body`, exactly as it will be sent, and returns the value of the
/// `X-JWS-Signature` header: `base64url(header)..base64url(signature)`.
pub fn sign(header: &JwsHeader, body: &[u8], key: &SecretKey) -> String {
    let input = signing_input(header, body);
    let tag = header.alg.mac(key.expose().as_bytes(), input.as_bytes());
    let encoded_header = input
        .split_once('.')
        .map_or(input.as_str(), |(head, _)| head);
    format!("{encoded_header}..{}", URL_SAFE_NO_PAD.encode(tag))
}

/// What the HMAC is taken over: `base64url(header) + "." + base64url(body)`.
pub fn signing_input(header: &JwsHeader, body: &[u8]) -> String {
    encoded_signing_input(&URL_SAFE_NO_PAD.encode(header.to_json()), body)
}

/// The signing input of a header already encoded (as received).
fn encoded_signing_input(encoded_header: &str, body: &[u8]) -> String {
    format!("{encoded_header}.{}", URL_SAFE_NO_PAD.encode(body))
}

/// What the receiver of a request expects its JWS header to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected<'a> {
    /// The path the request was sent to.
    pub uri: &'a str,
    /// The HTTP method it was sent with.
    pub method: &'a str,
    /// The algorithm of the endpoint.
    pub alg: Algorithm,
}

/// Why an `X-JWS-Signature` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    /// Not `header..signature`, not base64url, or a header that is not the
    /// documented JSON object.
    #[error("malformed X-JWS-Signature: {0}")]
    Malformed(&'static str),
    /// The header says `"alg":"none"` (or names no algorithm): unsigned.
    #[error("the JWS is unsigned (alg `none`)")]
    Unsigned,
    /// The header names another algorithm than the endpoint's.
    #[error("the JWS uses {found}, the endpoint {expected}")]
    WrongAlgorithm {
        /// The endpoint's algorithm.
        expected: Algorithm,
        /// What the header names.
        found: String,
    },
    /// The header's `uri` is not the path the request was sent to.
    #[error("the JWS was made for `{found}`, not for `{expected}`")]
    WrongUri {
        /// The request's path.
        expected: String,
        /// The header's `uri`.
        found: String,
    },
    /// The header's `method` is not the request's.
    #[error("the JWS was made for method `{found}`, not `{expected}`")]
    WrongMethod {
        /// The request's method.
        expected: String,
        /// The header's `method`.
        found: String,
    },
    /// The signature does not match the header and the body.
    #[error("the JWS signature does not match the body")]
    Mismatch,
}

/// The parts of an `X-JWS-Signature` value: the encoded header, the header, the signature.
fn split(value: &str) -> Result<(&str, ReceivedHeader, &str), JwsError> {
    let mut parts = value.trim().split('.');
    let (Some(encoded_header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed("expected header..signature"));
    };
    if !payload.is_empty() {
        return Err(JwsError::Malformed(
            "the payload part must be cut out (header..signature)",
        ));
    }
    let (_, header) = decode_header(encoded_header)?;
    Ok((encoded_header, header, signature))
}

/// The JSON of a base64url header, and its fields.
fn decode_header(encoded_header: &str) -> Result<(Vec<u8>, ReceivedHeader), JwsError> {
    let header_json = URL_SAFE_NO_PAD
        .decode(encoded_header)
        .map_err(|_| JwsError::Malformed("the header is not base64url"))?;
    let header: ReceivedHeader = serde_json::from_slice(&header_json).map_err(|_| {
        JwsError::Malformed("the header is not {uri, auth_id, method, params, alg}")
    })?;
    Ok((header_json, header))
}

/// The base64url HMAC of `input` under `key` with `alg`: the signature part
/// of a JWS whose signing input is `input`.
pub fn signature_of(alg: Algorithm, input: &str, key: &SecretKey) -> String {
    URL_SAFE_NO_PAD.encode(alg.mac(key.expose().as_bytes(), input.as_bytes()))
}

/// How the JWS of a request is made, step by step: the header as received
/// and decoded, the body encoded, the signing input and the signature the key
/// makes over them. It holds no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwsExplanation {
    /// The header as received: the first part of `X-JWS-Signature`.
    pub encoded_header: String,
    /// The header's JSON, decoded from it.
    pub header_json: String,
    /// What the header claims (unverified).
    pub header: JwsHeader,
    /// The body as sent, base64url: the payload that is cut out.
    pub encoded_payload: String,
    /// What the HMAC is taken over: `encoded_header + "." + encoded_payload`.
    pub signing_input: String,
    /// The signature the key makes over the signing input with the header's algorithm.
    pub expected_signature: String,
    /// The `X-JWS-Signature` value the key makes: `encoded_header..expected_signature`.
    pub expected_value: String,
}

/// Explains the signature of a request whose `X-JWS-Signature` header part
/// is `encoded_header` (base64url, as received) and whose body is `body`
/// (the bytes as sent), as [`verify`] computes it: the HMAC of the header's
/// algorithm over the header as received and the body as sent.
///
/// Refuses a header that is not base64url of the documented JSON object,
/// and one whose `alg` is `none` or names no HS256 or HS512.
pub fn explain(
    encoded_header: &str,
    body: &[u8],
    key: &SecretKey,
) -> Result<JwsExplanation, JwsError> {
    let (header_json, header) = decode_header(encoded_header)?;
    let alg = header_algorithm(&header.alg)?;
    let signing_input = encoded_signing_input(encoded_header, body);
    let expected_signature = signature_of(alg, &signing_input, key);
    Ok(JwsExplanation {
        encoded_header: encoded_header.to_owned(),
        header_json: String::from_utf8_lossy(&header_json).into_owned(),
        header: JwsHeader {
            uri: header.uri,
            auth_id: header.auth_id,
            method: header.method,
            params: header.params,
            alg,
        },
        encoded_payload: URL_SAFE_NO_PAD.encode(body),
        expected_value: format!("{encoded_header}..{expected_signature}"),
        signing_input,
        expected_signature,
    })
}

/// The algorithm a header's `alg` names: `none` or nothing is unsigned, and
/// anything but HS256 and HS512 is refused.
fn header_algorithm(alg: &str) -> Result<Algorithm, JwsError> {
    match Algorithm::from_name(alg) {
        Some(alg) => Ok(alg),
        None if alg.eq_ignore_ascii_case("none") || alg.is_empty() => Err(JwsError::Unsigned),
        None => Err(JwsError::Malformed(
            "the header names no HS256 or HS512 algorithm",
        )),
    }
}

/// What an `X-JWS-Signature` value's header claims, **unverified**: for a
/// debugger or for finding the key of its `auth_id`, never for trusting it.
/// Its `alg` must still name HS256 or HS512.
pub fn claimed_header(value: &str) -> Result<JwsHeader, JwsError> {
    let (_, header, _) = split(value)?;
    let alg = header_algorithm(&header.alg)?;
    Ok(JwsHeader {
        uri: header.uri,
        auth_id: header.auth_id,
        method: header.method,
        params: header.params,
        alg,
    })
}

/// The documented header, as received: every field a string.
#[derive(serde::Deserialize)]
struct ReceivedHeader {
    uri: String,
    auth_id: String,
    method: String,
    params: String,
    alg: String,
}

/// Checks the `X-JWS-Signature` value `value` of a request whose body was
/// `body` (the bytes as received) and returns its header.
///
/// Refuses a malformed value, `alg: none`, an algorithm other than the
/// endpoint's, a `uri` or `method` other than the request's, and a signature
/// that does not match; the comparison takes the same time whatever the
/// signature's content.
pub fn verify(
    value: &str,
    body: &[u8],
    key: &SecretKey,
    expected: &Expected<'_>,
) -> Result<JwsHeader, JwsError> {
    let (encoded_header, header, signature) = split(value)?;
    let alg = match Algorithm::from_name(&header.alg) {
        _ if header.alg.eq_ignore_ascii_case("none") || header.alg.is_empty() => {
            return Err(JwsError::Unsigned);
        }
        Some(alg) if alg == expected.alg => alg,
        _ => {
            return Err(JwsError::WrongAlgorithm {
                expected: expected.alg,
                found: header.alg,
            });
        }
    };
    if header.uri != expected.uri {
        return Err(JwsError::WrongUri {
            expected: expected.uri.to_owned(),
            found: header.uri,
        });
    }
    if !header.method.eq_ignore_ascii_case(expected.method) {
        return Err(JwsError::WrongMethod {
            expected: expected.method.to_owned(),
            found: header.method,
        });
    }
    let tag = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwsError::Malformed("the signature is not base64url"))?;
    let input = encoded_signing_input(encoded_header, body);
    if !alg.verify(key.expose().as_bytes(), input.as_bytes(), &tag) {
        return Err(JwsError::Mismatch);
    }
    Ok(JwsHeader {
        uri: header.uri,
        auth_id: header.auth_id,
        method: header.method,
        params: header.params,
        alg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// partner-api.md §2.1 (E-Money, HS256; the key is jwt.io's default).
    const PARTNER_BODY: &str =
        r#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca","country":"KAZ","currency":"KZT"}"#;
    const PARTNER_VALUE: &str = "eyJ1cmkiOiIvdjUvcGFydG5lci93YWxsZXQvYWRkIiwiYXV0aF9pZCI6IjEyMzQ1NiIsIm1ldGhvZCI6IlBPU1QiLCJwYXJhbXMiOiIiLCJhbGciOiJIUzI1NiJ9..5xVbhml5y1Uw1TYQ_djwwefFz8y_CnX-ajzNvOBCcmE";
    /// card-api.md §2.1 (HS512, key `secret`).
    const CARD_BODY: &str = r#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca"}"#;
    const CARD_VALUE: &str = "eyJ1cmkiOiIvdjUvY2FyZC1hcGkvcmVxdWVzdC9zdGF0dXMiLCJhdXRoX2lkIjoiMTIzNDU2IiwibWV0aG9kIjoiUE9TVCIsInBhcmFtcyI6IiIsImFsZyI6IkhTNTEyIn0..f1sQoeIpX_ZjOaykQzSeylvvKaVrEQV4gNM2ACFbEMkFDUV9Zk5WO1yQGEWez-vnQMVHodLBDVEyh5Xm2-3MjQ";

    fn partner() -> (JwsHeader, SecretKey, Expected<'static>) {
        (
            JwsHeader::new("/v5/partner/wallet/add", "123456", "POST", Algorithm::Hs256),
            SecretKey::new("your-256-bit-secret"),
            Expected {
                uri: "/v5/partner/wallet/add",
                method: "POST",
                alg: Algorithm::Hs256,
            },
        )
    }

    fn card() -> (JwsHeader, SecretKey, Expected<'static>) {
        (
            JwsHeader::new(
                "/v5/card-api/request/status",
                "123456",
                "POST",
                Algorithm::Hs512,
            ),
            SecretKey::new("secret"),
            Expected {
                uri: "/v5/card-api/request/status",
                method: "POST",
                alg: Algorithm::Hs512,
            },
        )
    }

    #[test]
    fn the_documented_vectors_sign_and_verify() {
        for ((header, key, expected), body, value) in [
            (partner(), PARTNER_BODY, PARTNER_VALUE),
            (card(), CARD_BODY, CARD_VALUE),
        ] {
            assert_eq!(sign(&header, body.as_bytes(), &key), value);
            assert_eq!(verify(value, body.as_bytes(), &key, &expected), Ok(header));
        }
    }

    #[test]
    fn explain_gives_the_documented_signatures() {
        for ((header, key, _), body, value) in [
            (partner(), PARTNER_BODY, PARTNER_VALUE),
            (card(), CARD_BODY, CARD_VALUE),
        ] {
            let (encoded_header, signature) = value.split_once("..").unwrap();
            let explanation = explain(encoded_header, body.as_bytes(), &key).unwrap();
            assert_eq!(explanation.expected_value, value);
            assert_eq!(explanation.expected_signature, signature);
            assert_eq!(
                explanation.expected_value,
                sign(&header, body.as_bytes(), &key)
            );
            assert_eq!(explanation.header, header);
            assert_eq!(explanation.header_json, header.to_json());
            assert_eq!(
                explanation.signing_input,
                signing_input(&header, body.as_bytes())
            );
            assert_eq!(
                explanation.signing_input,
                format!("{encoded_header}.{}", explanation.encoded_payload)
            );
        }
        assert_eq!(
            explain("e30", b"{}", &SecretKey::new("k")).map(|_| ()),
            Err(JwsError::Malformed(
                "the header is not {uri, auth_id, method, params, alg}"
            ))
        );
    }

    #[test]
    fn the_body_is_signed_as_sent_byte_for_byte() {
        let (_, key, expected) = partner();
        let spaced = PARTNER_BODY.replace(',', ", ");
        assert_eq!(
            verify(PARTNER_VALUE, spaced.as_bytes(), &key, &expected),
            Err(JwsError::Mismatch)
        );
        let mut tampered = PARTNER_BODY.as_bytes().to_vec();
        for i in 0..tampered.len() {
            tampered[i] ^= 1;
            assert_eq!(
                verify(PARTNER_VALUE, &tampered, &key, &expected),
                Err(JwsError::Mismatch),
                "byte {i}"
            );
            tampered[i] ^= 1;
        }
        assert_eq!(
            verify(
                PARTNER_VALUE,
                PARTNER_BODY.as_bytes(),
                &SecretKey::new("other"),
                &expected
            ),
            Err(JwsError::Mismatch)
        );
    }

    #[test]
    fn refusals() {
        let (header, key, expected) = partner();
        let body = PARTNER_BODY.as_bytes();
        let with = |header: &JwsHeader| sign(header, body, &key);

        let hs512 = JwsHeader {
            alg: Algorithm::Hs512,
            ..header.clone()
        };
        assert!(matches!(
            verify(&with(&hs512), body, &key, &expected),
            Err(JwsError::WrongAlgorithm { .. })
        ));
        let other_uri = JwsHeader {
            uri: "/v5/partner/wallet/block".to_owned(),
            ..header.clone()
        };
        assert!(matches!(
            verify(&with(&other_uri), body, &key, &expected),
            Err(JwsError::WrongUri { .. })
        ));
        let other_method = JwsHeader {
            method: "GET".to_owned(),
            ..header.clone()
        };
        assert!(matches!(
            verify(&with(&other_method), body, &key, &expected),
            Err(JwsError::WrongMethod { .. })
        ));

        // `alg: none` with an empty signature: refused before any MAC.
        let none = URL_SAFE_NO_PAD.encode(
            r#"{"uri":"/v5/partner/wallet/add","auth_id":"1","method":"POST","params":"","alg":"none"}"#,
        );
        assert_eq!(
            verify(&format!("{none}.."), body, &key, &expected),
            Err(JwsError::Unsigned)
        );

        // The full compact JWS (payload not cut out), too few parts, junk.
        let (head, sig) = PARTNER_VALUE.split_once("..").unwrap();
        let full = format!("{head}.{}.{sig}", URL_SAFE_NO_PAD.encode(body));
        for bad in [full.as_str(), head, "", "a.b", "a..b..c", "%%%..abc"] {
            assert!(
                matches!(
                    verify(bad, body, &key, &expected),
                    Err(JwsError::Malformed(_))
                ),
                "{bad}"
            );
        }
        let missing_field = URL_SAFE_NO_PAD.encode(r#"{"uri":"/x","alg":"HS256"}"#);
        assert!(matches!(
            verify(&format!("{missing_field}..{sig}"), body, &key, &expected),
            Err(JwsError::Malformed(_))
        ));
    }

    #[test]
    fn the_header_is_compact_json_in_the_documented_order() {
        let header = JwsHeader::new("/v5/a\"b", "1", "POST", Algorithm::Hs256);
        assert_eq!(
            header.to_json(),
            r#"{"uri":"/v5/a\"b","auth_id":"1","method":"POST","params":"","alg":"HS256"}"#
        );
    }

    #[test]
    fn errors_never_show_the_key() {
        let (_, _, expected) = partner();
        let key = SecretKey::new("sk-LEAKCANARY-jws");
        let error = verify(PARTNER_VALUE, PARTNER_BODY.as_bytes(), &key, &expected).unwrap_err();
        assert!(!format!("{error} {error:?}").contains("LEAKCANARY"));
    }
}
