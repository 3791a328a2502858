//! `crumbwall classify-cookie` and `crumbwall eval-cookies`: the cookie classifier from the shell.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crumbwall_core::cookies::{parse_ocd_csv, Classifier, CookieInput, Purpose};

/// The classifier: the curated table, plus the Open Cookie Database when one is found
/// (`--ocd FILE`, else `$CRUMBWALL_DATA/cookies/open-cookie-database.csv`), unless `--no-ocd`.
fn classifier(ocd: Option<PathBuf>, no_ocd: bool) -> Result<(Classifier, String), String> {
    if no_ocd {
        return Ok((Classifier::builtin(), "curated table only".into()));
    }
    let path = ocd.or_else(|| {
        std::env::var_os("CRUMBWALL_DATA")
            .map(|d| {
                PathBuf::from(d)
                    .join("cookies")
                    .join("open-cookie-database.csv")
            })
            .filter(|p| p.is_file())
    });
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            let (table, errors) = parse_ocd_csv(&text);
            for e in errors.iter().take(5) {
                eprintln!("crumbwall: {}: {e}", p.display());
            }
            let n = table.len();
            Ok((
                Classifier::with_ocd(table),
                format!("curated table + Open Cookie Database ({n} entries)"),
            ))
        }
        None => Ok((
            Classifier::builtin(),
            "curated table only (no Open Cookie Database found)".into(),
        )),
    }
}

/// `crumbwall classify-cookie --name N --domain D [--value V] [--expires SECONDS] [--site S]`.
pub fn classify_cmd(args: &[&str]) -> Result<bool, String> {
    let (mut name, mut domain, mut value, mut site) = (None, None, "", None);
    let mut expires = None;
    let (mut ocd, mut no_ocd) = (None, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut next = |what: &str| it.next().copied().ok_or(format!("{a} needs {what}"));
        match *a {
            "--name" => name = Some(next("a cookie name")?),
            "--domain" => domain = Some(next("a domain")?),
            "--value" => value = next("a value")?,
            "--site" => site = Some(next("a site")?),
            "--expires" => {
                let v = next("seconds")?;
                expires = Some(
                    v.parse::<i64>()
                        .map_err(|_| format!("--expires takes seconds, not `{v}`"))?,
                );
            }
            "--ocd" => ocd = Some(PathBuf::from(next("a file")?)),
            "--no-ocd" => no_ocd = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    let name = name.ok_or("--name is required")?;
    let domain = domain.ok_or("--domain is required")?;
    let (classifier, knowledge) = classifier(ocd, no_ocd)?;
    let c = classifier.classify(&CookieInput {
        name,
        value,
        domain,
        path: "/",
        expires_in: expires,
        secure: false,
        http_only: false,
        same_site: None,
        site,
    });
    println!(
        "purpose: {}\nconfidence: {:.2}\nreason: {}\nknowledge: {knowledge}",
        c.purpose, c.confidence, c.reason
    );
    Ok(true)
}

/// Splits CSV text into rows of fields (RFC 4180 quoting). Returns (line number, fields).
fn csv_rows(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut rows = Vec::new();
    let (mut field, mut fields) = (String::new(), Vec::new());
    let (mut quoted, mut line, mut start) = (false, 1usize, 1usize);
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            '\n' if !quoted => {
                fields.push(std::mem::take(&mut field));
                rows.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            '\r' if !quoted => {}
            c => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        rows.push((start, fields));
    }
    rows
}

/// `crumbwall eval-cookies FILE.csv`: accuracy, per-purpose precision/recall, confusion matrix.
pub fn eval_cmd(args: &[&str]) -> Result<bool, String> {
    let (mut file, mut ocd, mut no_ocd) = (None, None, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--ocd" => ocd = Some(PathBuf::from(it.next().ok_or("--ocd needs a file")?)),
            "--no-ocd" => no_ocd = true,
            other if file.is_none() && !other.starts_with("--") => {
                file = Some(PathBuf::from(other))
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    let file = file.ok_or("a labelled CSV file is required")?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let rows = csv_rows(&text);
    let Some(((_, header), body)) = rows.split_first() else {
        return Err(format!("{}: empty file", file.display()));
    };
    let col = |n: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(n));
    let (Some(ni), Some(di), Some(li)) = (col("name"), col("domain"), col("label")) else {
        return Err(format!(
            "{}: the header needs at least `name`, `domain` and `label`",
            file.display()
        ));
    };
    let (vi, ei, si) = (col("value"), col("expires"), col("site"));
    let (classifier, knowledge) = classifier(ocd, no_ocd)?;
    let mut confusion: BTreeMap<(Purpose, Purpose), usize> = BTreeMap::new();
    let mut malformed = 0usize;
    for (line, fields) in body {
        if fields.len() == 1 && fields[0].trim().is_empty() {
            continue;
        }
        let get = |i: Option<usize>| i.and_then(|i| fields.get(i)).map(|s| s.trim());
        let (Some(name), Some(domain), Some(label)) = (get(Some(ni)), get(Some(di)), get(Some(li)))
        else {
            println!(
                "line {line}: skipped: {} fields, the header has {}",
                fields.len(),
                header.len()
            );
            malformed += 1;
            continue;
        };
        let Some(expected) = Purpose::parse(label) else {
            println!("line {line}: skipped: unknown label `{label}`");
            malformed += 1;
            continue;
        };
        let expires = match get(ei).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    println!("line {line}: skipped: `expires` must be seconds, found `{s}`");
                    malformed += 1;
                    continue;
                }
            },
        };
        let got = classifier
            .classify(&CookieInput {
                name,
                value: get(vi).unwrap_or(""),
                domain,
                path: "/",
                expires_in: expires,
                secure: false,
                http_only: false,
                same_site: None,
                site: get(si).filter(|s| !s.is_empty()),
            })
            .purpose;
        *confusion.entry((expected, got)).or_default() += 1;
    }
    let total: usize = confusion.values().sum();
    let right: usize = confusion
        .iter()
        .filter(|((e, g), _)| e == g)
        .map(|(_, n)| n)
        .sum();
    println!("knowledge: {knowledge}");
    println!("cookies: {total} evaluated, {malformed} malformed rows skipped");
    if total == 0 {
        return Ok(false);
    }
    println!(
        "accuracy: {right}/{total} = {:.1}%",
        100.0 * right as f64 / total as f64
    );
    println!("{:<16} {:>9} {:>7}", "purpose", "precision", "recall");
    for p in Purpose::ALL {
        let tp = confusion.get(&(p, p)).copied().unwrap_or(0);
        let predicted: usize = confusion
            .iter()
            .filter(|((_, g), _)| *g == p)
            .map(|(_, n)| n)
            .sum();
        let actual: usize = confusion
            .iter()
            .filter(|((e, _), _)| *e == p)
            .map(|(_, n)| n)
            .sum();
        let pct = |a: usize, b: usize| {
            if b == 0 {
                "-".to_string()
            } else {
                format!("{:.1}%", 100.0 * a as f64 / b as f64)
            }
        };
        println!(
            "{:<16} {:>9} {:>7}",
            p.as_str(),
            pct(tp, predicted),
            pct(tp, actual)
        );
    }
    println!("confusion (rows: label, columns: classified):");
    print!("{:<16}", "");
    for g in Purpose::ALL {
        print!(" {:>8.8}", g.as_str());
    }
    println!();
    for e in Purpose::ALL {
        print!("{:<16}", e.as_str());
        for g in Purpose::ALL {
            print!(" {:>8}", confusion.get(&(e, g)).copied().unwrap_or(0));
        }
        println!();
    }
    Ok(true)
}
