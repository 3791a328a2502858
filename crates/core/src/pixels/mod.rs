//! Web beacons and pixel tags: requests that exist only to report something (a page view, a
//! conversion, an ad impression, an email open), recognised from what is known before they are
//! sent.
//!
//! Evidence, strongest first; the strongest found is returned with a short reason:
//! 1. a well-known pixel or collection endpoint ([`KNOWN_ENDPOINTS`], any party), confidence 0.95;
//! 2. a `ping` or `beacon` request (`navigator.sendBeacon`, `<a ping>`; any party), 0.9;
//! 3. a third-party host the browser saw serve a tiny image earlier ([`PixelRequest::known_pixel_host`]),
//!    0.8;
//! 4. the shape of a third-party URL: a 1x1 size, a pixel-like file name, and for images a gif
//!    with a long query, identifiers, cache busters or the page's address in the query,
//!    0.6 to 0.75 with the amount of evidence.
//!
//! Shape evidence never makes a first-party request a pixel (a site's own `logo.png` is not one),
//! never applies to real pictures (`.jpg`, `.webp`, `.svg`, ...), and navigations, scripts, style
//! sheets, fonts and media are never pixels. [`classify`] never panics, is deterministic and
//! allocates only small strings.

mod endpoints;
pub mod rules;
mod shape;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::category::Category;
use crate::site::SiteKey;
use crate::{starter, url};

pub use endpoints::{known_endpoint, KnownEndpoint, KNOWN_ENDPOINTS};

use shape::{Scope, Shape, SignalKind};

/// Longest URL read, in bytes; longer ones are not classified. Real pixel URLs stay well below
/// it (browsers' analytics tags switch to POST long before).
pub const MAX_URL: usize = 16 * 1024;

/// What a pixel reports for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PixelPurpose {
    /// Ad conversions, retargeting, impressions and cookie syncing.
    Advertising,
    /// Analytics and audience measurement.
    Statistical,
    /// Social networks' own tracking (not their ad pixels, which are advertising).
    Social,
    /// Email open tracking: the invisible image in a message.
    Email,
    /// Nothing known says what for.
    Unknown,
}

impl PixelPurpose {
    /// Every purpose, in display order ([`PixelPurpose::index`] order).
    pub const ALL: [PixelPurpose; 5] = [
        PixelPurpose::Advertising,
        PixelPurpose::Statistical,
        PixelPurpose::Social,
        PixelPurpose::Email,
        PixelPurpose::Unknown,
    ];

    /// The lowercase name used in files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            PixelPurpose::Advertising => "advertising",
            PixelPurpose::Statistical => "statistical",
            PixelPurpose::Social => "social",
            PixelPurpose::Email => "email",
            PixelPurpose::Unknown => "unknown",
        }
    }

    /// A small number for compact interfaces: the index in [`PixelPurpose::ALL`] (0 to 4).
    pub fn index(self) -> u8 {
        self as u8
    }

    /// The blocking category whose switch covers pixels of this purpose. Email open trackers
    /// measure audiences, so they fall under [`Category::Statistical`]; unknown pixels have none.
    pub fn category(self) -> Option<Category> {
        match self {
            PixelPurpose::Advertising => Some(Category::Advertising),
            PixelPurpose::Statistical | PixelPurpose::Email => Some(Category::Statistical),
            PixelPurpose::Social => Some(Category::Social),
            PixelPurpose::Unknown => None,
        }
    }

    /// The purpose of a pixel on a tracker host of this category (consent services have none).
    pub fn of_category(category: Category) -> PixelPurpose {
        match category {
            Category::Advertising => PixelPurpose::Advertising,
            Category::Statistical => PixelPurpose::Statistical,
            Category::Social => PixelPurpose::Social,
            Category::Consent => PixelPurpose::Unknown,
        }
    }
}

impl fmt::Display for PixelPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which kind of evidence decided that a request is a pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PixelSignal {
    /// A well-known endpoint from [`KNOWN_ENDPOINTS`].
    KnownEndpoint,
    /// A `ping` or `beacon` request.
    BeaconType,
    /// The host served a tiny image earlier in the session.
    KnownPixelHost,
    /// A 1x1 size in the URL.
    Dimensions,
    /// A pixel-like file or path name.
    PixelName,
    /// The query string's shape (identifiers, cache busters, the page address).
    QueryShape,
}

impl PixelSignal {
    /// Every signal kind, strongest first.
    pub const ALL: [PixelSignal; 6] = [
        PixelSignal::KnownEndpoint,
        PixelSignal::BeaconType,
        PixelSignal::KnownPixelHost,
        PixelSignal::Dimensions,
        PixelSignal::PixelName,
        PixelSignal::QueryShape,
    ];

    /// A short lowercase name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            PixelSignal::KnownEndpoint => "known endpoint",
            PixelSignal::BeaconType => "ping/beacon type",
            PixelSignal::KnownPixelHost => "known pixel host",
            PixelSignal::Dimensions => "1x1 size",
            PixelSignal::PixelName => "pixel-like name",
            PixelSignal::QueryShape => "query shape",
        }
    }
}

impl fmt::Display for PixelSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request about to be sent, as the browser describes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PixelRequest<'a> {
    /// The absolute URL requested.
    pub url: &'a str,
    /// The webRequest / declarativeNetRequest resource type: `image`, `ping`, `beacon`,
    /// `xmlhttprequest`, `script`, `sub_frame`, `other`, ... ("" when unknown, read as `other`).
    pub kind: &'a str,
    /// The HTTP method (`GET`, `POST`, ...), "" when unknown.
    pub method: &'a str,
    /// The URL of the document that made the request, "" when unknown (then the request counts
    /// as third-party).
    pub source_url: &'a str,
    /// The browser saw this host serve a tiny image earlier in the session.
    pub known_pixel_host: bool,
}

/// A request recognised as a pixel or beacon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pixel {
    /// What it reports for.
    pub purpose: PixelPurpose,
    /// Why it is a pixel, in a few words (`known pixel endpoint facebook.com/tr (Meta Pixel)`).
    pub reason: String,
    /// Whether the request goes to another site than the document's (or the document is unknown).
    pub third_party: bool,
    /// How sure the classifier is, from 0.6 (URL shape alone) to 0.95 (a known endpoint).
    pub confidence: f32,
    /// The kind of evidence that decided.
    pub signal: PixelSignal,
}

/// How a resource type bears on pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `ping`, `beacon`: a beacon by definition.
    Beacon,
    /// `image`, `imageset`: the classic pixel; every shape signal applies.
    Image,
    /// `xmlhttprequest`, `other`, unknown: only strong shape signals apply.
    Request,
    /// `sub_frame`: iframe pixels; only strong shape signals apply.
    Frame,
    /// Navigations, scripts, style sheets, fonts, media and the rest: never pixels.
    Never,
}

impl Kind {
    fn of(kind: &str) -> Kind {
        const TABLE: [(&str, Kind); 8] = [
            ("ping", Kind::Beacon),
            ("beacon", Kind::Beacon),
            ("image", Kind::Image),
            ("imageset", Kind::Image),
            ("xmlhttprequest", Kind::Request),
            ("other", Kind::Request),
            ("", Kind::Request),
            ("sub_frame", Kind::Frame),
        ];
        TABLE
            .iter()
            .find(|(name, _)| kind.eq_ignore_ascii_case(name))
            .map_or(Kind::Never, |&(_, k)| k)
    }
}

/// Whether `req` is a pixel or beacon, with its purpose, reason and confidence. `None` for
/// everything else, including anything that cannot be read (relative or `data:` URLs, URLs over
/// [`MAX_URL`] bytes, malformed hosts).
pub fn classify(req: &PixelRequest) -> Option<Pixel> {
    classify_with_party(req, None)
}

/// [`classify`] for a caller that already knows whether the request is third-party (the
/// blocking engine works it out for every request), which spares two public-suffix lookups.
pub fn classify_with_party(req: &PixelRequest, third_party: Option<bool>) -> Option<Pixel> {
    judge(req, third_party, true)
}

/// [`classify_with_party`] without the reason text (left empty): the blocking hot path needs the
/// purpose and the party only, and a reason costs allocations and formatting.
pub(crate) fn classify_without_reason(
    req: &PixelRequest,
    third_party: Option<bool>,
) -> Option<Pixel> {
    judge(req, third_party, false)
}

/// Whether a request of this webRequest type can ever be a pixel (navigations, scripts, style
/// sheets, fonts, media... never are), so callers can skip the rest.
pub(crate) fn kind_can_be_pixel(kind: &str) -> bool {
    Kind::of(kind) != Kind::Never
}

fn judge(req: &PixelRequest, third_party: Option<bool>, with_reason: bool) -> Option<Pixel> {
    if req.url.len() > MAX_URL {
        return None;
    }
    let kind = Kind::of(req.kind);
    if kind == Kind::Never {
        return None;
    }
    let parts = url::split(req.url)?;
    if !parts.is_web() {
        return None;
    }
    let shape = Shape::new(parts.rest);
    let known_party = third_party;
    let third_party = || known_party.unwrap_or_else(|| is_third_party(req.url, req.source_url));

    if let Some(e) = known_endpoint(&parts.host, shape.path) {
        let posted =
            req.method.eq_ignore_ascii_case("POST") && matches!(kind, Kind::Request | Kind::Beacon);
        let what = if e.purpose == PixelPurpose::Email {
            "email open tracker"
        } else if posted {
            "POST beacon to known collection endpoint"
        } else {
            "known pixel endpoint"
        };
        return Some(Pixel {
            purpose: e.purpose,
            reason: if with_reason {
                format!("{what} {} ({})", e.display(), e.name)
            } else {
                String::new()
            },
            third_party: third_party(),
            confidence: 0.95,
            signal: PixelSignal::KnownEndpoint,
        });
    }

    // The starter list's category for the host, looked up only for a request that is a pixel.
    let host_purpose = || starter::category_of_host(&parts.host).map(|(c, _)| c);
    let purpose_of = |host_purpose: Option<Category>| {
        host_purpose.map_or(PixelPurpose::Unknown, PixelPurpose::of_category)
    };
    let text = |t: &str| {
        if with_reason {
            t.to_owned()
        } else {
            String::new()
        }
    };

    if kind == Kind::Beacon {
        return Some(Pixel {
            purpose: purpose_of(host_purpose()),
            reason: text("sendBeacon/ping request"),
            third_party: third_party(),
            confidence: 0.9,
            signal: PixelSignal::BeaconType,
        });
    }

    // Everything below is shape evidence, which never makes a first-party request a pixel.
    if !third_party() || shape.is_content_image() {
        return None;
    }
    if req.known_pixel_host {
        return Some(Pixel {
            purpose: purpose_of(host_purpose()),
            reason: text("host served a tiny image earlier"),
            third_party: true,
            confidence: 0.8,
            signal: PixelSignal::KnownPixelHost,
        });
    }
    let scope = match kind {
        Kind::Image => Scope::Image,
        Kind::Frame => Scope::Frame,
        _ => Scope::Request,
    };
    let mut signals = shape.signals(&parts.host, scope);
    let score: u32 = signals.iter().map(|s| u32::from(s.weight)).sum();
    if score < 2 {
        return None;
    }
    // Strongest first; among equals, the order they were found in.
    signals.sort_by_key(|s| std::cmp::Reverse(s.weight));
    let signal = match signals.first().map(|s| s.kind) {
        Some(SignalKind::Dimensions) => PixelSignal::Dimensions,
        Some(SignalKind::Name) => PixelSignal::PixelName,
        _ => PixelSignal::QueryShape,
    };
    let reason = if with_reason {
        signals
            .iter()
            .take(3)
            .map(|s| s.text.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        String::new()
    };
    let host_purpose = host_purpose();
    let purpose = purpose_of(host_purpose);
    // 0.6 for the minimum evidence, +0.05 per extra point and for a known tracker host.
    let extra = (score - 2) + u32::from(host_purpose.is_some());
    let confidence = (0.6 + 0.05 * extra.min(3) as f32).min(0.75);
    Some(Pixel {
        purpose,
        reason,
        third_party: true,
        confidence,
        signal,
    })
}

/// The request's site differs from the document's, or either is unknown.
fn is_third_party(url: &str, source_url: &str) -> bool {
    let Ok(source) = SiteKey::from_url(source_url) else {
        return true;
    };
    SiteKey::from_url(url).map_or(true, |site| site != source)
}
