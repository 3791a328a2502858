//! Compiling Adblock Plus filter lists into Chrome declarativeNetRequest (DNR) rulesets.
//!
//! [`compile`] takes list texts with their [`Category`] and returns one ruleset per category (rule
//! ids `1..=n` within each) and a [`Report`] of what happened to every line. It never fails and
//! never panics: a line that cannot be compiled is counted (by [`Reason`], with examples) and
//! skipped.
//!
//! ## Semantics
//!
//! The goal is that Chrome, evaluating all enabled rulesets together, decides like one
//! adblock engine (Brave's adblock-rust) loaded with all the lists:
//!
//! - **Priorities** ([`dnr::priority`]): blocks `FILTER_BLOCK`, exceptions (`allow` and
//!   `allowAllRequests`) `FILTER_ALLOW`, `$important` blocks `FILTER_IMPORTANT`; all below
//!   `FILTER_CEILING` (1,000,000). An exception from one list (or category) therefore cancels a
//!   block from another, and `$important` beats every exception, as in one engine.
//! - **Patterns**: `||`, `|`, `^` and `*` map onto DNR's `urlFilter` one to one (leading and
//!   trailing `*` dropped, `||*x` becomes `x`, the host part is lowercased and punycoded, other
//!   non-ASCII is percent-encoded, everything is lowercased unless `$match-case`). `||host^`
//!   becomes `requestDomains: [host]` (host and subdomains, exactly ABP's meaning).
//! - **Regexes** (`/.../`) become `regexFilter` when RE2 reads them the same way and they fit
//!   Chrome's 2 KB compiled limit (estimated, see [`regex`]); plain-text regexes become a
//!   `urlFilter`. At most [`Options::max_regex_rules`] (1,000) regex rules in total.
//! - **Types**: a filter without type options matches every type except `main_frame`, like DNR's
//!   default; as in adblock-rust, `||host^` (any options but no type options) also matches
//!   top-level documents ([`Options::host_filters_block_documents`]). `$~type` alone means every
//!   type but those (and not documents); `$a,~b` means a without b. `$document` on a block is
//!   `main_frame`; `@@...$document` is an `allowAllRequests` rule on `main_frame`/`sub_frame`.
//!   Every other exception also matches the top-level document request, as adblock-rust's do.
//!   `$other` covers `other`, `webtransport` and `webbundle`.
//! - `$third-party`/`$3p`/`$~first-party` → `domainType: thirdParty`; `$first-party`/`$1p`/
//!   `$~third-party` → `firstParty`; `$strict3p`/`$strict1p` are approximated the same way.
//! - `$domain=`/`$from=` → `initiatorDomains`/`excludedInitiatorDomains` (subdomains included,
//!   excluded entries win, as in adblock-rust); `$to=` → `requestDomains`/
//!   `excludedRequestDomains`; `$denyallow=` (with `$domain=`, as uBO requires) →
//!   `excludedRequestDomains`. Wildcard (`example.*`)
//!   and regex entries are dropped, as adblock-rust never matches them.
//! - `$method=` → `requestMethods` (or `excludedRequestMethods` when all are negated).
//! - `$badfilter` removes every filter (from any list) equal to it without `$badfilter`.
//! - `$redirect=`/`$rewrite=` compile to a plain block (Crumbwall ships no redirect resources;
//!   adblock-rust blocks too when a resource is missing); `$redirect-rule` and cosmetic
//!   exceptions (`$generichide`, `$elemhide`, ...) have no network effect and are ignored;
//!   `$popup`, `$csp`, `$removeparam`, `$replace`, `$header`, `$permissions`, `$urlskip`,
//!   `$inline-script`, `$tag`, `$ipaddress` and unknown options are unsupported.
//! - uBO's `!#if` preprocessor is evaluated for Chromium MV3 (see [`lines`]).
//!
//! Known differences from adblock-rust: `$match-case` on a plain (non-regex) pattern is honoured
//! (adblock-rust drops such filters); `$denyallow` and `$strict1p/3p` are compiled (adblock-rust
//! drops them); `$script,~image` means scripts only (adblock-rust: every type but images);
//! `||host` without `^` keeps DNR's prefix reading (`||example.com` matches `example.community`;
//! adblock-rust requires a label boundary); `csp_report` requests are matched by default rules
//! (adblock-rust never matches them).
//!
//! `isUrlFilterCaseSensitive` is only written when true: Chrome's default is false since
//! Chrome 118 (it was true before), so the rulesets need Chrome 118 or later.
//!
//! ## Checked against adblock-rust
//!
//! With `CRUMBWALL_DATA` set, the tests compile adblock-rust's own labelled matching cases and
//! the real lists, and compare a model of Chrome's rule evaluation (`emulator.rs`, test-only;
//! `regexFilter` rules are not modelled) with adblock-rust on 10,000 real requests.
//!
//! ## Merging
//!
//! Rules that differ only in `requestDomains`, `initiatorDomains` or `resourceTypes` are merged
//! into one whose list is the union (repeatedly, until nothing changes). This turns the ~88,000
//! `||host^` filters of EasyList and EasyPrivacy into a handful of rules. Lists longer than
//! [`Options::max_domains_per_rule`] are split over several rules.

mod domains;
mod draft;
mod filter;
pub mod frames;
pub mod lines;
pub mod regex;
mod report;
mod validate;

#[cfg(test)]
mod emulator;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};

use crate::category::Category;
use crate::dnr::{self, ActionType};

pub use report::{
    CategoryReport, Counts, Example, ListReport, Reason, ReasonKind, ReasonReport, Report,
};
pub use validate::validate_rule;

use draft::{Draft, Field};
use lines::{DirectiveResult, LineKind, Preprocessor};
use report::Collector;

/// One filter list to compile.
#[derive(Debug, Clone, Copy)]
pub struct ListInput<'a> {
    /// A short id for reports (`easylist`, `easyprivacy`, ...).
    pub id: &'a str,
    /// The ruleset its rules go to.
    pub category: Category,
    /// The list text (Adblock Plus / uBO syntax).
    pub text: &'a str,
}

/// Limits and choices; [`Options::default`] is what [`compile`] uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Regex rules allowed across all rulesets (Chrome: 1,000). Later ones are dropped and
    /// reported as [`Reason::RegexCap`].
    pub max_regex_rules: usize,
    /// Longest `requestDomains`/`initiatorDomains` list in one rule; longer merged lists are
    /// split over several rules.
    pub max_domains_per_rule: usize,
    /// Examples kept per reason in the report.
    pub examples_per_reason: usize,
    /// `||host^` filters without type options also block top-level documents (`main_frame`), as
    /// in adblock-rust and uBO. When false they match every type but `main_frame`.
    pub host_filters_block_documents: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_regex_rules: 1_000,
            max_domains_per_rule: 10_000,
            examples_per_reason: 5,
            host_filters_block_documents: true,
        }
    }
}

/// The rulesets and the report.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// One ruleset per category that had at least one list; rule ids `1..=n` in each.
    pub rulesets: BTreeMap<Category, Vec<dnr::Rule>>,
    /// What happened to every line.
    pub report: Report,
}

/// Compiles filter lists into one DNR ruleset per category, with [`Options::default`].
pub fn compile(lists: &[ListInput]) -> Compiled {
    compile_with(lists, &Options::default())
}

/// Where a draft came from: the list and line of its first filter.
#[derive(Debug, Clone, Copy)]
struct Origin {
    list: usize,
    line: usize,
}

struct Pending<'a> {
    origin: Origin,
    text: &'a str,
    filter: filter::NetFilter,
    notes: Vec<Reason>,
}

/// Compiles filter lists into one DNR ruleset per category.
pub fn compile_with(lists: &[ListInput], options: &Options) -> Compiled {
    let mut col = Collector::new(options.examples_per_reason);
    let mut pending: Vec<Pending> = Vec::new();
    let mut badfilters: HashSet<filter::NetFilter> = HashSet::new();

    // 1. Read every line of every list.
    for (li, list) in lists.iter().enumerate() {
        col.lists.push(ListReport {
            id: list.id.to_owned(),
            category: list.category,
            counts: Counts::default(),
            reasons: BTreeMap::new(),
        });
        let mut pre = Preprocessor::default();
        let mut counts = Counts::default();
        for (n, raw) in list.text.lines().enumerate() {
            let line_no = n + 1;
            counts.lines += 1;
            let line = raw.trim_start_matches('\u{feff}').trim();
            match lines::classify(line) {
                LineKind::Blank | LineKind::Comment => {}
                LineKind::Directive => {
                    if pre.directive(line) == DirectiveResult::Bad {
                        counts.malformed += 1;
                        col.note(li, line_no, line, Reason::BadDirective);
                    }
                }
                _ if !pre.active() => counts.preprocessor_skipped += 1,
                LineKind::Cosmetic => {
                    counts.filters_read += 1;
                    counts.cosmetic_skipped += 1;
                }
                LineKind::Network => {
                    counts.filters_read += 1;
                    counts.network_filters += 1;
                    match filter::parse(line) {
                        Ok((f, notes)) => {
                            if f.badfilter {
                                counts.badfilters += 1;
                                let mut target = f;
                                target.badfilter = false;
                                badfilters.insert(target);
                            } else {
                                pending.push(Pending {
                                    origin: Origin {
                                        list: li,
                                        line: line_no,
                                    },
                                    text: line,
                                    filter: f,
                                    notes,
                                });
                            }
                        }
                        Err(reason) => {
                            count_failure(&mut counts, reason);
                            col.note(li, line_no, line, reason);
                        }
                    }
                }
            }
        }
        if let Some(c) = col.counts(li) {
            *c = counts;
        }
    }

    // 2. Convert, minus what `$badfilter` removes.
    let mut by_category: BTreeMap<Category, Vec<(Draft, Origin)>> = BTreeMap::new();
    for list in lists {
        by_category.entry(list.category).or_default();
    }
    let mut texts: Vec<Vec<(usize, &str)>> = vec![Vec::new(); lists.len()];
    for p in pending {
        let li = p.origin.list;
        if badfilters.contains(&p.filter) {
            if let Some(c) = col.counts(li) {
                c.removed_by_badfilter += 1;
            }
            continue;
        }
        match draft::convert(&p.filter, options.host_filters_block_documents) {
            Ok(conv) => {
                if let Some(c) = col.counts(li) {
                    c.compiled += 1;
                    if !p.notes.is_empty() {
                        c.approximated += 1;
                    }
                    if conv.host_filter {
                        c.host_filters += 1;
                    }
                }
                for n in &p.notes {
                    col.note(li, p.origin.line, p.text, *n);
                }
                let category = lists.get(li).map_or(Category::Advertising, |l| l.category);
                let bucket = by_category.entry(category).or_default();
                let regex = conv.drafts.iter().any(Draft::is_regex);
                for d in conv.drafts {
                    bucket.push((d, p.origin));
                }
                if regex {
                    if let Some(t) = texts.get_mut(li) {
                        t.push((p.origin.line, p.text));
                    }
                }
            }
            Err(reason) => {
                if let Some(c) = col.counts(li) {
                    count_failure(c, reason);
                }
                col.note(li, p.origin.line, p.text, reason);
            }
        }
    }

    // 3. Merge per category, then apply the regex budget across categories.
    let mut merged: BTreeMap<Category, Vec<(Draft, Origin)>> = BTreeMap::new();
    for (cat, drafts) in by_category {
        merged.insert(cat, merge_all(drafts, options.max_domains_per_rule));
    }
    let mut regex_budget = options.max_regex_rules;
    for drafts in merged.values_mut() {
        let mut kept = Vec::with_capacity(drafts.len());
        for (d, o) in drafts.drain(..) {
            if d.is_regex() {
                if regex_budget == 0 {
                    let text = texts
                        .get(o.list)
                        .and_then(|t| t.iter().find(|(l, _)| *l == o.line))
                        .map_or("", |(_, t)| *t);
                    if let Some(c) = col.counts(o.list) {
                        c.compiled = c.compiled.saturating_sub(1);
                        c.unsupported += 1;
                    }
                    col.note(o.list, o.line, text, Reason::RegexCap);
                    continue;
                }
                regex_budget -= 1;
            }
            kept.push((d, o));
        }
        *drafts = kept;
    }

    // 4. Rules, ids, figures.
    let mut rulesets = BTreeMap::new();
    let mut categories = BTreeMap::new();
    let mut blocking_rules = 0;
    let mut regex_rules = 0;
    for (cat, drafts) in merged {
        let mut rules = Vec::with_capacity(drafts.len());
        let mut cr = CategoryReport {
            lists: lists
                .iter()
                .filter(|l| l.category == cat)
                .map(|l| l.id.to_owned())
                .collect(),
            counts: Counts::default(),
            block_rules: 0,
            allow_rules: 0,
            allow_all_requests_rules: 0,
            important_rules: 0,
        };
        cr.lists.dedup();
        let mut rule_counts = Counts::default();
        for (i, (d, o)) in drafts.iter().enumerate() {
            let id = u32::try_from(i + 1).unwrap_or(u32::MAX);
            rules.push(draft::to_rule(d, id));
            let per_list = col.counts(o.list);
            let regex = d.is_regex();
            let merged_hosts = d.is_merged_hosts();
            if let Some(c) = per_list {
                c.rules_emitted += 1;
                c.regex_rules += usize::from(regex);
                c.merged_host_rules += usize::from(merged_hosts);
            }
            rule_counts.rules_emitted += 1;
            rule_counts.regex_rules += usize::from(regex);
            rule_counts.merged_host_rules += usize::from(merged_hosts);
            match d.action {
                ActionType::Block if d.priority == dnr::priority::FILTER_IMPORTANT => {
                    cr.block_rules += 1;
                    cr.important_rules += 1;
                }
                ActionType::Block => cr.block_rules += 1,
                ActionType::Allow => cr.allow_rules += 1,
                ActionType::AllowAllRequests => cr.allow_all_requests_rules += 1,
                ActionType::ModifyHeaders => {}
            }
        }
        regex_rules += rule_counts.regex_rules;
        if Category::BLOCKING.contains(&cat) {
            blocking_rules += rules.len();
        }
        let mut counts = report::sum_lists(&col.lists, cat);
        counts.rules_emitted = rule_counts.rules_emitted;
        counts.regex_rules = rule_counts.regex_rules;
        counts.merged_host_rules = rule_counts.merged_host_rules;
        cr.counts = counts;
        categories.insert(cat, cr);
        rulesets.insert(cat, rules);
    }
    let report = col.finish(categories, blocking_rules, regex_rules);
    Compiled { rulesets, report }
}

fn count_failure(c: &mut Counts, reason: Reason) {
    match reason.kind() {
        ReasonKind::Unsupported => c.unsupported += 1,
        ReasonKind::Ignored => c.ignored += 1,
        ReasonKind::Malformed => c.malformed += 1,
        // Never a failure; counted with the compiled filters.
        ReasonKind::Approximated => {}
    }
}

/// Merges until no pass shrinks the ruleset, then splits over-long domain lists.
fn merge_all(mut drafts: Vec<(Draft, Origin)>, max_domains: usize) -> Vec<(Draft, Origin)> {
    let passes = [Field::RequestDomains, Field::InitiatorDomains, Field::Types];
    for _round in 0..4 {
        let before = drafts.len();
        for field in passes {
            drafts = draft::merge(drafts, field);
        }
        if drafts.len() == before {
            break;
        }
    }
    draft::split_large(drafts, max_domains)
}
