//! Never charge twice: the client against the sandbox behind a proxy that
//! loses the first answers (drops the connection, answers too late, answers
//! 502/503/504) after the sandbox has acted on the request.
//!
//! Read-only and idempotency-keyed requests are retried and create one
//! payment, never two; a creating request without a key is not retried and
//! fails with `Error::OutcomeUnknown`.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use freedompay::merchant::page::{AnyAmountRequest, InitPaymentRequest, PaymentPageRequest};
use freedompay::merchant::payments::PaymentStatusRequest;
use freedompay::merchant::token::{
    TokenInitRequest, TokenInitRequestRequired, TokenInitWithCvcRequest,
};
use freedompay::{Client, Config, Effect, Endpoint, Error, Host, Retry};
use freedompay_sandbox::RunningSandbox;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::harness::{MERCHANT, PAYOUT_SECRET, SECRET, ShopServer, amount, sandbox};
use super::more_payments::saved_card;

/// What the proxy does with the sandbox's answer to one request.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Closes the connection without answering.
    Drop,
    /// Answers only after the client has given up waiting.
    Late,
    /// Answers with this status (502, 503, 504, 500) and an empty body.
    Status(u16),
}

/// The client's total timeout here; a `Late` answer comes after it. Long
/// enough that a sandbox answer on a loaded machine never meets it: only the
/// planned faults are lost.
const TIMEOUT: Duration = Duration::from_millis(1500);

/// An HTTP proxy in front of the sandbox: every request reaches the
/// sandbox, and the answers of the first requests meet the planned faults.
struct FaultProxy {
    url: String,
    plan: Arc<Mutex<VecDeque<Fault>>>,
    /// When each request reached the proxy.
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl FaultProxy {
    async fn start(sandbox: &RunningSandbox, faults: &[Fault]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let plan = Arc::new(Mutex::new(faults.iter().copied().collect::<VecDeque<_>>()));
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let upstream = sandbox.base_url().to_owned();
        let (plan_, arrivals_) = (plan.clone(), arrivals.clone());
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let (upstream, plan, arrivals) =
                    (upstream.clone(), plan_.clone(), arrivals_.clone());
                tokio::spawn(async move {
                    let _ = serve(socket, &upstream, &plan, &arrivals).await;
                });
            }
        });
        FaultProxy {
            url,
            plan,
            arrivals,
        }
    }

    fn host(&self) -> Host {
        Host::Custom(self.url.clone())
    }

    /// How many requests reached the sandbox through the proxy.
    fn requests(&self) -> usize {
        self.arrivals.lock().unwrap().len()
    }

    fn faults_left(&self) -> usize {
        self.plan.lock().unwrap().len()
    }
}

/// One request per connection: read it, forward it to the sandbox, then
/// answer as planned and close.
async fn serve(
    mut socket: TcpStream,
    upstream: &str,
    plan: &Mutex<VecDeque<Fault>>,
    arrivals: &Mutex<Vec<Instant>>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default().to_owned();
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap(), parts.next().unwrap());
    let mut length = 0;
    let mut content_type = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap(),
                "content-type" => content_type = Some(value.trim().to_owned()),
                _ => {}
            }
        }
    }
    while buffer.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    arrivals.lock().unwrap().push(Instant::now());
    let body = buffer[head_end..head_end + length].to_vec();
    let http = reqwest::Client::new();
    let url = format!("{upstream}{target}");
    let mut forward = match method {
        "GET" => http.get(url),
        _ => http.post(url).body(body),
    };
    if let Some(content_type) = content_type {
        forward = forward.header("content-type", content_type);
    }
    let answer = forward.send().await.unwrap();
    let status = answer.status().as_u16();
    let answer = answer.bytes().await.unwrap();

    let fault = plan.lock().unwrap().pop_front();
    let (status, answer) = match fault {
        None => (status, answer.to_vec()),
        Some(Fault::Drop) => return Ok(()),
        Some(Fault::Late) => {
            tokio::time::sleep(TIMEOUT * 2).await;
            (status, answer.to_vec())
        }
        Some(Fault::Status(code)) => (code, Vec::new()),
    };
    let head = format!(
        "HTTP/1.1 {status} Fault\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        answer.len()
    );
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(&answer).await?;
    socket.shutdown().await
}

/// A client through `proxy`: a short timeout, quick retries.
fn client_via(proxy: &FaultProxy, retry: Retry) -> Client {
    Client::new(
        Config::new(MERCHANT, SECRET)
            .payout_secret(PAYOUT_SECRET)
            .host(proxy.host())
            .timeout(TIMEOUT)
            .retry(retry),
    )
    .unwrap()
}

fn quick_retries() -> Retry {
    Retry::new(4, Duration::from_millis(5), Duration::from_millis(40))
}

/// Each way of losing an answer, and all of them in a row.
fn fault_plans() -> Vec<Vec<Fault>> {
    vec![
        vec![Fault::Drop],
        vec![Fault::Late],
        vec![Fault::Status(502)],
        vec![Fault::Status(503)],
        vec![Fault::Status(504)],
        vec![Fault::Drop, Fault::Status(503), Fault::Late],
    ]
}

/// Which creating endpoints carry an idempotency key, by the spec: the
/// test below must cover each of them.
fn keyed_creating_endpoints() -> BTreeSet<String> {
    crate::support::spec()
        .endpoints
        .iter()
        .filter(|e| e.direction == codegen::spec::Direction::Request)
        .filter(|e| e.effect == codegen::spec::Effect::Write && e.idempotency_key().is_some())
        .map(|e| e.id.clone())
        .collect()
}

/// Sends one keyed creating request of `endpoint` for `order` through a
/// client on `proxy` and returns the payment id it answered with.
async fn create(endpoint: &str, client: &Client, order: &str, token: &str) -> i64 {
    let result = match endpoint {
        "payment_page" => client
            .page()
            .payment_page(&PaymentPageRequest::new(order, amount("20"), "Tea"))
            .await
            .map(|a| a.payment_id),
        "any_amount" => client
            .page()
            .any_amount(
                &AnyAmountRequest::new()
                    .order_id(order)
                    .description("Donation")
                    .amount(amount("700")),
            )
            .await
            .map(|a| a.payment_id),
        "token_init" => client
            .token()
            .init(&TokenInitRequest::new(TokenInitRequestRequired {
                order_id: order.to_owned(),
                amount: amount("250"),
                description: "Subscription".to_owned(),
                user_id: "user-f".to_owned(),
                card_token: token.to_owned(),
            }))
            .await
            .map(|a| a.payment_id),
        "token_init_with_cvc" => client
            .token()
            .init_with_cvc(
                &TokenInitWithCvcRequest::new(order, amount("777"), "user-f", "Headphones")
                    .card_token(token),
            )
            .await
            .map(|a| a.payment_id),
        other => panic!("no request written for the keyed endpoint `{other}`"),
    };
    match result {
        Ok(id) => id,
        Err(error) => panic!("{endpoint}, order {order}: {error}"),
    }
}

#[tokio::test]
async fn every_keyed_creating_request_makes_one_payment_whatever_answers_are_lost() {
    let endpoints = keyed_creating_endpoints();
    assert_eq!(
        endpoints,
        BTreeSet::from(
            [
                "any_amount",
                "payment_page",
                "token_init",
                "token_init_with_cvc"
            ]
            .map(str::to_owned)
        ),
        "a new keyed endpoint needs its request in `create`"
    );
    let sandbox = sandbox().await;
    let shop = ShopServer::start().await;
    let token = saved_card(&super::harness::client(&sandbox), &shop, "user-f").await;
    for endpoint in &endpoints {
        for (n, plan) in fault_plans().into_iter().enumerate() {
            let proxy = FaultProxy::start(&sandbox, &plan).await;
            let client = client_via(&proxy, quick_retries());
            let order = format!("{endpoint}-{n}");
            let id = create(endpoint, &client, &order, &token).await;
            let payments = sandbox.payments_of_order(MERCHANT, &order);
            let ids: Vec<i64> = payments.iter().map(|p| p.id).collect();
            assert_eq!(ids, [id], "{endpoint} behind {plan:?}: one payment");
            assert_eq!(proxy.faults_left(), 0, "{endpoint}: every fault was met");
            assert_eq!(
                proxy.requests(),
                plan.len() + 1,
                "{endpoint} behind {plan:?}: sent once per lost answer, plus the last"
            );
        }
    }
}

#[tokio::test]
async fn a_creating_request_without_a_key_is_not_resent_and_its_outcome_is_unknown() {
    let sandbox = sandbox().await;
    for plan in [
        vec![Fault::Drop],
        vec![Fault::Late],
        vec![Fault::Status(503)],
    ] {
        let proxy = FaultProxy::start(&sandbox, &plan).await;
        let client = client_via(&proxy, quick_retries());
        let order = format!("unknown-{:?}", plan[0]);
        let error = client
            .page()
            .init_payment(&InitPaymentRequest::new(amount("10"), "Tea").order_id(&order))
            .await
            .unwrap_err();
        match &error {
            Error::OutcomeUnknown {
                endpoint,
                order_id,
                idempotency_key,
                attempts,
                cause,
            } => {
                assert_eq!(*endpoint, "init_payment");
                assert_eq!(order_id.as_deref(), Some(order.as_str()));
                assert_eq!(*idempotency_key, None);
                assert_eq!(*attempts, 1);
                assert!(cause.transient().is_some(), "{cause}");
            }
            other => panic!("{plan:?}: expected OutcomeUnknown, got {other:?}"),
        }
        let message = error.to_string();
        assert!(message.contains(&format!("order `{order}`")), "{message}");
        assert_eq!(proxy.requests(), 1, "{plan:?}: sent once");
        // The gateway did create it: the merchant finds it and must not pay again.
        assert_eq!(sandbox.payments_of_order(MERCHANT, &order).len(), 1);
    }
}

#[tokio::test]
async fn a_keyed_request_whose_retries_run_out_is_resent_as_prepared_by_the_caller() {
    let sandbox = sandbox().await;
    let proxy = FaultProxy::start(&sandbox, &[Fault::Drop]).await;
    let client = client_via(&proxy, Retry::NONE);
    let request = PaymentPageRequest::new("resend-1", amount("20"), "Tea");
    let prepared = client.prepare(&request).unwrap();
    let key = prepared
        .params
        .get_text("pg_idempotency_key")
        .expect("the client sets the key")
        .to_owned();
    assert_eq!(uuid_version(&key), Some('4'), "{key}");
    let error = client
        .send_prepared::<PaymentPageRequest>(&prepared)
        .await
        .unwrap_err();
    let Error::OutcomeUnknown {
        idempotency_key, ..
    } = &error
    else {
        panic!("expected OutcomeUnknown, got {error:?}");
    };
    assert_eq!(idempotency_key.as_deref(), Some(key.as_str()));
    let answer = client
        .send_prepared::<PaymentPageRequest>(&prepared)
        .await
        .unwrap();
    let payments = sandbox.payments_of_order(MERCHANT, "resend-1");
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].id, answer.data().payment_id);
}

/// A key the caller set is kept; an empty one is replaced.
#[tokio::test]
async fn the_client_sets_an_idempotency_key_only_where_none_is_given() {
    let sandbox = sandbox().await;
    let client = super::harness::client(&sandbox);
    let given = PaymentPageRequest::new("k-1", amount("20"), "Tea").idempotency_key("mine-1");
    let prepared = client.prepare(&given).unwrap();
    assert_eq!(
        prepared.params.get_text("pg_idempotency_key"),
        Some("mine-1")
    );
    let empty = PaymentPageRequest::new("k-2", amount("20"), "Tea").idempotency_key("");
    let prepared = client.prepare(&empty).unwrap();
    let key = prepared.params.get_text("pg_idempotency_key").unwrap();
    assert_eq!(uuid_version(key), Some('4'), "{key}");
    // An endpoint without the field gets none.
    let prepared = client
        .prepare(&InitPaymentRequest::new(amount("10"), "Tea"))
        .unwrap();
    assert_eq!(prepared.params.get("pg_idempotency_key"), None);
    assert_eq!(InitPaymentRequest::IDEMPOTENCY_KEY, None);
    assert_eq!(
        PaymentPageRequest::IDEMPOTENCY_KEY,
        Some("pg_idempotency_key")
    );
}

#[tokio::test]
async fn a_status_request_is_resent_until_it_is_answered() {
    let sandbox = sandbox().await;
    let created = super::harness::client(&sandbox)
        .page()
        .init_payment(&InitPaymentRequest::new(amount("10"), "Tea"))
        .await
        .unwrap();
    assert_eq!(PaymentStatusRequest::EFFECT, Effect::Read);
    let plan = [
        Fault::Drop,
        Fault::Status(502),
        Fault::Late,
        Fault::Status(504),
    ];
    let proxy = FaultProxy::start(&sandbox, &plan).await;
    let status = client_via(&proxy, quick_retries())
        .payments()
        .status(&PaymentStatusRequest::new(created.payment_id))
        .await
        .expect("answered on the fifth attempt");
    assert_eq!(status.payment_id, created.payment_id);
    assert_eq!(proxy.requests(), 5);

    // Retries are bounded: one fault more than the retries gives the last failure.
    let proxy = FaultProxy::start(&sandbox, &[Fault::Status(503); 3]).await;
    let client = client_via(
        &proxy,
        Retry::new(2, Duration::from_millis(1), Duration::from_millis(2)),
    );
    let error = client
        .payments()
        .status(&PaymentStatusRequest::new(created.payment_id))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Status { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(proxy.requests(), 3);
}

#[tokio::test]
async fn other_failures_are_not_retried() {
    let sandbox = sandbox().await;
    let proxy = FaultProxy::start(&sandbox, &[Fault::Status(500)]).await;
    let error = client_via(&proxy, quick_retries())
        .payments()
        .status(&PaymentStatusRequest::new(1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Status { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(proxy.requests(), 1);
}

#[tokio::test]
async fn a_request_that_cannot_connect_is_retried_and_reported_as_never_sent() {
    // A port nobody listens on: nothing leaves, so even a creating request is
    // retried, and the error says nothing was sent (not "outcome unknown").
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::new(
        Config::new(MERCHANT, SECRET)
            .host(Host::Custom(format!("http://127.0.0.1:{port}")))
            .retry(Retry::new(
                2,
                Duration::from_millis(1),
                Duration::from_millis(2),
            )),
    )
    .unwrap();
    let error = client
        .page()
        .init_payment(&InitPaymentRequest::new(amount("10"), "Tea"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Connect(_)), "{error:?}");
    assert!(error.to_string().contains("nothing was sent"), "{error}");
}

#[tokio::test]
async fn pacing_spaces_consecutive_creating_requests() {
    let sandbox = sandbox().await;
    let interval = Duration::from_millis(300);
    let client = Client::new(
        Config::new(MERCHANT, SECRET)
            .host(sandbox.host())
            .pacing(interval),
    )
    .unwrap();
    let started = Instant::now();
    for n in 0..3 {
        // Clones share the pacing.
        client
            .clone()
            .page()
            .init_payment(&InitPaymentRequest::new(amount("10"), "Tea").order_id(format!("p-{n}")))
            .await
            .unwrap();
    }
    // The second waited for the first, the third for the second.
    assert!(started.elapsed() >= interval * 2, "{:?}", started.elapsed());
}

#[tokio::test]
async fn pacing_does_not_hold_back_reads() {
    let sandbox = sandbox().await;
    let client = Client::new(
        Config::new(MERCHANT, SECRET)
            .host(sandbox.host())
            .pacing(Duration::from_secs(3600)),
    )
    .unwrap();
    let created = client
        .page()
        .init_payment(&InitPaymentRequest::new(amount("10"), "Tea"))
        .await
        .unwrap();
    // Were reads paced, this would wait an hour.
    let status = tokio::time::timeout(
        Duration::from_secs(30),
        client
            .payments()
            .status(&PaymentStatusRequest::new(created.payment_id)),
    )
    .await
    .expect("a read is not paced")
    .unwrap();
    assert_eq!(status.payment_id, created.payment_id);
}

/// The version digit of a UUID in its text form, if `text` is one.
fn uuid_version(text: &str) -> Option<char> {
    let parts: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    (lengths == [8, 4, 4, 4, 12] && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit()))
        .then(|| parts[2].chars().next())
        .flatten()
}
