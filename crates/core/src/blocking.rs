//! Blocking decisions that combine the user's settings with the engine: category switches, the
//! per-site allow list, and the category a blocked request is reported under.

use crate::category::Category;
use crate::dnr::{ids, priority, Action, ActionType, Condition, ResourceType, Rule};
use crate::engine::{Blocker, Verdict};
use crate::settings::Settings;
use crate::site::SiteKey;
use crate::url;

/// What happened to a request, with the category shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No filter matched (or the request could not be read): allowed.
    Allowed,
    /// Blocked; the category is the starter list's for the host when known, else the list's.
    Blocked(Category),
    /// A filter matched but a list exception allowed it.
    Excepted(Category),
    /// It would have been blocked, but the user turned protection off on the page's site.
    SiteAllowed(Category),
}

impl Outcome {
    /// Whether the request must be cancelled.
    pub fn is_block(self) -> bool {
        matches!(self, Outcome::Blocked(_))
    }

    /// A small number for the WASM hot path: 0 allowed, 16+i blocked, 2+i excepted,
    /// 32+i site-allowed (i = category index).
    pub fn code(self) -> u32 {
        match self {
            Outcome::Allowed => 0,
            Outcome::Excepted(c) => 2 + u32::from(c.index()),
            Outcome::Blocked(c) => 16 + u32::from(c.index()),
            Outcome::SiteAllowed(c) => 32 + u32::from(c.index()),
        }
    }
}

/// Decides a request. `top_url` is the tab's top-level page (the site the user is on), used for
/// the allow list; `source_url` is the document that made the request (first/third party).
pub fn decide(
    settings: &Settings,
    blocker: &Blocker,
    request_url: &str,
    source_url: &str,
    kind: &str,
    top_url: &str,
) -> Outcome {
    // The starter list's category for the host is what gets reported when it knows the host, so
    // the blocker need not find out which list matched.
    let known = std::cell::OnceCell::new();
    let known = || *known.get_or_init(|| starter_category(request_url));
    let enabled = settings.blocking.enabled();
    let verdict = blocker.check_hinted(request_url, source_url, kind, enabled, &known);
    let outcome = match verdict {
        Verdict::Block(c) => Outcome::Blocked(known().unwrap_or(c)),
        Verdict::Excepted(c) => Outcome::Excepted(known().unwrap_or(c)),
        Verdict::NoMatch | Verdict::Unreadable => Outcome::Allowed,
    };
    match outcome {
        Outcome::Blocked(c) if site_allowed(settings, top_url, request_url, kind) => {
            Outcome::SiteAllowed(c)
        }
        o => o,
    }
}

/// The category to report for a request the lists match: the starter list's for its host when it
/// knows the host (else the matching list's).
fn starter_category(request_url: &str) -> Option<Category> {
    url::split(request_url)
        .and_then(|p| crate::starter::category_of_host(&p.host).map(|(c, _)| c))
}

fn site_allowed(settings: &Settings, top_url: &str, request_url: &str, kind: &str) -> bool {
    if settings.allowlist.is_empty() {
        return false;
    }
    // A top-level navigation belongs to the site it goes to.
    let page = if kind == "main_frame" || top_url.is_empty() {
        request_url
    } else {
        top_url
    };
    url::split(page).is_some_and(|p| p.is_web() && settings.is_allowlisted_host(&p.host))
}

/// The dynamic declarativeNetRequest rules for the allow list (Chromium): an `allowAllRequests`
/// rule for top-level pages of the listed sites (it covers their whole frame tree) and an `allow`
/// rule for requests the sites initiate outside a tab (service workers).
pub fn allowlist_rules(settings: &Settings) -> Vec<Rule> {
    if settings.allowlist.is_empty() {
        return Vec::new();
    }
    let sites: Vec<String> = settings.allowlist.iter().map(SiteKey::to_string).collect();
    let action = |kind| Action {
        kind,
        request_headers: Vec::new(),
    };
    vec![
        Rule {
            id: ids::ALLOW_SITE,
            priority: priority::ALLOW_SITE,
            action: action(ActionType::AllowAllRequests),
            condition: Condition {
                resource_types: vec![ResourceType::MainFrame],
                request_domains: sites.clone(),
                ..Condition::default()
            },
        },
        Rule {
            id: ids::ALLOW_SITE + 1,
            priority: priority::ALLOW_SITE,
            action: action(ActionType::Allow),
            condition: Condition {
                initiator_domains: sites,
                ..Condition::default()
            },
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Settings, Blocker) {
        let b = Blocker::build(&[
            (Category::Advertising, "||ads.test^\n||tracker.example^\n"),
            (Category::Statistical, "||analytics.test^$third-party\n"),
            (Category::Social, "||social.test^\n"),
        ]);
        (Settings::default(), b)
    }

    #[test]
    fn categories_allowlist_and_switches() {
        let (mut s, b) = setup();
        let top = "http://site.test/";
        assert_eq!(
            decide(&s, &b, "http://ads.test/a.js", top, "script", top),
            Outcome::Blocked(Category::Advertising)
        );
        assert_eq!(
            decide(&s, &b, "http://site.test/app.js", top, "script", top),
            Outcome::Allowed
        );
        s.allow_site("site.test").unwrap();
        assert_eq!(
            decide(&s, &b, "http://ads.test/a.js", top, "script", top),
            Outcome::SiteAllowed(Category::Advertising)
        );
        // A request from an iframe whose document is elsewhere still belongs to the tab's site.
        assert_eq!(
            decide(
                &s,
                &b,
                "http://ads.test/a.js",
                "http://social.test/w",
                "script",
                top
            ),
            Outcome::SiteAllowed(Category::Advertising)
        );
        assert_eq!(
            decide(
                &s,
                &b,
                "http://ads.test/a.js",
                "http://news.test/",
                "script",
                "http://news.test/"
            ),
            Outcome::Blocked(Category::Advertising)
        );
        s.blocking.set(Category::Social, false);
        assert_eq!(
            decide(
                &s,
                &b,
                "http://social.test/w",
                "http://news.test/",
                "sub_frame",
                "http://news.test/"
            ),
            Outcome::Allowed
        );
    }

    #[test]
    fn starter_list_refines_the_category() {
        // pixel.test is advertising in the starter list even when a social list blocks it.
        let b = Blocker::build(&[(Category::Social, "||pixel.test^\n")]);
        let s = Settings::default();
        let top = "http://site.test/";
        assert_eq!(
            decide(&s, &b, "http://pixel.test/p.gif", top, "image", top),
            Outcome::Blocked(Category::Advertising)
        );
        assert_eq!(Outcome::Blocked(Category::Social).code(), 18);
    }

    #[test]
    fn allowlist_rules_shape() {
        let mut s = Settings::default();
        assert!(allowlist_rules(&s).is_empty());
        s.allow_site("www.site.test").unwrap();
        let json = serde_json::to_value(allowlist_rules(&s)).unwrap();
        assert_eq!(json[0]["action"]["type"], "allowAllRequests");
        assert_eq!(
            json[0]["condition"]["requestDomains"],
            serde_json::json!(["site.test"])
        );
        assert_eq!(
            json[0]["condition"]["resourceTypes"],
            serde_json::json!(["main_frame"])
        );
        assert_eq!(json[1]["action"]["type"], "allow");
        assert_eq!(
            json[1]["condition"]["initiatorDomains"],
            serde_json::json!(["site.test"])
        );
        assert_eq!(json[1]["priority"], priority::ALLOW_SITE);
    }
}
