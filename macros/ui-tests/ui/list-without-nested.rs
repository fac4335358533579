use freedompay::{Encode, Validate};

#[derive(Validate, Encode)]
struct Position {
    name: String,
}

#[derive(Validate, Encode)]
struct Request {
    #[freedompay(rename = "pg_receipt_positions")]
    positions: Vec<Position>,
}

fn main() {}
