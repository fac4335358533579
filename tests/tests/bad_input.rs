//! A corpus of bad input, one row per case, each with its outcome pinned as
//! a typed value: gateway answers read through `exchange::read_response_with`,
//! callbacks through `callback::verify_form`/`verify_xml` and the way a
//! server reads a message (`form::decode_message`), and whole HTTP requests
//! through the axum extractor, replays included.
//!
//! Every row runs, and the test then fails once naming every row whose
//! outcome differs (or that panicked), with what it got. Rows the toolkit
//! accepts on purpose (what the gateway's reference code accepts too) pin
//! the value read; the rest pin the error variant and its key fields.

use std::panic::{AssertUnwindSafe, catch_unwind};

use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::{Method, Request};
use freedompay::axum::{CallbackKeys, CallbackRejection, MAX_CALLBACK_BYTES, VerifiedCallback};
use freedompay::callback::{self, CallbackError, Verified};
use freedompay::enums::{Currency, ReplyStatus};
use freedompay::exchange::{self, AnswerSignature, GatewayError, Response, ResponseError};
use freedompay::merchant::callbacks::{CheckCallback, CheckReply, ResultCallback};
use freedompay::merchant::page::{InitPaymentRequest, InitPaymentResponse};
use freedompay::merchant::payments::{PaymentStatusRequest, PaymentStatusResponse};
use freedompay::signature::{self, SecretKey, SignatureError};
use freedompay::xml::{self, MAX_DEPTH, MAX_ELEMENTS, MAX_XML_BYTES};
use freedompay::{DecodeError, Params, Rule, Sign, form};

const SECRET: &str = "Corpus-Secret-7q";
const SALT: &str = "corpus-salt-01";
/// The script name of the merchant's check URL (`…/freedompay/check`).
const CHECK: &str = "check";
/// The script name of the merchant's result URL.
const RESULT: &str = "result";

fn key() -> SecretKey {
    SecretKey::new(SECRET)
}

fn init_script() -> &'static str {
    <InitPaymentRequest as Sign>::SCRIPT
}

fn status_script() -> &'static str {
    <PaymentStatusRequest as Sign>::SCRIPT
}

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

/// `pairs` as top-level text parameters, in order.
fn flat(pairs: &[(&str, &str)]) -> Params {
    pairs.iter().map(|&(name, value)| (name, value)).collect()
}

/// `fields` with `pg_salt` and `pg_sig` appended, signed for `script` with `secret`.
fn sealed_with(script: &str, secret: &str, mut fields: Params) -> Params {
    signature::seal(script, &mut fields, &SecretKey::new(secret), SALT);
    fields
}

fn sealed(script: &str, fields: Params) -> Params {
    sealed_with(script, SECRET, fields)
}

/// `params` with each `(name, value)` set in place (appended when absent).
fn with_set(mut params: Params, changes: &[(&str, &str)]) -> Params {
    for &(name, value) in changes {
        params.set(name.to_owned(), value);
    }
    params
}

fn without(mut params: Params, name: &str) -> Params {
    params.remove(name);
    params
}

/// The signature `params` carries.
fn sig_of(params: &Params) -> String {
    params
        .get_text("pg_sig")
        .expect("a signed message")
        .to_owned()
}

/// `text` with the first `from` replaced by `to`; `from` must occur.
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} is not in {text:?}");
    text.replacen(from, to, 1)
}

/// The answer to `init_payment.php` as the documentation shows it.
fn init_fields() -> Params {
    flat(&[
        ("pg_status", "ok"),
        ("pg_payment_id", "4711"),
        (
            "pg_redirect_url",
            "https://customer.freedompay.kz/pay.html?customer=abc",
        ),
        ("pg_redirect_url_type", "need data"),
    ])
}

/// A signed `init_payment.php` answer with `changes` made before signing.
fn init_answer(changes: &[(&str, &str)]) -> String {
    xml::write(
        "response",
        &sealed(init_script(), with_set(init_fields(), changes)),
    )
}

fn status_fields() -> Params {
    flat(&[
        ("pg_status", "ok"),
        ("pg_payment_id", "4711"),
        ("pg_order_id", "A-1"),
        ("pg_currency", "KZT"),
        ("pg_amount", "1500"),
        ("pg_payment_status", "success"),
        ("pg_payment_date", "2024-05-17 12:30:00"),
    ])
}

/// A signed `get_status3.php` answer with `changes` made before signing.
fn status_answer(changes: &[(&str, &str)]) -> String {
    xml::write(
        "response",
        &sealed(status_script(), with_set(status_fields(), changes)),
    )
}

/// A check callback as the gateway sends it, plus a merchant parameter.
fn check_fields() -> Params {
    flat(&[
        ("pg_order_id", "A-1"),
        ("pg_payment_id", "4711"),
        ("pg_amount", "1500"),
        ("pg_currency", "KZT"),
        ("pg_ps_amount", "1500"),
        ("pg_ps_currency", "KZT"),
        ("pg_ps_full_amount", "1500"),
        ("cart", "A-17"),
    ])
}

fn check_params(changes: &[(&str, &str)]) -> Params {
    sealed(CHECK, with_set(check_fields(), changes))
}

/// A signed check callback as a form body, with `changes` made before signing.
fn check_form(changes: &[(&str, &str)]) -> String {
    form::encode(&check_params(changes))
}

fn result_fields() -> Params {
    flat(&[
        ("pg_order_id", "A-1"),
        ("pg_payment_id", "4711"),
        ("pg_amount", "1500"),
        ("pg_currency", "KZT"),
        ("pg_net_amount", "1470"),
        ("pg_ps_amount", "1500"),
        ("pg_ps_full_amount", "1500"),
        ("pg_ps_currency", "KZT"),
        ("pg_description", "Order A-1"),
        ("pg_result", "1"),
        ("pg_payment_date", "2024-05-17 12:30:00"),
        ("pg_can_reject", "1"),
    ])
}

/// A signed result callback as a form body, with `changes` made before signing.
fn result_form(changes: &[(&str, &str)]) -> String {
    form::encode(&sealed(RESULT, with_set(result_fields(), changes)))
}

/// A document nested `levels` deep below `<response>`.
fn deep_document(levels: usize) -> String {
    format!(
        "<response>{}1{}</response>",
        "<a>".repeat(levels),
        "</a>".repeat(levels)
    )
}

// ---------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------

/// One HTTP request to the merchant's check URL, read by the axum extractor.
struct Call {
    method: Method,
    uri: String,
    body: Vec<u8>,
}

impl Call {
    fn post(body: impl Into<Vec<u8>>) -> Self {
        Call {
            method: Method::POST,
            uri: "/freedompay/check".to_owned(),
            body: body.into(),
        }
    }

    fn get(query: &str) -> Self {
        Call {
            method: Method::GET,
            uri: format!("/freedompay/check?{query}"),
            body: Vec::new(),
        }
    }
}

/// What a row feeds in.
enum Input {
    /// The body of an answer to `init_payment.php`, read as the client reads it.
    InitAnswer(String),
    /// The body of an answer to `get_status3.php`.
    StatusAnswer(String),
    /// A merchant's XML reply to a check callback, read back with the core.
    CheckReplyAnswer(String),
    /// A check callback's form body (`callback::verify_form`).
    CheckForm(String),
    /// A check callback sent as an XML document (`callback::verify_xml`).
    CheckXml(String),
    /// A check callback's body as a server reads it: form, `pg_xml` or XML
    /// (`form::decode_message`, then `callback::verify`).
    CheckMessage(String),
    /// A result callback's form body.
    ResultForm(String),
    /// Requests to the axum extractor of one fresh `CallbackKeys`, in order;
    /// every request but the last is answered (`true`) or left in the
    /// handler (`false`); the outcome is the last one's.
    Axum(Vec<(Call, bool)>),
}

/// What a row got.
#[derive(Debug)]
enum Outcome {
    Init(Result<Response<InitPaymentResponse>, ResponseError>),
    Status(Result<Response<PaymentStatusResponse>, ResponseError>),
    Reply(Result<Response<CheckReply>, ResponseError>),
    Check(Result<Verified<CheckCallback>, CallbackError>),
    Result(Result<Verified<ResultCallback>, CallbackError>),
    /// The parameters the handler would get, or why it would not be called.
    Axum(Result<Params, CallbackRejection>),
}

impl Outcome {
    fn is_rejection(&self) -> bool {
        match self {
            Outcome::Init(r) => r.is_err(),
            Outcome::Status(r) => r.is_err(),
            Outcome::Reply(r) => r.is_err(),
            Outcome::Check(r) => r.is_err(),
            Outcome::Result(r) => r.is_err(),
            Outcome::Axum(r) => r.is_err(),
        }
    }
}

struct Case {
    name: &'static str,
    input: Input,
    expected: &'static str,
    check: fn(&Outcome) -> bool,
}

/// A row: name, input, and the pattern (with an optional guard) its outcome must match.
macro_rules! case {
    ($name:expr, $input:expr, $($pattern:tt)+) => {
        Case {
            name: $name,
            input: $input,
            expected: stringify!($($pattern)+),
            check: |outcome| matches!(outcome, $($pattern)+),
        }
    };
}

/// The request `call` as axum hands it to an extractor.
fn http_request(call: Call) -> Request<Body> {
    Request::builder()
        .method(call.method)
        .uri(call.uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(call.body))
        .expect("a request")
}

fn run(runtime: &tokio::runtime::Runtime, input: Input) -> Outcome {
    let required = AnswerSignature::documented::<InitPaymentRequest>();
    match input {
        Input::InitAnswer(body) => Outcome::Init(exchange::read_response_with(
            init_script(),
            &key(),
            &body,
            required,
        )),
        Input::StatusAnswer(body) => Outcome::Status(exchange::read_response_with(
            status_script(),
            &key(),
            &body,
            AnswerSignature::documented::<PaymentStatusRequest>(),
        )),
        Input::CheckReplyAnswer(body) => {
            Outcome::Reply(exchange::read_response(CHECK, &key(), &body))
        }
        Input::CheckForm(body) => Outcome::Check(callback::verify_form(CHECK, &key(), &body)),
        Input::CheckXml(document) => Outcome::Check(callback::verify_xml(CHECK, &key(), &document)),
        Input::CheckMessage(body) => Outcome::Check(
            form::decode_message(&body)
                .map_err(CallbackError::from)
                .and_then(|params| callback::verify(CHECK, &key(), params)),
        ),
        Input::ResultForm(body) => Outcome::Result(callback::verify_form(RESULT, &key(), &body)),
        Input::Axum(calls) => {
            let keys = CallbackKeys::new(SECRET);
            let mut held = Vec::new();
            let mut last = None;
            let count = calls.len();
            for (index, (call, answer)) in calls.into_iter().enumerate() {
                let outcome = runtime.block_on(VerifiedCallback::<CheckCallback>::from_request(
                    http_request(call),
                    &keys,
                ));
                if index + 1 == count {
                    last = Some(outcome.map(|verified| verified.params().clone()));
                    break;
                }
                match outcome {
                    Ok(verified) if answer => {
                        let _ = verified.reply(&CheckReply::new(ReplyStatus::Ok));
                    }
                    Ok(verified) => held.push(verified),
                    Err(rejection) => panic!("an earlier request was rejected: {rejection:?}"),
                }
            }
            drop(held);
            Outcome::Axum(last.expect("at least one request"))
        }
    }
}

fn corpus() -> Vec<Case> {
    use Input::*;

    let good_init = init_answer(&[]);
    let good_init_sig = sig_of(&xml::parse(&good_init).expect("XML").params);
    let good_check = check_params(&[]);
    let good_check_sig = sig_of(&good_check);
    let good_check_body = form::encode(&good_check);
    let check_document = xml::write("request", &good_check);
    let unsigned_check = form::encode(&check_fields());

    vec![
        // -------------------------------------------------------------------
        // Answers: malformed and truncated XML
        // -------------------------------------------------------------------
        case!("answer: empty body", InitAnswer(String::new()),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason == "no root element"),
        case!("answer: whitespace only", InitAnswer(" \r\n\t ".into()),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason == "no root element"),
        case!("answer: a form instead of XML", InitAnswer("pg_status=ok&pg_payment_id=1".into()),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason.contains("outside the root")),
        case!(
            "answer: an HTML error page",
            InitAnswer("<html><body><h1>502 Bad Gateway</h1></body></html>".into()),
            Outcome::Init(Err(ResponseError::Unsigned))
        ),
        case!(
            "answer: truncated in the middle",
            InitAnswer(good_init[..good_init.len() / 2].to_owned()),
            Outcome::Init(Err(ResponseError::Malformed(_)))
        ),
        case!("answer: truncated before the closing root tag",
            InitAnswer(good_init.trim_end_matches("</response>").to_owned()),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason.contains("end of document")),
        case!(
            "answer: truncated inside a closing tag",
            InitAnswer(good_init[..good_init.len() - 4].to_owned()),
            Outcome::Init(Err(ResponseError::Malformed(_)))
        ),
        case!(
            "answer: mismatched closing tag",
            InitAnswer(replaced(&good_init, "</pg_status>", "</pg_stat>")),
            Outcome::Init(Err(ResponseError::Malformed(_)))
        ),
        case!("answer: two root elements", InitAnswer(format!("{good_init}<response></response>")),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason.contains("after the root")),
        case!("answer: text after the root element", InitAnswer(format!("{good_init}garbage")),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason.contains("outside the root")),
        case!("answer: the root holds text", InitAnswer("<response>ok</response>".into()),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason.contains("holds text")),
        case!(
            "answer: closing tag without an opening tag",
            InitAnswer("</response>".into()),
            Outcome::Init(Err(ResponseError::Malformed(_)))
        ),
        case!(
            "answer: unclosed tag bracket",
            InitAnswer("<response><pg_status ok</pg_status></response>".into()),
            Outcome::Init(Err(ResponseError::Malformed(_)))
        ),
        case!("answer: unknown entity", InitAnswer(replaced(&good_init, "need data", "need&nbsp;data")),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason.contains("&nbsp;")),
        case!(
            "answer: character reference past Unicode",
            InitAnswer(replaced(&good_init, "need data", "need&#x110000;data")),
            Outcome::Init(Err(ResponseError::Malformed(_)))
        ),
        case!(
            "answer: character reference without digits",
            InitAnswer(replaced(&good_init, "need data", "need&#x;data")),
            Outcome::Init(Err(ResponseError::Malformed(_)))
        ),
        case!(
            "answer: a bare ampersand",
            InitAnswer(replaced(&good_init, "need data", "need & data")),
            Outcome::Init(Err(ResponseError::Malformed(_)))
        ),
        case!("answer: an entity declared in a DOCTYPE is not expanded",
            InitAnswer(format!(
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>{}",
                replaced(good_init.trim_start_matches("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"), "need data", "&b;")
            )),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason.contains("&b;")),
        case!("answer: decoded entities are verified as text",
            InitAnswer(xml::write("response", &sealed(init_script(),
                with_set(init_fields(), &[("pg_redirect_url_type", "need <data> & \"more\"")])))),
            Outcome::Init(Ok(r)) if r.redirect_url_type == "need <data> & \"more\""),
        // -------------------------------------------------------------------
        // Answers: oversize
        // -------------------------------------------------------------------
        case!("answer: larger than MAX_XML_BYTES",
            InitAnswer(init_answer(&[("pg_redirect_qr", &"Q".repeat(MAX_XML_BYTES))])),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.position == 0 && e.reason.contains("larger than")),
        case!("answer: nested deeper than MAX_DEPTH", InitAnswer(deep_document(MAX_DEPTH)),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason.contains("nested deeper")),
        case!(
            "answer: nested exactly MAX_DEPTH (root included) is read, and then unsigned",
            InitAnswer(deep_document(MAX_DEPTH - 1)),
            Outcome::Init(Err(ResponseError::Unsigned))
        ),
        case!("answer: more than MAX_ELEMENTS elements",
            InitAnswer(format!("<response>{}</response>", "<x/>".repeat(MAX_ELEMENTS))),
            Outcome::Init(Err(ResponseError::Malformed(e))) if e.reason.contains("elements")),
        case!(
            "answer: MAX_ELEMENTS elements of a signed answer, signature still checked",
            InitAnswer(replaced(
                &good_init,
                "<pg_status>",
                &format!("{}<pg_status>", "<x/>".repeat(MAX_ELEMENTS - 10))
            )),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        // -------------------------------------------------------------------
        // Answers: encodings, declarations, BOM
        // -------------------------------------------------------------------
        case!("answer: UTF-8 byte order mark before the declaration", InitAnswer(format!("\u{feff}{good_init}")),
            Outcome::Init(Ok(r)) if r.payment_id == 4711),
        case!("answer: a declaration of windows-1251 over UTF-8 text is read as the text it is",
            InitAnswer(replaced(&init_answer(&[("pg_redirect_url_type", "нужны данные")]), "encoding=\"utf-8\"", "encoding=\"windows-1251\"")),
            Outcome::Init(Ok(r)) if r.redirect_url_type == "нужны данные"),
        case!(
            "answer: windows-1251 bytes read as Latin-1 text do not verify",
            InitAnswer({
                let signed = init_answer(&[("pg_redirect_url_type", "нужны данные")]);
                // What a reader that trusted the bytes as one byte per character would see.
                replaced(
                    &signed,
                    "нужны данные",
                    "\u{ed}\u{f3}\u{e6}\u{ed}\u{fb} \u{e4}\u{e0}\u{ed}\u{ed}\u{fb}\u{e5}",
                )
            }),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!(
            "answer: a U+FFFD where a byte was lost does not verify",
            InitAnswer(replaced(
                &init_answer(&[("pg_redirect_url_type", "need daté")]),
                "daté",
                "dat\u{fffd}"
            )),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!(
            "answer: a zero-width space inside a value does not verify",
            InitAnswer(replaced(&good_init, "need data", "need\u{200b} data")),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!("answer: the value in CDATA verifies as its text",
            InitAnswer(replaced(&good_init, ">need data<", "><![CDATA[need data]]><")),
            Outcome::Init(Ok(r)) if r.redirect_url_type == "need data"),
        case!("answer: a comment inside a value is not part of it",
            InitAnswer(replaced(&good_init, ">4711<", ">47<!-- x -->11<")),
            Outcome::Init(Ok(r)) if r.payment_id == 4711),
        // -------------------------------------------------------------------
        // Answers: pg_sig and pg_salt
        // -------------------------------------------------------------------
        case!(
            "answer: no pg_sig",
            InitAnswer(xml::write(
                "response",
                &without(sealed(init_script(), init_fields()), "pg_sig")
            )),
            Outcome::Init(Err(ResponseError::Unsigned))
        ),
        case!(
            "answer: empty pg_sig",
            InitAnswer(replaced(&good_init, &good_init_sig, "")),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!(
            "answer: forged pg_sig",
            InitAnswer(replaced(
                &good_init,
                &good_init_sig,
                "0123456789abcdef0123456789abcdef"
            )),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!(
            "answer: pg_sig one hex digit short",
            InitAnswer(replaced(&good_init, &good_init_sig, &good_init_sig[1..])),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!(
            "answer: pg_sig not hex",
            InitAnswer(replaced(&good_init, &good_init_sig, &"zz".repeat(16))),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!(
            "answer: pg_sig with a list inside",
            InitAnswer(replaced(
                &good_init,
                &good_init_sig,
                &format!("<a>{good_init_sig}</a>")
            )),
            Outcome::Init(Err(ResponseError::Unsigned))
        ),
        case!(
            "answer: signed with another key",
            InitAnswer(xml::write(
                "response",
                &sealed_with(init_script(), "another-key", init_fields())
            )),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!(
            "answer: signed for another script",
            InitAnswer(xml::write(
                "response",
                &sealed("payment.php", init_fields())
            )),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!(
            "answer: a value changed after signing",
            InitAnswer(replaced(&good_init, ">4711<", ">4712<")),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!(
            "answer: an element added after signing",
            InitAnswer(replaced(
                &good_init,
                "</response>",
                "<pg_redirect_qr>x</pg_redirect_qr></response>"
            )),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!(
            "answer: pg_salt removed after signing",
            InitAnswer(replaced(
                &good_init,
                &format!("<pg_salt>{SALT}</pg_salt>"),
                ""
            )),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!("answer: signed without any pg_salt: the signature is what is checked",
            InitAnswer(xml::write("response", &{
                let mut fields = init_fields();
                let sig = signature::sign(init_script(), &fields, &key());
                fields.push("pg_sig", sig);
                fields
            })),
            Outcome::Init(Ok(r)) if r.payment_id == 4711 && r.is_signed()),
        case!(
            "answer: pg_salt changed after signing",
            InitAnswer(replaced(&good_init, SALT, "corpus-salt-02")),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!("answer: two pg_sig, the second forged: the first counts, as in the reference code",
            InitAnswer(replaced(&good_init, "</response>", "<pg_sig>0123456789abcdef0123456789abcdef</pg_sig></response>")),
            Outcome::Init(Ok(r)) if r.payment_id == 4711),
        case!(
            "answer: two pg_sig, the first forged",
            InitAnswer(replaced(
                &good_init,
                "<pg_status>",
                "<pg_sig>0123456789abcdef0123456789abcdef</pg_sig><pg_status>"
            )),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!("answer: uppercase hex of the right pg_sig",
            InitAnswer(replaced(&good_init, &good_init_sig, &good_init_sig.to_ascii_uppercase())),
            Outcome::Init(Ok(r)) if r.payment_id == 4711),
        case!("answer: the right pg_sig padded with whitespace",
            InitAnswer(replaced(&good_init, &good_init_sig, &format!(" \n{good_init_sig}\t "))),
            Outcome::Init(Ok(r)) if r.payment_id == 4711),
        case!(
            "answer: unsigned error: the merchant was not identified",
            InitAnswer(xml::write(
                "response",
                &flat(&[
                    ("pg_status", "error"),
                    ("pg_error_code", "9998"),
                    ("pg_error_description", "Unknown merchant")
                ])
            )),
            Outcome::Init(Err(ResponseError::Gateway(GatewayError {
                code: 9998,
                signed: false,
                ..
            })))
        ),
        case!(
            "answer: error with a forged pg_sig",
            InitAnswer(xml::write(
                "response",
                &with_set(
                    sealed(
                        init_script(),
                        flat(&[("pg_status", "error"), ("pg_error_code", "101")])
                    ),
                    &[("pg_sig", "0123456789abcdef0123456789abcdef")]
                )
            )),
            Outcome::Init(Err(ResponseError::BadSignature))
        ),
        case!("answer: signed error with a code that is not a number",
            InitAnswer(xml::write("response", &sealed(init_script(), flat(&[("pg_status", "error"), ("pg_error_code", "E-1"), ("pg_error_description", "Bad")])))),
            Outcome::Init(Err(ResponseError::Gateway(GatewayError { code: 0, signed: true, description, .. }))) if description == "Bad"),
        // -------------------------------------------------------------------
        // Answers: signed, but a value of the wrong type
        // -------------------------------------------------------------------
        case!("answer: signed, pg_payment_id not a number; the verified parameters are kept",
            InitAnswer(init_answer(&[("pg_payment_id", "47x1")])),
            Outcome::Init(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, params, raw }))
                if field == "pg_payment_id" && params.get_text("pg_payment_id") == Some("47x1")
                    && params.get_text("pg_redirect_url").is_some_and(|u| u.contains("customer=abc"))
                    && raw.contains("<pg_sig>")),
        case!("answer: signed, pg_payment_id past i64",
            InitAnswer(init_answer(&[("pg_payment_id", "99999999999999999999")])),
            Outcome::Init(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, params, .. }))
                if field == "pg_payment_id" && params.get_text("pg_payment_id") == Some("99999999999999999999")),
        case!("answer: signed, pg_payment_id in Arabic-Indic digits",
            InitAnswer(init_answer(&[("pg_payment_id", "٤٧١١")])),
            Outcome::Init(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, .. })) if field == "pg_payment_id"),
        case!("answer: signed, pg_payment_id empty",
            InitAnswer(init_answer(&[("pg_payment_id", "")])),
            Outcome::Init(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, .. })) if field == "pg_payment_id"),
        case!("answer: signed, pg_payment_id missing; the raw answer is kept",
            InitAnswer(xml::write("response", &sealed(init_script(), without(init_fields(), "pg_payment_id")))),
            Outcome::Init(Err(ResponseError::Decode { error: DecodeError::Missing { field }, raw, .. }))
                if field == "pg_payment_id" && raw.contains("customer=abc")),
        case!("answer: signed, pg_payment_id with whitespace around it is the number",
            InitAnswer(init_answer(&[("pg_payment_id", " 4711\n")])),
            Outcome::Init(Ok(r)) if r.payment_id == 4711),
        case!("answer: signed, pg_redirect_url missing; the payment id stays reachable",
            InitAnswer(xml::write("response", &sealed(init_script(), without(init_fields(), "pg_redirect_url")))),
            Outcome::Init(Err(ResponseError::Decode { error: DecodeError::Missing { field }, params, .. }))
                if field == "pg_redirect_url" && params.get_text("pg_payment_id") == Some("4711")),
        case!("status: signed, pg_amount with three fraction digits",
            StatusAnswer(status_answer(&[("pg_amount", "1500.005")])),
            Outcome::Status(Err(ResponseError::Decode { error: DecodeError::Invalid { field, reason }, .. }))
                if field == "pg_amount" && reason.contains("two fraction digits")),
        case!("status: signed, pg_amount with a trailing zero third digit is the amount",
            StatusAnswer(status_answer(&[("pg_amount", "1500.500")])),
            Outcome::Status(Ok(r)) if r.amount.to_string() == "1500.5"),
        case!("status: signed, pg_amount in exponent notation",
            StatusAnswer(status_answer(&[("pg_amount", "1.5e3")])),
            Outcome::Status(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, .. })) if field == "pg_amount"),
        case!("status: signed, pg_amount with a decimal comma",
            StatusAnswer(status_answer(&[("pg_amount", "1500,50")])),
            Outcome::Status(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, .. })) if field == "pg_amount"),
        case!("status: signed, pg_amount negative",
            StatusAnswer(status_answer(&[("pg_amount", "-1500")])),
            Outcome::Status(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, .. })) if field == "pg_amount"),
        case!("status: signed, pg_can_reject neither 0 nor 1",
            StatusAnswer(status_answer(&[("pg_can_reject", "yes")])),
            Outcome::Status(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, .. })) if field == "pg_can_reject"),
        case!("status: signed, pg_refund_amount not a decimal",
            StatusAnswer(status_answer(&[("pg_refund_amount", "minus ten")])),
            Outcome::Status(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, .. })) if field == "pg_refund_amount"),
        case!("status: signed, pg_auth_code not a number",
            StatusAnswer(status_answer(&[("pg_auth_code", "A1B2")])),
            Outcome::Status(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, .. })) if field == "pg_auth_code"),
        case!("status: signed, an unlisted pg_payment_status is kept (the enum is open)",
            StatusAnswer(status_answer(&[("pg_payment_status", "frozen")])),
            Outcome::Status(Ok(r)) if r.payment_status.as_ref().is_some_and(|s| s.to_string() == "frozen")),
        case!("status: signed, an unlisted pg_currency is kept (the enum is open)",
            StatusAnswer(status_answer(&[("pg_currency", "XTS")])),
            Outcome::Status(Ok(r)) if r.currency == Currency::Unknown("XTS".to_owned())),
        case!("reply: signed, pg_status outside the closed ReplyStatus",
            CheckReplyAnswer(xml::write("response", &sealed(CHECK, flat(&[("pg_status", "maybe"), ("pg_description", "?")])))),
            Outcome::Reply(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, params, .. }))
                if field == "pg_status" && params.get_text("pg_status") == Some("maybe")),
        case!("reply: signed, pg_status in capitals is not a ReplyStatus",
            CheckReplyAnswer(xml::write("response", &sealed(CHECK, flat(&[("pg_status", "OK")])))),
            Outcome::Reply(Err(ResponseError::Decode { error: DecodeError::Invalid { field, .. }, .. })) if field == "pg_status"),
        // -------------------------------------------------------------------
        // Callbacks: malformed, truncated, wrongly percent-encoded forms
        // -------------------------------------------------------------------
        case!(
            "callback: empty body",
            CheckForm(String::new()),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Missing)))
        ),
        case!(
            "callback: not a form",
            CheckForm("%%%&&&===".into()),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Missing)))
        ),
        case!(
            "callback: truncated inside pg_sig",
            CheckForm(good_check_body[..good_check_body.len() - 5].to_owned()),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: truncated before pg_sig",
            CheckForm(
                good_check_body[..good_check_body.find("&pg_sig=").expect("pg_sig")].to_owned()
            ),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Missing)))
        ),
        case!(
            "callback: truncated in a percent escape",
            CheckForm(format!(
                "{}&pg_sig={good_check_sig}",
                replaced(
                    &form::encode(&without(good_check.clone(), "pg_sig")),
                    "pg_order_id=A-1",
                    "pg_order_id=A%2"
                )
            )),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: a value without `=`",
            CheckForm(replaced(&good_check_body, "cart=A-17", "cart")),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: %FF where the gateway signed ÿ",
            CheckForm(replaced(
                &check_form(&[("cart", "\u{ff}")]),
                "cart=%C3%BF",
                "cart=%FF"
            )),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!("callback: an invalid escape is kept literally, as PHP keeps it",
            CheckForm(replaced(&check_form(&[("cart", "%ZZ")]), "cart=%25ZZ", "cart=%ZZ")),
            Outcome::Check(Ok(v)) if v.extra.get_text("cart") == Some("%ZZ")),
        case!("callback: `+` is a space, as in every form",
            CheckForm(replaced(&check_form(&[("cart", "A 17")]), "cart=A+17", "cart=A%2017")),
            Outcome::Check(Ok(v)) if v.extra.get_text("cart") == Some("A 17")),
        case!("callback: a merchant parameter whose brackets do not close is an unusable name",
            CheckForm(form::encode(&check_params(&[("cart[x", "1")]))),
            Outcome::Check(Err(CallbackError::Invalid(errors)))
                if errors.iter().any(|e| e.field == "cart[x" && e.rule == Rule::ExtraName)),
        case!("callback: pg_payment_id sent as a list",
            CheckForm(form::encode(&sealed(CHECK, {
                let mut fields = without(check_fields(), "pg_payment_id");
                fields.push("pg_payment_id", flat(&[("0", "4711")]));
                fields
            }))),
            Outcome::Check(Err(CallbackError::Decode(DecodeError::Invalid { field, .. }))) if field == "pg_payment_id"),
        case!(
            "callback: a form body with a malformed pg_xml",
            CheckMessage(form::encode(&flat(&[(
                "pg_xml",
                &check_document[..check_document.len() - 3]
            )]))),
            Outcome::Check(Err(CallbackError::Malformed(_)))
        ),
        case!(
            "callback: an XML body cut short",
            CheckMessage(check_document[..check_document.len() - 12].to_owned()),
            Outcome::Check(Err(CallbackError::Malformed(_)))
        ),
        case!("callback: the XML document verified like the form", CheckMessage(check_document.clone()),
            Outcome::Check(Ok(v)) if v.payment_id == 4711),
        case!("callback: an XML body with a byte order mark", CheckMessage(format!("\u{feff}{check_document}")),
            Outcome::Check(Ok(v)) if v.payment_id == 4711),
        case!("callback: XML with an undeclared entity",
            CheckXml(replaced(&check_document, ">A-17<", ">&cart;<")),
            Outcome::Check(Err(CallbackError::Malformed(e))) if e.reason.contains("&cart;")),
        case!("callback: XML larger than MAX_XML_BYTES",
            CheckXml(xml::write("request", &check_params(&[("cart", &"c".repeat(MAX_XML_BYTES))]))),
            Outcome::Check(Err(CallbackError::Malformed(e))) if e.reason.contains("larger than")),
        // -------------------------------------------------------------------
        // Callbacks: pg_sig and pg_salt
        // -------------------------------------------------------------------
        case!(
            "callback: unsigned",
            CheckForm(unsigned_check.clone()),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Missing)))
        ),
        case!(
            "callback: empty pg_sig",
            CheckForm(replaced(&good_check_body, &good_check_sig, "")),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: forged pg_sig",
            CheckForm(replaced(
                &good_check_body,
                &good_check_sig,
                "ffffffffffffffffffffffffffffffff"
            )),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: signed with another key",
            CheckForm(form::encode(&sealed_with(
                CHECK,
                "another-key",
                check_fields()
            ))),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: signed for the result URL",
            CheckForm(form::encode(&sealed(RESULT, check_fields()))),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: the amount changed after signing",
            CheckForm(replaced(&good_check_body, "pg_amount=1500", "pg_amount=15")),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: a merchant parameter added after signing",
            CheckForm(format!("{good_check_body}&promo=FREE")),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: pg_salt missing",
            CheckForm(form::encode(&without(good_check.clone(), "pg_salt"))),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: pg_salt empty",
            CheckForm(replaced(
                &good_check_body,
                &format!("pg_salt={SALT}"),
                "pg_salt="
            )),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!("callback: two pg_sig, the right one last: the last counts, as PHP reads a form",
            CheckForm(replaced(&good_check_body, "pg_order_id=", "pg_sig=ffffffffffffffffffffffffffffffff&pg_order_id=")),
            Outcome::Check(Ok(v)) if v.payment_id == 4711),
        case!(
            "callback: two pg_sig, the forged one last",
            CheckForm(format!(
                "{good_check_body}&pg_sig=ffffffffffffffffffffffffffffffff"
            )),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!(
            "callback: two <pg_sig> elements, the first forged",
            CheckXml(replaced(
                &check_document,
                "<pg_order_id>",
                "<pg_sig>ffffffffffffffffffffffffffffffff</pg_sig><pg_order_id>"
            )),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        case!("callback: uppercase hex of the right pg_sig",
            CheckForm(replaced(&good_check_body, &good_check_sig, &good_check_sig.to_ascii_uppercase())),
            Outcome::Check(Ok(v)) if v.payment_id == 4711),
        case!("callback: the right pg_sig padded with spaces",
            CheckForm(replaced(&good_check_body, &good_check_sig, &format!("+{good_check_sig}%20"))),
            Outcome::Check(Ok(v)) if v.payment_id == 4711),
        case!(
            "callback: the right pg_sig with a NUL after it",
            CheckForm(replaced(
                &good_check_body,
                &good_check_sig,
                &format!("{good_check_sig}%00")
            )),
            Outcome::Check(Err(CallbackError::Signature(SignatureError::Mismatch)))
        ),
        // -------------------------------------------------------------------
        // Callbacks: signed, but a value of the wrong type or out of range
        // -------------------------------------------------------------------
        case!("check: signed, pg_payment_id not a number", CheckForm(check_form(&[("pg_payment_id", "payment-1")])),
            Outcome::Check(Err(CallbackError::Decode(DecodeError::Invalid { field, .. }))) if field == "pg_payment_id"),
        case!("check: signed, pg_payment_id missing", CheckForm(form::encode(&sealed(CHECK, without(check_fields(), "pg_payment_id")))),
            Outcome::Check(Err(CallbackError::Decode(DecodeError::Missing { field }))) if field == "pg_payment_id"),
        case!("check: signed, pg_amount with three fraction digits", CheckForm(check_form(&[("pg_amount", "10.125")])),
            Outcome::Check(Err(CallbackError::Decode(DecodeError::Invalid { field, reason }))) if field == "pg_amount" && reason.contains("two fraction digits")),
        case!("check: signed, pg_amount zero, below the documented minimum", CheckForm(check_form(&[("pg_amount", "0")])),
            Outcome::Check(Err(CallbackError::Invalid(errors)))
                if errors.iter().any(|e| e.field == "pg_amount" && e.rule == Rule::Min)),
        case!("check: signed, pg_order_id longer than 50 characters", CheckForm(check_form(&[("pg_order_id", &"7".repeat(51))])),
            Outcome::Check(Err(CallbackError::Invalid(errors)))
                if errors.iter().any(|e| e.field == "pg_order_id" && e.rule == Rule::MaxLength)),
        case!("check: signed, a merchant parameter named like a typed field's prefix is kept",
            CheckForm(check_form(&[("pg_unknown_new_field", "x")])),
            Outcome::Check(Ok(v)) if v.extra.get_text("pg_unknown_new_field") == Some("x")),
        case!("result: signed, pg_result out of range", ResultForm(result_form(&[("pg_result", "7")])),
            Outcome::Result(Err(CallbackError::Invalid(errors)))
                if errors.iter().any(|e| e.field == "pg_result" && e.rule == Rule::Max)),
        case!("result: signed, pg_result not a number", ResultForm(result_form(&[("pg_result", "ok")])),
            Outcome::Result(Err(CallbackError::Decode(DecodeError::Invalid { field, .. }))) if field == "pg_result"),
        case!("result: signed, pg_payment_date not a date", ResultForm(result_form(&[("pg_payment_date", "17.05.2024 12:30")])),
            Outcome::Result(Err(CallbackError::Invalid(errors)))
                if errors.iter().any(|e| e.field == "pg_payment_date" && e.rule == Rule::Format)),
        case!("result: signed, pg_payment_date empty", ResultForm(result_form(&[("pg_payment_date", "")])),
            Outcome::Result(Err(CallbackError::Invalid(errors)))
                if errors.iter().any(|e| e.field == "pg_payment_date" && e.rule == Rule::Format)),
        case!("result: signed, pg_can_reject neither 0 nor 1", ResultForm(result_form(&[("pg_can_reject", "maybe")])),
            Outcome::Result(Err(CallbackError::Decode(DecodeError::Invalid { field, .. }))) if field == "pg_can_reject"),
        case!("result: signed, pg_net_amount negative", ResultForm(result_form(&[("pg_net_amount", "-1")])),
            Outcome::Result(Err(CallbackError::Decode(DecodeError::Invalid { field, .. }))) if field == "pg_net_amount"),
        case!("result: signed, pg_user_contact_email not an address", ResultForm(result_form(&[("pg_user_contact_email", "nobody")])),
            Outcome::Result(Err(CallbackError::Invalid(errors)))
                if errors.iter().any(|e| e.field == "pg_user_contact_email" && e.rule == Rule::Format)),
        case!("result: signed, pg_result 0 (a failed payment) is read",
            ResultForm(result_form(&[("pg_result", "0")])),
            Outcome::Result(Ok(v)) if v.result == 0 && v.payment_id == 4711),
        // -------------------------------------------------------------------
        // The axum extractor: bytes, size, signature, replays
        // -------------------------------------------------------------------
        case!(
            "http: a body that is not UTF-8",
            Axum(vec![(
                Call::post(b"pg_order_id=\xff\xfe&pg_sig=1".to_vec()),
                true
            )]),
            Outcome::Axum(Err(CallbackRejection::Unreadable))
        ),
        case!(
            "http: a body larger than MAX_CALLBACK_BYTES",
            Axum(vec![(
                Call::post(format!(
                    "{good_check_body}&pad={}",
                    "p".repeat(MAX_CALLBACK_BYTES)
                )),
                true
            )]),
            Outcome::Axum(Err(CallbackRejection::TooLarge))
        ),
        case!(
            "http: unsigned",
            Axum(vec![(Call::post(unsigned_check.clone()), true)]),
            Outcome::Axum(Err(CallbackRejection::Forged(CallbackError::Signature(
                SignatureError::Missing
            ))))
        ),
        case!(
            "http: forged",
            Axum(vec![(
                Call::post(replaced(
                    &good_check_body,
                    &good_check_sig,
                    "ffffffffffffffffffffffffffffffff"
                )),
                true
            )]),
            Outcome::Axum(Err(CallbackRejection::Forged(CallbackError::Signature(
                SignatureError::Mismatch
            ))))
        ),
        case!(
            "http: signed for another URL",
            Axum(vec![(
                Call {
                    uri: "/freedompay/result".into(),
                    ..Call::post(good_check_body.clone())
                },
                true
            )]),
            Outcome::Axum(Err(CallbackRejection::Forged(CallbackError::Signature(
                SignatureError::Mismatch
            ))))
        ),
        case!("http: signed, pg_payment_id not a number", Axum(vec![(Call::post(check_form(&[("pg_payment_id", "x")])), true)]),
            Outcome::Axum(Err(CallbackRejection::Invalid(reason))) if reason.contains("pg_payment_id")),
        case!("http: signed, pg_amount zero", Axum(vec![(Call::post(check_form(&[("pg_amount", "0")])), true)]),
            Outcome::Axum(Err(CallbackRejection::Invalid(reason))) if reason.contains("pg_amount")),
        case!("http: a malformed pg_xml", Axum(vec![(Call::post(form::encode(&flat(&[("pg_xml", "<request><pg_sig>")]))), true)]),
            Outcome::Axum(Err(CallbackRejection::Invalid(reason))) if reason.contains("malformed XML")),
        case!("http: an XML body with a byte order mark reaches the handler",
            Axum(vec![(Call::post(format!("\u{feff}{check_document}")), true)]),
            Outcome::Axum(Ok(params)) if params.get_text("pg_payment_id") == Some("4711")),
        case!("http: a genuine callback reaches the handler", Axum(vec![(Call::post(good_check_body.clone()), true)]),
            Outcome::Axum(Ok(params)) if params.get_text("pg_payment_id") == Some("4711")),
        case!(
            "http: replayed after it was answered",
            Axum(vec![
                (Call::post(good_check_body.clone()), true),
                (Call::post(good_check_body.clone()), true)
            ]),
            Outcome::Axum(Err(CallbackRejection::Replayed(_)))
        ),
        case!(
            "http: replayed while the first is still in the handler",
            Axum(vec![
                (Call::post(good_check_body.clone()), false),
                (Call::post(good_check_body.clone()), true)
            ]),
            Outcome::Axum(Err(CallbackRejection::InProgress))
        ),
        case!(
            "http: replayed as a GET query",
            Axum(vec![
                (Call::post(good_check_body.clone()), true),
                (Call::get(&good_check_body), true)
            ]),
            Outcome::Axum(Err(CallbackRejection::Replayed(_)))
        ),
        case!(
            "http: replayed as pg_xml",
            Axum(vec![
                (Call::post(good_check_body.clone()), true),
                (
                    Call::post(form::encode(&flat(&[("pg_xml", &check_document)]))),
                    true
                )
            ]),
            Outcome::Axum(Err(CallbackRejection::Replayed(_)))
        ),
        case!(
            "http: replayed with pg_sig in capitals",
            Axum(vec![
                (Call::post(good_check_body.clone()), true),
                (
                    Call::post(replaced(
                        &good_check_body,
                        &good_check_sig,
                        &good_check_sig.to_ascii_uppercase()
                    )),
                    true
                )
            ]),
            Outcome::Axum(Err(CallbackRejection::Replayed(_)))
        ),
        case!(
            "http: replayed with pg_sig padded with spaces",
            Axum(vec![
                (Call::post(good_check_body.clone()), true),
                (
                    Call::post(replaced(
                        &good_check_body,
                        &good_check_sig,
                        &format!("{good_check_sig}+")
                    )),
                    true
                )
            ]),
            Outcome::Axum(Err(CallbackRejection::Replayed(_)))
        ),
        case!(
            "http: replayed with a second, forged pg_sig before the right one",
            Axum(vec![
                (Call::post(good_check_body.clone()), true),
                (
                    Call::post(format!(
                        "pg_sig=ffffffffffffffffffffffffffffffff&{good_check_body}"
                    )),
                    true
                )
            ]),
            Outcome::Axum(Err(CallbackRejection::Replayed(_)))
        ),
        case!(
            "http: after an unanswered first delivery the retry reaches the handler",
            Axum(vec![(Call::post(good_check_body.clone()), false)]),
            Outcome::Axum(Ok(_))
        ),
        case!("http: another callback with a fresh salt is not a replay",
            Axum(vec![(Call::post(good_check_body.clone()), true),
                (Call::post(form::encode(&{
                    let mut fields = check_fields();
                    signature::seal(CHECK, &mut fields, &key(), "corpus-salt-02");
                    fields
                })), true)]),
            Outcome::Axum(Ok(params)) if params.get_text("pg_salt") == Some("corpus-salt-02")),
    ]
}

#[test]
fn bad_input_corpus_every_row_gets_its_pinned_outcome() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let cases = corpus();
    let mut names = std::collections::HashSet::new();
    let mut failed = Vec::new();
    let mut rejections = 0;
    for case in &cases {
        assert!(
            names.insert(case.name),
            "two rows are named {:?}",
            case.name
        );
    }
    let total = cases.len();
    for case in cases {
        let Case {
            name,
            input,
            expected,
            check,
        } = case;
        match catch_unwind(AssertUnwindSafe(|| run(&runtime, input))) {
            Ok(outcome) if check(&outcome) => {
                if outcome.is_rejection() {
                    rejections += 1;
                }
            }
            Ok(outcome) => {
                let shown = format!("{outcome:?}");
                let shown: String = shown.chars().take(600).collect();
                failed.push(format!(
                    "{name}\n    expected {expected}\n    got      {shown}"
                ));
            }
            Err(_) => failed.push(format!("{name}\n    PANICKED (expected {expected})")),
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {total} rows failed:\n  {}",
        failed.len(),
        failed.join("\n  ")
    );
    assert!(
        rejections >= 50,
        "only {rejections} of {total} rows are rejections"
    );
    eprintln!("bad-input corpus: {total} rows, {rejections} rejections");
}
