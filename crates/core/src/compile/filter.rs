//! Parsing one network filter (Adblock Plus syntax with uBO extensions) into a [`NetFilter`].
//!
//! The semantics follow adblock-rust (Brave's engine, which Crumbwall uses on Firefox and which
//! the rulesets are checked against) wherever ABP, uBO and adblock-rust agree, and ABP where they
//! do not; the differences are listed in the module documentation of [`super`].

use crate::dnr::{DomainType, RequestMethod, ResourceType};

use super::domains::{self, DomainError};
use super::regex::{self, Analysis};
use super::report::Reason;

/// Resource types as bits, in the order of [`ResourceType::ALL`].
pub(crate) mod types {
    use crate::dnr::ResourceType;

    /// The bit of one type.
    pub(crate) const fn bit(t: ResourceType) -> u16 {
        1 << (t as u16)
    }
    pub(crate) const MAIN_FRAME: u16 = bit(ResourceType::MainFrame);
    pub(crate) const SUB_FRAME: u16 = bit(ResourceType::SubFrame);
    /// Every type.
    pub(crate) const ALL: u16 = (1 << ResourceType::ALL.len()) - 1;
    /// Every type but `main_frame`: DNR's default when a rule names none, and ABP's default.
    pub(crate) const DEFAULT: u16 = ALL & !MAIN_FRAME;
    /// ABP `$other`: whatever has no type of its own.
    pub(crate) const OTHER: u16 =
        bit(ResourceType::Other) | bit(ResourceType::Webtransport) | bit(ResourceType::Webbundle);

    /// The types in a mask, in DNR order.
    pub(crate) fn list(mask: u16) -> Vec<ResourceType> {
        ResourceType::ALL
            .iter()
            .copied()
            .filter(|t| mask & bit(*t) != 0)
            .collect()
    }
}

/// What a filter matches in the URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Pattern {
    /// Every URL.
    Any,
    /// `||host^`: the host and its subdomains (becomes `requestDomains`).
    Host(String),
    /// A DNR `urlFilter` (lowercase unless `$match-case`).
    UrlFilter(String),
    /// An RE2-compatible `regexFilter`.
    Regex(String),
}

/// One parsed network filter. Equal filters (same meaning, whatever the option order or
/// aliases) compare equal, which is how `$badfilter` finds its target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct NetFilter {
    /// `@@`.
    pub exception: bool,
    pub pattern: Pattern,
    /// `||X^` with no path, the form adblock-rust lets match documents when no type is given.
    pub implicit_document: bool,
    pub match_case: bool,
    pub important: bool,
    pub badfilter: bool,
    pub party: Option<DomainType>,
    /// Types named (`$script`, `$document`...), as DNR bits.
    pub types: u16,
    /// Types negated (`$~script`).
    pub not_types: u16,
    /// `$domain=`, sorted.
    pub initiators: Vec<String>,
    pub not_initiators: Vec<String>,
    /// `$to=`.
    pub to: Vec<String>,
    /// `$to=~x` and `$denyallow=`.
    pub not_to: Vec<String>,
    pub methods: Vec<RequestMethod>,
    pub not_methods: Vec<RequestMethod>,
}

/// A parsed filter and the approximations made.
pub(crate) type Parsed = (NetFilter, Vec<Reason>);

/// Parses a trimmed network-filter line.
pub(crate) fn parse(line: &str) -> Result<Parsed, Reason> {
    if line.chars().count() < 2 {
        return Err(Reason::TooShort);
    }
    let (exception, rest) = match line.strip_prefix("@@") {
        Some(r) => (true, r),
        None => (false, line),
    };
    let (raw_pattern, raw_options) = split_options(rest)?;
    let mut notes = Vec::new();
    let mut f = NetFilter {
        exception,
        pattern: Pattern::Any,
        implicit_document: false,
        match_case: false,
        important: false,
        badfilter: false,
        party: None,
        types: 0,
        not_types: 0,
        initiators: Vec::new(),
        not_initiators: Vec::new(),
        to: Vec::new(),
        not_to: Vec::new(),
        methods: Vec::new(),
        not_methods: Vec::new(),
    };
    let mut first_party_ok = true;
    let mut third_party_ok = true;
    let mut strict_third = false;
    let mut denyallow = false;
    let mut not_methods = Vec::new();
    if let Some(opts) = raw_options {
        for raw in opts.split(',') {
            let (negated, body) = match raw.strip_prefix('~') {
                Some(b) => (true, b),
                None => (false, raw),
            };
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let name = name.to_ascii_lowercase();
            if name.is_empty() {
                return Err(Reason::BadOption);
            }
            if exception
                && matches!(
                    name.as_str(),
                    "redirect" | "rewrite" | "redirect-rule" | "empty" | "mp4"
                )
            {
                return Err(Reason::RedirectException);
            }
            // Options that take a value must have one; the others must not.
            let takes_value = matches!(
                name.as_str(),
                "domain"
                    | "from"
                    | "to"
                    | "denyallow"
                    | "method"
                    | "redirect"
                    | "rewrite"
                    | "redirect-rule"
            );
            if takes_value && value.is_none_or(str::is_empty) {
                return Err(Reason::BadOption);
            }
            if let Some(t) = type_bits(&name) {
                if value.is_some() {
                    return Err(Reason::BadOption);
                }
                if negated {
                    f.not_types |= t;
                } else {
                    f.types |= t;
                }
                continue;
            }
            match name.as_str() {
                "all" => {
                    if negated || value.is_some() {
                        return Err(Reason::BadOption);
                    }
                    f.types |= types::ALL;
                }
                "third-party" | "3p" | "strict3p" | "strict-third-party" | "first-party" | "1p"
                | "strict1p" | "strict-first-party" => {
                    if value.is_some() {
                        return Err(Reason::BadOption);
                    }
                    let strict = name.starts_with("strict");
                    if strict {
                        if negated {
                            return Err(Reason::BadOption);
                        }
                        push_note(&mut notes, Reason::StrictParty);
                    }
                    let third = matches!(
                        name.as_str(),
                        "third-party" | "3p" | "strict3p" | "strict-third-party"
                    );
                    strict_third |= strict && third;
                    // `$third-party` rules out first-party requests; `$~third-party` the reverse.
                    if third != negated {
                        first_party_ok = false;
                    } else {
                        third_party_ok = false;
                    }
                }
                "domain" | "from" | "to" | "denyallow" => {
                    if negated {
                        return Err(Reason::BadOption);
                    }
                    let value = value.unwrap_or("");
                    let (pos, neg) = domain_list(value, name == "denyallow", &mut notes)?;
                    match name.as_str() {
                        "domain" | "from" => {
                            f.initiators.extend(pos);
                            f.not_initiators.extend(neg);
                        }
                        "to" => {
                            f.to.extend(pos);
                            f.not_to.extend(neg);
                        }
                        _ => {
                            denyallow = true;
                            f.not_to.extend(neg);
                        }
                    }
                }
                "method" => {
                    if negated {
                        return Err(Reason::BadOption);
                    }
                    for m in value.unwrap_or("").split('|') {
                        let (neg, m) = match m.strip_prefix('~') {
                            Some(m) => (true, m),
                            None => (false, m),
                        };
                        let Some(m) = RequestMethod::parse(m) else {
                            return Err(Reason::Method);
                        };
                        if neg {
                            not_methods.push(m);
                        } else {
                            f.methods.push(m);
                        }
                    }
                }
                "important" => {
                    if negated || value.is_some() {
                        return Err(Reason::BadOption);
                    }
                    f.important = true;
                }
                "match-case" => {
                    if value.is_some() {
                        return Err(Reason::BadOption);
                    }
                    if negated {
                        push_note(&mut notes, Reason::IgnoredOption);
                    } else {
                        f.match_case = true;
                    }
                }
                "badfilter" => {
                    if negated || value.is_some() {
                        return Err(Reason::BadOption);
                    }
                    f.badfilter = true;
                }
                "redirect" | "rewrite" | "empty" | "mp4" => {
                    if negated {
                        return Err(Reason::BadOption);
                    }
                    push_note(&mut notes, Reason::RedirectAsBlock);
                }
                "redirect-rule" => return Err(Reason::RedirectRule),
                "popup" | "popunder" => {
                    if negated {
                        push_note(&mut notes, Reason::IgnoredOption);
                    } else {
                        return Err(Reason::Popup);
                    }
                }
                "csp" => return Err(Reason::Csp),
                "removeparam" | "queryprune" => return Err(Reason::Removeparam),
                "replace" => return Err(Reason::Replace),
                "header" => return Err(Reason::Header),
                "permissions" => return Err(Reason::Permissions),
                "urlskip" | "uritransform" | "urltransform" => return Err(Reason::UrlRewrite),
                "inline-script" | "inline-font" => return Err(Reason::InlineResource),
                "tag" => return Err(Reason::Tag),
                "ipaddress" | "cname" => return Err(Reason::DnsInfo),
                "generichide" | "ghide" | "elemhide" | "ehide" | "specifichide" | "shide" => {
                    if !exception || negated {
                        return Err(Reason::BadOption);
                    }
                    return Err(Reason::CosmeticException);
                }
                "reason" => push_note(&mut notes, Reason::IgnoredOption),
                n if n.bytes().all(|b| b == b'_') => push_note(&mut notes, Reason::IgnoredOption),
                _ => return Err(Reason::UnknownOption),
            }
        }
    }
    if !first_party_ok && !third_party_ok {
        // `$1p,strict3p` asks for the same site on another host name, not for nothing.
        return Err(if strict_third {
            Reason::StrictPartyCombination
        } else {
            Reason::ContradictoryParty
        });
    }
    f.party = match (first_party_ok, third_party_ok) {
        (false, _) => Some(DomainType::ThirdParty),
        (_, false) => Some(DomainType::FirstParty),
        _ => None,
    };
    if denyallow && f.initiators.is_empty() {
        // uBO requires `$domain=` with `$denyallow`; alone it would reach every site.
        return Err(Reason::BadOption);
    }
    if f.important && exception {
        f.important = false;
        push_note(&mut notes, Reason::ImportantException);
    }
    // Methods as adblock-rust reads them: named methods minus negated ones; only negated
    // methods: every method but those.
    if f.methods.is_empty() {
        f.not_methods = not_methods;
    } else {
        f.methods.retain(|m| !not_methods.contains(m));
        if f.methods.is_empty() {
            return Err(Reason::Method);
        }
    }
    for v in [
        &mut f.initiators,
        &mut f.not_initiators,
        &mut f.to,
        &mut f.not_to,
    ] {
        domains::minimize(v);
    }
    f.methods.sort_unstable();
    f.methods.dedup();
    f.not_methods.sort_unstable();
    f.not_methods.dedup();
    let (pattern, implicit_document) = parse_pattern(raw_pattern, f.match_case)?;
    f.pattern = pattern;
    f.implicit_document = implicit_document;
    Ok((f, notes))
}

fn push_note(notes: &mut Vec<Reason>, r: Reason) {
    if !notes.contains(&r) {
        notes.push(r);
    }
}

/// `$script` and friends (with their aliases) as type bits.
fn type_bits(name: &str) -> Option<u16> {
    use types::bit;
    Some(match name {
        "script" => bit(ResourceType::Script),
        "image" => bit(ResourceType::Image),
        "stylesheet" | "css" => bit(ResourceType::Stylesheet),
        "object" | "object-subrequest" => bit(ResourceType::Object),
        "xmlhttprequest" | "xhr" => bit(ResourceType::Xmlhttprequest),
        "subdocument" | "frame" => bit(ResourceType::SubFrame),
        "ping" | "beacon" => bit(ResourceType::Ping),
        "media" => bit(ResourceType::Media),
        "font" => bit(ResourceType::Font),
        "websocket" => bit(ResourceType::Websocket),
        "other" => types::OTHER,
        "document" | "doc" => types::MAIN_FRAME,
        _ => return None,
    })
}

/// Splits `pattern$options`. The options start at the last `$` followed by something that reads
/// as an option name (so a `$` inside a regex or an option value does not split).
fn split_options(s: &str) -> Result<(&str, Option<&str>), Reason> {
    if s.ends_with('$') {
        // `||x^$`: an empty option list (adblock-rust rejects it too).
        return Err(Reason::BadOption);
    }
    for (i, _) in s.rmatch_indices('$') {
        let after = &s[i + 1..];
        let name = after.strip_prefix('~').unwrap_or(after);
        let end = name.find([',', '=']).unwrap_or(name.len());
        let word = &name[..end];
        let option_like = !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if option_like || after.starts_with(',') {
            return Ok((&s[..i], Some(after)));
        }
    }
    Ok((s, None))
}

/// Parses `a.com|~b.com` into normalised positive and negative entries. Wildcard and regex
/// entries are dropped (as adblock-rust, which never matches them); if that leaves a list that
/// had positive entries with none, the filter is unsupported.
fn domain_list(
    value: &str,
    negate_all: bool,
    notes: &mut Vec<Reason>,
) -> Result<(Vec<String>, Vec<String>), Reason> {
    let mut pos = Vec::new();
    let mut neg = Vec::new();
    let mut dropped_pos = false;
    for entry in value.split('|') {
        if entry.is_empty() {
            continue;
        }
        let (negated, name) = match entry.strip_prefix('~') {
            Some(n) => (true, n),
            None => (false, entry),
        };
        if negate_all && negated {
            return Err(Reason::BadOption);
        }
        let negated = negated || negate_all;
        match domains::normalize(name) {
            Ok(d) => {
                if negated {
                    neg.push(d);
                } else {
                    pos.push(d);
                }
            }
            Err(DomainError::Wildcard) => {
                push_note(notes, Reason::WildcardEntriesDropped);
                if !negated {
                    dropped_pos = true;
                }
            }
            Err(DomainError::Invalid) => return Err(Reason::BadDomain),
        }
    }
    if pos.is_empty() && neg.is_empty() && !dropped_pos {
        // Only wildcard negations, or nothing at all.
        if value.split('|').all(str::is_empty) {
            return Err(Reason::BadOption);
        }
    }
    if dropped_pos && pos.is_empty() {
        return Err(Reason::DomainWildcard);
    }
    Ok((pos, neg))
}

/// Converts the pattern part of a filter (between `@@` and `$`) to a [`Pattern`], and tells
/// whether it has the `||X^` form.
pub(crate) fn parse_pattern(raw: &str, match_case: bool) -> Result<(Pattern, bool), Reason> {
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Reason::BadPattern);
    }
    if raw.len() > 2 && raw.starts_with('/') && raw.ends_with('/') {
        let body = &raw[1..raw.len() - 1];
        return match regex::analyze(body, match_case)? {
            Analysis::UrlFilter(u) => Ok((url_filter_pattern(u, match_case), false)),
            Analysis::Regex(_) => Ok((Pattern::Regex(body.to_owned()), false)),
        };
    }
    if raw == "//" {
        return Err(Reason::BadRegex);
    }
    let (mut left, mut body) = if let Some(b) = raw.strip_prefix("||") {
        (Anchor::Host, b)
    } else if let Some(b) = raw.strip_prefix('|') {
        (Anchor::Start, b)
    } else {
        (Anchor::None, raw)
    };
    let mut end = false;
    if let Some(b) = body.strip_suffix('|') {
        end = true;
        body = b;
    }
    let implicit_document = left == Anchor::Host
        && !end
        && body
            .strip_suffix('^')
            .is_some_and(|h| !h.is_empty() && !h.contains(['/', '*', '^', '|']));
    if body.starts_with('*') {
        left = Anchor::None;
        body = body.trim_start_matches('*');
    }
    if body.ends_with('*') {
        end = false;
        body = body.trim_end_matches('*');
    }
    if body.is_empty() {
        return Ok((Pattern::Any, false));
    }
    let mut out = String::with_capacity(body.len() + 4);
    let mut rest = body;
    if left == Anchor::Host {
        // The host part: up to the first character that cannot be in a host name.
        let host_end = body
            .find(|c: char| {
                c.is_ascii() && !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            })
            .unwrap_or(body.len());
        let host = &body[..host_end];
        rest = &body[host_end..];
        let host = if host.is_ascii() {
            host.to_ascii_lowercase()
        } else {
            idna::domain_to_ascii(host).map_err(|_| Reason::BadHost)?
        };
        if rest == "^" && !end && domains::is_plain_host(&host) {
            return Ok((Pattern::Host(host), implicit_document));
        }
        out.push_str("||");
        out.push_str(&host);
    } else if left == Anchor::Start {
        out.push('|');
    }
    let mut last_star = false;
    for c in rest.chars() {
        if c == '*' {
            if last_star {
                continue;
            }
            last_star = true;
        } else {
            last_star = false;
        }
        if c.is_ascii() {
            out.push(if match_case {
                c
            } else {
                c.to_ascii_lowercase()
            });
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push('%');
                out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
                out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
            }
        }
    }
    if end {
        out.push('|');
    }
    Ok((Pattern::UrlFilter(out), implicit_document))
}

fn url_filter_pattern(u: String, match_case: bool) -> Pattern {
    Pattern::UrlFilter(if match_case {
        u
    } else {
        u.to_ascii_lowercase()
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    None,
    Start,
    Host,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> Pattern {
        match parse_pattern(s, false) {
            Ok((p, _)) => p,
            Err(e) => panic!("{s}: {e:?}"),
        }
    }

    fn uf(s: &str) -> Pattern {
        Pattern::UrlFilter(s.to_owned())
    }

    #[test]
    fn patterns() {
        assert_eq!(
            pat("||ads.example.com^"),
            Pattern::Host("ads.example.com".into())
        );
        assert_eq!(
            pat("||Ads.Example.COM^"),
            Pattern::Host("ads.example.com".into())
        );
        assert_eq!(
            pat("||bücher.de^"),
            Pattern::Host("xn--bcher-kva.de".into())
        );
        assert_eq!(pat("||example.com"), uf("||example.com"));
        assert_eq!(pat("||example.com/Ads/*.JS"), uf("||example.com/ads/*.js"));
        assert_eq!(pat("||example.com:8080^"), uf("||example.com:8080^"));
        assert_eq!(pat("||example.com^|"), uf("||example.com^|"));
        assert_eq!(pat("||online.*/promo"), uf("||online.*/promo"));
        assert_eq!(pat("||*.example.com^"), uf(".example.com^"));
        assert_eq!(pat("|https://x.com/a|"), uf("|https://x.com/a|"));
        assert_eq!(pat("|*x|"), uf("x|"));
        assert_eq!(pat("/banner/*"), uf("/banner/"));
        assert_eq!(pat("*/ad**s*|"), uf("/ad*s"));
        assert_eq!(pat("&ad=^"), uf("&ad=^"));
        assert_eq!(pat("/ä"), uf("/%C3%A4"));
        assert_eq!(pat("*"), Pattern::Any);
        assert_eq!(pat("||"), Pattern::Any);
        assert_eq!(pat("|"), Pattern::Any);
        assert_eq!(pat("/ads/"), uf("ads"));
        assert_eq!(
            pat("/^https?:\\/\\/x\\./"),
            Pattern::Regex("^https?:\\/\\/x\\.".into())
        );
        assert_eq!(parse_pattern("/A/B", true).map(|p| p.0), Ok(uf("/A/B")));
        assert_eq!(
            parse_pattern("||A.com/B", true).map(|p| p.0),
            Ok(uf("||a.com/B"))
        );
        assert_eq!(parse_pattern("/a b", false), Err(Reason::BadPattern));
        assert_eq!(
            parse_pattern("/(?=x)/", false),
            Err(Reason::RegexLookaround)
        );
    }

    #[test]
    fn implicit_document() {
        let doc = |s: &str| parse_pattern(s, false).map(|p| p.1).unwrap_or(false);
        assert!(doc("||example.com^"));
        assert!(doc("||example.com:8080^"));
        assert!(!doc("||example.com/^"));
        assert!(!doc("||example.com^|"));
        assert!(!doc("example.com^"));
        assert!(!doc("||example.com"));
    }

    #[test]
    fn options_split() {
        assert_eq!(split_options("||x^$script"), Ok(("||x^", Some("script"))));
        assert_eq!(split_options("/ad$/"), Ok(("/ad$/", None)));
        assert_eq!(
            split_options("/ad$/$~script"),
            Ok(("/ad$/", Some("~script")))
        );
        assert_eq!(
            split_options("||x^$removeparam=/a$/"),
            Ok(("||x^", Some("removeparam=/a$/")))
        );
        assert_eq!(split_options("||x^$"), Err(Reason::BadOption));
        assert_eq!(split_options("a$b$c"), Ok(("a$b", Some("c"))));
    }

    fn err(line: &str) -> Reason {
        match parse(line) {
            Ok(p) => panic!("{line}: parsed as {p:?}"),
            Err(r) => r,
        }
    }

    #[test]
    fn option_errors() {
        assert_eq!(err("||x^$popup"), Reason::Popup);
        assert_eq!(err("||x^$csp=script-src 'none'"), Reason::Csp);
        assert_eq!(err("||x^$removeparam=utm"), Reason::Removeparam);
        assert_eq!(
            err("||x^$third-party,first-party"),
            Reason::ContradictoryParty
        );
        assert_eq!(err("||x^$domain=example.*"), Reason::DomainWildcard);
        assert_eq!(err("||x^$domain=a b"), Reason::BadDomain);
        assert_eq!(err("||x^$domain="), Reason::BadOption);
        assert_eq!(err("||x^$,script"), Reason::BadOption);
        assert_eq!(err("||x^$~important"), Reason::BadOption);
        assert_eq!(err("||x^$generichide"), Reason::BadOption);
        assert_eq!(err("@@||x^$generichide"), Reason::CosmeticException);
        assert_eq!(err("@@||x^$redirect=noopjs"), Reason::RedirectException);
        assert_eq!(err("||x^$redirect-rule=noopjs"), Reason::RedirectRule);
        assert_eq!(
            err("@@||x^$redirect-rule,script"),
            Reason::RedirectException
        );
        assert_eq!(
            err("/x.js$script,1p,strict3p"),
            Reason::StrictPartyCombination
        );
        assert_eq!(err("||x^$webrtc"), Reason::UnknownOption);
        assert_eq!(err("||x^$method=get|~get"), Reason::Method);
        assert_eq!(err("||x^$method=fetch"), Reason::Method);
        assert_eq!(
            err("*$script,denyallow=~a.com,domain=b.com"),
            Reason::BadOption
        );
        assert_eq!(err("*$script,denyallow=a.com"), Reason::BadOption);
        assert_eq!(err("x"), Reason::TooShort);
    }

    #[test]
    fn filters_equal_whatever_the_spelling() {
        let a = parse("||x.com^$third-party,script,domain=b.com|a.com").map(|p| p.0);
        let b = parse("||X.com^$script,3p,from=a.com|b.com").map(|p| p.0);
        let c = parse("||x.com^$script,~1p,domain=a.com|b.com|sub.a.com").map(|p| p.0);
        assert!(a.is_ok());
        assert_eq!(a, b);
        assert_eq!(a, c);
    }
}
