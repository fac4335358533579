//! The gateway's hosts: one production and (where documented) one test host per site.

/// A Freedom Pay site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Site {
    /// Kazakhstan.
    Kz,
    /// Kyrgyzstan.
    Kg,
    /// Uzbekistan.
    Uz,
    /// The international mirror (`.money`).
    Money,
}

impl Site {
    /// Every site.
    pub const ALL: [Site; 4] = [Site::Kz, Site::Kg, Site::Uz, Site::Money];

    /// The site's short name (`kz`).
    pub fn code(self) -> &'static str {
        match self {
            Site::Kz => "kz",
            Site::Kg => "kg",
            Site::Uz => "uz",
            Site::Money => "money",
        }
    }

    /// Production base URL.
    pub fn production(self) -> &'static str {
        match self {
            Site::Kz => "https://api.freedompay.kz",
            Site::Kg => "https://api.freedompay.kg",
            Site::Uz => "https://api.freedompay.uz",
            Site::Money => "https://api.freedompay.money",
        }
    }

    /// Test base URL, where the documentation gives one (Uzbekistan's is not published).
    pub fn test(self) -> Option<&'static str> {
        match self {
            Site::Kz => Some("https://test-api.freedompay.kz"),
            Site::Kg => Some("https://test-api.freedompay.kg"),
            Site::Uz => None,
            Site::Money => Some("https://test-api.freedompay.money"),
        }
    }
}
