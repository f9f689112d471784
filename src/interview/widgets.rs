//! What each key does in a prompt, as plain state machines: no terminal, no drawing, so
//! every key can be tested directly. The terminal adapter feeds them key events and
//! draws their state.
//!
//! One convention everywhere: no answer is ever recorded by Enter alone. A choice list
//! starts with nothing highlighted, a checklist refuses Enter until a line is ticked (it
//! offers "None of these" for that), and a typed answer must be typed.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks the prompt to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Keep going (redraw).
    Continue,
    /// Show this message and keep going.
    Refuse(String),
    /// The person confirmed an answer: the reply text for the interview's `check`.
    Submit(String),
    /// Go back to the previous question.
    Back,
    /// Esc or Ctrl-D: ask before throwing the answers away.
    AskQuit,
    /// Ctrl-C: stop now.
    Interrupt,
    /// Ctrl-L: draw again from scratch.
    Redraw,
    /// `?` on a list: show what the question and its choices mean.
    Help,
}

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

/// Keys every prompt shares; `None` when the prompt handles the key itself.
fn common(key: &KeyEvent) -> Option<Outcome> {
    if ctrl(key, 'c') {
        return Some(Outcome::Interrupt);
    }
    if ctrl(key, 'l') {
        return Some(Outcome::Redraw);
    }
    match key.code {
        KeyCode::Esc => Some(Outcome::AskQuit),
        KeyCode::BackTab => Some(Outcome::Back),
        _ => None,
    }
}

/// The most characters a typed answer holds.
pub const LINE_LIMIT: usize = 60;

/// A typed answer with the editing keys people expect in a terminal.
#[derive(Debug, Clone, Default)]
pub struct LineEditor {
    chars: Vec<char>,
    cursor: usize,
}

impl LineEditor {
    /// An editor holding an earlier answer, the cursor at its end.
    pub fn with_text(text: &str) -> LineEditor {
        let chars: Vec<char> = text.chars().collect();
        LineEditor {
            cursor: chars.len(),
            chars,
        }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    /// Where the cursor is, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn clear(&mut self) {
        self.chars.clear();
        self.cursor = 0;
    }

    pub fn key(&mut self, key: &KeyEvent) -> Outcome {
        if ctrl(key, 'd') {
            // At an empty line, end of input; otherwise delete under the cursor.
            if self.chars.is_empty() {
                return Outcome::AskQuit;
            }
            if self.cursor < self.chars.len() {
                self.chars.remove(self.cursor);
            }
            return Outcome::Continue;
        }
        if let Some(outcome) = common(key) {
            return outcome;
        }
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => return Outcome::Submit(self.text()),
            KeyCode::Char('a') if control => self.cursor = 0,
            KeyCode::Char('e') if control => self.cursor = self.chars.len(),
            KeyCode::Char('b') if control => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('f') if control => self.cursor = (self.cursor + 1).min(self.chars.len()),
            KeyCode::Char('u') if control => {
                self.chars.drain(..self.cursor);
                self.cursor = 0;
            }
            KeyCode::Char('k') if control => self.chars.truncate(self.cursor),
            KeyCode::Char('w') if control => {
                // The word before the cursor, and the spaces before it.
                let mut start = self.cursor;
                while start > 0 && self.chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && self.chars[start - 1] != ' ' {
                    start -= 1;
                }
                self.chars.drain(start..self.cursor);
                self.cursor = start;
            }
            KeyCode::Char(_) if control => {}
            // A number needs a few characters; a long paste would only scroll off the line.
            KeyCode::Char(_) if self.chars.len() >= LINE_LIMIT => {
                return Outcome::Refuse(format!(
                    "An answer here is at most {LINE_LIMIT} characters; the rest was left out."
                ));
            }
            KeyCode::Char(c) => {
                self.chars.insert(self.cursor, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
            }
            KeyCode::Delete if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.chars.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.chars.len(),
            _ => {}
        }
        Outcome::Continue
    }
}

/// One answer from a list: yes / no / not sure, or a pick-one question.
///
/// Typed letters never pick an answer the person did not mean: what is typed is matched
/// against the whole labels, and a line is highlighted only when the typing fits one
/// label alone (or is a whole label, like "No" beside "Not sure"). "not sure" and
/// "unknown" both find "Not sure".
#[derive(Debug, Clone)]
pub struct ChoiceList {
    /// (label, reply) pairs.
    pub options: Vec<(String, String)>,
    /// Nothing is highlighted until the person moves.
    pub highlighted: Option<usize>,
    /// What has been typed since the last arrow or number.
    typed: String,
}

pub const PICK_FIRST: &str = "Pick an answer first: use the up and down arrows or the number of a line (or type the start of an answer), then Enter.";

/// Letters, digits and spaces of `text`, lower-case: what typing is compared with.
fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .flat_map(char::to_lowercase)
        .collect()
}

impl ChoiceList {
    pub fn new(options: Vec<(String, String)>) -> ChoiceList {
        ChoiceList {
            options,
            highlighted: None,
            typed: String::new(),
        }
    }

    /// The list with an earlier answer (its reply) highlighted, for going back.
    pub fn with_reply(options: Vec<(String, String)>, reply: &str) -> ChoiceList {
        let mut list = ChoiceList::new(options);
        list.highlighted = list.options.iter().position(|(_, r)| r == reply);
        list
    }

    /// What has been typed, for the prompt to show.
    pub fn typed(&self) -> &str {
        &self.typed
    }

    /// The one option the typing fits, if exactly one does.
    fn matching(&self) -> Option<usize> {
        let typed = plain(&self.typed);
        let typed = typed.trim_start();
        if typed.is_empty() {
            return None;
        }
        let labels: Vec<String> = self
            .options
            .iter()
            .map(|(label, reply)| {
                // "unknown" finds "Not sure" as well as its label does.
                if reply == "unknown" && "unknown".starts_with(typed) {
                    typed.to_string()
                } else {
                    plain(label)
                }
            })
            .collect();
        if let Some(exact) = labels.iter().position(|l| l.trim_end() == typed.trim_end()) {
            return Some(exact);
        }
        let fits: Vec<usize> = (0..labels.len())
            .filter(|&i| labels[i].starts_with(typed))
            .collect();
        match fits.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    pub fn key(&mut self, key: &KeyEvent) -> Outcome {
        if ctrl(key, 'd') {
            return Outcome::AskQuit;
        }
        if let Some(outcome) = common(key) {
            return outcome;
        }
        let n = self.options.len();
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => {
                return match self.highlighted {
                    Some(i) => Outcome::Submit(self.options[i].1.clone()),
                    None => Outcome::Refuse(PICK_FIRST.into()),
                };
            }
            KeyCode::Left => return Outcome::Back,
            KeyCode::Char('?') if self.typed.is_empty() => return Outcome::Help,
            KeyCode::Down => {
                self.typed.clear();
                self.highlighted = Some(self.highlighted.map_or(0, |i| (i + 1).min(n - 1)));
            }
            KeyCode::Up => {
                self.typed.clear();
                self.highlighted = Some(self.highlighted.map_or(n - 1, |i| i.saturating_sub(1)));
            }
            KeyCode::Home => self.highlighted = Some(0),
            KeyCode::End => self.highlighted = Some(n - 1),
            KeyCode::Char(c) if c.is_ascii_digit() && self.typed.is_empty() => {
                let i = c.to_digit(10).unwrap_or(0) as usize;
                if (1..=n).contains(&i) {
                    self.highlighted = Some(i - 1);
                }
            }
            KeyCode::Char('u') if control => {
                self.typed.clear();
                self.highlighted = None;
            }
            KeyCode::Char(_) if control => {}
            KeyCode::Char(c) => {
                self.typed.push(c);
                self.highlighted = self.matching();
            }
            KeyCode::Backspace => {
                self.typed.pop();
                self.highlighted = self.matching();
            }
            _ => {}
        }
        Outcome::Continue
    }
}

/// Several answers from a list, with "None of these" and (where allowed) "Not sure".
#[derive(Debug, Clone)]
pub struct CheckList {
    /// (label, reply) pairs for the question's own choices.
    pub options: Vec<(String, String)>,
    pub not_sure: bool,
    pub ticked: Vec<bool>,
    pub cursor: usize,
}

pub const NONE_OF_THESE: &str = "None of these";
pub const NOT_SURE: &str = "Not sure";
pub const TICK_FIRST: &str =
    "Tick at least one line with Space (or tick \"None of these\"), then Enter.";

impl CheckList {
    pub fn new(options: Vec<(String, String)>, not_sure: bool) -> CheckList {
        let lines = options.len() + 1 + usize::from(not_sure);
        CheckList {
            options,
            not_sure,
            ticked: vec![false; lines],
            cursor: 0,
        }
    }

    /// The checklist with an earlier answer ticked, for going back: `reply` is what
    /// Enter would submit ("a;b", "[]" or "unknown").
    pub fn with_reply(options: Vec<(String, String)>, not_sure: bool, reply: &str) -> CheckList {
        let mut list = CheckList::new(options, not_sure);
        let none = list.none_index();
        match reply {
            "[]" => list.ticked[none] = true,
            "unknown" if not_sure => list.ticked[none + 1] = true,
            picked => {
                for part in picked.split(';') {
                    if let Some(i) = list.options.iter().position(|(_, r)| r == part) {
                        list.ticked[i] = true;
                    }
                }
            }
        }
        list
    }

    /// Every line shown: the choices, "None of these", then "Not sure" where allowed.
    pub fn labels(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.options.iter().map(|(l, _)| l.as_str()).collect();
        out.push(NONE_OF_THESE);
        if self.not_sure {
            out.push(NOT_SURE);
        }
        out
    }

    fn none_index(&self) -> usize {
        self.options.len()
    }

    fn toggle(&mut self, i: usize) {
        let on = !self.ticked[i];
        if on && i >= self.none_index() {
            // "None of these" and "Not sure" each stand alone.
            self.ticked.iter_mut().for_each(|t| *t = false);
        } else if on {
            for special in self.none_index()..self.ticked.len() {
                self.ticked[special] = false;
            }
        }
        self.ticked[i] = on;
    }

    pub fn key(&mut self, key: &KeyEvent) -> Outcome {
        if ctrl(key, 'd') {
            return Outcome::AskQuit;
        }
        if let Some(outcome) = common(key) {
            return outcome;
        }
        let n = self.ticked.len();
        match key.code {
            KeyCode::Enter => {
                let none = self.none_index();
                if self.ticked.get(none + 1).copied().unwrap_or(false) {
                    return Outcome::Submit("unknown".into());
                }
                if self.ticked[none] {
                    return Outcome::Submit("[]".into());
                }
                let picked: Vec<&str> = self
                    .options
                    .iter()
                    .zip(&self.ticked)
                    .filter(|(_, t)| **t)
                    .map(|((_, reply), _)| reply.as_str())
                    .collect();
                if picked.is_empty() {
                    return Outcome::Refuse(TICK_FIRST.into());
                }
                return Outcome::Submit(picked.join(";"));
            }
            KeyCode::Char(' ') => self.toggle(self.cursor),
            KeyCode::Char('?') => return Outcome::Help,
            KeyCode::Left => return Outcome::Back,
            KeyCode::Down => self.cursor = (self.cursor + 1).min(n - 1),
            KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = n - 1,
            _ => {}
        }
        Outcome::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn control(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(editor: &mut LineEditor, text: &str) {
        for c in text.chars() {
            editor.key(&key(KeyCode::Char(c)));
        }
    }

    fn yes_no() -> ChoiceList {
        ChoiceList::new(vec![
            ("Yes".into(), "yes".into()),
            ("No".into(), "no".into()),
            ("Not sure".into(), "unknown".into()),
        ])
    }

    #[test]
    fn enter_alone_never_picks_an_answer_from_a_list() {
        let mut list = yes_no();
        assert_eq!(
            list.key(&key(KeyCode::Enter)),
            Outcome::Refuse(PICK_FIRST.into())
        );
        list.key(&key(KeyCode::Down));
        assert_eq!(
            list.key(&key(KeyCode::Enter)),
            Outcome::Submit("yes".into())
        );
    }

    fn type_in(list: &mut ChoiceList, text: &str) {
        for c in text.chars() {
            list.key(&key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn numbers_highlight_without_answering() {
        let mut list = yes_no();
        list.key(&key(KeyCode::Char('1')));
        assert_eq!(list.highlighted, Some(0));
        list.key(&key(KeyCode::Char('9')));
        assert_eq!(
            list.highlighted,
            Some(0),
            "a number beyond the list is ignored"
        );
        list.key(&key(KeyCode::Up));
        assert_eq!(list.highlighted, Some(0));
        let mut fresh = yes_no();
        fresh.key(&key(KeyCode::Up));
        assert_eq!(
            fresh.highlighted,
            Some(2),
            "up from nothing starts at the bottom"
        );
    }

    #[test]
    fn typing_matches_whole_labels_and_never_guesses() {
        let mut list = yes_no();
        // "n" fits "No" and "Not sure": nothing is highlighted, so Enter is refused.
        type_in(&mut list, "n");
        assert_eq!(list.highlighted, None);
        assert_eq!(
            list.key(&key(KeyCode::Enter)),
            Outcome::Refuse(PICK_FIRST.into())
        );
        // "no" is a whole label.
        type_in(&mut list, "o");
        assert_eq!(list.highlighted, Some(1));
        // "not sure" is "Not sure", never "No".
        type_in(&mut list, "t sure");
        assert_eq!(list.highlighted, Some(2));
        assert_eq!(
            list.key(&key(KeyCode::Enter)),
            Outcome::Submit("unknown".into())
        );
        let mut list = yes_no();
        type_in(&mut list, "unknown");
        assert_eq!(list.highlighted, Some(2));
        // Typing that fits nothing highlights nothing.
        let mut list = yes_no();
        type_in(&mut list, "maybe");
        assert_eq!(list.highlighted, None);
        // Two labels that start alike: "yes" picks neither.
        let mut list = ChoiceList::new(vec![
            ("Yes, since this spell began".into(), "this_bout".into()),
            ("Yes, for earlier spells".into(), "earlier_bouts".into()),
            ("No".into(), "never".into()),
        ]);
        type_in(&mut list, "yes");
        assert_eq!(list.highlighted, None);
        type_in(&mut list, ", f");
        assert_eq!(list.highlighted, Some(1));
        list.key(&key(KeyCode::Backspace));
        list.key(&key(KeyCode::Backspace));
        list.key(&key(KeyCode::Backspace));
        assert_eq!(list.highlighted, None, "back to the ambiguous \"yes\"");
    }

    #[test]
    fn going_back_shows_the_earlier_answer() {
        let list = ChoiceList::with_reply(yes_no().options, "no");
        assert_eq!(list.highlighted, Some(1));
        let check = CheckList::with_reply(
            vec![("A".into(), "a".into()), ("B".into(), "b".into())],
            true,
            "b",
        );
        assert_eq!(check.ticked, [false, true, false, false]);
        let none = CheckList::with_reply(vec![("A".into(), "a".into())], true, "[]");
        assert_eq!(none.ticked, [false, true, false]);
        let editor = LineEditor::with_text("42");
        assert_eq!((editor.text(), editor.cursor()), ("42".to_string(), 2));
    }

    #[test]
    fn a_checklist_refuses_enter_until_a_line_is_ticked() {
        let mut list = CheckList::new(
            vec![("A".into(), "a".into()), ("B".into(), "b".into())],
            true,
        );
        assert_eq!(list.labels(), ["A", "B", NONE_OF_THESE, NOT_SURE]);
        // Moving onto a line and pressing Enter does not tick it.
        list.key(&key(KeyCode::Down));
        assert_eq!(
            list.key(&key(KeyCode::Enter)),
            Outcome::Refuse(TICK_FIRST.into())
        );
        list.key(&key(KeyCode::Char(' ')));
        list.key(&key(KeyCode::Up));
        list.key(&key(KeyCode::Char(' ')));
        assert_eq!(
            list.key(&key(KeyCode::Enter)),
            Outcome::Submit("a;b".into())
        );
    }

    #[test]
    fn none_of_these_and_not_sure_stand_alone() {
        let mut list = CheckList::new(
            vec![("A".into(), "a".into()), ("B".into(), "b".into())],
            true,
        );
        list.key(&key(KeyCode::Char(' '))); // A
        list.key(&key(KeyCode::End));
        list.key(&key(KeyCode::Up));
        list.key(&key(KeyCode::Char(' '))); // None of these
        assert_eq!(list.ticked, [false, false, true, false]);
        assert_eq!(list.key(&key(KeyCode::Enter)), Outcome::Submit("[]".into()));
        list.key(&key(KeyCode::Home));
        list.key(&key(KeyCode::Char(' '))); // A again unticks None
        assert_eq!(list.ticked, [true, false, false, false]);
        list.key(&key(KeyCode::End));
        list.key(&key(KeyCode::Char(' '))); // Not sure
        assert_eq!(
            list.key(&key(KeyCode::Enter)),
            Outcome::Submit("unknown".into())
        );
    }

    #[test]
    fn editing_keys_edit_and_do_not_insert_letters() {
        let mut e = LineEditor::default();
        typed(&mut e, "150");
        e.key(&control('u'));
        assert_eq!(e.text(), "");
        typed(&mut e, "four ty");
        e.key(&control('w'));
        assert_eq!(e.text(), "four ");
        e.key(&control('w'));
        assert_eq!(e.text(), "");
        typed(&mut e, "40");
        e.key(&control('a'));
        typed(&mut e, "1");
        assert_eq!(e.text(), "140");
        e.key(&control('e'));
        e.key(&key(KeyCode::Backspace));
        assert_eq!(e.text(), "14");
        e.key(&key(KeyCode::Home));
        e.key(&key(KeyCode::Delete));
        assert_eq!(e.text(), "4");
        e.key(&key(KeyCode::Left));
        e.key(&control('k'));
        assert_eq!(e.text(), "");
        assert_eq!(e.key(&control('l')), Outcome::Redraw);
        assert_eq!(e.text(), "", "Ctrl-L inserts nothing");
        typed(&mut e, "7");
        assert_eq!(e.key(&key(KeyCode::Enter)), Outcome::Submit("7".into()));
    }

    #[test]
    fn back_quit_and_interrupt_keys() {
        let mut e = LineEditor::default();
        assert_eq!(e.key(&key(KeyCode::BackTab)), Outcome::Back);
        assert_eq!(e.key(&key(KeyCode::Esc)), Outcome::AskQuit);
        assert_eq!(e.key(&control('d')), Outcome::AskQuit);
        assert_eq!(e.key(&control('c')), Outcome::Interrupt);
        let mut list = yes_no();
        assert_eq!(list.key(&key(KeyCode::Left)), Outcome::Back);
        assert_eq!(list.key(&key(KeyCode::Esc)), Outcome::AskQuit);
        let mut check = CheckList::new(vec![("A".into(), "a".into())], false);
        assert_eq!(check.key(&key(KeyCode::BackTab)), Outcome::Back);
        assert_eq!(check.key(&control('c')), Outcome::Interrupt);
    }
}
