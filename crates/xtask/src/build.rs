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
    let lists_dir = obtain_lists(&root)?;
    let ocd = obtain_ocd();
    compile_lists(&root, &lists_dir, ocd.as_deref())?;
    build_wasm(&root, &bindgen)?;
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
    if output.is_file() && known.is_file() && mtime(&output) >= newest {
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
