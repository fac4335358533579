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

/// A Freedom Pay service with hosts of its own: the payment API, or Freedom
/// ID, the identity provider of the Partner API (`passport.freedompay.kz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Server {
    /// The payment API hosts of [`Site`] (`api.freedompay.kz`).
    Api,
    /// Freedom ID, the OAuth2/OpenID Connect provider (`passport.freedompay.kz`).
    FreedomId,
}

impl Server {
    /// The production base URL of the service for `site`, where the
    /// documentation gives one (Freedom ID is documented for Kazakhstan only).
    pub fn production(self, site: Site) -> Option<&'static str> {
        match (self, site) {
            (Server::Api, site) => Some(site.production()),
            (Server::FreedomId, Site::Kz) => Some("https://passport.freedompay.kz"),
            (Server::FreedomId, _) => None,
        }
    }

    /// The test base URL of the service for `site`, where the documentation
    /// gives one (none for Freedom ID).
    pub fn test(self, site: Site) -> Option<&'static str> {
        match self {
            Server::Api => site.test(),
            Server::FreedomId => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freedom_id_has_its_own_host() {
        assert_eq!(
            Server::FreedomId.production(Site::Kz),
            Some("https://passport.freedompay.kz")
        );
        assert_eq!(Server::FreedomId.production(Site::Kg), None);
        assert_eq!(Server::FreedomId.test(Site::Kz), None);
        for site in Site::ALL {
            assert_eq!(Server::Api.production(site), Some(site.production()));
            assert_eq!(Server::Api.test(site), site.test());
        }
    }
}
