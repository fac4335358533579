//! Throughput and latency of signed `init_payment` requests against the
//! sandbox on loopback, and the cost of signing alone.
//!
//! ```sh
//! cargo bench -p freedompay-sandbox --bench gateway
//! ```

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use freedompay::exchange::prepare_with_salt;
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::{Client, Config, SecretKey};
use freedompay_sandbox::Sandbox;

fn request() -> InitPaymentRequest {
    InitPaymentRequest::new("1500.50".parse().expect("amount"), "Benchmark order")
        .order_id("bench-1")
        .result_url("https://shop.example/result")
        .with_extra("cart", "A-17")
}

fn sign(c: &mut Criterion) {
    let secret = SecretKey::new("mysecret");
    let request = request();
    let mut group = c.benchmark_group("sign");
    group.throughput(Throughput::Elements(1));
    group.bench_function("init_payment: validate, sign, encode", |b| {
        b.iter(|| prepare_with_salt(&request, "12345", &secret, "salt").expect("valid"));
    });
    group.finish();
}

fn round_trip(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (sandbox, client) = runtime.block_on(async {
        let sandbox = Sandbox::start().await.expect("sandbox");
        let client =
            Client::new(Config::new("12345", "mysecret").host(sandbox.host())).expect("client");
        (sandbox, client)
    });
    let request = request();
    let mut group = c.benchmark_group("sandbox");
    group.throughput(Throughput::Elements(1));
    group.bench_function(
        "init_payment over loopback (sign, send, verify, decode)",
        |b| {
            b.to_async(&runtime)
                .iter(|| async { client.page().init_payment(&request).await.expect("created") });
        },
    );
    group.finish();
    drop(sandbox);
}

criterion_group!(benches, sign, round_trip);
criterion_main!(benches);
