//! Files and directories the gateway creates under its data directory, private to the user
//! that runs it: files 0600, directories 0700 (recordings, transcripts and call records are
//! personal data; the umask is not trusted for them).
//!
//! Owns: the modes and the few ways data files are created or opened for writing. Must not
//! touch: what goes into the files, their names, the places they live in.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The mode of every data file: read and write for the owner only.
pub const FILE_MODE: u32 = 0o600;
/// The mode of every data directory: the owner only.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents with mode 0700 (existing ones are left as they are:
/// an operator may have chosen their own mode for a parent).
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

/// Opens `path` for appending, creating it 0600; a file left by an older version with a
/// wider mode is narrowed.
pub fn append(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(FILE_MODE)
        .open(path)?;
    narrow(&file)?;
    Ok(file)
}

/// Creates (or truncates) `path` for writing, 0600.
pub fn create(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)?;
    narrow(&file)?;
    Ok(file)
}

/// Creates `path` empty with mode 0600 unless it exists (for a file a library creates
/// afterwards, such as a SQLite database, whose journals then inherit the mode).
pub fn create_if_missing(path: &Path) -> io::Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Narrows `path` to 0600 if it exists (a file some library created with the umask's
/// mode); a missing file is no error.
pub fn restrict(path: &Path) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
            fs::set_permissions(path, Permissions::from_mode(FILE_MODE))
        }
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn narrow(file: &File) -> io::Result<()> {
    if file.metadata()?.permissions().mode() & 0o077 != 0 {
        file.set_permissions(Permissions::from_mode(FILE_MODE))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Write;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_are_0600_and_directories_0700() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        create_dir_all(&dir).unwrap();
        assert_eq!(mode(&tmp.path().join("a")), DIR_MODE);
        assert_eq!(mode(&dir), DIR_MODE);
        let log = dir.join("x.jsonl");
        writeln!(append(&log).unwrap(), "one").unwrap();
        assert_eq!(mode(&log), FILE_MODE);
        let wav = dir.join("y.wav");
        create(&wav).unwrap();
        assert_eq!(mode(&wav), FILE_MODE);
        let db = dir.join("z.sqlite3");
        create_if_missing(&db).unwrap();
        assert_eq!(mode(&db), FILE_MODE);
    }

    #[test]
    fn files_left_world_readable_are_narrowed() {
        let tmp = tempfile::tempdir().unwrap();
        let old = tmp.path().join("calls.jsonl");
        fs::write(&old, "old\n").unwrap();
        fs::set_permissions(&old, Permissions::from_mode(0o644)).unwrap();
        append(&old).unwrap();
        assert_eq!(mode(&old), FILE_MODE);
        let wal = tmp.path().join("db-wal");
        fs::write(&wal, "").unwrap();
        fs::set_permissions(&wal, Permissions::from_mode(0o666)).unwrap();
        restrict(&wal).unwrap();
        assert_eq!(mode(&wal), FILE_MODE);
        restrict(&tmp.path().join("missing")).unwrap();
        // An existing file keeps its contents.
        create_if_missing(&old).unwrap();
        assert_eq!(fs::read_to_string(&old).unwrap(), "old\n");
    }
}
