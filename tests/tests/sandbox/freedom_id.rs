//! Freedom ID, the Partner API's identity provider: its calls carry a JSON
//! body and HTTP Basic client credentials (no JWS, no request id), go to
//! Freedom ID's own host, and are refused in Freedom ID's error envelope.

use freedompay::hosts::{Server, Site};
use freedompay::json::JsonError;
use freedompay::partner::freedom_id::{PartnerFreedomIdLinkRequest, PartnerFreedomIdTokenRequest};
use freedompay::{Client, Config, Error, Host};
use serde_json::{Value, json};

use super::harness::{MERCHANT, SECRET, client, sandbox};

fn link_request() -> PartnerFreedomIdLinkRequest {
    serde_json::from_value(json!({
        "redirect_uri": "https://example.com/login",
        "grants": ["read.email", "read.phone", "openid"],
    }))
    .expect("the documented shape")
}

/// A client that does not follow redirects, to see where the login pages send the browser.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Opens `url` in the "browser" and returns where it is sent back to.
async fn sent_back(url: &str) -> String {
    let response = browser().get(url).send().await.expect("opened");
    assert_eq!(response.status().as_u16(), 303, "{url}");
    response.headers()["location"]
        .to_str()
        .expect("a location")
        .to_owned()
}

/// The value of `name` in the query of `url`.
fn query_value(url: &str, name: &str) -> String {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    freedompay::form::decode(query)
        .get_text(name)
        .unwrap_or_else(|| panic!("no {name} in {url}"))
        .to_owned()
}

fn token_request(code: &str) -> PartnerFreedomIdTokenRequest {
    serde_json::from_value(json!({ "authorization_code": code })).expect("the documented shape")
}

/// The documented refusal of an authorization code that is not valid.
fn assert_invalid_code(error: &Error) {
    let Error::Json(JsonError::Gateway(refusal)) = error else {
        panic!("not Freedom ID's refusal: {error}");
    };
    assert_eq!(refusal.code.as_deref(), Some("100101"), "{refusal}");
    assert_eq!(
        refusal.description.as_deref(),
        Some("Invalid authorization_code."),
        "{refusal}"
    );
}

#[tokio::test]
async fn oauth2_link_login_and_token_exchange() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let link = client
        .partner_freedom_id()
        .link(&link_request())
        .await
        .expect("a login link");
    let login = link.redirect_uri.expect("the login page");
    assert!(login.starts_with(sandbox.base_url()), "{login}");
    assert!(
        login.contains("track_id=") && login.contains("expire_at="),
        "{login}"
    );

    // The user logs in and comes back with a code appended to redirect_uri.
    let back = sent_back(&login).await;
    assert!(
        back.starts_with("https://example.com/login?authorization_code="),
        "{back}"
    );
    let code = query_value(&back, "authorization_code");
    // The login link works once.
    let again = browser().get(&login).send().await.expect("opened");
    assert_eq!(again.status().as_u16(), 404);

    let tokens = client
        .partner_freedom_id()
        .token(&token_request(&code))
        .await
        .expect("tokens");
    let access = tokens.access_token.expect("an access token");
    assert_eq!(access.len(), 128);
    assert!(tokens.refresh_token.is_some());
    assert!(tokens.access_expire_at.is_some() && tokens.refresh_expire_at.is_some());
    // A code is exchanged once.
    let reused = client
        .partner_freedom_id()
        .token(&token_request(&code))
        .await
        .expect_err("a used code");
    assert_invalid_code(&reused);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn openid_connect_authorization_and_token_exchange() {
    use base64::Engine as _;
    use freedompay::partner::freedom_id::{
        PartnerFreedomIdOidcAuthorizeRequest, PartnerFreedomIdOidcTokenRequest,
    };
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let authorize: PartnerFreedomIdOidcAuthorizeRequest =
        freedompay::Decode::decode(&freedompay::form::decode(&format!(
            "scope=openid+read.profile&state=PUJNUsZq4YTXLsgNSurd4brpcE3JumGF&response_type=code\
             &client_id={MERCHANT}&redirect_uri=https%3A%2F%2Fexample.com%2Flogin\
             &nonce=LzfMhpRWU5Dzwy7vHvlTHmq5sEiYBXMb"
        )))
        .expect("the documented query");
    let url = client
        .partner_freedom_id()
        .oidc_authorize(&authorize)
        .expect("a URL");
    assert!(
        url.starts_with(&format!("{}/openid?", sandbox.base_url())),
        "{url}"
    );
    assert!(
        !url.contains("pg_sig") && !url.contains("pg_merchant_id"),
        "{url}"
    );

    let back = sent_back(&url).await;
    assert_eq!(
        query_value(&back, "state"),
        "PUJNUsZq4YTXLsgNSurd4brpcE3JumGF"
    );
    let code = query_value(&back, "code");
    let exchange = |code: &str, redirect_uri: &str| -> PartnerFreedomIdOidcTokenRequest {
        serde_json::from_value(json!({
            "code": code,
            "redirect_uri": redirect_uri,
            "grant_type": "authorization_code",
        }))
        .expect("the documented shape")
    };
    // Another redirect_uri than the authorization's: refused, and the code is spent.
    let elsewhere = client
        .partner_freedom_id()
        .oidc_token(&exchange(&code, "https://evil.example/"))
        .await
        .expect_err("another redirect_uri");
    assert_invalid_code(&elsewhere);

    let back = sent_back(&url).await;
    let code = query_value(&back, "code");
    let tokens = client
        .partner_freedom_id()
        .oidc_token(&exchange(&code, "https://example.com/login"))
        .await
        .expect("tokens");
    assert_eq!(tokens.access_token.len(), 128);
    assert!(tokens.expires_in > 0);
    // The ID token: HS256 with the client secret, the request's nonce inside.
    let parts: Vec<&str> = tokens.id_token.split('.').collect();
    assert_eq!(parts.len(), 3, "{}", tokens.id_token);
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims: Value =
        serde_json::from_slice(&engine.decode(parts[1]).expect("base64url")).expect("claims");
    assert_eq!(claims["nonce"], "LzfMhpRWU5Dzwy7vHvlTHmq5sEiYBXMb");
    assert_eq!(claims["aud"], MERCHANT);
    let key = hmac_sha256(
        SECRET.as_bytes(),
        format!("{}.{}", parts[0], parts[1]).as_bytes(),
    );
    assert_eq!(engine.encode(key), parts[2], "the ID token's signature");
    sandbox.shutdown().await;
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Freedom ID's documented examples, sent as they are: the link is answered;
/// the token exchanges carry codes no login issued and get the documented
/// refusal, which is also the token page's `invalid-code` example.
#[tokio::test]
async fn freedom_ids_examples_are_answered_or_refused_as_documented() {
    use crate::support::{examples, spec};
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut sent = 0;
    for endpoint in spec().json_endpoints() {
        if endpoint.server != codegen::spec::Server::FreedomId {
            continue;
        }
        for example in &endpoint.examples {
            let body =
                serde_json::to_vec(example.body.as_ref().expect("a JSON body")).expect("JSON");
            let answer = examples::json_send(&client, &endpoint.id, &body)
                .await
                .expect("generated");
            match endpoint.id.as_str() {
                "partner_freedom_id_link" => {
                    answer.unwrap_or_else(|e| panic!("{}: {e}", endpoint.id));
                }
                _ => {
                    let refused = answer.expect_err("a code no login issued");
                    assert!(refused.contains("Invalid authorization_code."), "{refused}");
                }
            }
            sent += 1;
        }
    }
    assert!(sent >= 4, "Freedom ID's examples: {sent}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn without_client_credentials_nothing_is_sent() {
    let sandbox = sandbox().await;
    let client = Client::new(Config::new(MERCHANT, SECRET).host(sandbox.host())).expect("client");
    let error = client
        .partner_freedom_id()
        .link(&link_request())
        .await
        .expect_err("no credentials");
    assert!(
        matches!(
            error,
            Error::NoFreedomIdCredentials {
                endpoint: "partner_freedom_id_link"
            }
        ),
        "{error}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn wrong_client_credentials_are_refused_in_freedom_ids_envelope() {
    let sandbox = sandbox().await;
    let config = Config::new(MERCHANT, SECRET)
        .host(sandbox.host())
        .freedom_id_credentials(MERCHANT, "not-the-secret");
    let client = Client::new(config).expect("client");
    let error = client
        .partner_freedom_id()
        .link(&link_request())
        .await
        .expect_err("wrong secret");
    let Error::Json(JsonError::Gateway(refusal)) = &error else {
        panic!("not Freedom ID's refusal: {error}");
    };
    assert!(
        refusal
            .description
            .as_deref()
            .is_some_and(|d| d.contains("Client authentication failed")),
        "{refusal}"
    );
    assert!(!error.to_string().contains("not-the-secret"));
    sandbox.shutdown().await;
}

/// A raw request to Freedom ID's token path with `authorization`.
async fn raw(base: &str, authorization: Option<&str>, body: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/api/v1/oauth/token"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).expect("a JSON answer"))
}

#[tokio::test]
async fn the_sandbox_checks_basic_credentials_and_the_body() {
    use base64::Engine as _;
    let sandbox = sandbox().await;
    let base = sandbox.base_url();
    let basic = |pair: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    };
    let body = r#"{"authorization_code":"your_authorization_code"}"#;
    let good = basic(&format!("{MERCHANT}:{SECRET}"));
    // Good credentials: the client is known, and the code (which no login
    // issued) is refused as the documentation shows.
    let (status, answer) = raw(base, Some(&good), body).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer,
        json!({"error": {"message": "Invalid authorization_code.", "code": 100101}})
    );
    // The kz page's curl sends empty credentials (`Basic Og==`): refused,
    // like none at all, a wrong secret, an unknown client or another scheme.
    for authorization in [
        Some("Basic Og==".to_owned()),
        None,
        Some(basic(&format!("{MERCHANT}:wrong"))),
        Some(basic(&format!("stranger:{SECRET}"))),
        Some(format!("Bearer {SECRET}")),
        Some("Basic !!not-base64!!".to_owned()),
    ] {
        let (status, answer) = raw(base, authorization.as_deref(), body).await;
        assert_eq!(status, 401, "{authorization:?}: {answer}");
        assert!(answer["error"]["message"].is_string(), "{answer}");
    }
    // A body that is not the documented JSON: Freedom ID's validation envelope.
    let (status, answer) = raw(base, Some(&good), "[1,2]").await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"]["message"], "Error validating transmitted data.",
        "{answer}"
    );
    assert!(answer["error"]["errors"].is_object(), "{answer}");
    sandbox.shutdown().await;
}

#[test]
fn freedom_id_goes_to_its_own_host() {
    assert_eq!(
        Host::Production(Site::Kz).base_url_of(Server::FreedomId),
        Some("https://passport.freedompay.kz".to_owned())
    );
    // Not documented for another site or a test host.
    assert_eq!(
        Host::Production(Site::Kg).base_url_of(Server::FreedomId),
        None
    );
    assert_eq!(Host::Test(Site::Kz).base_url_of(Server::FreedomId), None);
    // A custom host (a sandbox, a proxy) serves every service.
    let custom = Host::Custom("http://127.0.0.1:9/".to_owned());
    assert_eq!(
        custom.base_url_of(Server::FreedomId),
        Some("http://127.0.0.1:9".to_owned())
    );
    // The prepared request says where it goes; Debug hides the secret.
    let client = Client::new(
        Config::new(MERCHANT, SECRET)
            .host(Host::Test(Site::Kz))
            .freedom_id_credentials("client-1", "very-secret-value"),
    )
    .expect("client");
    let prepared = client.prepare_json(&link_request()).expect("prepared");
    assert_eq!(prepared.server, Server::FreedomId);
    assert_eq!(prepared.request_id, None);
    assert!(prepared.signature().is_none());
    for shown in [format!("{prepared:?}"), format!("{client:?}")] {
        assert!(!shown.contains("very-secret-value"), "{shown}");
    }
}

#[tokio::test]
async fn a_test_host_without_freedom_id_is_a_clear_error() {
    let client = Client::new(
        Config::new(MERCHANT, SECRET)
            .host(Host::Test(Site::Kz))
            .freedom_id_credentials("client-1", "secret"),
    )
    .expect("client");
    let error = client
        .partner_freedom_id()
        .token(
            &serde_json::from_value::<PartnerFreedomIdTokenRequest>(json!({}))
                .expect("no field is required"),
        )
        .await
        .expect_err("no Freedom ID test host");
    assert!(matches!(error, Error::NoFreedomIdHost(_)), "{error}");
    // Configured explicitly, it is used.
    let client = Client::new(
        Config::new(MERCHANT, SECRET)
            .host(Host::Test(Site::Kz))
            .freedom_id_host(Host::Custom("http://127.0.0.1:9".to_owned()))
            .freedom_id_credentials("client-1", "secret"),
    )
    .expect("client");
    let error = client
        .partner_freedom_id()
        .token(
            &serde_json::from_value::<PartnerFreedomIdTokenRequest>(json!({}))
                .expect("no field is required"),
        )
        .await
        .expect_err("nothing listens there");
    assert!(!matches!(error, Error::NoFreedomIdHost(_)), "{error}");
}

/// A Freedom ID client configured on its own (`--freedom-id`): its
/// credentials authenticate Freedom ID's calls, and the documented OIDC
/// authorization URL (whose `client_id` it is) logs the user in.
#[tokio::test]
async fn a_configured_freedom_id_client_runs_the_documented_oidc_example() {
    use freedompay_sandbox::{ApiFamily, ApiUser, Merchant, Sandbox};
    const CLIENT_ID: &str = "c388f3cd-7722-4040-9bb2-94b0a05093aa";
    const CLIENT_SECRET: &str = "Client-Secret-5";
    let sandbox = Sandbox::builder()
        .merchant(Merchant::new(MERCHANT, SECRET))
        .api_user(ApiUser::new(ApiFamily::FreedomId, CLIENT_ID, CLIENT_SECRET))
        .start()
        .await
        .expect("sandbox");
    let client = Client::new(
        Config::new(MERCHANT, SECRET)
            .host(sandbox.host())
            .freedom_id_credentials(CLIENT_ID, CLIENT_SECRET),
    )
    .expect("client");
    // The kz page's curl URL, on the sandbox's host.
    let documented = "scope=openid read.profile&state=PUJNUsZq4YTXLsgNSurd4brpcE3JumGF&response_type=code&client_id=c388f3cd-7722-4040-9bb2-94b0a05093aa&redirect_uri=https://example.com/login&nonce=LzfMhpRWU5Dzwy7vHvlTHmq5sEiYBXMb";
    let back = sent_back(&format!("{}/openid?{documented}", sandbox.base_url())).await;
    let code = query_value(&back, "code");
    let tokens = client
        .partner_freedom_id()
        .oidc_token(
            &serde_json::from_value(json!({
                "code": code,
                "redirect_uri": "https://example.com/login",
                "grant_type": "authorization_code",
            }))
            .expect("the documented shape"),
        )
        .await
        .expect("tokens");
    assert_eq!(tokens.token_type, "Bearer");
    // The merchant's own key is not this client's secret.
    let stranger = Client::new(
        Config::new(MERCHANT, SECRET)
            .host(sandbox.host())
            .freedom_id_credentials(CLIENT_ID, SECRET),
    )
    .expect("client");
    let refused = stranger
        .partner_freedom_id()
        .link(&link_request())
        .await
        .expect_err("a wrong secret");
    assert!(
        matches!(refused, Error::Json(JsonError::Gateway(_))),
        "{refused}"
    );
    sandbox.shutdown().await;
}
