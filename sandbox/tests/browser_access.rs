//! What a browser sees: the home page, and CORS for pages served from the
//! loopback interface only (the docs site's "Try it out").

use freedompay_sandbox::{ApiFamily, ApiUser, Merchant, Sandbox};
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
    CONTENT_TYPE, ORIGIN,
};

const LOOPBACK_ORIGINS: [&str; 3] = [
    "http://localhost:4173",
    "http://127.0.0.1:5173",
    "http://[::1]:8000",
];
const FOREIGN_ORIGINS: [&str; 3] = [
    "https://example.com",
    "http://localhost.example.com:4173",
    "https://127.0.0.1:4173",
];

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("ASCII").to_owned())
}

#[tokio::test]
async fn the_home_page_names_the_merchants_and_the_pages_never_a_key() {
    let sandbox = Sandbox::builder()
        .merchant(Merchant::new("545084", "merchant-key-1"))
        .merchant(Merchant::new("545085", "merchant-key-2").with_payout_secret("payout-key-2"))
        .api_user(ApiUser::new(ApiFamily::Card, "card-user", "card-key"))
        .start()
        .await
        .expect("started");
    let response = reqwest::get(format!("{}/", sandbox.base_url()))
        .await
        .expect("answered");
    assert_eq!(response.status(), 200);
    assert!(
        header(&response, CONTENT_TYPE)
            .expect("a content type")
            .starts_with("text/html")
    );
    let page = response.text().await.expect("text");
    assert!(page.contains("<h1>Freedom Pay sandbox</h1>"), "{page}");
    assert!(page.contains(sandbox.base_url()), "{page}");
    for id in ["545084", "545085", "card-user"] {
        assert!(page.contains(&format!("<code>{id}</code>")), "{id}: {page}");
    }
    assert!(page.contains(r#"href="/debug/signature""#), "{page}");
    assert!(page.contains("init_payment.php"), "{page}");
    for key in [
        "merchant-key-1",
        "merchant-key-2",
        "payout-key-2",
        "card-key",
    ] {
        assert!(!page.contains(key), "the page shows a key");
    }

    // Only GET is the page: another method at `/` is the gateway's answer.
    let post = reqwest::Client::new()
        .post(format!("{}/", sandbox.base_url()))
        .send()
        .await
        .expect("answered");
    assert_eq!(post.status(), 404);
}

#[tokio::test]
async fn the_default_merchant_is_on_the_home_page() {
    let sandbox = Sandbox::start().await.expect("started");
    let page = reqwest::get(format!("{}/", sandbox.base_url()))
        .await
        .expect("answered")
        .text()
        .await
        .expect("text");
    assert!(page.contains("<code>12345</code>"), "{page}");
    assert!(!page.contains("mysecret"), "the page shows the key");
    assert!(!page.contains(r#"id="api-users""#), "{page}");
}

async fn preflight(base: &str, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{base}/v5/card-api/request/status"),
        )
        .header(ORIGIN, origin)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type,x-jws-signature,x-request-id",
        )
        .send()
        .await
        .expect("answered")
}

async fn simple(base: &str, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/get_status3.php"))
        .header(ORIGIN, origin)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("pg_merchant_id=12345&pg_payment_id=1&pg_salt=s&pg_sig=wrong")
        .send()
        .await
        .expect("answered")
}

#[tokio::test]
async fn pages_served_from_loopback_may_call_the_sandbox() {
    let sandbox = Sandbox::start().await.expect("started");
    let base = sandbox.base_url();
    for origin in LOOPBACK_ORIGINS {
        let answer = preflight(base, origin).await;
        assert!(
            answer.status().is_success(),
            "{origin}: {}",
            answer.status()
        );
        assert_eq!(
            header(&answer, ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
            Some(origin)
        );
        let methods = header(&answer, ACCESS_CONTROL_ALLOW_METHODS).expect("methods");
        assert!(
            methods.contains("POST") && methods.contains("GET"),
            "{methods}"
        );
        let headers = header(&answer, ACCESS_CONTROL_ALLOW_HEADERS)
            .expect("headers")
            .to_ascii_lowercase();
        for name in [
            "content-type",
            "x-jws-signature",
            "x-request-id",
            "x-action",
            "authorization",
        ] {
            assert!(headers.contains(name), "{origin}: {name} not in {headers}");
        }

        let answer = simple(base, origin).await;
        assert_eq!(answer.status(), 200);
        assert_eq!(
            header(&answer, ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
            Some(origin)
        );
        assert!(
            header(&answer, ACCESS_CONTROL_EXPOSE_HEADERS)
                .expect("exposed")
                .contains("x-request-id")
        );
        // The request itself is the gateway's as ever: a wrong signature.
        let body = answer.text().await.expect("text");
        assert!(
            body.contains("<pg_error_code>1100</pg_error_code>"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn other_origins_get_no_cors_headers() {
    let sandbox = Sandbox::start().await.expect("started");
    let base = sandbox.base_url();
    for origin in FOREIGN_ORIGINS {
        let answer = preflight(base, origin).await;
        for name in [
            ACCESS_CONTROL_ALLOW_ORIGIN,
            ACCESS_CONTROL_ALLOW_METHODS,
            ACCESS_CONTROL_ALLOW_HEADERS,
        ] {
            assert_eq!(header(&answer, name.clone()), None, "{origin}: {name}");
        }
        let answer = simple(base, origin).await;
        assert_eq!(
            header(&answer, ACCESS_CONTROL_ALLOW_ORIGIN),
            None,
            "{origin}"
        );
        assert_eq!(
            header(&answer, ACCESS_CONTROL_EXPOSE_HEADERS),
            None,
            "{origin}"
        );
    }
    // Without an Origin header (a server, curl) nothing changes either.
    let answer = reqwest::get(format!("{base}/")).await.expect("answered");
    assert_eq!(header(&answer, ACCESS_CONTROL_ALLOW_ORIGIN), None);
}
