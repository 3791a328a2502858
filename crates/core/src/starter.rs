//! The built-in starter list: the most widespread tracker hosts and endpoints, each with its
//! [`Category`] and owner, written by the team and embedded from `data/starter-trackers.txt`.
//!
//! It does two jobs:
//! - protection out of the box: [`as_filter_list`] turns one category into Adblock Plus filter
//!   text, compiled alongside the real filter lists (and used alone when none could be obtained);
//! - category refinement: [`category_of_host`] says which category a host belongs to, so a request
//!   blocked by a list is reported under the starter list's category when the host is known.
//!
//! The file format is documented in the file's own header. In short: `[category]` section
//! headers, then one entry per line, either a host (`doubleclick.net`, matching the host and all
//! its subdomains) or an endpoint filter (`||facebook.com/tr^`), optionally followed by
//! `# Owner`; lines starting with `#` are comments.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use crate::category::Category;

/// The embedded list, as written by the team.
pub const TEXT: &str = include_str!("../data/starter-trackers.txt");

/// Longest host name looked up (the DNS limit); longer strings never match.
const MAX_HOST: usize = 253;

/// The characters that end the host part of a `||host...` network filter.
const HOST_END: [char; 7] = ['/', '^', '*', ':', '?', '$', '|'];

/// One entry of the starter list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarterEntry {
    /// A lowercase host (`doubleclick.net`, matching it and its subdomains) or an Adblock Plus
    /// network filter starting with `||` (`||facebook.com/tr^`), as written in the file.
    pub pattern: String,
    /// The section the entry is in.
    pub category: Category,
    /// The company behind it, from the entry's trailing `# Owner` comment.
    pub owner: Option<String>,
    /// The 1-based line number in the file.
    pub line: usize,
}

impl StarterEntry {
    /// Whether the entry is a plain host (as opposed to an endpoint filter).
    pub fn is_host(&self) -> bool {
        !self.pattern.starts_with("||")
    }

    /// The entry as one Adblock Plus filter: `||host^` for a host, the endpoint filter as written.
    pub fn to_filter(&self) -> String {
        if self.is_host() {
            format!("||{}^", self.pattern)
        } else {
            self.pattern.clone()
        }
    }
}

/// The parsed embedded list with its host index.
struct Starter {
    entries: Vec<StarterEntry>,
    /// Host entry pattern → index in `entries`.
    hosts: HashMap<String, usize>,
}

fn starter() -> &'static Starter {
    static STARTER: OnceLock<Starter> = OnceLock::new();
    STARTER.get_or_init(|| {
        // Errors cannot happen with the file as committed (a test checks it); if one slipped
        // through, the offending lines are skipped and the rest still protects.
        let (entries, _errors) = parse(TEXT);
        let hosts = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_host())
            .map(|(i, e)| (e.pattern.clone(), i))
            .collect();
        Starter { entries, hosts }
    })
}

/// Every entry of the embedded list, in file order (parsed once, on first use).
pub fn entries() -> &'static [StarterEntry] {
    &starter().entries
}

/// The category and owner of `host` according to the starter list's host entries.
///
/// The longest match wins: the host itself, else its closest listed parent domain
/// (`www.google-analytics.com` → `google-analytics.com`). Case-insensitive; a trailing dot is
/// ignored. Endpoint entries are not consulted (they name paths, not whole hosts). `None` for
/// hosts the list does not know, including look-alikes (`notdoubleclick.net`).
pub fn category_of_host(host: &str) -> Option<(Category, Option<&'static str>)> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.len() > MAX_HOST {
        return None;
    }
    let host: Cow<'_, str> = if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(host.to_ascii_lowercase())
    } else {
        Cow::Borrowed(host)
    };
    let starter = starter();
    let mut suffix: &str = &host;
    loop {
        if let Some(&i) = starter.hosts.get(suffix) {
            let e = &starter.entries[i];
            return Some((e.category, e.owner.as_deref()));
        }
        match suffix.find('.') {
            Some(dot) => suffix = &suffix[dot + 1..],
            None => return None,
        }
    }
}

/// The starter list's hosts of `category`, plus `extra` hosts, as DNR `requestDomains`; and, as
/// `excludedRequestDomains`, the starter hosts below them that belong to another category (a
/// host's category is its longest match, [`category_of_host`]). A host with one of the
/// category's hosts below it again is not excluded, so how Chrome weighs nested entries never
/// matters. Hosts a rule cannot name ([`is_request_domain`]) are left out.
pub fn category_domains<'a>(
    category: Category,
    extra: impl IntoIterator<Item = &'a str>,
) -> (BTreeSet<&'a str>, BTreeSet<&'a str>) {
    let hosts_of = || {
        entries()
            .iter()
            .filter(|e| e.is_host() && is_request_domain(&e.pattern))
    };
    let mut hosts: BTreeSet<&str> = hosts_of()
        .filter(|e| e.category == category)
        .map(|e| e.pattern.as_str())
        .collect();
    hosts.extend(extra.into_iter().filter(|h| is_request_domain(h)));
    let excluded = hosts_of()
        .filter(|e| e.category != category && !hosts.contains(e.pattern.as_str()))
        .map(|e| e.pattern.as_str())
        .filter(|h| hosts.iter().any(|parent| is_subdomain(h, parent)))
        .filter(|h| !hosts.iter().any(|child| is_subdomain(child, h)))
        .collect();
    (hosts, excluded)
}

/// A host name DNR's `requestDomains` takes: lowercase ASCII letters, digits and `-` in
/// non-empty labels of at most 63 bytes separated by dots (punycode for international names;
/// no wildcards, no ports).
pub fn is_request_domain(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= MAX_HOST
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// `host` is a subdomain of `parent` (not `parent` itself).
pub fn is_subdomain(host: &str, parent: &str) -> bool {
    host.strip_suffix(parent)
        .is_some_and(|head| head.len() > 1 && head.ends_with('.'))
}

/// The entries of one category as Adblock Plus filter text, one filter per line after a `!`
/// comment header: `||host^` for a host, the endpoint filter as written. Empty categories give
/// just the header.
pub fn as_filter_list(category: Category) -> String {
    let mut out = format!(
        "! Title: Crumbwall starter list ({category})\n\
         ! Written by the Crumbwall team; MPL-2.0.\n"
    );
    for e in entries().iter().filter(|e| e.category == category) {
        out.push_str(&e.to_filter());
        out.push('\n');
    }
    out
}

/// Where entries currently go.
enum Section {
    /// No section header seen yet.
    None,
    /// After an unknown section header (already reported); its entries are skipped quietly.
    Unknown,
    /// In a known category's section.
    In(Category),
}

/// Parses starter-list text into its entries and the errors found, each error naming its line
/// (`line 12: ...`). Never panics; lines with errors are skipped and the rest is kept.
///
/// Errors: an unknown section, an entry before any section, an invalid host (characters other
/// than lowercase `a-z`, `0-9`, `-` and `.`, empty or over-long labels, a single label), an
/// endpoint that is not a `||host/path` network filter, text after an entry that is not a
/// `# Owner` comment, and a pattern that appears twice (in any sections).
pub fn parse(text: &str) -> (Vec<StarterEntry>, Vec<String>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut section = Section::None;

    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.strip_suffix(']').map(str::trim);
            section = match name.and_then(Category::parse) {
                Some(c) => Section::In(c),
                None => {
                    let known: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                    errors.push(format!(
                        "line {line_no}: unknown section `{line}` (expected one of {})",
                        known.join(", ")
                    ));
                    Section::Unknown
                }
            };
            continue;
        }

        // The pattern is the first word; the rest must be empty or an `# Owner` comment.
        let (pattern, rest) = match line.find(char::is_whitespace) {
            Some(at) => (&line[..at], line[at..].trim_start()),
            None => (line, ""),
        };
        let owner = if rest.is_empty() {
            None
        } else if let Some(o) = rest.strip_prefix('#') {
            Some(o.trim()).filter(|o| !o.is_empty()).map(str::to_owned)
        } else {
            errors.push(format!(
                "line {line_no}: unexpected text after `{pattern}` (an owner is written `# Owner`)"
            ));
            continue;
        };

        let category = match section {
            Section::In(c) => c,
            Section::Unknown => continue,
            Section::None => {
                errors.push(format!(
                    "line {line_no}: entry `{pattern}` before any section (start with e.g. `[advertising]`)"
                ));
                continue;
            }
        };

        let checked = if pattern.starts_with("||") {
            check_endpoint(pattern)
        } else {
            check_host(pattern)
        };
        if let Err(why) = checked {
            errors.push(format!("line {line_no}: `{pattern}`: {why}"));
            continue;
        }

        if let Some(first) = seen.get(pattern) {
            errors.push(format!(
                "line {line_no}: duplicate entry `{pattern}` (first on line {first})"
            ));
            continue;
        }
        seen.insert(pattern.to_owned(), line_no);
        entries.push(StarterEntry {
            pattern: pattern.to_owned(),
            category,
            owner,
            line: line_no,
        });
    }
    (entries, errors)
}

/// Checks a host entry: lowercase LDH labels, at least two of them, DNS lengths.
fn check_host(host: &str) -> Result<(), String> {
    if host.len() > MAX_HOST {
        return Err("host name too long".into());
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        return Err(format!(
            "invalid host character `{c}` (only lowercase a-z, 0-9, `-` and `.`; endpoints start with `||`)"
        ));
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err("a host needs at least two labels (`example.com`)".into());
    }
    for label in labels {
        if label.is_empty() {
            return Err("empty label (leading, trailing or double dot)".into());
        }
        if label.len() > 63 {
            return Err("label longer than 63 characters".into());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("label `{label}` starts or ends with `-`"));
        }
    }
    Ok(())
}

/// Checks an endpoint entry: `||host` followed by a path part, no options that change meaning
/// into an exception or a cosmetic filter.
fn check_endpoint(filter: &str) -> Result<(), String> {
    let body = &filter[2..];
    let host_end = body.find(HOST_END).unwrap_or(body.len());
    let (host, path) = body.split_at(host_end);
    check_host(host)?;
    if path.is_empty() || path == "^" {
        return Err(format!(
            "an endpoint names a path; write the whole host as `{host}`"
        ));
    }
    if let Some(c) = path
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '#' | '\\'))
    {
        return Err(format!(
            "invalid character `{}` in an endpoint filter",
            c.escape_default()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashSet};

    #[test]
    fn starter_embedded_file_parses_without_errors() {
        let (entries, errors) = parse(TEXT);
        assert!(
            errors.is_empty(),
            "errors in starter-trackers.txt:\n{}",
            errors.join("\n")
        );
        assert_eq!(entries.len(), super::entries().len());
        let mut counts: BTreeMap<Category, usize> = BTreeMap::new();
        for e in &entries {
            *counts.entry(e.category).or_default() += 1;
        }
        let hosts = entries.iter().filter(|e| e.is_host()).count();
        println!(
            "starter list: {} entries ({} hosts, {} endpoints)",
            entries.len(),
            hosts,
            entries.len() - hosts
        );
        for (c, n) in &counts {
            println!("  {c}: {n}");
        }
        assert!(
            (300..=600).contains(&entries.len()),
            "{} entries",
            entries.len()
        );
        for c in Category::BLOCKING {
            assert!(
                counts.get(&c).copied().unwrap_or(0) >= 10,
                "too few {c} entries"
            );
        }
        // Every real entry names its owner.
        for e in &entries {
            assert!(
                e.owner.is_some(),
                "line {}: `{}` has no owner",
                e.line,
                e.pattern
            );
        }
    }

    #[test]
    fn starter_has_no_duplicates_or_redundant_entries() {
        let mut seen = HashSet::new();
        for e in entries() {
            assert!(seen.insert(e.pattern.as_str()), "duplicate `{}`", e.pattern);
        }
        // A host under a listed parent is only useful with a different category (a refinement).
        for e in entries().iter().filter(|e| e.is_host()) {
            let mut parent = e.pattern.as_str();
            while let Some(dot) = parent.find('.') {
                parent = &parent[dot + 1..];
                if let Some(p) = entries()
                    .iter()
                    .find(|p| p.is_host() && p.pattern == parent)
                {
                    assert_ne!(
                        p.category, e.category,
                        "line {}: `{}` is redundant with `{}` (line {})",
                        e.line, e.pattern, p.pattern, p.line
                    );
                }
            }
        }
        // An endpoint on a host listed in the same category is redundant too.
        for e in entries().iter().filter(|e| !e.is_host()) {
            let host_end = e.pattern[2..].find(HOST_END).unwrap();
            let host = &e.pattern[2..2 + host_end];
            if let Some((c, _)) = category_of_host(host) {
                assert_ne!(
                    c, e.category,
                    "line {}: `{}` is redundant",
                    e.line, e.pattern
                );
            }
        }
    }

    #[test]
    fn starter_category_of_host() {
        use Category::*;
        let cases: &[(&str, Option<Category>)] = &[
            ("www.google-analytics.com", Some(Statistical)),
            ("google-analytics.com", Some(Statistical)),
            ("www.googletagmanager.com", Some(Statistical)),
            ("doubleclick.net", Some(Advertising)),
            ("stats.g.doubleclick.net", Some(Advertising)),
            ("securepubads.g.doubleclick.net", Some(Advertising)),
            ("pagead2.googlesyndication.com", Some(Advertising)),
            ("static.criteo.net", Some(Advertising)),
            ("sb.scorecardresearch.com", Some(Statistical)),
            ("script.hotjar.com", Some(Statistical)),
            ("connect.facebook.net", Some(Social)),
            ("platform.twitter.com", Some(Social)),
            ("bat.bing.com", Some(Advertising)),
            ("imasdk.googleapis.com", Some(Advertising)),
            // Case, trailing dot.
            ("WWW.Google-Analytics.COM", Some(Statistical)),
            ("doubleclick.net.", Some(Advertising)),
            // Look-alikes and first parties that serve real content.
            ("notdoubleclick.net", None),
            ("doubleclick.net.example.com", None),
            ("google.com", None),
            ("www.google.com", None),
            ("facebook.com", None),
            ("www.facebook.com", None),
            ("youtube.com", None),
            ("twitter.com", None),
            ("bing.com", None),
            ("googleapis.com", None),
            ("fonts.googleapis.com", None),
            ("gstatic.com", None),
            ("cloudflare.com", None),
            ("cdn.jsdelivr.net", None),
            ("net", None),
            ("", None),
            (".", None),
            ("..", None),
            ("127.0.0.1", None),
        ];
        for (host, want) in cases {
            assert_eq!(category_of_host(host).map(|(c, _)| c), *want, "{host}");
        }
        assert_eq!(
            category_of_host("www.google-analytics.com"),
            Some((Statistical, Some("Google")))
        );
        assert_eq!(category_of_host(&"a.".repeat(200)), None);
        assert_eq!(
            category_of_host("é.doubleclick.net"),
            Some((Advertising, Some("Google")))
        );
    }

    #[test]
    fn starter_test_hosts_present() {
        use Category::*;
        for (host, want) in [
            ("ads.test", Advertising),
            ("pixel.test", Advertising),
            ("analytics.test", Statistical),
            ("social.test", Social),
        ] {
            assert_eq!(category_of_host(host).map(|(c, _)| c), Some(want), "{host}");
            assert!(
                as_filter_list(want)
                    .lines()
                    .any(|l| l == format!("||{host}^")),
                "{host}"
            );
        }
        assert_eq!(category_of_host("site.test"), None);
        assert_eq!(category_of_host("news.test"), None);
    }

    #[test]
    fn starter_filter_lists_round_trip() {
        let mut total = 0;
        for c in Category::ALL {
            let text = as_filter_list(c);
            let mut back: Vec<String> = Vec::new();
            for line in text.lines().filter(|l| !l.starts_with('!')) {
                let host = line
                    .strip_prefix("||")
                    .and_then(|h| h.strip_suffix('^'))
                    .filter(|h| check_host(h).is_ok());
                back.push(host.unwrap_or(line).to_owned());
            }
            let want: Vec<String> = entries()
                .iter()
                .filter(|e| e.category == c)
                .map(|e| e.pattern.clone())
                .collect();
            assert_eq!(back, want, "{c}");
            total += back.len();
        }
        assert_eq!(total, entries().len());
        let ads = as_filter_list(Category::Advertising);
        assert!(ads.lines().any(|l| l == "||doubleclick.net^"));
        assert!(ads.lines().any(|l| l == "||facebook.com/tr^"));
        assert!(!ads.lines().any(|l| l == "||google-analytics.com^"));
        assert!(as_filter_list(Category::Statistical)
            .lines()
            .any(|l| l == "||google-analytics.com^"));
    }

    #[test]
    fn starter_parse_reports_errors_with_lines() {
        let text = "\
doubleclick.net
[advertising]
ok.example   # Owner A
UPPER.example
bad_host.example
nodot
||example.com^
||example.com/path # B
||x..com/p
ok.example
[nonsense]
ignored.example
[social]
ok.example
trailing.example junk
||example.com/path
[statistical]
owner.example #
endpoint.example/path
";
        let (entries, errors) = parse(text);
        let got: Vec<(&str, Category, Option<&str>, usize)> = entries
            .iter()
            .map(|e| (e.pattern.as_str(), e.category, e.owner.as_deref(), e.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("ok.example", Category::Advertising, Some("Owner A"), 3),
                ("||example.com/path", Category::Advertising, Some("B"), 8),
                ("owner.example", Category::Statistical, None, 18),
            ]
        );
        let lines: Vec<&str> = errors
            .iter()
            .map(|e| e.split(':').next().unwrap_or(""))
            .collect();
        assert_eq!(
            lines,
            vec![
                "line 1", "line 4", "line 5", "line 6", "line 7", "line 9", "line 10", "line 11",
                "line 14", "line 15", "line 16", "line 19"
            ],
            "{errors:#?}"
        );
        assert!(errors[0].contains("before any section"), "{}", errors[0]);
        assert!(
            errors[1].contains("invalid host character `U`"),
            "{}",
            errors[1]
        );
        assert!(
            errors[6].contains("duplicate") && errors[6].contains("line 3"),
            "{}",
            errors[6]
        );
        assert!(errors[7].contains("unknown section"), "{}", errors[7]);
        assert!(errors[9].contains("unexpected text"), "{}", errors[9]);
    }

    #[test]
    fn starter_parse_never_panics() {
        for text in [
            "",
            "[",
            "]",
            "[]",
            "[advertising",
            "||",
            "||^",
            "|||",
            "#",
            "[advertising]\n||",
            "[advertising]\n||é.com/x",
            "[advertising]\n\u{feff}x.com",
            "[social]\r\nx.com\r\n",
            "[advertising]\n||a.com/\u{7f}",
            "[advertising]\n.\n-.-\na-.b\n",
        ] {
            let _ = parse(text);
        }
        let (e, errs) = parse("[social]\r\nx.com # Owner\r\n");
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(e[0].owner.as_deref(), Some("Owner"));
    }

    /// Cross-check against Disconnect's categories (CC BY-NC-SA: used here only, never shipped).
    #[test]
    fn starter_cross_check_disconnect() {
        let Some(dir) = std::env::var_os("CRUMBWALL_DATA") else {
            println!("skipped: CRUMBWALL_DATA not set");
            return;
        };
        let path = std::path::Path::new(&dir).join("trackers/services.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let json: serde_json::Value = serde_json::from_str(&text).expect("services.json is JSON");

        // Disconnect category → ours. Advertising, Analytics and Social map directly. The rest
        // say something else: Fingerprinting* is a technique (its members are also ad or
        // analytics services, usually listed there too), Content is embedded content, Email* is
        // e-mail tracking, and Anti-fraud, Cryptomining and ConsentManagers are no blocking
        // category of ours. They are ignored, and only counted for information.
        let map = |c: &str| match c {
            "Advertising" => Some(Category::Advertising),
            "Analytics" => Some(Category::Statistical),
            "Social" => Some(Category::Social),
            _ => None,
        };
        // domain → (our categories, other Disconnect categories, entity names)
        type Listing = (HashSet<Category>, HashSet<String>, HashSet<String>);
        let mut domains: HashMap<String, Listing> = HashMap::new();
        let cats = json["categories"].as_object().expect("categories object");
        for (cat, services) in cats {
            for service in services.as_array().into_iter().flatten() {
                for (entity, urls) in service.as_object().into_iter().flatten() {
                    for list in urls.as_object().into_iter().flatten().map(|(_, v)| v) {
                        for d in list
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|d| d.as_str())
                        {
                            let slot = domains.entry(d.to_ascii_lowercase()).or_default();
                            match map(cat) {
                                Some(c) => {
                                    slot.0.insert(c);
                                }
                                None => {
                                    slot.1.insert(cat.clone());
                                }
                            }
                            slot.2.insert(entity.clone());
                        }
                    }
                }
            }
        }

        let (mut agree, mut compared, mut only_other) = (0, 0, 0);
        let mut unknown = Vec::new();
        let mut disagreements = Vec::new();
        let mut others = Vec::new();
        for e in entries().iter().filter(|e| e.is_host()) {
            // The longest Disconnect domain equal to the host or a parent of it.
            let mut d = e.pattern.as_str();
            let found = loop {
                if let Some(hit) = domains.get(d) {
                    break Some((d, hit));
                }
                match d.find('.') {
                    Some(dot) => d = &d[dot + 1..],
                    None => break None,
                }
            };
            let Some((d, (ours, other, names))) = found else {
                unknown.push(e.pattern.as_str());
                continue;
            };
            let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
            names.sort();
            if ours.is_empty() {
                only_other += 1;
                let mut other: Vec<&str> = other.iter().map(String::as_str).collect();
                other.sort();
                others.push(format!(
                    "  {} ({}) — Disconnect: {d} {other:?} {names:?}",
                    e.pattern, e.category
                ));
                continue;
            }
            compared += 1;
            if ours.contains(&e.category) {
                agree += 1;
            } else {
                let mut theirs: Vec<&str> = ours.iter().map(|c| c.as_str()).collect();
                theirs.sort();
                disagreements.push(format!(
                    "  line {}: {} is {} here, {theirs:?} in Disconnect ({d}, {names:?})",
                    e.line, e.pattern, e.category
                ));
            }
        }
        let pct = if compared == 0 {
            0.0
        } else {
            100.0 * agree as f64 / compared as f64
        };
        println!(
            "Disconnect cross-check: {agree} of {compared} starter hosts listed in a mapped \
             category agree ({pct:.1}%); {only_other} listed only in other categories; \
             {} not in Disconnect",
            unknown.len()
        );
        println!("disagreements:\n{}", disagreements.join("\n"));
        println!(
            "only in unmapped Disconnect categories:\n{}",
            others.join("\n")
        );
        println!("not in Disconnect: {}", unknown.join(" "));
        assert!(
            compared >= 100,
            "only {compared} starter hosts found in Disconnect"
        );
        assert!(pct >= 85.0, "agreement {pct:.1}% < 85%");
    }
}
