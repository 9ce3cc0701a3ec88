// maillage watch: live reload. Added by `maillage watch` to the pages it
// serves; never part of a built site.
(function () {
  "use strict";
  var script = document.currentScript;
  var page = (script && script.dataset.page) || "";
  var OVERLAY_ID = "maillage-error-overlay";

  function refreshStyles() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      url.searchParams.set("maillage-reload", String(Date.now()));
      var fresh = link.cloneNode();
      fresh.href = url.toString();
      // Swap once the new sheet is in, so the page never shows unstyled.
      fresh.onload = fresh.onerror = function () { link.remove(); };
      link.after(fresh);
    });
  }

  function text(tag, content, style) {
    var el = document.createElement(tag);
    el.textContent = content;
    if (style) { el.setAttribute("style", style); }
    return el;
  }

  function showErrors(errors) {
    hideErrors();
    var box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.setAttribute("style",
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,20,.97);color:#f4f4f4;padding:2rem;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace");
    box.appendChild(text("h2", "maillage: the site could not be rebuilt",
      "margin:0 0 1rem;font-size:1.2rem;color:#ff8a80"));
    box.appendChild(text("p", "The last good version stays served. Save a fix and this goes away.",
      "margin:0 0 1.5rem;color:#bbb"));
    errors.forEach(function (e) {
      var item = document.createElement("div");
      item.setAttribute("style", "margin:0 0 1.2rem;white-space:pre-wrap");
      var where = e.path ? e.path + (e.line ? ":" + e.line : "") : "";
      if (where) { item.appendChild(text("div", where, "color:#80d8ff;font-weight:bold")); }
      item.appendChild(text("div", e.message));
      if (e.hint) { item.appendChild(text("div", "hint: " + e.hint, "color:#bbb")); }
      box.appendChild(item);
    });
    var close = text("button", "Close", "position:absolute;top:1rem;right:1rem;font:inherit");
    close.onclick = hideErrors;
    box.appendChild(close);
    document.body.appendChild(box);
  }

  function hideErrors() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) { old.remove(); }
  }

  function data(event) {
    try { return JSON.parse(event.data); } catch (e) { return {}; }
  }

  var source = new EventSource("/__maillage/events");
  source.addEventListener("reload", function (event) {
    var pages = data(event).pages;
    if (!pages || pages.indexOf(page) !== -1) { location.reload(); }
  });
  source.addEventListener("css", refreshStyles);
  source.addEventListener("error", function (event) {
    // EventSource also fires a plain "error" event (no data) on a lost
    // connection; only the server's events carry data.
    if (event.data) { showErrors(data(event).errors || []); }
  });
  source.addEventListener("clear", hideErrors);
})();
