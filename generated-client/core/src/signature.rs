//! The `pg_sig` MD5 signature, byte-identical to the gateway's `PG_Signature`.
//!
//! String to sign: the script name, then every parameter value in order, then
//! the secret key, joined with `;`. The order: each value gets a sort key made
//! of its parent's key, its own name and its 1-based position among its
//! siblings as three digits (`pg_amount003`); positions count every sibling,
//! `pg_sig` included, although `pg_sig` itself never takes part. Nested lists
//! are flattened recursively and all keys are sorted by their bytes. The
//! signature is the lowercase hex MD5 of the UTF-8 bytes.

use std::fmt;

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::params::{Params, Value};

/// The parameter that carries the signature; it never takes part in it.
pub const SIG: &str = "pg_sig";
/// The parameter that carries the random salt.
pub const SALT: &str = "pg_salt";

/// A merchant's secret key ("payment password"). Its `Debug` and `Display` never show it.
///
/// The key's bytes are overwritten with zeros when it is dropped ([`zeroize`]).
#[derive(Clone)]
pub struct SecretKey(Zeroizing<String>);

impl SecretKey {
    /// Wraps a secret key.
    pub fn new(key: impl Into<String>) -> Self {
        SecretKey(Zeroizing::new(key.into()))
    }

    /// The key itself, for computing a signature. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl From<&str> for SecretKey {
    fn from(key: &str) -> Self {
        SecretKey::new(key)
    }
}

impl From<String> for SecretKey {
    fn from(key: String) -> Self {
        SecretKey::new(key)
    }
}

/// The values of `params` in signing order, each with its sort key.
///
/// Exposed so tools can explain a signature; [`string_to_sign`] is what signs.
pub fn ordered_values(params: &Params) -> Vec<(String, &str)> {
    let mut flat = flatten(params, "");
    // Keys are unique after flattening, so the sort is total.
    flat.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    flat
}

/// Flattens like `PG_Signature::makeFlatParamsArray`, key collisions included:
/// a text value is added with PHP's `+=` (an existing key keeps its value),
/// a nested list with `array_merge` (its keys overwrite existing ones). Such
/// collisions need names that end in digits, e.g. `a002b` next to a list `a`.
fn flatten<'a>(params: &'a Params, parent: &str) -> Vec<(String, &'a str)> {
    let mut out: Vec<(String, &'a str)> = Vec::new();
    let mut positions: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (index, (name, value)) in params.iter().enumerate() {
        if name == SIG {
            continue;
        }
        let key = format!("{parent}{name}{:03}", index + 1);
        match value {
            Value::Text(text) => {
                if !positions.contains_key(&key) {
                    positions.insert(key.clone(), out.len());
                    out.push((key, text));
                }
            }
            Value::Nested(children) => {
                for (child_key, child_value) in flatten(children, &key) {
                    match positions.get(&child_key) {
                        Some(&at) => {
                            if let Some(slot) = out.get_mut(at) {
                                slot.1 = child_value;
                            }
                        }
                        None => {
                            positions.insert(child_key.clone(), out.len());
                            out.push((child_key, child_value));
                        }
                    }
                }
            }
        }
    }
    out
}

/// The exact string whose MD5 is the signature. It contains the secret key:
/// show it only to the key's owner.
pub fn string_to_sign(script: &str, params: &Params, secret: &SecretKey) -> String {
    let values = ordered_values(params);
    let mut out = String::with_capacity(
        script.len() + secret.0.len() + values.iter().map(|(_, v)| v.len() + 1).sum::<usize>() + 1,
    );
    out.push_str(script);
    for (_, value) in values {
        out.push(';');
        out.push_str(value);
    }
    out.push(';');
    out.push_str(&secret.0);
    out
}

/// Lowercase hex MD5 of `text`'s UTF-8 bytes.
pub fn md5_hex(text: &str) -> String {
    let digest = Md5::digest(text.as_bytes());
    let mut hex = String::with_capacity(32);
    for byte in digest.iter() {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0x0f), 16).unwrap_or('0'));
    }
    hex
}

/// The signature of `params` for `script` (any `pg_sig` in `params` is ignored).
pub fn sign(script: &str, params: &Params, secret: &SecretKey) -> String {
    md5_hex(&string_to_sign(script, params, secret))
}

/// Appends `pg_salt` and then the `pg_sig` of the whole message for
/// `script`: how every signed message (request, response, callback, reply)
/// is finished.
pub fn seal(script: &str, params: &mut Params, secret: &SecretKey, salt: &str) {
    params.push(SALT, salt);
    let sig = sign(script, params, secret);
    params.push(SIG, sig);
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The message carries no `pg_sig`.
    #[error("the message carries no pg_sig")]
    Missing,
    /// `pg_sig` is present but does not match the message.
    #[error("pg_sig does not match the message")]
    Mismatch,
}

/// Checks the top-level `pg_sig` of `params` against the signature computed for `script`.
///
/// The comparison takes the same time whatever the signature's content.
pub fn verify(script: &str, params: &Params, secret: &SecretKey) -> Result<(), SignatureError> {
    let given = params.get_text(SIG).ok_or(SignatureError::Missing)?;
    let expected = sign(script, params, secret);
    let given = given.trim().to_ascii_lowercase();
    if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// A fresh salt: 16 characters from `[0-9A-Za-z]`, drawn from the operating system's CSPRNG.
///
/// # Panics
/// Panics only if the operating system cannot provide random bytes, in which
/// case no secure signature can be made at all.
pub fn generate_salt() -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut salt = String::with_capacity(16);
    let mut buf = [0u8; 32];
    while salt.len() < 16 {
        // Not remote input: without the OS's random bytes no secure salt (and
        // so no signature) can be made at all, as documented under `# Panics`.
        #[allow(clippy::expect_used)]
        getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
        // Rejection sampling keeps every character equally likely.
        for &byte in buf.iter().filter(|&&b| b < 248) {
            if salt.len() == 16 {
                break;
            }
            // `byte % 62` is always a position in the 62-byte alphabet.
            if let Some(&c) = ALPHABET.get(usize::from(byte % 62)) {
                salt.push(char::from(c));
            }
        }
    }
    salt
}

/// The script name the gateway signs with for a URL: the last segment of its
/// path, up to the end or the first `?` (`init_payment.php`, `pay` for `mfs/pay`).
/// A trailing `/` is ignored, so `g2g/payment_page/` gives `payment_page`.
pub fn script_name(url_or_path: &str) -> &str {
    let without_query = url_or_path.split(['?', '#']).next().unwrap_or_default();
    let trimmed = without_query.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or_default()
}

#[cfg(test)]
mod secret_key_tests {
    use super::SecretKey;

    #[test]
    fn debug_never_shows_the_key() {
        let key = SecretKey::new("Very-Secret-Key-42");
        let shown = format!("{key:?} {:?} {key:#?}", Some(key.clone()));
        assert!(!shown.contains("Very-Secret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        assert_eq!(key.expose(), "Very-Secret-Key-42");
    }
}
