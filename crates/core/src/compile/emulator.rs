//! Test-only: a small model of how Chrome evaluates DNR rules against one request (as
//! `declarativeNetRequest.testMatchOutcome` would, without frame context), to check compiled
//! rulesets against adblock-rust on real requests. `regexFilter` rules are not evaluated (they
//! are counted instead); everything else follows Chromium's `url_pattern_index` semantics.

use std::collections::HashMap;

use crate::dnr::{ActionType, DomainType, ResourceType, Rule};
use crate::site::SiteKey;

/// One request.
pub(crate) struct Req<'a> {
    pub url: &'a str,
    pub initiator: Option<&'a str>,
    pub kind: ResourceType,
}

/// What the rules decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Blocked,
    Allowed,
    NoMatch,
}

/// Rules indexed by 4-byte substrings of their longest literal, for speed.
pub(crate) struct Matcher<'r> {
    rules: Vec<&'r Rule>,
    by_gram: HashMap<[u8; 4], Vec<usize>>,
    by_host: HashMap<String, Vec<usize>>,
    always: Vec<usize>,
    pub regex_rules: usize,
}

const GRAM: usize = 4;

impl<'r> Matcher<'r> {
    pub(crate) fn new(rulesets: impl IntoIterator<Item = &'r Rule>) -> Matcher<'r> {
        let mut m = Matcher {
            rules: Vec::new(),
            by_gram: HashMap::new(),
            by_host: HashMap::new(),
            always: Vec::new(),
            regex_rules: 0,
        };
        for r in rulesets {
            let i = m.rules.len();
            m.rules.push(r);
            let c = &r.condition;
            if c.regex_filter.is_some() {
                m.regex_rules += 1;
                continue;
            }
            if let Some(u) = &c.url_filter {
                let lit = u
                    .trim_start_matches('|')
                    .trim_end_matches('|')
                    .split(['*', '^'])
                    .max_by_key(|s| s.len())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if lit.len() >= GRAM {
                    let mut g = [0u8; 4];
                    g.copy_from_slice(&lit.as_bytes()[..GRAM]);
                    m.by_gram.entry(g).or_default().push(i);
                    continue;
                }
            } else if !c.request_domains.is_empty() {
                for d in &c.request_domains {
                    m.by_host.entry(d.clone()).or_default().push(i);
                }
                continue;
            }
            m.always.push(i);
        }
        m
    }

    /// The outcome: the highest-priority matching rule wins; at equal priority allow beats
    /// allowAllRequests beats block.
    pub(crate) fn outcome(&self, req: &Req) -> Outcome {
        let url = canonical(req.url);
        let lower = url.to_ascii_lowercase();
        let Some((hs, he)) = host_span(&url) else {
            return Outcome::NoMatch;
        };
        let host = &lower[hs..he];
        let init_host = req.initiator.and_then(|i| {
            let c = canonical(i);
            host_span(&c).map(|(a, b)| c[a..b].to_ascii_lowercase())
        });
        let mut candidates: Vec<usize> = self.always.clone();
        let b = lower.as_bytes();
        for w in b.windows(GRAM) {
            let mut g = [0u8; 4];
            g.copy_from_slice(w);
            if let Some(v) = self.by_gram.get(&g) {
                candidates.extend(v);
            }
        }
        let mut h = host;
        loop {
            if let Some(v) = self.by_host.get(h) {
                candidates.extend(v);
            }
            match h.find('.') {
                Some(i) => h = &h[i + 1..],
                None => break,
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(u32, u8, ActionType)> = None;
        for i in candidates {
            let Some(r) = self.rules.get(i) else { continue };
            if !matches(
                r,
                &url,
                &lower,
                (hs, he),
                host,
                init_host.as_deref(),
                req.kind,
            ) {
                continue;
            }
            let rank = match r.action.kind {
                ActionType::Allow => 3,
                ActionType::AllowAllRequests => 2,
                ActionType::Block => 1,
                ActionType::ModifyHeaders => 0,
            };
            if best.is_none_or(|(p, k, _)| (r.priority, rank) > (p, k)) {
                best = Some((r.priority, rank, r.action.kind));
            }
        }
        match best {
            None => Outcome::NoMatch,
            Some((_, _, ActionType::Block)) => Outcome::Blocked,
            Some(_) => Outcome::Allowed,
        }
    }
}

/// Adds the `/` Chrome puts after a bare origin.
fn canonical(url: &str) -> String {
    match host_span(url) {
        Some((_, he)) if he == url.len() => format!("{url}/"),
        _ => url.to_owned(),
    }
}

fn host_span(url: &str) -> Option<(usize, usize)> {
    let s = url.find("://")? + 3;
    let rest = &url[s..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    let hs = auth.rfind('@').map_or(0, |i| i + 1);
    let hostport = &auth[hs..];
    let he = if hostport.starts_with('[') {
        hostport.find(']').map_or(hostport.len(), |i| i + 1)
    } else {
        hostport.rfind(':').unwrap_or(hostport.len())
    };
    if he == 0 {
        return None;
    }
    Some((s + hs, s + hs + he))
}

fn domain_match(host: &str, d: &str) -> bool {
    host == d
        || (host.len() > d.len()
            && host.ends_with(d)
            && host.as_bytes()[host.len() - d.len() - 1] == b'.')
}

fn site(host: &str) -> String {
    SiteKey::from_host(host)
        .map(|k| k.as_str().to_owned())
        .unwrap_or_else(|_| host.to_owned())
}

fn matches(
    r: &Rule,
    url: &str,
    lower: &str,
    span: (usize, usize),
    host: &str,
    init: Option<&str>,
    kind: ResourceType,
) -> bool {
    let c = &r.condition;
    let types_ok = if !c.resource_types.is_empty() {
        c.resource_types.contains(&kind)
    } else if !c.excluded_resource_types.is_empty() {
        !c.excluded_resource_types.contains(&kind)
    } else {
        kind != ResourceType::MainFrame
    };
    if !types_ok {
        return false;
    }
    if !c.request_domains.is_empty() && !c.request_domains.iter().any(|d| domain_match(host, d)) {
        return false;
    }
    if c.excluded_request_domains
        .iter()
        .any(|d| domain_match(host, d))
    {
        return false;
    }
    if !c.initiator_domains.is_empty()
        && !init.is_some_and(|i| c.initiator_domains.iter().any(|d| domain_match(i, d)))
    {
        return false;
    }
    if init.is_some_and(|i| {
        c.excluded_initiator_domains
            .iter()
            .any(|d| domain_match(i, d))
    }) {
        return false;
    }
    if let Some(t) = c.domain_type {
        let first = init.is_some_and(|i| site(i) == site(host));
        if (t == DomainType::FirstParty) != first {
            return false;
        }
    }
    if !c.request_methods.is_empty() && !c.request_methods.contains(&crate::dnr::RequestMethod::Get)
    {
        return false;
    }
    if c.excluded_request_methods
        .contains(&crate::dnr::RequestMethod::Get)
    {
        return false;
    }
    if c.regex_filter.is_some() {
        return false;
    }
    match &c.url_filter {
        None => true,
        Some(f) => {
            let (subject, pattern) = if c.is_url_filter_case_sensitive == Some(true) {
                (url, f.clone())
            } else {
                (lower, f.to_ascii_lowercase())
            };
            url_filter_matches(&pattern, subject.as_bytes(), span)
        }
    }
}

fn is_separator(b: u8) -> bool {
    !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'%'))
}

/// Chrome's urlFilter semantics.
pub(crate) fn url_filter_matches(filter: &str, url: &[u8], (hs, he): (usize, usize)) -> bool {
    let (left, body) = if let Some(b) = filter.strip_prefix("||") {
        (2, b)
    } else if let Some(b) = filter.strip_prefix('|') {
        (1, b)
    } else {
        (0, filter)
    };
    let (right, body) = match body.strip_suffix('|') {
        Some(b) if !body.is_empty() => (true, b),
        _ => (false, body),
    };
    let p = body.as_bytes();
    match left {
        1 => match_at(p, url, 0, right),
        2 => {
            let mut starts = vec![hs];
            for i in hs..he {
                if url.get(i) == Some(&b'.') {
                    starts.push(i + 1);
                }
            }
            starts.into_iter().any(|s| match_at(p, url, s, right))
        }
        _ => (0..=url.len()).any(|s| match_at(p, url, s, right)),
    }
}

/// Whether pattern `p` matches `u` starting exactly at `at` (and ending at the end if `right`).
fn match_at(p: &[u8], u: &[u8], at: usize, right: bool) -> bool {
    let (mut pi, mut ui) = (0, at);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi == p.len() {
            if !right || ui == u.len() {
                return true;
            }
        } else {
            match p[pi] {
                b'*' => {
                    star = Some((pi, ui));
                    pi += 1;
                    continue;
                }
                b'^' => {
                    if ui < u.len() && is_separator(u[ui]) {
                        pi += 1;
                        ui += 1;
                        continue;
                    }
                    if ui == u.len() {
                        pi += 1;
                        continue;
                    }
                }
                c => {
                    if ui < u.len() && u[ui] == c {
                        pi += 1;
                        ui += 1;
                        continue;
                    }
                }
            }
        }
        // Mismatch: retry from the last star, one character further.
        match star {
            Some((sp, su)) if su < u.len() => {
                star = Some((sp, su + 1));
                pi = sp + 1;
                ui = su + 1;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(filter: &str, url: &str) -> bool {
        let c = canonical(url);
        let span = host_span(&c).unwrap_or((0, 0));
        url_filter_matches(filter, c.to_ascii_lowercase().as_bytes(), span)
    }

    #[test]
    fn url_filters() {
        assert!(m("||example.com^", "https://example.com/x"));
        assert!(m("||example.com^", "https://a.example.com"));
        assert!(!m("||example.com^", "https://example.com.evil.org/"));
        assert!(!m("||example.com^", "https://notexample.com/"));
        assert!(m("||example.com", "https://example.community/"));
        assert!(m("|https://x.com/a|", "https://x.com/a"));
        assert!(!m("|https://x.com/a|", "https://x.com/ab"));
        assert!(m("/ads/*.js", "https://x.com/ads/a/b.js?x"));
        assert!(m("ad^", "https://x.com/ad"));
        assert!(m("ad^", "https://x.com/ad?x"));
        assert!(!m("ad^", "https://x.com/ads"));
        assert!(m("a*b*c|", "https://x.com/abxbxc"));
    }
}
