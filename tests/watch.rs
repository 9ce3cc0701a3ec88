//! `maillage watch` end to end: the real binary on a temporary site, driven
//! by file edits, observed through the output folder, its own output lines
//! and its HTTP server. Every wait polls with a deadline, so the tests pass
//! on a slow machine and never rely on a fixed sleep.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::Fixture;

/// How long any single expectation may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(60);

const CATALOG: &str = r#"
[[topic]]
slug = "fomo"
name = "FOMO"
aliases = ["peur de manquer"]
description = "La peur de manquer quelque chose."
"#;

fn site() -> Fixture {
    let f = Fixture::new();
    f.file("site.toml", "title = \"Essai\"\nlanguage = \"fr\"\n")
        .file("content/topics.toml", CATALOG)
        .file(
            "content/alpha.md",
            "+++\ntitle = \"Alpha\"\n+++\n## Début\n\nTexte initial sur la FOMO.\n",
        )
        .file("site-secret.txt", "do not serve me");
    f
}

/// Polls `check` until it returns `Some`, or fails the test after the
/// deadline with `what` and the watch log.
fn wait_for<T>(what: &str, log: &Log, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        if start.elapsed() > DEADLINE {
            panic!("timed out waiting for {what}; watch said:\n{}", log.text());
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Lines printed by a process (stdout and stderr), shared with reader threads.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn lines(&self) -> Vec<String> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn text(&self) -> String {
        self.lines().join("\n")
    }

    fn count(&self, prefix: &str) -> usize {
        self.lines()
            .iter()
            .filter(|l| l.starts_with(prefix))
            .count()
    }

    fn follow(&self, stream: impl Read + Send + 'static) {
        let log = self.clone();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut l) = log.0.lock() {
                    l.push(line);
                }
            }
        });
    }
}

/// A running `maillage watch`, killed when dropped, whatever the test did.
struct Watch {
    child: Child,
    log: Log,
    port: u16,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watch {
    fn start(site: &Fixture, extra: &[&str]) -> Watch {
        let root = site.root().to_str().expect("utf-8 temp path");
        let mut child = Command::new(env!("CARGO_BIN_EXE_maillage"))
            .args(["watch", "--root", root, "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start maillage watch");
        let log = Log::default();
        if let Some(out) = child.stdout.take() {
            log.follow(out);
        }
        if let Some(err) = child.stderr.take() {
            log.follow(err);
        }
        let mut watch = Watch {
            child,
            log: log.clone(),
            port: 0,
        };
        let serving = extra.iter().all(|a| *a != "--no-serve");
        watch.port = wait_for("the server address", &log, || {
            if !serving {
                return Some(0);
            }
            log.lines().iter().find_map(|l| {
                let rest = l.strip_prefix("serving http://127.0.0.1:")?;
                rest.split('/').next()?.parse().ok()
            })
        });
        wait_for("the watch to start", &log, || {
            log.lines()
                .iter()
                .any(|l| l.starts_with("watching"))
                .then_some(())
        });
        watch
    }

    fn child_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn wait_line(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        wait_for(what, &self.log, || {
            self.log.lines().into_iter().find(|l| pred(l))
        })
    }

    /// A raw HTTP request; returns the status code, the head and the body.
    fn request(&self, raw_path: &str) -> (u16, String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(DEADLINE)).ok();
        write!(
            s,
            "GET {raw_path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .expect("send request");
        let mut bytes = Vec::new();
        s.read_to_end(&mut bytes).expect("read response");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        (status, head.to_string(), body.to_string())
    }

    /// Opens the live-reload event stream; returns what it receives, as it comes.
    fn events(&self) -> Log {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(
            s,
            "GET /__maillage/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send request");
        let log = Log::default();
        log.follow(s);
        wait_for("the event stream to open", &self.log, || {
            log.lines()
                .iter()
                .any(|l| l.starts_with("retry:"))
                .then_some(())
        });
        log
    }
}

fn read(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok()
}

fn append(path: &Path, text: &str) {
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open for append");
    f.write_all(text.as_bytes()).expect("append");
}

#[test]
fn an_edit_reaches_the_output_and_the_served_page() {
    let f = site();
    let w = Watch::start(&f, &[]);
    let page = f.output().join("alpha/index.html");
    assert!(read(&page).is_some_and(|t| t.contains("Texte initial")));

    append(&f.root().join("content/alpha.md"), "\nUn ajout visible.\n");
    wait_for("the edit in the output", &w.log, || {
        read(&page).filter(|t| t.contains("Un ajout visible"))
    });
    w.wait_line("a rebuilt line", |l| {
        l.starts_with("rebuilt content/alpha.md") && l.contains("written")
    });

    let (status, head, body) = w.request("/alpha/");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("text/html"), "{head}");
    assert!(body.contains("Un ajout visible"));
    assert!(
        body.contains("/__maillage/livereload.js"),
        "served pages reload"
    );
    let on_disk = read(&page).unwrap_or_default();
    assert!(
        !on_disk.contains("__maillage"),
        "the live-reload script is never written into the output"
    );
}

#[test]
fn create_delete_and_rename_update_document_and_topic_pages() {
    let f = site();
    let w = Watch::start(&f, &[]);
    let topic = f.output().join("topics/fomo/index.html");

    f.file(
        "content/beta.md",
        "+++\ntitle = \"Beta\"\n+++\n## Partie\n\nLa peur de manquer, encore.\n",
    );
    wait_for("the new document's page", &w.log, || {
        read(&f.output().join("beta/index.html"))
    });
    wait_for("the topic page to list the new document", &w.log, || {
        read(&topic).filter(|t| t.contains("Beta"))
    });

    fs::remove_file(f.root().join("content/alpha.md")).expect("delete");
    wait_for("the deleted document's page to go", &w.log, || {
        (!f.output().join("alpha/index.html").exists()).then_some(())
    });
    wait_for(
        "the topic page to drop the deleted document",
        &w.log,
        || read(&topic).filter(|t| !t.contains("Alpha") && t.contains("Beta")),
    );

    fs::rename(
        f.root().join("content/beta.md"),
        f.root().join("content/gamma.md"),
    )
    .expect("rename");
    wait_for("the renamed document's source", &w.log, || {
        read(&f.output().join("beta/index.html")).filter(|t| t.contains("gamma.md"))
    });
    // site.json follows once the whole site is relinked.
    wait_for("site.json to name the renamed source", &w.log, || {
        read(&f.output().join("site.json"))
            .filter(|j| j.contains("\"gamma.md\"") && !j.contains("\"beta.md\""))
    });
}

#[test]
fn editor_save_patterns_neither_lose_nor_invent_changes() {
    let f = site();
    // A long debounce, so that a busy machine pausing this test between two
    // steps of a save does not split the save.
    let w = Watch::start(&f, &["--debounce", "200"]);
    let content = f.root().join("content");
    let page = f.output().join("alpha/index.html");

    // Swap files and backups alone are no change.
    fs::write(content.join(".alpha.md.swp"), "swap").expect("swap file");
    fs::write(content.join("alpha.md~"), "backup").expect("backup");
    fs::remove_file(content.join("alpha.md~")).expect("remove backup");

    // vim's default: move the file to a backup, write a new one, drop the backup.
    fs::rename(content.join("alpha.md"), content.join("alpha.md~")).expect("backup rename");
    fs::write(
        content.join("alpha.md"),
        "+++\ntitle = \"Alpha\"\n+++\n## Début\n\nÉcrit à la vim.\n",
    )
    .expect("write");
    fs::remove_file(content.join("alpha.md~")).expect("remove backup");
    fs::remove_file(content.join(".alpha.md.swp")).expect("remove swap");
    wait_for("the vim-style save", &w.log, || {
        read(&page).filter(|t| t.contains("Écrit à la vim"))
    });

    // Many editors: write a temporary file, then rename it over the document.
    fs::write(
        content.join(".alpha.md.tmp"),
        "+++\ntitle = \"Alpha\"\n+++\n## Début\n\nÉcrit puis renommé.\n",
    )
    .expect("write temp");
    fs::rename(content.join(".alpha.md.tmp"), content.join("alpha.md")).expect("rename");
    wait_for("the rename-style save", &w.log, || {
        read(&page).filter(|t| t.contains("Écrit puis renommé"))
    });
    let rebuilt: Vec<String> = w
        .log
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("rebuilt"))
        .collect();
    assert!(
        rebuilt
            .iter()
            .all(|l| l.contains("content/alpha.md") && !l.contains("1 removed")),
        "no rebuild for editor files, the page never went away: {rebuilt:?}"
    );
}

#[test]
fn a_burst_of_changes_is_one_rebuild() {
    let f = site();
    let w = Watch::start(&f, &["--debounce", "200"]);
    for i in 0..40 {
        f.file(
            &format!("content/burst-{i:02}.md"),
            format!("+++\ntitle = \"Burst {i:02}\"\n+++\nTexte {i}.\n"),
        );
    }
    wait_for("every page of the burst", &w.log, || {
        (0..40)
            .all(|i| f.output().join(format!("burst-{i:02}/index.html")).exists())
            .then_some(())
    });
    // A later, separate change: once its line is printed, every line of the
    // burst has been printed too.
    append(&f.root().join("content/alpha.md"), "\nAprès la rafale.\n");
    w.wait_line("the rebuild after the burst", |l| {
        l.starts_with("rebuilt content/alpha.md")
    });
    assert_eq!(w.log.count("rebuilt"), 2, "{}", w.log.text());
}

#[test]
fn an_error_is_reported_then_cleared_while_the_last_good_page_stays() {
    let f = site();
    let mut w = Watch::start(&f, &[]);
    let events = w.events();
    let doc = f.root().join("content/alpha.md");

    fs::write(
        &doc,
        "+++\ntitle = \"Alpha\"\ntopics = [\n+++\n## Début\n\nCassé.\n",
    )
    .expect("write");
    w.wait_line("the error in the terminal", |l| {
        l.contains("alpha.md:") && l.starts_with("error")
    });
    w.wait_line("the failure line", |l| l.contains("failed with"));
    wait_for("the error event", &w.log, || {
        events
            .lines()
            .into_iter()
            .find(|l| l.starts_with("data:") && l.contains("alpha.md") && l.contains("\"line\":"))
    });
    let (status, _, body) = w.request("/alpha/");
    assert_eq!(status, 200);
    assert!(
        body.contains("Texte initial"),
        "the last good page stays served"
    );

    // A browser opening a page now still learns about the error.
    let late = w.events();
    wait_for("the error event for a late browser", &w.log, || {
        late.lines()
            .into_iter()
            .find(|l| l.starts_with("event: error"))
    });

    fs::write(&doc, "+++\ntitle = \"Alpha\"\n+++\n## Début\n\nRéparé.\n").expect("write");
    wait_for("the fixed page", &w.log, || {
        read(&f.output().join("alpha/index.html")).filter(|t| t.contains("Réparé"))
    });
    wait_for("the clear event", &w.log, || {
        events.lines().into_iter().find(|l| l == "event: clear")
    });
    assert!(w.child_alive(), "watch never exits on a content error");
}

#[test]
fn the_live_reload_event_reaches_a_browser() {
    let f = site();
    let w = Watch::start(&f, &[]);
    let events = w.events();
    append(&f.root().join("content/alpha.md"), "\nEncore.\n");
    wait_for("the reload event", &w.log, || {
        let lines = events.lines();
        let at = lines.iter().position(|l| l == "event: reload")?;
        lines
            .get(at + 1)
            .filter(|d| d.contains("alpha/index.html"))
            .cloned()
    });
}

#[test]
fn a_stylesheet_change_refreshes_styles_without_a_reload() {
    let f = site();
    f.file("theme/style.css", "body { color: black; }\n");
    let w = Watch::start(&f, &[]);
    let events = w.events();
    fs::write(f.root().join("theme/style.css"), "body { color: red; }\n").expect("write");
    wait_for("the css event", &w.log, || {
        events.lines().into_iter().find(|l| l == "event: css")
    });
    let (_, _, css) = w.request("/theme/style.css");
    assert!(css.contains("red"));
    assert!(!events.lines().iter().any(|l| l == "event: reload"));
}

#[test]
fn the_server_refuses_traversal_and_serves_the_404_page() {
    let f = site();
    let w = Watch::start(&f, &[]);
    for path in [
        "/../site-secret.txt",
        "/%2e%2e/site-secret.txt",
        "/a/../../site.toml",
    ] {
        let (status, head, body) = w.request(path);
        assert!((400..500).contains(&status), "{path}: {head}");
        assert!(
            !body.contains("do not serve me") && !body.contains("Essai"),
            "{path}"
        );
    }
    let (status, head, body) = w.request("/no/such/page/");
    assert_eq!(status, 404, "{head}");
    assert!(
        body.contains("La page demandée n’existe pas"),
        "the site's 404 page"
    );

    let (status, head, _) = w.request("/alpha");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /alpha/"), "{head}");
    let (_, head, _) = w.request("/theme/style.css");
    assert!(head.contains("Content-Type: text/css"), "{head}");
    let (_, head, body) = w.request("/site.json");
    assert!(head.contains("Content-Type: application/json"), "{head}");
    assert!(body.starts_with('{'));
}

#[test]
fn no_serve_only_rebuilds() {
    let f = site();
    let w = Watch::start(&f, &["--no-serve"]);
    assert!(w.log.lines().iter().all(|l| !l.starts_with("serving")));
    append(&f.root().join("content/alpha.md"), "\nSans serveur.\n");
    wait_for("the edit in the output", &w.log, || {
        read(&f.output().join("alpha/index.html")).filter(|t| t.contains("Sans serveur"))
    });
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let f = site();
    let mut w = Watch::start(&f, &[]);
    let pid = w.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status();
    assert!(sent.is_ok_and(|s| s.success()));
    let status = wait_for("watch to exit", &w.log, || {
        w.child.try_wait().ok().flatten()
    });
    assert!(status.success(), "{status:?}");
    w.wait_line("the stopping line", |l| l == "stopping");
}

#[test]
fn once_settled_the_output_is_what_build_writes() {
    let f = site();
    let w = Watch::start(&f, &[]);
    append(
        &f.root().join("content/alpha.md"),
        "\n## Plus loin\n\nLa peur de manquer, vue de plus loin.\n",
    );
    f.file("content/beta.md", "# Beta\n\nLa FOMO encore.\n");
    // The reconciliation after the last change (the two saves may come as
    // one rebuild or two).
    wait_for("the reconciliation after both changes", &w.log, || {
        let lines = w.log.lines();
        let last = lines
            .iter()
            .rposition(|l| l.starts_with("rebuilt") && l.contains("beta.md"))?;
        let done = lines[last..]
            .iter()
            .any(|l| l.trim_start().starts_with("settled"));
        let alpha = lines
            .iter()
            .any(|l| l.starts_with("rebuilt") && l.contains("alpha.md"));
        (done && alpha).then_some(())
    });
    let fresh = f.root().join("fresh");
    let out = common::maillage(&[
        "build",
        "--root",
        f.root().to_str().expect("utf-8 temp path"),
        "--output",
        fresh.to_str().expect("utf-8 temp path"),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    // `.maillage-state` records a build's file times: watch, which writes
    // pages one change at a time, drops it rather than keep it true.
    let site_files = |dir: &std::path::Path| {
        let mut files = common::snapshot_dir(dir);
        files.remove(".maillage-state");
        files
    };
    let watched = site_files(&f.output());
    let built = site_files(&fresh);
    let mut differ: Vec<&String> = built
        .keys()
        .filter(|k| watched.get(*k) != built.get(*k))
        .collect();
    differ.extend(watched.keys().filter(|k| !built.contains_key(*k)));
    assert!(differ.is_empty(), "differ: {differ:?}\n{}", w.log.text());
}
