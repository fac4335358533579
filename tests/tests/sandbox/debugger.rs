//! The signature debugger over HTTP, as its page calls it: the page is one
//! self-contained document, the documented vectors are explained, and no
//! input, however broken, gets a 5xx or an answer without a message.

use freedompay_sandbox::{SIGNATURE_DEBUGGER_PATH, Sandbox};
use serde_json::{Value, json};

async fn post(url: &str, body: String) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the debugger answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn the_page_is_self_contained_and_every_input_is_answered() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let url = format!("{}{SIGNATURE_DEBUGGER_PATH}", sandbox.base_url());
    let page = reqwest::get(&url).await.expect("the page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("HTML");
    assert!(html.contains("<h1>Signature debugger</h1>"), "{html}");
    for outside in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "@import",
    ] {
        assert!(!html.contains(outside), "the page loads {outside}…");
    }

    // The documented XML vector (merchant-api.md §1.3, Platron's page).
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><request><pg_salt>9imM909TH820jwk387</pg_salt>\
               <pg_t_param>value3</pg_t_param><pg_a_param>value1</pg_a_param><pg_z_param>\
               <pg_q_subparam>subvalue2</pg_q_subparam><pg_m_subparam>subvalue1</pg_m_subparam>\
               </pg_z_param><pg_b_param>value2</pg_b_param>\
               <pg_sig>a8a4d5a9188f24038a14a4d65c387bf7</pg_sig></request>";
    let (status, answer) = post(
        &url,
        json!({"request": xml, "called": "http://domain.com/path/to/script.php", "key": "mypasskey"})
            .to_string(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["verdict"], "matches", "{answer}");
    assert_eq!(answer["format"], "XML document");
    assert_eq!(
        answer["string_to_sign"],
        "script.php;value1;value2;9imM909TH820jwk387;value3;subvalue1;subvalue2;<secret key>"
    );
    assert_eq!(answer["steps"][4]["name"], "pg_z_param[pg_m_subparam]");
    assert_eq!(
        answer["steps"][4]["sort_key"],
        "pg_z_param004pg_m_subparam002"
    );

    // The documented Card API vector (card-api.md §2.1, HS512).
    let (status, answer) = post(
        &url,
        json!({
            "request": r#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca"}"#,
            "jws": "X-JWS-Signature: eyJ1cmkiOiIvdjUvY2FyZC1hcGkvcmVxdWVzdC9zdGF0dXMiLCJhdXRoX2lkIjoiMTIzNDU2IiwibWV0aG9kIjoiUE9TVCIsInBhcmFtcyI6IiIsImFsZyI6IkhTNTEyIn0..f1sQoeIpX_ZjOaykQzSeylvvKaVrEQV4gNM2ACFbEMkFDUV9Zk5WO1yQGEWez-vnQMVHodLBDVEyh5Xm2-3MjQ",
            "key": "secret",
        })
        .to_string(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["matches"], true, "{answer}");
    assert_eq!(answer["alg"], "HS512");

    // Broken input: 400 with a message, never a 5xx, never the key.
    for body in [
        String::new(),
        "not json".to_owned(),
        "[]".to_owned(),
        json!({"request": "a=1"}).to_string(),
        json!({"request": "<request><a>", "called": "x", "key": "k-CANARY"}).to_string(),
        json!({"request": "<a\"b>", "called": "x", "key": "k-CANARY"}).to_string(),
        json!({"request": "hello", "called": "x", "key": "k-CANARY"}).to_string(),
        json!({"request": "{", "key": "k-CANARY", "jws": "a.b"}).to_string(),
        json!({"request": "{}", "key": "k-CANARY", "jws": "e30..x"}).to_string(),
        json!({"request": "{}", "key": "k-CANARY", "jws": "eyJhbGciOiJub25lIn0..x"}).to_string(),
        json!({"request": "a[b][c]=1&pg_xml=<r", "called": "x", "key": "k-CANARY"}).to_string(),
        json!({"request": {"a": 1}, "key": "k-CANARY"}).to_string(),
    ] {
        let (status, answer) = post(&url, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(!error.is_empty(), "{body}: {answer}");
        assert!(!answer.to_string().contains("k-CANARY"), "{body}: {answer}");
    }
    // A body past the sandbox's limit: refused before it is read.
    let (status, _) = post(&url, "x".repeat(freedompay_sandbox::MAX_REQUEST_BYTES + 1)).await;
    assert_eq!(status, 413);
    sandbox.shutdown().await;
}
