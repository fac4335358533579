use std::collections::HashMap;

use freedompay::Decode;

#[derive(Decode)]
struct Request {
    #[freedompay(extra)]
    extra: HashMap<String, String>,
}

fn main() {}
