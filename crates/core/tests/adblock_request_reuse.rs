//! The vendored adblock's `Request::refill_preparsed` (vendor/adblock/CRUMBWALL-PATCHES.md): a
//! request refilled over any earlier one is the request `Request::preparsed` makes for the same
//! input, field by field, whatever the earlier one held (longer URL, other type, a source host or
//! none, more tokens). The core's blocker refills one request per decision.

use adblock::request::{Request, RequestMethod};

/// (url, hostname, source hostname, type, third party, method)
type Input = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
);

const INPUTS: [Input; 9] = [
    (
        "https://ads.example.com/a/b/pixel.gif?id=123&u=https%3A%2F%2Fsite.test%2F&cb=1",
        "ads.example.com",
        "www.site.test",
        "image",
        true,
        "GET",
    ),
    ("http://a.test/", "a.test", "", "script", true, "POST"),
    (
        "https://CDN.Example.org/Path/To/Script.JS?X=Y",
        "cdn.example.org",
        "cdn.example.org",
        "script",
        false,
        "get",
    ),
    (
        "wss://socket.test/live",
        "socket.test",
        "site.test",
        "websocket",
        true,
        "",
    ),
    (
        "https://a.b.c.d.e.test./x",
        "a.b.c.d.e.test.",
        "x.test",
        "sub_frame",
        true,
        "Options",
    ),
    (
        "https://xn--bcher-kva.test/ü?ö=1",
        "xn--bcher-kva.test",
        "",
        "xmlhttprequest",
        true,
        "PATCH",
    ),
    (
        "https://x.test",
        "x.test",
        "y.test",
        "main_frame",
        false,
        "weird",
    ),
    (
        "//relative.test/a",
        "relative.test",
        "",
        "other",
        true,
        "GET",
    ),
    ("https://t.test/", "t.test", "s.test", "ping", true, "HEAD"),
];

fn fresh(i: &Input) -> Request {
    Request::preparsed(i.0, i.1, i.2, i.3, i.4, i.5)
}

#[test]
fn a_refilled_request_is_the_fresh_request_for_its_input() {
    for earlier in &INPUTS {
        for input in &INPUTS {
            let mut request = fresh(earlier);
            request.refill_preparsed(input.0, input.1, input.2, input.3, input.4, input.5);
            assert_eq!(
                format!("{request:?}"),
                format!("{:?}", fresh(input)),
                "{input:?} refilled over {earlier:?}"
            );
        }
    }
    // Over the empty request the core's blocker starts from.
    for input in &INPUTS {
        let mut request = Request::preparsed("", "", "", "", false, "");
        request.refill_preparsed(input.0, input.1, input.2, input.3, input.4, input.5);
        assert_eq!(
            format!("{request:?}"),
            format!("{:?}", fresh(input)),
            "{input:?}"
        );
    }
    // A long URL with many tokens, then a short one: nothing of the long one stays.
    let long = format!("https://long.test/{}", "segment/".repeat(400));
    let mut request = Request::preparsed(&long, "long.test", "s.test", "image", true, "GET");
    request.refill_preparsed(
        "https://s.test/x",
        "s.test",
        "s.test",
        "image",
        false,
        "GET",
    );
    assert_eq!(
        format!("{request:?}"),
        format!(
            "{:?}",
            Request::preparsed(
                "https://s.test/x",
                "s.test",
                "s.test",
                "image",
                false,
                "GET"
            )
        )
    );
}

#[test]
fn methods_are_read_without_regard_to_case() {
    let method = |m: &str| m.parse::<RequestMethod>().ok();
    assert_eq!(method("GET"), Some(RequestMethod::Get));
    assert_eq!(method("post"), Some(RequestMethod::Post));
    assert_eq!(method("Options"), Some(RequestMethod::Options));
    assert_eq!(method("CONNECT"), Some(RequestMethod::Connect));
    assert_eq!(method("dElEtE"), Some(RequestMethod::Delete));
    assert_eq!(method("PUT"), Some(RequestMethod::Put));
    assert_eq!(method("patch"), Some(RequestMethod::Patch));
    assert_eq!(method("head"), Some(RequestMethod::Head));
    assert_eq!(method("GETS"), Some(RequestMethod::Other));
    assert_eq!(method("ge"), Some(RequestMethod::Other));
    assert_eq!(method("ПОСТ"), Some(RequestMethod::Other));
    assert_eq!(method(""), None);
}
