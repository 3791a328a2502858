//! The user's own filter lines ("Custom filters" in the options, [`Settings::custom_filters`]).
//!
//! They are read exactly like the shipped lists (Adblock Plus / uBO network filter syntax) and
//! keep list semantics among themselves and with the lists (an `@@` exception of the user's
//! cancels a list's block, `$important` beats exceptions), but they belong to no category: they
//! apply whatever the category switches say. A site whose protection is off is left alone.
//!
//! - Chromium: [`compile`] turns them into dynamic rules (ids from [`dnr::ids::CUSTOM`], at the
//!   filter lists' priorities), at most [`MAX_RULES`] of them and [`MAX_REGEX_RULES`] regexes,
//!   with one [`LineProblem`] per line that could not be used.
//! - Firefox: [`CustomBlocker`] is a small adblock engine built from the text when the settings
//!   load or change, asked before the lists ([`CustomBlocker::decide`]).

use serde::Serialize;

use crate::blocking::site_allowed;
use crate::category::Category;
use crate::compile::{self, lines, ListInput, Options, ReasonKind};
use crate::dnr;
use crate::engine::{Blocker, CategorySet, Verdict};
use crate::settings::Settings;

/// At most this many dynamic rules from custom filters (Chrome allows 30,000 dynamic rules since
/// Chrome 121, 5,000 before; the other features use a few hundred).
pub const MAX_RULES: usize = 4_000;

/// At most this many `regexFilter` rules from custom filters (Chrome allows 1,000 regex rules per
/// extension, shared with the other features' rules).
pub const MAX_REGEX_RULES: usize = 200;

/// One line that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineProblem {
    /// 1-based line number.
    pub line: usize,
    /// The line (trimmed, at most 200 characters).
    pub text: String,
    /// What is wrong with it (English).
    pub message: String,
    /// A stable code for it, for translation: the compiler's reason code
    /// ([`compile::Reason::code`]), `cosmetic` or `rule-limit`.
    pub code: &'static str,
}

/// The user's filters compiled for Chromium.
#[derive(Debug, Clone, Serialize)]
pub struct CustomCompiled {
    /// Dynamic rules, ids from [`dnr::ids::CUSTOM`].
    pub rules: Vec<dnr::Rule>,
    /// Lines that were skipped, in line order.
    pub errors: Vec<LineProblem>,
    /// Network filters read.
    pub filters: usize,
    /// The rule limit.
    pub limit: usize,
}

/// Compiles the user's filter text (never fails; unusable lines are reported and skipped).
pub fn compile(text: &str) -> CustomCompiled {
    // Most users have none: no need to start the list compiler (on a first start in Chromium its
    // one-time set-up was a few milliseconds of the worker's start-up, for nothing).
    if text.trim().is_empty() {
        return CustomCompiled {
            rules: Vec::new(),
            errors: Vec::new(),
            filters: 0,
            limit: MAX_RULES,
        };
    }
    let options = Options {
        max_regex_rules: MAX_REGEX_RULES,
        examples_per_reason: usize::MAX,
        ..Options::default()
    };
    let input = ListInput {
        id: "custom",
        category: Category::Advertising,
        text,
    };
    let compiled = compile::compile_with(&[input], &options);
    let mut errors = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_start_matches('\u{feff}').trim();
        if lines::classify(line) == lines::LineKind::Cosmetic {
            errors.push(problem(
                n + 1,
                line,
                "cosmetic",
                "element hiding filters (##) are not supported here: network filters only",
            ));
        }
    }
    for (&code, reason) in &compiled.report.reasons {
        if !matches!(reason.kind, ReasonKind::Malformed | ReasonKind::Unsupported) {
            continue;
        }
        for ex in &reason.examples {
            errors.push(problem(ex.line, &ex.text, code, reason.description));
        }
    }
    let filters = compiled
        .report
        .lists
        .first()
        .map_or(0, |l| l.counts.network_filters);
    let mut rules: Vec<dnr::Rule> = compiled.rulesets.into_values().flatten().collect();
    if rules.len() > MAX_RULES {
        errors.push(problem(
            0,
            "",
            "rule-limit",
            &format!(
                "{} rules needed, {MAX_RULES} allowed: the last {} were left out",
                rules.len(),
                rules.len() - MAX_RULES
            ),
        ));
        rules.truncate(MAX_RULES);
    }
    for (rule, id) in rules.iter_mut().zip(dnr::ids::CUSTOM..) {
        rule.id = id;
    }
    errors.sort_by_key(|e| e.line);
    CustomCompiled {
        rules,
        errors,
        filters,
        limit: MAX_RULES,
    }
}

fn problem(line: usize, text: &str, code: &'static str, message: &str) -> LineProblem {
    LineProblem {
        line,
        text: text.chars().take(200).collect(),
        message: message.to_owned(),
        code,
    }
}

/// What the user's filters say about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomVerdict {
    /// One of the user's filters blocks it.
    Blocked,
    /// One of the user's exceptions allows it (whatever the lists say).
    Excepted,
}

/// The user's filters as an engine (Firefox).
///
/// adblock-rust reports an exception only when a block filter matched too, but a user's
/// exception must also cancel the lists' blocks: a second engine holds the user's exceptions
/// behind a block filter that matches every request, so it says whether one of them applies.
pub struct CustomBlocker {
    blocker: Blocker,
    exceptions: Option<Blocker>,
    empty: bool,
}

/// Block filters matching every http(s) and ws(s) request, for the exception engine.
const MATCH_ALL: &str = "|http\n|ws\n";

impl CustomBlocker {
    /// Builds the engines from the settings' custom filter text.
    pub fn new(settings: &Settings) -> CustomBlocker {
        let text = settings.custom_filters.as_str();
        let mut exceptions: String = text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("@@"))
            .flat_map(|l| [l, "\n"])
            .collect();
        let has_exceptions = !exceptions.is_empty();
        exceptions.push_str(MATCH_ALL);
        CustomBlocker {
            blocker: Blocker::build(&[(Category::Advertising, text)]),
            exceptions: has_exceptions
                .then(|| Blocker::build(&[(Category::Advertising, exceptions.as_str())])),
            empty: text.trim().is_empty(),
        }
    }

    /// The user's verdict on a request, or `None` when no filter of theirs matches (or the page's
    /// site is allow-listed): then the lists decide.
    pub fn decide(
        &self,
        settings: &Settings,
        url: &str,
        source_url: &str,
        kind: &str,
        top_url: &str,
    ) -> Option<CustomVerdict> {
        if self.empty {
            return None;
        }
        let all: CategorySet = [Category::Advertising].into_iter().collect();
        let verdict = match self.blocker.check(url, source_url, kind, all) {
            Verdict::Block(_) => CustomVerdict::Blocked,
            Verdict::Excepted(_) => CustomVerdict::Excepted,
            Verdict::NoMatch | Verdict::Unreadable => match &self.exceptions {
                Some(e) if matches!(e.check(url, source_url, kind, all), Verdict::Excepted(_)) => {
                    CustomVerdict::Excepted
                }
                _ => return None,
            },
        };
        if site_allowed(settings, top_url, url, kind) {
            return None;
        }
        Some(verdict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_rules_and_reports_lines_it_cannot_use() {
        let text = "! my filters\n||tracker.test^\n@@||tracker.test/ok.js\nsite.test##.banner\n||x.test^$popup\n||bad.test^$domain=\n/[/\n||regex.test/ads/*.gif$image\n";
        let c = compile(text);
        assert_eq!(c.filters, 5 + 1);
        assert!(c.rules.len() >= 3, "{:?}", c.rules);
        assert!(c.rules.iter().all(|r| r.id >= dnr::ids::CUSTOM));
        let lines: Vec<usize> = c.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![4, 5, 6, 7], "{:?}", c.errors);
        assert!(c.errors[0].message.contains("network filters only"));
        assert_eq!(c.errors[0].code, "cosmetic");
        assert_eq!(c.errors[1].code, "popup");
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["errors"][1]["line"], 5);
        assert_eq!(compile("").rules.len(), 0);
    }

    /// Blank text takes the short way; it answers what the compiler answers for text without
    /// filters.
    #[test]
    fn blank_text_compiles_to_what_a_comment_does() {
        let full = serde_json::to_value(compile("! only a comment\n")).unwrap();
        for blank in ["", " ", "\n\n", " \t\r\n "] {
            assert_eq!(
                serde_json::to_value(compile(blank)).unwrap(),
                full,
                "{blank:?}"
            );
        }
    }

    /// Every line problem the options page can show has its text in English and German.
    #[test]
    fn every_line_problem_is_translated() {
        let locales = [
            include_str!("../../../_locales/en/messages.json"),
            include_str!("../../../_locales/de/messages.json"),
        ];
        let mut codes: Vec<&str> = compile::Reason::ALL
            .iter()
            .filter(|r| matches!(r.kind(), ReasonKind::Malformed | ReasonKind::Unsupported))
            .map(|r| r.code())
            .collect();
        codes.extend(["cosmetic", "rule-limit"]);
        for locale in locales {
            let messages: serde_json::Value = serde_json::from_str(locale).unwrap();
            for code in &codes {
                let key = format!("filterError_{}", code.replace('-', "_"));
                assert!(messages[&key]["message"].is_string(), "{key}");
            }
        }
    }

    #[test]
    fn the_rule_limit_is_kept_and_said() {
        let text: String = (0..MAX_RULES + 10)
            .map(|i| format!("/ad{i}/banner.gif$image\n"))
            .collect();
        let c = compile(&text);
        assert_eq!(c.rules.len(), MAX_RULES);
        assert!(c.errors.iter().any(|e| e.message.contains("allowed")));
    }

    #[test]
    fn firefox_engine_blocks_excepts_and_respects_the_allow_list() {
        let mut s = Settings {
            custom_filters: "||tracker.test^\n@@||ads.test/ok.js\n".into(),
            ..Settings::default()
        };
        s.blocking.advertising = false;
        let b = CustomBlocker::new(&s);
        let page = "https://news.test/";
        let d = |s: &Settings, url: &str| b.decide(s, url, page, "script", page);
        assert_eq!(
            d(&s, "https://tracker.test/t.js"),
            Some(CustomVerdict::Blocked)
        );
        assert_eq!(
            d(&s, "https://ads.test/ok.js"),
            Some(CustomVerdict::Excepted)
        );
        assert_eq!(d(&s, "https://cdn.test/lib.js"), None);
        assert_eq!(d(&s, "not a url"), None);
        s.allow_site("news.test").unwrap();
        assert_eq!(d(&s, "https://tracker.test/t.js"), None);
        let empty = CustomBlocker::new(&Settings::default());
        assert_eq!(
            empty.decide(&s, "https://tracker.test/", page, "script", page),
            None
        );
    }
}
