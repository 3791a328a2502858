//! The request blocker: Brave's adblock engine deciding each request live (Firefox) and answering
//! "why" questions (the popup, `crumbwall check`).
//!
//! One engine holds every list. Each blocking filter carries its category as an adblock `$tag`, so
//! a category switch is a change of the engine's enabled tags (instant, no rebuild) and a request
//! is matched once, however many categories are on. Exception (`@@`) filters are untagged: an
//! exception in one list cancels a block from another, as in Chrome, where all enabled rulesets are
//! evaluated together. Two adblock features need care:
//! - adblock-rust checks `$important` filters without tags, so each category's few `$important`
//!   filters live in a small engine of their own; one more small engine holds all of them, so a
//!   request is asked once, and the category engines only when that one blocks;
//! - Crumbwall never redirects or rewrites a request (it only cancels), so `$redirect=` (and its
//!   `$rewrite=`, `$empty`, `$mp4` forms) becomes a plain block, and `$redirect-rule`, `$csp` and
//!   `$removeparam` filters, which never block, are left out (tagged redirect filters would
//!   otherwise never match), as are `@@` filters with `$redirect`/`$redirect-rule`, which only
//!   cancel a redirect (adblock-rust would also treat them as full exceptions). adblock's redirect,
//!   CSP and removeparam lists are then empty, and cost nothing per request.
//!
//! Engines are built natively at build time and shipped serialised ([`Blocker::serialize`]); the
//! browser only ever deserialises them.

use std::cell::{Cell, RefCell};
use std::fmt;

use adblock::lists::{FilterSet, ParseOptions, RuleTypes};
use adblock::request::Request;
use adblock::url_parser::{parse_url, RequestUrl};
use adblock::Engine;

use crate::category::Category;

/// Magic bytes and format version of a serialised [`Blocker`].
const MAGIC: &[u8; 4] = b"CWB4";
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

/// The engine and its per-category `$important` engines.
pub struct Blocker {
    /// Every list's filters; blocking filters tagged with [`tag`] of their category.
    main: RefCell<Engine>,
    /// The categories whose tags are enabled in `main` right now (`None`: unknown).
    main_tags: Cell<Option<CategorySet>>,
    /// Per category, its `$important` filters (exceptions do not apply to them).
    importants: Vec<(Category, Engine)>,
    /// Every category's `$important` filters together (`None`: there are none), asked first:
    /// only when it blocks are the category engines asked which one it was.
    any_important: Option<Engine>,
    /// The categories that have filters, in [`Category::ALL`] order.
    categories: Vec<Category>,
    /// The last source URL read and its hostname and domain as adblock parses them (`None`: not
    /// readable): a page's requests come in bursts from the same document.
    last_source: RefCell<Option<(String, Option<SourceSite>)>>,
    /// The previous decision's request, kept for its allocations (`Request::refill_preparsed`):
    /// a decision then allocates nothing for the URL, its lowercase copy and its tokens.
    spare: RefCell<Option<Request>>,
}

/// A source URL's hostname and domain, as adblock parses them.
type SourceSite = (String, String);

impl fmt::Debug for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocker")
            .field("categories", &self.categories)
            .finish()
    }
}

fn parse_options() -> ParseOptions {
    ParseOptions {
        rule_types: RuleTypes::NetworkOnly,
        ..ParseOptions::default()
    }
}

/// The adblock tag of a category's filters (one letter: every tagged filter stores it).
fn tag(c: Category) -> &'static str {
    match c {
        Category::Advertising => "a",
        Category::Statistical => "s",
        Category::Social => "o",
        Category::Consent => "c",
    }
}

/// Where a list line goes in the [`Blocker`].
#[derive(Debug, PartialEq, Eq)]
enum Placed {
    /// Into the main engine, as written (exceptions, `$badfilter`, comments, cosmetic lines).
    AsIs,
    /// Into the main engine, tagged with the category.
    Tagged(String),
    /// Into the category's `$important` engine.
    Important(String),
    /// Left out: it never blocks (see the module docs).
    Dropped,
}

/// Rewrites one list line for the tagged engine. adblock-rust takes the text after the last `$`
/// as the options, so the same is done here.
fn place(line: &str, category: Category) -> Placed {
    let line = line.trim();
    if let Some(exception) = line.strip_prefix("@@") {
        let cancels_redirect_only = exception.rfind('$').is_some_and(|i| {
            exception[i + 1..].split(',').any(|o| {
                let name = o.split('=').next().unwrap_or("").trim();
                name == "redirect" || name == "redirect-rule"
            })
        });
        return if cancels_redirect_only {
            Placed::Dropped
        } else {
            Placed::AsIs
        };
    }
    if line.is_empty()
        || line.starts_with('!')
        || line.starts_with('[')
        || ["##", "#@#", "#?#", "#$#", "#%#", "#@$#", "#@?#"]
            .iter()
            .any(|m| line.contains(m))
    {
        return Placed::AsIs;
    }
    let (pattern, options) = match line.rfind('$') {
        Some(i) => (&line[..i], Some(&line[i + 1..])),
        None => (line, None),
    };
    let mut kept: Vec<&str> = Vec::new();
    let mut important = false;
    for option in options.into_iter().flat_map(|o| o.split(',')) {
        let name = option
            .split('=')
            .next()
            .unwrap_or("")
            .trim_start_matches('~');
        match name {
            "badfilter" => return Placed::AsIs,
            "redirect-rule" | "csp" | "removeparam" => return Placed::Dropped,
            "redirect" | "rewrite" | "empty" | "mp4" => {}
            "important" => {
                important = true;
                kept.push(option);
            }
            _ => kept.push(option),
        }
    }
    if important {
        return Placed::Important(if kept.is_empty() {
            pattern.to_owned()
        } else {
            format!("{pattern}${}", kept.join(","))
        });
    }
    let t = tag(category);
    kept.retain(|o| !o.is_empty());
    Placed::Tagged(if kept.is_empty() {
        format!("{pattern}$tag={t}")
    } else {
        format!("{pattern}${},tag={t}", kept.join(","))
    })
}

impl Blocker {
    /// Builds the engines from filter-list texts, each with its category. Malformed lines are
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
        let mut main = FilterSet::new(debug);
        let mut importants: Vec<(Category, String)> = Vec::new();
        let mut categories = Vec::new();
        for (category, text) in lists {
            if !categories.contains(category) {
                categories.push(*category);
            }
            let mut out = String::with_capacity(text.len() + text.len() / 8);
            for line in text.lines() {
                match place(line, *category) {
                    Placed::AsIs => out.push_str(line.trim()),
                    Placed::Tagged(l) => out.push_str(&l),
                    Placed::Important(l) => {
                        match importants.iter_mut().find(|(c, _)| c == category) {
                            Some((_, t)) => {
                                t.push_str(&l);
                                t.push('\n');
                            }
                            None => importants.push((*category, format!("{l}\n"))),
                        }
                        continue;
                    }
                    Placed::Dropped => continue,
                }
                out.push('\n');
            }
            main.add_filter_list(out, parse_options());
        }
        categories.sort_by_key(|c| c.index());
        importants.sort_by_key(|(c, _)| c.index());
        let any_important = (!importants.is_empty()).then(|| {
            let mut set = FilterSet::new(debug);
            let all: String = importants.iter().map(|(_, t)| t.as_str()).collect();
            set.add_filter_list(all, parse_options());
            Engine::new_with_filter_set(set)
        });
        let importants = importants
            .into_iter()
            .map(|(c, text)| {
                let mut set = FilterSet::new(debug);
                set.add_filter_list(text, parse_options());
                (c, Engine::new_with_filter_set(set))
            })
            .collect();
        Blocker {
            main: RefCell::new(Engine::new_with_filter_set(main)),
            main_tags: Cell::new(None),
            importants,
            any_important,
            categories,
            last_source: RefCell::new(None),
            spare: RefCell::new(None),
        }
    }

    /// The categories this blocker has filters for.
    pub fn categories(&self) -> Vec<Category> {
        self.categories.clone()
    }

    /// Decides one request: `url` requested by a document at `source_url` (empty when unknown),
    /// of browser resource type `kind` (webRequest / DNR names: `script`, `image`, `sub_frame`...).
    pub fn check(&self, url: &str, source_url: &str, kind: &str, enabled: CategorySet) -> Verdict {
        self.check_detailed(url, source_url, kind, enabled, &|| None)
            .0
    }

    /// [`Blocker::check`], plus whether the request is third-party to its source (as the engine
    /// reads it; `None` when the request could not be read), for callers that report a match
    /// under `display()` whatever list matched, when it is known (the starter list's category for
    /// the host): when several categories are on, the verdict then carries it instead of finding
    /// the matching list (another match). `display` is only called for a request some filter
    /// matched.
    pub(crate) fn check_detailed(
        &self,
        url: &str,
        source_url: &str,
        kind: &str,
        enabled: CategorySet,
        display: &dyn Fn() -> Option<Category>,
    ) -> (Verdict, Option<bool>) {
        let Some(request) = self.request(url, source_url, kind) else {
            return (Verdict::Unreadable, None);
        };
        let party = Some(request.is_third_party);
        let verdict = self.verdict(&request, enabled, display);
        if let Ok(mut spare) = self.spare.try_borrow_mut() {
            *spare = Some(request);
        }
        (verdict, party)
    }

    /// [`request`], with the source URL's parse remembered from the previous call when it is the
    /// same document (the same [`Request`] as [`Request::new`] makes, without parsing the source
    /// again).
    fn request(&self, url: &str, source_url: &str, kind: &str) -> Option<Request> {
        if url.len() > MAX_URL || source_url.len() > MAX_URL {
            return None;
        }
        let source = if source_url == "about:blank" {
            ""
        } else {
            source_url
        };
        let Ok(mut last) = self.last_source.try_borrow_mut() else {
            return request(url, source_url, kind);
        };
        let parsed = parse_url(url)?;
        // `Request::preparsed` reads the scheme up to the first `:`; fall back to `Request::new`
        // for the (odd) URLs where that is not the parser's scheme.
        let colon = parsed.url.find(':').unwrap_or(0);
        if parsed.url.get(..colon) != Some(parsed.schema()) {
            return request(url, source_url, kind);
        }
        if last.as_ref().is_none_or(|(s, _)| s != source) {
            let site = parse_url(source)
                .map(|p: RequestUrl| (p.hostname().to_owned(), p.domain().to_owned()));
            *last = Some((source.to_owned(), site));
        }
        let (source_hostname, third_party) = match last.as_ref().and_then(|(_, site)| site.as_ref())
        {
            Some((hostname, domain)) => (hostname.as_str(), *domain != parsed.domain()),
            None => ("", true),
        };
        // The previous decision's request, refilled (the first decision fills an empty one).
        let mut request = self
            .spare
            .try_borrow_mut()
            .ok()
            .and_then(|mut s| s.take())
            .unwrap_or_else(|| Request::preparsed("", "", "", "", false, ""));
        request.refill_preparsed(
            &parsed.url,
            parsed.hostname(),
            source_hostname,
            kind,
            third_party,
            "GET",
        );
        Some(request)
    }

    fn verdict(
        &self,
        request: &Request,
        enabled: CategorySet,
        display: &dyn Fn() -> Option<Category>,
    ) -> Verdict {
        if self
            .any_important
            .as_ref()
            .is_some_and(|any| any.matches_important(request))
        {
            for (cat, engine) in &self.importants {
                if enabled.contains(*cat) && engine.matches_important(request) {
                    return Verdict::Block(*cat);
                }
            }
        }
        let Ok(mut main) = self.main.try_borrow_mut() else {
            return Verdict::Unreadable;
        };
        self.use_tags(&mut main, enabled);
        let r = main.check_network_request(request);
        if r.filter.is_none() {
            return Verdict::NoMatch;
        }
        let mut on = self.enabled_categories(enabled);
        let category = match (on.next(), on.next()) {
            (Some(only), None) => only,
            _ => match display() {
                Some(d) => d,
                None => self.matching_category(&mut main, request, enabled),
            },
        };
        if r.should_block() {
            Verdict::Block(category)
        } else {
            Verdict::Excepted(category)
        }
    }

    /// The categories this blocker has filters for that are in `enabled`, in order.
    fn enabled_categories(&self, enabled: CategorySet) -> impl Iterator<Item = Category> + '_ {
        self.categories
            .iter()
            .copied()
            .filter(move |c| enabled.contains(*c))
    }

    /// Which of the enabled categories' filters matched: each is tried alone, in order.
    #[allow(deprecated)]
    fn matching_category(
        &self,
        main: &mut Engine,
        request: &Request,
        enabled: CategorySet,
    ) -> Category {
        let mut found = self
            .enabled_categories(enabled)
            .next()
            .unwrap_or(Category::Advertising);
        for c in self.enabled_categories(enabled) {
            main.use_tags(&[tag(c)]);
            if main.check_network_request(request).filter.is_some() {
                found = c;
                break;
            }
        }
        self.main_tags.set(None);
        found
    }

    // adblock 0.13 marks tags deprecated ("rebuild the engine instead"); a rebuild in the browser
    // is exactly what Crumbwall must avoid, and the crate is pinned, so tags stay until adblock
    // offers another way to switch filters without a rebuild.
    #[allow(deprecated)]
    fn use_tags(&self, main: &mut Engine, enabled: CategorySet) {
        if self.main_tags.get() == Some(enabled) {
            return;
        }
        let tags: Vec<&str> = Category::ALL
            .into_iter()
            .filter(|c| enabled.contains(*c))
            .map(tag)
            .collect();
        main.use_tags(&tags);
        self.main_tags.set(Some(enabled));
    }

    /// The verdict plus the matching filter and exception texts (known only for a blocker made
    /// with [`Blocker::build_debug`]).
    #[allow(deprecated)]
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
        let wanted = match verdict {
            Verdict::Block(c) | Verdict::Excepted(c) => Some(c),
            _ => None,
        };
        if let (Some(request), Some(c)) = (request(url, source_url, kind), wanted) {
            let important = self
                .importants
                .iter()
                .find(|(ic, _)| *ic == c)
                .map(|(_, e)| e.check_network_request(&request))
                .filter(|r| r.should_block());
            let r = match important {
                Some(r) => Some(r),
                None => self.main.try_borrow_mut().ok().map(|mut main| {
                    main.use_tags(&[tag(c)]);
                    self.main_tags.set(None);
                    main.check_network_request(&request)
                }),
            };
            if let Some(r) = r {
                filter = r.filter.and_then(|f| f.raw_line).map(|l| untag(&l));
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
        out.push(self.categories.len() as u8);
        out.extend(self.categories.iter().map(|c| c.index()));
        let mut put = |bytes: Vec<u8>| {
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(&bytes);
        };
        put(self.main.borrow().serialize());
        out.push(self.importants.len() as u8);
        for (cat, engine) in &self.importants {
            out.push(cat.index());
            let bytes = engine.serialize();
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(&bytes);
        }
        // The union of the important engines follows them when there are any.
        if let Some(any) = &self.any_important {
            let bytes = any.serialize();
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(&bytes);
        }
        out
    }

    /// Loads what [`Blocker::serialize`] wrote. Any damage is an error, never a panic.
    pub fn deserialize(data: &[u8]) -> Result<Blocker, LoadError> {
        let err = |m: &str| LoadError(m.to_owned());
        let mut r = Reader(data);
        if r.take(4)
            .ok_or_else(|| err("not a Crumbwall engine file (bad header)"))?
            != MAGIC
        {
            return Err(err(
                "not a Crumbwall engine file of this version (bad header); rebuild it",
            ));
        }
        let count = r.byte().ok_or_else(|| err("truncated"))?;
        let mut categories = Vec::new();
        for _ in 0..count {
            categories.push(r.category().ok_or_else(|| err("unknown category"))?);
        }
        let main = r.engine("main")?;
        let count = r.byte().ok_or_else(|| err("truncated"))?;
        let mut importants = Vec::new();
        for _ in 0..count {
            let cat = r.category().ok_or_else(|| err("unknown category"))?;
            importants.push((cat, r.engine(cat.as_str())?));
        }
        let any_important = if importants.is_empty() {
            None
        } else {
            Some(r.engine("important")?)
        };
        if !r.0.is_empty() {
            return Err(err("trailing bytes"));
        }
        Ok(Blocker {
            main: RefCell::new(main),
            main_tags: Cell::new(None),
            importants,
            any_important,
            categories,
            last_source: RefCell::new(None),
            spare: RefCell::new(None),
        })
    }
}

/// The filter text without the tag [`place`] added.
fn untag(line: &str) -> String {
    for c in Category::ALL {
        for suffix in [format!(",tag={}", tag(c)), format!("$tag={}", tag(c))] {
            if let Some(l) = line.strip_suffix(&suffix) {
                return l.to_owned();
            }
        }
    }
    line.to_owned()
}

/// A cursor over serialised bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).and_then(|b| b.first().copied())
    }

    fn category(&mut self) -> Option<Category> {
        Category::ALL.get(usize::from(self.byte()?)).copied()
    }

    fn engine(&mut self, what: &str) -> Result<Engine, LoadError> {
        let len = self
            .take(4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(|b| u32::from_le_bytes(b) as usize)
            .ok_or_else(|| LoadError("truncated".into()))?;
        let bytes = self
            .take(len)
            .ok_or_else(|| LoadError("truncated".into()))?;
        let mut engine = Engine::default();
        engine
            .deserialize(bytes)
            .map_err(|e| LoadError(format!("{what} engine: {e}")))?;
        Ok(engine)
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
        assert!(Blocker::deserialize(b"CWB2\x09").is_err());
        assert!(Blocker::deserialize(b"CWB1\x00").is_err());
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
    fn important_filters_follow_their_category_and_beat_exceptions() {
        let ads = "||both.test^$important\n@@||both.test^\n@@||imp.test^\n";
        let stats = "||imp.test/s/$important\n||other.test^\n";
        let b = Blocker::build(&[(Category::Advertising, ads), (Category::Statistical, stats)]);
        let b = Blocker::deserialize(&b.serialize()).unwrap();
        let all = CategorySet::blocking();
        let check = |url: &str, on: CategorySet| b.check(url, "http://site.test/", "script", on);
        // An important filter blocks despite an exception for the same host.
        assert_eq!(
            check("http://both.test/a.js", all),
            Verdict::Block(Category::Advertising)
        );
        assert_eq!(
            check("http://imp.test/s/a.js", all),
            Verdict::Block(Category::Statistical)
        );
        // With its category off, the important filter does nothing, and the exception (from the
        // other, enabled list) applies to nothing either.
        let mut no_ads = all;
        no_ads.set(Category::Advertising, false);
        assert_eq!(check("http://both.test/a.js", no_ads), Verdict::NoMatch);
        let mut no_stats = all;
        no_stats.set(Category::Statistical, false);
        assert_eq!(check("http://imp.test/s/a.js", no_stats), Verdict::NoMatch);
        assert_eq!(
            check("http://other.test/a.js", all),
            Verdict::Block(Category::Statistical)
        );
    }

    #[test]
    fn redirect_filters_are_plain_blocks_and_redirect_exceptions_cancel_nothing() {
        let stats = "||redir.test/a.js$script,redirect=noopjs\n||rule.test^$redirect-rule=noopjs\n\
                     ||empty.test^$empty\n||keep.test^\n@@||keep.test^$redirect=noopjs\n";
        let b = Blocker::build(&[(Category::Statistical, stats)]);
        let all = CategorySet::blocking();
        let check = |url: &str| b.check(url, "http://site.test/", "script", all);
        assert_eq!(
            check("http://redir.test/a.js"),
            Verdict::Block(Category::Statistical)
        );
        assert_eq!(
            check("http://empty.test/x"),
            Verdict::Block(Category::Statistical)
        );
        // `$redirect-rule` only changes how another filter's block is delivered.
        assert_eq!(check("http://rule.test/x.js"), Verdict::NoMatch);
        // An exception that cancels a redirect does not cancel the block.
        assert_eq!(
            check("http://keep.test/x.js"),
            Verdict::Block(Category::Statistical)
        );
        assert_eq!(
            place("@@||x.test^$script,redirect-rule", Category::Advertising),
            Placed::Dropped
        );
        assert_eq!(
            place("@@||x.test^$script", Category::Advertising),
            Placed::AsIs
        );
    }

    /// The vendored adblock finds plain patterns and hostnames with its own substring search
    /// (vendor/adblock/CRUMBWALL-PATCHES.md): matches at either end, after a false start on the
    /// same first byte, and patterns longer than its short-needle limit.
    #[test]
    fn plain_patterns_match_wherever_they_are() {
        let long = "-very-long-path-segment-for-tracking-pixels/";
        let list = format!("-ad-x\n-banner-ad.\n{long}\n||ad.cdn.test^\n");
        let b = Blocker::build(&[(Category::Advertising, list.as_str())]);
        let all = CategorySet::blocking();
        let check = |url: &str| b.check(url, "http://site.test/", "image", all);
        let ads = Verdict::Block(Category::Advertising);
        assert_eq!(check("http://x.test/a--ad-x.gif"), ads);
        assert_eq!(check("http://x.test/a-ad-ad-x.gif"), ads);
        assert_eq!(check("http://x.test/a-ad-y-x.gif"), Verdict::NoMatch);
        assert_eq!(check("http://x.test/top-banner-ad.png"), ads);
        assert_eq!(check("http://x.test/p-banner-ad"), Verdict::NoMatch);
        assert_eq!(check(&format!("http://x.test/q{long}1.gif")), ads);
        assert_eq!(
            check(&format!("http://x.test/q{}1.gif", &long[..long.len() - 1])),
            Verdict::NoMatch
        );
        assert_eq!(check("http://ad.cdn.test/1.gif"), ads);
        assert_eq!(check("http://sub.ad.cdn.test/1.gif"), ads);
        assert_eq!(check("http://bad.cdn.test/1.gif"), Verdict::NoMatch);
        assert_eq!(check("http://ad.cdn.test.evil/1.gif"), Verdict::NoMatch);
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
    fn remembered_sources_make_the_same_requests() {
        let b = blocker();
        let urls = [
            "http://ads.test/x.js",
            "https://WWW.Example.co.uk:8443/a?b#c",
            "ws://sock.test/s",
            "ftp://files.test/x",
            "http://[::1]/x",
            "http://127.0.0.1:8080/p",
            "https://xn--mnchen-3ya.de/",
            "https://münchen.de/",
            "http://a.test?q",
            "not a url",
            "data:image/png;base64,xx",
        ];
        let sources = [
            "http://site.test/",
            "http://site.test/",
            "https://www.example.co.uk/",
            "",
            "about:blank",
            "garbage",
            "https://sub.ads.test/page",
            "https://sub.ads.test/page",
            "http://127.0.0.1/",
        ];
        for source in sources {
            for url in urls {
                for kind in ["script", "image", "main_frame", "weird"] {
                    let ours = b.request(url, source, kind);
                    let theirs = request(url, source, kind);
                    let key = |r: Option<Request>| {
                        r.map(|r| {
                            (
                                r.get_tokens().clone(),
                                r.request_type,
                                r.is_http,
                                r.is_https,
                                r.is_supported,
                                r.is_third_party,
                                r.url.clone(),
                                r.hostname.clone(),
                                r.source_hostname_hashes,
                            )
                        })
                    };
                    assert_eq!(
                        format!("{:?}", key(ours)),
                        format!("{:?}", key(theirs)),
                        "{url} from {source}"
                    );
                }
            }
        }
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
