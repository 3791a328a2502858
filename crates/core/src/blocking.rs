//! Blocking decisions that combine the user's settings with the engine: category switches, the
//! per-site allow list, and the category a blocked request is reported under.

use crate::category::Category;
use crate::dnr::{ids, priority, Action, ActionType, Condition, ResourceType, Rule};
use crate::engine::{Blocker, Verdict};
use crate::pixels::{self, Pixel, PixelPurpose, PixelRequest};
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
    /// A web beacon or pixel tag, blocked (by a list, its sender's category, or the "block all
    /// third-party pixels" switch), counted under "Pixels" with its sender's purpose.
    BlockedPixel(PixelPurpose),
    /// A pixel that would have been blocked, on a site where protection is off.
    SiteAllowedPixel(PixelPurpose),
}

impl Outcome {
    /// Whether the request must be cancelled.
    pub fn is_block(self) -> bool {
        matches!(self, Outcome::Blocked(_) | Outcome::BlockedPixel(_))
    }

    /// A small number for the WASM hot path: 0 allowed, 2+i excepted, 16+i blocked,
    /// 32+i site-allowed (i = category index); 48+p a blocked pixel, 56+p a site-allowed pixel
    /// (p = pixel purpose index). The request is cancelled for 16..=31 and 48..=55.
    pub fn code(self) -> u32 {
        match self {
            Outcome::Allowed => 0,
            Outcome::Excepted(c) => 2 + u32::from(c.index()),
            Outcome::Blocked(c) => 16 + u32::from(c.index()),
            Outcome::SiteAllowed(c) => 32 + u32::from(c.index()),
            Outcome::BlockedPixel(p) => 48 + u32::from(p.index()),
            Outcome::SiteAllowedPixel(p) => 56 + u32::from(p.index()),
        }
    }
}

/// The webRequest type for a DevTools resource type, as request data sets record them (and as
/// uBlock Origin's benchmark maps them): `document` is `main_frame` when it is its own frame,
/// else `sub_frame`; `xhr`/`fetch` are `xmlhttprequest`; `eventsource`, `manifest` and
/// `texttrack` are `other`; every other type passes unchanged.
pub fn request_type_of_devtools<'a>(cpt: &'a str, url: &str, frame_url: &str) -> &'a str {
    match cpt {
        "document" if url == frame_url => "main_frame",
        "document" => "sub_frame",
        "xhr" | "fetch" => "xmlhttprequest",
        "eventsource" | "manifest" | "texttrack" => "other",
        other => other,
    }
}

/// A request about to be sent, as the browser describes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Request<'a> {
    /// The URL requested.
    pub url: &'a str,
    /// The document that made the request (first/third party), "" when unknown.
    pub source_url: &'a str,
    /// The browser's resource type (`script`, `image`, `ping`, `sub_frame`...).
    pub kind: &'a str,
    /// The tab's top-level page (the site the user is on), for the allow list.
    pub top_url: &'a str,
    /// The HTTP method, "" when unknown.
    pub method: &'a str,
    /// The browser saw the request's host serve a tiny image earlier in the session (Firefox).
    pub known_pixel_host: bool,
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
    decide_request(
        settings,
        blocker,
        &Request {
            url: request_url,
            source_url,
            kind,
            top_url,
            ..Request::default()
        },
    )
}

/// Decides a request: the filter lists first (a list's exception is respected), then, for a
/// request no list blocked, whether it is a pixel to block; a blocked request that is a pixel
/// is reported as one. On an allow-listed site nothing is blocked.
pub fn decide_request(settings: &Settings, blocker: &Blocker, req: &Request) -> Outcome {
    // The starter list's category for the host is what gets reported when it knows the host, so
    // the blocker need not find out which list matched.
    let known = std::cell::OnceCell::new();
    let known = || *known.get_or_init(|| starter_category(req.url));
    let enabled = settings.blocking.enabled();
    let (verdict, third_party) =
        blocker.check_detailed(req.url, req.source_url, req.kind, enabled, &known);
    // Only the purpose and party of a pixel matter here: no reason text is made.
    let pixel = || {
        if !pixels::kind_can_be_pixel(req.kind) {
            return None;
        }
        let r = PixelRequest {
            url: req.url,
            kind: req.kind,
            method: req.method,
            source_url: req.source_url,
            known_pixel_host: req.known_pixel_host,
        };
        pixels::classify_without_reason(&r, third_party)
    };
    let outcome = match verdict {
        Verdict::Block(c) => match pixel() {
            // A sender the classifier does not know gets the blocking list's category.
            Some(p) if p.purpose == PixelPurpose::Unknown => {
                Outcome::BlockedPixel(PixelPurpose::of_category(known().unwrap_or(c)))
            }
            Some(p) => Outcome::BlockedPixel(p.purpose),
            None => Outcome::Blocked(known().unwrap_or(c)),
        },
        Verdict::Excepted(c) => Outcome::Excepted(known().unwrap_or(c)),
        Verdict::NoMatch | Verdict::Unreadable => match pixel() {
            Some(p) if pixel_blocked(settings, &p) => Outcome::BlockedPixel(p.purpose),
            _ => Outcome::Allowed,
        },
    };
    match outcome {
        Outcome::Blocked(c) if site_allowed(settings, req.top_url, req.url, req.kind) => {
            Outcome::SiteAllowed(c)
        }
        Outcome::BlockedPixel(p) if site_allowed(settings, req.top_url, req.url, req.kind) => {
            Outcome::SiteAllowedPixel(p)
        }
        o => o,
    }
}

/// Whether the settings block a pixel no list blocked: its sender's category when the sender is
/// known, else the "block all third-party pixels" switch (third parties only).
fn pixel_blocked(settings: &Settings, p: &Pixel) -> bool {
    match p.purpose.category() {
        Some(c) => settings.blocking.enabled().contains(c),
        None => p.third_party && settings.pixels.block_unknown,
    }
}

/// The category to report for a request the lists match: the starter list's for its host when it
/// knows the host (else the matching list's).
fn starter_category(request_url: &str) -> Option<Category> {
    url::split(request_url).and_then(|p| crate::starter::category_of_host(&p.host).map(|(c, _)| c))
}

/// Whether protection is off for the page a request belongs to (its top-level page; a top-level
/// navigation belongs to where it goes).
pub fn site_allowed(settings: &Settings, top_url: &str, request_url: &str, kind: &str) -> bool {
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
/// rule for top-level pages of the listed sites (it covers their whole frame tree), an `allow`
/// rule for requests the sites initiate outside a tab (service workers), and an `allow` rule for
/// any request in a tab showing one of the sites (`topDomains`).
pub fn allowlist_rules(settings: &Settings) -> Vec<Rule> {
    if settings.allowlist.is_empty() {
        return Vec::new();
    }
    let sites: Vec<String> = settings.allowlist.iter().map(SiteKey::to_string).collect();
    let action = |kind| Action {
        kind,
        request_headers: Vec::new(),
        response_headers: Vec::new(),
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
                initiator_domains: sites.clone(),
                ..Condition::default()
            },
        },
        // Requests Chromium does not tie to the frame tree (keepalive fetches and beacons from
        // a third-party iframe) still have the tab's top-level site.
        Rule {
            id: ids::ALLOW_SITE + 2,
            priority: priority::ALLOW_SITE,
            action: action(ActionType::Allow),
            condition: Condition {
                top_domains: sites,
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
            decide(&s, &b, "http://pixel.test/tag.js", top, "script", top),
            Outcome::Blocked(Category::Advertising)
        );
        assert_eq!(Outcome::Blocked(Category::Social).code(), 18);
    }

    #[test]
    fn pixels_by_sender_category_and_the_unknown_switch() {
        let (mut s, b) = setup();
        let top = "http://site.test/";
        let req = |url: &'static str, kind: &'static str| Request {
            url,
            source_url: top,
            kind,
            top_url: top,
            ..Request::default()
        };
        // No list matches pixel.test here; the classifier knows it (advertising).
        let known = req("http://pixel.test/p.gif?uid=1&ev=pageview", "image");
        assert_eq!(
            decide_request(&s, &b, &known),
            Outcome::BlockedPixel(PixelPurpose::Advertising)
        );
        // A blocked request that is a pixel counts as a pixel.
        assert_eq!(
            decide_request(
                &s,
                &b,
                &req("http://tracker.example/p.gif?uid=1&a=2&b=3", "image")
            ),
            Outcome::BlockedPixel(PixelPurpose::Advertising)
        );
        let beacon = req("http://collector.example/b", "ping");
        assert_eq!(
            decide_request(&s, &b, &beacon),
            Outcome::BlockedPixel(PixelPurpose::Unknown)
        );
        assert_eq!(Outcome::BlockedPixel(PixelPurpose::Unknown).code(), 52);
        // The sender's category off lets its pixel through; unknown senders need the switch.
        s.blocking.set(Category::Advertising, false);
        assert_eq!(decide_request(&s, &b, &known), Outcome::Allowed);
        s.pixels.block_unknown = false;
        assert_eq!(decide_request(&s, &b, &beacon), Outcome::Allowed);
        s.pixels.block_unknown = true;
        // First-party images are not pixels by shape; a first-party beacon is, but the unknown
        // switch only covers third parties.
        let own = Request {
            url: "http://site.test/b",
            kind: "ping",
            ..beacon
        };
        assert_eq!(decide_request(&s, &b, &own), Outcome::Allowed);
        s.allow_site("site.test").unwrap();
        assert_eq!(
            decide_request(&s, &b, &beacon),
            Outcome::SiteAllowedPixel(PixelPurpose::Unknown)
        );
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
        assert_eq!(json[2]["action"]["type"], "allow");
        assert_eq!(
            json[2]["condition"]["topDomains"],
            serde_json::json!(["site.test"])
        );
    }
}
