//! Fuzz target `id_token_hint`: feeds libFuzzer's input to `tarn::fuzzing::id_token_hint`, the entry the stable corpus replay calls too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tarn::fuzzing::id_token_hint(data));
