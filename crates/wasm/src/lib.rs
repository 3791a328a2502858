//! # crumbwall-wasm
//!
//! The WebAssembly face of `crumbwall-core`: `#[wasm_bindgen]` exports that convert JavaScript
//! values to core types and back. No decisions are made here.
//!
//! Conventions for every export:
//! - Errors come back as thrown `Error` objects with a readable message (never a trap); the core
//!   never panics, so the instance stays usable after any error.
//! - String arguments arrive as `JsValue` and are checked: any JavaScript value is accepted
//!   without trapping.
//! - Hot paths (called per request) take and return strings, numbers and booleans only.
//! - Structured results are plain JSON-compatible objects (no `Map`s, `null` for absent values).

use crumbwall_core::engine::Blocker;
use std::collections::HashSet;

use crumbwall_core::pixels::{self, PixelPurpose};
use crumbwall_core::{
    blocking, consent, cookies, custom, links, settings, signals, starter, url, Category, SiteKey,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Reads a string argument. Arguments are taken as `JsValue` (never `&str`) so that a wrong type
/// from JavaScript is a thrown error, not an out-of-bounds trap in the generated glue.
fn text(v: &JsValue, what: &str) -> Result<String, JsError> {
    v.as_string()
        .ok_or_else(|| JsError::new(&format!("{what} must be a string")))
}

/// Reads an array-of-strings argument. Taken as `JsValue` (never `Vec<String>`, whose generated
/// glue turns any array-like, such as a long string, into that many values before Rust sees it),
/// so a wrong type is a thrown error; at most `max` entries.
fn strings(v: &JsValue, what: &str, max: usize) -> Result<Vec<String>, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    if !js_sys::Array::is_array(v) {
        return Err(JsError::new(&format!("{what} must be an array of strings")));
    }
    let array = js_sys::Array::from(v);
    if array.length() as usize > max {
        return Err(JsError::new(&format!("{what}: at most {max} entries")));
    }
    array
        .iter()
        .map(|x| {
            x.as_string()
                .ok_or_else(|| JsError::new(&format!("{what} must be an array of strings")))
        })
        .collect()
}

fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// The crate version, for the About section and diagnostics.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The site (registrable domain) of a URL, or `undefined` when the URL is not a web page.
#[wasm_bindgen(js_name = siteOfUrl)]
pub fn site_of_url(url: &JsValue) -> Option<String> {
    SiteKey::from_url(&url.as_string()?)
        .ok()
        .map(|s| s.to_string())
}

/// Normalises what a user typed into a site box; throws with the reason when it is not a site.
#[wasm_bindgen(js_name = parseSite)]
pub fn parse_site(input: &JsValue) -> Result<String, JsError> {
    SiteKey::parse_user_input(&text(input, "the site")?)
        .map(|s| s.to_string())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// The name of pixel purpose number `p` (as in outcome codes 48+p and 56+p), or `undefined`.
#[wasm_bindgen(js_name = pixelPurposeName)]
pub fn pixel_purpose_name(p: u32) -> Option<String> {
    PixelPurpose::ALL
        .get(p as usize)
        .map(|p| p.as_str().to_owned())
}

/// The name of category number `i` (as in outcome codes), or `undefined`.
#[wasm_bindgen(js_name = categoryName)]
pub fn category_name(i: u32) -> Option<String> {
    Category::ALL.get(i as usize).map(|c| c.as_str().to_owned())
}

/// The engine instance the background holds: the current settings and every decision made
/// from them.
#[wasm_bindgen]
pub struct Crumbwall {
    settings: settings::Settings,
    load: Option<settings::SettingsLoad>,
    blocker: Option<Blocker>,
    /// Hosts seen serving a tiny image this session (Firefox), lowercase.
    pixel_hosts: HashSet<String>,
    /// The cookie classifier: the curated names until `loadCookieKnowledge` adds more.
    classifier: Option<cookies::Classifier>,
    /// The user's custom filters as an engine (Firefox), built on first use after a change.
    custom: std::cell::OnceCell<custom::CustomBlocker>,
    /// The cookie-notice cosmetic filters, once `loadBannerHider` ran.
    hider: Option<consent::BannerHider>,
    /// The last source URL, type and top URL `decide` read.
    last: std::cell::RefCell<LastStrings>,
    /// Where JavaScript writes a request URL's UTF-8 bytes for `decideWritten` (see
    /// `urlBufferPtr`): a fixed-size allocation, so it never moves. Rust only reads it.
    url_buffer: Box<[u8]>,
}

/// The last JS value read for one string argument, and its text. A page's requests repeat the
/// same source URL, type and top URL, and comparing two JS values (`===`) costs far less than
/// copying a string across the boundary (the biggest share of `decide`'s own time before).
#[derive(Default)]
struct LastString {
    value: JsValue,
    text: String,
}

impl LastString {
    /// The text of `v` (empty when it is not a string).
    fn read(&mut self, v: &JsValue) -> &str {
        if self.value != *v {
            self.text = v.as_string().unwrap_or_default();
            self.value = v.clone();
        }
        &self.text
    }
}

/// `decide`'s remembered arguments.
#[derive(Default)]
struct LastStrings {
    source_url: LastString,
    kind: LastString,
    top_url: LastString,
}

/// At most this many pixel hosts are remembered per session.
const MAX_PIXEL_HOSTS: usize = 10_000;

/// Size of the URL buffer: the longest URL the engine matches (longer ones are allowed anyway).
const URL_BUFFER_LEN: usize = crumbwall_core::engine::MAX_URL;

/// Longest array argument accepted (sites, classes, ids, selectors).
const MAX_LIST: usize = 100_000;

#[wasm_bindgen]
impl Crumbwall {
    /// Loads stored settings (`undefined`/empty for a first run). Never throws: problems are
    /// reported by [`Crumbwall::load_report`].
    #[wasm_bindgen(constructor)]
    pub fn new(stored: &JsValue) -> Crumbwall {
        // Anything but a string (undefined, null, a number...) is "nothing stored".
        let load = settings::load(stored.as_string().as_deref());
        Crumbwall {
            settings: load.settings.clone(),
            load: Some(load),
            blocker: None,
            pixel_hosts: HashSet::new(),
            classifier: None,
            custom: std::cell::OnceCell::new(),
            hider: None,
            last: Default::default(),
            url_buffer: vec![0; URL_BUFFER_LEN].into_boxed_slice(),
        }
    }

    /// `{ problems: string[], keepBackup: boolean, migratedFrom: number|null }` from loading.
    #[wasm_bindgen(js_name = loadReport)]
    pub fn load_report(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Report<'a> {
            problems: &'a [String],
            keep_backup: bool,
            migrated_from: Option<u64>,
        }
        let empty = Vec::new();
        let (problems, keep_backup, migrated_from) = match &self.load {
            Some(l) => (&l.problems, l.keep_backup, l.migrated_from),
            None => (&empty, false, None),
        };
        to_js(&Report {
            problems,
            keep_backup,
            migrated_from,
        })
    }

    /// The settings in their stored form (JSON text).
    #[wasm_bindgen(js_name = settingsJson)]
    pub fn settings_json(&self) -> String {
        self.settings.to_json()
    }

    /// The settings as a plain object, for the UI.
    pub fn settings(&self) -> Result<JsValue, JsError> {
        to_js(&self.settings)
    }

    /// Replaces all settings with an imported file's; throws (changing nothing) listing every
    /// problem when the file is not valid.
    #[wasm_bindgen(js_name = importSettings)]
    pub fn import_settings(&mut self, file: &JsValue) -> Result<(), JsError> {
        let s = settings::import(&text(file, "the settings file")?)
            .map_err(|e| JsError::new(&e.to_string()))?;
        self.settings = s;
        self.custom = std::cell::OnceCell::new();
        Ok(())
    }

    /// Turns both signals on or off globally.
    #[wasm_bindgen(js_name = setSignalsEnabled)]
    pub fn set_signals_enabled(&mut self, on: bool) {
        self.settings.signals.enabled = on;
    }

    /// Adds a signal exception; returns the normalised site, throws when the input is no site.
    #[wasm_bindgen(js_name = addSignalException)]
    pub fn add_signal_exception(&mut self, input: &JsValue) -> Result<String, JsError> {
        self.settings
            .add_signal_exception(&text(input, "the site")?)
            .map(|s| s.to_string())
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Removes a signal exception; returns whether the site was listed.
    #[wasm_bindgen(js_name = removeSignalException)]
    pub fn remove_signal_exception(&mut self, input: &JsValue) -> Result<bool, JsError> {
        self.settings
            .remove_signal_exception(&text(input, "the site")?)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Hot path: whether a request whose top-level page is `top_url` carries DNT and GPC.
    #[wasm_bindgen(js_name = signalsApply)]
    pub fn signals_apply(&self, top_url: &JsValue) -> bool {
        // Not a string: no site to except, so the signals follow the global switch.
        signals::applies(&self.settings, &top_url.as_string().unwrap_or_default())
    }

    /// Whether the signals are sent on pages of `host`.
    #[wasm_bindgen(js_name = signalsOnHost)]
    pub fn signals_on_host(&self, host: &JsValue) -> bool {
        self.settings.signals.enabled
            && !signals::is_excepted_host(&self.settings, &host.as_string().unwrap_or_default())
    }

    /// The dynamic declarativeNetRequest rules that send the signals (Chromium).
    #[wasm_bindgen(js_name = signalRules)]
    pub fn signal_rules(&self) -> Result<JsValue, JsError> {
        to_js(&signals::dnr_rules(&self.settings))
    }

    /// `excludeMatches` patterns for the page script that sets the JavaScript properties.
    #[wasm_bindgen(js_name = signalScriptExcludes)]
    pub fn signal_script_excludes(&self) -> Result<JsValue, JsError> {
        to_js(&signals::content_script_excludes(&self.settings))
    }

    /// Loads the serialised blocking engine shipped with the extension; throws when it is damaged
    /// (the previous engine, if any, stays in use).
    #[wasm_bindgen(js_name = loadBlocker)]
    pub fn load_blocker(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        let b = Blocker::deserialize(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        self.blocker = Some(b);
        Ok(())
    }

    /// Whether a blocking engine is loaded.
    #[wasm_bindgen(js_name = hasBlocker)]
    pub fn has_blocker(&self) -> bool {
        self.blocker.is_some()
    }

    /// Hot path: the outcome code for a request (0 allowed, 16+i blocked, 2+i excepted by a list,
    /// 32+i allowed because protection is off on the site; i = category number, see
    /// `categoryName`; 48+p a blocked pixel, 56+p a pixel allowed because protection is off;
    /// p = pixel purpose number, see `pixelPurposeName`). `method` is the HTTP method (optional).
    /// Anything unreadable, or no engine loaded, is 0 (allowed).
    pub fn decide(
        &self,
        url: &JsValue,
        source_url: &JsValue,
        kind: &JsValue,
        top_url: &JsValue,
        method: &JsValue,
    ) -> u32 {
        let _ = method;
        match url.as_string() {
            Some(url) => self.decide_str(&url, source_url, kind, top_url),
            None => 0,
        }
    }

    /// `decide` once the URL is text.
    fn decide_str(
        &self,
        url: &str,
        source_url: &JsValue,
        kind: &JsValue,
        top_url: &JsValue,
    ) -> u32 {
        let Some(blocker) = &self.blocker else {
            return 0;
        };
        // Each string read is a copy across the JS boundary, so only what can matter is read,
        // and the arguments a page repeats are read once: the top page only counts for the allow
        // list, and the method only words a pixel's reason (never the decision), which `decide`
        // does not make: `method` is not read.
        // `decide` calls no JavaScript that could call back in, so the cache is always free;
        // were it not, the request is allowed (the safe default for anything unreadable).
        let Ok(mut last) = self.last.try_borrow_mut() else {
            return 0;
        };
        let last = &mut *last;
        let (source_url, kind) = (last.source_url.read(source_url), last.kind.read(kind));
        let top_url = if self.settings.allowlist.is_empty() {
            ""
        } else {
            last.top_url.read(top_url)
        };
        let known_pixel_host = !self.pixel_hosts.is_empty()
            && url::split(url).is_some_and(|p| self.pixel_hosts.contains(&p.host));
        let req = blocking::Request {
            url,
            source_url,
            kind,
            top_url,
            method: "",
            known_pixel_host,
        };
        blocking::decide_request(&self.settings, blocker, &req).code()
    }

    /// Where in this module's memory `decideWritten` reads a URL: JavaScript writes the URL's
    /// UTF-8 bytes there (`TextEncoder.encodeInto` on a `Uint8Array` over `memory.buffer` at this
    /// offset, `urlBufferLen` bytes long) instead of passing a string, which saves a round trip
    /// through JavaScript and a copy per request. The buffer never moves; the view over it must be
    /// made again when the memory grows (its old `ArrayBuffer` is then detached).
    #[wasm_bindgen(js_name = urlBufferPtr)]
    pub fn url_buffer_ptr(&self) -> usize {
        self.url_buffer.as_ptr() as usize
    }

    /// The URL buffer's size in bytes (URLs longer than this are not matched; see `decide`).
    #[wasm_bindgen(js_name = urlBufferLen)]
    pub fn url_buffer_len(&self) -> usize {
        URL_BUFFER_LEN
    }

    /// [`Crumbwall::decide`] for the URL whose first `len` bytes JavaScript wrote into the URL
    /// buffer (see `urlBufferPtr`). A length past the buffer, or bytes that are not UTF-8, is an
    /// unreadable URL: 0 (allowed).
    #[wasm_bindgen(js_name = decideWritten)]
    pub fn decide_written(
        &self,
        len: usize,
        source_url: &JsValue,
        kind: &JsValue,
        top_url: &JsValue,
    ) -> u32 {
        let Some(url) = self
            .url_buffer
            .get(..len)
            .and_then(|b| std::str::from_utf8(b).ok())
        else {
            return 0;
        };
        self.decide_str(url, source_url, kind, top_url)
    }

    /// Whether the filter lists alone (the enabled categories, no pixel rules, no allow list)
    /// block a request: what Chromium's static rulesets are compiled to do, for parity checks.
    #[wasm_bindgen(js_name = listsBlock)]
    pub fn lists_block(&self, url: &JsValue, source_url: &JsValue, kind: &JsValue) -> bool {
        let (Some(blocker), Some(url)) = (&self.blocker, url.as_string()) else {
            return false;
        };
        let s = |v: &JsValue| v.as_string().unwrap_or_default();
        blocker
            .check(
                &url,
                &s(source_url),
                &s(kind),
                self.settings.blocking.enabled(),
            )
            .is_block()
    }

    /// Firefox: `host` served a tiny image to a third party; its later requests count as pixels
    /// for the rest of the session. Returns whether it was new.
    #[wasm_bindgen(js_name = markPixelHost)]
    pub fn mark_pixel_host(&mut self, host: &JsValue) -> bool {
        let Some(host) = host.as_string() else {
            return false;
        };
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() || host.len() > 253 || self.pixel_hosts.len() >= MAX_PIXEL_HOSTS {
            return false;
        }
        self.pixel_hosts.insert(host)
    }

    /// The hosts [`Crumbwall::mark_pixel_host`] remembers (to keep them across a background
    /// restart).
    #[wasm_bindgen(js_name = pixelHosts)]
    pub fn pixel_hosts(&self) -> Vec<String> {
        let mut v: Vec<String> = self.pixel_hosts.iter().cloned().collect();
        v.sort();
        v
    }

    /// The starter list's category for a host, or `undefined`.
    #[wasm_bindgen(js_name = categoryOfHost)]
    pub fn category_of_host(&self, host: &JsValue) -> Option<String> {
        starter::category_of_host(&host.as_string()?).map(|(c, _)| c.as_str().to_owned())
    }

    /// Turns a blocking category on or off; throws for an unknown category.
    #[wasm_bindgen(js_name = setCategory)]
    pub fn set_category(&mut self, name: &JsValue, on: bool) -> Result<(), JsError> {
        let name = text(name, "the category")?;
        match Category::parse(&name) {
            Some(c) if self.settings.blocking.set(c, on) => Ok(()),
            _ => Err(JsError::new(&format!(
                "`{name}` is not a blocking category"
            ))),
        }
    }

    /// Turns one of the other switches on or off (`pixels.block_unknown`, `links.clean`,
    /// `links.skip_redirectors`); throws for an unknown name.
    #[wasm_bindgen(js_name = setSwitch)]
    pub fn set_switch(&mut self, name: &JsValue, on: bool) -> Result<(), JsError> {
        let name = text(name, "the switch")?;
        if self.settings.set_switch(&name, on) {
            Ok(())
        } else {
            Err(JsError::new(&format!("`{name}` is not a switch")))
        }
    }

    /// Sets the cookie rule for a purpose (`technical`, ..., `unknown`; rules `allow`,
    /// `block-third-party`, `session`, `block`); throws for anything else.
    #[wasm_bindgen(js_name = setCookieRule)]
    pub fn set_cookie_rule(&mut self, purpose: &JsValue, rule: &JsValue) -> Result<(), JsError> {
        let (purpose, rule) = (text(purpose, "the purpose")?, text(rule, "the rule")?);
        let p = cookies::Purpose::ALL
            .into_iter()
            .find(|p| p.as_str() == purpose)
            .ok_or_else(|| JsError::new(&format!("`{purpose}` is not a cookie purpose")))?;
        let r = cookies::Rule::parse(&rule)
            .ok_or_else(|| JsError::new(&format!("`{rule}` is not a cookie rule")))?;
        self.settings.cookies.set(p, r);
        Ok(())
    }

    /// The enabled blocking categories' names (= the Chromium ruleset ids to enable).
    #[wasm_bindgen(js_name = enabledCategories)]
    pub fn enabled_categories(&self) -> Vec<String> {
        let enabled = self.settings.blocking.enabled();
        Category::ALL
            .iter()
            .filter(|c| enabled.contains(**c))
            .map(|c| c.as_str().to_owned())
            .collect()
    }

    /// Turns protection off on a site; returns the normalised site.
    #[wasm_bindgen(js_name = allowSite)]
    pub fn allow_site(&mut self, input: &JsValue) -> Result<String, JsError> {
        self.settings
            .allow_site(&text(input, "the site")?)
            .map(|s| s.to_string())
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Turns protection back on for a site; returns whether it was off.
    #[wasm_bindgen(js_name = protectSite)]
    pub fn protect_site(&mut self, input: &JsValue) -> Result<bool, JsError> {
        self.settings
            .protect_site(&text(input, "the site")?)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Replaces the allow list from an imported JSON file; throws (changing nothing) listing
    /// every problem. Returns the number of sites.
    #[wasm_bindgen(js_name = importAllowlist)]
    pub fn import_allowlist(&mut self, file: &JsValue) -> Result<u32, JsError> {
        self.settings
            .import_allowlist(&text(file, "the file")?)
            .map(|n| n as u32)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// The dynamic declarativeNetRequest rules for the allow list (Chromium).
    #[wasm_bindgen(js_name = allowlistRules)]
    pub fn allowlist_rules(&self) -> Result<JsValue, JsError> {
        to_js(&blocking::allowlist_rules(&self.settings))
    }

    /// Firefox, per top-level or frame navigation (`kind` `main_frame` / `sub_frame`): the URL
    /// to go to instead (tracking parameters removed, or a click-tracking redirector skipped),
    /// or `undefined` to leave it alone. `top_url` is the tab's page (for frames).
    #[wasm_bindgen(js_name = rewriteNavigation)]
    pub fn rewrite_navigation(
        &self,
        url: &JsValue,
        kind: &JsValue,
        top_url: &JsValue,
    ) -> Option<String> {
        let (url, kind) = (url.as_string()?, kind.as_string()?);
        let top = top_url.as_string().unwrap_or_default();
        links::for_navigation(&self.settings, &url, &kind, &top).map(|(to, _)| to)
    }

    /// Chromium: the dynamic rules that block pixels and beacons under the current settings
    /// (ids 4000..4999).
    #[wasm_bindgen(js_name = pixelRules)]
    pub fn pixel_rules(&self) -> Result<JsValue, JsError> {
        to_js(&pixels::rules::dnr_rules(&self.settings))
    }

    /// Chromium: the dynamic rules for tracked links under the current settings; redirector
    /// URLs go whole to `skip_page_url` (the extension's skip page).
    #[wasm_bindgen(js_name = linkRules)]
    pub fn link_rules(&self, skip_page_url: &JsValue) -> Result<JsValue, JsError> {
        to_js(&links::dnr_rules_for(
            &self.settings,
            &text(skip_page_url, "the skip page URL")?,
        ))
    }

    /// The destination of a known click-tracking redirector URL, or `undefined` (the skip page
    /// asks this with the URL its rule sent it): the same decision Firefox makes for a top-level
    /// navigation to that URL.
    #[wasm_bindgen(js_name = skipRedirector)]
    pub fn skip_redirector(&self, url: &JsValue) -> Option<String> {
        match links::for_navigation(&self.settings, &url.as_string()?, "main_frame", "") {
            Some((to, links::Rewrite::SkippedRedirector)) => Some(to),
            _ => None,
        }
    }

    /// Adds known cookie names in the curated table's format (the build's
    /// `extension/cookies/known.tsv`, from the Open Cookie Database) behind the curated names.
    /// Returns how many were read; unreadable lines are skipped.
    #[wasm_bindgen(js_name = loadCookieKnowledge)]
    pub fn load_cookie_knowledge(&mut self, tsv: &JsValue) -> Result<u32, JsError> {
        let tsv = text(tsv, "the cookie table")?;
        let (table, _errors) = cookies::parse_tsv(&tsv, cookies::Source::OpenCookieDatabase);
        let n = table.len();
        self.classifier = Some(cookies::Classifier::with_ocd(table));
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// What the cookie policy makes of a cookie as the `cookies` API reports it:
    /// `{purpose, confidence, reason, site, thirdParty, context, allowlisted, action}` with
    /// `action` one of `keep`, `remove`, `remove-at-session-end`. `openSites`: the sites of the
    /// open top-level pages; `embedders`: those whose pages loaded something from the cookie's
    /// site; `now`: seconds since the epoch. Throws for a value that is not a cookie object.
    #[wasm_bindgen(js_name = judgeCookie)]
    pub fn judge_cookie(
        &mut self,
        cookie: JsValue,
        open_sites: &JsValue,
        embedders: &JsValue,
        now: f64,
    ) -> Result<JsValue, JsError> {
        let open_sites = strings(open_sites, "the open sites", MAX_LIST)?;
        let embedders = strings(embedders, "the embedding sites", MAX_LIST)?;
        let cookie: cookies::enforce::BrowserCookie = serde_wasm_bindgen::from_value(cookie)
            .map_err(|e| JsError::new(&format!("not a cookie: {e}")))?;
        let ctx = cookies::enforce::Context {
            now,
            open_sites: &open_sites,
            embedders: &embedders,
        };
        let classifier = self
            .classifier
            .get_or_insert_with(cookies::Classifier::builtin);
        to_js(&cookies::enforce::judge(
            &self.settings,
            classifier,
            &cookie,
            &ctx,
        ))
    }

    /// Chromium: the dynamic rules that strip the cookie headers of third-party requests to
    /// trackers whose purpose the cookie policy refuses (ids 5000..5099).
    #[wasm_bindgen(js_name = cookieRules)]
    pub fn cookie_rules(&self) -> Result<JsValue, JsError> {
        to_js(&cookies::rules::dnr_rules(&self.settings))
    }

    /// Firefox, per request: whether to remove the `Cookie` and `Set-Cookie` headers of a request
    /// to `url` from a page at `top_url` (the same decision as `cookieRules`).
    #[wasm_bindgen(js_name = stripsCookieHeaders)]
    pub fn strips_cookie_headers(&self, url: &JsValue, top_url: &JsValue) -> bool {
        let (Some(url), Some(top)) = (url.as_string(), top_url.as_string()) else {
            return false;
        };
        cookies::enforce::strips_headers(&self.settings, &url, &top)
    }

    /// Replaces the user's custom filter lines (at most 256 KiB; throws beyond, changing
    /// nothing) and returns what compiling them gave (see `customFilters`).
    #[wasm_bindgen(js_name = setCustomFilters)]
    pub fn set_custom_filters(&mut self, text: &JsValue) -> Result<JsValue, JsError> {
        let text = self::text(text, "the custom filters")?;
        if text.len() > settings::MAX_CUSTOM_FILTERS {
            return Err(JsError::new(&format!(
                "custom filters are limited to {} KiB",
                settings::MAX_CUSTOM_FILTERS / 1024
            )));
        }
        self.settings.custom_filters = text;
        self.custom = std::cell::OnceCell::new();
        self.custom_filters()
    }

    /// The user's custom filters: `{text, filters, rules, limit, errors: [{line, text, message}]}`
    /// (`rules`: how many Chromium rules they make).
    #[wasm_bindgen(js_name = customFilters)]
    pub fn custom_filters(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Summary<'a> {
            text: &'a str,
            filters: usize,
            rules: usize,
            limit: usize,
            errors: &'a [custom::LineProblem],
        }
        let c = custom::compile(&self.settings.custom_filters);
        to_js(&Summary {
            text: &self.settings.custom_filters,
            filters: c.filters,
            rules: c.rules.len(),
            limit: c.limit,
            errors: &c.errors,
        })
    }

    /// Chromium: the dynamic rules of the user's custom filters (ids 10000..).
    #[wasm_bindgen(js_name = customRules)]
    pub fn custom_rules(&self) -> Result<JsValue, JsError> {
        to_js(&custom::compile(&self.settings.custom_filters).rules)
    }

    /// Firefox, per request, before `decide`: 64 when one of the user's filters blocks the
    /// request, 65 when one of their exceptions allows it, 0 when theirs say nothing (or the
    /// page's site is allow-listed) and `decide` has the say.
    #[wasm_bindgen(js_name = decideCustom)]
    pub fn decide_custom(
        &self,
        url: &JsValue,
        source_url: &JsValue,
        kind: &JsValue,
        top_url: &JsValue,
    ) -> u32 {
        if self.settings.custom_filters.is_empty() {
            return 0;
        }
        let s = |v: &JsValue| v.as_string().unwrap_or_default();
        let engine = self
            .custom
            .get_or_init(|| custom::CustomBlocker::new(&self.settings));
        match engine.decide(
            &self.settings,
            &s(url),
            &s(source_url),
            &s(kind),
            &s(top_url),
        ) {
            Some(custom::CustomVerdict::Blocked) => 64,
            Some(custom::CustomVerdict::Excepted) => 65,
            None => 0,
        }
    }

    /// The header names and values the signals send, as `[[name, value], ...]`.
    #[wasm_bindgen(js_name = signalHeaders)]
    pub fn signal_headers() -> Result<JsValue, JsError> {
        to_js(&signals::HEADERS)
    }

    /// What to do about consent banners on the page at `top_url` (the tab's page):
    /// `{autoDecline, hideBanners, excepted, allowlisted}`; everything off for a non-web page.
    #[wasm_bindgen(js_name = consentPolicy)]
    pub fn consent_policy(&self, top_url: &JsValue) -> Result<JsValue, JsError> {
        let url = top_url.as_string().unwrap_or_default();
        to_js(&consent::policy(&self.settings, &url))
    }

    /// Leaves consent banners alone on a site (`excepted` true) or handles them again; returns
    /// the normalised site. Throws for something that is not a site.
    #[wasm_bindgen(js_name = setConsentException)]
    pub fn set_consent_exception(
        &mut self,
        site: &JsValue,
        excepted: bool,
    ) -> Result<String, JsError> {
        let input = text(site, "the site")?;
        let result = if excepted {
            self.settings.add_consent_exception(&input)
        } else {
            self.settings
                .remove_consent_exception(&input)
                .and_then(|_| SiteKey::parse_user_input(&input).map_err(Into::into))
        };
        result
            .map(|s| s.to_string())
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Loads the cookie-notice cosmetic filters (`extension/engine/consent.bin`); throws for a
    /// damaged file (the previous filters, if any, stay).
    #[wasm_bindgen(js_name = loadBannerHider)]
    pub fn load_banner_hider(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        let h =
            consent::BannerHider::deserialize(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        self.hider = Some(h);
        Ok(())
    }

    /// The hiding selectors of a page known from its URL: `{hide: string[], exceptions:
    /// string[], generichide: boolean}` (empty before `loadBannerHider`).
    #[wasm_bindgen(js_name = bannerSelectors)]
    pub fn banner_selectors(&self, url: &JsValue) -> Result<JsValue, JsError> {
        let url = url.as_string().unwrap_or_default();
        match &self.hider {
            Some(h) => to_js(&h.page(&url)),
            None => to_js(&consent::PageSelectors::default()),
        }
    }

    /// The generic hiding selectors for the classes and ids a page uses (names without `.`/`#`),
    /// minus the page's `exceptions` from `bannerSelectors`.
    #[wasm_bindgen(js_name = bannerClassIdSelectors)]
    pub fn banner_class_id_selectors(
        &self,
        classes: &JsValue,
        ids: &JsValue,
        exceptions: &JsValue,
    ) -> Result<Vec<String>, JsError> {
        let classes = strings(classes, "the classes", MAX_LIST)?;
        let ids = strings(ids, "the ids", MAX_LIST)?;
        let exceptions = strings(exceptions, "the exceptions", MAX_LIST)?;
        Ok(match &self.hider {
            Some(h) => h.class_id_selectors(&classes, &ids, &exceptions),
            None => Vec::new(),
        })
    }

    /// The style sheet that hides `selectors` (one rule per selector; unsafe ones left out);
    /// `soft` keeps their layout box (invisible and inert) while autoconsent may still need them.
    #[wasm_bindgen(js_name = bannerStyleSheet)]
    pub fn banner_style_sheet(selectors: &JsValue, soft: bool) -> Result<String, JsError> {
        let selectors = strings(selectors, "the selectors", MAX_LIST)?;
        Ok(consent::style_sheet(&selectors, soft))
    }

    /// Build time only (`cargo xtask build` runs it in Node): the cookie-notice lists' text as a
    /// serialised banner hider. Built by the WebAssembly module itself because adblock's
    /// serialised cosmetic indexes hash with the platform's `usize`: one serialised by a 64-bit
    /// build is not found by the 32-bit WebAssembly one.
    #[wasm_bindgen(js_name = buildBannerHider)]
    pub fn build_banner_hider(text: &JsValue) -> Result<Vec<u8>, JsError> {
        let text = self::text(text, "the lists")?;
        Ok(consent::BannerHider::build(&[&text]).serialize())
    }

    /// Opt-out attempts per tab and site before a banner that keeps coming back is given up.
    #[wasm_bindgen(js_name = consentMaxAttempts)]
    pub fn consent_max_attempts() -> u32 {
        consent::MAX_ATTEMPTS
    }
}
