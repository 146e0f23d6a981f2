//! Fuzz target `import_line`: feeds libFuzzer's input to `tarn::fuzzing::import_line`, the entry the stable corpus replay calls too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tarn::fuzzing::import_line(data));
