use freedompay::WireEnum;

#[derive(WireEnum)]
enum Language {
    #[freedompay(rename = "ru")]
    Russian,
    Custom(String),
    Other {
        code: String,
    },
}

fn main() {}
