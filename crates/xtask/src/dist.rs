//! Assembles the per-browser zips from the repository root (which also loads unpacked).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use zip::write::SimpleFileOptions;

use crate::util::{step, Result};

/// What goes into a zip: the manifest, locales, licence and the extension's runtime files.
fn shipped_files(root: &Path) -> Result<Vec<PathBuf>> {
    let mut files = vec![PathBuf::from("LICENSE")];
    for dir in ["_locales", "extension"] {
        collect(root, &root.join(dir), &mut files)?;
    }
    files.retain(|f| {
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
        matches!(
            ext,
            "js" | "json" | "html" | "css" | "png" | "wasm" | "svg" | "bin"
        ) || f == Path::new("LICENSE")
            // Bundled third-party code keeps its licence beside it.
            || (f.starts_with("extension/vendor") && ext == "txt")
    });
    files.sort();
    Ok(files)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_path_buf());
        }
    }
    Ok(())
}

/// The manifest as one browser needs it: the shared manifest without the other browser's keys.
pub fn manifest_for(root: &Path, browser: &str) -> Result<Value> {
    let text = std::fs::read_to_string(root.join("manifest.json"))
        .map_err(|e| format!("manifest.json: {e}"))?;
    let mut m: Value = serde_json::from_str(&text).map_err(|e| format!("manifest.json: {e}"))?;
    let obj = m.as_object_mut().ok_or("manifest.json is not an object")?;
    match browser {
        "chrome" => {
            if let Some(bg) = obj.get_mut("background").and_then(Value::as_object_mut) {
                bg.remove("scripts");
            }
            obj.remove("browser_specific_settings");
            // Chromium MV3 has no blocking webRequest: blocking and signals are declarativeNetRequest
            // rules; webRequest only observes outcomes for the per-tab counts.
            if let Some(p) = obj.get_mut("permissions").and_then(Value::as_array_mut) {
                p.retain(|v| v.as_str() != Some("webRequestBlocking"));
            }
        }
        "firefox" => {
            if let Some(bg) = obj.get_mut("background").and_then(Value::as_object_mut) {
                bg.remove("service_worker");
            }
            // Firefox blocks from its webRequest listener with the WASM engine, not static rules.
            obj.remove("declarative_net_request");
            obj.remove("minimum_chrome_version");
            // Only Chromium's link rules redirect to the skip page; Firefox rewrites in its
            // listener, so no page of the extension needs to be reachable from the web.
            obj.remove("web_accessible_resources");
        }
        other => return Err(format!("unknown browser {other}")),
    }
    Ok(m)
}

/// The event page's first script (`background.scripts`), which Chromium's service worker never loads.
const FIREFOX_ONLY_SCRIPT: &str = "extension/background/early.js";

/// Writes `dist/crumbwall-{chrome,firefox}.zip` and the unpacked copies under `target/unpacked/`.
pub fn assemble(root: &Path) -> Result<()> {
    let all = shipped_files(root)?;
    if !all.iter().any(|f| f.ends_with("crumbwall_wasm_bg.wasm")) {
        return Err("extension/pkg has no WASM module; the WASM build did not run".into());
    }
    let dist = root.join("dist");
    std::fs::create_dir_all(&dist).map_err(|e| e.to_string())?;
    for browser in ["chrome", "firefox"] {
        // Each browser gets only its enforcement data: Chrome the rulesets, Firefox doesn't need
        // them; and only the background scripts its manifest names (early.js is Firefox's).
        let files: Vec<&PathBuf> = all
            .iter()
            .filter(|f| {
                let chrome_ruleset = f.starts_with("extension/rules")
                    && f.file_name().is_some_and(|n| n != "lists.json");
                let firefox_script = f.as_path() == Path::new(FIREFOX_ONLY_SCRIPT);
                match browser {
                    "firefox" => !chrome_ruleset,
                    _ => !firefox_script,
                }
            })
            .collect();
        let manifest =
            serde_json::to_vec_pretty(&manifest_for(root, browser)?).map_err(|e| e.to_string())?;
        let zip_path = dist.join(format!("crumbwall-{browser}.zip"));
        let tmp = zip_path.with_extension("zip.tmp");
        let file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let mut zip = zip::ZipWriter::new(file);
        // Fixed timestamps: the same sources give the same zip.
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        let unpacked = root.join("target").join("unpacked").join(browser);
        let _ = std::fs::remove_dir_all(&unpacked);
        let mut put = |name: &str, data: &[u8]| -> Result<()> {
            zip.start_file(name, opts).map_err(|e| e.to_string())?;
            zip.write_all(data).map_err(|e| e.to_string())?;
            let dest = unpacked.join(name);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("{}: {e}", parent.display()))?;
            }
            std::fs::write(&dest, data).map_err(|e| format!("{}: {e}", dest.display()))
        };
        put("manifest.json", &manifest)?;
        for f in files.iter().copied() {
            let data = std::fs::read(root.join(f)).map_err(|e| format!("{}: {e}", f.display()))?;
            put(&f.to_string_lossy().replace('\\', "/"), &data)?;
        }
        zip.finish().map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &zip_path).map_err(|e| format!("{}: {e}", zip_path.display()))?;
        let size = std::fs::metadata(&zip_path).map(|m| m.len()).unwrap_or(0);
        step(&format!(
            "dist/crumbwall-{browser}.zip: {} files, {size} bytes",
            files.len() + 1
        ));
    }
    Ok(())
}

/// Size of a file after gzip -9 (what a download costs).
pub fn gzip_len(path: &Path) -> Result<u64> {
    let data = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&data).map_err(|e| e.to_string())?;
    Ok(enc.finish().map_err(|e| e.to_string())?.len() as u64)
}
