//! The curated table of well-known pixel, beacon and email-open endpoints.
//!
//! Written by the Crumbwall team from the vendors' own documentation of their tags; every entry
//! names a request that exists only to report something (a page view, a conversion, an ad
//! impression, an email open), never a host that also serves content people want.

use super::PixelPurpose::{self, Advertising, Email, Social, Statistical};

/// One well-known pixel or collection endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownEndpoint {
    /// The host, lowercase: matches itself and its subdomains (on a label boundary, so
    /// `facebook.com` matches `www.facebook.com` but not `notfacebook.com`). `name.*` matches
    /// the site `name` under any public suffix and its subdomains (`google.*`: `www.google.de`,
    /// `google.co.uk`).
    pub host: &'static str,
    /// A path prefix starting with `/`, compared ignoring ASCII case. It matches the whole path
    /// or a prefix followed by `/`, `;` or the end of the path (so `/tr` matches `/tr`, `/tr/` and
    /// `/tr/x`, but not `/track`); a prefix ending in punctuation (`/`, `:`) matches whatever
    /// follows. `/` matches every path on the host.
    pub path: &'static str,
    /// What the endpoint reports for.
    pub purpose: PixelPurpose,
    /// The tag's name as its vendor calls it.
    pub name: &'static str,
}

impl KnownEndpoint {
    /// Whether a request to `host` (lowercase, no trailing dot) and `path` (no query or fragment)
    /// is this endpoint.
    pub fn matches(&self, host: &str, path: &str) -> bool {
        // The path first: it is cheap, and rules most entries out.
        path_matches(path, self.path) && host_matches(host, self.host)
    }

    /// `host/path` as shown in reasons (`facebook.com/tr`, `google.*/pagead/1p-conversion`; just
    /// the host for whole-host entries).
    pub fn display(&self) -> String {
        if self.path == "/" {
            self.host.to_owned()
        } else {
            format!("{}{}", self.host, self.path)
        }
    }
}

/// `host` is `suffix` or one of its subdomains; for `name.*`, `host`'s site is `name.<public
/// suffix>`.
fn host_matches(host: &str, suffix: &str) -> bool {
    if let Some(name) = suffix.strip_suffix(".*") {
        return crumbwall_psl::domain_str(host)
            .and_then(|site| site.split_once('.'))
            .is_some_and(|(label, _)| label.eq_ignore_ascii_case(name));
    }
    match host.len().checked_sub(suffix.len()) {
        Some(0) => host.eq_ignore_ascii_case(suffix),
        Some(n) => {
            host.as_bytes().get(n - 1) == Some(&b'.')
                && host
                    .get(n..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
        }
        None => false,
    }
}

/// `path` starts with `prefix` (ASCII case-insensitively) on a segment boundary.
fn path_matches(path: &str, prefix: &str) -> bool {
    let Some(head) = path.get(..prefix.len()) else {
        return false;
    };
    if !head.eq_ignore_ascii_case(prefix) {
        return false;
    }
    prefix.ends_with(|c: char| c.is_ascii_punctuation())
        || matches!(path.as_bytes().get(prefix.len()), None | Some(b'/' | b';'))
}

/// Shorthand for the table.
const fn ep(
    host: &'static str,
    path: &'static str,
    purpose: PixelPurpose,
    name: &'static str,
) -> KnownEndpoint {
    KnownEndpoint {
        host,
        path,
        purpose,
        name,
    }
}

/// The well-known pixel, beacon and email-open endpoints, most specific first within a host
/// (the first match wins).
///
/// Meta's pixel is listed as advertising, not social: it measures and retargets ads (the same
/// choice as the starter list), whatever company runs it.
#[rustfmt::skip]
pub const KNOWN_ENDPOINTS: &[KnownEndpoint] = &[
    // ---- Meta: the Meta Pixel's image and beacon requests (`<img src=".../tr?id=...">`).
    ep("facebook.com", "/tr", Advertising, "Meta Pixel"),
    // ---- Google Analytics: Universal Analytics (/collect, /j/collect, /r/collect), GA4
    //      (/g/collect, also on analytics.google.com and regional hosts such as
    //      region1.google-analytics.com, covered by the suffix) and legacy ga.js (__utm.gif).
    ep("google-analytics.com", "/collect", Statistical, "Google Analytics"),
    ep("google-analytics.com", "/g/collect", Statistical, "Google Analytics 4"),
    ep("google-analytics.com", "/j/collect", Statistical, "Google Analytics"),
    ep("google-analytics.com", "/r/collect", Statistical, "Google Analytics"),
    ep("google-analytics.com", "/__utm.gif", Statistical, "Google Analytics (ga.js)"),
    ep("analytics.google.com", "/g/collect", Statistical, "Google Analytics 4"),
    // ---- Google Ads and Floodlight: conversion and remarketing pixels; Google Analytics'
    //      advertising features (stats.g.doubleclick.net); DoubleClick cookie matching.
    ep("googleads.g.doubleclick.net", "/pagead/viewthroughconversion", Advertising, "Google Ads remarketing"),
    ep("googleadservices.com", "/pagead/conversion", Advertising, "Google Ads conversion"),
    // Google's own-domain pixels, sent to the visitor's country domain (www.google.de, ...).
    ep("google.*", "/pagead/1p-conversion", Advertising, "Google Ads conversion"),
    ep("google.*", "/pagead/1p-user-list", Advertising, "Google Ads remarketing"),
    ep("google.*", "/ads/ga-audiences", Advertising, "Google Analytics audiences"),
    ep("ad.doubleclick.net", "/activity", Advertising, "Floodlight"),
    ep("ad.doubleclick.net", "/ddm/activity", Advertising, "Floodlight"),
    ep("fls.doubleclick.net", "/activityi", Advertising, "Floodlight"),
    ep("fls.doubleclick.net", "/activityj", Advertising, "Floodlight"),
    ep("adservice.google.com", "/ddm/fls", Advertising, "Floodlight"),
    ep("ad.doubleclick.net", "/ddm/trackimp", Advertising, "Campaign Manager impression"),
    ep("stats.g.doubleclick.net", "/j/collect", Advertising, "Google Analytics advertising features"),
    ep("stats.g.doubleclick.net", "/g/collect", Advertising, "Google Analytics advertising features"),
    ep("stats.g.doubleclick.net", "/r/collect", Advertising, "Google Analytics advertising features"),
    ep("stats.g.doubleclick.net", "/__utm.gif", Advertising, "Google Analytics advertising features"),
    // Google Ad Manager and AdSense impression, viewability (Active View) and audience pixels.
    ep("doubleclick.net", "/pcs/view", Advertising, "Google ad impression"),
    ep("doubleclick.net", "/pagead/adview", Advertising, "Google ad impression"),
    ep("googlesyndication.com", "/pagead/adview", Advertising, "Google ad impression"),
    ep("doubleclick.net", "/pcs/activeview", Advertising, "Google Active View"),
    ep("googlesyndication.com", "/pcs/activeview", Advertising, "Google Active View"),
    ep("pubads.g.doubleclick.net", "/activity", Advertising, "Google Ad Manager audience pixel"),
    // Google's logging beacons: AdSense's gen_204 and client-side instrumentation timings.
    ep("googlesyndication.com", "/pagead/gen_204", Advertising, "Google ad logging"),
    ep("csi.gstatic.com", "/csi", Statistical, "Google performance beacon"),
    ep("cm.g.doubleclick.net", "/pixel", Advertising, "Google cookie matching"),
    // ---- Microsoft Advertising UET tag.
    ep("bat.bing.com", "/action", Advertising, "Microsoft UET"),
    // ---- LinkedIn Insight Tag.
    ep("px.ads.linkedin.com", "/collect", Advertising, "LinkedIn Insight Tag"),
    // ---- X (Twitter) conversion tracking.
    ep("analytics.twitter.com", "/i/adsct", Advertising, "X Pixel"),
    ep("t.co", "/i/adsct", Advertising, "X Pixel"),
    // ---- Pinterest Tag.
    ep("ct.pinterest.com", "/v3", Advertising, "Pinterest Tag"),
    ep("ct.pinterest.com", "/user", Advertising, "Pinterest Tag"),
    // ---- Snap Pixel: the host only receives pixel events.
    ep("tr.snapchat.com", "/", Advertising, "Snap Pixel"),
    // ---- TikTok Pixel events (the script lives elsewhere on the host, under /i18n/pixel/).
    ep("analytics.tiktok.com", "/api/v2/pixel", Advertising, "TikTok Pixel"),
    // ---- Reddit and Quora conversion pixels.
    ep("alb.reddit.com", "/rp.gif", Advertising, "Reddit Pixel"),
    ep("q.quora.com", "/_/ad", Advertising, "Quora Pixel"),
    // ---- Xandr (AppNexus) conversion and segment pixels.
    ep("secure.adnxs.com", "/px", Advertising, "Xandr pixel"),
    ep("ib.adnxs.com", "/px", Advertising, "Xandr pixel"),
    // Xandr cookie syncing (ib.adnxs.com, secure.adnxs.com and regional hosts).
    ep("adnxs.com", "/getuid", Advertising, "Xandr cookie sync"),
    ep("adnxs.com", "/getuidnb", Advertising, "Xandr cookie sync"),
    ep("adnxs.com", "/setuid", Advertising, "Xandr cookie sync"),
    // Adobe Audience Manager ID syncs and Oracle BlueKai site tags.
    ep("dpm.demdex.net", "/ibs:", Advertising, "Adobe Audience Manager ID sync"),
    ep("tags.bluekai.com", "/site", Advertising, "Oracle BlueKai"),
    // Salesforce DMP (Krux): the host only receives beacons and user matches.
    ep("beacon.krxd.net", "/", Advertising, "Salesforce DMP (Krux)"),
    // VK (VKontakte) retargeting pixel.
    ep("vk.com", "/rtrg", Advertising, "VK pixel"),
    // ---- Magnite (Rubicon Project): the host serves cookie-sync pixels only.
    ep("pixel.rubiconproject.com", "/", Advertising, "Magnite cookie sync"),
    // ---- Quantcast measurement pixel.
    ep("pixel.quantserve.com", "/pixel", Advertising, "Quantcast pixel"),
    // ---- Comscore audience measurement beacons.
    ep("scorecardresearch.com", "/p", Statistical, "Comscore beacon"),
    ep("scorecardresearch.com", "/b", Statistical, "Comscore beacon"),
    ep("scorecardresearch.com", "/b2", Statistical, "Comscore beacon"),
    // ---- Jetpack / WordPress.com Stats.
    ep("pixel.wp.com", "/g.gif", Statistical, "WordPress.com Stats"),
    ep("pixel.wp.com", "/t.gif", Statistical, "WordPress.com Stats"),
    ep("stats.wp.com", "/g.gif", Statistical, "WordPress.com Stats"),
    // ---- Yandex Metrica, LiveInternet and Top@Mail.ru page counters.
    ep("mc.yandex.ru", "/watch", Statistical, "Yandex Metrica"),
    ep("mc.yandex.com", "/watch", Statistical, "Yandex Metrica"),
    ep("mc.yandex.ru", "/webvisor", Statistical, "Yandex Metrica Webvisor"),
    ep("mc.yandex.com", "/webvisor", Statistical, "Yandex Metrica Webvisor"),
    ep("counter.yadro.ru", "/hit", Statistical, "LiveInternet counter"),
    ep("top-fwz1.mail.ru", "/counter", Statistical, "Top@Mail.ru counter"),
    // ---- European audience measurement: AT Internet (Xiti) hits; Gemius (the host only
    //      receives hits).
    ep("xiti.com", "/hit.xiti", Statistical, "AT Internet"),
    ep("hit.gemius.pl", "/", Statistical, "Gemius"),
    // Mediascope (TNS) audience counter: the site only counts.
    ep("tns-counter.ru", "/", Statistical, "Mediascope counter"),
    // ---- Social networks' own widget logging (impressions of embedded posts and buttons).
    ep("twitter.com", "/i/jot", Social, "X widget logging"),
    // ---- HubSpot's website tracking beacon (sent by the HubSpot tracking code on web pages;
    //      HubSpot's email opens go to t.hubspotemail.net below). Advertising like the rest of
    //      marketing automation in the starter list.
    ep("track.hubspot.com", "/__ptq.gif", Advertising, "HubSpot tracking"),
    // Adobe Marketo's Munchkin visit and click events (marketing automation, as above).
    ep("mktoresp.com", "/webevents", Advertising, "Marketo Munchkin"),
    // ---- Product-analytics collection APIs, reached by POST (sendBeacon or XHR).
    ep("api.segment.io", "/v1", Statistical, "Segment"),
    ep("api.mixpanel.com", "/track", Statistical, "Mixpanel"),
    ep("api-js.mixpanel.com", "/track", Statistical, "Mixpanel"),
    ep("api.amplitude.com", "/2/httpapi", Statistical, "Amplitude"),
    ep("api2.amplitude.com", "/2/httpapi", Statistical, "Amplitude"),
    ep("logx.optimizely.com", "/v1/events", Statistical, "Optimizely"),
    // New Relic Browser's real-user monitoring beacons: the host only receives them.
    ep("bam.nr-data.net", "/", Statistical, "New Relic Browser"),
    // ---- Email open trackers: the invisible image in a message that reports it was opened.
    // Mailchimp (hosts like xyz.us1.list-manage.com).
    ep("list-manage.com", "/track/open.php", Email, "Mailchimp"),
    // Mandrill (Mailchimp Transactional).
    ep("mandrillapp.com", "/track/open.php", Email, "Mandrill"),
    // SendGrid (u123.ct.sendgrid.net/wf/open?upn=...); only on SendGrid's own hosts, not on
    // senders' branded link domains.
    ep("sendgrid.net", "/wf/open", Email, "SendGrid"),
    // HubSpot marketing and sales email opens: the host serves tracking only (clicks through it
    // are navigations, which are never pixels).
    ep("t.hubspotemail.net", "/", Email, "HubSpot email"),
    // ConvertKit opens.
    ep("convertkit-mail.com", "/o", Email, "ConvertKit"),
    ep("open.convertkit-mail2.com", "/", Email, "ConvertKit"),
    // Mailjet opens (mjt.lu/oo/...).
    ep("mjt.lu", "/oo", Email, "Mailjet"),
    // AWeber opens: the host only counts opens.
    ep("openrate.aweber.com", "/", Email, "AWeber"),
    // Customer.io opens.
    ep("track.customer.io", "/e/o", Email, "Customer.io"),
    // ---- TEST HOSTS: the fake pixel of the local test web (tests/web), so tests are
    //      self-contained. `.test` is reserved (RFC 2606, RFC 6761) and never resolves on the
    //      real Internet, as in the starter list.
    ep("pixel.test", "/p.gif", Advertising, "Crumbwall test web"),
];

/// The first entry of [`KNOWN_ENDPOINTS`] that `host` (lowercase) and `path` (no query) match.
pub fn known_endpoint(host: &str, path: &str) -> Option<&'static KnownEndpoint> {
    // Only the entries whose path could match are tried (every request asks, most match none).
    let buckets = buckets();
    let bucket = match path.as_bytes().get(1) {
        Some(&b) if b.is_ascii() => &buckets.by_byte[usize::from(b.to_ascii_lowercase())],
        _ => &buckets.whole_host,
    };
    bucket
        .iter()
        .map(|&i| &KNOWN_ENDPOINTS[usize::from(i)])
        .find(|e| e.matches(host, path))
}

/// [`KNOWN_ENDPOINTS`]' entry numbers, in table order, by the one path byte that rules most
/// out: an entry whose path is longer than `/` can only match a path with the same second byte
/// (ASCII case ignored); whole-host entries (`/`) can match any path and are in every bucket.
struct Buckets {
    by_byte: Vec<Vec<u8>>,
    whole_host: Vec<u8>,
}

fn buckets() -> &'static Buckets {
    static BUCKETS: std::sync::OnceLock<Buckets> = std::sync::OnceLock::new();
    BUCKETS.get_or_init(|| {
        let mut by_byte = vec![Vec::new(); 128];
        let mut whole_host = Vec::new();
        for (i, e) in KNOWN_ENDPOINTS.iter().enumerate() {
            let i = u8::try_from(i).expect("fewer than 256 known endpoints");
            match e.path.as_bytes().get(1) {
                None => {
                    whole_host.push(i);
                    by_byte.iter_mut().for_each(|b| b.push(i));
                }
                Some(&b) => by_byte[usize::from(b.to_ascii_lowercase())].push(i),
            }
        }
        Buckets {
            by_byte,
            whole_host,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_path_boundaries() {
        assert!(host_matches("www.facebook.com", "facebook.com"));
        assert!(host_matches("facebook.com", "facebook.com"));
        assert!(!host_matches("notfacebook.com", "facebook.com"));
        assert!(!host_matches("com", "facebook.com"));
        assert!(path_matches("/tr", "/tr"));
        assert!(path_matches("/tr/", "/tr"));
        assert!(path_matches("/TR/x", "/tr"));
        assert!(path_matches("/activity;src=1", "/activity"));
        assert!(!path_matches("/track", "/tr"));
        assert!(!path_matches("/t", "/tr"));
        assert!(path_matches("/anything", "/"));
        assert!(path_matches("/ibs:dpid=1", "/ibs:"));
        assert!(!path_matches("/ibs", "/ibs:"));
        assert!(!path_matches("/é", "/e"));
        assert!(host_matches("www.google.de", "google.*"));
        assert!(host_matches("google.co.uk", "google.*"));
        assert!(!host_matches("google.evil.example", "google.*"));
        assert!(!host_matches("notgoogle.com", "google.*"));
        assert!(!host_matches("", "google.*"));
    }

    #[test]
    fn buckets_find_what_a_scan_finds() {
        let hosts = [
            "www.facebook.com",
            "google-analytics.com",
            "www.google.de",
            "tr.snapchat.com",
            "dpm.demdex.net",
            "pixel.test",
            "example.com",
            "t.co",
        ];
        let paths = [
            "",
            "/",
            "/tr",
            "/TR/x",
            "/collect",
            "/g/collect",
            "/pagead/1p-conversion",
            "/ibs:dpid=1",
            "/p.gif",
            "/\u{e9}",
            "\\tr",
            "/__utm.gif",
            "/x",
            "/i/adsct",
        ];
        for h in hosts {
            for p in paths {
                assert_eq!(
                    known_endpoint(h, p),
                    KNOWN_ENDPOINTS.iter().find(|e| e.matches(h, p)),
                    "{h}{p}"
                );
            }
        }
        for e in KNOWN_ENDPOINTS {
            let host = e.host.replace('*', "com");
            assert_eq!(
                known_endpoint(&host, e.path),
                KNOWN_ENDPOINTS.iter().find(|x| x.matches(&host, e.path))
            );
        }
    }

    #[test]
    fn table_is_well_formed() {
        assert!(KNOWN_ENDPOINTS.len() < 256);
        for e in KNOWN_ENDPOINTS {
            assert!(e.path.is_ascii(), "{e:?}");
            assert!(e.path.starts_with('/'), "{e:?}");
            assert_eq!(e.host, e.host.to_ascii_lowercase(), "{e:?}");
            assert!(!e.host.starts_with('.') && e.host.contains('.'), "{e:?}");
            assert!(!e.host.contains('*') || e.host.ends_with(".*"), "{e:?}");
            assert!(!e.name.is_empty(), "{e:?}");
        }
        for (i, a) in KNOWN_ENDPOINTS.iter().enumerate() {
            for b in &KNOWN_ENDPOINTS[i + 1..] {
                assert!((a.host, a.path) != (b.host, b.path), "duplicate {a:?}");
            }
        }
    }
}
