//! URL-shape evidence: what a pixel's address looks like, read without sending it.
//!
//! Each signal is a short phrase for the reason text and a weight. Strong signals (a 1x1 size, a
//! pixel-like or cookie-sync file name, a gif with identifiers in a long query) are worth 2 and
//! suffice alone; weak ones (a collector host name, identifiers, a cache buster, a web address in
//! the query) are worth 1 and need company. Which signals apply depends on the request's
//! [`Scope`]: query evidence is read for images only.

use std::borrow::Cow;
use std::fmt;

/// One piece of URL-shape evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Signal<'s> {
    /// What was seen, for the reason text (formatted only when a reason is wanted: the blocking
    /// hot path never asks).
    pub text: Text<'s>,
    /// 2 for strong evidence, 1 for weak.
    pub weight: u8,
    /// Which family the signal belongs to.
    pub kind: SignalKind,
}

/// What a [`Signal`] saw, shown with `Display` (`1x1 image (w=1&h=1)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Text<'s> {
    /// `1x1 image ({k}=1x1)`.
    SizeValue(&'s str),
    /// `1x1 image ({w}=1&{h}=1)`.
    SizeParams(&'s str, &'s str),
    /// `1x1 image (1x1 in the path)`.
    SizePath,
    /// `{what} ({last segment})`.
    Named(&'static str, &'s str),
    /// `Snowplow event (/i)`.
    Snowplow,
    /// `pixel-like path (/{directory, lowercase}/)`.
    Directory(&'s str),
    /// `collector host name ({word})`.
    HostWord(&'static str),
    /// `gif endpoint with identifier-heavy query`.
    GifIdentifiers,
    /// `gif with a {n}-parameter query`.
    GifQuery(usize),
    /// `identifier-heavy query`.
    Identifiers,
    /// `identifier in the query`.
    Identifier,
    /// `cache buster ({name}=)`.
    CacheBuster(&'s str),
    /// `web address in the query ({name}=)`.
    PageParam(&'s str),
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Text::SizeValue(k) => write!(f, "1x1 image ({k}=1x1)"),
            Text::SizeParams(w, h) => write!(f, "1x1 image ({w}=1&{h}=1)"),
            Text::SizePath => f.write_str("1x1 image (1x1 in the path)"),
            Text::Named(what, last) => write!(f, "{what} ({last})"),
            Text::Snowplow => f.write_str("Snowplow event (/i)"),
            Text::Directory(d) => write!(f, "pixel-like path (/{}/)", d.to_ascii_lowercase()),
            Text::HostWord(w) => write!(f, "collector host name ({w})"),
            Text::GifIdentifiers => f.write_str("gif endpoint with identifier-heavy query"),
            Text::GifQuery(n) => write!(f, "gif with a {n}-parameter query"),
            Text::Identifiers => f.write_str("identifier-heavy query"),
            Text::Identifier => f.write_str("identifier in the query"),
            Text::CacheBuster(k) => write!(f, "cache buster ({k}=)"),
            Text::PageParam(k) => write!(f, "web address in the query ({k}=)"),
        }
    }
}

/// The families of shape evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SignalKind {
    /// A 1x1 size in the URL.
    Dimensions,
    /// A pixel-like file or path name.
    Name,
    /// Evidence from the query string.
    Query,
}

/// Which evidence a request's resource type admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// Images: every signal.
    Image,
    /// Frames: pixel and sync names only (sizes there are ad slots, not pixels).
    Frame,
    /// XHR, fetch and other requests: collector names only (APIs carry ids and cache busters,
    /// and ad requests carry slot sizes such as `sz=1x1`).
    Request,
}

/// File extensions of real pictures: a request for one is never judged by its shape.
const CONTENT_IMAGE_EXTS: [&str; 9] = [
    "jpg", "jpeg", "webp", "avif", "svg", "ico", "bmp", "heic", "jxl",
];

/// Extensions that say nothing against a pixel: images pixels use, and server scripts.
const NEUTRAL_EXTS: [&str; 12] = [
    "gif", "png", "php", "aspx", "ashx", "asp", "jsp", "cgi", "pl", "html", "htm", "do",
];

/// Last path segments (before a neutral extension, or with none) that name a collector, for
/// every kind of request.
const COLLECTOR_STEMS: [&str; 13] = [
    "pixel",
    "px",
    "beacon",
    "collect",
    "track",
    "tracker",
    "tracking",
    "tr",
    "trk",
    "pageview",
    "tracking-pixel",
    "tracking_pixel",
    "pixel-tracking",
];

/// Last path segments of cookie-sync pixels (images and frames).
const SYNC_STEMS: [&str; 14] = [
    "sync",
    "usersync",
    "user-sync",
    "user_sync",
    "cookiesync",
    "cookie-sync",
    "pixelsync",
    "pixel_sync",
    "csync",
    "idsync",
    "setuid",
    "usermatch",
    "cookiematch",
    "pixelmatch",
];

/// Last path segments that name a pixel only for an image request.
const IMAGE_STEMS: [&str; 6] = ["1x1", "hit", "imp", "impression", "counter", "ping"];

/// Last path segments of cookie-sync pixels for image requests only (`/cookie/match?party=1`).
const IMAGE_SYNC_STEMS: [&str; 2] = ["match", "cm"];

/// Spacer images: pixels only when they carry a query (a bare spacer is page layout).
const SPACER_STEMS: [&str; 4] = ["blank", "clear", "spacer", "transparent"];

/// Path directories that hold collectors (`/tr/`, `/pixel/...`), for every kind of request.
const COLLECTOR_DIRS: [&str; 5] = ["tr", "pixel", "beacon", "collect", "track"];

/// Path directories that hold pixels of images and frames.
const PIXEL_DIRS: [&str; 4] = ["px", "sync", "usersync", "pixels"];

/// Words that, as a part of a subdomain label (`pixel-sync.`, `idsync.`, `log.`), name a host
/// that collects rather than serves.
const HOST_WORDS: [&str; 22] = [
    "pixel",
    "pixels",
    "px",
    "sync",
    "idsync",
    "usersync",
    "cookiesync",
    "match",
    "usermatch",
    "track",
    "tracking",
    "tracker",
    "trk",
    "beacon",
    "beacons",
    "collect",
    "collector",
    "stats",
    "metrics",
    "counter",
    "hit",
    "log",
];

/// Query parameter names that carry a cache buster (a short number or token).
const CACHE_BUSTERS: [&str; 6] = ["cb", "rnd", "rand", "random", "ord", "cachebuster"];

/// Query parameter names that carry a timestamp cache buster (10 to 13 digits).
const TIME_BUSTERS: [&str; 6] = ["_", "t", "ts", "time", "now", "_t"];

/// Query parameter names that carry a random number (`0.8143...` or 6+ digits).
const RANDOM_BUSTERS: [&str; 3] = ["r", "rn", "z"];

/// Query parameter names whose long values are versions or signatures of a real file, not
/// identifiers of a person.
const NOT_IDENTIFIERS: [&str; 16] = [
    "v",
    "ver",
    "version",
    "rev",
    "hash",
    "itok",
    "sig",
    "signature",
    "s",
    "key-pair-id",
    "policy",
    "token",
    "crop",
    "key",
    "apikey",
    "api_key",
];

/// Extensions that make a web address in the query a picture (an image proxy's source), not
/// the page being tracked.
const PICTURE_EXTS: [&str; 8] = [
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".avif",
];

/// Query parameter names that carry the page's (or a redirect's) web address.
const PAGE_PARAMS: [&str; 12] = [
    "dl", "url", "u", "ref", "referrer", "referer", "page", "location", "href", "loc", "rurl",
    "redir",
];

/// The parts of a URL's path and query that the signals read.
pub(super) struct Shape<'a> {
    /// The path, without query or fragment.
    pub path: &'a str,
    /// The query, without `?` and fragment (empty when none).
    pub query: &'a str,
    /// The last path segment, lowercase, without `;params` (borrowed when already lowercase).
    last: Cow<'a, str>,
    /// Where the extension of the last segment starts in `last` (`last.len()`: none).
    ext_at: usize,
}

impl<'a> Shape<'a> {
    /// Splits `rest` (path, query and fragment, as [`crate::url::UrlParts::rest`]).
    pub fn new(rest: &'a str) -> Shape<'a> {
        let before_fragment = rest.split('#').next().unwrap_or("");
        let (path, query) = before_fragment
            .split_once('?')
            .unwrap_or((before_fragment, ""));
        let last = path.rsplit('/').next().unwrap_or("");
        let last = last.split(';').next().unwrap_or("");
        let last = if last.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(last.to_ascii_lowercase())
        } else {
            Cow::Borrowed(last)
        };
        let ext_at = match last.rfind('.') {
            Some(dot) if dot > 0 => dot + 1,
            _ => last.len(),
        };
        Shape {
            path,
            query,
            last,
            ext_at,
        }
    }

    /// The extension of the last segment, lowercase ("" when none).
    fn ext(&self) -> &str {
        self.last.get(self.ext_at..).unwrap_or("")
    }

    /// The last segment without its extension.
    fn stem(&self) -> &str {
        if self.ext().is_empty() {
            &self.last
        } else {
            self.last.get(..self.ext_at - 1).unwrap_or("")
        }
    }

    /// Whether the address names a real picture (`photo.jpg`), which is never a pixel by shape.
    pub fn is_content_image(&self) -> bool {
        CONTENT_IMAGE_EXTS.contains(&self.ext())
    }

    fn is_tiny_image_ext(&self) -> bool {
        matches!(self.ext(), "gif" | "png")
    }

    fn has_neutral_ext(&self) -> bool {
        self.ext().is_empty() || NEUTRAL_EXTS.contains(&self.ext())
    }

    fn params(&self) -> Params<'a> {
        Params { rest: self.query }
    }

    /// Every shape signal the address (on `host`, lowercase) shows for a request of `scope`.
    pub fn signals(&self, host: &str, scope: Scope) -> Vec<Signal<'_>> {
        let mut out = Vec::new();
        if self.is_content_image() {
            return out;
        }
        // Images read the query, once, for every query signal.
        let facts = (scope == Scope::Image).then(|| self.query_facts());
        if let Some(facts) = &facts {
            if let Some((text, weight)) = self.dimensions(facts) {
                out.push(Signal {
                    text,
                    weight,
                    kind: SignalKind::Dimensions,
                });
            }
        }
        if let Some(text) = self.pixel_name(scope) {
            out.push(Signal {
                text,
                weight: 2,
                kind: SignalKind::Name,
            });
        }
        let Some(facts) = facts.filter(|_| self.has_neutral_ext()) else {
            return out;
        };
        if let Some(word) = host_word(host) {
            out.push(weak(Text::HostWord(word)));
        }
        let (count, identifiers) = (facts.count, facts.identifiers);
        if self.ext() == "gif" && count >= 3 && identifiers > 0 {
            out.push(Signal {
                text: Text::GifIdentifiers,
                weight: 2,
                kind: SignalKind::Query,
            });
        } else if self.ext() == "gif" && count >= 3 {
            out.push(weak(Text::GifQuery(count)));
        } else if identifiers >= 2 || (identifiers >= 1 && count >= 3) {
            out.push(weak(Text::Identifiers));
        } else if identifiers == 1 {
            out.push(weak(Text::Identifier));
        }
        if let Some(name) = facts.cache_buster {
            out.push(weak(Text::CacheBuster(name)));
        }
        if let Some(name) = facts.page_param {
            out.push(weak(Text::PageParam(name)));
        }
        out
    }

    /// `1x1` in a value or the path, or `width=1&height=1` / `w=1&h=1` in any order, with its
    /// weight (a bare `1x1` in the path of a URL without query is often a layout spacer).
    fn dimensions(&self, facts: &QueryFacts<'a>) -> Option<(Text<'a>, u8)> {
        if let Some(k) = facts.size_value {
            return Some((Text::SizeValue(k), 2));
        }
        if let (Some(w), Some(h)) = (facts.width, facts.height) {
            return Some((Text::SizeParams(w, h), 2));
        }
        let weight = if self.query.is_empty() { 1 } else { 2 };
        has_token(self.path, "1x1").then_some((Text::SizePath, weight))
    }

    /// A pixel-like last segment or directory, as admitted for `scope`.
    fn pixel_name(&self, scope: Scope) -> Option<Text<'_>> {
        let stem = self.stem();
        let named = |text: &'static str| Some(Text::Named(text, &self.last));
        if self.has_neutral_ext() {
            if COLLECTOR_STEMS.contains(&stem) {
                return named("pixel-like path");
            }
            if scope != Scope::Request && SYNC_STEMS.contains(&stem) {
                return named("cookie-sync path");
            }
            if scope == Scope::Image && IMAGE_STEMS.contains(&stem) {
                return named("pixel-like path");
            }
            if scope == Scope::Image && IMAGE_SYNC_STEMS.contains(&stem) {
                return named("cookie-sync path");
            }
        }
        if scope == Scope::Image && self.is_tiny_image_ext() {
            // `p.gif`, `t.png`; any one-character gif with a query (`0.gif?id=...`).
            let one_char = stem.len() == 1 && stem.bytes().all(|b| b.is_ascii_alphanumeric());
            let pixel_letter = matches!(stem, "p" | "t" | "b" | "e" | "g");
            if one_char && (pixel_letter || (self.ext() == "gif" && !self.query.is_empty())) {
                return named("pixel-like path");
            }
            if SPACER_STEMS.contains(&stem) && !self.query.is_empty() {
                return named("spacer image with a query");
            }
        }
        if scope != Scope::Request && stem == "i" && self.ext().is_empty() && self.is_snowplow() {
            return Some(Text::Snowplow);
        }
        let mut segments = self.path.split('/');
        // Directories only: the last segment (empty after a trailing `/`) was judged above.
        segments.next_back();
        segments
            .find(|s| {
                COLLECTOR_DIRS.iter().any(|d| s.eq_ignore_ascii_case(d))
                    || (scope != Scope::Request
                        && PIXEL_DIRS.iter().any(|d| s.eq_ignore_ascii_case(d)))
            })
            .map(Text::Directory)
    }

    /// A Snowplow tracker's GET event: `e=pv|pp|se|ue|tr|ti` and a JavaScript tracker version
    /// (`tv=js-2.10.0`), the open-source tracker whose collectors run on any host.
    fn is_snowplow(&self) -> bool {
        let mut event = false;
        let mut version = false;
        for (k, v) in self.params() {
            event |= k == "e" && matches!(v, "pv" | "pp" | "se" | "ue" | "tr" | "ti");
            version |= k == "tv" && starts_with_ignore_case(v.as_bytes(), b"js-");
        }
        event && version
    }

    /// Everything the query signals read, found in one pass over its parameters.
    fn query_facts(&self) -> QueryFacts<'a> {
        let mut f = QueryFacts::default();
        for (k, v) in self.params() {
            f.count += 1;
            if counts_as_identifier(k, v) {
                f.identifiers += 1;
            }
            if f.size_value.is_none() && v.eq_ignore_ascii_case("1x1") {
                f.size_value = Some(k);
            }
            if v == "1" || v == "1px" {
                if k.eq_ignore_ascii_case("width") || k.eq_ignore_ascii_case("w") {
                    f.width = Some(k);
                } else if k.eq_ignore_ascii_case("height") || k.eq_ignore_ascii_case("h") {
                    f.height = Some(k);
                }
            }
            if f.cache_buster.is_none() && is_cache_buster(k, v) {
                f.cache_buster = Some(k);
            }
            if f.page_param.is_none() && is_page_param(k, v) {
                f.page_param = Some(k);
            }
        }
        f
    }
}

/// What the query signals read from an image's query ([`Shape::query_facts`]).
#[derive(Debug, Default)]
struct QueryFacts<'a> {
    /// The first parameter whose value is `1x1`.
    size_value: Option<&'a str>,
    /// The last `width`/`w` parameter of 1 (or `1px`).
    width: Option<&'a str>,
    /// The last `height`/`h` parameter of 1 (or `1px`).
    height: Option<&'a str>,
    /// How many parameters there are.
    count: usize,
    /// How many values look like identifiers.
    identifiers: usize,
    /// The first cache-buster parameter.
    cache_buster: Option<&'a str>,
    /// The first parameter carrying a web address.
    page_param: Option<&'a str>,
}

/// Whether parameter `k`'s value `v` is an identifier (not under a name that carries versions
/// or signatures).
fn counts_as_identifier(k: &str, v: &str) -> bool {
    let not_id = NOT_IDENTIFIERS.iter().any(|n| k.eq_ignore_ascii_case(n))
        || starts_with_ignore_case(k.as_bytes(), b"x-amz-");
    !not_id && is_identifier(v)
}

/// Whether parameter `k=v` is a cache buster.
fn is_cache_buster(k: &str, v: &str) -> bool {
    let is = |names: &[&str]| names.iter().any(|n| k.eq_ignore_ascii_case(n));
    let b = v.as_bytes();
    let digits = || b.iter().filter(|c| c.is_ascii_digit()).count();
    (is(&CACHE_BUSTERS)
        && (1..=40).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-')))
        || (is(&TIME_BUSTERS) && (10..=13).contains(&b.len()) && digits() == b.len())
        || (is(&RANDOM_BUSTERS)
            && (2..=24).contains(&b.len())
            && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
            && (b.contains(&b'.') || digits() >= 6))
}

/// Whether parameter `k=v` carries a web address (not a picture's: image proxies take the
/// address of the picture they serve).
fn is_page_param(k: &str, v: &str) -> bool {
    let picture = || {
        let lower = v.to_ascii_lowercase();
        PICTURE_EXTS.iter().any(|e| lower.contains(e))
    };
    PAGE_PARAMS.iter().any(|n| k.eq_ignore_ascii_case(n)) && !picture() && {
        let v = v.as_bytes();
        let v = v.strip_prefix(b"https").or_else(|| v.strip_prefix(b"http"));
        v.is_some_and(|rest| starts_with_ignore_case(rest, b"%3a") || rest.starts_with(b":"))
    }
}

/// The query's parameters as `(name, value)` (value "" without `=`), split at `&` and `;`,
/// empty ones skipped. A byte scan: the separators are ASCII, so every cut is a character
/// boundary (the `str` splitters with several separators decode each character, and the blocking
/// hot path reads the query up to four times).
struct Params<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Params<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let bytes = self.rest.as_bytes();
            let end = bytes
                .iter()
                .position(|&b| b == b'&' || b == b';')
                .unwrap_or(bytes.len());
            let (param, rest) = self.rest.split_at(end);
            self.rest = rest.get(1..).unwrap_or("");
            if param.is_empty() {
                continue;
            }
            return Some(match param.as_bytes().iter().position(|&b| b == b'=') {
                Some(eq) => (&param[..eq], &param[eq + 1..]),
                None => (param, ""),
            });
        }
    }
}

/// A collector word in a subdomain label of `host` (not in the registrable name itself, which
/// belongs to the company: `pixels.com` is a photo shop).
fn host_word(host: &str) -> Option<&'static str> {
    let site = crumbwall_psl::domain_str(host)?;
    let subdomains = host.strip_suffix(site)?.strip_suffix('.')?;
    subdomains
        .split(['.', '-'])
        .map(|w| w.trim_end_matches(|c: char| c.is_ascii_digit()))
        .find_map(|w| {
            HOST_WORDS
                .iter()
                .find(|h| w.eq_ignore_ascii_case(h))
                .copied()
        })
}

fn weak(text: Text<'_>) -> Signal<'_> {
    Signal {
        text,
        weight: 1,
        kind: SignalKind::Query,
    }
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

/// `token` occurs in `s` with no ASCII letter or digit right before or after it.
/// (`token` is ASCII; compared without regard to ASCII case, without a lowercase copy.)
fn has_token(s: &str, token: &str) -> bool {
    let (bytes, token) = (s.as_bytes(), token.as_bytes());
    if token.is_empty() {
        return false;
    }
    bytes.windows(token.len()).enumerate().any(|(i, w)| {
        w.eq_ignore_ascii_case(token)
            && !i
                .checked_sub(1)
                .and_then(|j| bytes.get(j))
                .is_some_and(u8::is_ascii_alphanumeric)
            && !bytes
                .get(i + token.len())
                .is_some_and(u8::is_ascii_alphanumeric)
    })
}

/// A value that looks like an identifier: a UUID, 16+ hex digits, or 20+ base64/url-safe
/// characters mixing digits with letters of both cases, or mostly digits (`GA1.2.123.456`).
/// Lowercase slugs (`my-article-2019`) are not identifiers.
pub(super) fn is_identifier(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() < 16 || b.len() > 512 {
        return false;
    }
    // A web address (`https%3A%2F%2F...`) is not an identifier.
    if b.windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"%2f") || w.eq_ignore_ascii_case(b"%3a"))
    {
        return false;
    }
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
    if digits == 0 || letters == 0 {
        // All digits is a number (a timestamp, an id counted elsewhere); all letters is a word.
        return false;
    }
    let is_uuid = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let is_hex = b.iter().all(u8::is_ascii_hexdigit);
    let is_token = b.len() >= 20
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'%'))
        && (digits * 3 >= b.len()
            || (b.iter().any(u8::is_ascii_uppercase) && b.iter().any(u8::is_ascii_lowercase)));
    is_uuid || is_hex || is_token
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(host: &str, rest: &str, scope: Scope) -> Vec<String> {
        Shape::new(rest)
            .signals(host, scope)
            .into_iter()
            .map(|s| s.text.to_string())
            .collect()
    }

    fn kinds(rest: &str) -> Vec<String> {
        texts("cdn.example", rest, Scope::Image)
    }

    #[test]
    fn reads_path_and_query() {
        let s = Shape::new("/a/b/P.GIF;x=1?q=1#frag?no");
        assert_eq!((s.path, s.query), ("/a/b/P.GIF;x=1", "q=1"));
        assert_eq!((&*s.last, s.ext(), s.stem()), ("p.gif", "gif", "p"));
        let s = Shape::new("");
        assert_eq!((s.path, s.query, s.stem()), ("", "", ""));
        let s = Shape::new("/.gif");
        assert_eq!((s.ext(), s.stem()), ("", ".gif"));
    }

    #[test]
    fn dimensions_and_names() {
        assert_eq!(kinds("/x?h=1&foo=2&w=1"), ["1x1 image (w=1&h=1)"]);
        assert_eq!(
            kinds("/img/1x1.gif"),
            ["1x1 image (1x1 in the path)", "pixel-like path (1x1.gif)"]
        );
        assert!(kinds("/img/11x1.gif").is_empty());
        assert!(kinds("/img/blank.gif").is_empty());
        assert_eq!(
            kinds("/img/blank.gif?a=1"),
            ["spacer image with a query (blank.gif)"]
        );
        assert_eq!(kinds("/tr/?id=1"), ["pixel-like path (/tr/)"]);
        assert_eq!(kinds("/a/pixel/x?id=1"), ["pixel-like path (/pixel/)"]);
        assert!(kinds("/a/b/pixel-art/x").is_empty());
        assert_eq!(kinds("/collect"), ["pixel-like path (collect)"]);
        assert_eq!(
            kinds("/usersync.aspx?p=1"),
            ["cookie-sync path (usersync.aspx)"]
        );
        assert_eq!(kinds("/x.gif?a=1"), ["pixel-like path (x.gif)"]);
        assert!(kinds("/x.gif").is_empty());
        assert!(kinds("/collect.jpg?a=1&b=2&c=3&cb=1").is_empty());
        assert!(kinds("/track.js").is_empty());
        assert_eq!(kinds("/i?e=pv&tv=js-2.10.0&url=x"), ["Snowplow event (/i)"]);
        assert!(kinds("/i?e=pv").is_empty());
    }

    #[test]
    fn scopes() {
        // Sizes are ad slots outside images; syncs and image-only names need an image.
        assert!(texts("ads.example", "/gampad/ads?sz=1x1", Scope::Request).is_empty());
        assert!(texts("ads.example", "/gampad/ads?sz=1x1", Scope::Frame).is_empty());
        assert!(texts("ads.example", "/hbid/imp?a=1", Scope::Request).is_empty());
        assert!(texts("ads.example", "/sync?a=1", Scope::Request).is_empty());
        assert_eq!(
            texts("ads.example", "/usersync.html", Scope::Frame),
            ["cookie-sync path (usersync.html)"]
        );
        assert_eq!(
            texts("api.example", "/v1/collect", Scope::Request),
            ["pixel-like path (collect)"]
        );
        // Query evidence is for images only.
        assert!(texts(
            "sync.ads.example",
            "/x?cb=1&id=3f2a9c1e7b6d4e5f8a9b",
            Scope::Request
        )
        .is_empty());
    }

    #[test]
    fn query_evidence() {
        assert_eq!(
            kinds("/i.gif?a=1&b=2&c=3&cb=99"),
            [
                "pixel-like path (i.gif)",
                "gif with a 4-parameter query",
                "cache buster (cb=)"
            ]
        );
        assert_eq!(
            kinds("/img.gif?a=1&b=2&c=3&cb=99"),
            ["gif with a 4-parameter query", "cache buster (cb=)"]
        );
        assert_eq!(
            kinds("/sync?uid=3f2a9c1e7b6d4e5f8a9b&p=1&r=1560000000000"),
            [
                "cookie-sync path (sync)",
                "identifier-heavy query",
                "cache buster (r=)"
            ]
        );
        assert_eq!(
            kinds("/x?dl=https%3A%2F%2Fsite.test%2F&_=1560000000"),
            ["cache buster (_=)", "web address in the query (dl=)"]
        );
        assert_eq!(
            kinds("/x?cb=https%3A%2F%2Fsite.test%2F"),
            Vec::<String>::new()
        );
        // An image proxy: the address is a picture's, the key the site's.
        assert!(kinds(
            "/1/display?key=fd92ebbc52fc43fb98f69e50e7893c13&url=https%3A%2F%2Fa.test%2Ffavicon.ico"
        )
        .is_empty());
        assert!(kinds("/logo.png?v=5f4dcc3b5aa765d61d8327deb882cf99&a=1&b=2").is_empty());
        assert!(
            kinds("/img.png?auto=format&w=400&h=300&s=5f4dcc3b5aa765d61d8327deb882cf99").is_empty()
        );
    }

    #[test]
    fn host_words() {
        assert_eq!(host_word("pixel-sync.sitescout.com"), Some("pixel"));
        assert_eq!(host_word("idsync.rlcdn.com"), Some("idsync"));
        assert_eq!(host_word("log1407.xiti.com"), Some("log"));
        assert_eq!(host_word("pixels.com"), None);
        assert_eq!(host_word("www.sync.com"), None);
        assert_eq!(host_word("static.example.com"), None);
        assert_eq!(host_word("com"), None);
        assert_eq!(host_word(""), None);
        assert_eq!(
            kinds("/x?id=3f2a9c1e7b6d4e5f8a9b").len(),
            1,
            "an identifier alone is not enough"
        );
        assert_eq!(
            texts(
                "sync.adtech.example",
                "/x?id=3f2a9c1e7b6d4e5f8a9b",
                Scope::Image
            ),
            ["collector host name (sync)", "identifier in the query"]
        );
    }

    #[test]
    fn params_split_like_the_query_reads() {
        let s = Shape::new("/x?a=1&&b;c=&=d;e=f=g&é=ü&");
        let got: Vec<_> = s.params().collect();
        assert_eq!(
            got,
            [
                ("a", "1"),
                ("b", ""),
                ("c", ""),
                ("", "d"),
                ("e", "f=g"),
                ("é", "ü")
            ]
        );
        assert_eq!(Shape::new("/x").params().count(), 0);
        assert_eq!(Shape::new("/x?&;&").params().count(), 0);
    }

    #[test]
    fn tokens_in_the_path() {
        assert!(has_token("/img/1x1.gif", "1x1"));
        assert!(has_token("/IMG/1X1.GIF", "1x1"));
        assert!(has_token("1x1", "1x1"));
        assert!(!has_token("/img/11x1.gif", "1x1"));
        assert!(!has_token("/img/1x1x1.gif", "1x1"));
        assert!(!has_token("/img/1x1a", "1x1"));
        assert!(!has_token("/é1x", "1x1"));
        assert!(!has_token("", "1x1"));
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("123e4567-e89b-12d3-a456-426614174000"));
        assert!(is_identifier("5f4dcc3b5aa765d61d8327deb882cf99"));
        assert!(is_identifier("GA1.2.1234567890.1560000000"));
        assert!(!is_identifier("1560000000000000"));
        assert!(!is_identifier("averylongwordwithoutdigits"));
        assert!(!is_identifier("short1"));
        assert!(!is_identifier("my-long-article-title-2019"));
        assert!(is_identifier("aGVsbG8gd29ybGQxMjM0NTY3OA"));
        assert!(!is_identifier("ééééééééééééééééé1"));
        assert!(!is_identifier("https%3A%2F%2Fsite.test%2F2019%2Fa1"));
    }
}
