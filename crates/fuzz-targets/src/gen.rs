//! Structured-random inputs for the smoke runner: each generator writes bytes in its target's
//! input format from pieces of the real syntax, so a few thousand inputs reach deep into the
//! parsers without coverage guidance. Deterministic for a seed.

/// A small, fast generator (SplitMix64); no dependencies.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }

    /// A byte.
    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }
}

/// Hostile text: odd Unicode, controls, long runs.
const ODD: &[&str] = &[
    "",
    " ",
    "\t",
    "\r",
    "\n",
    "\u{feff}",
    "\u{0}",
    "é",
    "ß",
    "İ",
    "\u{202e}",
    "\u{fffd}",
    "😀",
    "\u{10ffff}",
    "%",
    "%%",
    "%zz",
    "%00",
    "%F0%9F%98",
    "\\",
    "\"",
    "'",
    "xn--",
    "xn--zz",
    "..",
    ".",
    "-",
    "_",
    "*",
    "^",
    "|",
    "||",
    "$",
    "~",
    ",",
    "=",
    "#",
    "?",
    "&",
    "/",
    ":",
    "::",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    "+",
    "@",
    "!",
    ";",
];

fn odd(rng: &mut Rng, out: &mut String) {
    let piece = rng.pick(ODD);
    if rng.one_in(20) {
        for _ in 0..rng.below(300) {
            out.push_str(piece);
        }
    } else {
        out.push_str(piece);
    }
}

const HOSTS: &[&str] = &[
    "example.com",
    "ads.example.com",
    "www.example.co.uk",
    "site.test",
    "ads.test",
    "localhost",
    "127.0.0.1",
    "[::1]",
    "[::ffff:1.2.3.4]",
    "com",
    "co.uk",
    "github.io",
    "a.b.c.d.e.f.g",
    "xn--bcher-kva.de",
    "bücher.de",
    "EXAMPLE.COM",
    "example.com.",
    ".example.com",
    "..",
    "l.facebook.com",
    "www.google.com",
    "t.co",
    "doubleclick.net",
    "google-analytics.com",
    "1.2.3",
    "999.1.1.1",
    "-a-.com",
    "a_b.com",
    "localhost:8080",
    "user@host.com",
    "",
];

fn host(rng: &mut Rng, out: &mut String) {
    if rng.one_in(8) {
        odd(rng, out);
    }
    out.push_str(rng.pick(HOSTS));
    if rng.one_in(10) {
        odd(rng, out);
    }
}

/// A filter list: lines of network filters, cosmetic filters, comments and directives.
pub fn compiler(rng: &mut Rng) -> Vec<u8> {
    const START: &[&str] = &[
        "",
        "",
        "||",
        "||",
        "|",
        "@@||",
        "@@",
        "/",
        "!",
        "[Adblock Plus 2.0]",
        "!#if ",
        "!#endif",
        "!#else",
        "!#include ",
        "##",
        "#@#",
        "#?#",
        "#$#",
        "-",
        "*",
        "^",
        ":",
    ];
    const MIDDLE: &[&str] = &[
        "/ads/",
        "/ad[0-9]+\\.js/",
        "/^https?:\\/\\/[a-z]+\\./",
        "banner",
        "track*.gif",
        "*",
        "^",
        "^*",
        "|",
        "?utm_",
        "&id=",
        ".js",
        "/pixel?",
        "{1,3}",
        "(?:a|b)",
        "\\d+",
        "[^/]",
        "env_firefox",
        "ext_ublock",
        "cap_html_filtering",
        "!false",
        "&&",
        "||",
    ];
    const OPTIONS: &[&str] = &[
        "third-party",
        "3p",
        "~third-party",
        "1p",
        "first-party",
        "script",
        "image",
        "~image",
        "stylesheet",
        "xmlhttprequest",
        "xhr",
        "subdocument",
        "frame",
        "document",
        "doc",
        "popup",
        "ping",
        "websocket",
        "media",
        "font",
        "object",
        "other",
        "all",
        "important",
        "match-case",
        "domain=",
        "domain=a.com|~b.com",
        "from=x.*",
        "to=~y.com",
        "denyallow=z.com",
        "removeparam=utm_source",
        "removeparam=/^utm_/",
        "removeparam",
        "redirect=noop.js",
        "redirect-rule=1x1.gif",
        "csp=script-src 'none'",
        "badfilter",
        "genericblock",
        "elemhide",
        "generichide",
        "method=post|get",
        "header=x",
        "rewrite=abp-resource:blank-js",
        "urlskip=?url",
        "uritransform=/a/b/",
        "permissions=x",
        "replace=/a/b/",
        "strict3p",
        "strict1p",
        "ipaddress=1.2.3.4",
        "ehide",
        "shide",
        "ghide",
        "inline-script",
        "empty",
        "mp4",
        "~",
        "",
        "=",
        ",",
    ];
    let mut out = vec![rng.byte()];
    let lists = 1 + rng.below(3);
    for li in 0..lists {
        if li > 0 {
            out.push(0);
        }
        let mut text = String::new();
        for _ in 0..1 + rng.below(25) {
            text.push_str(rng.pick(START));
            for _ in 0..rng.below(3) {
                match rng.below(4) {
                    0 => host(rng, &mut text),
                    1 => text.push_str(rng.pick(MIDDLE)),
                    2 => odd(rng, &mut text),
                    _ => {
                        host(rng, &mut text);
                        text.push_str(rng.pick(MIDDLE));
                    }
                }
            }
            if rng.one_in(2) {
                text.push('$');
                for k in 0..1 + rng.below(4) {
                    if k > 0 {
                        text.push(',');
                    }
                    text.push_str(rng.pick(OPTIONS));
                    if rng.one_in(6) {
                        host(rng, &mut text);
                    }
                }
            }
            if rng.one_in(6) {
                text.push_str(rng.pick(&["##.ad", "##+js(x)", "#@#.ad", "$$script", "#%#x"]));
            }
            text.push_str(rng.pick(&["\n", "\n", "\n", "\r\n", "\r", "\n\n"]));
        }
        out.extend_from_slice(text.as_bytes());
    }
    if rng.one_in(2) {
        out.push(0);
        out.extend_from_slice(url(rng).as_bytes());
        out.push(0);
        out.extend_from_slice(url(rng).as_bytes());
    }
    out
}

const TRACKING: &[&str] = &[
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "fbclid",
    "gclid",
    "msclkid",
    "mc_eid",
    "_hsenc",
    "igshid",
    "utm_",
    "UTM_SOURCE",
    "utm_source ",
    "id",
    "q",
    "u",
    "url",
    "dest",
    "",
    "a",
];

const REDIRECTORS: &[&str] = &[
    "https://l.facebook.com/l.php?u=",
    "https://lm.facebook.com/l.php?u=",
    "https://www.google.com/url?q=",
    "https://www.google.com/url?url=",
    "https://out.reddit.com/t3_x?url=",
    "https://www.youtube.com/redirect?q=",
    "https://t.umblr.com/redirect?z=",
    "https://href.li/?",
    "https://slack-redir.net/link?url=",
];

/// A URL built from schemes, hosts, paths, tracking and other query pairs, fragments, and
/// redirector wrappers with (percent-encoded) nested URLs.
pub fn url(rng: &mut Rng) -> String {
    let mut u = String::new();
    if rng.one_in(5) {
        u.push_str(rng.pick(REDIRECTORS));
        let inner = url(rng);
        if rng.one_in(2) {
            u.push_str(&percent_encode(&inner));
        } else {
            u.push_str(&inner);
        }
        if rng.one_in(2) {
            u.push_str("&h=AT0");
        }
        return u;
    }
    u.push_str(rng.pick(&[
        "https://",
        "http://",
        "HTTPS://",
        "ws://",
        "ftp://",
        "data:",
        "about:",
        "",
        "//",
        "https:/",
        "https:///",
        "chrome-extension://",
        "blob:https://",
    ]));
    if rng.one_in(8) {
        u.push_str("user:pw@");
    }
    host(rng, &mut u);
    if rng.one_in(4) {
        u.push_str(rng.pick(&[":443", ":8080", ":", ":99999"]));
    }
    for _ in 0..rng.below(3) {
        u.push('/');
        u.push_str(rng.pick(&["page", "a", "l.php", "url", "", "%2F", "?", "#"]));
    }
    if rng.one_in(4) {
        u.push('#');
        odd(rng, &mut u);
    }
    if !rng.one_in(5) {
        u.push('?');
        for k in 0..rng.below(6) {
            if k > 0 {
                u.push_str(rng.pick(&["&", "&", "&&", ";"]));
            }
            u.push_str(rng.pick(TRACKING));
            if !rng.one_in(4) {
                u.push('=');
                match rng.below(3) {
                    0 => u.push_str(rng.pick(&["x", "1", "", "a=b", "%26", "?"])),
                    1 => odd(rng, &mut u),
                    _ => u.push_str(&percent_encode(&url(rng))),
                }
            }
        }
    }
    if rng.one_in(3) {
        u.push('#');
        u.push_str(rng.pick(&["top", "", "?utm_source=x", "a#b"]));
    }
    u
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A URL-cleaning input: flags, a URL, a top-level URL and an allow-listed site.
pub fn urls(rng: &mut Rng) -> Vec<u8> {
    let mut out = vec![rng.byte()];
    out.extend_from_slice(url(rng).as_bytes());
    out.push(0);
    out.extend_from_slice(url(rng).as_bytes());
    if rng.one_in(2) {
        out.push(0);
        let mut h = String::new();
        host(rng, &mut h);
        out.extend_from_slice(h.as_bytes());
    }
    out
}

/// A cookie: name, value, domain, path, SameSite, site, open sites, embedders, partition.
pub fn cookies(rng: &mut Rng) -> Vec<u8> {
    const NAMES: &[&str] = &[
        "_ga",
        "_ga_ABC123",
        "_gid",
        "_fbp",
        "__Secure-3PSID",
        "__Host-session",
        "__Secure-",
        "__Host-",
        "IDE",
        "NID",
        "sessionid",
        "PHPSESSID",
        "JSESSIONID",
        "lang",
        "cart",
        "consent",
        "OptanonConsent",
        "_hjSession_123",
        "AMP_TOKEN",
        "_pk_id.1.abc",
        "muid",
        "_s",
        "_",
        "a",
        "",
        "__",
        "_uetsid",
        "personalization_id",
        "li_at",
        "test_cookie",
    ];
    let mut out = vec![rng.byte()];
    let life: i64 = match rng.below(6) {
        0 => 0,
        1 => -1,
        2 => i64::MAX,
        3 => i64::MIN,
        4 => rng.below(400 * 86_400) as i64,
        _ => rng.next_u64() as i64,
    };
    out.extend_from_slice(&life.to_le_bytes());
    let mut fields: Vec<String> = Vec::new();
    let mut name = String::from(rng.pick(NAMES));
    if rng.one_in(4) {
        odd(rng, &mut name);
    }
    fields.push(name);
    fields.push(
        rng.pick(&["", "1", "GA1.2.3.4", "{\"a\":1}", "x".repeat(50).as_str()])
            .to_owned(),
    );
    let mut domain = String::new();
    host(rng, &mut domain);
    fields.push(domain);
    fields.push(rng.pick(&["/", "", "/a/b", "//", "/%00"]).to_owned());
    fields.push(
        rng.pick(&[
            "lax",
            "strict",
            "none",
            "no_restriction",
            "unspecified",
            "",
            "LAX",
            "?",
        ])
        .to_owned(),
    );
    let site = match rng.below(3) {
        0 => url(rng),
        _ => {
            let mut h = String::new();
            host(rng, &mut h);
            h
        }
    };
    fields.push(site);
    let list = |rng: &mut Rng| {
        let mut s = String::new();
        for k in 0..rng.below(4) {
            if k > 0 {
                s.push(',');
            }
            host(rng, &mut s);
        }
        s
    };
    fields.push(list(rng));
    fields.push(list(rng));
    fields.push(
        rng.pick(&[
            "https://example.com",
            "https://site.test",
            "",
            "x",
            "https://",
        ])
        .to_owned(),
    );
    fields.push(rng.pick(&["", "example.com", "site.test"]).to_owned());
    let mut policy = String::new();
    for _ in 0..rng.below(8) {
        policy.push(char::from(b'0' + rng.below(8) as u8));
    }
    fields.push(policy);
    let n = 1 + rng.below(fields.len());
    out.extend_from_slice(fields[..n].join("\0").as_bytes());
    out
}

/// A JSON value from pieces of the settings document, to `depth`.
fn json_value(rng: &mut Rng, depth: usize, out: &mut String) {
    const KEYS: &[&str] = &[
        "version",
        "signals",
        "blocking",
        "allowlist",
        "pixels",
        "links",
        "cookies",
        "custom_filters",
        "consent",
        "dnt",
        "gpc",
        "enabled",
        "exceptions",
        "advertising",
        "statistical",
        "social",
        "block_unknown",
        "clean",
        "skip_redirectors",
        "technical",
        "personalization",
        "unknown",
        "auto_decline",
        "hide_banners",
        "",
        "__proto__",
    ];
    const SCALARS: &[&str] = &[
        "true",
        "false",
        "null",
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "-1",
        "1.5",
        "1e3",
        "1e400",
        "-0",
        "18446744073709551615",
        "18446744073709551616",
        "\"\"",
        "\"allow\"",
        "\"block\"",
        "\"session\"",
        "\"block-third-party\"",
        "\"example.com\"",
        "\"https://www.example.co.uk/x\"",
        "\"localhost\"",
        "\"com\"",
        "\"..\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "\"||ads.test^\"",
        "\"é.com\"",
        "\"xn--bcher-kva.de\"",
        "\"[::1]\"",
        "[]",
        "{}",
    ];
    match rng.below(if depth == 0 { 1 } else { 4 }) {
        0 => out.push_str(rng.pick(SCALARS)),
        1 => {
            out.push('[');
            for k in 0..rng.below(5) {
                if k > 0 {
                    out.push(',');
                }
                json_value(rng, depth - 1, out);
            }
            out.push(']');
        }
        _ => {
            out.push('{');
            for k in 0..rng.below(6) {
                if k > 0 {
                    out.push(',');
                }
                out.push('"');
                out.push_str(rng.pick(KEYS));
                out.push_str("\":");
                json_value(rng, depth - 1, out);
            }
            out.push('}');
        }
    }
}

/// A settings document: mostly well-formed, of any schema version, with fields of the right and
/// the wrong shapes; sometimes cut short or with stray bytes.
pub fn settings(rng: &mut Rng) -> Vec<u8> {
    let mut doc = String::from("{");
    if !rng.one_in(10) {
        doc.push_str("\"version\":");
        doc.push_str(rng.pick(&[
            "1", "2", "3", "4", "5", "1", "2", "3", "0", "6", "1.0", "\"1\"", "null", "-1",
        ]));
    }
    const SECTIONS: &[&str] = &[
        "signals",
        "blocking",
        "allowlist",
        "pixels",
        "links",
        "cookies",
        "custom_filters",
        "consent",
        "extra",
    ];
    for _ in 0..rng.below(8) {
        doc.push_str(",\"");
        doc.push_str(rng.pick(SECTIONS));
        doc.push_str("\":");
        json_value(rng, 3, &mut doc);
    }
    doc.push('}');
    let doc = doc.replacen("{,", "{", 1);
    let mut bytes = doc.into_bytes();
    if rng.one_in(10) {
        let cut = rng.below(bytes.len() + 1);
        bytes.truncate(cut);
    }
    if rng.one_in(10) {
        let at = rng.below(bytes.len() + 1);
        bytes.insert(at, rng.byte());
    }
    bytes
}

/// A settings file or an allow-list file to import.
pub fn import(rng: &mut Rng) -> Vec<u8> {
    match rng.below(3) {
        0 => settings(rng),
        1 => {
            let mut s = String::from("[");
            for k in 0..rng.below(8) {
                if k > 0 {
                    s.push(',');
                }
                if rng.one_in(5) {
                    json_value(rng, 1, &mut s);
                } else {
                    s.push('"');
                    if rng.one_in(3) {
                        s.push_str(&url(rng).replace(['"', '\\'], ""));
                    } else {
                        host(rng, &mut s);
                    }
                    s.push('"');
                }
            }
            s.push(']');
            s.into_bytes()
        }
        _ => {
            let mut s = String::from("{\"allowlist\":");
            json_value(rng, 2, &mut s);
            s.push('}');
            s.into_bytes()
        }
    }
}

/// A mutation of `seed`: bytes flipped, inserted, removed, repeated or cut.
pub fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(len + 1);
                out.insert(i, rng.byte());
            }
            2 if len > 0 => {
                let i = rng.below(len);
                out.remove(i);
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(16)).min(len);
                let piece = out[a..b].to_vec();
                let at = rng.below(len + 1);
                for (k, byte) in piece.iter().enumerate() {
                    out.insert(at + k, *byte);
                }
            }
            4 => {
                let cut = rng.below(len + 1);
                out.truncate(cut);
            }
            _ => {
                let i = rng.below(len + 1);
                let piece = rng.pick(ODD).as_bytes().to_vec();
                for (k, byte) in piece.iter().enumerate() {
                    out.insert(i + k, *byte);
                }
            }
        }
    }
    out
}
