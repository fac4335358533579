//! Starting the `freedompay-sandbox` binary from a test.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts the binary with `args` on a free port and returns it with its base
/// URL, read from the line it prints once it listens.
pub fn start<I, S>(args: I) -> (Child, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(env!("CARGO_BIN_EXE_freedompay-sandbox"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sandbox binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the sandbox prints its address")
            .expect("readable");
        if let Some(url) = line.strip_prefix("Freedom Pay sandbox at ") {
            break url.trim().to_owned();
        }
    };
    (child, url)
}
