//! The local server of `watch`, on tiny_http: serves the output folder, adds
//! the live-reload script to HTML pages, and streams live-reload events.
//!
//! Safety: only files under the output folder are served. The request path
//! is percent-decoded, then any `..` segment is refused outright; what is
//! left is joined to the output folder and canonicalised, and a file whose
//! real path (symbolic links followed) leaves the folder is refused too. A
//! folder is served through its `index.html` (after a redirect adding the
//! final `/`, so that the page's relative links resolve); a missing file
//! gets the site's own `404.html` with status 404. The server binds to
//! loopback unless told otherwise.

use std::fs::{self, File};
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use percent_encoding::percent_decode_str;
use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::livereload::{self, Hub};

/// How many ports after the asked one are tried when it is taken.
const PORT_TRIES: u16 = 100;
/// Threads answering requests (event streams get their own).
const WORKERS: usize = 4;
/// A comment line sent on idle event streams, so that dead ones are noticed.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Content types by file extension; anything else is served as bytes.
const CONTENT_TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("htm", "text/html; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("json", "application/json"),
    ("map", "application/json"),
    ("xml", "application/xml"),
    ("txt", "text/plain; charset=utf-8"),
    ("md", "text/plain; charset=utf-8"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("ico", "image/x-icon"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("otf", "font/otf"),
    ("pdf", "application/pdf"),
    ("wasm", "application/wasm"),
];

/// The content type of a file, from its extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    ext.and_then(|e| CONTENT_TYPES.iter().find(|(x, _)| *x == e).map(|(_, t)| *t))
        .unwrap_or("application/octet-stream")
}

/// The path segments a request URL asks for, percent-decoded, with whether it
/// ends in `/`. `None` when it must be refused: a `..` segment, a backslash
/// or NUL byte, bytes that are not UTF-8, or no leading `/`.
pub fn request_segments(url: &str) -> Option<(Vec<String>, bool)> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return None;
    }
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    let mut segments = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s if s.contains(['\\', '\0']) => return None,
            s => segments.push(s.to_string()),
        }
    }
    let trailing = decoded.ends_with('/');
    Some((segments, trailing))
}

/// What a request path leads to in the output folder.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// A file, and its path under the output folder.
    File(PathBuf, String),
    /// A folder asked without its final `/`: redirect there.
    Redirect(String),
    /// Nothing there; the output path that was looked for.
    Missing(String),
    /// The path leads out of the output folder.
    Refused,
}

/// Looks a request URL up in `output`.
pub fn locate(output: &Path, url: &str) -> Found {
    let Some((segments, trailing)) = request_segments(url) else {
        return Found::Refused;
    };
    let mut page = segments.join("/");
    let Ok(base) = output.canonicalize() else {
        return Found::Missing(page);
    };
    let mut path = base.clone();
    path.extend(&segments);
    if path.is_dir() {
        if !trailing && !segments.is_empty() {
            let raw = url.split(['?', '#']).next().unwrap_or("/");
            return Found::Redirect(format!("{raw}/"));
        }
        path.push("index.html");
        page = if page.is_empty() {
            "index.html".into()
        } else {
            format!("{page}/index.html")
        };
    } else if trailing {
        page = if page.is_empty() {
            "index.html".into()
        } else {
            format!("{page}/index.html")
        };
    }
    match path.canonicalize() {
        Ok(real) if !real.starts_with(&base) => Found::Refused,
        Ok(real) if real.is_file() => Found::File(real, page),
        _ => Found::Missing(page),
    }
}

/// Binds a listener on `addr:port`, or on the next free port when it is
/// taken (port 0 lets the system choose).
pub fn bind(addr: IpAddr, port: u16) -> io::Result<TcpListener> {
    let tries = if port == 0 { 1 } else { PORT_TRIES };
    let mut last = None;
    for offset in 0..tries {
        let Some(p) = port.checked_add(offset) else {
            break;
        };
        match TcpListener::bind(SocketAddr::new(addr, p)) {
            Ok(l) => return Ok(l),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::AddrInUse, "no free port")))
}

/// A running server; stopped when dropped.
pub struct Server {
    /// The address it listens on.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl Server {
    /// Serves `output` on `listener`, with live reload from `hub`.
    pub fn start(listener: TcpListener, output: PathBuf, hub: Arc<Hub>) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let server = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let output = Arc::new(output);
        let mut workers = Vec::new();
        for i in 0..WORKERS {
            let (server, stop, output, hub) =
                (server.clone(), stop.clone(), output.clone(), hub.clone());
            let worker = thread::Builder::new()
                .name(format!("maillage-http-{i}"))
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match server.recv_timeout(Duration::from_millis(200)) {
                            Ok(Some(request)) => handle(request, &output, &hub),
                            Ok(None) => {}
                            Err(_) => break,
                        }
                    }
                })?;
            workers.push(worker);
        }
        Ok(Server {
            addr,
            stop,
            workers,
        })
    }

    /// The URL of the site's home page.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn with_headers<R: io::Read>(mut response: Response<R>, headers: &[(&str, &str)]) -> Response<R> {
    for (name, value) in headers {
        if let Some(h) = header(name, value) {
            response.add_header(h);
        }
    }
    response
}

fn handle(request: Request, output: &Path, hub: &Arc<Hub>) {
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("");
    let method = request.method().clone();
    if method != Method::Get && method != Method::Head {
        let r = with_headers(
            Response::from_string("method not allowed\n").with_status_code(405),
            &[("Allow", "GET, HEAD")],
        );
        let _ = request.respond(r);
        return;
    }
    if path == livereload::EVENTS_PATH {
        serve_events(request, hub);
        return;
    }
    if path == livereload::SCRIPT_PATH {
        let r = Response::from_string(livereload::SCRIPT);
        let _ = request.respond(with_headers(
            r,
            &[
                ("Content-Type", "text/javascript; charset=utf-8"),
                ("Cache-Control", "no-cache"),
            ],
        ));
        return;
    }
    let response = match locate(output, &url) {
        Found::File(file, page) => serve_file(&file, &page, StatusCode(200), false),
        Found::Redirect(to) => Ok(with_headers(
            Response::from_string("").with_status_code(301),
            &[("Location", &to)],
        )
        .boxed()),
        Found::Missing(page) => Ok(not_found(output, &page)),
        Found::Refused => Ok(
            Response::from_string("forbidden: the path leaves the site folder\n")
                .with_status_code(403)
                .boxed(),
        ),
    };
    let response = response.unwrap_or_else(|e| {
        Response::from_string(format!("cannot read the file: {e}\n"))
            .with_status_code(500)
            .boxed()
    });
    let _ = request.respond(response);
}

/// Serves a file; an HTML page gets the live-reload script, and with
/// `root_base` a `<base href="/">`, for a page served away from its place.
fn serve_file(
    file: &Path,
    page: &str,
    status: StatusCode,
    root_base: bool,
) -> io::Result<tiny_http::ResponseBox> {
    let kind = content_type(file);
    let common = [("Content-Type", kind), ("Cache-Control", "no-cache")];
    if kind.starts_with("text/html") {
        let mut html = fs::read(file)?;
        if root_base {
            html = insert_base(html);
        }
        let bytes = livereload::inject(&html, page);
        let r = Response::from_data(bytes).with_status_code(status);
        return Ok(with_headers(r, &common).boxed());
    }
    let r = Response::from_file(File::open(file)?).with_status_code(status);
    Ok(with_headers(r, &common).boxed())
}

/// Adds `<base href="/">` at the start of `<head>`: the 404 page's relative
/// links are written for the output root, whatever URL it answers.
fn insert_base(html: Vec<u8>) -> Vec<u8> {
    let Some(open) = html.windows(6).position(|w| {
        w[..5].eq_ignore_ascii_case(b"<head") && (w[5] == b'>' || w[5].is_ascii_whitespace())
    }) else {
        return html;
    };
    let Some(close) = html[open..].iter().position(|&b| b == b'>') else {
        return html;
    };
    let at = open + close + 1;
    let mut out = Vec::with_capacity(html.len() + 20);
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(b"<base href=\"/\">");
    out.extend_from_slice(&html[at..]);
    out
}

/// The site's 404 page (with live reload, so that the page appears by itself
/// once it is created), or a plain message when the site has none.
fn not_found(output: &Path, page: &str) -> tiny_http::ResponseBox {
    let custom = output.join("404.html");
    if custom.is_file()
        && let Ok(r) = serve_file(&custom, page, StatusCode(404), true)
    {
        return r;
    }
    with_headers(
        Response::from_string("not found\n").with_status_code(404),
        &[("Content-Type", "text/plain; charset=utf-8")],
    )
    .boxed()
}

/// Streams live-reload events. tiny_http's responses end when their body
/// does, so the stream takes the raw connection and writes the head itself.
fn serve_events(request: Request, hub: &Arc<Hub>) {
    // Subscribed before the head is sent: a client that has read the head
    // gets every later event.
    let events = hub.subscribe();
    let mut writer = request.into_writer();
    // A failed spawn drops the stream with the closure, which closes the
    // connection; the browser retries.
    let _ = thread::Builder::new()
        .name("maillage-sse".into())
        .spawn(move || {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\nretry: 1000\n\n";
            if writer
                .write_all(head.as_bytes())
                .and_then(|()| writer.flush())
                .is_err()
            {
                return;
            }
            loop {
                let chunk: Arc<str> = match events.recv_timeout(KEEPALIVE) {
                    Ok(frame) => frame,
                    Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".into(),
                    Err(RecvTimeoutError::Disconnected) => return,
                };
                if writer
                    .write_all(chunk.as_bytes())
                    .and_then(|()| writer.flush())
                    .is_err()
                {
                    return;
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused_however_it_is_written() {
        for url in [
            "/../Cargo.toml",
            "/a/../../x",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E%2fCargo.toml",
            "/a/..%2f..%2fx",
            "/a\\..\\x",
            "/%00",
            "relative",
            "/%ff",
        ] {
            assert_eq!(request_segments(url), None, "{url}");
        }
    }

    #[test]
    fn request_paths_are_decoded_and_normalised() {
        assert_eq!(
            request_segments("/a%20b/./c/?q=1#x"),
            Some((vec!["a b".to_string(), "c".to_string()], true))
        );
        assert_eq!(request_segments("/"), Some((vec![], true)));
        assert_eq!(
            request_segments("//x.css"),
            Some((vec!["x.css".to_string()], false))
        );
    }

    #[test]
    fn files_folders_and_missing_pages_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(out.join("doc")).unwrap();
        fs::write(out.join("index.html"), "home").unwrap();
        fs::write(out.join("doc/index.html"), "doc").unwrap();
        fs::write(dir.path().join("secret.txt"), "no").unwrap();
        let real = out.canonicalize().unwrap();
        assert_eq!(
            locate(&out, "/"),
            Found::File(real.join("index.html"), "index.html".into())
        );
        assert_eq!(
            locate(&out, "/doc/"),
            Found::File(real.join("doc/index.html"), "doc/index.html".into())
        );
        assert_eq!(locate(&out, "/doc?x=1"), Found::Redirect("/doc/".into()));
        assert_eq!(
            locate(&out, "/nope/"),
            Found::Missing("nope/index.html".into())
        );
        assert_eq!(locate(&out, "/../secret.txt"), Found::Refused);
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_out_of_the_output_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(dir.path().join("secret.txt"), "no").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), out.join("link.txt")).unwrap();
        assert_eq!(locate(&out, "/link.txt"), Found::Refused);
    }

    #[test]
    fn the_404_page_gets_a_root_base() {
        let out = insert_base(b"<html><HEAD lang=x><title>".to_vec());
        assert_eq!(out, b"<html><HEAD lang=x><base href=\"/\"><title>");
        assert_eq!(insert_base(b"<p>".to_vec()), b"<p>");
        assert_eq!(insert_base(b"<header>".to_vec()), b"<header>");
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(
            content_type(Path::new("a/index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("theme/style.CSS")),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("site.json")), "application/json");
        assert_eq!(content_type(Path::new("x")), "application/octet-stream");
    }

    #[test]
    fn a_taken_port_moves_to_the_next() {
        let lo = IpAddr::from([127, 0, 0, 1]);
        let first = bind(lo, 0).unwrap();
        let port = first.local_addr().unwrap().port();
        if port == u16::MAX {
            return;
        }
        let second = bind(lo, port).unwrap();
        assert_ne!(second.local_addr().unwrap().port(), port);
    }
}
