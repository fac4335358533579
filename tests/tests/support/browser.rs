//! Headless Chromium driven over WebDriver (chromedriver), for the tests of
//! the sandbox's pages.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them).
//! Without them [`open`] says so and a test skips, except under CI (`CI`
//! set), where a missing browser is a failure.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use fantoccini::ClientBuilder;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver on a free port; killed on drop.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser session: the WebDriver client, its chromedriver and its own
/// profile directory (removed by [`Session::close`]).
pub struct Session {
    /// The WebDriver client.
    pub client: fantoccini::Client,
    _driver: Driver,
    user_data: PathBuf,
}

impl std::ops::Deref for Session {
    type Target = fantoccini::Client;

    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

impl Session {
    /// Closes the browser and removes its profile.
    pub async fn close(self) {
        self.client
            .clone()
            .close()
            .await
            .expect("the browser closes");
        let _ = std::fs::remove_dir_all(&self.user_data);
    }
}

/// A headless Chromium, or `None` (after saying so) when the browser is not
/// installed outside CI.
pub async fn open() -> Option<Session> {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: install chromium and chromium-driver to run the browser tests");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    // One profile per session: two browsers of one test run never share one.
    static SESSIONS: AtomicUsize = AtomicUsize::new(0);
    let user_data = std::env::temp_dir().join(format!(
        "fp-chromium-{}-{}",
        std::process::id(),
        SESSIONS.fetch_add(1, Ordering::Relaxed)
    ));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", user_data.display()),
            ],
        }),
    );
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("TLS")
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                return Some(Session {
                    client,
                    _driver: driver,
                    user_data,
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("chromedriver answers");
}
