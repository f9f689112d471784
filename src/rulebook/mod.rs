//! The rulebook: loading `rules/*.yaml`, merging the files, and validating the whole.
//! Owns the model, loading, validation and the built-in image; must not evaluate answers
//! or import anything above it (tests/layers.rs).
//!
//! A [`Rulebook`] only exists once it has passed validation, so the engine can compile it
//! without re-checking references.

pub mod builtin;
pub mod condition;
pub mod image;
mod load;
pub use load::{read_text_file, yaml_files};
pub mod model;
mod packed;
pub mod text;
mod validate;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use condition::{Condition, Literal, Operator};
pub use model::*;
pub use text::Text;

/// Where a rulebook item was written: file and (when it could be found) line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: String,
    pub line: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// One thing wrong with a rulebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub location: Location,
    /// The id of the rule, question, technique or care item concerned, if any.
    pub item: Option<String>,
    pub message: String,
}

/// Shown with any control character escaped: an id or a file name in a broken rulebook
/// can hold anything.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::printable::printable;
        write!(f, "{}: ", printable(&self.location.to_string()))?;
        if let Some(item) = &self.item {
            write!(f, "{}: ", printable(item))?;
        }
        f.write_str(&printable(&self.message))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RulebookError {
    #[error("cannot read rulebook {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("rulebook has {} problem(s):\n{}", .0.len(), ProblemList(.0))]
    Invalid(Vec<Problem>),
}

impl RulebookError {
    pub fn problems(&self) -> &[Problem] {
        match self {
            RulebookError::Invalid(p) => p,
            RulebookError::Io { .. } => &[],
        }
    }
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  {p}")?;
        }
        Ok(())
    }
}

/// Where the rulebook came from, for reports and `--version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    Dir(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => f.write_str("built-in"),
            Origin::Dir(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Where each item of a rulebook was written.
#[derive(Debug, Clone)]
enum Locations {
    Read(HashMap<String, Vec<Location>>),
    /// The built-in rulebook's, still in its image: only error messages and `rules show`
    /// ask where an item was written, so a check does not pay to read them.
    InImage {
        table: &'static str,
        bytes: &'static [u8],
        read: std::sync::OnceLock<HashMap<String, Vec<Location>>>,
    },
}

impl Locations {
    fn map(&self) -> &HashMap<String, Vec<Location>> {
        match self {
            Locations::Read(map) => map,
            // The build script wrote this image and read it back (`image::verify`), so
            // it reads; were it not to, items would show no place rather than stop the
            // program.
            Locations::InImage { table, bytes, read } => {
                read.get_or_init(|| image::read_locations(table, bytes).unwrap_or_default())
            }
        }
    }
}

/// A loaded and validated rulebook.
#[derive(Debug, Clone)]
pub struct Rulebook {
    pub meta: Meta,
    pub sources: Vec<SourceDef>,
    pub questions: Vec<Question>,
    pub rules: Vec<Rule>,
    pub techniques: Vec<Technique>,
    pub care: Vec<Care>,
    pub origin: Origin,
    locations: Locations,
    question_index: rustc_hash::FxHashMap<String, usize>,
}

impl Rulebook {
    /// The rulebook compiled into the binary from `rules/*.yaml`: read back from the
    /// image the build script wrote after validating it (see [`image`]).
    pub fn builtin() -> Result<Rulebook, RulebookError> {
        image::read(builtin::IMAGE).map_err(|message| {
            RulebookError::Invalid(vec![Problem {
                location: Location::default(),
                item: None,
                message: format!("the built-in rulebook's image cannot be read: {message}"),
            }])
        })
    }

    /// A rulebook from its merged sections (already validated) and where each item was
    /// written.
    fn assemble(file: RulebookFile, origin: Origin, locations: Locations) -> Rulebook {
        let question_index = file
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.clone(), i))
            .collect();
        Rulebook {
            meta: file.rulebook.unwrap_or_default(),
            sources: file.sources,
            questions: file.questions,
            rules: file.rules,
            techniques: file.techniques,
            care: file.care,
            origin,
            locations,
            question_index,
        }
    }

    /// The built-in rulebook loaded and validated from its YAML, as `--rules` would:
    /// what `rules check` checks, and what the image must equal.
    pub fn builtin_from_yaml() -> Result<Rulebook, RulebookError> {
        load::from_texts(builtin::files(), Origin::Builtin)
    }

    /// Every `*.yaml` file directly inside `dir` (sorted by name) forms the rulebook.
    pub fn from_dir(dir: &Path) -> Result<Rulebook, RulebookError> {
        load::from_dir(dir)
    }

    /// The built-in rulebook with `files` added, as if they sat in `rules/` (the built-in
    /// files are parsed once per process).
    pub fn builtin_plus(files: Vec<(String, String)>) -> Result<Rulebook, RulebookError> {
        load::builtin_plus(files)
    }

    /// Builds a rulebook from in-memory files `(name, text)`; used by tests and tools.
    pub fn from_texts(files: Vec<(String, String)>) -> Result<Rulebook, RulebookError> {
        load::from_texts(files, Origin::Builtin)
    }

    /// Whether this rulebook was built on top of the built-in one (`extends: builtin`).
    pub fn extends_builtin(&self) -> bool {
        self.meta.extends.as_deref() == Some("builtin")
    }

    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.question_index.get(id).copied()
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.question_index(id).map(|i| &self.questions[i])
    }

    pub fn technique_index(&self, id: &str) -> Option<usize> {
        self.techniques.iter().position(|t| t.id == id)
    }

    pub fn source_title(&self, id: &str) -> Option<&str> {
        self.sources
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.title.as_str())
    }

    /// Where the item with this id was written.
    pub fn location(&self, id: &str) -> Location {
        self.locations
            .map()
            .get(id)
            .and_then(|l| l.first())
            .cloned()
            .unwrap_or_default()
    }

    pub fn tier_text(&self, tier: Tier) -> &TierText {
        // Validation guarantees every tier has its text.
        static EMPTY: std::sync::OnceLock<TierText> = std::sync::OnceLock::new();
        self.meta
            .tiers
            .get(&tier)
            .unwrap_or_else(|| EMPTY.get_or_init(TierText::default))
    }
}
