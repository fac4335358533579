use freedompay::Validate;

#[derive(Validate)]
struct Request {
    #[freedompay(rename = "pg_result_url", format = "uri")]
    result_url: String,
}

fn main() {}
