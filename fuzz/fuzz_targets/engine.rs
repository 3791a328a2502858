//! `cargo +nightly fuzz run engine`: a thin wrapper; the target is `crumbwall_fuzz_targets::engine`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| crumbwall_fuzz_targets::engine(data));
