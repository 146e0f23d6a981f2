//! Fuzz target `client_assertion`: feeds libFuzzer's input to `tarn::fuzzing::client_assertion`, the entry the stable corpus replay calls too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tarn::fuzzing::client_assertion(data));
