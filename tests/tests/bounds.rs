//! Bounds on remote input: every limit is a public constant, and input past
//! it gives a typed error (or HTTP 413), never a panic, a hang or an
//! unbounded allocation.
//!
//! The client's tests use a raw TCP server on a thread, so the answer can be
//! endless or dripped a byte at a time.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::post;
use freedompay::axum::{CallbackKeys, MAX_CALLBACK_BYTES, SignedReply, VerifiedCallback};
use freedompay::enums::ReplyStatus;
use freedompay::merchant::callbacks::{CheckCallback, CheckReply};
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::xml::{self, MAX_DEPTH, MAX_ELEMENTS, MAX_XML_BYTES};
use freedompay::{Amount, Client, Config, Error, Host, MAX_RESPONSE_BYTES};
use freedompay_sandbox::{MAX_REQUEST_BYTES, Sandbox};

const SECRET: &str = "Bounds-Secret-3";

// ---------------------------------------------------------------------------
// XML
// ---------------------------------------------------------------------------

fn flat_document(children: usize) -> String {
    let mut doc = String::from("<response>");
    for _ in 0..children {
        doc.push_str("<a/>");
    }
    doc.push_str("</response>");
    doc
}

#[test]
fn xml_element_count_is_bounded() {
    // The root counts: MAX_ELEMENTS - 1 children is the most accepted.
    let ok = xml::parse(&flat_document(MAX_ELEMENTS - 1)).expect("at the bound");
    assert_eq!(ok.params.len(), MAX_ELEMENTS - 1);

    let error = xml::parse(&flat_document(MAX_ELEMENTS)).expect_err("past the bound");
    assert!(
        error
            .reason
            .contains(&format!("more than {MAX_ELEMENTS} elements")),
        "{error}"
    );
    // Open/close pairs count the same as empty elements.
    let pairs = format!("<response>{}</response>", "<a>1</a>".repeat(MAX_ELEMENTS));
    let error = xml::parse(&pairs).expect_err("past the bound");
    assert!(error.reason.contains("elements"), "{error}");
}

#[test]
fn xml_input_size_is_bounded() {
    // Under the element bound, over the size bound: one long text value.
    let big = format!("<response><a>{}</a></response>", "x".repeat(MAX_XML_BYTES));
    let error = xml::parse(&big).expect_err("too large");
    assert_eq!(error.position, 0, "refused before reading: {error}");
    assert!(
        error
            .reason
            .contains(&format!("larger than {MAX_XML_BYTES} bytes")),
        "{error}"
    );
    let fits = format!(
        "<response><a>{}</a></response>",
        "x".repeat(MAX_XML_BYTES - 100)
    );
    assert!(xml::parse(&fits).is_ok());
}

#[test]
fn xml_depth_is_still_bounded() {
    let deep = format!(
        "{}{}",
        "<a>".repeat(MAX_DEPTH + 1),
        "</a>".repeat(MAX_DEPTH + 1)
    );
    let error = xml::parse(&deep).expect_err("too deep");
    assert!(error.reason.contains("nested deeper"), "{error}");
}

// ---------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------

/// Accepts one connection, reads the request head and hands the socket to `answer`.
fn raw_server(answer: impl FnOnce(&mut std::net::TcpStream) + Send + 'static) -> SocketAddr {
    let listener = StdListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut buffer = [0u8; 8192];
        // The client's request is small; one read holds its head.
        let _ = stream.read(&mut buffer);
        answer(&mut stream);
    });
    addr
}

fn init_request() -> InitPaymentRequest {
    InitPaymentRequest::new(Amount::from_major(10), "Bounds").order_id("1")
}

fn client(addr: SocketAddr, timeout: Duration) -> Client {
    let config = Config::new("545084", SECRET)
        .host(Host::Custom(format!("http://{addr}")))
        .timeout(timeout);
    Client::new(config).expect("client")
}

#[tokio::test]
async fn client_stops_reading_an_endless_body_at_the_cap() {
    // A chunked answer that never ends: only a cap enforced while streaming stops it.
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let addr = raw_server(move |stream| {
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ntransfer-encoding: chunked\r\n\r\n";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        let chunk = vec![b'x'; 64 * 1024];
        let framed = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk,
            b"\r\n".to_vec(),
        ]
        .concat();
        // Stops when the client hangs up, or after 64 MiB at most.
        for _ in 0..1024 {
            if stream.write_all(&framed).is_err() {
                return;
            }
            counter.fetch_add(64 * 1024, Ordering::SeqCst);
        }
    });
    let error = client(addr, Duration::from_secs(20))
        .send(&init_request())
        .await
        .expect_err("too large");
    assert!(matches!(error, Error::TooLarge), "{error:?}");
    // Socket buffers hold some more, but far from the 64 MiB the server would send.
    let sent = sent.load(Ordering::SeqCst);
    assert!(
        sent < 16 * MAX_RESPONSE_BYTES,
        "kept reading: {sent} bytes sent"
    );
}

#[tokio::test]
async fn client_oversize_content_length_is_refused() {
    let addr = raw_server(|stream| {
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: {}\r\n\r\n",
            MAX_RESPONSE_BYTES + 1
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&vec![b' '; MAX_RESPONSE_BYTES + 1]);
    });
    let error = client(addr, Duration::from_secs(20))
        .send(&init_request())
        .await
        .expect_err("too large");
    assert!(matches!(error, Error::TooLarge), "{error:?}");
}

#[tokio::test]
async fn client_deadline_covers_a_slow_drip() {
    // Headers at once, then one byte every 100 ms: each read makes progress,
    // so only a total deadline ends it.
    let addr = raw_server(|stream| {
        let head =
            "HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\ncontent-length: 100000\r\n\r\n<response>";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        for _ in 0..200 {
            std::thread::sleep(Duration::from_millis(100));
            if stream
                .write_all(b" ")
                .and_then(|()| stream.flush())
                .is_err()
            {
                return;
            }
        }
    });
    let deadline = Duration::from_millis(800);
    let started = Instant::now();
    let error = client(addr, deadline)
        .send(&init_request())
        .await
        .expect_err("timeout");
    let elapsed = started.elapsed();
    // `init_payment` creates a payment: a timeout leaves its outcome unknown.
    assert!(
        matches!(&error, Error::OutcomeUnknown { cause, .. } if matches!(**cause, Error::Timeout)),
        "{error:?}"
    );
    // The drip would last 20 s; the deadline ends it long before. The bound
    // is loose on purpose: this checks that a deadline applies, not how fast
    // a loaded machine meets it.
    assert!(
        elapsed < Duration::from_secs(10),
        "not cut off: {elapsed:?}"
    );
}

// ---------------------------------------------------------------------------
// The axum extractor
// ---------------------------------------------------------------------------

#[derive(Clone)]
struct Shop {
    keys: CallbackKeys,
    calls: Arc<AtomicUsize>,
}

impl FromRef<Shop> for CallbackKeys {
    fn from_ref(shop: &Shop) -> Self {
        shop.keys.clone()
    }
}

async fn check(State(shop): State<Shop>, callback: VerifiedCallback<CheckCallback>) -> SignedReply {
    shop.calls.fetch_add(1, Ordering::SeqCst);
    callback.reply(&CheckReply::new(ReplyStatus::Ok))
}

#[tokio::test]
async fn axum_callback_body_is_bounded() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/freedompay/check", post(check))
        .with_state(Shop {
            keys: CallbackKeys::new(SECRET),
            calls: calls.clone(),
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/freedompay/check",
        listener.local_addr().expect("address")
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();

    let body = format!("pg_order_id=1&cart={}", "x".repeat(MAX_CALLBACK_BYTES));
    let response = http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 413);
    let text = response.text().await.expect("text");
    assert!(text.contains(&MAX_CALLBACK_BYTES.to_string()), "{text}");

    // Just under the bound the body is read (and refused as unsigned, not as too large).
    let body = format!("cart={}", "x".repeat(MAX_CALLBACK_BYTES - 10));
    let response = http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    server.abort();
}

// ---------------------------------------------------------------------------
// The sandbox
// ---------------------------------------------------------------------------

#[tokio::test]
async fn sandbox_request_body_is_bounded() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let url = format!("{}/init_payment.php", sandbox.base_url());
    let http = reqwest::Client::new();
    let body = format!(
        "pg_merchant_id=12345&pg_description={}",
        "x".repeat(MAX_REQUEST_BYTES)
    );
    let response = http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 413);

    // Under the bound, the gateway reads it and answers with its own error.
    let response = http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("pg_merchant_id=12345")
        .send()
        .await
        .expect("answered");
    assert_ne!(response.status().as_u16(), 413);
}

/// A form is read up to its first `form::MAX_PAIRS` pairs, as PHP reads up to
/// `max_input_vars`: 64 KiB of `a[]=1&…` (some 11 000 pairs) no longer costs a
/// walk over every sibling per pair.
#[test]
fn bounds_a_form_is_read_up_to_max_pairs() {
    use freedompay::{Value, form};
    let body = "a[]=1&".repeat(10_900);
    let params = form::decode(&body);
    match params.get("a") {
        Some(Value::Nested(items)) => assert_eq!(items.len(), form::MAX_PAIRS),
        other => panic!("expected a list, got {other:?}"),
    }
    let mut names: String = (0..form::MAX_PAIRS).map(|i| format!("k{i}=1&")).collect();
    names.push_str("pg_sig=late");
    let params = form::decode(&names);
    assert_eq!(params.len(), form::MAX_PAIRS);
    assert_eq!(
        params.get("pg_sig"),
        None,
        "the pair past the limit is dropped"
    );
}
