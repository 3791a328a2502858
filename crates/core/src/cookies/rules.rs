//! Chromium's declarativeNetRequest rules that keep refused tracker cookies from ever being
//! stored: `modifyHeaders` rules removing the `Cookie` request header and the `Set-Cookie`
//! response header of third-party requests to known trackers ([`dnr_rules`]).
//!
//! One rule per blocking category (advertising, statistical, social) whose cookie purpose the
//! user refuses in third-party context (`block` or `block-third-party`, see
//! [`super::enforce::refuses_third_party`]): `requestDomains` are the starter list's hosts of the
//! category, minus the hosts below them that belong to another category
//! ([`starter::category_domains`]); `domainType: "thirdParty"`, every resource type. Priority
//! [`dnr::priority::COOKIE_HEADERS`]: above every filter-list and pixel `allow` (an exception
//! there is about breakage, not cookies), below the site allow list, whose `allowAllRequests`
//! rules switch these off for a site whose protection is off. A request a rule blocks is blocked
//! whatever its priority. Firefox makes the same decision per request with
//! [`super::enforce::strips_headers`].

use crate::category::Category;
use crate::dnr::{
    self, Action, ActionType, Condition, DomainType, HeaderOp, HeaderOperation, Rule,
};
use crate::settings::Settings;
use crate::starter;

use super::enforce::refuses_third_party;
use super::Purpose;

/// The cookie header rules for the settings, with ids from [`dnr::ids::COOKIES`].
pub fn dnr_rules(settings: &Settings) -> Vec<Rule> {
    let remove = |header: &str| HeaderOp {
        header: header.to_owned(),
        operation: HeaderOperation::Remove,
        value: None,
    };
    Category::BLOCKING
        .into_iter()
        .filter(|&c| refuses_third_party(settings, Purpose::of_category(c)))
        .filter_map(|category| {
            let (hosts, excluded) = starter::category_domains(category, []);
            (!hosts.is_empty()).then(|| Condition {
                domain_type: Some(DomainType::ThirdParty),
                request_domains: hosts.into_iter().map(str::to_owned).collect(),
                excluded_request_domains: excluded.into_iter().map(str::to_owned).collect(),
                ..Condition::default()
            })
        })
        .zip(dnr::ids::COOKIES..dnr::ids::COOKIES + dnr::ids::BLOCK)
        .map(|(condition, id)| Rule {
            id,
            priority: dnr::priority::COOKIE_HEADERS,
            action: Action {
                kind: ActionType::ModifyHeaders,
                request_headers: vec![remove("cookie")],
                response_headers: vec![remove("set-cookie")],
            },
            condition,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookies::enforce::strips_headers;
    use crate::cookies::Rule as CookieRule;

    #[test]
    fn defaults_strip_all_three_tracker_categories() {
        let rules = dnr_rules(&Settings::default());
        assert_eq!(rules.len(), 3);
        let json = serde_json::to_value(&rules[0]).unwrap();
        assert_eq!(json["action"]["type"], "modifyHeaders");
        assert_eq!(json["action"]["requestHeaders"][0]["header"], "cookie");
        assert_eq!(json["action"]["responseHeaders"][0]["header"], "set-cookie");
        assert_eq!(json["action"]["responseHeaders"][0]["operation"], "remove");
        assert_eq!(json["condition"]["domainType"], "thirdParty");
        assert!(rules
            .iter()
            .all(|r| r.priority < dnr::priority::ALLOW_SITE && r.id >= dnr::ids::COOKIES));
        let ads = &rules[0].condition.request_domains;
        assert!(ads.iter().any(|d| d == "ads.test"));
        assert!(ads.iter().any(|d| d == "doubleclick.net"));
    }

    #[test]
    fn allowed_and_session_purposes_have_no_rule() {
        let mut s = Settings::default();
        s.cookies.set(Purpose::Advertising, CookieRule::Allow);
        s.cookies.set(Purpose::Social, CookieRule::Session);
        let rules = dnr_rules(&s);
        assert_eq!(rules.len(), 1);
        assert!(rules[0]
            .condition
            .request_domains
            .iter()
            .any(|d| d == "analytics.test"));
    }

    /// The rules and Firefox's per-request decision agree on every starter host.
    #[test]
    fn rules_match_the_per_request_decision() {
        let mut s = Settings::default();
        s.cookies.set(Purpose::Statistical, CookieRule::Allow);
        let rules = dnr_rules(&s);
        for e in starter::entries().iter().filter(|e| e.is_host()) {
            let host = &e.pattern;
            let matches = |r: &Rule| {
                let within = |d: &String| host == d || starter::is_subdomain(host, d);
                r.condition.request_domains.iter().any(within)
                    && !r.condition.excluded_request_domains.iter().any(within)
            };
            let by_rules = rules.iter().any(matches);
            let by_code = strips_headers(&s, &format!("https://{host}/x"), "https://news.example/");
            assert_eq!(by_rules, by_code, "{host}");
        }
    }
}
