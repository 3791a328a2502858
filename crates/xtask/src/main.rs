//! `cargo xtask` — build, test and run Crumbwall.
//!
//! - `cargo xtask build`: sets up whatever is missing (wasm32 target, wasm-bindgen CLI at the
//!   crate's exact version, npm dependencies from the lockfile), builds the core to WebAssembly,
//!   and assembles `dist/crumbwall-chrome.zip` and `dist/crumbwall-firefox.zip`.
//! - `cargo xtask test`: native unit tests, the fuzz smoke run, WASM facade tests in Node, lint,
//!   the bench smoke run (`bench --quick`: every figure runs and writes its JSON; nothing is
//!   timed), and the end-to-end suites in headless Chromium and Firefox; ends with
//!   `N passed, N failed`.
//! - `cargo xtask bench [--quick] [--only FIGURE,...] [--out DIR]`: the performance figures.
//! - `cargo xtask run [--browser chromium|firefox]`: the demo page in a browser with the extension.
//! - `cargo xtask fuzz [--smoke] [--target T] [--runs N]`: the fuzz targets (libFuzzer on
//!   nightly with cargo-fuzz; `--smoke` on stable, also run by `cargo xtask test`).

mod bench;
mod build;
mod dist;
mod fuzz;
mod test;
mod util;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <build|test|run|bench|fuzz> [options]

  build                      set up tools, build the WASM core and dist/*.zip
  test [--only SUITE,...]    run every test suite (unit, fuzz, wasm, lint, bench-smoke,
                             e2e-chromium, e2e-firefox)
  run [--browser chromium|firefox]
                             open the demo page with the extension loaded
  bench [--quick] [--only FIGURE,...] [--out DIR]
                             time each figure beside a reference; writes target/bench/results.json
                             (or DIR/results.json)
  fuzz [--smoke] [--target T] [--runs N] [--time S]
                             libFuzzer runs of the fuzz targets (nightly + cargo-fuzz), or with
                             --smoke a stable run of seconds over regressions and random inputs";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => build::build().map(|_| ExitCode::SUCCESS),
        Some("test") => test::test(&args[1..]),
        Some("run") => test::run_demo(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("{USAGE}");
            Ok(ExitCode::from(2))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
