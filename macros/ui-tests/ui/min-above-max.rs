use freedompay::Validate;

#[derive(Validate)]
struct Request {
    #[freedompay(min = "10.5", max = 10)]
    amount: u32,
    #[freedompay(min_length = 5, max_length = 4)]
    description: String,
}

fn main() {}
