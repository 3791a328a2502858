//! Tracked links: tracking parameters removed from navigations, and click-tracking redirectors
//! skipped.
//!
//! Two kinds of link carry a click to a tracker:
//! - a URL with a **tracking parameter** (`?utm_source=...`, `&fbclid=...`): the destination is
//!   right, but the query tells the site (and its analytics) where the visitor came from or who
//!   they are. [`clean_url`] removes exactly the parameters of [`TRACKING_PARAMS`] and leaves
//!   every other byte of the URL alone.
//! - a **redirector** (`https://l.facebook.com/l.php?u=https%3A%2F%2F...`): the link goes to the
//!   platform first, which logs the click and bounces the browser on. [`skip_redirector`] reads
//!   the destination out of the URL of one of the [`REDIRECTORS`], so the platform never sees
//!   the click.
//!
//! Firefox applies both in `webRequest` with [`rewrite_navigation`]. Chromium applies them with
//! the declarativeNetRequest rules of [`dnr_rules`]: parameters are removed by the browser
//! itself, and a redirector URL is sent whole to an extension page, which calls
//! [`skip_redirector`] on it.
//!
//! Every function here is total: anything it cannot read with certainty is left unchanged
//! (`None`).

use crate::compile::regex::{escape, estimate, REGEX_PROGRAM_BUDGET};
use crate::dnr::{
    self, Condition, QueryTransform, Redirect, RedirectAction, ResourceType, Rule, UrlTransform,
};
use crate::settings::Settings;
use crate::url;

/// Longest URL the functions here look at (64 KiB); a longer one is left unchanged.
pub const MAX_URL_LEN: usize = 64 * 1024;

/// The tracking parameters, by source. Names are exact and case-sensitive (DNR `removeParams`
/// takes no wildcards), sorted within each group. Only names that exist to follow people, and
/// never carry something a site needs to work, belong here; names that mean something else on
/// some sites (`ref`, `si`, `source`, `cid`, `_ga`...) do not.
const GROUPS: &[&[&str]] = &[
    // Campaign tags of Google Analytics (the `utm_` family, from Urchin): the documented GA4 set
    // (id, source, medium, campaign, source_platform, term, content, creative_format,
    // marketing_tactic) plus the spellings that campaign tools and newsletters add.
    &[
        "utm_brand",
        "utm_campaign",
        "utm_cid",
        "utm_content",
        "utm_creative_format",
        "utm_id",
        "utm_marketing_tactic",
        "utm_medium",
        "utm_name",
        "utm_place",
        "utm_pubreferrer",
        "utm_reader",
        "utm_referrer",
        "utm_social",
        "utm_social-type",
        "utm_source",
        "utm_source_platform",
        "utm_swu",
        "utm_term",
        "utm_userid",
        "utm_viz_id",
    ],
    // Google Ads and the Google Marketing Platform: click identifiers (gclid and its sources,
    // DoubleClick's dclid, the iOS-era gbraid/wbraid, gad_*), Merchant Center's srsltid, and
    // `_gl`, the Google tag's cross-domain linker, which carries the visitor's analytics client
    // id from one domain to the next: only analytics reads it. (`_ga`, the older linker, is left
    // alone: the name is short and generic enough to mean something else somewhere.)
    &[
        "_gl",
        "dclid",
        "gad_campaignid",
        "gad_source",
        "gbraid",
        "gclid",
        "gclsrc",
        "srsltid",
        "wbraid",
    ],
    // Microsoft Advertising (Bing Ads) click id.
    &["msclkid"],
    // Meta: Facebook's click id, Instagram's share ids.
    &["fbclid", "igsh", "igshid"],
    // Yandex: Direct's click id, Search's click id, Openstat's tag.
    &["_openstat", "yclid", "ysclid"],
    // Other ad platforms' click ids: Pinterest (epik), LinkedIn (li_fat_id), TikTok (ttclid),
    // X/Twitter (twclid), and rb_clickid (in Brave's query filter since issue 17451).
    &["epik", "li_fat_id", "rb_clickid", "ttclid", "twclid"],
    // Adobe Advertising and Analytics: ef_id, s_kwcid (search clicks), s_cid (campaigns; in
    // Brave's query filter).
    &["ef_id", "s_cid", "s_kwcid"],
    // Affiliate and attribution trackers: Impact (irclickid), Wicked Reports (wickedid).
    &["irclickid", "wickedid"],
    // Email marketing, which tags every link of a message with the recipient: HubSpot (the
    // `__hs*`/`_hs*` cookies' values and hsCtaTracking), Klaviyo (_kx), Mailchimp (campaign and
    // member ids), Marketo (mkt_tok), MailerLite (ml_subscriber*), Omeda Olytics (oly_*), Vero.
    &[
        "__hsfp",
        "__hssc",
        "__hstc",
        "_hsenc",
        "_hsmi",
        "_kx",
        "hsCtaTracking",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "ml_subscriber",
        "ml_subscriber_hash",
        "oly_anon_id",
        "oly_enc_id",
        "vero_conv",
        "vero_id",
    ],
];

const PARAM_COUNT: usize = {
    let mut n = 0;
    let mut g = 0;
    while g < GROUPS.len() {
        n += GROUPS[g].len();
        g += 1;
    }
    n
};

const FLAT: [&str; PARAM_COUNT] = {
    let mut out = [""; PARAM_COUNT];
    let mut k = 0;
    let mut g = 0;
    while g < GROUPS.len() {
        let mut i = 0;
        while i < GROUPS[g].len() {
            out[k] = GROUPS[g][i];
            k += 1;
            i += 1;
        }
        g += 1;
    }
    out
};

/// Query parameters removed from navigations: exact, case-sensitive names (`utm_source`, never
/// `UTM_SOURCE` or `utm_*`), grouped by source in the module's source.
pub const TRACKING_PARAMS: &[&str] = &FLAT;

/// A click-tracking redirector: a URL on `host` whose path starts with `path_prefix` sends the
/// browser on to the URL in one of its `params`.
///
/// Hosts are exact (no subdomains) and lowercase, paths are case-sensitive prefixes: the same
/// list makes the browser rules of [`dnr_rules`], which take no wildcards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redirector {
    /// The exact host, lowercase.
    pub host: &'static str,
    /// The start of the path, from its `/`.
    pub path_prefix: &'static str,
    /// The query parameters that hold the destination, tried in this order.
    pub params: &'static [&'static str],
    /// Whose redirector it is and where it appears.
    pub what: &'static str,
}

const fn r(
    host: &'static str,
    path_prefix: &'static str,
    params: &'static [&'static str],
    what: &'static str,
) -> Redirector {
    Redirector {
        host,
        path_prefix,
        params,
        what,
    }
}

/// The redirectors skipped, sorted by host. Only bouncers whose destination is a plain
/// (percent-encoded) URL in a query parameter belong here: not path-based ones
/// (`outgoing.prod.mozaws.net`), raw-query ones (`href.li/?https://...`), encoded ones
/// (Bing's base64 `u=a1...`), nor `disq.us/url`, which appends `:<hash>` to the destination.
/// Safety interstitials (`facebook.com/flx/warn/`) are left to show their warning.
pub const REDIRECTORS: &[Redirector] = &[
    r(
        "away.vk.com",
        "/away.php",
        &["to"],
        "VK: links in posts and messages",
    ),
    r(
        "click.linksynergy.com",
        "/deeplink",
        &["murl"],
        "Rakuten Advertising (LinkShare): affiliate deep links",
    ),
    r(
        "duckduckgo.com",
        "/l/",
        &["uddg"],
        "DuckDuckGo: result links of the no-JavaScript search pages",
    ),
    r(
        "exit.sc",
        "/",
        &["url"],
        "SoundCloud: links in profiles and descriptions",
    ),
    r(
        "gate.sc",
        "/",
        &["url"],
        "SoundCloud: links in profiles and descriptions",
    ),
    r(
        "go.redirectingat.com",
        "/",
        &["url"],
        "Skimlinks: affiliate links",
    ),
    r(
        "go.skimresources.com",
        "/",
        &["url"],
        "Skimlinks: affiliate links",
    ),
    r(
        "l.facebook.com",
        "/l.php",
        &["u"],
        "Facebook: Link Shim (outbound links)",
    ),
    r("l.instagram.com", "/", &["u"], "Instagram: outbound links"),
    r("l.messenger.com", "/l.php", &["u"], "Messenger: Link Shim"),
    r("link.zhihu.com", "/", &["target"], "Zhihu: outbound links"),
    r(
        "lm.facebook.com",
        "/l.php",
        &["u"],
        "Facebook (mobile): Link Shim",
    ),
    r(
        "m.vk.com",
        "/away.php",
        &["to"],
        "VK (mobile): outbound links",
    ),
    r(
        "m.youtube.com",
        "/redirect",
        &["q"],
        "YouTube (mobile): links in descriptions and comments",
    ),
    r(
        "out.reddit.com",
        "/",
        &["url"],
        "Reddit: outbound link tracking",
    ),
    r(
        "slack-redir.net",
        "/link",
        &["url"],
        "Slack: links in messages",
    ),
    r(
        "steamcommunity.com",
        "/linkfilter/",
        &["url", "u"],
        "Steam: link filter (\"you are leaving Steam\")",
    ),
    r("t.umblr.com", "/redirect", &["z"], "Tumblr: outbound links"),
    r("vk.com", "/away.php", &["to"], "VK: outbound links"),
    r(
        "www.google.com",
        "/url",
        &["q", "url"],
        "Google: result links of Search, and links in Gmail and Docs",
    ),
    r(
        "www.linkedin.com",
        "/redir/redirect",
        &["url"],
        "LinkedIn: outbound links",
    ),
    r(
        "www.pixiv.net",
        "/jump.php",
        &["url"],
        "pixiv: outbound links",
    ),
    r(
        "www.youtube.com",
        "/redirect",
        &["q"],
        "YouTube: links in descriptions and comments",
    ),
];

/// What [`rewrite_navigation`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rewrite {
    /// The URL was a redirector's: the new URL is its destination (with its tracking parameters
    /// removed too).
    SkippedRedirector,
    /// This many tracking parameters were removed (at least one).
    RemovedParams(usize),
}

/// The URL without its tracking parameters, or `None` when it has none (or cannot be read).
///
/// Only `http`/`https` URLs are cleaned. The query is the text between the first `?` and the
/// first `#` after it (a `?` inside the fragment starts no query); it is split on `&`, and a
/// pair's key is its raw text before the first `=` (or the whole pair). Pairs whose key is
/// exactly one of [`TRACKING_PARAMS`] are dropped; every other byte stays as it was, in order:
/// empty pairs, duplicates, keys without values, percent-encodings (nothing is decoded or
/// re-encoded) and the fragment. A query left empty loses its `?` too.
///
/// ```
/// # use crumbwall_core::links::clean_url;
/// assert_eq!(
///     clean_url("http://site.test/page?utm_source=x&id=5#top").as_deref(),
///     Some("http://site.test/page?id=5#top")
/// );
/// assert_eq!(clean_url("http://site.test/page?id=5#top"), None);
/// ```
pub fn clean_url(url: &str) -> Option<String> {
    clean(url).map(|(cleaned, _)| cleaned)
}

/// [`clean_url`], with the number of pairs removed.
fn clean(url: &str) -> Option<(String, usize)> {
    if !is_web_url(url) {
        return None;
    }
    let (head, after) = url.split_once('?')?;
    if head.contains('#') {
        // The first '?' is inside the fragment: there is no query.
        return None;
    }
    let (query, fragment) = match after.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (after, None),
    };
    let mut kept: Vec<&str> = Vec::new();
    let mut removed = 0;
    for pair in query.split('&') {
        if TRACKING_PARAMS.contains(&key(pair)) {
            removed += 1;
        } else {
            kept.push(pair);
        }
    }
    if removed == 0 {
        return None;
    }
    let query = kept.join("&");
    let mut out = String::with_capacity(url.len());
    out.push_str(head);
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    Some((out, removed))
}

/// A query pair's raw key: the text before the first `=`, or the whole pair.
fn key(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(k, _)| k)
}

/// An `http`/`https` URL the functions here may read: at most [`MAX_URL_LEN`] long, without
/// ASCII whitespace or control characters (a browser never hands one over), with a host.
fn is_web_url(url: &str) -> bool {
    url.len() <= MAX_URL_LEN
        && !url
            .chars()
            .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
        && url::split(url).is_some_and(|p| is_http(p.scheme))
}

fn is_http(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

/// The redirector `url` belongs to (host and path prefix match), whether or not it carries a
/// destination.
pub fn redirector_for(url: &str) -> Option<&'static Redirector> {
    if !is_web_url(url) {
        return None;
    }
    let parts = url::split(url)?;
    let path = parts.rest.split(['?', '#']).next().unwrap_or_default();
    REDIRECTORS
        .iter()
        .find(|r| r.host == parts.host && path.starts_with(r.path_prefix))
}

/// The destination of a redirector URL, or `None` when `url` is no redirector's or carries no
/// readable destination.
///
/// The destination is the value of the first of the redirector's parameters (in the order of
/// [`Redirector::params`], then of the query) that reads as one: percent-decoded once (`%XX`
/// only; `+` stays `+`; an invalid escape or a result that is not UTF-8 reads as nothing), and
/// decoded once more if it still starts with `http%3A` or `https%3A`. It must be an absolute
/// `http`/`https` URL with a host and without whitespace or control characters.
///
/// ```
/// # use crumbwall_core::links::skip_redirector;
/// assert_eq!(
///     skip_redirector("https://l.facebook.com/l.php?u=https%3A%2F%2Fsite.test%2Fa%3Fb%3D1&h=AT0")
///         .as_deref(),
///     Some("https://site.test/a?b=1")
/// );
/// ```
pub fn skip_redirector(url: &str) -> Option<String> {
    let redirector = redirector_for(url)?;
    let (head, after) = url.split_once('?')?;
    if head.contains('#') {
        return None;
    }
    let query = after.split('#').next().unwrap_or_default();
    redirector.params.iter().find_map(|param| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .filter(|(k, _)| k == param)
            .find_map(|(_, v)| destination(v))
    })
}

/// A parameter value as a destination URL, if it is one.
fn destination(raw: &str) -> Option<String> {
    let mut dest = percent_decode(raw)?;
    let looks_encoded = ["http%3a", "https%3a"].iter().any(|p| {
        dest.get(..p.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(p))
    });
    if looks_encoded {
        dest = percent_decode(&dest)?;
    }
    let clean = !dest.chars().any(|c| c.is_whitespace() || c.is_control());
    let web = url::split(&dest).is_some_and(|p| is_http(p.scheme));
    (clean && web).then_some(dest)
}

/// Decodes `%XX` escapes (and nothing else); `None` for an invalid escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = hex(bytes.next()?)?;
            let lo = hex(bytes.next()?)?;
            out.push((hi << 4) | lo);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// What to do with a navigation to `url` (Firefox's `webRequest`): a redirector is skipped (and
/// the destination's tracking parameters removed), otherwise tracking parameters are removed.
/// `None` when nothing changes.
pub fn rewrite_navigation(url: &str) -> Option<(String, Rewrite)> {
    if let Some(dest) = skip_redirector(url) {
        let dest = clean_url(&dest).unwrap_or(dest);
        return Some((dest, Rewrite::SkippedRedirector));
    }
    clean(url).map(|(cleaned, n)| (cleaned, Rewrite::RemovedParams(n)))
}

/// The declarativeNetRequest rules for tracked links (Chromium), with ids from
/// [`dnr::ids::LINKS`] and priority [`dnr::priority::LINKS`], for top-level and frame
/// navigations (`main_frame`, `sub_frame`).
///
/// - **Parameters**: a few `redirect` rules whose `queryTransform` removes every one of
///   [`TRACKING_PARAMS`]. A rule must fire only when one of them is there (otherwise it would
///   redirect every navigation to itself), so each matches a share of the names with a
///   case-sensitive `regexFilter` like `^[^?#]*\?(?:[^#]*&)?(?:fbclid|gclid)(?:[=&#]|$)`: a
///   pair in the query whose key is exactly the name, as [`clean_url`] reads it. (The fragment
///   is not part of the URL Chrome matches; the regexes stop at a `#` anyway.) Names are shared
///   out so that each regex stays within RE2's program budget in Chrome
///   ([`REGEX_PROGRAM_BUDGET`] instructions, 2 KB).
/// - **Redirectors**: for each of [`REDIRECTORS`] and each of its parameters, a `regexFilter`
///   `^https?://HOST(?::[0-9]+)?PATH[^?#]*\?(?:[^#]*&)?PARAM=https?(?:%3[aA]|:).*` (a
///   destination that starts like an `http`/`https` URL, encoded or not) and a
///   `regexSubstitution` to `{skip_page_url}#\0`: the whole redirector URL goes, in the
///   fragment, to the extension page, which reads it with [`skip_redirector`] and goes on. That
///   page must not send the browser back to the redirector URL when [`skip_redirector`] finds no
///   destination (the rule would fire again), and must be a web-accessible resource.
///   A `skip_page_url` that is not an absolute URL of printable ASCII, or that contains `#` or a
///   backslash (`\` starts a group reference in a substitution), gives no redirector rules.
///
/// Both kinds share one priority: when a URL matches both, either goes first and the other
/// applies to the URL that follows.
pub fn dnr_rules(skip_page_url: &str) -> Vec<Rule<RedirectAction>> {
    dnr_rules_with(skip_page_url, true, true)
}

/// [`dnr_rules`] with either kind left out (the user's switches).
fn dnr_rules_with(
    skip_page_url: &str,
    params: bool,
    redirectors: bool,
) -> Vec<Rule<RedirectAction>> {
    let mut rules = Vec::new();
    let remove_params: Vec<String> = TRACKING_PARAMS.iter().map(|p| (*p).to_owned()).collect();
    for regex in param_regexes().into_iter().filter(|_| params) {
        let action = RedirectAction {
            redirect: Redirect {
                url: None,
                transform: Some(UrlTransform {
                    query_transform: Some(QueryTransform {
                        remove_params: remove_params.clone(),
                    }),
                }),
                regex_substitution: None,
            },
        };
        rules.push((action, regex));
    }
    if redirectors && is_valid_skip_page(skip_page_url) {
        let substitution = format!("{skip_page_url}#\\0");
        for regex in redirector_regexes() {
            let action = RedirectAction {
                redirect: Redirect {
                    url: None,
                    transform: None,
                    regex_substitution: Some(substitution.clone()),
                },
            };
            rules.push((action, regex));
        }
    }
    rules
        .into_iter()
        .zip(dnr::ids::LINKS..dnr::ids::LINKS + dnr::ids::BLOCK)
        .map(|((action, regex), id)| Rule {
            id,
            priority: dnr::priority::LINKS,
            action,
            condition: Condition {
                regex_filter: Some(regex),
                is_url_filter_case_sensitive: Some(true),
                resource_types: vec![ResourceType::MainFrame, ResourceType::SubFrame],
                ..Condition::default()
            },
        })
        .collect()
}

/// The rules of [`dnr_rules`] the user's switches ask for (`links.clean`,
/// `links.skip_redirectors`). Allow-listed sites need nothing here: their `allowAllRequests` rule
/// ([`crate::blocking::allowlist_rules`]) has a higher priority than [`dnr::priority::LINKS`].
pub fn dnr_rules_for(settings: &Settings, skip_page_url: &str) -> Vec<Rule<RedirectAction>> {
    dnr_rules_with(
        skip_page_url,
        settings.links.clean,
        settings.links.skip_redirectors,
    )
}

/// What the user's settings make of a navigation (Firefox asks this in `webRequest`; Chromium's
/// rules from [`dnr_rules_for`] do the same). `kind` is the request type: only `main_frame` and
/// `sub_frame` are rewritten. `top_url` is the tab's page, for frames. Nothing changes on an
/// allow-listed site: the site navigated to for a top-level navigation, the page's site for a
/// frame.
pub fn for_navigation(
    settings: &Settings,
    url: &str,
    kind: &str,
    top_url: &str,
) -> Option<(String, Rewrite)> {
    let allowed = |u: &str| {
        url::split(u).is_some_and(|p| p.is_web() && settings.is_allowlisted_host(&p.host))
    };
    let page = match kind {
        "main_frame" => url,
        "sub_frame" if !top_url.is_empty() => top_url,
        "sub_frame" => url,
        _ => return None,
    };
    if allowed(page) {
        return None;
    }
    if settings.links.skip_redirectors {
        if let Some(dest) = skip_redirector(url) {
            let dest = match clean_url(&dest) {
                Some(c) if settings.links.clean && !(kind == "main_frame" && allowed(&dest)) => c,
                _ => dest,
            };
            return Some((dest, Rewrite::SkippedRedirector));
        }
    }
    if settings.links.clean {
        return clean(url).map(|(cleaned, n)| (cleaned, Rewrite::RemovedParams(n)));
    }
    None
}

fn is_valid_skip_page(u: &str) -> bool {
    !u.is_empty()
        && u.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'#' && b != b'\\')
        && url::split(u).is_some()
}

/// The parameter rules' regexes: the names in sorted order (so RE2 can share common prefixes),
/// as many per regex as fit the program budget.
fn param_regexes() -> Vec<String> {
    fn regex(names: &[&str]) -> String {
        let alternatives: Vec<String> = names.iter().map(|n| escape(n)).collect();
        format!(
            r"^[^?#]*\?(?:[^#]*&)?(?:{})(?:[=&#]|$)",
            alternatives.join("|")
        )
    }
    fn fits(names: &[&str]) -> bool {
        estimate(&regex(names), false).is_ok_and(|n| n <= REGEX_PROGRAM_BUDGET)
    }
    let mut names: Vec<&str> = TRACKING_PARAMS.to_vec();
    names.sort_unstable();
    let mut out = Vec::new();
    let mut group: Vec<&str> = Vec::new();
    for name in names {
        group.push(name);
        if group.len() > 1 && !fits(&group) {
            group.pop();
            out.push(regex(&group));
            group.clear();
            group.push(name);
        }
    }
    if !group.is_empty() {
        out.push(regex(&group));
    }
    out
}

/// The redirector rules' regexes, one per redirector and parameter.
fn redirector_regexes() -> Vec<String> {
    REDIRECTORS
        .iter()
        .flat_map(|r| {
            r.params.iter().map(move |param| {
                format!(
                    r"^https?://{}(?::[0-9]+)?{}[^?#]*\?(?:[^#]*&)?{}=https?(?:%3[aA]|:).*",
                    escape(r.host),
                    escape(r.path_prefix),
                    escape(param)
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
