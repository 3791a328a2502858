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
pub mod priority {
    /// Do Not Track / Global Privacy Control headers.
    pub const SIGNALS: u32 = 3_000_000;
}

/// Rule ids reserved per feature for dynamic rules, so one feature's update never touches another's.
pub mod ids {
    /// Signals rules use ids in `SIGNALS..SIGNALS + 100`.
    pub const SIGNALS: u32 = 1_000;
    /// Size of each feature's id block.
    pub const BLOCK: u32 = 100;
}

/// One DNR rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Unique within its ruleset (dynamic rules share one id space).
    pub id: u32,
    /// Higher wins.
    pub priority: u32,
    /// What to do.
    pub action: Action,
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
}

/// The action types the core generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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

/// A rule's condition. Empty lists are never serialised (DNR rejects empty lists).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Condition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_filter: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_types: Vec<ResourceType>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub request_domains: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_request_domains: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub initiator_domains: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_initiator_domains: Vec<String>,
    /// Chromium: requests whose top-level frame is on one of these domains do not match.
    /// (Firefox sends the signals from `webRequest` instead, where the top frame is known.)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_top_domains: Vec<String>,
}
