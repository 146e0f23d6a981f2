//! Fuzz target `admin_json`: feeds libFuzzer's input to `tarn::fuzzing::admin_json`, the entry the stable corpus replay calls too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tarn::fuzzing::admin_json(data));
