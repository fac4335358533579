use freedompay::Encode;

#[derive(Encode)]
struct Request {
    pg_amount: u32,
    #[freedompay(rename = "pg_amount")]
    amount: u32,
}

fn main() {}
