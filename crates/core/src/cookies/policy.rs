//! The user's cookie policy: one rule per purpose, and what it means for one cookie.
//!
//! The rules follow a typical site cookie policy's choices: keep a purpose's cookies, keep them
//! only from the site itself, keep them until the session ends, or refuse them. Sites on the
//! allow list ("Protection on this site" off) keep all their cookies.

use serde::{Deserialize, Serialize};

use super::Purpose;

/// What the user chose for one purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Keep every cookie of the purpose.
    Allow,
    /// Keep the site's own (first-party) cookies; remove third-party ones.
    BlockThirdParty,
    /// Keep them until the session ends (the last tab of the site closed, or the browser closed).
    Session,
    /// Remove every cookie of the purpose.
    Block,
}

impl Rule {
    /// Every rule, in the order the options page lists them.
    pub const ALL: [Rule; 4] = [
        Rule::Allow,
        Rule::BlockThirdParty,
        Rule::Session,
        Rule::Block,
    ];

    /// The name used in settings and messages (`allow`, `block-third-party`, `session`, `block`).
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Allow => "allow",
            Rule::BlockThirdParty => "block-third-party",
            Rule::Session => "session",
            Rule::Block => "block",
        }
    }

    /// Reads a name written by [`Rule::as_str`].
    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// One rule per purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CookiePolicy {
    /// Login, session, security, load balancing, consent record (default: allow).
    pub technical: Rule,
    /// Language, region, cart, preferences (default: allow).
    pub personalization: Rule,
    /// Ad targeting and measurement (default: block).
    pub advertising: Rule,
    /// Analytics (default: block third-party).
    pub statistical: Rule,
    /// Set by social networks (default: block).
    pub social: Rule,
    /// Nothing known fits (default: block third-party, i.e. allow first-party).
    pub unknown: Rule,
}

impl Default for CookiePolicy {
    fn default() -> Self {
        CookiePolicy {
            technical: Rule::Allow,
            personalization: Rule::Allow,
            advertising: Rule::Block,
            statistical: Rule::BlockThirdParty,
            social: Rule::Block,
            unknown: Rule::BlockThirdParty,
        }
    }
}

impl CookiePolicy {
    /// The rule for a purpose.
    pub fn rule(&self, p: Purpose) -> Rule {
        match p {
            Purpose::Technical => self.technical,
            Purpose::Personalization => self.personalization,
            Purpose::Advertising => self.advertising,
            Purpose::Statistical => self.statistical,
            Purpose::Social => self.social,
            Purpose::Unknown => self.unknown,
        }
    }

    /// Sets the rule for a purpose.
    pub fn set(&mut self, p: Purpose, rule: Rule) {
        let field = match p {
            Purpose::Technical => &mut self.technical,
            Purpose::Personalization => &mut self.personalization,
            Purpose::Advertising => &mut self.advertising,
            Purpose::Statistical => &mut self.statistical,
            Purpose::Social => &mut self.social,
            Purpose::Unknown => &mut self.unknown,
        };
        *field = rule;
    }
}

/// What to do with one cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CookieAction {
    /// Leave it.
    Keep,
    /// Remove it now.
    Remove,
    /// Leave it, and remove it when the session ends.
    RemoveAtSessionEnd,
}

/// What the policy does with a cookie of purpose `purpose`, set in a third-party context or
/// not, on a site whose protection is on (`allowlisted` false) or off.
pub fn action(
    policy: &CookiePolicy,
    purpose: Purpose,
    third_party: bool,
    allowlisted: bool,
) -> CookieAction {
    if allowlisted {
        return CookieAction::Keep;
    }
    match policy.rule(purpose) {
        Rule::Allow => CookieAction::Keep,
        Rule::BlockThirdParty if third_party => CookieAction::Remove,
        Rule::BlockThirdParty => CookieAction::Keep,
        Rule::Session => CookieAction::RemoveAtSessionEnd,
        Rule::Block => CookieAction::Remove,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_policy_text() {
        let p = CookiePolicy::default();
        let act = |purpose, third| action(&p, purpose, third, false);
        assert_eq!(act(Purpose::Technical, true), CookieAction::Keep);
        assert_eq!(act(Purpose::Personalization, false), CookieAction::Keep);
        assert_eq!(act(Purpose::Statistical, false), CookieAction::Keep);
        assert_eq!(act(Purpose::Statistical, true), CookieAction::Remove);
        assert_eq!(act(Purpose::Advertising, false), CookieAction::Remove);
        assert_eq!(act(Purpose::Social, false), CookieAction::Remove);
        assert_eq!(act(Purpose::Unknown, false), CookieAction::Keep);
        assert_eq!(act(Purpose::Unknown, true), CookieAction::Remove);
        // The allow list keeps everything.
        for purpose in Purpose::ALL {
            assert_eq!(action(&p, purpose, true, true), CookieAction::Keep);
        }
    }

    #[test]
    fn rules_round_trip_and_apply() {
        for r in Rule::ALL {
            assert_eq!(Rule::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert_eq!(Rule::parse("Block"), None);
        let mut p = CookiePolicy::default();
        p.set(Purpose::Personalization, Rule::Session);
        assert_eq!(
            action(&p, Purpose::Personalization, false, false),
            CookieAction::RemoveAtSessionEnd
        );
        assert_eq!(p.rule(Purpose::Personalization), Rule::Session);
    }
}
