//! The user's choices: one versioned JSON document, validated and migrated here.
//!
//! Two entry points with different temperaments:
//! - [`load`] reads what the extension stored. It never fails: it keeps every valid part, reports
//!   each problem, and tells the caller to keep the original blob as a backup when anything was
//!   dropped, so nothing is ever lost silently.
//! - [`import`] reads a file the user chose. It is strict: any problem rejects the whole file and
//!   nothing changes.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::category::Category;
use crate::cookies::{CookiePolicy, Purpose, Rule as CookieRule};
use crate::engine::CategorySet;
use crate::site::{SiteError, SiteKey};

/// The schema version this build writes.
pub const CURRENT_VERSION: u64 = 5;

/// At most this many sites in one list (far beyond real use; keeps rules within browser limits).
pub const MAX_SITES: usize = 5_000;

/// Settings blobs larger than this are refused (a real one is a few kilobytes).
pub const MAX_BLOB: usize = 4 * 1024 * 1024;

/// The user's settings. Serialises to the stored document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Schema version, always [`CURRENT_VERSION`] once loaded.
    pub version: u64,
    /// Do Not Track and Global Privacy Control.
    pub signals: SignalSettings,
    /// Which tracker categories are blocked.
    pub blocking: BlockingSettings,
    /// Sites where protection is off ("Protection on this site" unchecked), sorted, no duplicates.
    pub allowlist: Vec<SiteKey>,
    /// Web beacons and pixel tags (since schema 2).
    pub pixels: PixelSettings,
    /// Tracked links (since schema 2).
    pub links: LinkSettings,
    /// What happens to cookies, per purpose (since schema 3).
    pub cookies: CookiePolicy,
    /// The user's own filter lines, as typed (since schema 4; compiled by [`crate::custom`]).
    pub custom_filters: String,
    /// Cookie-consent banners (since schema 5; decided by [`crate::consent`]).
    pub consent: ConsentSettings,
}

/// Cookie-consent banner switches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentSettings {
    /// Decline non-essential cookies in consent banners automatically (default on).
    pub auto_decline: bool,
    /// Hide the banners the cookie-notice filter lists know (default on).
    pub hide_banners: bool,
    /// Sites where banners are left alone, sorted and without duplicates.
    pub exceptions: Vec<SiteKey>,
}

/// The user's own filter text is refused beyond this size (256 KiB, thousands of filters).
pub const MAX_CUSTOM_FILTERS: usize = 256 * 1024;

/// Pixel and beacon switches. Pixels of a known sender follow the sender's category switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PixelSettings {
    /// "Block all third-party pixels": also block pixels whose sender is unknown (default on).
    pub block_unknown: bool,
}

/// Tracked-link switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LinkSettings {
    /// Remove tracking parameters (`utm_*`, `fbclid`...) from navigations (default on).
    pub clean: bool,
    /// Go straight to the destination of known click-tracking redirectors (default on).
    pub skip_redirectors: bool,
}

/// The per-category blocking switches (all on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BlockingSettings {
    /// Ad networks (EasyList).
    pub advertising: bool,
    /// Analytics and measurement (EasyPrivacy, uBlock filters – Privacy).
    pub statistical: bool,
    /// Social-media trackers and widgets (EasyList – Social Widgets).
    pub social: bool,
}

impl BlockingSettings {
    /// The enabled categories as a set.
    pub fn enabled(&self) -> CategorySet {
        let mut s = CategorySet::NONE;
        s.set(Category::Advertising, self.advertising);
        s.set(Category::Statistical, self.statistical);
        s.set(Category::Social, self.social);
        s
    }

    /// Turns one category on or off; returns false for a category without a switch.
    pub fn set(&mut self, c: Category, on: bool) -> bool {
        match c {
            Category::Advertising => self.advertising = on,
            Category::Statistical => self.statistical = on,
            Category::Social => self.social = on,
            Category::Consent => return false,
        }
        true
    }
}

/// Settings of the privacy signals (DNT and GPC).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalSettings {
    /// Send the signals at all (default on).
    pub enabled: bool,
    /// Sites that get neither signal, sorted and without duplicates.
    pub exceptions: Vec<SiteKey>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: CURRENT_VERSION,
            signals: SignalSettings {
                enabled: true,
                exceptions: Vec::new(),
            },
            blocking: BlockingSettings {
                advertising: true,
                statistical: true,
                social: true,
            },
            allowlist: Vec::new(),
            pixels: PixelSettings {
                block_unknown: true,
            },
            links: LinkSettings {
                clean: true,
                skip_redirectors: true,
            },
            cookies: CookiePolicy::default(),
            custom_filters: String::new(),
            consent: ConsentSettings {
                auto_decline: true,
                hide_banners: true,
                exceptions: Vec::new(),
            },
        }
    }
}

/// The outcome of [`load`]: usable settings plus what went wrong on the way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingsLoad {
    /// Settings to use now.
    pub settings: Settings,
    /// One human-readable line per problem found in the stored blob.
    pub problems: Vec<String>,
    /// True when the stored blob held something the loaded settings do not: keep it as a backup.
    pub keep_backup: bool,
    /// The version the blob was migrated from, when it was older than [`CURRENT_VERSION`].
    pub migrated_from: Option<u64>,
}

/// Why an import was refused. `Display` lists every problem, one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The problems, in document order.
    pub problems: Vec<String>,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for ImportError {}

/// Reads stored settings. `None` or an empty string means first run (defaults, no problems).
pub fn load(blob: Option<&str>) -> SettingsLoad {
    let mut problems = Vec::new();
    let blob = blob.unwrap_or("").trim();
    if blob.is_empty() {
        return SettingsLoad {
            settings: Settings::default(),
            problems,
            keep_backup: false,
            migrated_from: None,
        };
    }
    let (settings, migrated_from) = match parse_document(blob, &mut problems) {
        Some((s, from)) => (s, from),
        None => (Settings::default(), None),
    };
    let keep_backup = !problems.is_empty();
    SettingsLoad {
        settings,
        problems,
        keep_backup,
        migrated_from,
    }
}

/// Reads a settings file the user imports: all or nothing.
pub fn import(text: &str) -> Result<Settings, ImportError> {
    let mut problems = Vec::new();
    match parse_document(text.trim(), &mut problems) {
        Some((s, _)) if problems.is_empty() => Ok(s),
        _ => Err(ImportError { problems }),
    }
}

impl Settings {
    /// The stored form (compact JSON).
    pub fn to_json(&self) -> String {
        // Serialising plain strings, bools and numbers cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// The on/off switches outside blocking categories, by their path in the document.
    pub const SWITCHES: [&'static str; 5] = [
        "pixels.block_unknown",
        "links.clean",
        "links.skip_redirectors",
        "consent.auto_decline",
        "consent.hide_banners",
    ];

    /// Sets one of [`Settings::SWITCHES`]; returns false (and changes nothing) for another name.
    pub fn set_switch(&mut self, path: &str, on: bool) -> bool {
        let field = match path {
            "pixels.block_unknown" => &mut self.pixels.block_unknown,
            "links.clean" => &mut self.links.clean,
            "links.skip_redirectors" => &mut self.links.skip_redirectors,
            "consent.auto_decline" => &mut self.consent.auto_decline,
            "consent.hide_banners" => &mut self.consent.hide_banners,
            _ => return false,
        };
        *field = on;
        true
    }

    /// Adds a site to the signal exceptions. Returns the normalised site.
    pub fn add_signal_exception(&mut self, input: &str) -> Result<SiteKey, SettingsError> {
        let site = SiteKey::parse_user_input(input)?;
        insert_site(&mut self.signals.exceptions, site.clone())?;
        Ok(site)
    }

    /// Leaves consent banners alone on a site (the popup's per-site switch). Returns the
    /// normalised site.
    pub fn add_consent_exception(&mut self, input: &str) -> Result<SiteKey, SettingsError> {
        let site = SiteKey::parse_user_input(input)?;
        insert_site(&mut self.consent.exceptions, site.clone())?;
        Ok(site)
    }

    /// Handles consent banners on a site again. Returns whether it was excepted.
    pub fn remove_consent_exception(&mut self, input: &str) -> Result<bool, SettingsError> {
        let site = SiteKey::parse_user_input(input)?;
        let before = self.consent.exceptions.len();
        self.consent.exceptions.retain(|s| *s != site);
        Ok(before != self.consent.exceptions.len())
    }

    /// Turns protection off on a site (adds it to the allow list). Returns the normalised site.
    pub fn allow_site(&mut self, input: &str) -> Result<SiteKey, SettingsError> {
        let site = SiteKey::parse_user_input(input)?;
        insert_site(&mut self.allowlist, site.clone())?;
        Ok(site)
    }

    /// Turns protection back on for a site. Returns whether it was on the allow list.
    pub fn protect_site(&mut self, input: &str) -> Result<bool, SettingsError> {
        let site = SiteKey::parse_user_input(input)?;
        let before = self.allowlist.len();
        self.allowlist.retain(|s| *s != site);
        Ok(before != self.allowlist.len())
    }

    /// Whether protection is off for the site of `host`.
    pub fn is_allowlisted_host(&self, host: &str) -> bool {
        SiteKey::from_host(host).is_ok_and(|s| self.allowlist.binary_search(&s).is_ok())
    }

    /// Replaces the allow list with the sites of an imported JSON list (`["a.com", ...]` or
    /// `{"allowlist": [...]}`); all or nothing.
    pub fn import_allowlist(&mut self, text: &str) -> Result<usize, ImportError> {
        let mut problems = Vec::new();
        let value: Value = match serde_json::from_str(text.trim()) {
            Ok(v) => v,
            Err(e) => {
                return Err(ImportError {
                    problems: vec![format!("the file is not valid JSON: {e}")],
                })
            }
        };
        let list = match &value {
            Value::Array(_) => &value,
            Value::Object(o) => match o.get("allowlist") {
                Some(l) => l,
                None => {
                    return Err(ImportError {
                        problems: vec![
                            "expected a list of sites or an object with `allowlist`".into()
                        ],
                    })
                }
            },
            _ => {
                return Err(ImportError {
                    problems: vec!["expected a list of sites or an object with `allowlist`".into()],
                })
            }
        };
        let sites = site_list(list, "allowlist", &mut problems);
        if !problems.is_empty() {
            return Err(ImportError { problems });
        }
        let n = sites.len();
        self.allowlist = sites;
        Ok(n)
    }

    /// Removes a site (given in any form [`SiteKey::parse_user_input`] accepts). Returns whether
    /// it was listed.
    pub fn remove_signal_exception(&mut self, input: &str) -> Result<bool, SettingsError> {
        let site = SiteKey::parse_user_input(input)?;
        let before = self.signals.exceptions.len();
        self.signals.exceptions.retain(|s| *s != site);
        Ok(before != self.signals.exceptions.len())
    }
}

/// Why a settings change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    /// The site is not valid.
    Site(SiteError),
    /// The list is full.
    TooMany,
}

impl From<SiteError> for SettingsError {
    fn from(e: SiteError) -> Self {
        SettingsError::Site(e)
    }
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingsError::Site(e) => e.fmt(f),
            SettingsError::TooMany => write!(f, "the list already holds {MAX_SITES} sites"),
        }
    }
}

impl std::error::Error for SettingsError {}

fn insert_site(list: &mut Vec<SiteKey>, site: SiteKey) -> Result<(), SettingsError> {
    match list.binary_search(&site) {
        Ok(_) => Ok(()),
        Err(_) if list.len() >= MAX_SITES => Err(SettingsError::TooMany),
        Err(i) => {
            list.insert(i, site);
            Ok(())
        }
    }
}

/// Parses, migrates and validates. Returns `None` when nothing usable is there (problems say why).
fn parse_document(text: &str, problems: &mut Vec<String>) -> Option<(Settings, Option<u64>)> {
    if text.len() > MAX_BLOB {
        problems.push(format!(
            "settings are {} bytes, more than the {MAX_BLOB} allowed",
            text.len()
        ));
        return None;
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("settings are not valid JSON: {e}"));
            return None;
        }
    };
    let Value::Object(mut doc) = value else {
        problems.push("settings must be a JSON object".into());
        return None;
    };
    let version = match doc.get("version") {
        Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v >= 1) => n.as_u64().unwrap_or(1),
        Some(other) => {
            problems.push(format!(
                "`version` must be a whole number from 1, found {}",
                brief(other)
            ));
            return None;
        }
        None => {
            problems.push("`version` is missing".into());
            return None;
        }
    };
    if version > CURRENT_VERSION {
        problems.push(format!(
            "settings were written by a newer Crumbwall (schema version {version}; this one reads up to {CURRENT_VERSION})"
        ));
        return None;
    }
    let migrated_from = (version < CURRENT_VERSION).then_some(version);
    migrate(&mut doc, version);
    Some((validate(&doc, problems), migrated_from))
}

/// Brings a document of schema `from` up to [`CURRENT_VERSION`], one step at a time.
/// Each future schema change adds a step here and a test with a document of the old version.
fn migrate(doc: &mut Map<String, Value>, from: u64) {
    let mut v = from;
    // Steps, oldest first (no schema before version 1 was ever released):
    // - 1 → 2 added `pixels` and `links`; their defaults apply, nothing moves.
    // - 2 → 3 added `cookies` (a rule per purpose); its defaults apply, nothing moves.
    // - 3 → 4 added `custom_filters` (the user's own filter lines); empty, nothing moves.
    // - 4 → 5 added `consent` (cookie-consent banners); its defaults apply, nothing moves.
    // A step that moves or renames a field goes here as `if v == N { ... }`, with a test that
    // loads a document of version N.
    while v < CURRENT_VERSION {
        v += 1;
    }
    doc.insert("version".into(), Value::from(CURRENT_VERSION));
}

/// Field by field: every valid part is kept, every invalid part is reported.
fn validate(doc: &Map<String, Value>, problems: &mut Vec<String>) -> Settings {
    let mut s = Settings::default();
    for key in doc.keys() {
        if !matches!(
            key.as_str(),
            "version"
                | "signals"
                | "blocking"
                | "allowlist"
                | "pixels"
                | "links"
                | "cookies"
                | "custom_filters"
                | "consent"
        ) {
            problems.push(format!("unknown setting `{key}` ignored"));
        }
    }
    if let Some(b) = doc.get("blocking") {
        match b {
            Value::Object(b) => {
                for (key, v) in b {
                    match (Category::parse(key), v) {
                        (Some(c), Value::Bool(on)) if s.blocking.set(c, *on) => {}
                        (Some(_) | None, Value::Bool(_)) => {
                            problems.push(format!("unknown setting `blocking.{key}` ignored"))
                        }
                        _ => problems.push(format!(
                            "`blocking.{key}` must be true or false, found {}",
                            brief(v)
                        )),
                    }
                }
            }
            other => problems.push(format!(
                "`blocking` must be an object, found {}",
                brief(other)
            )),
        }
    }
    if let Some(list) = doc.get("allowlist") {
        s.allowlist = site_list(list, "allowlist", problems);
    }
    if let Some(v) = doc.get("pixels") {
        switches(
            v,
            "pixels",
            problems,
            &mut [("block_unknown", &mut s.pixels.block_unknown)],
        );
    }
    if let Some(v) = doc.get("links") {
        switches(
            v,
            "links",
            problems,
            &mut [
                ("clean", &mut s.links.clean),
                ("skip_redirectors", &mut s.links.skip_redirectors),
            ],
        );
    }
    if let Some(v) = doc.get("cookies") {
        cookie_rules(v, &mut s.cookies, problems);
    }
    match doc.get("custom_filters") {
        None => {}
        Some(Value::String(text)) if text.len() <= MAX_CUSTOM_FILTERS => {
            s.custom_filters = text.clone();
        }
        Some(Value::String(text)) => problems.push(format!(
            "`custom_filters` is {} bytes, more than the {MAX_CUSTOM_FILTERS} allowed; ignored",
            text.len()
        )),
        Some(other) => problems.push(format!(
            "`custom_filters` must be text, found {}",
            brief(other)
        )),
    }
    if let Some(v) = doc.get("consent") {
        consent_settings(v, &mut s.consent, problems);
    }
    if let Some(sig) = doc.get("signals") {
        let Value::Object(sig) = sig else {
            problems.push(format!("`signals` must be an object, found {}", brief(sig)));
            return s;
        };
        for key in sig.keys() {
            if !matches!(key.as_str(), "enabled" | "exceptions") {
                problems.push(format!("unknown setting `signals.{key}` ignored"));
            }
        }
        match sig.get("enabled") {
            None => {}
            Some(Value::Bool(b)) => s.signals.enabled = *b,
            Some(other) => problems.push(format!(
                "`signals.enabled` must be true or false, found {}",
                brief(other)
            )),
        }
        if let Some(list) = sig.get("exceptions") {
            s.signals.exceptions = site_list(list, "signals.exceptions", problems);
        }
    }
    s
}

/// Reads the cookie policy (`{"advertising": "block", ...}`), keeping the default for anything
/// missing or wrong and reporting it.
fn cookie_rules(v: &Value, policy: &mut CookiePolicy, problems: &mut Vec<String>) {
    let Value::Object(o) = v else {
        problems.push(format!("`cookies` must be an object, found {}", brief(v)));
        return;
    };
    for (key, value) in o {
        let Some(purpose) = Purpose::ALL.into_iter().find(|p| p.as_str() == key) else {
            problems.push(format!("unknown setting `cookies.{key}` ignored"));
            continue;
        };
        match value.as_str().and_then(CookieRule::parse) {
            Some(rule) => policy.set(purpose, rule),
            None => problems.push(format!(
                "`cookies.{key}` must be one of allow, block-third-party, session, block; found {}",
                brief(value)
            )),
        }
    }
}

/// Reads the consent section (`{"auto_decline": true, "hide_banners": true, "exceptions": [...]}`),
/// keeping the default for anything missing or wrong and reporting it.
fn consent_settings(v: &Value, consent: &mut ConsentSettings, problems: &mut Vec<String>) {
    let Value::Object(o) = v else {
        problems.push(format!("`consent` must be an object, found {}", brief(v)));
        return;
    };
    let mut flags = Map::new();
    for (key, value) in o {
        if key == "exceptions" {
            consent.exceptions = site_list(value, "consent.exceptions", problems);
        } else {
            flags.insert(key.clone(), value.clone());
        }
    }
    switches(
        &Value::Object(flags),
        "consent",
        problems,
        &mut [
            ("auto_decline", &mut consent.auto_decline),
            ("hide_banners", &mut consent.hide_banners),
        ],
    );
}

/// Reads an object of on/off switches into `fields`, reporting unknown keys and non-booleans.
fn switches(v: &Value, path: &str, problems: &mut Vec<String>, fields: &mut [(&str, &mut bool)]) {
    let Value::Object(o) = v else {
        problems.push(format!("`{path}` must be an object, found {}", brief(v)));
        return;
    };
    for (key, value) in o {
        match (fields.iter_mut().find(|(k, _)| k == key), value) {
            (Some((_, field)), Value::Bool(on)) => **field = *on,
            (Some(_), other) => problems.push(format!(
                "`{path}.{key}` must be true or false, found {}",
                brief(other)
            )),
            (None, _) => problems.push(format!("unknown setting `{path}.{key}` ignored")),
        }
    }
}

fn site_list(v: &Value, path: &str, problems: &mut Vec<String>) -> Vec<SiteKey> {
    let Value::Array(items) = v else {
        problems.push(format!(
            "`{path}` must be a list of sites, found {}",
            brief(v)
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::String(text) = item else {
            problems.push(format!(
                "`{path}[{i}]` must be a site name, found {}",
                brief(item)
            ));
            continue;
        };
        match SiteKey::parse_user_input(text) {
            Ok(site) => {
                if insert_site(&mut out, site).is_err() {
                    problems.push(format!(
                        "`{path}` has more than {MAX_SITES} sites; the rest are ignored"
                    ));
                    break;
                }
            }
            Err(e) => problems.push(format!("`{path}[{i}]`: {e}")),
        }
    }
    out
}

/// A short description of a JSON value for messages.
fn brief(v: &Value) -> String {
    let s = match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("\"{s}\""),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
    };
    if s.chars().count() > 60 {
        let mut t: String = s.chars().take(60).collect();
        t.push('…');
        t
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_run_gets_defaults_without_problems() {
        for blob in [None, Some(""), Some("  ")] {
            let l = load(blob);
            assert_eq!(l.settings, Settings::default());
            assert!(l.problems.is_empty() && !l.keep_backup);
        }
        assert!(Settings::default().signals.enabled);
    }

    #[test]
    fn round_trips() {
        let mut s = Settings::default();
        s.signals.enabled = false;
        s.add_signal_exception("https://www.news.test/x").unwrap();
        s.add_signal_exception("a.example.co.uk").unwrap();
        let l = load(Some(&s.to_json()));
        assert_eq!(l.settings, s);
        assert!(l.problems.is_empty() && !l.keep_backup);
        assert_eq!(
            s.to_json(),
            r#"{"version":5,"signals":{"enabled":false,"exceptions":["example.co.uk","news.test"]},"blocking":{"advertising":true,"statistical":true,"social":true},"allowlist":[],"pixels":{"block_unknown":true},"links":{"clean":true,"skip_redirectors":true},"cookies":{"technical":"allow","personalization":"allow","advertising":"block","statistical":"block-third-party","social":"block","unknown":"block-third-party"},"custom_filters":"","consent":{"auto_decline":true,"hide_banners":true,"exceptions":[]}}"#
        );
    }

    #[test]
    fn corrupt_blobs_fall_back_to_defaults_and_keep_a_backup() {
        for (blob, needle) in [
            ("{not json", "not valid JSON"),
            ("[1,2]", "must be a JSON object"),
            ("{}", "`version` is missing"),
            (r#"{"version":"1"}"#, "whole number"),
            (r#"{"version":0}"#, "whole number"),
            (r#"{"version":99,"signals":{}}"#, "newer Crumbwall"),
        ] {
            let l = load(Some(blob));
            assert_eq!(l.settings, Settings::default(), "{blob}");
            assert!(l.keep_backup, "{blob}");
            assert!(
                l.problems.iter().any(|p| p.contains(needle)),
                "{blob}: {:?}",
                l.problems
            );
        }
    }

    #[test]
    fn keeps_valid_parts_and_reports_the_rest() {
        let l = load(Some(
            r#"{"version":1,"signals":{"enabled":false,"exceptions":["Good.test","co.uk",7,"good.test","ftp://x.test"],"extra":1},"zzz":true}"#,
        ));
        assert!(!l.settings.signals.enabled);
        assert_eq!(
            l.settings.signals.exceptions,
            vec![SiteKey::from_host("good.test").unwrap()]
        );
        assert!(l.keep_backup);
        assert_eq!(l.problems.len(), 5, "{:?}", l.problems);
        let l = load(Some(
            r#"{"version":1,"signals":{"enabled":"yes","exceptions":"a.test"}}"#,
        ));
        assert!(l.settings.signals.enabled);
        assert_eq!(l.problems.len(), 2);
    }

    #[test]
    fn import_is_all_or_nothing() {
        assert!(
            import(r#"{"version":1,"signals":{"enabled":true,"exceptions":["a.test"]}}"#).is_ok()
        );
        let e = import(r#"{"version":1,"signals":{"exceptions":["a.test",""]}}"#).unwrap_err();
        assert_eq!(
            e.problems,
            vec!["`signals.exceptions[1]`: the site is empty"]
        );
        assert!(import("").is_err());
        assert!(
            import(&" ".repeat(MAX_BLOB + 1)).is_err()
                || import(&"x".repeat(MAX_BLOB + 1)).is_err()
        );
    }

    #[test]
    fn blocking_switches_and_allowlist() {
        let l = load(Some(
            r#"{"version":1,"blocking":{"social":false,"consent":true,"ads":false,"statistical":"no"},"allowlist":["www.a.test","b.test","bad site"]}"#,
        ));
        assert!(
            l.settings.blocking.advertising
                && l.settings.blocking.statistical
                && !l.settings.blocking.social
        );
        assert_eq!(l.problems.len(), 4, "{:?}", l.problems);
        assert_eq!(
            l.settings
                .allowlist
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
            ["a.test", "b.test"]
        );
        let mut s = l.settings;
        assert!(s.is_allowlisted_host("shop.a.test"));
        assert!(s.protect_site("https://a.test/").unwrap());
        assert!(!s.is_allowlisted_host("a.test"));
        assert_eq!(s.allow_site("news.test").unwrap().as_str(), "news.test");
        assert!(!s.blocking.enabled().contains(Category::Social));
        let before = s.clone();
        assert!(s.import_allowlist(r#"["x.test", 5]"#).is_err());
        assert!(s.import_allowlist("{").is_err());
        assert_eq!(s, before);
        assert_eq!(
            s.import_allowlist(r#"{"allowlist":["x.test","www.y.test"]}"#)
                .unwrap(),
            2
        );
        assert_eq!(s.allowlist.len(), 2);
    }

    #[test]
    fn migrates_version_1() {
        // A document as version 1 wrote it: the new sections get their defaults, nothing is lost.
        let v1 = r#"{"version":1,"signals":{"enabled":false,"exceptions":["news.test"]},"blocking":{"advertising":true,"statistical":false,"social":true},"allowlist":["a.test"]}"#;
        let l = load(Some(v1));
        assert_eq!(l.migrated_from, Some(1));
        assert!(l.problems.is_empty() && !l.keep_backup, "{:?}", l.problems);
        let s = &l.settings;
        assert_eq!(s.version, CURRENT_VERSION);
        assert!(!s.signals.enabled && !s.blocking.statistical);
        assert_eq!(s.allowlist[0].as_str(), "a.test");
        assert_eq!(s.pixels, Settings::default().pixels);
        assert_eq!(s.links, Settings::default().links);
        assert_eq!(s.cookies, CookiePolicy::default());
        assert!(import(v1).is_ok());
    }

    #[test]
    fn migrates_version_2_and_reads_cookie_rules() {
        let v2 = r#"{"version":2,"links":{"clean":false},"allowlist":["a.test"]}"#;
        let l = load(Some(v2));
        assert_eq!(l.migrated_from, Some(2));
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert!(!l.settings.links.clean);
        assert_eq!(l.settings.cookies, CookiePolicy::default());
        let l = load(Some(
            r#"{"version":3,"cookies":{"personalization":"session","statistical":"allow","unknown":"nope","ads":"block"}}"#,
        ));
        assert_eq!(l.settings.cookies.personalization, CookieRule::Session);
        assert_eq!(l.settings.cookies.statistical, CookieRule::Allow);
        assert_eq!(l.settings.cookies.unknown, CookieRule::BlockThirdParty);
        assert_eq!(l.problems.len(), 2, "{:?}", l.problems);
        assert!(l.keep_backup);
        assert!(import(r#"{"version":3,"cookies":{"social":"sometimes"}}"#).is_err());
        assert!(load(Some(r#"{"version":3,"cookies":"block"}"#)).keep_backup);
    }

    #[test]
    fn migrates_version_3_and_reads_custom_filters() {
        let v3 = r#"{"version":3,"cookies":{"social":"allow"},"allowlist":["a.test"]}"#;
        let l = load(Some(v3));
        assert_eq!(l.migrated_from, Some(3));
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.settings.custom_filters, "");
        assert_eq!(l.settings.cookies.social, CookieRule::Allow);
        assert_eq!(l.settings.allowlist.len(), 1);
        let l = load(Some(
            r#"{"version":4,"custom_filters":"||x.test^\n@@||y.test^"}"#,
        ));
        assert_eq!(l.settings.custom_filters, "||x.test^\n@@||y.test^");
        assert!(!l.keep_backup);
        let l = load(Some(r#"{"version":4,"custom_filters":["||x.test^"]}"#));
        assert!(l.keep_backup && l.settings.custom_filters.is_empty());
        let huge = format!(
            r#"{{"version":4,"custom_filters":"{}"}}"#,
            "a".repeat(MAX_CUSTOM_FILTERS + 1)
        );
        assert!(load(Some(&huge)).keep_backup);
        assert!(import(r#"{"version":4,"custom_filters":7}"#).is_err());
        // Round trip.
        let s = Settings {
            custom_filters: "||z.test^".into(),
            ..Settings::default()
        };
        assert_eq!(load(Some(&s.to_json())).settings, s);
    }

    #[test]
    fn migrates_version_4_and_reads_consent() {
        // A document as version 4 wrote it: consent gets its defaults, nothing else changes.
        let v4 = r#"{"version":4,"signals":{"enabled":true,"exceptions":[]},"blocking":{"advertising":true,"statistical":true,"social":false},"allowlist":["a.test"],"pixels":{"block_unknown":true},"links":{"clean":true,"skip_redirectors":true},"cookies":{"technical":"allow","personalization":"allow","advertising":"block","statistical":"block-third-party","social":"block","unknown":"block-third-party"},"custom_filters":"||x.test^"}"#;
        let l = load(Some(v4));
        assert_eq!(l.migrated_from, Some(4));
        assert!(l.problems.is_empty() && !l.keep_backup, "{:?}", l.problems);
        assert_eq!(l.settings.consent, Settings::default().consent);
        assert!(!l.settings.blocking.social);
        assert_eq!(l.settings.custom_filters, "||x.test^");
        assert_eq!(l.settings.version, 5);
        assert!(import(v4).is_ok());
        // Version 5: every part read, bad parts reported and defaulted.
        let l = load(Some(
            r#"{"version":5,"consent":{"auto_decline":false,"hide_banners":"no","exceptions":["WWW.Site.Test","bad site"],"x":1}}"#,
        ));
        assert!(!l.settings.consent.auto_decline && l.settings.consent.hide_banners);
        assert_eq!(
            l.settings.consent.exceptions,
            vec![SiteKey::from_host("site.test").unwrap()]
        );
        assert_eq!(l.problems.len(), 3, "{:?}", l.problems);
        assert!(l.keep_backup);
        assert!(load(Some(r#"{"version":5,"consent":[]}"#)).keep_backup);
        assert!(import(r#"{"version":5,"consent":{"exceptions":"a.test"}}"#).is_err());
        // Edits and round trip.
        let mut s = Settings::default();
        assert!(s.set_switch("consent.auto_decline", false));
        assert!(s.set_switch("consent.hide_banners", false));
        assert_eq!(
            s.add_consent_exception("https://news.test/x")
                .unwrap()
                .as_str(),
            "news.test"
        );
        s.add_consent_exception("news.test").unwrap();
        assert_eq!(s.consent.exceptions.len(), 1);
        assert!(s.add_consent_exception("").is_err());
        assert_eq!(load(Some(&s.to_json())).settings, s);
        assert!(s.remove_consent_exception("news.test").unwrap());
        assert!(!s.remove_consent_exception("news.test").unwrap());
    }

    #[test]
    fn pixel_and_link_switches() {
        let l = load(Some(
            r#"{"version":2,"pixels":{"block_unknown":false,"x":true},"links":{"clean":false,"skip_redirectors":"no"}}"#,
        ));
        assert!(!l.settings.pixels.block_unknown && !l.settings.links.clean);
        assert!(l.settings.links.skip_redirectors);
        assert_eq!(l.problems.len(), 2, "{:?}", l.problems);
        assert!(load(Some(r#"{"version":2,"links":[]}"#)).keep_backup);
        let mut s = Settings::default();
        for path in Settings::SWITCHES {
            assert!(s.set_switch(path, false), "{path}");
        }
        assert!(!s.pixels.block_unknown && !s.links.clean && !s.links.skip_redirectors);
        assert!(!s.set_switch("blocking.social", false) && !s.set_switch("", true));
    }

    #[test]
    fn exception_edits_normalise_and_dedupe() {
        let mut s = Settings::default();
        assert_eq!(
            s.add_signal_exception("WWW.Site.Test").unwrap().as_str(),
            "site.test"
        );
        s.add_signal_exception("site.test").unwrap();
        assert_eq!(s.signals.exceptions.len(), 1);
        assert!(s.add_signal_exception("").is_err());
        assert!(s.remove_signal_exception("https://site.test/").unwrap());
        assert!(!s.remove_signal_exception("site.test").unwrap());
    }
}
