use freedompay::{Encode, Params};

#[derive(Encode)]
struct Request {
    #[freedompay(extra)]
    extra: Params,
    #[freedompay(extra)]
    more: Params,
}

fn main() {}
