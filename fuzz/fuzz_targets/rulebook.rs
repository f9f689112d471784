//! A rulebook file through loading, validation and compilation: on its own, or added to
//! the built-in files (where its references resolve). The built-in files are parsed once
//! per process, and the first byte picks one of the two, so each input costs what the
//! input itself needs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use massage_check::engine::Engine;
use massage_check::rulebook::Rulebook;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let files = vec![("fuzz.yaml".to_string(), text.to_string())];
    let _ = if mode & 1 == 0 {
        Rulebook::from_texts(files)
    } else {
        Rulebook::builtin_plus(files)
    }
    .and_then(Engine::new);
});
