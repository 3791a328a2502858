//! `cargo xtask bench [--quick] [--only FIGURE,...]`: the performance figures, each printed beside
//! a reference measured in the same run (this machine is shared and noisy: compare ratios, not
//! absolute times across runs), and merged into `target/bench/results.json`.
//!
//! Each figure is one function returning a JSON section keyed by the figure's name; a figure that
//! cannot run (no data set, say) is skipped with the reason. `--quick` runs one timed round
//! instead of three so a smoke test can check that everything runs and writes the JSON.
//! Timing never happens in `cargo xtask test`.
//!
//! Figures:
//! - `request_decision`: per-request decision time (median, p99, mean) on the 10k-request sample
//!   with EasyList + EasyPrivacy + EasyList Social, for Crumbwall's WASM core in Node (the Firefox
//!   path), `@ghostery/adblocker` in Node (the reference) and the Crumbwall core natively.
//!   Scripts: `tests/bench/decision.mjs`, `crates/cli/examples/bench_decide.rs`.
//! - Not measured yet (planned): see [`PLANNED`].

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

const FIGURES: &[Figure] = &[Figure {
    name: "request_decision",
    about: "per-request decision time: crumbwall WASM and native vs @ghostery/adblocker",
    run: request_decision,
}];

/// Figures still to be written, in the order they will be added.
const PLANNED: &[&str] = &[
    "startup",
    "memory",
    "size",
    "page_load",
    "cookie_classification",
    "rule_compilation",
];

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
    #[allow(dead_code)]
    quick: bool,
    /// Timed rounds per figure (3, or 1 with `--quick`).
    rounds: u32,
}

pub fn bench(args: &[String]) -> Result<ExitCode> {
    let mut quick = false;
    let mut only: Option<Vec<String>> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
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
        out: root.join("target").join("bench"),
        root,
        data,
        quick,
        rounds: if quick { 1 } else { 3 },
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
    println!("not measured yet: {}", PLANNED.join(", "));
    println!(
        "wrote {} in {:.0} s{}",
        results_path.display(),
        started.elapsed().as_secs_f64(),
        if quick { " (--quick: 1 round)" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
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
    crate::util::run(
        Command::new("cargo")
            .args([
                "build",
                "--quiet",
                "--release",
                "--package",
                "crumbwall-cli",
                "--example",
                "bench_decide",
            ])
            .current_dir(&ctx.root),
    )?;
    let example = ctx
        .root
        .join("target")
        .join("release")
        .join("examples")
        .join("bench_decide");
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
// Shared helpers.

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
    fn timestamp_is_rfc3339() {
        let t = super::timestamp();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'), "{t}");
    }
}
