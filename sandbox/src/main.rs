//! `freedompay-sandbox`: a local Freedom Pay gateway for tests and demos.
//!
//! ```sh
//! cargo run --bin freedompay-sandbox -- --listen 127.0.0.1:8080 --merchant 545084:SECRET
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
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
    /// Keep the state in this SQLite file, so a restart loses nothing.
    #[arg(long, value_name = "PATH")]
    db: Option<std::path::PathBuf>,
    /// Attempts of each result and payout notification.
    #[arg(long, default_value_t = 4)]
    notify_attempts: u32,
    /// Milliseconds before the first retry (doubled each time).
    #[arg(long, default_value_t = 1000)]
    notify_delay_ms: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "freedompay_sandbox=info".into()),
        )
        .init();
    let args = Args::parse();
    let mut builder = Sandbox::builder().listen(args.listen).retry(RetryPolicy {
        attempts: args.notify_attempts,
        delay: Duration::from_millis(args.notify_delay_ms),
        ..RetryPolicy::default()
    });
    if let Some(path) = &args.db {
        builder = builder.database(path);
    }
    let ids: Vec<String> = args.merchants.iter().map(|m| m.id.clone()).collect();
    for merchant in args.merchants {
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
