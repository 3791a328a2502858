//! Sites: the registrable domain (eTLD+1) that identifies "a site" for allow lists and exceptions.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::url;

/// A registrable domain (eTLD+1, from the public suffix list), an IP address, or `localhost`.
///
/// Always lowercase ASCII (internationalised names are stored in punycode). Build one with
/// [`SiteKey::from_host`], [`SiteKey::from_url`] or [`SiteKey::parse_user_input`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SiteKey(String);

/// Why a string could not be turned into a [`SiteKey`]. The `Display` text is shown to users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteError {
    /// Nothing was given.
    Empty,
    /// A URL with a scheme other than http(s).
    NotWeb(String),
    /// The host is not a valid domain name or IP address.
    BadHost(String),
    /// The host is a public suffix (like `co.uk` or `github.io`), which names no single site.
    PublicSuffix(String),
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SiteError::Empty => write!(f, "the site is empty"),
            SiteError::NotWeb(s) => write!(
                f,
                "`{s}` is not a web address (only http and https sites can be listed)"
            ),
            SiteError::BadHost(s) => write!(f, "`{s}` is not a valid domain name"),
            SiteError::PublicSuffix(s) => write!(
                f,
                "`{s}` is a public suffix shared by many sites, not a single site"
            ),
        }
    }
}

impl std::error::Error for SiteError {}

/// Longest input we look at; longer strings are not host names.
const MAX_INPUT: usize = 2048;

impl SiteKey {
    /// The site of a host name (`www.news.example.co.uk` → `example.co.uk`).
    pub fn from_host(host: &str) -> Result<SiteKey, SiteError> {
        let host = normalize_host(host)?;
        if is_ip(&host) || host == "localhost" {
            return Ok(SiteKey(host));
        }
        match crumbwall_psl::domain_str(&host) {
            Some(d) => Ok(SiteKey(d.to_owned())),
            None => Err(SiteError::PublicSuffix(host)),
        }
    }

    /// The site of an absolute http(s) URL.
    pub fn from_url(u: &str) -> Result<SiteKey, SiteError> {
        let shown = shorten(u);
        let parts = url::split(u).ok_or_else(|| SiteError::NotWeb(shown.clone()))?;
        if !parts.is_web() {
            return Err(SiteError::NotWeb(shown));
        }
        SiteKey::from_host(&parts.host)
    }

    /// What a person types into a "site" box: `example.com`, `www.example.com`,
    /// `https://example.com/page`, `*.example.com` or `.example.com`.
    pub fn parse_user_input(input: &str) -> Result<SiteKey, SiteError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(SiteError::Empty);
        }
        if s.contains("://") {
            return SiteKey::from_url(s);
        }
        if let Some((scheme, _)) = s.split_once(':') {
            // `about:blank`, `file:x`, `javascript:...`: a scheme, not a host with a port.
            if !scheme.is_empty()
                && !scheme.contains('.')
                && !s[scheme.len() + 1..]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '/')
            {
                return Err(SiteError::NotWeb(shorten(s)));
            }
        }
        let s = s.strip_prefix("*.").unwrap_or(s);
        let s = s.strip_prefix('.').unwrap_or(s);
        let host = s.split(['/', '?', '#']).next().unwrap_or("");
        let host = match host.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.contains(':') => h,
            _ => host,
        };
        SiteKey::from_host(host)
    }

    /// The domain as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `host` (lowercase) is this site or one of its subdomains.
    pub fn contains_host(&self, host: &str) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host);
        host.eq_ignore_ascii_case(&self.0)
            || (host.len() > self.0.len()
                && host.as_bytes()[host.len() - self.0.len() - 1] == b'.'
                && host[host.len() - self.0.len()..].eq_ignore_ascii_case(&self.0))
    }
}

impl fmt::Display for SiteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for SiteKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Lowercase, punycode, no trailing dot, valid characters and lengths.
fn normalize_host(host: &str) -> Result<String, SiteError> {
    let h = host.trim();
    if h.is_empty() {
        return Err(SiteError::Empty);
    }
    if h.len() > MAX_INPUT {
        return Err(SiteError::BadHost(shorten(h)));
    }
    let h = h.strip_suffix('.').unwrap_or(h);
    let h = h
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(h);
    if h.contains(':') {
        // IPv6 literal.
        return match h.parse::<std::net::Ipv6Addr>() {
            Ok(ip) => Ok(ip.to_string()),
            Err(_) => Err(SiteError::BadHost(shorten(host))),
        };
    }
    let ascii = if h.is_ascii() {
        h.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(h).map_err(|_| SiteError::BadHost(shorten(host)))?
    };
    let ok_chars = ascii
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    let ok_labels = ascii.len() <= 253
        && ascii
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'));
    if !ok_chars || !ok_labels {
        return Err(SiteError::BadHost(shorten(host)));
    }
    Ok(ascii)
}

fn is_ip(h: &str) -> bool {
    h.parse::<std::net::IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        SiteKey::parse_user_input(s)
            .map(|k| k.0)
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(key("example.com"), "example.com");
        assert_eq!(key("WWW.Example.COM."), "example.com");
        assert_eq!(key("news.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(key("https://a.b.site.test:8443/path?q#f"), "site.test");
        assert_eq!(key("*.example.org"), "example.org");
        assert_eq!(key(".example.org"), "example.org");
        assert_eq!(key("example.org:8080/x"), "example.org");
        assert_eq!(key("alice.github.io"), "alice.github.io");
        assert_eq!(key("münchen.de"), "xn--mnchen-3ya.de");
        assert_eq!(key("127.0.0.1"), "127.0.0.1");
        assert_eq!(key("http://[::1]:80/"), "::1");
        assert_eq!(key("localhost"), "localhost");
    }

    #[test]
    fn rejects_with_clear_messages() {
        assert_eq!(key("   "), "ERR the site is empty");
        assert!(key("co.uk").contains("public suffix"));
        assert!(key("github.io").contains("public suffix"));
        assert!(key("ftp://example.com").contains("not a web address"));
        assert!(key("about:blank").contains("not a web address"));
        assert!(key("javascript:alert(1)").contains("not a web address"));
        assert!(key("exa mple.com").contains("not a valid domain"));
        assert!(key("-bad-.com").contains("not a valid domain"));
        assert!(key("a..b.com").contains("not a valid domain"));
        assert!(key(&"a".repeat(5000)).contains("not a valid domain"));
        assert!(key("http://").contains("not a web address"));
    }

    #[test]
    fn contains_host_matches_subdomains_only() {
        let k = SiteKey::from_host("site.test").unwrap();
        assert!(k.contains_host("site.test"));
        assert!(k.contains_host("www.site.test"));
        assert!(k.contains_host("WWW.SITE.TEST."));
        assert!(!k.contains_host("evilsite.test"));
        assert!(!k.contains_host("site.test.evil"));
        assert!(!k.contains_host("test"));
    }
}
