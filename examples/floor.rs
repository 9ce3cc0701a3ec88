//! The parse-and-write floor of a build, for the benchmark (bench/bench.py):
//! read every source file of `content/`, run pulldown-cmark over it (same
//! extensions as maillage) and write the HTML to `<output>/<stem>/index.html`
//! — nothing else: no front matter, topics, links or templates.
//!
//! It uses rayon like the real pipeline, so the ratio build / floor measures
//! what maillage adds on top of the unavoidable work, not parallelism.
//!
//! ```sh
//! cargo run --release --example floor -- CONTENT_DIR OUTPUT_DIR
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pulldown_cmark::{Parser, html};
use rayon::prelude::*;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [content, output] = args.as_slice() else {
        eprintln!("usage: floor CONTENT_DIR OUTPUT_DIR");
        return ExitCode::FAILURE;
    };
    match run(Path::new(content), Path::new(output)) {
        Ok((files, bytes)) => {
            println!("floor: {files} files, {bytes} bytes");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(content: &Path, output: &Path) -> std::io::Result<(usize, u64)> {
    let sources: Vec<PathBuf> = walkdir::WalkDir::new(content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|x| x == "md" || x == "txt"))
        .collect();
    let sizes: Vec<std::io::Result<u64>> = sources
        .par_iter()
        .map(|path| {
            let text = fs::read_to_string(path)?;
            let mut out = String::with_capacity(text.len() * 3 / 2);
            html::push_html(
                &mut out,
                Parser::new_ext(&text, maillage::structure::markdown::options()),
            );
            let stem = path.file_stem().unwrap_or_default();
            let dir = output.join(stem);
            fs::create_dir_all(&dir)?;
            fs::write(dir.join("index.html"), &out)?;
            Ok(out.len() as u64)
        })
        .collect();
    let mut bytes = 0;
    for s in sizes {
        bytes += s?;
    }
    Ok((sources.len(), bytes))
}
