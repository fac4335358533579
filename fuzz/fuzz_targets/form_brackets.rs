//! Bracket-notation forms (`freedompay_core::form`): `decode` of any body and
//! `from_pairs` of any pairs never panic, and what they build survives
//! `encode` → `decode` unchanged (the tree is what PHP's `parse_str` builds,
//! and encoding writes it back in the same notation and order).
//!
//! Input: one selector byte, then text. Bit 0 clear: the text is a form body
//! for `decode`. Set: the text is pairs for `from_pairs`, one per line, name
//! and value split at the first `=` (not percent-decoded).
#![no_main]

use freedompay_core::{Params, Value, form};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let params = if selector & 1 == 0 {
        form::decode(&text)
    } else {
        form::from_pairs(text.split('\n').map(|line| match line.split_once('=') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None => (line.to_owned(), String::new()),
        }))
    };
    well_formed(&params);

    let encoded = form::encode(&params);
    let decoded = form::decode(&encoded);
    assert_eq!(
        decoded, params,
        "encode → decode changed the tree of {encoded:?}"
    );
    assert_eq!(form::encode(&decoded), encoded);

    // The flat pairs rebuild the same tree too.
    assert_eq!(form::from_pairs(form::to_pairs(&params)), params);

    // A form is never taken for an XML document unless it holds one.
    if !text.trim_start().starts_with('<')
        && params.get_text("pg_xml").is_none()
        && selector & 1 == 0
    {
        assert_eq!(form::decode_message(&text).as_ref(), Ok(&params));
    }
});

/// Names are unique among siblings (a repeated key replaces the value) and no
/// nested list is empty.
fn well_formed(params: &Params) {
    let mut names: Vec<&str> = params.iter().map(|(name, _)| name).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "repeated sibling names");
    for (_, value) in params.iter() {
        if let Value::Nested(children) = value {
            assert!(!children.is_empty(), "an empty nested list");
            well_formed(children);
        }
    }
}
