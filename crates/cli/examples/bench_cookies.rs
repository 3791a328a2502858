//! The `cookie_classification` figure of `cargo xtask bench`: native throughput of the core's
//! cookie classifier (`crumbwall_core::cookies::Classifier::classify`), single-threaded.
//!
//! ```text
//! cargo run --release -p crumbwall-cli --example bench_cookies -- \
//!     [--ocd $CRUMBWALL_DATA/cookies/open-cookie-database.csv] [--rounds 3] [--min-round-ms 300]
//! ```
//!
//! Workloads (the same cookies in the same order for every variant):
//! - `ocd_rows`: one cookie per row of the Open Cookie Database (with `--ocd`): its name (a
//!   wildcard name gets a suffix), its domain when it is a host name (else a first-party one),
//!   a lifetime from its retention period, a value and a site from small fixed rotations;
//! - `synthetic`: a generated mix of mostly unknown names on tracker, first-party and other
//!   domains, so most cookies fall through to the tracker-domain and heuristic layers (the slow
//!   path). Always measured; it is the only workload without `--ocd`.
//!
//! Variants: `Classifier::builtin()` (curated table), `Classifier::with_ocd(..)` (with `--ocd`),
//! and the reference, a bare `HashMap<String, Purpose>` lookup of the exact name in the same
//! known-name table (no prefixes, no domain layer, no heuristics, no reason text): what a
//! name-only table costs, to show the classifier's overhead. Timing: one warm-up pass, then
//! `--rounds` rounds, each repeating the whole workload until it lasts at least
//! `--min-round-ms`; the figure is the median round's nanoseconds per cookie. Prints one JSON
//! document on stdout.

use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::time::Instant;

use crumbwall_core::cookies::{
    ocd_rows, parse_ocd_csv, Classifier, CookieInput, KnowledgeTable, Purpose,
};
use serde_json::{json, Value};

/// An owned cookie; [`Cookie::input`] borrows it as the classifier's input.
struct Cookie {
    name: String,
    value: String,
    domain: String,
    expires_in: Option<i64>,
    secure: bool,
    site: &'static str,
}

impl Cookie {
    fn input(&self) -> CookieInput<'_> {
        CookieInput {
            name: &self.name,
            value: &self.value,
            domain: &self.domain,
            path: "/",
            expires_in: self.expires_in,
            secure: self.secure,
            http_only: false,
            same_site: None,
            site: Some(self.site),
        }
    }
}

/// Sites the user is "on", in rotation.
const SITES: [&str; 4] = [
    "https://www.news-site.example/world/article-1",
    "www.shop.example",
    "https://blog.example.org/",
    "https://www.example.com/",
];

/// Value shapes, in rotation: empty, flag, short word, numeric id, GA-style, UUID, hex, base64.
const VALUES: [&str; 8] = [
    "",
    "1",
    "en-GB",
    "1732890123",
    "GA1.2.1234567890.1732890123",
    "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c",
    "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
    "eyJ1c2VyIjoiYWJjIiwiZXhwIjoxNzMyODkwMTIzfQ%3D%3D",
];

/// Seconds of a retention period as the Open Cookie Database writes it ("2 years", "session",
/// "30 days"); `None` for session or unreadable.
fn retention_secs(s: &str) -> Option<i64> {
    let s = s.trim().to_ascii_lowercase();
    let mut words = s.split_whitespace();
    let n: i64 = words.next()?.parse().ok()?;
    let unit = words.next()?;
    let secs = match unit.trim_end_matches('s') {
        "year" => 365 * 86_400,
        "month" => 30 * 86_400,
        "week" => 7 * 86_400,
        "day" => 86_400,
        "hour" => 3600,
        "minute" => 60,
        "second" => 1,
        _ => return None,
    };
    Some(n.saturating_mul(secs))
}

fn is_host(s: &str) -> bool {
    !s.is_empty()
        && s.contains('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn ocd_cookies(text: &str) -> Result<Vec<Cookie>, String> {
    let rows = ocd_rows(text)?;
    Ok(rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.name.trim_end_matches('*').is_empty())
        .map(|(i, r)| {
            let base = r.name.trim_end_matches('*');
            let name = if r.wildcard || base.len() != r.name.len() {
                format!("{base}7f3a")
            } else {
                base.to_owned()
            };
            let site = SITES[i % SITES.len()];
            let domain = r.domain.trim_start_matches('.');
            let domain = if is_host(domain) {
                r.domain.clone()
            } else {
                // Unknown or free text: a first-party cookie of the site.
                first_party_host(site).to_owned()
            };
            Cookie {
                name,
                value: VALUES[i % VALUES.len()].to_owned(),
                domain,
                expires_in: retention_secs(&r.retention),
                secure: i % 2 == 0,
                site,
            }
        })
        .collect())
}

/// The host of one of [`SITES`].
fn first_party_host(site: &str) -> &str {
    let s = site.split_once("://").map_or(site, |(_, r)| r);
    s.split('/').next().unwrap_or(s)
}

/// A deterministic mix of mostly unknown names (see the module docs).
fn synthetic_cookies(n: usize) -> Vec<Cookie> {
    // Name stems: a few heuristic tokens among random-looking names nothing knows.
    const STEMS: [&str; 16] = [
        "k7x",
        "zq_ref",
        "abtest_bucket",
        "session_token",
        "lang_pref",
        "cart_items",
        "uid",
        "visitor",
        "trk",
        "pxl",
        "wp_sticky",
        "theme",
        "x9f2",
        "jwt",
        "seg",
        "mkto_ref",
    ];
    // Domains: advertising, analytics and social trackers, first-party and unknown third party.
    const DOMAINS: [&str; 10] = [
        ".doubleclick.net",
        "stats.g.doubleclick.net",
        ".google-analytics.com",
        ".facebook.com",
        "",
        ".news-site.example",
        "www.shop.example",
        "cdn.unknown-thirdparty.test",
        ".example.com",
        "api.widgets.test",
    ];
    const EXPIRES: [Option<i64>; 5] = [
        None,
        Some(1800),
        Some(86_400),
        Some(400 * 86_400),
        Some(2 * 365 * 86_400),
    ];
    (0..n)
        .map(|i| {
            let site = SITES[i % SITES.len()];
            let domain = match DOMAINS[(i / 3) % DOMAINS.len()] {
                "" => first_party_host(site).to_owned(),
                d => d.to_owned(),
            };
            Cookie {
                name: format!(
                    "{}_{:x}",
                    STEMS[i % STEMS.len()],
                    (i * 2_654_435_761) % 4093
                ),
                value: VALUES[(i / 2) % VALUES.len()].to_owned(),
                domain,
                expires_in: EXPIRES[(i / 7) % EXPIRES.len()],
                secure: i % 3 != 0,
                site,
            }
        })
        .collect()
}

fn median(values: &[f64]) -> f64 {
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

/// Nanoseconds per cookie of each round (see the module docs).
fn time_rounds(
    cookies: &[Cookie],
    rounds: usize,
    min_round_ns: f64,
    f: &dyn Fn(&CookieInput<'_>) -> u32,
) -> Vec<f64> {
    let inputs: Vec<CookieInput<'_>> = cookies.iter().map(Cookie::input).collect();
    let pass = || {
        let mut acc = 0u32;
        for c in &inputs {
            acc = acc.wrapping_add(f(black_box(c)));
        }
        black_box(acc);
    };
    // Warm-up, and how many passes make a round last `min_round_ns`.
    let t0 = Instant::now();
    pass();
    let one = t0.elapsed().as_nanos().max(1) as f64;
    let reps = ((min_round_ns / one).ceil() as usize).max(1);
    (0..rounds)
        .map(|_| {
            let t0 = Instant::now();
            for _ in 0..reps {
                pass();
            }
            t0.elapsed().as_nanos() as f64 / (reps * inputs.len()) as f64
        })
        .collect()
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut ocd = None;
    let mut rounds = 3usize;
    let mut min_round_ms = 300.0f64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--ocd" => ocd = Some(value()?),
            "--rounds" => rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--min-round-ms" => {
                min_round_ms = value()?
                    .parse()
                    .map_err(|e| format!("--min-round-ms: {e}"))?
            }
            "--quick" => rounds = 1,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let rounds = rounds.max(1);

    // Knowledge and workloads.
    let builtin = Classifier::builtin();
    let mut workloads: Vec<(&str, String, Vec<Cookie>)> = Vec::new();
    let mut with_ocd = None;
    let mut ocd_info = Value::Null;
    if let Some(path) = &ocd {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let (table, errors) = parse_ocd_csv(&text);
        let cookies = ocd_cookies(&text)?;
        ocd_info = json!({
            "path": path,
            "rows": cookies.len(),
            "table_entries": table.len(),
            "unusable_rows": errors.len(),
        });
        workloads.push((
            "ocd_rows",
            format!(
                "Open Cookie Database rows ({} cookies: known names)",
                cookies.len()
            ),
            cookies,
        ));
        with_ocd = Some(Classifier::with_ocd(table));
    }
    let synthetic = synthetic_cookies(4096);
    workloads.push((
        "synthetic",
        format!(
            "synthetic mix ({} cookies: mostly unknown names, tracker/first-party/other domains)",
            synthetic.len()
        ),
        synthetic,
    ));

    // The reference: exact-name lookups in a HashMap of the same known names.
    let name_map = |t: &KnowledgeTable| -> HashMap<String, Purpose> {
        let mut m = HashMap::new();
        for e in t.entries() {
            m.entry(e.name.clone()).or_insert(e.purpose);
        }
        m
    };
    let reference_table = with_ocd.as_ref().unwrap_or(&builtin).knowledge();
    let map = name_map(reference_table);

    type Classify<'a> = &'a dyn Fn(&CookieInput<'_>) -> u32;
    let classify_builtin = |c: &CookieInput<'_>| builtin.classify(c).purpose as u32;
    let classify_ocd = |c: &CookieInput<'_>| {
        with_ocd
            .as_ref()
            .map_or(0, |k| k.classify(c).purpose as u32)
    };
    let lookup = |c: &CookieInput<'_>| map.get(c.name).map_or(99, |p| *p as u32);
    let mut variants: Vec<(&str, &str, Classify<'_>)> = vec![(
        "builtin",
        "crumbwall native: Classifier::builtin() (curated table)",
        &classify_builtin,
    )];
    if with_ocd.is_some() {
        variants.push((
            "with_ocd",
            "crumbwall native: Classifier::with_ocd (curated + Open Cookie Database)",
            &classify_ocd,
        ));
    }
    let map_label = format!(
        "reference: HashMap<String, Purpose> exact-name lookup only ({} names; no prefixes, domains, heuristics or reason text)",
        map.len()
    );
    variants.push(("hashmap_reference", &map_label, &lookup));

    let min_round_ns = min_round_ms * 1e6;
    let mut results = serde_json::Map::new();
    for (wkey, _, cookies) in &workloads {
        for (vkey, label, f) in &variants {
            let per_round = time_rounds(cookies, rounds, min_round_ns, *f);
            let ns = median(&per_round);
            // What the classifier said, and how often a known name decided (layer 1).
            let classifier = match *vkey {
                "builtin" => Some(&builtin),
                "with_ocd" => with_ocd.as_ref(),
                _ => None,
            };
            let (purposes, known_share) = match classifier {
                Some(k) => {
                    let mut purposes: BTreeMap<&str, usize> = BTreeMap::new();
                    let mut known = 0usize;
                    for c in cookies {
                        let r = k.classify(&c.input());
                        *purposes.entry(r.purpose.as_str()).or_default() += 1;
                        known += usize::from(r.reason.starts_with("known "));
                    }
                    (
                        json!(purposes),
                        json!((known as f64 / cookies.len() as f64 * 1000.0).round() / 1000.0),
                    )
                }
                None => {
                    let hits = cookies
                        .iter()
                        .filter(|c| map.contains_key(c.name.as_str()))
                        .count();
                    (
                        Value::Null,
                        json!((hits as f64 / cookies.len() as f64 * 1000.0).round() / 1000.0),
                    )
                }
            };
            results.insert(
                format!("{vkey}/{wkey}"),
                json!({
                    "variant": vkey,
                    "workload": wkey,
                    "label": label,
                    "ns_per_cookie": ns,
                    "cookies_per_s": 1e9 / ns,
                    "rounds_ns_per_cookie": per_round,
                    "known_name_share": known_share,
                    "purposes": purposes,
                }),
            );
        }
    }
    let out = json!({
        "figure": "cookie_classification",
        "rounds": rounds,
        "min_round_ms": min_round_ms,
        "threads": 1,
        "ocd": ocd_info,
        "workloads": workloads.iter().map(|(k, l, c)| (k.to_string(), json!({"label": l, "cookies": c.len()}))).collect::<serde_json::Map<_, _>>(),
        "results": results,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_cookies: {e}");
        std::process::exit(2);
    }
}
