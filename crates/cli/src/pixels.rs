//! `crumbwall pixels` and the `pixel:` line of `crumbwall check`: the web beacon and pixel tag
//! classifier from the shell.

use std::collections::BTreeMap;

use crumbwall_core::pixels::{self, Pixel, PixelPurpose, PixelRequest, PixelSignal};
use serde_json::Value;

/// Longest URL shown in examples, in characters.
const SHOWN_URL: usize = 140;

/// Removes `--method M` from `crumbwall check`'s arguments (the rest go to `compile::check_cmd`,
/// which does not know it) and returns it ("" when absent).
pub fn split_method<'a>(args: &[&'a str]) -> Result<(Vec<&'a str>, &'a str), String> {
    let mut rest = Vec::with_capacity(args.len());
    let mut method = "";
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--method" => method = it.next().ok_or("--method needs an HTTP method")?,
            // Options with a value: keep the value with its option, even if it reads `--method`.
            "--source" | "--type" | "--lists" | "--filters" => {
                rest.push(*a);
                rest.extend(it.next());
            }
            other => rest.push(other),
        }
    }
    Ok((rest, method))
}

/// The `pixel: ...` line for `crumbwall check URL --source PAGE --type TYPE` (arguments without
/// `--method`, already validated by `check_cmd`).
pub fn check_line(args: &[&str], method: &str) -> String {
    let (mut url, mut source, mut kind) = ("", "", "other");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--source" => source = it.next().copied().unwrap_or(""),
            "--type" => kind = it.next().copied().unwrap_or("other"),
            "--lists" | "--filters" => {
                it.next();
            }
            other if url.is_empty() && !other.starts_with("--") => url = other,
            _ => {}
        }
    }
    let pixel = pixels::classify(&PixelRequest {
        url,
        kind,
        method,
        source_url: source,
        known_pixel_host: false,
    });
    match pixel {
        Some(p) => format!(
            "pixel: yes ({}, confidence {:.2}): {}",
            p.purpose, p.confidence, p.reason
        ),
        None => "pixel: no".into(),
    }
}

/// A tiny deterministic generator (xorshift64*), seeded through splitmix64 so that every seed,
/// including 0, gives a usable state.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        XorShift((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `n` distinct positions of `0..len` chosen by `rng` (a partial Fisher-Yates shuffle), ascending.
fn sample(len: usize, n: usize, rng: &mut XorShift) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..len).collect();
    let n = n.min(len);
    for i in 0..n {
        let j = i + rng.below(len - i);
        idx.swap(i, j);
    }
    idx.truncate(n);
    idx.sort_unstable();
    idx
}

fn shorten(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

fn percent(a: usize, b: usize) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * a as f64 / b as f64)
    }
}

/// One classified request kept for the report.
struct Found {
    url: String,
    kind: String,
    pixel: Pixel,
}

/// `crumbwall pixels FILE.json [--examples N] [--seed S]`: classifies every request of a JSON
/// Lines file (`url`, `frameUrl`, `cpt`) and prints counts by purpose, signal and type, the most
/// frequent known endpoints and `N` (default 20) examples chosen pseudo-randomly from seed `S`
/// (default 1). Malformed lines are reported with their numbers and skipped.
pub fn pixels_cmd(args: &[&str]) -> Result<bool, String> {
    let (mut file, mut examples, mut seed) = (None, 20usize, 1u64);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--examples" => {
                let v = it.next().ok_or("--examples needs a number")?;
                examples = v
                    .parse()
                    .map_err(|_| format!("--examples takes a number, not `{v}`"))?;
            }
            "--seed" => {
                let v = it.next().ok_or("--seed needs a number")?;
                seed = v
                    .parse()
                    .map_err(|_| format!("--seed takes a number, not `{v}`"))?;
            }
            other if file.is_none() && !other.starts_with("--") => file = Some(other),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let file = file.ok_or("a JSON Lines request file is required")?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;

    let (mut total, mut malformed, mut third_party) = (0usize, 0usize, 0usize);
    let mut found: Vec<Found> = Vec::new();
    let mut kinds: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                println!("line {line_no}: skipped: not JSON ({e})");
                malformed += 1;
                continue;
            }
        };
        let field = |k: &str| v.get(k).and_then(Value::as_str);
        let Some(url) = field("url") else {
            println!("line {line_no}: skipped: no string `url` field");
            malformed += 1;
            continue;
        };
        let frame_url = field("frameUrl").unwrap_or("");
        let kind = crumbwall_core::blocking::request_type_of_devtools(
            field("cpt").unwrap_or("other"),
            url,
            frame_url,
        );
        total += 1;
        let per_kind = kinds.entry(kind.to_owned()).or_default();
        per_kind.0 += 1;
        let pixel = pixels::classify(&PixelRequest {
            url,
            kind,
            method: "",
            source_url: frame_url,
            known_pixel_host: false,
        });
        if let Some(pixel) = pixel {
            per_kind.1 += 1;
            third_party += usize::from(pixel.third_party);
            found.push(Found {
                url: url.to_owned(),
                kind: kind.to_owned(),
                pixel,
            });
        }
    }

    println!("requests: {total} ({malformed} malformed lines skipped)");
    if total == 0 {
        return Ok(false);
    }
    println!(
        "pixels: {} ({}), third-party {third_party}",
        found.len(),
        percent(found.len(), total)
    );
    println!("by purpose:");
    for p in PixelPurpose::ALL {
        let n = found.iter().filter(|f| f.pixel.purpose == p).count();
        println!("  {:<18} {n:>6}", p.as_str());
    }
    println!("by reason kind:");
    for s in PixelSignal::ALL {
        let n = found.iter().filter(|f| f.pixel.signal == s).count();
        println!("  {:<18} {n:>6}", s.as_str());
    }
    println!("by request type (pixels / requests):");
    for (kind, (all, px)) in &kinds {
        println!("  {kind:<18} {px:>6} / {all}");
    }
    let mut endpoints: BTreeMap<&str, usize> = BTreeMap::new();
    for f in found
        .iter()
        .filter(|f| f.pixel.signal == PixelSignal::KnownEndpoint)
    {
        // The tag name is the last parenthesised part of the reason.
        let name = f
            .pixel
            .reason
            .rsplit_once(" (")
            .map_or(f.pixel.reason.as_str(), |(_, n)| n.trim_end_matches(')'));
        *endpoints.entry(name).or_default() += 1;
    }
    if !endpoints.is_empty() {
        let mut top: Vec<(&str, usize)> = endpoints.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        println!("known endpoints (top 10):");
        for (name, n) in top.iter().take(10) {
            println!("  {name:<38} {n:>6}");
        }
    }
    let picks = sample(found.len(), examples, &mut XorShift::new(seed));
    if !picks.is_empty() {
        println!(
            "examples ({} of {}, seed {seed}):",
            picks.len(),
            found.len()
        );
    }
    for i in picks {
        let Some(f) = found.get(i) else { continue };
        println!(
            "- [{}, {}, {:.2}] {}\n    {}",
            f.kind,
            f.pixel.purpose,
            f.pixel.confidence,
            shorten(&f.url, SHOWN_URL),
            f.pixel.reason
        );
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_is_split_off() {
        let (rest, method) = split_method(&[
            "https://x.test/",
            "--method",
            "POST",
            "--source",
            "https://s.test/",
        ])
        .unwrap();
        assert_eq!(method, "POST");
        assert_eq!(rest, ["https://x.test/", "--source", "https://s.test/"]);
        assert!(split_method(&["--method"]).is_err());
    }

    #[test]
    fn check_lines() {
        assert_eq!(
            check_line(
                &[
                    "https://www.facebook.com/tr?id=1&ev=PageView",
                    "--source",
                    "https://news.example/",
                    "--type",
                    "image",
                ],
                "",
            ),
            "pixel: yes (advertising, confidence 0.95): known pixel endpoint facebook.com/tr (Meta Pixel)"
        );
        assert_eq!(
            check_line(
                &["https://cdn.example.com/img/hero.jpg", "--type", "image"],
                ""
            ),
            "pixel: no"
        );
    }

    #[test]
    fn sampling_is_deterministic_and_distinct() {
        let a = sample(100, 20, &mut XorShift::new(1));
        assert_eq!(a, sample(100, 20, &mut XorShift::new(1)));
        assert_ne!(a, sample(100, 20, &mut XorShift::new(2)));
        assert_eq!(a.len(), 20);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample(3, 20, &mut XorShift::new(0)), [0, 1, 2]);
        assert!(sample(0, 20, &mut XorShift::new(0)).is_empty());
    }

    #[test]
    fn types_map_like_the_benchmark() {
        assert_eq!(
            crumbwall_core::blocking::request_type_of_devtools("document", "a", "a"),
            "main_frame"
        );
        assert_eq!(
            crumbwall_core::blocking::request_type_of_devtools("document", "a", "b"),
            "sub_frame"
        );
        assert_eq!(
            crumbwall_core::blocking::request_type_of_devtools("fetch", "a", "b"),
            "xmlhttprequest"
        );
        assert_eq!(
            crumbwall_core::blocking::request_type_of_devtools("texttrack", "a", "b"),
            "other"
        );
        assert_eq!(
            crumbwall_core::blocking::request_type_of_devtools("ping", "a", "b"),
            "ping"
        );
    }
}
