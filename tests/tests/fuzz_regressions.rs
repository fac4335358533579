//! Inputs the fuzz targets of `fuzz/` found to break the library, kept as
//! ordinary tests so `cargo test` catches a regression without nightly. Each
//! test names its target and the invariant the input broke.

use freedompay::callback::{self, CallbackError};
use freedompay::merchant::callbacks::ResultCallback;
use freedompay::signature::{SecretKey, SignatureError};
use freedompay::{Params, Value, form, xml};

/// The deepest nesting of a parameter tree (a leaf at the top is 1).
fn depth(params: &Params) -> usize {
    params
        .iter()
        .map(|(_, value)| match value {
            Value::Text(_) => 1,
            Value::Nested(children) => 1 + depth(children),
        })
        .max()
        .unwrap_or(0)
}

/// `xml_answer`: the reader took whatever precedes a tag's first space as its
/// name, quotes and `<` included, so a document that is not well-formed was
/// read as parameters that `xml::write` then wrote as a document that no
/// longer parses (a re-signed answer failed to read back).
#[test]
fn xml_element_names_must_be_xml_names() {
    for document in [
        "<version=\"1.\u{2}<?xml version=\"1.0\"?><pg_status>ok</pg_status></version=\"1.\u{2}<?xml>",
        "<response><pg\"status>ok</pg\"status></response>",
        "<response><pg<status/></response>",
        "<response><pg&amp;>ok</pg&amp;></response>",
    ] {
        assert!(xml::parse(document).is_err(), "{document:?} was read");
    }
    // Names the gateway uses, and any non-ASCII letter, still read.
    let message =
        xml::parse("<response><pg_status>ok</pg_status><a.b-c:d_1/><имя>x</имя></response>")
            .expect("well-formed names");
    assert_eq!(message.params.len(), 3);
}

/// `xml_answer`: what the reader accepts, the writer writes back to a
/// document that reads as the same parameters.
#[test]
fn xml_write_reads_back_what_parse_read() {
    for document in [
        "<response><pg_status>ok</pg_status><x:y>&lt;&amp;&#x41;</x:y></response>",
        "<root><a><b>1</b><b>2</b></a><c/></root>",
        "<response><t><![CDATA[<not a tag>]]></t></response>",
        "<response><t>a&#13;b&#x9;c&#10;d</t></response>",
    ] {
        let message = xml::parse(document).expect("a well-formed document");
        let written = xml::write(&message.root, &message.params);
        assert_eq!(xml::parse(&written), Ok(message), "{written}");
    }
}

/// `form_brackets` / `callback_form` / `sandbox_request`: a body of nested
/// brackets (`a[][][]…`, 64 KiB in a callback or request the size limits
/// allow) built a tree some 30 000 levels deep; signing, encoding and
/// dropping it recursed through every level and overflowed the stack,
/// aborting the whole server process.
#[test]
fn deeply_nested_form_names_are_dropped() {
    let deep = format!("pg_deep{}=1", "[]".repeat(30_000));
    let body = format!("pg_order_id=1&{deep}&pg_salt=s&pg_sig=00000000000000000000000000000000");
    assert!(body.len() < 64 * 1024);
    // On a small stack, as a server's worker thread has, it is refused quietly.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let params = form::decode(&body);
            assert_eq!(depth(&params), 1);
            assert!(!params.contains("pg_deep"));
            let refused =
                callback::verify_form::<ResultCallback>("result", &SecretKey::new("k"), &body);
            assert!(matches!(
                refused,
                Err(CallbackError::Signature(SignatureError::Mismatch))
            ));
        })
        .expect("a thread");
    handle.join().expect("no stack overflow, no panic");

    // The bound: `form::MAX_DEPTH` levels are kept, one more is dropped.
    let at_limit = format!("a{}=1", "[x]".repeat(form::MAX_DEPTH - 1));
    assert_eq!(depth(&form::decode(&at_limit)), form::MAX_DEPTH);
    let beyond = format!("a{}=1&b=2", "[x]".repeat(form::MAX_DEPTH));
    let params = form::decode(&beyond);
    assert_eq!(params, Params::new().with("b", "2"));
}
