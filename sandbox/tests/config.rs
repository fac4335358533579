//! `--config`: the binary reads its merchants and settings from a YAML file,
//! and refuses a bad file with an error that names it and shows no key.

use std::ffi::OsStr;
use std::process::{Command, Stdio};

use freedompay::enums::Currency;
use freedompay::merchant::payout::PayoutBalanceRequest;
use freedompay::{Client, Config, Host};

mod common;

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "freedompay-sandbox-{}-{name}.yaml",
        std::process::id()
    ));
    std::fs::write(&path, text).expect("written");
    path
}

#[tokio::test]
async fn merchants_come_from_the_config_file_and_the_flags() {
    let path = write(
        "good",
        "merchants:\n  - id: 545084\n    secret: file-key\n    payout_secret: file-payout-key\n    payout_balance: 4321\nnotify:\n  attempts: 2\n",
    );
    let (mut child, url) = common::start([
        "--config".as_ref(),
        path.as_os_str(),
        "--merchant".as_ref(),
        "545085:flag-key".as_ref(),
    ]);
    let host = Host::Custom(url);
    let from_file = Client::new(
        Config::new("545084", "file-key")
            .payout_secret("file-payout-key")
            .host(host.clone()),
    )
    .unwrap();
    let balance = from_file
        .payout()
        .balance(&PayoutBalanceRequest::new(Currency::Kzt))
        .await
        .expect("the file's merchant and keys");
    assert_eq!(balance.balance, "4321".parse().unwrap());
    let from_flag = Client::new(Config::new("545085", "flag-key").host(host)).unwrap();
    let balance = from_flag
        .payout()
        .balance(&PayoutBalanceRequest::new(Currency::Kzt))
        .await
        .expect("the flag's merchant");
    assert_eq!(balance.balance, "1000000".parse().unwrap());
    child.kill().expect("stop");
    let _ = child.wait();
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_bad_config_file_stops_the_binary_with_a_clear_error() {
    let path = write(
        "bad",
        "merchants:\n  - id: 545084\n    secret: hidden-key\n    payout_balance: plenty\n",
    );
    let output = Command::new(env!("CARGO_BIN_EXE_freedompay-sandbox"))
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains(&path.display().to_string()), "{error}");
    assert!(
        error.contains("merchants[0]") && error.contains("plenty"),
        "{error}"
    );
    assert!(!error.contains("hidden-key"), "{error}");
    let _ = std::fs::remove_file(path);
}

/// A Card API call (Card info) and a Partner API call (wallet block), each
/// with a fresh request id.
fn card_info() -> freedompay::card::cards::CardInfoRequest {
    serde_json::from_value(serde_json::json!({
        "request_id": format!("card-{}", std::process::id()),
        "card_id": "828cf71d-a447-4a67-a149-c1df8bc197ca",
    }))
    .expect("a Card info request")
}

fn wallet_block() -> freedompay::partner::wallet::PartnerWalletBlockRequest {
    freedompay::partner::wallet::PartnerWalletBlockRequest::new(
        "266ea41d-adf5-480b-af50-15b940c2b846",
        "wallet-42",
        "lost phone",
    )
}

#[tokio::test]
async fn api_users_come_from_the_config_file_and_the_flags() {
    use freedompay::json::JsonApi;
    let path = write(
        "api-users",
        "merchants:\n  - id: 545084\n    secret: file-key\ncard_api:\n  - auth_id: card-user\n    key: file-card-key\n",
    );
    let (mut child, url) = common::start([
        "--config".as_ref(),
        path.as_os_str(),
        "--partner".as_ref(),
        "770001:flag-partner-key".as_ref(),
    ]);
    let host = Host::Custom(url);
    let api_users = Client::new(
        Config::new("545084", "file-key")
            .host(host.clone())
            .jws_credentials(JsonApi::Card, "card-user", "file-card-key")
            .jws_credentials(JsonApi::Partner, "770001", "flag-partner-key"),
    )
    .unwrap();
    api_users
        .card_cards()
        .info(&card_info())
        .await
        .expect("the file's Card API user");
    api_users
        .partner_wallet()
        .block(&wallet_block())
        .await
        .expect("the flag's Partner API user");
    // The Card API user signs no Partner API call.
    let crossed = Client::new(
        Config::new("545084", "file-key")
            .host(host)
            .jws_credentials(JsonApi::Partner, "card-user", "file-card-key"),
    )
    .unwrap();
    let refused = crossed
        .partner_wallet()
        .block(&wallet_block())
        .await
        .expect_err("a Card API user");
    assert!(refused.to_string().contains("auth_id"), "{refused}");
    child.kill().expect("stop");
    let _ = child.wait();
    let _ = std::fs::remove_file(path);
}

#[test]
fn bad_api_users_stop_the_binary_without_showing_their_keys() {
    let path = write(
        "bad-api-user",
        "merchants:\n  - id: 545084\n    secret: hidden-key-1\ncard_api:\n  - auth_id: card-user\n    key: hidden-key-2\npartner:\n  - auth_id: \"545084\"\n    key: hidden-key-3\n",
    );
    let run = |args: &[&OsStr]| {
        let output = Command::new(env!("CARGO_BIN_EXE_freedompay-sandbox"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{args:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let error = run(&["--config".as_ref(), path.as_os_str()]);
    assert!(error.contains(&path.display().to_string()), "{error}");
    assert!(
        error.contains("partner[0] (auth_id \"545084\")") && error.contains("merchant's id"),
        "{error}"
    );
    assert!(!error.contains("hidden-key"), "{error}");
    // Flags whose value holds a key: refused without quoting the value.
    for (flag, value, problem) in [
        ("--card-api", "hidden-key-4", "expected AUTH_ID:KEY"),
        ("--partner", "user:", "a key may not be empty"),
        (
            "--merchant",
            "abc:hidden-key-5",
            "the merchant id must be digits",
        ),
    ] {
        let error = run(&[flag.as_ref(), value.as_ref()]);
        assert!(error.contains(flag) && error.contains(problem), "{error}");
        assert!(!error.contains("hidden-key"), "{error}");
    }
    // An API user with a merchant's id, given by flags: refused at the start.
    let error = run(&[
        "--merchant".as_ref(),
        "545084:hidden-key-6".as_ref(),
        "--card-api".as_ref(),
        "545084:hidden-key-7".as_ref(),
    ]);
    assert!(error.contains("Card API user \"545084\""), "{error}");
    assert!(!error.contains("hidden-key"), "{error}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn the_help_names_the_api_user_flags() {
    let output = Command::new(env!("CARGO_BIN_EXE_freedompay-sandbox"))
        .arg("--help")
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--merchant <ID:SECRET>",
        "--card-api <AUTH_ID:KEY>",
        "--partner <AUTH_ID:KEY>",
    ] {
        assert!(help.contains(flag), "{help}");
    }
    assert!(help.contains("Card API calls only"), "{help}");
}
