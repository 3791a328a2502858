//! The request blocker: Brave's adblock engine, one per category, deciding each request live
//! (Firefox) and answering "why" questions (the popup, `crumbwall check`).
//!
//! One engine per category keeps category switches instant (no rebuild) and tells which category
//! blocked a request. Every engine also holds the exception (`@@`) filters of all lists, so an
//! exception in one list cancels a block from another, as in a single combined engine and as in
//! Chrome, where all enabled rulesets are evaluated together.
//!
//! Engines are built natively at build time and shipped serialised ([`Blocker::serialize`]); the
//! browser only ever deserialises them.

use std::fmt;

use adblock::lists::{FilterSet, ParseOptions, RuleTypes};
use adblock::request::Request;
use adblock::Engine;

use crate::category::Category;

/// Magic bytes and format version of a serialised [`Blocker`].
const MAGIC: &[u8; 4] = b"CWB1";

/// URLs longer than this are not matched (they are allowed): real request URLs are far shorter,
/// and matching cost grows with length.
pub const MAX_URL: usize = 32 * 1024;

/// A set of enabled categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CategorySet(u8);

impl CategorySet {
    /// No category.
    pub const NONE: CategorySet = CategorySet(0);

    /// The default blocking categories (advertising, statistical, social).
    pub fn blocking() -> CategorySet {
        Category::BLOCKING.into_iter().collect()
    }

    /// Adds or removes one category.
    pub fn set(&mut self, c: Category, on: bool) {
        if on {
            self.0 |= 1 << c.index();
        } else {
            self.0 &= !(1 << c.index());
        }
    }

    /// Whether `c` is in the set.
    pub fn contains(self, c: Category) -> bool {
        self.0 & (1 << c.index()) != 0
    }
}

impl FromIterator<Category> for CategorySet {
    fn from_iter<I: IntoIterator<Item = Category>>(iter: I) -> Self {
        let mut s = CategorySet::NONE;
        for c in iter {
            s.set(c, true);
        }
        s
    }
}

/// What the blocker decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No filter matched.
    NoMatch,
    /// A filter of an enabled category matched and no exception applied.
    Block(Category),
    /// A filter matched but an exception (`@@`) cancelled it; the category is the blocked one's.
    Excepted(Category),
    /// The request could not be read (malformed URL, unsupported scheme): allowed.
    Unreadable,
}

impl Verdict {
    /// True for [`Verdict::Block`].
    pub fn is_block(self) -> bool {
        matches!(self, Verdict::Block(_))
    }
}

/// Why a serialised blocker could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot load the blocking engine: {}", self.0)
    }
}

impl std::error::Error for LoadError {}

/// The engines, one per category that has filters.
pub struct Blocker {
    engines: Vec<(Category, Engine)>,
}

impl fmt::Debug for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cats: Vec<Category> = self.engines.iter().map(|(c, _)| *c).collect();
        f.debug_struct("Blocker")
            .field("categories", &cats)
            .finish()
    }
}

fn parse_options() -> ParseOptions {
    ParseOptions {
        rule_types: RuleTypes::NetworkOnly,
        ..ParseOptions::default()
    }
}

impl Blocker {
    /// Builds engines from filter-list texts, each tagged with its category. Malformed lines are
    /// skipped by the parser (the compile report counts them).
    pub fn build(lists: &[(Category, &str)]) -> Blocker {
        Self::build_with(lists, false)
    }

    /// Like [`Blocker::build`], keeping each filter's text so [`Blocker::explain`] can name it
    /// (more memory; for the command line, not the browser).
    pub fn build_debug(lists: &[(Category, &str)]) -> Blocker {
        Self::build_with(lists, true)
    }

    fn build_with(lists: &[(Category, &str)], debug: bool) -> Blocker {
        let mut engines = Vec::new();
        for cat in Category::ALL {
            if !lists.iter().any(|(c, _)| *c == cat) {
                continue;
            }
            let mut set = FilterSet::new(debug);
            for (c, text) in lists {
                if *c == cat {
                    set.add_filter_list(text.to_string(), parse_options());
                } else {
                    let exceptions: Vec<&str> = text
                        .lines()
                        .map(str::trim)
                        .filter(|l| l.starts_with("@@"))
                        .collect();
                    set.add_filter_list(exceptions.join("\n"), parse_options());
                }
            }
            engines.push((cat, Engine::new_with_filter_set(set)));
        }
        Blocker { engines }
    }

    /// The categories this blocker has engines for.
    pub fn categories(&self) -> Vec<Category> {
        self.engines.iter().map(|(c, _)| *c).collect()
    }

    /// Decides one request: `url` requested by a document at `source_url` (empty when unknown),
    /// of browser resource type `kind` (webRequest / DNR names: `script`, `image`, `sub_frame`...).
    pub fn check(&self, url: &str, source_url: &str, kind: &str, enabled: CategorySet) -> Verdict {
        let Some(request) = request(url, source_url, kind) else {
            return Verdict::Unreadable;
        };
        let mut excepted = None;
        for (cat, engine) in &self.engines {
            if !enabled.contains(*cat) {
                continue;
            }
            let r = engine.check_network_request(&request);
            if r.should_block() {
                return Verdict::Block(*cat);
            }
            if r.filter.is_some() && excepted.is_none() {
                excepted = Some(*cat);
            }
        }
        excepted.map_or(Verdict::NoMatch, Verdict::Excepted)
    }

    /// The verdict plus the matching filter and exception texts (known only for a blocker made
    /// with [`Blocker::build_debug`]).
    pub fn explain(
        &self,
        url: &str,
        source_url: &str,
        kind: &str,
        enabled: CategorySet,
    ) -> Explanation {
        let verdict = self.check(url, source_url, kind, enabled);
        let mut filter = None;
        let mut exception = None;
        if let Some(request) = request(url, source_url, kind) {
            let wanted = match verdict {
                Verdict::Block(c) | Verdict::Excepted(c) => Some(c),
                _ => None,
            };
            if let Some((_, engine)) = self.engines.iter().find(|(c, _)| Some(*c) == wanted) {
                let r = engine.check_network_request(&request);
                filter = r.filter.and_then(|f| f.raw_line);
                exception = r.exception.and_then(|f| f.raw_line);
            }
        }
        Explanation {
            verdict,
            filter,
            exception,
        }
    }

    /// The serialised engines, for shipping with the extension.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.push(self.engines.len() as u8);
        for (cat, engine) in &self.engines {
            let bytes = engine.serialize();
            out.push(cat.index());
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(&bytes);
        }
        out
    }

    /// Loads what [`Blocker::serialize`] wrote. Any damage is an error, never a panic.
    pub fn deserialize(mut data: &[u8]) -> Result<Blocker, LoadError> {
        let err = |m: &str| LoadError(m.to_owned());
        if data.len() < 5 || &data[..4] != MAGIC {
            return Err(err("not a Crumbwall engine file (bad header)"));
        }
        let count = data[4] as usize;
        data = &data[5..];
        let mut engines = Vec::with_capacity(count);
        for _ in 0..count {
            if data.len() < 5 {
                return Err(err("truncated"));
            }
            let cat = *Category::ALL
                .get(data[0] as usize)
                .ok_or_else(|| err("unknown category"))?;
            let len = u32::from_le_bytes([data[1], data[2], data[3], data[4]]) as usize;
            data = &data[5..];
            if data.len() < len {
                return Err(err("truncated"));
            }
            let mut engine = Engine::default();
            engine
                .deserialize(&data[..len])
                .map_err(|e| LoadError(format!("{} engine: {e}", cat.as_str())))?;
            engines.push((cat, engine));
            data = &data[len..];
        }
        if !data.is_empty() {
            return Err(err("trailing bytes"));
        }
        Ok(Blocker { engines })
    }
}

/// A verdict with the filters behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The decision.
    pub verdict: Verdict,
    /// The blocking filter's text, when known.
    pub filter: Option<String>,
    /// The exception filter's text, when one applied.
    pub exception: Option<String>,
}

fn request(url: &str, source_url: &str, kind: &str) -> Option<Request> {
    if url.len() > MAX_URL || source_url.len() > MAX_URL {
        return None;
    }
    let source = if source_url == "about:blank" {
        ""
    } else {
        source_url
    };
    Request::new(url, source, kind, "GET").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADS: &str = "||ads.test^\n||cdn.test/banner/\n@@||ads.test/ok.js\n";
    const STATS: &str = "||analytics.test^$third-party\n||cdn.test/banner/keep.png\n";

    fn blocker() -> Blocker {
        Blocker::build(&[(Category::Advertising, ADS), (Category::Statistical, STATS)])
    }

    #[test]
    fn blocks_by_category_with_switches() {
        let b = blocker();
        let all = CategorySet::blocking();
        assert_eq!(
            b.check("http://ads.test/x.js", "http://site.test/", "script", all),
            Verdict::Block(Category::Advertising)
        );
        assert_eq!(
            b.check(
                "http://analytics.test/c",
                "http://site.test/",
                "xmlhttprequest",
                all
            ),
            Verdict::Block(Category::Statistical)
        );
        // First party: `$third-party` does not match.
        assert_eq!(
            b.check(
                "http://analytics.test/c",
                "http://analytics.test/",
                "xmlhttprequest",
                all
            ),
            Verdict::NoMatch
        );
        let mut no_ads = all;
        no_ads.set(Category::Advertising, false);
        assert_eq!(
            b.check(
                "http://ads.test/x.js",
                "http://site.test/",
                "script",
                no_ads
            ),
            Verdict::NoMatch
        );
        assert_eq!(
            b.check(
                "http://site.test/app.js",
                "http://site.test/",
                "script",
                all
            ),
            Verdict::NoMatch
        );
    }

    #[test]
    fn exceptions_apply_across_categories() {
        let b = blocker();
        let all = CategorySet::blocking();
        assert_eq!(
            b.check("http://ads.test/ok.js", "http://site.test/", "script", all),
            Verdict::Excepted(Category::Advertising)
        );
        // A request both lists block is blocked (by the first enabled category).
        assert!(b
            .check(
                "http://cdn.test/banner/keep.png",
                "http://site.test/",
                "image",
                all
            )
            .is_block());
    }

    #[test]
    fn serialises_and_rejects_damage() {
        let b = blocker();
        let bytes = b.serialize();
        let back = Blocker::deserialize(&bytes).unwrap();
        assert_eq!(
            back.categories(),
            vec![Category::Advertising, Category::Statistical]
        );
        assert!(back
            .check(
                "http://ads.test/x.js",
                "http://site.test/",
                "script",
                CategorySet::blocking()
            )
            .is_block());
        assert!(Blocker::deserialize(b"").is_err());
        assert!(Blocker::deserialize(b"CWB1\x09").is_err());
        assert!(Blocker::deserialize(&bytes[..bytes.len() - 3]).is_err());
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(Blocker::deserialize(&extra).is_err());
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0xff;
        let _ = Blocker::deserialize(&flipped); // error or not, never a panic
    }

    #[test]
    fn unreadable_requests_are_allowed() {
        let b = blocker();
        let all = CategorySet::blocking();
        for url in [
            "",
            "not a url",
            "http://",
            "data:image/png;base64,xx",
            &format!("http://ads.test/{}", "a".repeat(MAX_URL)),
        ] {
            assert!(
                !b.check(url, "http://site.test/", "image", all).is_block(),
                "{url:.40}"
            );
        }
        // An unknown type or unreadable source still gets a decision, never a panic.
        let _ = b.check("http://ads.test/x", "garbage", "weird-type", all);
    }

    #[test]
    fn explains_with_filter_text() {
        let b = Blocker::build_debug(&[(Category::Advertising, ADS)]);
        let e = b.explain(
            "http://ads.test/ok.js",
            "http://site.test/",
            "script",
            CategorySet::blocking(),
        );
        assert_eq!(e.verdict, Verdict::Excepted(Category::Advertising));
        assert_eq!(e.filter.as_deref(), Some("||ads.test^"));
        assert_eq!(e.exception.as_deref(), Some("@@||ads.test/ok.js"));
    }
}
