//! Cookie-consent banners: whether Crumbwall answers or hides them on a page, and which CSS
//! selectors hide the ones it cannot answer.
//!
//! Two parts, both decided here:
//! - [`policy`]: for a page, whether the banner is declined automatically (the `@duckduckgo/
//!   autoconsent` rules run in the page, opt-out only) and whether leftover banners are hidden.
//!   An allow-listed site and a site in the consent exceptions are left alone.
//! - [`BannerHider`]: the cookie-notice filter lists (EasyList – Cookie Notices) as an adblock
//!   cosmetic engine. Built natively at build time and shipped serialised like the blocker; the
//!   browser asks it for the selectors of a page ([`BannerHider::page`]: site-specific and
//!   complex generic selectors, known before the page exists) and then for the generic selectors
//!   matching the classes and ids the page uses ([`BannerHider::class_id_selectors`]).
//!
//! Looping banners (a platform that shows its banner again after being declined) are bounded by
//! [`MAX_ATTEMPTS`]: the extension counts attempts per tab and site and gives up after that many.

use std::collections::HashSet;
use std::fmt;

use adblock::lists::{FilterSet, ParseOptions, RuleTypes};
use adblock::Engine;
use serde::Serialize;

use crate::settings::Settings;
use crate::site::SiteKey;

/// Magic bytes and format version of a serialised [`BannerHider`].
const MAGIC: &[u8; 4] = b"CWH1";

/// Opt-out attempts per tab and site before a banner that keeps coming back is given up.
pub const MAX_ATTEMPTS: u32 = 3;

/// Class or id names per [`BannerHider::class_id_selectors`] call; the rest are ignored.
pub const MAX_NAMES: usize = 5_000;

/// Selectors returned at most per call (a stylesheet of this many rules is still cheap).
pub const MAX_SELECTORS: usize = 2_000;

/// What Crumbwall does about consent banners on one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentPolicy {
    /// Decline non-essential purposes through the consent platform's own controls.
    pub auto_decline: bool,
    /// Hide the banners the cookie-notice lists know.
    pub hide_banners: bool,
    /// The site is in the consent exceptions (the popup's per-site switch is off).
    pub excepted: bool,
    /// Protection is off on the site (allow list): consent handling is off too.
    pub allowlisted: bool,
}

/// The consent policy for a page at `url` (a frame's URL with the top page's `top_url`; the top
/// page decides, as for every per-site switch). Pages that are not web pages get everything off.
pub fn policy(settings: &Settings, top_url: &str) -> ConsentPolicy {
    let off = ConsentPolicy {
        auto_decline: false,
        hide_banners: false,
        excepted: false,
        allowlisted: false,
    };
    let Ok(site) = SiteKey::from_url(top_url) else {
        return off;
    };
    let excepted = settings.consent.exceptions.binary_search(&site).is_ok();
    let allowlisted = settings.allowlist.binary_search(&site).is_ok();
    let on = !excepted && !allowlisted;
    ConsentPolicy {
        auto_decline: on && settings.consent.auto_decline,
        hide_banners: on && settings.consent.hide_banners,
        excepted,
        allowlisted,
    }
}

/// Why a serialised hider could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot load the cookie-banner filters: {}", self.0)
    }
}

impl std::error::Error for LoadError {}

/// The selectors for one page, before its DOM exists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageSelectors {
    /// Selectors to hide now (site-specific and complex generic ones), sorted.
    pub hide: Vec<String>,
    /// Generic class/id selectors that must not be hidden on this page (pass them back to
    /// [`BannerHider::class_id_selectors`]).
    pub exceptions: Vec<String>,
    /// The lists turn generic hiding off on this page: do not ask for class/id selectors.
    pub generichide: bool,
}

/// The cookie-notice lists as a cosmetic engine.
pub struct BannerHider {
    engine: Engine,
}

impl fmt::Debug for BannerHider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BannerHider").finish_non_exhaustive()
    }
}

/// Whether a selector is safe to put in a style sheet as `SELECTOR { display: none !important }`:
/// no characters that could end the rule or open another (the lists are trusted, but a damaged
/// file must never turn into page styles beyond hiding).
fn safe_selector(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 1_000
        && !s.contains(['{', '}', ';', '\n', '\r', '\0'])
        && !s.contains("/*")
}

impl BannerHider {
    /// Builds the engine from list texts (cosmetic rules only; `$generichide` network exceptions
    /// are kept as the engine needs them). Malformed lines are skipped.
    pub fn build(lists: &[&str]) -> BannerHider {
        let mut set = FilterSet::new(false);
        for text in lists {
            set.add_filter_list(
                (*text).to_owned(),
                ParseOptions {
                    rule_types: RuleTypes::All,
                    ..ParseOptions::default()
                },
            );
        }
        BannerHider {
            engine: Engine::new_with_filter_set(set),
        }
    }

    /// The selectors known for a page from its URL alone. A URL that cannot be read gets none.
    pub fn page(&self, url: &str) -> PageSelectors {
        if url.len() > crate::engine::MAX_URL {
            return PageSelectors::default();
        }
        let r = self.engine.url_cosmetic_resources(url);
        let mut hide: Vec<String> = r
            .hide_selectors
            .into_iter()
            .filter(|s| safe_selector(s))
            .collect();
        hide.sort();
        hide.truncate(MAX_SELECTORS);
        let mut exceptions: Vec<String> = r.exceptions.into_iter().collect();
        exceptions.sort();
        PageSelectors {
            hide,
            exceptions,
            generichide: r.generichide,
        }
    }

    /// The generic selectors that apply to elements with these classes and ids (names without
    /// `.` or `#`), minus the page's `exceptions` (from [`BannerHider::page`]).
    pub fn class_id_selectors(
        &self,
        classes: &[String],
        ids: &[String],
        exceptions: &[String],
    ) -> Vec<String> {
        let ok = |n: &&String| !n.is_empty() && n.len() <= 200;
        let classes = classes.iter().filter(ok).take(MAX_NAMES);
        let ids = ids.iter().filter(ok).take(MAX_NAMES);
        let exceptions: HashSet<String> = exceptions.iter().take(MAX_NAMES).cloned().collect();
        let mut out: Vec<String> = self
            .engine
            .hidden_class_id_selectors(classes, ids, &exceptions)
            .into_iter()
            .filter(|s| safe_selector(s))
            .collect();
        out.sort();
        out.dedup();
        out.truncate(MAX_SELECTORS);
        out
    }

    /// The serialised engine, for shipping with the extension.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::from(&MAGIC[..]);
        out.extend_from_slice(&self.engine.serialize());
        out
    }

    /// Loads what [`BannerHider::serialize`] wrote. Damage is an error, never a panic.
    pub fn deserialize(data: &[u8]) -> Result<BannerHider, LoadError> {
        let Some(rest) = data.strip_prefix(&MAGIC[..]) else {
            return Err(LoadError(
                "not a Crumbwall banner filter file of this version (bad header); rebuild it"
                    .into(),
            ));
        };
        let mut engine = Engine::default();
        engine
            .deserialize(rest)
            .map_err(|e| LoadError(e.to_string()))?;
        Ok(BannerHider { engine })
    }
}

/// A CSS style sheet hiding `selectors` (at most [`MAX_SELECTORS`]; unsafe ones are left out),
/// one rule per selector so one selector a browser cannot read does not cancel the others.
///
/// `soft`: the elements are made invisible and inert but keep their layout box
/// (`opacity: 0; pointer-events: none`), like autoconsent's own pre-hiding, so a consent
/// platform that autoconsent can still decline stays "visible" to its rules; once autoconsent is
/// done with the page the same selectors get the hard style (`display: none`).
pub fn style_sheet(selectors: &[String], soft: bool) -> String {
    let style = if soft {
        "{opacity:0!important;pointer-events:none!important}\n"
    } else {
        "{display:none!important}\n"
    };
    let mut css = String::new();
    for s in selectors
        .iter()
        .filter(|s| safe_selector(s))
        .take(MAX_SELECTORS)
    {
        css.push_str(s);
        css.push_str(style);
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "! cookie notices\n##.CaixaCookies\n###cookie-law-bar\n##div[data-cookie-banner]\nsite.test##.site-only-banner\nnews.test#@#.CaixaCookies\n@@||plain.test^$generichide\nbad.test##x{color:red}\n";

    fn hider() -> BannerHider {
        BannerHider::build(&[LIST])
    }

    #[test]
    fn page_selectors_and_class_id_matches() {
        let h = hider();
        let p = h.page("http://site.test/consent");
        assert!(
            p.hide.contains(&".site-only-banner".to_string()),
            "{:?}",
            p.hide
        );
        assert!(
            p.hide.contains(&"div[data-cookie-banner]".to_string()),
            "{:?}",
            p.hide
        );
        assert!(!p.generichide);
        let got = h.class_id_selectors(
            &["CaixaCookies".into(), "other".into()],
            &["cookie-law-bar".into()],
            &p.exceptions,
        );
        assert_eq!(
            got,
            vec!["#cookie-law-bar".to_string(), ".CaixaCookies".to_string()]
        );
        // Another site: no site-specific selector; an exception removes a generic one.
        let n = h.page("http://news.test/");
        assert!(!n.hide.contains(&".site-only-banner".to_string()));
        assert!(
            h.class_id_selectors(&["CaixaCookies".into()], &[], &n.exceptions)
                .is_empty(),
            "{:?}",
            n.exceptions
        );
        assert!(h.page("http://plain.test/").generichide);
    }

    #[test]
    fn unreadable_input_gets_nothing_and_unsafe_selectors_are_dropped() {
        let h = hider();
        for url in [
            "",
            "not a url",
            "data:text/html,x",
            &format!("http://a.test/{}", "a".repeat(crate::engine::MAX_URL)),
        ] {
            assert!(h.page(url).hide.is_empty(), "{url:.30}");
        }
        assert!(!h
            .page("http://bad.test/")
            .hide
            .iter()
            .any(|s| s.contains('{')));
        assert!(h
            .class_id_selectors(&["".into(), "x".repeat(300)], &[], &[])
            .is_empty());
        let css = style_sheet(&[".a".into(), "b}body{x".into(), "#c".into()], false);
        assert_eq!(
            css,
            ".a{display:none!important}\n#c{display:none!important}\n"
        );
        let soft = style_sheet(&[".a".into()], true);
        assert_eq!(
            soft,
            ".a{opacity:0!important;pointer-events:none!important}\n"
        );
    }

    #[test]
    fn serialises_and_rejects_damage() {
        let bytes = hider().serialize();
        let back = BannerHider::deserialize(&bytes).unwrap();
        assert_eq!(
            back.class_id_selectors(&["CaixaCookies".into()], &[], &[]),
            vec![".CaixaCookies".to_string()]
        );
        assert!(BannerHider::deserialize(b"").is_err());
        assert!(BannerHider::deserialize(b"CWB2xxxx").is_err());
        assert!(BannerHider::deserialize(&bytes[..bytes.len() / 2]).is_err());
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0xff;
        let _ = BannerHider::deserialize(&flipped); // error or not, never a panic
    }

    #[test]
    fn policy_follows_switches_exceptions_and_allowlist() {
        let mut s = Settings::default();
        let p = policy(&s, "https://www.site.test/page");
        assert!(p.auto_decline && p.hide_banners && !p.excepted && !p.allowlisted);
        s.add_consent_exception("site.test").unwrap();
        let p = policy(&s, "https://shop.site.test/");
        assert!(!p.auto_decline && !p.hide_banners && p.excepted);
        assert!(policy(&s, "https://news.test/").auto_decline);
        assert!(s.remove_consent_exception("site.test").unwrap());
        s.allow_site("news.test").unwrap();
        let p = policy(&s, "https://news.test/");
        assert!(!p.auto_decline && !p.hide_banners && p.allowlisted);
        s.consent.hide_banners = false;
        let p = policy(&s, "https://site.test/");
        assert!(p.auto_decline && !p.hide_banners);
        assert!(!policy(&s, "chrome://extensions").auto_decline);
        assert!(!policy(&s, "").hide_banners);
    }
}

#[cfg(test)]
mod data_tests {
    use super::*;

    /// With the shipped EasyList – Cookie Notices (`$CRUMBWALL_DATA/filters`): a generic class
    /// filter the test web's unknown banner uses, a generic id filter and a site's own filters.
    #[test]
    fn easylist_cookie_notices() {
        let Some(dir) = std::env::var_os("CRUMBWALL_DATA") else {
            eprintln!("skipped: CRUMBWALL_DATA is not set");
            return;
        };
        let path = std::path::Path::new(&dir).join("filters/easylist-cookie.txt");
        let text = std::fs::read_to_string(&path).unwrap();
        let h = BannerHider::deserialize(&BannerHider::build(&[&text]).serialize()).unwrap();
        let page = h.page("https://site.test/");
        let got = h.class_id_selectors(
            &["CaixaCookies".into()],
            &["onetrust-banner-sdk".into()],
            &page.exceptions,
        );
        assert_eq!(
            got,
            vec![
                "#onetrust-banner-sdk".to_string(),
                ".CaixaCookies".to_string()
            ]
        );
    }
}
