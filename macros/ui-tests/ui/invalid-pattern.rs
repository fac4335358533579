use freedompay::Validate;

#[derive(Validate)]
struct Request {
    #[freedompay(rename = "pg_order_id", pattern = "^[a-z+$")]
    order_id: String,
}

fn main() {}
