use freedompay::Validate;

#[derive(Validate)]
struct Position {
    name: String,
}

#[derive(Validate)]
struct Request {
    #[freedompay(rename = "pg_receipt_positions", nested, max_length = 10)]
    positions: Vec<Position>,
}

fn main() {}
