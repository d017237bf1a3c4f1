//! Any string through the query parser and, when it parses, a search of the bundled corpus
//! (ranking, context, highlights, both printers, and the concordance, facets and --like views):
//! errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serge::query::{Engine, Request};
use std::sync::{Mutex, OnceLock};

fn engine() -> &'static Mutex<Engine> {
    static ENGINE: OnceLock<Mutex<Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = std::env::temp_dir().join(format!("serge-fuzz-index-{}", std::process::id()));
        serge::index::update(&root.join("corpus"), &dir, Default::default(), None)
            .expect("index the bundled corpus");
        let opened = serge::index::open_existing(&dir).unwrap().unwrap();
        Mutex::new(Engine::new(opened).unwrap())
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    // Options ride on the first byte, so the fuzzer explores them too.
    let flags = data.first().copied().unwrap_or(0);
    let request = Request {
        query: query.to_owned(),
        limit: 1 + usize::from(flags & 7),
        context: usize::from(flags >> 6),
        author: (flags & 8 != 0).then(|| query.chars().take(5).collect()),
        year: (flags & 16 != 0).then(|| query.chars().rev().take(9).collect()),
        doc: (flags & 32 != 0).then(|| "00".to_owned()),
        like: None,
    };
    let mut engine = engine().lock().unwrap();
    // The views on the same query: concordance lines, facets, and --like with the query as
    // the passage reference.
    let _ = engine.kwic(&request, 1 + usize::from(flags & 63), serge::query::KwicSort::Left);
    let _ = engine.facets(&request);
    let _ = engine.search(&Request {
        like: Some(query.to_owned()),
        ..request.clone()
    });
    if let Ok(hits) = engine.search(&request) {
        let mut out = Vec::new();
        for hit in &hits {
            for &(a, b) in &hit.highlights {
                assert!(a < b && b <= hit.text.len(), "highlight out of range");
                assert!(hit.text.is_char_boundary(a) && hit.text.is_char_boundary(b));
            }
            serge::print::json::write_hit(&mut out, hit).unwrap();
            let style = serge::print::Style { color: true, width: Some(40) };
            serge::print::text::write_hit(&mut out, hit, style).unwrap();
        }
    }
});
