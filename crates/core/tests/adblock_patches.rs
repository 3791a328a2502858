//! The vendored adblock's patched tokenizer (vendor/adblock/CRUMBWALL-PATCHES.md) gives exactly
//! the tokens of upstream's, checked against a copy of upstream's state machine on URL-like and
//! random text, ASCII and not.

use adblock::utils::{fast_hash, tokenize};

/// adblock-rust 0.13.5's `fast_tokenizer_no_regex` with `is_allowed_filter`, neither first nor
/// last token skipped, as published (the buffer holds 256 hashes, one kept free).
fn upstream_tokenize(pattern: &str) -> Vec<u64> {
    let mut tokens = Vec::new();
    let mut inside = false;
    let mut start = 0;
    let mut preceding_ch: Option<char> = None;
    for (i, c) in pattern.char_indices() {
        if 256 - tokens.len() <= 1 {
            return tokens;
        }
        if c.is_alphanumeric() {
            if !inside {
                inside = true;
                start = i;
            }
        } else if inside {
            inside = false;
            if i - start > 1 && c != '*' && preceding_ch != Some('*') {
                tokens.push(fast_hash(&pattern[start..i]));
            }
            preceding_ch = Some(c);
        } else {
            preceding_ch = Some(c);
        }
    }
    if inside && pattern.len() - start > 1 && preceding_ch != Some('*') {
        tokens.push(fast_hash(&pattern[start..]));
    }
    tokens
}

/// A small deterministic generator (xorshift), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn patched_tokenizer_matches_upstream() {
    let fixed = [
        "",
        "a",
        "ab",
        "https://ads.example.com/banner/300x250.gif?id=42&cb=*x",
        "*ab*cd*",
        "ab*",
        "*ab",
        "x*yz/zz*",
        "/a/bb/ccc/dddd",
        "é-ab-ünï-çd",
        "https://bücher.example/straße?q=日本語&x=ab",
    ];
    for text in fixed {
        assert_eq!(tokenize(text), upstream_tokenize(text), "{text:?}");
    }
    let alphabet: Vec<char> = "ab09Z*/.-?=&_%:é日".chars().collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let len = (rng.next() % 40) as usize;
        let text: String = (0..len)
            .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
            .collect();
        assert_eq!(tokenize(&text), upstream_tokenize(&text), "{text:?}");
    }
    // ASCII text of every byte value below 0x80, and of the bytes at the edges of the letter and
    // digit ranges (`/`, `0`, `9`, `:`, `@`, `A`, `Z`, `[`, `` ` ``, `a`, `z`, `{`), short and long.
    for _ in 0..20_000 {
        let len = (rng.next() % 300) as usize;
        let text: String = (0..len).map(|_| (rng.next() % 128) as u8 as char).collect();
        assert_eq!(tokenize(&text), upstream_tokenize(&text), "{text:?}");
    }
    let edges = "/09:@AZ[`az{*";
    for _ in 0..5_000 {
        let len = (rng.next() % 200) as usize;
        let text: String = (0..len)
            .map(|_| edges.as_bytes()[(rng.next() % edges.len() as u64) as usize] as char)
            .collect();
        assert_eq!(tokenize(&text), upstream_tokenize(&text), "{text:?}");
    }
    for len in [63, 64, 65, 127, 128, 129, 4095, 4096, 4097, 9000] {
        let text: String = (0..len)
            .map(|i| if i % 7 == 6 { '/' } else { 'a' })
            .collect();
        assert_eq!(tokenize(&text), upstream_tokenize(&text), "{len}");
        let one_token = "x".repeat(len);
        assert_eq!(tokenize(&one_token), upstream_tokenize(&one_token), "{len}");
    }
    // More tokens than the buffer holds: both stop at the same place.
    let many: String = (0..400).map(|i| format!("t{i}/")).collect();
    assert_eq!(tokenize(&many), upstream_tokenize(&many));
    let many_ascii_then_other = format!("{many}é");
    assert_eq!(
        tokenize(&many_ascii_then_other),
        upstream_tokenize(&many_ascii_then_other)
    );
}
