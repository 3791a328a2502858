//! Crumbwall's fuzz targets as plain functions of bytes.
//!
//! The same functions are driven two ways:
//! - by libFuzzer through cargo-fuzz (`fuzz/`, nightly; `cargo xtask fuzz`), coverage-guided;
//! - by the stable smoke runner (`fuzz-smoke`, `cargo xtask fuzz --smoke`, part of
//!   `cargo xtask test`), which replays `fuzz/regressions/<target>/` and a few thousand
//!   structured-random inputs from [`gen`].
//!
//! A target fails by panicking: the core must never panic on any input, and a few cheap
//! invariants (settings survive a save and reload, cleaning a cleaned URL changes nothing) are
//! asserted too. Each input is decoded the same way by both drivers, so a file found by one
//! replays in the other.

#![forbid(unsafe_code)]

pub mod gen;

use std::sync::OnceLock;

use crumbwall_core::compile::{self, ListInput};
use crumbwall_core::cookies::enforce::{self, BrowserCookie, Context, PartitionKey};
use crumbwall_core::cookies::{Classifier, CookieInput, CookiePolicy, Purpose, Rule};
use crumbwall_core::engine::{Blocker, CategorySet};
use crumbwall_core::{custom, links, settings, Category, Settings};

/// A fuzz target: its name (the `fuzz/fuzz_targets/<name>.rs` file and the
/// `fuzz/regressions/<name>/` folder) and its function.
pub struct Target {
    /// The name.
    pub name: &'static str,
    /// What it exercises.
    pub about: &'static str,
    /// Runs one input; panics on a finding.
    pub run: fn(&[u8]),
    /// Makes one structured-random input for the smoke runner.
    pub generate: fn(&mut gen::Rng) -> Vec<u8>,
}

/// Every target, in the order the runners take them.
pub const TARGETS: [Target; 6] = [
    Target {
        name: "compiler",
        about: "filter lists to DNR rules (compile::compile, validate_rule), custom filters to DNR rules (custom::compile)",
        run: compiler,
        generate: gen::compiler,
    },
    Target {
        name: "engine",
        about: "the Firefox engines built from the same lists and asked about one request (Blocker, CustomBlocker)",
        run: engine,
        generate: gen::compiler,
    },
    Target {
        name: "cookies",
        about: "cookie classifier and policy judgement (Classifier::classify, enforce::judge)",
        run: cookies,
        generate: gen::cookies,
    },
    Target {
        name: "urls",
        about: "URL cleaning (links::clean_url, skip_redirector, for_navigation)",
        run: urls,
        generate: gen::urls,
    },
    Target {
        name: "settings",
        about: "stored settings: parser, migrator, validator (settings::load)",
        run: settings_load,
        generate: gen::settings,
    },
    Target {
        name: "import",
        about: "settings import and allow-list import (settings::import, import_allowlist)",
        run: import,
        generate: gen::import,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Splits an input into its first byte (choices) and `\0`-separated text fields.
struct Fields {
    flags: u8,
    fields: Vec<String>,
}

impl Fields {
    fn new(data: &[u8]) -> Fields {
        let (flags, rest) = match data.split_first() {
            Some((f, rest)) => (*f, rest),
            None => (0, data),
        };
        Fields {
            flags,
            fields: rest
                .split(|b| *b == 0)
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect(),
        }
    }

    /// Field `i`, empty when absent.
    fn get(&self, i: usize) -> &str {
        self.fields.get(i).map(String::as_str).unwrap_or("")
    }

    /// Field `i`, `None` when absent.
    fn opt(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(String::as_str)
    }

    fn bit(&self, n: u8) -> bool {
        self.flags & (1 << n) != 0
    }
}

/// The lists of a compiler or engine input: up to four `\0`-separated fields, each with a
/// category chosen by the flags.
fn lists(f: &Fields) -> Vec<ListInput<'_>> {
    let n_lists = f.fields.len().clamp(1, 4);
    (0..n_lists)
        .map(|i| ListInput {
            id: "fuzz",
            category: Category::ALL[(i + usize::from(f.flags >> 4)) % Category::ALL.len()],
            text: f.get(i),
        })
        .collect()
}

/// The filter-list compiler for Chromium: up to four lists (`\0`-separated) compiled to DNR
/// rules, every emitted rule checked, and the whole text compiled as the user's custom filters.
///
/// Input: `flags, list0 \0 list1 \0 list2 \0 list3 \0 request-url \0 page-url` (the same
/// layout as [`engine`], so the two share a corpus; this target ignores the URLs).
pub fn compiler(data: &[u8]) {
    let f = Fields::new(data);
    let lists = lists(&f);
    let compiled = compile::compile(&lists);
    for rules in compiled.rulesets.values() {
        for rule in rules {
            // A rule the compiler emits either passes Chrome's checks or is reported; either way
            // the check itself must be total.
            let _ = compile::validate_rule(rule);
        }
    }
    let _ = custom::compile(&f.fields.join("\n"));
}

/// The Firefox side of the same input: the category-tagged engine built from the lists (flag
/// bit 0, or the custom-filter engine with bit 3, or both) and asked about one request.
///
/// Kept apart from [`compiler`] because building adblock engines costs most of an execution:
/// together the compiler target ran at about 900 executions/s, apart at several times that.
pub fn engine(data: &[u8]) {
    let f = Fields::new(data);
    let url = f.opt(4).unwrap_or("https://ads.example.com/ad.js?x=1");
    let page = f.opt(5).unwrap_or("https://site.example/");
    if f.bit(0) || !f.bit(3) {
        let lists = lists(&f);
        let pairs: Vec<(Category, &str)> = lists.iter().map(|l| (l.category, l.text)).collect();
        let blocker = Blocker::build(&pairs);
        let kinds = [
            "script",
            "image",
            "main_frame",
            "sub_frame",
            "xmlhttprequest",
            "other",
        ];
        let kind = kinds[usize::from(f.flags >> 1) % kinds.len()];
        let _ = blocker.check(url, page, kind, CategorySet::blocking());
    }
    if f.bit(3) {
        let s = Settings {
            custom_filters: f.fields.join("\n"),
            ..Settings::default()
        };
        let blocker = custom::CustomBlocker::new(&s);
        let _ = blocker.decide(&s, url, page, "script", page);
    }
}

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(Classifier::builtin)
}

/// The cookie classifier and the policy judgement.
///
/// Input: `flags, lifetime (8 bytes), name \0 value \0 domain \0 path \0 same-site \0 site \0
/// open sites (comma-separated) \0 embedders \0 partition top-level site \0 first-party domain \0
/// policy (one byte per purpose)`.
pub fn cookies(data: &[u8]) {
    let (head, rest) = data.split_at(data.len().min(9));
    let flags = head.first().copied().unwrap_or(0);
    let mut life = [0u8; 8];
    for (i, b) in head.iter().skip(1).enumerate() {
        life[i] = *b;
    }
    let life = i64::from_le_bytes(life);
    let mut with_flags = vec![flags];
    with_flags.extend_from_slice(rest);
    let f = Fields::new(&with_flags);

    let expires_in = (!f.bit(0)).then_some(life);
    let input = CookieInput {
        name: f.get(0),
        value: f.get(1),
        domain: f.get(2),
        path: f.get(3),
        expires_in,
        secure: f.bit(1),
        http_only: f.bit(2),
        same_site: f.opt(4).filter(|s| !s.is_empty()),
        site: f.opt(5).filter(|_| f.bit(3)),
    };
    let c = classifier().classify(&input);
    assert!(
        (0.0..=1.0).contains(&c.confidence),
        "confidence {} out of range",
        c.confidence
    );

    let mut settings = Settings::default();
    let mut policy = CookiePolicy::default();
    for (i, b) in f.get(10).bytes().enumerate() {
        if let Some(p) = Purpose::ALL.get(i) {
            policy.set(*p, Rule::ALL[usize::from(b) % Rule::ALL.len()]);
        }
    }
    settings.cookies = policy;
    if f.bit(4) {
        let _ = settings.allow_site(f.get(5));
        let _ = settings.allow_site(f.get(2));
    }
    // Expiration: a plain number of seconds, or (bit 5) any f64, NaN and infinities included.
    let expiration_date = if f.bit(5) {
        Some(f64::from_bits(life as u64))
    } else {
        (!f.bit(0)).then_some(life as f64)
    };
    let cookie = BrowserCookie {
        name: f.get(0).to_owned(),
        value: f.get(1).to_owned(),
        domain: f.get(2).to_owned(),
        path: f.get(3).to_owned(),
        secure: f.bit(1),
        http_only: f.bit(2),
        same_site: f.opt(4).map(str::to_owned),
        session: f.bit(0),
        expiration_date,
        partition_key: f.opt(8).map(|p| PartitionKey {
            top_level_site: Some(p.to_owned()).filter(|_| !f.bit(6)),
        }),
        first_party_domain: f.opt(9).map(str::to_owned),
    };
    let split = |s: &str| -> Vec<String> {
        if s.is_empty() {
            Vec::new()
        } else {
            s.split(',').map(str::to_owned).collect()
        }
    };
    let open_sites = split(f.get(6));
    let embedders = split(f.get(7));
    let now = if f.bit(7) { f64::NAN } else { 1.7e9 };
    let ctx = Context {
        now,
        open_sites: &open_sites,
        embedders: &embedders,
    };
    let v = enforce::judge(&settings, classifier(), &cookie, &ctx);
    assert!(
        (0.0..=1.0).contains(&v.confidence),
        "confidence {} out of range",
        v.confidence
    );
    let _ = enforce::strips_headers(&settings, f.get(2), f.get(5));
    for p in Purpose::ALL {
        let _ = enforce::refuses_third_party(&settings, p);
    }
}

/// URL cleaning, redirector skipping and the navigation decision.
///
/// Input: `flags, url \0 top-level url \0 allow-listed site`.
pub fn urls(data: &[u8]) {
    let f = Fields::new(data);
    let url = f.get(0);
    if let Some(clean) = links::clean_url(url) {
        assert_ne!(clean, url, "clean_url returned its input unchanged");
        assert_eq!(
            links::clean_url(&clean),
            None,
            "cleaning a cleaned URL removed more: {clean:?}"
        );
    }
    let _ = links::redirector_for(url);
    let _ = links::skip_redirector(url);
    let _ = links::rewrite_navigation(url);

    let mut s = Settings::default();
    s.links.clean = !f.bit(0);
    s.links.skip_redirectors = !f.bit(1);
    if let Some(site) = f.opt(2) {
        let _ = s.allow_site(site);
    }
    let kinds = [
        "main_frame",
        "sub_frame",
        "image",
        "xmlhttprequest",
        "",
        "ping",
    ];
    let kind = kinds[usize::from(f.flags >> 2) % kinds.len()];
    let _ = links::for_navigation(&s, url, kind, f.get(1));
}

/// The stored settings: [`settings::load`] parses, migrates (schema 1 to current) and validates
/// whatever the browser had stored. Whatever it loads must survive a save and a reload whole.
///
/// Input: the blob (UTF-8, lossily).
pub fn settings_load(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let loaded = settings::load(Some(&text));
    assert_eq!(loaded.keep_backup, !loaded.problems.is_empty());
    round_trip(&loaded.settings);
}

/// Saved settings read back equal, with no problem, by both readers.
fn round_trip(s: &Settings) {
    let json = s.to_json();
    let again = settings::load(Some(&json));
    assert!(
        again.problems.is_empty(),
        "saved settings did not reload cleanly: {:?}\n{json}",
        again.problems
    );
    assert_eq!(&again.settings, s, "settings changed on reload:\n{json}");
    match settings::import(&json) {
        Ok(imported) => assert_eq!(&imported, s, "settings changed on import:\n{json}"),
        Err(e) => panic!("saved settings are refused on import: {e}\n{json}"),
    }
}

/// A settings file the user imports (all or nothing), and an imported allow list.
///
/// Input: the file (UTF-8, lossily).
pub fn import(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = settings::import(&text) {
        round_trip(&s);
    }
    let mut s = Settings::default();
    match s.import_allowlist(&text) {
        Ok(n) => {
            assert_eq!(n, s.allowlist.len());
            assert!(
                s.allowlist.windows(2).all(|w| w[0] < w[1]),
                "allow list not sorted and unique"
            );
            round_trip(&s);
        }
        Err(e) => assert!(!e.problems.is_empty(), "a refused import names no problem"),
    }
}
