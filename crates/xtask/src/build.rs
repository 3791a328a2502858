//! `cargo xtask build`: tools, WASM core, generated package, zips.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::dist;
use crate::util::{self, mtime, output, run, step, Result};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const WASM_CRATE: &str = "crumbwall-wasm";
const WASM_FILE: &str = "crumbwall_wasm";

/// Builds everything; returns the repository root.
pub fn build() -> Result<PathBuf> {
    let started = Instant::now();
    let root = util::root();
    ensure_wasm_target()?;
    let bindgen = ensure_wasm_bindgen(&root)?;
    ensure_npm(&root)?;
    vendor_autoconsent(&root)?;
    let lists_dir = obtain_lists(&root)?;
    let ocd = obtain_ocd();
    compile_lists(&root, &lists_dir, ocd.as_deref())?;
    build_wasm(&root, &bindgen)?;
    build_banner_hider(&root)?;
    dist::assemble(&root)?;
    step(&format!(
        "build finished in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(root)
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))
        .map_err(|e| format!("{e}\n(rustup is needed: see README)"))?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    step(&format!("installing the Rust target {WASM_TARGET}"));
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// The wasm-bindgen version the lockfile pins (the CLI must match it exactly).
fn locked_version(root: &Path, name: &str) -> Result<String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{name}\"") {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err(format!("{name} is not in Cargo.lock"))
}

fn ensure_wasm_bindgen(root: &Path) -> Result<PathBuf> {
    let version = locked_version(root, "wasm-bindgen")?;
    let dir = util::cache_dir()
        .join("tools")
        .join(format!("wasm-bindgen-{version}"));
    let bin = dir.join("bin").join("wasm-bindgen");
    let ok = |b: &Path| {
        output(Command::new(b).arg("--version"))
            .map(|v| v.split_whitespace().nth(1) == Some(version.as_str()))
            .unwrap_or(false)
    };
    if bin.is_file() && ok(&bin) {
        return Ok(bin);
    }
    step(&format!(
        "installing wasm-bindgen-cli {version} into {} (once; takes several minutes)",
        dir.display()
    ));
    // Not --locked: the CLI's own lockfile pins a crate version the registry no longer serves.
    run(Command::new("cargo")
        .args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--root",
        ])
        .arg(&dir))?;
    if !ok(&bin) {
        return Err(format!(
            "{} does not report version {version}",
            bin.display()
        ));
    }
    Ok(bin)
}

fn ensure_npm(root: &Path) -> Result<()> {
    let lock = root.join("package-lock.json");
    let stamp = root.join("node_modules").join(".package-lock.json");
    if stamp.is_file()
        && mtime(&stamp) >= mtime(&lock)
        && root.join("node_modules/.bin/wasm-opt").exists()
    {
        return Ok(());
    }
    if util::which("npm").is_none() {
        return Err("npm is not installed (Node.js 20 with npm is needed: see README)".into());
    }
    step("installing npm dependencies from package-lock.json");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root))
}

/// The npm package whose consent rules and content script the extension bundles (MPL-2.0).
const AUTOCONSENT: &str = "node_modules/@duckduckgo/autoconsent";

/// Copies `@duckduckgo/autoconsent` (installed from package-lock.json) into the git-ignored
/// `extension/vendor/autoconsent/`: its prebuilt MV3 content script, its compact rules, its ES
/// module (the background takes the rule filter and the predefined page snippets from it) and
/// its licence. Nothing is fetched at run time: the rules are the package's, fixed at build time.
fn vendor_autoconsent(root: &Path) -> Result<()> {
    let pkg = root.join(AUTOCONSENT);
    let out = root.join("extension").join("vendor").join("autoconsent");
    let files = [
        ("dist/addon-mv3/content.bundle.js", "content.bundle.js"),
        ("dist/addon-mv3/compact-rules.json", "compact-rules.json"),
        ("dist/autoconsent.esm.js", "autoconsent.esm.js"),
        ("LICENSE", "LICENSE.txt"),
        ("package.json", "package.json"),
    ];
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for (from, to) in files {
        let src = pkg.join(from);
        let data = std::fs::read(&src).map_err(|e| {
            format!(
                "{}: {e} (is @duckduckgo/autoconsent installed? run `npm ci`)",
                src.display()
            )
        })?;
        let dest = out.join(to);
        if std::fs::read(&dest).is_ok_and(|old| old == data) {
            continue;
        }
        std::fs::write(&dest, &data).map_err(|e| format!("{}: {e}", dest.display()))?;
    }
    let version = std::fs::read_to_string(pkg.join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["version"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    step(&format!(
        "extension/vendor/autoconsent: @duckduckgo/autoconsent {version} (MPL-2.0)"
    ));
    Ok(())
}

/// `(file, url)` of each list in `lists.toml` (a tiny reader: the CLI validates the file fully).
fn declared_lists(root: &Path) -> Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(root.join("lists.toml")).map_err(|e| format!("lists.toml: {e}"))?;
    let mut out = Vec::new();
    let mut file = None;
    for line in text.lines().map(str::trim) {
        let value = |l: &str, key: &str| {
            l.strip_prefix(key)
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('='))
                .map(|r| r.trim().trim_matches('"').to_owned())
        };
        if let Some(f) = value(line, "file") {
            file = Some(f);
        } else if let Some(u) = value(line, "url") {
            if let Some(f) = file.take() {
                out.push((f, u));
            }
        }
    }
    Ok(out)
}

/// Where the list files are: `$CRUMBWALL_DATA/filters` when set, else a download cache filled
/// from the publishers' URLs. Missing lists are reported loudly; the build goes on with what it has.
fn obtain_lists(root: &Path) -> Result<PathBuf> {
    let lists = declared_lists(root)?;
    let (dir, download) = match std::env::var_os("CRUMBWALL_DATA") {
        Some(d) => (PathBuf::from(d).join("filters"), false),
        None => (util::cache_dir().join("lists"), true),
    };
    std::fs::create_dir_all(&dir).ok();
    let mut missing = Vec::new();
    for (file, url) in &lists {
        let path = dir.join(file);
        if path.is_file() {
            continue;
        }
        if download && fetch(url, &path) {
            continue;
        }
        missing.push(file.clone());
    }
    if !missing.is_empty() {
        eprintln!();
        eprintln!("###########################################################################");
        eprintln!("## WARNING: filter lists missing: {}", missing.join(", "));
        eprintln!(
            "## (looked in {}{})",
            dir.display(),
            if download { ", download failed" } else { "" }
        );
        eprintln!("## The extension is built with what remains, at worst the built-in starter");
        eprintln!("## list only: it protects against far fewer trackers.");
        eprintln!("###########################################################################");
        eprintln!();
    }
    Ok(dir)
}

/// Downloads `url` to `path` (through a `.part` file, so a failed download leaves nothing).
fn fetch(url: &str, path: &Path) -> bool {
    step(&format!("downloading {url}"));
    let tmp = path.with_extension("part");
    let ok = Command::new("curl")
        .args(["-fsSL", "--max-time", "120", "-o"])
        .arg(&tmp)
        .arg(url)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok && std::fs::rename(&tmp, path).is_ok() {
        return true;
    }
    let _ = std::fs::remove_file(&tmp);
    false
}

/// The Open Cookie Database's publisher URL (Apache-2.0).
const OCD_URL: &str =
    "https://raw.githubusercontent.com/jkwakman/Open-Cookie-Database/master/open-cookie-database.csv";

/// The Open Cookie Database: `$CRUMBWALL_DATA/cookies/open-cookie-database.csv` when set, else
/// downloaded once into the cache. Without it the extension knows the curated cookie names only.
fn obtain_ocd() -> Option<PathBuf> {
    let path = match std::env::var_os("CRUMBWALL_DATA") {
        Some(d) => PathBuf::from(d).join("cookies/open-cookie-database.csv"),
        None => {
            let dir = util::cache_dir().join("cookies");
            std::fs::create_dir_all(&dir).ok();
            let path = dir.join("open-cookie-database.csv");
            if !path.is_file() {
                fetch(OCD_URL, &path);
            }
            path
        }
    };
    if path.is_file() {
        return Some(path);
    }
    eprintln!(
        "## WARNING: no Open Cookie Database ({}); cookies are classified with the curated names only",
        path.display()
    );
    None
}

/// Compiles the lists with the native `crumbwall compile` (rulesets, serialised engine, cookie
/// knowledge, report).
fn compile_lists(root: &Path, lists_dir: &Path, ocd: Option<&Path>) -> Result<()> {
    run(Command::new("cargo")
        .args([
            "build",
            "--quiet",
            "--release",
            "--package",
            "crumbwall-cli",
        ])
        .current_dir(root))?;
    let cli = root.join("target").join("release").join("crumbwall");
    let output = root.join("extension").join("engine").join("blocker.bin");
    let mut inputs = vec![cli.clone(), root.join("lists.toml")];
    for (file, _) in declared_lists(root)? {
        inputs.push(lists_dir.join(file));
    }
    inputs.extend(ocd.map(Path::to_path_buf));
    let known = root.join("extension").join("cookies").join("known.tsv");
    let newest = inputs
        .iter()
        .map(|p| mtime(p))
        .max()
        .unwrap_or(std::time::SystemTime::UNIX_EPOCH);
    let hider_lists = root.join("target").join("consent-lists.txt");
    if output.is_file() && known.is_file() && hider_lists.is_file() && mtime(&output) >= newest {
        step("filter lists are compiled and up to date");
        return Ok(());
    }
    step("compiling filter lists (crumbwall compile)");
    run(Command::new(&cli)
        .args(["compile", "--allow-missing", "--out"])
        .arg(root.join("extension"))
        .arg("--report")
        .arg(root.join("target"))
        .arg("--lists")
        .arg(root.join("lists.toml"))
        .arg("--filters")
        .arg(lists_dir)
        .args(
            ocd.map(|p| [std::ffi::OsStr::new("--ocd"), p.as_os_str()])
                .into_iter()
                .flatten(),
        )
        .current_dir(root))?;
    // Touch the engine so the up-to-date check holds even when its bytes did not change.
    let bytes = std::fs::read(&output).map_err(|e| format!("{}: {e}", output.display()))?;
    std::fs::write(&output, bytes).map_err(|e| e.to_string())
}

/// Serialises the cookie-notice lists (`target/consent-lists.txt`, from `crumbwall compile`) into
/// `extension/engine/consent.bin` with the WebAssembly module in Node: adblock's cosmetic indexes
/// hash with `usize`, so the file must be written by the same 32-bit code that reads it.
fn build_banner_hider(root: &Path) -> Result<()> {
    let lists = root.join("target").join("consent-lists.txt");
    let out = root.join("extension").join("engine").join("consent.bin");
    let wasm = root
        .join("extension")
        .join("pkg")
        .join(format!("{WASM_FILE}_bg.wasm"));
    if out.is_file() && mtime(&out) >= mtime(&lists) && mtime(&out) >= mtime(&wasm) {
        step("extension/engine/consent.bin is up to date");
        return Ok(());
    }
    step("building the cookie-banner filters with the WebAssembly module (node)");
    let script = "import { readFileSync, writeFileSync } from 'node:fs';\n\
        const [pkg, lists, out] = process.argv.slice(1);\n\
        const m = await import(pkg + '/crumbwall_wasm.js');\n\
        m.initSync({ module: readFileSync(pkg + '/crumbwall_wasm_bg.wasm') });\n\
        const bytes = m.Crumbwall.buildBannerHider(readFileSync(lists, 'utf8'));\n\
        writeFileSync(out, bytes);\n\
        console.log(`extension/engine/consent.bin: ${bytes.length} bytes`);\n";
    run(Command::new("node")
        .args(["--input-type=module", "-e", script])
        .arg(root.join("extension").join("pkg"))
        .arg(&lists)
        .arg(&out)
        .current_dir(root))
}

fn build_wasm(root: &Path, bindgen: &Path) -> Result<()> {
    step("building the core to WebAssembly (release)");
    run(Command::new("cargo")
        .args([
            "build",
            "--release",
            "--package",
            WASM_CRATE,
            "--target",
            WASM_TARGET,
        ])
        .current_dir(root))?;
    let raw = root
        .join("target")
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{WASM_FILE}.wasm"));
    let pkg = root.join("extension").join("pkg");
    let final_wasm = pkg.join(format!("{WASM_FILE}_bg.wasm"));
    if final_wasm.is_file()
        && mtime(&final_wasm) >= mtime(&raw)
        && pkg.join(format!("{WASM_FILE}.js")).is_file()
    {
        step("extension/pkg is up to date");
        return Ok(());
    }
    let gen = root.join("target").join("wasm-bindgen");
    std::fs::create_dir_all(&gen).map_err(|e| e.to_string())?;
    step("wasm-bindgen --target web");
    run(Command::new(bindgen)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&gen)
        .arg(&raw))?;
    std::fs::create_dir_all(&pkg).map_err(|e| e.to_string())?;
    std::fs::copy(
        gen.join(format!("{WASM_FILE}.js")),
        pkg.join(format!("{WASM_FILE}.js")),
    )
    .map_err(|e| e.to_string())?;
    step("wasm-opt -O3 (npm binaryen)");
    let wasm_opt = root.join("node_modules").join(".bin").join("wasm-opt");
    run(Command::new(&wasm_opt)
        .args([
            "-O3",
            "--enable-bulk-memory",
            "--enable-reference-types",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-multivalue",
            "--enable-mutable-globals",
            "--strip-debug",
            "--strip-producers",
        ])
        .arg(gen.join(format!("{WASM_FILE}_bg.wasm")))
        .arg("-o")
        .arg(&final_wasm))?;
    let size = std::fs::metadata(&final_wasm).map(|m| m.len()).unwrap_or(0);
    step(&format!(
        "extension/pkg/{WASM_FILE}_bg.wasm: {size} bytes raw, {} bytes gzip",
        dist::gzip_len(&final_wasm)?
    ));
    Ok(())
}
