//! Chromium's declarativeNetRequest rules for pixels and beacons: the decision Firefox makes per
//! request with [`classify`](super::classify), expressed as dynamic rules ([`dnr_rules`]).
//!
//! Firefox decides in `webRequest`, for a request that no filter list blocked or excepted: a
//! pixel is blocked when the category of its purpose ([`PixelPurpose::category`]) is switched on
//! in [`Settings::blocking`], or, when its purpose is unknown, when it is third-party and
//! "block all third-party pixels" ([`Settings::pixels`]) is on. Chrome runs no code per request,
//! so the same decision is written as rules, with ids from [`dnr::ids::PIXELS`]:
//!
//! 1. **Known endpoints** ([`KNOWN_ENDPOINTS`]) of enabled categories: `block` at
//!    [`dnr::priority::PIXEL_ENDPOINT`], for the resource types the classifier reads
//!    (`image`, `ping`, `xmlhttprequest`, `other`, `sub_frame`), any party. An endpoint is
//!    `||host/path^` (`||host/path` when the path ends in punctuation, such as `/ibs:`);
//!    the endpoints that cover a whole host share one rule with `requestDomains`. The `name.*`
//!    endpoints (`google.*`) become case-insensitive `regexFilter`s such as
//!    `^https?://(?:[^/]*\.)?google\.[a-z]{2,3}(?:\.[a-z]{2})?(?::[0-9]+)?/(?:ads/ga-audiences|...)(?:[/;?]|$)`,
//!    as many paths per regex as fit Chrome's program budget ([`REGEX_PROGRAM_BUDGET`]).
//! 2. **Known senders of disabled categories**, so that the generic rules of 3 spare them:
//!    `allow`s at [`dnr::priority::PIXEL_ALLOW_KNOWN`] for `image`, `ping`, `xmlhttprequest`
//!    and `other`. Per disabled category, one rule whose `requestDomains` are the starter
//!    list's hosts of the category ([`starter::entries`]) and its whole-host endpoints, and
//!    whose `excludedRequestDomains` are the starter hosts below them that belong to another
//!    category (the classifier's longest match); and one rule per other endpoint of the
//!    category that those hosts do not cover, with the endpoint's own `||host/path^` or regex:
//!    an endpoint's host may serve much else (`facebook.com/tr`), which the classifier judges
//!    by its shape. Only when "block all third-party pixels" is on: otherwise there is nothing
//!    to allow against.
//! 3. **Generic third-party pixels**, when "block all third-party pixels" is on, at
//!    [`dnr::priority::PIXEL_GENERIC`] with `domainType: "thirdParty"`: a `block` for every
//!    `ping` (`navigator.sendBeacon` and `<a ping>`, which Chrome both reports as `ping`), and
//!    `block`s for `image`s whose URL shows the classifier's strong shape evidence, as
//!    case-insensitive regexes: a `1x1` value or path token, `width=1&height=1` / `w=1&h=1`,
//!    a pixel-like or cookie-sync last path segment (`pixel`, `collect`, `usersync.aspx`,
//!    `hit.php`, `p.gif`, `i.gif?...`, `blank.gif?...`), a pixel-like directory (`/tr/`,
//!    `/pixel/`, `/sync/`), or a `.gif` with 3 or more query parameters. An `allow` at the same
//!    priority (which wins the tie) spares real pictures (`.jpg`, `.webp`, `.svg`, ...), which
//!    the classifier never judges by their shape.
//!
//! Every priority is below [`dnr::priority::FILTER_BLOCK`]: a filter list that blocks a request
//! or excepts it still decides first, as in Firefox, and the site allow list
//! ([`dnr::priority::ALLOW_SITE`]) turns everything here off on its sites. An endpoint's block
//! (95) beats its host's known-sender allow (90) because the classifier gives an endpoint's
//! purpose precedence over its host's starter category.
//!
//! ## Where Chrome's rules differ from Firefox's decision
//!
//! - **Path boundaries.** An endpoint path matches in the classifier when followed by `/`, `;`
//!   or the end of the path; DNR's `^` also accepts other separators (`/tr,x`, `/tr:x`,
//!   `/tr=x`). `||host` matches only the default port, the classifier any port.
//! - **Endpoints sharing a path are not merged.** `requestDomains` cannot be combined with a
//!   path anchored at the start of the path (a `urlFilter` such as `/collect^` would also match
//!   `/x/collect` and query strings), so each host/path pair keeps its exact `||host/path^`
//!   rule; only whole-host endpoints share one rule.
//! - **`name.*` hosts.** The regex accepts `name.` followed by one label of 2 to 3 letters and
//!   an optional label of 2 letters (`google.de`, `google.com`, `google.co.uk`,
//!   `google.com.au`), a shape rather than the public suffix list.
//! - **Tracker hosts of enabled categories** are left to the filter lists, into which the
//!   starter list is compiled: Firefox blocks a beacon or pixel-shaped request to them even
//!   first-party, these rules only third-party.
//! - **Shape evidence is the strong kind only, for images only.** The weak signals that block
//!   only together (a collector word in the host name, identifiers, cache busters, the page's
//!   address in the query), Snowplow events, the hosts seen serving tiny images during the
//!   session, and the shape rules the classifier applies to `xmlhttprequest`, `other` and
//!   `sub_frame` requests are not expressed: Chrome lets those through unless a list or an
//!   endpoint rule blocks them.
//! - **A `.gif` with 3 or more query parameters** is blocked outright, where Firefox also wants
//!   an identifier in the query (or another weak signal).
//! - **Details:** a `;` after a pixel-like name (`/pixel;x`) ends the match whatever follows,
//!   even more path segments; a `1x1` directory counts only with a query (Firefox also counts
//!   one without, together with weak evidence); `w=1PX` counts (Firefox wants `1` or `1px`).
//!   URLs over [`super::MAX_URL`] bytes, which the classifier does not read, are matched like
//!   any other.

use std::collections::{BTreeMap, BTreeSet};

use crate::category::Category;
use crate::compile::regex::{escape, estimate, REGEX_PROGRAM_BUDGET};
use crate::dnr::{self, Action, ActionType, Condition, DomainType, ResourceType, Rule};
use crate::settings::Settings;
use crate::starter::{self, is_request_domain, is_subdomain};

use super::{KnownEndpoint, PixelPurpose, KNOWN_ENDPOINTS};

/// The resource types the classifier reads a known endpoint for, as Chrome names them
/// (`beacon` is Chrome's `ping`; `imageset` does not exist in Chrome).
const ENDPOINT_TYPES: [ResourceType; 5] = [
    ResourceType::SubFrame,
    ResourceType::Image,
    ResourceType::Xmlhttprequest,
    ResourceType::Ping,
    ResourceType::Other,
];

/// The resource types of the known-sender `allow` rules.
const PIXEL_TYPES: [ResourceType; 4] = [
    ResourceType::Image,
    ResourceType::Xmlhttprequest,
    ResourceType::Ping,
    ResourceType::Other,
];

/// Real pictures: the last path segment has a picture's extension (and maybe `;params`). The
/// classifier never judges them by their shape.
const CONTENT_IMAGE_REGEX: &str =
    r"^[^?]*[^/]\.(?:jpe?g|webp|avif|svg|ico|bmp|heic|jxl)(?:;[^/?]*)?(?:\?|$)";

/// The extensions that say nothing against a pixel-like name (none, an image pixels use, or a
/// server script), followed by the end of the last path segment.
const NAME_TAIL: &str = r"(?:\.(?:gif|p(?:ng|hp|l)|as(?:px?|hx)|jsp|cgi|html?|do))?(?:[;?]|$)";

/// Pixel-like and cookie-sync last path segments, in groups that fit the regex budget with
/// `^[^?]*/(?:` before and [`NAME_TAIL`] after.
const NAME_GROUPS: [&str; 3] = [
    // pixel, px, pixel-tracking, pageview, beacon, collect; setuid (sync); 1x1 (image).
    r"p(?:ixel(?:-tracking)?|x|ageview)|beacon|collect|setuid|1x1",
    // sync, usersync, user-sync, user_sync, cookiesync, cookie-sync, pixelsync, pixel_sync,
    // csync, idsync; match, usermatch, cookiematch, pixelmatch.
    r"(?:user[-_]?|cookie-?|pixel_?|c|id)?sync|(?:user|cookie|pixel)?match",
    // tr, track, tracker, tracking, tracking-pixel, tracking_pixel, trk; cm, hit, imp,
    // impression, counter, ping.
    r"tr(?:ack(?:er|ing(?:[-_]pixel)?)?|k)?|cm|hit|imp(?:ression)?|counter|ping",
];

/// The other strong shape evidence of third-party images, one regex each.
const SHAPE_REGEXES: [&str; 4] = [
    // `1x1` as a query value (`sz=1x1`), or as a token of the path with a query after it.
    r"^[^/]*//[^/]*/(?:(?:[^?]*[^a-z0-9?])?1x1(?:[^a-z0-9?][^?]*)?\?.|[^?]*\?(?:[^#]*[&;])?[^=&;]*=1x1(?:[&;]|$))",
    // `width=1` and `height=1` (or `w`, `h`; `1px`) in the query, in either order.
    r"^[^?]*\?(?:[^#]*[&;])?(?:w(?:idth)?=1(?:px)?[&;](?:[^#]*[&;])?h(?:eight)?|h(?:eight)?=1(?:px)?[&;](?:[^#]*[&;])?w(?:idth)?)=1(?:px)?(?:[&;]|$)",
    // `p.gif`, `t.png` (`b`, `e`, `g`, `p`, `t`); any one-character gif, and spacer images,
    // with a query.
    r"^[^?]*/(?:[bpteg]\.(?:gif|png)(?:;[^/?]*)?(?:\?|$)|(?:[a-z0-9]\.gif|(?:blank|clear|spacer|transparent)\.(?:gif|png))(?:;[^/?]*)?\?.)",
    // A pixel directory (`/tr/`, `/pixel/`, `/sync/`, ...), or a gif with 3+ query parameters.
    r"^[^?]*(?:/(?:tr|pixels?|beacon|collect|track|px|(?:user)?sync)/|\.gif(?:;[^/?]*)?\?[&;]*[^&;]+[&;]+[^&;]+[&;]+[^&;])",
];

/// What the Firefox decision makes of a known endpoint's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    /// Blocked, any party (its category is on).
    Block,
    /// Blocked when third-party (unknown purpose, "block all third-party pixels" on).
    BlockThirdParty,
    /// Let through.
    Pass,
}

/// One rule before it gets its id.
struct Draft {
    kind: ActionType,
    priority: u32,
    condition: Condition,
}

/// The declarativeNetRequest rules that make Chromium block pixels and beacons as Firefox's
/// live decision does for `settings` (see the [module documentation](self) for the rules and
/// where they differ), with ids from [`dnr::ids::PIXELS`] (at most [`dnr::ids::PIXELS_BLOCK`]
/// rules) and priorities below every filter-list rule. Empty when every category is off and
/// "block all third-party pixels" is off. Never panics.
pub fn dnr_rules(settings: &Settings) -> Vec<Rule> {
    rules_for(settings, KNOWN_ENDPOINTS)
}

/// [`dnr_rules`] for a table of endpoints.
fn rules_for(settings: &Settings, endpoints: &[KnownEndpoint]) -> Vec<Rule> {
    let mut drafts = endpoint_drafts(settings, endpoints);
    if settings.pixels.block_unknown {
        drafts.extend(known_sender_drafts(settings, endpoints));
        drafts.extend(generic_drafts());
    }
    drafts
        .into_iter()
        .zip(dnr::ids::PIXELS..dnr::ids::PIXELS + dnr::ids::PIXELS_BLOCK)
        .map(|(d, id)| Rule {
            id,
            priority: d.priority,
            action: Action {
                kind: d.kind,
                request_headers: Vec::new(),
                response_headers: Vec::new(),
            },
            condition: d.condition,
        })
        .collect()
}

/// Whether the user blocks `category`.
fn enabled(settings: &Settings, category: Category) -> bool {
    settings.blocking.enabled().contains(category)
}

/// The Firefox decision for requests to an endpoint of `purpose`.
fn verdict(settings: &Settings, purpose: PixelPurpose) -> Verdict {
    match purpose.category() {
        Some(c) if enabled(settings, c) => Verdict::Block,
        Some(_) => Verdict::Pass,
        None if settings.pixels.block_unknown => Verdict::BlockThirdParty,
        None => Verdict::Pass,
    }
}

/// Rules of part 1: the endpoints' own verdicts, at [`dnr::priority::PIXEL_ENDPOINT`].
fn endpoint_drafts(settings: &Settings, endpoints: &[KnownEndpoint]) -> Vec<Draft> {
    // (action, domain type) → the hosts of the whole-host endpoints with that outcome.
    let mut whole_hosts: BTreeMap<(ActionType, Option<DomainType>), BTreeSet<&str>> =
        BTreeMap::new();
    // (name, action, domain type, path ends in punctuation) → the paths of `name.*` endpoints.
    type Wild<'a> = (&'a str, ActionType, Option<DomainType>, bool);
    let mut wild: BTreeMap<Wild<'_>, BTreeSet<String>> = BTreeMap::new();
    let mut out = Vec::new();

    for (i, e) in endpoints.iter().enumerate() {
        // The outcomes the endpoint's own rules give its requests: blocks for its verdict, and
        // allows where a later endpoint it overlaps (and which the classifier never reaches
        // for these requests) would give another verdict.
        let own = verdict(settings, e.purpose);
        let shadowed: BTreeSet<Verdict> = endpoints
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .filter(|later| overlaps(e, later))
            .map(|later| verdict(settings, later.purpose))
            .filter(|v| *v != own)
            .collect();
        let mut outcomes: Vec<(ActionType, Option<DomainType>)> = Vec::new();
        match own {
            Verdict::Block => outcomes.push((ActionType::Block, None)),
            Verdict::BlockThirdParty => {
                outcomes.push((ActionType::Block, Some(DomainType::ThirdParty)));
                if shadowed.contains(&Verdict::Block) {
                    outcomes.push((ActionType::Allow, Some(DomainType::FirstParty)));
                }
            }
            Verdict::Pass if !shadowed.is_empty() => outcomes.push((ActionType::Allow, None)),
            Verdict::Pass => {}
        }

        for (kind, domain_type) in outcomes {
            if let Some(name) = e.host.strip_suffix(".*") {
                if is_label(name) && is_rule_path(e.path) {
                    let punct = e.path.ends_with(|c: char| c.is_ascii_punctuation());
                    let path = e.path.get(1..).unwrap_or_default().to_ascii_lowercase();
                    wild.entry((name, kind, domain_type, punct))
                        .or_default()
                        .insert(path);
                }
            } else if is_whole_host(e) {
                whole_hosts
                    .entry((kind, domain_type))
                    .or_default()
                    .insert(e.host);
            } else if let Some(condition) = endpoint_condition(e) {
                out.push(endpoint_draft(kind, domain_type, condition));
            }
        }
    }

    for ((kind, domain_type), hosts) in whole_hosts {
        out.push(endpoint_draft(
            kind,
            domain_type,
            Condition {
                request_domains: hosts.into_iter().map(str::to_owned).collect(),
                ..Condition::default()
            },
        ));
    }
    for ((name, kind, domain_type, punct), paths) in wild {
        for regex in wildcard_regexes(name, &paths, punct) {
            out.push(endpoint_draft(kind, domain_type, regex_condition(regex)));
        }
    }

    out
}

/// An endpoint rule at [`dnr::priority::PIXEL_ENDPOINT`] for the endpoint resource types.
fn endpoint_draft(
    kind: ActionType,
    domain_type: Option<DomainType>,
    condition: Condition,
) -> Draft {
    Draft {
        kind,
        priority: dnr::priority::PIXEL_ENDPOINT,
        condition: Condition {
            domain_type,
            resource_types: ENDPOINT_TYPES.to_vec(),
            ..condition
        },
    }
}

/// A case-insensitive `regexFilter` condition.
fn regex_condition(regex: String) -> Condition {
    Condition {
        regex_filter: Some(regex),
        is_url_filter_case_sensitive: Some(false),
        ..Condition::default()
    }
}

/// Whether some request is both `a`'s and `b`'s: their hosts nest (one is the other or its
/// subdomain) and so do their paths. `name.*` stands for `name.com`.
fn overlaps(a: &KnownEndpoint, b: &KnownEndpoint) -> bool {
    fn sample(host: &str) -> String {
        match host.strip_suffix(".*") {
            Some(name) => format!("{name}.com"),
            None => host.to_owned(),
        }
    }
    let whole = |e: &KnownEndpoint| KnownEndpoint { path: "/", ..*e };
    let (ha, hb) = (sample(a.host), sample(b.host));
    let hosts = whole(a).matches(&hb, "/") || whole(b).matches(&ha, "/");
    let paths = a.matches(&ha, b.path) || b.matches(&hb, a.path);
    hosts && paths
}

/// The regexes for the `name.*` endpoints with `paths` (lowercase, without the leading `/`): as
/// many paths per regex as fit the program budget; a path that fits in no regex is skipped.
fn wildcard_regexes(name: &str, paths: &BTreeSet<String>, punct: bool) -> Vec<String> {
    let regex = |group: &[&str]| {
        let alternatives: Vec<String> = group.iter().map(|p| escape(p)).collect();
        format!(
            r"^https?://(?:[^/]*\.)?{}\.[a-z]{{2,3}}(?:\.[a-z]{{2}})?(?::[0-9]+)?/(?:{}){}",
            escape(name),
            alternatives.join("|"),
            if punct { "" } else { "(?:[/;?]|$)" }
        )
    };
    let mut out = Vec::new();
    let mut group: Vec<&str> = Vec::new();
    for path in paths {
        group.push(path);
        if !fits(&regex(&group)) {
            group.pop();
            if !group.is_empty() {
                out.push(regex(&group));
            }
            group.clear();
            group.push(path);
            if !fits(&regex(&group)) {
                group.clear();
            }
        }
    }
    if !group.is_empty() {
        out.push(regex(&group));
    }
    out
}

/// Rules of part 2: the known senders of each disabled category, allowed at
/// [`dnr::priority::PIXEL_ALLOW_KNOWN`]: one rule for the category's starter hosts and
/// whole-host endpoints, and one per other endpoint of the category that those hosts do not
/// cover.
fn known_sender_drafts(settings: &Settings, endpoints: &[KnownEndpoint]) -> Vec<Draft> {
    let allow = |condition: Condition| Draft {
        kind: ActionType::Allow,
        priority: dnr::priority::PIXEL_ALLOW_KNOWN,
        condition: Condition {
            resource_types: PIXEL_TYPES.to_vec(),
            ..condition
        },
    };
    let mut out = Vec::new();
    for category in Category::BLOCKING {
        if enabled(settings, category) {
            continue;
        }
        let of_category: Vec<&KnownEndpoint> = endpoints
            .iter()
            .filter(|e| e.purpose.category() == Some(category))
            .collect();
        let (hosts, excluded) = starter::category_domains(
            category,
            of_category
                .iter()
                .filter(|e| is_whole_host(e))
                .map(|e| e.host),
        );
        let covered = |host: &str| {
            let within =
                |set: &BTreeSet<&str>| set.iter().any(|d| host == *d || is_subdomain(host, d));
            within(&hosts) && !within(&excluded)
        };

        // The endpoints on other hosts, each allowed exactly (their hosts may serve anything
        // else: `facebook.com/tr`).
        let mut wild: BTreeMap<(&str, bool), BTreeSet<String>> = BTreeMap::new();
        let mut exact = Vec::new();
        for e in &of_category {
            if let Some(name) = e.host.strip_suffix(".*") {
                if is_label(name) && is_rule_path(e.path) {
                    let punct = e.path.ends_with(|c: char| c.is_ascii_punctuation());
                    let path = e.path.get(1..).unwrap_or_default().to_ascii_lowercase();
                    wild.entry((name, punct)).or_default().insert(path);
                }
            } else if !is_whole_host(e) && !covered(e.host) {
                exact.extend(endpoint_condition(e).map(allow));
            }
        }

        if !hosts.is_empty() {
            out.push(allow(Condition {
                request_domains: hosts.into_iter().map(str::to_owned).collect(),
                excluded_request_domains: excluded.into_iter().map(str::to_owned).collect(),
                ..Condition::default()
            }));
        }
        out.extend(exact);
        for ((name, punct), paths) in wild {
            out.extend(
                wildcard_regexes(name, &paths, punct)
                    .into_iter()
                    .map(|regex| allow(regex_condition(regex))),
            );
        }
    }
    out
}

/// Whether the endpoint is a whole host (path `/`) that `requestDomains` can name.
fn is_whole_host(e: &KnownEndpoint) -> bool {
    e.path == "/" && is_request_domain(e.host)
}

/// The `||host/path^` condition of an endpoint on a concrete host (`||host/path` when the path
/// ends in punctuation), if a `urlFilter` can carry it.
fn endpoint_condition(e: &KnownEndpoint) -> Option<Condition> {
    if !is_request_domain(e.host) || !is_rule_path(e.path) {
        return None;
    }
    let sep = if e.path.ends_with(|c: char| c.is_ascii_punctuation()) {
        ""
    } else {
        "^"
    };
    Some(Condition {
        url_filter: Some(format!("||{}{}{sep}", e.host, e.path)),
        is_url_filter_case_sensitive: Some(false),
        ..Condition::default()
    })
}

/// Rules of part 3: third-party pings and pixel-shaped third-party images, at
/// [`dnr::priority::PIXEL_GENERIC`].
fn generic_drafts() -> Vec<Draft> {
    let third_party = |resource_types: Vec<ResourceType>| Condition {
        domain_type: Some(DomainType::ThirdParty),
        resource_types,
        ..Condition::default()
    };
    let mut out = vec![Draft {
        kind: ActionType::Block,
        priority: dnr::priority::PIXEL_GENERIC,
        condition: third_party(vec![ResourceType::Ping]),
    }];
    let mut image = |kind: ActionType, regex: String| {
        if fits(&regex) {
            out.push(Draft {
                kind,
                priority: dnr::priority::PIXEL_GENERIC,
                condition: Condition {
                    regex_filter: Some(regex),
                    is_url_filter_case_sensitive: Some(false),
                    ..third_party(vec![ResourceType::Image])
                },
            });
        }
    };
    image(ActionType::Allow, CONTENT_IMAGE_REGEX.to_owned());
    for group in NAME_GROUPS {
        image(ActionType::Block, format!("^[^?]*/(?:{group}){NAME_TAIL}"));
    }
    for regex in SHAPE_REGEXES {
        image(ActionType::Block, regex.to_owned());
    }
    out
}

/// Whether Chrome takes `regex` (case-insensitive) as a `regexFilter`.
fn fits(regex: &str) -> bool {
    estimate(regex, true).is_ok_and(|n| n <= REGEX_PROGRAM_BUDGET)
}

/// One lowercase host-name label.
fn is_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An endpoint path a rule can carry: `/` and printable ASCII without the characters that
/// mean something in a `urlFilter` (`*`, `^`, `|`) or end a path (`?`, `#`).
fn is_rule_path(path: &str) -> bool {
    path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'*' | b'^' | b'|' | b'?' | b'#'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::{classify, PixelRequest};
    use crate::site::SiteKey;
    use crate::url;

    const NEWS: &str = "https://news.example/article";

    fn settings(f: impl FnOnce(&mut Settings)) -> Settings {
        let mut s = Settings::default();
        f(&mut s);
        s
    }

    /// Every combination of the three category switches and "block all third-party pixels".
    fn all_settings() -> Vec<Settings> {
        (0..16u8)
            .map(|bits| {
                settings(|s| {
                    s.blocking.advertising = bits & 1 != 0;
                    s.blocking.statistical = bits & 2 != 0;
                    s.blocking.social = bits & 4 != 0;
                    s.pixels.block_unknown = bits & 8 != 0;
                })
            })
            .collect()
    }

    fn regex_rules(rules: &[Rule]) -> impl Iterator<Item = &str> {
        rules
            .iter()
            .filter_map(|r| r.condition.regex_filter.as_deref())
    }

    // ---- A small model of Chrome's matching, enough for the rules generated here. ----

    /// Chrome's resource type for a webRequest kind.
    fn chrome_type(kind: &str) -> Option<ResourceType> {
        Some(match kind {
            "image" | "imageset" => ResourceType::Image,
            "ping" | "beacon" => ResourceType::Ping,
            "xmlhttprequest" => ResourceType::Xmlhttprequest,
            "sub_frame" => ResourceType::SubFrame,
            "script" => ResourceType::Script,
            "main_frame" => ResourceType::MainFrame,
            "other" | "" => ResourceType::Other,
            _ => return None,
        })
    }

    fn is_third_party(url: &str, source: &str) -> bool {
        match (SiteKey::from_url(source), SiteKey::from_url(url)) {
            (Ok(a), Ok(b)) => a != b,
            _ => true,
        }
    }

    /// The longest entry of `domains` that is `host` or a parent of it.
    fn longest(host: &str, domains: &[String]) -> Option<usize> {
        domains
            .iter()
            .filter(|d| host == d.as_str() || is_subdomain(host, d))
            .map(String::len)
            .max()
    }

    /// A request as the rules see it.
    struct Req<'a> {
        /// The URL without its fragment (Chrome matches no fragment).
        url: &'a str,
        host: String,
        /// The authority is just the host (no port, no user name).
        bare_host: bool,
        /// Path and query, lowercase.
        rest: String,
        kind: ResourceType,
        third_party: bool,
    }

    /// `||host/path` and `||host/path^`, the only `urlFilter`s generated here.
    fn url_filter_matches(filter: &str, req: &Req) -> bool {
        let rest = filter.strip_prefix("||").expect("a ||host/path filter");
        let slash = rest.find('/').expect("a path");
        let (host, path) = rest.split_at(slash);
        let (path, sep) = match path.strip_suffix('^') {
            Some(p) => (p, true),
            None => (path, false),
        };
        // `||host/` needs the `/` right after the host.
        if !req.bare_host || !(req.host == host || is_subdomain(&req.host, host)) {
            return false;
        }
        let Some(after) = req.rest.strip_prefix(&path.to_ascii_lowercase()) else {
            return false;
        };
        !sep || after
            .bytes()
            .next()
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || b"_-.%".contains(&b)))
    }

    /// Whether the case-insensitive `re` matches `url` (compiled once per thread).
    fn regex_matches(re: &str, url: &str) -> bool {
        thread_local! {
            static COMPILED: std::cell::RefCell<std::collections::HashMap<String, regex::Regex>> =
                std::cell::RefCell::default();
        }
        COMPILED.with(|c| {
            let mut c = c.borrow_mut();
            if !c.contains_key(re) {
                let compiled = regex::RegexBuilder::new(re)
                    .case_insensitive(true)
                    .build()
                    .unwrap_or_else(|e| panic!("{re}: {e}"));
                c.insert(re.to_owned(), compiled);
            }
            c.get(re).is_some_and(|r| r.is_match(url))
        })
    }

    fn rule_matches(r: &Rule, req: &Req) -> bool {
        let c = &r.condition;
        if !c.resource_types.is_empty() && !c.resource_types.contains(&req.kind) {
            return false;
        }
        match c.domain_type {
            Some(DomainType::ThirdParty) if !req.third_party => return false,
            Some(DomainType::FirstParty) if req.third_party => return false,
            _ => {}
        }
        let include = longest(&req.host, &c.request_domains);
        let exclude = longest(&req.host, &c.excluded_request_domains);
        if !c.request_domains.is_empty() && include.is_none() {
            return false;
        }
        if exclude.is_some_and(|e| include.is_none_or(|i| e >= i)) {
            return false;
        }
        if let Some(f) = &c.url_filter {
            if !url_filter_matches(f, req) {
                return false;
            }
        }
        if let Some(re) = &c.regex_filter {
            assert_eq!(c.is_url_filter_case_sensitive, Some(false));
            if !regex_matches(re, req.url) {
                return false;
            }
        }
        true
    }

    /// Whether Chrome blocks the request under `rules`: the highest priority wins, and `allow`
    /// wins a tie with `block`.
    fn chrome_blocks(rules: &[Rule], url: &str, kind: &str, source: &str) -> bool {
        let (Some(kind), Some(parts)) = (chrome_type(kind), url::split(url)) else {
            return false;
        };
        let authority = url
            .split_once("://")
            .map_or("", |(_, a)| a.split(['/', '?', '#']).next().unwrap_or(""));
        let req = Req {
            url: url.split('#').next().unwrap_or(""),
            bare_host: authority.eq_ignore_ascii_case(&parts.host),
            rest: parts
                .rest
                .split('#')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase(),
            host: parts.host,
            kind,
            third_party: is_third_party(url, source),
        };
        rules
            .iter()
            .filter(|r| rule_matches(r, &req))
            .map(|r| {
                (
                    r.priority,
                    r.action.kind == ActionType::Allow,
                    r.action.kind,
                )
            })
            .max()
            .is_some_and(|(_, _, kind)| kind == ActionType::Block)
    }

    /// Firefox's decision for a request no filter list matched.
    fn firefox_blocks(s: &Settings, url: &str, kind: &str, source: &str) -> bool {
        let req = PixelRequest {
            url,
            kind,
            method: "GET",
            source_url: source,
            known_pixel_host: false,
        };
        classify(&req).is_some_and(|p| match p.purpose.category() {
            Some(c) => s.blocking.enabled().contains(c),
            None => p.third_party && s.pixels.block_unknown,
        })
    }

    fn agree(s: &Settings, rules: &[Rule], cases: &[(&str, &str, &str, bool)]) {
        for &(url, kind, source, blocked) in cases {
            let firefox = firefox_blocks(s, url, kind, source);
            let chrome = chrome_blocks(rules, url, kind, source);
            assert_eq!(
                (firefox, chrome),
                (blocked, blocked),
                "{url} ({kind} from {source}) under {:?}/{:?}",
                s.blocking,
                s.pixels
            );
        }
    }

    // ---- The rules. ----

    #[test]
    fn default_settings() {
        let rules = dnr_rules(&Settings::default());
        let ping = rules
            .iter()
            .filter(|r| r.condition.resource_types == [ResourceType::Ping])
            .collect::<Vec<_>>();
        assert_eq!(ping.len(), 1);
        assert_eq!(ping[0].priority, dnr::priority::PIXEL_GENERIC);
        assert_eq!(ping[0].action.kind, ActionType::Block);
        assert_eq!(ping[0].condition.domain_type, Some(DomainType::ThirdParty));
        assert!(ping[0].condition.url_filter.is_none() && ping[0].condition.regex_filter.is_none());

        let endpoint_filters: Vec<&str> = rules
            .iter()
            .filter(|r| r.priority == dnr::priority::PIXEL_ENDPOINT)
            .inspect(|r| {
                assert_eq!(r.action.kind, ActionType::Block);
                assert_eq!(r.condition.resource_types, ENDPOINT_TYPES);
                assert_eq!(r.condition.domain_type, None);
            })
            .filter_map(|r| r.condition.url_filter.as_deref())
            .collect();
        for f in [
            "||facebook.com/tr^",
            "||pixel.test/p.gif^",
            "||dpm.demdex.net/ibs:",
        ] {
            assert!(endpoint_filters.contains(&f), "{f}");
        }
        let whole: Vec<&Rule> = rules
            .iter()
            .filter(|r| r.priority == dnr::priority::PIXEL_ENDPOINT)
            .filter(|r| !r.condition.request_domains.is_empty())
            .collect();
        assert_eq!(whole.len(), 1, "the whole-host endpoints share one rule");
        assert!(whole[0]
            .condition
            .request_domains
            .contains(&"tr.snapchat.com".to_owned()));

        assert!(
            rules
                .iter()
                .all(|r| r.priority != dnr::priority::PIXEL_ALLOW_KNOWN),
            "no known-sender allow rules while every category is on"
        );
        // The only allow: real pictures, among the generic rules.
        let allows: Vec<&Rule> = rules
            .iter()
            .filter(|r| r.action.kind == ActionType::Allow)
            .collect();
        assert_eq!(allows.len(), 1);
        assert_eq!(allows[0].priority, dnr::priority::PIXEL_GENERIC);
        assert_eq!(
            allows[0].condition.regex_filter.as_deref(),
            Some(CONTENT_IMAGE_REGEX)
        );
    }

    #[test]
    fn a_disabled_category_loses_its_endpoints_and_allows_its_senders() {
        let s = settings(|s| s.blocking.advertising = false);
        let rules = dnr_rules(&s);
        let at = |priority: u32| -> Vec<&Rule> {
            rules.iter().filter(|r| r.priority == priority).collect()
        };
        let blocked: Vec<&str> = at(dnr::priority::PIXEL_ENDPOINT)
            .iter()
            .filter_map(|r| r.condition.url_filter.as_deref())
            .collect();
        assert!(!blocked.contains(&"||facebook.com/tr^"));
        assert!(!blocked.contains(&"||pixel.test/p.gif^"));
        assert!(blocked.contains(&"||google-analytics.com/collect^"));
        let snapchat = "tr.snapchat.com".to_owned();
        assert!(at(dnr::priority::PIXEL_ENDPOINT)
            .iter()
            .all(|r| !r.condition.request_domains.contains(&snapchat)));

        let allow = at(dnr::priority::PIXEL_ALLOW_KNOWN);
        for r in &allow {
            assert_eq!(r.action.kind, ActionType::Allow);
            assert_eq!(r.condition.resource_types, PIXEL_TYPES);
            assert_eq!(r.condition.domain_type, None);
        }
        // One rule for the advertising hosts...
        let hosts: Vec<&&Rule> = allow
            .iter()
            .filter(|r| !r.condition.request_domains.is_empty())
            .collect();
        assert_eq!(hosts.len(), 1, "{hosts:#?}");
        let domains = &hosts[0].condition.request_domains;
        for h in ["pixel.test", "doubleclick.net", "tr.snapchat.com"] {
            assert!(domains.contains(&h.to_owned()), "{h}");
        }
        // ... but not for hosts that serve much else: just their endpoints.
        assert!(!domains.contains(&"facebook.com".to_owned()));
        assert!(!domains.contains(&"google-analytics.com".to_owned()));
        let exact: Vec<&str> = allow
            .iter()
            .filter_map(|r| r.condition.url_filter.as_deref())
            .collect();
        assert!(exact.contains(&"||facebook.com/tr^"), "{exact:?}");
        assert!(exact.contains(&"||t.co/i/adsct^"), "{exact:?}");
        // Endpoints on the advertising hosts need no rule of their own.
        assert!(
            !exact.iter().any(|f| f.contains("doubleclick.net")),
            "{exact:?}"
        );
        let google: Vec<&str> = allow
            .iter()
            .filter_map(|r| r.condition.regex_filter.as_deref())
            .collect();
        assert_eq!(google.len(), 1);
        assert!(google[0].contains("google"), "{google:?}");

        // Every category off: one host rule per category, no endpoint blocks.
        let s = settings(|s| {
            s.blocking.advertising = false;
            s.blocking.statistical = false;
            s.blocking.social = false;
        });
        let rules = dnr_rules(&s);
        let host_rules = rules
            .iter()
            .filter(|r| r.priority == dnr::priority::PIXEL_ALLOW_KNOWN)
            .filter(|r| !r.condition.request_domains.is_empty())
            .count();
        assert_eq!(host_rules, 3);
        assert!(rules
            .iter()
            .all(|r| r.priority != dnr::priority::PIXEL_ENDPOINT));
    }

    #[test]
    fn block_unknown_off_drops_the_generic_rules() {
        let s = settings(|s| s.pixels.block_unknown = false);
        let rules = dnr_rules(&s);
        assert!(rules
            .iter()
            .all(|r| r.priority == dnr::priority::PIXEL_ENDPOINT
                && r.action.kind == ActionType::Block));
        assert!(!rules.is_empty());
        let s = settings(|s| {
            s.pixels.block_unknown = false;
            s.blocking.advertising = false;
        });
        assert!(dnr_rules(&s)
            .iter()
            .all(|r| r.action.kind == ActionType::Block));
        let s = settings(|s| {
            s.pixels.block_unknown = false;
            s.blocking.advertising = false;
            s.blocking.statistical = false;
            s.blocking.social = false;
        });
        assert!(dnr_rules(&s).is_empty());
    }

    #[test]
    fn ids_priorities_and_domains_are_valid_for_every_setting() {
        const { assert!(dnr::ids::PIXELS + dnr::ids::PIXELS_BLOCK <= 5_000) };
        for s in all_settings() {
            let rules = dnr_rules(&s);
            assert!(
                rules.len() < dnr::ids::PIXELS_BLOCK as usize,
                "rules would be cut off"
            );
            let mut ids: Vec<u32> = rules.iter().map(|r| r.id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), rules.len(), "duplicate ids");
            assert!(ids.iter().all(|id| (4_000..5_000).contains(id)));
            for r in &rules {
                assert!(r.priority < dnr::priority::FILTER_BLOCK, "{r:?}");
                assert!([
                    dnr::priority::PIXEL_GENERIC,
                    dnr::priority::PIXEL_ALLOW_KNOWN,
                    dnr::priority::PIXEL_ENDPOINT
                ]
                .contains(&r.priority));
                let c = &r.condition;
                assert!(!c.resource_types.is_empty(), "{r:?}");
                assert!(!(c.url_filter.is_some() && c.regex_filter.is_some()));
                for d in c.request_domains.iter().chain(&c.excluded_request_domains) {
                    assert!(is_request_domain(d), "{d}");
                }
                if let Some(f) = &c.url_filter {
                    assert!(f.is_ascii() && f.starts_with("||"), "{f}");
                }
                // Nested entries of the two domain lists never depend on Chrome's precedence.
                for e in &c.excluded_request_domains {
                    assert!(c.request_domains.iter().any(|a| is_subdomain(e, a)), "{e}");
                    assert!(!c.request_domains.iter().any(|a| is_subdomain(a, e)), "{e}");
                }
            }
        }
    }

    #[test]
    fn regexes_compile_and_fit_chrome() {
        let mut seen = BTreeSet::new();
        for s in all_settings() {
            let rules = dnr_rules(&s);
            let generic = rules
                .iter()
                .filter(|r| r.priority == dnr::priority::PIXEL_GENERIC)
                .filter(|r| r.condition.regex_filter.is_some())
                .count();
            assert!(generic < 10, "{generic} generic regex rules");
            assert!(regex_rules(&rules).count() < 12);
            for re in regex_rules(&rules) {
                seen.insert(re.to_owned());
            }
        }
        // Every regex written here made it into the rules (none was over the budget).
        assert_eq!(
            seen.len(),
            1 + NAME_GROUPS.len() + SHAPE_REGEXES.len() + 1,
            "{seen:#?}"
        );
        for re in &seen {
            regex::RegexBuilder::new(re)
                .case_insensitive(true)
                .build()
                .unwrap_or_else(|e| panic!("{re}: {e}"));
            let size = estimate(re, true).unwrap_or_else(|e| panic!("{re}: {e:?}"));
            assert!(size <= REGEX_PROGRAM_BUDGET, "{re}: {size}");
        }
    }

    #[test]
    fn serialises_as_chrome_takes_it() {
        let rules = dnr_rules(&Settings::default());
        let json = |pred: &dyn Fn(&Rule) -> bool| {
            let r = rules.iter().find(|r| pred(r)).unwrap();
            let v = serde_json::to_value(r).unwrap();
            let mut v = v;
            v.as_object_mut().unwrap().remove("id");
            v.to_string()
        };
        assert_eq!(
            json(&|r| r.condition.resource_types == [ResourceType::Ping]),
            r#"{"action":{"type":"block"},"condition":{"domainType":"thirdParty","resourceTypes":["ping"]},"priority":80}"#
        );
        assert_eq!(
            json(&|r| r.condition.url_filter.as_deref() == Some("||facebook.com/tr^")),
            r#"{"action":{"type":"block"},"condition":{"isUrlFilterCaseSensitive":false,"resourceTypes":["sub_frame","image","xmlhttprequest","ping","other"],"urlFilter":"||facebook.com/tr^"},"priority":95}"#
        );
        assert_eq!(
            json(&|r| r.condition.regex_filter.as_deref() == Some(CONTENT_IMAGE_REGEX)),
            format!(
                r#"{{"action":{{"type":"allow"}},"condition":{{"domainType":"thirdParty","isUrlFilterCaseSensitive":false,"regexFilter":{},"resourceTypes":["image"]}},"priority":80}}"#,
                serde_json::to_string(CONTENT_IMAGE_REGEX).unwrap()
            )
        );
        let google = rules
            .iter()
            .find_map(|r| {
                r.condition
                    .regex_filter
                    .as_deref()
                    .filter(|f| f.contains("google"))
            })
            .unwrap();
        assert_eq!(
            google,
            r"^https?://(?:[^/]*\.)?google\.[a-z]{2,3}(?:\.[a-z]{2})?(?::[0-9]+)?/(?:ads/ga-audiences|pagead/1p-conversion|pagead/1p-user-list)(?:[/;?]|$)"
        );
    }

    // ---- Chrome's rules against Firefox's decision. ----

    #[test]
    fn chrome_agrees_with_firefox_on_examples() {
        let s = Settings::default();
        let site = "http://site.test/";
        let first = "https://www.t.example/";
        let other = "https://other.example/";
        #[rustfmt::skip]
        let cases = [
            ("http://pixel.test/p.gif?uid=1", "image", site, true),
            ("https://www.facebook.com/tr?id=1", "image", NEWS, true),
            ("https://www.facebook.com/tr/?id=1", "ping", NEWS, true),
            ("https://www.facebook.com/track.js", "script", NEWS, false),
            ("https://www.google-analytics.com/collect?v=1", "ping", NEWS, true),
            ("https://www.google-analytics.com/g/collect?v=2", "xmlhttprequest", NEWS, true),
            ("https://www.google.de/pagead/1p-conversion/123/?x=1", "image", NEWS, true),
            ("https://google.co.uk/ads/ga-audiences?t=1", "image", NEWS, true),
            ("https://www.google.com/pagead/1p-conversionx", "xmlhttprequest", NEWS, false),
            ("https://fls.doubleclick.net/activityi;src=1;type=x", "sub_frame", NEWS, true),
            ("https://dpm.demdex.net/ibs:dpid=411&dpuuid=x", "image", NEWS, true),
            ("https://tr.snapchat.com/p", "xmlhttprequest", NEWS, true),
            ("http://collector.example/i.gif?a=1&b=2&c=3", "image", NEWS, true),
            ("https://cdn.example.com/img/hero.jpg", "image", NEWS, false),
            ("https://cdn.example.com/img/logo.png", "image", NEWS, false),
            ("https://cdn.example.com/crop/1x1/hero.jpg?width=400", "image", NEWS, false),
            ("https://cdn.example.com/pixels/hero.webp", "image", NEWS, false),
            ("https://t.example/collect", "image", NEWS, true),
            ("https://t.example/collect", "image", first, false),
            ("https://t.example/a/b?w=1&h=1", "image", NEWS, true),
            ("https://t.example/a/b?height=1px&x=2&width=1", "image", NEWS, true),
            ("https://t.example/a/b?w=1", "image", NEWS, false),
            ("https://ads.example/x?sz=1x1&c=2", "image", NEWS, true),
            ("https://ads.example/img/1x1/x?c=2", "image", NEWS, true),
            ("https://ads.example/img/11x1/x?c=2", "image", NEWS, false),
            ("https://sync.example/usersync.aspx?p=1", "image", NEWS, true),
            ("https://sync.example/cookie/match?party=1", "image", NEWS, true),
            ("https://sync.example/Pixel.GIF", "image", NEWS, true),
            ("https://sync.example/pixel.min.gif", "image", NEWS, false),
            ("https://sync.example/tracking_pixel.php?x", "image", NEWS, true),
            ("https://sync.example/hit.jsp", "image", NEWS, true),
            ("https://sync.example/track.js", "image", NEWS, false),
            ("https://cdn.example/img/blank.gif", "image", NEWS, false),
            ("https://cdn.example/img/blank.gif?a=1", "image", NEWS, true),
            ("https://cdn.example/img/x.gif", "image", NEWS, false),
            ("https://cdn.example/img/x.gif?a", "image", NEWS, true),
            ("https://cdn.example/img/t.png", "image", NEWS, true),
            ("https://cdn.example/img/x.png?a", "image", NEWS, false),
            ("https://example.org/px/x.png", "image", NEWS, true),
            ("https://example.org/tr/?id=1", "image", NEWS, true),
            ("https://example.org/a/b/pixel-art/x", "image", NEWS, false),
            ("https://other.example/endpoint", "ping", NEWS, true),
            ("https://other.example/endpoint", "beacon", NEWS, true),
            ("https://www.other.example/endpoint", "ping", other, false),
            ("https://other.example/api/v1/items", "xmlhttprequest", NEWS, false),
            ("https://other.example/app.js", "script", NEWS, false),
        ];
        agree(&s, &dnr_rules(&s), &cases);
    }

    #[test]
    fn chrome_agrees_with_firefox_when_switches_are_off() {
        let no_ads = settings(|s| s.blocking.advertising = false);
        #[rustfmt::skip]
        let cases = [
            ("http://pixel.test/p.gif?uid=1", "image", NEWS, false),
            ("https://www.facebook.com/tr?id=1", "ping", NEWS, false),
            ("https://stats.g.doubleclick.net/j/collect?v=1", "ping", NEWS, false),
            ("https://ad.doubleclick.net/x/pixel.gif", "image", NEWS, false),
            ("https://www.google.de/pagead/1p-conversion/1/", "ping", NEWS, false),
            ("https://t.co/i/adsct?txn_id=1", "ping", NEWS, false),
            ("https://www.google-analytics.com/collect?v=1", "ping", NEWS, true),
            ("http://analytics.test/t.gif", "image", NEWS, true),
            ("http://collector.example/i.gif?a=1&b=2&c=3", "image", NEWS, true),
            ("https://other.example/endpoint", "ping", NEWS, true),
            // Other requests to an advertising endpoint's host are judged as usual.
            ("https://www.facebook.com/x/pixel.gif", "image", NEWS, true),
            ("https://www.facebook.com/ajax/log", "ping", NEWS, true),
        ];
        agree(&no_ads, &dnr_rules(&no_ads), &cases);

        let no_stats = settings(|s| s.blocking.statistical = false);
        #[rustfmt::skip]
        let cases = [
            ("https://www.google-analytics.com/collect?v=1", "ping", NEWS, false),
            ("https://www.google-analytics.com/collect?v=1", "image", NEWS, false),
            ("http://analytics.test/t.gif", "image", NEWS, false),
            ("https://us1.list-manage.com/track/open.php?u=1", "image", NEWS, false),
            ("http://pixel.test/p.gif?uid=1", "image", NEWS, true),
            ("http://collector.example/i.gif?a=1&b=2&c=3", "image", NEWS, true),
        ];
        agree(&no_stats, &dnr_rules(&no_stats), &cases);

        let no_unknown = settings(|s| s.pixels.block_unknown = false);
        #[rustfmt::skip]
        let cases = [
            ("http://pixel.test/p.gif?uid=1", "image", NEWS, true),
            ("https://www.facebook.com/tr?id=1", "image", NEWS, true),
            ("http://collector.example/i.gif?a=1&b=2&c=3", "image", NEWS, false),
            ("https://other.example/endpoint", "ping", NEWS, false),
            ("https://t.example/a/b?w=1&h=1", "image", NEWS, false),
        ];
        agree(&no_unknown, &dnr_rules(&no_unknown), &cases);
    }

    #[test]
    fn known_differences() {
        let s = Settings::default();
        let rules = dnr_rules(&s);
        // Chrome blocks more: a gif with 3 plain parameters.
        let url = "https://cdn.example/anim.gif?a=1&b=2&c=3";
        assert!(
            chrome_blocks(&rules, url, "image", NEWS) && !firefox_blocks(&s, url, "image", NEWS)
        );
        // Chrome blocks less: weak evidence that adds up, a collector name outside images.
        for (url, kind) in [
            (
                "https://sync.adtech.example/x?id=3f2a9c1e7b6d4e5f8a9b",
                "image",
            ),
            ("https://api.example/v1/collect", "xmlhttprequest"),
        ] {
            assert!(!chrome_blocks(&rules, url, kind, NEWS) && firefox_blocks(&s, url, kind, NEWS));
        }
    }

    /// Every pixel-like name, with every extension and with and without a query: the
    /// shape rules and the classifier agree.
    #[test]
    fn shape_rules_follow_the_classifier() {
        let s = Settings::default();
        let rules = dnr_rules(&s);
        #[rustfmt::skip]
        let stems = [
            // Collectors.
            "pixel", "px", "beacon", "collect", "track", "tracker", "tracking", "tr", "trk",
            "pageview", "tracking-pixel", "tracking_pixel", "pixel-tracking",
            // Cookie syncs.
            "sync", "usersync", "user-sync", "user_sync", "cookiesync", "cookie-sync",
            "pixelsync", "pixel_sync", "csync", "idsync", "setuid", "usermatch", "cookiematch",
            "pixelmatch", "match", "cm",
            // Image-only names.
            "1x1", "hit", "imp", "impression", "counter", "ping",
            // Spacers and one-character names.
            "blank", "clear", "spacer", "transparent", "p", "t", "b", "e", "g", "i", "0", "x",
            // Not pixel-like.
            "pixels", "tracks", "impressions", "counters", "hits", "sink", "logo", "xx", "",
            "cookie_sync", "user--sync",
        ];
        #[rustfmt::skip]
        let exts = [
            "", ".gif", ".png", ".php", ".aspx", ".asp", ".ashx", ".jsp", ".cgi", ".pl", ".html",
            ".htm", ".do", ".js", ".css", ".jpg", ".webp", ".svg", ".GIF",
        ];
        let mut blocked = 0;
        for stem in stems {
            for ext in exts {
                for tail in ["", "?a=1", ";jsessionid=1", ";s=1?a=1"] {
                    for dir in ["/a/", "/", "/pixel/", "/img/1x1/", "/a.b/"] {
                        let url = format!("https://img.example{dir}{stem}{ext}{tail}");
                        let firefox = firefox_blocks(&s, &url, "image", NEWS);
                        let chrome = chrome_blocks(&rules, &url, "image", NEWS);
                        assert_eq!(firefox, chrome, "{url}");
                        blocked += usize::from(chrome);
                    }
                }
            }
        }
        assert!(blocked > 1000, "{blocked}");
    }

    /// A request for every known endpoint, of every type the classifier reads, under every
    /// setting: Chrome and Firefox agree.
    #[test]
    fn every_endpoint_under_every_setting() {
        let kinds = ["image", "ping", "xmlhttprequest", "sub_frame", "other"];
        for s in all_settings() {
            let rules = dnr_rules(&s);
            for e in KNOWN_ENDPOINTS {
                let host = match e.host.strip_suffix(".*") {
                    Some(name) => format!("www.{name}.de"),
                    None => format!("www.{}", e.host),
                };
                let path = if e.path.ends_with(|c: char| c.is_ascii_punctuation()) {
                    format!("{}x", e.path)
                } else {
                    format!("{}/1", e.path)
                };
                for url in [
                    format!("https://{host}{path}?id=1"),
                    format!("https://{host}{}", e.path),
                ] {
                    for source in [NEWS, &format!("https://{host}/")] {
                        for kind in kinds {
                            let firefox = firefox_blocks(&s, &url, kind, source);
                            let chrome = chrome_blocks(&rules, &url, kind, source);
                            assert_eq!(
                                chrome, firefox,
                                "{url} ({kind} from {source}) under {:?}/{:?}",
                                s.blocking, s.pixels
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn overlapping_endpoints_keep_the_first_match() {
        use PixelPurpose::{Advertising, Statistical, Unknown};
        let ep = |host, path, purpose| KnownEndpoint {
            host,
            path,
            purpose,
            name: "test",
        };
        // The first entry wins for the requests both match: a disabled one must allow them.
        let table = [
            ep("a.one.example", "/x/y", Statistical),
            ep("one.example", "/x", Advertising),
            ep("b.example", "/", Unknown),
            ep("b.example", "/z", Advertising),
            ep("c.example", "/q", Advertising),
        ];
        assert!(overlaps(&table[0], &table[1]) && overlaps(&table[2], &table[3]));
        assert!(!overlaps(&table[0], &table[4]) && !overlaps(&table[1], &table[2]));
        let s = settings(|s| s.blocking.statistical = false);
        let rules = rules_for(&s, &table);
        let blocks = |url: &str, source: &str| chrome_blocks(&rules, url, "image", source);
        assert!(!blocks("https://a.one.example/x/y", NEWS));
        assert!(blocks("https://a.one.example/x/z", NEWS));
        assert!(blocks("https://one.example/x/y", NEWS));
        assert!(blocks("https://b.example/z", NEWS));
        // Unknown purpose first: third-party only, although the later endpoint blocks always.
        assert!(!blocks("https://b.example/z", "https://b.example/"));
        assert!(blocks("https://b.example/other", NEWS));
        assert!(!blocks("https://b.example/other", "https://b.example/"));
        let allows = rules
            .iter()
            .filter(|r| r.action.kind == ActionType::Allow)
            .filter(|r| r.priority == dnr::priority::PIXEL_ENDPOINT)
            .count();
        assert_eq!(allows, 2);
        // Nothing in the real table overlaps with another purpose.
        for (i, a) in KNOWN_ENDPOINTS.iter().enumerate() {
            for b in &KNOWN_ENDPOINTS[i + 1..] {
                assert!(!overlaps(a, b) || a.purpose == b.purpose, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn helpers() {
        assert!(is_request_domain("xn--bcher-kva.example"));
        assert!(!is_request_domain("Upper.example"));
        assert!(!is_request_domain("google.*"));
        assert!(!is_request_domain("a..b"));
        assert!(!is_request_domain(""));
        assert!(!is_request_domain("host:8080"));
        assert!(is_rule_path("/ibs:"));
        assert!(!is_rule_path("/a*b") && !is_rule_path("tr") && !is_rule_path("/a b"));
        assert!(is_subdomain("a.b.example", "b.example"));
        assert!(
            !is_subdomain("b.example", "b.example") && !is_subdomain("xb.example", "b.example")
        );
        assert_eq!(escape("a.b(c)"), r"a\.b\(c\)");
        // A path too long for one regex is skipped, the others still fit.
        let long = "x".repeat(200);
        let paths: BTreeSet<String> = ["a".to_owned(), long, "b".to_owned()].into();
        let res = wildcard_regexes("name", &paths, false);
        assert_eq!(res.len(), 1, "{res:?}");
        assert!(res[0].contains("(?:a|b)"));
    }
}
