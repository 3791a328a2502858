//! `cargo +nightly fuzz run cookies`: a thin wrapper; the target is `crumbwall_fuzz_targets::cookies`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| crumbwall_fuzz_targets::cookies(data));
