/*
 * maillage search: the search box of every page.
 *
 * The index lives in small script files under search/ (built by
 * src/search/, layout in src/search/files.rs), loaded on demand with
 * <script> tags so that the site also works from file://. Each file calls
 * maillageSearch(key, data).
 *
 * The query rules are those of src/search/query.rs (the reference, tested in
 * Rust and, against this file, in tests/browser_search.rs): fold each word
 * exactly as src/topics/normalize.rs does, then find its stems through the
 * vocabulary — exact word, prefix of the last word, inflection (the longest
 * known stem the word begins with), one typo. No stemmer runs here: the
 * vocabulary maps every word of the site to the stem Rust gave it.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var box = document.querySelector("[data-maillage-search]");
  if (!script || !box) return;
  // The site root, from this script's own URL (…/theme/search.js).
  var root = script.src.replace(/theme\/search\.js(\?.*)?$/, "");

  // ---- Rules shared with Rust (src/search/query.rs) -------------------
  var TYPO_MIN_CHARS = 5;
  var TYPO_MAX_STEMS = 3;
  var INFLECTION_MIN_CHARS = 4;
  var PREFIX_MAX_STEMS = 3;
  var PREFIX_MIN_CHARS = 2;
  var COMMON_SHARE = 0.5;
  var RESULTS_PAGE = 10;

  var APOSTROPHES = "'\u2019\u02bc\u2018";
  var WORD_CHAR = /[\p{Alphabetic}\p{N}\p{M}]/u;

  function isWordChar(c) {
    var code = c.charCodeAt(0);
    if (code < 128) {
      return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    }
    return WORD_CHAR.test(c) && APOSTROPHES.indexOf(c) < 0;
  }

  /* The folded form of one word character (normalize.rs: fold_char). */
  function foldChar(c) {
    if (c.charCodeAt(0) < 128) return c.toLowerCase();
    var out = "";
    for (var lower of c.toLowerCase()) {
      if (lower === "\u0153") out += "oe";
      else if (lower === "\u00e6") out += "ae";
      else if (lower === "\u00df") out += "ss";
      else {
        for (var d of lower.normalize("NFKD")) {
          var cp = d.codePointAt(0);
          if ((cp < 0x300 || cp > 0x36f) && isWordChar(d)) out += d.toLowerCase();
        }
      }
    }
    return out;
  }

  /*
   * The words of `text` (normalize.rs: for_each_folded): folded, French
   * elisions dropped when `elisions` is given, with their UTF-16 range.
   */
  function words(text, elisions) {
    var out = [];
    var folded = "";
    var start = -1;
    var i = 0;
    for (var c of text) {
      if (isWordChar(c)) {
        if (start < 0) start = i;
        folded += foldChar(c);
      } else if (start >= 0) {
        var elided = elisions && APOSTROPHES.indexOf(c) >= 0 && elisions.has(folded);
        if (!elided && folded) out.push({ f: folded, start: start, end: i });
        folded = "";
        start = -1;
      }
      i += c.length;
    }
    if (start >= 0 && folded) out.push({ f: folded, start: start, end: i });
    return out;
  }

  function chars(s) {
    return Array.from(s);
  }

  /* Exactly one edit apart: insertion, deletion, replacement or swap. */
  function oneTypo(a, b) {
    a = chars(a);
    b = chars(b);
    if (Math.abs(a.length - b.length) > 1) return false;
    var head = 0;
    while (head < a.length && head < b.length && a[head] === b[head]) head++;
    if (head === a.length && head === b.length) return false;
    var tail = 0;
    while (
      tail < a.length - head &&
      tail < b.length - head &&
      a[a.length - 1 - tail] === b[b.length - 1 - tail]
    )
      tail++;
    var ra = a.slice(head, a.length - tail);
    var rb = b.slice(head, b.length - tail);
    if (ra.length + rb.length === 1) return true;
    if (ra.length === 1 && rb.length === 1) return true;
    return ra.length === 2 && rb.length === 2 && ra[0] === rb[1] && ra[1] === rb[0];
  }

  function typoAllowed(word) {
    return chars(word).length >= TYPO_MIN_CHARS;
  }

  function typoPrefixes(word) {
    var c = chars(word);
    if (c.length < 3) return [word];
    var a = c[0] + c[1];
    var b = c[0] + c[2];
    return a === b ? [a] : [a, b];
  }

  function typoCandidate(word, candidate) {
    return (
      typoAllowed(word) &&
      typoPrefixes(word).some(function (p) {
        return candidate.startsWith(p);
      }) &&
      oneTypo(word, candidate)
    );
  }

  function inflectionOf(word, stem) {
    return chars(stem).length >= INFLECTION_MIN_CHARS && word.startsWith(stem);
  }

  // ---- Loading index files --------------------------------------------
  var pending = {};
  var loaded = {};
  var manifest = null;

  window.maillageSearch = function (key, data) {
    loaded[key] = data;
    remember(key, data);
    var p = pending[key];
    if (p) p.resolve(data);
  };

  /*
   * The index files this tab has loaded are also kept in sessionStorage,
   * under the index's version, so that on the next page (after following a
   * result) or after a reload a query needs no file again: loading even a
   * cached file takes the browser a round trip, and a query takes three in
   * a row (vocabulary, postings, fragments). The manifest is not kept: it
   * is what tells the version.
   */
  var KEPT = "maillage-search:";

  function store() {
    try {
      return window.sessionStorage || null;
    } catch (e) {
      return null; // storage disabled
    }
  }

  function keptKey(key) {
    return KEPT + manifest.version + ":" + key;
  }

  function remember(key, data) {
    var s = store();
    if (!s || !manifest || key === "index") return;
    var text = JSON.stringify(data);
    try {
      s.setItem(keptKey(key), text);
    } catch (e) {
      // Full: drop what was kept, then try once more.
      forget(s, null);
      try {
        s.setItem(keptKey(key), text);
      } catch (e2) {
        /* not kept: it will be loaded again */
      }
    }
  }

  function recall(key) {
    var s = store();
    if (!s || !manifest || key === "index") return null;
    try {
      var text = s.getItem(keptKey(key));
      return text ? JSON.parse(text) : null;
    } catch (e) {
      return null;
    }
  }

  /* Drops the kept files: all, or those of versions other than `keep`. */
  function forget(s, keep) {
    try {
      for (var i = s.length - 1; i >= 0; i--) {
        var k = s.key(i);
        if (k && k.indexOf(KEPT) === 0 && (keep === null || k.indexOf(KEPT + keep + ":") !== 0)) {
          s.removeItem(k);
        }
      }
    } catch (e) {
      /* storage gone: nothing kept */
    }
  }

  function load(key) {
    if (loaded[key]) return Promise.resolve(loaded[key]);
    if (pending[key]) return pending[key].promise;
    var kept = recall(key);
    if (kept) {
      loaded[key] = kept;
      return Promise.resolve(kept);
    }
    var entry = {};
    entry.promise = new Promise(function (resolve) {
      entry.resolve = resolve;
      var s = document.createElement("script");
      var version = manifest ? "?v=" + manifest.version : "";
      s.src = root + "search/" + key + ".js" + version;
      s.async = true;
      s.onerror = function () {
        delete pending[key];
        resolve(null);
      };
      document.head.appendChild(s);
    });
    pending[key] = entry;
    return entry.promise;
  }

  function loadManifest() {
    return load("index").then(function (m) {
      if (m && !manifest) {
        manifest = m;
        manifest.elisionSet = new Set(m.elisions);
        var s = store();
        if (s) forget(s, m.version); // files of an older build
      }
      return manifest;
    });
  }

  // ---- Vocabulary -------------------------------------------------------
  /* The number of the vocabulary file that would hold `word`. */
  function vocabFile(word) {
    var firsts = manifest.vocab;
    var lo = 0;
    var hi = firsts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (firsts[mid] <= word) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  function vocab(n) {
    if (n < 0 || n >= manifest.vocab.length) return Promise.resolve(null);
    return load("w/" + n);
  }

  /* A stem of a vocabulary file as an object, keyed by its posting place. */
  function stemOf(file, i) {
    var s = file.s[i];
    return { text: s[0], file: s[1], pos: s[2], df: s[3], key: s[1] + ":" + s[2] };
  }

  function stemsOfEntry(file, entry) {
    var out = [];
    for (var k = 1; k < entry.length; k++) out.push(stemOf(file, entry[k]));
    return out;
  }

  /* Index of the first word >= `word` in a vocabulary file. */
  function lowerBound(file, word) {
    var lo = 0;
    var hi = file.w.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (file.w[mid][0] < word) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /* Vocabulary files that may hold words beginning with `prefix`, at most `max`. */
  function filesForPrefix(prefix, max) {
    var first = vocabFile(prefix);
    var list = [first];
    for (var n = first + 1; n < manifest.vocab.length && list.length < max; n++) {
      if (!manifest.vocab[n].startsWith(prefix)) break;
      list.push(n);
    }
    return Promise.all(list.map(vocab)).then(function (files) {
      return files.filter(Boolean);
    });
  }

  function byDf(a, b) {
    return b.df - a.df || (a.key < b.key ? -1 : 1);
  }

  function addStems(found, stems, reach, max) {
    stems.sort(byDf);
    for (var s of stems) {
      if (max !== undefined && found.length >= max) break;
      if (!found.some(function (f) { return f.key === s.key; })) {
        s.reach = reach;
        found.push(s);
      }
    }
  }

  /*
   * The stems a folded query word reaches (query.rs: resolve), each with
   * its reach, and the vocabulary words that led there (for highlighting).
   */
  function resolve(word, last) {
    var found = [];
    var vocabWords = new Set();
    var n = vocabFile(word);
    return vocab(n)
      .then(function (file) {
        if (!file) return;
        var i = lowerBound(file, word);
        if (i < file.w.length && file.w[i][0] === word) {
          addStems(found, stemsOfEntry(file, file.w[i]), "exact");
          vocabWords.add(word);
        }
        if (last && chars(word).length >= PREFIX_MIN_CHARS) {
          return filesForPrefix(word, 3).then(function (files) {
            var more = [];
            for (var f of files) {
              for (var k = lowerBound(f, word); k < f.w.length && f.w[k][0].startsWith(word); k++) {
                if (f.w[k][0] !== word) {
                  more = more.concat(stemsOfEntry(f, f.w[k]));
                  vocabWords.add(f.w[k][0]);
                }
              }
            }
            addStems(found, more, "prefix", PREFIX_MAX_STEMS);
          });
        }
      })
      .then(function () {
        if (found.some(function (f) { return f.reach === "exact"; })) return;
        return inflections(word, n).then(function (stems) {
          addStems(found, stems, "inflection");
        });
      })
      .then(function () {
        if (found.length || !typoAllowed(word)) return;
        return Promise.all(
          typoPrefixes(word).map(function (p) {
            return filesForPrefix(p, 3);
          })
        ).then(function (groups) {
          var typos = [];
          var seen = new Set();
          for (var files of groups) {
            for (var f of files) {
              if (seen.has(f)) continue;
              seen.add(f);
              for (var e of f.w) {
                if (typoCandidate(word, e[0])) {
                  typos = typos.concat(stemsOfEntry(f, e));
                  vocabWords.add(e[0]);
                }
              }
            }
          }
          addStems(found, typos, "typo", TYPO_MAX_STEMS);
        });
      })
      .then(function () {
        return { word: word, stems: found, words: vocabWords };
      });
  }

  /*
   * Stems of the site that `word` begins with, the longest ones: in the
   * vocabulary file of `word` and, when words sharing its first letters run
   * across a file boundary, in the neighbouring files.
   */
  function inflections(word, n) {
    var head = chars(word).slice(0, INFLECTION_MIN_CHARS).join("");
    var list = [n];
    if (chars(word).length < INFLECTION_MIN_CHARS) return Promise.resolve([]);
    if (n > 0 && manifest.vocab[n].startsWith(head)) list.push(n - 1);
    if (n + 1 < manifest.vocab.length && manifest.vocab[n + 1].startsWith(head)) list.push(n + 1);
    return Promise.all(list.map(vocab)).then(function (files) {
      var best = [];
      var bestLen = 0;
      for (var f of files) {
        if (!f) continue;
        for (var i = 0; i < f.s.length; i++) {
          var text = f.s[i][0];
          if (!inflectionOf(word, text)) continue;
          var len = chars(text).length;
          if (len > bestLen) {
            best = [];
            bestLen = len;
          }
          if (len === bestLen) best.push(stemOf(f, i));
        }
      }
      return best;
    });
  }

  // ---- Postings ---------------------------------------------------------
  var decoded = new Map();

  /* A stem's levels by section (Uint8Array) and its sections (list). */
  function postings(stem) {
    if (stem.file < 0) return Promise.resolve(null);
    var cached = decoded.get(stem.key);
    if (cached) return Promise.resolve(cached);
    return load("p/" + stem.file).then(function (file) {
      if (!file || typeof file[stem.pos] !== "string") return null;
      var p = decodePostings(atob(file[stem.pos]), manifest.sections);
      if (decoded.size > 200) decoded.clear();
      decoded.set(stem.key, p);
      return p;
    });
  }

  /*
   * Reads src/search/encode.rs's sparse (tag 0) or dense (tag 1) lists into
   * levels by section (Uint8Array) and the number of sections; sparse lists
   * also keep their sections (dense ones are scanned when needed).
   */
  function decodePostings(bytes, count) {
    var levels = new Uint8Array(count);
    var list = null;
    var n = 0;
    var tag = bytes.charCodeAt(0);
    if (tag === 0) {
      list = new Uint32Array(bytes.length);
      var next = 0;
      var i = 1;
      while (i < bytes.length) {
        var v = 0;
        var mul = 1;
        var b;
        do {
          b = bytes.charCodeAt(i++);
          v += (b & 0x7f) * mul;
          mul *= 128;
        } while (b & 0x80 && i < bytes.length);
        var section = next + Math.floor(v / 4);
        if (section >= count) break;
        levels[section] = v % 4;
        list[n++] = section;
        next = section + 1;
      }
      list = list.subarray(0, n);
    } else if (tag === 1) {
      for (var k = 1; k < bytes.length; k++) {
        var byte = bytes.charCodeAt(k);
        if (!byte) continue;
        var base = (k - 1) * 4;
        for (var j = 0; j < 4 && base + j < count; j++) {
          var level = (byte >> (2 * j)) & 3;
          if (level) {
            levels[base + j] = level;
            n++;
          }
        }
      }
    }
    return { levels: levels, list: list, count: n };
  }

  var LEVEL_WEIGHT = [0, 1, 1.6, 3];
  var REACH_WEIGHT = { exact: 1, prefix: 0.8, inflection: 0.9, typo: 0.6 };

  function idf(df) {
    var n = manifest.sections;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /*
   * Sections matching every word, with their scores: {sections, scores}
   * (section numbers in a Uint32Array, scores by section in a Float64Array).
   */
  function rank(resolved) {
    var none = { sections: new Uint32Array(0), scores: null };
    var terms = resolved.map(function (r) {
      return r.stems
        .filter(function (s) { return s.p; })
        .map(function (s) {
          return { p: s.p, w: REACH_WEIGHT[s.reach] * idf(s.df) };
        });
    });
    if (!terms.length || terms.some(function (t) { return !t.length; })) return none;
    terms.sort(function (a, b) {
      return size(a) - size(b);
    });
    var count = manifest.sections;
    var scores = new Float64Array(count);
    var candidates = [];
    // The rarest word's sections are the candidates.
    var driver = terms[0];
    var dense = driver.some(function (t) { return !t.p.list; });
    for (var t of driver) {
      var lv = t.p.levels;
      if (dense) continue;
      for (var i = 0; i < t.p.list.length; i++) {
        var s = t.p.list[i];
        var v = t.w * LEVEL_WEIGHT[lv[s]];
        if (scores[s] === 0) candidates.push(s);
        if (v > scores[s]) scores[s] = v;
      }
    }
    if (dense) {
      for (var s2 = 0; s2 < count; s2++) {
        var best = 0;
        for (var t2 of driver) best = Math.max(best, t2.w * LEVEL_WEIGHT[t2.p.levels[s2]]);
        if (best > 0) {
          scores[s2] = best;
          candidates.push(s2);
        }
      }
    }
    // Every other word must be there too.
    for (var k = 1; k < terms.length; k++) {
      var kept = 0;
      for (var c = 0; c < candidates.length; c++) {
        var sec = candidates[c];
        var top = 0;
        for (var t3 of terms[k]) top = Math.max(top, t3.w * LEVEL_WEIGHT[t3.p.levels[sec]]);
        if (top > 0) {
          scores[sec] += top;
          candidates[kept++] = sec;
        }
      }
      candidates.length = kept;
    }
    return { sections: Uint32Array.from(candidates), scores: scores };
  }

  /* The `k` best of ranked sections, best first (ties: site order). */
  function best(ranked, k) {
    var top = [];
    var secs = ranked.sections;
    var scores = ranked.scores;
    for (var i = 0; i < secs.length; i++) {
      var s = secs[i];
      var v = scores[s];
      if (top.length === k && !better(v, s, top[k - 1])) continue;
      var at = top.length;
      while (at > 0 && better(v, s, top[at - 1])) at--;
      top.splice(at, 0, s);
      if (top.length > k) top.pop();
    }
    return top;

    function better(v, s, other) {
      var w = scores[other];
      return v > w || (v === w && s < other);
    }
  }

  /* A query word whose every stem is in most sections (query.rs: is_common). */
  function isCommon(r) {
    var limit = COMMON_SHARE * manifest.sections;
    return r.stems.length > 0 && r.stems.every(function (s) { return s.df > limit; });
  }

  function size(term) {
    return term.reduce(function (n, t) { return n + t.p.count; }, 0);
  }

  // ---- Topics -------------------------------------------------------------
  function wordMatches(q, aliasWord, last) {
    var folded = aliasWord[0];
    var stem = aliasWord[1];
    if (folded === q.word) return 2;
    if (q.stems.some(function (s) { return s.text === stem; })) return 2;
    if (last && folded.startsWith(q.word)) return 1;
    if (typoCandidate(q.word, folded)) return 1;
    return 0;
  }

  /* Topics one of whose names holds every query word: [[topic, score], …]. */
  function matchTopics(resolved, typing) {
    var out = [];
    manifest.topics.forEach(function (topic, id) {
      var best = 0;
      for (var alias of topic[2]) {
        var score = 0;
        var all = resolved.every(function (q, i) {
          var last = typing && i === resolved.length - 1;
          var m = Math.max.apply(null, alias.map(function (w) { return wordMatches(q, w, last); }));
          score += m;
          return m > 0;
        });
        // A whole alias typed out ranks first.
        if (all) best = Math.max(best, score + (alias.length === resolved.length ? 1 : 0));
      }
      if (best > 0) out.push([id, best]);
    });
    return out.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; }).slice(0, 4);
  }

  // ---- Searching ----------------------------------------------------------
  /* Runs a query: {topics, sections: rank()'s result, resolved}. */
  function search(query) {
    var t0 = performance.now();
    var phases = (window.maillageSearch.lastPhases = {});
    function mark(name) {
      phases[name] = Math.round(performance.now() - t0);
    }
    return loadManifest().then(function (m) {
      mark("manifest");
      if (!m) return null;
      var qwords = words(query, m.elisionSet).map(function (w) { return w.f; });
      var seen = new Set();
      qwords = qwords.filter(function (w) {
        if (seen.has(w)) return false;
        seen.add(w);
        return true;
      });
      if (!qwords.length) return { topics: [], sections: { sections: new Uint32Array(0), scores: null }, resolved: [] };
      var typing = query.length > 0 && isWordChar(Array.from(query).pop());
      return Promise.all(
        qwords.map(function (w, i) {
          return resolve(w, typing && i === qwords.length - 1);
        })
      ).then(function (allWords) {
        mark("words");
        // Words in most sections (« de ») narrow nothing and cost the
        // largest posting files: left out while another word narrows
        // (query.rs: is_common). Topics still see every word.
        var narrowing = allWords.filter(function (r) { return !isCommon(r); });
        var resolved = narrowing.length ? narrowing : allWords;
        var all = [];
        resolved.forEach(function (r) { all = all.concat(r.stems); });
        return Promise.all(
          all.map(function (s) {
            return postings(s).then(function (p) { s.p = p; });
          })
        ).then(function () {
          mark("postings");
          var ranked = rank(resolved);
          mark("ranked");
          return {
            topics: matchTopics(allWords, typing),
            sections: ranked,
            resolved: resolved,
          };
        });
      });
    });
  }

  /* The display data of sections (fragment files), in the given order. */
  function sectionData(numbers) {
    var run = manifest.fragmentSections;
    return Promise.all(
      numbers.map(function (n) {
        return load("f/" + Math.floor(n / run)).then(function (f) {
          var s = f && f.s[n % run];
          if (!s) return null;
          var doc = f.d[s[0]];
          return {
            number: n,
            docTitle: doc[0],
            url: doc[1] + "#" + s[1],
            title: s[2],
            text: s[3],
            topics: s[4],
          };
        });
      })
    );
  }

  // ---- Highlighting ---------------------------------------------------------
  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /*
   * How much a folded word of a result counts as a hit: the weight of the
   * query word it matches (rare words weigh more), or 0.
   */
  function hitTest(resolved) {
    var tests = resolved.map(function (r) {
      var weight = Math.max.apply(
        null,
        [0.1].concat(r.stems.map(function (s) { return idf(s.df); }))
      );
      var stems = r.stems.map(function (s) { return s.text; });
      return function (f) {
        if (f === r.word || r.words.has(f)) return weight;
        var inflected = stems.some(function (s) {
          return f === s || (chars(s).length >= 3 && f.startsWith(s));
        });
        return inflected ? weight : 0;
      };
    });
    return function (f) {
      var best = 0;
      for (var t of tests) best = Math.max(best, t(f));
      return best;
    };
  }

  function highlight(text, ranges) {
    var out = "";
    var at = 0;
    for (var r of ranges) {
      out += escapeHtml(text.slice(at, r.start)) + "<mark>" + escapeHtml(text.slice(r.start, r.end)) + "</mark>";
      at = r.end;
    }
    return out + escapeHtml(text.slice(at));
  }

  var EXCERPT = 180;

  /*
   * An excerpt of `text` where the matched words weigh most (distinct words,
   * rare ones first), matched words in <mark>.
   */
  function excerpt(text, isHit) {
    var hits = words(text, null)
      .map(function (w) { return { f: w.f, start: w.start, end: w.end, weight: isHit(w.f) }; })
      .filter(function (w) { return w.weight > 0; });
    var from = 0;
    var best = 0;
    hits.forEach(function (h) {
      var seen = new Set();
      var score = 0;
      for (var o of hits) {
        if (o.start < h.start || o.end > h.start + EXCERPT - 40 || seen.has(o.f)) continue;
        seen.add(o.f);
        score += o.weight;
      }
      if (score > best) {
        best = score;
        from = h.start;
      }
    });
    if (best > 0) {
      from = Math.max(0, from - 40);
      while (from > 0 && !/\s/.test(text[from - 1])) from--;
    }
    var to = Math.min(text.length, from + EXCERPT);
    while (to < text.length && !/\s/.test(text[to])) to++;
    var ranges = hits
      .filter(function (w) { return w.start >= from && w.end <= to; })
      .map(function (w) { return { start: w.start - from, end: w.end - from }; });
    return (
      (from > 0 ? "… " : "") +
      highlight(text.slice(from, to), ranges) +
      (to < text.length && !text.endsWith("…") ? " …" : "")
    );
  }

  function markTitle(title, isHit) {
    return highlight(title, words(title, manifest.elisionSet).filter(function (w) { return isHit(w.f) > 0; }));
  }

  // ---- The box --------------------------------------------------------------
  var en = /^en/i.test(document.documentElement.lang || "");
  var TEXT = en
    ? { topics: "Topics", sections: "Sections", none: "No result", more: "More results", count: function (n) { return n + (n > 1 ? " sections" : " section"); } }
    : { topics: "Sujets", sections: "Sections", none: "Aucun résultat", more: "Plus de résultats", count: function (n) { return n + (n > 1 ? " sections" : " section"); } };

  var input = box.querySelector("input");
  var panel = box.querySelector("[data-maillage-results]");
  if (!input || !panel) return;
  box.hidden = false;

  var sequence = 0;
  var state = { ranked: null, shown: 0, resolved: [] };
  var active = -1;

  function options() {
    return Array.prototype.slice.call(panel.querySelectorAll("[role=option]"));
  }

  function setActive(i) {
    var list = options();
    if (!list.length) return;
    active = (i + list.length) % list.length;
    list.forEach(function (el, k) {
      el.classList.toggle("is-active", k === active);
      el.setAttribute("aria-selected", k === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", list[active].id);
    list[active].scrollIntoView({ block: "nearest" });
  }

  function open(isOpen) {
    panel.hidden = !isOpen;
    input.setAttribute("aria-expanded", isOpen ? "true" : "false");
    if (!isOpen) {
      active = -1;
      input.removeAttribute("aria-activedescendant");
    }
  }

  function option(id, href, cls, html) {
    return '<a role="option" aria-selected="false" id="maillage-hit-' + id + '" class="search__hit ' + cls + '" href="' + escapeHtml(href) + '">' + html + "</a>";
  }

  function renderSections(list, isHit) {
    return list
      .filter(Boolean)
      .map(function (s) {
        var chips = s.topics
          .map(function (t) {
            var topic = manifest.topics[t];
            return topic ? '<span class="search__chip">' + escapeHtml(topic[0]) + "</span>" : "";
          })
          .join("");
        var title =
          '<span class="search__title"><span class="search__doc">' + escapeHtml(s.docTitle) + "</span>" +
          (s.title !== s.docTitle ? ' <span class="search__sep" aria-hidden="true">›</span> <span class="search__section">' + markTitle(s.title, isHit) + "</span>" : "") +
          "</span>";
        var body = '<span class="search__excerpt">' + excerpt(s.text, isHit) + "</span>";
        return option("s" + s.number, root + s.url, "search__hit--section", title + body + (chips ? '<span class="search__chips">' + chips + "</span>" : ""));
      })
      .join("");
  }

  function render(result, sections, started) {
    var isHit = hitTest(result.resolved);
    var html = "";
    if (result.topics.length) {
      html += '<div class="search__group" role="presentation">' + TEXT.topics + "</div>";
      html += result.topics
        .map(function (t) {
          var topic = manifest.topics[t[0]];
          return option("t" + t[0], root + topic[1], "search__hit--topic", '<span class="search__title">' + escapeHtml(topic[0]) + "</span>");
        })
        .join("");
    }
    var total = result.sections.sections.length;
    if (total) {
      html += '<div class="search__group" role="presentation">' + TEXT.sections + ' <span class="search__count">' + TEXT.count(total) + "</span></div>";
      html += renderSections(sections, isHit);
      if (total > sections.length) {
        html += '<button type="button" class="search__more">' + TEXT.more + "</button>";
      }
    }
    if (!html) html = '<p class="search__none">' + TEXT.none + "</p>";
    panel.innerHTML = html;
    active = -1;
    open(true);
    window.maillageSearch.lastTiming = performance.now() - started;
    window.maillageSearch.lastQuery = input.value;
    box.setAttribute("data-state", "done");
  }

  function run() {
    var query = input.value;
    var started = performance.now();
    var mine = ++sequence;
    box.setAttribute("data-state", "busy");
    if (!query.trim()) {
      open(false);
      box.setAttribute("data-state", "done");
      return;
    }
    search(query).then(function (result) {
      if (mine !== sequence || !result) return;
      state = { ranked: result.sections, shown: RESULTS_PAGE, resolved: result.resolved };
      return sectionData(best(result.sections, RESULTS_PAGE)).then(function (data) {
        if (mine === sequence) render(result, data, started);
      });
    });
  }

  function showMore() {
    var next = best(state.ranked, state.shown + RESULTS_PAGE).slice(state.shown);
    state.shown += RESULTS_PAGE;
    sectionData(next).then(function (data) {
      var more = panel.querySelector(".search__more");
      if (!more) return;
      more.insertAdjacentHTML("beforebegin", renderSections(data, hitTest(state.resolved)));
      if (state.shown >= state.ranked.sections.length) more.remove();
    });
  }

  function go(el) {
    if (!el) return;
    open(false);
    window.location.href = el.href;
  }

  // The manifest is small: fetch it once the page is idle, so that the
  // first query waits for one file less.
  (window.requestIdleCallback || setTimeout)(function () {
    loadManifest();
  });
  input.addEventListener("focus", function () {
    loadManifest();
    if (input.value.trim() && panel.innerHTML) open(true);
  });
  input.addEventListener("input", run);
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (panel.hidden && input.value.trim()) open(true);
      setActive(active + 1);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive(active - 1);
    } else if (e.key === "Enter") {
      var list = options();
      if (!list.length) return;
      e.preventDefault();
      go(list[active >= 0 ? active : 0]);
    } else if (e.key === "Escape") {
      // First Escape closes the list (keeping the query, which a search
      // input would otherwise clear); the next one clears and leaves.
      e.preventDefault();
      if (!panel.hidden) open(false);
      else {
        input.value = "";
        input.blur();
      }
    }
  });
  panel.addEventListener("click", function (e) {
    if (e.target.closest(".search__more")) {
      showMore();
      input.focus();
    } else if (e.target.closest("[role=option]")) {
      open(false);
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    input.focus();
    input.select();
  });
  document.addEventListener("click", function (e) {
    if (!box.contains(e.target)) open(false);
  });

  // For tests and benchmarks: the rules above, callable from outside.
  window.maillageSearch.internals = {
    commonShare: COMMON_SHARE,
    words: words,
    oneTypo: oneTypo,
    typoCandidate: typoCandidate,
    search: search,
    ready: loadManifest,
  };
})();
