use super::*;

const PAGE: &str = "https://news.example/article";

fn req<'a>(url: &'a str, kind: &'a str, source_url: &'a str) -> PixelRequest<'a> {
    PixelRequest {
        url,
        kind,
        method: "",
        source_url,
        known_pixel_host: false,
    }
}

fn image(url: &str, source: &str) -> Option<Pixel> {
    classify(&req(url, "image", source))
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-4
}

#[test]
fn every_known_endpoint_is_recognised() {
    for e in KNOWN_ENDPOINTS {
        let path = if e.path == "/" { "/o/abc" } else { e.path };
        let base = e.host.replace(".*", ".co.uk");
        for host in [base.clone(), format!("sub.{base}")] {
            let url = format!("https://{host}{path}?id=1");
            let p = image(&url, PAGE).unwrap_or_else(|| panic!("{url}"));
            assert_eq!(p.signal, PixelSignal::KnownEndpoint, "{url}");
            assert!(close(p.confidence, 0.95), "{url}");
            assert!(p.reason.contains(e.name), "{url}: {}", p.reason);
            assert!(p.reason.contains(&e.display()), "{url}: {}", p.reason);
            assert_eq!(p.purpose, e.purpose, "{url}");
            // A sibling path on the same host is not the endpoint (prefixes ending in punctuation
            // match whatever follows, by design).
            if !e.path.ends_with(|c: char| c.is_ascii_punctuation()) {
                let other = format!("https://{host}{path}x/..?id=1");
                let p = image(&other, PAGE);
                assert!(
                    p.as_ref()
                        .is_none_or(|p| p.signal != PixelSignal::KnownEndpoint
                            || p.reason
                                != format!("known pixel endpoint {} ({})", e.display(), e.name)),
                    "{other}: {p:?}"
                );
            }
        }
    }
}

#[test]
fn well_known_pixels() {
    let cases: &[(&str, PixelPurpose, &str)] = &[
        (
            "https://www.facebook.com/tr?id=1&ev=PageView&noscript=1",
            PixelPurpose::Advertising,
            "known pixel endpoint facebook.com/tr (Meta Pixel)",
        ),
        (
            "https://www.google-analytics.com/collect?v=1&tid=UA-1-1&cid=1.2&t=pageview",
            PixelPurpose::Statistical,
            "known pixel endpoint google-analytics.com/collect (Google Analytics)",
        ),
        (
            "https://region1.google-analytics.com/g/collect?v=2&tid=G-XXXX",
            PixelPurpose::Statistical,
            "known pixel endpoint google-analytics.com/g/collect (Google Analytics 4)",
        ),
        (
            "https://analytics.google.com/g/collect?v=2",
            PixelPurpose::Statistical,
            "known pixel endpoint analytics.google.com/g/collect (Google Analytics 4)",
        ),
        (
            "https://www.google-analytics.com/__utm.gif?utmwv=5.7.2",
            PixelPurpose::Statistical,
            "known pixel endpoint google-analytics.com/__utm.gif (Google Analytics (ga.js))",
        ),
        (
            "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123/?random=1",
            PixelPurpose::Advertising,
            "known pixel endpoint googleads.g.doubleclick.net/pagead/viewthroughconversion (Google Ads remarketing)",
        ),
        (
            "https://ad.doubleclick.net/activity;src=1;type=a;cat=b;ord=1?",
            PixelPurpose::Advertising,
            "known pixel endpoint ad.doubleclick.net/activity (Floodlight)",
        ),
        (
            "https://bat.bing.com/action/0?ti=1&Ver=2",
            PixelPurpose::Advertising,
            "known pixel endpoint bat.bing.com/action (Microsoft UET)",
        ),
        (
            "https://t.co/i/adsct?txn_id=x&p_id=Twitter",
            PixelPurpose::Advertising,
            "known pixel endpoint t.co/i/adsct (X Pixel)",
        ),
        (
            "https://tr.snapchat.com/p",
            PixelPurpose::Advertising,
            "known pixel endpoint tr.snapchat.com (Snap Pixel)",
        ),
        (
            "https://www.google.de/pagead/1p-user-list/123/?random=1&cv=9",
            PixelPurpose::Advertising,
            "known pixel endpoint google.*/pagead/1p-user-list (Google Ads remarketing)",
        ),
        (
            "https://syndication.twitter.com/i/jot/syndication?l=%7B%7D",
            PixelPurpose::Social,
            "known pixel endpoint twitter.com/i/jot (X widget logging)",
        ),
        (
            "https://us5.list-manage.com/track/open.php?u=abc&id=def&e=123",
            PixelPurpose::Email,
            "email open tracker list-manage.com/track/open.php (Mailchimp)",
        ),
        (
            "https://u123.ct.sendgrid.net/wf/open?upn=abc",
            PixelPurpose::Email,
            "email open tracker sendgrid.net/wf/open (SendGrid)",
        ),
    ];
    for (url, purpose, reason) in cases {
        let p = image(url, PAGE).unwrap_or_else(|| panic!("{url}"));
        assert_eq!((p.purpose, p.reason.as_str()), (*purpose, *reason), "{url}");
        assert!(p.third_party);
    }
    // Look-alikes and other paths on the same hosts are not the endpoints.
    for url in [
        "https://notfacebook.com/tr?id=1",
        "https://www.facebook.com/track",
        "https://www.facebook.com/",
        "https://www.google-analytics.com/analytics.js",
        "https://facebook.com.evil.example/tr",
        "https://www.google.evil.example/pagead/1p-user-list/1/",
    ] {
        assert!(
            image(url, PAGE).is_none_or(|p| p.signal != PixelSignal::KnownEndpoint),
            "{url}"
        );
    }
}

#[test]
fn known_endpoints_count_first_party_and_for_beacons() {
    // Facebook's own pages loading its pixel: still a pixel, but first-party.
    let p = image(
        "https://www.facebook.com/tr?id=1&ev=PageView",
        "https://www.facebook.com/",
    )
    .unwrap();
    assert!(!p.third_party);
    let p = classify(&PixelRequest {
        url: "https://www.google-analytics.com/g/collect?v=2",
        kind: "xmlhttprequest",
        method: "POST",
        source_url: PAGE,
        known_pixel_host: false,
    })
    .unwrap();
    assert_eq!(
        p.reason,
        "POST beacon to known collection endpoint google-analytics.com/g/collect (Google Analytics 4)"
    );
    // The Floodlight iframe tag.
    let p = classify(&req(
        "https://1234.fls.doubleclick.net/activityi;src=1;type=x;cat=y;ord=1?",
        "sub_frame",
        PAGE,
    ))
    .unwrap();
    assert_eq!(p.signal, PixelSignal::KnownEndpoint);
}

#[test]
fn ping_and_beacon_types_are_always_beacons() {
    for kind in ["ping", "beacon", "PING"] {
        for source in [PAGE, "https://www.news.example/", ""] {
            let p = classify(&req("https://news.example/api/log", kind, source)).unwrap();
            assert_eq!(p.reason, "sendBeacon/ping request");
            assert_eq!(p.signal, PixelSignal::BeaconType);
            assert!(close(p.confidence, 0.9));
            assert_eq!(p.purpose, PixelPurpose::Unknown);
            assert_eq!(p.third_party, source.is_empty());
        }
    }
    // The purpose comes from the starter list when the host is a known tracker.
    let p = classify(&req("https://analytics.test/e", "beacon", PAGE)).unwrap();
    assert_eq!(p.purpose, PixelPurpose::Statistical);
}

#[test]
fn test_web_pixel() {
    let p = image(
        "http://pixel.test/p.gif?uid=123&ev=pageview",
        "http://site.test/",
    )
    .unwrap();
    assert_eq!(p.purpose, PixelPurpose::Advertising);
    assert_eq!(
        p.reason,
        "known pixel endpoint pixel.test/p.gif (Crumbwall test web)"
    );
    assert!(p.third_party);
    // Another path on the test pixel host is judged by shape, with the starter's category.
    let p = image("http://pixel.test/1x1.gif?uid=123", "http://site.test/").unwrap();
    assert_eq!(p.purpose, PixelPurpose::Advertising);
    assert_eq!(p.signal, PixelSignal::Dimensions);
    assert!(close(p.confidence, 0.75), "{p:?}");
}

#[test]
fn ordinary_images_are_not_pixels() {
    for (url, source) in [
        ("https://news.example/static/logo.png", PAGE),
        ("https://news.example/static/p.gif?uid=123&ev=1&cb=2", PAGE),
        ("https://cdn.news.example/img/1x1.gif", PAGE),
        ("https://cdn.example.com/img/hero.jpg", PAGE),
        ("https://cdn.example.com/img/hero.jpg?w=1&h=1", PAGE),
        (
            "https://images.cdn.example/photo.png?w=400&h=300&q=80&fm=webp",
            PAGE,
        ),
        (
            "https://d1.cloudfront.example/a/banner.png?Expires=1600000000&Signature=AbCdEf0123456789AbCdEf&Key-Pair-Id=APKAEXAMPLE123456",
            PAGE,
        ),
        (
            "https://scontent.fbcdn.example/v/t1/123_456_n.jpg?_nc_cat=1&oh=5f4dcc3b5aa765d61d8327deb882cf99&oe=5D6E1234",
            PAGE,
        ),
        ("https://cdn.example.com/img/blank.gif", PAGE),
        ("https://fonts.example/track.woff2", PAGE),
    ] {
        assert_eq!(image(url, source), None, "{url}");
    }
}

#[test]
fn third_party_shapes() {
    let p = image(
        "https://sync.adtech.example/px?uid=3f2a9c1e7b6d4e5f&cb=123",
        PAGE,
    )
    .unwrap();
    assert_eq!(p.signal, PixelSignal::PixelName);
    assert_eq!(
        p.reason,
        "pixel-like path (px); collector host name (sync); identifier in the query"
    );
    assert!(close(p.confidence, 0.75), "{p:?}");
    assert_eq!(p.purpose, PixelPurpose::Unknown);
    let p = image("https://metrics.example/img.gif?a=1&b=2&c=3&rnd=99", "").unwrap();
    assert_eq!(p.signal, PixelSignal::QueryShape);
    assert_eq!(
        p.reason,
        "gif with a 4-parameter query; cache buster (rnd=)"
    );
    assert!(close(p.confidence, 0.6));
    let p = image(
        "https://metrics.example/img.gif?uid=3f2a9c1e7b6d4e5f8a9b&ev=view&v=2",
        PAGE,
    )
    .unwrap();
    assert_eq!(p.reason, "gif endpoint with identifier-heavy query");
    // One weak signal is not enough.
    assert_eq!(
        image("https://metrics.example/img.gif?a=1&b=2&c=3", PAGE),
        None
    );
    assert_eq!(
        image("https://img.example/x?id=3f2a9c1e7b6d4e5f8a9b", PAGE),
        None
    );
    // Cookie syncs and Snowplow events.
    let p = image("https://ads.example/usersync.aspx?p=1", PAGE).unwrap();
    assert_eq!(p.reason, "cookie-sync path (usersync.aspx)");
    let p = image(
        "https://sp.collector.example/i?e=pv&tv=js-2.10.0&url=https%3A%2F%2Fnews.example%2F",
        PAGE,
    )
    .unwrap();
    assert_eq!(
        p.reason,
        "Snowplow event (/i); web address in the query (url=)"
    );
    let p = image("https://x.example/img?width=1&height=1", PAGE).unwrap();
    assert_eq!(p.reason, "1x1 image (width=1&height=1)");
    // Query evidence alone does not make an XHR a beacon (APIs carry ids and cache busters)...
    assert_eq!(
        classify(&req(
            "https://api.example/items?id=3f2a9c1e7b6d4e5f8a9b&x=1&y=2&_=1560000000000",
            "xmlhttprequest",
            PAGE
        )),
        None
    );
    // ... but an endpoint named like a collector does.
    assert!(classify(&req(
        "https://api.example/v1/collect?e=1",
        "xmlhttprequest",
        PAGE
    ))
    .is_some());
}

#[test]
fn known_pixel_host() {
    let mut r = req("https://t.example/anything?x=1", "image", PAGE);
    assert_eq!(classify(&r), None);
    r.known_pixel_host = true;
    let p = classify(&r).unwrap();
    assert_eq!(p.reason, "host served a tiny image earlier");
    assert!(close(p.confidence, 0.8));
    // Not for first-party requests, nor for real pictures.
    r.source_url = "https://www.t.example/";
    assert_eq!(classify(&r), None);
    r.source_url = PAGE;
    r.url = "https://t.example/photo.jpg";
    assert_eq!(classify(&r), None);
}

#[test]
fn never_for_navigations_scripts_and_media() {
    for kind in [
        "main_frame",
        "script",
        "stylesheet",
        "font",
        "media",
        "websocket",
        "csp_report",
        "nonsense",
    ] {
        for url in [
            "https://www.facebook.com/tr?id=1&ev=PageView",
            "https://x.example/pixel.gif?w=1&h=1",
        ] {
            assert_eq!(classify(&req(url, kind, PAGE)), None, "{kind} {url}");
        }
    }
}

#[test]
fn purposes() {
    for (i, p) in PixelPurpose::ALL.into_iter().enumerate() {
        assert_eq!(p.index() as usize, i);
    }
    let names: Vec<&str> = PixelPurpose::ALL.iter().map(|p| p.as_str()).collect();
    assert_eq!(
        names,
        ["advertising", "statistical", "social", "email", "unknown"]
    );
    assert_eq!(
        PixelPurpose::Advertising.category(),
        Some(Category::Advertising)
    );
    assert_eq!(PixelPurpose::Email.category(), Some(Category::Statistical));
    assert_eq!(PixelPurpose::Unknown.category(), None);
    assert_eq!(
        PixelPurpose::of_category(Category::Consent),
        PixelPurpose::Unknown
    );
}

#[test]
fn bad_input_is_none_without_panic() {
    let huge = format!("https://x.example/p.gif?{}", "a".repeat(1 << 20));
    let bad = [
        "",
        " ",
        "p.gif",
        "/tr?id=1",
        "//www.facebook.com/tr",
        "http://[::1",
        "http://[::1/p.gif?w=1&h=1",
        "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        "blob:https://x.example/1234",
        "about:blank",
        "javascript:void(0)",
        "ftp://x.example/pixel.gif",
        huge.as_str(),
    ];
    for url in bad {
        for kind in ["image", "ping", "xmlhttprequest", ""] {
            assert_eq!(classify(&req(url, kind, PAGE)), None, "{kind} {url:.80}");
        }
    }
    // Odd but readable input never panics.
    for url in [
        "https://ëxample.test/pixel.gif?ü=1x1&w=1&h=é",
        "https://例え.テスト/p.gif?ñ",
        "https://x.example/%E2%82%AC/1x1é.gif",
        "https://x.example/é",
        "https://x.example/.gif?",
        "https://x.example/;;;?&&&==",
        "https://x.example/\u{10FFFF}?\u{0}",
        "https://[::1]/tr/?x=1",
        "https://127.0.0.1:8080/collect",
    ] {
        for source in ["", "é", "http://[::1", PAGE, url] {
            let _ = classify(&PixelRequest {
                url,
                kind: "image",
                method: "POSTé",
                source_url: source,
                known_pixel_host: true,
            });
            let _ = classify(&req(url, "image", source));
        }
    }
}

mod properties {
    use proptest::prelude::*;

    use super::super::*;

    const KINDS: [&str; 12] = [
        "image",
        "ping",
        "beacon",
        "xmlhttprequest",
        "other",
        "",
        "sub_frame",
        "main_frame",
        "script",
        "stylesheet",
        "font",
        "media",
    ];

    fn url_like() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!["http", "https", "data", "ftp", ""]),
            "[a-z0-9.-]{0,24}",
            prop::collection::vec("[a-zA-Z0-9._;:%é-]{0,10}", 0..5),
            "[a-zA-Z0-9=&_.%;é-]{0,60}",
        )
            .prop_map(|(scheme, host, segments, query)| {
                format!("{scheme}://{host}/{}?{query}", segments.join("/"))
            })
    }

    proptest! {
        #[test]
        fn never_panics_on_anything(
            url in "\\PC{0,200}",
            kind in prop::sample::select(KINDS.to_vec()),
            method in "\\PC{0,6}",
            source in "\\PC{0,80}",
            known in any::<bool>(),
        ) {
            let _ = classify(&PixelRequest { url: &url, kind, method: &method, source_url: &source, known_pixel_host: known });
        }

        #[test]
        fn verdicts_are_consistent(
            url in url_like(),
            kind in prop::sample::select(KINDS.to_vec()),
            known in any::<bool>(),
            same_site in any::<bool>(),
        ) {
            let source = if same_site { url.clone() } else { "https://news.example/".to_owned() };
            let req = PixelRequest { url: &url, kind, method: "GET", source_url: &source, known_pixel_host: known };
            let got = classify(&req);
            prop_assert_eq!(&got, &classify(&req), "deterministic");
            if let Some(p) = got {
                prop_assert!(!matches!(kind, "main_frame" | "script" | "stylesheet" | "font" | "media"));
                prop_assert!((0.6..=0.95).contains(&p.confidence), "{:?}", p);
                prop_assert!(!p.reason.is_empty());
                // First-party requests are pixels only by a known endpoint or a beacon type.
                if !p.third_party {
                    prop_assert!(matches!(p.signal, PixelSignal::KnownEndpoint | PixelSignal::BeaconType), "{:?}", p);
                }
            }
        }
    }
}
