use freedompay::Validate;

#[derive(Validate)]
enum Request {
    Pay,
    Refund,
}

fn main() {}
