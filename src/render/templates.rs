//! Templates and theme: the defaults embedded in the binary, overridden file by
//! file by the site's own `templates/` and `theme/`. One table lists the
//! defaults; everything else derives from it.

use std::path::Path;

use tera::{ErrorKind, Kwargs, State, Tera, Value};

use crate::error::Diagnostic;

/// The built-in templates, by name.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "document.html",
        include_str!("../../templates/document.html"),
    ),
    ("topics.html", include_str!("../../templates/topics.html")),
    ("topic.html", include_str!("../../templates/topic.html")),
    ("404.html", include_str!("../../templates/404.html")),
    (
        "pagination.html",
        include_str!("../../templates/pagination.html"),
    ),
];

/// The built-in theme files, by path under `theme/`.
pub const DEFAULT_THEME: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../theme/style.css")),
    ("search.js", include_bytes!("../../theme/search.js")),
];

/// Loads the templates: the site's own where it has them, else the defaults.
/// `site_templates` are `(name, text)` pairs read from `<root>/templates/`.
pub fn load(site_templates: &[(String, String)], templates_dir: &Path) -> Result<Tera, Diagnostic> {
    let defaults: Vec<(&str, String)> = DEFAULT_TEMPLATES
        .iter()
        .filter(|(name, _)| !site_templates.iter().any(|(n, _)| n == name))
        .map(|&(name, text)| (name, dedent(text)))
        .collect();
    let mut all: Vec<(&str, &str)> = defaults.iter().map(|(n, t)| (*n, t.as_str())).collect();
    all.extend(site_templates.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let mut tera = Tera::new();
    tera.register_filter("safe", safe);
    tera.add_raw_templates(all)
        .map_err(|e| template_error(&e, site_templates, templates_dir))?;
    Ok(tera)
}

/// Tera's `safe` filter, without copying the string: the built-in one
/// makes a new string of the value's text (`Value::safe_string`), and the
/// sections' HTML and lists go through it, a copy, an allocation and a
/// free of every page's main text (callgrind, 1,000 documents: 14 M
/// instructions). A string value is the same text marked safe; any other
/// value is formatted as the built-in filter formats it.
fn safe(value: Value, _: Kwargs, _: &State) -> Value {
    if value.is_string() {
        value.mark_safe()
    } else {
        Value::safe_string(&value.to_string())
    }
}

/// A built-in template without the indentation at the start of its lines.
/// The files are indented to be read, but every space of it was copied into
/// every page: 7 KB of a 42 KB document page. Between tags, a line break
/// renders as the spaces did, and line numbers (for errors) stay. Site
/// templates are loaded as written.
fn dedent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        out.push_str(line.trim_start_matches([' ', '\t']));
    }
    out
}

/// Theme files: the site's own, plus every default the site does not replace.
pub fn theme_files(site_theme: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = DEFAULT_THEME
        .iter()
        .filter(|(name, _)| !site_theme.iter().any(|(n, _)| n == name))
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    files.extend(site_theme.iter().cloned());
    files
}

/// Turns a Tera error into a diagnostic naming the template file and line.
pub fn template_error(
    err: &tera::Error,
    site_templates: &[(String, String)],
    dir: &Path,
) -> Diagnostic {
    let hint = "fix the template, or delete it to fall back to the built-in one";
    let located = |name: &str| -> Diagnostic {
        let d = Diagnostic::error(String::new()).hint(hint);
        if site_templates.iter().any(|(n, _)| n == name) {
            d.at(dir.join(name))
        } else {
            d.at(format!("(built-in template) {name}"))
        }
    };
    match err.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let mut d = located(report.filename()).line(report.span().start_line);
            d.message = format!("template error: {}", report.message());
            d
        }
        ErrorKind::MissingParent { current, parent } => {
            let mut d = located(current);
            d.message = format!("template error: extends `{parent}`, which does not exist");
            d
        }
        other => {
            let mut d = Diagnostic::error(format!("template error: {other}")).hint(hint);
            if let Some((name, _)) = site_templates.first() {
                d = d.at(dir.join(name));
            }
            d
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load() {
        let tera = load(&[], Path::new("templates")).unwrap();
        for (name, _) in DEFAULT_TEMPLATES {
            assert!(tera.contains_template(name), "{name}");
        }
    }

    #[test]
    fn built_in_templates_render_without_indentation() {
        assert_eq!(
            dedent("<ul>\n  <li>a</li>\n\t</ul>\n"),
            "<ul>\n<li>a</li>\n</ul>\n"
        );
        let site = vec![("page.html".to_string(), "  <p>{{ x }}</p>\n".to_string())];
        let tera = load(&site, Path::new("templates")).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("x", "kept as written");
        assert_eq!(
            tera.render("page.html", &ctx).unwrap(),
            "  <p>kept as written</p>\n",
            "site templates are not changed"
        );
    }

    #[test]
    fn safe_filter_renders_as_the_built_in_one() {
        let text = "{{ s | safe }}|{{ s }}|{{ n | safe }}|{{ a | safe }}|{{ m | safe }}|{{ s | safe | upper }}|{{ u | safe }}|{{ e | safe }}";
        let site = vec![("page.html".to_string(), text.to_string())];
        let ours = load(&site, Path::new("templates")).unwrap();
        let mut built_in = Tera::new();
        built_in.add_raw_template("page.html", text).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("s", "<b>l'écho & « x »</b> long enough to be shared");
        ctx.insert("n", &3.5);
        ctx.insert("a", &["<i>", "j"]);
        ctx.insert("m", &std::collections::BTreeMap::from([("k", "<v>")]));
        ctx.insert("e", "");
        let got = ours.render("page.html", &ctx).unwrap();
        assert_eq!(got, built_in.render("page.html", &ctx).unwrap());
        assert!(got.starts_with("<b>l'écho"), "{got}");
    }

    #[test]
    fn broken_site_template_names_file_and_line() {
        let site = vec![("index.html".to_string(), "ok\n{% if %}\n".to_string())];
        let e = load(&site, Path::new("/s/templates")).unwrap_err();
        assert_eq!(
            e.path.as_deref(),
            Some(Path::new("/s/templates/index.html"))
        );
        assert_eq!(e.line, Some(2));
        assert!(e.message.starts_with("template error"), "{}", e.message);
    }

    #[test]
    fn site_theme_overrides_default_file() {
        let files = theme_files(&[
            ("style.css".into(), b"x".to_vec()),
            ("extra.js".into(), b"y".to_vec()),
        ]);
        assert_eq!(files.len(), DEFAULT_THEME.len() + 1);
        assert!(files.contains(&("style.css".to_string(), b"x".to_vec())));
    }
}
