use freedompay::WireEnum;

#[derive(WireEnum)]
#[allow(non_camel_case_types)]
enum Language {
    #[freedompay(rename = "en")]
    English,
    #[freedompay(rename = "en")]
    British,
    ru,
    #[freedompay(rename = "ru")]
    Russian,
}

fn main() {}
