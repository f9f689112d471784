//! A rulebook file through loading, validation and compilation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use massage_check::engine::Engine;
use massage_check::rulebook::Rulebook;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // On its own, and added to the built-in files (where references resolve).
    let _ = Rulebook::from_texts(vec![("fuzz.yaml".into(), text.to_string())]).and_then(Engine::new);
    let mut files = massage_check::rulebook::builtin::files();
    files.push(("fuzz.yaml".into(), text.to_string()));
    let _ = Rulebook::from_texts(files).and_then(Engine::new);
});
