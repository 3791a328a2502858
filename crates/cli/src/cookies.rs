//! `crumbwall classify-cookie` and `crumbwall eval-cookies`: the cookie classifier from the shell.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crumbwall_core::cookies::{
    ocd_rows, parse_ocd_csv, Classifier, CookieInput, KnowledgeTable, OcdRow, Purpose,
};

/// The Open Cookie Database file: `--ocd FILE`, else `$CRUMBWALL_DATA/cookies/open-cookie-database.csv`
/// when it exists.
fn ocd_path(ocd: Option<PathBuf>) -> Option<PathBuf> {
    ocd.or_else(|| {
        std::env::var_os("CRUMBWALL_DATA")
            .map(|d| {
                PathBuf::from(d)
                    .join("cookies")
                    .join("open-cookie-database.csv")
            })
            .filter(|p| p.is_file())
    })
}

/// The classifier: the curated table, plus the Open Cookie Database when one is found
/// ([`ocd_path`]), unless `--no-ocd`.
fn classifier(ocd: Option<PathBuf>, no_ocd: bool) -> Result<(Classifier, String), String> {
    if no_ocd {
        return Ok((Classifier::builtin(), "curated table only".into()));
    }
    match ocd_path(ocd) {
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
    let (mut file, mut ocd, mut no_ocd, mut held_out) = (None, None, false, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--ocd" => ocd = Some(PathBuf::from(it.next().ok_or("--ocd needs a file")?)),
            "--no-ocd" => no_ocd = true,
            "--leave-platform-out" => held_out = true,
            other if file.is_none() && !other.starts_with("--") => {
                file = Some(PathBuf::from(other))
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if held_out {
        if file.is_some() || no_ocd {
            return Err("--leave-platform-out takes only [--ocd FILE]".into());
        }
        return leave_platform_out_cmd(ocd);
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
    let mut confusion = Confusion::new();
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
    println!("knowledge: {knowledge}");
    println!(
        "cookies: {} evaluated, {malformed} malformed rows skipped",
        confusion.values().sum::<usize>()
    );
    Ok(report(&confusion))
}

/// Counts of (label, classified) pairs.
type Confusion = BTreeMap<(Purpose, Purpose), usize>;

/// Right answers and total of a confusion matrix.
fn right_total(confusion: &Confusion) -> (usize, usize) {
    let total: usize = confusion.values().sum();
    let right: usize = confusion
        .iter()
        .filter(|((e, g), _)| e == g)
        .map(|(_, n)| n)
        .sum();
    (right, total)
}

/// `a/b = x%`.
fn ratio(a: usize, b: usize) -> String {
    format!("{a}/{b} = {:.1}%", 100.0 * a as f64 / b.max(1) as f64)
}

/// Prints accuracy, per-purpose precision and recall and the confusion matrix; false when the
/// matrix is empty.
fn report(confusion: &Confusion) -> bool {
    let (right, total) = right_total(confusion);
    if total == 0 {
        return false;
    }
    println!("accuracy: {}", ratio(right, total));
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
    true
}

/// One Open Cookie Database row classified without its platform's rows.
#[derive(Debug, Clone, PartialEq)]
struct HeldOut<'a> {
    /// The row.
    row: &'a OcdRow,
    /// The purpose its category maps to.
    expected: Purpose,
    /// What the classifier said.
    got: Purpose,
    /// Why.
    reason: String,
    /// The curated table knows the name (the team wrote it partly from Open Cookie Database
    /// knowledge, so these rows are not held out).
    curated: bool,
    /// No knowledge table (curated or other platforms') knows the name: the domain and
    /// heuristic layers decided.
    unknown_name: bool,
}

/// Leave-platform-out: each row of each platform P classified by the curated table plus the rows
/// of every other platform (rows whose category maps to no purpose are left out).
fn leave_platform_out(rows: &[OcdRow]) -> Vec<HeldOut<'_>> {
    let builtin = Classifier::builtin();
    let mut platforms: BTreeMap<&str, Vec<&OcdRow>> = BTreeMap::new();
    for r in rows {
        platforms.entry(r.platform.as_str()).or_default().push(r);
    }
    let mut out = Vec::with_capacity(rows.len());
    for (platform, own) in platforms {
        let (others, _) =
            KnowledgeTable::from_ocd_rows(rows.iter().filter(|r| r.platform != platform));
        let classifier = Classifier::with_ocd(others);
        for r in own {
            let Some(expected) = r.purpose() else {
                continue;
            };
            let c = r.input();
            let got = classifier.classify(&c);
            out.push(HeldOut {
                row: r,
                expected,
                got: got.purpose,
                reason: got.reason,
                curated: builtin.known(c.name).is_some(),
                unknown_name: classifier.known(c.name).is_none(),
            });
        }
    }
    out
}

/// `crumbwall eval-cookies --leave-platform-out [--ocd FILE]`: the held-out figures (see
/// [`leave_platform_out`]): rows the curated table knows apart, then the rest, then the rows no
/// table knows.
fn leave_platform_out_cmd(ocd: Option<PathBuf>) -> Result<bool, String> {
    let path = ocd_path(ocd).ok_or(
        "no Open Cookie Database: pass --ocd FILE or set CRUMBWALL_DATA (cookies/open-cookie-database.csv)",
    )?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let rows = ocd_rows(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let held = leave_platform_out(&rows);
    let platforms = rows
        .iter()
        .map(|r| r.platform.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let confusion = |keep: &dyn Fn(&HeldOut) -> bool| {
        let mut m = Confusion::new();
        for h in held.iter().filter(|h| keep(h)) {
            *m.entry((h.expected, h.got)).or_default() += 1;
        }
        m
    };
    println!(
        "leave-platform-out on {} ({} rows with a purpose, {platforms} platforms): each platform's \
         rows classified by the curated table + the other platforms' rows",
        path.display(),
        held.len()
    );
    let (right, total) = right_total(&confusion(&|h| h.curated));
    println!(
        "rows whose name the curated table knows (not held out, left out below): {}",
        ratio(right, total)
    );
    println!("\nheld out: rows whose name the curated table does not know");
    let ok = report(&confusion(&|h| !h.curated));
    println!("\nheld out, name in no knowledge table (domain and heuristic layers only)");
    report(&confusion(&|h| !h.curated && h.unknown_name));
    // CRUMBWALL_EVAL_VERBOSE=1 lists the held-out rows.
    if std::env::var_os("CRUMBWALL_EVAL_VERBOSE").is_some() {
        println!(
            "\nheld-out rows (platform | name | domain | retention: label -> classified (reason)):"
        );
        for h in held.iter().filter(|h| !h.curated) {
            let r = h.row;
            println!(
                "  {} {} | {} | {} | {}: {} -> {} ({})",
                if h.expected == h.got { "ok  " } else { "MISS" },
                r.platform,
                r.name,
                r.domain,
                r.retention,
                h.expected,
                h.got,
                h.reason
            );
        }
    }
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,Data Controller,User Privacy & GDPR Rights Portals,Wildcard match\n";

    #[test]
    fn leave_platform_out_excludes_only_the_own_platform() {
        let text = format!(
            "{HEADER}\
             1,Alpha,Marketing,qzv_alpha,,,1 year,,,0\n\
             2,Beta,Analytics,qzv_beta,,,1 year,,,0\n\
             3,Gamma,Analytics,qzv_beta,,,1 year,,,0\n\
             4,Gamma,Marketing,_ga,,,2 years,,,0\n\
             5,Delta,Weird,qzv_delta,,,1 year,,,0\n"
        );
        let rows = ocd_rows(&text).unwrap();
        // With its own rows in the table, every row would be right by lookup.
        let all = Classifier::with_ocd(parse_ocd_csv(&text).0);
        assert_eq!(all.classify(&rows[0].input()).purpose, Purpose::Advertising);
        let held = leave_platform_out(&rows);
        assert_eq!(held.len(), 4, "the Weird category is left out");
        let by = |platform_rows: &[usize]| -> Vec<HeldOut> {
            // `leave_platform_out` goes platform by platform in name order: Alpha, Beta, Gamma.
            platform_rows.iter().map(|&i| held[i].clone()).collect()
        };
        // Alpha's only row is known to no other platform: unknown to every table, so wrong.
        let [alpha] = &by(&[0])[..] else { panic!() };
        assert!(alpha.unknown_name && !alpha.curated);
        assert_eq!(
            (alpha.expected, alpha.got),
            (Purpose::Advertising, Purpose::Unknown)
        );
        // Beta's row is right thanks to Gamma's row of the same name, and the reverse.
        for h in by(&[1, 2]) {
            assert!(!h.unknown_name && !h.curated);
            assert_eq!(
                (h.expected, h.got),
                (Purpose::Statistical, Purpose::Statistical)
            );
        }
        // A curated name is flagged (and the curated table decides).
        let [ga] = &by(&[3])[..] else { panic!() };
        assert!(ga.curated && !ga.unknown_name);
        assert_eq!(
            (ga.expected, ga.got),
            (Purpose::Advertising, Purpose::Statistical)
        );
    }
}
