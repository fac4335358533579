//! The `freedompay` command-line tool, run as a process.
//!
//! The binary belongs to another package, so `CARGO_BIN_EXE_freedompay` is not
//! set here: it is built once, with the `cli` feature it requires
//! (`support::built_binary`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use freedompay_core::form;
use freedompay_core::signature::{self, SecretKey};

const SECRET_ENV: &str = "FREEDOMPAY_SECRET_KEY";

/// The documented init_payment example, in the order it is sent.
const EXAMPLE: &[&str] = &[
    "pg_order_id=23",
    "pg_merchant_id=12345",
    "pg_amount=25",
    "pg_description=test",
    "pg_salt=molbulak",
];
const EXAMPLE_SIG: &str = "02a4d571f7ac768f3e7e51e1b4afa122";

const PAYBOX_XML: &str = "<request><pg_salt>9imM909TH820jwk387</pg_salt><pg_t_param>value3</pg_t_param>\
<pg_a_param>value1</pg_a_param><pg_z_param><pg_q_subparam>subvalue2</pg_q_subparam>\
<pg_m_subparam>subvalue1</pg_m_subparam></pg_z_param><pg_b_param>value2</pg_b_param>\
<pg_sig>a8a4d5a9188f24038a14a4d65c387bf7</pg_sig></request>";
const PAYBOX_SIG: &str = "a8a4d5a9188f24038a14a4d65c387bf7";

/// Builds the binary once and returns its path.
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| crate::support::built_binary("freedompay", "freedompay", &["cli"]))
}

/// What a run of the tool gave.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default()
    }

    #[track_caller]
    fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code of {self:#?}");
        self
    }
}

/// Runs the tool with `args`, optional standard input and extra environment.
/// `FREEDOMPAY_SECRET_KEY` is cleared unless `env` sets it.
fn run_with(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary());
    command
        .args(args)
        .env_remove(SECRET_ENV)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("the freedompay binary starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The tool may exit before reading (a usage error): ignore a closed pipe.
        let _ = pipe.write_all(input.as_bytes());
    }
    let output = child
        .wait_with_output()
        .expect("the freedompay binary ends");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

fn run(args: &[&str]) -> Run {
    run_with(args, None, &[])
}

/// `args` followed by `params`.
fn with(args: &[&str], params: &[&str]) -> Vec<String> {
    args.iter()
        .chain(params)
        .map(|arg| (*arg).to_owned())
        .collect()
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

// ---------------------------------------------------------------------------
// sign
// ---------------------------------------------------------------------------

#[test]
fn sign_prints_the_documented_signature() {
    let args = with(
        &[
            "sign",
            "--script",
            "init_payment.php",
            "--secret",
            "mysecret",
        ],
        EXAMPLE,
    );
    let run = run(&strs(&args));
    run.assert_code(0);
    assert_eq!(run.stdout, format!("{EXAMPLE_SIG}\n"));
    assert_eq!(run.stderr, "");
}

#[test]
fn sign_explain_shows_sort_keys_then_string_then_signature() {
    let args = with(
        &[
            "sign",
            "--explain",
            "--script",
            "init_payment.php",
            "--secret",
            "mysecret",
        ],
        EXAMPLE,
    );
    let run = run(&strs(&args));
    run.assert_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "pg_amount003\t25",
            "pg_description004\ttest",
            "pg_merchant_id002\t12345",
            "pg_order_id001\t23",
            "pg_salt005\tmolbulak",
            "init_payment.php;25;test;12345;23;molbulak;mysecret",
            EXAMPLE_SIG,
        ]
    );
    insta::assert_snapshot!("sign_explain", run.stdout);
}

#[test]
fn sign_ignores_pg_sig_among_the_params() {
    let mut params = EXAMPLE.to_vec();
    params.push("pg_sig=ffffffffffffffffffffffffffffffff");
    let args = with(
        &[
            "sign",
            "--script",
            "init_payment.php",
            "--secret",
            "mysecret",
        ],
        &params,
    );
    let run = run(&strs(&args));
    run.assert_code(0);
    assert_eq!(run.last_line(), EXAMPLE_SIG);
}

#[test]
fn sign_reads_bracket_notation() {
    // The old documentation's 31-field request with one receipt position.
    let params = [
        "pg_order_id=23",
        "pg_merchant_id=12345",
        "pg_amount=25",
        "pg_description=test",
        "pg_salt=molbulak",
        "pg_currency=KZT",
        "pg_check_url=http://site.kz/check",
        "pg_result_url=http://site.kz/result",
        "pg_request_method=POST",
        "pg_success_url=http://site.kz/success",
        "pg_failure_url=http://site.kz/failure",
        "pg_success_url_method=GET",
        "pg_failure_url_method=GET",
        "pg_state_url=http://site.kz/state",
        "pg_state_url_method=GET",
        "pg_site_url=http://site.kz/return",
        "pg_payment_system=EPAYWEBKZT",
        "pg_lifetime=86400",
        "pg_user_phone=77777777777",
        "pg_user_contact_email=mail@customer.kz",
        "pg_user_ip=127.0.0.1",
        "pg_postpone_payment=0",
        "pg_language=ru",
        "pg_testing_mode=1",
        "pg_user_id=1",
        "pg_recurring_start=1",
        "pg_recurring_lifetime=156",
        "pg_receipt_positions[0][count]=1",
        "pg_receipt_positions[0][name]=product name",
        "pg_receipt_positions[0][tax_type]=3",
        "pg_receipt_positions[0][price]=900",
        "pg_param1=additional data",
        "pg_param2=additional data",
        "pg_param3=additional data",
    ];
    let args = with(
        &[
            "sign",
            "--script",
            "init_payment.php",
            "--secret",
            "mysecret",
        ],
        &params,
    );
    let run = run(&strs(&args));
    run.assert_code(0);
    assert_eq!(run.last_line(), "7644292f41d22956d73f693dd2ca51b0");

    // And it agrees with the core on the same pairs.
    let tree = form::from_pairs(params.iter().map(|p| {
        let (name, value) = p.split_once('=').unwrap();
        (name.to_owned(), value.to_owned())
    }));
    assert_eq!(
        run.last_line(),
        signature::sign("init_payment.php", &tree, &SecretKey::new("mysecret"))
    );
}

#[test]
fn sign_accepts_a_url_as_script() {
    let args = with(
        &[
            "sign",
            "--script",
            "https://api.freedompay.kz/init_payment.php?lang=ru",
            "--secret",
            "mysecret",
        ],
        EXAMPLE,
    );
    assert_eq!(run(&strs(&args)).assert_code(0).last_line(), EXAMPLE_SIG);
}

#[test]
fn sign_values_may_hold_equals_signs_and_be_empty() {
    let run = run(&[
        "sign",
        "--explain",
        "--script",
        "s",
        "--secret",
        "k",
        "a=x=y",
        "b=",
    ]);
    run.assert_code(0);
    assert!(run.stdout.contains("\ns;x=y;;k\n"), "{}", run.stdout);
}

#[test]
fn sign_param_without_equals_is_bad_input() {
    let run = run(&["sign", "--script", "s", "--secret", "k", "pg_amount"]);
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("pg_amount"), "{}", run.stderr);
}

#[test]
fn no_secret_is_bad_input() {
    let run = run(&["sign", "--script", "s", "a=1"]);
    run.assert_code(2);
    assert!(run.stderr.contains(SECRET_ENV), "{}", run.stderr);
}

// ---------------------------------------------------------------------------
// verify
// ---------------------------------------------------------------------------

fn verify_example(pg_sig: &str, secret: &str) -> Run {
    let sig = format!("pg_sig={pg_sig}");
    let mut params = EXAMPLE.to_vec();
    params.push(&sig);
    let args = with(
        &["verify", "--script", "init_payment.php", "--secret", secret],
        &params,
    );
    run(&strs(&args))
}

#[test]
fn verify_valid_exits_0() {
    let run = verify_example(EXAMPLE_SIG, "mysecret");
    run.assert_code(0);
    assert_eq!(run.stdout, "valid\n");
    assert_eq!(run.stderr, "");
}

#[test]
fn verify_accepts_upper_case_hex() {
    let run = verify_example(&EXAMPLE_SIG.to_uppercase(), "mysecret");
    run.assert_code(0);
    assert_eq!(run.stdout, "valid\n");
}

#[test]
fn verify_tampered_exits_1_with_a_reason() {
    let args = [
        "verify",
        "--script",
        "init_payment.php",
        "--secret",
        "mysecret",
        "pg_order_id=23",
        "pg_merchant_id=12345",
        "pg_amount=2500",
        "pg_description=test",
        "pg_salt=molbulak",
        "pg_sig=02a4d571f7ac768f3e7e51e1b4afa122",
    ];
    let run = run(&args);
    run.assert_code(1);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.starts_with("invalid: "), "{}", run.stdout);
    insta::assert_snapshot!("verify_tampered", run.stdout);

    // A wrong key fails the same way.
    verify_example(EXAMPLE_SIG, "not-my-secret").assert_code(1);
    // So does a pg_sig that is not an MD5 at all, with its own reason.
    let garbled = verify_example("nonsense", "mysecret");
    garbled.assert_code(1);
    assert!(garbled.stdout.contains("not an MD5"), "{}", garbled.stdout);
}

#[test]
fn verify_without_pg_sig_exits_2() {
    let args = with(
        &[
            "verify",
            "--script",
            "init_payment.php",
            "--secret",
            "mysecret",
        ],
        EXAMPLE,
    );
    let run = run(&strs(&args));
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("pg_sig"), "{}", run.stderr);
}

#[test]
fn verify_param_without_equals_exits_2() {
    let run = run(&[
        "verify",
        "--script",
        "init_payment.php",
        "--secret",
        "mysecret",
        "pg_order_id=23",
        "pg_amount",
        "pg_sig=02a4d571f7ac768f3e7e51e1b4afa122",
    ]);
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("PARAM=VALUE"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------
// sign-xml / verify-xml
// ---------------------------------------------------------------------------

#[test]
fn sign_xml_signs_a_nested_message() {
    let args = [
        "sign-xml",
        "--script",
        "script.php",
        "--secret",
        "mypasskey",
    ];
    let plain = run_with(&args, Some(PAYBOX_XML), &[]);
    plain.assert_code(0);
    assert_eq!(plain.stdout, format!("{PAYBOX_SIG}\n"));

    let explained = run_with(
        &[
            "sign-xml",
            "--explain",
            "--script",
            "script.php",
            "--secret",
            "mypasskey",
        ],
        Some(PAYBOX_XML),
        &[],
    );
    explained.assert_code(0);
    let lines: Vec<&str> = explained.stdout.lines().collect();
    assert_eq!(lines.last(), Some(&PAYBOX_SIG));
    assert_eq!(
        lines[lines.len() - 2],
        "script.php;value1;value2;9imM909TH820jwk387;value3;subvalue1;subvalue2;mypasskey"
    );
    insta::assert_snapshot!("sign_xml_explain", explained.stdout);
}

#[test]
fn sign_xml_ignores_an_existing_pg_sig() {
    let stale = PAYBOX_XML.replace(PAYBOX_SIG, "00000000000000000000000000000000");
    let run = run_with(
        &[
            "sign-xml",
            "--script",
            "script.php",
            "--secret",
            "mypasskey",
        ],
        Some(&stale),
        &[],
    );
    run.assert_code(0);
    assert_eq!(run.last_line(), PAYBOX_SIG);
}

#[test]
fn verify_xml_valid_tampered_missing_malformed() {
    let args = [
        "verify-xml",
        "--script",
        "script.php",
        "--secret",
        "mypasskey",
    ];

    let valid = run_with(&args, Some(PAYBOX_XML), &[]);
    valid.assert_code(0);
    assert_eq!(valid.stdout, "valid\n");

    // A nested value changed.
    let tampered = run_with(
        &args,
        Some(&PAYBOX_XML.replace("subvalue1", "subvalue9")),
        &[],
    );
    tampered.assert_code(1);
    assert!(tampered.stdout.starts_with("invalid: "), "{tampered:?}");

    let unsigned = PAYBOX_XML.replace("<pg_sig>a8a4d5a9188f24038a14a4d65c387bf7</pg_sig>", "");
    let missing = run_with(&args, Some(&unsigned), &[]);
    missing.assert_code(2);
    assert!(missing.stderr.contains("pg_sig"), "{missing:?}");

    for malformed in [
        "<request><pg_salt>x</request>",
        "not xml",
        "",
        "<a></a><b></b>",
    ] {
        let run = run_with(&args, Some(malformed), &[]);
        run.assert_code(2);
        assert_eq!(run.stdout, "");
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        assert!(run.stderr.contains("XML"), "{run:?}");
    }

    // Not UTF-8: unreadable input.
    let mut command = Command::new(binary());
    let mut child = command
        .args(args)
        .env_remove(SECRET_ENV)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let _ = child
        .stdin
        .take()
        .expect("piped")
        .write_all(b"<a><b>\xff\xfe</b></a>");
    let output = child.wait_with_output().expect("ends");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn verify_xml_platron_check_answer() {
    let reply = "<response><pg_salt>salt</pg_salt><pg_sig>173d9dec3eed87c273886e17afaf8fbe</pg_sig>\
<pg_status>ok</pg_status><pg_description>Товар передан покупателю</pg_description></response>";
    let run = run_with(
        &["verify-xml", "--script", "check", "--secret", "secret_key"],
        Some(reply),
        &[],
    );
    run.assert_code(0);
    assert_eq!(run.stdout, "valid\n");
}

#[test]
fn sign_xml_write_output_verifies() {
    // pg_sig second and stale: replaced where it stands, positions unchanged.
    let reply = "<?xml version=\"1.0\"?>\n<response>\n  <pg_salt>salt</pg_salt>\n  \
<pg_sig>stale</pg_sig>\n  <pg_status>ok</pg_status>\n  \
<pg_description>Товар передан покупателю</pg_description>\n</response>\n";
    let sign = [
        "sign-xml",
        "--write",
        "--script",
        "check",
        "--secret",
        "secret_key",
    ];
    let written = run_with(&sign, Some(reply), &[]);
    written.assert_code(0);
    insta::assert_snapshot!("sign_xml_write_in_place", written.stdout);
    assert!(written.stdout.contains(
        "<response><pg_salt>salt</pg_salt><pg_sig>173d9dec3eed87c273886e17afaf8fbe</pg_sig><pg_status>"
    ));
    let verify = ["verify-xml", "--script", "check", "--secret", "secret_key"];
    let checked = run_with(&verify, Some(&written.stdout), &[]);
    checked.assert_code(0);
    assert_eq!(checked.stdout, "valid\n");

    // No pg_sig yet: appended as the root's last child.
    let unsigned = PAYBOX_XML.replace("<pg_sig>a8a4d5a9188f24038a14a4d65c387bf7</pg_sig>", "");
    let written = run_with(
        &[
            "sign-xml",
            "--write",
            "--script",
            "script.php",
            "--secret",
            "mypasskey",
        ],
        Some(&unsigned),
        &[],
    );
    written.assert_code(0);
    assert!(
        written
            .stdout
            .trim_end()
            .ends_with("<pg_sig>a8a4d5a9188f24038a14a4d65c387bf7</pg_sig></request>"),
        "{}",
        written.stdout
    );
    run_with(
        &[
            "verify-xml",
            "--script",
            "script.php",
            "--secret",
            "mypasskey",
        ],
        Some(&written.stdout),
        &[],
    )
    .assert_code(0);
}

// ---------------------------------------------------------------------------
// The secret key
// ---------------------------------------------------------------------------

#[test]
fn secret_from_the_environment() {
    let args = with(&["sign", "--script", "init_payment.php"], EXAMPLE);
    let from_env = run_with(&strs(&args), None, &[(SECRET_ENV, "mysecret")]);
    from_env.assert_code(0);
    assert_eq!(from_env.last_line(), EXAMPLE_SIG);

    // --secret wins over the environment.
    let args = with(
        &[
            "sign",
            "--script",
            "init_payment.php",
            "--secret",
            "mysecret",
        ],
        EXAMPLE,
    );
    let both = run_with(&strs(&args), None, &[(SECRET_ENV, "other")]);
    assert_eq!(both.assert_code(0).last_line(), EXAMPLE_SIG);

    let verify = run_with(
        &["verify-xml", "--script", "script.php"],
        Some(PAYBOX_XML),
        &[(SECRET_ENV, "mypasskey")],
    );
    verify.assert_code(0);

    // Set but empty is no key.
    let empty = run_with(&["sign", "--script", "s", "a=1"], None, &[(SECRET_ENV, "")]);
    empty.assert_code(2);
}

#[test]
fn verify_never_prints_the_secret() {
    let secret = "Sup3r-S3cret-Payment-Passw0rd";
    let good = signature::sign(
        "init_payment.php",
        &form::from_pairs(EXAMPLE.iter().map(|p| {
            let (n, v) = p.split_once('=').unwrap();
            (n.to_owned(), v.to_owned())
        })),
        &SecretKey::new(secret),
    );
    let with_sig = |sig: &str| {
        let mut params: Vec<String> = EXAMPLE.iter().map(|p| (*p).to_owned()).collect();
        params.push(format!("pg_sig={sig}"));
        params
    };
    let mut runs = Vec::new();
    for secret_arg in [Some(secret), None] {
        let env: &[(&str, &str)] = if secret_arg.is_none() {
            &[(SECRET_ENV, secret)]
        } else {
            &[]
        };
        let mut base = vec!["verify", "--script", "init_payment.php"];
        if let Some(secret) = secret_arg {
            base.extend(["--secret", secret]);
        }
        for params in [
            with_sig(&good),
            with_sig("0123456789abcdef0123456789abcdef"),
            with_sig("garbage"),
            EXAMPLE.iter().map(|p| (*p).to_owned()).collect(),
            vec!["pg_amount".to_owned()],
            // The key itself passed as a parameter by mistake.
            vec![secret.to_owned()],
            vec![format!("pg_description={secret}"), "pg_sig=00".to_owned()],
        ] {
            let mut args: Vec<&str> = base.clone();
            args.extend(params.iter().map(String::as_str));
            runs.push(run_with(&args, None, env));
        }
        let mut xml_args = vec!["verify-xml", "--script", "script.php"];
        if let Some(secret) = secret_arg {
            xml_args.extend(["--secret", secret]);
        }
        for input in [PAYBOX_XML, "<broken", "<request><a>1</a></request>"] {
            runs.push(run_with(&xml_args, Some(input), env));
        }
    }
    let codes: Vec<i32> = runs.iter().map(|run| run.code).collect();
    assert_eq!(
        codes,
        [0, 1, 1, 2, 2, 2, 1, 1, 2, 2, 0, 1, 1, 2, 2, 2, 1, 1, 2, 2]
    );
    for run in &runs {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "the secret leaked: {run:?}"
        );
    }
}

#[test]
fn help_documents_the_environment_variable_and_exit_codes() {
    let top = run(&["--help"]);
    top.assert_code(0);
    for needle in [
        SECRET_ENV,
        "Exit codes",
        "sign-xml",
        "verify-xml",
        "PARAM=VALUE",
    ] {
        assert!(top.stdout.contains(needle), "--help lacks {needle}");
    }
    for command in ["sign", "verify", "sign-xml", "verify-xml"] {
        let help = run(&[command, "--help"]);
        help.assert_code(0);
        assert!(
            help.stdout.contains(SECRET_ENV),
            "{command} --help lacks {SECRET_ENV}"
        );
        assert!(help.stdout.contains("--script"), "{command} --help");
    }
    assert!(run(&["sign-xml", "--help"]).stdout.contains("--write"));
    // A usage error is bad input too.
    run(&["sign", "--no-such-flag"]).assert_code(2);
    run(&[]).assert_code(2);
}

/// The reference signer takes the part of the URL after its last `/`, which
/// is empty for a URL that ends in `/`: an empty script name is signed as it
/// is (the string to sign starts with `;`), and `--explain` says so.
#[test]
fn sign_accepts_an_empty_script_name_and_explains_it() {
    let plain = run(&["sign", "--script", "", "--secret", "k", "a=1"]);
    plain.assert_code(0);
    assert_eq!(plain.last_line(), signature::md5_hex(";1;k"));
    assert!(
        !plain.stdout.contains("empty script name"),
        "{}",
        plain.stdout
    );

    let explained = run(&["sign", "--explain", "--script", "", "--secret", "k", "a=1"]);
    explained.assert_code(0);
    assert!(
        explained.stdout.contains("\n;1;k\n"),
        "{}",
        explained.stdout
    );
    assert!(
        explained.stdout.contains("# empty script name"),
        "{}",
        explained.stdout
    );
    assert_eq!(explained.last_line(), signature::md5_hex(";1;k"));

    let verified = run(&[
        "verify",
        "--script",
        "",
        "--secret",
        "k",
        "a=1",
        &format!("pg_sig={}", signature::md5_hex(";1;k")),
    ]);
    verified.assert_code(0);
}

// ---------------------------------------------------------------------------
// The detached JWS of the JSON APIs: the documentation's vectors first.
// ---------------------------------------------------------------------------

const PARTNER_BODY: &str =
    r#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca","country":"KAZ","currency":"KZT"}"#;
const PARTNER_JWS: &str = "eyJ1cmkiOiIvdjUvcGFydG5lci93YWxsZXQvYWRkIiwiYXV0aF9pZCI6IjEyMzQ1NiIsIm1ldGhvZCI6IlBPU1QiLCJwYXJhbXMiOiIiLCJhbGciOiJIUzI1NiJ9..5xVbhml5y1Uw1TYQ_djwwefFz8y_CnX-ajzNvOBCcmE";
const CARD_BODY: &str = r#"{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca"}"#;
const CARD_JWS: &str = "eyJ1cmkiOiIvdjUvY2FyZC1hcGkvcmVxdWVzdC9zdGF0dXMiLCJhdXRoX2lkIjoiMTIzNDU2IiwibWV0aG9kIjoiUE9TVCIsInBhcmFtcyI6IiIsImFsZyI6IkhTNTEyIn0..f1sQoeIpX_ZjOaykQzSeylvvKaVrEQV4gNM2ACFbEMkFDUV9Zk5WO1yQGEWez-vnQMVHodLBDVEyh5Xm2-3MjQ";

#[test]
fn jws_sign_reproduces_the_documented_vectors() {
    let partner = run_with(
        &[
            "jws-sign",
            "--uri",
            "/v5/partner/wallet/add",
            "--auth-id",
            "123456",
            "--alg",
            "HS256",
            "--secret",
            "your-256-bit-secret",
        ],
        Some(PARTNER_BODY),
        &[],
    );
    partner.assert_code(0);
    assert_eq!(partner.last_line(), PARTNER_JWS);

    // The key from the environment; the body from --body; --explain shows the parts.
    let card = run_with(
        &[
            "jws-sign",
            "--uri",
            "/v5/card-api/request/status",
            "--auth-id",
            "123456",
            "--alg",
            "HS512",
            "--body",
            CARD_BODY,
            "--explain",
        ],
        None,
        &[("FREEDOMPAY_JWS_SECRET", "secret")],
    );
    card.assert_code(0);
    assert_eq!(card.last_line(), CARD_JWS);
    assert!(card.stdout.contains(
        "header\t{\"uri\":\"/v5/card-api/request/status\",\"auth_id\":\"123456\",\"method\":\"POST\",\"params\":\"\",\"alg\":\"HS512\"}"
    ));
    assert!(!card.stdout.contains("secret\n") && !card.stderr.contains("secret"));
}

#[test]
fn jws_verify_accepts_the_vector_and_names_what_is_wrong_otherwise() {
    let verify = |alg: &str, uri: &str, body: &str, secret: &str| {
        run_with(
            &[
                "jws-verify",
                "--uri",
                uri,
                "--alg",
                alg,
                "--secret",
                secret,
                "--signature",
                CARD_JWS,
            ],
            Some(body),
            &[],
        )
    };
    let uri = "/v5/card-api/request/status";
    let valid = verify("HS512", uri, CARD_BODY, "secret");
    valid.assert_code(0);
    assert_eq!(valid.last_line(), "valid (auth_id 123456)");
    for (alg, uri, body, secret, reason) in [
        (
            "HS512",
            uri,
            "{\"request_id\":\"x\"}",
            "secret",
            "does not match",
        ),
        ("HS512", uri, CARD_BODY, "another", "does not match"),
        (
            "HS256",
            uri,
            CARD_BODY,
            "secret",
            "uses HS512, the endpoint HS256",
        ),
        (
            "HS512",
            "/v5/card-api/card/info",
            CARD_BODY,
            "secret",
            "made for `/v5/card-api/request/status`",
        ),
    ] {
        let run = verify(alg, uri, body, secret);
        run.assert_code(1);
        assert!(run.stdout.contains(reason), "{reason}: {}", run.stdout);
        assert!(!run.stdout.contains("another") && !run.stderr.contains("another"));
    }
}

/// Our own JWS vectors for bodies of every shape, computed outside this
/// project (Python's `hmac`, `hashlib` and `base64` modules) with the key
/// `k-Ünïcode`, auth id `42` and uri `/v5/partner/rates/add`: each body, its
/// HS256 and its HS512 `X-JWS-Signature`.
const OWN_VECTORS: [(&str, &str, &str); 5] = [
    (
        "{}",
        "eyJ1cmkiOiIvdjUvcGFydG5lci9yYXRlcy9hZGQiLCJhdXRoX2lkIjoiNDIiLCJtZXRob2QiOiJQT1NUIiwicGFyYW1zIjoiIiwiYWxnIjoiSFMyNTYifQ..Rlf5uPpQbtNapmERjD0rrL2jNIiqZ-k19rAwtwl41Yc",
        "eyJ1cmkiOiIvdjUvcGFydG5lci9yYXRlcy9hZGQiLCJhdXRoX2lkIjoiNDIiLCJtZXRob2QiOiJQT1NUIiwicGFyYW1zIjoiIiwiYWxnIjoiSFM1MTIifQ..-Y_qY6OZG2ecGkB8XKScwmooRIGwF-0DUY4e0hPKEKOF8zvramPSWbidYqYfdSshsj-rj28Sy0KJ8zE8aWISBg",
    ),
    (
        "[]",
        "eyJ1cmkiOiIvdjUvcGFydG5lci9yYXRlcy9hZGQiLCJhdXRoX2lkIjoiNDIiLCJtZXRob2QiOiJQT1NUIiwicGFyYW1zIjoiIiwiYWxnIjoiSFMyNTYifQ..NuxM_RzLbgu175q1JFvXyxGfyZGpicoy2af4o-lQnsY",
        "eyJ1cmkiOiIvdjUvcGFydG5lci9yYXRlcy9hZGQiLCJhdXRoX2lkIjoiNDIiLCJtZXRob2QiOiJQT1NUIiwicGFyYW1zIjoiIiwiYWxnIjoiSFM1MTIifQ..qNR49_o0SGoEA9XKLvbtY-1qpPQ7fTaZ7ue-qIg6Q_8MhonrwWm3ffFgg7fMfC9-BJRUXLoMRquhcAbr9x-OVQ",
    ),
    (
        r#"[{"id":1},{"id":2}]"#,
        "eyJ1cmkiOiIvdjUvcGFydG5lci9yYXRlcy9hZGQiLCJhdXRoX2lkIjoiNDIiLCJtZXRob2QiOiJQT1NUIiwicGFyYW1zIjoiIiwiYWxnIjoiSFMyNTYifQ..1EjS1d2IL1Y0bIVUMGevpthLwayuLBu4tpfuoDN5H4I",
        "eyJ1cmkiOiIvdjUvcGFydG5lci9yYXRlcy9hZGQiLCJhdXRoX2lkIjoiNDIiLCJtZXRob2QiOiJQT1NUIiwicGFyYW1zIjoiIiwiYWxnIjoiSFM1MTIifQ..X0zoWMXbLVYoxUDSXSjQL6JgCmkUh2Gxxb7SzmY_SjbugOVOIa21pDosussi47hnKMd94mAqth9BW4N0ClWFwQ",
    ),
    (
        "{\n  \"name\": \"Алма-Ата ☕\",\n  \"nested\": {\"list\": [1, 2.5, null, true]}\n}\n",
        "eyJ1cmkiOiIvdjUvcGFydG5lci9yYXRlcy9hZGQiLCJhdXRoX2lkIjoiNDIiLCJtZXRob2QiOiJQT1NUIiwicGFyYW1zIjoiIiwiYWxnIjoiSFMyNTYifQ..L18ELH6rksNP3b8JlNyBIrCAeyF5zHZ3La3vUtUFoeY",
        "eyJ1cmkiOiIvdjUvcGFydG5lci9yYXRlcy9hZGQiLCJhdXRoX2lkIjoiNDIiLCJtZXRob2QiOiJQT1NUIiwicGFyYW1zIjoiIiwiYWxnIjoiSFM1MTIifQ..6Xqw7REefqj8ZJcUnnQ5Ey_OH6VIEm-_jwN2MdPl-5QSZhvwhqtg8UMWhVSCDgFoLVA9PZ1VeT2oQkStkXORxw",
    ),
    (
        "{\"emoji\":\"\u{1F600}\",\"escaped\":\"\\u0041\"}",
        "eyJ1cmkiOiIvdjUvcGFydG5lci9yYXRlcy9hZGQiLCJhdXRoX2lkIjoiNDIiLCJtZXRob2QiOiJQT1NUIiwicGFyYW1zIjoiIiwiYWxnIjoiSFMyNTYifQ..74zvY0E2f5QAc6tKO0aaZ9DUMGb3CIHgLr7Us-KDkss",
        "eyJ1cmkiOiIvdjUvcGFydG5lci9yYXRlcy9hZGQiLCJhdXRoX2lkIjoiNDIiLCJtZXRob2QiOiJQT1NUIiwicGFyYW1zIjoiIiwiYWxnIjoiSFM1MTIifQ..PW2y0UULPox7U7THmx9qwlMeoQA87TgkFuIiJBYI8mcMQ6ygP_kWhCLWb3sUI0RV8qOL5Gk2iDZV3usjXpkNaQ",
    ),
];

/// Bodies of every shape pass byte for byte: the CLI and the core both sign
/// each of our own vectors' bodies, read from standard input, to the
/// independently computed signature, and verify it; one byte more is
/// another body.
#[test]
fn own_jws_vectors_of_every_shape_pass_the_core_and_the_cli() {
    use freedompay::SecretKey;
    use freedompay::jws::{self, Algorithm, Expected, JwsHeader};
    let key = SecretKey::new("k-Ünïcode");
    let uri = "/v5/partner/rates/add";
    for (body, hs256, hs512) in OWN_VECTORS {
        for (alg, vector) in [(Algorithm::Hs256, hs256), (Algorithm::Hs512, hs512)] {
            let signed = run_with(
                &[
                    "jws-sign",
                    "--uri",
                    uri,
                    "--auth-id",
                    "42",
                    "--alg",
                    alg.name(),
                    "--secret",
                    key.expose(),
                ],
                Some(body),
                &[],
            );
            signed.assert_code(0);
            assert_eq!(signed.last_line(), vector, "CLI, {alg}: {body:?}");
            let core = jws::sign(
                &JwsHeader::new(uri, "42", "POST", alg),
                body.as_bytes(),
                &key,
            );
            assert_eq!(core, vector, "core, {alg}: {body:?}");

            let expected = Expected {
                uri,
                method: "POST",
                alg,
            };
            let header = jws::verify(vector, body.as_bytes(), &key, &expected)
                .unwrap_or_else(|e| panic!("{body:?} {alg}: {e}"));
            assert_eq!(header.auth_id, "42");
            let more = format!("{body}\n");
            assert!(jws::verify(vector, more.as_bytes(), &key, &expected).is_err());
            let checked = run_with(
                &[
                    "jws-verify",
                    "--secret",
                    key.expose(),
                    "--signature",
                    vector,
                ],
                Some(body),
                &[],
            );
            checked.assert_code(0);
            let changed = run_with(
                &[
                    "jws-verify",
                    "--secret",
                    key.expose(),
                    "--signature",
                    vector,
                ],
                Some(&more),
                &[],
            );
            changed.assert_code(1);
        }
    }
}

#[test]
fn jws_verify_refuses_alg_none_and_reports_usage_errors() {
    use base64::Engine as _;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        r#"{"uri":"/v5/card-api/request/status","auth_id":"1","method":"POST","params":"","alg":"none"}"#,
    );
    let run = run_with(
        &[
            "jws-verify",
            "--secret",
            "secret",
            "--signature",
            &format!("{header}.."),
        ],
        Some(CARD_BODY),
        &[],
    );
    run.assert_code(1);
    assert!(run.stdout.contains("unsigned"), "{}", run.stdout);
    // No --signature: a usage error.
    run_with(&["jws-verify", "--secret", "secret"], Some(CARD_BODY), &[]).assert_code(2);
    // No key anywhere.
    run_with(
        &["jws-verify", "--signature", CARD_JWS],
        Some(CARD_BODY),
        &[],
    )
    .assert_code(2);
}
