//! Layer 3: guesses from name tokens, value shape, lifetime and third-party context.

use std::collections::HashMap;

use super::knowledge::FastMap;
use std::sync::OnceLock;

use super::{fixed, long_lived, reason, Classification, CookieInput, Part, Purpose};

/// Bytes of the name looked at (lowercased on the stack).
const NAME_BYTES: usize = 128;
/// Bytes of the value looked at for its shape.
const VALUE_BYTES: usize = 512;

#[derive(Clone, Copy)]
enum How {
    /// Anywhere in the lowercased name.
    Sub,
    /// A whole token of the name (split at punctuation, digits and camelCase humps).
    Word,
}

struct Rule {
    pat: &'static str,
    how: How,
    purpose: Purpose,
    conf: f32,
}

const fn sub(pat: &'static str, purpose: Purpose, conf: f32) -> Rule {
    Rule {
        pat,
        how: How::Sub,
        purpose,
        conf,
    }
}

const fn word(pat: &'static str, purpose: Purpose, conf: f32) -> Rule {
    Rule {
        pat,
        how: How::Word,
        purpose,
        conf,
    }
}

use Purpose::{
    Advertising as Ad, Personalization as Pers, Social as Soc, Statistical as Stat,
    Technical as Tech,
};

/// Name rules, most telling first; the first that matches decides.
const RULES: &[Rule] = &[
    // Consent records.
    sub("consent", Tech, 0.7),
    sub("gdpr", Tech, 0.65),
    sub("cookienotice", Tech, 0.65),
    sub("cookie_notice", Tech, 0.65),
    sub("cookielaw", Tech, 0.65),
    sub("cookiebanner", Tech, 0.65),
    sub("cookie_banner", Tech, 0.65),
    sub("cookie_policy", Tech, 0.6),
    sub("cookiepolicy", Tech, 0.6),
    sub("cookies_accepted", Tech, 0.65),
    sub("cookie_accepted", Tech, 0.65),
    sub("optout", Tech, 0.6),
    sub("opt_out", Tech, 0.6),
    sub("privacy", Tech, 0.55),
    sub("necessary", Tech, 0.6),
    sub("functional", Tech, 0.5),
    word("cmp", Tech, 0.55),
    sub("_cmp", Tech, 0.5),
    sub("banner", Tech, 0.5),
    sub("policy", Tech, 0.5),
    sub("dismiss", Tech, 0.5),
    sub("notice", Tech, 0.5),
    // Checks that cookies or scripts work.
    sub("cookie_test", Tech, 0.55),
    sub("cookietest", Tech, 0.55),
    sub("test_cookie", Tech, 0.55),
    sub("testcookie", Tech, 0.55),
    sub("cookies_test", Tech, 0.55),
    sub("cookie_check", Tech, 0.55),
    sub("cookiecheck", Tech, 0.55),
    sub("cookies_enabled", Tech, 0.55),
    word("js", Tech, 0.45),
    // Security.
    sub("csrf", Tech, 0.8),
    sub("xsrf", Tech, 0.8),
    sub("antiforgery", Tech, 0.8),
    sub("verificationtoken", Tech, 0.8),
    sub("captcha", Tech, 0.75),
    sub("nonce", Tech, 0.7),
    sub("saml", Tech, 0.65),
    sub("antibot", Tech, 0.7),
    sub("firewall", Tech, 0.65),
    sub("waitingroom", Tech, 0.65),
    sub("2fa", Tech, 0.6),
    word("tfa", Tech, 0.6),
    word("mfa", Tech, 0.6),
    // Ad click identifiers.
    sub("gclid", Ad, 0.7),
    sub("fbclid", Ad, 0.7),
    sub("msclkid", Ad, 0.7),
    sub("dclid", Ad, 0.7),
    sub("gbraid", Ad, 0.7),
    sub("wbraid", Ad, 0.7),
    sub("ttclid", Ad, 0.7),
    // Ad exchanges: cookie syncing, bidding, demand and supply platforms.
    sub("usersync", Ad, 0.6),
    sub("cookiesync", Ad, 0.6),
    sub("idsync", Ad, 0.6),
    sub("usync", Ad, 0.55),
    word("adx", Ad, 0.55),
    word("gcl", Ad, 0.55),
    word("dsp", Ad, 0.55),
    word("ssp", Ad, 0.55),
    // Analytics.
    sub("analytics", Stat, 0.65),
    sub("matomo", Stat, 0.65),
    sub("piwik", Stat, 0.65),
    sub("pageview", Stat, 0.6),
    sub("heatmap", Stat, 0.6),
    sub("abtest", Stat, 0.55),
    sub("ab_test", Stat, 0.55),
    sub("experiment", Stat, 0.5),
    sub("statistic", Stat, 0.6),
    sub("metrics", Stat, 0.5),
    sub("replay", Stat, 0.5),
    sub("recording", Stat, 0.5),
    sub("page_view", Stat, 0.55),
    sub("utm_", Stat, 0.5),
    sub("referrer", Stat, 0.45),
    sub("referer", Stat, 0.45),
    sub("landing", Stat, 0.4),
    // Advertising.
    sub("advert", Ad, 0.6),
    sub("adserver", Ad, 0.6),
    sub("retarget", Ad, 0.6),
    sub("remarketing", Ad, 0.6),
    sub("affiliate", Ad, 0.55),
    sub("campaign", Ad, 0.5),
    sub("prebid", Ad, 0.6),
    sub("doubleclick", Ad, 0.6),
    sub("criteo", Ad, 0.6),
    sub("conversion", Ad, 0.5),
    sub("targeting", Ad, 0.55),
    sub("audience", Ad, 0.45),
    sub("attribution", Ad, 0.5),
    sub("impression", Ad, 0.5),
    sub("partner", Ad, 0.45),
    sub("pixel", Ad, 0.45),
    word("clk", Ad, 0.5),
    // Social networks.
    sub("facebook", Soc, 0.5),
    sub("twitter", Soc, 0.5),
    sub("linkedin", Soc, 0.5),
    sub("pinterest", Soc, 0.5),
    sub("tiktok", Soc, 0.5),
    sub("instagram", Soc, 0.5),
    // Sessions and login.
    sub("session", Tech, 0.65),
    sub("sess", Tech, 0.55),
    sub("auth", Tech, 0.65),
    sub("login", Tech, 0.65),
    sub("logged", Tech, 0.65),
    sub("token", Tech, 0.6),
    sub("remember", Tech, 0.55),
    sub("jwt", Tech, 0.6),
    word("sid", Tech, 0.6),
    word("ssid", Tech, 0.6),
    word("sso", Tech, 0.6),
    // Load balancing.
    sub("loadbalanc", Tech, 0.65),
    sub("affinity", Tech, 0.65),
    sub("bigip", Tech, 0.65),
    sub("serverid", Tech, 0.6),
    sub("sticky", Tech, 0.5),
    word("cors", Tech, 0.5),
    word("cache", Tech, 0.45),
    word("lb", Tech, 0.5),
    word("route", Tech, 0.5),
    word("srv", Tech, 0.45),
    word("server", Tech, 0.45),
    word("backend", Tech, 0.45),
    // Preferences.
    sub("lang", Pers, 0.65),
    sub("locale", Pers, 0.65),
    sub("currency", Pers, 0.65),
    sub("country", Pers, 0.55),
    sub("region", Pers, 0.55),
    sub("timezone", Pers, 0.6),
    sub("theme", Pers, 0.6),
    sub("font", Pers, 0.6),
    sub("darkmode", Pers, 0.6),
    sub("dark_mode", Pers, 0.6),
    sub("colorscheme", Pers, 0.6),
    sub("color_scheme", Pers, 0.6),
    sub("pref", Pers, 0.55),
    sub("setting", Pers, 0.5),
    sub("cart", Pers, 0.6),
    sub("basket", Pers, 0.6),
    sub("wishlist", Pers, 0.6),
    sub("recently", Pers, 0.5),
    sub("favorite", Pers, 0.5),
    sub("favourite", Pers, 0.5),
    sub("layout", Pers, 0.45),
    word("tz", Pers, 0.5),
    word("geo", Pers, 0.4),
    word("dark", Pers, 0.45),
    // Weaker statistics and advertising words.
    sub("visitor", Stat, 0.45),
    word("stat", Stat, 0.5),
    word("stats", Stat, 0.5),
    sub("visit", Stat, 0.45),
    word("pv", Stat, 0.45),
    word("tracker", Stat, 0.4),
    word("track", Stat, 0.4),
    word("tracking", Stat, 0.4),
    word("ad", Ad, 0.5),
    word("ads", Ad, 0.55),
    word("adid", Ad, 0.55),
    word("aff", Ad, 0.45),
    word("rtb", Ad, 0.55),
    word("sync", Ad, 0.35),
];

/// Name tokens that say "an identifier", weighed with the cookie's context.
const ID_WORDS: [&str; 8] = [
    "id",
    "uid",
    "uuid",
    "guid",
    "vid",
    "cid",
    "userid",
    "visitorid",
];

/// Most name tokens looked at.
const MAX_TOKENS: usize = 16;

/// [`RULES`] by the first byte of their pattern: substring rules and word rules, each list in
/// rule order.
struct RuleIndex {
    /// Substring rules by [`pair_slot`] of their first two bytes (every pattern has two or
    /// more), in rule order.
    sub: Vec<Vec<u16>>,
    /// Word rules by their first byte, in rule order.
    word: Vec<Vec<u16>>,
}

/// Slots of [`RuleIndex::sub`].
const PAIR_SLOTS: usize = 1024;

/// The slot of a pair of bytes.
fn pair_slot(a: u8, b: u8) -> usize {
    (usize::from(a) * 31 + usize::from(b)) % PAIR_SLOTS
}

fn rule_index() -> &'static RuleIndex {
    static INDEX: OnceLock<RuleIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = RuleIndex {
            sub: vec![Vec::new(); PAIR_SLOTS],
            word: vec![Vec::new(); 256],
        };
        for (i, r) in RULES.iter().enumerate() {
            let Some(&first) = r.pat.as_bytes().first() else {
                continue;
            };
            match (r.how, r.pat.as_bytes()) {
                (How::Sub, [a, b, ..]) => index.sub[pair_slot(*a, *b)].push(i as u16),
                // A one-byte substring would match too much; there are none.
                (How::Sub, _) => {}
                (How::Word, _) => index.word[usize::from(first)].push(i as u16),
            }
        }
        index
    })
}

/// The first rule of [`RULES`] the lowercased name and its words match.
fn first_rule(lower: &str, words: &[&str]) -> Option<&'static Rule> {
    let index = rule_index();
    let bytes = lower.as_bytes();
    let mut best = usize::MAX;
    for (i, pair) in bytes.windows(2).enumerate() {
        for &r in &index.sub[pair_slot(pair[0], pair[1])] {
            let r = usize::from(r);
            if r < best && bytes[i..].starts_with(RULES[r].pat.as_bytes()) {
                best = r;
            }
        }
    }
    for w in words {
        let Some(&first) = w.as_bytes().first() else {
            continue;
        };
        for &r in &index.word[usize::from(first.to_ascii_lowercase())] {
            let r = usize::from(r);
            if r < best && w.eq_ignore_ascii_case(RULES[r].pat) {
                best = r;
            }
        }
    }
    RULES.get(best)
}

/// Tracker vendors by name: the first label of each starter tracker host's registrable domain
/// (`criteo` of `criteo.com`) and the words of its owner (`Magnite`), each with the purpose of its
/// category; words of more than one category, or shorter than five letters, are left out. A
/// cookie named after an ad-tech vendor (`pubmatic_uid`) serves that vendor.
fn vendor_words() -> &'static FastMap<String, Purpose> {
    static VENDORS: OnceLock<FastMap<String, Purpose>> = OnceLock::new();
    VENDORS.get_or_init(|| {
        let mut words: HashMap<String, Option<Purpose>> = HashMap::new();
        let mut add = |w: &str, p: Purpose| {
            if w.len() < 5 || !w.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return;
            }
            let w = w.to_ascii_lowercase();
            if NOT_VENDORS.contains(&w.as_str()) {
                return;
            }
            // A social network's cookies are social whatever the host's section.
            let p = if super::is_social_platform(&w) {
                Purpose::Social
            } else {
                p
            };
            let e = words.entry(w).or_insert(Some(p));
            if *e != Some(p) {
                *e = None;
            }
        };
        for e in crate::starter::entries() {
            if !e.is_host() || e.pattern.ends_with(".test") {
                continue;
            }
            let p = Purpose::of_category(e.category);
            let site = crumbwall_psl::domain_str(&e.pattern).unwrap_or(&e.pattern);
            if let Some(label) = site.split('.').next() {
                add(label, p);
            }
            for w in e
                .owner
                .iter()
                .flat_map(|o| o.split(|c: char| !c.is_alphanumeric()))
            {
                add(w, p);
            }
        }
        words
            .into_iter()
            .filter_map(|(w, p)| Some((w, p?)))
            .collect()
    })
}

/// Words of tracker hosts and owners that name no vendor (`digital`, `media`), or a company
/// whose sites set many cookies of other purposes (`shopify`, `cloudflare`).
const NOT_VENDORS: &[&str] = &[
    "advertising",
    "affiliate",
    "akamai",
    "amazon",
    "analytics",
    "audience",
    "azure",
    "basis",
    "carbon",
    "cisco",
    "cloudflare",
    "convert",
    "crazy",
    "decibel",
    "digital",
    "dynamic",
    "exchange",
    "global",
    "googleapis",
    "house",
    "impact",
    "improve",
    "index",
    "integral",
    "intent",
    "internet",
    "lucky",
    "mastercard",
    "measure",
    "media",
    "metric",
    "minds",
    "mobile",
    "orange",
    "parse",
    "planning",
    "player",
    "quantum",
    "relic",
    "salesforce",
    "samsung",
    "science",
    "segment",
    "shopify",
    "simple",
    "spotify",
    "stats",
    "tasty",
    "technologies",
    "trade",
    "village",
    "virtual",
    "wordpress",
    "yield",
];

/// The first word of the name (lowercased) that names a tracker vendor, with its purpose.
fn vendor_word<'n>(lower: &'n str, name: &str, words: &[&str]) -> Option<(&'n str, Purpose)> {
    let vendors = vendor_words();
    words.iter().find_map(|w| {
        if w.len() < 5 {
            return None;
        }
        // The same bytes of the lowercased name (tokens are slices of `name`).
        let start = (w.as_ptr() as usize).checked_sub(name.as_ptr() as usize)?;
        let lw = lower.get(start..start + w.len())?;
        vendors.get(lw).map(|&p| (lw, p))
    })
}

/// Layer 3a: the name (and value shapes of well-known tools), without context. `None` when
/// nothing fits.
pub(super) fn by_name(c: &CookieInput<'_>) -> Option<Classification> {
    let name = c.name;
    let mut buf = [0u8; NAME_BYTES];
    let lower = lowercase(name, &mut buf);
    let mut words = [""; MAX_TOKENS];
    let mut n = 0;
    for t in tokens(name).take(MAX_TOKENS) {
        words[n] = t;
        n += 1;
    }
    if let Some(r) = first_rule(lower, &words[..n]) {
        let (verb, key) = match r.how {
            How::Sub => ("name contains `", "name-contains"),
            How::Word => ("name has the word `", "name-word"),
        };
        return Some(Classification::new(
            r.purpose,
            r.conf,
            reason(key, &[Part::T(verb), Part::V(r.pat), Part::T("`")], None),
        ));
    }
    if let Some((vendor, purpose)) = vendor_word(lower, name, &words[..n]) {
        return Some(Classification::new(
            purpose,
            0.5,
            reason(
                "vendor-word",
                &[
                    Part::T("name has the word `"),
                    Part::V(vendor),
                    Part::T("`, a known "),
                    Part::V(purpose.as_str()),
                    Part::T(" tracker's name"),
                ],
                None,
            ),
        ));
    }

    // Value shapes of well-known tools under other names.
    let value = head(c.value, VALUE_BYTES);
    if value.starts_with("GA1.") || value.starts_with("GS1.") {
        return Some(Classification::new(
            Purpose::Statistical,
            0.6,
            fixed("value-ga", "value shaped like a Google Analytics id"),
        ));
    }
    if value.starts_with("fb.1.") || value.starts_with("fb.2.") {
        return Some(Classification::new(
            Purpose::Advertising,
            0.6,
            fixed("value-meta", "value shaped like a Meta advertising id"),
        ));
    }

    None
}

/// Layer 3b: identifier names, value shape, lifetime and third-party context. `None` when
/// nothing fits.
pub(super) fn by_context(c: &CookieInput<'_>, third_party: Option<bool>) -> Option<Classification> {
    let name = c.name;
    let value = head(c.value, VALUE_BYTES);
    // Identifier names, weighed with context.
    if let Some(t) = tokens(name).find(|t| ID_WORDS.iter().any(|w| t.eq_ignore_ascii_case(w))) {
        let t = ID_WORDS
            .iter()
            .find(|w| t.eq_ignore_ascii_case(w))
            .copied()
            .unwrap_or("id");
        let (purpose, conf, key, lead) = if third_party == Some(true) {
            (
                Purpose::Advertising,
                0.45,
                "id-third-party",
                "third-party identifier cookie (name has the word `",
            )
        } else if long_lived(c) {
            (
                Purpose::Statistical,
                0.3,
                "id-long-lived",
                "long-lived identifier cookie (name has the word `",
            )
        } else {
            (
                Purpose::Technical,
                0.3,
                "id-short-lived",
                "short-lived identifier cookie (name has the word `",
            )
        };
        let why = reason(key, &[Part::T(lead), Part::V(t), Part::T("`)")], None);
        return Some(Classification::new(purpose, conf, why));
    }

    let random = is_random_id(c.value);
    if third_party == Some(true) && long_lived(c) && random {
        return Some(Classification::new(
            Purpose::Advertising,
            0.35,
            fixed(
                "random-third-party",
                "long-lived third-party cookie holding a random identifier",
            ),
        ));
    }
    if third_party != Some(true) && c.expires_in.is_none() && c.http_only && random {
        return Some(Classification::new(
            Purpose::Technical,
            0.35,
            fixed(
                "session-random",
                "HttpOnly session cookie holding a random identifier (likely a login session)",
            ),
        ));
    }
    if third_party != Some(true)
        && c.http_only
        && c.secure
        && c.same_site
            .is_some_and(|s| s.eq_ignore_ascii_case("strict"))
    {
        return Some(Classification::new(
            Purpose::Technical,
            0.3,
            fixed(
                "strict-server",
                "Secure, HttpOnly, SameSite=Strict cookie: used only by the site's server",
            ),
        ));
    }
    if c.name.starts_with("__Host-") {
        return Some(Classification::new(
            Purpose::Technical,
            0.3,
            fixed(
                "host-prefix",
                "`__Host-` cookie: locked to this site and HTTPS, typical of sessions",
            ),
        ));
    }
    if third_party != Some(true) && is_json(value) {
        return Some(Classification::new(
            Purpose::Personalization,
            0.25,
            fixed(
                "json",
                "first-party cookie holding structured data (JSON), likely settings",
            ),
        ));
    }
    if third_party != Some(true) && long_lived(c) && is_timestamp(value) {
        return Some(Classification::new(
            Purpose::Statistical,
            0.2,
            fixed(
                "timestamp",
                "long-lived cookie holding a timestamp (likely a visit time)",
            ),
        ));
    }
    None
}

/// Layer 3c, the last resort: tracking needs to recognise a browser later, so a first-party
/// cookie gone with the browser session, or within a day, most likely keeps the site working.
/// `None` when it lives longer, is third party or has no name.
pub(super) fn by_lifetime(
    c: &CookieInput<'_>,
    third_party: Option<bool>,
) -> Option<Classification> {
    if third_party != Some(true) && !c.name.trim().is_empty() {
        match c.expires_in {
            None => {
                return Some(Classification::new(
                    Purpose::Technical,
                    0.25,
                    fixed("session-first-party", "first-party session cookie: gone when the browser closes, too short-lived to track"),
                ))
            }
            Some(s) if s <= SHORT_LIVED => {
                return Some(Classification::new(
                    Purpose::Technical,
                    0.2,
                    fixed("short-lived", "first-party cookie living a day at most: too short-lived to track"),
                ))
            }
            Some(_) => {}
        }
    }
    None
}

/// Cookies living at most this long count as short-lived (a day).
const SHORT_LIVED: i64 = 24 * 3600;

/// `s` lowercased (ASCII) into `buf`, cut to the buffer at a character boundary.
fn lowercase<'b>(s: &'b str, buf: &'b mut [u8; NAME_BYTES]) -> &'b str {
    let s = head(s, NAME_BYTES);
    if !s.bytes().any(|b| b.is_ascii_uppercase()) {
        return s;
    }
    let b = &mut buf[..s.len()];
    b.copy_from_slice(s.as_bytes());
    b.make_ascii_lowercase();
    std::str::from_utf8(b).unwrap_or("")
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn head(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The words of a cookie name: split at anything not alphanumeric, between letters and digits,
/// and before an uppercase letter that follows a lowercase one (`userLang` → `user`, `Lang`).
pub(super) fn tokens(name: &str) -> impl Iterator<Item = &str> {
    let name = head(name, NAME_BYTES);
    let bytes = name.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        i += 1;
        while i < bytes.len() {
            let (p, b) = (bytes[i - 1], bytes[i]);
            let split = !b.is_ascii_alphanumeric()
                || (p.is_ascii_digit() != b.is_ascii_digit())
                || (p.is_ascii_lowercase() && b.is_ascii_uppercase());
            if split {
                break;
            }
            i += 1;
        }
        Some(&name[start..i])
    })
}

/// Looks like a random identifier: 16–512 id characters mixing letters and digits (or 16+
/// hex digits), not a plain number.
pub(super) fn is_random_id(value: &str) -> bool {
    let v = value.trim_matches('"');
    if v.len() < 16 || v.len() > VALUE_BYTES {
        return false;
    }
    let mut digits = 0;
    let mut letters = 0;
    for b in v.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b'a'..=b'z' | b'A'..=b'Z' => letters += 1,
            b'-' | b'_' | b'.' | b'=' | b'%' | b'+' | b'/' | b':' | b'|' => {}
            _ => return false,
        }
    }
    digits >= 3 && letters >= 3
}

/// A 10- or 13-digit Unix time (seconds or milliseconds), 2001–2286.
fn is_timestamp(value: &str) -> bool {
    let v = value.trim();
    (v.len() == 10 || v.len() == 13)
        && v.bytes().all(|b| b.is_ascii_digit())
        && v.as_bytes()[0] != b'0'
}

/// Starts like a JSON object or array, raw or percent-encoded.
fn is_json(value: &str) -> bool {
    let v = value.trim_start();
    v.starts_with('{')
        || v.starts_with('[')
        || v.starts_with("%7B")
        || v.starts_with("%7b")
        || v.starts_with("%5B")
        || v.starts_with("%5b")
}
