//! The checks Chrome applies when it loads a rule (`IndexedRule::CreateIndexedRule`), so a bad
//! rule is caught at build time instead of being skipped by the browser.

use std::collections::HashSet;

use crate::dnr::{self, ActionType, ResourceType, Rule};

use super::regex;

/// Checks one rule the way Chrome does when it indexes a ruleset, plus Crumbwall's own rules
/// (filter-list priorities below [`dnr::priority::FILTER_CEILING`], lowercase punycode domains
/// without wildcards, regexes within RE2's estimated size). Returns what is wrong.
pub fn validate_rule(rule: &Rule) -> Result<(), String> {
    let c = &rule.condition;
    if rule.id < 1 {
        return Err("id must be at least 1".into());
    }
    if rule.priority < 1 || rule.priority >= dnr::priority::FILTER_CEILING {
        return Err(format!(
            "priority {} outside 1..{}",
            rule.priority,
            dnr::priority::FILTER_CEILING
        ));
    }
    if c.url_filter.is_some() && c.regex_filter.is_some() {
        return Err("both urlFilter and regexFilter".into());
    }
    if let Some(u) = &c.url_filter {
        if u.is_empty() {
            return Err("empty urlFilter".into());
        }
        if !u.is_ascii() {
            return Err(format!("non-ASCII urlFilter {u}"));
        }
        if u.starts_with("||*") {
            return Err(format!("urlFilter starts with ||*: {u}"));
        }
        if u.chars()
            .any(|ch| ch.is_ascii_whitespace() || ch.is_ascii_control())
        {
            return Err(format!("whitespace in urlFilter {u:?}"));
        }
    }
    if let Some(r) = &c.regex_filter {
        if r.is_empty() || !r.is_ascii() {
            return Err(format!("empty or non-ASCII regexFilter {r:?}"));
        }
        let fold = c.is_url_filter_case_sensitive != Some(true);
        match regex::estimate(r, fold) {
            Ok(n) if n <= regex::REGEX_PROGRAM_BUDGET => {}
            Ok(n) => return Err(format!("regexFilter too large ({n} instructions): {r}")),
            Err(e) => {
                return Err(format!(
                    "regexFilter not RE2-compatible ({}): {r}",
                    e.code()
                ))
            }
        }
    }
    if !c.resource_types.is_empty() && !c.excluded_resource_types.is_empty() {
        return Err("both resourceTypes and excludedResourceTypes".into());
    }
    no_duplicates("resourceTypes", &c.resource_types)?;
    no_duplicates("excludedResourceTypes", &c.excluded_resource_types)?;
    if c.excluded_resource_types.len() >= ResourceType::ALL.len() {
        return Err("every resource type excluded".into());
    }
    if rule.action.kind == ActionType::AllowAllRequests
        && (c.resource_types.is_empty()
            || c.resource_types
                .iter()
                .any(|t| !matches!(t, ResourceType::MainFrame | ResourceType::SubFrame)))
    {
        return Err("allowAllRequests needs resourceTypes within main_frame/sub_frame".into());
    }
    if c.request_methods
        .iter()
        .any(|m| c.excluded_request_methods.contains(m))
    {
        return Err("a method both included and excluded".into());
    }
    no_duplicates("requestMethods", &c.request_methods)?;
    no_duplicates("excludedRequestMethods", &c.excluded_request_methods)?;
    for (name, list) in [
        ("requestDomains", &c.request_domains),
        ("excludedRequestDomains", &c.excluded_request_domains),
        ("initiatorDomains", &c.initiator_domains),
        ("excludedInitiatorDomains", &c.excluded_initiator_domains),
    ] {
        no_duplicates(name, list)?;
        for d in list {
            let ok = !d.is_empty()
                && d.bytes().all(|b| {
                    b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':')
                });
            if !ok {
                return Err(format!("{name} entry {d:?} is not a lowercase ASCII host"));
            }
        }
    }
    if rule.action.kind == ActionType::ModifyHeaders && rule.action.request_headers.is_empty() {
        return Err("modifyHeaders without headers".into());
    }
    Ok(())
}

fn no_duplicates<T: std::hash::Hash + Eq + std::fmt::Debug>(
    name: &str,
    list: &[T],
) -> Result<(), String> {
    let mut seen = HashSet::with_capacity(list.len());
    for x in list {
        if !seen.insert(x) {
            return Err(format!("{name} lists {x:?} twice"));
        }
    }
    Ok(())
}
