use freedompay::Validate;

#[derive(Validate)]
struct Request {
    #[freedompay(rename = "pg_description", nested)]
    description: String,
    #[freedompay(rename = "pg_email", repeated, min_items = 1)]
    email: Option<String>,
}

fn main() {}
