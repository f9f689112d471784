//! An answers file (YAML or JSON) through parsing, checking, assessing, explaining and
//! every report.
#![no_main]

use libfuzzer_sys::fuzz_target;
use massage_check::report::{self, Format};

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = common::engine();
    if let Ok(answers) = massage_check::answers::parse(engine.book(), text)
        && let Ok(assessment) = engine.check_and_assess(&answers, common::today())
    {
        let ctx = common::context(Some(&answers), true);
        for format in [Format::Text, Format::Json, Format::Markdown] {
            let _ = report::render(&assessment, &ctx, format);
        }
        let _ = engine.explain(&answers);
    }
});
