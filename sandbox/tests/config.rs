//! `--config`: the binary reads its merchants and settings from a YAML file,
//! and refuses a bad file with an error that names it and shows no key.

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
