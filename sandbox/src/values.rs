//! Small value helpers every layer uses: the clock as the gateway writes
//! it, masked card numbers and currency codes. They depend on nothing else
//! in the sandbox.

use freedompay::enums::Currency;

/// The current time as the gateway writes it (RFC 3339, in seconds).
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// The current year and month, from the clock.
pub fn this_month() -> (u32, u32) {
    let stamp = now();
    let year = stamp.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(2000);
    let month = stamp.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    (year, month)
}

/// The masked card number the gateway shows: first six, last four.
///
/// Counts characters, not bytes, so a number typed with other than ASCII
/// digits (it comes from a request or a form) is masked as well, never split
/// inside a character.
pub fn mask(pan: &str) -> String {
    let count = pan.chars().count();
    if count < 10 {
        return "*".repeat(count);
    }
    let first: String = pan.chars().take(6).collect();
    let last: String = pan.chars().skip(count.saturating_sub(4)).collect();
    format!("{first}******{last}")
}

/// A currency code as the generated open enum (unknown codes are kept).
pub fn currency(text: &str) -> Currency {
    text.parse()
        .unwrap_or_else(|_| Currency::Unknown(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn mask_keeps_first_six_and_last_four() {
        assert_eq!(mask("4405645000006150"), "440564******6150");
    }

    #[test]
    fn mask_of_a_short_number_hides_it_all() {
        assert_eq!(mask(""), "");
        assert_eq!(mask("123456789"), "*********");
    }

    #[test]
    fn mask_of_a_non_ascii_number_splits_characters_not_bytes() {
        // Byte slicing at 6 would cut `٤` (two bytes) in half and panic.
        assert_eq!(mask("44056٤5000006150"), "44056٤******6150");
        assert_eq!(mask("карта١٢٣٤٥٦"), "карта١******٣٤٥٦");
        assert_eq!(mask("ééé"), "***");
    }
}
