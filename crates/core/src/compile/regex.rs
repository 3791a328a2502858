//! Regex filters (`/.../`): can Chrome run them, and how big would they be?
//!
//! Filter-list regexes are JavaScript regexes; Chrome's `regexFilter` is RE2. This module parses
//! the JavaScript text with RE2's rules and rejects what either engine would read differently or
//! RE2 cannot do (lookaround, backreferences, `\u`, `\p`, `[^]`, possessive and doubled
//! quantifiers, inline flags, atomic groups, POSIX classes...).
//!
//! ## Size
//!
//! Chrome compiles each `regexFilter` with RE2 under `max_mem = 2 KB`, in Latin-1 mode, without
//! captures, and skips a rule whose program does not fit. That limit is a ceiling on the number
//! of program instructions: 116, measured in Chromium (`a{112}` is the largest `a{n}` accepted).
//! [`estimate`] models RE2's compiler: every literal byte, every byte range of a class (upper- and
//! lower-case twins share one case-folding range), every `?`/`*`/`+` and every extra alternative
//! costs one instruction; counted repetition is unrolled (`x{2,5}` = 5 copies + 3); an
//! alternation of single characters is one class; the program has a Fail and a Match instruction
//! and, unless anchored with `^`, a two-instruction `.*?` loop. A leading `^` followed by literal
//! text is cut off by RE2 as a "required prefix" and costs nothing. The estimate never
//! undercounts what it models; where RE2 shares work (common prefixes of alternatives) it
//! overcounts, which only rejects a regex that might have fit.
//!
//! A regex that is plain literal text (optionally with `^`/`$`) becomes a `urlFilter` instead,
//! which keeps it out of the 1,000-regex budget.

use super::report::Reason;

/// Largest RE2 program (in instructions) Chrome accepts for a `regexFilter`.
pub const REGEX_PROGRAM_BUDGET: usize = 116;

/// RE2's largest counted repetition.
const MAX_REPEAT: u32 = 1000;

/// Nesting depth accepted (RE2 allows 1000; filter lists never come close).
const MAX_DEPTH: usize = 100;

/// What a regex filter compiles to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Analysis {
    /// Plain text: this DNR `urlFilter` means the same.
    UrlFilter(String),
    /// A `regexFilter` with the estimated RE2 program size (≤ [`REGEX_PROGRAM_BUDGET`]).
    Regex(usize),
}

/// Checks a regex body (without the slashes) for Chrome.
pub(crate) fn analyze(src: &str, case_sensitive: bool) -> Result<Analysis, Reason> {
    let node = parse(src)?;
    if let Some(lit) = as_url_filter(&node) {
        return Ok(Analysis::UrlFilter(lit));
    }
    let size = estimate_node(&node, !case_sensitive);
    if size > REGEX_PROGRAM_BUDGET {
        return Err(Reason::RegexTooLarge);
    }
    Ok(Analysis::Regex(size))
}

/// `s` with RE2's metacharacters escaped, for literal text inside a generated `regexFilter`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The estimated RE2 program size of `src` (case-insensitive when `fold`), or why it is rejected.
pub fn estimate(src: &str, fold: bool) -> Result<usize, Reason> {
    parse(src).map(|n| estimate_node(&n, fold))
}

/// A set of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteSet([u64; 4]);

impl ByteSet {
    const EMPTY: ByteSet = ByteSet([0; 4]);

    fn add(&mut self, b: u8) {
        self.0[(b >> 6) as usize] |= 1u64 << (b & 63);
    }

    fn add_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.add(b);
        }
    }

    fn has(&self, b: u8) -> bool {
        self.0[(b >> 6) as usize] & (1u64 << (b & 63)) != 0
    }

    fn union(&mut self, o: &ByteSet) {
        for i in 0..4 {
            self.0[i] |= o.0[i];
        }
    }

    fn negate(&mut self) {
        for w in &mut self.0 {
            *w = !*w;
        }
    }

    fn single(b: u8) -> ByteSet {
        let mut s = ByteSet::EMPTY;
        s.add(b);
        s
    }

    fn folded(&self) -> ByteSet {
        let mut s = *self;
        for b in b'A'..=b'Z' {
            if self.has(b) || self.has(b + 32) {
                s.add(b);
                s.add(b + 32);
            }
        }
        s
    }

    /// Maximal ranges, in order.
    fn ranges(&self) -> Vec<(u8, u8)> {
        let mut out = Vec::new();
        let mut start: Option<u8> = None;
        for b in 0..=255u8 {
            match (self.has(b), start) {
                (true, None) => start = Some(b),
                (false, Some(s)) => {
                    out.push((s, b - 1));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, 255));
        }
        out
    }

    /// Whether every ASCII letter is in the set exactly when its other case is.
    fn folds_ascii(&self) -> bool {
        (b'A'..=b'Z').all(|b| self.has(b) == self.has(b + 32))
    }

    /// Instructions for the class (`self` is the effective set: already folded and negated):
    /// k ranges cost k byte ranges and k-1 alternations. As in RE2's compiler, a class that
    /// behaves the same on `A-Z` as on `a-z` drops its ranges wholly inside `A-Z` (the lower-case
    /// ones match both cases), whether or not the regex is case-insensitive.
    fn cost(&self) -> usize {
        let ranges = self.ranges();
        let k = if self.folds_ascii() {
            ranges
                .iter()
                .filter(|&&(lo, hi)| !(lo >= b'A' && hi <= b'Z'))
                .count()
        } else {
            ranges.len()
        };
        if k == 0 {
            return 1;
        }
        2 * k - 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assertion {
    Begin,
    End,
    WordBoundary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Empty,
    Literal(u8),
    /// A byte class: its members as written, and whether it is negated (`[^...]`). RE2 closes the
    /// members under case folding before negating.
    Class(ByteSet, bool),
    Assert(Assertion),
    Concat(Vec<Node>),
    Alternate(Vec<Node>),
    Group(Box<Node>),
    /// `x{min,max}` (`max` `None`: unbounded), and whether it is lazy (`*?`).
    Repeat(Box<Node>, u32, Option<u32>, bool),
}

fn parse(src: &str) -> Result<Node, Reason> {
    if src.is_empty() {
        return Err(Reason::BadRegex);
    }
    if !src.is_ascii() {
        return Err(Reason::RegexNonAscii);
    }
    let mut p = P {
        s: src.as_bytes(),
        i: 0,
    };
    let node = p.alternation(0)?;
    if p.i != p.s.len() {
        // A ')' without '('.
        return Err(Reason::BadRegex);
    }
    Ok(node)
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at(&self, off: usize) -> Option<u8> {
        self.s.get(self.i + off).copied()
    }

    fn starts_with(&self, t: &[u8]) -> bool {
        self.s.get(self.i..).is_some_and(|r| r.starts_with(t))
    }

    fn alternation(&mut self, depth: usize) -> Result<Node, Reason> {
        if depth > MAX_DEPTH {
            return Err(Reason::RegexUnsupported);
        }
        let mut branches = vec![self.concat(depth)?];
        while self.peek() == Some(b'|') {
            self.i += 1;
            branches.push(self.concat(depth)?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alternate(branches)
        })
    }

    fn concat(&mut self, depth: usize) -> Result<Node, Reason> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == b'|' || c == b')' {
                break;
            }
            let atom = self.atom(depth)?;
            let atom = self.quantifiers(atom)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    /// `{n}`, `{n,}`, `{n,m}` at the current position, if it is one.
    fn counted(&self) -> Option<(usize, u32, Option<u32>)> {
        let rest = self.s.get(self.i..)?;
        if rest.first() != Some(&b'{') {
            return None;
        }
        let close = rest.iter().position(|&c| c == b'}')?;
        let inner = std::str::from_utf8(rest.get(1..close)?).ok()?;
        let (a, b) = match inner.split_once(',') {
            Some((a, b)) => (a, Some(b)),
            None => (inner, None),
        };
        if a.is_empty() || !a.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if let Some(b) = b {
            if !b.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
        }
        let min = a.parse::<u32>().unwrap_or(u32::MAX);
        let max = match b {
            None => Some(min),
            Some("") => None,
            Some(b) => Some(b.parse::<u32>().unwrap_or(u32::MAX)),
        };
        Some((close + 1, min, max))
    }

    fn is_quantifier(&self) -> bool {
        matches!(self.peek(), Some(b'*' | b'+' | b'?')) || self.counted().is_some()
    }

    fn quantifiers(&mut self, atom: Node) -> Result<Node, Reason> {
        let (min, max) = match self.peek() {
            Some(b'*') => {
                self.i += 1;
                (0, None)
            }
            Some(b'+') => {
                self.i += 1;
                (1, None)
            }
            Some(b'?') => {
                self.i += 1;
                (0, Some(1))
            }
            Some(b'{') => match self.counted() {
                Some((len, min, max)) => {
                    self.i += len;
                    if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
                        return Err(Reason::RegexTooLarge);
                    }
                    if max.is_some_and(|m| m < min) {
                        return Err(Reason::BadRegex);
                    }
                    (min, max)
                }
                None => return Ok(atom),
            },
            _ => return Ok(atom),
        };
        if matches!(atom, Node::Assert(_) | Node::Empty) {
            // JavaScript: "nothing to repeat".
            return Err(Reason::BadRegex);
        }
        let lazy = self.peek() == Some(b'?');
        if lazy {
            self.i += 1;
        }
        if self.is_quantifier() {
            // `a**`, `a*+` (possessive), `a{2}{3}`: RE2 rejects them.
            return Err(Reason::RegexUnsupported);
        }
        Ok(Node::Repeat(Box::new(atom), min, max, lazy))
    }

    fn atom(&mut self, depth: usize) -> Result<Node, Reason> {
        let c = self.peek().ok_or(Reason::BadRegex)?;
        match c {
            b'(' => {
                self.i += 1;
                if self.peek() == Some(b'?') {
                    if self.starts_with(b"?:") {
                        self.i += 2;
                    } else if [&b"?="[..], b"?!", b"?<=", b"?<!"]
                        .iter()
                        .any(|t| self.starts_with(t))
                    {
                        return Err(Reason::RegexLookaround);
                    } else if self.starts_with(b"?<") || self.starts_with(b"?P<") {
                        // Named group.
                        let close = self
                            .s
                            .get(self.i..)
                            .and_then(|r| r.iter().position(|&c| c == b'>'));
                        let close = close.ok_or(Reason::BadRegex)?;
                        let name_start = if self.at(1) == Some(b'P') { 3 } else { 2 };
                        let name = self
                            .s
                            .get(self.i + name_start..self.i + close)
                            .unwrap_or(&[]);
                        if name.is_empty()
                            || !name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
                        {
                            return Err(Reason::BadRegex);
                        }
                        self.i += close + 1;
                    } else {
                        // Atomic groups, inline flags, comments, conditionals.
                        return Err(Reason::RegexUnsupported);
                    }
                }
                let inner = self.alternation(depth + 1)?;
                if self.peek() != Some(b')') {
                    return Err(Reason::BadRegex);
                }
                self.i += 1;
                Ok(Node::Group(Box::new(inner)))
            }
            b'[' => self.class(),
            b'\\' => self.escape(),
            b'.' => {
                self.i += 1;
                Ok(Node::Class(ByteSet::single(b'\n'), true))
            }
            b'^' => {
                self.i += 1;
                Ok(Node::Assert(Assertion::Begin))
            }
            b'$' => {
                self.i += 1;
                Ok(Node::Assert(Assertion::End))
            }
            b'*' | b'+' | b'?' => Err(Reason::BadRegex),
            b'{' if self.counted().is_some() => Err(Reason::BadRegex),
            _ => {
                self.i += 1;
                Ok(Node::Literal(c))
            }
        }
    }

    /// An escape outside a class.
    fn escape(&mut self) -> Result<Node, Reason> {
        self.i += 1;
        let c = self.peek().ok_or(Reason::BadRegex)?;
        self.i += 1;
        if let Some(set) = perl_class(c) {
            return Ok(Node::Class(set, false));
        }
        match c {
            b'b' | b'B' => Ok(Node::Assert(Assertion::WordBoundary)),
            b'1'..=b'9' | b'k' => Err(Reason::RegexBackreference),
            _ => self.escaped_byte(c).map(Node::Literal),
        }
    }

    /// The byte an escape (after the backslash, `c` consumed) stands for, in or out of a class.
    fn escaped_byte(&mut self, c: u8) -> Result<u8, Reason> {
        match c {
            b'n' => Ok(b'\n'),
            b'r' => Ok(b'\r'),
            b't' => Ok(b'\t'),
            b'f' => Ok(0x0c),
            b'v' => Ok(0x0b),
            b'0' => {
                if self.peek().is_some_and(|d| d.is_ascii_digit()) {
                    Err(Reason::RegexUnsupported)
                } else {
                    Ok(0)
                }
            }
            b'x' => {
                let h = self
                    .s
                    .get(self.i..self.i + 2)
                    .ok_or(Reason::RegexUnsupported)?;
                if !h.iter().all(|b| b.is_ascii_hexdigit()) {
                    return Err(Reason::RegexUnsupported);
                }
                let h = std::str::from_utf8(h).map_err(|_| Reason::RegexUnsupported)?;
                let v = u8::from_str_radix(h, 16).map_err(|_| Reason::RegexUnsupported)?;
                self.i += 2;
                Ok(v)
            }
            // Punctuation and space are literal in both engines.
            c if c.is_ascii_punctuation() && c != b'_' => Ok(c),
            b' ' => Ok(b' '),
            // Letters, digits, `_`, control characters: JavaScript and RE2 disagree or RE2
            // rejects them (`\u`, `\p`, `\c`, `\a`, `\A`, `\z`, `\Z`, `\Q`, `\e`, `\_`...).
            _ => Err(Reason::RegexUnsupported),
        }
    }

    fn class(&mut self) -> Result<Node, Reason> {
        self.i += 1;
        let mut set = ByteSet::EMPTY;
        let negated = self.peek() == Some(b'^');
        if negated {
            self.i += 1;
        }
        if self.peek() == Some(b']') {
            // JavaScript: `[]` matches nothing, `[^]` anything; RE2 reads `]` as a member.
            return Err(Reason::RegexUnsupported);
        }
        loop {
            let c = self.peek().ok_or(Reason::BadRegex)?;
            if c == b']' {
                self.i += 1;
                break;
            }
            if c == b'[' && matches!(self.at(1), Some(b':' | b'=' | b'.')) {
                // POSIX class in RE2, literal text in JavaScript.
                return Err(Reason::RegexUnsupported);
            }
            let lo = match self.class_atom()? {
                ClassAtom::Set(s) => {
                    set.union(&s);
                    continue;
                }
                ClassAtom::Byte(b) => b,
            };
            if self.peek() == Some(b'-') && self.at(1).is_some_and(|n| n != b']') {
                self.i += 1;
                let hi = match self.class_atom()? {
                    ClassAtom::Byte(b) => b,
                    // `[a-\d]`: JavaScript reads a literal '-', RE2 rejects it.
                    ClassAtom::Set(_) => return Err(Reason::RegexUnsupported),
                };
                if hi < lo {
                    return Err(Reason::BadRegex);
                }
                set.add_range(lo, hi);
            } else {
                set.add(lo);
            }
        }
        Ok(Node::Class(set, negated))
    }

    fn class_atom(&mut self) -> Result<ClassAtom, Reason> {
        let c = self.peek().ok_or(Reason::BadRegex)?;
        self.i += 1;
        if c != b'\\' {
            return Ok(ClassAtom::Byte(c));
        }
        let e = self.peek().ok_or(Reason::BadRegex)?;
        self.i += 1;
        if let Some(set) = perl_class(e) {
            return Ok(ClassAtom::Set(set));
        }
        match e {
            // `[\b]` is a backspace in JavaScript, an error in RE2.
            b'b' | b'B' => Err(Reason::RegexUnsupported),
            b'1'..=b'9' | b'k' => Err(Reason::RegexBackreference),
            _ => self.escaped_byte(e).map(ClassAtom::Byte),
        }
    }
}

enum ClassAtom {
    Byte(u8),
    Set(ByteSet),
}

/// `\d`, `\w`, `\s` and their negations (ASCII, as in RE2).
fn perl_class(c: u8) -> Option<ByteSet> {
    let mut s = ByteSet::EMPTY;
    match c.to_ascii_lowercase() {
        b'd' => s.add_range(b'0', b'9'),
        b'w' => {
            s.add_range(b'0', b'9');
            s.add_range(b'A', b'Z');
            s.add_range(b'a', b'z');
            s.add(b'_');
        }
        b's' => {
            s.add_range(b'\t', b'\n');
            s.add_range(0x0c, b'\r');
            s.add(b' ');
        }
        _ => return None,
    }
    if c.is_ascii_uppercase() {
        s.negate();
    }
    Some(s)
}

/// The bytes a class matches (folded first when `fold`, then negated).
fn effective(set: &ByteSet, negated: bool, fold: bool) -> ByteSet {
    let mut s = if fold { set.folded() } else { *set };
    if negated {
        s.negate();
    }
    s
}

/// The set of bytes a node matches when it is exactly one byte wide (for folding alternations of
/// single characters into a class, as RE2's parser does).
fn single_set(n: &Node, fold: bool) -> Option<ByteSet> {
    match n {
        Node::Literal(b) => Some(effective(&ByteSet::single(*b), false, fold)),
        Node::Class(s, neg) => Some(effective(s, *neg, fold)),
        Node::Group(g) => single_set(g, fold),
        _ => None,
    }
}

fn cost(n: &Node, fold: bool) -> usize {
    match n {
        Node::Empty => 0,
        Node::Literal(_) => 1,
        Node::Class(s, neg) => effective(s, *neg, fold).cost(),
        Node::Assert(_) => 1,
        Node::Group(g) => cost(g, fold),
        Node::Concat(v) => coalesce(v)
            .iter()
            .fold(0usize, |a, x| a.saturating_add(cost(x, fold))),
        Node::Alternate(v) => {
            // RE2's parser turns each run of adjacent single-character branches into one class.
            let mut parts: Vec<usize> = Vec::new();
            let mut run: Option<ByteSet> = None;
            for x in v {
                match (single_set(x, fold), run.as_mut()) {
                    (Some(s), Some(r)) => r.union(&s),
                    (Some(s), None) => run = Some(s),
                    (None, _) => {
                        if let Some(r) = run.take() {
                            parts.push(r.cost());
                        }
                        parts.push(cost(x, fold));
                    }
                }
            }
            if let Some(r) = run.take() {
                parts.push(r.cost());
            }
            parts
                .iter()
                .fold(parts.len().saturating_sub(1), |a, c| a.saturating_add(*c))
        }
        Node::Repeat(x, min, max, _) => {
            let c = cost(x, fold);
            let (min, max) = (*min as usize, max.map(|m| m as usize));
            match max {
                Some(0) => 0,
                None => min.max(1).saturating_mul(c).saturating_add(1),
                Some(max) => max.saturating_mul(c).saturating_add(max - min.min(max)),
            }
        }
    }
}

/// RE2 merges a repetition of a literal or class with what follows when that is another
/// repetition of the same thing (same greediness) or the thing itself: `\w+\w{3}` is `\w{4,}`.
fn coalesce(items: &[Node]) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::with_capacity(items.len());
    for x in items {
        if let Some(Node::Repeat(a, min, max, lazy)) = out.last_mut() {
            if matches!(**a, Node::Literal(_) | Node::Class(..)) {
                let other = match x {
                    Node::Repeat(b, m2, x2, l2) if **b == **a && *l2 == *lazy => Some((*m2, *x2)),
                    b if *b == **a => Some((1, Some(1))),
                    _ => None,
                };
                if let Some((m2, x2)) = other {
                    *min = min.saturating_add(m2);
                    *max = match (*max, x2) {
                        (Some(p), Some(q)) => Some(p.saturating_add(q)),
                        _ => None,
                    };
                    continue;
                }
            }
        }
        out.push(x.clone());
    }
    out
}

/// The estimated size of the whole program (see the module documentation).
fn estimate_node(n: &Node, fold: bool) -> usize {
    const BASE: usize = 2; // Fail + Match
    const LOOP: usize = 2; // unanchored `.*?`
    let items: &[Node] = match n {
        Node::Concat(v) => v,
        other => std::slice::from_ref(other),
    };
    if let Some(Node::Assert(Assertion::Begin)) = items.first() {
        let lits = items
            .iter()
            .skip(1)
            .take_while(|x| matches!(x, Node::Literal(_)))
            .count();
        if lits > 0 {
            let rest: Vec<Node> = items.iter().skip(1 + lits).cloned().collect();
            return (BASE + LOOP).saturating_add(cost(&Node::Concat(rest), fold));
        }
        return BASE.saturating_add(cost(n, fold));
    }
    BASE.saturating_add(LOOP).saturating_add(cost(n, fold))
}

/// A regex that is only literal text, optionally anchored, as a DNR `urlFilter`.
fn as_url_filter(n: &Node) -> Option<String> {
    let items: &[Node] = match n {
        Node::Concat(v) => v,
        other => std::slice::from_ref(other),
    };
    let mut out = String::new();
    let mut body = items;
    if let Some(Node::Assert(Assertion::Begin)) = body.first() {
        out.push('|');
        body = body.get(1..).unwrap_or(&[]);
    }
    let mut end = false;
    if let Some(Node::Assert(Assertion::End)) = body.last() {
        end = true;
        body = body.get(..body.len() - 1).unwrap_or(&[]);
    }
    if body.is_empty() {
        return None;
    }
    for x in body {
        match x {
            Node::Literal(b) if b.is_ascii_graphic() && !matches!(b, b'*' | b'^' | b'|') => {
                out.push(*b as char)
            }
            _ => return None,
        }
    }
    if end {
        out.push('|');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(s: &str) -> usize {
        match estimate(s, true) {
            Ok(n) => n,
            Err(e) => panic!("{s}: {e:?}"),
        }
    }

    #[test]
    fn measured_limits() {
        // The measured ceiling: `a{112}` fits, `a{113}` does not; `^a{113}` fits.
        assert_eq!(size("a{112}"), 116);
        assert_eq!(size("a{113}"), 117);
        assert_eq!(size("^a{113}"), 116);
        // A literal prefix after `^` is free.
        assert_eq!(size("^https:\\/\\/a{112}"), 116);
        // `https?` keeps the `s?`.
        assert_eq!(size("^https?:"), 2 + 2 + 2 + 1);
    }

    /// Limits found with RE2 itself (Chrome's options: Latin-1, `max_mem` 2048, no captures):
    /// the largest `n` accepted for each shape.
    #[test]
    fn agrees_with_re2_limits() {
        let fits = |re: &str, fold: bool| estimate(re, fold).map(|n| n <= REGEX_PROGRAM_BUDGET);
        for (shape, n, fold) in [
            ("\\w{N}", 22, true),
            ("\\w{N}", 22, false),
            (".{N}", 37, true),
            ("[0-9a-f]{N}", 37, true),
            ("[^a]{N}", 22, true),
            ("[^a]{N}", 37, false),
            ("[^/]{N}", 37, true),
            ("(?:\\w{N}|\\d?[^?#])", 20, true),
            ("x(?:\\w{N}|\\d?[^?#]|\\b\\/)?-?$", 19, true),
            ("x[a-z]{1,N}", 56, true),
            ("(?:a{N}|b|c)", 110, true),
            ("(?:a{N}|bc)", 109, true),
            ("a{N}$", 111, true),
            ("b[a-z][a-z]{N}", 110, true),
            ("b\\w+\\w{N}", 21, true),
        ] {
            let at = shape.replace('N', &n.to_string());
            let over = shape.replace('N', &(n + 1).to_string());
            assert_eq!(fits(&at, fold), Ok(true), "{at}");
            assert_eq!(fits(&over, fold), Ok(false), "{over}");
        }
    }

    #[test]
    fn class_costs() {
        assert_eq!(size("[a-z]"), 4 + 1);
        assert_eq!(size("\\w"), 4 + 5);
        assert_eq!(size("."), 4 + 3);
        assert_eq!(size("[0-9a-f]{56}"), 4 + 56 * 3);
        assert_eq!(estimate("[a-z]", false), Ok(4 + 1));
        assert_eq!(estimate("[^a]", true), Ok(4 + 5));
        assert_eq!(size("(?:a|b|c)"), 4 + 1);
        assert_eq!(size("a|bc"), 4 + 1 + 2 + 1);
        assert_eq!(size("x{2,5}"), 4 + 5 + 3);
        assert_eq!(size("x{3,}"), 4 + 3 + 1);
        assert_eq!(size("x*?"), 4 + 2);
    }

    #[test]
    fn rejects_what_re2_cannot_do() {
        let cases = [
            ("a(?=b)", Reason::RegexLookaround),
            ("a(?!b)", Reason::RegexLookaround),
            ("(?<=a)b", Reason::RegexLookaround),
            ("(?<!a)b", Reason::RegexLookaround),
            ("(a)\\1", Reason::RegexBackreference),
            ("(?<n>a)\\k<n>", Reason::RegexBackreference),
            ("a*+", Reason::RegexUnsupported),
            ("a++", Reason::RegexUnsupported),
            ("a{2}{3}", Reason::RegexUnsupported),
            ("(?>a)", Reason::RegexUnsupported),
            ("(?i)a", Reason::RegexUnsupported),
            ("\\u0041", Reason::RegexUnsupported),
            ("\\p{L}", Reason::RegexUnsupported),
            ("[^]", Reason::RegexUnsupported),
            ("[]a]", Reason::RegexUnsupported),
            ("[[:alpha:]]", Reason::RegexUnsupported),
            ("\\_", Reason::RegexUnsupported),
            ("é", Reason::RegexNonAscii),
            ("a{1001}", Reason::RegexTooLarge),
            ("(", Reason::BadRegex),
            ("a)", Reason::BadRegex),
            ("*a", Reason::BadRegex),
            ("[a", Reason::BadRegex),
            ("[z-a]", Reason::BadRegex),
            ("a{3,2}", Reason::BadRegex),
            ("\\", Reason::BadRegex),
            ("", Reason::BadRegex),
            ("^*", Reason::BadRegex),
        ];
        for (re, want) in cases {
            assert_eq!(estimate(re, true), Err(want), "{re}");
        }
    }

    #[test]
    fn accepts_common_filter_regexes() {
        for re in [
            "^https?:\\/\\/[a-z]{8,15}\\.com\\/",
            "\\/[0-9a-f]{32}\\/invoke\\.js",
            "^https?:\\/\\/(?:www\\.)?example\\.(?:com|net)\\/ad[sx]?\\/",
            "a{,3}",
            "x{",
            "[\\w-.]",
            "(?P<x>a)|(?<y>b)",
            "\\x41\\0\\t",
        ] {
            assert!(estimate(re, true).is_ok(), "{re}: {:?}", estimate(re, true));
        }
    }

    #[test]
    fn literal_regexes_become_url_filters() {
        assert_eq!(analyze("ads", false), Ok(Analysis::UrlFilter("ads".into())));
        assert_eq!(
            analyze("\\/ad\\.js$", false),
            Ok(Analysis::UrlFilter("/ad.js|".into()))
        );
        assert_eq!(
            analyze("^https:\\/\\/x\\.com\\/", false),
            Ok(Analysis::UrlFilter("|https://x.com/".into()))
        );
        assert!(matches!(analyze("a\\*b", false), Ok(Analysis::Regex(_))));
        assert!(matches!(analyze("ads?", false), Ok(Analysis::Regex(_))));
        assert_eq!(analyze(".{200}", false), Err(Reason::RegexTooLarge));
    }
}
