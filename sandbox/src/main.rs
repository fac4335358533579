//! `freedompay-sandbox`: a local Freedom Pay gateway for tests and demos.
//!
//! ```sh
//! cargo run --bin freedompay-sandbox -- --listen 127.0.0.1:8080 --merchant 545084:SECRET
//! cargo run --bin freedompay-sandbox -- --config sandbox.yaml
//! ```
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::string_slice
    )
)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use freedompay_sandbox::config::Config;
use freedompay_sandbox::{Merchant, RetryPolicy, Sandbox};

#[derive(Parser)]
#[command(
    name = "freedompay-sandbox",
    about = "A local Freedom Pay gateway: signed answers, a payment page, callbacks"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A merchant account as ID:SECRET or ID:SECRET:PAYOUT_SECRET (repeatable).
    /// Without one, the documented test merchant 12345 with the key `mysecret`.
    #[arg(long = "merchant", value_name = "ID:SECRET")]
    merchants: Vec<Merchant>,
    /// A YAML file of merchants and settings (see the crate's `config` module);
    /// `--merchant` adds to its merchants, the other flags override it.
    #[arg(long, value_name = "PATH")]
    config: Option<std::path::PathBuf>,
    /// Keep the state in this SQLite file, so a restart loses nothing.
    #[arg(long, value_name = "PATH")]
    db: Option<std::path::PathBuf>,
    /// Attempts of each result and payout notification [default: 4].
    #[arg(long)]
    notify_attempts: Option<u32>,
    /// Milliseconds before the first retry, doubled each time [default: 1000].
    #[arg(long)]
    notify_delay_ms: Option<u64>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "freedompay_sandbox=info".into()),
        )
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("freedompay-sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let mut merchants = config.merchants;
    for merchant in args.merchants {
        if merchants.iter().any(|m| m.id == merchant.id) {
            return Err(format!("merchant {} is given twice", merchant.id).into());
        }
        merchants.push(merchant);
    }
    let mut builder = Sandbox::builder().listen(args.listen).retry(RetryPolicy {
        attempts: args.notify_attempts.or(config.notify_attempts).unwrap_or(4),
        delay: Duration::from_millis(
            args.notify_delay_ms
                .or(config.notify_delay_ms)
                .unwrap_or(1000),
        ),
        ..RetryPolicy::default()
    });
    if let Some(ms) = config.payout_delay_ms {
        builder = builder.payout_delay(Duration::from_millis(ms));
    }
    if let Some(path) = &args.db {
        builder = builder.database(path);
    }
    let ids: Vec<String> = merchants.iter().map(|m| m.id.clone()).collect();
    for merchant in merchants {
        builder = builder.merchant(merchant);
    }
    let sandbox = builder.start().await?;
    if ids.is_empty() {
        println!("merchant 12345 (secret key `mysecret`)");
    } else {
        println!("merchants {}", ids.join(", "));
    }
    println!("Freedom Pay sandbox at {}", sandbox.base_url());
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
