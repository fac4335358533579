//! What signing, encoding, parsing and verifying cost, each measured next to
//! its floor in the same run, with the ratios and the allocations per call.
//!
//! ```sh
//! cargo bench -p freedompay --bench signing
//! ```
//!
//! The request is a 20-parameter `init_payment` (its string to sign is about
//! 350 bytes); the answer is a signed `init_payment` response of about 480
//! bytes. The floors:
//!
//! - **MD5 alone**: the `md-5` crate's digest over the very string the
//!   signer signs, built beforehand; no signer can be faster than hashing
//!   what it signs.
//! - **XML walk + MD5**: a bare `quick-xml` event loop over the answer (no
//!   values kept) plus MD5 over its string to sign.
//!
//! After criterion's own report the bench prints a table of the ratios (the
//! median of each step over the median of its floor) and of the heap
//! allocations one call makes, counted by a counting global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{BatchSize, Criterion};
use freedompay::exchange::prepare_with_salt;
use freedompay::merchant::page::InitPaymentRequest;
use freedompay::{Params, SecretKey, Sign, form, signature, xml};
use md5::{Digest, Md5};

/// The system allocator, counting the allocations it makes.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The heap allocations (and reallocations) one call of `f` makes.
fn allocations<T>(f: impl Fn() -> T) -> usize {
    drop(black_box(f())); // warm any lazily built state up first
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    drop(black_box(f()));
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

const MERCHANT: &str = "545084";
const SCRIPT: &str = "init_payment.php";
const SALT: &str = "bdwLavL9lg6It91b";

fn secret() -> SecretKey {
    SecretKey::new("Sandbox-Secret-1")
}

/// A 20-parameter `init_payment` request (with the merchant id and the salt
/// the client adds).
fn request() -> InitPaymentRequest {
    let url = |path: &str| format!("https://shop.example/freedompay/{path}");
    InitPaymentRequest::new("1500.50".parse().expect("amount"), "Order 42: tea and cups")
        .order_id("order-42")
        .currency(freedompay::enums::Currency::Kzt)
        .lifetime(86400)
        .language(freedompay::enums::Language::Ru)
        .testing_mode(true)
        .user_id("customer-17")
        .user_ip("192.0.2.10")
        .user_phone("77001234567")
        .user_contact_email("buyer@example.com")
        .check_url(url("check"))
        .result_url(url("result"))
        .success_url(url("success"))
        .failure_url(url("failure"))
        .site_url("https://shop.example")
        .param1("basket-9")
        .param2("campaign-3")
}

/// The request's parameters as the signer sees them: merchant id, the
/// request's own, the salt.
fn request_params() -> Params {
    let mut params = request().unsigned_params(Some(MERCHANT));
    params.push(signature::SALT, SALT);
    params
}

/// A signed `init_payment` answer.
fn answer() -> String {
    let mut params = Params::new()
        .with("pg_status", "ok")
        .with("pg_payment_id", "4567788")
        .with(
            "pg_redirect_url",
            "https://api.freedompay.kz/pay.html?customer=498333170d6a895148c57c53ffb18287",
        )
        .with("pg_redirect_url_type", "need data")
        .with(
            "pg_redirect_qr",
            "https://api.freedompay.kz/qr/498333170d6a895148c57c53ffb18287",
        );
    signature::seal(SCRIPT, &mut params, &secret(), SALT);
    xml::write("response", &params)
}

/// Every event of `answer`, nothing kept: the least a reader of it does.
fn walk(answer: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(answer);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) | Err(_) => return events,
            Ok(_) => events += 1,
        }
    }
}

/// One measured step and the floor it is compared with.
struct Pair {
    step: &'static str,
    floor: &'static str,
    target: f64,
}

const PAIRS: [Pair; 4] = [
    Pair {
        step: "sign",
        floor: "md5 of the string to sign",
        target: 1.5,
    },
    Pair {
        step: "sign + form-encode",
        floor: "md5 of the string to sign",
        target: 2.5,
    },
    Pair {
        step: "parse + verify",
        floor: "xml walk + md5",
        target: 2.0,
    },
    Pair {
        step: "prepare (validate, encode, sign, form-encode)",
        floor: "md5 of the string to sign",
        target: f64::NAN,
    },
];

const GROUP: &str = "signing";

fn benches(c: &mut Criterion) {
    let secret = secret();
    let request = request();
    let params = request_params();
    let to_sign = signature::string_to_sign(SCRIPT, &params, &secret);
    let answer = answer();
    let answer_to_sign = {
        let parsed = xml::parse(&answer).expect("the answer parses");
        signature::string_to_sign(SCRIPT, &parsed.params, &secret)
    };

    let mut group = c.benchmark_group(GROUP);
    group.bench_function("md5 of the string to sign", |b| {
        b.iter(|| Md5::digest(black_box(to_sign.as_bytes())))
    });
    group.bench_function("sign", |b| {
        b.iter(|| signature::sign(SCRIPT, black_box(&params), &secret))
    });
    // The request's parameters as the client has them before signing (built
    // outside the measurement): sealed (salt and signature appended), then
    // written as the form body.
    let unsigned = || request.unsigned_params(Some(MERCHANT));
    group.bench_function("sign + form-encode", |b| {
        b.iter_batched_ref(
            unsigned,
            |params| {
                signature::seal(SCRIPT, params, &secret, SALT);
                form::encode(params)
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("prepare (validate, encode, sign, form-encode)", |b| {
        b.iter(|| prepare_with_salt(black_box(&request), MERCHANT, &secret, SALT).expect("valid"))
    });
    group.bench_function("xml walk + md5", |b| {
        b.iter(|| {
            (
                walk(black_box(&answer)),
                Md5::digest(black_box(answer_to_sign.as_bytes())),
            )
        })
    });
    group.bench_function("parse + verify", |b| {
        b.iter(|| {
            let message = xml::parse(black_box(&answer)).expect("parses");
            signature::verify(SCRIPT, &message.params, &secret).expect("verifies");
            message
        })
    });
    group.finish();

    println!();
    println!(
        "string to sign: {} bytes for {} parameters; answer: {} bytes",
        to_sign.len(),
        params.len(),
        answer.len()
    );
    println!();
    println!("| step | median | floor | floor median | ratio | target |");
    println!("|---|---|---|---|---|---|");
    for pair in PAIRS {
        let (Some(step), Some(floor)) = (median_ns(pair.step), median_ns(pair.floor)) else {
            println!("| {} | (no estimate: run without a filter) |", pair.step);
            continue;
        };
        let target = if pair.target.is_nan() {
            "—".to_owned()
        } else {
            format!("≤ {:.1}×", pair.target)
        };
        println!(
            "| {} | {} | {} | {} | {:.2}× | {target} |",
            pair.step,
            micros(step),
            pair.floor,
            micros(floor),
            step / floor
        );
    }
    println!();
    println!("| call | heap allocations |");
    println!("|---|---|");
    let counts = [
        (
            "sign",
            allocations(|| signature::sign(SCRIPT, &params, &secret)),
        ),
        ("sign + form-encode", {
            let mut params = unsigned();
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            signature::seal(SCRIPT, &mut params, &secret, SALT);
            drop(black_box(form::encode(&params)));
            ALLOCATIONS.load(Ordering::Relaxed) - before
        }),
        (
            "prepare (validate, encode, sign, form-encode)",
            allocations(|| prepare_with_salt(&request, MERCHANT, &secret, SALT)),
        ),
        (
            "parse + verify",
            allocations(|| {
                let message = xml::parse(&answer).expect("parses");
                signature::verify(SCRIPT, &message.params, &secret).map(|()| message)
            }),
        ),
    ];
    for (call, count) in counts {
        println!("| {call} | {count} |");
    }
}

/// Where criterion writes its estimates: as criterion itself decides it.
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

/// The median of the benchmark `name` of this run, in nanoseconds.
fn median_ns(name: &str) -> Option<f64> {
    // Criterion's directory names replace what a path cannot hold.
    let dir: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c => c,
        })
        .collect();
    let path = criterion_home()
        .join(GROUP)
        .join(dir)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn micros(ns: f64) -> String {
    format!("{:.3} µs", ns / 1000.0)
}

fn main() {
    let mut criterion = Criterion::default()
        .output_directory(&criterion_home())
        .configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
