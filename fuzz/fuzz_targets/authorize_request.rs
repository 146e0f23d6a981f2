//! Fuzz target `authorize_request`: feeds libFuzzer's input to `tarn::fuzzing::authorize_request`, the entry the stable corpus replay calls too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tarn::fuzzing::authorize_request(data));
