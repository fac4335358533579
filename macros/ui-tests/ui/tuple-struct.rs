use freedompay::Encode;

#[derive(Encode)]
struct Amount(u32);

fn main() {}
