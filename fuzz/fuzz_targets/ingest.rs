//! Any bytes through the whole ingester (decode, repair, normalise, markup, segment, dedupe)
//! and the passage splitter: nothing may panic, and the output must be clean text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cleaned) = serge::ingest::clean_bytes(data) {
        let text = serge::ingest::render(&cleaned.paragraphs);
        assert!(!text.contains('\r'), "CR survived normalisation");
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "a control character survived: {text:?}"
        );
        let passages = serge::index::passages(&cleaned.paragraphs);
        for p in &passages {
            assert!(!p.text.is_empty());
        }
        let _ = serge::ingest::metadata::infer(&cleaned.head_lines, &cleaned.tail_lines);
    }
});
