use freedompay::Validate;

#[derive(Validate)]
struct Request {
    #[freedompay(rename = pg_amount)]
    amount: u32,
    #[freedompay(min_length = "3", max_length = -1)]
    description: String,
    #[freedompay(rename = "pg user[name]")]
    user: String,
    #[freedompay(nested = true)]
    flag: String,
    #[freedompay(format)]
    email: String,
}

fn main() {}
