//! Splitting a list into lines: comments, headers, uBO preprocessor directives, cosmetic filters
//! and network filters.
//!
//! ## `!#if` blocks
//!
//! uBO's preprocessor (`!#if COND` / `!#else` / `!#endif`, nestable) is evaluated for the
//! environment the rules run in. For the Chrome rulesets ([`CHROMIUM_MV3`]) that is a Chromium
//! MV3 extension using declarativeNetRequest: `env_chromium` and `env_mv3` are true; every other
//! token (`env_firefox`, `env_safari`, `env_mobile`, `env_edge`, `cap_html_filtering`,
//! `cap_ipaddress`, `cap_user_stylesheet`, `ext_ublock`, `ext_ubol`, `adguard*`, `false`, and
//! anything unknown) is false. Conditions use `!`, `&&`, `||` and parentheses. An unreadable
//! condition counts as false (and is reported), so a block we cannot understand is skipped rather
//! than half-applied. `!#include` is ignored.
//!
//! adblock-rust reads `!#` lines as comments, so it applies every branch; [`active_lines`] gives
//! it only the lines that apply (with [`FIREFOX_MV3`] for the Firefox engine).

/// Tokens true for Crumbwall's Chrome rulesets.
pub const CHROMIUM_MV3: &[&str] = &["env_chromium", "env_mv3"];

/// Tokens true for Crumbwall's Firefox engine (adblock-rust behind `webRequest`).
pub const FIREFOX_MV3: &[&str] = &["env_firefox", "env_mv3"];

/// The lines of `text` that apply where `tokens` are true: directives and lines inside false
/// `!#if` blocks are left out, everything else is kept as it is.
pub fn active_lines(text: &str, tokens: &[&str]) -> String {
    let mut pre = Preprocessor::new(tokens);
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("!#") {
            let _ = pre.directive(t);
        } else if pre.active() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// What a (trimmed) line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// Empty.
    Blank,
    /// `! ...`, `# ...`, `[Adblock Plus 2.0]`.
    Comment,
    /// `!#if`, `!#else`, `!#endif`, `!#include`.
    Directive,
    /// Element hiding, scriptlets, HTML filters: not network filters.
    Cosmetic,
    /// Everything else.
    Network,
}

/// Classifies a trimmed line.
pub(crate) fn classify(line: &str) -> LineKind {
    if line.is_empty() {
        return LineKind::Blank;
    }
    if line.starts_with("!#") {
        return LineKind::Directive;
    }
    if line.starts_with('!') {
        return LineKind::Comment;
    }
    if line.starts_with('[') && line.ends_with(']') {
        return LineKind::Comment;
    }
    if line == "#"
        || line
            .strip_prefix('#')
            .is_some_and(|r| r.starts_with(char::is_whitespace))
    {
        return LineKind::Comment;
    }
    if is_cosmetic(line) {
        return LineKind::Cosmetic;
    }
    LineKind::Network
}

/// `##`, `#@#`, `#?#`, `#@?#`, `#$#`, `#@$#`, `#%#`, `#@%#`, `#$?#`, `#@$?#` (the markers of
/// element hiding, extended CSS, CSS injection, snippets and scriptlets) and AdGuard's HTML
/// filters (`$$`, `$@$`). As in adblock-rust, lines starting with `|` or `@@|` are network filters
/// whatever they contain.
fn is_cosmetic(line: &str) -> bool {
    if line.starts_with('|') || line.starts_with("@@|") {
        return false;
    }
    let b = line.as_bytes();
    if let Some(i) = b.iter().position(|&c| c == b'#') {
        let rest = &b[i + 1..];
        let mut j = 0;
        // Up to three marker characters between the two '#'.
        while j < rest.len() && j < 4 {
            match rest[j] {
                b'#' => return true,
                b'@' | b'?' | b'$' | b'%' => j += 1,
                _ => break,
            }
        }
    }
    line.contains("$$") || line.contains("$@$")
}

/// Tracks `!#if` nesting while a list is read line by line.
#[derive(Debug)]
pub struct Preprocessor<'t> {
    /// One entry per open `!#if`: (condition value, parent active, in else-branch).
    stack: Vec<(bool, bool, bool)>,
    tokens: &'t [&'t str],
}

impl Default for Preprocessor<'static> {
    /// For the Chrome rulesets ([`CHROMIUM_MV3`]).
    fn default() -> Self {
        Preprocessor::new(CHROMIUM_MV3)
    }
}

/// What a directive did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectiveResult {
    /// Understood.
    Ok,
    /// Misplaced or unreadable (reported as malformed; an unreadable `!#if` counts as false).
    Bad,
}

impl<'t> Preprocessor<'t> {
    /// A preprocessor for which exactly `tokens` are true.
    pub fn new(tokens: &'t [&'t str]) -> Preprocessor<'t> {
        Preprocessor {
            stack: Vec::new(),
            tokens,
        }
    }

    /// Whether lines at the current position are in effect.
    pub fn active(&self) -> bool {
        match self.stack.last() {
            None => true,
            Some(&(cond, parent, in_else)) => parent && (cond != in_else),
        }
    }

    /// Applies a (trimmed) `!#...` line.
    pub fn directive(&mut self, line: &str) -> DirectiveResult {
        let body = line.get(2..).unwrap_or("");
        if let Some(cond) = body.strip_prefix("if") {
            if !cond.is_empty() && !cond.starts_with(char::is_whitespace) {
                return DirectiveResult::Bad;
            }
            let parent = self.active();
            match eval(cond.trim(), self.tokens) {
                Some(v) => {
                    self.stack.push((v, parent, false));
                    DirectiveResult::Ok
                }
                None => {
                    self.stack.push((false, parent, false));
                    DirectiveResult::Bad
                }
            }
        } else if body.trim() == "else" {
            match self.stack.last_mut() {
                Some(top) if !top.2 => {
                    top.2 = true;
                    DirectiveResult::Ok
                }
                _ => DirectiveResult::Bad,
            }
        } else if body.trim() == "endif" {
            match self.stack.pop() {
                Some(_) => DirectiveResult::Ok,
                None => DirectiveResult::Bad,
            }
        } else {
            // `!#include` and anything else: a comment for us.
            DirectiveResult::Ok
        }
    }
}

/// Evaluates a condition with exactly `true_tokens` true; `None` when it cannot be read.
pub fn eval(cond: &str, true_tokens: &[&str]) -> Option<bool> {
    let tokens = tokenize(cond)?;
    if tokens.is_empty() {
        return None;
    }
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        depth: 0,
        truth: true_tokens,
    };
    let v = p.or()?;
    if p.pos == tokens.len() {
        Some(v)
    } else {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok<'a> {
    Not,
    And,
    Or,
    Open,
    Close,
    Ident(&'a str),
}

fn tokenize(s: &str) -> Option<Vec<Tok<'_>>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if let Some(r) = rest.strip_prefix("&&") {
            out.push(Tok::And);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("||") {
            out.push(Tok::Or);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('!') {
            out.push(Tok::Not);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('(') {
            out.push(Tok::Open);
            rest = r;
        } else if let Some(r) = rest.strip_prefix(')') {
            out.push(Tok::Close);
            rest = r;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            out.push(Tok::Ident(&rest[..end]));
            rest = &rest[end..];
        } else {
            return None;
        }
    }
    Some(out)
}

struct Parser<'t, 'a> {
    tokens: &'t [Tok<'a>],
    pos: usize,
    depth: usize,
    truth: &'t [&'t str],
}

impl<'a> Parser<'_, 'a> {
    fn peek(&self) -> Option<&Tok<'a>> {
        self.tokens.get(self.pos)
    }

    fn or(&mut self) -> Option<bool> {
        let mut v = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Some(v)
    }

    fn and(&mut self) -> Option<bool> {
        let mut v = self.unary()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            let r = self.unary()?;
            v = v && r;
        }
        Some(v)
    }

    fn unary(&mut self) -> Option<bool> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        let tok = self.peek()?.clone();
        self.pos += 1;
        let v = match tok {
            Tok::Not => !self.unary()?,
            Tok::Open => {
                let v = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return None;
                }
                self.pos += 1;
                v
            }
            Tok::Ident(name) => self.truth.contains(&name),
            _ => return None,
        };
        self.depth -= 1;
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_lines() {
        assert_eq!(classify(""), LineKind::Blank);
        assert_eq!(classify("! comment"), LineKind::Comment);
        assert_eq!(classify("[Adblock Plus 2.0]"), LineKind::Comment);
        assert_eq!(classify("# hosts-style comment"), LineKind::Comment);
        assert_eq!(classify("!#if env_chromium"), LineKind::Directive);
        for c in [
            "##.ad",
            "example.com##.ad",
            "example.com#@#.ad",
            "example.com#?#div:has(.ad)",
            "example.com#$#body { color: red }",
            "example.com#%#window.x=1",
            "example.com##+js(set, x, 1)",
            "example.com#@?#.ad",
            "example.com#$?#.ad { x }",
            "example.com$$script[data-ad]",
            "example.com$@$script",
        ] {
            assert_eq!(classify(c), LineKind::Cosmetic, "{c}");
        }
        for n in [
            "||ads.example.com^",
            "/banner/*",
            "@@||x.com^$document",
            "||x.com/#ad##",
            "|http://x.com/#a#b",
        ] {
            assert_eq!(classify(n), LineKind::Network, "{n}");
        }
    }

    #[test]
    fn active_lines_for_firefox() {
        let text = "a\n!#if env_firefox\nb\n!#else\nc\n!#endif\nd";
        assert_eq!(active_lines(text, FIREFOX_MV3), "a\nb\nd\n");
        assert_eq!(active_lines(text, CHROMIUM_MV3), "a\nc\nd\n");
    }

    fn eval(c: &str) -> Option<bool> {
        super::eval(c, CHROMIUM_MV3)
    }

    #[test]
    fn evaluates_conditions() {
        assert_eq!(eval("env_chromium"), Some(true));
        assert_eq!(eval("env_mv3"), Some(true));
        assert_eq!(eval("env_firefox"), Some(false));
        assert_eq!(eval("!env_firefox"), Some(true));
        assert_eq!(eval("env_chromium && !env_mobile"), Some(true));
        assert_eq!(eval("(ext_ublock || adguard) && env_chromium"), Some(false));
        assert_eq!(eval("cap_html_filtering"), Some(false));
        assert_eq!(eval("false"), Some(false));
        assert_eq!(eval("!false"), Some(true));
        assert_eq!(eval("!(env_safari || env_firefox)"), Some(true));
        assert_eq!(eval(""), None);
        assert_eq!(eval("env_chromium &&"), None);
        assert_eq!(eval("(env_chromium"), None);
        assert_eq!(eval("a b"), None);
        assert_eq!(eval("é"), None);
        let deep = "(".repeat(500) + "x" + &")".repeat(500);
        assert_eq!(eval(&deep), None);
    }

    #[test]
    fn nested_blocks() {
        let mut p = Preprocessor::default();
        assert!(p.active());
        assert_eq!(p.directive("!#if env_chromium"), DirectiveResult::Ok);
        assert!(p.active());
        assert_eq!(p.directive("!#if env_firefox"), DirectiveResult::Ok);
        assert!(!p.active());
        assert_eq!(p.directive("!#else"), DirectiveResult::Ok);
        assert!(p.active());
        assert_eq!(p.directive("!#else"), DirectiveResult::Bad);
        assert_eq!(p.directive("!#endif"), DirectiveResult::Ok);
        assert!(p.active());
        assert_eq!(p.directive("!#else"), DirectiveResult::Ok);
        assert!(!p.active());
        assert_eq!(p.directive("!#if !env_firefox"), DirectiveResult::Ok);
        assert!(!p.active(), "a true block inside a false one stays off");
        assert_eq!(p.directive("!#endif"), DirectiveResult::Ok);
        assert_eq!(p.directive("!#endif"), DirectiveResult::Ok);
        assert!(p.active());
        assert_eq!(p.directive("!#endif"), DirectiveResult::Bad);
        assert_eq!(p.directive("!#include other.txt"), DirectiveResult::Ok);
        assert_eq!(p.directive("!#if ???"), DirectiveResult::Bad);
        assert!(!p.active());
        assert_eq!(p.directive("!#ifenv_chromium"), DirectiveResult::Bad);
    }
}
