//! Reading rulebook files and merging them into one [`Rulebook`].

use std::collections::HashMap;
use std::path::Path;

use super::model::RulebookFile;
use super::{Location, Origin, Problem, Rulebook, RulebookError, validate};
use crate::yaml;

/// A rulebook file larger than this is refused before parsing (a rulebook is text
/// written by people; megabytes mean a mistake or an attack).
pub const MAX_RULEBOOK_FILE_BYTES: u64 = 4 * 1024 * 1024;

pub(super) fn from_dir(dir: &Path) -> Result<Rulebook, RulebookError> {
    let paths = yaml_files(dir)?;
    if paths.is_empty() {
        return Err(file_problem(
            dir.display().to_string(),
            "no *.yaml files in this directory; a rulebook directory holds rulebook.yaml, questions.yaml, ...".into(),
        ));
    }
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        files.push((path.display().to_string(), read_text_file(&path)?));
    }
    let first_file = files.first().map(|f| f.0.clone()).unwrap_or_default();
    let parsed = parse_files(&files).map_err(RulebookError::Invalid)?;
    check_file_set(dir, &files, &parsed)?;
    from_parsed(parsed, Origin::Dir(dir.to_path_buf()), &first_file)
}

/// A standalone rulebook has the files it says it has (`rulebook: files:`), or, when it
/// names none, every file the built-in rulebook has: a copy of `rules/` that lost
/// `red_flags.yaml` must not load without its red flags. An extending rulebook starts
/// from every built-in file, so any set of its own will do.
fn check_file_set(
    dir: &Path,
    files: &[(String, String)],
    parsed: &Parsed,
) -> Result<(), RulebookError> {
    let Some(meta) = &parsed.merged.rulebook else {
        return Ok(()); // validation reports the missing `rulebook:` section
    };
    if meta.extends.is_some() {
        return Ok(());
    }
    let have: Vec<String> = files
        .iter()
        .filter_map(|(path, _)| Path::new(path).file_name())
        .map(|n| n.to_string_lossy().to_lowercase())
        .collect();
    let builtin: Vec<String> = super::builtin::FILES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    let (expected, whose) = if meta.files.is_empty() {
        (
            &builtin,
            "the built-in rulebook has it; a standalone rulebook has every built-in file, or lists its own under `rulebook: files:`",
        )
    } else {
        (&meta.files, "`rulebook: files:` lists it")
    };
    let at = |name: &str| Location {
        file: dir.join(name).display().to_string(),
        line: None,
    };
    let mut problems: Vec<Problem> = expected
        .iter()
        .filter(|name| !have.contains(&name.to_lowercase()))
        .map(|name| Problem {
            location: at(name),
            item: None,
            message: format!("missing: {whose}"),
        })
        .collect();
    if !meta.files.is_empty() {
        let listed: Vec<String> = meta.files.iter().map(|n| n.to_lowercase()).collect();
        problems.extend(
            have.iter()
                .filter(|name| !listed.contains(name))
                .map(|name| Problem {
                    location: at(name),
                    item: None,
                    message: "is not listed under `rulebook: files:`; list it, or move it out of the rulebook directory".into(),
                }),
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(RulebookError::Invalid(problems))
    }
}

/// Reads a rulebook or case file as text, at most [`MAX_RULEBOOK_FILE_BYTES`]: the limit
/// holds for the bytes actually read, not the size the file system reports (a link to a
/// `/proc` file reports 0 and reads without end).
pub fn read_text_file(path: &Path) -> Result<String, RulebookError> {
    use std::io::Read;
    let io_err = |source| RulebookError::Io {
        path: path.to_path_buf(),
        source,
    };
    let name = path.display().to_string();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io_err)?
        .take(MAX_RULEBOOK_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > MAX_RULEBOOK_FILE_BYTES {
        return Err(file_problem(
            name,
            format!(
                "file is more than {MAX_RULEBOOK_FILE_BYTES} bytes; the limit for one rulebook file is {MAX_RULEBOOK_FILE_BYTES} bytes"
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        file_problem(
            name,
            format!("not valid UTF-8 (first bad byte at offset {offset})"),
        )
    })
}

/// The `*.yaml` / `*.yml` entries (in any case) directly inside `dir`, sorted by name. Every such entry
/// must be a regular file (or a symlink to one): a rulebook silently missing its red flags
/// file would turn emergencies into milder verdicts, so a dangling or looping symlink, a
/// FIFO, a directory or a device named `*.yaml` is an error that names it, never skipped.
pub fn yaml_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, RulebookError> {
    let io_err = |source| RulebookError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let path = entry.map_err(io_err)?.path();
        // Any case: `red_flags.YAML` is a rulebook file, never skipped for its name.
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        if !is_yaml {
            continue;
        }
        match regular_file(&path) {
            Ok(()) => paths.push(path),
            Err(why) => problems.push(Problem {
                location: Location {
                    file: path.display().to_string(),
                    line: None,
                },
                item: None,
                message: why,
            }),
        }
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| a.location.file.cmp(&b.location.file));
        return Err(RulebookError::Invalid(problems));
    }
    paths.sort();
    Ok(paths)
}

/// Whether `path` can be read as a rulebook file, following symlinks; otherwise why not.
fn regular_file(path: &Path) -> Result<(), String> {
    let link = std::fs::symlink_metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if link.file_type().is_symlink() => {
            return Err(format!(
                "is a symbolic link that cannot be followed (its target is missing, or the links form a loop: {e}); fix or remove it"
            ));
        }
        Err(e) => return Err(format!("cannot read: {e}")),
    };
    if meta.is_file() {
        return Ok(());
    }
    Err(format!(
        "is {}, not a regular file; a rulebook file must be a regular file",
        file_kind(&meta.file_type())
    ))
}

fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// A problem with a whole file (or directory), before any item in it is read.
fn file_problem(file: String, message: String) -> RulebookError {
    RulebookError::Invalid(vec![Problem {
        location: Location { file, line: None },
        item: None,
        message,
    }])
}

/// Files parsed and merged, before validation.
#[derive(Clone)]
struct Parsed {
    merged: RulebookFile,
    meta_count: usize,
    locations: HashMap<String, Vec<Location>>,
}

fn parse_files(files: &[(String, String)]) -> Result<Parsed, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut merged = RulebookFile::default();
    let mut meta_count = 0usize;
    let mut locations: HashMap<String, Vec<Location>> = HashMap::new();

    for (name, text) in files {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let parsed: RulebookFile = match yaml::from_str::<Option<RulebookFile>>(text) {
            Ok(Some(file)) => file,
            // An empty file or one of only comments contributes nothing.
            Ok(None) => continue,
            Err(e) => {
                let message = if e.message.contains("expected struct RulebookFile") {
                    // A list of rules pasted on its own, or a stray value.
                    format!(
                        "{}: a rulebook file is a mapping of sections (`rulebook:`, `sources:`, `questions:`, `rules:`, `techniques:`, `care:`); put a list of rules under `rules:` (see docs/rulebook.md, \"A rule\")",
                        e.message
                    )
                } else {
                    e.message
                };
                problems.push(Problem {
                    location: Location {
                        file: name.clone(),
                        line: e.line,
                    },
                    item: None,
                    message,
                });
                continue;
            }
        };
        let id_lines = id_lines(text);
        // How many of each id's lines in this file are taken: a repeated id is found at
        // its next line, so n repeats cost n steps, not n squared.
        let mut taken: HashMap<&str, usize> = HashMap::new();
        let mut locate = |id: &str| {
            let line = id_lines.get_key_value(id).and_then(|(&key, lines)| {
                let next = taken.entry(key).or_default();
                let line = lines.get(*next).copied();
                *next += 1;
                line
            });
            locations.entry(id.to_string()).or_default().push(Location {
                file: name.clone(),
                line,
            });
        };
        parsed.sources.iter().for_each(|s| locate(&s.id));
        parsed.questions.iter().for_each(|q| locate(&q.id));
        parsed.rules.iter().for_each(|r| locate(&r.id));
        parsed.techniques.iter().for_each(|t| locate(&t.id));
        parsed.care.iter().for_each(|c| locate(&c.id));
        if let Some(meta) = parsed.rulebook {
            meta_count += 1;
            locations
                .entry("rulebook".into())
                .or_default()
                .push(Location {
                    file: name.clone(),
                    line: text
                        .lines()
                        .position(|l| l.starts_with("rulebook:"))
                        .map(|i| i + 1),
                });
            merged.rulebook = Some(meta);
        }
        merged.sources.extend(parsed.sources);
        merged.questions.extend(parsed.questions);
        merged.rules.extend(parsed.rules);
        merged.techniques.extend(parsed.techniques);
        merged.care.extend(parsed.care);
    }
    if problems.is_empty() {
        Ok(Parsed {
            merged,
            meta_count,
            locations,
        })
    } else {
        Err(problems)
    }
}

/// Lays `items` over `base`: an item whose id is in `base` replaces it in place (and
/// takes its location); a new id is appended, so two new items with one id reach
/// validation as a duplicate. One index of the ids keeps laying n items over m linear.
fn overlay<T>(
    base: &mut Vec<T>,
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    base_locations: &mut HashMap<String, Vec<Location>>,
    local_locations: &HashMap<String, Vec<Location>>,
) {
    let index: HashMap<String, usize> = base
        .iter()
        .enumerate()
        .map(|(i, b)| (id(b).to_string(), i))
        .collect();
    let mut placed = std::collections::HashSet::new();
    for item in items {
        let key = id(&item).to_string();
        // Once per id: a repeated id would otherwise copy its growing list each time.
        if let Some(local) = local_locations.get(&key)
            && placed.insert(key.clone())
        {
            base_locations.insert(key.clone(), local.clone());
        }
        match index.get(&key) {
            Some(&i) => base[i] = item,
            None => base.push(item),
        }
    }
}

/// The built-in files, parsed once per process: every rulebook that extends them, and
/// every tool that adds a file to them, starts from this copy.
fn builtin_parsed() -> Result<Parsed, Vec<Problem>> {
    static PARSED: std::sync::OnceLock<Result<Parsed, Vec<Problem>>> = std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| parse_files(&super::builtin::files()))
        .clone()
}

/// Adds `more` (parsed after `base`) to `base`, as if all had been parsed together.
fn append(base: &mut Parsed, more: Parsed) {
    let Parsed {
        merged,
        meta_count,
        locations,
    } = more;
    if merged.rulebook.is_some() {
        base.merged.rulebook = merged.rulebook;
    }
    base.meta_count += meta_count;
    base.merged.sources.extend(merged.sources);
    base.merged.questions.extend(merged.questions);
    base.merged.rules.extend(merged.rules);
    base.merged.techniques.extend(merged.techniques);
    base.merged.care.extend(merged.care);
    for (id, mut places) in locations {
        base.locations.entry(id).or_default().append(&mut places);
    }
}

/// The built-in files followed by `files`, validated together (for tools and tests that
/// add a file to the built-in rulebook without parsing it again each time).
pub(super) fn builtin_plus(files: Vec<(String, String)>) -> Result<Rulebook, RulebookError> {
    let mut parsed = builtin_parsed().map_err(RulebookError::Invalid)?;
    append(
        &mut parsed,
        parse_files(&files).map_err(RulebookError::Invalid)?,
    );
    let first_file = super::builtin::files()
        .first()
        .map(|f| f.0.clone())
        .unwrap_or_default();
    from_parsed(parsed, Origin::Builtin, &first_file)
}

/// A rulebook that `extends: builtin`: the built-in files first, the local ones over them.
fn extend_builtin(local: Parsed) -> Result<Parsed, Vec<Problem>> {
    let mut base = builtin_parsed()?;
    let Parsed {
        merged, locations, ..
    } = local;
    if let (Some(base_meta), Some(meta)) = (&mut base.merged.rulebook, merged.rulebook) {
        base_meta.name = meta.name;
        base_meta.version = meta.version;
        base_meta.extends = meta.extends;
        if !meta.description.is_empty() {
            base_meta.description = meta.description;
        }
        base_meta.lowers = meta.lowers;
        base_meta.tiers.extend(meta.tiers);
    }
    let b = &mut base;
    overlay(
        &mut b.merged.sources,
        merged.sources,
        |x| &x.id,
        &mut b.locations,
        &locations,
    );
    overlay(
        &mut b.merged.questions,
        merged.questions,
        |x| &x.id,
        &mut b.locations,
        &locations,
    );
    overlay(
        &mut b.merged.rules,
        merged.rules,
        |x| &x.id,
        &mut b.locations,
        &locations,
    );
    overlay(
        &mut b.merged.techniques,
        merged.techniques,
        |x| &x.id,
        &mut b.locations,
        &locations,
    );
    overlay(
        &mut b.merged.care,
        merged.care,
        |x| &x.id,
        &mut b.locations,
        &locations,
    );
    Ok(base)
}

pub(super) fn from_texts(
    files: Vec<(String, String)>,
    origin: Origin,
) -> Result<Rulebook, RulebookError> {
    let first_file = files.first().map(|f| f.0.clone()).unwrap_or_default();
    // Parse errors make cross-reference checks noisy and misleading; stop at them.
    let parsed = parse_files(&files).map_err(RulebookError::Invalid)?;
    from_parsed(parsed, origin, &first_file)
}

fn from_parsed(
    mut parsed: Parsed,
    origin: Origin,
    first_file: &str,
) -> Result<Rulebook, RulebookError> {
    let extends = parsed
        .merged
        .rulebook
        .as_ref()
        .and_then(|m| m.extends.clone());
    let mut local_locations = None;
    match extends.as_deref() {
        None => {}
        Some("builtin") if parsed.meta_count == 1 => {
            local_locations = Some(parsed.locations.clone());
            parsed = extend_builtin(parsed).map_err(RulebookError::Invalid)?;
        }
        Some("builtin") => {
            // Which file extends what is unclear; anything else said now would be noise
            // (an extending rulebook has no questions of its own).
            return Err(RulebookError::Invalid(vec![Problem {
                location: parsed
                    .locations
                    .get("rulebook")
                    .and_then(|l| l.get(1).or(l.first()))
                    .cloned()
                    .unwrap_or_default(),
                item: Some("rulebook".into()),
                message: "more than one file has a `rulebook:` section; keep the one with `extends: builtin`".into(),
            }]));
        }
        Some(other) => {
            return Err(RulebookError::Invalid(vec![Problem {
                location: parsed
                    .locations
                    .get("rulebook")
                    .and_then(|l| l.first())
                    .cloned()
                    .unwrap_or_default(),
                item: Some("rulebook".into()),
                message: format!("`extends: {other}` is not supported; use `extends: builtin`"),
            }]));
        }
    }
    let validated = validate::validate(
        parsed.merged,
        parsed.meta_count,
        parsed.locations,
        origin,
        first_file,
    );
    match (validated, local_locations) {
        (Err(RulebookError::Invalid(problems)), Some(local)) => Err(RulebookError::Invalid(
            problems
                .into_iter()
                .map(|p| blame_the_local_file(p, &local))
                .collect(),
        )),
        (validated, _) => validated,
    }
}

/// A problem found in a built-in item of a rulebook that extends the built-in one comes
/// from the user's files (the built-in rulebook is checked when it is built): the message
/// names the user's item it reads, or says that the fault is in the user's rulebook.
fn blame_the_local_file(mut problem: Problem, local: &HashMap<String, Vec<Location>>) -> Problem {
    let built_in = super::builtin::FILES
        .iter()
        .any(|(name, _)| problem.location.file == format!("rules/{name}"));
    if !built_in {
        return problem;
    }
    let mut named = problem.message.split('`').skip(1).step_by(2);
    let cause = named.find_map(|id| local.get(id).and_then(|l| l.first()).map(|l| (id, l)));
    match cause {
        Some((id, at)) => {
            problem.message = format!(
                "{} (the built-in item at {}; it relies on `{id}`, which this file replaces)",
                problem.message, problem.location
            );
            problem.location = at.clone();
        }
        None => {
            problem.message = format!(
                "{} (a built-in item; something in your rulebook changed what it relies on)",
                problem.message
            );
        }
    }
    problem
}

/// Every `id: <id>` line in a file, by id, as 1-based line numbers in order. One scan of
/// the file, so locating every item stays linear in its size.
fn id_lines(text: &str) -> HashMap<&str, Vec<usize>> {
    let mut out: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start().trim_start_matches("- ").trim_start();
        let line = line.trim_start_matches('{').trim_start();
        if let Some(rest) = line.strip_prefix("id:") {
            let value = rest.split([',', '}', '#']).next().unwrap_or("").trim();
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            if !value.is_empty() {
                out.entry(value).or_default().push(i + 1);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::id_lines;

    #[test]
    fn finds_the_lines_of_ids() {
        let text =
            "rules:\n  - id: a\n    title: x\n  - id: \"b\"\n  - { id: c, label: C }\n  - id: a\n";
        let lines = id_lines(text);
        assert_eq!(lines.get("a"), Some(&vec![2, 6]));
        assert_eq!(lines.get("b"), Some(&vec![4]));
        assert_eq!(lines.get("c"), Some(&vec![5]));
        assert_eq!(lines.get("d"), None);
    }
}
