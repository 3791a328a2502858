//! Cookie purposes: why a cookie exists (technical, personalization, advertising, statistical,
//! social or unknown), decided from layered knowledge that can always say why.
//!
//! Layers, first match wins:
//! 1. known cookie names — the curated table embedded from `data/cookies-known.tsv`, plus the
//!    Open Cookie Database when loaded ([`parse_ocd_csv`], [`Classifier::with_ocd`]);
//! 2. the tracker category of the cookie's domain ([`crate::starter::category_of_host`]);
//! 3. heuristics on name tokens, value shape, lifetime and third-party context.
//!
//! [`Classifier::classify`] never panics, is deterministic and allocates only its reason text.

pub mod enforce;
mod heuristics;
mod knowledge;
mod policy;
pub mod rules;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::category::Category;
use crate::site::SiteKey;

pub use knowledge::{
    is_social_platform, ocd_purpose, ocd_rows, parse_ocd_csv, parse_tsv, KnowledgeTable,
    KnownCookie, MatchKind, OcdRow, Source, CURATED_TSV,
};
pub use policy::{action, CookieAction, CookiePolicy, Rule};

/// Why a cookie exists. The user's cookie policy is per purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// Needed for the site to work: login, session, security, load balancing, consent record.
    Technical,
    /// Remembers choices: language, region, font size, cart, preferences.
    Personalization,
    /// Ad targeting, retargeting and ad measurement.
    Advertising,
    /// Analytics and audience measurement.
    Statistical,
    /// Set by social networks (like/share widgets, embedded posts, social login tracking).
    Social,
    /// Nothing known fits.
    Unknown,
}

impl Purpose {
    /// Every purpose, in display order.
    pub const ALL: [Purpose; 6] = [
        Purpose::Technical,
        Purpose::Personalization,
        Purpose::Advertising,
        Purpose::Statistical,
        Purpose::Social,
        Purpose::Unknown,
    ];

    /// The lowercase name used in files, settings and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Technical => "technical",
            Purpose::Personalization => "personalization",
            Purpose::Advertising => "advertising",
            Purpose::Statistical => "statistical",
            Purpose::Social => "social",
            Purpose::Unknown => "unknown",
        }
    }

    /// Parses our names and common synonyms, ignoring case and surrounding spaces:
    /// necessary/essential/functional/security → technical; preferences → personalization;
    /// analytics/performance/statistics → statistical; marketing/targeting/ads → advertising;
    /// "social media" → social. (Functional follows the Open Cookie Database, where it means
    /// strictly necessary.)
    pub fn parse(s: &str) -> Option<Purpose> {
        let s = s.trim();
        const SYNONYMS: [(&str, Purpose); 28] = [
            ("technical", Purpose::Technical),
            ("necessary", Purpose::Technical),
            ("strictly necessary", Purpose::Technical),
            ("essential", Purpose::Technical),
            ("functional", Purpose::Technical),
            ("security", Purpose::Technical),
            ("personalization", Purpose::Personalization),
            ("personalisation", Purpose::Personalization),
            ("preferences", Purpose::Personalization),
            ("preference", Purpose::Personalization),
            ("advertising", Purpose::Advertising),
            ("marketing", Purpose::Advertising),
            ("targeting", Purpose::Advertising),
            ("ads", Purpose::Advertising),
            ("advertisement", Purpose::Advertising),
            ("statistical", Purpose::Statistical),
            ("statistics", Purpose::Statistical),
            ("analytics", Purpose::Statistical),
            ("analytical", Purpose::Statistical),
            ("performance", Purpose::Statistical),
            ("measurement", Purpose::Statistical),
            ("social", Purpose::Social),
            ("social media", Purpose::Social),
            ("social_media", Purpose::Social),
            ("unknown", Purpose::Unknown),
            ("unclassified", Purpose::Unknown),
            ("other", Purpose::Unknown),
            ("uncategorized", Purpose::Unknown),
        ];
        SYNONYMS
            .iter()
            .find(|(name, _)| s.eq_ignore_ascii_case(name))
            .map(|&(_, p)| p)
    }

    /// The purpose of cookies set by a tracker of this blocking category (consent-notice
    /// services set consent records, which are technical).
    pub fn of_category(category: Category) -> Purpose {
        match category {
            Category::Advertising => Purpose::Advertising,
            Category::Statistical => Purpose::Statistical,
            Category::Social => Purpose::Social,
            Category::Consent => Purpose::Technical,
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cookie to classify, as the browser reports it, plus where the user is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CookieInput<'a> {
    /// The cookie name (may be empty).
    pub name: &'a str,
    /// The cookie value, raw.
    pub value: &'a str,
    /// The cookie's domain; a leading dot (domain cookie) is allowed.
    pub domain: &'a str,
    /// The cookie's path.
    pub path: &'a str,
    /// Seconds of lifetime left; `None` for a session cookie.
    pub expires_in: Option<i64>,
    /// The `Secure` attribute.
    pub secure: bool,
    /// The `HttpOnly` attribute.
    pub http_only: bool,
    /// The `SameSite` attribute (`strict`, `lax`, `none`, `no_restriction`, `unspecified`), if any.
    pub same_site: Option<&'a str>,
    /// The site the user is on: a host (`www.example.com`) or an http(s) URL; `None` when unknown.
    pub site: Option<&'a str>,
}

/// The purpose of a cookie, how sure we are, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// The purpose.
    pub purpose: Purpose,
    /// From 0 (a guess) to 1 (certain).
    pub confidence: f32,
    /// A short human reason, in English ("known name `_ga` (Google Analytics)").
    pub reason: String,
    /// The reason in a form the extension translates ([`Classification::why_args`]).
    #[serde(skip)]
    pub why: Why,
}

/// Why a cookie got its purpose, for translation: `key` names the reason's English text (the
/// extension's `_locales` have it as `why_<key>`, `-` written `_`, with `$1`, `$2` for the
/// values); the values are kept as byte ranges of [`Classification::reason`] (no allocation on
/// the hot path), plus the owner the text ends with, as ` (owner)`, when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Why {
    /// A stable key (`known-name`, `name-contains`, `tracker-third-party-advertising`, ...).
    pub key: &'static str,
    args: [(u32, u32); 2],
    count: u8,
    owner: Option<(u32, u32)>,
}

/// One piece of a reason: literal text, or a value the translation puts in.
pub(crate) enum Part<'a> {
    /// Text of the English template.
    T(&'a str),
    /// A value (`$1`, `$2` in the translations).
    V(&'a str),
}

/// Builds a reason's English text and its [`Why`] in one allocation.
pub(crate) fn reason(key: &'static str, parts: &[Part<'_>], owner: Option<&str>) -> (String, Why) {
    let len: usize = parts
        .iter()
        .map(|p| match p {
            Part::T(t) | Part::V(t) => t.len(),
        })
        .sum::<usize>()
        + owner.map_or(0, |o| o.len() + 3);
    let mut s = String::with_capacity(len);
    let mut why = Why {
        key,
        ..Why::default()
    };
    let at = |s: &String| u32::try_from(s.len()).unwrap_or(u32::MAX);
    for p in parts {
        match p {
            Part::T(t) => s.push_str(t),
            Part::V(v) => {
                let start = at(&s);
                s.push_str(v);
                if usize::from(why.count) < why.args.len() {
                    why.args[usize::from(why.count)] = (start, at(&s));
                    why.count += 1;
                }
            }
        }
    }
    if let Some(o) = owner {
        s.push_str(" (");
        let start = at(&s);
        s.push_str(o);
        why.owner = Some((start, at(&s)));
        s.push(')');
    }
    (s, why)
}

/// A reason without values: its English text and its key.
pub(crate) fn fixed(key: &'static str, text: &str) -> (String, Why) {
    reason(key, &[Part::T(text)], None)
}

impl Classification {
    fn new(purpose: Purpose, confidence: f32, (reason, why): (String, Why)) -> Classification {
        Classification {
            purpose,
            confidence: confidence.clamp(0.0, 1.0),
            reason,
            why,
        }
    }

    /// The values named in the reason, in order (`$1`, `$2` of its translation).
    pub fn why_args(&self) -> Vec<&str> {
        self.why.args[..usize::from(self.why.count)]
            .iter()
            .filter_map(|&(a, b)| self.reason.get(a as usize..b as usize))
            .collect()
    }

    /// The owner the reason ends with, if any.
    pub fn why_owner(&self) -> Option<&str> {
        self.why
            .owner
            .and_then(|(a, b)| self.reason.get(a as usize..b as usize))
    }
}

/// Classifies cookies with the curated table (and optionally the Open Cookie Database), the
/// starter tracker knowledge and heuristics.
#[derive(Debug, Clone)]
pub struct Classifier {
    known: KnowledgeTable,
}

/// Cookies living at least this long count as long-lived (30 days).
const LONG_LIVED: i64 = 30 * 24 * 3600;

impl Classifier {
    /// The curated table only (plus tracker knowledge and heuristics).
    pub fn builtin() -> Classifier {
        let (known, _errors) = parse_tsv(CURATED_TSV, Source::Curated);
        Classifier { known }
    }

    /// The curated table, then `ocd` (usually from [`parse_ocd_csv`]) for names the curated
    /// table does not have.
    pub fn with_ocd(ocd: KnowledgeTable) -> Classifier {
        let mut c = Classifier::builtin();
        c.known.extend(ocd);
        c
    }

    /// The known-name table in use.
    pub fn knowledge(&self) -> &KnowledgeTable {
        &self.known
    }

    /// The purpose of one cookie. Total: any input gives a classification (`unknown` when
    /// nothing fits).
    pub fn classify(&self, c: &CookieInput<'_>) -> Classification {
        // Layer 1: known names (also without the `__Secure-`/`__Host-` prefixes). A prefix of
        // two characters or fewer (`_s*`) says little: a telling word of the name goes first.
        let known = self.known_name(c.name);
        match known {
            Some((k, false)) => return k,
            Some((k, true)) => return heuristics::by_name(c).unwrap_or(k),
            None => {}
        }
        let domain = clean_domain(c.domain);

        // Layer 2: the domain is a known tracker.
        let tracker = if domain.is_empty() {
            None
        } else {
            crate::starter::category_of_host(domain)
        };
        // Whether the cookie is third party, worked out at most once (it costs a site lookup).
        let mut context = None;
        if let Some((category, owner)) = tracker {
            let purpose = Purpose::of_category(category);
            let what = match category {
                Category::Advertising => "an advertising tracker",
                Category::Statistical => "an analytics tracker",
                Category::Social => "a social network",
                Category::Consent => "a consent-notice service",
            };
            let tp = third_party(domain, c.site);
            context = Some(tp);
            let (conf, how, key) = match tp {
                Some(true) => (0.8, "third-party cookie of ", tracker_key(category, true)),
                None => (0.65, "cookie of ", tracker_key(category, false)),
                // First party on the tracker's own site: the name says more (a login, a
                // language); fall back to the domain below.
                Some(false) => (0.0, "", ""),
            };
            if !how.is_empty() {
                let why = reason(key, &[Part::T(how), Part::T(what)], owner);
                return Classification::new(purpose, conf, why);
            }
        }

        // Layer 3: heuristics, the name first (it needs no context).
        if let Some(h) = heuristics::by_name(c) {
            return h;
        }
        let tp = context.unwrap_or_else(|| third_party(domain, c.site));
        if let Some(h) = heuristics::by_context(c, tp) {
            return h;
        }
        if let Some((category, owner)) = tracker {
            let owner = owner.unwrap_or("a known tracker");
            return Classification::new(
                Purpose::of_category(category),
                0.4,
                reason(
                    "tracker-own-site",
                    &[
                        Part::T("first-party cookie on the site of "),
                        Part::V(owner),
                        Part::T(", a known "),
                        Part::V(category.as_str()),
                        Part::T(" tracker"),
                    ],
                    None,
                ),
            );
        }
        if let Some(h) = heuristics::by_lifetime(c, tp) {
            return h;
        }
        Classification::new(
            Purpose::Unknown,
            0.0,
            fixed("unknown", "no known name or pattern"),
        )
    }

    /// The known-name entry layer 1 uses for a cookie name (also looked up without a
    /// `__Secure-`/`__Host-` prefix), and how it matched; `None` when no table knows the name.
    pub fn known(&self, name: &str) -> Option<(&KnownCookie, MatchKind)> {
        self.known.lookup(name).or_else(|| {
            let stripped = name
                .strip_prefix("__Secure-")
                .or_else(|| name.strip_prefix("__Host-"))?;
            self.known.lookup(stripped)
        })
    }

    /// Layer 1's answer, and whether it rests only on a prefix of two characters or fewer.
    fn known_name(&self, name: &str) -> Option<(Classification, bool)> {
        let (k, kind) = self.known(name)?;
        let weak = kind == MatchKind::Prefix && k.name.len() <= 2;
        let base: f32 = match k.source {
            Source::Curated => 0.95,
            Source::OpenCookieDatabase => 0.9,
        };
        let (conf, how, key) = match kind {
            MatchKind::Exact => (base, "known name `", "known-name"),
            MatchKind::ExactIgnoringCase => (base - 0.1, "known name `", "known-name"),
            MatchKind::Prefix => (
                base - 0.1 - if k.name.len() <= 2 { 0.2 } else { 0.0 },
                "known prefix `",
                "known-prefix",
            ),
        };
        let star = if k.prefix { "*`" } else { "`" };
        let why = reason(
            key,
            &[Part::T(how), Part::V(&k.name), Part::T(star)],
            k.owner.as_deref(),
        );
        Some((Classification::new(k.purpose, conf, why), weak))
    }
}

/// The cookie domain without a leading or trailing dot and surrounding spaces.
fn clean_domain(domain: &str) -> &str {
    let d = domain.trim();
    let d = d.strip_prefix('.').unwrap_or(d);
    d.strip_suffix('.').unwrap_or(d)
}

/// Whether the cookie's domain belongs to another site than the one the user is on; `None`
/// when either is unknown or unreadable.
fn third_party(domain: &str, site: Option<&str>) -> Option<bool> {
    let site = site?.trim();
    if domain.is_empty() || site.is_empty() {
        return None;
    }
    if domain.eq_ignore_ascii_case(site) {
        return Some(false);
    }
    // The common case (plain ASCII host names) without allocating; anything else the slow way.
    third_party_fast(domain, site).unwrap_or_else(|| third_party_slow(domain, site))
}

/// [`third_party`] through [`SiteKey`]s (any input, allocating).
fn third_party_slow(domain: &str, site: &str) -> Option<bool> {
    let site_key = if site.contains("://") {
        SiteKey::from_url(site)
    } else {
        SiteKey::from_host(site)
    };
    let site_key = site_key.ok()?;
    if site_key.contains_host(domain) {
        return Some(false);
    }
    SiteKey::from_host(domain).ok().map(|d| d != site_key)
}

/// Longest host name [`third_party_fast`] handles.
const FAST_HOST: usize = 253;

/// [`third_party`] for lowercase-able ASCII host names and http(s) URLs of them, on the stack;
/// `None` when the input needs the full parser (IP addresses, `localhost`, ports, user info,
/// international names, odd characters).
fn third_party_fast(domain: &str, site: &str) -> Option<Option<bool>> {
    let host = match site.split_once("://") {
        Some((scheme, rest)) => {
            if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
                return None;
            }
            let end = rest
                .bytes()
                .position(|b| matches!(b, b'/' | b'?' | b'#'))
                .unwrap_or(rest.len());
            &rest[..end]
        }
        None => site,
    };
    let (mut d, mut h) = ([0u8; FAST_HOST], [0u8; FAST_HOST]);
    let d = fast_host(domain, &mut d)?;
    let h = fast_host(host, &mut h)?;
    let site_key = crumbwall_psl::domain_str(h)?;
    if d == site_key
        || (d.len() > site_key.len() && d.ends_with(site_key) && {
            d.as_bytes()[d.len() - site_key.len() - 1] == b'.'
        })
    {
        return Some(Some(false));
    }
    Some(Some(crumbwall_psl::domain_str(d)? != site_key))
}

/// `host` lowercased into `buf` without a trailing dot, when it is a plain ASCII host name of
/// valid labels that is neither an IP address nor `localhost`.
fn fast_host<'b>(host: &'b str, buf: &'b mut [u8; FAST_HOST]) -> Option<&'b str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.len() > FAST_HOST {
        return None;
    }
    let s: &str = if host.bytes().any(|c| c.is_ascii_uppercase()) {
        let b = &mut buf[..host.len()];
        b.copy_from_slice(host.as_bytes());
        b.make_ascii_lowercase();
        // ASCII lowercasing keeps UTF-8 valid.
        std::str::from_utf8(b).ok()?
    } else {
        host
    };
    let b = s.as_bytes();
    let mut letters = false;
    for label in b.split(|&c| c == b'.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label[0] != b'-'
            && label[label.len() - 1] != b'-'
            && label
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if !ok {
            return None;
        }
        letters |= label.iter().any(|c| !c.is_ascii_digit());
    }
    (letters && s != "localhost").then_some(s)
}

/// The [`Why`] key of a tracker-domain reason.
fn tracker_key(category: Category, third_party: bool) -> &'static str {
    match (category, third_party) {
        (Category::Advertising, true) => "tracker-third-party-advertising",
        (Category::Statistical, true) => "tracker-third-party-statistical",
        (Category::Social, true) => "tracker-third-party-social",
        (Category::Consent, true) => "tracker-third-party-consent",
        (Category::Advertising, false) => "tracker-advertising",
        (Category::Statistical, false) => "tracker-statistical",
        (Category::Social, false) => "tracker-social",
        (Category::Consent, false) => "tracker-consent",
    }
}

/// Whether a cookie lives at least 30 days.
fn long_lived(c: &CookieInput<'_>) -> bool {
    c.expires_in.is_some_and(|s| s >= LONG_LIVED)
}
