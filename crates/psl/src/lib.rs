//! The [Public Suffix List](https://publicsuffix.org/) as a sorted table, for registrable domains
//! ("eTLD+1": `news.bbc.co.uk` → `bbc.co.uk`).
//!
//! It answers as the `psl` crate 2.1.247 does (the same list; `tests/differential.rs` compares
//! every rule in several shapes and many hosts), but as data rather than generated code: `psl`
//! compiles the list into a matcher of 1.8 MB of WebAssembly, this table is about 250 KB.
//! Lookups are binary searches, one per label of the host from the right, stopping as soon as no
//! longer rule can match. One difference, on purpose: for a name `Y.X` where both `*.X` and
//! `*.Y.X` are rules (22 names in this list, such as `ex.futurecms.at`), the list's algorithm
//! makes the whole name a public suffix; `psl` answers `X`'s parent instead. This crate follows
//! the list, as browsers do.
//!
//! [`List`] implements [`psl_types::List`], so `addr` (which adblock uses) parses names with it;
//! [`domain_str`] and [`suffix_str`] are the `psl` crate's helpers of the same names.
//!
//! The table does not tell ICANN suffixes from private ones: every rule the list has reports
//! [`Type::Icann`], and a name no rule covers falls back to its last label with no type (the
//! list's implicit `*` rule), as in `psl`.

#![no_std]
#![forbid(unsafe_code)]

pub use psl_types::{Domain, Info, List as Psl, Suffix, Type};

mod table {
    include!(concat!(env!("OUT_DIR"), "/table.rs"));
}

/// The key is a rule (`co.uk`).
const RULE: u8 = 1;
/// `*.key` is a rule: every label under the key is a suffix (`*.ck`).
const WILDCARD: u8 = 2;
/// `!key` is a rule: the key is not a suffix although a wildcard covers it (`!www.ck`).
const EXCEPTION: u8 = 4;
/// Longer keys end with this one (a lookup goes on).
const PARENT: u8 = 8;

/// The flags of `key`, or 0 when no rule mentions it.
fn flags(key: &[u8]) -> u8 {
    let (mut lo, mut hi) = (0usize, table::FLAGS.len());
    let keys = table::KEYS.as_bytes();
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = table::OFFSETS[mid] as usize;
        let end = table::OFFSETS[mid + 1] as usize;
        match keys[start..end].cmp(key) {
            core::cmp::Ordering::Less => lo = mid + 1,
            core::cmp::Ordering::Greater => hi = mid,
            core::cmp::Ordering::Equal => return table::FLAGS[mid],
        }
    }
    0
}

/// The Public Suffix List (both its ICANN and its private sections).
#[derive(Clone, Copy, Debug, Default)]
pub struct List;

impl Psl for List {
    /// `labels` from the right (`uk`, `co`, `bbc`): the length of the public suffix they end in.
    fn find<'a, T>(&self, mut labels: T) -> Info
    where
        T: Iterator<Item = &'a [u8]>,
    {
        let Some(mut label) = labels.next() else {
            return Info { len: 0, typ: None };
        };
        // The list's implicit rule `*`: an unknown top-level label is a suffix by itself.
        let mut info = Info {
            len: label.len(),
            typ: None,
        };
        // The candidate key, built right to left at the end of `buf`: `buf[start..]`.
        let mut buf = [0u8; table::MAX_KEY_LEN];
        let mut start = buf.len();
        let mut parent_wildcard = false;
        loop {
            let dot = usize::from(start < buf.len());
            if label.len() + dot > start {
                break; // longer than every key
            }
            if dot == 1 {
                start -= 1;
                buf[start] = b'.';
            }
            start -= label.len();
            buf[start..start + label.len()].copy_from_slice(label);
            let key = &buf[start..];
            let f = flags(key);
            if f & EXCEPTION != 0 {
                // `!key`: the suffix is the key without its first label.
                return Info {
                    len: key.len() - label.len() - 1,
                    typ: Some(Type::Icann),
                };
            }
            if f & RULE != 0 || parent_wildcard {
                info = Info {
                    len: key.len(),
                    typ: Some(Type::Icann),
                };
            }
            parent_wildcard = f & WILDCARD != 0;
            if f & (PARENT | WILDCARD) == 0 {
                break;
            }
            match labels.next() {
                Some(next) => label = next,
                None => break,
            }
        }
        info
    }
}

/// The public suffix of `name` (`co.uk` for `news.bbc.co.uk`), as the `psl` crate's `suffix`.
#[inline]
pub fn suffix(name: &[u8]) -> Option<Suffix<'_>> {
    List.suffix(name)
}

/// The public suffix of `name` as text, without a trailing dot; `None` for an empty name.
#[inline]
pub fn suffix_str(name: &str) -> Option<&str> {
    let bytes = suffix(name.as_bytes())?.trim().as_bytes();
    core::str::from_utf8(bytes).ok()
}

/// The registrable domain of `name` (`bbc.co.uk` for `news.bbc.co.uk`), as the `psl` crate's
/// `domain`.
#[inline]
pub fn domain(name: &[u8]) -> Option<Domain<'_>> {
    List.domain(name)
}

/// The registrable domain of `name` as text, without a trailing dot; `None` when `name` is a
/// public suffix itself or has no label left of one.
#[inline]
pub fn domain_str(name: &str) -> Option<&str> {
    let bytes = domain(name.as_bytes())?.trim().as_bytes();
    core::str::from_utf8(bytes).ok()
}
