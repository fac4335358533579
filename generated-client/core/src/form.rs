//! Form encoding with the gateway's bracket notation.
//!
//! A nested list travels as `pg_receipt_positions[0][name]=Mouse pad`. Encoding
//! walks the [`Params`] tree in order; decoding rebuilds the tree the way PHP's
//! `parse_str` does (first appearance fixes the position, a repeated key
//! replaces the value, `name[]` appends the next index). A name nested deeper
//! than [`MAX_DEPTH`] levels is dropped with its value, as PHP drops one deeper
//! than its `max_input_nesting_level`, and pairs past the first [`MAX_PAIRS`]
//! are dropped as PHP drops those past `max_input_vars`.

use crate::params::{Params, Value};

/// Deepest bracket nesting read from remote input: `a[b][c]` is 3 levels. A
/// pair nested deeper is dropped while decoding. The gateway's messages go
/// three levels deep; without a bound a 64 KiB body of `a[][][]…` would build
/// a tree some 30 000 levels deep, which every walk over it (signing,
/// encoding, dropping) recurses through until the thread's stack overflows.
pub const MAX_DEPTH: usize = 32;

/// The flat `(name, value)` pairs of `params`, nested names in bracket notation, in order.
pub fn to_pairs(params: &Params) -> Vec<(String, String)> {
    let mut out = Vec::new();
    pairs_into(params, None, &mut out);
    out
}

fn pairs_into(params: &Params, parent: Option<&str>, out: &mut Vec<(String, String)>) {
    for (name, value) in params.iter() {
        let key = match parent {
            Some(parent) => format!("{parent}[{name}]"),
            None => name.to_owned(),
        };
        match value {
            Value::Text(text) => out.push((key, text.clone())),
            Value::Nested(children) => pairs_into(children, Some(&key), out),
        }
    }
}

/// `application/x-www-form-urlencoded` body (or query string) for `params`.
///
/// Byte for byte what `form_urlencoded::Serializer` writes (the WHATWG
/// form encoding: `*-._` and ASCII letters and digits as they are, a space
/// as `+`, every other byte as `%XX`), each byte written from a table with
/// no branch on what it is: a message of URLs and sentences has escapes
/// every few bytes, which a branch would mispredict.
pub fn encode(params: &Params) -> String {
    // Room for every name and value, their separators, and half as much
    // again for escapes: most bodies are written without growing the
    // buffer, which holds far less than the three times their size that
    // escaping every byte would take.
    let mut size = 0;
    size_of_pairs(params, &mut size);
    let mut body = Body {
        bytes: vec![0; size + size / 2 + WINDOW],
        len: 0,
    };
    let mut key = String::new();
    append_pairs(params, &mut key, false, &mut body);
    body.bytes.truncate(body.len);
    // Every byte written is ASCII, so the lossy path is never taken.
    String::from_utf8(body.bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn size_of_pairs(params: &Params, total: &mut usize) {
    for (name, value) in params.iter() {
        *total += name.len() + 2;
        match value {
            Value::Text(text) => *total += text.len(),
            Value::Nested(children) => size_of_pairs(children, total),
        }
    }
}

/// A form body being written: `bytes` is zero-filled room ahead of `len`,
/// so that a byte is written without checking what it was.
struct Body {
    bytes: Vec<u8>,
    len: usize,
}

impl Body {
    /// Appends `byte` as it is.
    fn push(&mut self, byte: u8) {
        self.reserve(1);
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// Appends `text` form-encoded.
    ///
    /// The text is read 16 bytes at a time. Each chunk writes at most 48
    /// characters, into a fixed window of [`WINDOW`] bytes taken once per
    /// chunk; within it, every entry is stored at an offset masked to the
    /// window (a no-op, as no offset gets past 45), so no byte pays for a
    /// bounds check.
    fn push_encoded(&mut self, text: &str) {
        for chunk in text.as_bytes().chunks(16) {
            self.reserve(WINDOW);
            let Some(window) = self
                .bytes
                .get_mut(self.len..)
                .and_then(<[u8]>::first_chunk_mut::<WINDOW>)
            else {
                return; // cannot happen: room for a window was just made
            };
            let mut offset = 0;
            for &byte in chunk {
                let entry = ENCODED.get(usize::from(byte)).copied().unwrap_or_default();
                // All four bytes in one store: what lies past the
                // characters that count is overwritten next, or cut off.
                if let Some(slot) = window
                    .get_mut(offset & 63..)
                    .and_then(<[u8]>::first_chunk_mut::<4>)
                {
                    *slot = entry.to_le_bytes();
                }
                offset += (entry >> 24) as usize;
            }
            self.len += offset;
        }
    }

    /// Makes room for `more` bytes past `len`, should the first estimate
    /// fall short.
    fn reserve(&mut self, more: usize) {
        let needed = self.len + more;
        if self.bytes.len() < needed {
            self.bytes.resize(needed.max(2 * self.bytes.len()), 0);
        }
    }
}

/// The bytes a chunk of 16 may write into: 64 offsets, plus the three bytes
/// past the last that a four-byte store reaches.
const WINDOW: usize = 67;

/// Appends the pairs of `params` below the bracketed name `key` (`nested`
/// below the top level): `key` grows by `[name]` for each child and is cut
/// back after it.
fn append_pairs(params: &Params, key: &mut String, nested: bool, body: &mut Body) {
    let parent = key.len();
    for (name, value) in params.iter() {
        if let (false, Value::Text(text)) = (nested, value) {
            // A top-level text value is named as it is.
            append_pair(body, name, text);
            continue;
        }
        if nested {
            key.push('[');
            key.push_str(name);
            key.push(']');
        } else {
            key.push_str(name);
        }
        match value {
            Value::Text(text) => append_pair(body, key, text),
            Value::Nested(children) => append_pairs(children, key, true, body),
        }
        key.truncate(parent);
    }
}

/// Appends `name=value`, after a `&` unless it is the first pair.
fn append_pair(body: &mut Body, name: &str, value: &str) {
    if body.len > 0 {
        body.push(b'&');
    }
    body.push_encoded(name);
    body.push(b'=');
    body.push_encoded(value);
}

/// How each byte is written in a form body: up to three characters in the
/// low bytes (little-endian), and in the high byte how many of them count
/// (1 for a byte as itself or `+`, 3 for `%XX`).
// Built at compile time: an index out of range would fail the build, not
// panic at run time.
#[allow(clippy::indexing_slicing)]
const ENCODED: [u32; 256] = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut table = [0u32; 256];
    let mut index = 0;
    while index < 256 {
        let byte = index as u8;
        let characters =
            if byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b'-' | b'.' | b'_') {
                [byte, 0, 0, 1]
            } else if byte == b' ' {
                [b'+', 0, 0, 1]
            } else {
                [
                    b'%',
                    HEX[(byte >> 4) as usize],
                    HEX[(byte & 0x0f) as usize],
                    3,
                ]
            };
        table[index] = u32::from_le_bytes(characters);
        index += 1;
    }
    table
};

/// Parses an `application/x-www-form-urlencoded` body or a query string
/// (without the leading `?`) into a parameter tree.
pub fn decode(body: &str) -> Params {
    // Split as `form_urlencoded::parse` splits: at each `&`, empty pieces
    // skipped, the name ending at the first `=`.
    from_pairs(body.split('&').filter(|pair| !pair.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode_component(name), decode_component(value))
    }))
}

/// One name or value of a form, decoded as `form_urlencoded` decodes it (`+`
/// as a space, `%XX` as its byte, bytes that are not UTF-8 replaced by
/// U+FFFD). Most are plain (names, numbers, ids, salts, signatures) and are
/// copied as they are.
fn decode_component(text: &str) -> String {
    if !text.bytes().any(|byte| matches!(byte, b'+' | b'%')) {
        return text.to_owned();
    }
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Reads a message as a server receives it: a form body or query string, a
/// `pg_xml` parameter holding an XML document (`pg_request_method=XML`), or
/// an XML document as the whole body (which may start with a UTF-8 byte
/// order mark, as XML allows).
pub fn decode_message(text: &str) -> Result<Params, crate::xml::XmlError> {
    if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
    {
        return crate::xml::parse(text).map(|message| message.params);
    }
    message_from_params(decode(text))
}

/// Reads a message from already-decoded `(name, value)` pairs (the parts of
/// a `multipart/form-data` body), as [`decode_message`] reads a form: a
/// `pg_xml` part holds the whole message as an XML document.
pub fn decode_message_pairs(
    pairs: impl IntoIterator<Item = (String, String)>,
) -> Result<Params, crate::xml::XmlError> {
    message_from_params(from_pairs(pairs))
}

fn message_from_params(params: Params) -> Result<Params, crate::xml::XmlError> {
    match params.get_text("pg_xml") {
        Some(document) => crate::xml::parse(document).map(|message| message.params),
        None => Ok(params),
    }
}

/// Most pairs read from one form: the rest are dropped, as PHP (the gateway)
/// drops the input variables past its default `max_input_vars` of 1000. The
/// largest documented message (a receipt of many positions) stays far below;
/// without a bound, a 64 KiB body of `a[]=1&a[]=1&…` (some 11 000 pairs) would
/// take seconds to build, each pair looking among all its siblings.
pub const MAX_PAIRS: usize = 1000;

/// Builds a tree from already-decoded `(name, value)` pairs in bracket notation,
/// as a multipart body or a web framework's form extractor gives them. A pair
/// whose name is nested deeper than [`MAX_DEPTH`] levels is dropped, and so is
/// every pair after the first [`MAX_PAIRS`].
pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Params {
    let mut root = Params::new();
    for (name, value) in pairs.into_iter().take(MAX_PAIRS) {
        if !name.is_empty() && !name.contains('[') {
            // A plain name (most of them): set as it came, without a copy.
            // An empty one takes the general path, which appends it as `[]`.
            root.set(name, value);
            continue;
        }
        let path = split_brackets(&name);
        if path.len() > MAX_DEPTH {
            continue;
        }
        insert(&mut root, &path, value);
    }
    root
}

/// `a[b][c]` → `["a", "b", "c"]`; `a[]` → `["a", ""]`. A name whose brackets do
/// not close is taken literally, as PHP does.
fn split_brackets(name: &str) -> Vec<&str> {
    let Some((head, mut rest)) = name.find('[').and_then(|open| name.split_at_checked(open)) else {
        return vec![name];
    };
    if head.is_empty() {
        return vec![name];
    }
    let mut parts = vec![head];
    while let Some(stripped) = rest.strip_prefix('[') {
        match stripped.split_once(']') {
            Some((inner, after)) => {
                parts.push(inner);
                rest = after;
            }
            None => return vec![name],
        }
    }
    parts
}

fn insert(params: &mut Params, path: &[&str], value: String) {
    let Some((&first, rest)) = path.split_first() else {
        return;
    };
    let key = if first.is_empty() {
        next_index(params)
    } else {
        first.to_owned()
    };
    if rest.is_empty() {
        params.set(key, value);
        return;
    }
    if !matches!(params.get(&key), Some(Value::Nested(_))) {
        params.set(key.clone(), Params::new());
    }
    if let Some(Value::Nested(child)) = params.get_mut(&key) {
        insert(child, rest, value);
    }
}

fn next_index(params: &Params) -> String {
    params
        .iter()
        .filter_map(|(name, _)| name.parse::<u64>().ok())
        .max()
        .map_or(0, |max| max + 1)
        .to_string()
}

/// Percent-encodes a value for use as one path segment (`/v1/merchant/{merchant_id}/…`).
pub fn encode_path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_set_and_an_empty_name_is_appended_as_an_index() {
        let params = decode("a=1&=x&a=2&=y&b[c]=3");
        let names: Vec<&str> = params.iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["a", "0", "1", "b"]);
        assert_eq!(params.get_text("a"), Some("2"));
        assert_eq!(params.get_text("0"), Some("x"));
        assert_eq!(params.get_text("1"), Some("y"));
    }

    #[test]
    fn a_body_of_escapes_grows_past_the_first_estimate() {
        // Every byte of the euro sign is escaped: nine characters for three
        // bytes, three times the room first made for the body.
        for len in [0, 1, 15, 16, 17, 400] {
            let value = "€".repeat(len);
            let params = Params::new().with("a", value.as_str()).with("€", "x y");
            let expected = form_urlencoded::Serializer::new(String::new())
                .append_pair("a", &value)
                .append_pair("€", "x y")
                .finish();
            assert_eq!(encode(&params), expected, "{len} euro signs");
        }
    }

    #[test]
    fn multipart_pairs_read_like_the_same_form() {
        let body = "pg_merchant_id=1&pg_receipt_positions%5B0%5D%5Bcount%5D=2&pg_receipt_positions%5B0%5D%5Bname%5D=Tea";
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        assert_eq!(
            decode_message_pairs(pairs).expect("a form"),
            decode_message(body).expect("a form")
        );
        let xml = "<request><pg_merchant_id>1</pg_merchant_id></request>";
        let from_xml = decode_message_pairs([("pg_xml".to_owned(), xml.to_owned())]);
        assert_eq!(from_xml.expect("XML").get_text("pg_merchant_id"), Some("1"));
        assert!(decode_message_pairs([("pg_xml".to_owned(), "<request>".to_owned())]).is_err());
    }
}
