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

#[test]
fn compile_and_check_a_small_list() {
    let dir = std::env::temp_dir().join(format!("crumbwall-cli-compile-{}", std::process::id()));
    let filters = dir.join("filters");
    std::fs::create_dir_all(&filters).unwrap();
    std::fs::write(
        filters.join("mini.txt"),
        "! Version: 7\n||tracker.example^\n@@||tracker.example/ok.js\nbad$$line\n",
    )
    .unwrap();
    let toml = dir.join("lists.toml");
    std::fs::write(
        &toml,
        "[[list]]\nid = \"mini\"\nname = \"Mini\"\ncategory = \"advertising\"\nfile = \"mini.txt\"\nurl = \"https://example.org/mini.txt\"\nlicence = \"CC0-1.0\"\nuse = \"network\"\n",
    )
    .unwrap();
    let (t, f, out) = (
        toml.to_str().unwrap(),
        filters.to_str().unwrap(),
        dir.join("out"),
    );
    let (ok, text) = crumbwall(&[
        "compile",
        "--lists",
        t,
        "--filters",
        f,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let rules = std::fs::read_to_string(out.join("rules/advertising.json")).unwrap();
    assert!(rules.contains("tracker.example"), "{rules}");
    assert!(out.join("engine/blocker.bin").is_file());
    let lists = std::fs::read_to_string(out.join("rules/lists.json")).unwrap();
    assert!(lists.contains("\"version\": \"7\""), "{lists}");
    assert!(std::fs::read_to_string(out.join("compile-report.txt"))
        .unwrap()
        .contains("mini"));

    let (_, text) = crumbwall(&[
        "check",
        "http://a.tracker.example/x.js",
        "--source",
        "http://site.example/",
        "--type",
        "script",
        "--lists",
        t,
        "--filters",
        f,
    ]);
    assert!(
        text.contains("decision: blocked")
            && text.contains("filter: ||tracker.example^")
            && text.contains("list: mini"),
        "{text}"
    );
    let (_, text) = crumbwall(&[
        "check",
        "http://tracker.example/ok.js",
        "--source",
        "http://site.example/",
        "--type",
        "script",
        "--lists",
        t,
        "--filters",
        f,
    ]);
    assert!(
        text.contains("a list exception applies")
            && text.contains("exception: @@||tracker.example/ok.js"),
        "{text}"
    );

    // A missing or empty list is an error naming the list.
    std::fs::write(filters.join("mini.txt"), "! only a comment\n").unwrap();
    let (ok, text) = crumbwall(&[
        "compile",
        "--lists",
        t,
        "--filters",
        f,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        !ok && text.contains("list `mini`") && text.contains("no filters"),
        "{text}"
    );
    std::fs::remove_file(filters.join("mini.txt")).unwrap();
    let (ok, text) = crumbwall(&[
        "compile",
        "--lists",
        t,
        "--filters",
        f,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!ok && text.contains("list `mini`"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn classify_and_evaluate_cookies() {
    let (ok, out) = crumbwall(&[
        "classify-cookie",
        "--name",
        "_ga",
        "--domain",
        ".news.example",
        "--value",
        "GA1.1.1.2",
        "--no-ocd",
    ]);
    assert!(
        ok && out.contains("purpose: statistical") && out.contains("reason: known name `_ga`"),
        "{out}"
    );
    let (ok, out) = crumbwall(&[
        "classify-cookie",
        "--name",
        "",
        "--domain",
        "localhost",
        "--no-ocd",
    ]);
    assert!(ok && out.contains("purpose: unknown"), "{out}");
    let (ok, out) = crumbwall(&[
        "classify-cookie",
        "--name",
        "x",
        "--domain",
        "a.example",
        "--expires",
        "soon",
    ]);
    assert!(!ok && out.contains("--expires takes seconds"), "{out}");
    let file = std::env::temp_dir().join(format!("crumbwall-eval-{}.csv", std::process::id()));
    std::fs::write(&file, "name,domain,label,value\n_ga,.x.com,analytics,GA1.1.2.3\nPHPSESSID,x.com,necessary,abc\nfoo,x.com,bogus\nshort,x.com\n").unwrap();
    let (ok, out) = crumbwall(&["eval-cookies", file.to_str().unwrap(), "--no-ocd"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("line 4: skipped: unknown label `bogus`") && out.contains("line 5: skipped"),
        "{out}"
    );
    assert!(
        out.contains("accuracy: 2/2 = 100.0%") && out.contains("confusion"),
        "{out}"
    );
    let _ = std::fs::remove_file(&file);
}
