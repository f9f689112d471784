//! Answers through the text and Markdown reports and the batch summary: whatever the
//! input holds, no control character (an escape code, a carriage return) may reach text
//! meant for a terminal. The text report is asked for without its own styles, so any
//! control character in it came from the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use massage_check::report::{self, BatchItem, BatchRecord, Format};

mod common;

fn assert_plain(what: &str, text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the {what}: {text:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = common::engine();
    // Error messages are escaped where they are printed (main.rs), tested in tests/hostile.rs.
    let Ok(answers) = massage_check::answers::parse(engine.book(), text) else {
        return;
    };
    let Ok(assessment) = engine.check_and_assess(&answers, common::today()) else {
        return;
    };
    let ctx = common::context(Some(&answers), false);
    assert_plain(
        "text report",
        &report::render(&assessment, &ctx, Format::Text),
    );
    assert_plain(
        "Markdown report",
        &report::render(&assessment, &ctx, Format::Markdown),
    );
    let mut summary = report::BatchOutput::Summary.formatter(false);
    let mut out = Vec::new();
    let record = BatchRecord {
        number: 1,
        unit: "line",
        item: BatchItem::Assessed(&assessment),
    };
    summary.item(&record, &ctx, &mut out);
    summary.end(&mut out);
    assert_plain("batch summary", &String::from_utf8_lossy(&out));
});
