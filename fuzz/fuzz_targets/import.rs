//! `cargo +nightly fuzz run import`: a thin wrapper; the target is `crumbwall_fuzz_targets::import`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| crumbwall_fuzz_targets::import(data));
