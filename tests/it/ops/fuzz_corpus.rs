//! The kept fuzz corpus (`fuzz/corpus/<target>/`) replayed on stable through the same `tarn::fuzzing` entries the
//! `cargo fuzz` targets call: a crash fixed once stays fixed. No server is needed; the entries parse in memory.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

#[test]
fn every_corpus_input_is_handled_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut failures = Vec::new();
    for (target, entry) in tarn::fuzzing::TARGETS {
        let folder = root.join(target);
        let files = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .map(|f| f.unwrap().path())
            .filter(|p| p.is_file())
            .collect::<Vec<_>>();
        assert!(!files.is_empty(), "{} holds no inputs", folder.display());
        for file in files {
            let input = std::fs::read(&file).unwrap();
            if catch_unwind(AssertUnwindSafe(|| entry(&input))).is_err() {
                failures.push(file.display().to_string());
            }
        }
    }
    assert!(failures.is_empty(), "inputs that panic: {failures:#?}");
}

#[test]
fn every_target_has_a_corpus_folder_and_no_folder_is_unknown() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut folders = std::fs::read_dir(&root)
        .unwrap()
        .map(|f| f.unwrap().file_name().into_string().unwrap())
        .collect::<Vec<_>>();
    folders.sort();
    let mut targets = tarn::fuzzing::TARGETS
        .map(|(name, _)| name.to_owned())
        .to_vec();
    targets.sort();
    assert_eq!(folders, targets);
}
