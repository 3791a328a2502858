//! `cargo +nightly fuzz run urls`: a thin wrapper; the target is `crumbwall_fuzz_targets::urls`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| crumbwall_fuzz_targets::urls(data));
