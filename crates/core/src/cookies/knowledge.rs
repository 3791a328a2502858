//! Known cookie names: the curated table embedded from `data/cookies-known.tsv` and the optional
//! Open Cookie Database, both loaded into a [`KnowledgeTable`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::{CookieInput, Purpose};

/// The curated table as written by the team (format in the file's header).
pub const CURATED_TSV: &str = include_str!("../../data/cookies-known.tsv");

/// Longest cookie name lowercased on the stack; longer names are lowercased into a `String`.
const STACK_NAME: usize = 128;

/// Where a known-cookie entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The team's curated table (`data/cookies-known.tsv`).
    Curated,
    /// The Open Cookie Database CSV.
    OpenCookieDatabase,
}

/// One known cookie name (or name prefix) with its purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownCookie {
    /// The cookie name, or the prefix when [`KnownCookie::prefix`] is true (without any `*`).
    pub name: String,
    /// True when `name` is a prefix (`_ga_` matching `_ga_ABC123`).
    pub prefix: bool,
    /// Why the cookie exists.
    pub purpose: Purpose,
    /// Who sets it or what it is (`Google Analytics`), when known.
    pub owner: Option<String>,
    /// Which table it comes from.
    pub source: Source,
}

/// How a name matched a [`KnownCookie`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// The name is exactly the entry's name.
    Exact,
    /// The name equals the entry's name ignoring ASCII case.
    ExactIgnoringCase,
    /// The name starts with the entry's prefix (ignoring ASCII case).
    Prefix,
}

/// A set of known cookie names and prefixes with their purposes.
///
/// Lookup order: exact (case-sensitive), exact ignoring ASCII case, then the longest matching
/// prefix (ignoring ASCII case). When two entries have the same key the first inserted wins.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeTable {
    entries: Vec<KnownCookie>,
    exact: FastMap<String, usize>,
    /// Lowercased exact names: the first entry, and whether other entries differ from it only
    /// in case (then [`KnowledgeTable::exact`] decides).
    exact_lower: FastMap<String, (usize, bool)>,
    prefixes: FastMap<String, usize>,
    /// Prefixes of two bytes or more by their first two (lowercased) bytes, longest first.
    prefix_buckets: FastMap<[u8; 2], Vec<usize>>,
    /// One-byte prefixes.
    short_prefixes: Vec<usize>,
}

/// A `HashMap` with [`FxHasher`]: the keys are known names, looked up with names from web
/// pages, so a fast hash beats a collision-resistant one.
pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The multiply-rotate hash of rustc (`FxHasher`), a word at a time.
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher(u64);

impl FxHasher {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::K);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl KnowledgeTable {
    /// An empty table.
    pub fn new() -> KnowledgeTable {
        KnowledgeTable::default()
    }

    /// Adds an entry; returns false (and keeps the existing one) when its key is already present.
    /// Entries with an empty name are refused.
    pub fn insert(&mut self, entry: KnownCookie) -> bool {
        if entry.name.is_empty() {
            return false;
        }
        let i = self.entries.len();
        if entry.prefix {
            let key = entry.name.to_ascii_lowercase();
            if self.prefixes.contains_key(&key) {
                return false;
            }
            let len = key.len();
            let list = match key.as_bytes() {
                [a, b, ..] => self.prefix_buckets.entry([*a, *b]).or_default(),
                _ => &mut self.short_prefixes,
            };
            // Longest first; among equal lengths, insertion order.
            let pos = list.partition_point(|&j| self.entries[j].name.len() >= len);
            list.insert(pos, i);
            self.prefixes.insert(key, i);
        } else {
            if self.exact.contains_key(&entry.name) {
                return false;
            }
            self.exact.insert(entry.name.clone(), i);
            self.exact_lower
                .entry(entry.name.to_ascii_lowercase())
                .and_modify(|(_, several)| *several = true)
                .or_insert((i, false));
        }
        self.entries.push(entry);
        true
    }

    /// Adds every entry of `other` whose key is not already present.
    pub fn extend(&mut self, other: KnowledgeTable) {
        for e in other.entries {
            self.insert(e);
        }
    }

    /// Number of entries (exact names and prefixes).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, in insertion order.
    pub fn entries(&self) -> &[KnownCookie] {
        &self.entries
    }

    /// The entry for a cookie name, and how it matched. Never allocates for names up to 128 bytes.
    pub fn lookup(&self, name: &str) -> Option<(&KnownCookie, MatchKind)> {
        if name.is_empty() {
            return None;
        }
        let mut buf = [0u8; STACK_NAME];
        let owned;
        let lower: &str = if !name.bytes().any(|b| b.is_ascii_uppercase()) {
            name
        } else if name.len() <= STACK_NAME {
            let b = &mut buf[..name.len()];
            b.copy_from_slice(name.as_bytes());
            b.make_ascii_lowercase();
            // ASCII lowercasing keeps UTF-8 valid.
            std::str::from_utf8(b).unwrap_or(name)
        } else {
            owned = name.to_ascii_lowercase();
            &owned
        };
        // An exact match is also a match ignoring case: one hash for both.
        if let Some(&(i, several)) = self.exact_lower.get(lower) {
            let exact = if several {
                self.exact.get(name).copied()
            } else {
                Some(i).filter(|&i| self.entries[i].name == name)
            };
            return Some(match exact {
                Some(j) => (&self.entries[j], MatchKind::Exact),
                None => (&self.entries[i], MatchKind::ExactIgnoringCase),
            });
        }
        let lb = lower.as_bytes();
        let bucket = match lb {
            [a, b, ..] => self.prefix_buckets.get(&[*a, *b]),
            _ => None,
        };
        bucket
            .into_iter()
            .flatten()
            .chain(&self.short_prefixes)
            .map(|&i| &self.entries[i])
            .find(|e| {
                let p = e.name.as_bytes();
                p.len() <= lb.len() && lb[..p.len()].eq_ignore_ascii_case(p)
            })
            .map(|e| (e, MatchKind::Prefix))
    }
}

/// Parses the curated table format (see `data/cookies-known.tsv`): `name<TAB>purpose<TAB>owner`,
/// `name*` for a prefix. Returns the table and one message per line it could not read.
pub fn parse_tsv(text: &str, source: Source) -> (KnowledgeTable, Vec<String>) {
    let mut table = KnowledgeTable::new();
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let name = cols.next().unwrap_or("").trim();
        let purpose = cols.next().unwrap_or("").trim();
        let owner = cols.next().unwrap_or("").trim();
        let Some(purpose) = Purpose::parse(purpose) else {
            errors.push(format!("line {}: unknown purpose `{purpose}`", n + 1));
            continue;
        };
        let (name, prefix) = match name.strip_suffix('*') {
            Some(p) => (p, true),
            None => (name, false),
        };
        if name.is_empty() || name.contains('*') {
            errors.push(format!("line {}: bad cookie name", n + 1));
            continue;
        }
        let entry = KnownCookie {
            name: name.to_owned(),
            prefix,
            purpose,
            owner: (!owner.is_empty()).then(|| owner.to_owned()),
            source,
        };
        if !table.insert(entry) {
            errors.push(format!("line {}: duplicate name `{name}`", n + 1));
        }
    }
    (table, errors)
}

/// Social networks: Marketing entries of these platforms are `social`.
const SOCIAL_PLATFORMS: [&str; 16] = [
    "facebook",
    "meta",
    "twitter",
    "x",
    "linkedin",
    "pinterest",
    "tiktok",
    "instagram",
    "reddit",
    "vk",
    "vkontakte",
    "snapchat",
    "tumblr",
    "xing",
    "weibo",
    "whatsapp",
];

/// Whether a platform name (`Facebook`, `X (Twitter)`, `LinkedIn Ads`) is a social network.
pub fn is_social_platform(platform: &str) -> bool {
    platform
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| SOCIAL_PLATFORMS.iter().any(|s| w.eq_ignore_ascii_case(s)))
}

/// The purpose of an Open Cookie Database `Category` for a given `Platform`:
/// Functional/Necessary/Security → technical, Personalization → personalization,
/// Analytics → statistical, Marketing → advertising (social for social networks).
pub fn ocd_purpose(category: &str, platform: &str) -> Option<Purpose> {
    let p = Purpose::parse(category.trim())?;
    Some(
        if p == Purpose::Advertising && is_social_platform(platform) {
            Purpose::Social
        } else {
            p
        },
    )
}

/// Splits CSV text (RFC 4180: quoted fields, `""` escapes, line breaks inside quotes) into records.
pub(crate) fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => in_quotes = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                any = false;
            }
            _ => field.push(c),
        }
    }
    if any {
        record.push(field);
        records.push(record);
    }
    records
}

/// One labelled row of the Open Cookie Database, as read by [`ocd_rows`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcdRow {
    /// 1-based record number (the header is record 1).
    pub line: usize,
    /// `Platform`.
    pub platform: String,
    /// `Category` as written.
    pub category: String,
    /// `Cookie / Data Key name`.
    pub name: String,
    /// `Domain` as written (may be empty or free text).
    pub domain: String,
    /// `Retention period` as written.
    pub retention: String,
    /// `Wildcard match` is 1.
    pub wildcard: bool,
}

/// The rows of the Open Cookie Database CSV, by header name; errors for a missing column.
pub fn ocd_rows(text: &str) -> Result<Vec<OcdRow>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = csv_records(text).into_iter();
    let header = records
        .next()
        .ok_or("the Open Cookie Database file is empty")?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("the Open Cookie Database has no `{name}` column"))
    };
    let (platform, category, name) = (
        col("Platform")?,
        col("Category")?,
        col("Cookie / Data Key name")?,
    );
    let domain = col("Domain").ok();
    let retention = col("Retention period").ok();
    let wildcard = col("Wildcard match").ok();
    let get = |r: &[String], i: Option<usize>| -> String {
        i.and_then(|i| r.get(i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    Ok(records
        .enumerate()
        .filter(|(_, r)| !(r.len() == 1 && r[0].trim().is_empty()))
        .map(|(i, r)| OcdRow {
            line: i + 2,
            platform: get(&r, Some(platform)),
            category: get(&r, Some(category)),
            name: get(&r, Some(name)),
            domain: get(&r, domain),
            retention: get(&r, retention),
            wildcard: get(&r, wildcard) == "1",
        })
        .collect())
}

/// The site a cookie the Open Cookie Database marks "(3rd party)" is seen on by [`OcdRow::input`]:
/// a neutral site of no platform, so that the cookie is third party.
const OCD_THIRD_PARTY_SITE: &str = "https://www.neutral-site.example/";

impl OcdRow {
    /// The purpose its `Category` and `Platform` map to ([`ocd_purpose`]).
    pub fn purpose(&self) -> Option<Purpose> {
        ocd_purpose(&self.category, &self.platform)
    }

    /// The name without a wildcard `*`.
    pub fn bare_name(&self) -> &str {
        self.name.trim_end_matches('*')
    }

    /// Seconds of its `Retention period` ("2 years", "30 days", "1 hour"); `None` for a session
    /// cookie or text without a number.
    pub fn expires_in(&self) -> Option<i64> {
        let s = self.retention.to_ascii_lowercase();
        let n: i64 = s
            .split(|c: char| !c.is_ascii_digit())
            .find(|p| !p.is_empty())
            .and_then(|p| p.parse().ok())?;
        let unit = if s.contains("year") {
            365 * 86400
        } else if s.contains("month") {
            30 * 86400
        } else if s.contains("week") {
            7 * 86400
        } else if s.contains("day") {
            86400
        } else if s.contains("hour") {
            3600
        } else if s.contains("min") {
            60
        } else {
            1
        };
        Some(n.saturating_mul(unit))
    }

    /// The cookie as a browser would report it, from what the row says: its name (without a
    /// wildcard `*`), the first word of its `Domain` when that is a host, its lifetime, and a
    /// neutral other site ([`OCD_THIRD_PARTY_SITE`]) when the domain is marked "3rd party" (no
    /// site otherwise). No value: the database has none.
    pub fn input(&self) -> CookieInput<'_> {
        let domain = self.domain.split_whitespace().next().unwrap_or("");
        let domain = if domain.contains('.') { domain } else { "" };
        let third = self.domain.to_ascii_lowercase().contains("3rd party");
        CookieInput {
            name: self.bare_name(),
            domain,
            path: "/",
            expires_in: self.expires_in(),
            site: (third && !domain.is_empty()).then_some(OCD_THIRD_PARTY_SITE),
            ..CookieInput::default()
        }
    }
}

/// Reads the Open Cookie Database CSV (columns found by header name) into a table: wildcard
/// rows become prefixes, categories map through [`ocd_purpose`], the platform is the owner.
/// Returns the table and one message per record it could not use (the first of duplicate names
/// is kept silently).
pub fn parse_ocd_csv(text: &str) -> (KnowledgeTable, Vec<String>) {
    match ocd_rows(text) {
        Ok(rows) => KnowledgeTable::from_ocd_rows(&rows),
        Err(e) => (KnowledgeTable::new(), vec![e]),
    }
}

impl KnowledgeTable {
    /// A table of Open Cookie Database rows (see [`parse_ocd_csv`]), and one message per row it
    /// could not use.
    pub fn from_ocd_rows<'a>(
        rows: impl IntoIterator<Item = &'a OcdRow>,
    ) -> (KnowledgeTable, Vec<String>) {
        let mut table = KnowledgeTable::new();
        let mut errors = Vec::new();
        for row in rows {
            let Some(purpose) = row.purpose() else {
                errors.push(format!(
                    "record {}: unknown category `{}`",
                    row.line, row.category
                ));
                continue;
            };
            let raw = row.bare_name();
            if raw.is_empty() {
                errors.push(format!("record {}: empty cookie name", row.line));
                continue;
            }
            table.insert(KnownCookie {
                name: raw.to_owned(),
                prefix: row.wildcard || raw.len() != row.name.len(),
                purpose,
                owner: (!row.platform.is_empty()).then(|| row.platform.clone()),
                source: Source::OpenCookieDatabase,
            });
        }
        (table, errors)
    }
}
