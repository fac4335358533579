use freedompay::{Params, Validate};

#[derive(Validate)]
struct Request {
    #[freedompay(extra, rename = "pg_extra", max_items = 10)]
    extra: Params,
}

fn main() {}
