//! `crumbwall`: inspect what the extension decides, natively, with the same core.
//!
//! ```text
//! crumbwall site INPUT...                          the site (registrable domain) of each input
//! crumbwall settings check FILE                    validate a settings file as an import would
//! crumbwall signals rules [--settings FILE]        the DNR rules that send DNT/GPC
//! crumbwall signals check URL [--settings FILE]    whether a page at URL gets the signals
//! crumbwall compile --out DIR [--lists F] [--filters DIR] [--allow-missing]
//! crumbwall check URL --source PAGE_URL --type TYPE [--method M] [--lists F] [--filters DIR]
//! crumbwall pixels FILE.json [--examples N] [--seed S]
//! ```

mod compile;
mod cookies;
mod lists;
mod pixels;

use std::process::ExitCode;

use crumbwall_core::{settings, signals, Settings, SiteKey};

const USAGE: &str = "usage:
  crumbwall site INPUT...                         print the site (registrable domain) of each input
  crumbwall settings check FILE                   validate a settings file as the options page's import would
  crumbwall signals rules [--settings FILE]       print the declarativeNetRequest rules that send DNT and GPC
  crumbwall signals check URL [--settings FILE]   say whether requests from a page at URL carry DNT and GPC
  crumbwall compile --out DIR [--lists lists.toml] [--filters DIR] [--allow-missing]
                                                  compile the filter lists into Chrome rulesets, the
                                                  serialised engine and a conversion report
  crumbwall check URL --source PAGE_URL --type TYPE [--method M] [--lists lists.toml] [--filters DIR]
                                                  the decision for one request, its category, filter and list,
                                                  and whether it is a web beacon or pixel tag
  crumbwall classify-cookie --name N --domain D [--value V] [--expires SECONDS] [--site S] [--no-ocd]
                                                  the purpose of a cookie, with confidence and reason
  crumbwall eval-cookies FILE.csv [--no-ocd]      accuracy, precision/recall per purpose and confusion matrix
                                                  on labelled cookies (header: name, domain, label; optional
                                                  value, expires, site)
  crumbwall eval-cookies --leave-platform-out [--ocd FILE]
                                                  held-out accuracy on the Open Cookie Database (each
                                                  platform judged without its own rows)
  crumbwall pixels FILE.json [--examples N] [--seed S]
                                                  classify the web beacons and pixel tags of a JSON Lines request
                                                  file (url, frameUrl, cpt): counts by purpose and reason, and N
                                                  (default 20) examples picked from seed S (default 1)
  (filter lists are read from --filters, default $CRUMBWALL_DATA/filters or ~/.cache/crumbwall/lists)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("crumbwall: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["site", inputs @ ..] if !inputs.is_empty() => {
            let mut ok = true;
            for input in inputs {
                match SiteKey::parse_user_input(input) {
                    Ok(site) => println!("{input}\t{site}"),
                    Err(e) => {
                        ok = false;
                        println!("{input}\terror: {e}");
                    }
                }
            }
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        ["settings", "check", file] => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
            match settings::import(&text) {
                Ok(s) => {
                    println!("{}", s.to_json());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    for p in &e.problems {
                        println!("error: {p}");
                    }
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        ["signals", "rules", rest @ ..] => {
            let s = settings_from(rest)?;
            let json =
                serde_json::to_string_pretty(&signals::dnr_rules(&s)).map_err(|e| e.to_string())?;
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
        ["signals", "check", url, rest @ ..] => {
            let s = settings_from(rest)?;
            let on = signals::applies(&s, url);
            let site = SiteKey::from_url(url)
                .map(|k| k.to_string())
                .unwrap_or_else(|_| "(no site)".into());
            println!(
                "{url}\tsite {site}\t{}",
                if on {
                    "DNT: 1, Sec-GPC: 1 sent"
                } else {
                    "no signals"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        ["compile", rest @ ..] => compile::compile_cmd(rest).map(|ok| {
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }),
        ["classify-cookie", rest @ ..] => cookies::classify_cmd(rest).map(|ok| {
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }),
        ["eval-cookies", rest @ ..] => cookies::eval_cmd(rest).map(|ok| {
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }),
        ["check", rest @ ..] => {
            let (rest, method) = pixels::split_method(rest)?;
            let ok = compile::check_cmd(&rest)?;
            println!("{}", pixels::check_line(&rest, method));
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        ["pixels", rest @ ..] => pixels::pixels_cmd(rest).map(|ok| {
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }),
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(format!("unrecognised arguments\n{USAGE}")),
    }
}

/// `--settings FILE` (validated strictly) or the defaults.
fn settings_from(rest: &[&str]) -> Result<Settings, String> {
    match rest {
        [] => Ok(Settings::default()),
        ["--settings", file] => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
            settings::import(&text).map_err(|e| format!("{file}:\n{e}"))
        }
        _ => Err(format!("unrecognised arguments\n{USAGE}")),
    }
}
