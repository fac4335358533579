use freedompay::WireEnum;

#[derive(WireEnum)]
struct Language {
    code: String,
}

fn main() {}
