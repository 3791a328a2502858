//! `cargo xtask test` and `cargo xtask run`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use crate::bench;
use crate::build;
use crate::fuzz;
use crate::util::{step, Result};

const SUITES: [&str; 7] = [
    "unit",
    "fuzz",
    "wasm",
    "lint",
    "bench-smoke",
    "e2e-chromium",
    "e2e-firefox",
];

/// Browsers the end-to-end suites drive, with the Debian package that provides each.
const BROWSERS: [(&str, &[&str], &str); 2] = [
    (
        "chromium",
        &["/usr/lib/chromium/chromium", "/usr/bin/chromium"],
        "chromium",
    ),
    (
        "firefox",
        &["/usr/bin/firefox-esr", "/usr/lib/firefox-esr/firefox-esr"],
        "firefox-esr",
    ),
];

#[derive(Default)]
struct Tally {
    rows: Vec<(String, u64, u64, u64, f64)>,
}

impl Tally {
    fn add(&mut self, suite: &str, c: Counts, secs: f64) {
        self.rows
            .push((suite.to_owned(), c.passed, c.failed, c.skipped, secs));
    }
}

#[derive(Default, Clone, Copy)]
struct Counts {
    passed: u64,
    failed: u64,
    skipped: u64,
}

impl Counts {
    /// Both tallies together.
    fn plus(self, other: Counts) -> Counts {
        Counts {
            passed: self.passed + other.passed,
            failed: self.failed + other.failed,
            skipped: self.skipped + other.skipped,
        }
    }
}

/// Runs the selected suites (all by default) and prints one summary line.
pub fn test(args: &[String]) -> Result<ExitCode> {
    let mut only: Vec<String> = SUITES.iter().map(|s| s.to_string()).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--only" => {
                let list = it.next().ok_or("--only needs a list of suites")?;
                only = list.split(',').map(str::to_owned).collect();
                if let Some(bad) = only.iter().find(|s| !SUITES.contains(&s.as_str())) {
                    return Err(format!(
                        "unknown suite {bad}; suites: {}",
                        SUITES.join(", ")
                    ));
                }
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    let root = build::build()?;
    match std::env::var("CRUMBWALL_DATA") {
        Ok(d) => step(&format!("CRUMBWALL_DATA={d}")),
        Err(_) => step(
            "CRUMBWALL_DATA is not set: tests that need the shared data sets will say they skipped",
        ),
    }
    let mut tally = Tally::default();
    for suite in SUITES.iter().filter(|s| only.iter().any(|o| o == *s)) {
        step(&format!("suite {suite}"));
        let started = Instant::now();
        let counts = match *suite {
            "unit" => unit(&root),
            "fuzz" => {
                let (passed, failed) = fuzz::smoke_suite(&root);
                Counts {
                    passed,
                    failed,
                    ..Counts::default()
                }
            }
            "wasm" => node_tests(&root, &root.join("tests").join("wasm"), &[]),
            "lint" => lint(&root).plus(fmt_check(&root)),
            "bench-smoke" => {
                let (passed, failed, skipped) = bench::smoke(&root);
                Counts {
                    passed,
                    failed,
                    skipped,
                }
            }
            e2e => {
                let browser = e2e.trim_start_matches("e2e-");
                match find_browser(browser) {
                    Ok(exe) => node_tests(
                        &root,
                        &root.join("tests").join("e2e"),
                        &[
                            ("CRUMBWALL_E2E_BROWSER", browser),
                            ("CRUMBWALL_BROWSER_PATH", &exe.to_string_lossy()),
                        ],
                    ),
                    Err(msg) => {
                        eprintln!("xtask: {msg}");
                        Counts {
                            failed: 1,
                            ..Counts::default()
                        }
                    }
                }
            }
        };
        tally.add(suite, counts, started.elapsed().as_secs_f64());
    }
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    println!();
    for (suite, p, f, s, secs) in &tally.rows {
        println!("  {suite:<14} {p:>4} passed {f:>3} failed {s:>3} skipped  ({secs:.1} s)");
        passed += p;
        failed += f;
        skipped += s;
    }
    if skipped > 0 {
        println!("{passed} passed, {failed} failed, {skipped} skipped");
    } else {
        println!("{passed} passed, {failed} failed");
    }
    Ok(if failed == 0 && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn find_browser(name: &str) -> std::result::Result<PathBuf, String> {
    let (_, paths, package) = BROWSERS
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or("unknown browser")?;
    paths
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| format!("{name} is not installed: install it with `sudo apt-get install {package}` (Debian)"))
}

/// Runs a command, echoing its output while keeping the lines for counting.
fn run_capture(cmd: &mut Command) -> (Vec<String>, bool) {
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            eprintln!("xtask: cannot start {cmd:?}: {e}");
            return (Vec::new(), false);
        }
    };
    let mut lines = Vec::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            lines.push(line);
        }
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    (lines, ok)
}

fn unit(root: &Path) -> Counts {
    let (lines, ok) = run_capture(
        Command::new("cargo")
            .args(["test", "--workspace", "--color", "never"])
            .current_dir(root),
    );
    let mut c = Counts::default();
    for l in &lines {
        // "test result: ok. 15 passed; 0 failed; 0 ignored; ..."
        if let Some(rest) = l.strip_prefix("test result: ") {
            for part in rest.split(';') {
                let words: Vec<&str> = part.split_whitespace().collect();
                let n = |i: usize| {
                    words
                        .get(i)
                        .and_then(|w| w.parse::<u64>().ok())
                        .unwrap_or(0)
                };
                match words.last() {
                    Some(&"passed") => c.passed += n(words.len() - 2),
                    Some(&"failed") => c.failed += n(words.len() - 2),
                    Some(&"ignored") => c.skipped += n(words.len() - 2),
                    _ => {}
                }
            }
        }
    }
    if !ok && c.failed == 0 {
        c.failed = 1; // a build failure counts
    }
    c
}

/// Runs every `*.test.mjs` under `dir` with Node's test runner, one file at a time.
fn node_tests(root: &Path, dir: &Path, env: &[(&str, &str)]) -> Counts {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.to_string_lossy().ends_with(".test.mjs") {
                files.push(p);
            }
        }
    }
    files.sort();
    if files.is_empty() {
        eprintln!("xtask: no tests found in {}", dir.display());
        return Counts {
            failed: 1,
            ..Counts::default()
        };
    }
    let mut cmd = Command::new("node");
    cmd.args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
        .args(&files)
        .current_dir(root);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let (lines, ok) = run_capture(&mut cmd);
    let mut c = Counts::default();
    for l in &lines {
        let l = l.trim_start_matches(|ch: char| !ch.is_ascii_alphabetic());
        let num = |p: &str| l.strip_prefix(p).and_then(|r| r.trim().parse::<u64>().ok());
        if let Some(n) = num("pass ") {
            c.passed += n;
        } else if let Some(n) = num("fail ") {
            c.failed += n;
        } else if let Some(n) = num("skipped ") {
            c.skipped += n;
        } else if let Some(n) = num("cancelled ") {
            c.failed += n;
        }
    }
    if !ok && c.failed == 0 {
        c.failed = 1;
    }
    c
}

/// `web-ext lint` on the Firefox build: one test, passing with 0 errors.
/// `cargo fmt --all -- --check`: one passed or failed test (the diff is printed on failure).
fn fmt_check(root: &Path) -> Counts {
    let has_fmt = |r: &Path| {
        Command::new("cargo")
            .args(["fmt", "--version"])
            .current_dir(r)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has_fmt(root) {
        eprintln!("xtask: installing rustfmt (rustup component add rustfmt)");
        let _ = Command::new("rustup")
            .args(["component", "add", "rustfmt"])
            .status();
    }
    let ok = Command::new("cargo")
        .args(["fmt", "--all", "--", "--check"])
        .current_dir(root)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("xtask: `cargo fmt --all -- --check` failed: run `cargo fmt --all`");
    }
    Counts {
        passed: u64::from(ok),
        failed: u64::from(!ok),
        ..Counts::default()
    }
}

fn lint(root: &Path) -> Counts {
    let source = root.join("target").join("unpacked").join("firefox");
    let web_ext = root.join("node_modules").join(".bin").join("web-ext");
    let out = Command::new(&web_ext)
        .args([
            "lint",
            "--output",
            "json",
            "--no-config-discovery",
            "--source-dir",
        ])
        .arg(&source)
        .current_dir(root)
        .output();
    let fail = Counts {
        failed: 1,
        ..Counts::default()
    };
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            eprintln!("xtask: cannot run web-ext: {e}");
            return fail;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = match text
        .find('{')
        .and_then(|i| serde_json::from_str(&text[i..]).ok())
    {
        Some(v) => v,
        None => {
            eprintln!("xtask: web-ext lint gave no JSON:\n{text}");
            return fail;
        }
    };
    let count = |k: &str| json["summary"][k].as_u64().unwrap_or(0);
    for kind in ["errors", "warnings", "notices"] {
        for m in json[kind].as_array().into_iter().flatten() {
            println!(
                "  web-ext {kind}: {} {} ({})",
                m["code"].as_str().unwrap_or(""),
                m["message"].as_str().unwrap_or(""),
                m["file"].as_str().unwrap_or("")
            );
        }
    }
    println!(
        "web-ext lint: {} errors, {} warnings, {} notices",
        count("errors"),
        count("warnings"),
        count("notices")
    );
    if count("errors") == 0 {
        Counts {
            passed: 1,
            ..Counts::default()
        }
    } else {
        fail
    }
}

/// `cargo xtask run`: build, then open the demo page with the extension in a visible browser.
pub fn run_demo(args: &[String]) -> Result<ExitCode> {
    let mut browser = "chromium".to_owned();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--browser" => {
                browser = it
                    .next()
                    .ok_or("--browser needs chromium or firefox")?
                    .clone()
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if !matches!(browser.as_str(), "chromium" | "firefox") {
        return Err(format!(
            "unknown browser {browser}: use chromium or firefox"
        ));
    }
    let exe = find_browser(&browser)?;
    let root = build::build()?;
    let status = Command::new("node")
        .arg(root.join("tests").join("demo.mjs"))
        .args(["--browser", &browser])
        .env("CRUMBWALL_BROWSER_PATH", exe)
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cannot start node: {e}"))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
