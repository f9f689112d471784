//! A fast path for the JSON records a batch mostly holds: one flat object whose keys are
//! plain strings and whose values are `null`, `true`, `false`, plain whole numbers, plain
//! strings or lists of plain strings.
//!
//! It only ever accepts: anything it does not fully understand (an escape, a fraction, a
//! nested object, a repeated or unknown key, an answer that fails its question, a syntax
//! error) makes it give up, and the caller reads the record with serde_json, which gives
//! the same answers or the exact problems. So it needs no error messages of its own, and
//! the property tests check that whatever it accepts, serde_json reads the same way.

use std::borrow::Cow;

use super::{Answers, Raw, Value, add_choice, interpret};
use crate::rulebook::{Question, QuestionType, Rulebook};

/// Whole numbers longer than this are left to serde_json, so every number read here
/// converts to `f64` exactly, as serde_json's does.
const MAX_DIGITS: usize = 15;

/// The key that followed each key in the last record read. Records in one stream usually
/// share one key order (one generator, one form export, `jq -S`'s sorted keys), so the
/// key it predicts is tried with one comparison before the key's end is found and hashed.
/// Only a guess: a wrong one costs a lookup, never a wrong answer (the property tests
/// read with fresh and with trained orders alike).
#[derive(Debug, Clone)]
pub struct KeyOrder {
    /// Indexed by slot: each question, then `id`, then the start of a record.
    after: Vec<usize>,
}

impl KeyOrder {
    /// Starts from the rulebook's order, with `id` first.
    pub fn new(book: &Rulebook) -> KeyOrder {
        let n = book.questions.len();
        let mut after: Vec<usize> = (1..=n).collect();
        after.push(0); // after `id`, the first question
        after.push(n); // a record starts with `id`
        KeyOrder { after }
    }

    fn fits(&self, book: &Rulebook) -> bool {
        self.after.len() == book.questions.len() + 2
    }
}

/// The answers in `text` and how many keys it holds, or `None` to read it the slow way.
/// `order` predicts each next key, and learns from this record.
pub fn read(book: &Rulebook, text: &str, order: &mut KeyOrder) -> Option<(Answers, usize)> {
    if !order.fits(book) {
        *order = KeyOrder::new(book);
    }
    // One pass over the whole record, without branches, instead of one per string:
    // escapes and control characters (inside strings they are errors; between tokens
    // they are rare whitespace) send the record the slow way.
    let text = text.trim_end_matches(['\n', '\r']);
    if awkward(text.as_bytes()) {
        return None;
    }
    let mut scan = Scanner {
        bytes: text.as_bytes(),
        text,
        at: 0,
    };
    let mut answers = Answers::empty(book);
    // Which questions (and the id) were given, so a repeat goes the slow way.
    let mut seen = Seen::new(book.questions.len() + 1);
    let id_slot = book.questions.len();
    let mut fields = 0;
    let mut previous = id_slot + 1;

    scan.skip_ws();
    scan.eat(b'{')?;
    scan.skip_ws();
    if scan.peek()? == b'}' {
        // `{}` is an empty answers file, which the slow path reports.
        return None;
    }
    loop {
        let slot = key_slot(book, &mut scan, order, previous)?;
        previous = slot;
        scan.skip_ws();
        scan.eat(b':')?;
        scan.skip_ws();
        fields += 1;
        if seen.insert(slot) {
            return None;
        }
        if slot == id_slot {
            answers.id = Some(match scan.peek()? {
                b'"' => scan.string()?.to_string(),
                _ => scan.whole_number()?.to_string(),
            });
        } else {
            answers.values[slot] = scan.answer(book, slot)?;
        }
        scan.skip_ws();
        match scan.next_byte()? {
            b',' => scan.skip_ws(),
            b'}' => break,
            _ => return None,
        }
    }
    scan.skip_ws();
    (scan.at == scan.bytes.len()).then_some((answers, fields))
}

/// Whether `bytes` hold a control character or a backslash, 32 bytes at a time with no
/// branch inside, which the compiler turns into a few vector instructions (a fold over
/// single bytes took 3% longer to read a record).
fn awkward(bytes: &[u8]) -> bool {
    let is_awkward = |b: u8| u8::from(b < 0x20) | u8::from(b == b'\\');
    let mut blocks = bytes.chunks_exact(32);
    let found = blocks
        .by_ref()
        .any(|block| block.iter().fold(0, |found, &b| found | is_awkward(b)) != 0);
    found || blocks.remainder().iter().any(|&b| is_awkward(b) != 0)
}

/// The slot of the key that comes next: the one `order` predicts after `previous` when
/// it matches (one comparison), else the key read and looked up, and remembered.
fn key_slot(
    book: &Rulebook,
    scan: &mut Scanner<'_>,
    order: &mut KeyOrder,
    previous: usize,
) -> Option<usize> {
    let id_slot = book.questions.len();
    let guess = order.after[previous];
    let guessed_key = match book.questions.get(guess) {
        Some(q) => q.id.as_bytes(),
        None => b"id".as_slice(),
    };
    if guess <= id_slot && scan.quoted(guessed_key) {
        return Some(guess);
    }
    // No question is named `id`: the rulebook reserves it.
    let key = scan.string()?;
    let slot = match key {
        "id" => id_slot,
        _ => book.question_index(key)?,
    };
    order.after[previous] = slot;
    Some(slot)
}

/// A set of slots; a bit mask for rulebooks of up to 64 questions, which is all of them
/// in practice, so reading a record allocates nothing for it.
enum Seen {
    Small(u64),
    Large(Vec<bool>),
}

impl Seen {
    fn new(slots: usize) -> Seen {
        if slots <= 64 {
            Seen::Small(0)
        } else {
            Seen::Large(vec![false; slots])
        }
    }

    /// Marks `slot`; true when it was already marked.
    fn insert(&mut self, slot: usize) -> bool {
        match self {
            Seen::Small(bits) => {
                let bit = 1u64 << slot;
                let was = *bits & bit != 0;
                *bits |= bit;
                was
            }
            Seen::Large(slots) => std::mem::replace(&mut slots[slot], true),
        }
    }
}

struct Scanner<'t> {
    bytes: &'t [u8],
    text: &'t str,
    at: usize,
}

impl<'t> Scanner<'t> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next_byte(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.next_byte()? == want).then_some(())
    }

    /// JSON whitespace is exactly these four bytes.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// A string, borrowed from the text; [`read`] has already refused escapes and
    /// control characters. Keys and answers are a few bytes long, so a plain loop finds
    /// the closing quote sooner than a call to `memchr` (4% of reading a record).
    fn string(&mut self) -> Option<&'t str> {
        self.eat(b'"')?;
        let start = self.at;
        let len = self.bytes.get(start..)?.iter().position(|&b| b == b'"')?;
        self.at = start + len + 1;
        // Both ends are ASCII quotes, so the slice falls on character boundaries.
        self.text.get(start..start + len)
    }

    /// Reads the string `"word"` if that is what comes next.
    fn quoted(&mut self, word: &[u8]) -> bool {
        let start = self.at + 1;
        let end = start + word.len();
        let matches = self.bytes.get(self.at) == Some(&b'"')
            && self.bytes.get(start..end).is_some_and(|b| same(b, word))
            && self.bytes.get(end) == Some(&b'"');
        if matches {
            self.at = end + 1;
        }
        matches
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// An unsigned whole number without leading zeros, of at most [`MAX_DIGITS`] digits.
    fn whole_number(&mut self) -> Option<u64> {
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            // Wrapping: a longer number than MAX_DIGITS is refused below anyway.
            n = n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && self.bytes[start] == b'0';
        // A fraction or exponent follows: leave the number to serde_json.
        let more = matches!(self.peek(), Some(b'.' | b'e' | b'E'));
        (digits > 0 && digits <= MAX_DIGITS && !leading_zero && !more).then_some(n)
    }

    /// One answer, checked against question `index`. The common answers (`true` to a
    /// yes/no question, a choice id spelled exactly) are converted here; the rest go
    /// through [`interpret`], the checks every reader shares.
    fn answer(&mut self, book: &Rulebook, index: usize) -> Option<Value> {
        let q = &book.questions[index];
        let raw = match self.peek()? {
            b'"' => {
                let text = self.string()?;
                // No choice is spelled `unknown` (the rulebook reserves it), so "unknown"
                // finds no choice here and goes on to `interpret`.
                if q.kind == QuestionType::OneOf
                    && let Some(c) = exact_choice(q, text)
                {
                    return Some(Value::Choice(c));
                }
                Raw::Text(Cow::Borrowed(text))
            }
            b't' => {
                self.literal(b"true")?;
                if q.kind == QuestionType::YesNo {
                    return Some(Value::Bool(true));
                }
                Raw::Bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                if q.kind == QuestionType::YesNo {
                    return Some(Value::Bool(false));
                }
                Raw::Bool(false)
            }
            b'n' => {
                self.literal(b"null")?;
                return Some(Value::Unanswered);
            }
            b'[' if q.kind == QuestionType::SeveralOf => {
                self.at += 1;
                self.skip_ws();
                let mut set = 0u64;
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(Value::Set(set));
                }
                loop {
                    let item = self.string()?;
                    match exact_choice(q, item) {
                        Some(c) => set |= 1u64 << c,
                        None => add_choice(q, &Raw::Text(Cow::Borrowed(item)), &mut set).ok()?,
                    }
                    self.skip_ws();
                    match self.next_byte()? {
                        b',' => self.skip_ws(),
                        b']' => return Some(Value::Set(set)),
                        _ => return None,
                    }
                }
            }
            b'0'..=b'9' => Raw::Number(self.whole_number()? as f64),
            _ => return None,
        };
        interpret(q, &raw).ok()
    }
}

/// The index of the choice spelled exactly `text`. Choice ids are validated identifiers,
/// so an exact match is also what `interpret` finds after trimming.
fn exact_choice(q: &Question, text: &str) -> Option<u16> {
    q.choices
        .iter()
        .position(|c| same(c.id.as_bytes(), text.as_bytes()))
        .map(|i| i as u16)
}

/// `a == b`, inline: keys and choice ids are a few bytes long, where a call to the C
/// library's `memcmp` (what `==` on slices becomes) cost more than the comparison.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut a_words = a.chunks_exact(8);
    let mut b_words = b.chunks_exact(8);
    let words_equal = a_words.by_ref().zip(b_words.by_ref()).all(|(x, y)| {
        // Both chunks are exactly 8 bytes long.
        u64::from_ne_bytes(x.try_into().unwrap_or_default())
            == u64::from_ne_bytes(y.try_into().unwrap_or_default())
    });
    words_equal
        && a_words
            .remainder()
            .iter()
            .zip(b_words.remainder())
            .all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::answers::tests::book;
    use crate::answers::{AnswersSeed, Collected};

    /// The slow path alone: serde_json with the answers seed.
    fn slow(text: &str) -> Result<Collected, String> {
        let mut de = serde_json::Deserializer::from_str(text);
        let collected =
            serde::de::DeserializeSeed::deserialize(AnswersSeed { book: book() }, &mut de)
                .map_err(|e| e.to_string())?;
        de.end().map_err(|e| e.to_string())?;
        Ok(collected)
    }

    /// Whatever the fast path accepts, serde_json reads to the same answers, id and key
    /// count, with no problems.
    /// A key order trained by every record read before in this thread, so the property
    /// test also reads with orders that guess wrong in every way the records taught them.
    fn read_trained(text: &str) -> Option<(Answers, usize)> {
        thread_local! {
            static TRAINED: std::cell::RefCell<KeyOrder> = std::cell::RefCell::new(KeyOrder::new(book()));
        }
        TRAINED.with(|order| read(book(), text, &mut order.borrow_mut()))
    }

    fn agrees(text: &str) -> bool {
        let fresh = read(book(), text, &mut KeyOrder::new(book()));
        assert_eq!(
            fresh,
            read_trained(text),
            "{text:?}: a trained key order read it otherwise"
        );
        let Some((answers, fields)) = fresh else {
            return false;
        };
        let slow =
            slow(text).unwrap_or_else(|e| panic!("fast path accepted {text:?}; serde_json: {e}"));
        assert!(
            slow.problems.is_empty(),
            "fast path accepted {text:?}; problems {:?}",
            slow.problems
        );
        assert_eq!(answers, slow.answers, "{text:?}");
        assert_eq!(fields, slow.fields, "{text:?}");
        true
    }

    #[test]
    fn plain_records_take_the_fast_path() {
        for text in [
            r#"{"id":"p1","age":34,"pain_intensity":3,"pain_location":["lower_back","one_leg"],"legs_new":false,"goal":"relaxation"}"#,
            "{ \"age\" : 34 , \"diagnoses\" : [ ] , \"health\" : null }\r\n",
            r#"{"id":17,"nerve_signs":"unknown","pain_duration":" over_12_weeks ","surgery_cleared":"yes"}"#,
            // Keys out of rulebook order still take it.
            r#"{"goal":"relaxation","age":34}"#,
            // So do a lone zero and `true`.
            r#"{"pain_intensity":0,"legs_new":true}"#,
        ] {
            assert!(agrees(text), "{text:?} went the slow way");
        }
    }

    #[test]
    fn anything_unusual_goes_the_slow_way() {
        for text in [
            "{}",
            "[]",
            r#"{"age":34.5}"#,
            r#"{"age":3e1}"#,
            r#"{"age":-3}"#,
            r#"{"age":034}"#,
            r#"{"age":1234567890123456}"#,
            r#"{"age":123456789012345678901234567890}"#,
            r#"{"goal":"relax\u0061tion"}"#,
            "{\"goal\":\"relax\tation\"}",
            r#"{"age":34,"age":35}"#,
            r#"{"id":"a","id":"b"}"#,
            r#"{"agee":34}"#,
            r#"{"age":340}"#,
            r#"{"goal":"nap"}"#,
            r#"{"pain_location":["lower_back",1]}"#,
            r#"{"age":[1]}"#,
            r#"{"age":{}}"#,
            r#"{"age":34,}"#,
            r#"{"age":34} x"#,
            r#"{"age":34"#,
            r#"{"age":tru}"#,
            r#"{"age" 34}"#,
            r#"{"id":null}"#,
            r#"{"id":,"age":3}"#,
            // Two of the same awkward byte must not cancel out.
            r#"{"id":"a\\b","age":3}"#,
            "{\"id\":\"a\t\tb\",\"age\":3}",
        ] {
            assert!(
                read(book(), text, &mut KeyOrder::new(book())).is_none(),
                "{text:?} took the fast path"
            );
        }
    }

    fn key() -> impl Strategy<Value = String> {
        let keys: Vec<String> = book()
            .questions
            .iter()
            .map(|q| q.id.clone())
            .chain(["id".to_string(), "Age".to_string()])
            .collect();
        prop::sample::select(keys).prop_map(|k| format!("\"{k}\":"))
    }

    fn value() -> impl Strategy<Value = String> {
        let words: Vec<String> = book()
            .questions
            .iter()
            .flat_map(|q| q.choices.iter().map(|c| c.id.clone()))
            .chain(["unknown", "Not Sure", "yes", "N", " light ", ""].map(String::from))
            .collect();
        prop_oneof![
            prop::sample::select(words.clone()).prop_map(|w| format!("\"{w}\"")),
            prop::collection::vec(prop::sample::select(words), 0..3).prop_map(|ws| format!(
                "[{}]",
                ws.iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(" , ")
            )),
            (0u64..200).prop_map(|n| n.to_string()),
            prop::sample::select(vec![
                "true",
                "false",
                "null",
                "-1",
                "0.5",
                "00",
                "07",
                "1e2",
                "\"\\n\"",
                "\"é\"",
                "[1]",
                "{}",
                "9999999999999999",
                "tru",
                "[\"a\",]",
            ])
            .prop_map(String::from),
        ]
    }

    /// A question and an answer of its own type, mostly valid.
    fn fitting_pair() -> impl Strategy<Value = String> {
        (0..book().questions.len(), any::<u64>(), 0u64..30).prop_map(|(i, bits, n)| {
            let q = &book().questions[i];
            let choice = |b: u64| format!("\"{}\"", q.choices[b as usize % q.choices.len()].id);
            let answer = match q.kind {
                QuestionType::YesNo => {
                    ["true", "false", "\"yes\"", "\"unknown\""][bits as usize % 4].to_string()
                }
                QuestionType::Scale | QuestionType::Number => n.to_string(),
                QuestionType::OneOf => choice(bits),
                QuestionType::SeveralOf => {
                    let items: Vec<String> =
                        (0..bits % 3).map(|k| choice(bits >> (8 * k + 2))).collect();
                    format!("[{}]", items.join(","))
                }
            };
            format!("\"{}\":{answer}", q.id)
        })
    }

    /// Stray pieces that break a record.
    fn stray() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            ",", "{", "}", "[", "]", ":", " ", "\t", "\"", "\\", "x", "\n",
        ])
        .prop_map(String::from)
    }

    /// A well-formed record from generated keys and values, so the fast path is often
    /// taken, and sometimes broken by a stray piece.
    fn record() -> impl Strategy<Value = String> {
        let pair = prop_oneof![
            4 => fitting_pair(),
            1 => (key(), value()).prop_map(|(k, v)| format!("{k}{v}")),
        ];
        (
            prop::collection::vec(pair, 0..8),
            any::<bool>(),
            stray(),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(pairs, spoil, stray, at)| {
                let mut text = format!("{{{}}}", pairs.join(","));
                if spoil {
                    let at = at.index(text.len() + 1);
                    if text.is_char_boundary(at) {
                        text.insert_str(at, &stray);
                    }
                }
                text
            })
    }

    proptest! {
        #[test]
        fn same_is_slice_equality(a in prop::collection::vec(0u8..3, 0..20), b in prop::collection::vec(0u8..3, 0..20)) {
            prop_assert_eq!(same(&a, &b), a == b);
            prop_assert!(same(&a, &a));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn fast_path_agrees_with_serde_json(text in record()) {
            // Declining is always allowed (serde_json then reads the record); what the
            // fast path accepts, `agrees` has compared with serde_json. The share that
            // takes each path is checked below, so this cannot pass by declining all.
            let _took_fast_path = agrees(&text);
        }
    }

    /// The generated records reach both paths in a useful mix; if a change to the
    /// scanner or the generator sent (nearly) everything one way, the property above
    /// would test little.
    #[test]
    fn the_generated_records_take_both_paths() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = record();
        let drawn = 2048;
        let fast = (0..drawn)
            .filter(|_| agrees(&strategy.new_tree(&mut runner).expect("draw").current()))
            .count();
        println!("fast path: {fast} of {drawn} generated records");
        assert!(
            fast * 20 >= drawn && fast * 20 <= drawn * 19,
            "fast path took {fast} of {drawn}; want between 5% and 95%"
        );
    }

    /// Past 64 questions (and the id) the repeat check needs more than one word of bits.
    #[test]
    fn a_rulebook_of_more_than_64_questions_takes_the_fast_path() {
        let extra: String = (book().questions.len()..65)
            .map(|i| {
                format!(
                    "  - id: extra_{i}\n    prompt: Question {i}?\n    type: yes_no\n    \
                     rationale: Test.\n    source: [NICE_CKS]\n"
                )
            })
            .collect();
        let big = Rulebook::builtin_plus(vec![(
            "extra.yaml".to_string(),
            format!("questions:\n{extra}"),
        )])
        .expect("the extended rulebook loads");
        assert_eq!(big.questions.len(), 65);
        let last = &big.questions[64].id;
        for text in [
            format!(r#"{{"id":"p1","{last}":true}}"#),
            format!(r#"{{"{last}":true,"id":"p1"}}"#),
        ] {
            let (answers, fields) =
                read(&big, &text, &mut KeyOrder::new(book())).expect("the fast path");
            assert_eq!((answers.id.as_deref(), fields), (Some("p1"), 2));
            assert_eq!(answers.get(64), Value::Bool(true));
        }
        let twice = format!(r#"{{"id":"p1","{last}":true,"id":"p2"}}"#);
        assert!(read(&big, &twice, &mut KeyOrder::new(&big)).is_none());
    }

    /// The in-order guess (`quoted`) must match the next key exactly and step past it;
    /// a guess that never matched would still give the right answers, only slower.
    #[test]
    fn the_next_key_is_recognised_in_place() {
        let text = r#"{"age": 3, "agee": 4, "ag": 5}"#;
        let mut scan = Scanner {
            bytes: text.as_bytes(),
            text,
            at: 1,
        };
        assert!(scan.quoted(b"age"));
        assert_eq!(scan.at, 6, "steps past the closing quote");
        scan.at = 11;
        assert!(!scan.quoted(b"age"), "a longer key is not the guess");
        assert_eq!(scan.at, 11, "a failed guess does not move");
        scan.at = 22;
        assert!(!scan.quoted(b"age"), "a shorter key is not the guess");
        scan.at = text.len() - 1;
        assert!(!scan.quoted(b"age"), "the end of the text is no key");
    }

    /// Choice ids are matched exactly, without `interpret`'s trimming and search.
    #[test]
    fn an_exact_choice_id_is_found_and_nothing_else() {
        let q = book().question("pain_location").expect("a question");
        let at = |id: &str| q.choices.iter().position(|c| c.id == id).map(|i| i as u16);
        assert_eq!(exact_choice(q, "lower_back"), at("lower_back"));
        assert!(at("lower_back").is_some());
        for text in ["lower_bac", "lower_backs", " lower_back", "Lower_back", ""] {
            assert_eq!(exact_choice(q, text), None, "{text:?}");
        }
    }
}
