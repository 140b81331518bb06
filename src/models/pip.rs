//! Downloads registry packages with pip, the machine's ordinary PyPI client (it carries the
//! machine's index, proxy and certificate configuration), into the download cache:
//! `CACHE/NAME-VERSION/ARCHIVE`. pip writes into a fresh `.incoming` folder first and the archive
//! is moved into place only after pip succeeded, so an interrupted download leaves nothing that
//! looks complete. An archive already in the cache is used without asking the registry.

use std::fs;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::manifest::{PackageOptions, PackageSpec};

/// Why a package could not be had.
#[derive(Debug, thiserror::Error)]
pub enum PipError {
    #[error(
        "cannot run pip ({command}): {source}; install pip (Debian: python3-pip) or set VOXGATE_PIP to a pip executable"
    )]
    Spawn {
        command: String,
        #[source]
        source: io::Error,
    },
    #[error("pip download {package} failed ({status}){tail}")]
    Failed {
        package: String,
        status: String,
        tail: String,
    },
    #[error("pip download {package} left no single archive in {dir}")]
    NoArchive { package: String, dir: PathBuf },
    #[error("download cache {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The pip command: `$VOXGATE_PIP` (a pip executable) or `python3 -m pip`.
pub fn pip_command() -> Command {
    match std::env::var_os("VOXGATE_PIP") {
        Some(pip) if !pip.is_empty() => Command::new(pip),
        _ => {
            let mut c = Command::new("python3");
            c.args(["-m", "pip"]);
            c
        }
    }
}

/// The folder of one package in the cache.
pub fn package_dir(cache: &Path, spec: &PackageSpec) -> PathBuf {
    cache.join(format!("{}-{}", spec.name, spec.version))
}

/// The cached archive of a package, if it is there.
pub fn cached_archive(cache: &Path, spec: &PackageSpec) -> Option<PathBuf> {
    let dir = package_dir(cache, spec);
    let mut found = fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_archive(p));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

fn is_archive(p: &Path) -> bool {
    let name = p.to_string_lossy();
    name.ends_with(".whl") || name.ends_with(".tar.gz") || name.ends_with(".zip")
}

/// The pip arguments that fetch exactly this package.
pub fn pip_args(spec: &PackageSpec, opts: &PackageOptions, dest: &Path) -> Vec<String> {
    let mut args = vec![
        "download".to_owned(),
        "--no-deps".to_owned(),
        "--disable-pip-version-check".to_owned(),
        "--no-input".to_owned(),
    ];
    args.push(
        if opts.sdist {
            "--no-binary=:all:"
        } else {
            "--only-binary=:all:"
        }
        .to_owned(),
    );
    if let Some(platform) = &opts.platform {
        args.extend(["--platform".to_owned(), platform.clone()]);
        if let Some(py) = &opts.python_version {
            let abi = format!("cp{}", py.replace('.', ""));
            args.extend([
                "--python-version".to_owned(),
                py.clone(),
                "--implementation".to_owned(),
                "cp".to_owned(),
                "--abi".to_owned(),
                abi,
            ]);
        }
    }
    args.extend([
        "-d".to_owned(),
        dest.to_string_lossy().into_owned(),
        spec.to_string(),
    ]);
    args
}

/// Makes sure the package's archive is in the cache and returns its path.
pub fn ensure(
    cache: &Path,
    spec: &PackageSpec,
    opts: &PackageOptions,
) -> Result<PathBuf, PipError> {
    if let Some(archive) = cached_archive(cache, spec) {
        return Ok(archive);
    }
    let dir = package_dir(cache, spec);
    let incoming = dir.join(".incoming");
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| PipError::Io { path, source }
    };
    if incoming.exists() {
        fs::remove_dir_all(&incoming).map_err(io_err(&incoming))?;
    }
    fs::create_dir_all(&incoming).map_err(io_err(&incoming))?;
    run_pip(spec, opts, &incoming)?;
    let mut archives: Vec<PathBuf> = fs::read_dir(&incoming)
        .map_err(io_err(&incoming))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| is_archive(p))
        .collect();
    let (Some(archive), true) = (archives.pop(), archives.is_empty()) else {
        return Err(PipError::NoArchive {
            package: spec.to_string(),
            dir: incoming,
        });
    };
    let name = archive.file_name().map(PathBuf::from).unwrap_or_default();
    let target = dir.join(name);
    fs::rename(&archive, &target).map_err(io_err(&target))?;
    fs::remove_dir_all(&incoming).map_err(io_err(&incoming))?;
    Ok(target)
}

fn run_pip(spec: &PackageSpec, opts: &PackageOptions, dest: &Path) -> Result<(), PipError> {
    let mut cmd = pip_command();
    let tty = io::stderr().is_terminal();
    cmd.args(pip_args(spec, opts, dest)).stdin(Stdio::null());
    if tty {
        // pip draws its own progress bar; let the person watch it (on stderr: our stdout is
        // for `models list`-style output).
        cmd.stdout(io::stderr()).stderr(Stdio::inherit());
    } else {
        cmd.args(["--progress-bar", "off", "-q"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
    }
    let shown = format!("{:?}", cmd.get_program());
    let out = cmd.output().map_err(|source| PipError::Spawn {
        command: shown,
        source,
    })?;
    if out.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(6)..].join("\n  ");
    Err(PipError::Failed {
        package: spec.to_string(),
        status: out.status.to_string(),
        tail: if tail.is_empty() {
            String::new()
        } else {
            format!(":\n  {tail}")
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn args_ask_for_exactly_one_pinned_archive() {
        let spec = PackageSpec::parse("onnxruntime==1.31.1").unwrap();
        let opts = PackageOptions {
            sdist: false,
            platform: Some("manylinux_2_28_x86_64".into()),
            python_version: Some("3.11".into()),
        };
        let args = pip_args(&spec, &opts, Path::new("/c/x"));
        let line = args.join(" ");
        assert!(line.starts_with("download --no-deps"), "{line}");
        assert!(line.contains("--only-binary=:all:"));
        assert!(line.contains(
            "--platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311"
        ));
        assert!(line.ends_with("-d /c/x onnxruntime==1.31.1"), "{line}");
        let sdist = pip_args(
            &spec,
            &PackageOptions {
                sdist: true,
                ..Default::default()
            },
            Path::new("d"),
        );
        assert!(sdist.contains(&"--no-binary=:all:".to_owned()));
    }

    #[test]
    fn a_cached_archive_is_used_and_an_incoming_folder_is_not() {
        let cache = tempfile::tempdir().unwrap();
        let spec = PackageSpec::parse("p==1").unwrap();
        let dir = package_dir(cache.path(), &spec);
        fs::create_dir_all(dir.join(".incoming")).unwrap();
        fs::write(dir.join(".incoming/p-1-py3-none-any.whl"), b"partial").unwrap();
        assert_eq!(cached_archive(cache.path(), &spec), None);
        fs::write(dir.join("p-1-py3-none-any.whl"), b"whole").unwrap();
        let found = cached_archive(cache.path(), &spec).unwrap();
        assert_eq!(found, dir.join("p-1-py3-none-any.whl"));
        // With the archive cached, `ensure` never runs pip.
        let got = ensure(cache.path(), &spec, &PackageOptions::default()).unwrap();
        assert_eq!(got, found);
    }
}
