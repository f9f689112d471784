//! The terminal adapter: draws each prompt on stderr (stdout carries only the report)
//! and feeds keys to the widgets in [`super::widgets`]. Everything here is presentation;
//! what counts as a valid answer is decided by the interview's `check`.
//!
//! Each prompt is redrawn as a block of whole lines wrapped to the terminal's width, so
//! words never break mid-way and the block can be erased exactly; a list taller than the
//! terminal shows a window around the highlighted line.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use crossterm::event::{self, Event, KeyEvent, KeyEventKind};
use crossterm::{cursor, queue, terminal};

use super::widgets::{CheckList, ChoiceList, LineEditor, NOT_SURE, Outcome};
use super::{Progress, Prompter, Reply, Stop};
use crate::answers::{self, Value};
use crate::rulebook::{Question, QuestionType};

/// Prompts on the terminal.
#[derive(Debug, Default)]
pub struct TerminalPrompter {
    /// How many lines each answered question left on screen, so going back can erase
    /// the answer it takes back.
    answered: Vec<usize>,
}

const QUIT_QUESTION: &str = "Stop the interview? The answers so far will not be kept. Press y to stop, any other key to go on.";

/// The widget for one question.
enum Widget {
    Line(LineEditor),
    Choice(ChoiceList),
    Check(CheckList),
}

impl Widget {
    /// The widget for `q`, showing `previous` (the answer given before going back).
    fn for_question(q: &Question, previous: Option<Value>) -> Widget {
        let reply = previous
            .and_then(|v| answers::display_value(q, v))
            .map(|text| {
                // The reply Enter would submit for this answer.
                text.trim_start_matches('[')
                    .trim_end_matches(']')
                    .replace(", ", ";")
            });
        let reply = reply.map(|r| {
            if previous == Some(Value::Set(0)) {
                "[]".to_string()
            } else if previous == Some(Value::Unknown) {
                "unknown".to_string()
            } else {
                r
            }
        });
        let mut options: Vec<(String, String)> = if q.kind == QuestionType::YesNo {
            vec![("Yes".into(), "yes".into()), ("No".into(), "no".into())]
        } else {
            q.choices
                .iter()
                .map(|c| (c.label.to_string(), c.id.clone()))
                .collect()
        };
        match q.kind {
            QuestionType::YesNo | QuestionType::OneOf => {
                if q.allow_unknown {
                    options.push((NOT_SURE.into(), "unknown".into()));
                }
                match reply {
                    Some(r) => Widget::Choice(ChoiceList::with_reply(options, &r)),
                    None => Widget::Choice(ChoiceList::new(options)),
                }
            }
            QuestionType::SeveralOf => match reply {
                Some(r) => Widget::Check(CheckList::with_reply(options, q.allow_unknown, &r)),
                None => Widget::Check(CheckList::new(options, q.allow_unknown)),
            },
            QuestionType::Number | QuestionType::Scale => {
                Widget::Line(reply.map_or_else(LineEditor::default, |r| LineEditor::with_text(&r)))
            }
        }
    }

    fn key(&mut self, key: &KeyEvent) -> Outcome {
        match self {
            Widget::Line(w) => w.key(key),
            Widget::Choice(w) => w.key(key),
            Widget::Check(w) => w.key(key),
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            Widget::Line(_) => {
                "Type the answer, then Enter (? and Enter: help). Shift-Tab: back. Esc: stop."
            }
            Widget::Choice(_) => {
                "Up/Down or a line's number picks (or type the start of an answer); Enter confirms. ?: help. Left: back. Esc: stop."
            }
            Widget::Check(_) => {
                "Up/Down moves, Space ticks, Enter when done. ?: help. Shift-Tab: back. Esc: stop."
            }
        }
    }

    /// The answer in words, for the line left on screen once it is given.
    fn summary(&self, reply: &str) -> String {
        match self {
            Widget::Line(_) => reply.trim().to_string(),
            Widget::Choice(w) => w
                .options
                .iter()
                .find(|(_, r)| r == reply)
                .map_or(reply.to_string(), |(l, _)| l.clone()),
            Widget::Check(w) => {
                let labels = w.labels();
                let picked: Vec<&str> = labels
                    .iter()
                    .zip(&w.ticked)
                    .filter(|(_, t)| **t)
                    .map(|(l, _)| *l)
                    .collect();
                picked.join("; ")
            }
        }
    }
}

/// Styles, left out when `NO_COLOR` is set.
struct Styles {
    on: bool,
}

impl Styles {
    fn dim(&self, s: &str) -> String {
        self.wrap(s, "\x1b[2m", "\x1b[22m")
    }
    fn bold(&self, s: &str) -> String {
        self.wrap(s, "\x1b[1m", "\x1b[22m")
    }
    fn error(&self, s: &str) -> String {
        self.wrap(s, "\x1b[31m", "\x1b[39m")
    }
    fn wrap(&self, s: &str, on: &str, off: &str) -> String {
        if self.on {
            format!("{on}{s}{off}")
        } else {
            s.to_string()
        }
    }
}

/// Wraps `text` to `width` columns at spaces only.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let options = textwrap::Options::new(width.max(20))
        .initial_indent(first)
        .subsequent_indent(rest)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// The block of lines that shows a prompt, and where the text cursor goes in it.
struct Block {
    lines: Vec<String>,
    cursor: Option<(usize, usize)>,
}

fn block(
    q: &Question,
    progress: Progress,
    widget: &Widget,
    message: Option<&(String, bool)>,
    size: (usize, usize),
    styles: &Styles,
) -> Block {
    let (width, height) = size;
    // One column spare: a line that fills the width would wrap on some terminals.
    let width = width.saturating_sub(1).max(20);
    let mut head = vec![styles.dim(&format!(
        "Question {} of about {}",
        progress.number, progress.about
    ))];
    head.extend(
        wrap(&q.prompt, width, "", "")
            .iter()
            .map(|l| styles.bold(l)),
    );
    if !q.help.is_empty() {
        head.extend(wrap(&q.help, width, "", "").iter().map(|l| styles.dim(l)));
    }
    let mut tail = Vec::new();
    tail.extend(
        wrap(widget.hint(), width, "", "")
            .iter()
            .map(|l| styles.dim(l)),
    );
    if let Some((text, is_error)) = message {
        for l in wrap(text, width, "", "") {
            tail.push(if *is_error { styles.error(&l) } else { l });
        }
    }
    let mut cursor = None;
    let room = height.saturating_sub(head.len() + tail.len());
    let body: Vec<String> = match widget {
        Widget::Line(editor) => {
            // The line scrolls sideways rather than wrap, so the block stays erasable.
            let text: Vec<char> = editor.text().chars().collect();
            let room = width.saturating_sub(3).max(1);
            let start = editor.cursor().saturating_sub(room);
            let shown: String = text[start..].iter().take(room).collect();
            let before: String = text[start..editor.cursor()].iter().collect();
            let col = 2 + textwrap::core::display_width(&before);
            cursor = Some((head.len(), col.min(width)));
            vec![format!("> {shown}")]
        }
        Widget::Choice(list) => {
            let labels: Vec<&str> = list.options.iter().map(|(l, _)| l.as_str()).collect();
            let focus = list.highlighted;
            let items = items(&labels, focus, |i| format!("{}. ", i + 1), width, styles);
            let mut shown = window(items, focus.unwrap_or(0), room, styles);
            if !list.typed().is_empty() {
                let note = match focus {
                    Some(_) => format!("Typed: {}", list.typed()),
                    None => format!(
                        "Typed: {} (no single answer starts like that; keep typing or use the arrows)",
                        list.typed()
                    ),
                };
                shown.extend(wrap(&note, width, "", "").iter().map(|l| styles.dim(l)));
            }
            shown
        }
        Widget::Check(list) => {
            let tick = |i: usize| if list.ticked[i] { "[x] " } else { "[ ] " }.to_string();
            let items = items(&list.labels(), Some(list.cursor), tick, width, styles);
            window(items, list.cursor, room, styles)
        }
    };
    let mut lines = head;
    lines.extend(body);
    lines.extend(tail);
    Block { lines, cursor }
}

/// Each label as wrapped lines after its marker (`> ` on the focused one) and prefix.
fn items(
    labels: &[&str],
    focus: Option<usize>,
    prefix: impl Fn(usize) -> String,
    width: usize,
    styles: &Styles,
) -> Vec<Vec<String>> {
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let here = focus == Some(i);
            let first = format!("{}{}", if here { "> " } else { "  " }, prefix(i));
            let indent = " ".repeat(first.chars().count());
            let lines = wrap(label, width, &first, &indent);
            if here {
                lines.iter().map(|l| styles.bold(l)).collect()
            } else {
                lines
            }
        })
        .collect()
}

/// The items around `focus` that fit in `room` lines, with a note where more are hidden.
fn window(items: Vec<Vec<String>>, focus: usize, room: usize, styles: &Styles) -> Vec<String> {
    let total: usize = items.iter().map(Vec::len).sum();
    if total <= room || room < 4 {
        return items.into_iter().flatten().collect();
    }
    // Two lines are kept for the "more" notes.
    let room = room - 2;
    let (mut start, mut end) = (focus, focus + 1);
    let mut used = items[focus].len();
    loop {
        let grew_down = end < items.len() && used + items[end].len() <= room;
        if grew_down {
            used += items[end].len();
            end += 1;
        }
        let grew_up = start > 0 && used + items[start - 1].len() <= room;
        if grew_up {
            start -= 1;
            used += items[start].len();
        }
        if !grew_down && !grew_up {
            break;
        }
    }
    let mut out = Vec::new();
    out.push(if start > 0 {
        styles.dim(&format!("  ({start} more above)"))
    } else {
        String::new()
    });
    out.extend(items[start..end].iter().flatten().cloned());
    out.push(if end < items.len() {
        styles.dim(&format!("  ({} more below)", items.len() - end))
    } else {
        String::new()
    });
    out
}

/// Raw mode for the length of one prompt; restored on every way out.
struct RawMode;

impl RawMode {
    fn enable() -> Result<RawMode, Stop> {
        terminal::enable_raw_mode().map_err(|e| Stop::Terminal(e.to_string()))?;
        Ok(RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = terminal::disable_raw_mode();
        let _ = queue!(std::io::stderr(), cursor::Show);
        let _ = std::io::stderr().flush();
    }
}

/// Draws blocks over each other in place.
#[derive(Default)]
struct Screen {
    /// The row of the last block the cursor was left on, counted from its first line.
    cursor_row: usize,
    drawn: bool,
}

impl Screen {
    fn erase(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        if self.drawn {
            if self.cursor_row > 0 {
                queue!(out, cursor::MoveUp(self.cursor_row as u16))?;
            }
            queue!(
                out,
                cursor::MoveToColumn(0),
                terminal::Clear(terminal::ClearType::FromCursorDown)
            )?;
        }
        self.drawn = false;
        self.cursor_row = 0;
        Ok(())
    }

    fn draw(&mut self, out: &mut impl Write, block: &Block) -> std::io::Result<()> {
        self.erase(out)?;
        out.write_all(block.lines.join("\r\n").as_bytes())?;
        let last = block.lines.len().saturating_sub(1);
        match block.cursor {
            Some((row, col)) => {
                if last > row {
                    queue!(out, cursor::MoveUp((last - row) as u16))?;
                }
                queue!(out, cursor::MoveToColumn(col as u16), cursor::Show)?;
                self.cursor_row = row;
            }
            None => {
                queue!(out, cursor::Hide)?;
                self.cursor_row = last;
            }
        }
        self.drawn = true;
        out.flush()
    }

    /// Replaces the block with the question and its answer, and moves below them.
    fn finish(&mut self, out: &mut impl Write, lines: &[String]) -> std::io::Result<()> {
        self.erase(out)?;
        out.write_all(lines.join("\r\n").as_bytes())?;
        out.write_all(b"\r\n")?;
        out.flush()
    }
}

fn io_stop(e: std::io::Error) -> Stop {
    if matches!(
        e.kind(),
        std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::BrokenPipe
    ) || e.raw_os_error() == Some(5)
    {
        Stop::EndOfInput
    } else {
        Stop::Terminal(e.to_string())
    }
}

/// The terminal's size; a terminal that reports none (a bare pty) counts as 80x24.
fn size() -> (usize, usize) {
    match terminal::size() {
        Ok((w, h)) if w > 0 && h > 0 => (usize::from(w), usize::from(h)),
        _ => (80, 24),
    }
}

/// The next key press (resizes only redraw).
fn next_key() -> Result<Option<KeyEvent>, Stop> {
    match event::read().map_err(io_stop)? {
        Event::Key(k) if k.kind != KeyEventKind::Release => Ok(Some(k)),
        _ => Ok(None),
    }
}

impl Prompter for TerminalPrompter {
    fn ask(
        &mut self,
        q: &Question,
        progress: Progress,
        check: &dyn Fn(&str) -> Result<Value, String>,
    ) -> Result<Reply, Stop> {
        if !std::io::stdin().is_terminal() {
            return Err(Stop::Terminal("standard input is not a terminal".into()));
        }
        let styles = Styles {
            on: std::env::var_os("NO_COLOR").is_none(),
        };
        let mut out = std::io::stderr();
        let _raw = RawMode::enable()?;
        let mut widget = Widget::for_question(q, progress.previous);
        let mut screen = Screen::default();
        // (text, is an error)
        let mut message: Option<(String, bool)> = None;
        let mut confirming_quit = false;
        loop {
            // Keys already waiting (a paste) are taken before the next redraw, so a long
            // paste is one redraw, not one per character.
            if !event::poll(Duration::ZERO).unwrap_or(false) {
                let shown = block(q, progress, &widget, message.as_ref(), size(), &styles);
                screen.draw(&mut out, &shown).map_err(io_stop)?;
            }
            let Some(key) = next_key()? else { continue };
            if confirming_quit {
                confirming_quit = false;
                message = None;
                if matches!(key.code, event::KeyCode::Char('y' | 'Y')) {
                    screen.erase(&mut out).map_err(io_stop)?;
                    return Err(Stop::Quit);
                }
                continue;
            }
            match widget.key(&key) {
                // Whatever the person did next, an old refusal no longer applies.
                Outcome::Continue => message = None,
                Outcome::Redraw => {
                    queue!(
                        out,
                        terminal::Clear(terminal::ClearType::All),
                        cursor::MoveTo(0, 0)
                    )
                    .map_err(io_stop)?;
                    screen = Screen::default();
                }
                Outcome::Refuse(why) => message = Some((why, true)),
                Outcome::Help => message = Some((help_text(q), false)),
                Outcome::Back if progress.number == 1 => {
                    message = Some((
                        "This is the first question; there is nothing before it.".into(),
                        true,
                    ));
                }
                Outcome::Back => {
                    screen.erase(&mut out).map_err(io_stop)?;
                    if let Some(lines) = self.answered.pop() {
                        queue!(
                            out,
                            cursor::MoveUp(lines as u16),
                            cursor::MoveToColumn(0),
                            terminal::Clear(terminal::ClearType::FromCursorDown)
                        )
                        .map_err(io_stop)?;
                    }
                    out.flush().map_err(io_stop)?;
                    return Ok(Reply::Back);
                }
                Outcome::AskQuit => {
                    confirming_quit = true;
                    message = Some((QUIT_QUESTION.into(), true));
                }
                Outcome::Interrupt => {
                    screen.erase(&mut out).map_err(io_stop)?;
                    return Err(Stop::Interrupted);
                }
                Outcome::Submit(reply) => {
                    if reply.trim() == "?" {
                        message = Some((help_text(q), false));
                        if let Widget::Line(editor) = &mut widget {
                            editor.clear();
                        }
                        continue;
                    }
                    match check(&reply) {
                        Ok(value) => {
                            let width = size().0.saturating_sub(1);
                            let done = format!("{} {}", q.prompt, widget.summary(&reply));
                            let lines = wrap(&done, width, "> ", "  ");
                            screen.finish(&mut out, &lines).map_err(io_stop)?;
                            self.answered.push(lines.len());
                            return Ok(Reply::Answer(value));
                        }
                        Err(why) => {
                            // A refused entry is cleared, with the reason (and what was
                            // typed) in the message.
                            message = Some((why, true));
                            if let Widget::Line(editor) = &mut widget {
                                editor.clear();
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What `?` shows: the question's help, what each choice means where the rulebook says,
/// and what "None of these" and "Not sure" do.
fn help_text(q: &Question) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !q.help.is_empty() {
        parts.push(q.help.to_string());
    }
    for c in q.choices.iter().filter(|c| !c.help.is_empty()) {
        parts.push(format!("\"{}\": {}", c.label, c.help));
    }
    match q.kind {
        QuestionType::SeveralOf => {
            parts.push("Tick every line that applies; tick \"None of these\" if none does.".into())
        }
        QuestionType::Number | QuestionType::Scale => {
            parts.push(format!("Answer {}.", answers::allowed(q)));
        }
        _ => {}
    }
    if q.allow_unknown {
        parts.push(
            "\"Not sure\" is always safe to choose: it never counts as \"no\", and the report says what to check.".into(),
        );
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Typing any choice's whole label on any list of the built-in rulebook records that
    /// choice and no other, and "not sure" records "Not sure".
    #[test]
    fn typing_every_label_on_every_list_records_that_answer() {
        use crossterm::event::{KeyCode, KeyModifiers};
        let book = crate::rulebook::Rulebook::builtin().expect("builtin");
        let mut checked = 0;
        for q in &book.questions {
            let Widget::Choice(fresh) = Widget::for_question(q, None) else {
                continue;
            };
            for (label, reply) in fresh.options.clone() {
                for typed in [label.clone(), label.to_lowercase()] {
                    let mut w = Widget::for_question(q, None);
                    for c in typed.chars() {
                        w.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
                    }
                    let got = w.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
                    assert_eq!(got, Outcome::Submit(reply.clone()), "{}: {typed:?}", q.id);
                    checked += 1;
                }
            }
            if q.allow_unknown {
                let mut w = Widget::for_question(q, None);
                for c in "not sure".chars() {
                    w.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
                }
                assert_eq!(
                    w.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
                    Outcome::Submit("unknown".into()),
                    "{}",
                    q.id
                );
            }
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn a_long_list_shows_a_window_around_the_cursor() {
        let styles = Styles { on: false };
        let items: Vec<Vec<String>> = (0..20).map(|i| vec![format!("item {i}")]).collect();
        let shown = window(items.clone(), 15, 8, &styles);
        assert!(shown.len() <= 8, "{shown:?}");
        assert!(shown.iter().any(|l| l == "item 15"));
        assert!(shown[0].contains("more above"));
        let all = window(items, 0, 40, &styles);
        assert_eq!(all.len(), 20);
    }

    #[test]
    fn prompts_wrap_at_spaces_within_the_width() {
        let lines = wrap(
            "Have you noticed any of these, new or getting worse? Pick all that apply.",
            40,
            "",
            "",
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 40));
        assert!(lines.iter().all(|l| !l.ends_with('-')));
        assert_eq!(
            lines.join(" "),
            "Have you noticed any of these, new or getting worse? Pick all that apply."
        );
    }
}
