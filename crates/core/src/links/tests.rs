use std::collections::HashSet;
use std::sync::OnceLock;

use proptest::prelude::*;

use super::*;

fn regexes(rules: &[Rule<RedirectAction>]) -> Vec<regex::Regex> {
    rules
        .iter()
        .map(|r| {
            let src = r.condition.regex_filter.as_deref().unwrap_or_default();
            regex::Regex::new(src).unwrap_or_else(|e| panic!("{src}: {e}"))
        })
        .collect()
}

/// The regexes of the parameter rules (those without a substitution), compiled once.
fn param_res() -> &'static [regex::Regex] {
    static RES: OnceLock<Vec<regex::Regex>> = OnceLock::new();
    RES.get_or_init(|| {
        let rules: Vec<_> = dnr_rules("")
            .into_iter()
            .filter(|r| r.action.redirect.transform.is_some())
            .collect();
        regexes(&rules)
    })
}

const SKIP: &str = "chrome-extension://abcdefghijklmnop/extension/pages/skip.html";

/// The redirector rules and their regexes, compiled once.
fn redirector_rules() -> &'static (Vec<Rule<RedirectAction>>, Vec<regex::Regex>) {
    static RULES: OnceLock<(Vec<Rule<RedirectAction>>, Vec<regex::Regex>)> = OnceLock::new();
    RULES.get_or_init(|| {
        let rules: Vec<_> = dnr_rules(SKIP)
            .into_iter()
            .filter(|r| r.action.redirect.regex_substitution.is_some())
            .collect();
        let res = regexes(&rules);
        (rules, res)
    })
}

/// `s` percent-encoded the way `encodeURIComponent` does.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---- the lists ----

#[test]
fn tracking_params_are_exact_unique_names() {
    let mut seen = HashSet::new();
    for name in TRACKING_PARAMS {
        assert!(seen.insert(name), "{name} listed twice");
        assert!(!name.is_empty());
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_graphic() && !b"=&#%+?".contains(&b)),
            "{name:?}"
        );
    }
    assert_eq!(
        TRACKING_PARAMS.len(),
        GROUPS.iter().map(|g| g.len()).sum::<usize>()
    );
    for group in GROUPS {
        assert!(group.windows(2).all(|w| w[0] < w[1]), "unsorted: {group:?}");
    }
    for must in [
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "utm_id",
        "utm_name",
        "utm_cid",
        "utm_reader",
        "utm_referrer",
        "utm_viz_id",
        "utm_pubreferrer",
        "utm_swu",
        "utm_social",
        "utm_social-type",
        "utm_brand",
        "utm_place",
        "utm_userid",
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "__hssc",
        "__hstc",
        "__hsfp",
        "hsCtaTracking",
        "igshid",
        "igsh",
        "yclid",
        "ysclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "vero_conv",
        "_openstat",
        "mkt_tok",
        "srsltid",
        "_gl",
    ] {
        assert!(TRACKING_PARAMS.contains(&must), "{must} missing");
    }
    // Generic names that carry site function elsewhere stay out.
    for never in [
        "ref", "si", "source", "cid", "id", "q", "_ga", "page", "s", "t",
    ] {
        assert!(!TRACKING_PARAMS.contains(&never), "{never}");
    }
}

#[test]
fn redirectors_are_exact_names() {
    assert!(REDIRECTORS.len() >= 12);
    assert!(
        REDIRECTORS.windows(2).all(|w| w[0].host <= w[1].host),
        "sorted by host"
    );
    let mut seen = HashSet::new();
    for r in REDIRECTORS {
        assert!(seen.insert((r.host, r.path_prefix)), "{r:?} twice");
        assert!(
            !r.host.is_empty()
                && r.host.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'.'
                    || b == b'-'),
            "{r:?}"
        );
        assert!(r.path_prefix.starts_with('/'), "{r:?}");
        assert!(
            r.path_prefix
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"?#*%".contains(&b)),
            "{r:?}"
        );
        assert!(!r.params.is_empty() && !r.what.is_empty(), "{r:?}");
        for p in r.params {
            assert!(
                !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "{r:?}"
            );
        }
    }
}

// ---- clean_url ----

#[test]
fn cleans_the_issue_example() {
    assert_eq!(
        clean_url("http://site.test/page?utm_source=x&id=5#top").as_deref(),
        Some("http://site.test/page?id=5#top")
    );
}

#[test]
fn empty_query_loses_its_question_mark() {
    for (url, want) in [
        (
            "http://site.test/page?utm_source=x#top",
            "http://site.test/page#top",
        ),
        (
            "http://site.test/page?utm_source=x",
            "http://site.test/page",
        ),
        (
            "https://site.test/?fbclid=1&gclid=2&utm_medium=3",
            "https://site.test/",
        ),
        ("https://site.test?fbclid", "https://site.test"),
        // The only pair left is empty: the query is empty.
        ("http://site.test/p?&utm_source=x", "http://site.test/p"),
        ("http://site.test/p?utm_source=x&", "http://site.test/p"),
    ] {
        assert_eq!(clean_url(url).as_deref(), Some(want), "{url}");
    }
}

#[test]
fn keeps_every_other_byte() {
    for (url, want) in [
        // Encodings are never decoded or re-encoded.
        (
            "https://s.test/a%20b/?q=a%20b&utm_source=x&p=%2F%2f&plus=a+b",
            "https://s.test/a%20b/?q=a%20b&p=%2F%2f&plus=a+b",
        ),
        // Unicode, raw.
        (
            "https://s.test/café?q=ümlaut&fbclid=é&r=日本",
            "https://s.test/café?q=ümlaut&r=日本",
        ),
        // Empty pairs, duplicates, keys without values, values with '='.
        (
            "http://s.test/?a=1&&b=2&utm_term=x&a=1&flag&c==d",
            "http://s.test/?a=1&&b=2&a=1&flag&c==d",
        ),
        ("http://s.test/?&&fbclid=1&&", "http://s.test/?&&&"),
        // Every occurrence of a tracking key goes, valued or not.
        (
            "http://s.test/?utm_source=a&x=1&utm_source=b&utm_source&utm_source=",
            "http://s.test/?x=1",
        ),
        // The fragment stays, including its own '?', '&' and tracking-looking text.
        (
            "http://s.test/p?gclid=1&k=v#frag?utm_source=x&fbclid=2",
            "http://s.test/p?k=v#frag?utm_source=x&fbclid=2",
        ),
        ("http://s.test/p?gclid=1#", "http://s.test/p#"),
        // Userinfo, port, uppercase scheme and host.
        (
            "HTTPS://u:p@S.TEST:8443/P?MSCLKID=1&msclkid=2",
            "HTTPS://u:p@S.TEST:8443/P?MSCLKID=1",
        ),
        // A '?' in a value.
        (
            "http://s.test/?next=/a?b=c&utm_source=x",
            "http://s.test/?next=/a?b=c",
        ),
    ] {
        assert_eq!(clean_url(url).as_deref(), Some(want), "{url}");
        assert_eq!(clean_url(want), None, "idempotent: {want}");
    }
}

#[test]
fn leaves_what_is_not_exactly_a_tracking_key() {
    for url in [
        "http://s.test/page",
        "http://s.test/page?",
        "http://s.test/page?id=5#top",
        // Case-sensitive, exact names.
        "http://s.test/?UTM_SOURCE=x&Fbclid=1&hsctatracking=1",
        "http://s.test/?utm_sourcex=1&xutm_source=1&utm_=1&utm=1",
        // Raw keys: an encoded name is another name.
        "http://s.test/?utm%5Fsource=x&fbclid%3D=1",
        " http://s.test/?a=1",
        // Tracking names in the fragment only.
        "http://s.test/p#utm_source=x",
        "http://s.test/p#a?utm_source=x",
        "http://s.test/p#a?b=1&fbclid=2",
        // ... or in the path.
        "http://s.test/utm_source=x/&fbclid=1/",
        "http://s.test/a&utm_source=1?b=2",
        // In a value.
        "http://s.test/?next=utm_source&r=fbclid%3D1",
    ] {
        assert_eq!(clean_url(url), None, "{url}");
    }
}

#[test]
fn only_http_and_https() {
    for url in [
        "ftp://s.test/?utm_source=x",
        "ws://s.test/?utm_source=x",
        "wss://s.test/?utm_source=x",
        "file:///tmp/x?utm_source=x",
        "file://host/x?utm_source=x",
        "chrome-extension://abc/p.html?utm_source=x",
        "moz-extension://abc/p.html?utm_source=x",
        "about:blank?utm_source=x",
        "data:text/html,<a href='?utm_source=x'>",
        "javascript:void(0)?utm_source=x",
        "mailto:a@b.test?utm_source=x",
        "blob:https://s.test/uuid?utm_source=x",
    ] {
        assert_eq!(clean_url(url), None, "{url}");
        assert_eq!(rewrite_navigation(url), None, "{url}");
    }
}

#[test]
fn malformed_urls_are_left_alone() {
    for url in [
        "",
        "?",
        "?utm_source=x",
        "/page?utm_source=x",
        "//s.test/page?utm_source=x",
        "s.test/page?utm_source=x",
        "http:/s.test/?utm_source=x",
        "http://?utm_source=x",
        "http://:80/?utm_source=x",
        "http://s.test:99999/?utm_source=x",
        "http://[::1/?utm_source=x",
        " http://s.test/?utm_source=x",
        "http://s.test/?utm_source=x ",
        "http://s.test/?utm_source=x\n",
        "http://s.test/?a=b c&utm_source=x",
        "http://s.test/?a=\u{0}&utm_source=x",
        "http\u{0}://s.test/?utm_source=x",
        "é://s.test/?utm_source=x",
    ] {
        assert_eq!(clean_url(url), None, "{url:?}");
        assert_eq!(skip_redirector(url), None, "{url:?}");
        assert_eq!(rewrite_navigation(url), None, "{url:?}");
    }
}

#[test]
fn long_urls() {
    let head = "https://s.test/p?";
    let tail = "&utm_source=x";
    let filler = "a".repeat(MAX_URL_LEN - head.len() - tail.len());
    let at_limit = format!("{head}{filler}{tail}");
    assert_eq!(at_limit.len(), MAX_URL_LEN);
    assert_eq!(clean_url(&at_limit), Some(format!("{head}{filler}")));
    let over = format!("{head}a{filler}{tail}");
    assert_eq!(clean_url(&over), None);
    assert_eq!(rewrite_navigation(&over), None);
    // Many pairs.
    let many: Vec<String> = (0..4000)
        .map(|i| {
            if i % 2 == 0 {
                format!("k{i}=v")
            } else {
                "fbclid=1".to_owned()
            }
        })
        .collect();
    let url = format!("https://s.test/?{}", many.join("&"));
    let cleaned = clean_url(&url).unwrap();
    assert_eq!(cleaned.matches('&').count(), 1999);
    assert!(!cleaned.contains("fbclid"));
    // A redirector URL over the limit is not read either.
    let long = format!(
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fs.test%2F{}",
        "a".repeat(MAX_URL_LEN)
    );
    assert_eq!(skip_redirector(&long), None);
}

// ---- skip_redirector ----

#[test]
fn every_redirector_is_skipped() {
    let dest = "https://dest.test/a/b?c=1&d=%20e+f#g";
    for r in REDIRECTORS {
        for p in r.params {
            let url = format!(
                "https://{}{}?x=1&{p}={}&y=2",
                r.host,
                r.path_prefix,
                encode(dest)
            );
            assert_eq!(redirector_for(&url), Some(r), "{url}");
            assert_eq!(skip_redirector(&url).as_deref(), Some(dest), "{url}");
            // First in the query, over http, with a port.
            let url = format!(
                "http://{}:8080{}?{p}={}",
                r.host,
                r.path_prefix,
                encode(dest)
            );
            assert_eq!(skip_redirector(&url).as_deref(), Some(dest), "{url}");
        }
    }
}

#[test]
fn known_redirector_links() {
    for (url, want) in [
        (
            "https://www.google.com/url?sa=t&rct=j&q=&esrc=s&source=web&cd=1&url=https%3A%2F%2Fen.wikipedia.org%2Fwiki%2FRust&usg=AOv",
            "https://en.wikipedia.org/wiki/Rust",
        ),
        (
            "https://www.google.com/url?q=https://site.test/page%3Fa%3D1%26b%3D2&sa=D&ust=1",
            "https://site.test/page?a=1&b=2",
        ),
        (
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fsite.test%2F%3Ffbclid%3DIwAR0&h=AT3N",
            "https://site.test/?fbclid=IwAR0",
        ),
        (
            "https://www.youtube.com/redirect?event=video_description&redir_token=QUFF&q=https%3A%2F%2Fsite.test%2F&v=abc",
            "https://site.test/",
        ),
        (
            "https://link.zhihu.com/?target=https%3A//github.com/rust-lang/rust",
            "https://github.com/rust-lang/rust",
        ),
        (
            "https://out.reddit.com/t3_abc?url=https%3A%2F%2Fsite.test%2Fx&token=AQ&app_name=web",
            "https://site.test/x",
        ),
        (
            "https://steamcommunity.com/linkfilter/?u=http%3A%2F%2Fsite.test",
            "http://site.test",
        ),
        (
            "https://duckduckgo.com/l/?uddg=https%3A%2F%2Fsite.test%2Fp&rut=abc",
            "https://site.test/p",
        ),
    ] {
        assert_eq!(skip_redirector(url).as_deref(), Some(want), "{url}");
    }
}

#[test]
fn destinations_are_decoded_exactly() {
    let u = |v: &str| format!("https://l.facebook.com/l.php?u={v}");
    // '+' is not a space.
    assert_eq!(
        skip_redirector(&u("https%3A%2F%2Fs.test%2F%3Fq%3Da+b")).as_deref(),
        Some("https://s.test/?q=a+b")
    );
    // Percent-encodings inside the destination survive the single decoding.
    assert_eq!(
        skip_redirector(&u("https%3A%2F%2Fs.test%2Fa%2520b%3Fx%3D%2526")).as_deref(),
        Some("https://s.test/a%20b?x=%26")
    );
    // Unencoded and lowercase-encoded.
    assert_eq!(
        skip_redirector(&u("https://s.test/x")).as_deref(),
        Some("https://s.test/x")
    );
    assert_eq!(
        skip_redirector(&u("https%3a%2f%2fs.test%2fx")).as_deref(),
        Some("https://s.test/x")
    );
    // Encoded twice: decoded twice, never three times.
    assert_eq!(
        skip_redirector(&u("https%253A%252F%252Fs.test%252Fa%25252F")).as_deref(),
        Some("https://s.test/a%2F")
    );
    assert_eq!(
        skip_redirector(&u("https%25253A%25252F%25252Fs.test")),
        None
    );
    // UTF-8 destinations.
    assert_eq!(
        skip_redirector(&u("https%3A%2F%2Fs.test%2Fcaf%C3%A9")).as_deref(),
        Some("https://s.test/café")
    );
    for bad in [
        "",
        "https%3A%2F%2F",
        "https%3A%2F%2F%2Fpath",
        "https%3A%2Fs.test",
        "%2Fpath",
        "s.test%2Fpath",
        "javascript%3Aalert(1)",
        "javascript:alert(1)",
        "data%3Atext%2Fhtml%2Chi",
        "ftp%3A%2F%2Fs.test%2F",
        "chrome%3A%2F%2Fsettings",
        "https%3A%2F%2Fs.test%2Fa%20b",
        "https%3A%2F%2Fs.test%2F%0A",
        "https%3A%2F%2Fs.test%2F%09",
        "%20https%3A%2F%2Fs.test%2F",
        "https%3A%2F%2Fs.test%2F%C2%A0",
        "https%3A%2F%2Fs.test%2F%E2%80%A8",
        "https%3A%2F%2Fs.test%2F%",
        "https%3A%2F%2Fs.test%2F%4",
        "https%3A%2F%2Fs.test%2F%G0",
        "https%3A%2F%2Fs.test%2F%FF",
        "https%3A%2F%2Fs.test%3A99999%2F",
        "https%253A%252F%252Fs.test%252F%25",
    ] {
        assert_eq!(skip_redirector(&u(bad)), None, "{bad:?}");
    }
}

#[test]
fn only_the_listed_hosts_paths_and_params() {
    for url in [
        // Not the host.
        "https://google.com/url?q=https%3A%2F%2Fs.test",
        "https://www.google.co.uk/url?q=https%3A%2F%2Fs.test",
        "https://l.facebook.com.evil.test/l.php?u=https%3A%2F%2Fs.test",
        "https://evil.test/l.php?u=https%3A%2F%2Fs.test",
        "https://xl.facebook.com/l.php?u=https%3A%2F%2Fs.test",
        // Not the path (case-sensitive).
        "https://www.google.com/search?q=https%3A%2F%2Fs.test",
        "https://www.google.com/URL?q=https%3A%2F%2Fs.test",
        "https://www.google.com/?q=https%3A%2F%2Fs.test",
        "https://l.instagram.com?u=https%3A%2F%2Fs.test",
        // Not the parameter.
        "https://l.facebook.com/l.php?uu=https%3A%2F%2Fs.test",
        "https://l.facebook.com/l.php?U=https%3A%2F%2Fs.test",
        "https://l.facebook.com/l.php?u",
        "https://l.facebook.com/l.php",
        // In the fragment or path only.
        "https://l.facebook.com/l.php#u=https%3A%2F%2Fs.test",
        "https://l.facebook.com/l.php#?u=https%3A%2F%2Fs.test",
        "https://l.facebook.com/l.php&u=https%3A%2F%2Fs.test",
        // Not a web redirector URL.
        "ftp://l.facebook.com/l.php?u=https%3A%2F%2Fs.test",
    ] {
        assert_eq!(skip_redirector(url), None, "{url}");
    }
    assert!(redirector_for("https://www.google.com/url").is_some());
    assert!(redirector_for("https://WWW.Google.COM./url?x").is_some());
    assert!(redirector_for("https://www.google.com/search").is_none());
}

#[test]
fn the_first_readable_destination_wins() {
    // Google's `q` may be a search query: `url` is tried next.
    assert_eq!(
        skip_redirector("https://www.google.com/url?q=cats&url=https%3A%2F%2Fs.test%2F1")
            .as_deref(),
        Some("https://s.test/1")
    );
    // Parameters in the redirector's order, then in the query's.
    assert_eq!(
        skip_redirector(
            "https://www.google.com/url?url=https%3A%2F%2Fs.test%2F2&q=https%3A%2F%2Fs.test%2F1"
        )
        .as_deref(),
        Some("https://s.test/1")
    );
    assert_eq!(
        skip_redirector("https://vk.com/away.php?to=nope&to=%zz&to=https%3A%2F%2Fs.test%2F3")
            .as_deref(),
        Some("https://s.test/3")
    );
}

// ---- rewrite_navigation ----

#[test]
fn rewrite_navigation_skips_then_cleans() {
    assert_eq!(
        rewrite_navigation(
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fs.test%2F%3Futm_source%3Dfb%26id%3D1%26fbclid%3D2&h=x"
        ),
        Some((
            "https://s.test/?id=1".to_owned(),
            Rewrite::SkippedRedirector
        ))
    );
    assert_eq!(
        rewrite_navigation("https://l.facebook.com/l.php?u=https%3A%2F%2Fs.test%2F"),
        Some(("https://s.test/".to_owned(), Rewrite::SkippedRedirector))
    );
    assert_eq!(
        rewrite_navigation("https://s.test/?utm_source=a&utm_medium=b&k=v&fbclid=c"),
        Some(("https://s.test/?k=v".to_owned(), Rewrite::RemovedParams(3)))
    );
    // A redirector URL without a readable destination is only cleaned.
    assert_eq!(
        rewrite_navigation("https://www.google.com/url?q=cats&utm_source=x"),
        Some((
            "https://www.google.com/url?q=cats".to_owned(),
            Rewrite::RemovedParams(1)
        ))
    );
    assert_eq!(rewrite_navigation("https://s.test/?k=v"), None);
    assert_eq!(
        rewrite_navigation("https://www.google.com/url?q=cats"),
        None
    );
}

// ---- dnr_rules ----

#[test]
fn rules_have_ids_priority_types_and_case_sensitive_regexes() {
    let rules = dnr_rules(SKIP);
    let params = rules
        .iter()
        .filter(|r| r.action.redirect.transform.is_some())
        .count();
    let redirectors: usize = REDIRECTORS.iter().map(|r| r.params.len()).sum();
    assert_eq!(rules.len(), params + redirectors);
    assert!(
        rules.len() < dnr::ids::BLOCK as usize,
        "{} rules",
        rules.len()
    );
    for (i, r) in rules.iter().enumerate() {
        assert_eq!(r.id, dnr::ids::LINKS + i as u32);
        assert_eq!(r.priority, dnr::priority::LINKS);
        assert_eq!(
            r.condition.resource_types,
            vec![ResourceType::MainFrame, ResourceType::SubFrame]
        );
        assert_eq!(r.condition.is_url_filter_case_sensitive, Some(true));
        assert!(r.condition.url_filter.is_none());
        let src = r.condition.regex_filter.as_deref().unwrap();
        assert!(src.is_ascii());
        let size = estimate(src, false).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        assert!(size <= REGEX_PROGRAM_BUDGET, "{size}: {src}");
    }
    const {
        assert!(
            dnr::priority::FILTER_CEILING < dnr::priority::LINKS
                && dnr::priority::LINKS < dnr::priority::ALLOW_SITE
        );
        assert!(dnr::ids::ALLOW_SITE + dnr::ids::BLOCK <= dnr::ids::LINKS);
    }
    // Every parameter rule removes every parameter.
    let json = serde_json::to_value(&rules).unwrap();
    let want: Vec<&str> = TRACKING_PARAMS.to_vec();
    for r in json.as_array().unwrap().iter().take(params) {
        assert_eq!(r["action"]["type"], "redirect");
        assert_eq!(
            r["action"]["redirect"]["transform"]["queryTransform"]["removeParams"],
            serde_json::json!(want)
        );
        assert_eq!(r["condition"]["isUrlFilterCaseSensitive"], true);
        assert_eq!(
            r["condition"]["resourceTypes"],
            serde_json::json!(["main_frame", "sub_frame"])
        );
    }
}

#[test]
fn serialises_as_chrome_expects() {
    let rules = dnr_rules(SKIP);
    let first = serde_json::to_string(&rules[0]).unwrap();
    assert!(
        first.starts_with(
            r#"{"id":3000,"priority":1500000,"action":{"type":"redirect","redirect":{"transform":{"queryTransform":{"removeParams":["utm_brand","#
        ),
        "{first}"
    );
    assert!(
        first.ends_with(
            r#"]}}}},"condition":{"regexFilter":"^[^?#]*\\?(?:[^#]*&)?(?:__hsfp|__hssc|__hstc|_gl|_hsenc|_hsmi|_kx|_openstat|dclid|ef_id|epik|fbclid|gad_campaignid)(?:[=&#]|$)","isUrlFilterCaseSensitive":true,"resourceTypes":["main_frame","sub_frame"]}}"#
        ),
        "{first}"
    );
    let google = rules
        .iter()
        .find(|r| {
            r.condition
                .regex_filter
                .as_deref()
                .is_some_and(|f| f.contains("google"))
        })
        .unwrap();
    assert_eq!(
        serde_json::to_string(&google.action).unwrap(),
        format!(r#"{{"type":"redirect","redirect":{{"regexSubstitution":"{SKIP}#\\0"}}}}"#)
    );
    assert_eq!(
        google.condition.regex_filter.as_deref(),
        Some(
            r"^https?://www\.google\.com(?::[0-9]+)?/url[^?#]*\?(?:[^#]*&)?q=https?(?:%3[aA]|:).*"
        )
    );
}

#[test]
fn param_regexes_fire_exactly_when_a_parameter_is_removed() {
    let res = param_res();
    let matches = |url: &str| res.iter().any(|re| re.is_match(url));
    for name in TRACKING_PARAMS {
        for url in [
            format!("https://s.test/p?{name}=1"),
            format!("https://s.test/p?a=1&{name}=1&b=2"),
            format!("https://s.test/p?a=1&{name}"),
            format!("https://s.test/p?{name}&a=1"),
            format!("https://s.test/p?{name}="),
            format!("https://s.test/?{name}#frag"),
        ] {
            assert!(matches(&url), "{url}");
            assert!(clean_url(&url).is_some(), "{url}");
        }
        for url in [
            format!("https://s.test/p?x{name}=1"),
            format!("https://s.test/p?{name}x=1"),
            format!("https://s.test/p?{}=1", name.to_ascii_uppercase()),
            format!("https://s.test/p/{name}=1"),
            format!("https://s.test/a&{name}=1?b=2"),
            format!("https://s.test/p?a={name}"),
            format!("https://s.test/p#{name}=1"),
            format!("https://s.test/p#?{name}=1"),
        ] {
            assert!(!matches(&url), "{url}");
            assert_eq!(clean_url(&url), None, "{url}");
        }
    }
    assert!(!matches("https://s.test/page?id=5&utm=1&fb=2"));
}

#[test]
fn redirector_regexes_send_the_whole_url_to_the_skip_page() {
    let (rules, res) = redirector_rules();
    let mut covered = 0;
    for r in REDIRECTORS {
        for p in r.params {
            let (dest, raw) = ("https://dest.test/a?b=1&c=%2F", "https://dest.test/a?b=1");
            for (url, dest) in [
                (
                    format!(
                        "https://{}{}?{p}={}&t=1",
                        r.host,
                        r.path_prefix,
                        encode(dest)
                    ),
                    dest,
                ),
                (
                    format!("http://{}:81{}x?a=b&{p}={raw}", r.host, r.path_prefix),
                    raw,
                ),
            ] {
                let hits: Vec<usize> = (0..res.len()).filter(|&i| res[i].is_match(&url)).collect();
                assert_eq!(hits.len(), 1, "{url}: {hits:?}");
                let (re, rule) = (&res[hits[0]], &rules[hits[0]]);
                // Chrome replaces the first match with the substitution (`\0` = the match).
                let m = re.find(&url).unwrap();
                let sub = rule.action.redirect.regex_substitution.as_deref().unwrap();
                let redirected = format!(
                    "{}{}{}",
                    &url[..m.start()],
                    sub.replace("\\0", m.as_str()),
                    &url[m.end()..]
                );
                assert_eq!(redirected, format!("{SKIP}#{url}"));
                // The skip page reads its fragment.
                let fragment = redirected.split_once('#').unwrap().1;
                assert_eq!(skip_redirector(fragment).as_deref(), Some(dest), "{url}");
                covered += 1;
            }
        }
    }
    assert_eq!(covered, rules.len() * 2);
    for url in [
        "https://www.google.com/url?q=cats",
        "https://www.google.com/url?q=ftp%3A%2F%2Fs.test",
        "https://www.google.com/url?q=HTTPS%3A%2F%2Fs.test",
        "https://www.google.com/search?q=https%3A%2F%2Fs.test",
        "https://www.google.com/url#?q=https%3A%2F%2Fs.test",
        "https://www.google.com/url&q=https%3A%2F%2Fs.test",
        "https://www.google.com/url?xq=https%3A%2F%2Fs.test",
        "https://www.google.com.evil.test/url?q=https%3A%2F%2Fs.test",
        "https://evil.test/?u=https://www.google.com/url?q=https%3A%2F%2Fs.test",
        "https://s.test/?utm_source=x",
        "https://s.test/",
    ] {
        assert!(!res.iter().any(|re| re.is_match(url)), "{url}");
    }
}

#[test]
fn a_bad_skip_page_gives_only_the_parameter_rules() {
    let params = dnr_rules("").len();
    assert!(params > 0);
    assert_eq!(params, param_res().len());
    for bad in [
        "",
        "skip.html",
        "/extension/pages/skip.html",
        "chrome-extension://abc/skip.html#x",
        "chrome-extension://abc/skip\\1.html",
        "chrome-extension://abc/sk ip.html",
        "chrome-extension://abc/skip.html\n",
        "chrome-extension://abc/ski\u{e9}.html",
    ] {
        let rules = dnr_rules(bad);
        assert_eq!(rules.len(), params, "{bad:?}");
        assert!(rules
            .iter()
            .all(|r| r.action.redirect.regex_substitution.is_none()));
    }
    assert!(dnr_rules(SKIP).len() > params);
    assert!(dnr_rules("moz-extension://uuid/skip.html").len() > params);
}

// ---- properties ----

/// A query pair: a tracking one, a near miss, or anything without '&' and '#'.
fn pair() -> impl Strategy<Value = String> {
    let value = "[a-zA-Z0-9%+/?:=é_.-]{0,6}";
    // Anything but '&', '#', whitespace and controls (never raw in a browser's URL).
    let any = "[^&# \\x00-\\x1f\\x7f]{0,6}";
    prop_oneof![
        (
            prop::sample::select(TRACKING_PARAMS),
            prop::option::of(value)
        )
            .prop_map(|(k, v)| v.map_or(k.to_owned(), |v| format!("{k}={v}"))),
        (prop::sample::select(TRACKING_PARAMS), "[A-Z_x]{1,2}")
            .prop_map(|(k, s)| format!("{k}{s}=1")),
        Just(String::new()),
        "[a-zA-Z0-9%+=é_.-]{0,8}",
        any,
    ]
}

fn prefix() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "http://site.test/page",
        "https://a.test",
        "HTTPS://x.test:8080/p/q",
        "http://[::1]/x",
        "https://u:p@host.test/é/%20",
        "https://www.google.com/url",
    ])
}

fn fragment() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        "[a-z?&=#_]{0,10}",
        (prop::sample::select(TRACKING_PARAMS)).prop_map(|k| format!("?{k}=1&{k}")),
    ])
}

fn build(prefix: &str, pairs: &[String], fragment: &Option<String>) -> String {
    let mut url = format!("{prefix}?{}", pairs.join("&"));
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    url
}

proptest! {
    #[test]
    fn cleaning_is_idempotent(
        prefix in prefix(),
        pairs in prop::collection::vec(pair(), 0..8),
        fragment in fragment(),
    ) {
        let url = build(prefix, &pairs, &fragment);
        if let Some(cleaned) = clean_url(&url) {
            prop_assert_eq!(clean_url(&cleaned), None);
            prop_assert_eq!(rewrite_navigation(&cleaned).filter(|(_, w)| *w != Rewrite::SkippedRedirector), None);
        }
    }

    #[test]
    fn cleaning_removes_exactly_the_tracking_pairs(
        prefix in prefix(),
        pairs in prop::collection::vec(pair(), 0..8),
        fragment in fragment(),
    ) {
        let url = build(prefix, &pairs, &fragment);
        let kept: Vec<&str> = pairs
            .iter()
            .map(String::as_str)
            .filter(|p| !TRACKING_PARAMS.contains(&key(p)))
            .collect();
        let removed = pairs.len() - kept.len();
        match clean_url(&url) {
            None => prop_assert_eq!(removed, 0, "{}", url),
            Some(cleaned) => {
                prop_assert!(removed > 0);
                // Prefix and fragment unchanged, the kept pairs in order, byte for byte.
                let query = kept.join("&");
                let mut want = prefix.to_owned();
                if !query.is_empty() {
                    want.push('?');
                    want.push_str(&query);
                }
                if let Some(f) = &fragment {
                    want.push('#');
                    want.push_str(f);
                }
                prop_assert_eq!(&cleaned, &want);
                prop_assert!(cleaned.starts_with(prefix));
                match rewrite_navigation(&url) {
                    Some((_, Rewrite::SkippedRedirector)) => {}
                    other => prop_assert_eq!(other, Some((cleaned, Rewrite::RemovedParams(removed)))),
                }
            }
        }
    }

    #[test]
    fn param_rules_match_exactly_what_cleaning_removes(
        prefix in prefix(),
        pairs in prop::collection::vec(pair(), 0..6),
        fragment in fragment(),
    ) {
        let res = param_res();
        let url = build(prefix, &pairs, &fragment);
        let fires = res.iter().any(|re| re.is_match(&url));
        prop_assert_eq!(fires, clean_url(&url).is_some(), "{}", url);
    }

    #[test]
    fn redirector_rules_fire_only_on_redirectors(
        r in prop::sample::select(REDIRECTORS),
        path in "[a-z./]{0,4}",
        pairs in prop::collection::vec(pair(), 0..4),
        value in prop_oneof![
            Just("https%3A%2F%2Fs.test%2F".to_owned()),
            Just("http://s.test".to_owned()),
            "[a-zA-Z0-9%:/.]{0,12}",
        ],
        param_first in any::<bool>(),
    ) {
        let res = param_res();
        let (_, redirector_res) = redirector_rules();
        let param = r.params.first().copied().unwrap_or("u");
        let mut pairs = pairs;
        let p = format!("{param}={value}");
        if param_first { pairs.insert(0, p) } else { pairs.push(p) }
        let url = format!("https://{}{}{path}?{}", r.host, r.path_prefix, pairs.join("&"));
        if redirector_res.iter().any(|re| re.is_match(&url)) {
            prop_assert_eq!(redirector_for(&url), Some(&r));
        }
        // Never both a parameter rule and a redirector rule disagreeing with the functions.
        prop_assert_eq!(res.iter().any(|re| re.is_match(&url)), clean_url(&url).is_some());
    }

    #[test]
    fn skipping_round_trips_encoded_destinations(
        r in prop::sample::select(REDIRECTORS),
        host in "[a-z0-9]{1,8}(\\.[a-z]{2,4}){1,2}",
        path in "(/[a-zA-Z0-9._~%!$'()*+,;=:@-]{0,6}){0,3}",
        query in prop::option::of("[a-zA-Z0-9=&%+/?:._-]{0,12}"),
        https in any::<bool>(),
    ) {
        let mut dest = format!("{}://{host}{path}", if https { "https" } else { "http" });
        if let Some(q) = query {
            dest.push('?');
            dest.push_str(&q);
        }
        for p in r.params {
            let url = format!("https://{}{}?{p}={}", r.host, r.path_prefix, encode(&dest));
            prop_assert_eq!(skip_redirector(&url), Some(dest.clone()), "{}", url);
        }
    }

    #[test]
    fn never_panics_on_any_string(s in any::<String>()) {
        let _ = clean_url(&s);
        let _ = skip_redirector(&s);
        let _ = rewrite_navigation(&s);
        let _ = redirector_for(&s);
        let _ = dnr_rules(&s);
    }

    #[test]
    fn never_panics_on_url_like_strings(
        prefix in prop::sample::select(vec![
            "http://", "https://www.google.com/url", "https://l.facebook.com/l.php",
            "HTTP://S.TEST", "https://[", "https://é/", "http://a:",
        ]),
        rest in "[?#&=%a-fA-F0-9:/\\\\ é\\x00+.-]{0,40}",
    ) {
        let url = format!("{prefix}{rest}");
        if let Some(c) = clean_url(&url) {
            prop_assert_eq!(clean_url(&c), None);
        }
        if let Some(d) = skip_redirector(&url) {
            prop_assert!(url::split(&d).is_some_and(|p| is_http(p.scheme)));
        }
        let _ = rewrite_navigation(&url);
    }
}

mod with_settings {
    use crate::links::{dnr_rules_for, for_navigation, Rewrite};
    use crate::Settings;

    const SKIP: &str = "chrome-extension://abc/extension/pages/skip.html";

    #[test]
    fn follows_the_switches_and_the_allow_list() {
        let mut s = Settings::default();
        let url = "http://site.test/page?utm_source=x&id=5#top";
        assert_eq!(
            for_navigation(&s, url, "main_frame", ""),
            Some((
                "http://site.test/page?id=5#top".into(),
                Rewrite::RemovedParams(1)
            ))
        );
        assert_eq!(for_navigation(&s, url, "image", ""), None);
        assert_eq!(
            for_navigation(&s, url, "sub_frame", "http://news.test/").map(|r| r.1),
            Some(Rewrite::RemovedParams(1))
        );
        let bounce = "https://l.facebook.com/l.php?u=http%3A%2F%2Fnews.test%2Fdest%3Futm_medium%3Dsocial%26a%3D1&h=x";
        assert_eq!(
            for_navigation(&s, bounce, "main_frame", ""),
            Some((
                "http://news.test/dest?a=1".into(),
                Rewrite::SkippedRedirector
            ))
        );
        s.allow_site("site.test").unwrap();
        assert_eq!(for_navigation(&s, url, "main_frame", ""), None);
        // A frame on an allow-listed page is left alone; a frame elsewhere is not.
        assert_eq!(
            for_navigation(
                &s,
                "http://news.test/?fbclid=1",
                "sub_frame",
                "http://site.test/"
            ),
            None
        );
        s.allow_site("news.test").unwrap();
        // Skipping still happens (facebook.com is not allow-listed) but the destination's site is.
        assert_eq!(
            for_navigation(&s, bounce, "main_frame", ""),
            Some((
                "http://news.test/dest?utm_medium=social&a=1".into(),
                Rewrite::SkippedRedirector
            ))
        );
        let mut s = Settings::default();
        s.links.clean = false;
        assert_eq!(for_navigation(&s, url, "main_frame", ""), None);
        assert!(for_navigation(&s, bounce, "main_frame", "").is_some());
        s.links.skip_redirectors = false;
        assert_eq!(for_navigation(&s, bounce, "main_frame", ""), None);
    }

    #[test]
    fn rules_follow_the_switches() {
        let mut s = Settings::default();
        let all = dnr_rules_for(&s, SKIP).len();
        s.links.clean = false;
        let redirectors = dnr_rules_for(&s, SKIP).len();
        s.links.clean = true;
        s.links.skip_redirectors = false;
        let params = dnr_rules_for(&s, SKIP).len();
        assert!(redirectors > 0 && params > 0);
        assert_eq!(redirectors + params, all);
        s.links.clean = false;
        assert!(dnr_rules_for(&s, SKIP).is_empty());
    }
}
