//! `freedompay`: compute and check Freedom Pay `pg_sig` signatures from the command line.
//!
//! The gateway signs every message with `pg_sig`, the lowercase hex MD5 of
//! `script;value;value;…;secret`, the values taken in the order of their sort
//! keys (`<parent key><name><position as 3 digits>`, see
//! [`freedompay_core::signature`]). This tool computes that signature for a
//! request given as form parameters or as an XML document, explains how it was
//! made, and checks the signature of a message received from the gateway.
//!
//! ```text
//! freedompay sign   --script init_payment.php --secret KEY pg_order_id=23 pg_amount=25 …
//! freedompay verify --script result.php       --secret KEY pg_order_id=23 … pg_sig=…
//! freedompay sign-xml   --script check --secret KEY [--explain | --write] < reply.xml
//! freedompay verify-xml --script result --secret KEY < callback.xml
//! freedompay jws-sign   --uri /v5/partner/wallet/add --auth-id ID --alg HS256 --secret KEY < body.json
//! freedompay jws-verify --uri /v5/partner/wallet/add --alg HS256 --secret KEY --signature 'eyJ…..…' < body.json
//! ```
//!
//! The JSON APIs (Async Gateway, Card, Partner) sign differently: a detached
//! JWS of the body in the `X-JWS-Signature` header ([`freedompay_core::jws`]);
//! `jws-sign` and `jws-verify` compute and check it, over the body's bytes
//! exactly as read.
//!
//! Exit codes: `0` success (`verify`: the signature matches), `1` the
//! signature does not match, `2` bad input (a usage error, a parameter
//! without `=`, no `pg_sig` to verify, malformed XML, unreadable input).
//!
//! The secret key may come from the `FREEDOMPAY_SECRET_KEY` environment
//! variable instead of `--secret`, so it stays out of shell history and
//! process listings. Only `--explain` ever prints it (it is part of the
//! string that is signed); no other output contains it.
//!
//! The tool uses only the I/O-free core (`freedompay_core`): the parameter
//! tree, the signature and the form and XML codecs. It is built with the
//! crate's `cli` feature, off by default so that the library does not compile
//! clap: `cargo install --path generated-client --features cli` in the
//! repository (`cargo install freedompay --features cli` from a registry), or
//! `cargo run -p freedompay --features cli -- …`.
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

use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use freedompay_core::jws::{self, Algorithm, Expected, JwsHeader};
use freedompay_core::signature::{self, SIG, SecretKey, SignatureError};
use freedompay_core::{Params, Value, form, xml};

/// The environment variable read when `--secret` is not given.
const SECRET_ENV: &str = "FREEDOMPAY_SECRET_KEY";

/// The environment variable read when `jws-sign`/`jws-verify` get no `--secret`.
const JWS_SECRET_ENV: &str = "FREEDOMPAY_JWS_SECRET";

const ABOUT: &str = "Compute and check Freedom Pay pg_sig signatures";

const LONG_ABOUT: &str = "\
Compute and check Freedom Pay pg_sig signatures.

The gateway signs every request, response and callback with pg_sig: the
lowercase hex MD5 of the script name, every parameter value and the secret
key, joined with ';'. The values are ordered by a sort key made of the parent's
key, the parameter's name and its 1-based position among its siblings as three
digits (pg_amount003), nested lists flattened, all keys sorted by their bytes.
pg_sig itself is never signed but still counts for the positions, so the order
in which parameters are given matters.

Parameters are given as PARAM=VALUE in the gateway's bracket notation
(pg_receipt_positions[0][name]=Mouse pad), XML messages on standard input.";

const AFTER_HELP: &str = "\
Secret key:
  Pass it with --secret KEY or, to keep it out of shell history and process
  listings, in the environment variable FREEDOMPAY_SECRET_KEY. Only --explain
  prints it (it is the last field of the string that is signed).

Exit codes:
  0  done; for verify and verify-xml: the signature matches
  1  the signature does not match (a one-line reason on standard output)
  2  bad input: usage error, PARAM without '=', no pg_sig to verify,
     malformed XML or unreadable standard input (a one-line reason on
     standard error)

Examples:
  freedompay sign --script init_payment.php --secret mysecret \\
      pg_order_id=23 pg_merchant_id=12345 pg_amount=25 pg_description=test pg_salt=molbulak
  FREEDOMPAY_SECRET_KEY=mysecret freedompay verify --script result.php pg_order_id=23 ... pg_sig=...
  freedompay sign-xml --script check --write < reply.xml
  freedompay verify-xml --script result < callback.xml";

#[derive(Parser)]
#[command(
    name = "freedompay",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compute the pg_sig of form parameters given as PARAM=VALUE
    #[command(
        long_about = "\
Compute the pg_sig of form parameters given as PARAM=VALUE, in the order they
are sent. Prints the signature as the last line of standard output. A pg_sig
among the parameters is not signed but still counts for the positions of the
parameters after it.",
        after_help = "\
Example:
  freedompay sign --script init_payment.php --secret mysecret \\
      pg_order_id=23 pg_merchant_id=12345 pg_amount=25 pg_description=test pg_salt=molbulak
  prints 02a4d571f7ac768f3e7e51e1b4afa122

The secret key may also come from FREEDOMPAY_SECRET_KEY. Exit code 2 on bad input."
    )]
    Sign {
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        explain: ExplainArg,
        #[command(flatten)]
        params: ParamArgs,
    },

    /// Check the pg_sig of form parameters given as PARAM=VALUE
    #[command(
        long_about = "\
Check the pg_sig of form parameters given as PARAM=VALUE, in the order they
were received (pg_sig among them, where it was). Prints `valid` and exits 0
when the signature matches; prints `invalid: <reason>` and exits 1 when it does
not. The secret key is never printed.",
        after_help = "\
Exit codes: 0 valid, 1 invalid, 2 bad input (no pg_sig, a PARAM without '=').
The secret key may also come from FREEDOMPAY_SECRET_KEY."
    )]
    Verify {
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        params: ParamArgs,
    },

    /// Compute the pg_sig of an XML message read from standard input
    #[command(
        name = "sign-xml",
        long_about = "\
Compute the pg_sig of an XML message read from standard input: the children
of the root element are the parameters, an element with child elements a
nested list. A pg_sig already present is not signed (it still counts for the
positions). Prints the signature as the last line of standard output, or with
--write the whole document with <pg_sig> set.",
        after_help = "\
Example:
  freedompay sign-xml --script check --write < reply.xml > signed.xml

The secret key may also come from FREEDOMPAY_SECRET_KEY. Exit code 2 on
malformed XML or unreadable input."
    )]
    SignXml {
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        explain: ExplainArg,
        /// Print the XML document with <pg_sig> set instead of the signature.
        ///
        /// An existing <pg_sig> is replaced where it stands, otherwise one is
        /// added as the root's last child. The document is written anew: the
        /// root element and the parameters are kept, attributes, comments and
        /// formatting are not.
        #[arg(long, conflicts_with = "explain")]
        write: bool,
    },

    /// Check the pg_sig of an XML message read from standard input
    #[command(
        name = "verify-xml",
        long_about = "\
Check the pg_sig (a child of the root element) of an XML message read from
standard input. Prints `valid` and exits 0 when the signature matches; prints
`invalid: <reason>` and exits 1 when it does not. The secret key is never
printed.",
        after_help = "\
Exit codes: 0 valid, 1 invalid, 2 bad input (no pg_sig, malformed XML,
unreadable input). The secret key may also come from FREEDOMPAY_SECRET_KEY."
    )]
    VerifyXml {
        #[command(flatten)]
        key: KeyArgs,
    },

    /// Compute the X-JWS-Signature of a JSON body (Async Gateway, Card and Partner APIs)
    #[command(
        name = "jws-sign",
        long_about = "\
Compute the X-JWS-Signature of a JSON request body: a compact JWS with its
payload cut out (header..signature). The header is the compact JSON
{\"uri\":…,\"auth_id\":…,\"method\":…,\"params\":\"\",\"alg\":…}; the payload is the
body exactly as sent, byte for byte (a space or a newline more is another
signature); the signature is HMAC-SHA256 (HS256) or HMAC-SHA512 (HS512) with
the key over base64url(header) + '.' + base64url(body).",
        after_help = "\
The body is --body TEXT or standard input, taken byte for byte: use printf,
not echo, which adds a newline.

Example (partner-api E-Money vector):
  printf '%s' '{\"request_id\":\"828cf71d-a447-4a67-a149-c1df8bc197ca\",\"country\":\"KAZ\",\"currency\":\"KZT\"}' |
    freedompay jws-sign --uri /v5/partner/wallet/add --auth-id 123456 --alg HS256 \\
      --secret your-256-bit-secret
  prints eyJ1cmkiOi…..5xVbhml5y1Uw1TYQ_djwwefFz8y_CnX-ajzNvOBCcmE

The key may also come from FREEDOMPAY_JWS_SECRET."
    )]
    JwsSign {
        #[command(flatten)]
        jws: JwsArgs,
        /// The path of the called endpoint (/v5/partner/wallet/add).
        #[arg(long)]
        uri: String,
        /// The HTTP method.
        #[arg(long, default_value = "POST")]
        method: String,
        /// The algorithm: HS256 (Async Gateway, Partner) or HS512 (Card API).
        #[arg(long, value_parser = ["HS256", "HS512"])]
        alg: String,
        /// The API user the key belongs to (the header's auth_id).
        #[arg(long, value_name = "ID")]
        auth_id: String,
        /// Show the header, the encoded parts and the signing input first.
        #[arg(long)]
        explain: bool,
    },

    /// Check the X-JWS-Signature of a JSON body
    #[command(
        name = "jws-verify",
        long_about = "\
Check an X-JWS-Signature value against a JSON body (--body TEXT or standard
input, byte for byte). Prints `valid` and the header's auth_id and exits 0;
prints `invalid: <reason>` and exits 1 for a signature that does not match,
alg none, or, where --uri, --method or --alg say what the request was, a
header that says otherwise. Without them the header's own claims are checked.",
        after_help = "\
Exit codes: 0 valid, 1 invalid, 2 bad input. The key may also come from
FREEDOMPAY_JWS_SECRET."
    )]
    JwsVerify {
        #[command(flatten)]
        jws: JwsArgs,
        /// The X-JWS-Signature value received (header..signature).
        #[arg(long, value_name = "VALUE")]
        signature: String,
        /// The path the request was sent to; default: the header's uri.
        #[arg(long)]
        uri: Option<String>,
        /// The request's HTTP method; default: the header's method.
        #[arg(long)]
        method: Option<String>,
        /// The endpoint's algorithm; default: the header's alg (HS256 or HS512).
        #[arg(long, value_parser = ["HS256", "HS512"])]
        alg: Option<String>,
    },
}

/// What both JWS commands need: the key and the body.
#[derive(Args)]
struct JwsArgs {
    /// The API key; default: $FREEDOMPAY_JWS_SECRET. Never printed.
    #[arg(long, value_name = "KEY")]
    secret: Option<String>,
    /// The body; default: standard input, byte for byte.
    #[arg(long, value_name = "TEXT")]
    body: Option<String>,
}

/// The script name and the secret key every command needs.
#[derive(Args)]
struct KeyArgs {
    /// Script name the message is signed for: init_payment.php, get_status3.php,
    /// or the last segment of a callback URL's path (check, result).
    ///
    /// A URL or path is accepted too; its last path segment is used
    /// (https://api.freedompay.kz/init_payment.php?x=1 → init_payment.php).
    /// An empty name (--script '') is signed as it is: the string to sign then
    /// starts with ';', as the reference signer produces for a URL that ends in '/'.
    #[arg(long, value_name = "NAME")]
    script: String,

    /// The merchant's secret key ("payment password"); default: $FREEDOMPAY_SECRET_KEY.
    ///
    /// When omitted, it is read from the environment variable
    /// FREEDOMPAY_SECRET_KEY, which keeps it out of shell history and process
    /// listings. It is never printed, except by --explain.
    #[arg(long, value_name = "KEY")]
    secret: Option<String>,
}

#[derive(Args)]
struct ExplainArg {
    /// Show how the signature was made before printing it.
    ///
    /// Prints each signed value with its sort key, in signing order (one
    /// `KEY<TAB>VALUE` line each), then the string that was signed (it ends
    /// with the secret key!), then the signature.
    #[arg(long)]
    explain: bool,
}

#[derive(Args)]
struct ParamArgs {
    /// Parameters in the order they are sent, in bracket notation for nested
    /// lists: pg_amount=25 'pg_receipt_positions[0][name]=Mouse pad'.
    ///
    /// Split at the first '='; an empty value is written `PARAM=`. A repeated
    /// PARAM replaces the earlier value in place, as PHP does. Put `--` before
    /// them if a parameter starts with '-'.
    #[arg(value_name = "PARAM=VALUE")]
    params: Vec<String>,
}

/// Why a command did not succeed.
enum Failure {
    /// The signature does not match: exit 1, reason on standard output.
    Invalid(String),
    /// The input cannot be used: exit 2, reason on standard error.
    BadInput(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(output) => {
            emit(&mut io::stdout(), &output);
            ExitCode::SUCCESS
        }
        Err(Failure::Invalid(reason)) => {
            emit(&mut io::stdout(), &format!("invalid: {reason}\n"));
            ExitCode::from(1)
        }
        Err(Failure::BadInput(reason)) => {
            emit(&mut io::stderr(), &format!("freedompay: {reason}\n"));
            ExitCode::from(2)
        }
    }
}

/// Writes `text`; a closed pipe (`freedompay … | head`) is not an error worth a panic.
fn emit(out: &mut impl Write, text: &str) {
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn run(command: Command) -> Result<String, Failure> {
    match command {
        Command::Sign {
            key,
            explain,
            params,
        } => {
            let (script, secret) = key.resolve()?;
            let params = parse_params(&params.params, &secret)?;
            Ok(signed(&script, &params, &secret, explain.explain))
        }
        Command::Verify { key, params } => {
            let (script, secret) = key.resolve()?;
            let params = parse_params(&params.params, &secret)?;
            check(&script, &params, &secret)
        }
        Command::SignXml {
            key,
            explain,
            write,
        } => {
            let (script, secret) = key.resolve()?;
            let message = read_xml()?;
            if write {
                Ok(with_signature(&script, message, &secret))
            } else {
                Ok(signed(&script, &message.params, &secret, explain.explain))
            }
        }
        Command::VerifyXml { key } => {
            let (script, secret) = key.resolve()?;
            let message = read_xml()?;
            check(&script, &message.params, &secret)
        }
        Command::JwsSign {
            jws,
            uri,
            method,
            alg,
            auth_id,
            explain,
        } => {
            let (secret, body) = jws.resolve()?;
            let alg = algorithm(&alg)?;
            let header = JwsHeader::new(uri, auth_id, method, alg);
            let value = jws::sign(&header, &body, &secret);
            let mut out = String::new();
            if explain {
                let input = jws::signing_input(&header, &body);
                let (encoded_header, encoded_body) =
                    input.split_once('.').unwrap_or((input.as_str(), ""));
                out.push_str(&format!(
                    "algorithm\t{alg} (HMAC-SHA{})\nheader\t{}\nbase64url(header)\t{encoded_header}\n\
                     base64url(body)\t{encoded_body}\nsigning input\t{encoded_header}.{encoded_body}\n",
                    match alg {
                        Algorithm::Hs256 => 256,
                        Algorithm::Hs512 => 512,
                    },
                    header.to_json()
                ));
            }
            out.push_str(&value);
            out.push('\n');
            Ok(out)
        }
        Command::JwsVerify {
            jws,
            signature,
            uri,
            method,
            alg,
        } => {
            let (secret, body) = jws.resolve()?;
            let claimed = jws::claimed_header(&signature)
                .map_err(|error| Failure::Invalid(error.to_string()))?;
            let alg = match alg {
                Some(alg) => algorithm(&alg)?,
                None => claimed.alg,
            };
            let expected = Expected {
                uri: uri.as_deref().unwrap_or(&claimed.uri),
                method: method.as_deref().unwrap_or(&claimed.method),
                alg,
            };
            match jws::verify(&signature, &body, &secret, &expected) {
                Ok(header) => Ok(format!("valid (auth_id {})\n", header.auth_id)),
                Err(error) => Err(Failure::Invalid(error.to_string())),
            }
        }
    }
}

/// The algorithm named on the command line.
fn algorithm(name: &str) -> Result<Algorithm, Failure> {
    Algorithm::from_name(name)
        .ok_or_else(|| Failure::BadInput(format!("unknown algorithm `{name}`")))
}

impl JwsArgs {
    /// The key (from `--secret` or the environment) and the body's bytes.
    fn resolve(&self) -> Result<(SecretKey, Vec<u8>), Failure> {
        let secret = secret_from(self.secret.clone(), JWS_SECRET_ENV)?;
        let body = match &self.body {
            Some(body) => body.clone().into_bytes(),
            None => {
                let mut stdin = io::stdin();
                if stdin.is_terminal() {
                    eprintln!(
                        "freedompay: reading the body from standard input (end it with Ctrl-D)"
                    );
                }
                let mut body = Vec::new();
                stdin.read_to_end(&mut body).map_err(|e| {
                    Failure::BadInput(format!("cannot read the body from standard input: {e}"))
                })?;
                body
            }
        };
        Ok((secret, body))
    }
}

/// The key from its argument or, when absent, from the environment variable `env`.
fn secret_from(arg: Option<String>, env: &str) -> Result<SecretKey, Failure> {
    let secret = match arg {
        Some(secret) => secret,
        None => match std::env::var(env) {
            Ok(secret) => secret,
            Err(std::env::VarError::NotPresent) => {
                return Err(Failure::BadInput(format!(
                    "no secret key: pass --secret KEY or set {env}"
                )));
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Failure::BadInput(format!("{env} is not valid UTF-8")));
            }
        },
    };
    if secret.is_empty() {
        return Err(Failure::BadInput(format!(
            "the secret key is empty: pass --secret KEY or set {env}"
        )));
    }
    Ok(SecretKey::new(secret))
}

impl KeyArgs {
    /// The script name to sign with and the secret key, from `--secret` or the environment.
    fn resolve(self) -> Result<(String, SecretKey), Failure> {
        // An empty name is a valid script name: the reference signer takes the
        // part of the URL after its last '/', which is empty for a URL ending in '/'.
        let script = signature::script_name(self.script.trim()).to_owned();
        Ok((script, secret_from(self.secret, SECRET_ENV)?))
    }
}

/// Builds the parameter tree from `PARAM=VALUE` arguments, in their order.
fn parse_params(args: &[String], secret: &SecretKey) -> Result<Params, Failure> {
    let mut pairs = Vec::with_capacity(args.len());
    for (index, arg) in args.iter().enumerate() {
        // Never echo an argument holding the key (say, `--secret` forgotten before it).
        let shown = if arg.contains(secret.expose()) {
            format!(
                "parameter #{} (not shown: it contains the secret key)",
                index + 1
            )
        } else {
            format!("parameter `{arg}`")
        };
        let Some((name, value)) = arg.split_once('=') else {
            return Err(Failure::BadInput(format!(
                "{shown} has no '=': write it as PARAM=VALUE (PARAM= for an empty value)"
            )));
        };
        if name.is_empty() {
            return Err(Failure::BadInput(format!("{shown} has an empty name")));
        }
        pairs.push((name.to_owned(), value.to_owned()));
    }
    Ok(form::from_pairs(pairs))
}

/// What `--explain` says about an empty script name, before the string to sign.
const EMPTY_SCRIPT_NOTE: &str = "# empty script name: the string to sign starts with ';' \
(what the reference signer produces for a URL that ends in '/')";

/// The signature, preceded with `--explain` by the sort keys and the string to sign.
fn signed(script: &str, params: &Params, secret: &SecretKey, explain: bool) -> String {
    let mut out = String::new();
    if explain {
        for (key, value) in signature::ordered_values(params) {
            out.push_str(&key);
            out.push('\t');
            out.push_str(value);
            out.push('\n');
        }
        if script.is_empty() {
            out.push_str(EMPTY_SCRIPT_NOTE);
            out.push('\n');
        }
        out.push_str(&signature::string_to_sign(script, params, secret));
        out.push('\n');
    }
    out.push_str(&signature::sign(script, params, secret));
    out.push('\n');
    out
}

/// `valid`, or why not.
fn check(script: &str, params: &Params, secret: &SecretKey) -> Result<String, Failure> {
    match signature::verify(script, params, secret) {
        Ok(()) => Ok("valid\n".to_owned()),
        Err(SignatureError::Missing) => Err(Failure::BadInput(match params.get(SIG) {
            Some(Value::Nested(_)) => "pg_sig is a nested list, not a signature".to_owned(),
            _ => "the message carries no pg_sig to verify".to_owned(),
        })),
        Err(SignatureError::Mismatch) => {
            let given = params.get_text(SIG).unwrap_or_default().trim();
            if given.len() != 32 || !given.bytes().all(|b| b.is_ascii_hexdigit()) {
                Err(Failure::Invalid(format!(
                    "pg_sig is not an MD5 signature (32 hexadecimal digits); got {} characters",
                    given.chars().count()
                )))
            } else {
                Err(Failure::Invalid(
                    "pg_sig does not match; expected signature differs — check the script name, \
                     parameter order and secret key"
                        .to_owned(),
                ))
            }
        }
    }
}

/// Reads and parses the XML message on standard input.
fn read_xml() -> Result<xml::XmlMessage, Failure> {
    let mut stdin = io::stdin();
    if stdin.is_terminal() {
        eprintln!("freedompay: reading the XML message from standard input (end it with Ctrl-D)");
    }
    let mut text = String::new();
    stdin.read_to_string(&mut text).map_err(|e| {
        Failure::BadInput(format!(
            "cannot read the XML message from standard input: {e}"
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    xml::parse(text).map_err(|e| Failure::BadInput(e.to_string()))
}

/// The document with every top-level `pg_sig` set to the signature, or one appended.
///
/// Replacing in place keeps every position, so the signature of the original
/// message is the signature of the written one; an appended `pg_sig` comes
/// after everything else and shifts nothing.
fn with_signature(script: &str, message: xml::XmlMessage, secret: &SecretKey) -> String {
    let sig = signature::sign(script, &message.params, secret);
    let had_sig = message.params.contains(SIG);
    let mut params: Params = message
        .params
        .into_iter()
        .map(|(name, value)| {
            if name == SIG {
                (name, Value::Text(sig.clone()))
            } else {
                (name, value)
            }
        })
        .collect();
    if !had_sig {
        params.push(SIG, sig);
    }
    let mut out = xml::write(&message.root, &params);
    out.push('\n');
    out
}
