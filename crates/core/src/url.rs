//! A small, total URL splitter.
//!
//! The core needs only a URL's scheme and host (to find the site a request belongs to). This
//! splitter never panics and never allocates more than the host; anything it cannot read returns
//! `None`, and callers fall back to a safe default.

/// The parts of an absolute URL the core uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// The scheme, as written (compare with [`str::eq_ignore_ascii_case`]).
    pub scheme: &'a str,
    /// The host, lowercased, without brackets for IPv6 and without a trailing dot.
    pub host: String,
    /// Everything after the authority: path, query and fragment, unchanged.
    pub rest: &'a str,
}

impl UrlParts<'_> {
    /// True for `http` and `https` (and their WebSocket siblings), the schemes a site lives on.
    pub fn is_web(&self) -> bool {
        ["http", "https", "ws", "wss"]
            .iter()
            .any(|s| self.scheme.eq_ignore_ascii_case(s))
    }
}

/// Splits an absolute hierarchical URL (`scheme://authority/rest`). Returns `None` for anything
/// else (relative URLs, `about:blank`, `data:` URLs, empty or malformed authorities).
pub fn split(url: &str) -> Option<UrlParts<'_>> {
    let url = url.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control());
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    if !chars.next()?.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let after = url[colon + 1..].strip_prefix("//")?;
    let end = after.find(['/', '?', '#', '\\']).unwrap_or(after.len());
    let authority = &after[..end];
    let rest = &after[end..];
    // Userinfo ends at the last '@'.
    let hostport = match authority.rfind('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        let close = v6.find(']')?;
        let port = &v6[close + 1..];
        if !(port.is_empty() || valid_port(port.strip_prefix(':')?)) {
            return None;
        }
        &v6[..close]
    } else {
        match hostport.rfind(':') {
            Some(i) if valid_port(&hostport[i + 1..]) => &hostport[..i],
            Some(_) => return None,
            None => hostport,
        }
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    Some(UrlParts {
        scheme,
        host: host.to_ascii_lowercase(),
        rest,
    })
}

fn valid_port(p: &str) -> bool {
    p.is_empty()
        || (p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= 65535))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_common_urls() {
        let p = split("https://User:pw@WWW.Example.com:8080/a/b?c=d#e").unwrap();
        assert_eq!(p.scheme, "https");
        assert_eq!(p.host, "www.example.com");
        assert_eq!(p.rest, "/a/b?c=d#e");
        assert!(p.is_web());
        assert_eq!(split("http://site.test.").unwrap().host, "site.test");
        assert_eq!(split("http://[::1]:80/x").unwrap().host, "::1");
        assert_eq!(split("http://a.test?q").unwrap().rest, "?q");
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        for bad in [
            "",
            "about:blank",
            "data:text/html,hi",
            "//x.com/",
            "http://",
            "http://:80/",
            "1http://x",
            "http://x:99999/",
            "http://x:ab/",
            "http://[::1/",
            "ht tp://x",
        ] {
            assert!(split(bad).is_none(), "{bad:?}");
        }
        assert!(!split("file://host/x").unwrap().is_web());
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for s in [
            "\u{0}://",
            "é://é",
            "a://[",
            "a://@",
            "a://@:",
            "a://[]:",
            "x:////",
            "a://\u{10FFFF}:1",
        ] {
            let _ = split(s);
        }
    }
}
