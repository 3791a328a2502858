//! The cookie policy applied to one cookie the browser reports: its purpose, whether it is
//! third-party, and what to do with it ([`judge`]); and whether a request's cookie headers are
//! stripped ([`strips_headers`], Firefox's per-request form of [`super::rules`]).
//!
//! The browser's `cookies.onChanged` does not say on which page a cookie was set, so the context
//! comes from the pages open now ([`Context`]): a cookie is first-party when its site is the site
//! of an open top-level page, third-party otherwise — to the sites whose pages loaded something
//! from it when that is known, or to the cookie's partition (`partitionKey.topLevelSite`, or
//! Firefox's `firstPartyDomain`), which names the top-level site outright.

use serde::{Deserialize, Serialize};

use super::{action, Classifier, CookieAction, CookieInput, Purpose, Rule};
use crate::settings::Settings;
use crate::site::SiteKey;

/// A cookie as the WebExtension `cookies` API reports it (`cookies.Cookie`, both browsers).
/// Missing fields take their defaults; unknown fields are ignored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BrowserCookie {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
    /// The domain, with a leading dot for a domain cookie.
    pub domain: String,
    /// The path.
    pub path: String,
    /// `Secure`.
    pub secure: bool,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `no_restriction`, `lax`, `strict` or `unspecified`.
    pub same_site: Option<String>,
    /// No expiry: the cookie ends with the browser session.
    pub session: bool,
    /// Expiry in seconds since the epoch (absent for session cookies).
    pub expiration_date: Option<f64>,
    /// The partition of a partitioned cookie (CHIPS in Chromium, Total Cookie Protection in
    /// Firefox).
    pub partition_key: Option<PartitionKey>,
    /// Firefox's first-party isolation domain (empty when not isolated).
    pub first_party_domain: Option<String>,
}

/// A cookie partition.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PartitionKey {
    /// The top-level site the cookie was set under (`https://example.com`).
    pub top_level_site: Option<String>,
}

/// Where the user is when a cookie is judged.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// Now, in seconds since the epoch (for the cookie's remaining lifetime).
    pub now: f64,
    /// The sites (registrable domains) of the top-level pages open now, including navigations
    /// under way.
    pub open_sites: &'a [String],
    /// The sites of the open top-level pages that loaded something from the cookie's site.
    pub embedders: &'a [String],
}

/// What the policy makes of one cookie.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// The cookie's purpose.
    pub purpose: Purpose,
    /// How sure the classifier is, 0 to 1.
    pub confidence: f32,
    /// Why it has that purpose (English).
    pub reason: String,
    /// The same, for translation: the key of its text and the values put in.
    pub why: WhyText,
    /// The cookie's site (registrable domain); `None` when its domain names no site.
    pub site: Option<String>,
    /// Set on a page of another site.
    pub third_party: bool,
    /// The site of the page the cookie belongs to: its own site when first-party, else the
    /// embedding site when known.
    pub context: Option<String>,
    /// Protection is off for the cookie's site (or for the site embedding it): it is kept.
    pub allowlisted: bool,
    /// What to do with it.
    pub action: CookieAction,
}

/// A [`super::Why`] with its values, for the extension to translate the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhyText {
    /// The key (`_locales`: `why_<key>`, `-` written `_`).
    pub key: &'static str,
    /// The values (`$1`, `$2`).
    pub args: Vec<String>,
    /// The owner the English text ends with, as ` (owner)`.
    pub owner: Option<String>,
}

/// Judges one cookie under the user's settings.
pub fn judge(
    settings: &Settings,
    classifier: &Classifier,
    cookie: &BrowserCookie,
    ctx: &Context<'_>,
) -> Verdict {
    let domain = cookie.domain.trim().trim_start_matches('.');
    let site = SiteKey::from_host(domain).ok();
    let site_str = site.as_ref().map(|s| s.as_str().to_owned());
    let partition = partition_site(cookie).filter(|p| Some(p) != site.as_ref());

    let (third_party, context) = if let Some(p) = partition {
        (true, Some(p.as_str().to_owned()))
    } else if site_str
        .as_ref()
        .is_some_and(|s| ctx.open_sites.iter().any(|o| o == s))
    {
        (false, site_str.clone())
    } else {
        // Not the site of any open page: a third party to whatever the user is on.
        let embedder = ctx
            .embedders
            .iter()
            .find(|e| settings.is_allowlisted_host(e))
            .or(ctx.embedders.first());
        (true, embedder.cloned())
    };
    let allowlisted = site
        .as_ref()
        .is_some_and(|s| settings.allowlist.binary_search(s).is_ok())
        || context
            .as_deref()
            .is_some_and(|c| settings.is_allowlisted_host(c));

    let expires_in = match cookie.expiration_date {
        Some(at) if !cookie.session && at.is_finite() => {
            let left = at - ctx.now;
            Some(left.clamp(i64::MIN as f64, i64::MAX as f64) as i64)
        }
        _ => None,
    };
    let input = CookieInput {
        name: &cookie.name,
        value: &cookie.value,
        domain: &cookie.domain,
        path: &cookie.path,
        expires_in,
        secure: cookie.secure,
        http_only: cookie.http_only,
        same_site: cookie.same_site.as_deref(),
        site: context.as_deref(),
    };
    let c = classifier.classify(&input);
    let why = WhyText {
        key: c.why.key,
        args: c.why_args().into_iter().map(str::to_owned).collect(),
        owner: c.why_owner().map(str::to_owned),
    };
    Verdict {
        why,
        action: action(&settings.cookies, c.purpose, third_party, allowlisted),
        purpose: c.purpose,
        confidence: c.confidence,
        reason: c.reason,
        site: site_str,
        third_party,
        context,
        allowlisted,
    }
}

/// The top-level site of a partitioned cookie.
fn partition_site(cookie: &BrowserCookie) -> Option<SiteKey> {
    let top = cookie
        .partition_key
        .as_ref()
        .and_then(|p| p.top_level_site.as_deref())
        .filter(|s| !s.is_empty());
    if let Some(top) = top {
        return SiteKey::from_url(top)
            .or_else(|_| SiteKey::from_host(top))
            .ok();
    }
    let fpd = cookie.first_party_domain.as_deref().unwrap_or_default();
    (!fpd.is_empty())
        .then(|| SiteKey::from_host(fpd).ok())
        .flatten()
}

/// Whether the purpose's rule refuses third-party cookies of trackers (`block` or
/// `block-third-party`), so their cookie headers are stripped.
pub fn refuses_third_party(settings: &Settings, purpose: Purpose) -> bool {
    matches!(
        settings.cookies.rule(purpose),
        Rule::Block | Rule::BlockThirdParty
    )
}

/// Whether the `Cookie` and `Set-Cookie` headers of a request to `url` from a page at `top_url`
/// are removed: the request goes to a known tracker (the starter list's hosts) on another site
/// than the page, the rule for the tracker's purpose refuses its third-party cookies, and
/// protection is on for the page's site. The same decision as the Chromium rules of
/// [`super::rules::dnr_rules`].
pub fn strips_headers(settings: &Settings, url: &str, top_url: &str) -> bool {
    let Some(host) = crate::url::split(url).map(|p| p.host) else {
        return false;
    };
    let Some((category, _)) = crate::starter::category_of_host(&host) else {
        return false;
    };
    if !refuses_third_party(settings, Purpose::of_category(category)) {
        return false;
    }
    let (Ok(request_site), Ok(top_site)) = (SiteKey::from_host(&host), SiteKey::from_url(top_url))
    else {
        return false;
    };
    request_site != top_site && settings.allowlist.binary_search(&top_site).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookies::Classifier;

    fn cookie(name: &str, domain: &str) -> BrowserCookie {
        BrowserCookie {
            name: name.into(),
            value: "x".into(),
            domain: domain.into(),
            path: "/".into(),
            expiration_date: Some(1_000.0 + 400.0 * 86_400.0),
            ..BrowserCookie::default()
        }
    }

    fn ctx<'a>(open: &'a [String], embedders: &'a [String]) -> Context<'a> {
        Context {
            now: 1_000.0,
            open_sites: open,
            embedders,
        }
    }

    #[test]
    fn defaults_keep_first_party_and_refuse_tracker_cookies() {
        let s = Settings::default();
        let k = Classifier::builtin();
        let open = vec!["site.test".to_owned()];
        let none: Vec<String> = Vec::new();
        let j = |c: &BrowserCookie, e: &[String]| judge(&s, &k, c, &ctx(&open, e));

        let v = j(&cookie("session_id", "site.test"), &none);
        assert_eq!((v.purpose, v.third_party), (Purpose::Technical, false));
        assert_eq!(v.action, CookieAction::Keep);
        assert_eq!(v.context.as_deref(), Some("site.test"));

        let v = j(&cookie("_ga", ".site.test"), &none);
        assert_eq!(
            (v.purpose, v.action),
            (Purpose::Statistical, CookieAction::Keep)
        );

        let v = j(&cookie("_fbp", ".site.test"), &none);
        assert_eq!(
            (v.purpose, v.action),
            (Purpose::Advertising, CookieAction::Remove)
        );

        // A third party, with and without knowing who embedded it.
        let emb = vec!["site.test".to_owned()];
        let v = j(&cookie("ad_id", "ads.test"), &emb);
        assert!(v.third_party);
        assert_eq!(v.context.as_deref(), Some("site.test"));
        assert_eq!(
            (v.purpose, v.action),
            (Purpose::Advertising, CookieAction::Remove)
        );
        let v = j(&cookie("zq_flag", "elsewhere.test"), &none);
        assert_eq!((v.purpose, v.third_party), (Purpose::Unknown, true));
        assert_eq!(v.action, CookieAction::Remove);
        let v = j(&cookie("zq_flag", "www.site.test"), &none);
        assert_eq!((v.purpose, v.third_party), (Purpose::Unknown, false));
        assert_eq!(v.action, CookieAction::Keep);
    }

    #[test]
    fn partitions_name_the_top_level_site() {
        let s = Settings::default();
        let k = Classifier::builtin();
        let mut c = cookie("zq_flag", "ads.test");
        c.partition_key = Some(PartitionKey {
            top_level_site: Some("http://site.test".into()),
        });
        // Even with ads.test open in another tab, this copy lives under site.test.
        let open = vec!["ads.test".to_owned()];
        let v = judge(&s, &k, &c, &ctx(&open, &[]));
        assert!(v.third_party);
        assert_eq!(v.context.as_deref(), Some("site.test"));
        c.partition_key = None;
        c.first_party_domain = Some("site.test".into());
        assert!(judge(&s, &k, &c, &ctx(&open, &[])).third_party);
        c.first_party_domain = Some(String::new());
        assert!(!judge(&s, &k, &c, &ctx(&open, &[])).third_party);
    }

    #[test]
    fn the_allow_list_keeps_everything() {
        let mut s = Settings::default();
        s.allow_site("news.test").unwrap();
        let k = Classifier::builtin();
        let open = vec!["news.test".to_owned()];
        let emb = vec!["site.test".to_owned(), "news.test".to_owned()];
        for c in [cookie("_fbp", "news.test"), cookie("ad_id", "ads.test")] {
            let v = judge(&s, &k, &c, &ctx(&open, &emb));
            assert!(v.allowlisted, "{c:?}");
            assert_eq!(v.action, CookieAction::Keep);
        }
        // Embedded only by a protected site: refused.
        let v = judge(&s, &k, &cookie("ad_id", "ads.test"), &ctx(&open, &emb[..1]));
        assert_eq!(v.action, CookieAction::Remove);
    }

    #[test]
    fn policy_changes_change_the_action() {
        let mut s = Settings::default();
        let k = Classifier::builtin();
        let open = vec!["site.test".to_owned()];
        let c = cookie("lang", "site.test");
        assert_eq!(
            judge(&s, &k, &c, &ctx(&open, &[])).action,
            CookieAction::Keep
        );
        s.cookies.set(Purpose::Personalization, Rule::Session);
        assert_eq!(
            judge(&s, &k, &c, &ctx(&open, &[])).action,
            CookieAction::RemoveAtSessionEnd
        );
    }

    #[test]
    fn odd_cookies_are_judged_without_panicking() {
        let s = Settings::default();
        let k = Classifier::builtin();
        let open = vec!["site.test".to_owned()];
        for (name, domain) in [
            ("", ""),
            ("x", "."),
            ("ü", "127.0.0.1"),
            ("a", "localhost"),
            ("a", "[::1]"),
            ("a", "..."),
        ] {
            let mut c = cookie(name, domain);
            c.value = "v".repeat(4096);
            c.expiration_date = Some(f64::INFINITY);
            let _ = judge(&s, &k, &c, &ctx(&open, &[]));
            c.expiration_date = Some(-1e300);
            c.partition_key = Some(PartitionKey {
                top_level_site: Some("not a url".into()),
            });
            let _ = judge(&s, &k, &c, &ctx(&open, &[]));
        }
    }

    #[test]
    fn headers_are_stripped_for_refused_third_party_trackers_only() {
        let mut s = Settings::default();
        let page = "http://site.test/";
        assert!(strips_headers(&s, "http://ads.test/banner.png", page));
        assert!(strips_headers(&s, "http://analytics.test/collect", page));
        assert!(!strips_headers(&s, "http://site.test/api", page));
        assert!(!strips_headers(&s, "http://cdn.example/x.js", page));
        assert!(!strips_headers(&s, "http://ads.test/", "http://ads.test/"));
        assert!(!strips_headers(&s, "not a url", page));
        s.cookies.set(Purpose::Advertising, Rule::Allow);
        assert!(!strips_headers(&s, "http://ads.test/banner.png", page));
        s.cookies.set(Purpose::Statistical, Rule::Session);
        assert!(!strips_headers(&s, "http://analytics.test/collect", page));
        s.cookies.set(Purpose::Statistical, Rule::Block);
        s.allow_site("site.test").unwrap();
        assert!(!strips_headers(&s, "http://analytics.test/collect", page));
    }
}
