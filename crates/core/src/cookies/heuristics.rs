//! Layer 3: guesses from name tokens, value shape, lifetime and third-party context.

use super::{long_lived, Classification, CookieInput, Purpose};

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
    // Security.
    sub("csrf", Tech, 0.8),
    sub("xsrf", Tech, 0.8),
    sub("antiforgery", Tech, 0.8),
    sub("verificationtoken", Tech, 0.8),
    sub("captcha", Tech, 0.75),
    sub("nonce", Tech, 0.7),
    sub("saml", Tech, 0.65),
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
    word("visit", Stat, 0.45),
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
    let words = &words[..n];

    // Which bytes occur in the name: a pattern whose first two bytes do not both occur cannot be
    // a substring, which spares most of the `contains` scans (the hot part of classifying).
    let mut present = [false; 256];
    for b in lower.bytes() {
        present[usize::from(b)] = true;
    }
    let may_contain = |pat: &str| pat.bytes().take(2).all(|b| present[usize::from(b)]);
    for r in RULES {
        let hit = match r.how {
            How::Sub => may_contain(r.pat) && lower.contains(r.pat),
            How::Word => words.iter().any(|t| t.eq_ignore_ascii_case(r.pat)),
        };
        if hit {
            let verb = match r.how {
                How::Sub => "contains",
                How::Word => "has the word",
            };
            return Some(Classification::new(
                r.purpose,
                r.conf,
                format!("name {verb} `{}`", r.pat),
            ));
        }
    }

    // Value shapes of well-known tools under other names.
    let value = head(c.value, VALUE_BYTES);
    if value.starts_with("GA1.") || value.starts_with("GS1.") {
        return Some(Classification::new(
            Purpose::Statistical,
            0.6,
            "value shaped like a Google Analytics id".to_owned(),
        ));
    }
    if value.starts_with("fb.1.") || value.starts_with("fb.2.") {
        return Some(Classification::new(
            Purpose::Advertising,
            0.6,
            "value shaped like a Meta advertising id".to_owned(),
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
        return Some(if third_party == Some(true) {
            Classification::new(
                Purpose::Advertising,
                0.45,
                format!("third-party identifier cookie (name has the word `{t}`)"),
            )
        } else if long_lived(c) {
            Classification::new(
                Purpose::Statistical,
                0.3,
                format!("long-lived identifier cookie (name has the word `{t}`)"),
            )
        } else {
            Classification::new(
                Purpose::Technical,
                0.3,
                format!("short-lived identifier cookie (name has the word `{t}`)"),
            )
        });
    }

    let random = is_random_id(c.value);
    if third_party == Some(true) && long_lived(c) && random {
        return Some(Classification::new(
            Purpose::Advertising,
            0.35,
            "long-lived third-party cookie holding a random identifier".to_owned(),
        ));
    }
    if third_party != Some(true) && c.expires_in.is_none() && c.http_only && random {
        return Some(Classification::new(
            Purpose::Technical,
            0.35,
            "HttpOnly session cookie holding a random identifier (likely a login session)"
                .to_owned(),
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
            "Secure, HttpOnly, SameSite=Strict cookie: used only by the site's server".to_owned(),
        ));
    }
    if c.name.starts_with("__Host-") {
        return Some(Classification::new(
            Purpose::Technical,
            0.3,
            "`__Host-` cookie: locked to this site and HTTPS, typical of sessions".to_owned(),
        ));
    }
    if third_party != Some(true) && is_json(value) {
        return Some(Classification::new(
            Purpose::Personalization,
            0.25,
            "first-party cookie holding structured data (JSON), likely settings".to_owned(),
        ));
    }
    if third_party != Some(true) && long_lived(c) && is_timestamp(value) {
        return Some(Classification::new(
            Purpose::Statistical,
            0.2,
            "long-lived cookie holding a timestamp (likely a visit time)".to_owned(),
        ));
    }
    None
}

/// `s` lowercased (ASCII) into `buf`, cut to the buffer at a character boundary.
fn lowercase<'b>(s: &str, buf: &'b mut [u8; NAME_BYTES]) -> &'b str {
    let s = head(s, NAME_BYTES);
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
