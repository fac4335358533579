//! `freedompay-sandbox`: a local Freedom Pay gateway for tests and demos.
//!
//! ```sh
//! cargo run --bin freedompay-sandbox -- --listen 127.0.0.1:8080 --merchant 545084:SECRET
//! cargo run --bin freedompay-sandbox -- --merchant 545084:SECRET \
//!     --card-api card-user:CARD_KEY --partner 777001:PARTNER_KEY
//! cargo run --bin freedompay-sandbox -- --config sandbox.yaml
//! ```
//!
//! A flag whose value holds a key is refused without showing the value.
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

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Arg, Command, Parser};
use freedompay_sandbox::config::Config;
use freedompay_sandbox::{ApiFamily, ApiUser, Merchant, RetryPolicy, Sandbox};

/// The binary allocates and frees a few dozen small values per request:
/// mimalloc does that with less work than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "freedompay-sandbox",
    about = "A local Freedom Pay gateway: signed answers, a payment page, callbacks, the JSON APIs"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A merchant account as ID:SECRET or ID:SECRET:PAYOUT_SECRET (repeatable).
    /// Without one, the documented test merchant 12345 with the key `mysecret`.
    /// Its secret key also signs the JSON calls (JWS) of every API.
    #[arg(long = "merchant", value_name = "ID:SECRET", value_parser = Keyed(merchant))]
    merchants: Vec<Merchant>,
    /// A Card API user as AUTH_ID:KEY (repeatable): its JWS signs Card API
    /// calls only. Its AUTH_ID may not be a merchant's id.
    #[arg(long = "card-api", value_name = "AUTH_ID:KEY", value_parser = Keyed(card_user))]
    card_api: Vec<ApiUser>,
    /// A Partner API user as AUTH_ID:KEY (repeatable): its JWS signs Partner
    /// API calls only. Its AUTH_ID may not be a merchant's id.
    #[arg(long = "partner", value_name = "AUTH_ID:KEY", value_parser = Keyed(partner_user))]
    partner: Vec<ApiUser>,
    /// A Freedom ID client as CLIENT_ID:SECRET (repeatable): its HTTP Basic
    /// credentials authenticate Freedom ID's calls. Without one, a merchant's
    /// id and key are taken as client credentials.
    #[arg(long = "freedom-id", value_name = "CLIENT_ID:SECRET", value_parser = Keyed(freedom_id_client))]
    freedom_id: Vec<ApiUser>,
    /// A YAML file of merchants, API users and settings (see the crate's
    /// `config` module); `--merchant`, `--card-api`, `--partner` and
    /// `--freedom-id` add to
    /// its accounts, the other flags override it.
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

fn merchant(text: &str) -> Result<Merchant, String> {
    text.parse()
        .map_err(|e: freedompay_sandbox::merchant::MerchantParseError| e.to_string())
}

fn card_user(text: &str) -> Result<ApiUser, String> {
    ApiUser::parse(ApiFamily::Card, text).map_err(|e| e.to_string())
}

fn partner_user(text: &str) -> Result<ApiUser, String> {
    ApiUser::parse(ApiFamily::Partner, text).map_err(|e| e.to_string())
}

fn freedom_id_client(text: &str) -> Result<ApiUser, String> {
    ApiUser::parse(ApiFamily::FreedomId, text).map_err(|e| e.to_string())
}

/// Reads a flag whose value holds a key: a refusal names the flag and what
/// is wrong, never the value (clap's own message would quote it).
#[derive(Clone)]
struct Keyed<T>(fn(&str) -> Result<T, String>);

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Keyed<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &Command, arg: Option<&Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let flag = arg.map(ToString::to_string).unwrap_or_default();
        let refuse = |problem: &str| {
            clap::Error::raw(
                ErrorKind::ValueValidation,
                format!("invalid value for '{flag}': {problem}\n"),
            )
            .with_cmd(cmd)
        };
        let text = value.to_str().ok_or_else(|| refuse("not UTF-8"))?;
        (self.0)(text).map_err(|problem| refuse(&problem))
    }
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
    builder = builder.rates(config.rates);
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
    // The start refuses an auth_id given twice for one API, or a merchant's.
    let users: Vec<ApiUser> = config
        .api_users
        .into_iter()
        .chain(args.card_api)
        .chain(args.partner)
        .chain(args.freedom_id)
        .collect();
    let mut named = Vec::new();
    for family in [ApiFamily::Card, ApiFamily::Partner, ApiFamily::FreedomId] {
        let of: Vec<&str> = users
            .iter()
            .filter(|u| u.family == family)
            .map(|u| u.auth_id.as_str())
            .collect();
        if !of.is_empty() {
            named.push(format!("{} users {}", family.name(), of.join(", ")));
        }
    }
    for user in users {
        builder = builder.api_user(user);
    }
    let sandbox = builder.start().await?;
    if ids.is_empty() {
        println!("merchant 12345 (secret key `mysecret`)");
    } else {
        println!("merchants {}", ids.join(", "));
    }
    for line in named {
        println!("{line}");
    }
    println!("Freedom Pay sandbox at {}", sandbox.base_url());
    println!(
        "Signature debugger at {}{}",
        sandbox.base_url(),
        freedompay_sandbox::SIGNATURE_DEBUGGER_PATH
    );
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown().await;
    Ok(())
}
