//! Files the tool writes (`ask --save`, `batch --output`): whole or not at all.
//!
//! A regular file is written to a temporary file beside it (random name, created with
//! `O_EXCL`, so a planted symlink cannot redirect it) and renamed into place only when
//! everything was written; an existing file is kept unless `--force` is given. Character
//! devices and pipes (`/dev/stdout`, `>(cmd)`) are written directly, since they cannot be
//! renamed over. Anything else (a directory, a socket, a block device) is refused before
//! any work starts. Temporary files are registered so that a signal handler can remove
//! them.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result};

use crate::errors::UsageError;

/// Temporary files being written now, for removal on a signal.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary file still being written (from a signal handler's thread).
pub fn remove_pending() {
    if let Ok(mut pending) = PENDING.lock() {
        for path in pending.drain(..) {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn register(path: &Path) {
    if let Ok(mut pending) = PENDING.lock() {
        pending.push(path.to_path_buf());
    }
}

fn unregister(path: &Path) {
    if let Ok(mut pending) = PENDING.lock() {
        pending.retain(|p| p != path);
    }
}

/// What writing to a path will do, decided before any work starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A regular file (new, or replaced with `--force`) written through a temporary file.
    Replace { dir: PathBuf },
    /// A character device or a pipe, written directly.
    Stream,
}

fn name(path: &Path) -> String {
    path.display().to_string()
}

/// Checks that `path` can be written, and how; `flag` names the option for messages.
/// For a regular file, the directory is tried by creating (and removing) a temporary
/// file, so an unwritable place is reported before the work, not after it.
pub fn check_target(path: &Path, force: bool, flag: &str) -> Result<Target> {
    let shown = name(path);
    if path.as_os_str().is_empty() {
        return Err(UsageError(format!("{flag} needs a file name")).into());
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot use {shown} for {flag}")),
        Ok(link) => {
            match std::fs::metadata(path) {
                // A dangling symlink: replacing it needs --force like any existing entry.
                Err(_) if link.file_type().is_symlink() => {}
                Err(e) => return Err(e).with_context(|| format!("cannot use {shown} for {flag}")),
                Ok(meta) => {
                    let kind = meta.file_type();
                    if kind.is_dir() {
                        return Err(UsageError(format!(
                            "{shown} is a directory; give {flag} a file name"
                        ))
                        .into());
                    }
                    if is_stream(&kind) {
                        return Ok(Target::Stream);
                    }
                    if !kind.is_file() {
                        return Err(UsageError(format!(
                            "{shown} is not a regular file, a character device or a pipe; {flag} will not replace it"
                        ))
                        .into());
                    }
                }
            }
            if !force {
                return Err(UsageError(format!(
                    "{shown} already exists; choose another {flag} file or add --force"
                ))
                .into());
            }
        }
    }
    if !dir.is_dir() {
        return Err(UsageError(format!(
            "cannot write {shown}: the directory {} does not exist",
            dir.display()
        ))
        .into());
    }
    // Try the directory now: a read-only place must fail before the interview or batch.
    tempfile::Builder::new()
        .prefix(".massage-check-probe.")
        .tempfile_in(&dir)
        .map_err(|e| UsageError(format!("cannot write {shown}: {e}")))?;
    Ok(Target::Replace { dir })
}

#[cfg(unix)]
fn is_stream(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_char_device() || kind.is_fifo()
}

#[cfg(not(unix))]
fn is_stream(_kind: &std::fs::FileType) -> bool {
    false
}

/// A file being written; [`OutputFile::commit`] makes it appear. Dropped without a
/// commit, a temporary file is removed and the target is left as it was.
pub struct OutputFile {
    target: PathBuf,
    force: bool,
    /// The permission bits a new file gets (`--mode`); otherwise 0600, or with `--force`
    /// those of the file replaced.
    mode: Option<u32>,
    inner: Inner,
}

enum Inner {
    Temp(Option<BufWriter<tempfile::NamedTempFile>>, PathBuf),
    Stream(BufWriter<File>),
}

impl OutputFile {
    /// Opens `path` for writing as [`check_target`] decided.
    pub fn create(path: &Path, force: bool, flag: &str) -> Result<OutputFile> {
        let shown = name(path);
        let inner = match check_target(path, force, flag)? {
            Target::Stream => (
                Inner::Stream(BufWriter::new(
                    std::fs::OpenOptions::new()
                        .write(true)
                        .open(path)
                        .with_context(|| format!("cannot write {shown}"))?,
                )),
                path.to_path_buf(),
            ),
            Target::Replace { dir } => {
                // A link to a regular file is written through: the file it points to is
                // replaced and the link stays a link (docs/safety.md says so).
                let (path, dir) = match std::fs::symlink_metadata(path) {
                    Ok(link) if link.file_type().is_symlink() => {
                        let real = std::fs::canonicalize(path).with_context(|| {
                            format!("{shown} is a symbolic link to a missing file; {flag} will not replace the link")
                        })?;
                        let real_dir = real
                            .parent()
                            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
                        (real, real_dir)
                    }
                    _ => (path.to_path_buf(), dir),
                };
                let path = path.as_path();
                let file_name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "output".into());
                let temp = tempfile::Builder::new()
                    .prefix(&format!(".{file_name}."))
                    .suffix(".tmp")
                    .tempfile_in(&dir)
                    .with_context(|| format!("cannot write {shown}"))?;
                let temp_path = temp.path().to_path_buf();
                register(&temp_path);
                (
                    Inner::Temp(Some(BufWriter::new(temp)), temp_path),
                    path.to_path_buf(),
                )
            }
        };
        let (inner, target) = inner;
        Ok(OutputFile {
            target,
            force,
            mode: None,
            inner,
        })
    }

    /// Gives the file these permission bits (`--mode 640`) instead of owner-only.
    pub fn with_mode(mut self, mode: Option<u32>) -> OutputFile {
        self.mode = mode;
        self
    }

    /// Flushes and syncs the data and renames it into place (or flushes a stream).
    pub fn commit(mut self) -> Result<()> {
        let shown = name(&self.target);
        match &mut self.inner {
            Inner::Stream(w) => w.flush().with_context(|| format!("cannot write {shown}")),
            Inner::Temp(writer, temp_path) => {
                let temp_path = temp_path.clone();
                let writer = writer.take().context("file already committed")?;
                let result = finish(writer, &self.target, self.force, self.mode);
                unregister(&temp_path);
                result.with_context(|| format!("cannot write {shown}"))
            }
        }
    }
}

fn finish(
    writer: BufWriter<tempfile::NamedTempFile>,
    target: &Path,
    force: bool,
    mode: Option<u32>,
) -> Result<(), anyhow::Error> {
    let temp = writer
        .into_inner()
        .map_err(|e| without_temp_path(e.into_error()))?;
    // The temporary file is created readable by its owner only (0600): answers and
    // reports are health information.
    if force {
        keep_mode_and_owner(temp.as_file(), target);
    }
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(without_temp_path)?;
    }
    temp.as_file().sync_all().map_err(without_temp_path)?;
    // Dropping a failed persist's temporary file removes it, on every path.
    if force {
        temp.persist(target)
            .map_err(|e| without_temp_path(e.error))?;
    } else {
        temp.persist_noclobber(target).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::Error::new(UsageError(format!(
                    "{} appeared while this run was writing it; add --force to overwrite",
                    target.display()
                )))
            } else {
                without_temp_path(e.error).into()
            }
        })?;
    }
    Ok(())
}

/// Gives the new file the mode and owner of the file it replaces, where it can (changing
/// the owner needs the right to; a file that cannot be given it keeps the new owner).
fn keep_mode_and_owner(new: &File, replaced: &Path) {
    let Ok(old) = std::fs::metadata(replaced) else {
        return;
    };
    let _ = new.set_permissions(old.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        use std::os::unix::io::AsRawFd;
        // SAFETY: fchown on a file descriptor this process owns; failure is ignored.
        unsafe {
            libc::fchown(new.as_raw_fd(), old.uid(), old.gid());
        }
    }
}

impl OutputFile {
    /// An error writing the temporary file, told as an error writing the target: the
    /// person named the target, and the temporary file is gone once the run ends.
    fn about_target(&self, e: std::io::Error) -> std::io::Error {
        let cause = without_temp_path(e);
        std::io::Error::new(
            cause.kind(),
            format!("cannot write {}: {cause}", self.target.display()),
        )
    }
}

/// The error without the temporary file's path that `tempfile` adds to it ("... at path
/// \"/dir/.out.jsonl.x1y2.tmp\"").
fn without_temp_path(e: std::io::Error) -> std::io::Error {
    // tempfile's wrapper hides the original error (its `source` is the original's
    // source), so the path is cut from the text.
    let message = e.to_string();
    match message.rfind(" at path \"") {
        Some(at) if e.get_ref().is_some() => std::io::Error::new(e.kind(), &message[..at]),
        _ => e,
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = match &mut self.inner {
            Inner::Temp(Some(w), _) => w.write(buf),
            Inner::Temp(None, _) => Err(std::io::Error::other("file already committed")),
            Inner::Stream(w) => w.write(buf),
        };
        written.map_err(|e| self.about_target(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let flushed = match &mut self.inner {
            Inner::Temp(Some(w), _) => w.flush(),
            Inner::Temp(None, _) => Ok(()),
            Inner::Stream(w) => w.flush(),
        };
        flushed.map_err(|e| self.about_target(e))
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if let Inner::Temp(writer, temp_path) = &mut self.inner
            && writer.take().is_some()
        {
            // NamedTempFile removes itself when dropped; forget it for the signal handler.
            unregister(temp_path);
        }
    }
}

/// Writes `bytes` to `path` whole or not at all.
pub fn write_whole(
    path: &Path,
    bytes: &[u8],
    force: bool,
    flag: &str,
    mode: Option<u32>,
) -> Result<()> {
    let mut file = OutputFile::create(path, force, flag)?.with_mode(mode);
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.commit()
}

/// Whether `a` and `b` are the same file (the same path, a link to it, or a hard link),
/// when both exist.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(x), Ok(y)) => {
            use std::os::unix::fs::MetadataExt;
            x.dev() == y.dev() && x.ino() == y.ino()
        }
        #[cfg(not(unix))]
        (Ok(_), Ok(_)) => match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        },
        _ => false,
    }
}
