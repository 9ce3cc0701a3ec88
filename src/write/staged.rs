//! One output file written through a comparison with the file already there.
//!
//! A build streams each file's bytes into a `Staged` writer. While the bytes
//! match the existing file, nothing is written; at the first difference the
//! writer copies the matching prefix and goes on into a file of the staging
//! folder, which the commit later renames over the old one. So an unchanged
//! file is never rewritten (its timestamp stays), a changed one is replaced
//! atomically, and no file needs to be held whole in memory: `site.json` of a
//! 100,000-document site is streamed straight from the serializer.

use std::fs::{self, File};
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// Where the bytes of one output file go.
pub struct Staged {
    target: PathBuf,
    tmp: PathBuf,
    /// The existing file, read along while the new bytes still match it.
    old: Option<BufReader<File>>,
    /// Bytes found equal so far.
    matched: u64,
    /// The staging file, once the new bytes differ (or there is no old file).
    /// Unbuffered: pages come whole and `site.json` through its own buffer,
    /// so a buffer here only copied every byte once more (half a gigabyte
    /// at 10,000 documents).
    new: Option<File>,
    written: u64,
    scratch: Vec<u8>,
    /// The first I/O error met, kept so that the caller can report it as a
    /// write error even when a template engine wraps it in its own error.
    error: Option<io::Error>,
}

/// What became of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The existing file already holds these bytes.
    Unchanged,
    /// New bytes wait in the staging file `tmp`.
    Staged { tmp: PathBuf, bytes: u64 },
}

const BUFFER: usize = 64 * 1024;

impl Staged {
    /// Prepares writing `target`, staging changed bytes at `tmp`.
    pub fn new(target: &Path, tmp: &Path) -> io::Result<Staged> {
        let old = match fs::metadata(target) {
            Ok(m) if m.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "a folder stands in its place",
                ));
            }
            Ok(_) => Some(BufReader::with_capacity(BUFFER, File::open(target)?)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            // Also a folder of the path being a plain file (NotADirectory):
            // the commit could not put the file there.
            Err(e) => return Err(e),
        };
        Ok(Staged::with_old(target, tmp, old))
    }

    /// Prepares writing `target` where nothing can stand yet (in an output
    /// folder that held no file): nothing is looked up, and `tmp` may be
    /// `target` itself.
    pub fn fresh(target: &Path, tmp: &Path) -> Staged {
        Staged::with_old(target, tmp, None)
    }

    fn with_old(target: &Path, tmp: &Path, old: Option<BufReader<File>>) -> Staged {
        Staged {
            target: target.to_path_buf(),
            tmp: tmp.to_path_buf(),
            old,
            matched: 0,
            new: None,
            written: 0,
            scratch: Vec::new(),
            error: None,
        }
    }

    /// Tells the writer how many bytes will come: when the old file's size
    /// differs, it is not read at all.
    pub fn expect_len(&mut self, len: u64) {
        let same = self
            .old
            .as_ref()
            .and_then(|f| f.get_ref().metadata().ok())
            .is_some_and(|m| m.len() == len);
        if !same && self.new.is_none() {
            self.old = None;
        }
    }

    /// The I/O error that interrupted writing, if any.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    /// Ends the file: `Unchanged` when every byte matched the old file.
    pub fn finish(mut self) -> io::Result<Outcome> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.new.is_none() {
            if let Some(old) = &mut self.old {
                let mut byte = [0u8; 1];
                if read_full(old, &mut byte)? == 0 {
                    return Ok(Outcome::Unchanged);
                }
            }
            self.diverge()?;
        }
        Ok(Outcome::Staged {
            tmp: self.tmp,
            bytes: self.written,
        })
    }

    /// Switches to the staging file, copying the prefix that matched.
    fn diverge(&mut self) -> io::Result<()> {
        self.old = None;
        let mut new = File::create(&self.tmp)?;
        if self.matched > 0 {
            let copied = io::copy(&mut File::open(&self.target)?.take(self.matched), &mut new)?;
            if copied != self.matched {
                return Err(io::Error::other("the old file shrank while being read"));
            }
        }
        self.new = Some(new);
        Ok(())
    }

    fn write_inner(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.new.is_none() {
            if let Some(old) = &mut self.old {
                self.scratch.resize(buf.len(), 0);
                if read_full(old, &mut self.scratch)? == buf.len() && self.scratch == buf {
                    self.matched += buf.len() as u64;
                    self.written += buf.len() as u64;
                    return Ok(());
                }
            }
            self.diverge()?;
        }
        self.new.as_mut().expect("diverged above").write_all(buf)?;
        self.written += buf.len() as u64;
        Ok(())
    }
}

impl Write for Staged {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.error.is_some() {
            return Err(io::Error::other("an earlier write failed"));
        }
        match self.write_inner(buf) {
            Ok(()) => Ok(buf.len()),
            Err(e) => {
                let again = io::Error::new(e.kind(), e.to_string());
                self.error = Some(e);
                Err(again)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_in_pieces(target: &Path, tmp: &Path, pieces: &[&str]) -> Outcome {
        let mut w = Staged::new(target, tmp).unwrap();
        for p in pieces {
            w.write_all(p.as_bytes()).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn same_bytes_in_any_pieces_are_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let (target, tmp) = (dir.path().join("a"), dir.path().join("t"));
        fs::write(&target, "hello world").unwrap();
        assert_eq!(
            write_in_pieces(&target, &tmp, &["hel", "lo wo", "rld"]),
            Outcome::Unchanged
        );
        assert!(!tmp.exists(), "nothing staged");
    }

    #[test]
    fn a_difference_stages_the_whole_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let (target, tmp) = (dir.path().join("a"), dir.path().join("t"));
        for (old, pieces, new) in [
            ("hello world", &["hello ", "there"][..], "hello there"),
            ("hello world", &["hello world", "!"][..], "hello world!"),
            ("hello world", &["hello"][..], "hello"),
            ("", &["x"][..], "x"),
        ] {
            fs::write(&target, old).unwrap();
            let out = write_in_pieces(&target, &tmp, pieces);
            assert_eq!(
                out,
                Outcome::Staged {
                    tmp: tmp.clone(),
                    bytes: new.len() as u64
                }
            );
            assert_eq!(fs::read_to_string(&tmp).unwrap(), new);
            assert_eq!(fs::read_to_string(&target).unwrap(), old, "old file kept");
        }
    }

    #[test]
    fn a_new_file_is_staged_and_a_size_hint_skips_reading() {
        let dir = tempfile::tempdir().unwrap();
        let (target, tmp) = (dir.path().join("a"), dir.path().join("t"));
        assert!(matches!(
            write_in_pieces(&target, &tmp, &["new"]),
            Outcome::Staged { bytes: 3, .. }
        ));
        fs::write(&target, "abc").unwrap();
        let mut w = Staged::new(&target, &tmp).unwrap();
        w.expect_len(4);
        assert!(w.old.is_none());
        w.write_all(b"abcd").unwrap();
        assert!(matches!(
            w.finish().unwrap(),
            Outcome::Staged { bytes: 4, .. }
        ));
    }

    #[test]
    fn a_folder_in_place_of_the_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = Staged::new(dir.path(), &dir.path().join("t"))
            .err()
            .unwrap();
        assert_eq!(e.kind(), io::ErrorKind::IsADirectory);
    }
}
