//! The stable fuzz smoke run: every target over its regression inputs, mutations of them and
//! structured-random inputs, failing on any panic or on an input slower than the limit.
//!
//! `fuzz-smoke [--regressions DIR] [--target NAME] [--inputs N] [--seed S] [--save DIR]`
//!
//! Prints one line per regression input that fails, one summary line per target and ends with
//! `N passed, N failed`: each regression file is one test, and each target's random batch is one.

use std::panic;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crumbwall_fuzz_targets::gen::{self, Rng};
use crumbwall_fuzz_targets::{Target, TARGETS};

/// An input slower than this counts as a hang (debug build, shared machine: generous).
const SLOW: Duration = Duration::from_secs(10);

struct Options {
    regressions: PathBuf,
    target: Option<String>,
    inputs: usize,
    seed: u64,
    save: PathBuf,
}

fn parse_args() -> Result<Options, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut o = Options {
        regressions: root.join("fuzz").join("regressions"),
        target: None,
        inputs: 2_000,
        seed: 0x00c0_ffee,
        save: root.join("target").join("fuzz-smoke"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--regressions" => o.regressions = PathBuf::from(value()?),
            "--target" => o.target = Some(value()?),
            "--inputs" => o.inputs = value()?.parse().map_err(|e| format!("--inputs: {e}"))?,
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--save" => o.save = PathBuf::from(value()?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if let Some(t) = &o.target {
        if crumbwall_fuzz_targets::target(t).is_none() {
            let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
            return Err(format!("unknown target {t}; targets: {}", names.join(", ")));
        }
    }
    Ok(o)
}

/// Runs one input; `Err` with the panic message or the slowness.
fn run_one(target: &Target, input: &[u8], last_panic: &Mutex<String>) -> Result<Duration, String> {
    let started = Instant::now();
    let run = target.run;
    let outcome = panic::catch_unwind(|| run(input));
    let took = started.elapsed();
    match outcome {
        Err(_) => Err(last_panic
            .lock()
            .map(|m| m.clone())
            .unwrap_or_else(|_| "panic".into())),
        Ok(()) if took > SLOW => Err(format!(
            "took {:.1} s (limit {} s)",
            took.as_secs_f64(),
            SLOW.as_secs()
        )),
        Ok(()) => Ok(took),
    }
}

/// Keeps a failing input where it can be replayed and added to the regressions.
fn save(dir: &Path, target: &str, input: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in input {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    let dir = dir.join(target);
    let path = dir.join(format!("crash-{h:016x}"));
    match std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, input)) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("(not saved: {e})"),
    }
}

fn regression_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("fuzz-smoke: {e}");
            return ExitCode::from(2);
        }
    };
    // Panics are expected findings: keep the message (with its location) instead of printing it.
    let last_panic = Arc::new(Mutex::new(String::new()));
    let hook_slot = Arc::clone(&last_panic);
    panic::set_hook(Box::new(move |info| {
        if let Ok(mut m) = hook_slot.lock() {
            *m = info.to_string();
        }
    }));

    let (mut passed, mut failed) = (0u64, 0u64);
    let started = Instant::now();
    for target in TARGETS
        .iter()
        .filter(|t| o.target.as_deref().is_none_or(|n| n == t.name))
    {
        let t0 = Instant::now();
        let mut slowest = Duration::ZERO;
        let files = regression_files(&o.regressions.join(target.name));
        let mut seeds: Vec<Vec<u8>> = Vec::new();
        let mut reg_failed = 0;
        for path in &files {
            let input = match std::fs::read(path) {
                Ok(i) => i,
                Err(e) => {
                    println!("FAIL {} {}: cannot read: {e}", target.name, path.display());
                    failed += 1;
                    continue;
                }
            };
            match run_one(target, &input, &last_panic) {
                Ok(took) => {
                    passed += 1;
                    slowest = slowest.max(took);
                }
                Err(msg) => {
                    println!("FAIL {} {}: {msg}", target.name, path.display());
                    failed += 1;
                    reg_failed += 1;
                }
            }
            seeds.push(input);
        }
        // The random batch: half structured inputs, half mutations of the regression inputs.
        let mut rng =
            Rng::new(o.seed ^ target.name.len() as u64 ^ (target.name.as_bytes()[0] as u64) << 32);
        let mut batch_failures = 0;
        for i in 0..o.inputs {
            let input = if seeds.is_empty() || i % 2 == 0 {
                (target.generate)(&mut rng)
            } else {
                let seed = &seeds[rng.below(seeds.len())];
                gen::mutate(&mut rng, seed)
            };
            match run_one(target, &input, &last_panic) {
                Ok(took) => slowest = slowest.max(took),
                Err(msg) => {
                    batch_failures += 1;
                    if batch_failures <= 5 {
                        let at = save(&o.save, target.name, &input);
                        println!(
                            "FAIL {} random input #{i} (saved as {at}): {msg}",
                            target.name
                        );
                    }
                }
            }
        }
        if batch_failures == 0 {
            passed += 1;
        } else {
            failed += 1;
        }
        println!(
            "fuzz-smoke {:<9} {} regression inputs ({} failed), {} random inputs ({} failed), slowest {:.1} ms, {:.1} s",
            target.name,
            files.len(),
            reg_failed,
            o.inputs,
            batch_failures,
            slowest.as_secs_f64() * 1e3,
            t0.elapsed().as_secs_f64()
        );
    }
    println!(
        "fuzz-smoke: seed {}, {:.1} s in all",
        o.seed,
        started.elapsed().as_secs_f64()
    );
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
