use std::time::Duration;

use freedompay::Validate;

#[derive(Validate)]
struct Request {
    #[freedompay(rename = "pg_lifetime", min = 300)]
    lifetime: Duration,
    #[freedompay(rename = "pg_count", max_length = 3)]
    count: u32,
}

fn main() {}
