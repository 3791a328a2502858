//! declarativeNetRequest rule types, serialised exactly as Chrome's and Firefox's APIs take them.
//!
//! Every rule generator in the core builds these; the extension passes them to
//! `declarativeNetRequest.updateDynamicRules` (or writes them into static rulesets) unchanged.

use serde::Serialize;

/// Priorities of the rules Crumbwall generates, in one place so their interplay is deliberate.
///
/// In DNR, a `modifyHeaders` rule applies only when its priority is at least that of the highest
/// matching `allow`/`allowAllRequests` rule. The privacy signals must reach every request, even
/// on a site whose blocking the user turned off, so they sit above every allow rule.
///
/// Filter-list rules (compiled by [`crate::compile`]) keep Adblock Plus semantics with three
/// levels, all below [`priority::FILTER_CEILING`]: an exception (`@@`) beats a block, and an
/// `$important` block beats an exception. Everything at or above the ceiling is reserved for the
/// user's own choices (the site allow list), the tracked-link rules and the privacy signals.
pub mod priority {
    /// Do Not Track / Global Privacy Control headers.
    pub const SIGNALS: u32 = 3_000_000;
    /// The user's site allow list ("Protection on this site" off): above every filter-list rule,
    /// below the signals, which must still reach allowed sites.
    pub const ALLOW_SITE: u32 = 2_000_000;
    /// Tracked links ([`crate::links`]): tracking parameters removed from navigations and
    /// click-tracking redirectors skipped. Below the allow list, so a site whose protection is
    /// off is left alone; above every filter-list rule, so a navigation is cleaned before a
    /// lower-priority rule decides about it (the cleaned URL is then matched afresh).
    pub const LINKS: u32 = 1_500_000;
    /// Filter-list block rules.
    pub const FILTER_BLOCK: u32 = 100;
    /// Filter-list exceptions (`@@`, as `allow` and `allowAllRequests`): above plain blocks.
    pub const FILTER_ALLOW: u32 = 200;
    /// Filter-list `$important` blocks: above exceptions.
    pub const FILTER_IMPORTANT: u32 = 300;
    /// Every filter-list priority is below this; higher values belong to the user's site allow
    /// list and the privacy signals.
    pub const FILTER_CEILING: u32 = 1_000_000;
    /// Generic pixel rules ([`crate::pixels::rules::dnr_rules`]): every third-party `ping`, and
    /// third-party images whose URL looks like a pixel (blocks), with an `allow` at the same
    /// priority for real pictures (`.jpg`, ...), which wins the tie. Lowest of all, so any other
    /// rule decides first.
    pub const PIXEL_GENERIC: u32 = 80;
    /// Known pixel senders whose category the user turned off (`allow`): above the generic pixel
    /// rules, below the filter lists' blocks, which still win.
    pub const PIXEL_ALLOW_KNOWN: u32 = 90;
    /// Well-known pixel endpoints of enabled categories (blocks): above the known-sender allow
    /// rules (an endpoint's purpose beats its host's category, as in the classifier), below
    /// every filter-list rule, so a list's exception still wins.
    pub const PIXEL_ENDPOINT: u32 = 95;
    /// Cookie header stripping for trackers: above every filter-list and pixel allow rule (a
    /// list exception is about breakage, not cookies), below the allow list (a site with
    /// protection off keeps all its cookies).
    pub const COOKIE_HEADERS: u32 = 1_000_000;
}

/// Rule ids reserved per feature for dynamic rules, so one feature's update never touches another's.
pub mod ids {
    /// Signals rules use ids in `SIGNALS..SIGNALS + 100`.
    pub const SIGNALS: u32 = 1_000;
    /// Allow-list rules use ids in `ALLOW_SITE..ALLOW_SITE + 100`.
    pub const ALLOW_SITE: u32 = 2_000;
    /// Tracked-link rules use ids in `LINKS..LINKS + 100`.
    pub const LINKS: u32 = 3_000;
    /// Pixel rules use ids in `PIXELS..PIXELS + PIXELS_BLOCK` (one rule per known endpoint
    /// needs more than [`BLOCK`]).
    pub const PIXELS: u32 = 4_000;
    /// Size of the pixel rules' id block.
    pub const PIXELS_BLOCK: u32 = 1_000;
    /// Cookie header rules (`crate::cookies::rules`).
    pub const COOKIES: u32 = 5_000;
    /// The user's custom filters (`crate::custom`), up to `crate::custom::MAX_RULES` ids.
    pub const CUSTOM: u32 = 10_000;
    /// Size of each feature's id block.
    pub const BLOCK: u32 = 100;
}

/// One DNR rule.
///
/// The action type is a parameter: every rule generator uses [`Action`] (the default), except the
/// tracked-link rules, whose redirects carry a [`RedirectAction`]. Both serialise to DNR's one
/// `action` object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule<A = Action> {
    /// Unique within its ruleset (dynamic rules share one id space).
    pub id: u32,
    /// Higher wins.
    pub priority: u32,
    /// What to do.
    pub action: A,
    /// When to do it.
    pub condition: Condition,
}

/// A rule's action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// `block`, `allow`, `allowAllRequests`, `modifyHeaders`, ...
    #[serde(rename = "type")]
    pub kind: ActionType,
    /// Headers to change for `modifyHeaders`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<HeaderOp>,
    /// Response headers to change for `modifyHeaders`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<HeaderOp>,
}

/// The action types the core generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ActionType {
    /// Cancel the request.
    Block,
    /// Let the request through despite lower-priority block rules.
    Allow,
    /// Allow a whole frame tree (main_frame / sub_frame only).
    AllowAllRequests,
    /// Change request or response headers.
    ModifyHeaders,
}

/// A `redirect` action: serialised as `{"type": "redirect", "redirect": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename = "redirect")]
pub struct RedirectAction {
    /// Where to.
    pub redirect: Redirect,
}

/// A redirect's target (DNR `Redirect`): exactly one of its members is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Redirect {
    /// A whole new URL (the blocked-frame rules' `about:blank`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Changes to the request URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transform: Option<UrlTransform>,
    /// With a `regexFilter`: the first match in the URL is replaced by this, where `\0` is the
    /// whole match and `\1`..`\9` are capture groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regex_substitution: Option<String>,
}

/// Changes to a URL (DNR `URLTransform`); only the query is changed by the core.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UrlTransform {
    /// Changes to the query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_transform: Option<QueryTransform>,
}

/// Changes to a URL's query (DNR `QueryTransform`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryTransform {
    /// Query keys to remove (exact names, no wildcards).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove_params: Vec<String>,
}

/// One header change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderOp {
    /// Header name.
    pub header: String,
    /// `set`, `append` or `remove`.
    pub operation: HeaderOperation,
    /// New value for `set`/`append`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Header operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum HeaderOperation {
    /// Replace the header.
    Set,
    /// Remove the header.
    Remove,
}

/// Resource types, as DNR names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ResourceType {
    MainFrame,
    SubFrame,
    Stylesheet,
    Script,
    Image,
    Font,
    Object,
    Xmlhttprequest,
    Ping,
    CspReport,
    Media,
    Websocket,
    Webtransport,
    Webbundle,
    Other,
}

impl ResourceType {
    /// Every resource type, for rules that must reach every request.
    pub const ALL: [ResourceType; 15] = [
        ResourceType::MainFrame,
        ResourceType::SubFrame,
        ResourceType::Stylesheet,
        ResourceType::Script,
        ResourceType::Image,
        ResourceType::Font,
        ResourceType::Object,
        ResourceType::Xmlhttprequest,
        ResourceType::Ping,
        ResourceType::CspReport,
        ResourceType::Media,
        ResourceType::Websocket,
        ResourceType::Webtransport,
        ResourceType::Webbundle,
        ResourceType::Other,
    ];
}

/// Whether a request is first- or third-party to the frame it comes from (by registrable domain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DomainType {
    /// Same registrable domain as the initiating frame.
    FirstParty,
    /// A different registrable domain.
    ThirdParty,
}

/// HTTP request methods, as DNR names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum RequestMethod {
    Connect,
    Delete,
    Get,
    Head,
    Options,
    Patch,
    Post,
    Put,
    Other,
}

impl RequestMethod {
    /// Parses a method name, case-insensitively (`GET`, `post`, ...).
    pub fn parse(s: &str) -> Option<RequestMethod> {
        use RequestMethod::*;
        [Connect, Delete, Get, Head, Options, Patch, Post, Put, Other]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }

    /// The lowercase name DNR uses.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestMethod::Connect => "connect",
            RequestMethod::Delete => "delete",
            RequestMethod::Get => "get",
            RequestMethod::Head => "head",
            RequestMethod::Options => "options",
            RequestMethod::Patch => "patch",
            RequestMethod::Post => "post",
            RequestMethod::Put => "put",
            RequestMethod::Other => "other",
        }
    }
}

/// A rule's condition. Empty lists are never serialised (DNR rejects empty lists).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Condition {
    /// DNR `urlFilter` syntax (`||`, `|`, `^`, `*`); ASCII only; never together with `regex_filter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_filter: Option<String>,
    /// An RE2 regular expression (Chrome: under ~2 KB compiled, at most 1,000 per extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regex_filter: Option<String>,
    /// Case sensitivity of `url_filter` / `regex_filter`; `None` means DNR's default (false since
    /// Chrome 118 and in Firefox).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_url_filter_case_sensitive: Option<bool>,
    /// First- or third-party requests only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_type: Option<DomainType>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_types: Vec<ResourceType>,
    /// Every type except these (never together with `resource_types`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_resource_types: Vec<ResourceType>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub request_methods: Vec<RequestMethod>,
    /// Every method except these (never together with `request_methods`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_request_methods: Vec<RequestMethod>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub request_domains: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_request_domains: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub initiator_domains: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_initiator_domains: Vec<String>,
    /// Chromium: only requests whose top-level frame is on one of these domains match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub top_domains: Vec<String>,
    /// Chromium: requests whose top-level frame is on one of these domains do not match.
    /// (Firefox sends the signals from `webRequest` instead, where the top frame is known.)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_top_domains: Vec<String>,
}
