//! A load run against the sandbox: signed `init_payment` requests from many
//! concurrent clients over loopback, with requests per second, p50/p99
//! latency and resident memory at rest and after the run.
//!
//! ```sh
//! cargo run --release -p freedompay-sandbox --example load -- 100000 32
//! ```
//! (payments, concurrent requests; the defaults are 100 000 and 32). The
//! sandbox runs in this process, and the memory is that of both.
//!
//! To measure the sandbox binary alone, start it in its own process and
//! point the run at it; the memory is then read from that process:
//!
//! ```sh
//! cargo build --release --bin freedompay-sandbox --example load
//! target/release/freedompay-sandbox --listen 127.0.0.1:8080 & PID=$!
//! target/release/examples/load 100000 32 --url http://127.0.0.1:8080 --pid $PID
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::{Client, Config, Host};
use freedompay_sandbox::Sandbox;

#[derive(Parser)]
#[command(about = "Signed init_payment requests against the sandbox")]
struct Args {
    /// Payments to create.
    #[arg(default_value_t = 100_000)]
    payments: usize,
    /// Concurrent callers.
    #[arg(default_value_t = 32)]
    concurrency: usize,
    /// A sandbox already running (with the default test merchant) instead of one in this process.
    #[arg(long, requires = "pid")]
    url: Option<String>,
    /// The process id of that sandbox, whose memory is reported.
    #[arg(long, requires = "url")]
    pid: Option<u32>,
}

/// Resident memory of the process `pid` (this one when `None`), from /proc (Linux), in KiB.
fn rss_kib(pid: Option<u32>) -> Option<u64> {
    let file = pid.map_or_else(
        || "/proc/self/status".to_owned(),
        |pid| format!("/proc/{pid}/status"),
    );
    let status = std::fs::read_to_string(file).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Args {
        payments,
        concurrency,
        url,
        pid,
    } = Args::parse();
    let (sandbox, host) = match url {
        Some(url) => (None, Host::Custom(url)),
        None => {
            let sandbox = Sandbox::start().await?;
            let host = sandbox.host();
            (Some(sandbox), host)
        }
    };
    let client = Arc::new(Client::new(Config::new("12345", "mysecret").host(host))?);
    // Warm up the connection pool and the code paths.
    for _ in 0..100 {
        client
            .page()
            .init_payment(&InitPaymentRequest::new("10".parse()?, "warm-up"))
            .await?;
    }
    let at_rest = rss_kib(pid);

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
    let after = rss_kib(pid);

    println!("payments:          {}", latencies.len());
    println!("concurrency:       {concurrency}");
    println!(
        "requests/second:   {:.0}",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!("latency p50:       {:.2?}", percentile(&latencies, 0.50));
    println!("latency p99:       {:.2?}", percentile(&latencies, 0.99));
    if let (Some(rest), Some(after)) = (at_rest, after) {
        let whose = if pid.is_some() {
            "the sandbox process alone"
        } else {
            "sandbox and client in one process"
        };
        println!(
            "memory at rest:    {:.1} MiB ({whose})",
            rest as f64 / 1024.0
        );
        println!("memory after run:  {:.1} MiB", after as f64 / 1024.0);
    }
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    Ok(())
}
