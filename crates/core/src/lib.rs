//! # crumbwall-core
//!
//! Every decision Crumbwall makes lives here, in plain Rust with no JavaScript types, so it can be
//! unit-tested natively and compiled unchanged to WebAssembly by the `crumbwall-wasm` facade.
//!
//! One module per concern:
//! - [`site`]: [`site::SiteKey`], the registrable domain (eTLD+1) that names "a site".
//! - [`url`]: a small, total URL splitter for the parts the core needs (scheme, host).
//! - [`settings`]: the user's choices as one versioned document: parsing, validation, migration.
//! - [`signals`]: Do Not Track and Global Privacy Control, and the browser rules that send them.
//! - [`dnr`]: declarativeNetRequest rule types shared by every rule generator.
//! - [`links`]: tracking parameters removed from navigations, and click-tracking redirectors skipped.
//! - [`pixels`]: web beacons and pixel tags, recognised from a request before it is sent.
//! - [`cookies`]: cookie purposes, the user's cookie policy and its enforcement.
//! - [`custom`]: the user's own filter lines, as Chromium rules and a Firefox engine.
//! - [`consent`]: cookie-consent banners: the per-page policy and the cookie-notice cosmetic filters.
//! - [`compile`], [`engine`], [`blocking`]: filter lists to Chromium rules, the Firefox engine,
//!   and the per-request decision.
//!
//! Nothing in this crate panics on input: every parser returns a `Result` or a safe default.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod blocking;
pub mod category;
pub mod compile;
pub mod consent;
pub mod cookies;
pub mod custom;
pub mod dnr;
pub mod engine;
pub mod links;
pub mod pixels;
pub mod settings;
pub mod signals;
pub mod site;
pub mod starter;
pub mod url;

pub use category::Category;
pub use settings::{Settings, SettingsLoad};
pub use site::SiteKey;
