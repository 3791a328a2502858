//! Host names as DNR wants them: lowercase ASCII (punycode), no wildcards.

use std::borrow::Cow;
use std::collections::HashSet;

/// Why a domain entry cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DomainError {
    /// `example.*`, `*.example.com`, `/regex/`: DNR has no wildcards.
    Wildcard,
    /// Not a host name.
    Invalid,
}

/// Characters allowed in a normalised host (IPv6 literals keep their brackets and colons).
fn host_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
}

/// Normalises a host name: lowercase, punycode, no trailing dot. IPv6 literals are accepted in
/// brackets (`[::1]`), as Chrome's URL host has them.
pub(crate) fn normalize(entry: &str) -> Result<String, DomainError> {
    if entry.is_empty() || entry.len() > 253 {
        return Err(DomainError::Invalid);
    }
    if entry.contains('*') || (entry.starts_with('/') && entry.len() > 1) {
        return Err(DomainError::Wildcard);
    }
    if let Some(inner) = entry.strip_prefix('[').and_then(|e| e.strip_suffix(']')) {
        return match inner.parse::<std::net::Ipv6Addr>() {
            Ok(ip) => Ok(format!("[{ip}]")),
            Err(_) => Err(DomainError::Invalid),
        };
    }
    let e = entry.strip_suffix('.').unwrap_or(entry);
    let ascii: Cow<str> = if e.is_ascii() {
        if e.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(e.to_ascii_lowercase())
        } else {
            Cow::Borrowed(e)
        }
    } else {
        match idna::domain_to_ascii(e) {
            Ok(a) => Cow::Owned(a),
            Err(_) => return Err(DomainError::Invalid),
        }
    };
    if ascii.is_empty()
        || !ascii.bytes().all(host_byte)
        || ascii.starts_with('.')
        || ascii.ends_with('.')
        || ascii.contains("..")
    {
        return Err(DomainError::Invalid);
    }
    Ok(ascii.into_owned())
}

/// Whether `s` (already lowercase) is a plain host name usable in `requestDomains`.
pub(crate) fn is_plain_host(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes().all(host_byte)
        && !s.starts_with('.')
        && !s.ends_with('.')
        && !s.contains("..")
}

/// Sorts, removes duplicates and entries made redundant by a parent domain in the same list
/// (`a.example.com` next to `example.com`: DNR domain lists match subdomains).
pub(crate) fn minimize(list: &mut Vec<String>) {
    if list.len() < 2 {
        return;
    }
    list.sort_unstable();
    list.dedup();
    let set: HashSet<&str> = list.iter().map(String::as_str).collect();
    let redundant: HashSet<String> = list
        .iter()
        .filter(|d| !d.starts_with('['))
        .filter(|d| {
            let mut rest = d.as_str();
            while let Some(i) = rest.find('.') {
                rest = &rest[i + 1..];
                if set.contains(rest) {
                    return true;
                }
            }
            false
        })
        .cloned()
        .collect();
    if !redundant.is_empty() {
        list.retain(|d| !redundant.contains(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize("Example.COM").as_deref(), Ok("example.com"));
        assert_eq!(normalize("example.com.").as_deref(), Ok("example.com"));
        assert_eq!(normalize("bücher.de").as_deref(), Ok("xn--bcher-kva.de"));
        assert_eq!(normalize("127.0.0.1").as_deref(), Ok("127.0.0.1"));
        assert_eq!(normalize("[::1]").as_deref(), Ok("[::1]"));
        assert_eq!(normalize("localhost").as_deref(), Ok("localhost"));
        assert_eq!(normalize("example.*"), Err(DomainError::Wildcard));
        assert_eq!(normalize("*.example.com"), Err(DomainError::Wildcard));
        assert_eq!(normalize("/ex.mple/"), Err(DomainError::Wildcard));
        assert_eq!(normalize(""), Err(DomainError::Invalid));
        assert_eq!(normalize("a b"), Err(DomainError::Invalid));
        assert_eq!(normalize("a..b"), Err(DomainError::Invalid));
        assert_eq!(normalize(".a.b"), Err(DomainError::Invalid));
        assert_eq!(normalize("[zz]"), Err(DomainError::Invalid));
        assert_eq!(normalize("a/b"), Err(DomainError::Invalid));
    }

    #[test]
    fn minimizes() {
        let mut v: Vec<String> = [
            "b.example.com",
            "example.com",
            "x.org",
            "example.com",
            "a.b.example.com",
            "ample.com",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        minimize(&mut v);
        assert_eq!(v, ["ample.com", "example.com", "x.org"]);
    }
}
