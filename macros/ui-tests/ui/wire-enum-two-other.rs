use freedompay::WireEnum;

#[derive(WireEnum)]
enum Status {
    #[freedompay(rename = "ok")]
    Ok,
    #[freedompay(other)]
    Unknown(String),
    #[freedompay(other)]
    Unexpected(String),
}

fn main() {}
