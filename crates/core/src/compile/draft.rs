//! From parsed filters to DNR rules: conversion, merging, and the final JSON shape.

use std::collections::HashMap;

use crate::dnr::{self, Action, ActionType, Condition, DomainType, RequestMethod, Rule};

use super::domains;
use super::filter::{types, NetFilter, Pattern};
use super::report::Reason;

/// The URL part of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Url {
    Any,
    Filter(String),
    Regex(String),
}

/// A rule before ids are assigned, in a form that can be hashed and merged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Draft {
    pub action: ActionType,
    pub priority: u32,
    pub url: Url,
    pub case_sensitive: bool,
    pub party: Option<DomainType>,
    /// Resource types as bits ([`types`]).
    pub types: u16,
    pub request_domains: Vec<String>,
    pub excluded_request_domains: Vec<String>,
    pub initiator_domains: Vec<String>,
    pub excluded_initiator_domains: Vec<String>,
    pub methods: Vec<RequestMethod>,
    pub excluded_methods: Vec<RequestMethod>,
}

impl Draft {
    pub(crate) fn is_regex(&self) -> bool {
        matches!(self.url, Url::Regex(_))
    }

    /// A host rule made of several merged `||host^` filters.
    pub(crate) fn is_merged_hosts(&self) -> bool {
        self.url == Url::Any && self.request_domains.len() > 1
    }
}

/// The drafts one filter becomes, and whether it was a `||host^` filter compiled to
/// `requestDomains`.
pub(crate) struct Converted {
    pub drafts: Vec<Draft>,
    pub host_filter: bool,
}

/// Converts one filter. `host_documents`: `||host^` filters without type options also match
/// top-level documents (adblock-rust's behaviour; see [`super::Options`]).
pub(crate) fn convert(f: &NetFilter, host_documents: bool) -> Result<Converted, Reason> {
    // Resource types, as adblock-rust reads them (with ABP's reading of `$a,~b`: named types
    // minus negated ones).
    let mut mask = if f.types != 0 {
        f.types & !f.not_types
    } else if f.not_types != 0 {
        types::DEFAULT & !f.not_types
    } else if f.implicit_document && host_documents {
        types::ALL
    } else {
        types::DEFAULT
    };
    let mut drafts = Vec::new();
    let (action, priority) = if f.exception {
        (ActionType::Allow, dnr::priority::FILTER_ALLOW)
    } else if f.important {
        (ActionType::Block, dnr::priority::FILTER_IMPORTANT)
    } else {
        (ActionType::Block, dnr::priority::FILTER_BLOCK)
    };
    let mut host_filter = false;
    let (url, request_domains) = match &f.pattern {
        Pattern::Any => (Url::Any, f.to.clone()),
        Pattern::Host(h) if f.to.is_empty() => {
            host_filter = true;
            (Url::Any, vec![h.clone()])
        }
        Pattern::Host(h) => (Url::Filter(format!("||{h}^")), f.to.clone()),
        Pattern::UrlFilter(u) => (Url::Filter(u.clone()), f.to.clone()),
        Pattern::Regex(r) => (Url::Regex(r.clone()), f.to.clone()),
    };
    let case_sensitive = f.match_case
        && match &url {
            Url::Any => false,
            Url::Filter(u) | Url::Regex(u) => u.bytes().any(|b| b.is_ascii_alphabetic()),
        };
    let base = Draft {
        action,
        priority,
        url,
        case_sensitive,
        party: f.party,
        types: 0,
        request_domains,
        excluded_request_domains: f.not_to.clone(),
        initiator_domains: f.initiators.clone(),
        excluded_initiator_domains: f.not_initiators.clone(),
        methods: f.methods.clone(),
        excluded_methods: f.not_methods.clone(),
    };
    if f.exception && mask & types::MAIN_FRAME != 0 && f.types & types::MAIN_FRAME != 0 {
        // `@@...$document`: the whole page (and frames) is excepted.
        drafts.push(Draft {
            action: ActionType::AllowAllRequests,
            types: types::MAIN_FRAME | types::SUB_FRAME,
            ..base.clone()
        });
        if drafts.iter().any(unconditional) {
            return Err(Reason::MatchesEverything);
        }
        mask &= !(types::MAIN_FRAME | types::SUB_FRAME);
        if mask == 0 {
            return finish(drafts, host_filter);
        }
    } else if f.exception {
        // adblock-rust lets every exception match the top-level document request.
        mask |= types::MAIN_FRAME;
    }
    if mask == 0 {
        return Err(Reason::NoResourceTypes);
    }
    let d = Draft {
        types: mask,
        ..base
    };
    if unconditional(&d) {
        return Err(Reason::MatchesEverything);
    }
    drafts.push(d);
    finish(drafts, host_filter)
}

/// A rule with no condition worth the name: it would block (or allow) every request.
fn unconditional(d: &Draft) -> bool {
    d.url == Url::Any
        && d.request_domains.is_empty()
        && d.excluded_request_domains.is_empty()
        && d.initiator_domains.is_empty()
        && d.excluded_initiator_domains.is_empty()
        && d.party.is_none()
        && d.methods.is_empty()
        && d.excluded_methods.is_empty()
        && (d.action == ActionType::AllowAllRequests || d.types & types::DEFAULT == types::DEFAULT)
}

fn finish(drafts: Vec<Draft>, host_filter: bool) -> Result<Converted, Reason> {
    Ok(Converted {
        drafts,
        host_filter,
    })
}

/// The field a merge pass unites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    RequestDomains,
    InitiatorDomains,
    Types,
}

/// Merges drafts that differ only in `field` into one whose `field` is the union (an empty
/// domain list means "any", which absorbs the others). Order is kept: a merged rule sits where
/// its first member was, and keeps that member's tag.
pub(crate) fn merge<T: Copy>(drafts: Vec<(Draft, T)>, field: Field) -> Vec<(Draft, T)> {
    let mut out: Vec<(Draft, T)> = Vec::with_capacity(drafts.len());
    let mut index: HashMap<Draft, usize> = HashMap::with_capacity(drafts.len());
    let mut touched: Vec<bool> = Vec::with_capacity(drafts.len());
    for (d, tag) in drafts {
        let mut key = d.clone();
        match field {
            Field::RequestDomains => key.request_domains = Vec::new(),
            Field::InitiatorDomains => key.initiator_domains = Vec::new(),
            Field::Types => key.types = 0,
        }
        match index.get(&key) {
            Some(&i) => {
                if let (Some(target), Some(t)) = (out.get_mut(i), touched.get_mut(i)) {
                    unite(&mut target.0, d, field);
                    *t = true;
                }
            }
            None => {
                index.insert(key, out.len());
                out.push((d, tag));
                touched.push(false);
            }
        }
    }
    for (d, t) in out.iter_mut().zip(touched) {
        if t {
            match field {
                Field::RequestDomains => domains::minimize(&mut d.0.request_domains),
                Field::InitiatorDomains => domains::minimize(&mut d.0.initiator_domains),
                Field::Types => {}
            }
        }
    }
    out
}

fn unite(target: &mut Draft, d: Draft, field: Field) {
    let (a, b) = match field {
        Field::Types => {
            target.types |= d.types;
            return;
        }
        Field::RequestDomains => (&mut target.request_domains, d.request_domains),
        Field::InitiatorDomains => (&mut target.initiator_domains, d.initiator_domains),
    };
    if a.is_empty() {
        return;
    }
    if b.is_empty() {
        a.clear();
        return;
    }
    a.extend(b);
}

/// Splits drafts whose `requestDomains` or `initiatorDomains` list is longer than `max` into
/// several (a list is a disjunction, so this keeps the meaning).
pub(crate) fn split_large<T: Copy>(drafts: Vec<(Draft, T)>, max: usize) -> Vec<(Draft, T)> {
    let max = max.max(1);
    let mut out = Vec::with_capacity(drafts.len());
    for (d, tag) in drafts {
        if d.request_domains.len() <= max && d.initiator_domains.len() <= max {
            out.push((d, tag));
            continue;
        }
        let requests: Vec<Vec<String>> = chunks(&d.request_domains, max);
        let initiators: Vec<Vec<String>> = chunks(&d.initiator_domains, max);
        for r in &requests {
            for i in &initiators {
                out.push((
                    Draft {
                        request_domains: r.clone(),
                        initiator_domains: i.clone(),
                        ..d.clone()
                    },
                    tag,
                ));
            }
        }
    }
    out
}

/// `list` in pieces of at most `max` (an empty list stays one empty piece: "any").
fn chunks(list: &[String], max: usize) -> Vec<Vec<String>> {
    if list.is_empty() {
        return vec![Vec::new()];
    }
    list.chunks(max).map(<[String]>::to_vec).collect()
}

/// The DNR rule for a draft.
pub(crate) fn to_rule(d: &Draft, id: u32) -> Rule {
    let (url_filter, regex_filter) = match &d.url {
        Url::Any => (None, None),
        Url::Filter(u) => (Some(u.clone()), None),
        Url::Regex(r) => (None, Some(r.clone())),
    };
    let (resource_types, excluded_resource_types) = if d.action == ActionType::AllowAllRequests {
        (types::list(d.types), Vec::new())
    } else if d.types == types::DEFAULT {
        (Vec::new(), Vec::new())
    } else {
        let included = types::list(d.types);
        let excluded = types::list(types::ALL & !d.types);
        if !excluded.is_empty() && excluded.len() < included.len() {
            (Vec::new(), excluded)
        } else {
            (included, Vec::new())
        }
    };
    Rule {
        id,
        priority: d.priority,
        action: Action {
            kind: d.action,
            request_headers: Vec::new(),
            response_headers: Vec::new(),
        },
        condition: Condition {
            url_filter,
            regex_filter,
            is_url_filter_case_sensitive: if d.case_sensitive { Some(true) } else { None },
            domain_type: d.party,
            resource_types,
            excluded_resource_types,
            request_methods: d.methods.clone(),
            excluded_request_methods: d.excluded_methods.clone(),
            request_domains: d.request_domains.clone(),
            excluded_request_domains: d.excluded_request_domains.clone(),
            initiator_domains: d.initiator_domains.clone(),
            excluded_initiator_domains: d.excluded_initiator_domains.clone(),
            top_domains: Vec::new(),
            excluded_top_domains: Vec::new(),
        },
    }
}
