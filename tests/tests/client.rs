//! The client against a local HTTP server started inside each test.
//!
//! Each test binds an axum server to `127.0.0.1:0`, points the client at it
//! with `Host::Custom`, and checks both directions: the exact form the client
//! sends (order, salt, signature over what was received) and how each kind of
//! answer (signed, unsigned, forged, malformed, too large, too slow, HTTP
//! error) comes back. Every server records what it received and counts
//! requests, and is stopped when its test ends.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use freedompay::enums::{Currency, Language, MobileOperator, ResponseStatus};
use freedompay::merchant::mobile_balance::{MobileBalancePayRequest, MobileBalancePayStatus};
use freedompay::merchant::page::{InitPaymentRequest, InitPaymentResponse, ReceiptPosition};
use freedompay::merchant::payout::{CardPayoutRequest, CardPayoutRequestRequired};
use freedompay::signature::{self, SignatureError};
use freedompay::{
    Amount, Client, Config, DecodeError, Error, GatewayError, Host, MAX_RESPONSE_BYTES, Params,
    ResponseError, Rule, SecretKey, Value, form, xml,
};

const MERCHANT_ID: &str = "545084";
/// The main secret key; distinctive, so a leak is found by a substring search.
const SECRET: &str = "Main-Secret-7f3Kq";
/// The payout secret key.
const PAYOUT_SECRET: &str = "Payout-Secret-9xWz";
const INIT_SCRIPT: &str = "init_payment.php";

// ---------------------------------------------------------------------------
// The local server
// ---------------------------------------------------------------------------

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Captured {
    method: String,
    path: String,
    query: Option<String>,
    content_type: Option<String>,
    body: String,
}

/// What the server answers.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    body: Vec<u8>,
    /// Waits this long before answering.
    delay: Duration,
}

impl Reply {
    fn ok(body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status: 200,
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    fn status(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Responder = dyn Fn(&Captured) -> Reply + Send + Sync;

struct Shared {
    count: AtomicUsize,
    received: Mutex<Vec<Captured>>,
    respond: Box<Responder>,
}

/// A server on 127.0.0.1 that records every request; stopped on drop.
struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Server {
    /// Starts a server that answers every request with `respond(request)`.
    async fn start(respond: impl Fn(&Captured) -> Reply + Send + Sync + 'static) -> Server {
        let shared = Arc::new(Shared {
            count: AtomicUsize::new(0),
            received: Mutex::new(Vec::new()),
            respond: Box::new(respond),
        });
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        assert!(
            addr.ip().is_loopback(),
            "the server listens on loopback only"
        );
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Server { addr, shared, task }
    }

    /// Starts a server that always answers `reply`.
    async fn answering(reply: Reply) -> Server {
        Server::start(move |_| reply.clone()).await
    }

    fn host(&self) -> Host {
        Host::Custom(format!("http://{}", self.addr))
    }

    fn config(&self) -> Config {
        Config::new(MERCHANT_ID, SECRET).host(self.host())
    }

    fn client(&self) -> Client {
        Client::new(self.config()).expect("client")
    }

    fn count(&self) -> usize {
        self.shared.count.load(Ordering::SeqCst)
    }

    fn received(&self) -> Vec<Captured> {
        self.shared.received.lock().expect("lock").clone()
    }

    /// The only request received.
    fn single(&self) -> Captured {
        let received = self.received();
        assert_eq!(received.len(), 1, "expected exactly one request");
        received.into_iter().next().expect("one request")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    shared.count.fetch_add(1, Ordering::SeqCst);
    let captured = Captured {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let reply = (shared.respond)(&captured);
    shared.received.lock().expect("lock").push(captured);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let status = StatusCode::from_u16(reply.status).expect("status");
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        reply.body,
    )
        .into_response()
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn key(secret: &str) -> SecretKey {
    SecretKey::new(secret)
}

fn amount(text: &str) -> Amount {
    text.parse().expect("amount")
}

/// Top-level text parameters, in order.
fn flat(pairs: &[(&str, &str)]) -> Params {
    pairs.iter().map(|&(name, value)| (name, value)).collect()
}

/// The names of the top-level parameters, in order.
fn names(params: &Params) -> Vec<&str> {
    params.iter().map(|(name, _)| name).collect()
}

/// `params` with `pg_salt` and `pg_sig` appended, signed for `script` with `secret`.
fn signed(script: &str, secret: &str, mut params: Params, salt: &str) -> Params {
    params.push("pg_salt", salt);
    let sig = signature::sign(script, &params, &key(secret));
    params.push("pg_sig", sig);
    params
}

/// A signed `<response>` document.
fn signed_xml(script: &str, secret: &str, params: Params) -> String {
    xml::write(
        "response",
        &signed(script, secret, params, "rEsPoNsEsAlT0001"),
    )
}

/// The fields of a successful init_payment answer.
fn init_ok_fields() -> Params {
    flat(&[
        ("pg_status", "ok"),
        ("pg_payment_id", "4567788"),
        (
            "pg_redirect_url",
            "https://customer.freedompay.kz/pay.html?customer=498a3c6b4c5bb2a6b4a4a8e1",
        ),
        ("pg_redirect_url_type", "need data"),
    ])
}

/// A correctly signed successful init_payment answer.
fn init_ok_xml() -> String {
    signed_xml(INIT_SCRIPT, SECRET, init_ok_fields())
}

fn init_request() -> InitPaymentRequest {
    InitPaymentRequest::new(amount("25.50"), "Ticket to Almaty")
        .order_id("23")
        .currency(Currency::Kzt)
        .testing_mode(true)
        .language(Language::Ru)
        .user_contact_email("buyer@example.kz")
        .result_url("https://shop.example.kz/freedompay/result")
        .param1("first")
        .with_extra("order_ref", "A-17")
}

fn is_salt(salt: &str) -> bool {
    salt.len() == 16 && salt.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Asserts that neither `Display` nor `Debug` of `error` shows a secret key.
fn assert_no_secret(error: &Error) {
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ] {
        assert!(!text.contains(SECRET), "error shows the secret key: {text}");
        assert!(
            !text.contains(PAYOUT_SECRET),
            "error shows the payout key: {text}"
        );
    }
}

/// Sends an init_payment request to a server answering `reply`; returns the
/// error and the server (for its request count).
async fn init_error(reply: Reply) -> (Error, Server) {
    let server = Server::answering(reply).await;
    let result = server.client().send(&init_request()).await;
    let error = result.expect_err("the answer must not be accepted");
    assert_no_secret(&error);
    (error, server)
}

fn response_error(error: Error) -> ResponseError {
    match error {
        Error::Response(inner) => inner,
        other => panic!("expected Error::Response, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// The form the client sends
// ---------------------------------------------------------------------------

/// A Gateway card payment: the documented example card, CVC `653`, 12/31.
fn gateway_card_payment(pan: &str) -> freedompay::gateway::payments::G2gCardPaymentRequest {
    use freedompay::gateway::payments::{G2gCardPaymentRequest, G2gCardPaymentRequestRequired};
    G2gCardPaymentRequest::new(G2gCardPaymentRequestRequired {
        order_id: "123".to_owned(),
        amount: amount("10"),
        description: "Payment description".to_owned(),
        card_pan: pan.into(),
        card_cvc: "653".into(),
        card_year: "31".into(),
        card_month: "12".into(),
        card_name: "TEST TESTOV".into(),
    })
}

/// Card data never shows: the number keeps its first six and last four
/// digits, the CVC, expiry and cardholder nothing, in `Debug`, `Display` and
/// the prepared request; a number whose Luhn digit is wrong is refused before
/// anything is sent, without being named.
#[tokio::test]
async fn card_data_is_masked_everywhere_and_checked_before_sending() {
    let server = Server::answering(Reply::ok(init_ok_xml())).await;
    let client = server.client();
    let request = gateway_card_payment("4405645000006150");
    assert_eq!(request.card_pan.to_string(), "440564******6150");
    assert_eq!(request.card_cvc.to_string(), "***");
    let prepared = client.prepare(&request).expect("valid");
    // The random salt and the signature may hold `653` by chance: they are
    // left out of what is searched.
    let random: Vec<&str> = ["pg_salt", "pg_sig"]
        .iter()
        .filter_map(|name| prepared.params.get_text(name))
        .collect();
    for shown in [
        format!("{request:?}"),
        format!("{request:#?}"),
        format!("{prepared:?}"),
        format!("{} {}", request.card_pan, request.card_name),
    ] {
        let shown = random
            .iter()
            .fold(shown, |shown, value| shown.replace(value, "<random>"));
        assert!(!shown.contains("4405645000006150"), "{shown}");
        assert!(
            !shown.contains("653") && !shown.contains("TESTOV"),
            "{shown}"
        );
    }
    // The wire carries the card as it is.
    assert_eq!(
        prepared.params.get_text("pg_card_pan"),
        Some("4405645000006150")
    );

    // One digit off: the Luhn check refuses it, and the error does not name it.
    let error = client
        .send(&gateway_card_payment("4405645000006151"))
        .await
        .expect_err("a wrong check digit");
    let Error::Invalid(errors) = &error else {
        panic!("not a validation error: {error}");
    };
    assert!(
        errors
            .iter()
            .any(|e| e.field == "pg_card_pan" && e.rule == freedompay::Rule::Format),
        "{errors}"
    );
    assert!(!error.to_string().contains("4405645000006151"), "{error}");
    assert_eq!(server.count(), 0, "nothing was sent");

    // A JSON request's card data: the prepared body's `Debug` hides it too.
    let create: freedompay::gateway::async_payments::AsyncPaymentCreateRequest =
        serde_json::from_value(serde_json::json!({
            "amount": 123.42,
            "from": {"type": "card", "card": {
                "name": "CARD HOLDER", "pan": "4405645000006150", "cvc": "012", "year": 24, "month": 1
            }}
        }))
        .expect("the documented shape");
    let prepared = client.prepare_json(&create).expect("valid");
    let shown = format!("{prepared:?} {create:?}");
    for secret in ["4405645000006150", "\"012\"", "CARD HOLDER"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

/// The parts of a `multipart/form-data` body, as `(name, value)` in order.
fn multipart_parts(content_type: &str, body: &str) -> Vec<(String, String)> {
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a boundary")
        .trim_matches('"');
    body.split(&format!("--{boundary}"))
        .filter_map(|part| {
            let (head, value) = part.split_once("\r\n\r\n")?;
            let name = head.split("name=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), value.trim_end_matches("\r\n").to_owned()))
        })
        .collect()
}

/// A Gateway endpoint the documentation sends as `multipart/form-data`:
/// the same signed parameters, in order, one part each.
#[tokio::test]
async fn a_multipart_endpoint_sends_its_signed_parameters_as_parts() {
    use freedompay::gateway::payments::{G2gPaymentStatusRequest, G2gPaymentStatusResponse};
    let answer = Params::new()
        .with("pg_status", "ok")
        .with("pg_payment_id", "1427057029")
        .with("pg_order_id", "2343253465454")
        .with("pg_currency", "KZT")
        .with("pg_payment_status", "success")
        .with("pg_amount", "1030");
    let server = Server::answering(Reply::ok(signed_xml("status_v2", SECRET, answer))).await;
    let client = server.client();
    let request = G2gPaymentStatusRequest::new(1_427_057_029, "2343253465454");
    let prepared = client.prepare(&request).expect("valid");
    assert!(prepared.multipart);
    let answer: freedompay::Response<G2gPaymentStatusResponse> = client
        .send_prepared::<G2gPaymentStatusRequest>(&prepared)
        .await
        .expect("answered");
    assert_eq!(answer.data().payment_id, 1_427_057_029);

    let received = server.single();
    assert_eq!(received.path, "/g2g/status_v2");
    let content_type = received.content_type.expect("a content type");
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let parts = multipart_parts(&content_type, &received.body);
    assert_eq!(parts, form::to_pairs(&prepared.params));
    let params = form::from_pairs(parts);
    assert_eq!(
        signature::verify("status_v2", &params, &key(SECRET)),
        Ok(()),
        "the parts carry the signed parameters"
    );
}

#[tokio::test]
async fn sends_the_signed_form_in_order() {
    let server = Server::answering(Reply::ok(init_ok_xml())).await;
    let client = server.client();

    client.send(&init_request()).await.expect("accepted");

    let request = server.single();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/init_payment.php");
    assert_eq!(request.query, None, "a POST carries nothing in the query");
    assert_eq!(
        request.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );

    let received = form::decode(&request.body);
    assert_eq!(
        names(&received),
        [
            "pg_merchant_id",
            "pg_order_id",
            "pg_amount",
            "pg_currency",
            "pg_description",
            "pg_testing_mode",
            "pg_language",
            "pg_user_contact_email",
            "pg_result_url",
            "pg_param1",
            "order_ref",
            "pg_salt",
            "pg_sig",
        ]
    );
    let salt = received.get_text("pg_salt").expect("pg_salt").to_owned();
    let sig = received.get_text("pg_sig").expect("pg_sig").to_owned();
    let expected = flat(&[
        ("pg_merchant_id", MERCHANT_ID),
        ("pg_order_id", "23"),
        ("pg_amount", "25.5"),
        ("pg_currency", "KZT"),
        ("pg_description", "Ticket to Almaty"),
        ("pg_testing_mode", "1"),
        ("pg_language", "ru"),
        ("pg_user_contact_email", "buyer@example.kz"),
        ("pg_result_url", "https://shop.example.kz/freedompay/result"),
        ("pg_param1", "first"),
        ("order_ref", "A-17"),
        ("pg_salt", salt.as_str()),
        ("pg_sig", sig.as_str()),
    ]);
    assert_eq!(received, expected);

    assert!(is_salt(&salt), "salt must be 16 alphanumerics: {salt:?}");
    assert_eq!(
        sig,
        signature::sign(INIT_SCRIPT, &received, &key(SECRET)),
        "pg_sig must sign exactly what was received"
    );
    assert_eq!(
        signature::verify(INIT_SCRIPT, &received, &key(PAYOUT_SECRET)),
        Err(SignatureError::Mismatch),
        "the signature depends on the key"
    );
}

#[tokio::test]
async fn every_send_draws_a_new_salt() {
    let server = Server::answering(Reply::ok(init_ok_xml())).await;
    let client = server.client();
    let request = init_request();

    client.send(&request).await.expect("first send");
    client.send(&request).await.expect("second send");

    let received = server.received();
    assert_eq!(received.len(), 2);
    let first = form::decode(&received[0].body);
    let second = form::decode(&received[1].body);
    let (salt1, salt2) = (
        first.get_text("pg_salt").expect("salt"),
        second.get_text("pg_salt").expect("salt"),
    );
    assert!(is_salt(salt1) && is_salt(salt2), "{salt1:?} {salt2:?}");
    assert_ne!(salt1, salt2, "two sends must not share a salt");
    assert_ne!(first.get_text("pg_sig"), second.get_text("pg_sig"));
    for params in [&first, &second] {
        assert_eq!(signature::verify(INIT_SCRIPT, params, &key(SECRET)), Ok(()));
    }
}

#[tokio::test]
async fn prepared_request_is_sent_byte_for_byte() {
    let server = Server::answering(Reply::ok(init_ok_xml())).await;
    let client = server.client();

    let prepared = client.prepare(&init_request()).expect("valid");
    client
        .send_prepared::<InitPaymentRequest>(&prepared)
        .await
        .expect("accepted");

    let request = server.single();
    assert_eq!(request.body, prepared.body);
    assert_eq!(request.path, prepared.path);
    assert_eq!(form::decode(&request.body), prepared.params);
    assert!(is_salt(prepared.salt()));
    assert_eq!(
        prepared.signature(),
        form::decode(&request.body)
            .get_text("pg_sig")
            .unwrap_or_default()
    );
}

#[tokio::test]
async fn payout_is_signed_with_the_payout_key() {
    let payout_reply = signed_xml(
        "p2p2nonreg",
        PAYOUT_SECRET,
        flat(&[
            ("pg_payment_id", "90011"),
            ("pg_merchant_id", MERCHANT_ID),
            ("pg_order_id", "P-1"),
            ("pg_status", "ok"),
            ("pg_balance", "9900"),
            ("pg_payment_amount", "100"),
            ("pg_reference", "REF-77"),
            ("pg_payment_date", "2024-05-01T10:00:00+05:00"),
        ]),
    );
    let init_reply = init_ok_xml();
    let server = Server::start(move |request| {
        if request.path == "/g2g/p2p2nonreg" {
            Reply::ok(payout_reply.clone())
        } else {
            Reply::ok(init_reply.clone())
        }
    })
    .await;
    let client = Client::new(server.config().payout_secret(PAYOUT_SECRET)).expect("client");

    let payout = CardPayoutRequest::new(CardPayoutRequestRequired {
        order_id: "P-1".to_owned(),
        amount: amount("100"),
        payment_to: "4405645000006150".into(),
        description: "Описание платежа".to_owned(),
        post_link: "http://site.kz/post".to_owned(),
    })
    .card_name("Ivan Ivanov")
    .currency(Currency::Kzt);
    let response = client.send(&payout).await.expect("payout accepted");
    assert_eq!(response.payment_id, 90011);
    assert_eq!(response.balance, amount("9900"));
    assert_eq!(response.reference, "REF-77");

    // A non-payout endpoint of the same client keeps the main key.
    client.send(&init_request()).await.expect("init accepted");

    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].path, "/g2g/p2p2nonreg");
    let params = form::decode(&received[0].body);
    assert_eq!(
        names(&params),
        [
            "pg_merchant_id",
            "pg_order_id",
            "pg_amount",
            "pg_payment_to",
            "pg_description",
            "pg_post_link",
            "pg_card_name",
            "pg_currency",
            "pg_salt",
            "pg_sig",
        ]
    );
    assert_eq!(params.get_text("pg_description"), Some("Описание платежа"));
    assert_eq!(
        params.get_text("pg_sig"),
        Some(signature::sign("p2p2nonreg", &params, &key(PAYOUT_SECRET)).as_str())
    );
    assert_eq!(
        signature::verify("p2p2nonreg", &params, &key(SECRET)),
        Err(SignatureError::Mismatch),
        "a payout must not be signed with the main key"
    );

    assert_eq!(received[1].path, "/init_payment.php");
    let init = form::decode(&received[1].body);
    assert_eq!(signature::verify(INIT_SCRIPT, &init, &key(SECRET)), Ok(()));
    assert_eq!(
        signature::verify(INIT_SCRIPT, &init, &key(PAYOUT_SECRET)),
        Err(SignatureError::Mismatch)
    );
}

#[tokio::test]
async fn payout_without_a_payout_key_uses_the_main_key() {
    let server = Server::answering(Reply::status(500, "stop here")).await;
    let payout = CardPayoutRequest::new(CardPayoutRequestRequired {
        order_id: "P-2".to_owned(),
        amount: amount("10"),
        payment_to: "4405645000006150".into(),
        description: "Payout".to_owned(),
        post_link: "http://site.kz/post".to_owned(),
    });
    let error = server.client().send(&payout).await.expect_err("HTTP 500");
    assert!(
        matches!(error, Error::Status { status: 500, .. }),
        "{error:?}"
    );
    let params = form::decode(&server.single().body);
    assert_eq!(
        signature::verify("p2p2nonreg", &params, &key(SECRET)),
        Ok(())
    );
}

#[tokio::test]
async fn receipt_positions_go_out_in_bracket_notation() {
    let server = Server::answering(Reply::ok(init_ok_xml())).await;
    let request = InitPaymentRequest::new(amount("1250"), "Order 23")
        .order_id("23")
        .receipt_positions(vec![
            ReceiptPosition::new()
                .count(2)
                .name("Mouse pad")
                .tax_type(freedompay::enums::ReceiptTaxType::Vat12Of112)
                .price(amount("500")),
            ReceiptPosition::new()
                .count(1)
                .name("Cable")
                .tax_type(freedompay::enums::ReceiptTaxType::Vat12Of112)
                .price(amount("250")),
        ]);
    server.client().send(&request).await.expect("accepted");

    let body = server.single().body;
    let keys: Vec<String> = body
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            name.replace("%5B", "[").replace("%5D", "]")
        })
        .collect();
    assert_eq!(
        keys,
        [
            "pg_merchant_id",
            "pg_order_id",
            "pg_amount",
            "pg_description",
            "pg_receipt_positions[0][count]",
            "pg_receipt_positions[0][name]",
            "pg_receipt_positions[0][tax_type]",
            "pg_receipt_positions[0][price]",
            "pg_receipt_positions[1][count]",
            "pg_receipt_positions[1][name]",
            "pg_receipt_positions[1][tax_type]",
            "pg_receipt_positions[1][price]",
            "pg_salt",
            "pg_sig",
        ]
    );
    assert!(
        body.contains("pg_receipt_positions%5B0%5D%5Bname%5D=Mouse+pad"),
        "{body}"
    );

    let received = form::decode(&body);
    let positions = received
        .get("pg_receipt_positions")
        .and_then(Value::as_nested)
        .expect("a nested list");
    let first = positions
        .get("0")
        .and_then(Value::as_nested)
        .expect("position 0");
    assert_eq!(
        first,
        &flat(&[
            ("count", "2"),
            ("name", "Mouse pad"),
            ("tax_type", "3"),
            ("price", "500")
        ])
    );
    let second = positions
        .get("1")
        .and_then(Value::as_nested)
        .expect("position 1");
    assert_eq!(second.get_text("name"), Some("Cable"));
    assert_eq!(
        received.get_text("pg_sig"),
        Some(signature::sign(INIT_SCRIPT, &received, &key(SECRET)).as_str()),
        "the nested values are part of the signature"
    );
}

#[tokio::test]
async fn mobile_balance_pay_goes_to_its_path_with_its_script() {
    let reply = signed_xml(
        "pay",
        SECRET,
        flat(&[("pg_status", "need_approve"), ("pg_payment_id", "12345")]),
    );
    let server = Server::answering(Reply::ok(reply)).await;
    let request = MobileBalancePayRequest::new(12345, "77077777777")
        .payment_system_code(MobileOperator::Altel);
    let response = server.client().send(&request).await.expect("accepted");
    assert_eq!(response.status, MobileBalancePayStatus::NeedApprove);
    assert_eq!(response.payment_id, 12345);

    let captured = server.single();
    assert_eq!(captured.path, "/mfs/pay");
    let params = form::decode(&captured.body);
    assert_eq!(
        names(&params),
        [
            "pg_merchant_id",
            "pg_payment_id",
            "pg_abonent_phone",
            "pg_payment_system_code",
            "pg_salt",
            "pg_sig"
        ]
    );
    assert_eq!(params.get_text("pg_payment_system_code"), Some("ALTELKZT"));
    assert_eq!(signature::verify("pay", &params, &key(SECRET)), Ok(()));
    assert_eq!(
        signature::verify("mfs/pay", &params, &key(SECRET)),
        Err(SignatureError::Mismatch),
        "the script is the last path segment only"
    );
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

#[tokio::test]
async fn ok_response_is_typed_and_keeps_unknown_elements() {
    let mut fields = init_ok_fields();
    fields.push(
        "pg_redirect_qr",
        "https://customer.freedompay.kz/qr/498a3c6b",
    );
    fields.push("pg_new_element", "kept as received");
    fields.push("pg_nested_new", flat(&[("inner", "1"), ("other", "two")]));
    let body = signed_xml(INIT_SCRIPT, SECRET, fields);
    let server = Server::answering(Reply::ok(body.clone())).await;

    let response = server
        .client()
        .send(&init_request())
        .await
        .expect("accepted");

    let data: &InitPaymentResponse = response.data();
    assert_eq!(data.status, ResponseStatus::Ok);
    assert_eq!(data.payment_id, 4567788);
    assert_eq!(
        data.redirect_url,
        "https://customer.freedompay.kz/pay.html?customer=498a3c6b4c5bb2a6b4a4a8e1"
    );
    assert_eq!(data.redirect_url_type, "need data");
    assert_eq!(
        data.redirect_qr.as_deref(),
        Some("https://customer.freedompay.kz/qr/498a3c6b")
    );
    let mut extra = flat(&[("pg_new_element", "kept as received")]);
    extra.push("pg_nested_new", flat(&[("inner", "1"), ("other", "two")]));
    assert_eq!(
        data.extra, extra,
        "unknown elements are kept, salt and sig are not"
    );

    assert_eq!(response.raw_xml(), body);
    let params = response.params();
    assert_eq!(params, &xml::parse(&body).expect("xml").params);
    assert_eq!(params.get_text("pg_salt"), Some("rEsPoNsEsAlT0001"));
    assert!(params.contains("pg_sig"));
    assert_eq!(server.count(), 1);
}

/// A signed refusal keeps every verified parameter: a declined payment's id
/// the gateway already created is not lost.
#[tokio::test]
async fn signed_gateway_error() {
    let body = signed_xml(
        INIT_SCRIPT,
        SECRET,
        flat(&[
            ("pg_status", "error"),
            ("pg_payment_id", "4711"),
            ("pg_error_code", "340"),
            ("pg_error_description", "Неверная сумма платежа"),
        ]),
    );
    let mut declined = xml::parse(&body).expect("xml").params;
    declined.remove("pg_sig");
    let (error, _server) = init_error(Reply::ok(body)).await;
    assert_eq!(
        error.gateway_error().and_then(GatewayError::payment_id),
        Some(4711)
    );
    assert_eq!(
        error.gateway_error(),
        Some(&GatewayError {
            code: 340,
            description: "Неверная сумма платежа".to_owned(),
            signed: true,
            params: declined.clone(),
        })
    );
    assert!(
        !error
            .gateway_error()
            .expect("gateway")
            .merchant_not_identified()
    );
    assert_eq!(
        response_error(error),
        ResponseError::Gateway(GatewayError {
            code: 340,
            description: "Неверная сумма платежа".to_owned(),
            signed: true,
            params: declined,
        })
    );
}

#[tokio::test]
async fn unsigned_gateway_error_means_merchant_not_identified() {
    for (code, description) in [
        ("9998", "Некорректный идентификатор магазина"),
        ("101", "Empty merchant"),
    ] {
        let body = xml::write(
            "response",
            &flat(&[
                ("pg_status", "error"),
                ("pg_error_code", code),
                ("pg_error_description", description),
            ]),
        );
        let (error, _server) = init_error(Reply::ok(body)).await;
        let expected = GatewayError {
            code: code.parse().expect("code"),
            description: description.to_owned(),
            signed: false,
            params: flat(&[
                ("pg_status", "error"),
                ("pg_error_code", code),
                ("pg_error_description", description),
            ]),
        };
        assert_eq!(error.gateway_error(), Some(&expected), "code {code}");
        assert!(expected.merchant_not_identified());
        assert_eq!(response_error(error), ResponseError::Gateway(expected));
    }
}

#[tokio::test]
async fn forged_responses_are_rejected() {
    // Signed with another key.
    let other_key = signed_xml(INIT_SCRIPT, "another-key", init_ok_fields());
    // A value changed after signing.
    let altered = init_ok_xml().replace(
        "<pg_payment_id>4567788</pg_payment_id>",
        "<pg_payment_id>4567789</pg_payment_id>",
    );
    assert_ne!(altered, init_ok_xml(), "the value was changed");
    // An element added after signing.
    let added = init_ok_xml().replace(
        "<pg_salt>",
        "<pg_redirect_qr>https://evil.example/qr</pg_redirect_qr><pg_salt>",
    );
    // Signed for another script.
    let other_script = signed_xml("get_status3.php", SECRET, init_ok_fields());
    // A signed error whose signature does not match.
    let forged_error = signed_xml(
        INIT_SCRIPT,
        "another-key",
        flat(&[
            ("pg_status", "error"),
            ("pg_error_code", "340"),
            ("pg_error_description", "x"),
        ]),
    );
    for (case, body) in [
        ("another key", other_key),
        ("altered value", altered),
        ("added element", added),
        ("another script", other_script),
        ("forged error", forged_error),
    ] {
        let (error, _server) = init_error(Reply::ok(body)).await;
        assert_eq!(response_error(error), ResponseError::BadSignature, "{case}");
    }
}

#[tokio::test]
async fn ok_but_unsigned_is_rejected() {
    let no_sig = xml::write("response", &init_ok_fields());
    let mut salt_only = init_ok_fields();
    salt_only.push("pg_salt", "rEsPoNsEsAlT0001");
    let salt_only = xml::write("response", &salt_only);
    for body in [no_sig, salt_only] {
        let (error, _server) = init_error(Reply::ok(body)).await;
        assert_eq!(response_error(error), ResponseError::Unsigned);
    }
}

#[tokio::test]
async fn malformed_bodies_are_rejected() {
    let truncated = {
        let full = init_ok_xml();
        full[..full.len() - 20].to_owned()
    };
    let nginx_page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                      <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
                      </body>\r\n</html>\r\n";
    let php_error =
        "<br />\n<b>Fatal error</b>:  Uncaught Exception in /var/www/init_payment.php:12\n";
    let cases = [
        ("truncated", truncated),
        (
            "mismatched tags",
            "<response><pg_status>ok</status></response>".to_owned(),
        ),
        ("html error page", nginx_page.to_owned()),
        ("php error page", php_error.to_owned()),
        ("plain text", "Service temporarily unavailable".to_owned()),
        ("empty body", String::new()),
    ];
    for (case, body) in cases {
        let (error, _server) = init_error(Reply::ok(body)).await;
        let inner = response_error(error);
        assert!(
            matches!(inner, ResponseError::Malformed(_)),
            "{case}: expected Malformed, got {inner:?}"
        );
    }
}

#[tokio::test]
async fn http_error_status() {
    let (error, server) = init_error(Reply::status(500, "<h1>Internal Server Error</h1>")).await;
    match error {
        Error::Status { status, body } => {
            assert_eq!(status, 500);
            assert_eq!(body, "<h1>Internal Server Error</h1>");
        }
        other => panic!("expected Error::Status, got {other:?}"),
    }
    assert_eq!(server.count(), 1);

    // Even a correctly signed body does not make a 5xx a success. A 503 is
    // transient, but `init_payment` creates a payment and has no idempotency
    // key: it is not sent again, and its outcome is unknown.
    let (error, server) = init_error(Reply::status(503, init_ok_xml())).await;
    assert_eq!(server.count(), 1, "not sent again");
    let error = unknown_outcome(error);
    assert!(
        matches!(error, Error::Status { status: 503, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn signed_response_missing_a_required_field() {
    let mut fields = init_ok_fields();
    fields.remove("pg_redirect_url");
    let body = signed_xml(INIT_SCRIPT, SECRET, fields);
    let (error, _server) = init_error(Reply::ok(body)).await;
    let display = error.to_string();
    assert!(display.contains("pg_redirect_url"), "{display}");
    let error = response_error(error);
    assert_eq!(
        error.decode_error(),
        Some(&DecodeError::Missing {
            field: "pg_redirect_url".to_owned()
        })
    );
}

#[tokio::test]
async fn signed_response_with_an_invalid_value() {
    let mut fields = init_ok_fields();
    fields.set("pg_payment_id", "not-a-number");
    let body = signed_xml(INIT_SCRIPT, SECRET, fields);
    let (error, _server) = init_error(Reply::ok(body)).await;
    match response_error(error) {
        ResponseError::Decode {
            error: DecodeError::Invalid { field, .. },
            ..
        } => {
            assert_eq!(field, "pg_payment_id");
        }
        other => panic!("expected Decode(Invalid), got {other:?}"),
    }
}

#[tokio::test]
async fn oversized_response_is_refused() {
    let mut body = String::from("<response><pg_status>ok</pg_status><pg_pad>");
    body.push_str(&"x".repeat(MAX_RESPONSE_BYTES));
    body.push_str("</pg_pad></response>");
    assert!(body.len() > MAX_RESPONSE_BYTES);
    let (error, _server) = init_error(Reply::ok(body)).await;
    assert!(matches!(error, Error::TooLarge), "{error:?}");

    // Exactly at the limit is still read (and then judged on its content).
    let mut body = String::from("<response>");
    let tail = "</response>";
    body.push_str(&" ".repeat(MAX_RESPONSE_BYTES - body.len() - tail.len()));
    body.push_str(tail);
    assert_eq!(body.len(), MAX_RESPONSE_BYTES);
    let (error, _server) = init_error(Reply::ok(body)).await;
    assert_eq!(response_error(error), ResponseError::Unsigned);
}

#[tokio::test]
async fn slow_server_times_out() {
    let server = Server::answering(Reply::ok(init_ok_xml()).delayed(Duration::from_secs(5))).await;
    let client = Client::new(server.config().timeout(Duration::from_millis(300))).expect("client");

    let started = Instant::now();
    let error = client.send(&init_request()).await.expect_err("timeout");
    let elapsed = started.elapsed();

    assert_no_secret(&error);
    let error = unknown_outcome(error);
    assert!(matches!(error, Error::Timeout), "{error:?}");
    assert_no_secret(&error);
    assert!(
        elapsed >= Duration::from_millis(300),
        "gave up before the timeout: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_millis(1500),
        "did not give up in time: {elapsed:?}"
    );
    assert_eq!(server.count(), 1, "the request did reach the server");
}

#[tokio::test]
async fn non_utf8_body_is_refused() {
    // `<response>` in UTF-16LE, as a misconfigured proxy might send it.
    let body: Vec<u8> = "<response></response>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .chain([0xff, 0xfe])
        .collect();
    let (error, _server) = init_error(Reply::ok(body)).await;
    assert!(matches!(error, Error::NotText), "{error:?}");
}

#[tokio::test]
async fn closed_connection_is_a_transport_error() {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    // Accepts each connection and closes it without answering.
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let config = Config::new(MERCHANT_ID, SECRET).host(Host::Custom(format!("http://{addr}")));
    let error = Client::new(config)
        .expect("client")
        .send(&init_request())
        .await
        .expect_err("no answer");
    task.abort();

    assert_no_secret(&error);
    let error = unknown_outcome(error);
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_no_secret(&error);
    let display = error.to_string();
    assert!(
        !display.contains(&addr.to_string()),
        "the URL is stripped from transport errors: {display}"
    );
    assert!(
        accepted.load(Ordering::SeqCst) >= 1,
        "the client did connect"
    );
}

#[tokio::test]
async fn custom_host_with_a_trailing_slash_or_a_path_prefix() {
    let server = Server::answering(Reply::ok(init_ok_xml())).await;
    for (base, path) in [
        (format!("http://{}/", server.addr), "/init_payment.php"),
        (
            format!("http://{}/proxy/fp", server.addr),
            "/proxy/fp/init_payment.php",
        ),
        (
            format!("http://{}/proxy/fp/", server.addr),
            "/proxy/fp/init_payment.php",
        ),
    ] {
        let config = Config::new(MERCHANT_ID, SECRET).host(Host::Custom(base.clone()));
        Client::new(config)
            .expect("client")
            .send(&init_request())
            .await
            .expect("accepted");
        let last = server.received().pop().expect("a request");
        assert_eq!(last.path, path, "base {base}");
        // The script name stays the last segment, whatever the prefix.
        let params = form::decode(&last.body);
        assert_eq!(
            signature::verify(INIT_SCRIPT, &params, &key(SECRET)),
            Ok(())
        );
    }
    assert_eq!(server.count(), 3);
}

/// The CVC's length and the expiry's month and year are checked before
/// anything is sent, on every Gateway card field; the refusal names the field
/// and the rule, never the value. Leading zeros and a four-digit CVC pass.
#[tokio::test]
async fn cvc_and_expiry_are_checked_before_sending() {
    use freedompay::gateway::card_storage::{G2gCardAddRequest, G2gCardAddRequestRequired};
    let server = Server::answering(Reply::ok(init_ok_xml())).await;
    let client = server.client();
    type Spoil = fn(&mut freedompay::gateway::payments::G2gCardPaymentRequest);
    let cases: [(&str, Spoil, &str); 7] = [
        ("two digits", |r| r.card_cvc = "65".into(), "pg_card_cvc"),
        (
            "five digits",
            |r| r.card_cvc = "65301".into(),
            "pg_card_cvc",
        ),
        ("a letter", |r| r.card_cvc = "6S3".into(), "pg_card_cvc"),
        ("month 13", |r| r.card_month = "13".into(), "pg_card_month"),
        ("month 00", |r| r.card_month = "00".into(), "pg_card_month"),
        ("month 9", |r| r.card_month = "9".into(), "pg_card_month"),
        ("year 2031", |r| r.card_year = "2031".into(), "pg_card_year"),
    ];
    for (what, spoil, field) in cases {
        let mut request = gateway_card_payment("4405645000006150");
        spoil(&mut request);
        let error = client.send(&request).await.expect_err(what);
        let Error::Invalid(errors) = &error else {
            panic!("{what}: not a validation error: {error}");
        };
        let broken: Vec<(&str, Rule)> = errors.iter().map(|e| (e.field.as_str(), e.rule)).collect();
        assert_eq!(broken, [(field, Rule::Format)], "{what}");
        let shown = format!("{error} {error:?}");
        for secret in ["65301", "6S3", "2031"] {
            assert!(!shown.contains(secret), "{what}: {shown}");
        }
    }
    assert_eq!(server.count(), 0, "nothing was sent");

    // What a card prints passes: a leading zero, four digits, January.
    let mut request = gateway_card_payment("4405645000006150");
    request.card_cvc = "0123".into();
    request.card_month = "01".into();
    request.card_year = "00".into();
    client.prepare(&request).expect("a valid card");

    // The card-add page prints three digits for its CVC: that stays enforced.
    let add = |cvc: &str| {
        G2gCardAddRequest::new(G2gCardAddRequestRequired {
            user_id: "1".to_owned(),
            card_cvc: cvc.into(),
            card_year: "25".into(),
            card_month: "09".into(),
            card_name: "TEST TESTOV".into(),
        })
        .card_pan("4405645000006150")
    };
    client.prepare(&add("653")).expect("the documented CVC");
    assert!(matches!(
        client.prepare(&add("6530")),
        Err(Error::Invalid(_))
    ));
}

// ---------------------------------------------------------------------------
// Validation before sending
// ---------------------------------------------------------------------------

#[tokio::test]
async fn invalid_request_is_not_sent() {
    let server = Server::answering(Reply::ok(init_ok_xml())).await;
    let client = server.client();
    let request = InitPaymentRequest::new(amount("0"), "x".repeat(1025))
        .order_id("23")
        .user_contact_email("not-an-email");

    let error = client.send(&request).await.expect_err("invalid");
    assert_no_secret(&error);
    let display = error.to_string();
    let Error::Invalid(errors) = error else {
        panic!("expected Error::Invalid, got {error:?}");
    };
    let broken: Vec<(&str, Rule)> = errors.iter().map(|e| (e.field.as_str(), e.rule)).collect();
    assert_eq!(
        broken,
        [
            ("pg_amount", Rule::Min),
            ("pg_description", Rule::MaxLength),
            ("pg_user_contact_email", Rule::Format),
        ]
    );
    for field in ["pg_amount", "pg_description", "pg_user_contact_email"] {
        assert!(display.contains(field), "{display}");
    }
    assert!(
        !display.contains("not-an-email"),
        "text values are not echoed: {display}"
    );

    assert!(matches!(client.prepare(&request), Err(Error::Invalid(_))));
    assert_eq!(server.count(), 0, "nothing may reach the server");

    // The boundary values are accepted and sent.
    let boundary = InitPaymentRequest::new(amount("0.01"), "x".repeat(1024));
    client.send(&boundary).await.expect("valid at the limits");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn invalid_extra_parameter_is_not_sent() {
    let server = Server::answering(Reply::ok(init_ok_xml())).await;
    let request = InitPaymentRequest::new(amount("10"), "Order").with_extra("pg_sig", "forged");
    let error = server.client().send(&request).await.expect_err("invalid");
    let Error::Invalid(errors) = &error else {
        panic!("expected Error::Invalid, got {error:?}");
    };
    assert_eq!(errors.0.len(), 1, "{errors:?}");
    assert_eq!(errors.0[0].field, "pg_sig");
    assert_eq!(errors.0[0].rule, Rule::ExtraName);
    assert_eq!(server.count(), 0);
}

// ---------------------------------------------------------------------------
// Secrets stay out of Debug and Display
// ---------------------------------------------------------------------------

#[tokio::test]
async fn debug_never_shows_the_secret_keys() {
    let server = Server::answering(Reply::ok(init_ok_xml())).await;
    let config = server.config().payout_secret(PAYOUT_SECRET);
    let client = Client::new(config.clone()).expect("client");
    let request_error = client
        .prepare(&InitPaymentRequest::new(amount("0"), "x"))
        .expect_err("invalid");

    for text in [
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{:?}", client.config()),
        format!("{:?}", key(SECRET)),
    ] {
        assert!(!text.contains(SECRET), "shows the secret key: {text}");
        assert!(
            !text.contains(PAYOUT_SECRET),
            "shows the payout key: {text}"
        );
    }
    // The formatted values are real: they show the non-secret settings.
    let debug = format!("{client:?}");
    assert!(debug.contains(MERCHANT_ID), "{debug}");
    assert!(debug.contains(&server.addr.to_string()), "{debug}");
    assert!(format!("{config:?}").contains("<redacted>"));
    assert_no_secret(&request_error);

    // The keys are still the ones configured.
    assert_eq!(config.secret_for::<InitPaymentRequest>().expose(), SECRET);
    assert_eq!(
        config.secret_for::<CardPayoutRequest>().expose(),
        PAYOUT_SECRET
    );
}

// ---------------------------------------------------------------------------
// Grouped client methods
// ---------------------------------------------------------------------------

/// `client.payments().status(…)` posts to get_status3.php, signed with that
/// script, and reads the typed answer.
#[tokio::test]
async fn grouped_payments_status_sends_and_parses() {
    use freedompay::merchant::payments::PaymentStatusRequest;
    let server = Server::start(|_| {
        Reply::ok(signed_xml(
            "get_status3.php",
            SECRET,
            flat(&[
                ("pg_status", "ok"),
                ("pg_payment_id", "987"),
                ("pg_order_id", "00102"),
                ("pg_currency", "KZT"),
                ("pg_amount", "10"),
                ("pg_can_reject", "1"),
                ("pg_payment_status", "success"),
            ]),
        ))
    })
    .await;
    let client = server.client();
    let result = client
        .payments()
        .status(&PaymentStatusRequest::new(987))
        .await;
    let request = server.single();
    assert_eq!(request.path, "/get_status3.php");
    let sent = form::decode(&request.body);
    assert_eq!(
        signature::verify("get_status3.php", &sent, &key(SECRET)),
        Ok(())
    );
    assert_eq!(sent.get_text("pg_payment_id"), Some("987"));
    assert_eq!(sent.get_text("pg_merchant_id"), Some(MERCHANT_ID));
    match result {
        Ok(response) => assert_eq!(response.payment_id, 987),
        // The answer may need fields this test does not send; the request side is what is checked.
        Err(Error::Response(ResponseError::Decode { error, .. })) => {
            panic!("status answer does not decode: {error}")
        }
        Err(other) => panic!("unexpected error: {other}"),
    }
}

/// `client.card_storage().list(…)` fills the merchant id into the path and
/// parses the repeated `<card>` elements.
#[tokio::test]
async fn grouped_card_storage_list_fills_the_path_and_reads_repeated_cards() {
    use freedompay::merchant::card_storage::CardListRequest;
    let body = || {
        let mut params = Params::new();
        for token in ["tok-1", "tok-2"] {
            let mut card = Params::new();
            card.push("pg_status", "approved");
            card.push("pg_card_token", token);
            params.push("card", Value::Nested(card));
        }
        signed_xml("list", SECRET, params)
    };
    let server = Server::start(move |_| Reply::ok(body())).await;
    let response = server
        .client()
        .card_storage()
        .list(&CardListRequest::new("1234"))
        .await
        .expect("a verified card list");
    let request = server.single();
    assert_eq!(
        request.path,
        format!("/v1/merchant/{MERCHANT_ID}/cardstorage/list")
    );
    assert_eq!(
        signature::verify("list", &form::decode(&request.body), &key(SECRET)),
        Ok(())
    );
    let tokens: Vec<_> = response
        .cards
        .iter()
        .map(|c| c.card_token.clone())
        .collect();
    assert_eq!(tokens, [Some("tok-1".to_owned()), Some("tok-2".to_owned())]);
}

/// Payout calls go through the payout key when one is configured.
#[tokio::test]
async fn grouped_payout_balance_uses_the_payout_key() {
    use freedompay::merchant::payout::PayoutBalanceRequest;
    let server = Server::start(|_| {
        Reply::ok(signed_xml(
            "balance_status",
            PAYOUT_SECRET,
            flat(&[("pg_status", "ok"), ("pg_balance", "1000.50")]),
        ))
    })
    .await;
    let client = Client::new(server.config().payout_secret(PAYOUT_SECRET)).expect("client");
    let _ = client
        .payout()
        .balance(&PayoutBalanceRequest::new(Currency::Kzt))
        .await;
    let request = server.single();
    let sent = form::decode(&request.body);
    assert_eq!(
        signature::verify(
            freedompay::signature::script_name(&request.path),
            &sent,
            &key(PAYOUT_SECRET)
        ),
        Ok(())
    );
}

/// A browser redirect is a signed URL, with nothing sent.
#[test]
fn grouped_redirects_build_signed_urls() {
    use freedompay::merchant::page::PaymentRedirectRequest;
    use freedompay::merchant::token::TokenPayWithCvcRequest;
    let client = Client::new(
        Config::new(MERCHANT_ID, SECRET).host(Host::Custom("https://pay.example".into())),
    )
    .expect("client");
    let url = client
        .page()
        .payment_redirect(&PaymentRedirectRequest::new())
        .expect("a URL");
    let (base, query) = url.split_once('?').expect("a query");
    assert_eq!(base, "https://pay.example/payment.php");
    let params = form::decode(query);
    assert_eq!(params.get_text("pg_merchant_id"), Some(MERCHANT_ID));
    assert_eq!(
        signature::verify("payment.php", &params, &key(SECRET)),
        Ok(())
    );

    let url = client
        .token()
        .pay_with_cvc(&TokenPayWithCvcRequest::new(42))
        .expect("a URL");
    let (base, query) = url.split_once('?').expect("a query");
    assert_eq!(
        base,
        format!("https://pay.example/v1/merchant/{MERCHANT_ID}/card/pay")
    );
    assert_eq!(
        signature::verify("pay", &form::decode(query), &key(SECRET)),
        Ok(())
    );
}

/// `Error::error_code` maps the gateway's code, and any unsigned error to
/// "merchant not identified".
#[tokio::test]
async fn gateway_error_codes_are_typed() {
    use freedompay::errors::ErrorCode;
    let signed_error = signed_xml(
        INIT_SCRIPT,
        SECRET,
        flat(&[
            ("pg_status", "error"),
            ("pg_error_code", "10009"),
            ("pg_error_description", "Insufficient funds"),
        ]),
    );
    let server = Server::answering(Reply::ok(signed_error)).await;
    let error = server
        .client()
        .send(&init_request())
        .await
        .expect_err("an error answer");
    assert_eq!(error.error_code(), Some(ErrorCode::from_code(10009)));

    let unsigned = xml::write(
        "response",
        &flat(&[
            ("pg_status", "error"),
            ("pg_error_code", "101"),
            ("pg_error_description", "Empty merchant"),
        ]),
    );
    let server = Server::answering(Reply::ok(unsigned)).await;
    let error = server
        .client()
        .send(&init_request())
        .await
        .expect_err("an error answer");
    assert_eq!(error.error_code(), Some(ErrorCode::from_code(9998)));
}

// ---------------------------------------------------------------------------
// Answers the documentation shows unsigned
// ---------------------------------------------------------------------------

/// The `mfs/pay` answer as the documentation shows it: no `pg_salt`, no `pg_sig`.
fn unsigned_pay_answer() -> String {
    xml::write(
        "response",
        &flat(&[("pg_status", "need_approve"), ("pg_payment_id", "12345")]),
    )
}

fn pay_request() -> MobileBalancePayRequest {
    MobileBalancePayRequest::new(12345, "77077777777")
}

/// `mfs/pay` is documented unsigned: its unsigned answer is accepted by default.
#[tokio::test]
async fn an_answer_documented_unsigned_is_accepted_unsigned() {
    let server = Server::answering(Reply::ok(unsigned_pay_answer())).await;
    let response = server
        .client()
        .send(&pay_request())
        .await
        .expect("accepted");
    assert_eq!(response.status, MobileBalancePayStatus::NeedApprove);
    assert_eq!(response.payment_id, 12345);
    assert!(!response.is_signed());

    // A signed answer is still checked, and reported signed.
    let signed_answer = signed_xml(
        "pay",
        SECRET,
        flat(&[("pg_status", "ok"), ("pg_payment_id", "12345")]),
    );
    let server = Server::answering(Reply::ok(signed_answer)).await;
    let response = server
        .client()
        .send(&pay_request())
        .await
        .expect("accepted");
    assert!(response.is_signed());
}

/// A `pg_sig` that is present must match, even where the answer may be unsigned.
#[tokio::test]
async fn a_forged_signature_is_refused_where_the_answer_may_be_unsigned() {
    let forged = signed_xml(
        "pay",
        "Some-Other-Key",
        flat(&[("pg_status", "ok"), ("pg_payment_id", "12345")]),
    );
    let server = Server::answering(Reply::ok(forged)).await;
    let error = server
        .client()
        .send(&pay_request())
        .await
        .expect_err("forged");
    assert_no_secret(&error);
    assert_eq!(response_error(error), ResponseError::BadSignature);
}

/// `Config::require_signed_answers(true)` refuses every unsigned success answer.
#[tokio::test]
async fn require_signed_answers_refuses_the_documented_unsigned_answer() {
    let server = Server::answering(Reply::ok(unsigned_pay_answer())).await;
    let client = Client::new(server.config().require_signed_answers(true)).expect("client");
    let error = client.send(&pay_request()).await.expect_err("unsigned");
    assert_eq!(response_error(error), ResponseError::Unsigned);
}

/// Every other endpoint's answer must be signed, whatever the setting.
#[tokio::test]
async fn an_unsigned_answer_of_a_signed_endpoint_is_refused() {
    let body = xml::write("response", &init_ok_fields());
    let (error, _server) = init_error(Reply::ok(body)).await;
    assert_eq!(response_error(error), ResponseError::Unsigned);
}

/// The endpoints whose answers the spec marks `signed: false` (documented
/// without `pg_salt` and `pg_sig`) are the generated types that accept an
/// unsigned answer; every other endpoint requires a signed one.
#[test]
fn the_generated_endpoints_know_which_answers_are_documented_unsigned() {
    use freedompay::Endpoint;
    use freedompay::exchange::AnswerSignature;
    use freedompay::merchant::card_storage::CardListRequest;
    use freedompay::merchant::mobile_balance::MobileBalanceApproveRequest;
    use freedompay::merchant::payments::PaymentStatusRequest;
    let mut from_spec: Vec<&str> = crate::support::spec()
        .form_endpoints()
        .filter(|e| e.response.as_ref().is_some_and(|r| !r.signed))
        .filter(|e| e.direction == codegen::spec::Direction::Request)
        .map(|e| e.id.as_str())
        .collect();
    from_spec.sort_unstable();
    assert_eq!(
        from_spec,
        [
            CardListRequest::ID,
            MobileBalanceApproveRequest::ID,
            MobileBalancePayRequest::ID
        ]
    );
    let signed = [
        CardListRequest::SIGNED_ANSWER,
        MobileBalanceApproveRequest::SIGNED_ANSWER,
        MobileBalancePayRequest::SIGNED_ANSWER,
        InitPaymentRequest::SIGNED_ANSWER,
        PaymentStatusRequest::SIGNED_ANSWER,
    ];
    assert_eq!(signed, [false, false, false, true, true]);
    assert_eq!(
        AnswerSignature::documented::<MobileBalancePayRequest>(),
        AnswerSignature::Optional
    );
    assert_eq!(
        AnswerSignature::documented::<InitPaymentRequest>(),
        AnswerSignature::Required
    );
}

/// An answer that verifies but does not decode keeps its parameters and
/// body: the payment id the gateway already created is never lost.
#[tokio::test]
async fn a_verified_answer_that_does_not_decode_keeps_its_params() {
    let mut fields = init_ok_fields();
    fields.remove("pg_redirect_url");
    let body = signed_xml(INIT_SCRIPT, SECRET, fields);
    let (error, _server) = init_error(Reply::ok(body.clone())).await;
    let error = response_error(error);
    assert!(error.decode_error().is_some(), "{error:?}");
    let params = error.params().expect("the verified parameters");
    assert_eq!(params.get_text("pg_payment_id"), Some("4567788"));
    assert_eq!(error.raw_xml(), Some(body.as_str()));
    assert!(!error.to_string().contains("4567788"), "{error}");
}

/// The cause of an `Error::OutcomeUnknown` after one attempt of `init_payment`
/// (a creating request without an idempotency key, never sent twice).
fn unknown_outcome(error: Error) -> Error {
    match error {
        Error::OutcomeUnknown {
            endpoint: "init_payment",
            attempts: 1,
            cause,
            ..
        } => *cause,
        other => panic!("expected the outcome of one init_payment to be unknown: {other:?}"),
    }
}

/// `pg_revoked_payments` is a list of text values: the children of its
/// element, whatever their names; an empty element is an empty list, and an
/// item that is not text fails to decode with every verified parameter kept.
#[test]
fn revoked_payments_are_read_as_a_list_of_text_values() {
    use freedompay::Value;
    use freedompay::exchange::{AnswerSignature, read_response_with};
    use freedompay::merchant::payments::PaymentStatusResponse;
    const STATUS: &str = "get_status3.php";
    let read = |revoked: Option<Value>| {
        let mut fields = flat(&[
            ("pg_status", "ok"),
            ("pg_payment_id", "12345"),
            ("pg_currency", "KZT"),
            ("pg_amount", "100"),
        ]);
        if let Some(revoked) = revoked {
            fields.push("pg_revoked_payments", revoked);
        }
        let body = signed_xml(STATUS, SECRET, fields);
        read_response_with::<PaymentStatusResponse>(
            STATUS,
            &key(SECRET),
            &body,
            AnswerSignature::Required,
        )
    };
    let items = flat(&[("pg_revoked_payment", "111"), ("payment", "222")]);
    let answer = read(Some(Value::Nested(items))).expect("two items");
    assert_eq!(answer.data().revoked_payments, ["111", "222"]);
    let empty = read(Some(Value::Text(String::new()))).expect("an empty element");
    assert!(empty.data().revoked_payments.is_empty());
    assert!(
        read(None)
            .expect("absent")
            .data()
            .revoked_payments
            .is_empty()
    );

    let object = flat(&[("pg_payment_id", "7")]);
    let nested = flat(&[]).with("pg_revoked_payment", Value::Nested(object));
    match read(Some(Value::Nested(nested))) {
        Err(ResponseError::Decode { error, params, .. }) => {
            assert!(error.to_string().contains("pg_revoked_payments"), "{error}");
            assert_eq!(params.get_text("pg_payment_id"), Some("12345"));
        }
        other => panic!("expected a decode error keeping the params, got {other:?}"),
    }
}
