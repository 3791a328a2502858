//! Do Not Track and Global Privacy Control.
//!
//! Both signals go together: on by default, on every request of every type from every frame, and
//! visible to pages as `navigator.doNotTrack === "1"` and `navigator.globalPrivacyControl === true`.
//! A site on the exception list gets neither, on its own pages and on the third-party requests
//! those pages make ("the site" is the top-level page's registrable domain).

use crate::dnr::{
    self, Action, ActionType, Condition, HeaderOp, HeaderOperation, ResourceType, Rule,
};
use crate::settings::Settings;
use crate::site::SiteKey;
use crate::url;

/// The request headers sent, as (name, value).
pub const HEADERS: [(&str, &str); 2] = [("DNT", "1"), ("Sec-GPC", "1")];

/// Whether a request whose top-level page is `top_url` carries the signals.
///
/// A top-level URL that is not a web page (empty, `about:blank`, an extension page) belongs to no
/// site, so no exception can apply and the signals are sent.
pub fn applies(settings: &Settings, top_url: &str) -> bool {
    if !settings.signals.enabled {
        return false;
    }
    match url::split(top_url).filter(|p| p.is_web()) {
        Some(parts) => !is_excepted_host(settings, &parts.host),
        None => true,
    }
}

/// Whether pages on `host` (any subdomain of an excepted site) are excepted.
pub fn is_excepted_host(settings: &Settings, host: &str) -> bool {
    // Per-request path: no public-suffix lookup when there is nothing to compare with.
    if settings.signals.exceptions.is_empty() {
        return false;
    }
    match SiteKey::from_host(host) {
        Ok(site) => settings.signals.exceptions.binary_search(&site).is_ok(),
        Err(_) => false,
    }
}

/// The dynamic declarativeNetRequest rules that send the signals (Chromium).
///
/// Two rules: top-level navigations are matched on the destination (excluding excepted sites),
/// everything else on the top-level frame's domain (`excludedTopDomains`). Their priority is above
/// every allow rule, so the signals also reach sites whose blocking the user turned off.
pub fn dnr_rules(settings: &Settings) -> Vec<Rule> {
    if !settings.signals.enabled {
        return Vec::new();
    }
    let sites: Vec<String> = settings
        .signals
        .exceptions
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let action = Action {
        kind: ActionType::ModifyHeaders,
        request_headers: HEADERS
            .iter()
            .map(|(h, v)| HeaderOp {
                header: (*h).to_owned(),
                operation: HeaderOperation::Set,
                value: Some((*v).to_owned()),
            })
            .collect(),
        response_headers: Vec::new(),
    };
    let top = Rule {
        id: dnr::ids::SIGNALS,
        priority: dnr::priority::SIGNALS,
        action: action.clone(),
        condition: Condition {
            resource_types: vec![ResourceType::MainFrame],
            excluded_request_domains: sites.clone(),
            ..Condition::default()
        },
    };
    let rest = Rule {
        id: dnr::ids::SIGNALS + 1,
        priority: dnr::priority::SIGNALS,
        action,
        condition: Condition {
            resource_types: ResourceType::ALL
                .iter()
                .copied()
                .filter(|t| *t != ResourceType::MainFrame)
                .collect(),
            excluded_top_domains: sites,
            ..Condition::default()
        },
    };
    vec![top, rest]
}

/// Match patterns for the page script that sets the JavaScript properties: pages of excepted
/// sites are excluded. (Match patterns ignore ports.)
pub fn content_script_excludes(settings: &Settings) -> Vec<String> {
    settings
        .signals
        .exceptions
        .iter()
        .flat_map(|s| {
            let host = if s.as_str().contains(':') {
                format!("[{s}]")
            } else {
                s.to_string()
            };
            let mut v = vec![format!("*://{host}/*")];
            if !s.as_str().contains(':') && s.as_str().parse::<std::net::Ipv4Addr>().is_err() {
                v.push(format!("*://*.{host}/*"));
            }
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_exception(site: &str) -> Settings {
        let mut s = Settings::default();
        s.add_signal_exception(site).unwrap();
        s
    }

    #[test]
    fn applies_by_top_level_site() {
        let s = with_exception("news.test");
        assert!(applies(&s, "http://site.test:8080/"));
        assert!(!applies(&s, "http://news.test/"));
        assert!(!applies(&s, "https://www.news.test/a?b"));
        assert!(applies(&s, "http://notnews.test/"));
        assert!(applies(&s, ""));
        assert!(applies(&s, "about:blank"));
        assert!(applies(&s, "moz-extension://x/popup.html"));
        let mut off = s.clone();
        off.signals.enabled = false;
        assert!(!applies(&off, "http://site.test/"));
    }

    #[test]
    fn rules_carry_exceptions_and_outrank_allow_rules() {
        let s = with_exception("news.test");
        let rules = dnr_rules(&s);
        let json = serde_json::to_value(&rules).unwrap();
        assert_eq!(json[0]["action"]["type"], "modifyHeaders");
        assert_eq!(json[0]["action"]["requestHeaders"][0]["header"], "DNT");
        assert_eq!(json[0]["action"]["requestHeaders"][1]["header"], "Sec-GPC");
        assert_eq!(
            json[0]["condition"]["resourceTypes"],
            serde_json::json!(["main_frame"])
        );
        assert_eq!(
            json[0]["condition"]["excludedRequestDomains"],
            serde_json::json!(["news.test"])
        );
        assert_eq!(
            json[1]["condition"]["excludedTopDomains"],
            serde_json::json!(["news.test"])
        );
        assert_eq!(
            json[1]["condition"]["resourceTypes"]
                .as_array()
                .unwrap()
                .len(),
            14
        );
        assert!(rules.iter().all(|r| r.priority == dnr::priority::SIGNALS));
        // No exceptions: no empty lists (DNR rejects them).
        let plain = serde_json::to_string(&dnr_rules(&Settings::default())).unwrap();
        assert!(!plain.contains("excluded"));
        let mut off = s;
        off.signals.enabled = false;
        assert!(dnr_rules(&off).is_empty());
    }

    #[test]
    fn content_script_excludes_cover_subdomains() {
        let mut s = with_exception("news.test");
        s.add_signal_exception("127.0.0.1").unwrap();
        assert_eq!(
            content_script_excludes(&s),
            vec!["*://127.0.0.1/*", "*://news.test/*", "*://*.news.test/*"]
        );
    }
}
