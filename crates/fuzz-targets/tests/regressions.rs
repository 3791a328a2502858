//! Replays every input under `fuzz/regressions/<target>/` (minimised crashers and the seed
//! corpus) through its target, so `cargo test` catches a reintroduced crash too.

use std::path::Path;

#[test]
fn regression_inputs_replay_without_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut replayed = 0;
    for target in crumbwall_fuzz_targets::TARGETS {
        let Ok(entries) = std::fs::read_dir(dir.join(target.name)) else {
            continue;
        };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files {
            let input = std::fs::read(&path).expect("readable regression input");
            eprintln!("{} {}", target.name, path.display());
            (target.run)(&input);
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no regression inputs under {}", dir.display());
}
