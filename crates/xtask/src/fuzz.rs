//! `cargo xtask fuzz`: the fuzz targets of `crates/fuzz-targets`.
//!
//! - `--smoke` (stable, seconds; part of `cargo xtask test`): the `fuzz-smoke` runner replays
//!   `fuzz/regressions/<target>/` and a few thousand structured-random inputs per target.
//! - otherwise: the real, coverage-guided libFuzzer run through cargo-fuzz, which needs the
//!   nightly toolchain and `cargo install cargo-fuzz`; findings land in `fuzz/artifacts/`.

use std::path::Path;
use std::process::{Command, ExitCode};

use crate::util::{root, step, Result};

/// The targets (`fuzz/fuzz_targets/<name>.rs`, `crumbwall_fuzz_targets::TARGETS`).
pub const TARGETS: [&str; 6] = [
    "compiler", "engine", "cookies", "urls", "settings", "import",
];

const USAGE: &str = "usage: cargo xtask fuzz [--smoke] [--target NAME] [--runs N] [--time SECONDS] [--sanitizer none|address]

  --smoke          stable: regression inputs plus N structured-random inputs per target (default 2000)
  --target NAME    one target (compiler, engine, cookies, urls, settings, import); default all, one after another
  --runs N         libFuzzer executions per target (default 10000000); with --smoke, random inputs
  --time SECONDS   libFuzzer: stop each target after this long instead (-max_total_time)
  --jobs J         libFuzzer: fuzz in J processes at once (-fork=J); --runs counts all of them together
  --sanitizer S    libFuzzer: cargo-fuzz sanitizer (default none: the core has no unsafe code)";

struct Args {
    smoke: bool,
    targets: Vec<String>,
    runs: Option<u64>,
    time: Option<u64>,
    jobs: u32,
    sanitizer: String,
}

fn parse(args: &[String]) -> Result<Args> {
    let mut a = Args {
        smoke: false,
        targets: TARGETS.iter().map(|t| t.to_string()).collect(),
        runs: None,
        time: None,
        jobs: 1,
        sanitizer: "none".into(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--smoke" => a.smoke = true,
            "--target" => {
                let t = value()?.clone();
                if !TARGETS.contains(&t.as_str()) {
                    return Err(format!(
                        "unknown target {t}; targets: {}",
                        TARGETS.join(", ")
                    ));
                }
                a.targets = vec![t];
            }
            "--runs" => a.runs = Some(value()?.parse().map_err(|e| format!("--runs: {e}"))?),
            "--time" => a.time = Some(value()?.parse().map_err(|e| format!("--time: {e}"))?),
            "--jobs" => {
                a.jobs = value()?.parse().map_err(|e| format!("--jobs: {e}"))?;
                if a.jobs == 0 {
                    return Err(format!("--jobs must be at least 1\n{USAGE}"));
                }
            }
            "--sanitizer" => a.sanitizer = value()?.clone(),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    Ok(a)
}

/// `cargo xtask fuzz ...`
pub fn fuzz(args: &[String]) -> Result<ExitCode> {
    let a = parse(args)?;
    let root = root();
    if a.smoke {
        return Ok(if smoke(&root, &a)?.0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    libfuzzer(&root, &a)
}

/// The smoke arguments for one run of `fuzz-smoke`.
fn smoke_command(root: &Path, targets: &[String], inputs: Option<u64>) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.args([
        "run",
        "--quiet",
        "--color",
        "never",
        "-p",
        "crumbwall-fuzz-targets",
        "--bin",
        "fuzz-smoke",
        "--",
        "--regressions",
    ])
    .arg(root.join("fuzz").join("regressions"))
    .current_dir(root);
    if let [one] = targets {
        cmd.args(["--target", one]);
    }
    if let Some(n) = inputs {
        cmd.args(["--inputs", &n.to_string()]);
    }
    cmd
}

/// Runs the smoke; returns whether it passed, and its output lines (for `cargo xtask test`).
fn smoke(root: &Path, a: &Args) -> Result<(bool, Vec<String>)> {
    step("fuzz smoke (stable): regression inputs and structured-random inputs per target");
    let mut cmd = smoke_command(root, &a.targets, a.runs);
    let out = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    Ok((
        out.status.success(),
        text.lines().map(str::to_owned).collect(),
    ))
}

/// The smoke as a test suite: the runner's own `N passed, N failed`.
pub fn smoke_suite(root: &Path) -> (u64, u64) {
    let a = Args {
        smoke: true,
        targets: TARGETS.iter().map(|t| t.to_string()).collect(),
        runs: None,
        time: None,
        jobs: 1,
        sanitizer: String::new(),
    };
    let (ok, lines) = match smoke(root, &a) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("xtask: {e}");
            return (0, 1);
        }
    };
    let counts = lines.iter().rev().find_map(|l| {
        let (p, f) = l.split_once(" passed, ")?;
        let f = f.strip_suffix(" failed")?;
        Some((p.trim().parse::<u64>().ok()?, f.trim().parse::<u64>().ok()?))
    });
    match counts {
        Some((p, f)) if ok || f > 0 => (p, f),
        Some((p, _)) => (p, 1),
        None => {
            eprintln!("xtask: the fuzz smoke printed no counts (did it build?)");
            (0, 1)
        }
    }
}

fn works(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

/// The coverage-guided run: `cargo +nightly fuzz run` per target.
fn libfuzzer(root: &Path, a: &Args) -> Result<ExitCode> {
    let fuzz_dir = root.join("fuzz");
    if !works(Command::new("cargo").args(["+nightly", "--version"])) {
        return Err(
            "the real fuzzer needs the nightly toolchain: `rustup toolchain install nightly` \
             (or run the stable smoke: `cargo xtask fuzz --smoke`)"
                .into(),
        );
    }
    if !works(
        Command::new("cargo")
            .args(["+nightly", "fuzz", "--version"])
            .current_dir(&fuzz_dir),
    ) {
        return Err(
            "the real fuzzer needs cargo-fuzz: `cargo install cargo-fuzz` \
             (or run the stable smoke: `cargo xtask fuzz --smoke`)"
                .into(),
        );
    }
    let mut failed = Vec::new();
    for t in &a.targets {
        let corpus = fuzz_dir.join("corpus").join(t);
        std::fs::create_dir_all(&corpus)
            .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let mut cmd = Command::new("cargo");
        cmd.args(["+nightly", "fuzz", "run", "--debug-assertions", "-s"])
            .arg(&a.sanitizer)
            .arg(t)
            .arg(&corpus)
            .arg(fuzz_dir.join("regressions").join(t))
            .arg("--")
            .arg("-timeout=10")
            .arg("-print_final_stats=1");
        if a.jobs > 1 {
            // Fork mode: the parent merges the children's finds into the corpus, stops at the
            // first crash, and counts -runs over all children.
            cmd.arg(format!("-fork={}", a.jobs));
        }
        let dict = fuzz_dir.join("dicts").join(format!("{t}.dict"));
        if dict.is_file() {
            cmd.arg(format!("-dict={}", dict.display()));
        }
        match (a.time, a.runs) {
            (Some(secs), runs) => {
                cmd.arg(format!("-max_total_time={secs}"));
                if let Some(r) = runs {
                    cmd.arg(format!("-runs={r}"));
                }
            }
            (None, runs) => {
                cmd.arg(format!("-runs={}", runs.unwrap_or(10_000_000)));
            }
        }
        cmd.current_dir(&fuzz_dir);
        step(&format!("fuzz {t}: {cmd:?}"));
        let ok = cmd.status().is_ok_and(|s| s.success());
        if !ok {
            eprintln!(
                "xtask: fuzz target {t} failed: the input is in fuzz/artifacts/{t}/; minimise it with \
                 `cargo +nightly fuzz tmin -s {} {t} <file>` and add it to fuzz/regressions/{t}/",
                a.sanitizer
            );
            failed.push(t.clone());
        }
    }
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(format!("fuzz targets with findings: {}", failed.join(", ")))
    }
}
