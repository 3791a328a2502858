//! `cargo +nightly fuzz run settings`: a thin wrapper; the target is `crumbwall_fuzz_targets::settings_load`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| crumbwall_fuzz_targets::settings_load(data));
