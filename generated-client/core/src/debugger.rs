//! The signature debugger, with no I/O: reads a pasted request, explains
//! how its signature is made and, when the signature it carries is not that
//! one, finds which step differs.
//!
//! Both schemes are explained by the signers themselves
//! ([`signature::explain`], [`jws::explain`]): the debugger adds no second
//! implementation of either. Where a pasted signature differs, the common
//! mistakes the gateway's documentation warns about are each tried with the
//! same key (the script name not cut to the last segment of the path,
//! `pg_salt` or the key left out, `pg_sig` signed too, values not sorted
//! or sorted without their positions, nested lists not flattened, additional
//! parameters left out, values signed URL-encoded; for a JWS, the body
//! re-serialised, the payload not cut out, the other algorithm, base64
//! with padding, the legacy `Sign` scheme), and those that reproduce the
//! pasted signature are named.
//!
//! Nothing here holds the secret key: strings to sign are shown with
//! [`KEY_MASK`] in its place, and the `Debug` of every result leaves the
//! pasted values out or masks their card numbers.
//!
//! ```
//! use freedompay_core::SecretKey;
//! use freedompay_core::debugger::{self, Request, Verdict};
//!
//! let pasted = "pg_order_id=23&pg_merchant_id=12345&pg_amount=25&pg_description=test\
//!               &pg_salt=molbulak&pg_sig=02a4d571f7ac768f3e7e51e1b4afa122";
//! let Ok(Request::Form { params, .. }) = debugger::read_request(pasted) else { panic!() };
//! let report = debugger::diagnose("/init_payment.php", &params, &SecretKey::new("mysecret"), None);
//! assert_eq!(report.verdict, Verdict::Matches);
//! assert_eq!(
//!     report.explanation.masked_string_to_sign(),
//!     "init_payment.php;25;test;12345;23;molbulak;<secret key>"
//! );
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use crate::jws::{self, Algorithm, JwsError, JwsExplanation};
use crate::params::{Params, Value};
use crate::signature::{self, Explanation, KEY_MASK, SALT, SIG, SecretKey};

/// A pasted request, read.
#[derive(Clone, PartialEq, Eq)]
pub enum Request {
    /// A `pg_sig`-signed message: a form body, a query string, or XML.
    Form {
        /// How it was written.
        format: Format,
        /// Its parameters, as the gateway reads them.
        params: Params,
        /// The path of the URL it was pasted with, if any (`/init_payment.php`).
        path: Option<String>,
    },
    /// A JSON body, signed by the `X-JWS-Signature` header.
    Json {
        /// The body exactly as pasted.
        body: String,
    },
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The values may hold card data: only the shape is shown.
        match self {
            Request::Form {
                format,
                params,
                path,
            } => f
                .debug_struct("Form")
                .field("format", format)
                .field("parameters", &params.len())
                .field("path", path)
                .finish(),
            Request::Json { body } => f.debug_struct("Json").field("bytes", &body.len()).finish(),
        }
    }
}

/// How a pasted `pg_sig` message was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A form body (`application/x-www-form-urlencoded`).
    Form,
    /// The query string of a pasted URL.
    Query,
    /// An XML document.
    Xml,
    /// A form whose `pg_xml` field holds the XML document.
    PgXml,
}

impl Format {
    /// How the page names it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Form => "form body",
            Format::Query => "query string",
            Format::Xml => "XML document",
            Format::PgXml => "XML in pg_xml",
        }
    }
}

/// Why a pasted request could not be read. Its message never quotes a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Largest pasted request read, in bytes (64 KiB, as the sandbox's requests).
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// Reads a pasted request: a form body or query string (`a=1&b[0][c]=2`,
/// with or without a leading `?`), a URL with its query string, an XML
/// document (a `<request>` or any root), a form whose `pg_xml` holds the
/// XML, or a JSON body (starting with `{` or `[`).
pub fn read_request(text: &str) -> Result<Request, InputError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(InputError(format!(
            "the request is longer than {MAX_INPUT_BYTES} bytes"
        )));
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(InputError("paste a request first".into()));
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Ok(Request::Json {
            body: text.to_owned(),
        });
    }
    if trimmed.starts_with('<') {
        let message = crate::xml::parse(trimmed)
            .map_err(|e| InputError(format!("the XML document cannot be read: {e}")))?;
        return Ok(Request::Form {
            format: Format::Xml,
            params: message.params,
            path: None,
        });
    }
    let (format, path, query) = if let Some(rest) = trimmed.strip_prefix('?') {
        (Format::Query, None, rest)
    } else if trimmed.starts_with("http://")
        || trimmed.starts_with("https://")
        || trimmed.starts_with('/')
    {
        let Some((url, query)) = trimmed.split_once('?') else {
            return Err(InputError(
                "the URL carries no query string: paste the form body it was sent with".into(),
            ));
        };
        (Format::Query, Some(path_of(url).to_owned()), query)
    } else {
        (Format::Form, None, trimmed)
    };
    // One `name=value` a line, as some tools show a form: joined with `&`.
    let joined;
    let query = if query.contains('\n') && !query.contains('&') {
        joined = query
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join("&");
        joined.as_str()
    } else {
        query
    };
    if !query.contains('=') {
        return Err(InputError(
            "this is no form body (name=value&…), query string, XML document or JSON body".into(),
        ));
    }
    let form = crate::form::decode(query);
    let format = if form.contains("pg_xml") {
        Format::PgXml
    } else {
        format
    };
    let params = crate::form::decode_message(query)
        .map_err(|e| InputError(format!("the XML document in pg_xml cannot be read: {e}")))?;
    Ok(Request::Form {
        format,
        params,
        path,
    })
}

/// The path of a URL (`https://host/a/b` → `/a/b`), or the text itself.
fn path_of(url: &str) -> &str {
    let without_fragment = url.split('#').next().unwrap_or_default();
    match without_fragment.split_once("://") {
        Some((_, rest)) => rest.find('/').and_then(|at| rest.get(at..)).unwrap_or("/"),
        None => without_fragment,
    }
}

/// What became of a pasted signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It is the signature the key makes.
    Matches,
    /// It is, in upper-case hex: the sandbox accepts it, the documentation
    /// asks for lower case.
    MatchesInUpperCase,
    /// It is another signature.
    Differs,
    /// The request carries none.
    Missing,
}

/// A common mistake in making `pg_sig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgSigMistake {
    /// The script name is the whole URL or path, not its last segment.
    ScriptNotLastSegment,
    /// The script name keeps the query string.
    ScriptWithQuery,
    /// The script name is empty: the path ends with `/`.
    ScriptEmpty,
    /// The script name is not in the string.
    ScriptLeftOut,
    /// `pg_salt` is not in the string.
    SaltLeftOut,
    /// `pg_sig` is in the string, empty: it was in the message, still
    /// empty, when the message was signed.
    SigIncluded,
    /// The values are in the order they were sent, not sorted.
    NotSorted,
    /// The values are sorted by name alone, without their positions.
    SortedWithoutPositions,
    /// Nested values are sorted by their bracketed names as flat fields.
    NestedAsFlatNames,
    /// A nested list is signed as PHP writes an array in a string: `Array`.
    NestedNotFlattened,
    /// Only `pg_` parameters are signed; additional ones are left out.
    AdditionalLeftOut,
    /// The values are signed URL-encoded, as they travel.
    ValuesUrlEncoded,
    /// The secret key is not at the end of the string.
    KeyLeftOut,
    /// The secret key is first instead of last.
    KeyFirst,
}

impl PgSigMistake {
    /// A one-line description of the mistake.
    pub fn title(self) -> &'static str {
        match self {
            PgSigMistake::ScriptNotLastSegment => {
                "the script name is the whole URL or path, not its last segment"
            }
            PgSigMistake::ScriptWithQuery => "the script name keeps the query string",
            PgSigMistake::ScriptEmpty => "the script name is empty (the path ends with /)",
            PgSigMistake::ScriptLeftOut => "the script name is left out",
            PgSigMistake::SaltLeftOut => "pg_salt is left out of the string",
            PgSigMistake::SigIncluded => "pg_sig (still empty) is signed too",
            PgSigMistake::NotSorted => "the values are not sorted by name",
            PgSigMistake::SortedWithoutPositions => {
                "the values are sorted by name without their positions"
            }
            PgSigMistake::NestedAsFlatNames => {
                "nested values are sorted by their bracketed names, not flattened"
            }
            PgSigMistake::NestedNotFlattened => "a nested list is signed as the word Array",
            PgSigMistake::AdditionalLeftOut => "parameters other than pg_… are left out",
            PgSigMistake::ValuesUrlEncoded => "the values are signed URL-encoded",
            PgSigMistake::KeyLeftOut => "the secret key is left out",
            PgSigMistake::KeyFirst => "the secret key is first instead of last",
        }
    }

    /// What the documentation says instead.
    pub fn advice(self) -> &'static str {
        match self {
            PgSigMistake::ScriptNotLastSegment | PgSigMistake::ScriptWithQuery => {
                "The script name is the called URL's path from its last / to the end or the ?: \
                 init_payment.php, add for …/cardstorage/add."
            }
            PgSigMistake::ScriptEmpty => {
                "A path ending with / is signed with the segment before it: payment_page for \
                 /g2g/payment_page/."
            }
            PgSigMistake::ScriptLeftOut => "The string starts with the script name.",
            PgSigMistake::SaltLeftOut => "Every field of the message takes part, pg_salt included.",
            PgSigMistake::SigIncluded => "pg_sig never takes part in its own signature.",
            PgSigMistake::NotSorted | PgSigMistake::SortedWithoutPositions => {
                "The values are sorted by their sort keys (name + position as three digits), \
                 as the steps below show."
            }
            PgSigMistake::NestedAsFlatNames | PgSigMistake::NestedNotFlattened => {
                "Nested lists are flattened recursively: each child is sorted under its parent's \
                 sort key, as the steps below show."
            }
            PgSigMistake::AdditionalLeftOut => {
                "Parameters the documentation does not list take part in the signature too."
            }
            PgSigMistake::ValuesUrlEncoded => "Values are signed as they are, before URL encoding.",
            PgSigMistake::KeyLeftOut | PgSigMistake::KeyFirst => {
                "The secret key comes last, after a ;."
            }
        }
    }
}

/// A mistake that reproduces the pasted `pg_sig`, with the string it signs.
#[derive(Clone, PartialEq, Eq)]
pub struct FoundMistake<M> {
    /// The mistake.
    pub mistake: M,
    /// The string signed with the mistake, [`KEY_MASK`] in place of the key.
    pub masked_string: String,
}

impl<M: fmt::Debug> fmt::Debug for FoundMistake<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The string holds the pasted values: left out.
        f.debug_struct("FoundMistake")
            .field("mistake", &self.mistake)
            .finish_non_exhaustive()
    }
}

/// Where a pasted string to sign first differs from the right one.
#[derive(Clone, PartialEq, Eq)]
pub struct Difference {
    /// The 1-based character position of the first difference, in the
    /// strings with [`KEY_MASK`] in place of the key.
    pub position: usize,
    /// Which part of the right string it falls in (`the script name`,
    /// `value 3 (pg_description)`, `the secret key`, `the end`).
    pub part: String,
    /// The right string around the difference (key masked).
    pub expected: String,
    /// The pasted string around the difference (key masked, its last part
    /// hidden unless it is the key).
    pub pasted: String,
    /// Whether the MD5 of the pasted string is the pasted `pg_sig`.
    pub pasted_makes_the_signature: bool,
}

impl fmt::Debug for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Difference")
            .field("position", &self.position)
            .field("part", &self.part)
            .finish_non_exhaustive()
    }
}

/// The debugger's report on a `pg_sig`-signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgSigReport {
    /// How the signature is made.
    pub explanation: Explanation,
    /// The `pg_sig` the request carries.
    pub given: Option<String>,
    /// Whether it is the right one.
    pub verdict: Verdict,
    /// The common mistakes that reproduce the pasted `pg_sig`.
    pub mistakes: Vec<FoundMistake<PgSigMistake>>,
    /// Where the pasted string to sign differs from the right one.
    pub difference: Option<Difference>,
}

/// Explains the `pg_sig` of `params` sent to `called` (a URL, a path or a
/// script name), compares it with the `pg_sig` they carry and, when it
/// differs, names the common mistakes that reproduce it; with the string the
/// sender signed (`signed`), shows where it first differs.
pub fn diagnose(
    called: &str,
    params: &Params,
    key: &SecretKey,
    signed: Option<&str>,
) -> PgSigReport {
    let script = signature::script_name(called);
    let explanation = signature::explain(script, params, key);
    let given = params.get_text(SIG).map(|sig| sig.trim().to_owned());
    let verdict = match &given {
        None => Verdict::Missing,
        Some(sig) if *sig == explanation.expected => Verdict::Matches,
        Some(sig) if sig.eq_ignore_ascii_case(&explanation.expected) => Verdict::MatchesInUpperCase,
        Some(_) => Verdict::Differs,
    };
    let mistakes = match (&given, verdict) {
        (Some(sig), Verdict::Differs) => pg_sig_variants(called, params, &explanation, key)
            .into_iter()
            .filter(|(_, string)| signature::md5_hex(string).eq_ignore_ascii_case(sig))
            .map(|(mistake, string)| FoundMistake {
                mistake,
                masked_string: mask_key(&string, key),
            })
            .fold(
                Vec::new(),
                |mut found: Vec<FoundMistake<PgSigMistake>>, next| {
                    if !found.iter().any(|m| m.mistake == next.mistake) {
                        found.push(next);
                    }
                    found
                },
            ),
        _ => Vec::new(),
    };
    let difference = signed
        .map(|text| text.trim_end_matches(['\r', '\n']))
        .filter(|text| !text.is_empty())
        .and_then(|text| difference(&explanation, key, text, given.as_deref()));
    PgSigReport {
        explanation,
        given,
        verdict,
        mistakes,
        difference,
    }
}

/// `text` with every occurrence of the key replaced by [`KEY_MASK`].
fn mask_key(text: &str, key: &SecretKey) -> String {
    if key.expose().is_empty() {
        text.to_owned()
    } else {
        text.replace(key.expose(), KEY_MASK)
    }
}

/// The strings (with the key) each common mistake signs, none equal to
/// the right string.
fn pg_sig_variants(
    called: &str,
    params: &Params,
    explanation: &Explanation,
    key: &SecretKey,
) -> Vec<(PgSigMistake, String)> {
    let key = key.expose();
    let right: Vec<&str> = explanation.steps.iter().map(|s| s.value.as_str()).collect();
    let join = |script: &str, values: &[&str], key: &str| {
        let mut out = script.to_owned();
        for value in values {
            out.push(';');
            out.push_str(value);
        }
        out.push(';');
        out.push_str(key);
        out
    };
    let script = explanation.script.as_str();
    let mut out: Vec<(PgSigMistake, String)> = Vec::new();

    // The script name.
    let without_query = called.split(['?', '#']).next().unwrap_or_default();
    let path = path_of(without_query);
    for candidate in [
        without_query,
        path,
        path.trim_start_matches('/'),
        path.trim_end_matches('/'),
        path.trim_start_matches('/').trim_end_matches('/'),
    ] {
        out.push((
            PgSigMistake::ScriptNotLastSegment,
            join(candidate, &right, key),
        ));
    }
    if called.contains('?') {
        let last = called.rsplit('/').next().unwrap_or_default();
        out.push((PgSigMistake::ScriptWithQuery, join(last, &right, key)));
        out.push((PgSigMistake::ScriptWithQuery, join(called, &right, key)));
    }
    if without_query.ends_with('/') {
        out.push((PgSigMistake::ScriptEmpty, join("", &right, key)));
    }
    {
        let mut string = right.join(";");
        string.push(';');
        string.push_str(key);
        out.push((PgSigMistake::ScriptLeftOut, string));
    }

    // The values.
    if params.contains(SALT) {
        let mut without = params.clone();
        without.remove(SALT);
        let values = signed_values(&without);
        out.push((PgSigMistake::SaltLeftOut, join(script, &values, key)));
    }
    if let Some(position) = params.iter().position(|(name, _)| name == SIG) {
        // The sender's pg_sig was still empty when it signed.
        let sig_key = format!("{SIG}{:03}", position + 1);
        let mut keyed: Vec<(&str, &str)> = explanation
            .steps
            .iter()
            .map(|s| (s.sort_key.as_str(), s.value.as_str()))
            .collect();
        keyed.push((&sig_key, ""));
        keyed.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let values: Vec<&str> = keyed.into_iter().map(|(_, v)| v).collect();
        out.push((PgSigMistake::SigIncluded, join(script, &values, key)));
    }
    let mut in_order = Vec::new();
    leaves_in_order(params, "", &mut in_order);
    let sent: Vec<&str> = in_order.iter().map(|(_, v)| *v).collect();
    out.push((PgSigMistake::NotSorted, join(script, &sent, key)));
    let mut by_name = Vec::new();
    sorted_by_plain_name(params, &mut by_name);
    out.push((
        PgSigMistake::SortedWithoutPositions,
        join(script, &by_name, key),
    ));
    if params.iter().any(|(_, v)| matches!(v, Value::Nested(_))) {
        let mut by_path = in_order.clone();
        by_path.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let by_path: Vec<&str> = by_path.into_iter().map(|(_, v)| v).collect();
        out.push((PgSigMistake::NestedAsFlatNames, join(script, &by_path, key)));
        let mut top: Vec<(&str, &str)> = params
            .iter()
            .filter(|(name, _)| *name != SIG)
            .map(|(name, value)| (name, value.as_text().unwrap_or("Array")))
            .collect();
        top.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let values: Vec<&str> = top.into_iter().map(|(_, v)| v).collect();
        out.push((PgSigMistake::NestedNotFlattened, join(script, &values, key)));
    }
    if params
        .iter()
        .any(|(name, _)| name != SIG && !name.starts_with("pg_"))
    {
        let only_pg: Params = params
            .iter()
            .filter(|(name, _)| name.starts_with("pg_"))
            .map(|(name, value)| (name.to_owned(), value.clone()))
            .collect();
        let values = signed_values(&only_pg);
        out.push((PgSigMistake::AdditionalLeftOut, join(script, &values, key)));
    }
    for encode in [form_encoded as fn(&str) -> String, percent_encoded] {
        let encoded: Vec<String> = right.iter().map(|v| encode(v)).collect();
        let encoded: Vec<&str> = encoded.iter().map(String::as_str).collect();
        out.push((PgSigMistake::ValuesUrlEncoded, join(script, &encoded, key)));
    }

    // The key.
    let mut no_key = script.to_owned();
    for value in &right {
        no_key.push(';');
        no_key.push_str(value);
    }
    out.push((PgSigMistake::KeyLeftOut, no_key.clone()));
    out.push((PgSigMistake::KeyLeftOut, format!("{no_key};")));
    out.push((PgSigMistake::KeyFirst, format!("{key};{no_key}")));

    let right_string = join(script, &right, key);
    out.retain(|(_, string)| *string != right_string);
    out
}

/// The values `params` signs, in signing order.
fn signed_values(params: &Params) -> Vec<&str> {
    signature::ordered_values(params)
        .into_iter()
        .map(|(_, value)| value)
        .collect()
}

/// Every text value below `params` with its bracketed name, in the order sent.
fn leaves_in_order<'a>(params: &'a Params, parent: &str, out: &mut Vec<(String, &'a str)>) {
    for (name, value) in params.iter() {
        if parent.is_empty() && name == SIG {
            continue;
        }
        let path = crate::message::child_path(parent, name);
        match value {
            Value::Text(text) => out.push((path, text)),
            Value::Nested(children) => leaves_in_order(children, &path, out),
        }
    }
}

/// The values sorted level by level by their names alone (PHP's `ksort`
/// on each level, positions ignored; a stable sort keeps repeated names in
/// the order sent).
fn sorted_by_plain_name<'a>(params: &'a Params, out: &mut Vec<&'a str>) {
    let mut entries: Vec<(&str, &Value)> = params.iter().filter(|(n, _)| *n != SIG).collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (_, value) in entries {
        match value {
            Value::Text(text) => out.push(text),
            Value::Nested(children) => sorted_by_plain_name(children, out),
        }
    }
}

/// A value as a form writes it (`+` for a space): PHP's `urlencode`,
/// JavaScript's `URLSearchParams`.
fn form_encoded(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A value percent-encoded as RFC 3986 asks (`%20` for a space): PHP's
/// `rawurlencode`, which is how a path segment is encoded.
fn percent_encoded(value: &str) -> String {
    crate::form::encode_path_segment(value)
}

/// Where `pasted` (a string to sign, with a key) first differs from the
/// right one; `None` when they are equal.
fn difference(
    explanation: &Explanation,
    key: &SecretKey,
    pasted: &str,
    given: Option<&str>,
) -> Option<Difference> {
    // Masked as the pasted string is, so a key that also occurs in a value
    // is masked alike on both sides.
    let right = mask_key(&explanation.string_to_sign(key), key);
    let pasted_makes_the_signature =
        given.is_some_and(|sig| signature::md5_hex(pasted).eq_ignore_ascii_case(sig));
    // The pasted string's last part is where its key should be: hidden
    // unless it is the key (then masked like the right one's).
    let masked = mask_key(pasted, key);
    let shown = match masked.rsplit_once(';') {
        Some((head, last)) if last != KEY_MASK => format!("{head};<not shown>"),
        Some(_) => masked,
        None if masked == KEY_MASK => masked,
        None => "<not shown>".to_owned(),
    };
    let right_chars: Vec<char> = right.chars().collect();
    let shown_chars: Vec<char> = shown.chars().collect();
    let at = right_chars
        .iter()
        .zip(&shown_chars)
        .position(|(a, b)| a != b)
        .unwrap_or(right_chars.len().min(shown_chars.len()));
    if right_chars.len() == shown_chars.len() && at == right_chars.len() {
        return None;
    }
    let part = part_at(explanation, at);
    let excerpt = |chars: &[char]| -> String {
        let start = at.saturating_sub(24);
        let end = (at + 40).min(chars.len());
        let mut text: String = chars.get(start..end).unwrap_or_default().iter().collect();
        if start > 0 {
            text.insert(0, '…');
        }
        if end < chars.len() {
            text.push('…');
        }
        text
    };
    Some(Difference {
        position: at + 1,
        part,
        expected: excerpt(&right_chars),
        pasted: excerpt(&shown_chars),
        pasted_makes_the_signature,
    })
}

/// Which part of the masked right string the character `at` (0-based)
/// falls in; a `;` belongs to the part after it.
fn part_at(explanation: &Explanation, at: usize) -> String {
    let mut end = explanation.script.chars().count();
    if at < end {
        return "the script name".to_owned();
    }
    for (index, step) in explanation.steps.iter().enumerate() {
        end += 1 + step.value.chars().count();
        if at < end {
            return format!(
                "value {} ({}, sort key {})",
                index + 1,
                step.path,
                step.sort_key
            );
        }
    }
    end += 1 + KEY_MASK.chars().count();
    if at < end {
        "the secret key".to_owned()
    } else {
        "the end: the pasted string goes on after the key".to_owned()
    }
}

/// Something about a JSON request's JWS that the gateway refuses, whatever its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwsProblem {
    /// The payload is not cut out: `header.payload.signature`.
    PayloadNotCutOut {
        /// Whether the payload inside is the body sent.
        same_body: bool,
    },
    /// The header or the signature is base64 with padding or `+`/`/`, not base64url.
    NotBase64Url,
    /// The header names another algorithm than the endpoint's.
    WrongAlgorithm {
        /// The endpoint's.
        expected: Algorithm,
        /// The header's.
        found: Algorithm,
    },
    /// The header's `uri` is not the path the request is sent to.
    WrongUri {
        /// The path.
        expected: String,
        /// The header's.
        found: String,
    },
    /// The header's `method` is not the request's.
    WrongMethod {
        /// The request's.
        expected: String,
        /// The header's.
        found: String,
    },
}

impl fmt::Display for JwsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwsProblem::PayloadNotCutOut { same_body: true } => f.write_str(
                "the payload is not cut out: send header..signature (the body travels as the body)",
            ),
            JwsProblem::PayloadNotCutOut { same_body: false } => f.write_str(
                "the payload is not cut out, and it is not the body sent: send header..signature \
                 of the body exactly as sent",
            ),
            JwsProblem::NotBase64Url => f.write_str(
                "base64 with padding (=) or + and /: the header and the signature are base64url \
                 without padding",
            ),
            JwsProblem::WrongAlgorithm { expected, found } => write!(
                f,
                "the header says {found}, the endpoint signs with {expected}"
            ),
            JwsProblem::WrongUri { expected, found } => write!(
                f,
                "the header's uri is {found:?}, the request's path is {expected:?}"
            ),
            JwsProblem::WrongMethod { expected, found } => write!(
                f,
                "the header's method is {found:?}, the request's is {expected:?}"
            ),
        }
    }
}

/// A common mistake in making a JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwsMistake {
    /// The body signed is the body re-serialised (other whitespace or escapes), not the one sent.
    BodyReserialized,
    /// The body signed is the body sent with a trailing newline more or less.
    BodyTrailingNewline,
    /// The signature is made with the other HMAC than the header names.
    OtherAlgorithm,
    /// The body is base64-encoded with padding, or with `+` and `/`.
    PaddedBase64,
    /// The signature is the legacy Cards API `Sign`: SHA-256 hex of the body and the key.
    LegacySign,
    /// The signature is made over the payload inside the JWS, which is not the body sent.
    OtherPayloadSigned,
}

impl JwsMistake {
    /// A one-line description of the mistake.
    pub fn title(self) -> &'static str {
        match self {
            JwsMistake::BodyReserialized => {
                "the body was re-serialised (other spaces, line breaks or escapes) before signing"
            }
            JwsMistake::BodyTrailingNewline => {
                "the body signed has a trailing line break more or less than the body sent"
            }
            JwsMistake::OtherAlgorithm => "the HMAC is not the one the header's alg names",
            JwsMistake::PaddedBase64 => {
                "the body is base64-encoded with padding or + and /, not base64url"
            }
            JwsMistake::LegacySign => {
                "this is the legacy Cards API Sign (SHA-256 of the body and the key), not a JWS"
            }
            JwsMistake::OtherPayloadSigned => {
                "the signature is over the payload inside the JWS, not over the body sent"
            }
        }
    }

    /// What the documentation says instead.
    pub fn advice(self) -> &'static str {
        match self {
            JwsMistake::BodyReserialized
            | JwsMistake::BodyTrailingNewline
            | JwsMistake::OtherPayloadSigned => {
                "Sign the body exactly as it is sent, byte for byte: serialise it once and send \
                 those bytes."
            }
            JwsMistake::OtherAlgorithm => {
                "Sign with the algorithm the header names (HS256: HMAC-SHA256, HS512: HMAC-SHA512)."
            }
            JwsMistake::PaddedBase64 => {
                "The signing input is base64url(header) . base64url(body), without padding."
            }
            JwsMistake::LegacySign => {
                "X-JWS-Signature carries header..signature: an HMAC over base64url(header) . \
                 base64url(body)."
            }
        }
    }
}

/// The debugger's report on a JSON request and its `X-JWS-Signature`.
#[derive(Clone, PartialEq, Eq)]
pub struct JwsReport {
    /// How the signature is made, from the header as pasted and the body.
    pub explanation: JwsExplanation,
    /// The signature part pasted.
    pub given: String,
    /// Whether it is the signature the key makes ([`Verdict::Matches`] or [`Verdict::Differs`]).
    pub verdict: Verdict,
    /// What the gateway refuses whatever the signature.
    pub problems: Vec<JwsProblem>,
    /// The common mistakes that reproduce the pasted signature.
    pub mistakes: Vec<JwsMistake>,
}

impl fmt::Debug for JwsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The explanation carries the body: left out.
        f.debug_struct("JwsReport")
            .field("verdict", &self.verdict)
            .field("problems", &self.problems)
            .field("mistakes", &self.mistakes)
            .finish_non_exhaustive()
    }
}

/// What the receiving endpoint expects of a JWS, where it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwsEndpoint<'a> {
    /// The path the request is sent to.
    pub path: &'a str,
    /// Its method.
    pub method: &'a str,
    /// Its algorithm.
    pub alg: Algorithm,
}

/// Explains the JWS of a JSON `body` whose `X-JWS-Signature` is `value`
/// (pasted with or without the header's name), compares its signature with
/// the one the key makes and, when it differs, names the common mistakes
/// that reproduce it. With the `endpoint` it is sent to, also checks the
/// header's `uri`, `method` and `alg` as the gateway does.
pub fn diagnose_jws(
    value: &str,
    body: &str,
    key: &SecretKey,
    endpoint: Option<&JwsEndpoint<'_>>,
) -> Result<JwsReport, InputError> {
    let value = value.trim();
    let value = value
        .split_once(':')
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("x-jws-signature"))
        .map_or(value, |(_, rest)| rest.trim());
    if value.is_empty() {
        return Err(InputError(
            "paste the request's X-JWS-Signature header with its JSON body".into(),
        ));
    }
    let body_bytes = body.as_bytes();
    let parts: Vec<&str> = value.split('.').collect();
    let [header_part, payload_part, signature_part] = parts.as_slice() else {
        if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
            let legacy = hex_sha256(&[body_bytes, key.expose().as_bytes()].concat());
            if legacy.eq_ignore_ascii_case(value) {
                return Err(InputError(format!(
                    "{}. {}",
                    JwsMistake::LegacySign.title(),
                    JwsMistake::LegacySign.advice()
                )));
            }
        }
        return Err(InputError(
            "X-JWS-Signature is header..signature: three parts separated by dots, the middle one \
             empty"
                .into(),
        ));
    };
    let mut problems = Vec::new();
    let header = to_base64url(header_part);
    let given = to_base64url(signature_part);
    if header != *header_part || given != *signature_part {
        problems.push(JwsProblem::NotBase64Url);
    }
    let explanation = jws::explain(&header, body_bytes, key).map_err(|error| match error {
        JwsError::Unsigned => InputError(
            "the header's alg is none: the gateway refuses unsigned requests; sign with HS256 or \
             HS512"
                .into(),
        ),
        JwsError::Malformed(reason) => InputError(format!("the X-JWS-Signature header: {reason}")),
        other => InputError(other.to_string()),
    })?;
    let payload = (!payload_part.is_empty())
        .then(|| URL_SAFE_NO_PAD.decode(to_base64url(payload_part)).ok())
        .map(Option::unwrap_or_default);
    if let Some(payload) = &payload {
        problems.push(JwsProblem::PayloadNotCutOut {
            same_body: payload.as_slice() == body_bytes,
        });
    }
    let alg = explanation.header.alg;
    if let Some(endpoint) = endpoint {
        if alg != endpoint.alg {
            problems.push(JwsProblem::WrongAlgorithm {
                expected: endpoint.alg,
                found: alg,
            });
        }
        if explanation.header.uri != endpoint.path {
            problems.push(JwsProblem::WrongUri {
                expected: endpoint.path.to_owned(),
                found: explanation.header.uri.clone(),
            });
        }
        if !explanation
            .header
            .method
            .eq_ignore_ascii_case(endpoint.method)
        {
            problems.push(JwsProblem::WrongMethod {
                expected: endpoint.method.to_owned(),
                found: explanation.header.method.clone(),
            });
        }
    }
    let verdict = if given == explanation.expected_signature {
        Verdict::Matches
    } else {
        Verdict::Differs
    };
    let mut mistakes = Vec::new();
    if verdict == Verdict::Differs {
        let signs = |alg: Algorithm, encoded_body: &str| {
            jws::signature_of(alg, &format!("{header}.{encoded_body}"), key) == given
        };
        if let Some(payload) = payload.as_ref().filter(|p| p.as_slice() != body_bytes)
            && signs(alg, &URL_SAFE_NO_PAD.encode(payload))
        {
            mistakes.push(JwsMistake::OtherPayloadSigned);
        }
        let with_newline = format!("{body}\n");
        let without_newline = body.trim_end_matches(['\r', '\n']);
        if [with_newline.as_str(), without_newline]
            .iter()
            .any(|candidate| *candidate != body && signs(alg, &URL_SAFE_NO_PAD.encode(candidate)))
        {
            mistakes.push(JwsMistake::BodyTrailingNewline);
        } else if reserialized(body)
            .iter()
            .any(|candidate| signs(alg, &URL_SAFE_NO_PAD.encode(candidate)))
        {
            mistakes.push(JwsMistake::BodyReserialized);
        }
        let other = match alg {
            Algorithm::Hs256 => Algorithm::Hs512,
            Algorithm::Hs512 => Algorithm::Hs256,
        };
        if signs(other, &URL_SAFE_NO_PAD.encode(body_bytes)) {
            mistakes.push(JwsMistake::OtherAlgorithm);
        }
        if [STANDARD.encode(body_bytes), URL_SAFE.encode(body_bytes)]
            .iter()
            .any(|encoded| signs(alg, encoded))
        {
            mistakes.push(JwsMistake::PaddedBase64);
        }
    }
    Ok(JwsReport {
        explanation,
        given,
        verdict,
        problems,
        mistakes,
    })
}

/// base64url without padding from any base64 (`+`/`/`, `=`).
fn to_base64url(text: &str) -> String {
    text.trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
}

/// The body as common serialisers write it again: compact, pretty with two
/// and four spaces, and compact with PHP's `json_encode` escapes (`\/`,
/// `\uXXXX`); the body itself left out.
fn reserialized(body: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let compact = serde_json::to_string(&value).unwrap_or_default();
    let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
    let mut four = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut four, formatter);
    let four = serde::Serialize::serialize(&value, &mut serializer)
        .ok()
        .and_then(|()| String::from_utf8(four).ok())
        .unwrap_or_default();
    let php = php_escaped(&compact);
    let mut out: Vec<String> = Vec::new();
    for candidate in [compact, pretty, four, php] {
        if !candidate.is_empty() && candidate != body && !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out
}

/// Compact JSON with PHP's default `json_encode` escapes: `/` as `\/` and
/// every character past ASCII as `\uXXXX` (both only occur inside strings).
fn php_escaped(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len());
    for c in compact.chars() {
        if c == '/' {
            out.push_str("\\/");
        } else if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Lowercase hex SHA-256.
fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(text: &str) -> Params {
        match read_request(text) {
            Ok(Request::Form { params, .. }) => params,
            other => panic!("not a form: {other:?}"),
        }
    }

    const INIT: &str =
        "pg_order_id=23&pg_merchant_id=12345&pg_amount=25&pg_description=test&pg_salt=molbulak";

    /// The mistakes a report names, in its order.
    fn mistakes_of(report: &PgSigReport) -> Vec<PgSigMistake> {
        report.mistakes.iter().map(|m| m.mistake).collect()
    }

    /// The signature of the documented init_payment request, made with `string`.
    fn signed_with(string: &str) -> Params {
        form(&format!("{INIT}&pg_sig={}", signature::md5_hex(string)))
    }

    #[test]
    fn the_documented_request_matches() {
        let params = form(&format!("{INIT}&pg_sig=02a4d571f7ac768f3e7e51e1b4afa122"));
        let report = diagnose(
            "https://api.freedompay.kz/init_payment.php",
            &params,
            &SecretKey::new("mysecret"),
            None,
        );
        assert_eq!(report.verdict, Verdict::Matches);
        assert!(report.mistakes.is_empty());
        assert_eq!(
            report.explanation.masked_string_to_sign(),
            "init_payment.php;25;test;12345;23;molbulak;<secret key>"
        );
        let upper = form(&format!("{INIT}&pg_sig=02A4D571F7AC768F3E7E51E1B4AFA122"));
        let report = diagnose("init_payment.php", &upper, &"mysecret".into(), None);
        assert_eq!(report.verdict, Verdict::MatchesInUpperCase);
        let unsigned = diagnose("init_payment.php", &form(INIT), &"mysecret".into(), None);
        assert_eq!(unsigned.verdict, Verdict::Missing);
    }

    /// Each mistake, made by hand as an integrator would, is named, and
    /// named alone.
    #[test]
    fn each_common_mistake_is_named() {
        let key = SecretKey::new("mysecret");
        for (string, called, mistake) in [
            (
                "/init_payment.php;25;test;12345;23;molbulak;mysecret",
                "/init_payment.php",
                PgSigMistake::ScriptNotLastSegment,
            ),
            (
                "https://api.freedompay.kz/init_payment.php;25;test;12345;23;molbulak;mysecret",
                "https://api.freedompay.kz/init_payment.php",
                PgSigMistake::ScriptNotLastSegment,
            ),
            (
                "init_payment.php?x=1;25;test;12345;23;molbulak;mysecret",
                "/init_payment.php?x=1",
                PgSigMistake::ScriptWithQuery,
            ),
            (
                "25;test;12345;23;molbulak;mysecret",
                "init_payment.php",
                PgSigMistake::ScriptLeftOut,
            ),
            (
                "init_payment.php;25;test;12345;23;mysecret",
                "init_payment.php",
                PgSigMistake::SaltLeftOut,
            ),
            (
                "init_payment.php;23;12345;25;test;molbulak;mysecret",
                "init_payment.php",
                PgSigMistake::NotSorted,
            ),
            (
                "init_payment.php;25;test;12345;23;molbulak",
                "init_payment.php",
                PgSigMistake::KeyLeftOut,
            ),
            (
                "mysecret;init_payment.php;25;test;12345;23;molbulak",
                "init_payment.php",
                PgSigMistake::KeyFirst,
            ),
        ] {
            let report = diagnose(called, &signed_with(string), &key, Some(string));
            assert_eq!(report.verdict, Verdict::Differs, "{string}");
            let named = mistakes_of(&report);
            assert_eq!(named, [mistake], "{string}");
            let shown = &report.mistakes[0].masked_string;
            assert!(!shown.contains("mysecret"), "{shown}");
            let difference = report.difference.expect("the strings differ");
            assert!(difference.pasted_makes_the_signature);
            assert!(!format!("{} {}", difference.expected, difference.pasted).contains("mysecret"));
        }
    }

    #[test]
    fn sig_included_values_encoded_and_additional_fields() {
        let key = SecretKey::new("k");
        // pg_sig signed at its place (its value: whatever the sender had there).
        // pg_sig signed at its place while still empty, then filled in.
        let string = "s.php;1;s;;k";
        let params = form(&format!(
            "pg_amount=1&pg_sig={}&pg_salt=s",
            signature::md5_hex(string)
        ));
        let report = diagnose("s.php", &params, &key, None);
        assert_eq!(mistakes_of(&report), [PgSigMistake::SigIncluded]);

        let encoded = "s.php;Order+description;s;k";
        let params = form(&format!(
            "pg_description=Order%20description&pg_salt=s&pg_sig={}",
            signature::md5_hex(encoded)
        ));
        let report = diagnose("s.php", &params, &key, None);
        assert_eq!(mistakes_of(&report), [PgSigMistake::ValuesUrlEncoded]);

        let only_pg = "result;100;s;k";
        let params = form(&format!(
            "cms_payment_module=x&pg_amount=100&pg_salt=s&pg_sig={}",
            signature::md5_hex(only_pg)
        ));
        let report = diagnose("https://shop.example/result", &params, &key, None);
        assert_eq!(mistakes_of(&report), [PgSigMistake::AdditionalLeftOut]);
    }

    #[test]
    fn nested_mistakes() {
        let key = SecretKey::new("k");
        let body = "pg_amount=5&pg_receipt_positions[0][price]=5&pg_receipt_positions[0][count]=1&pg_salt=s";
        let right = signature::string_to_sign("init_payment.php", &form(body), &key);
        assert_eq!(right, "init_payment.php;5;1;5;s;k");
        // Bracketed names sorted as flat fields: `[0][count]` < `[0][price]`
        // here too, so take a name that sorts differently: `pg_salt` after.
        let flat = "init_payment.php;5;Array;s;k";
        let report = diagnose(
            "init_payment.php",
            &form(&format!("{body}&pg_sig={}", signature::md5_hex(flat))),
            &key,
            None,
        );
        assert_eq!(mistakes_of(&report), [PgSigMistake::NestedNotFlattened]);
        // Plain names: pg_param1 and pg_param10 sort the other way with positions.
        let params = form("pg_param10=b&pg_param1=a");
        let with_positions = signature::string_to_sign("x", &params, &key);
        assert_eq!(with_positions, "x;b;a;k");
        let plain = "x;a;b;k";
        let report = diagnose(
            "x",
            &form(&format!(
                "pg_param10=b&pg_param1=a&pg_sig={}",
                signature::md5_hex(plain)
            )),
            &key,
            None,
        );
        let named = mistakes_of(&report);
        assert!(
            named.contains(&PgSigMistake::SortedWithoutPositions),
            "{named:?}"
        );
    }

    #[test]
    fn the_difference_names_the_step_and_hides_the_key() {
        let key = SecretKey::new("mysecret");
        let params = form(INIT);
        let report = diagnose(
            "init_payment.php",
            &params,
            &key,
            Some("init_payment.php;25;Test;12345;23;molbulak;mysecret\n"),
        );
        let difference = report.difference.expect("a difference");
        assert_eq!(difference.position, 21);
        assert_eq!(
            difference.part,
            "value 2 (pg_description, sort key pg_description004)"
        );
        assert!(
            difference.pasted.contains(";Test;"),
            "{}",
            difference.pasted
        );
        assert!(difference.expected.ends_with("<secret key>"));
        // Another key at the end is never shown.
        let report = diagnose(
            "init_payment.php",
            &params,
            &key,
            Some("init_payment.php;25;test;12345;23;molbulak;Other-Key"),
        );
        let difference = report.difference.expect("a difference");
        assert_eq!(difference.part, "the secret key");
        assert!(
            !difference.pasted.contains("Other-Key"),
            "{}",
            difference.pasted
        );
        // The right string: no difference.
        let right = explain_string(&params, &key);
        assert!(
            diagnose("init_payment.php", &params, &key, Some(&right))
                .difference
                .is_none()
        );
    }

    fn explain_string(params: &Params, key: &SecretKey) -> String {
        signature::string_to_sign("init_payment.php", params, key)
    }

    #[test]
    fn requests_are_read_in_every_format() {
        let xml = "<?xml version=\"1.0\"?><request><pg_salt>s</pg_salt><pg_a>1</pg_a></request>";
        assert!(matches!(
            read_request(xml),
            Ok(Request::Form { format: Format::Xml, ref params, .. }) if params.len() == 2
        ));
        let pg_xml = "pg_xml=%3Crequest%3E%3Cpg_a%3E1%3C%2Fpg_a%3E%3C%2Frequest%3E";
        assert!(matches!(
            read_request(pg_xml),
            Ok(Request::Form { format: Format::PgXml, ref params, .. }) if params.get_text("pg_a") == Some("1")
        ));
        assert!(matches!(
            read_request("https://api.freedompay.kz/get_status3.php?pg_merchant_id=1&pg_salt=s"),
            Ok(Request::Form { format: Format::Query, path: Some(ref path), .. }) if path == "/get_status3.php"
        ));
        assert!(matches!(
            read_request("?a=1"),
            Ok(Request::Form {
                format: Format::Query,
                path: None,
                ..
            })
        ));
        assert!(matches!(
            read_request(" {\"a\":1}\n"),
            Ok(Request::Json { ref body }) if body == " {\"a\":1}\n"
        ));
        for bad in [
            "",
            "   ",
            "hello",
            "<request>",
            "https://x/y.php",
            "pg_xml=%3Cr%3E",
        ] {
            let error = read_request(bad).expect_err(bad);
            assert!(!error.0.is_empty());
        }
        assert!(read_request(&"a=1&".repeat(MAX_INPUT_BYTES)).is_err());
    }

    /// partner-api.md §2.1 and card-api.md §2.1.
    const PARTNER_BODY: &str =
        r#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca","country":"KAZ","currency":"KZT"}"#;
    const PARTNER_VALUE: &str = "eyJ1cmkiOiIvdjUvcGFydG5lci93YWxsZXQvYWRkIiwiYXV0aF9pZCI6IjEyMzQ1NiIsIm1ldGhvZCI6IlBPU1QiLCJwYXJhbXMiOiIiLCJhbGciOiJIUzI1NiJ9..5xVbhml5y1Uw1TYQ_djwwefFz8y_CnX-ajzNvOBCcmE";
    const PARTNER_KEY: &str = "your-256-bit-secret";
    const PARTNER: JwsEndpoint<'static> = JwsEndpoint {
        path: "/v5/partner/wallet/add",
        method: "POST",
        alg: Algorithm::Hs256,
    };

    #[test]
    fn the_documented_jws_matches() {
        let key = SecretKey::new(PARTNER_KEY);
        let report = diagnose_jws(
            &format!("X-JWS-Signature: {PARTNER_VALUE}"),
            PARTNER_BODY,
            &key,
            Some(&PARTNER),
        )
        .expect("a JWS");
        assert_eq!(report.verdict, Verdict::Matches);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.explanation.expected_value, PARTNER_VALUE);
        assert_eq!(
            report.explanation.header_json,
            r#"{"uri":"/v5/partner/wallet/add","auth_id":"123456","method":"POST","params":"","alg":"HS256"}"#
        );
        // For another endpoint: the uri and alg are named.
        let card = JwsEndpoint {
            path: "/v5/card-api/request/status",
            method: "POST",
            alg: Algorithm::Hs512,
        };
        let report = diagnose_jws(PARTNER_VALUE, PARTNER_BODY, &key, Some(&card)).unwrap();
        assert_eq!(report.verdict, Verdict::Matches);
        assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    }

    #[test]
    fn jws_mistakes_are_named() {
        let key = SecretKey::new(PARTNER_KEY);
        let header = PARTNER_VALUE.split_once("..").unwrap().0;
        let sign = |alg: Algorithm, body: &str| {
            jws::signature_of(
                alg,
                &format!("{header}.{}", URL_SAFE_NO_PAD.encode(body)),
                &key,
            )
        };
        let pretty = "{\n  \"request_id\": \"828cf71d-a447-4a67-a149-c1df8bc197ca\",\n  \"country\": \"KAZ\",\n  \"currency\": \"KZT\"\n}";
        // Signed compact, sent pretty.
        let value = format!("{header}..{}", sign(Algorithm::Hs256, PARTNER_BODY));
        let report = diagnose_jws(&value, pretty, &key, Some(&PARTNER)).unwrap();
        assert_eq!(report.verdict, Verdict::Differs);
        assert_eq!(report.mistakes, [JwsMistake::BodyReserialized]);
        // Signed with HS512 under an HS256 header.
        let value = format!("{header}..{}", sign(Algorithm::Hs512, PARTNER_BODY));
        let report = diagnose_jws(&value, PARTNER_BODY, &key, Some(&PARTNER)).unwrap();
        assert_eq!(report.mistakes, [JwsMistake::OtherAlgorithm]);
        // A trailing newline in the body sent.
        let value = format!("{header}..{}", sign(Algorithm::Hs256, PARTNER_BODY));
        let report = diagnose_jws(&value, &format!("{PARTNER_BODY}\n"), &key, None).unwrap();
        assert_eq!(report.mistakes, [JwsMistake::BodyTrailingNewline]);
        // The payload not cut out: the signature matches, the gateway refuses.
        let attached =
            PARTNER_VALUE.replace("..", &format!(".{}.", URL_SAFE_NO_PAD.encode(PARTNER_BODY)));
        let report = diagnose_jws(&attached, PARTNER_BODY, &key, Some(&PARTNER)).unwrap();
        assert_eq!(report.verdict, Verdict::Matches);
        assert_eq!(
            report.problems,
            [JwsProblem::PayloadNotCutOut { same_body: true }]
        );
        // Padded base64 of the body in the signing input.
        let padded = jws::signature_of(
            Algorithm::Hs256,
            &format!("{header}.{}", STANDARD.encode(PARTNER_BODY)),
            &key,
        );
        let report =
            diagnose_jws(&format!("{header}..{padded}"), PARTNER_BODY, &key, None).unwrap();
        assert_eq!(report.mistakes, [JwsMistake::PaddedBase64]);
        // The legacy Sign.
        let legacy = hex_sha256(format!("{PARTNER_BODY}{PARTNER_KEY}").as_bytes());
        let error = diagnose_jws(&legacy, PARTNER_BODY, &key, None).unwrap_err();
        assert!(error.0.contains("legacy"), "{error}");
        assert!(!error.0.contains(PARTNER_KEY));
        // Bad input: a clear message, never the key.
        for bad in ["", "abc", "a.b", "%%%..x", "e30..x"] {
            let error = diagnose_jws(bad, PARTNER_BODY, &key, None).unwrap_err();
            assert!(
                !error.0.is_empty() && !error.0.contains(PARTNER_KEY),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn php_escapes() {
        assert_eq!(
            php_escaped(r#"{"a":"http://x/é😀"}"#),
            r#"{"a":"http:\/\/x\/\u00e9\ud83d\ude00"}"#
        );
    }

    #[test]
    fn debug_shows_no_values() {
        let key = SecretKey::new("mysecret");
        let params = form("pg_card_pan=4405645000006150&pg_card_cvc=739&pg_salt=s&pg_sig=x");
        let report = diagnose(
            "payment",
            &params,
            &key,
            Some("payment;739;4405645000006150;s;mysecret"),
        );
        let shown = format!("{report:?} {report:#?}");
        for secret in ["4405645000006150", "739", "mysecret"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
