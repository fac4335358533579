use freedompay::{Decode, Encode, Params, Sign, Validate};

#[derive(Validate, Encode, Decode, Sign)]
struct Request {
    #[freedompay(rename = "pg_amount", min = "abc")]
    amount: u32,
    #[freedompay(pattern = "(", format = "mail")]
    order_id: String,
    #[freedompay(extra)]
    extra: Params,
    #[freedompay(extra)]
    more: Params,
}

fn main() {
    // The derives still provide their traits, so uses report nothing more.
    let request = Request::decode(&Params::new()).unwrap();
    let _ = request.validate();
    let _ = request.to_params();
    let _ = Request::SCRIPT;
}
