//! An answers file (YAML or JSON) through parsing, checking, assessing and both reports.
#![no_main]

use libfuzzer_sys::fuzz_target;
use massage_check::report::{self, Context, Format};

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let engine = common::engine();
    if let Ok(answers) = massage_check::answers::parse(engine.book(), text)
        && let Ok(assessment) = engine.check_and_assess(&answers, common::today())
    {
        let ctx = Context { book: engine.book(), date: common::today(), width: 80, answers: None };
        let _ = report::render(&assessment, &ctx, Format::Text);
        let _ = report::render(&assessment, &ctx, Format::Json);
        let _ = engine.explain(&answers);
    }
});
