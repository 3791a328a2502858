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
