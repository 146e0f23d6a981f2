//! Fuzz target `user_payload`: feeds libFuzzer's input to `tarn::fuzzing::user_payload`, the entry the stable corpus replay calls too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tarn::fuzzing::user_payload(data));
