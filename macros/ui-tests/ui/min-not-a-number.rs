use freedompay::Validate;

#[derive(Validate)]
struct Request {
    #[freedompay(min = "one")]
    amount: u32,
    #[freedompay(max = "1,50")]
    count: u32,
    #[freedompay(min = true)]
    total: u32,
}

fn main() {}
