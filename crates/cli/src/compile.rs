//! `crumbwall compile` and `crumbwall check`: the filter lists as the extension will use them.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crumbwall_core::compile::{self, ListInput};
use crumbwall_core::cookies::parse_ocd_csv;
use crumbwall_core::engine::{Blocker, CategorySet, Verdict};
use crumbwall_core::{blocking, starter, Category, Settings};
use serde::Serialize;

use crate::lists::{self, ListMeta};

/// Id of the team's built-in starter list in reports.
const STARTER_ID: &str = "crumbwall-starter";

/// The lists to build from: each network list's text (missing ones reported), plus the starter.
struct Loaded {
    inputs: Vec<(String, Category, String)>,
    /// The `use = "cosmetic"` lists' texts (the cookie-notice lists, for the banner hider).
    cosmetic: Vec<String>,
    metas: Vec<(ListMeta, Option<String>)>,
    missing: Vec<String>,
}

fn load(lists_toml: &Path, dir: &Path, allow_missing: bool) -> Result<Loaded, String> {
    let metas = lists::read(lists_toml)?;
    let mut inputs = Vec::new();
    let mut missing = Vec::new();
    let mut out_metas = Vec::new();
    let mut cosmetic = Vec::new();
    for meta in metas {
        if !meta.is_network() {
            match lists::load_text(dir, &meta) {
                Ok(text) => {
                    cosmetic.push(text.clone());
                    out_metas.push((meta, Some(text)));
                }
                Err(e) if allow_missing => {
                    missing.push(e);
                    out_metas.push((meta, None));
                }
                Err(e) => return Err(e),
            }
            continue;
        }
        match lists::load_text(dir, &meta) {
            Ok(text) => {
                inputs.push((meta.id.clone(), meta.category(), text.clone()));
                out_metas.push((meta, Some(text)));
            }
            Err(e) if allow_missing => {
                missing.push(e);
                out_metas.push((meta, None));
            }
            Err(e) => return Err(e),
        }
    }
    for cat in Category::BLOCKING {
        inputs.push((STARTER_ID.to_owned(), cat, starter::as_filter_list(cat)));
    }
    Ok(Loaded {
        inputs,
        cosmetic,
        metas: out_metas,
        missing,
    })
}

/// The list texts as the engine gets them. adblock-rust reads `!#if` directives as comments, so
/// it is given only the lines active in Firefox, where the engine decides.
fn engine_texts(loaded: &Loaded) -> Vec<(Category, String)> {
    loaded
        .inputs
        .iter()
        .map(|(_, c, t)| {
            (
                *c,
                compile::lines::active_lines(t, compile::lines::FIREFOX_MV3),
            )
        })
        .collect()
}

#[derive(Serialize)]
struct ListInfo {
    id: String,
    name: String,
    category: String,
    licence: String,
    homepage: String,
    url: String,
    version: Option<String>,
    filters: usize,
    included: bool,
}

/// `crumbwall compile --out DIR [--lists lists.toml] [--filters DIR] [--allow-missing] [--report DIR]
/// [--ocd open-cookie-database.csv]`: writes `DIR/rules/<category>.json` (and each category's
/// blocked-frame redirects, `DIR/rules/<category>_frames.json`), `DIR/rules/lists.json`,
/// `DIR/engine/blocker.bin`, `DIR/cookies/known.tsv` (the Open Cookie Database's names in the
/// curated table's format, or no entries without `--ocd`), and the conversion report
/// (`compile-report.{txt,json}`) and the `use = "cosmetic"` lists' text joined
/// (`consent-lists.txt`, for the banner hider) into the report directory (default `DIR`).
pub fn compile_cmd(args: &[&str]) -> Result<bool, String> {
    let mut out = None;
    let mut lists_toml = PathBuf::from("lists.toml");
    let mut dir = lists::default_dir();
    let mut allow_missing = false;
    let mut report_dir = None;
    let mut ocd = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--out" => out = it.next().map(PathBuf::from),
            "--lists" => lists_toml = it.next().map(PathBuf::from).ok_or("--lists needs a file")?,
            "--filters" => {
                dir = it
                    .next()
                    .map(PathBuf::from)
                    .ok_or("--filters needs a directory")?
            }
            "--allow-missing" => allow_missing = true,
            "--report" => report_dir = it.next().map(PathBuf::from),
            "--ocd" => ocd = Some(it.next().map(PathBuf::from).ok_or("--ocd needs a file")?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    let loaded = load(&lists_toml, &dir, allow_missing)?;
    for m in &loaded.missing {
        eprintln!("crumbwall: WARNING: {m}");
    }
    let started = Instant::now();
    let inputs: Vec<ListInput> = loaded
        .inputs
        .iter()
        .map(|(id, category, text)| ListInput {
            id,
            category: *category,
            text,
        })
        .collect();
    let compiled = compile::compile(&inputs);
    let compile_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let active = engine_texts(&loaded);
    let engine_lists: Vec<(Category, &str)> =
        active.iter().map(|(c, t)| (*c, t.as_str())).collect();
    let blocker = Blocker::build(&engine_lists);
    let engine_bytes = blocker.serialize();
    let engine_secs = started.elapsed().as_secs_f64();

    let rules_dir = out.join("rules");
    let engine_dir = out.join("engine");
    let cookies_dir = out.join("cookies");
    for d in [&rules_dir, &engine_dir, &cookies_dir] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let mut total = 0;
    for cat in Category::BLOCKING {
        let rules = compiled
            .rulesets
            .get(&cat)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        total += rules.len();
        let json = serde_json::to_string(rules).map_err(|e| e.to_string())?;
        write(
            &rules_dir.join(format!("{}.json", cat.as_str())),
            json.as_bytes(),
        )?;
        println!("ruleset {:<12} {:>6} rules", cat.as_str(), rules.len());
        // Blocked frames as empty documents (the extension enables these with host access).
        let frames = compile::frames::frame_redirects(rules);
        total += frames.len();
        let json = serde_json::to_string(&frames).map_err(|e| e.to_string())?;
        let id = format!("{}_frames", cat.as_str());
        write(&rules_dir.join(format!("{id}.json")), json.as_bytes())?;
        println!("ruleset {id:<12} {:>6} rules", frames.len());
    }
    println!("ruleset total        {total:>6} rules (Chrome guarantees 30,000 static rules)");
    write(&engine_dir.join("blocker.bin"), &engine_bytes)?;
    let known = cookie_knowledge(ocd.as_deref())?;
    write(&cookies_dir.join("known.tsv"), known.as_bytes())?;
    println!(
        "engine               {:>6} KB serialised ({} categories)",
        engine_bytes.len() / 1024,
        blocker.categories().len()
    );
    let infos: Vec<ListInfo> = loaded
        .metas
        .iter()
        .map(|(m, text)| ListInfo {
            id: m.id.clone(),
            name: m.name.clone(),
            category: m.category.clone(),
            licence: m.licence.clone(),
            homepage: m.homepage.clone(),
            url: m.url.clone(),
            version: text.as_deref().and_then(lists::version_of),
            filters: text.as_deref().map_or(0, |t| {
                t.lines()
                    .filter(|l| !l.trim().is_empty() && !l.starts_with('!') && !l.starts_with('['))
                    .count()
            }),
            included: text.is_some(),
        })
        .collect();
    write(
        &rules_dir.join("lists.json"),
        serde_json::to_string_pretty(&infos)
            .map_err(|e| e.to_string())?
            .as_bytes(),
    )?;
    let report_dir = report_dir.unwrap_or_else(|| out.clone());
    std::fs::create_dir_all(&report_dir).map_err(|e| format!("{}: {e}", report_dir.display()))?;
    // The cookie-notice lists, joined, for the banner hider: `cargo xtask build` serialises it
    // with the WebAssembly module (see `buildBannerHider` in crates/wasm), not natively.
    write(
        &report_dir.join("consent-lists.txt"),
        loaded.cosmetic.join("\n").as_bytes(),
    )?;
    println!(
        "cookie-notice lists  {:>6} KB of text ({} lists) for the banner hider",
        loaded.cosmetic.iter().map(String::len).sum::<usize>() / 1024,
        loaded.cosmetic.len()
    );
    let report_text = compiled.report.to_text();
    write(
        &report_dir.join("compile-report.txt"),
        report_text.as_bytes(),
    )?;
    write(
        &report_dir.join("compile-report.json"),
        serde_json::to_string_pretty(&compiled.report)
            .map_err(|e| e.to_string())?
            .as_bytes(),
    )?;
    println!(
        "compiled rules in {compile_secs:.2} s, engines in {engine_secs:.2} s; report: {}",
        report_dir.join("compile-report.txt").display()
    );
    Ok(true)
}

/// The Open Cookie Database as a table in the curated format (`name<TAB>purpose<TAB>owner`,
/// prefixes with a trailing `*`), for the extension to load at start-up; a header-only table
/// without a database.
fn cookie_knowledge(ocd: Option<&Path>) -> Result<String, String> {
    let mut out = String::from(
        "# Cookie names from the Open Cookie Database (github.com/jkwakman/Open-Cookie-Database),\n\
         # Apache-2.0, converted by `crumbwall compile` to the format of crates/core/data/cookies-known.tsv.\n",
    );
    let Some(path) = ocd else {
        out.push_str("# (built without the database: no entries)\n");
        println!("cookie knowledge          0 names (no Open Cookie Database)");
        return Ok(out);
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (table, errors) = parse_ocd_csv(&text);
    for e in errors.iter().take(5) {
        eprintln!("crumbwall: {}: {e}", path.display());
    }
    for k in table.entries() {
        // The format has no escapes: names with a tab or line break cannot be written.
        let clean = |s: &str| !s.contains(['\t', '\n', '\r']);
        let owner = k.owner.as_deref().filter(|o| clean(o)).unwrap_or_default();
        if clean(&k.name) && !k.name.is_empty() && !k.name.starts_with('#') {
            let star = if k.prefix { "*" } else { "" };
            out.push_str(&format!("{}{star}\t{}\t{owner}\n", k.name, k.purpose));
        }
    }
    println!(
        "cookie knowledge     {:>6} names from the Open Cookie Database",
        table.len()
    );
    Ok(out)
}

fn write(path: &Path, data: &[u8]) -> Result<(), String> {
    // Only rewrite when the content changed, so an unchanged build leaves timestamps alone.
    if std::fs::read(path).is_ok_and(|old| old == data) {
        return Ok(());
    }
    std::fs::write(path, data).map_err(|e| format!("{}: {e}", path.display()))
}

/// `crumbwall check URL --source PAGE_URL --type TYPE [--lists F] [--filters DIR]`.
pub fn check_cmd(args: &[&str]) -> Result<bool, String> {
    let mut url = None;
    let mut source = String::new();
    let mut kind = String::from("other");
    let mut lists_toml = PathBuf::from("lists.toml");
    let mut dir = lists::default_dir();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--source" => source = it.next().ok_or("--source needs a page URL")?.to_string(),
            "--type" => kind = it.next().ok_or("--type needs a resource type")?.to_string(),
            "--lists" => lists_toml = it.next().map(PathBuf::from).ok_or("--lists needs a file")?,
            "--filters" => {
                dir = it
                    .next()
                    .map(PathBuf::from)
                    .ok_or("--filters needs a directory")?
            }
            other if url.is_none() && !other.starts_with("--") => url = Some(other.to_string()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let url = url.ok_or("a URL to check is required")?;
    let loaded = load(&lists_toml, &dir, true)?;
    for m in &loaded.missing {
        eprintln!("crumbwall: note: {m}");
    }
    let active = engine_texts(&loaded);
    let engine_lists: Vec<(Category, &str)> =
        active.iter().map(|(c, t)| (*c, t.as_str())).collect();
    let blocker = Blocker::build_debug(&engine_lists);
    let settings = Settings::default();
    let outcome = blocking::decide(&settings, &blocker, &url, &source, &kind, &source);
    let e = blocker.explain(&url, &source, &kind, CategorySet::blocking());
    let list_of = |line: &str| {
        loaded
            .inputs
            .iter()
            .find(|(_, _, text)| text.lines().any(|l| l.trim() == line))
            .map(|(id, _, _)| id.clone())
            .unwrap_or_else(|| "?".into())
    };
    let decision = match outcome {
        blocking::Outcome::Blocked(c) => format!("blocked\ncategory: {c}"),
        blocking::Outcome::Excepted(c) => {
            format!("allowed (a list exception applies)\ncategory: {c}")
        }
        blocking::Outcome::SiteAllowed(c) => {
            format!("allowed (protection is off on the site)\ncategory: {c}")
        }
        blocking::Outcome::BlockedPixel(p) => {
            format!(
                "blocked (a pixel or beacon)\ncategory: pixels ({})",
                p.as_str()
            )
        }
        blocking::Outcome::SiteAllowedPixel(p) => format!(
            "allowed (a pixel, but protection is off on the site)\ncategory: pixels ({})",
            p.as_str()
        ),
        blocking::Outcome::Allowed if e.verdict == Verdict::Unreadable => {
            "allowed (the URL could not be read)".into()
        }
        blocking::Outcome::Allowed => "allowed (no filter matches)".into(),
    };
    println!("decision: {decision}");
    if let Some(f) = &e.filter {
        println!("filter: {f}\nlist: {}", list_of(f));
    }
    if let Some(x) = &e.exception {
        println!("exception: {x}\nexception list: {}", list_of(x));
    }
    if let Some(p) = crumbwall_core::url::split(&url) {
        if let Some((c, owner)) = starter::category_of_host(&p.host) {
            println!(
                "starter list: {} is {c}{}",
                p.host,
                owner.map(|o| format!(" ({o})")).unwrap_or_default()
            );
        }
    }
    Ok(true)
}
