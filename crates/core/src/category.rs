//! Why a third party is blocked: the category of the list (or starter entry) that names it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A blocking category. Each has its own user switch and, in Chrome, its own static ruleset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Ad networks and ad servers (EasyList).
    Advertising,
    /// Analytics and measurement (EasyPrivacy, uBlock filters – Privacy).
    Statistical,
    /// Social-media widgets and trackers (EasyList – Social Widgets).
    Social,
    /// Cookie-consent notices (EasyList – Cookie Notices); used by the consent feature.
    Consent,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 4] = [
        Category::Advertising,
        Category::Statistical,
        Category::Social,
        Category::Consent,
    ];

    /// The blocking categories enabled by default.
    pub const BLOCKING: [Category; 3] = [
        Category::Advertising,
        Category::Statistical,
        Category::Social,
    ];

    /// The lowercase name used in files, settings and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Advertising => "advertising",
            Category::Statistical => "statistical",
            Category::Social => "social",
            Category::Consent => "consent",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// A small number for compact interfaces (index in [`Category::ALL`]).
    pub fn index(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            assert_eq!(Category::ALL[c.index() as usize], c);
        }
        assert_eq!(Category::parse("Advertising"), None);
    }
}
