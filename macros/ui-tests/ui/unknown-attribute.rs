use freedompay::{Decode, Encode, Validate};

#[derive(Validate, Encode, Decode)]
#[freedompay(scirpt = "init_payment.php")]
struct Request {
    #[freedompay(renmae = "pg_amount")]
    amount: u32,
    #[freedompay(rename = "pg_description", max_len = 10)]
    description: String,
}

fn main() {}
