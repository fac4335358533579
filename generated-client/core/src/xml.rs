//! XML messages: the gateway's responses and the merchant's replies.
//!
//! A message is a root element (`<response>`, sometimes `<root>` or
//! `<request>`) whose children are the parameters. An element with child
//! elements becomes a nested list, any other element a text value (entities
//! decoded, CDATA kept). Children stay in document order and repeated names
//! stay apart, which is what the signature is computed over.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use crate::params::{Params, Value};

/// Deepest nesting accepted from remote input.
pub const MAX_DEPTH: usize = 32;

/// Most elements (root included) accepted in one message from remote input.
///
/// The gateway's messages hold a few dozen; the bound keeps a flat document
/// of millions of tiny elements from building a huge parameter list.
pub const MAX_ELEMENTS: usize = 10_000;

/// Largest XML document accepted from remote input, in bytes (1 MiB).
pub const MAX_XML_BYTES: usize = 1 << 20;

/// A parsed XML message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlMessage {
    /// The root element's name (`response`, `root`, `request`).
    pub root: String,
    /// The root's children.
    pub params: Params,
}

/// Why an XML message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML at byte {position}: {reason}")]
pub struct XmlError {
    /// Byte offset where the problem was found.
    pub position: u64,
    /// What is wrong.
    pub reason: String,
}

struct Frame {
    name: String,
    children: Params,
    text: String,
    has_children: bool,
}

impl Frame {
    fn new(name: String) -> Self {
        Frame {
            name,
            children: Params::new(),
            text: String::new(),
            has_children: false,
        }
    }

    /// The element's name and what it holds.
    fn into_entry(self) -> (String, Value) {
        let value = if self.has_children {
            Value::Nested(self.children)
        } else {
            Value::Text(self.text)
        };
        (self.name, value)
    }
}

/// Parses an XML message. Never panics on any input.
///
/// Documents larger than [`MAX_XML_BYTES`], nested deeper than [`MAX_DEPTH`]
/// or holding more than [`MAX_ELEMENTS`] elements are refused with an
/// [`XmlError`], and so is an element whose name is no XML name (`<a"b>`).
pub fn parse(xml: &str) -> Result<XmlMessage, XmlError> {
    if xml.len() > MAX_XML_BYTES {
        return Err(XmlError {
            position: 0,
            reason: format!("larger than {MAX_XML_BYTES} bytes"),
        });
    }
    let mut elements: usize = 0;
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<(String, Value)> = None;
    let error = |reader: &Reader<&[u8]>, reason: String| XmlError {
        position: reader.buffer_position(),
        reason,
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| error(&reader, e.to_string()))?;
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements = elements.saturating_add(1);
            if elements > MAX_ELEMENTS {
                return Err(error(&reader, format!("more than {MAX_ELEMENTS} elements")));
            }
        }
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(error(&reader, "content after the root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(error(
                        &reader,
                        format!("nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let name = <str as ToOwned>::to_owned(start.name().as_ref());
                if !is_name(&name) {
                    return Err(error(&reader, format!("invalid element name {name:?}")));
                }
                if let Some(parent) = stack.last_mut() {
                    parent.has_children = true;
                }
                stack.push(Frame::new(name));
            }
            Event::Empty(empty) => {
                let name = <str as ToOwned>::to_owned(empty.name().as_ref());
                if !is_name(&name) {
                    return Err(error(&reader, format!("invalid element name {name:?}")));
                }
                match stack.last_mut() {
                    Some(parent) => {
                        parent.has_children = true;
                        parent.children.push(name, Value::Text(String::new()));
                    }
                    None if root.is_none() => root = Some((name, Value::Nested(Params::new()))),
                    None => return Err(error(&reader, "content after the root element".into())),
                }
            }
            Event::End(_) => {
                let frame = stack
                    .pop()
                    .ok_or_else(|| error(&reader, "closing tag without an opening tag".into()))?;
                let (name, value) = frame.into_entry();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(name, value),
                    None => root = Some((name, value)),
                }
            }
            Event::Text(text) => {
                if let Some(frame) = stack.last_mut() {
                    let content = text.xml10_content();
                    if frame.text.is_empty() {
                        // Most elements hold one text event: take it whole.
                        frame.text = content.into_owned();
                    } else {
                        frame.text.push_str(&content);
                    }
                } else if !text.trim().is_empty() {
                    return Err(error(&reader, "text outside the root element".into()));
                }
            }
            Event::CData(data) => {
                if let Some(frame) = stack.last_mut() {
                    frame.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch,
                    Ok(None) => match &*reference {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(error(&reader, format!("unknown entity &{other};"))),
                    },
                    Err(e) => return Err(error(&reader, e.to_string())),
                };
                if let Some(frame) = stack.last_mut() {
                    frame.text.push(resolved);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(error(&reader, "unexpected end of document".into()));
    }
    match root {
        Some((root, Value::Nested(params))) => Ok(XmlMessage { root, params }),
        Some((root, Value::Text(text))) if text.trim().is_empty() => Ok(XmlMessage {
            root,
            params: Params::new(),
        }),
        Some((root, Value::Text(_))) => Err(XmlError {
            position: 0,
            reason: format!("root element <{root}> holds text instead of parameters"),
        }),
        None => Err(XmlError {
            position: 0,
            reason: "no root element".into(),
        }),
    }
}

/// Whether `name` can be an element's name: not empty, and no ASCII
/// character but letters, digits, `.`, `-`, `_` and `:` (no space, quote,
/// `<`, `>`, `=`, `/`, `?`, `!`, `&`, control character); other characters
/// are allowed. Digits may come first: indexed lists are written with the
/// elements `<0>`, `<1>`, …. The reader takes whatever precedes the first
/// space of a tag as its name; checking it keeps a document that is not
/// well-formed (`<a"b<c>`) from being read as parameters that [`write`]
/// could not write back.
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| {
            !c.is_ascii() || c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')
        })
}

/// Replaces, in place, every character XML 1.0 cannot carry in text (the
/// control characters other than tab, line feed and carriage return; U+FFFE
/// and U+FFFF) by U+FFFD, in every value of `params`. Call it before a
/// message that quotes someone else's values is signed: the document [`write()`]
/// makes of it stays well-formed, and its signature holds for what the reader
/// gets. Values without such a character are not copied.
pub fn make_carryable(params: &mut Params) {
    let not_carryable = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    for (_, value) in params.entries_mut() {
        match value {
            Value::Text(text) => {
                // A byte pass first: only control bytes, and 0xEF (which
                // starts U+FFFE and U+FFFF in UTF-8), can begin such a
                // character.
                let suspect = |byte: u8| {
                    ((byte < 0x20) & (byte != b'\t') & (byte != b'\n') & (byte != b'\r'))
                        | (byte == 0xef)
                };
                if any_byte(text, suspect) && text.contains(not_carryable) {
                    *text = text
                        .chars()
                        .map(|c| if not_carryable(c) { '\u{fffd}' } else { c })
                        .collect();
                }
            }
            Value::Nested(children) => make_carryable(children),
        }
    }
}

/// Writes `params` as an XML document with the given root element.
pub fn write(root: &str, params: &Params) -> String {
    const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    // Room for the document without escapes: written in one allocation.
    let mut out = String::with_capacity(DECLARATION.len() + 2 * root.len() + 5 + size(params));
    out.push_str(DECLARATION);
    out.push('<');
    out.push_str(root);
    out.push('>');
    write_children(params, &mut out);
    out.push_str("</");
    out.push_str(root);
    out.push('>');
    out
}

/// The length of the elements of `params` written without escapes.
fn size(params: &Params) -> usize {
    params
        .iter()
        .map(|(name, value)| {
            2 * name.len()
                + 5
                + match value {
                    Value::Text(text) => text.len(),
                    Value::Nested(children) => size(children),
                }
        })
        .sum()
}

/// Whether `byte` is one that `quick_xml::escape::escape` replaces: the
/// markup characters, and `\r`, which a reader's end-of-line normalization
/// would otherwise turn into `\n`.
fn needs_escape(byte: u8) -> bool {
    // Six comparisons or-ed without branching, so that a scan of a whole
    // value runs as wide vector compares.
    (byte == b'<')
        | (byte == b'>')
        | (byte == b'&')
        | (byte == b'\'')
        | (byte == b'"')
        | (byte == b'\r')
}

/// Whether any byte of `text` is one that `test` picks. Every byte is
/// looked at, with no early exit, so that the scan of a value vectorizes.
fn any_byte(text: &str, test: impl Fn(u8) -> bool) -> bool {
    text.bytes().fold(false, |found, byte| found | test(byte))
}

fn write_children(params: &Params, out: &mut String) {
    for (name, value) in params.iter() {
        out.push('<');
        out.push_str(name);
        out.push('>');
        match value {
            // Most values (numbers, ids, dates, statuses) hold nothing to
            // escape: one pass over their bytes finds out.
            Value::Text(text) if !any_byte(text, needs_escape) => out.push_str(text),
            Value::Text(text) => out.push_str(&quick_xml::escape::escape(text.as_str())),
            Value::Nested(children) => write_children(children, out),
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
}
