//! `crumbwall-psl` answers as the `psl` crate 2.1.247 (generated from the same list) and as
//! `addr` over it: every rule of the list in several shapes, random hosts, hostile names, and
//! the hosts of the real request sample when `$CRUMBWALL_DATA` is set.

use addr::parser::DomainName;
use psl_types::List as _;

const LIST: &str = include_str!("../data/public_suffix_list.txt");

fn rules() -> impl Iterator<Item = &'static str> {
    LIST.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|r| !r.is_empty() && !r.starts_with("//"))
}

/// Where `psl` 2.1.247 departs from the list's algorithm: a name `Y.X` under a wildcard `*.X`
/// when `*.Y.X` is a rule too (`ex.futurecms.at` with `*.futurecms.at` and `*.ex.futurecms.at`).
/// The wildcard makes the whole name a public suffix (the longest matching rule prevails), but
/// `psl`'s generated matcher follows the `Y` branch, finds no rule there and answers `X`'s parent
/// (`at`). This crate follows the list's algorithm, as browsers do; the test checks that.
fn psl_deviates(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    let Some((_, parent)) = name.split_once('.') else {
        return false;
    };
    static WILDCARDS: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    let wildcards =
        WILDCARDS.get_or_init(|| rules().filter_map(|r| r.strip_prefix("*.")).collect());
    wildcards.contains(name) && wildcards.contains(parent)
}

/// Compares every answer for `name`; returns a description of the first difference.
fn differs(name: &str) -> Option<String> {
    if psl_deviates(name) {
        let whole = name.strip_suffix('.').unwrap_or(name);
        return (crumbwall_psl::suffix_str(name) != Some(whole)
            || crumbwall_psl::domain_str(name).is_some())
        .then(|| format!("{name:?}: should be a public suffix by itself (the list's algorithm)"));
    }
    let ours = (
        crumbwall_psl::domain_str(name),
        crumbwall_psl::suffix_str(name),
        crumbwall_psl::List
            .suffix(name.as_bytes())
            .map(|s| s.as_bytes()),
    );
    let theirs = (
        psl::domain_str(name),
        psl::suffix_str(name),
        psl::List.suffix(name.as_bytes()).map(|s| s.as_bytes()),
    );
    if ours != theirs {
        return Some(format!("{name:?}: ours {ours:?}, psl {theirs:?}"));
    }
    // is_known: a rule matched (psl also tells ICANN from private; this crate does not).
    let known = |s: Option<psl_types::Suffix<'_>>| s.map(|s| s.is_known());
    if known(crumbwall_psl::List.suffix(name.as_bytes()))
        != known(psl::List.suffix(name.as_bytes()))
    {
        return Some(format!("{name:?}: is_known differs"));
    }
    let a = crumbwall_psl::List
        .parse_domain_name(name)
        .map(|d| (d.root(), d.suffix()));
    let b = addr::psl::List
        .parse_domain_name(name)
        .map(|d| (d.root(), d.suffix()));
    match (a, b) {
        (Ok(x), Ok(y)) if x == y => None,
        (Err(_), Err(_)) => None,
        (x, y) => Some(format!("{name:?}: addr over ours {x:?}, over psl {y:?}")),
    }
}

fn check_all(names: impl IntoIterator<Item = String>) -> usize {
    let mut n = 0;
    let mut bad = Vec::new();
    for name in names {
        n += 1;
        if let Some(d) = differs(&name) {
            bad.push(d);
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {n} names differ, e.g.:\n{}",
        bad.len(),
        bad.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    n
}

/// The punycode form of a name's non-ASCII labels (hosts arrive this way from URLs).
fn ascii(name: &str) -> String {
    idna::domain_to_ascii(name).unwrap_or_else(|_| name.to_owned())
}

#[test]
fn every_rule_in_every_shape() {
    let mut names = Vec::new();
    for rule in rules() {
        let key = rule.trim_start_matches("*.").trim_start_matches('!');
        for base in [key.to_owned(), ascii(key)] {
            names.push(base.clone());
            names.push(format!("{base}."));
            names.push(format!("example.{base}"));
            names.push(format!("www.example.{base}"));
            names.push(format!("a.b.c.{base}"));
            names.push(format!("www.{base}"));
            names.push(format!("city.{base}"));
            if let Some((_, parent)) = base.split_once('.') {
                names.push(format!("example.{parent}"));
                names.push(format!("zz.example.{parent}"));
            }
        }
    }
    let n = check_all(names);
    assert!(n > 100_000, "only {n} names");
}

#[test]
fn hostile_and_odd_names() {
    let long = "a.".repeat(200) + "com";
    let names = [
        "",
        ".",
        "..",
        "com",
        ".com",
        "com.",
        "a..com",
        "..co.uk",
        "co..uk",
        "localhost",
        "127.0.0.1",
        "192.168.1.1",
        "::1",
        "[::1]",
        "COM",
        "Example.COM",
        "example.Co.Uk",
        "xn--",
        "xn--.com",
        "-.com",
        "a-.com",
        "_dmarc.example.com",
        "example.com..",
        "exa mple.com",
        "ex\u{0}ample.com",
        "bücher.de",
        "例子.公司.cn",
        "例子.xn--55qx5d.cn",
        "foo.ck",
        "www.ck",
        "a.www.ck",
        "b.a.www.ck",
        "city.kawasaki.jp",
        "x.city.kawasaki.jp",
        "foo.kawasaki.jp",
        "a.foo.kawasaki.jp",
        "blogspot.com",
        "x.blogspot.com",
        "a.b.compute.amazonaws.com",
        "s3.amazonaws.com",
        "x.s3.amazonaws.com",
        "unknowntld",
        "a.unknowntld",
        "a.b.unknowntld",
        &long,
    ];
    check_all(names.iter().map(|s| s.to_string()));
}

#[test]
fn random_hosts_from_list_labels() {
    // Labels that occur in the list, combined at random (xorshift, fixed seed).
    let labels: Vec<&str> = rules()
        .flat_map(|r| {
            r.trim_start_matches("*.")
                .trim_start_matches('!')
                .split('.')
        })
        .collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let names = (0..200_000).map(|_| {
        let n = 1 + (next() % 5) as usize;
        let mut parts: Vec<String> = (0..n)
            .map(|_| labels[(next() % labels.len() as u64) as usize].to_owned())
            .collect();
        if next() % 4 == 0 {
            parts.insert(0, "www".into());
        }
        let name = parts.join(".");
        if next() % 3 == 0 {
            ascii(&name)
        } else {
            name
        }
    });
    check_all(names);
}

#[test]
fn hosts_of_the_real_request_sample() {
    let Ok(dir) = std::env::var("CRUMBWALL_DATA") else {
        eprintln!(
            "SKIPPED: CRUMBWALL_DATA is not set (the request sample's hosts are not compared)"
        );
        return;
    };
    let path = std::path::Path::new(&dir).join("requests/requests-sample-10k.json");
    let text = std::fs::read_to_string(&path).expect("read the request sample");
    // Every URL-looking string's host (the file is JSON; no parser needed for this).
    let mut hosts = std::collections::BTreeSet::new();
    for part in text.split('"') {
        if let Some(rest) = part
            .strip_prefix("https://")
            .or_else(|| part.strip_prefix("http://"))
        {
            let host = rest.split(['/', '?', '#', ':']).next().unwrap_or("");
            if !host.is_empty() {
                hosts.insert(host.to_owned());
            }
        }
    }
    let n = check_all(hosts);
    assert!(n > 1000, "only {n} hosts in the sample");
}
