//! The `crumbwall` binary as a user runs it.

use std::process::Command;

fn crumbwall(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_crumbwall"))
        .args(args)
        .output()
        .expect("run crumbwall");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn site_prints_registrable_domains_and_errors() {
    let (ok, out) = crumbwall(&["site", "https://www.news.bbc.co.uk/x", "co.uk"]);
    assert!(!ok);
    assert!(
        out.contains("https://www.news.bbc.co.uk/x\tbbc.co.uk"),
        "{out}"
    );
    assert!(
        out.contains("co.uk\terror: `co.uk` is a public suffix"),
        "{out}"
    );
}

#[test]
fn signals_rules_and_check_follow_a_settings_file() {
    let dir = std::env::temp_dir().join(format!("crumbwall-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("settings.json");
    std::fs::write(
        &file,
        r#"{"version":1,"signals":{"enabled":true,"exceptions":["news.test"]}}"#,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let (ok, out) = crumbwall(&["signals", "rules", "--settings", f]);
    assert!(ok, "{out}");
    assert!(
        out.contains("\"excludedTopDomains\"") && out.contains("\"news.test\""),
        "{out}"
    );
    let (_, out) = crumbwall(&["signals", "check", "http://www.news.test/", "--settings", f]);
    assert!(out.contains("no signals"), "{out}");
    let (_, out) = crumbwall(&["signals", "check", "http://site.test/", "--settings", f]);
    assert!(out.contains("DNT: 1, Sec-GPC: 1 sent"), "{out}");
    std::fs::write(&file, r#"{"version":1,"signals":{"exceptions":[""]}}"#).unwrap();
    let (ok, out) = crumbwall(&["settings", "check", f]);
    assert!(
        !ok && out.contains("error: `signals.exceptions[0]`: the site is empty"),
        "{out}"
    );
    let (ok, out) = crumbwall(&["bogus"]);
    assert!(!ok && out.contains("usage"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
