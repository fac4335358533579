//! Misusing the derive macros is a compile error at the attribute or literal
//! at fault; the `pass` case uses every attribute. The expected compiler
//! output lives next to each case in `ui/`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
    t.pass("ui/pass/*.rs");
}
