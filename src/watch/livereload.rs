//! Live reload: the events `watch` sends to the browsers showing the site,
//! over server-sent events (`GET /__maillage/events`), and the small script
//! that receives them (`GET /__maillage/livereload.js`).
//!
//! The script is added by the server to the HTML pages it serves (`inject`),
//! never written into the output: `build` output stays clean. Events:
//! - `reload`: pages changed; a browser reloads if its page is among them;
//! - `css`: only stylesheets changed; styles are refreshed in place;
//! - `error`: the last rebuild failed; an overlay names each file and line.
//!   The hub remembers it, so a browser that connects later sees it too;
//! - `clear`: the error is fixed; the overlay goes away.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use crate::error::{BuildError, Diagnostic};
use crate::structure::push_escaped;

/// Where the server answers live-reload requests; no page can live there,
/// since document slugs never start with `_`.
pub const PREFIX: &str = "/__maillage/";
/// The event stream.
pub const EVENTS_PATH: &str = "/__maillage/events";
/// The script.
pub const SCRIPT_PATH: &str = "/__maillage/livereload.js";
/// The script's text.
pub const SCRIPT: &str = include_str!("livereload.js");

/// Above this many changed pages, a reload event says "every page" rather
/// than listing them.
const MAX_LISTED_PAGES: usize = 500;

/// One event for the browsers.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// These output pages (paths under the output folder) changed or were
    /// removed; `None` means any page may have.
    Reload(Option<Vec<String>>),
    /// Only stylesheets changed.
    Css,
    /// The last rebuild failed with these errors.
    Error(Vec<Diagnostic>),
    /// The error shown before is fixed.
    Clear,
}

impl LiveEvent {
    /// A reload of the listed pages, or of every page when there are many.
    pub fn reload(pages: Vec<String>) -> LiveEvent {
        if pages.len() > MAX_LISTED_PAGES {
            LiveEvent::Reload(None)
        } else {
            LiveEvent::Reload(Some(pages))
        }
    }

    /// The error event of a failed build.
    pub fn error(err: &BuildError) -> LiveEvent {
        LiveEvent::Error(err.diagnostics.clone())
    }
}

#[derive(Serialize)]
struct ReloadData<'a> {
    pages: Option<&'a [String]>,
}

#[derive(Serialize)]
struct ErrorData {
    errors: Vec<ErrorItem>,
}

#[derive(Serialize)]
struct ErrorItem {
    path: Option<String>,
    line: Option<usize>,
    message: String,
    hint: Option<String>,
}

/// The event as a server-sent-events frame: `event:` and one `data:` line of
/// JSON (serde_json writes no raw line breaks), then a blank line.
pub fn frame(event: &LiveEvent) -> String {
    let (name, data) = match event {
        LiveEvent::Reload(pages) => (
            "reload",
            serde_json::to_string(&ReloadData {
                pages: pages.as_deref(),
            }),
        ),
        LiveEvent::Css => ("css", Ok("{}".to_string())),
        LiveEvent::Clear => ("clear", Ok("{}".to_string())),
        LiveEvent::Error(diagnostics) => (
            "error",
            serde_json::to_string(&ErrorData {
                errors: diagnostics
                    .iter()
                    .map(|d| ErrorItem {
                        path: d.path.as_ref().map(|p| p.display().to_string()),
                        line: d.line,
                        message: d.message.clone(),
                        hint: d.hint.clone(),
                    })
                    .collect(),
            }),
        ),
    };
    let data = data.unwrap_or_else(|_| "{}".to_string());
    format!("event: {name}\ndata: {data}\n\n")
}

/// The browsers connected to the event stream, and the current error.
#[derive(Default)]
pub struct Hub {
    state: Mutex<HubState>,
}

#[derive(Default)]
struct HubState {
    clients: Vec<Sender<Arc<str>>>,
    /// The frame of the current error, sent to browsers as they connect.
    error: Option<Arc<str>>,
}

impl Hub {
    /// A new receiver of event frames; it first gets the current error, if any.
    pub fn subscribe(&self) -> Receiver<Arc<str>> {
        let (tx, rx) = channel();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(error) = &state.error {
            // The receiver is alive: it is returned below.
            let _ = tx.send(error.clone());
        }
        state.clients.push(tx);
        rx
    }

    /// Sends an event to every connected browser, forgetting those gone.
    pub fn publish(&self, event: &LiveEvent) {
        let frame: Arc<str> = frame(event).into();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            LiveEvent::Error(_) => state.error = Some(frame.clone()),
            LiveEvent::Clear => state.error = None,
            _ => {}
        }
        state.clients.retain(|c| c.send(frame.clone()).is_ok());
    }

    /// Whether an error is currently shown.
    pub fn has_error(&self) -> bool {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .error
            .is_some()
    }
}

/// Adds the live-reload script to an HTML page, just before its last
/// `</body>` (or at the end). `page` is the output path the page stands for,
/// so the script knows whether a reload concerns it.
pub fn inject(html: &[u8], page: &str) -> Vec<u8> {
    let mut tag = String::from("<script src=\"");
    tag.push_str(SCRIPT_PATH);
    tag.push_str("\" data-page=\"");
    push_escaped(&mut tag, page);
    tag.push_str("\"></script>\n");
    let at = rfind_ascii_case_insensitive(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind_ascii_case_insensitive(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_one_event_and_one_data_line() {
        let f = frame(&LiveEvent::Reload(Some(vec!["a/index.html".into()])));
        assert_eq!(f, "event: reload\ndata: {\"pages\":[\"a/index.html\"]}\n\n");
        let e = Diagnostic::error("front matter: bad\nsecond line")
            .at("content/a.md")
            .line(3);
        let f = frame(&LiveEvent::Error(vec![e]));
        assert!(f.starts_with("event: error\ndata: {"), "{f}");
        assert_eq!(f.matches('\n').count(), 3, "{f}");
        assert!(
            f.contains("\"line\":3") && f.contains("content/a.md"),
            "{f}"
        );
    }

    #[test]
    fn many_pages_reload_everything() {
        let pages = (0..=MAX_LISTED_PAGES).map(|i| i.to_string()).collect();
        assert_eq!(LiveEvent::reload(pages), LiveEvent::Reload(None));
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html, "a/index.html")).unwrap();
        assert!(
            out.contains("data-page=\"a/index.html\"></script>\n</BODY>"),
            "{out}"
        );
        let out = String::from_utf8(inject(b"<p>bare", "x\"y")).unwrap();
        assert!(out.starts_with("<p>bare<script"), "{out}");
        assert!(out.contains("x&quot;y"), "{out}");
    }

    #[test]
    fn a_late_subscriber_sees_the_current_error_until_cleared() {
        let hub = Hub::default();
        hub.publish(&LiveEvent::Error(vec![Diagnostic::error("bad")]));
        let rx = hub.subscribe();
        assert!(rx.try_recv().unwrap().starts_with("event: error"));
        hub.publish(&LiveEvent::Clear);
        assert!(rx.try_recv().unwrap().starts_with("event: clear"));
        assert!(!hub.has_error());
        let rx2 = hub.subscribe();
        assert!(rx2.try_recv().is_err());
    }

    #[test]
    fn gone_clients_are_forgotten() {
        let hub = Hub::default();
        drop(hub.subscribe());
        let rx = hub.subscribe();
        hub.publish(&LiveEvent::Css);
        assert_eq!(rx.try_recv().unwrap().as_ref(), "event: css\ndata: {}\n\n");
        assert_eq!(hub.state.lock().unwrap().clients.len(), 1);
    }
}
