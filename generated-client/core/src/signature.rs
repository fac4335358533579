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
    let mut flat = flatten(params, "", &NoPath);
    // Keys are unique after flattening, so the sort is total.
    flat.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    flat.into_iter()
        .map(|(key, _, value)| (key, value))
        .collect()
}

/// What [`flatten`] records of where a value came from: nothing when
/// signing, its bracketed name when explaining.
trait Origin: Sized {
    /// The origin of the child `name` of a value from `self`.
    fn child(&self, name: &str) -> Self;
}

/// No origin: what the signer flattens with.
struct NoPath;

impl Origin for NoPath {
    fn child(&self, _: &str) -> Self {
        NoPath
    }
}

impl Origin for String {
    fn child(&self, name: &str) -> Self {
        crate::message::child_path(self, name)
    }
}

/// Flattens like `PG_Signature::makeFlatParamsArray`, key collisions included:
/// a text value is added with PHP's `+=` (an existing key keeps its value),
/// a nested list with `array_merge` (its keys overwrite existing ones). Such
/// collisions need names that end in digits, e.g. `a002b` next to a list `a`.
/// Each value comes with its origin below `origin`.
fn flatten<'a, O: Origin>(
    params: &'a Params,
    parent: &str,
    origin: &O,
) -> Vec<(String, O, &'a str)> {
    let mut out: Vec<(String, O, &'a str)> = Vec::new();
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
                    out.push((key, origin.child(name), text));
                }
            }
            Value::Nested(children) => {
                for (child_key, child_origin, child_value) in
                    flatten(children, &key, &origin.child(name))
                {
                    match positions.get(&child_key) {
                        Some(&at) => {
                            if let Some(slot) = out.get_mut(at) {
                                slot.1 = child_origin;
                                slot.2 = child_value;
                            }
                        }
                        None => {
                            positions.insert(child_key.clone(), out.len());
                            out.push((child_key, child_origin, child_value));
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
    hex_string(&hex(&Md5::digest(text.as_bytes()).into()))
}

/// The signature of `params` for `script` (any `pg_sig` in `params` is ignored).
///
/// The same as `md5_hex(&string_to_sign(script, params, secret))`, computed
/// without building that string: the values are fed to MD5 in signing order
/// as they are found.
pub fn sign(script: &str, params: &Params, secret: &SecretKey) -> String {
    hex_string(&signature_hex(script, params, secret))
}

/// What stands for the secret key wherever a string to sign is shown.
pub const KEY_MASK: &str = "<secret key>";

/// One value of a string to sign, in signing order.
#[derive(Clone, PartialEq, Eq)]
pub struct Step {
    /// The key it is sorted by: its parent's key, its name and its 1-based
    /// position among its siblings as three digits (`pg_amount003`).
    pub sort_key: String,
    /// Its name as sent, nested names in bracket notation
    /// (`pg_receipt_positions[0][count]`).
    pub path: String,
    /// The value, as signed.
    pub value: String,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lower = self.path.to_ascii_lowercase();
        let value = if lower.contains("cvc") || lower.contains("cvv") {
            crate::redact::mask(&self.value)
        } else {
            crate::redact::mask_card_numbers(&self.value)
        };
        f.debug_struct("Step")
            .field("sort_key", &self.sort_key)
            .field("path", &self.path)
            .field("value", &value)
            .finish()
    }
}

/// How the signature of one message is made, step by step: the script name,
/// the values in signing order with their sort keys, and the signature.
/// It holds no secret key ([`Explanation::masked_string_to_sign`] shows
/// [`KEY_MASK`] in its place), and its `Debug` masks card numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The script name, first in the string to sign.
    pub script: String,
    /// Every signed value, in signing order.
    pub steps: Vec<Step>,
    /// The signature [`sign`] makes for the message.
    pub expected: String,
}

impl Explanation {
    /// The string to sign with the key given: what MD5 is taken of. It
    /// contains the key: never show it.
    pub fn string_to_sign(&self, secret: &SecretKey) -> String {
        self.joined(secret.expose())
    }

    /// The string to sign with [`KEY_MASK`] in place of the key: what may be shown.
    pub fn masked_string_to_sign(&self) -> String {
        self.joined(KEY_MASK)
    }

    fn joined(&self, key: &str) -> String {
        let mut out = self.script.clone();
        for step in &self.steps {
            out.push(';');
            out.push_str(&step.value);
        }
        out.push(';');
        out.push_str(key);
        out
    }
}

/// Explains the signature of `params` for `script`: the steps of
/// [`string_to_sign`], each value with its sort key and name, and the
/// signature [`sign`] makes (any `pg_sig` in `params` is left out, as
/// signing leaves it out).
pub fn explain(script: &str, params: &Params, secret: &SecretKey) -> Explanation {
    let mut flat = flatten(params, "", &String::new());
    flat.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Explanation {
        script: script.to_owned(),
        steps: flat
            .into_iter()
            .map(|(sort_key, path, value)| Step {
                sort_key,
                path,
                value: value.to_owned(),
            })
            .collect(),
        expected: sign(script, params, secret),
    }
}

/// The signature as 32 lowercase hex digits, on the stack.
fn signature_hex(script: &str, params: &Params, secret: &SecretKey) -> [u8; 32] {
    let mut md5 = Md5Writer::new();
    md5.write(script.as_bytes());
    for_each_value(params, |value| {
        md5.write(b";");
        md5.write(value.as_bytes());
    });
    md5.write(b";");
    md5.write(secret.0.as_bytes());
    hex(&md5.finish())
}

/// Calls `f` with every signed value of `params`, in signing order.
fn for_each_value<'a>(params: &'a Params, mut f: impl FnMut(&'a str)) {
    // Most messages are flat and short: their values are sorted on the stack.
    const ON_STACK: usize = 64;
    let entries = params.entries();
    // The sort key of each value (its name, then its 1-based position as
    // three digits: `pg_amount003`) is never written out. Each value gets
    // one word instead: the key's first 15 bytes, then the value's index in
    // the last byte. Sorting the words orders the values wherever their keys
    // differ in those 15 bytes; the values whose keys share them are then
    // put in order by the whole key. In a flat message of at most 64
    // parameters the keys all differ (two keys of the same length end in
    // different positions; keys of different lengths differ), so no value
    // overwrites another and the order is the one order. A nested or long
    // message takes the general path.
    let flat = entries.len() <= ON_STACK
        && entries
            .iter()
            .all(|(_, value)| matches!(value, Value::Text(_)));
    if !flat {
        for (_, value) in ordered_values(params) {
            f(value);
        }
        return;
    }
    let mut words = [0u128; ON_STACK];
    let mut count = 0;
    for (index, (name, _)) in entries.iter().enumerate() {
        if name != SIG
            && let (Some(slot), Ok(index)) = (words.get_mut(count), u8::try_from(index))
        {
            let head = key_prefix(name, position_digits(usize::from(index) + 1));
            *slot = (head & !0xff) | u128::from(index);
            count += 1;
        }
    }
    let words = words.get_mut(..count).unwrap_or_default();
    words.sort_unstable();
    let index_of = |word: u128| usize::from(word as u8);
    // The whole key of a word, compared byte by byte where it is stored.
    let full_key = |word: u128| {
        let index = index_of(word);
        let name = entries.get(index).map_or("", |(name, _)| name.as_ref());
        name.bytes().chain(position_digits(index + 1))
    };
    // Words whose 15 key bytes are equal are put in order by the whole key.
    let head = |word: &u128| word >> 8;
    if words
        .windows(2)
        .any(|pair| pair.first().map(head) == pair.get(1).map(head))
    {
        for run in words.chunk_by_mut(|a, b| head(a) == head(b)) {
            run.sort_unstable_by(|&a, &b| full_key(a).cmp(full_key(b)));
        }
    }
    for &word in words.iter() {
        if let Some((_, Value::Text(value))) = entries.get(index_of(word)) {
            f(value);
        }
    }
}

/// A position below 1000 as three digits.
fn position_digits(position: usize) -> [u8; 3] {
    let digit = |n: usize| b'0' + (n % 10) as u8;
    [digit(position / 100), digit(position / 10), digit(position)]
}

/// The first 16 bytes of the key `name` + `digits`, big-endian and
/// zero-padded: ordered as the keys are, wherever they differ in those bytes.
///
/// Built in registers from two whole-word loads of the name that overlap
/// where it is shorter than two words (the bytes they share are the same, so
/// or-ing them in twice changes nothing): no byte-by-byte loop and no stack
/// buffer read back as one wide word, which would stall the store buffer on
/// every key.
fn key_prefix(name: &str, digits: [u8; 3]) -> u128 {
    let name = name.as_bytes();
    if let Some(head) = name.first_chunk::<16>() {
        return u128::from_be_bytes(*head);
    }
    let len = name.len();
    let name_part = if let (Some(head), Some(tail)) = (
        name.first_chunk::<8>(),
        name.get(len.saturating_sub(8)..)
            .and_then(<[u8]>::first_chunk::<8>),
    ) {
        // 8 to 15 bytes: the first eight, and the last eight ending at `len`.
        u128::from(u64::from_be_bytes(*head)) << 64
            | u128::from(u64::from_be_bytes(*tail)) << (8 * (16 - len))
    } else if let (Some(head), Some(tail)) = (
        name.first_chunk::<4>(),
        name.get(len.saturating_sub(4)..)
            .and_then(<[u8]>::first_chunk::<4>),
    ) {
        // 4 to 7 bytes: the same with four-byte words.
        u128::from(u32::from_be_bytes(*head)) << 96
            | u128::from(u32::from_be_bytes(*tail)) << (8 * (16 - len))
    } else {
        name.iter().enumerate().fold(0, |word, (i, &byte)| {
            word | u128::from(byte) << (8 * (15 - i))
        })
    };
    // The digits right after the name: put at the top, then moved down by
    // the name's length (those past byte 16 fall off the end).
    let digits = u128::from(digits[0]) << 16 | u128::from(digits[1]) << 8 | u128::from(digits[2]);
    name_part | (digits << 104) >> (8 * len)
}

/// MD5 fed through a buffer, so that many short values cost one update.
struct Md5Writer {
    md5: Md5,
    buffer: [u8; 512],
    len: usize,
}

impl Md5Writer {
    fn new() -> Self {
        Md5Writer {
            md5: Md5::new(),
            buffer: [0; 512],
            len: 0,
        }
    }

    // Inlined into the signing loop, where it runs twice per value: left to
    // itself the compiler calls it, and the call costs more than the copy.
    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) {
        if let Some(free) = self.buffer.get_mut(self.len..self.len + bytes.len()) {
            free.copy_from_slice(bytes);
            self.len += bytes.len();
            return;
        }
        self.flush();
        if let Some(free) = self.buffer.get_mut(..bytes.len()) {
            free.copy_from_slice(bytes);
            self.len = bytes.len();
        } else {
            self.md5.update(bytes);
        }
    }

    fn flush(&mut self) {
        self.md5
            .update(self.buffer.get(..self.len).unwrap_or_default());
        self.len = 0;
    }

    fn finish(mut self) -> [u8; 16] {
        self.flush();
        self.md5.finalize().into()
    }
}

/// The lowercase hex digits of a digest, two per byte from a table.
fn hex(digest: &[u8; 16]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (pair, &byte) in out.chunks_exact_mut(2).zip(digest) {
        let digits = HEX_PAIRS
            .get(usize::from(byte))
            .copied()
            .unwrap_or_default();
        pair.copy_from_slice(&digits);
    }
    out
}

/// Each byte's two lowercase hex digits.
// Built at compile time: an index out of range would fail the build.
#[allow(clippy::indexing_slicing)]
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0; 2]; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = [DIGITS[byte >> 4], DIGITS[byte & 0x0f]];
        byte += 1;
    }
    table
};

fn hex_string(hex: &[u8; 32]) -> String {
    // Hex digits are ASCII, so the text is always valid and copied as it is.
    std::str::from_utf8(hex).unwrap_or_default().to_owned()
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
    let given = params.get_text(SIG).ok_or(SignatureError::Missing)?.trim();
    let expected = signature_hex(script, params, secret);
    // Upper-case hex is the same signature; anything but 32 characters is not.
    let mut lower = [0u8; 32];
    if given.len() != lower.len() {
        return Err(SignatureError::Mismatch);
    }
    for (slot, byte) in lower.iter_mut().zip(given.bytes()) {
        *slot = byte.to_ascii_lowercase();
    }
    // The difference of the two, or-ed into one word half by half, is
    // compared with zero in constant time: one comparison instead of 32, and
    // no early exit.
    let (given, _) = lower.as_chunks::<16>();
    let (wanted, _) = expected.as_chunks::<16>();
    let difference = given.iter().zip(wanted).fold(0u128, |difference, (a, b)| {
        difference | (u128::from_ne_bytes(*a) ^ u128::from_ne_bytes(*b))
    });
    if bool::from(difference.ct_eq(&0)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// A fresh salt: 16 characters from `[0-9A-Za-z]`, drawn from the operating system's CSPRNG.
///
/// The random bytes are fetched in blocks of [`SALT_POOL_BYTES`] per thread,
/// so that a busy server does not make a system call for every salt. A salt
/// is public (it travels in the message): the pool keeps unpredictability,
/// which is all a salt needs.
///
/// # Panics
/// Panics only if the operating system cannot provide random bytes, in which
/// case no secure signature can be made at all.
pub fn generate_salt() -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut salt = String::with_capacity(16);
    SALT_POOL.with_borrow_mut(|pool| {
        while salt.len() < 16 {
            let byte = pool.next_byte();
            // Rejection sampling keeps every character equally likely:
            // 248 is the largest multiple of 62 that fits in a byte.
            if byte < 248
                && let Some(&c) = ALPHABET.get(usize::from(byte % 62))
            {
                salt.push(char::from(c));
            }
        }
    });
    salt
}

/// How many random bytes a thread fetches from the operating system at a
/// time for its salts (about 30 salts' worth).
pub const SALT_POOL_BYTES: usize = 512;

/// A thread's unused random bytes for salts.
struct SaltPool {
    bytes: [u8; SALT_POOL_BYTES],
    used: usize,
}

impl SaltPool {
    fn next_byte(&mut self) -> u8 {
        if self.used >= SALT_POOL_BYTES {
            // Not remote input: without the OS's random bytes no secure salt
            // (and so no signature) can be made at all, as documented under
            // `# Panics` of `generate_salt`.
            #[allow(clippy::expect_used)]
            getrandom::fill(&mut self.bytes)
                .expect("the operating system's random number generator failed");
            self.used = 0;
        }
        let byte = self.bytes.get(self.used).copied().unwrap_or_default();
        self.used += 1;
        byte
    }
}

thread_local! {
    static SALT_POOL: std::cell::RefCell<SaltPool> = const {
        std::cell::RefCell::new(SaltPool { bytes: [0; SALT_POOL_BYTES], used: SALT_POOL_BYTES })
    };
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

#[cfg(test)]
mod key_prefix_tests {
    use super::{key_prefix, position_digits};

    /// The prefix is the first 16 bytes of name + digits, zero-padded, for
    /// names of every length around the word boundaries.
    #[test]
    fn key_prefix_is_the_first_sixteen_bytes_of_the_key() {
        let letters = "abcdefghijklmnopqrstu";
        for len in 0..=letters.len() {
            let name = letters.get(..len).unwrap_or_default();
            for position in [1, 9, 10, 99, 100, 999] {
                let digits = position_digits(position);
                let mut key = name.as_bytes().to_vec();
                key.extend(digits);
                key.resize(key.len().max(16), 0);
                let mut head = [0u8; 16];
                head.copy_from_slice(key.get(..16).unwrap_or_default());
                assert_eq!(
                    key_prefix(name, digits),
                    u128::from_be_bytes(head),
                    "{name:?} at {position}"
                );
            }
        }
    }
}
