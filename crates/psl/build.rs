//! Compiles `data/public_suffix_list.txt` into a sorted table (`$OUT_DIR/table.rs`).
//!
//! Each key is a rule without its `*.` / `!` prefix; its flags say which rules exist for it and
//! whether longer keys end with it (so a lookup knows when to stop). Rules with non-ASCII labels
//! are also entered in their punycode form (`xn--…`), as hosts arrive that way from URLs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

const RULE: u8 = 1;
const WILDCARD: u8 = 2;
const EXCEPTION: u8 = 4;
const PARENT: u8 = 8;

fn ascii_form(key: &str) -> Option<String> {
    if key.is_ascii() {
        return None;
    }
    let labels: Vec<String> = key
        .split('.')
        .map(|l| {
            if l.is_ascii() {
                l.to_owned()
            } else {
                format!("xn--{}", idna::punycode::encode_str(l).expect("punycode"))
            }
        })
        .collect();
    Some(labels.join("."))
}

fn main() {
    let source = "data/public_suffix_list.txt";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source).expect("read the public suffix list");
    let mut table: BTreeMap<String, u8> = BTreeMap::new();
    for line in text.lines() {
        let rule = line.split_whitespace().next().unwrap_or("");
        if rule.is_empty() || rule.starts_with("//") {
            continue;
        }
        let (key, flag) = if let Some(k) = rule.strip_prefix("*.") {
            (k, WILDCARD)
        } else if let Some(k) = rule.strip_prefix('!') {
            (k, EXCEPTION)
        } else {
            (rule, RULE)
        };
        assert!(
            !key.contains('*') && !key.contains('!'),
            "unsupported rule {rule}"
        );
        for k in std::iter::once(key.to_owned()).chain(ascii_form(key)) {
            // Every shorter suffix of a key is a parent: a lookup goes on past it.
            let mut rest = k.as_str();
            while let Some((_, parent)) = rest.split_once('.') {
                *table.entry(parent.to_owned()).or_insert(0) |= PARENT;
                rest = parent;
            }
            *table.entry(k).or_insert(0) |= flag;
        }
    }
    let mut data = String::new();
    let mut offsets = Vec::with_capacity(table.len() + 1);
    let mut flags = Vec::with_capacity(table.len());
    let mut max_len = 0;
    for (key, flag) in &table {
        offsets.push(data.len() as u32);
        data.push_str(key);
        flags.push(*flag);
        max_len = max_len.max(key.len());
    }
    offsets.push(data.len() as u32);
    let mut out = String::new();
    writeln!(
        out,
        "/// Longest key, in bytes.\npub(crate) const MAX_KEY_LEN: usize = {max_len};"
    )
    .unwrap();
    writeln!(
        out,
        "/// The keys, sorted, back to back.\npub(crate) static KEYS: &str = {data:?};"
    )
    .unwrap();
    writeln!(out, "/// Start of each key in `KEYS`, and its end.\npub(crate) static OFFSETS: [u32; {}] = {offsets:?};", offsets.len()).unwrap();
    writeln!(
        out,
        "/// Flags of each key.\npub(crate) static FLAGS: [u8; {}] = {flags:?};",
        flags.len()
    )
    .unwrap();
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("table.rs");
    std::fs::write(dest, out).expect("write the table");
}
