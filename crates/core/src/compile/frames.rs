//! Blocked frames as empty documents (Chromium).
//!
//! Chrome shows its own error page in a frame whose request a rule blocked. Committing that page
//! costs about as much as loading a small cross-site frame (a new renderer process): on the test
//! web's tracker-heavy page the blocked social widget was the last thing the load event waited
//! for. A `redirect` to `about:blank` commits at once, and nothing reaches the network either way.
//!
//! [`frame_redirects`] makes, for a category's ruleset, one companion rule per block rule that
//! blocks a host outright (`requestDomains` alone, the merged `||host^` filters) or is written for
//! frames (`$subdocument`): the same condition, for `sub_frame` only, one priority above, with a
//! redirect to `about:blank`. Exceptions and allow-list rules keep winning (they sit higher). The
//! companions go to their own ruleset per category, which the extension enables only while it
//! has host access to every site: without host access Chrome ignores a redirect rule, and would
//! then let the frame through, where the block rule alone still blocks it.
//! Other block rules (paths, patterns) keep the error page: twinning all ~11,000 rules that can
//! match a frame would nearly double the rulesets for frames that are rarely requested.

use crate::dnr::{self, ActionType, Redirect, RedirectAction, ResourceType, Rule};

/// Where a blocked frame goes.
pub const BLANK: &str = "about:blank";

/// The companion `about:blank` redirects of `rules` (one category's ruleset), ids `1..=n`.
pub fn frame_redirects(rules: &[Rule]) -> Vec<Rule<RedirectAction>> {
    rules
        .iter()
        .filter(|r| wants_twin(r))
        .zip(1u32..)
        .map(|(r, id)| {
            let mut condition = r.condition.clone();
            condition.resource_types = vec![ResourceType::SubFrame];
            condition.excluded_resource_types.clear();
            Rule {
                id,
                priority: r.priority + 1,
                action: RedirectAction {
                    redirect: Redirect {
                        url: Some(BLANK.to_owned()),
                        ..Redirect::default()
                    },
                },
                condition,
            }
        })
        .collect()
}

/// A block rule that matches frames and blocks a whole host, or is written for frames.
fn wants_twin(r: &Rule) -> bool {
    if r.action.kind != ActionType::Block {
        return false;
    }
    let c = &r.condition;
    let explicit = c.resource_types.contains(&ResourceType::SubFrame);
    let matches_frames = explicit
        || (c.resource_types.is_empty()
            && !c.excluded_resource_types.contains(&ResourceType::SubFrame));
    let whole_host =
        !c.request_domains.is_empty() && c.url_filter.is_none() && c.regex_filter.is_none();
    matches_frames && (explicit || whole_host)
        // One above must stay below the next level (exceptions, or the filter-list ceiling).
        && r.priority + 1 < dnr::priority::FILTER_CEILING
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{compile, validate_rule, ListInput};
    use crate::Category;

    fn twins(list: &str) -> (Vec<Rule>, Vec<Rule<RedirectAction>>) {
        let compiled = compile(&[ListInput {
            id: "t",
            category: Category::Advertising,
            text: list,
        }]);
        let rules = compiled
            .rulesets
            .get(&Category::Advertising)
            .cloned()
            .unwrap_or_default();
        let twins = frame_redirects(&rules);
        (rules, twins)
    }

    #[test]
    fn host_blocks_and_frame_filters_get_a_blank_frame_twin() {
        let (rules, twins) = twins(
            "||ads.example^\n||tracker.example^$third-party\n/banner/*$subdocument\n/pixel.gif\n||cdn.example^$script\n@@||ads.example/ok^\n||img.example^$~subdocument\n",
        );
        assert!(!rules.is_empty());
        let json = serde_json::to_value(&twins).unwrap();
        let twins_json: Vec<String> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.to_string())
            .collect();
        // The two whole-host blocks (merged or not) and the $subdocument filter; not the path
        // filter, the script-only host, the exception or the host without frames.
        let hosts: Vec<&str> = twins
            .iter()
            .flat_map(|t| t.condition.request_domains.iter().map(String::as_str))
            .collect();
        assert!(
            hosts.contains(&"ads.example") && hosts.contains(&"tracker.example"),
            "{twins_json:?}"
        );
        assert!(
            !hosts.contains(&"cdn.example") && !hosts.contains(&"img.example"),
            "{twins_json:?}"
        );
        assert!(
            twins
                .iter()
                .any(|t| t.condition.url_filter.as_deref() == Some("/banner/")),
            "{twins_json:?}"
        );
        assert!(twins
            .iter()
            .all(|t| t.condition.url_filter.as_deref() != Some("/pixel.gif")));
        for (t, id) in twins.iter().zip(1u32..) {
            assert_eq!(t.id, id);
            assert_eq!(t.condition.resource_types, vec![ResourceType::SubFrame]);
            assert!(t.condition.excluded_resource_types.is_empty());
            assert_eq!(t.priority, dnr::priority::FILTER_BLOCK + 1);
            assert!(
                t.priority < dnr::priority::FILTER_ALLOW,
                "exceptions still win"
            );
            let v = serde_json::to_value(t).unwrap();
            assert_eq!(
                v["action"],
                serde_json::json!({"type": "redirect", "redirect": {"url": "about:blank"}})
            );
            // The same condition as a block is a rule Chrome accepts.
            let as_block = Rule {
                id: t.id,
                priority: t.priority,
                action: rules[0].action.clone(),
                condition: t.condition.clone(),
            };
            validate_rule(&as_block).unwrap();
        }
        // The third-party condition is kept.
        let tp = twins
            .iter()
            .find(|t| {
                t.condition
                    .request_domains
                    .contains(&"tracker.example".to_owned())
            })
            .unwrap();
        assert!(tp.condition.domain_type.is_some());
    }

    #[test]
    fn important_blocks_stay_above_exceptions() {
        let (_, twins) = twins("||ads.example^$important\n@@||ads.example^\n");
        assert_eq!(twins.len(), 1);
        assert_eq!(twins[0].priority, dnr::priority::FILTER_IMPORTANT + 1);
        assert!(twins[0].priority < dnr::priority::FILTER_CEILING);
    }

    #[test]
    fn nothing_to_twin_gives_nothing() {
        assert!(frame_redirects(&[]).is_empty());
        let (_, twins) = twins("/path/ad.js\n@@||a.example^\n");
        assert!(twins.is_empty());
    }
}
