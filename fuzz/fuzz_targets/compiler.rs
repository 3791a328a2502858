//! `cargo +nightly fuzz run compiler`: a thin wrapper; the target is `crumbwall_fuzz_targets::compiler`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| crumbwall_fuzz_targets::compiler(data));
