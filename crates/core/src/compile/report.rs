//! What the compiler did with every line: counts per list and per category, and every filter it
//! could not (or could only approximately) compile, grouped by reason with examples.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::category::Category;

/// Why a filter was not compiled exactly. Each reason has a [`ReasonKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    // --- unsupported: the filter is dropped, and its effect is lost ---
    /// `$popup` / `$popunder`: DNR cannot tell a pop-up navigation from any other.
    Popup,
    /// `$csp=`: would need a response-header rule.
    Csp,
    /// `$removeparam=` / `$queryprune=`: would need a redirect rule with a URL transform.
    Removeparam,
    /// `$replace=` (response body rewriting): impossible in DNR.
    Replace,
    /// `$header=` (matching on response headers).
    Header,
    /// `$permissions=` (Permissions-Policy injection).
    Permissions,
    /// `$urlskip=`, `$uritransform=`, `$urltransform=`.
    UrlRewrite,
    /// `$inline-script`, `$inline-font` (CSP based).
    InlineResource,
    /// `@@...$redirect` / `@@...$redirect-rule`: cancels a redirect only (compiling it as
    /// `allow` would be wrong); without redirects there is nothing to cancel.
    RedirectException,
    /// `$tag=`: only applies when the tag is enabled, which Crumbwall never does.
    Tag,
    /// `$ipaddress=`, `$cname`: need DNS information DNR does not have.
    DnsInfo,
    /// Any other option DNR has no equivalent for (`$webrtc`, `$genericblock`, `$sitekey`, ...).
    UnknownOption,
    /// `$document` negated, or types that cancel each other: the filter matches no request.
    NoResourceTypes,
    /// `$first-party` and `$third-party` together: the filter matches no request.
    ContradictoryParty,
    /// `$1p` with `$strict3p` (same site, other host name): DNR cannot express it.
    StrictPartyCombination,
    /// `$method=` naming only methods that cancel each other or DNR does not know.
    Method,
    /// Every `$domain=` (or `$to=`/`$denyallow=`) entry is a wildcard (`example.*`) or a regex.
    DomainWildcard,
    /// A filter with no pattern and no condition: it would block (or allow) every request.
    MatchesEverything,
    /// Regex filter using lookahead/lookbehind (RE2 has none).
    RegexLookaround,
    /// Regex filter using backreferences (RE2 has none).
    RegexBackreference,
    /// Regex filter using another construct RE2 rejects or JavaScript reads differently
    /// (`\u`, `\p`, `[^]`, `[]`, possessive or doubled quantifiers, atomic groups, ...).
    RegexUnsupported,
    /// Regex filter with non-ASCII characters (DNR rejects them).
    RegexNonAscii,
    /// Regex filter over Chrome's 2 KB compiled-size limit (estimated RE2 program size).
    RegexTooLarge,
    /// Regex filter beyond the 1,000 regex rules Chrome allows in total.
    RegexCap,

    // --- ignored: dropped, but it has no network effect, so nothing is lost ---
    /// `@@...$generichide` / `$elemhide` / `$specifichide` (and aliases): cosmetic exceptions.
    CosmeticException,
    /// `$redirect-rule=`: only changes how another filter's block is delivered.
    RedirectRule,

    // --- approximated: compiled, with a documented difference ---
    /// `$redirect=` / `$rewrite=` / `$empty` / `$mp4`: compiled as a plain block (Crumbwall ships
    /// no redirect resources; adblock-rust also blocks when the resource is missing).
    RedirectAsBlock,
    /// `$strict1p` / `$strict3p`: compiled as first/third party by registrable domain.
    StrictParty,
    /// Some `$domain=` entries were wildcards or regexes and were dropped (positive entries: the
    /// filter applies on fewer sites; negated entries: on more — as in adblock-rust).
    WildcardEntriesDropped,
    /// `$important` on an exception has no meaning and was ignored.
    ImportantException,
    /// A harmless annotation was ignored (`$_`, `$reason=`, `$~important`...).
    IgnoredOption,

    // --- malformed: not a valid filter ---
    /// Option syntax errors (empty option, empty value, negation where none is allowed).
    BadOption,
    /// A `$domain=`/`$to=`/`$denyallow=` entry that is not a host name.
    BadDomain,
    /// A host name that cannot be converted to punycode.
    BadHost,
    /// A regex filter that does not parse.
    BadRegex,
    /// Whitespace or control characters inside the pattern.
    BadPattern,
    /// A single-character line, or only anchors.
    TooShort,
    /// A `!#if` / `!#else` / `!#endif` directive out of place, or an unreadable condition.
    BadDirective,
}

/// What a [`Reason`] means for the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasonKind {
    /// Dropped; DNR cannot express it.
    Unsupported,
    /// Dropped; it has no network effect.
    Ignored,
    /// Compiled with a documented difference.
    Approximated,
    /// Not a valid filter; dropped.
    Malformed,
}

impl Reason {
    /// Every reason, in report order.
    pub const ALL: [Reason; 38] = [
        Reason::Popup,
        Reason::Csp,
        Reason::Removeparam,
        Reason::Replace,
        Reason::Header,
        Reason::Permissions,
        Reason::UrlRewrite,
        Reason::InlineResource,
        Reason::RedirectException,
        Reason::Tag,
        Reason::DnsInfo,
        Reason::UnknownOption,
        Reason::NoResourceTypes,
        Reason::ContradictoryParty,
        Reason::StrictPartyCombination,
        Reason::Method,
        Reason::DomainWildcard,
        Reason::MatchesEverything,
        Reason::RegexLookaround,
        Reason::RegexBackreference,
        Reason::RegexUnsupported,
        Reason::RegexNonAscii,
        Reason::RegexTooLarge,
        Reason::RegexCap,
        Reason::CosmeticException,
        Reason::RedirectRule,
        Reason::RedirectAsBlock,
        Reason::StrictParty,
        Reason::WildcardEntriesDropped,
        Reason::ImportantException,
        Reason::IgnoredOption,
        Reason::BadOption,
        Reason::BadDomain,
        Reason::BadHost,
        Reason::BadRegex,
        Reason::BadPattern,
        Reason::TooShort,
        Reason::BadDirective,
    ];

    /// Whether the filter was dropped, ignored, approximated or malformed.
    pub fn kind(self) -> ReasonKind {
        use Reason::*;
        match self {
            CosmeticException | RedirectRule | RedirectException => ReasonKind::Ignored,
            RedirectAsBlock
            | StrictParty
            | WildcardEntriesDropped
            | ImportantException
            | IgnoredOption => ReasonKind::Approximated,
            BadOption | BadDomain | BadHost | BadRegex | BadPattern | TooShort | BadDirective => {
                ReasonKind::Malformed
            }
            _ => ReasonKind::Unsupported,
        }
    }

    /// A short stable name (used as the key in the JSON report).
    pub fn code(self) -> &'static str {
        use Reason::*;
        match self {
            Popup => "popup",
            Csp => "csp",
            Removeparam => "removeparam",
            Replace => "replace",
            Header => "header",
            Permissions => "permissions",
            UrlRewrite => "url-rewrite",
            InlineResource => "inline-script-or-font",
            RedirectException => "redirect-exception",
            Tag => "tag",
            DnsInfo => "dns-info",
            UnknownOption => "unknown-option",
            NoResourceTypes => "no-resource-types",
            ContradictoryParty => "contradictory-party",
            StrictPartyCombination => "strict-party-combination",
            Method => "method",
            DomainWildcard => "domain-wildcard",
            MatchesEverything => "matches-everything",
            RegexLookaround => "regex-lookaround",
            RegexBackreference => "regex-backreference",
            RegexUnsupported => "regex-unsupported-syntax",
            RegexNonAscii => "regex-non-ascii",
            RegexTooLarge => "regex-too-large",
            RegexCap => "regex-cap",
            CosmeticException => "cosmetic-exception",
            RedirectRule => "redirect-rule",
            RedirectAsBlock => "redirect-as-block",
            StrictParty => "strict-party",
            WildcardEntriesDropped => "wildcard-entries-dropped",
            ImportantException => "important-exception",
            IgnoredOption => "ignored-option",
            BadOption => "bad-option",
            BadDomain => "bad-domain",
            BadHost => "bad-host",
            BadRegex => "bad-regex",
            BadPattern => "bad-pattern",
            TooShort => "too-short",
            BadDirective => "bad-directive",
        }
    }

    /// One sentence for people.
    pub fn description(self) -> &'static str {
        use Reason::*;
        match self {
            Popup => "$popup: DNR cannot single out pop-up navigations",
            Csp => "$csp: would need a response-header rule",
            Removeparam => "$removeparam: would need a redirect with a URL transform",
            Replace => "$replace: response bodies cannot be rewritten",
            Header => "$header: response headers cannot be matched",
            Permissions => "$permissions: Permissions-Policy injection",
            UrlRewrite => "$urlskip/$uritransform/$urltransform",
            InlineResource => "$inline-script/$inline-font (CSP based)",
            RedirectException => "@@...$redirect only cancels a redirect (Crumbwall has none)",
            Tag => "$tag: tagged filters are never enabled",
            DnsInfo => "$ipaddress/$cname need DNS information",
            UnknownOption => "an option DNR has no equivalent for",
            NoResourceTypes => "the resource-type options leave no type to match",
            ContradictoryParty => "both first- and third-party: matches nothing",
            StrictPartyCombination => {
                "$1p with $strict3p (same site, other host) cannot be expressed"
            }
            Method => "$method names no usable method",
            DomainWildcard => "only wildcard (example.*) or regex domain entries",
            MatchesEverything => "no pattern and no condition: would match every request",
            RegexLookaround => "regex with lookahead/lookbehind (not in RE2)",
            RegexBackreference => "regex with backreferences (not in RE2)",
            RegexUnsupported => "regex syntax RE2 rejects or reads differently",
            RegexNonAscii => "regex with non-ASCII characters",
            RegexTooLarge => "regex over Chrome's 2 KB compiled limit (estimated)",
            RegexCap => "beyond Chrome's 1,000 regex rules",
            CosmeticException => "cosmetic-only exception (no network effect)",
            RedirectRule => "$redirect-rule only changes how another block is delivered",
            RedirectAsBlock => "$redirect/$rewrite compiled as a plain block",
            StrictParty => {
                "$strict1p/$strict3p compiled as first/third party by registrable domain"
            }
            WildcardEntriesDropped => "wildcard/regex $domain entries dropped, the rest kept",
            ImportantException => "$important on an exception ignored",
            IgnoredOption => "a harmless annotation option ignored",
            BadOption => "option syntax error",
            BadDomain => "a domain entry that is not a host name",
            BadHost => "a host name that cannot be converted to punycode",
            BadRegex => "a regex that does not parse",
            BadPattern => "whitespace or control characters in the pattern",
            TooShort => "too short to be a filter",
            BadDirective => "misplaced or unreadable !#if/!#else/!#endif",
        }
    }
}

/// Where a filter came from, for examples in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// The list id.
    pub list: String,
    /// 1-based line number in the list.
    pub line: usize,
    /// The line (trimmed, shortened to 200 characters).
    pub text: String,
}

/// All filters with one [`Reason`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonReport {
    /// Unsupported, ignored, approximated or malformed.
    pub kind: ReasonKind,
    /// What the reason means.
    pub description: &'static str,
    /// How many filters.
    pub count: usize,
    /// The first few, in list order.
    pub examples: Vec<Example>,
}

/// Counts for one list or one category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Lines in the text.
    pub lines: usize,
    /// Lines that are filters (not blank, not comments or headers, not skipped by `!#if`).
    pub filters_read: usize,
    /// Lines skipped because they are inside a `!#if` block that is false for Chromium MV3.
    pub preprocessor_skipped: usize,
    /// Cosmetic filters (`##`, `#@#`, `#?#`, `#$#`, `#%#`, `##+js`, `$$`): not network, skipped.
    pub cosmetic_skipped: usize,
    /// Network filters (everything else that is a filter).
    pub network_filters: usize,
    /// Network filters compiled into rules (exactly or approximated).
    pub compiled: usize,
    /// ... of which approximated.
    pub approximated: usize,
    /// Network filters dropped because DNR cannot express them.
    pub unsupported: usize,
    /// Network filters dropped because they have no network effect.
    pub ignored: usize,
    /// Lines that are not valid filters.
    pub malformed: usize,
    /// `$badfilter` filters.
    pub badfilters: usize,
    /// Filters removed by a `$badfilter` (from any list).
    pub removed_by_badfilter: usize,
    /// Filters of the form `||host^` (with any options) compiled into `requestDomains`.
    pub host_filters: usize,
    /// Rules emitted (a rule made from filters of several lists counts for the list of its first
    /// filter).
    pub rules_emitted: usize,
    /// ... of which `regexFilter` rules.
    pub regex_rules: usize,
    /// ... of which rules holding several merged hosts in `requestDomains`.
    pub merged_host_rules: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.lines += o.lines;
        self.filters_read += o.filters_read;
        self.preprocessor_skipped += o.preprocessor_skipped;
        self.cosmetic_skipped += o.cosmetic_skipped;
        self.network_filters += o.network_filters;
        self.compiled += o.compiled;
        self.approximated += o.approximated;
        self.unsupported += o.unsupported;
        self.ignored += o.ignored;
        self.malformed += o.malformed;
        self.badfilters += o.badfilters;
        self.removed_by_badfilter += o.removed_by_badfilter;
        self.host_filters += o.host_filters;
        self.rules_emitted += o.rules_emitted;
        self.regex_rules += o.regex_rules;
        self.merged_host_rules += o.merged_host_rules;
    }
}

/// One input list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListReport {
    /// The list id.
    pub id: String,
    /// Its category.
    pub category: Category,
    /// What happened to its lines.
    pub counts: Counts,
    /// Its filters that were not compiled exactly, by reason code.
    pub reasons: BTreeMap<&'static str, usize>,
}

/// One category (= one Chrome ruleset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryReport {
    /// Ids of the lists in it.
    pub lists: Vec<String>,
    /// Sums over its lists; `rules_emitted`, `regex_rules` and `merged_host_rules` are the
    /// ruleset's exact figures.
    pub counts: Counts,
    /// `block` rules.
    pub block_rules: usize,
    /// `allow` rules.
    pub allow_rules: usize,
    /// `allowAllRequests` rules.
    pub allow_all_requests_rules: usize,
    /// `$important` block rules.
    pub important_rules: usize,
}

/// The whole conversion report. Serialises to JSON; [`Report::to_text`] is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Per list, in input order.
    pub lists: Vec<ListReport>,
    /// Per category.
    pub categories: BTreeMap<Category, CategoryReport>,
    /// Rules in the blocking categories together (Chrome guarantees 30,000 static rules).
    pub blocking_rules: usize,
    /// `regexFilter` rules in all rulesets (Chrome allows 1,000).
    pub regex_rules: usize,
    /// Every reason that occurred, by code.
    pub reasons: BTreeMap<&'static str, ReasonReport>,
}

/// Collects counts and examples while compiling.
pub(crate) struct Collector {
    pub(crate) lists: Vec<ListReport>,
    reasons: BTreeMap<Reason, ReasonReport>,
    examples: usize,
}

impl Collector {
    pub(crate) fn new(examples: usize) -> Collector {
        Collector {
            lists: Vec::new(),
            reasons: BTreeMap::new(),
            examples,
        }
    }

    /// Records one filter with `reason` (does not touch the per-kind counters).
    pub(crate) fn note(&mut self, list: usize, line: usize, text: &str, reason: Reason) {
        let examples = self.examples;
        let r = self.reasons.entry(reason).or_insert_with(|| ReasonReport {
            kind: reason.kind(),
            description: reason.description(),
            count: 0,
            examples: Vec::new(),
        });
        r.count += 1;
        if r.examples.len() < examples {
            r.examples.push(Example {
                list: self
                    .lists
                    .get(list)
                    .map(|l| l.id.clone())
                    .unwrap_or_default(),
                line,
                text: shorten(text, 200),
            });
        }
        if let Some(l) = self.lists.get_mut(list) {
            *l.reasons.entry(reason.code()).or_insert(0) += 1;
        }
    }

    pub(crate) fn counts(&mut self, list: usize) -> Option<&mut Counts> {
        self.lists.get_mut(list).map(|l| &mut l.counts)
    }

    pub(crate) fn finish(
        self,
        categories: BTreeMap<Category, CategoryReport>,
        blocking_rules: usize,
        regex_rules: usize,
    ) -> Report {
        Report {
            lists: self.lists,
            categories,
            blocking_rules,
            regex_rules,
            reasons: self
                .reasons
                .into_iter()
                .map(|(r, v)| (r.code(), v))
                .collect(),
        }
    }
}

/// Sums list counts into a category's counts (rule figures are filled in separately).
pub(crate) fn sum_lists(lists: &[ListReport], category: Category) -> Counts {
    let mut c = Counts::default();
    for l in lists.iter().filter(|l| l.category == category) {
        c.add(&l.counts);
    }
    c
}

fn shorten(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

impl Report {
    /// Number of filters with `reason`.
    pub fn count(&self, reason: Reason) -> usize {
        self.reasons.get(reason.code()).map_or(0, |r| r.count)
    }

    /// A human summary: rules per category, what happened to each list, and the reasons filters
    /// were not compiled exactly (most frequent first, with one example each).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Crumbwall filter-list compilation");
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<12} {:>7} {:>7} {:>6} {:>9} {:>6} {:>6}  lists",
            "ruleset", "rules", "block", "allow", "allowAll", "regex", "hosts"
        );
        for (cat, c) in &self.categories {
            let _ = writeln!(
                s,
                "{:<12} {:>7} {:>7} {:>6} {:>9} {:>6} {:>6}  {}",
                cat.as_str(),
                c.counts.rules_emitted,
                c.block_rules,
                c.allow_rules,
                c.allow_all_requests_rules,
                c.counts.regex_rules,
                c.counts.merged_host_rules,
                c.lists.join(", ")
            );
        }
        let _ = writeln!(
            s,
            "blocking categories together: {} rules (Chrome guarantees 30,000); regex rules: {} (limit 1,000)",
            self.blocking_rules, self.regex_rules
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<22} {:>7} {:>7} {:>8} {:>7} {:>8} {:>7} {:>7} {:>7} {:>9} {:>7}",
            "list",
            "lines",
            "filters",
            "cosmetic",
            "network",
            "compiled",
            "approx",
            "unsupp",
            "ignored",
            "malformed",
            "hosts"
        );
        for l in &self.lists {
            let c = &l.counts;
            let _ = writeln!(
                s,
                "{:<22} {:>7} {:>7} {:>8} {:>7} {:>8} {:>7} {:>7} {:>7} {:>9} {:>7}",
                shorten(&l.id, 22),
                c.lines,
                c.filters_read,
                c.cosmetic_skipped,
                c.network_filters,
                c.compiled,
                c.approximated,
                c.unsupported,
                c.ignored,
                c.malformed,
                c.host_filters
            );
            if c.preprocessor_skipped + c.badfilters + c.removed_by_badfilter > 0 {
                let _ = writeln!(
                    s,
                    "{:<22} !#if-skipped lines: {}, $badfilter: {}, removed by $badfilter: {}",
                    "", c.preprocessor_skipped, c.badfilters, c.removed_by_badfilter
                );
            }
        }
        let mut reasons: Vec<(&&str, &ReasonReport)> = self.reasons.iter().collect();
        reasons.sort_by(|a, b| {
            a.1.kind
                .cmp(&b.1.kind)
                .then(b.1.count.cmp(&a.1.count))
                .then(a.0.cmp(b.0))
        });
        let mut last_kind = None;
        for (code, r) in reasons {
            if last_kind != Some(r.kind) {
                let title = match r.kind {
                    ReasonKind::Unsupported => "Unsupported (dropped; DNR cannot express them)",
                    ReasonKind::Ignored => "Ignored (dropped; no network effect)",
                    ReasonKind::Approximated => "Approximated (compiled with a difference)",
                    ReasonKind::Malformed => "Malformed (not valid filters)",
                };
                let _ = writeln!(s);
                let _ = writeln!(s, "{title}:");
                last_kind = Some(r.kind);
            }
            let _ = writeln!(s, "  {:>6}  {:<26} {}", r.count, code, r.description);
            if let Some(e) = r.examples.first() {
                let _ = writeln!(
                    s,
                    "          e.g. {}:{}: {}",
                    e.list,
                    e.line,
                    shorten(&e.text, 100)
                );
            }
        }
        s
    }
}
