//! Figure 1 of `cargo xtask bench`, natively: per-request decision time of the Crumbwall core.
//!
//! ```text
//! cargo run --release -p crumbwall-cli --example bench_decide -- \
//!     --engine target/bench/engine/blocker.bin \
//!     --requests $CRUMBWALL_DATA/requests/requests-sample-10k.json [--rounds 3] [--limit N] \
//!     [--filters $CRUMBWALL_DATA/filters \
//!      --lists easylist.txt=advertising,easyprivacy.txt=statistical,fanboy-social.txt=social]
//! ```
//!
//! With `--filters` and `--lists`, it also builds an engine from exactly those lists (the
//! `crumbwall compile` engine always includes the built-in starter list) and times it too, so the
//! blocked counts can be compared like for like with other blockers given the same lists.
//!
//! Loads the serialised engine as the extension does, then times, per request, both
//! `blocking::decide` (what the Firefox listener asks: settings, engine, category) and the bare
//! `Blocker::check`. One warm-up pass, then `--rounds` timed passes over the same requests in
//! file order. Prints one JSON document on stdout. The request type mapping and the statistics
//! are the same as tests/bench/lib.mjs's.

use std::time::Instant;

use crumbwall_core::blocking;
use crumbwall_core::engine::{Blocker, CategorySet};
use crumbwall_core::{Category, Settings};
use serde_json::{json, Value};

struct Req {
    url: String,
    frame_url: String,
    kind: String,
}

fn load_requests(path: &str, limit: usize) -> Result<Vec<Req>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        if out.len() >= limit {
            break;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| format!("{path}:{}: {e}", n + 1))?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let (url, frame_url) = (s("url"), s("frameUrl"));
        let cpt = v.get("cpt").and_then(Value::as_str).unwrap_or("other");
        let kind = blocking::request_type_of_devtools(cpt, &url, &frame_url).to_owned();
        out.push(Req {
            url,
            frame_url,
            kind,
        });
    }
    Ok(out)
}

/// Median (mean of the middle two for an even count) of ascending values.
fn median_sorted(s: &[f64]) -> f64 {
    match s.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

fn median(values: &[f64]) -> f64 {
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    median_sorted(&s)
}

/// Nearest-rank percentile of ascending values.
fn percentile(s: &[f64], p: f64) -> f64 {
    if s.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * s.len() as f64).ceil().max(1.0) as usize;
    s[rank.min(s.len()) - 1]
}

/// `{median_us, p99_us, mean_us, max_us}` of per-call nanoseconds.
fn summarize(samples_ns: &[f64]) -> Value {
    let mut s = samples_ns.to_vec();
    s.sort_by(f64::total_cmp);
    let mean = s.iter().sum::<f64>() / s.len() as f64;
    json!({
        "median_us": median_sorted(&s) / 1e3,
        "p99_us": percentile(&s, 99.0) / 1e3,
        "mean_us": mean / 1e3,
        "max_us": s.last().copied().unwrap_or(f64::NAN) / 1e3,
    })
}

/// One pass: per-call nanoseconds and per-request "blocked".
fn pass(reqs: &[Req], f: &dyn Fn(&Req) -> bool) -> (Vec<f64>, Vec<bool>) {
    let mut samples = Vec::with_capacity(reqs.len());
    let mut verdicts = Vec::with_capacity(reqs.len());
    for r in reqs {
        let t0 = Instant::now();
        let blocked = std::hint::black_box(f(std::hint::black_box(r)));
        samples.push(t0.elapsed().as_nanos() as f64);
        verdicts.push(blocked);
    }
    (samples, verdicts)
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut engine = None;
    let mut requests = None;
    let mut rounds = 3usize;
    let mut limit = usize::MAX;
    let mut filters = None;
    let mut lists = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--engine" => engine = Some(value()?),
            "--requests" => requests = Some(value()?),
            "--rounds" => rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--limit" => limit = value()?.parse().map_err(|e| format!("--limit: {e}"))?,
            "--filters" => filters = Some(value()?),
            "--lists" => lists = Some(value()?),
            "--quick" => rounds = 1,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let engine = engine.ok_or("--engine FILE is required")?;
    let requests = requests.ok_or("--requests FILE is required")?;
    let bytes = std::fs::read(&engine).map_err(|e| format!("{engine}: {e}"))?;
    let reqs = load_requests(&requests, limit)?;

    let mut loads = Vec::new();
    let mut blocker = None;
    for _ in 0..rounds.max(3) {
        let t0 = Instant::now();
        let b = Blocker::deserialize(&bytes).map_err(|e| e.to_string())?;
        loads.push(t0.elapsed().as_secs_f64() * 1e3);
        blocker = Some(b);
    }
    let blocker = blocker.expect("loaded at least once");
    let settings = Settings::default();
    let enabled = settings.blocking.enabled();
    assert_eq!(
        enabled,
        CategorySet::blocking(),
        "default settings enable the blocking categories"
    );

    // The same lists without the starter list, built here (not shipped: timed for comparison).
    let lists_only = match (&filters, &lists) {
        (Some(dir), Some(spec)) => {
            let mut texts = Vec::new();
            for item in spec.split(',') {
                let (file, cat) = item
                    .split_once('=')
                    .ok_or(format!("--lists: `{item}` is not FILE=CATEGORY"))?;
                let cat =
                    Category::parse(cat).ok_or(format!("--lists: unknown category `{cat}`"))?;
                let path = std::path::Path::new(dir).join(file);
                texts.push((
                    cat,
                    std::fs::read_to_string(&path)
                        .map_err(|e| format!("{}: {e}", path.display()))?,
                ));
            }
            let refs: Vec<(Category, &str)> = texts.iter().map(|(c, t)| (*c, t.as_str())).collect();
            Some(
                Blocker::deserialize(&Blocker::build(&refs).serialize())
                    .map_err(|e| e.to_string())?,
            )
        }
        (None, None) => None,
        _ => return Err("--filters and --lists go together".into()),
    };

    let decide = |r: &Req| {
        blocking::decide(
            &settings,
            &blocker,
            &r.url,
            &r.frame_url,
            &r.kind,
            &r.frame_url,
        )
        .is_block()
    };
    let check = |r: &Req| {
        blocker
            .check(&r.url, &r.frame_url, &r.kind, enabled)
            .is_block()
    };
    let lists_only_check = |r: &Req| {
        lists_only
            .as_ref()
            .is_some_and(|b| b.check(&r.url, &r.frame_url, &r.kind, enabled).is_block())
    };
    let mut variants: Vec<Variant<'_>> = vec![
        (
            "crumbwall_native",
            "crumbwall native (blocking::decide)",
            &decide,
        ),
        (
            "crumbwall_native_check",
            "crumbwall native (Blocker::check only)",
            &check,
        ),
    ];
    if lists_only.is_some() {
        variants.push((
            "crumbwall_native_lists_only",
            "crumbwall native, lists only, no starter (check)",
            &lists_only_check,
        ));
    }

    let mut engines = serde_json::Map::new();
    for (name, label, f) in variants {
        let (_, verdicts) = pass(&reqs, f); // warm-up
        let mut per_round = Vec::new();
        for _ in 0..rounds {
            let (samples, v) = pass(&reqs, f);
            if v != verdicts {
                return Err(format!("{name}: verdicts changed between passes"));
            }
            per_round.push(summarize(&samples));
        }
        let pick = |k: &str| {
            median(
                &per_round
                    .iter()
                    .map(|r| r[k].as_f64().unwrap_or(f64::NAN))
                    .collect::<Vec<_>>(),
            )
        };
        engines.insert(
            name.to_owned(),
            json!({
                "label": label,
                "engine_bytes": if name.ends_with("lists_only") { Value::Null } else { json!(bytes.len()) },
                "load_ms": if name.ends_with("lists_only") { Value::Null } else { json!(median(&loads)) },
                "load_what": "Blocker::deserialize(bytes)",
                "blocked": verdicts.iter().filter(|b| **b).count(),
                "median_us": pick("median_us"),
                "p99_us": pick("p99_us"),
                "mean_us": pick("mean_us"),
                "rounds": per_round,
            }),
        );
    }
    let overhead: Vec<f64> = (0..10_000)
        .map(|_| {
            let t0 = Instant::now();
            t0.elapsed().as_nanos() as f64
        })
        .collect();
    let out = json!({
        "figure": "request_decision",
        "requests": reqs.len(),
        "rounds": rounds,
        "timer_overhead_us": median(&overhead) / 1e3,
        "engines": engines,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// A timed variant: (key, label, the decision under test).
type Variant<'a> = (&'a str, &'a str, &'a dyn Fn(&Req) -> bool);

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_decide: {e}");
        std::process::exit(2);
    }
}
