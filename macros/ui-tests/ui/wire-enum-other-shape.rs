use freedompay::WireEnum;

#[derive(WireEnum)]
enum Status {
    #[freedompay(rename = "ok")]
    Ok,
    #[freedompay(other, rename = "unknown")]
    Unknown,
}

fn main() {}
