use freedompay::Validate;

#[derive(Validate)]
struct Request {
    #[freedompay(rename = "pg_amount", rename = "pg_sum")]
    amount: u32,
    #[freedompay(min_length = 1)]
    #[freedompay(min_length = 2)]
    description: String,
}

fn main() {}
