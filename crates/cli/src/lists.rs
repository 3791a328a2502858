//! `lists.toml`: which filter lists exist, their category, publisher URL and licence.

use std::path::{Path, PathBuf};

use crumbwall_core::Category;
use serde::Deserialize;

/// One filter list as declared in `lists.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListMeta {
    /// Short stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `advertising`, `statistical`, `social` or `consent`.
    pub category: String,
    /// Upstream file name (looked up in the filters directory).
    pub file: String,
    /// Publisher URL, for downloads.
    pub url: String,
    /// SPDX-style licence.
    pub licence: String,
    /// Publisher's home page.
    #[serde(default)]
    pub homepage: String,
    /// `network` (compiled into blocking) or `cosmetic` (kept for the consent feature).
    #[serde(rename = "use")]
    pub usage: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListsFile {
    list: Vec<ListMeta>,
}

impl ListMeta {
    /// The parsed category.
    pub fn category(&self) -> Category {
        Category::parse(&self.category).unwrap_or(Category::Advertising)
    }

    /// Whether the list is compiled into blocking rules.
    pub fn is_network(&self) -> bool {
        self.usage == "network"
    }
}

/// Reads and validates `lists.toml`.
pub fn read(path: &Path) -> Result<Vec<ListMeta>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: ListsFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    for l in &file.list {
        if Category::parse(&l.category).is_none() {
            return Err(format!(
                "{}: list `{}` has unknown category `{}`",
                path.display(),
                l.id,
                l.category
            ));
        }
        if !matches!(l.usage.as_str(), "network" | "cosmetic") {
            return Err(format!(
                "{}: list `{}`: `use` must be \"network\" or \"cosmetic\"",
                path.display(),
                l.id
            ));
        }
    }
    Ok(file.list)
}

/// The default directory holding list files: `$CRUMBWALL_DATA/filters`, else the download cache.
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CRUMBWALL_DATA") {
        return PathBuf::from(d).join("filters");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cache").join("crumbwall").join("lists")
}

/// A list's text, or a clear error naming the list when the file is missing or empty.
pub fn load_text(dir: &Path, meta: &ListMeta) -> Result<String, String> {
    let path = dir.join(&meta.file);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "list `{}` ({}): cannot read {}: {e}",
            meta.id,
            meta.name,
            path.display()
        )
    })?;
    if text.lines().all(|l| {
        l.trim().is_empty() || l.trim_start().starts_with('!') || l.trim_start().starts_with('[')
    }) {
        return Err(format!(
            "list `{}` ({}): {} has no filters",
            meta.id,
            meta.name,
            path.display()
        ));
    }
    Ok(text)
}

/// The list's version: its `! Last modified:` or `! Version:` header, if any.
pub fn version_of(text: &str) -> Option<String> {
    text.lines()
        .take(60)
        .filter_map(|l| l.strip_prefix('!'))
        .map(str::trim)
        .find_map(|l| {
            l.strip_prefix("Last modified:")
                .or_else(|| l.strip_prefix("Version:"))
        })
        .map(|v| v.trim().to_owned())
}
