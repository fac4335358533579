use freedompay::WireEnum;

#[derive(WireEnum)]
#[freedompay(rename = "language")]
enum Language {
    #[freedompay(rename = "")]
    Unset,
    #[freedompay(rename = " ru")]
    Russian,
    #[freedompay(rename = "en", script = "x.php")]
    English,
    #[freedompay(other = true)]
    Unknown(String),
}

fn main() {}
