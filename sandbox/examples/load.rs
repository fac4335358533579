//! A load run against the sandbox: signed `init_payment` requests from many
//! concurrent clients over loopback, with requests per second, p50/p99
//! latency and the process's resident memory at rest and after the run.
//!
//! ```sh
//! cargo run --release -p freedompay-sandbox --example load -- 100000 32
//! ```
//! (payments, concurrent requests; the defaults are 100 000 and 32)

use std::sync::Arc;
use std::time::{Duration, Instant};

use freedompay::merchant::page::InitPaymentRequest;
use freedompay::{Client, Config};
use freedompay_sandbox::Sandbox;

/// The process's resident memory, from /proc (Linux), in KiB.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let payments: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let concurrency: usize = args.next().map_or(Ok(32), |a| a.parse())?;

    let sandbox = Sandbox::start().await?;
    let client = Arc::new(Client::new(
        Config::new("12345", "mysecret").host(sandbox.host()),
    )?);
    // Warm up the connection pool and the code paths.
    for _ in 0..100 {
        client
            .page()
            .init_payment(&InitPaymentRequest::new("10".parse()?, "warm-up"))
            .await?;
    }
    let at_rest = rss_kib();

    let started = Instant::now();
    let per_worker = payments.div_ceil(concurrency);
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let client = client.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_worker);
            for i in 0..per_worker {
                let request =
                    InitPaymentRequest::new("1500.50".parse().expect("amount"), "Load order")
                        .order_id(format!("load-{worker}-{i}"));
                let sent = Instant::now();
                client.page().init_payment(&request).await.expect("created");
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(per_worker * concurrency);
    for worker in workers {
        latencies.extend(worker.await?);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let after = rss_kib();

    println!("payments:          {}", latencies.len());
    println!("concurrency:       {concurrency}");
    println!(
        "requests/second:   {:.0}",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!("latency p50:       {:.2?}", percentile(&latencies, 0.50));
    println!("latency p99:       {:.2?}", percentile(&latencies, 0.99));
    if let (Some(rest), Some(after)) = (at_rest, after) {
        println!(
            "memory at rest:    {:.1} MiB (sandbox and client in one process)",
            rest as f64 / 1024.0
        );
        println!("memory after run:  {:.1} MiB", after as f64 / 1024.0);
    }
    sandbox.shutdown().await;
    Ok(())
}
