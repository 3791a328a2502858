//! `cargo xtask bench [--quick] [--only FIGURE,...] [--out DIR]`: the performance figures, each
//! printed beside a reference measured in the same run (this machine is shared and noisy: compare
//! ratios, not absolute times across runs), and merged into `target/bench/results.json` (or
//! `DIR/results.json`, relative to the repository; `cargo xtask test`'s smoke run uses its own).
//!
//! Each figure is one function returning a JSON section keyed by the figure's name; a figure that
//! cannot run (no data set, say) is skipped with the reason. `--quick` runs one timed round
//! instead of three so a smoke test can check that everything runs and writes the JSON.
//! Timing never happens in `cargo xtask test`: its `bench-smoke` suite runs `--quick` into a
//! directory of its own and checks that every figure ran (or said why not) and wrote its JSON,
//! never what the figures are ([`smoke`]).
//!
//! Figures:
//! - `request_decision`: per-request decision time (median, p99, mean) on the 10k-request sample
//!   with EasyList + EasyPrivacy + EasyList Social, for Crumbwall's WASM core in Node (the Firefox
//!   path), `@ghostery/adblocker` in Node (the reference) and the Crumbwall core natively.
//!   Scripts: `tests/bench/decision.mjs`, `crates/cli/examples/bench_decide.rs`.
//! - `size`: the WASM module and the serialised engine, raw and gzipped, and the two zips in
//!   `dist/`, beside `@ghostery/adblocker`'s serialised engine built from the same lists.
//!   Goal: module ≤ 800 KB gzipped. Script: `tests/bench/footprint.mjs parse`.
//! - `rule_compilation`: `crumbwall compile` on the repository's `lists.toml` (every network
//!   list) timed as a whole process, with the rule and regex counts of its report, beside
//!   `FiltersEngine.parse` of the same lists in Node. Goals: ≤ 2 s, ≤ 30,000 rules.
//! - `cookie_classification`: native throughput of the core's cookie classifier on the Open
//!   Cookie Database rows and a synthetic mix, beside a bare `HashMap` name lookup; and the same
//!   workloads through the WASM core in Node (`Crumbwall.judgeCookie`, the extension's whole
//!   per-cookie call), reported with its slowdown against the native rows (no goal). Goal:
//!   ≥ 1,000,000 cookies/s natively. Scripts: `crates/cli/examples/bench_cookies.rs`,
//!   `tests/bench/cookies.mjs`.
//! - `memory`: the WASM instance's linear memory with the shipped engine loaded (and after the
//!   10k requests), beside `@ghostery/adblocker`'s engine heap in the same Node process. Goal:
//!   ≤ 20 MB. Script: `tests/bench/footprint.mjs memory`.
//! - `startup`: the background's start (service worker / event page) to ready-to-decide
//!   (`startupMs` in storage.session), median of 10 first starts (fresh browser, fresh profile) and
//!   of 10 restarts of the stopped background per browser, beside `Crumbwall.loadBlocker` of the
//!   shipped engine in Node. Goal: ≤ 100 ms.
//!   Script: `tests/bench/startup.mjs`.
//! - `page_load`: Chromium's load event on the test web's tracker-heavy page and tracker-free
//!   page, with the extension vs without (tracker hosts delayed 100 ms), and beside them the
//!   permission floor (a do-nothing extension with the same permissions). Goals: ratio < 1 on the
//!   tracker-heavy page, ≤ 1.05 on the tracker-free one. Script: `tests/bench/pageload.mjs`.
//! - `popup_paint`: the popup's first contentful paint per browser, median over opens, beside
//!   the same HTML without its scripts and a minimal extension page in the same browser. Goal
//!   (the popup issue's): under 100 ms. Script: `tests/bench/popup.mjs`.
//! - `consent_first_paint`: first paint of a page with a cookie banner, the cookie-banner feature
//!   on vs off. Script: `tests/bench/consent.mjs`.
//! - Not measured yet (planned): see [`PLANNED`].

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::build;
use crate::util::{mtime, output, step, Result};

/// A figure: its key in `results.json`, a one-line description and the function that measures it.
struct Figure {
    name: &'static str,
    about: &'static str,
    run: fn(&Ctx) -> Result<Outcome>,
}

/// What a figure produced.
enum Outcome {
    /// The JSON section, and the table to print.
    Measured(Value, String),
    /// Why it did not run.
    Skipped(String),
}

const FIGURES: &[Figure] = &[
    Figure {
        name: "request_decision",
        about: "per-request decision time: crumbwall WASM and native vs @ghostery/adblocker",
        run: request_decision,
    },
    Figure {
        name: "size",
        about: "WASM module, serialised engine and zips, raw and gzip, vs @ghostery/adblocker's serialised engine",
        run: size,
    },
    Figure {
        name: "rule_compilation",
        about: "crumbwall compile time and rule counts vs @ghostery/adblocker FiltersEngine.parse",
        run: rule_compilation,
    },
    Figure {
        name: "cookie_classification",
        about: "cookie classification throughput: native vs a bare HashMap name lookup, and WASM judgeCookie in node",
        run: cookie_classification,
    },
    Figure {
        name: "memory",
        about: "WASM linear memory with the shipped engine vs @ghostery/adblocker's engine heap (node)",
        run: memory,
    },
    Figure {
        name: "startup",
        about: "background start to ready-to-decide over cold browser starts (chromium, firefox) vs the engine load alone in node",
        run: startup,
    },
    Figure {
        name: "page_load",
        about: "load event of the test web's tracker-heavy and tracker-free pages in chromium, with vs without the extension",
        run: page_load,
    },
    Figure {
        name: "popup_paint",
        about: "the popup's first contentful paint (chromium, firefox) vs the same page without scripts and a minimal extension page",
        run: popup_paint,
    },
    Figure {
        name: "consent_first_paint",
        about: "first paint of a test-web page with a cookie banner in chromium, cookie-banner feature on vs off",
        run: consent_first_paint,
    },
];

/// Figures still to be written, in the order they will be added.
const PLANNED: &[&str] = &[];

/// Goals of the "Performance budget" issue.
const GOAL_MODULE_GZIP_BYTES: u64 = 800 * 1024;
const GOAL_COMPILE_SECS: f64 = 2.0;
const GOAL_TOTAL_RULES: u64 = 30_000;
const GOAL_COOKIES_PER_SEC: f64 = 1_000_000.0;
const GOAL_MEMORY_BYTES: u64 = 20 * 1024 * 1024;
const GOAL_STARTUP_MS: f64 = 100.0;
/// The popup issue's "first paint under 100 ms after the click".
const GOAL_POPUP_PAINT_MS: f64 = 100.0;
/// Page load with / without the extension: below this on the tracker-heavy page...
const GOAL_PAGE_HEAVY_RATIO_BELOW: f64 = 1.0;
/// ...and at most this on the tracker-free page.
const GOAL_PAGE_PLAIN_RATIO_MAX: f64 = 1.05;
/// Latency given to the tracker hosts of the test web in `page_load`.
const PAGE_LOAD_TRACKER_DELAY_MS: u32 = 100;
/// Chrome's limit on regex rules across the enabled static rulesets.
const CHROME_REGEX_RULES: u64 = 1000;

/// The three lists figure 1 builds every engine from (`$CRUMBWALL_DATA/filters/<file>`), with
/// the category Crumbwall files each under.
const DECISION_LISTS: [(&str, &str, &str); 3] = [
    ("easylist", "easylist.txt", "advertising"),
    ("easyprivacy", "easyprivacy.txt", "statistical"),
    ("easylist-social", "fanboy-social.txt", "social"),
];
const DECISION_REQUESTS: &str = "requests/requests-sample-10k.json";

/// Everything a figure needs.
struct Ctx {
    root: PathBuf,
    /// `target/bench`.
    out: PathBuf,
    /// `$CRUMBWALL_DATA`, absolute, when set.
    data: Option<PathBuf>,
    /// `--quick`: figures that have more to cut than rounds look at this.
    quick: bool,
    /// Timed rounds per figure (3, or 1 with `--quick`).
    rounds: u32,
    /// `@ghostery/adblocker` parsed from the shipped network lists (`footprint.mjs parse`), run
    /// once for the figures that share it as their reference.
    ghostery: RefCell<Option<Value>>,
}

pub fn bench(args: &[String]) -> Result<ExitCode> {
    let mut quick = false;
    let mut only: Option<Vec<String>> = None;
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--out" => out = Some(PathBuf::from(it.next().ok_or("--out needs a directory")?)),
            "--only" => {
                let list = it.next().ok_or("--only needs a list of figures")?;
                let names: Vec<String> = list.split(',').map(str::to_owned).collect();
                if let Some(bad) = names
                    .iter()
                    .find(|n| !FIGURES.iter().any(|f| f.name == n.as_str()))
                {
                    let known: Vec<&str> = FIGURES.iter().map(|f| f.name).collect();
                    return Err(format!(
                        "unknown figure {bad}; figures: {}",
                        known.join(", ")
                    ));
                }
                only = Some(names);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    let started = Instant::now();
    let root = build::build()?;
    let data = match std::env::var_os("CRUMBWALL_DATA") {
        Some(d) => {
            let d = std::env::current_dir()
                .map(|c| c.join(&d))
                .unwrap_or_else(|_| PathBuf::from(&d));
            Some(
                d.canonicalize()
                    .map_err(|e| format!("CRUMBWALL_DATA={}: {e}", d.display()))?,
            )
        }
        None => None,
    };
    let ctx = Ctx {
        out: out.map_or_else(|| root.join("target").join("bench"), |o| root.join(o)),
        root,
        data,
        quick,
        rounds: if quick { 1 } else { 3 },
        ghostery: RefCell::new(None),
    };
    std::fs::create_dir_all(&ctx.out).map_err(|e| format!("{}: {e}", ctx.out.display()))?;
    match &ctx.data {
        Some(d) => step(&format!("CRUMBWALL_DATA={}", d.display())),
        None => {
            step("CRUMBWALL_DATA is not set: figures that need the shared data sets are skipped")
        }
    }
    let machine = machine_info();
    let now = timestamp();

    let results_path = ctx.out.join("results.json");
    let mut results = std::fs::read_to_string(&results_path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    let mut figures = results
        .get("figures")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut skipped = Map::new();
    let mut tables = Vec::new();
    for fig in FIGURES
        .iter()
        .filter(|f| only.as_ref().is_none_or(|o| o.iter().any(|n| n == f.name)))
    {
        step(&format!("figure {}: {}", fig.name, fig.about));
        let t = Instant::now();
        match (fig.run)(&ctx)? {
            Outcome::Measured(mut section, table) => {
                if let Some(obj) = section.as_object_mut() {
                    obj.insert("timestamp".into(), json!(now));
                    obj.insert("quick".into(), json!(quick));
                    obj.insert("seconds".into(), json!(round2(t.elapsed().as_secs_f64())));
                    obj.insert("machine".into(), machine.clone());
                }
                figures.insert(fig.name.to_owned(), section);
                tables.push(table);
            }
            Outcome::Skipped(why) => {
                eprintln!("bench: SKIPPED {}: {why}", fig.name);
                skipped.insert(fig.name.to_owned(), json!(why));
            }
        }
    }
    let obj = results.as_object_mut().expect("an object");
    obj.insert("updated".into(), json!(now));
    obj.insert("machine".into(), machine);
    obj.insert("figures".into(), Value::Object(figures));
    obj.insert("skipped_last_run".into(), Value::Object(skipped.clone()));
    obj.insert("not_yet_measured".into(), json!(PLANNED));
    let text = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?;
    std::fs::write(&results_path, text + "\n")
        .map_err(|e| format!("{}: {e}", results_path.display()))?;

    println!();
    for t in &tables {
        println!("{t}");
    }
    for (name, why) in &skipped {
        println!("{name}: SKIPPED: {}", why.as_str().unwrap_or_default());
    }
    if !PLANNED.is_empty() {
        println!("not measured yet: {}", PLANNED.join(", "));
    }
    println!(
        "wrote {} in {:.0} s{}",
        results_path.display(),
        started.elapsed().as_secs_f64(),
        if quick { " (--quick: 1 round)" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask test`'s `bench-smoke` suite: runs `bench --quick` into `target/bench-smoke` (a
/// fresh directory, so the user's `target/bench/results.json` is not touched) and checks what it
/// wrote, never how fast anything was: every figure is in `results.json` from this run with
/// `quick: true` and a measured section, or in `skipped_last_run` with its reason. With
/// `CRUMBWALL_DATA` set a skip fails, unless it is a browser that is not installed. Returns
/// (passed, failed, skipped), one per figure (and one failure if the run itself failed).
pub fn smoke(root: &Path) -> (u64, u64, u64) {
    const OUT: &str = "target/bench-smoke";
    let dir = root.join(OUT);
    let _ = std::fs::remove_dir_all(&dir);
    let args: Vec<String> = ["--quick", "--out", OUT]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    if let Err(e) = bench(&args) {
        eprintln!("bench-smoke: cargo xtask bench --quick failed: {e}");
        return (0, 1, 0);
    }
    let path = dir.join("results.json");
    let results = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("bench-smoke: {}: {e}", path.display());
            return (0, 1, 0);
        }
    };
    let have_data = std::env::var_os("CRUMBWALL_DATA").is_some();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for fig in FIGURES {
        let section = &results["figures"][fig.name];
        let why = results["skipped_last_run"][fig.name].as_str();
        let verdict = smoke_verdict(section, why, &results["updated"], have_data);
        match verdict {
            Ok(None) => {
                println!("bench-smoke: ok {}", fig.name);
                passed += 1;
            }
            Ok(Some(why)) => {
                println!("bench-smoke: SKIPPED {}: {why}", fig.name);
                skipped += 1;
            }
            Err(e) => {
                eprintln!("bench-smoke: FAILED {}: {e}", fig.name);
                failed += 1;
            }
        }
    }
    (passed, failed, skipped)
}

/// One figure of a smoke run: `Ok(None)` measured in this run, `Ok(Some(why))` a skip that is
/// allowed, `Err` anything else.
fn smoke_verdict(
    section: &Value,
    skipped: Option<&str>,
    updated: &Value,
    have_data: bool,
) -> std::result::Result<Option<String>, String> {
    if let Some(why) = skipped {
        if !have_data || why.contains("not found (looked at") {
            return Ok(Some(why.to_owned()));
        }
        return Err(format!("skipped although CRUMBWALL_DATA is set: {why}"));
    }
    let Some(obj) = section.as_object() else {
        return Err("neither measured nor skipped".into());
    };
    if obj.get("timestamp") != Some(updated) {
        return Err("its section is not from this run".into());
    }
    if obj.get("quick") != Some(&json!(true)) {
        return Err("its section does not say quick".into());
    }
    // Besides the four keys every section gets (timestamp, quick, seconds, machine).
    if obj.len() <= 4 {
        return Err("its section holds no figures".into());
    }
    Ok(None)
}

// ---------------------------------------------------------------------------------------------
// Figure 1: request decision time.

fn request_decision(ctx: &Ctx) -> Result<Outcome> {
    let Some(data) = &ctx.data else {
        return Ok(Outcome::Skipped(format!(
            "CRUMBWALL_DATA is not set; this figure needs $CRUMBWALL_DATA/{DECISION_REQUESTS} and $CRUMBWALL_DATA/filters/{{easylist,easyprivacy,fanboy-social}}.txt"
        )));
    };
    let requests = data.join(DECISION_REQUESTS);
    let filters = data.join("filters");
    let mut missing: Vec<String> = DECISION_LISTS
        .iter()
        .map(|(_, f, _)| filters.join(f))
        .chain([requests.clone()])
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        missing.sort();
        return Ok(Outcome::Skipped(format!(
            "missing data: {}",
            missing.join(", ")
        )));
    }
    let engine = decision_engine(ctx, &filters)?;
    let rounds = ctx.rounds.to_string();

    step("timing crumbwall wasm and ghostery in node (tests/bench/decision.mjs)");
    let lists: Vec<&str> = DECISION_LISTS.iter().map(|(_, f, _)| *f).collect();
    let node_out = output(
        Command::new("node")
            .arg(ctx.root.join("tests").join("bench").join("decision.mjs"))
            .arg("--engine")
            .arg(&engine)
            .arg("--requests")
            .arg(&requests)
            .arg("--filters")
            .arg(&filters)
            .args(["--lists", &lists.join(","), "--rounds", &rounds])
            .arg("--pkg")
            .arg(ctx.root.join("extension").join("pkg"))
            .current_dir(&ctx.root),
    )?;
    let node: Value = serde_json::from_str(&node_out)
        .map_err(|e| format!("decision.mjs printed no JSON: {e}"))?;

    step("timing crumbwall native (crates/cli/examples/bench_decide.rs)");
    let example = release_example(ctx, "bench_decide")?;
    let native_out = output(
        Command::new(&example)
            .arg("--engine")
            .arg(&engine)
            .arg("--requests")
            .arg(&requests)
            .args(["--rounds", &rounds])
            .arg("--filters")
            .arg(&filters)
            .arg("--lists")
            .arg(
                DECISION_LISTS
                    .iter()
                    .map(|(_, f, c)| format!("{f}={c}"))
                    .collect::<Vec<_>>()
                    .join(","),
            )
            .current_dir(&ctx.root),
    )?;
    let native: Value = serde_json::from_str(&native_out)
        .map_err(|e| format!("bench_decide printed no JSON: {e}"))?;

    let mut engines = node["engines"].as_object().cloned().unwrap_or_default();
    for (k, v) in native["engines"].as_object().cloned().unwrap_or_default() {
        engines.insert(k, v);
    }
    let ratio = |a: &str, b: &str| {
        let r = |k: &str| {
            let (x, y) = (
                engines.get(a).and_then(|e| e[k].as_f64()),
                engines.get(b).and_then(|e| e[k].as_f64()),
            );
            match (x, y) {
                (Some(x), Some(y)) if y > 0.0 => json!(round3(x / y)),
                _ => Value::Null,
            }
        };
        json!({ "median": r("median_us"), "p99": r("p99_us"), "mean": r("mean_us") })
    };
    let ratios = json!({
        "wasm_vs_ghostery": ratio("crumbwall_wasm", "ghostery"),
        "native_vs_ghostery": ratio("crumbwall_native", "ghostery"),
        "wasm_vs_native": ratio("crumbwall_wasm", "crumbwall_native"),
    });
    let section = json!({
        "what": "per-request decision time in microseconds (median of the per-round median / p99 / mean), same requests in the same order for every engine, after a warm-up pass",
        "requests_file": requests.display().to_string(),
        "lists": DECISION_LISTS.iter().map(|(id, f, c)| json!({"id": id, "file": f, "category": c})).collect::<Vec<_>>(),
        "crumbwall_engine": engine.display().to_string(),
        "crumbwall_engine_note": "built by `crumbwall compile` from the three lists; the CLI always adds Crumbwall's built-in starter list (crumbwall_native_lists_only is an engine built from the three lists alone, for like-for-like blocked counts)",
        "requests": node["requests"],
        "rounds": ctx.rounds,
        "timer_overhead_us": { "node": node["timer_overhead_us"], "native": native["timer_overhead_us"] },
        "engines": Value::Object(engines),
        "ratios": ratios,
        "disagreements_wasm_vs_ghostery": node["disagreements"],
    });
    let table = decision_table(&section);
    Ok(Outcome::Measured(section, table))
}

/// Builds (once, until an input changes) Crumbwall's engine from exactly the three lists with the
/// native `crumbwall compile`, into `target/bench/engine/blocker.bin`.
fn decision_engine(ctx: &Ctx, filters: &Path) -> Result<PathBuf> {
    let cli = ctx.root.join("target").join("release").join("crumbwall");
    if !cli.is_file() {
        return Err(format!(
            "{} is missing (cargo xtask build makes it)",
            cli.display()
        ));
    }
    let lists_toml = ctx.out.join("lists.toml");
    let mut toml = String::from(
        "# Written by `cargo xtask bench`: the lists of the request-decision figure.\n",
    );
    for (id, file, category) in DECISION_LISTS {
        toml.push_str(&format!(
            "\n[[list]]\nid = \"{id}\"\nname = \"{id}\"\ncategory = \"{category}\"\nfile = \"{file}\"\nurl = \"https://invalid.test/{file}\"\nlicence = \"see lists.toml\"\nuse = \"network\"\n"
        ));
    }
    if std::fs::read_to_string(&lists_toml).ok().as_deref() != Some(toml.as_str()) {
        std::fs::write(&lists_toml, &toml).map_err(|e| format!("{}: {e}", lists_toml.display()))?;
    }
    let engine = ctx.out.join("engine").join("blocker.bin");
    let mut inputs = vec![cli.clone(), lists_toml.clone()];
    inputs.extend(DECISION_LISTS.iter().map(|(_, f, _)| filters.join(f)));
    let newest = inputs.iter().map(|p| mtime(p)).max().unwrap_or(UNIX_EPOCH);
    if engine.is_file() && mtime(&engine) >= newest {
        step("benchmark engine (EasyList + EasyPrivacy + Social) is up to date");
        return Ok(engine);
    }
    step("compiling the benchmark engine from EasyList + EasyPrivacy + Social (crumbwall compile)");
    let _ = std::fs::remove_file(&engine);
    output(
        Command::new(&cli)
            .arg("compile")
            .arg("--out")
            .arg(&ctx.out)
            .arg("--report")
            .arg(ctx.out.join("compile-report"))
            .arg("--lists")
            .arg(&lists_toml)
            .arg("--filters")
            .arg(filters)
            .current_dir(&ctx.root),
    )?;
    if !engine.is_file() {
        return Err(format!(
            "crumbwall compile did not write {}",
            engine.display()
        ));
    }
    Ok(engine)
}

fn decision_table(s: &Value) -> String {
    const LABEL: usize = 52;
    let mut t = format!(
        "request decision ({} requests, EasyList+EasyPrivacy+Social, {} timed round{}, median of rounds)\n",
        s["requests"],
        s["rounds"],
        if s["rounds"] == 1 { "" } else { "s" }
    );
    t.push_str(&format!(
        "  {:<LABEL$} {:>10} {:>10} {:>10} {:>8}\n",
        "", "median", "p99", "mean", "blocked"
    ));
    let us = |v: &Value| v.as_f64().map_or("-".into(), |x| format!("{x:.2} us"));
    for key in [
        "crumbwall_wasm",
        "ghostery",
        "crumbwall_native",
        "crumbwall_native_check",
        "crumbwall_native_lists_only",
    ] {
        let e = &s["engines"][key];
        if e.is_null() {
            continue;
        }
        t.push_str(&format!(
            "  {:<LABEL$} {:>10} {:>10} {:>10} {:>8}\n",
            e["label"].as_str().unwrap_or(key),
            us(&e["median_us"]),
            us(&e["p99_us"]),
            us(&e["mean_us"]),
            e["blocked"].to_string()
        ));
    }
    let r = |k: &str, label: &str| {
        let x = &s["ratios"][k];
        let f = |v: &Value| v.as_f64().map_or("-".into(), |x| format!("{x:.2}"));
        format!(
            "  ratio {label}: median {}, p99 {}, mean {}\n",
            f(&x["median"]),
            f(&x["p99"]),
            f(&x["mean"])
        )
    };
    t.push_str(&r("wasm_vs_ghostery", "wasm/ghostery"));
    t.push_str(&r("native_vs_ghostery", "native/ghostery"));
    t.push_str(&r("wasm_vs_native", "wasm/native"));
    let e = &s["engines"];
    let kb = |v: &Value| {
        v.as_f64()
            .map_or("-".into(), |x| format!("{:.0} KB", x / 1024.0))
    };
    let ms = |v: &Value| v.as_f64().map_or("-".into(), |x| format!("{x:.1} ms"));
    t.push_str(&format!(
        "  engine load: crumbwall wasm loadBlocker {} ({}, gzip {}); native deserialize {}; ghostery deserialize {} ({}, gzip {}), parse from text {}\n",
        ms(&e["crumbwall_wasm"]["load_ms"]),
        kb(&e["crumbwall_wasm"]["engine_bytes"]),
        kb(&e["crumbwall_wasm"]["engine_gzip_bytes"]),
        ms(&e["crumbwall_native"]["load_ms"]),
        ms(&e["ghostery"]["load_ms"]),
        kb(&e["ghostery"]["engine_bytes"]),
        kb(&e["ghostery"]["engine_gzip_bytes"]),
        ms(&e["ghostery"]["parse_ms"]),
    ));
    t.push_str(&format!(
        "  timer overhead included in each sample: node {}, native {}\n",
        us(&s["timer_overhead_us"]["node"]),
        us(&s["timer_overhead_us"]["native"]),
    ));
    let d = &s["disagreements_wasm_vs_ghostery"];
    let mut by_type: Vec<String> = d["blocked_by_type"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} +{}/-{}", v["crumbwall_only"], v["ghostery_only"]))
                .collect()
        })
        .unwrap_or_default();
    by_type.sort();
    t.push_str(&format!(
        "  crumbwall wasm and ghostery disagree on {} of {} requests (by type, blocked only by crumbwall/only by ghostery: {})\n",
        d["count"],
        s["requests"],
        by_type.join(", ")
    ));
    t
}

// ---------------------------------------------------------------------------------------------
// The shipped lists and the Ghostery reference built from them (figures 2, 3 and 5).

/// A network list of the repository's `lists.toml` (what `cargo xtask build` compiles).
struct ShippedList {
    id: String,
    file: String,
    category: String,
}

/// The `use = "network"` lists of `lists.toml`, in file order.
fn shipped_lists(root: &Path) -> Result<Vec<ShippedList>> {
    let path = root.join("lists.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let lists = network_lists(&text);
    if lists.is_empty() || lists.iter().any(|l| l.file.is_empty()) {
        return Err(format!("{}: no readable network lists", path.display()));
    }
    Ok(lists)
}

/// The `use = "network"` tables of a `lists.toml` text: a line reader for the flat `[[list]]`
/// tables that file has (`key = "value"` lines, `#` comments).
fn network_lists(text: &str) -> Vec<ShippedList> {
    let mut tables: Vec<Vec<(String, String)>> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line == "[[list]]" {
            tables.push(Vec::new());
        } else if line.starts_with('#') {
            continue;
        } else if let (Some(t), Some((k, v))) = (tables.last_mut(), line.split_once('=')) {
            t.push((k.trim().to_owned(), v.trim().trim_matches('"').to_owned()));
        }
    }
    tables
        .iter()
        .filter_map(|t| {
            let get = |key: &str| t.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            (get("use").as_deref() == Some("network")).then(|| ShippedList {
                id: get("id").unwrap_or_default(),
                file: get("file").unwrap_or_default(),
                category: get("category").unwrap_or_default(),
            })
        })
        .collect()
}

/// The shipped network lists, or why a figure that needs them cannot run.
fn shipped_lists_present(
    ctx: &Ctx,
    data: &Path,
) -> Result<std::result::Result<Vec<ShippedList>, String>> {
    let lists = shipped_lists(&ctx.root)?;
    let missing: Vec<String> = lists
        .iter()
        .map(|l| data.join("filters").join(&l.file))
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    Ok(if missing.is_empty() {
        Ok(lists)
    } else {
        Err(format!("missing data: {}", missing.join(", ")))
    })
}

/// `@ghostery/adblocker` parsed from the shipped network lists: parse times (`ctx.rounds`
/// timed parses after a warm-up), serialised size, and the serialised engine saved to
/// `target/bench/ghostery/engine.bin`. Run once per `cargo xtask bench`.
fn ghostery_reference(ctx: &Ctx, data: &Path, lists: &[ShippedList]) -> Result<Value> {
    if let Some(v) = ctx.ghostery.borrow().as_ref() {
        return Ok(v.clone());
    }
    step("parsing the shipped lists with @ghostery/adblocker (tests/bench/footprint.mjs parse)");
    let files: Vec<&str> = lists.iter().map(|l| l.file.as_str()).collect();
    let out = output(
        Command::new("node")
            .arg(ctx.root.join("tests").join("bench").join("footprint.mjs"))
            .arg("parse")
            .arg("--filters")
            .arg(data.join("filters"))
            .args([
                "--lists",
                &files.join(","),
                "--rounds",
                &ctx.rounds.to_string(),
            ])
            .arg("--save")
            .arg(ghostery_engine_path(ctx))
            .current_dir(&ctx.root),
    )?;
    let v: Value = serde_json::from_str(&out)
        .map_err(|e| format!("footprint.mjs parse printed no JSON: {e}"))?;
    *ctx.ghostery.borrow_mut() = Some(v.clone());
    Ok(v)
}

fn ghostery_engine_path(ctx: &Ctx) -> PathBuf {
    ctx.out.join("ghostery").join("engine.bin")
}

fn file_len(path: &Path) -> Result<u64> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e} (cargo xtask build makes it)", path.display()))
}

/// "met" or "MISSED".
fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

fn ratio(a: f64, b: f64) -> Value {
    if b > 0.0 && a.is_finite() {
        json!(round3(a / b))
    } else {
        Value::Null
    }
}

/// Kilobytes (1024 bytes), no decimals.
fn kb(bytes: f64) -> String {
    format!("{:.0} KB", bytes / 1024.0)
}

/// Megabytes (2^20 bytes), one decimal.
fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / (1024.0 * 1024.0))
}

/// An integer with thousands separators (`13,281`).
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let head = s.len() % 3;
    let mut parts: Vec<&str> = Vec::new();
    if head > 0 {
        parts.push(&s[..head]);
    }
    parts.extend(
        s.as_bytes()[head..]
            .chunks(3)
            .map(|c| std::str::from_utf8(c).unwrap_or("?")),
    );
    parts.join(",")
}

/// A byte count as a JSON integer (`null` when not measured).
fn bytes(x: f64) -> Value {
    if x.is_finite() {
        json!(x.round() as i64)
    } else {
        Value::Null
    }
}

fn median_f64(values: &[f64]) -> f64 {
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

// ---------------------------------------------------------------------------------------------
// Figure 2: size.

fn size(ctx: &Ctx) -> Result<Outcome> {
    let Some(data) = &ctx.data else {
        return Ok(Outcome::Skipped(
            "CRUMBWALL_DATA is not set: the build's engine and zips would hold whatever lists it found (offline: the starter list only), not the shipped lists from $CRUMBWALL_DATA/filters".into(),
        ));
    };
    let lists = match shipped_lists_present(ctx, data)? {
        Ok(l) => l,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let module = ctx
        .root
        .join("extension")
        .join("pkg")
        .join("crumbwall_wasm_bg.wasm");
    let engine = ctx
        .root
        .join("extension")
        .join("engine")
        .join("blocker.bin");
    let (module_raw, module_gz) = (file_len(&module)?, crate::dist::gzip_len(&module)?);
    let (engine_raw, engine_gz) = (file_len(&engine)?, crate::dist::gzip_len(&engine)?);
    let mut zips = Map::new();
    for browser in ["chrome", "firefox"] {
        let z = ctx
            .root
            .join("dist")
            .join(format!("crumbwall-{browser}.zip"));
        zips.insert(
            browser.into(),
            json!({ "path": rel(ctx, &z), "bytes": file_len(&z)? }),
        );
    }
    // Which lists the shipped engine holds (the build goes on without missing ones).
    let included: Value = std::fs::read_to_string(ctx.root.join("extension/rules/lists.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| {
            v.as_array().map(|a| {
                a.iter()
                    .filter(|l| l["included"] == true)
                    .map(|l| l["id"].clone())
                    .collect()
            })
        })
        .unwrap_or(Value::Null);
    let g = ghostery_reference(ctx, data, &lists)?;
    let (g_raw, g_gz) = (
        g["engine_bytes"].as_f64().unwrap_or(f64::NAN),
        g["engine_gzip_bytes"].as_f64().unwrap_or(f64::NAN),
    );
    let met = module_gz <= GOAL_MODULE_GZIP_BYTES;
    let section = json!({
        "what": "bytes on disk; gzip = gzip -9 (flate2 best), what a download of the file alone costs; KB = 1024 bytes",
        "wasm_module": { "path": rel(ctx, &module), "bytes": module_raw, "gzip_bytes": module_gz },
        "engine": {
            "path": rel(ctx, &engine), "bytes": engine_raw, "gzip_bytes": engine_gz,
            "lists": included,
            "note": "the shipped engine: every network list of lists.toml plus the built-in starter list",
        },
        "zips": Value::Object(zips.clone()),
        "goal": { "wasm_module_gzip_bytes_max": GOAL_MODULE_GZIP_BYTES, "met": met },
        "reference": {
            "label": g["label"], "what": "@ghostery/adblocker FiltersEngine.parse(same network lists, network filters only).serialize()",
            "lists": g["lists"], "engine_bytes": g["engine_bytes"], "engine_gzip_bytes": g["engine_gzip_bytes"],
        },
        "ratios": {
            "engine_vs_ghostery": ratio(engine_raw as f64, g_raw),
            "engine_gzip_vs_ghostery_gzip": ratio(engine_gz as f64, g_gz),
        },
    });
    const L: usize = 56;
    let ids: Vec<&str> = lists.iter().map(|l| l.id.as_str()).collect();
    let mut t = format!(
        "size (shipped build, lists {} + starter; gzip -9; KB = 1024 bytes)\n  {:<L$} {:>10} {:>10}\n",
        ids.join(", "),
        "",
        "raw",
        "gzip"
    );
    let mut row = |label: &str, raw: f64, gz: f64, extra: &str| {
        t.push_str(&format!(
            "  {label:<L$} {:>10} {:>10}{extra}\n",
            kb(raw),
            kb(gz)
        ));
    };
    row(
        "WASM module (extension/pkg/crumbwall_wasm_bg.wasm)",
        module_raw as f64,
        module_gz as f64,
        &format!(
            "   goal <= {} gzip: {}",
            kb(GOAL_MODULE_GZIP_BYTES as f64),
            verdict(met)
        ),
    );
    row(
        "engine (extension/engine/blocker.bin)",
        engine_raw as f64,
        engine_gz as f64,
        "",
    );
    row(
        &format!(
            "ghostery {} serialised engine, same lists (reference)",
            g["version"].as_str().unwrap_or("?")
        ),
        g_raw,
        g_gz,
        "",
    );
    let f = |v: &Value| v.as_f64().map_or("-".into(), |x| format!("{x:.2}"));
    t.push_str(&format!(
        "  ratio engine crumbwall/ghostery: raw {}, gzip {}\n",
        f(&section["ratios"]["engine_vs_ghostery"]),
        f(&section["ratios"]["engine_gzip_vs_ghostery_gzip"])
    ));
    t.push_str(&format!(
        "  zips: dist/crumbwall-chrome.zip {}, dist/crumbwall-firefox.zip {}\n",
        kb(zips["chrome"]["bytes"].as_f64().unwrap_or(f64::NAN)),
        kb(zips["firefox"]["bytes"].as_f64().unwrap_or(f64::NAN))
    ));
    Ok(Outcome::Measured(section, t))
}

/// A path relative to the repository, for display.
fn rel(ctx: &Ctx, p: &Path) -> String {
    p.strip_prefix(&ctx.root).unwrap_or(p).display().to_string()
}

// ---------------------------------------------------------------------------------------------
// Figure 3: rule compilation.

fn rule_compilation(ctx: &Ctx) -> Result<Outcome> {
    let Some(data) = &ctx.data else {
        return Ok(Outcome::Skipped(
            "CRUMBWALL_DATA is not set; this figure needs the lists of lists.toml in $CRUMBWALL_DATA/filters".into(),
        ));
    };
    let lists = match shipped_lists_present(ctx, data)? {
        Ok(l) => l,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let cli = ctx.root.join("target").join("release").join("crumbwall");
    if !cli.is_file() {
        return Err(format!(
            "{} is missing (cargo xtask build makes it)",
            cli.display()
        ));
    }
    let tmp = std::env::temp_dir().join(format!("crumbwall-bench-compile-{}", std::process::id()));
    // One untimed run (page cache, and its report), then the timed runs; each into an empty dir.
    let compile_once = || -> Result<(f64, String)> {
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let t0 = Instant::now();
        let stdout = output(
            Command::new(&cli)
                .arg("compile")
                .arg("--out")
                .arg(&tmp)
                .arg("--lists")
                .arg(ctx.root.join("lists.toml"))
                .arg("--filters")
                .arg(data.join("filters"))
                .current_dir(&ctx.root),
        )?;
        Ok((t0.elapsed().as_secs_f64(), stdout))
    };
    step(&format!(
        "timing crumbwall compile on lists.toml ({} + starter): 1 warm-up + {} run(s)",
        lists
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        ctx.rounds
    ));
    let result = (|| {
        compile_once()?;
        let mut runs = Vec::new();
        for _ in 0..ctx.rounds {
            let (secs, stdout) = compile_once()?;
            // "compiled rules in 1.23 s, engines in 0.45 s; report: ..."
            let reported = |what: &str| {
                stdout.lines().find_map(|l| {
                    let rest = l.split(what).nth(1)?;
                    rest.split_whitespace().next()?.parse::<f64>().ok()
                })
            };
            runs.push(json!({
                "wall_s": secs,
                "rules_s": reported("compiled rules in "),
                "engine_s": reported("engines in "),
            }));
        }
        let report_path = tmp.join("compile-report.json");
        let report: Value = std::fs::read_to_string(&report_path)
            .map_err(|e| format!("{}: {e}", report_path.display()))
            .and_then(|t| {
                serde_json::from_str(&t).map_err(|e| format!("{}: {e}", report_path.display()))
            })?;
        // The blocked-frame rulesets (`<category>_frames.json`) are not in the report.
        let mut frame_rules = Map::new();
        let rules_dir = tmp.join("rules");
        let entries =
            std::fs::read_dir(&rules_dir).map_err(|e| format!("{}: {e}", rules_dir.display()))?;
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            let Some(cat) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix("_frames.json"))
            else {
                continue;
            };
            let rules: Vec<Value> = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            frame_rules.insert(cat.to_owned(), json!(rules.len()));
        }
        Ok::<_, String>((runs, report, frame_rules))
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    let (runs, report, frame_rules) = result?;
    let med = |k: &str| {
        median_f64(
            &runs
                .iter()
                .filter_map(|r| r[k].as_f64())
                .collect::<Vec<_>>(),
        )
    };
    let wall = med("wall_s");
    let mut categories = Map::new();
    for (cat, c) in report["categories"]
        .as_object()
        .cloned()
        .unwrap_or_default()
    {
        categories.insert(
            cat,
            json!({
                "rules": c["counts"]["rules_emitted"],
                "block_rules": c["block_rules"],
                "allow_rules": c["allow_rules"],
                "allow_all_requests_rules": c["allow_all_requests_rules"],
                "regex_rules": c["counts"]["regex_rules"],
                "network_filters": c["counts"]["network_filters"],
                "compiled": c["counts"]["compiled"],
                "unsupported": c["counts"]["unsupported"],
                "lists": c["lists"],
            }),
        );
    }
    let frame_total: u64 = frame_rules.values().filter_map(Value::as_u64).sum();
    let total_rules = report["blocking_rules"].as_u64().unwrap_or(0) + frame_total;
    let regex_rules = report["regex_rules"].as_u64().unwrap_or(0);
    let network_filters: u64 = categories
        .values()
        .filter_map(|c| c["network_filters"].as_u64())
        .sum();
    let g = ghostery_reference(ctx, data, &lists)?;
    let g_ms = g["parse_ms"].as_f64().unwrap_or(f64::NAN);
    let section = json!({
        "what": "wall time of the whole `crumbwall compile --out <empty temp dir> --lists lists.toml --filters $CRUMBWALL_DATA/filters` process (read lists, DNR rulesets, engine build + serialisation, report, writes), median of the timed runs after one untimed run",
        "lists": lists.iter().map(|l| json!({"id": l.id, "file": l.file, "category": l.category})).collect::<Vec<_>>(),
        "cli": rel(ctx, &cli),
        "rounds": ctx.rounds,
        "runs": runs,
        "wall_s": wall,
        "rules_s": med("rules_s"),
        "engine_s": med("engine_s"),
        "rules": {
            "total": total_rules,
            "regex": regex_rules,
            "network_filters_in": network_filters,
            "by_category": Value::Object(categories.clone()),
            "blocked_frame_redirects": Value::Object(frame_rules.clone()),
            "total_includes": "the category rulesets and their blocked-frame redirect rulesets",
        },
        "goals": {
            "wall_s_max": GOAL_COMPILE_SECS, "wall_met": wall <= GOAL_COMPILE_SECS,
            "total_rules_max": GOAL_TOTAL_RULES, "total_rules_met": total_rules <= GOAL_TOTAL_RULES,
            "regex_rules_chrome_limit": CHROME_REGEX_RULES,
        },
        "reference": {
            "label": g["label"],
            "what": g["parse_what"],
            "lists": g["lists"],
            "parse_ms": g["parse_ms"],
            "parse_ms_rounds": g["parse_ms_rounds"],
            "network_filters": g["network_filters"],
            "note": "Ghostery's parse only builds its in-memory engine; crumbwall compile also writes the Chrome DNR rulesets, serialises its engine and writes the report (its own split is rules_s / engine_s)",
        },
        "ratios": { "compile_vs_ghostery_parse": ratio(wall * 1000.0, g_ms) },
    });
    let s = |x: f64| {
        if x.is_finite() {
            format!("{x:.2} s")
        } else {
            "-".into()
        }
    };
    let mut t = format!(
        "rule compilation (lists.toml: {} + starter; {} timed run{} after a warm-up, median)\n",
        lists
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        ctx.rounds,
        if ctx.rounds == 1 { "" } else { "s" }
    );
    t.push_str(&format!(
        "  {:<60} {:>8}   goal <= {GOAL_COMPILE_SECS} s: {}   (CLI's own split: rules {}, engine {})\n",
        "crumbwall compile (whole process, wall)",
        s(wall),
        verdict(wall <= GOAL_COMPILE_SECS),
        s(med("rules_s")),
        s(med("engine_s")),
    ));
    t.push_str(&format!(
        "  {:<60} {:>8}\n",
        format!(
            "ghostery {} FiltersEngine.parse in node (reference)",
            g["version"].as_str().unwrap_or("?")
        ),
        s(g_ms / 1000.0)
    ));
    t.push_str(&format!(
        "  ratio crumbwall compile/ghostery parse: {}  (ghostery's parse only builds its engine; compile also writes DNR rulesets and the serialised engine)\n",
        section["ratios"]["compile_vs_ghostery_parse"].as_f64().map_or("-".into(), |x| format!("{x:.2}"))
    ));
    let by_cat: Vec<String> = categories
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} {} (block {}, allow {}, regex {})",
                thousands(v["rules"].as_u64().unwrap_or(0)),
                thousands(v["block_rules"].as_u64().unwrap_or(0)),
                thousands(
                    v["allow_rules"].as_u64().unwrap_or(0)
                        + v["allow_all_requests_rules"].as_u64().unwrap_or(0)
                ),
                v["regex_rules"]
            )
        })
        .collect();
    t.push_str(&format!(
        "  rules: {}; blocked-frame redirects {}\n",
        by_cat.join("; "),
        thousands(frame_total)
    ));
    t.push_str(&format!(
        "  total {} rules (goal <= {}: {}), {} regex rules (Chrome allows {}), from {} network filters (ghostery parsed {})\n",
        thousands(total_rules),
        thousands(GOAL_TOTAL_RULES),
        verdict(total_rules <= GOAL_TOTAL_RULES),
        regex_rules,
        thousands(CHROME_REGEX_RULES),
        thousands(network_filters),
        g["network_filters"].as_u64().map_or("-".into(), thousands),
    ));
    Ok(Outcome::Measured(section, t))
}

// ---------------------------------------------------------------------------------------------
// Figure 4: cookie classification.

const OCD_CSV: &str = "cookies/open-cookie-database.csv";
const WASM_COOKIES_WHAT: &str = "cookies judged per second by Crumbwall's WASM core in Node, one thread: Crumbwall.judgeCookie(cookie, openSites, embedders, now), the extension's call per cookie (JS cookie object in, site and third-party context, Classifier::classify, the policy's action, verdict object out), over the native workloads mirrored as WebExtension cookies (tests/bench/cookies.mjs), repeated (median round); builtin: no loadCookieKnowledge; with_ocd: after loadCookieKnowledge(known names)";
/// The known-name table `cargo xtask bench` makes when the build's has no entries.
const BENCH_KNOWN_TSV: &str = "cookie-knowledge/cookies/known.tsv";

/// The known cookie names for the WASM rows, in `loadCookieKnowledge`'s format, and where they
/// come from: the build's `extension/cookies/known.tsv` when it has entries, else (a build
/// without the Open Cookie Database) the same OCD file the native rows use, converted by the
/// release `crumbwall compile` into `target/bench/` (no filter lists: only its cookie table is
/// used).
fn cookie_knowledge(ctx: &Ctx, ocd: Option<&Path>) -> Result<(PathBuf, String)> {
    let shipped = ctx.root.join("extension").join("cookies").join("known.tsv");
    let entries = |p: &Path| {
        std::fs::read_to_string(p).map_or(0, |t| {
            t.lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .count()
        })
    };
    if entries(&shipped) > 0 {
        return Ok((
            shipped,
            "the build's extension/cookies/known.tsv".to_owned(),
        ));
    }
    let Some(ocd) = ocd else {
        return Ok((shipped, "the build's (no Open Cookie Database)".to_owned()));
    };
    let dir = ctx.out.join("cookie-knowledge");
    let no_filters = dir.join("no-filters");
    std::fs::create_dir_all(&no_filters).map_err(|e| format!("{}: {e}", no_filters.display()))?;
    step(&format!(
        "{} has no entries: converting {} with crumbwall compile",
        rel(ctx, &shipped),
        ocd.display()
    ));
    let cli = ctx.root.join("target").join("release").join("crumbwall");
    let out = Command::new(&cli)
        .args(["compile", "--allow-missing", "--out"])
        .arg(&dir)
        .arg("--report")
        .arg(&dir)
        .arg("--lists")
        .arg(ctx.root.join("lists.toml"))
        .arg("--filters")
        .arg(&no_filters)
        .arg("--ocd")
        .arg(ocd)
        .current_dir(&ctx.root)
        .output()
        .map_err(|e| format!("cannot start {}: {e}", cli.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} compile failed ({}): {}",
            cli.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let known = ctx.out.join(BENCH_KNOWN_TSV);
    if entries(&known) == 0 {
        return Err(format!("{} has no entries", known.display()));
    }
    Ok((
        known,
        format!(
            "the build's known.tsv has no entries: {} converted by crumbwall compile",
            ocd.display()
        ),
    ))
}

fn cookie_classification(ctx: &Ctx) -> Result<Outcome> {
    let Some(data) = &ctx.data else {
        return Ok(Outcome::Skipped(format!(
            "CRUMBWALL_DATA is not set; this figure uses $CRUMBWALL_DATA/{OCD_CSV}"
        )));
    };
    let ocd = data.join(OCD_CSV);
    let ocd = ocd.is_file().then_some(ocd);
    step("timing the cookie classifier natively (crates/cli/examples/bench_cookies.rs)");
    let example = release_example(ctx, "bench_cookies")?;
    let mut cmd = Command::new(&example);
    cmd.args([
        "--rounds",
        &ctx.rounds.to_string(),
        "--min-round-ms",
        if ctx.quick { "100" } else { "300" },
    ]);
    if let Some(p) = &ocd {
        cmd.arg("--ocd").arg(p);
    }
    let out = output(cmd.current_dir(&ctx.root))?;
    let native: Value =
        serde_json::from_str(&out).map_err(|e| format!("bench_cookies printed no JSON: {e}"))?;
    // The same workloads through the WASM core in Node: `judgeCookie`, the extension's call.
    let wasm = cookie_knowledge(ctx, ocd.as_deref()).and_then(|(known, source)| {
        step("timing judgeCookie in the WASM core in node (tests/bench/cookies.mjs)");
        let mut args = vec![
            "--rounds".to_owned(),
            ctx.rounds.to_string(),
            "--min-round-ms".to_owned(),
            if ctx.quick { "100" } else { "300" }.to_owned(),
            "--known".to_owned(),
            known.display().to_string(),
        ];
        if let Some(p) = &ocd {
            args.extend(["--ocd".to_owned(), p.display().to_string()]);
        }
        node_json(ctx, "cookies.mjs", &args).map(|v| (v, source))
    });
    let (wasm, wasm_note) = match wasm {
        Ok((v, source)) => {
            let note = v["known"]["note"].as_str().map(str::to_owned);
            (Some((v, source)), note)
        }
        Err(e) => (None, Some(format!("not measured: {e}"))),
    };
    let results = native["results"].as_object().cloned().unwrap_or_default();
    let rate = |k: &str| results.get(k).and_then(|r| r["cookies_per_s"].as_f64());
    let mut goals = Map::new();
    for (k, r) in &results {
        if r["variant"] != "hashmap_reference" {
            if let Some(x) = r["cookies_per_s"].as_f64() {
                goals.insert(k.clone(), json!(x >= GOAL_COOKIES_PER_SEC));
            }
        }
    }
    let ratios: Map<String, Value> = results
        .iter()
        .filter(|(_, r)| r["variant"] != "hashmap_reference")
        .map(|(k, r)| {
            let w = r["workload"].as_str().unwrap_or_default();
            let reference = rate(&format!("hashmap_reference/{w}")).unwrap_or(f64::NAN);
            // Time per cookie relative to the reference: how many times slower.
            (
                k.clone(),
                ratio(reference, r["cookies_per_s"].as_f64().unwrap_or(f64::NAN)),
            )
        })
        .collect();
    // WASM: time per cookie over the native classifier's on the same variant and workload (how
    // many times slower), and whether it gave the same purposes (the workloads are mirrored).
    let wasm_results = wasm
        .as_ref()
        .and_then(|(v, _)| v["results"].as_object().cloned())
        .unwrap_or_default();
    let wasm_vs_native: Map<String, Value> = wasm_results
        .iter()
        .map(|(k, r)| {
            let native_ns = results
                .get(k)
                .and_then(|n| n["ns_per_cookie"].as_f64())
                .unwrap_or(f64::NAN);
            (
                k.clone(),
                ratio(r["ns_per_cookie"].as_f64().unwrap_or(f64::NAN), native_ns),
            )
        })
        .collect();
    let purposes_match: Map<String, Value> = wasm_results
        .iter()
        .map(|(k, r)| {
            let same = results.get(k).map(|n| n["purposes"] == r["purposes"]);
            (k.clone(), json!(same))
        })
        .collect();
    let wasm_section = match &wasm {
        Some((v, source)) => json!({
            "what": WASM_COOKIES_WHAT,
            "node": v["node"],
            "rounds": v["rounds"],
            "min_round_ms": v["min_round_ms"],
            "knowledge": {
                "file": v["known"]["path"],
                "source": source,
                "entries": v["known"]["entries"],
                "load_ms": v["known"]["load_ms"],
            },
            "workloads": v["workloads"],
            "results": Value::Object(wasm_results.clone()),
            "slowdown_vs_native": Value::Object(wasm_vs_native.clone()),
            "purposes_match_native": Value::Object(purposes_match.clone()),
            "goal": "none: reported beside the native figure (the goal is native)",
            "note": wasm_note,
        }),
        None => json!({ "note": wasm_note }),
    };
    let section = json!({
        "what": "cookies classified per second, natively, one thread: Classifier::classify over each workload repeated (median round); reference: a bare HashMap<String, Purpose> lookup of the exact name in the same known-name table; `wasm`: the same workloads through Crumbwall.judgeCookie in Node",
        "ocd_file": ocd.as_ref().map(|p| p.display().to_string()),
        "ocd_note": if ocd.is_some() { Value::Null } else { json!(format!("$CRUMBWALL_DATA/{OCD_CSV} is missing: synthetic mix only, builtin classifier only")) },
        "rounds": native["rounds"],
        "min_round_ms": native["min_round_ms"],
        "workloads": native["workloads"],
        "ocd": native["ocd"],
        "results": Value::Object(results.clone()),
        "slowdown_vs_hashmap_reference": Value::Object(ratios.clone()),
        "goal": { "cookies_per_s_min": GOAL_COOKIES_PER_SEC, "met": Value::Object(goals) },
        "wasm": wasm_section,
    });
    // One row per classifier and workload (the OCD rows first).
    let mut workloads: Vec<(String, String)> = native["workloads"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, w)| {
                    let short = if k == "ocd_rows" {
                        "OCD rows"
                    } else {
                        k.as_str()
                    };
                    (k.clone(), format!("{short} ({})", w["cookies"]))
                })
                .collect()
        })
        .unwrap_or_default();
    workloads.sort_by_key(|(k, _)| k != "ocd_rows");
    const L: usize = 54;
    let mut t = format!(
        "cookie classification (native, and the WASM core in node; 1 thread, {} round{}, median)\n  {:<L$} {:<18} {:>12} {:>11} {:>11} {:>8}\n",
        native["rounds"],
        if native["rounds"] == 1 { "" } else { "s" },
        "",
        "workload",
        "cookies/s",
        "per cookie",
        "known name",
        "goal"
    );
    for (rows, native_row, variant, label) in [
        (
            &results,
            true,
            "builtin",
            "Classifier::builtin() (curated table)",
        ),
        (
            &results,
            true,
            "with_ocd",
            "Classifier::with_ocd (curated + Open Cookie DB)",
        ),
        (
            &wasm_results,
            false,
            "builtin",
            "wasm (node): judgeCookie, curated names",
        ),
        (
            &wasm_results,
            false,
            "with_ocd",
            "wasm (node): judgeCookie + loadCookieKnowledge",
        ),
        (
            &results,
            true,
            "hashmap_reference",
            "reference: HashMap exact-name lookup only",
        ),
    ] {
        for (w, wlabel) in &workloads {
            let Some(r) = rows.get(&format!("{variant}/{w}")) else {
                continue;
            };
            let per_s = r["cookies_per_s"].as_f64().unwrap_or(f64::NAN);
            let goal = if variant == "hashmap_reference" || !native_row {
                "-"
            } else {
                verdict(per_s >= GOAL_COOKIES_PER_SEC)
            };
            t.push_str(&format!(
                "  {label:<L$} {wlabel:<18} {:>12} {:>11} {:>10.0}% {goal:>8}\n",
                thousands(per_s as u64),
                format!(
                    "{:.3} us",
                    r["ns_per_cookie"].as_f64().unwrap_or(f64::NAN) / 1000.0
                ),
                r["known_name_share"].as_f64().unwrap_or(f64::NAN) * 100.0,
            ));
        }
    }
    t.push_str(&format!(
        "  goal >= {} cookies/s per native classifier (wasm: reported, no goal); known name = share decided by the known-name table (layer 1; for the reference: share of names found)\n",
        thousands(GOAL_COOKIES_PER_SEC as u64)
    ));
    let slow: Vec<String> = ratios
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} {}x",
                v.as_f64().map_or("-".into(), |x| format!("{x:.0}"))
            )
        })
        .collect();
    t.push_str(&format!(
        "  time per cookie / HashMap reference: {}\n",
        slow.join(", ")
    ));
    if ocd.is_none() {
        t.push_str(&format!(
            "  no $CRUMBWALL_DATA/{OCD_CSV}: synthetic mix and builtin classifier only\n"
        ));
    }
    if let Some((v, source)) = &wasm {
        let slow: Vec<String> = wasm_vs_native
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k} {}x",
                    v.as_f64().map_or("-".into(), |x| format!("{x:.1}"))
                )
            })
            .collect();
        t.push_str(&format!(
            "  time per cookie, wasm judgeCookie / native classify (same run): {}\n",
            slow.join(", ")
        ));
        let differ: Vec<&str> = purposes_match
            .iter()
            .filter(|(_, m)| m.as_bool() != Some(true))
            .map(|(k, _)| k.as_str())
            .collect();
        t.push_str(&format!(
            "  wasm purposes as native: {}\n",
            if differ.is_empty() {
                "every row".to_owned()
            } else {
                format!("NO for {}", differ.join(", "))
            }
        ));
        t.push_str(&format!(
            "  wasm: node {}, judgeCookie = the extension's whole call per cookie (cookie object in, site context, classify, action, verdict object out), native = classify alone; known names: {} ({} entries, {source})\n",
            v["node"].as_str().unwrap_or("?"),
            v["known"]["path"].as_str().unwrap_or("?"),
            v["known"]["entries"],
        ));
    }
    if let Some(note) = &wasm_note {
        t.push_str(&format!("  wasm: {note}\n"));
    }
    Ok(Outcome::Measured(section, t))
}

// ---------------------------------------------------------------------------------------------
// Figure 5: memory.

fn memory(ctx: &Ctx) -> Result<Outcome> {
    let Some(data) = &ctx.data else {
        return Ok(Outcome::Skipped(
            "CRUMBWALL_DATA is not set: the shipped engine would not hold the shipped lists, and the reference needs the lists of lists.toml in $CRUMBWALL_DATA/filters".into(),
        ));
    };
    let lists = match shipped_lists_present(ctx, data)? {
        Ok(l) => l,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let engine = ctx
        .root
        .join("extension")
        .join("engine")
        .join("blocker.bin");
    file_len(&engine)?;
    let g = ghostery_reference(ctx, data, &lists)?;
    let requests = data.join(DECISION_REQUESTS);
    let requests = requests.is_file().then_some(requests);
    step(&format!(
        "measuring memory in node (tests/bench/footprint.mjs memory): {} fresh process(es)",
        ctx.rounds
    ));
    let mut runs = Vec::new();
    for _ in 0..ctx.rounds {
        let mut cmd = Command::new("node");
        cmd.arg("--expose-gc")
            .arg(ctx.root.join("tests").join("bench").join("footprint.mjs"))
            .arg("memory")
            .arg("--pkg")
            .arg(ctx.root.join("extension").join("pkg"))
            .arg("--engine")
            .arg(&engine)
            .arg("--ghostery-engine")
            .arg(ghostery_engine_path(ctx));
        if let Some(r) = &requests {
            cmd.arg("--requests").arg(r);
        }
        let out = output(cmd.current_dir(&ctx.root))?;
        runs.push(
            serde_json::from_str::<Value>(&out)
                .map_err(|e| format!("footprint.mjs memory printed no JSON: {e}"))?,
        );
    }
    // Median over the runs of each headline number (WASM linear memory is the same every run).
    let pick = |path: &[&str]| {
        median_f64(
            &runs
                .iter()
                .filter_map(|r| path.iter().fold(r, |v, k| &v[*k]).as_f64())
                .collect::<Vec<_>>(),
        )
    };
    let lin = ["crumbwall_wasm", "linear_memory_bytes"];
    let w_inst = pick(&[lin[0], lin[1], "after_instantiate"]);
    let w_new = pick(&[lin[0], lin[1], "after_new"]);
    let w_load = pick(&[lin[0], lin[1], "after_load"]);
    let w_req = pick(&[lin[0], lin[1], "after_requests"]);
    let g_load = pick(&["ghostery", "after_load", "total"]);
    let g_req = pick(&["ghostery", "after_requests", "total"]);
    let w_peak = if w_req.is_finite() { w_req } else { w_load };
    let met = w_peak <= GOAL_MEMORY_BYTES as f64;
    let n_requests = runs.first().map_or(Value::Null, |r| r["requests"].clone());
    let section = json!({
        "what": "Crumbwall: the WASM instance's linear memory (memory.buffer.byteLength; it only grows, so it is the high-water mark, allocator slack included) in Node with the shipped engine loaded by Crumbwall.loadBlocker, and after deciding the sample requests once; reference: the JS heap + array buffers that @ghostery/adblocker's engine (same network lists, deserialised) adds in the same process, measured after forced GCs",
        "engine": rel(ctx, &engine),
        "lists": lists.iter().map(|l| l.id.clone()).collect::<Vec<_>>(),
        "requests": n_requests,
        "rounds": ctx.rounds,
        "crumbwall_wasm_linear_memory_bytes": {
            "after_instantiate": bytes(w_inst), "after_new": bytes(w_new), "after_load": bytes(w_load),
            "after_requests": bytes(w_req),
            "engine_growth": bytes(w_load - w_new),
        },
        "ghostery": {
            "label": g["label"],
            "engine_bytes": g["engine_bytes"],
            "added_bytes_after_load": bytes(g_load),
            "added_bytes_after_requests": bytes(g_req),
        },
        "goal": { "wasm_linear_memory_bytes_max": GOAL_MEMORY_BYTES, "met": met, "measured_on": if w_req.is_finite() { "after_requests" } else { "after_load" } },
        "ratios": {
            "engine_growth_vs_ghostery_after_load": ratio(w_load - w_new, g_load),
            "growth_after_requests_vs_ghostery": ratio(w_req - w_new, g_req),
        },
        "runs": runs,
    });
    let n = n_requests.as_u64().map_or("the".into(), thousands);
    let mut t = format!(
        "memory (node; shipped engine: {} + starter; MB = 2^20 bytes; {} run{}, median)\n",
        lists
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        ctx.rounds,
        if ctx.rounds == 1 { "" } else { "s" }
    );
    t.push_str(&format!(
        "  crumbwall wasm linear memory: instantiated {}, engine loaded {}, after {n} requests {}   goal <= {}: {}\n",
        mb(w_inst),
        mb(w_load),
        if w_req.is_finite() { mb(w_req) } else { "-".into() },
        mb(GOAL_MEMORY_BYTES as f64),
        verdict(met)
    ));
    t.push_str(&format!(
        "    growth for the engine (loaded - before loadBlocker): {} (the {} serialised engine is copied in, so the high-water mark includes it)\n",
        mb(w_load - w_new),
        mb(file_len(&engine)? as f64)
    ));
    t.push_str(&format!(
        "  {} engine, same lists (reference): heapUsed + arrayBuffers added by deserialize {}, after {n} requests {}\n",
        g["label"].as_str().unwrap_or("ghostery"),
        mb(g_load),
        if g_req.is_finite() { mb(g_req) } else { "-".into() },
    ));
    let f = |v: &Value| v.as_f64().map_or("-".into(), |x| format!("{x:.2}"));
    t.push_str(&format!(
        "  ratio crumbwall/ghostery (growth from before loading the engine): loaded {}, after requests {}\n",
        f(&section["ratios"]["engine_growth_vs_ghostery_after_load"]),
        f(&section["ratios"]["growth_after_requests_vs_ghostery"]),
    ));
    Ok(Outcome::Measured(section, t))
}

// ---------------------------------------------------------------------------------------------
// Browser figures (startup, page_load): shared checks.

/// Why a browser figure cannot run, if it cannot: no data (the build would ship a starter-only
/// engine), no unpacked build, or no puppeteer-core.
fn browser_figure_blocker(ctx: &Ctx, dirs: &[&str]) -> Option<String> {
    if ctx.data.is_none() {
        return Some("CRUMBWALL_DATA is not set: the build would ship a starter-only engine, so start-up and page load would not be the shipped extension's".into());
    }
    if !ctx
        .root
        .join("node_modules")
        .join("puppeteer-core")
        .is_dir()
    {
        return Some("node_modules/puppeteer-core is missing (npm ci)".into());
    }
    for d in dirs {
        let m = ctx.root.join("target").join("unpacked").join(d);
        if !m.join("manifest.json").is_file() {
            return Some(format!(
                "{} is missing (cargo xtask build makes it)",
                m.display()
            ));
        }
    }
    None
}

fn node_json(ctx: &Ctx, script: &str, args: &[String]) -> Result<Value> {
    let out = output(
        Command::new("node")
            .arg(ctx.root.join("tests").join("bench").join(script))
            .args(args)
            .current_dir(&ctx.root),
    )?;
    serde_json::from_str(&out).map_err(|e| format!("{script} printed no JSON: {e}"))
}

/// JSON sections keyed by browser (`chromium`, `firefox`).
type Browsers = Map<String, Value>;

/// A browser script's `browsers` and `skipped` sections (keyed by browser); when no browser ran,
/// the figure's skip, saying `what` could not be done and each browser's reason.
fn per_browser(v: &Value, what: &str) -> std::result::Result<(Browsers, Browsers), Outcome> {
    let browsers = v["browsers"].as_object().cloned().unwrap_or_default();
    let skipped = v["skipped"].as_object().cloned().unwrap_or_default();
    if browsers.is_empty() {
        let why: Vec<String> = skipped
            .iter()
            .map(|(k, w)| format!("{k}: {}", w.as_str().unwrap_or_default()))
            .collect();
        return Err(Outcome::Skipped(format!("{what}: {}", why.join("; "))));
    }
    Ok((browsers, skipped))
}

fn ms(v: &Value) -> String {
    v.as_f64().map_or("-".into(), |x| format!("{x:.1} ms"))
}

// ---------------------------------------------------------------------------------------------
// Figure 6: start-up.

fn startup(ctx: &Ctx) -> Result<Outcome> {
    if let Some(why) = browser_figure_blocker(ctx, &["chrome", "firefox"]) {
        return Ok(Outcome::Skipped(why));
    }
    let starts = if ctx.quick { 3 } else { 10 };
    step(&format!(
        "timing {starts} cold starts per browser (tests/bench/startup.mjs)"
    ));
    let v = node_json(
        ctx,
        "startup.mjs",
        &[
            "--starts".into(),
            starts.to_string(),
            "--restarts".into(),
            starts.to_string(),
            "--browsers".into(),
            "chromium,firefox".into(),
        ],
    )?;
    let (browsers, skipped) = match per_browser(&v, "no browser to start") {
        Ok(b) => b,
        Err(skip) => return Ok(skip),
    };
    let engine = &v["engine_load_node"];
    // What a fresh background pays for the engine: instantiating the module and the first load.
    let engine_ms = engine["instantiate_ms"].as_f64().unwrap_or(f64::NAN)
        + engine["first_load_ms"].as_f64().unwrap_or(f64::NAN);
    let mut goals = Map::new();
    let mut engine_share = Map::new();
    for (k, b) in &browsers {
        let m = b["median_ms"].as_f64().unwrap_or(f64::NAN);
        let r = b["restart"]["median_ms"].as_f64().unwrap_or(f64::NAN);
        goals.insert(
            k.clone(),
            json!({ "first_start": m <= GOAL_STARTUP_MS, "restart": r <= GOAL_STARTUP_MS }),
        );
        engine_share.insert(k.clone(), ratio(engine_ms, m));
    }
    let section = json!({
        "what": "background start (Chromium: service worker, Firefox: event page; its performance.now() origin) to ready-to-decide, as the background writes it to storage.session.startupMs. First start: a fresh browser launch with a fresh profile and target/unpacked/<browser> (the install: every rule is applied), starts alternating between the browsers. Restart: in one more browser per kind, the background stopped (Chromium: ServiceWorker.stopAllWorkers, no debugger attached while it starts again; Firefox: unloaded after 1 s idle) and woken by a page load, as browsers do to idle backgrounds all day. Chromium's ready does not wait for the engine (static DNR rules block by themselves); Firefox's does. Reference: Crumbwall.loadBlocker of extension/engine/blocker.bin in Node",
        "starts": starts,
        "browsers": Value::Object(browsers.clone()),
        "skipped_browsers": Value::Object(skipped.clone()),
        "engine_load_node": engine.clone(),
        "engine_cold_share_of_startup": Value::Object(engine_share.clone()),
        "engine_cold_share_note": "(WASM instantiate + first loadBlocker in Node) / median start-up; Chromium's ready does not wait for the engine",
        "goal": { "startup_ms_max": GOAL_STARTUP_MS, "met": Value::Object(goals) },
    });
    let mut t = format!(
        "start-up (background start to ready-to-decide; {starts} first starts per browser on fresh profiles, {starts} restarts of a stopped background)\n  {:<44} {:>10} {:>10} {:>10} {:>22} {:>8}\n",
        "", "median", "min", "max", "launch to ready (wall)", "goal"
    );
    for (k, label) in [
        ("chromium", "chromium service worker, first start"),
        ("firefox", "firefox event page (engine loaded), first start"),
    ] {
        if let Some(b) = browsers.get(k) {
            let m = b["median_ms"].as_f64().unwrap_or(f64::NAN);
            t.push_str(&format!(
                "  {label:<44} {:>10} {:>10} {:>10} {:>22} {:>8}\n",
                ms(&b["median_ms"]),
                ms(&b["min_ms"]),
                ms(&b["max_ms"]),
                ms(&b["launch_to_ready_wall"]["median_ms"]),
                verdict(m <= GOAL_STARTUP_MS)
            ));
            let r = &b["restart"];
            if r.is_object() {
                t.push_str(&format!(
                    "  {:<44} {:>10} {:>10} {:>10} {:>22} {:>8}\n",
                    format!(
                        "  restart of the stopped {}",
                        if k == "firefox" {
                            "event page"
                        } else {
                            "worker"
                        }
                    ),
                    ms(&r["median_ms"]),
                    ms(&r["min_ms"]),
                    ms(&r["max_ms"]),
                    "",
                    verdict(r["median_ms"].as_f64().unwrap_or(f64::NAN) <= GOAL_STARTUP_MS)
                ));
            }
        } else if let Some(w) = skipped.get(k) {
            t.push_str(&format!(
                "  {label:<44} SKIPPED: {}\n",
                w.as_str().unwrap_or_default()
            ));
        }
    }
    t.push_str(&format!(
        "  {:<44} {:>10} {:>10} {:>10}   (first load {}, WASM instantiate {}, {} loads)\n",
        "reference: engine load alone (node)",
        ms(&engine["median_ms"]),
        ms(&engine["min_ms"]),
        ms(&engine["max_ms"]),
        ms(&engine["first_load_ms"]),
        ms(&engine["instantiate_ms"]),
        engine["loads"],
    ));
    let f = |v: Option<&Value>| {
        v.and_then(Value::as_f64)
            .map_or("-".into(), |x| format!("{:.0}%", x * 100.0))
    };
    t.push_str(&format!(
        "  goal <= {GOAL_STARTUP_MS:.0} ms (median); engine cold in node (instantiate + first load) / start-up: chromium {}, firefox {} (chromium's ready does not wait for the engine)\n",
        f(engine_share.get("chromium")),
        f(engine_share.get("firefox")),
    ));
    Ok(Outcome::Measured(section, t))
}

// ---------------------------------------------------------------------------------------------
// Figure 7: page load.

fn page_load(ctx: &Ctx) -> Result<Outcome> {
    if let Some(why) = browser_figure_blocker(ctx, &["chrome"]) {
        return Ok(Outcome::Skipped(why));
    }
    let runs = if ctx.quick { 6 } else { 20 };
    step(&format!(
        "timing page loads in chromium with and without the extension, {runs} runs per page (tests/bench/pageload.mjs)"
    ));
    let v = node_json(
        ctx,
        "pageload.mjs",
        &[
            "--runs".into(),
            runs.to_string(),
            "--tracker-delay".into(),
            PAGE_LOAD_TRACKER_DELAY_MS.to_string(),
        ],
    )?;
    if let Some(why) = v["skipped"].as_str() {
        return Ok(Outcome::Skipped(format!("chromium: {why}")));
    }
    let heavy = &v["pages"]["tracker_heavy"];
    let plain = &v["pages"]["tracker_free"];
    let heavy_ratio = heavy["ratio_with_without"].as_f64().unwrap_or(f64::NAN);
    let plain_ratio = plain["ratio_with_without"].as_f64().unwrap_or(f64::NAN);
    let heavy_met = heavy_ratio < GOAL_PAGE_HEAVY_RATIO_BELOW;
    let plain_met = plain_ratio <= GOAL_PAGE_PLAIN_RATIO_MAX;
    let mut section = v.clone();
    if let Some(o) = section.as_object_mut() {
        o.insert("what".into(), json!(format!(
            "headless Chromium, load event (navigation timing loadEventEnd) of the test web's site.test/ (tracker-heavy: ads.test, analytics.test, social.test, pixel.test embeds) and site.test/plain (tracker-free), with the extension (target/unpacked/chrome) vs without (the control) vs the permission floor (a do-nothing extension with the same permissions and host access: what the browser charges any extension that may intercept requests); three browsers with the same flags (extensions enabled) and fresh profiles per session, two sessions with the launch order reversed, a new tab per load after a 150 ms pause, two untimed warm-up loads each, runs rotating page and variant order; the tracker hosts' responses are delayed {PAGE_LOAD_TRACKER_DELAY_MS} ms to give them a real web's latency (publisher responses are not)"
        )));
        o.insert("goal".into(), json!({
            "tracker_heavy_ratio_below": GOAL_PAGE_HEAVY_RATIO_BELOW, "tracker_heavy_met": heavy_met,
            "tracker_free_ratio_max": GOAL_PAGE_PLAIN_RATIO_MAX, "tracker_free_met": plain_met,
        }));
    }
    let mut t = format!(
        "page load (chromium, load event, {runs} runs per page and variant, median; tracker hosts delayed {} ms)\n  {:<44} {:>12} {:>12} {:>8} {:>12} {:>8} {:>10} {:>10}\n",
        v["tracker_delay_ms"], "", "with ext", "without", "ratio", "goal", "", "floor", "with/floor"
    );
    for (p, label, goal, met) in [
        (
            heavy,
            "tracker-heavy (site.test/)",
            format!("< {GOAL_PAGE_HEAVY_RATIO_BELOW:.2}"),
            heavy_met,
        ),
        (
            plain,
            "tracker-free (site.test/plain)",
            format!("<= {GOAL_PAGE_PLAIN_RATIO_MAX:.2}"),
            plain_met,
        ),
    ] {
        let ratio = |k: &str| p[k].as_f64().map_or("-".into(), |x| format!("{x:.3}"));
        t.push_str(&format!(
            "  {label:<44} {:>12} {:>12} {:>8} {goal:>12} {:>8} {:>10} {:>10}\n",
            ms(&p["with_extension"]["median_ms"]),
            ms(&p["without_extension"]["median_ms"]),
            ratio("ratio_with_without"),
            verdict(met),
            ms(&p["permission_floor"]["median_ms"]),
            ratio("ratio_with_floor"),
        ));
    }
    let third = |p: &Value| -> u64 {
        p.as_object()
            .map(|m| {
                m.iter()
                    .filter(|(h, _)| h.as_str() != "site.test")
                    .filter_map(|(_, n)| n.as_f64())
                    .sum::<f64>() as u64
            })
            .unwrap_or(0)
    };
    t.push_str(&format!(
        "  third-party requests per load on the tracker-heavy page: with {}, without {}; goto wall-time ratios: heavy {}, free {}\n",
        third(&heavy["with_extension"]["requests_per_load"]),
        third(&heavy["without_extension"]["requests_per_load"]),
        heavy["goto_wall_ratio"],
        plain["goto_wall_ratio"],
    ));
    t.push_str(&format!(
        "  floor: a do-nothing extension with the same permissions (floor / without: heavy {}, free {}); with/floor is Crumbwall's own cost\n",
        heavy["ratio_floor_without"], plain["ratio_floor_without"],
    ));
    let check = &v["tracker_free_check"];
    t.push_str(&format!(
        "  site.test/plain tracker-free check (no extension): {}\n",
        if check["ok"].as_bool() == Some(true) {
            "ok, site.test requests only".to_owned()
        } else {
            format!(
                "FAILED, third parties requested: {}",
                check["third_party_hosts"]
            )
        }
    ));
    Ok(Outcome::Measured(section, t))
}

/// Figure `popup_paint`: the popup's first contentful paint in each browser, beside the same page
/// with its scripts removed and a minimal extension page, opens rotating in one browser
/// (tests/bench/popup.mjs).
fn popup_paint(ctx: &Ctx) -> Result<Outcome> {
    if let Some(why) = browser_figure_blocker(ctx, &["chrome", "firefox"]) {
        return Ok(Outcome::Skipped(why));
    }
    let opens = if ctx.quick { 5 } else { 21 };
    step(&format!(
        "timing {opens} popup opens per browser beside two static pages (tests/bench/popup.mjs)"
    ));
    let v = node_json(
        ctx,
        "popup.mjs",
        &[
            "--opens".into(),
            opens.to_string(),
            "--browsers".into(),
            "chromium,firefox".into(),
        ],
    )?;
    let (browsers, skipped) = match per_browser(&v, "no browser to open the popup in") {
        Ok(b) => b,
        Err(skip) => return Ok(skip),
    };
    let mut goals = Map::new();
    for (k, b) in &browsers {
        let m = b["popup_first_contentful_paint"]["median_ms"]
            .as_f64()
            .unwrap_or(f64::NAN);
        goals.insert(k.clone(), json!(m < GOAL_POPUP_PAINT_MS));
    }
    let section = json!({
        "what": "paint-timing first-contentful-paint of extension/popup/popup.html?tabId=<a tab showing site.test/> (ms from the page's navigation start), each open a new tab, in a browser with the extension (a temporary copy of target/unpacked/<browser>); also the popup's own crumbwall-protection-rendered mark (site, switch and counts on screen after one message to the background). References in the same browser, opens rotating between the three: popup-static.html (popup.html with its scripts removed: the same stylesheets and header) and minimal-static.html (one line of text: the floor of any extension page here)",
        "opens": opens,
        "browsers": Value::Object(browsers.clone()),
        "skipped_browsers": Value::Object(skipped.clone()),
        "goal": { "first_contentful_paint_ms_below": GOAL_POPUP_PAINT_MS, "met": Value::Object(goals) },
    });
    let mut t = format!(
        "popup paint (first contentful paint, median of {opens} opens per page)\n  {:<10} {:>10} {:>10} {:>16} {:>14} {:>8} {:>18} {:>8}\n",
        "", "popup", "min", "without scripts", "minimal page", "ratio", "protection shown", "goal"
    );
    for k in ["chromium", "firefox"] {
        if let Some(b) = browsers.get(k) {
            let m = b["popup_first_contentful_paint"]["median_ms"]
                .as_f64()
                .unwrap_or(f64::NAN);
            t.push_str(&format!(
                "  {k:<10} {:>10} {:>10} {:>16} {:>14} {:>8} {:>18} {:>8}\n",
                ms(&b["popup_first_contentful_paint"]["median_ms"]),
                ms(&b["popup_first_contentful_paint"]["min_ms"]),
                ms(&b["reference_first_contentful_paint"]["median_ms"]),
                ms(&b["minimal_page_first_contentful_paint"]["median_ms"]),
                b["ratio_popup_reference"]
                    .as_f64()
                    .map_or("-".into(), |x| format!("{x:.3}")),
                ms(&b["popup_protection_rendered"]["median_ms"]),
                verdict(m < GOAL_POPUP_PAINT_MS)
            ));
        } else if let Some(w) = skipped.get(k) {
            t.push_str(&format!(
                "  {k:<10} SKIPPED: {}\n",
                w.as_str().unwrap_or_default()
            ));
        }
    }
    t.push_str(&format!(
        "  goal < {GOAL_POPUP_PAINT_MS:.0} ms (median); ratio = popup / the same page without scripts\n"
    ));
    Ok(Outcome::Measured(section, t))
}

/// Figure `consent_first_paint`: the time to first paint the cookie-banner feature adds, as the
/// ratio of medians with it on and off, alternating in one browser (tests/bench/consent.mjs).
fn consent_first_paint(ctx: &Ctx) -> Result<Outcome> {
    if let Some(why) = browser_figure_blocker(ctx, &["chrome"]) {
        return Ok(Outcome::Skipped(why));
    }
    let runs = if ctx.quick { 6 } else { 20 };
    step(&format!(
        "timing first paint with the cookie-banner feature on and off, {runs} runs each (tests/bench/consent.mjs)"
    ));
    let v = node_json(ctx, "consent.mjs", &["--runs".into(), runs.to_string()])?;
    if let Some(why) = v["skipped"].as_str() {
        return Ok(Outcome::Skipped(format!("chromium: {why}")));
    }
    let mut section = v.clone();
    if let Some(o) = section.as_object_mut() {
        o.insert("what".into(), json!(
            "headless Chromium with the extension (target/unpacked/chrome), paint-timing first-paint of site.test/consent/bench (a Cookiebot imitation and a banner hidden by EasyList – Cookie Notices), the cookie-banner feature on (auto-decline and hiding) vs off (both switches off), one browser, a new tab per load, one untimed warm-up each, runs alternating on/off and which goes first; ratio of medians"
        ));
    }
    let t = format!(
        "consent first paint (chromium, first-paint, {runs} runs each, median)\n  {:<44} {:>12} {:>12} {:>8} {:>10}\n  {:<44} {:>12} {:>12} {:>8} {:>10}\n",
        "",
        "feature on",
        "off",
        "ratio",
        "added",
        "site.test/consent/bench",
        ms(&v["feature_on"]["median_ms"]),
        ms(&v["feature_off"]["median_ms"]),
        v["ratio_on_off"]
            .as_f64()
            .map_or("-".into(), |x| format!("{x:.3}")),
        ms(&v["added_ms"]),
    );
    Ok(Outcome::Measured(section, t))
}

// ---------------------------------------------------------------------------------------------
// Shared helpers.

/// Builds `crates/cli/examples/NAME.rs` in release mode and returns the binary's path.
fn release_example(ctx: &Ctx, name: &str) -> Result<PathBuf> {
    crate::util::run(
        Command::new("cargo")
            .args([
                "build",
                "--quiet",
                "--release",
                "--package",
                "crumbwall-cli",
                "--example",
                name,
            ])
            .current_dir(&ctx.root),
    )?;
    Ok(ctx
        .root
        .join("target")
        .join("release")
        .join("examples")
        .join(name))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// What the figures were measured on.
fn machine_info() -> Value {
    let first_line = |cmd: &str, arg: &str| {
        Command::new(cmd)
            .arg(arg)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            })
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|t| {
        t.lines().find_map(|l| {
            l.strip_prefix("model name")
                .map(|r| r.trim_start_matches([' ', '\t', ':']).to_owned())
        })
    });
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    json!({
        "nproc": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "cpu": cpu,
        "loadavg_at_start": load,
        "node": first_line("node", "--version"),
        "rustc": first_line("rustc", "--version"),
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
    })
}

/// The current time as RFC 3339 UTC (`2026-11-29T13:45:00Z`).
fn timestamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_figures_skip_without_crumbwall_data() {
        let ctx = super::Ctx {
            root: crate::util::root(),
            out: std::env::temp_dir().join("crumbwall-bench-test"),
            data: None,
            quick: true,
            rounds: 1,
            ghostery: std::cell::RefCell::new(None),
        };
        for fig in super::FIGURES {
            match (fig.run)(&ctx) {
                Ok(super::Outcome::Skipped(why)) => {
                    assert!(why.contains("CRUMBWALL_DATA"), "{}: {why}", fig.name)
                }
                Ok(super::Outcome::Measured(..)) => panic!("{} ran without data", fig.name),
                Err(e) => panic!("{} failed without data: {e}", fig.name),
            }
        }
    }

    #[test]
    fn smoke_verdict_accepts_only_a_section_of_this_run_or_a_fair_skip() {
        use serde_json::json;
        let v = super::smoke_verdict;
        let now = json!("2026-11-30T10:00:00Z");
        let good = json!({"timestamp": "2026-11-30T10:00:00Z", "quick": true, "seconds": 1.0, "machine": {}, "median_ms": 5.0});
        assert_eq!(v(&good, None, &now, true), Ok(None));
        let old = json!({"timestamp": "2026-11-29T10:00:00Z", "quick": true, "seconds": 1.0, "machine": {}, "median_ms": 5.0});
        assert!(
            v(&old, None, &now, true).is_err(),
            "a section left from an earlier run"
        );
        let full = json!({"timestamp": "2026-11-30T10:00:00Z", "quick": false, "seconds": 1.0, "machine": {}, "median_ms": 5.0});
        assert!(v(&full, None, &now, true).is_err(), "not a quick run");
        let empty = json!({"timestamp": "2026-11-30T10:00:00Z", "quick": true, "seconds": 1.0, "machine": {}});
        assert!(v(&empty, None, &now, true).is_err(), "no figures");
        assert!(v(&json!(null), None, &now, true).is_err(), "missing");
        assert!(
            v(&json!(null), Some("CRUMBWALL_DATA is not set"), &now, false)
                .unwrap()
                .is_some()
        );
        assert!(v(&json!(null), Some("CRUMBWALL_DATA is not set"), &now, true).is_err());
        assert!(v(
            &json!(null),
            Some("chromium: chromium not found (looked at /usr/bin/chromium)"),
            &now,
            true
        )
        .unwrap()
        .is_some());
    }

    #[test]
    fn thousands_groups_digits() {
        let t = super::thousands;
        assert_eq!(t(0), "0");
        assert_eq!(t(999), "999");
        assert_eq!(t(1000), "1,000");
        assert_eq!(t(13_281), "13,281");
        assert_eq!(t(1_234_567), "1,234,567");
    }

    #[test]
    fn network_lists_keeps_network_tables_in_order() {
        let text = r#"
# comment = "ignored"
[[list]]
id = "a"
category = "advertising"
file = "a.txt"
use = "network"

[[list]]
id = "c"
category = "consent"
file = "c.txt"
use = "cosmetic"

[[list]]
id = "b"
name = "B = the second"
category = "social"
file = "b.txt"
use = "network"
"#;
        let l = super::network_lists(text);
        let got: Vec<(&str, &str, &str)> = l
            .iter()
            .map(|l| (l.id.as_str(), l.file.as_str(), l.category.as_str()))
            .collect();
        assert_eq!(
            got,
            [("a", "a.txt", "advertising"), ("b", "b.txt", "social")]
        );
    }

    #[test]
    fn timestamp_is_rfc3339() {
        let t = super::timestamp();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'), "{t}");
    }
}
