//! Conformance: adblock-rust's labelled matching cases (`$CRUMBWALL_DATA/requests/
//! matching-test-requests.json`) through Crumbwall's engine wrapper. Each case names filters that
//! must match its request: a blocking filter must block it, an exception must leave it allowed.

use crumbwall_core::engine::{Blocker, CategorySet};
use crumbwall_core::Category;

#[derive(serde::Deserialize)]
struct Case {
    filters: Vec<String>,
    #[serde(rename = "sourceUrl")]
    source_url: String,
    #[serde(rename = "type")]
    kind: String,
    url: String,
}

#[test]
fn matching_test_requests() {
    let Some(data) = std::env::var_os("CRUMBWALL_DATA") else {
        println!("skipped: CRUMBWALL_DATA not set (conformance needs requests/matching-test-requests.json)");
        return;
    };
    let path = std::path::Path::new(&data)
        .join("requests")
        .join("matching-test-requests.json");
    let text = std::fs::read_to_string(&path).expect("read matching-test-requests.json");
    let cases: Vec<Case> = serde_json::from_str(&text).expect("parse matching-test-requests.json");
    let (mut checked, mut skipped) = (0usize, 0usize);
    let mut failures = Vec::new();
    for case in &cases {
        // The data set has requests to bare "http://" that no engine can read.
        if case.url == "http://" || case.url == "https://" {
            skipped += case.filters.len();
            continue;
        }
        for filter in &case.filters {
            let blocker = Blocker::build(&[(Category::Advertising, filter.as_str())]);
            let verdict = blocker.check(
                &case.url,
                &case.source_url,
                &case.kind,
                CategorySet::blocking(),
            );
            let exception = filter.starts_with("@@");
            let ok = if exception {
                !verdict.is_block()
            } else {
                verdict.is_block()
            };
            checked += 1;
            if !ok {
                failures.push(format!(
                    "{filter}  {} from {} ({}) → {verdict:?}",
                    case.url, case.source_url, case.kind
                ));
            }
        }
    }
    println!("conformance: {checked} filter/request pairs checked, {} failed, {skipped} skipped (bare http:// URLs)", failures.len());
    for f in failures.iter().take(20) {
        println!("  FAIL {f}");
    }
    assert!(checked > 9_000, "the data set was read ({checked} pairs)");
    assert!(
        failures.is_empty(),
        "{} conformance failures",
        failures.len()
    );
}
