pub(crate) mod containers;
pub(crate) mod unsafe_tools;

#[cfg(test)]
#[path = "../../tests/unit/flatbuffers/mod.rs"]
mod unit_tests;
