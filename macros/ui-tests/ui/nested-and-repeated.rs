use freedompay::Decode;

#[derive(Decode)]
struct Card {
    id: String,
}

#[derive(Decode)]
struct Cards {
    #[freedompay(nested, repeated)]
    cards: Vec<Card>,
}

fn main() {}
