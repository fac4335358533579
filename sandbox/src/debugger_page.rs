//! The signature debugger: a page where an integrator pastes a request (a
//! form body, a query string or XML signed with `pg_sig`, or a JSON body
//! with its `X-JWS-Signature`), the script name or URI it is sent to and
//! the key, and sees the values in signing order with their sort keys, the
//! string to sign (the key masked), the expected signature and, when the
//! pasted one differs, which step does.
//!
//! `GET` [`SIGNATURE_DEBUGGER_PATH`] serves the page (one self-contained
//! HTML document: its style and script are inline); its script posts the
//! form as JSON to the same path and shows the answer. The explanation and
//! the diagnosis are `freedompay::debugger`'s, made by the signers
//! themselves. Nothing pasted is logged or kept, and no answer holds the
//! key: strings to sign show `<secret key>` in its place.

use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use freedompay::debugger::{
    self, FoundMistake, JwsEndpoint, JwsReport, PgSigMistake, PgSigReport, Request, Verdict,
};
use freedompay::jws::Algorithm;
use freedompay::{Params, SecretKey, signature};
use maud::{Markup, PreEscaped, html};
use serde_json::{Value, json};

use crate::routes::{form_endpoints, json_endpoints, uri_path};

/// Where the sandbox serves the signature debugger.
pub const SIGNATURE_DEBUGGER_PATH: &str = "/debug/signature";

/// `GET`: the page.
pub(crate) async fn show() -> Html<String> {
    tool_page(
        "Signature debugger — Freedom Pay sandbox",
        html! {
            p { small { "Freedom Pay sandbox — nothing pasted here is logged or kept" } }
            h1 { "Signature debugger" }
            p {
                "Paste a request as your code sends it, the script name or URI it goes to and your secret key: "
                "the debugger shows how its signature is made and, when yours differs, which step. "
                "It works for the real gateway's requests too; the key is sent only to this sandbox."
            }
            form id="debugger" autocomplete="off" {
                label for="request" { "Request: a form body, a query string or URL, XML (a " code { "<request>" } " or " code { "pg_xml=…" } "), or a JSON body" }
                textarea id="request" name="request" rows="7" spellcheck="false"
                    placeholder="pg_order_id=23&pg_merchant_id=12345&pg_amount=25&pg_description=test&pg_salt=molbulak&pg_sig=…" {}
                label for="called" { "Script name or URI it is sent to" }
                input id="called" name="called" spellcheck="false"
                    placeholder="init_payment.php, https://api.freedompay.kz/init_payment.php or /v5/partner/wallet/add";
                label for="key" { "Secret key (the payout key for payouts; the API key for JSON calls)" }
                input id="key" name="key" type="password" spellcheck="false";
                label for="jws" { "X-JWS-Signature header (JSON requests only)" }
                input id="jws" name="jws" spellcheck="false" placeholder="eyJ1cmkiOi…..5xVbhml5…";
                label for="signed" { "The string you signed (optional: shows where it first differs)" }
                textarea id="signed" name="signed" rows="2" spellcheck="false"
                    placeholder="init_payment.php;25;test;12345;23;molbulak;your key" {}
                p {
                    button type="submit" id="check" { "Check the signature" }
                    " "
                    button type="button" id="example" { "Fill in the documented example" }
                }
            }
            div id="result" aria-live="polite" {}
            script { (PreEscaped(SCRIPT)) }
        },
    )
}

/// A page of the sandbox's own tools (this debugger, the home page) in
/// their common style.
pub(crate) fn tool_page(title: &str, body: Markup) -> Html<String> {
    crate::page::document(title, STYLE, body)
}

pub(crate) const STYLE: &str = "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.4}\
label{display:block;margin:.8rem 0 .2rem;font-weight:600}\
textarea,input{width:100%;box-sizing:border-box;font:0.95rem monospace;padding:.3rem}\
button{font-size:1rem;margin-top:.8rem}\
code,.mono{font-family:monospace;overflow-wrap:anywhere}\
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;font-family:monospace;overflow-wrap:anywhere}\
.ok{color:#0a6b2b;font-weight:700}.bad{color:#b00020;font-weight:700}.error{color:#b00020}\
.box{background:#f4f4f4;padding:.5rem;border-radius:4px;font-family:monospace;overflow-wrap:anywhere;white-space:pre-wrap}";

/// The page's script: posts the form as JSON and shows the answer with DOM
/// text nodes only (nothing pasted is ever parsed as HTML).
const SCRIPT: &str = r#"
(function () {
  var form = document.getElementById('debugger');
  var result = document.getElementById('result');
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  function section(title, id, content) {
    return el('section', { id: id }, [el('h2', {}, [title])].concat(content));
  }
  function box(id, text) { return el('div', { id: id, 'class': 'box' }, [text]); }
  function mistakes(list) {
    if (!list || !list.length) { return []; }
    return [section('Which step differs', 'mistakes', [
      el('p', {}, ['Your signature is reproduced by:']),
      el('ul', {}, list.map(function (m) {
        var items = [el('strong', { 'class': 'mistake' }, [m.title]), ' — ', m.advice];
        if (m.string) { items.push(el('div', { 'class': 'box' }, ['You signed: ' + m.string])); }
        return el('li', {}, items);
      }))
    ])];
  }
  function show(answer) {
    result.textContent = '';
    var verdict = el('p', { id: 'verdict', 'class': answer.matches ? 'ok' : 'bad' }, [answer.message]);
    result.appendChild(verdict);
    (answer.notes || []).forEach(function (n) { result.appendChild(el('p', { 'class': 'note' }, [n])); });
    if (answer.scheme === 'pg_sig') {
      result.appendChild(section('The values in signing order', 'steps-section', [
        el('p', {}, ['Script name: ', el('code', { id: 'script' }, [answer.script]), ' (read as a ' + answer.format + ')']),
        el('table', { id: 'steps' }, [el('tr', {}, [el('th', {}, ['#']), el('th', {}, ['sort key']), el('th', {}, ['name']), el('th', {}, ['value'])])].concat(
          answer.steps.map(function (s, i) {
            return el('tr', {}, [el('td', {}, [String(i + 1)]), el('td', {}, [s.sort_key]), el('td', {}, [s.name]), el('td', {}, [s.value])]);
          })))
      ]));
      result.appendChild(section('The string to sign', 'string-section', [box('string_to_sign', answer.string_to_sign)]));
      result.appendChild(section('The expected pg_sig (MD5, lowercase hex)', 'expected-section', [box('expected', answer.expected)]));
    } else {
      result.appendChild(section('The JWS', 'jws-section', [
        el('p', {}, ['Header (decoded):']), box('header_json', answer.header_json),
        el('p', {}, ['Signing input: base64url(header) . base64url(body as sent), HMAC ' + answer.alg + ':']),
        box('string_to_sign', answer.signing_input)
      ]));
      result.appendChild(section('The expected X-JWS-Signature', 'expected-section', [box('expected', answer.expected_value)]));
      if (answer.problems && answer.problems.length) {
        result.appendChild(section('What the gateway refuses', 'problems', [el('ul', {}, answer.problems.map(function (p) { return el('li', {}, [p]); }))]));
      }
    }
    mistakes(answer.mistakes).forEach(function (s) { result.appendChild(s); });
    if (answer.difference) {
      var d = answer.difference;
      result.appendChild(section('Where your string differs', 'difference', [
        el('p', {}, ['First difference at character ' + d.position + ', in ' + d.part + '.']),
        el('p', {}, ['Expected:']), box('difference_expected', d.expected),
        el('p', {}, ['Yours:']), box('difference_pasted', d.pasted)
      ].concat(answer.given ? [el('p', {}, [d.pasted_makes_the_signature ? 'The MD5 of your string is the pg_sig you sent: this difference is the mistake.' : 'The MD5 of your string is not the pg_sig you sent: your code may sign another string than the one pasted.'])] : [])));
    }
  }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = {};
    ['request', 'called', 'key', 'jws', 'signed'].forEach(function (name) { body[name] = document.getElementById(name).value; });
    result.textContent = 'Checking…';
    fetch(window.location.pathname, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.error) {
          result.textContent = '';
          result.appendChild(el('p', { id: 'error', 'class': 'error' }, [answer.error]));
        } else {
          show(answer);
        }
      })
      .catch(function () {
        result.textContent = '';
        result.appendChild(el('p', { id: 'error', 'class': 'error' }, ['The sandbox did not answer.']));
      });
  });
  document.getElementById('example').addEventListener('click', function () {
    document.getElementById('request').value = 'pg_order_id=23&pg_merchant_id=12345&pg_amount=25&pg_description=test&pg_salt=molbulak&pg_sig=02a4d571f7ac768f3e7e51e1b4afa122';
    document.getElementById('called').value = 'https://api.freedompay.kz/init_payment.php';
    document.getElementById('key').value = 'mysecret';
    document.getElementById('jws').value = '';
    document.getElementById('signed').value = '';
  });
})();
"#;

/// `POST`: the diagnosis of a pasted request, as JSON: `{"error": …}` with
/// 400 for input that cannot be read.
pub(crate) async fn check(body: Bytes) -> Response {
    match answer(&body) {
        Ok(answer) => json_response(StatusCode::OK, answer),
        Err(error) => json_response(StatusCode::BAD_REQUEST, json!({ "error": error })),
    }
}

fn json_response(status: StatusCode, value: Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        value.to_string(),
    )
        .into_response()
}

/// A text field of the posted form, `""` when absent.
fn field<'a>(form: &'a Value, name: &str) -> Result<&'a str, String> {
    match form.get(name) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(format!("the field `{name}` must be a string")),
    }
}

/// The answer to a posted form. An error names what to fix, never a pasted value.
fn answer(body: &[u8]) -> Result<Value, String> {
    let form: Value = serde_json::from_slice(body).map_err(|_| {
        "post a JSON object with the fields request, called, key, jws and signed".to_owned()
    })?;
    if !form.is_object() {
        return Err(
            "post a JSON object with the fields request, called, key, jws and signed".into(),
        );
    }
    let key = field(&form, "key")?;
    if key.is_empty() {
        return Err("paste the secret key the request was signed with".into());
    }
    let key = SecretKey::new(key);
    let called = field(&form, "called")?.trim();
    let signed = field(&form, "signed")?;
    let jws = field(&form, "jws")?;
    match debugger::read_request(field(&form, "request")?).map_err(|e| e.to_string())? {
        Request::Form {
            format,
            params,
            path,
        } => {
            let called = match (called, path) {
                ("", Some(path)) => path,
                ("", None) => {
                    return Err(
                        "give the script name or the URI the request is sent to (init_payment.php)"
                            .into(),
                    );
                }
                (called, _) => called.to_owned(),
            };
            let report = debugger::diagnose(
                &called,
                &params,
                &key,
                Some(signed).filter(|s| !s.trim().is_empty()),
            );
            Ok(pg_sig_answer(format.name(), &called, &params, &report))
        }
        Request::Json { body } => {
            let endpoint = jws_endpoint(called, jws);
            let report = debugger::diagnose_jws(
                jws,
                &body,
                &key,
                endpoint
                    .as_ref()
                    .map(|(path, method, alg)| JwsEndpoint {
                        path,
                        method,
                        alg: *alg,
                    })
                    .as_ref(),
            )
            .map_err(|e| e.to_string())?;
            Ok(jws_answer(&report, endpoint.is_some()))
        }
    }
}

/// The JSON endpoint the request goes to, from the URI given or, without
/// one, the JWS header's `uri`: its path, method and algorithm.
fn jws_endpoint(called: &str, value: &str) -> Option<(String, String, Algorithm)> {
    let path = if called.is_empty() {
        let value = value.trim();
        let value = value.rsplit(' ').next().unwrap_or(value);
        freedompay::jws::claimed_header(value).ok()?.uri
    } else {
        uri_path(called).to_owned()
    };
    let endpoint = *json_endpoints(&path).first()?;
    Some((
        endpoint.path.to_owned(),
        endpoint.method.to_owned(),
        endpoint.auth.algorithm()?,
    ))
}

fn mistake_json(found: &FoundMistake<PgSigMistake>) -> Value {
    json!({
        "title": found.mistake.title(),
        "advice": found.mistake.advice(),
        "string": found.masked_string,
    })
}

fn pg_sig_answer(format: &str, called: &str, params: &Params, report: &PgSigReport) -> Value {
    let explanation = &report.explanation;
    let (matches, message) = match (report.verdict, &report.given) {
        (Verdict::Matches, _) => (true, "pg_sig matches: the gateway accepts this signature.".to_owned()),
        (Verdict::MatchesInUpperCase, _) => (
            true,
            "pg_sig matches, in upper case: the documentation asks for lowercase hex (the sandbox accepts both).".to_owned(),
        ),
        (Verdict::Missing, _) => (
            false,
            "The request carries no pg_sig: its expected signature is below.".to_owned(),
        ),
        (Verdict::Differs, given) => (
            false,
            format!(
                "pg_sig differs: the request carries {}, the expected signature is {}.{}",
                given.as_deref().unwrap_or_default(),
                explanation.expected,
                if report.mistakes.is_empty() {
                    " None of the common mistakes reproduces it: check the key (for payouts, the payout key), or paste the string you signed."
                } else {
                    ""
                }
            ),
        ),
    };
    let mut notes = Vec::new();
    // A script name alone (`payout.php`) is read as the path at the root.
    let path = uri_path(called);
    let endpoints = if path.starts_with('/') {
        form_endpoints(path)
    } else {
        form_endpoints(&format!("/{path}"))
    };
    if endpoints.iter().any(|(e, _)| e.payout_key) {
        notes.push(format!(
            "{} is a payout endpoint: it is signed with the payout key.",
            explanation.script
        ));
    }
    if params.get_text(signature::SALT).is_none() {
        notes.push("The request carries no pg_salt: every signed message needs one.".to_owned());
    }
    json!({
        "scheme": "pg_sig",
        "format": format,
        "script": explanation.script,
        "steps": explanation.steps.iter().map(|step| json!({
            "sort_key": step.sort_key,
            "name": step.path,
            "value": step.value,
        })).collect::<Vec<_>>(),
        "string_to_sign": explanation.masked_string_to_sign(),
        "expected": explanation.expected,
        "given": report.given,
        "verdict": verdict_name(report.verdict),
        "matches": matches,
        "message": message,
        "notes": notes,
        "mistakes": report.mistakes.iter().map(mistake_json).collect::<Vec<_>>(),
        "difference": report.difference.as_ref().map(|d| json!({
            "position": d.position,
            "part": d.part,
            "expected": d.expected,
            "pasted": d.pasted,
            "pasted_makes_the_signature": d.pasted_makes_the_signature,
        })),
    })
}

fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Matches => "matches",
        Verdict::MatchesInUpperCase => "matches_in_upper_case",
        Verdict::Differs => "differs",
        Verdict::Missing => "missing",
    }
}

fn jws_answer(report: &JwsReport, endpoint_known: bool) -> Value {
    let explanation = &report.explanation;
    let signature_matches = report.verdict == Verdict::Matches;
    let matches = signature_matches && report.problems.is_empty();
    let message = if matches {
        "The JWS matches: the gateway accepts this signature.".to_owned()
    } else if signature_matches {
        "The signature matches its header and body, but the gateway refuses the request (below)."
            .to_owned()
    } else {
        format!(
            "The JWS signature differs: the request carries {}, the expected signature is {}.{}",
            report.given,
            explanation.expected_signature,
            if report.mistakes.is_empty() {
                " None of the common mistakes reproduces it: check the key, and that the body is pasted exactly as sent."
            } else {
                ""
            }
        )
    };
    let mut notes = Vec::new();
    if !endpoint_known {
        notes.push(format!(
            "{} is no JSON endpoint the sandbox knows: its uri, method and algorithm are not checked.",
            explanation.header.uri
        ));
    }
    json!({
        "scheme": "jws",
        "header_json": explanation.header_json,
        "uri": explanation.header.uri,
        "auth_id": explanation.header.auth_id,
        "alg": explanation.header.alg.name(),
        "encoded_header": explanation.encoded_header,
        "encoded_payload": explanation.encoded_payload,
        "signing_input": explanation.signing_input,
        "expected_signature": explanation.expected_signature,
        "expected_value": explanation.expected_value,
        "given": report.given,
        "verdict": verdict_name(report.verdict),
        "matches": matches,
        "message": message,
        "notes": notes,
        "problems": report.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "mistakes": report.mistakes.iter().map(|m| json!({
            "title": m.title(),
            "advice": m.advice(),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(form: Value) -> Result<Value, String> {
        answer(form.to_string().as_bytes())
    }

    #[test]
    fn a_documented_request_matches_and_the_key_is_never_answered() {
        let answer = post(json!({
            "request": "pg_order_id=23&pg_merchant_id=12345&pg_amount=25&pg_description=test&pg_salt=molbulak&pg_sig=02a4d571f7ac768f3e7e51e1b4afa122",
            "called": "https://api.freedompay.kz/init_payment.php",
            "key": "mysecret",
        }))
        .expect("an answer");
        assert_eq!(answer["verdict"], "matches");
        assert_eq!(
            answer["string_to_sign"],
            "init_payment.php;25;test;12345;23;molbulak;<secret key>"
        );
        assert_eq!(answer["steps"][0]["sort_key"], "pg_amount003");
        assert!(!answer.to_string().contains("mysecret"));
    }

    #[test]
    fn payout_endpoints_are_named() {
        let answer = post(json!({
            "request": "pg_merchant_id=1&pg_salt=s&pg_sig=x",
            "called": "/api/reg2nonreg",
            "key": "k",
        }))
        .expect("an answer");
        assert!(
            answer["notes"][0].as_str().unwrap().contains("payout key"),
            "{answer}"
        );
    }

    #[test]
    fn bad_input_is_named() {
        for (form, expected) in [
            (json!([]), "JSON object"),
            (json!({"request": "a=1", "called": "x.php"}), "secret key"),
            (json!({"request": "a=1", "key": "k"}), "script name"),
            (
                json!({"request": "", "called": "x", "key": "k"}),
                "paste a request",
            ),
            (json!({"request": "{}", "key": "k"}), "X-JWS-Signature"),
            (json!({"request": 5, "key": "k"}), "must be a string"),
        ] {
            let error = post(form.clone()).expect_err("refused");
            assert!(error.contains(expected), "{form}: {error}");
        }
        assert!(answer(b"not json").is_err());
    }
}
