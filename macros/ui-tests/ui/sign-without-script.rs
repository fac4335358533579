use freedompay::{Encode, Sign};

#[derive(Encode, Sign)]
struct Request {
    #[freedompay(rename = "pg_order_id")]
    order_id: String,
}

fn main() {}
