// hindsight site script: search as you type over the prebuilt index in search/, and
// sorting and filtering of incident tables. No dependencies, no network beyond this
// site's own files; everything else on the page works without it.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";

  // ---- loading index files (script tags, so it also works from file://) ----
  var pending = {};
  var cache = {};
  function load(name) {
    if (cache[name]) return cache[name];
    cache[name] = new Promise(function (resolve, reject) {
      pending[name] = resolve;
      var s = document.createElement("script");
      s.src = root + "search/" + name + ".js";
      s.onerror = function () { delete cache[name]; reject(new Error("cannot load " + name)); };
      document.head.appendChild(s);
    });
    return cache[name];
  }
  window.hindsightSearch = {
    meta: function (m) { done("meta", m); },
    terms: function (k, t) { done("t-" + k, t); },
    facets: function (f) { done("facets", f); },
    docs: function (k, d) { done("d-" + k, d); }
  };
  function done(name, value) { if (pending[name]) { pending[name](value); delete pending[name]; } }

  // Words as the index splits them (src/site/searchindex.rs): runs of letters and
  // digits, and each emoji on its own.
  var EMOJI = "\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\u{1f000}-\u{1faff}";
  var WORD = new RegExp("[\\p{L}\\p{N}]+|[" + EMOJI + "]", "gu");
  var IS_EMOJI = new RegExp("^[" + EMOJI + "]$", "u");
  function tokens(text) {
    return (text.toLowerCase().match(WORD) || []).filter(function (w) {
      return w.length > 1 || /\d/.test(w) || IS_EMOJI.test(w);
    });
  }
  // Worth a search: three letters, or a digit or an emoji (so "No incident matches."
  // does not flash up while the first letters of a word are typed).
  function enough(words) {
    return words.some(function (w) { return w.length >= 3 || /\d/.test(w) || IS_EMOJI.test(w); });
  }

  // Chunks whose word range may hold words starting with `w`.
  function chunksFor(meta, w) {
    var out = [];
    for (var k = 0; k < meta.chunks.length; k++) {
      var from = meta.chunks[k][0], to = meta.chunks[k][1];
      if (to >= w && (from <= w || from.lastIndexOf(w, 0) === 0)) out.push(k);
      if (from > w && from.lastIndexOf(w, 0) !== 0) break;
    }
    return out;
  }

  // Edit distance with transpositions, or limit + 1 once it is over `limit`.
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var prev2 = null, prev = [], cur;
    for (var j = 0; j <= b.length; j++) prev.push(j);
    for (var i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur.push(v);
        if (v < best) best = v;
      }
      if (best > limit) return limit + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  // Indexed words matching query word `w`: itself, words it begins (3+ letters), or,
  // when there are none, the nearest spellings (as the command line corrects typos).
  function matching(w, loaded) {
    var exact = [], fuzzy = [], best = w.length >= 8 ? 2 : 1;
    loaded.forEach(function (t) {
      Object.keys(t).forEach(function (term) {
        if (term === w) exact.push([term, 1]);
        else if (w.length >= 3 && term.lastIndexOf(w, 0) === 0) exact.push([term, 0.6]);
      });
    });
    if (exact.length || w.length < 4 || IS_EMOJI.test(w)) return { terms: exact };
    loaded.forEach(function (t) {
      Object.keys(t).forEach(function (term) {
        var d = distance(w, term, best);
        if (d < best) { best = d; fuzzy = []; }
        if (d === best && d > 0) fuzzy.push([term, 0.5]);
      });
    });
    return { terms: fuzzy, fixed: fuzzy.length ? fuzzy[0][0] : null };
  }

  function wordScores(meta, terms, loaded) {
    var scores = new Map();
    terms.forEach(function (tw) {
      loaded.forEach(function (t) {
        var list = t[tw[0]];
        if (!list) return;
        var df = list.length / 2;
        var idf = Math.log(1 + (meta.docs - df + 0.5) / (df + 0.5));
        var doc = 0;
        for (var i = 0; i < list.length; i += 2) {
          doc += list[i];
          var s = idf * (1 + Math.log(list[i + 1])) * tw[1];
          if (s > (scores.get(doc) || 0)) scores.set(doc, s);
        }
      });
    });
    return scores;
  }

  function loadAll(names) {
    return Promise.all(names.map(function (n) { return load(n); }));
  }

  // Every matching document, best first, and the words to mark in results.
  function search(q) {
    var words = tokens(q);
    if (!words.length || !enough(words)) return Promise.resolve({ words: [], pool: [] });
    return load("meta").then(function (meta) {
      return Promise.all(words.map(function (w) {
        var ks = chunksFor(meta, w);
        return loadAll(ks.map(function (k) { return "t-" + k; })).then(function (loaded) {
          var m = matching(w, loaded);
          if (m.terms.length || w.length < 4 || IS_EMOJI.test(w)) return m;
          // A typo may sort away from the word: look through the words with its first letter.
          var more = chunksFor(meta, w.charAt(0)).slice(0, 8);
          return loadAll(more.map(function (k) { return "t-" + k; })).then(function (l) { return matching(w, l); });
        }).then(function (m) { m.word = w; return m; });
      })).then(function (found) {
        var names = {};
        found.forEach(function (m) {
          m.terms.forEach(function (tw) {
            chunksFor(meta, tw[0]).forEach(function (k) { names["t-" + k] = true; });
          });
        });
        return loadAll(Object.keys(names)).then(function (loaded) {
          var total = new Map(), hitsPerDoc = new Map();
          found.forEach(function (m) {
            wordScores(meta, m.terms, loaded).forEach(function (s, doc) {
              total.set(doc, (total.get(doc) || 0) + s);
              hitsPerDoc.set(doc, (hitsPerDoc.get(doc) || 0) + 1);
            });
          });
          // Every word if any incident has them all, else the best partial matches.
          var all = Array.from(total.keys()).filter(function (d) { return hitsPerDoc.get(d) === found.length; });
          var pool = all.length ? all : Array.from(total.keys());
          pool.sort(function (a, b) { return total.get(b) - total.get(a) || a - b; });
          var marks = [];
          found.forEach(function (m) {
            marks.push(m.word);
            if (m.fixed) m.terms.forEach(function (tw) { marks.push(tw[0]); });
          });
          return {
            meta: meta,
            words: marks,
            fixed: found.filter(function (m) { return m.fixed; }).map(function (m) { return [m.word, m.fixed]; }),
            partial: !all.length,
            pool: pool
          };
        });
      });
    });
  }

  // Document rows ([url, title, date, severity, gist]) for documents `ids`.
  function docs(meta, ids) {
    var size = meta.doc_chunk;
    var chunkIds = Array.from(new Set(ids.map(function (d) { return Math.floor(d / size); })));
    return loadAll(chunkIds.map(function (c) { return "d-" + c; })).then(function (got) {
      var byChunk = {};
      chunkIds.forEach(function (c, i) { byChunk[c] = got[i]; });
      return ids.map(function (d) { return byChunk[Math.floor(d / size)][d % size]; });
    });
  }

  // Query words marked where a word starts, the whole word (not "sup[port]" for port).
  function marker(words) {
    if (!words.length) return null;
    var alts = words.map(function (w) {
      var e = w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      if (IS_EMOJI.test(w)) return e;
      return e + (w.length >= 3 ? "[\\p{L}\\p{N}]*" : "(?![\\p{L}\\p{N}])");
    });
    return new RegExp("(?<![\\p{L}\\p{N}])(?:" + alts.join("|") + ")", "giu");
  }

  function highlight(el, text, re) {
    var last = 0, m;
    if (re) {
      re.lastIndex = 0;
      while ((m = re.exec(text)) !== null) {
        if (m[0].length === 0) { re.lastIndex++; continue; }
        if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
        var mark = document.createElement("mark");
        mark.textContent = m[0];
        el.appendChild(mark);
        last = m.index + m[0].length;
      }
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }

  // Text with `code spans` as <code>, as the pages show them, query words marked.
  function rich(el, text, re) {
    var parts = text.split("`");
    if (parts.length % 2 === 0) parts = [text];
    parts.forEach(function (part, i) {
      if (!part) return;
      if (i % 2) {
        var code = document.createElement("code");
        highlight(code, part, re);
        el.appendChild(code);
      } else {
        highlight(el, part, re);
      }
    });
  }

  // About 200 characters of the incident's key text, around the first query word in it.
  function excerpt(text, re) {
    var at = -1;
    if (re) { re.lastIndex = 0; var m = re.exec(text); if (m) at = m.index; }
    var start = at > 80 ? text.lastIndexOf(" ", at - 60) + 1 : 0;
    var end = Math.min(text.length, start + 200);
    if (end < text.length) { var sp = text.lastIndexOf(" ", end); if (sp > start + 100) end = sp; }
    var out = text.slice(start, end);
    // A code span cut by the window is closed rather than left open.
    if ((out.split("`").length - 1) % 2) out = out.replace(/`([^`]*)$/, "$1");
    return (start > 0 ? "… " : "") + out + (end < text.length ? " …" : "");
  }

  var PAGE = 10;

  function note(list, text) {
    var li = document.createElement("li");
    li.className = "count";
    li.textContent = text;
    list.appendChild(li);
  }

  // `current()` says whether this query is still the one typed (a slower, older one
  // must not add its rows to the newer one's list).
  function showResults(list, result, shownBefore, current) {
    if (!shownBefore) list.textContent = "";
    var old = list.querySelector(".more-item");
    if (old) old.remove();
    if (!result.words.length) return Promise.resolve();
    if (!result.pool.length) {
      note(list, "No incident matches.");
      return Promise.resolve();
    }
    var re = marker(result.words);
    if (!shownBefore) {
      var n = result.pool.length;
      var head = n + (n === 1 ? " incident matches" : " incidents match");
      if (result.partial) head += " some of the words";
      if (result.fixed.length) head += " (for " + result.fixed.map(function (f) { return f[1]; }).join(" ") + ")";
      note(list, head + ".");
    }
    var from = shownBefore || 0, ids = result.pool.slice(from, from + PAGE);
    return docs(result.meta, ids).then(function (hits) {
      if (!current()) return;
      hits.forEach(function (h) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + h[0];
        rich(a, h[1], re);
        li.appendChild(a);
        var meta = document.createElement("div");
        meta.className = "hit-meta";
        meta.textContent = [h[2], h[3]].filter(Boolean).join(" · ");
        li.appendChild(meta);
        if (h[4]) {
          var p = document.createElement("p");
          rich(p, excerpt(h[4], re), re);
          li.appendChild(p);
        }
        list.appendChild(li);
      });
      var shown = from + hits.length;
      if (shown < result.pool.length) {
        var li = document.createElement("li");
        li.className = "more-item";
        var b = document.createElement("button");
        b.type = "button";
        b.className = "more";
        b.textContent = "Show " + Math.min(PAGE, result.pool.length - shown) + " more of " + (result.pool.length - shown);
        b.addEventListener("click", function () {
          showResults(list, result, shown, current).then(function () {
            var links = list.querySelectorAll("li > a");
            if (links[shown]) links[shown].focus();
          });
        });
        li.appendChild(b);
        list.appendChild(li);
      }
    });
  }

  function setUpSearch() {
    var box = document.querySelector(".search");
    if (!box) return;
    var input = box.querySelector("input");
    var list = box.querySelector(".search-results");
    box.hidden = false;
    var seq = 0;
    input.addEventListener("input", function () {
      var mine = ++seq;
      var current = function () { return mine === seq; };
      search(input.value).then(function (r) { if (current()) return showResults(list, r, 0, current); })
        .catch(function () {
          if (mine !== seq) return;
          list.textContent = "";
          note(list, "The search index could not be loaded.");
        });
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; list.textContent = ""; }
      if (e.key === "Enter") { var a = list.querySelector("a"); if (a) window.location.href = a.href; }
    });
  }

  // ---- incident tables: filter and sort ----
  function cell(tr, child) {
    var td = document.createElement("td");
    if (child) td.appendChild(child);
    tr.appendChild(td);
    return td;
  }

  // A row like the pages' own (templates/incident_row.hbs) for document `d`.
  function rowFor(doc, f, facet) {
    var tr = document.createElement("tr");
    var sev = doc[3] || "", status = f.statuses[facet[2]] || "";
    var tags = facet.slice(3).map(function (t) { return f.tags[t]; });
    tr.setAttribute("data-date", doc[2]);
    tr.setAttribute("data-severity", sev);
    tr.setAttribute("data-rank", String(facet[1]));
    tr.setAttribute("data-status", status);
    tr.setAttribute("data-text", [doc[1], tags.map(function (t) { return t[0]; }).join(" "), sev, status].join(" ").toLowerCase());
    var date = cell(tr);
    date.className = "date";
    if (doc[2]) { var time = document.createElement("time"); time.dateTime = doc[2]; time.textContent = doc[2]; date.appendChild(time); }
    else date.textContent = "—";
    var a = document.createElement("a");
    a.href = root + doc[0];
    rich(a, doc[1], null);
    cell(tr, a);
    var badge = null;
    if (sev) { badge = document.createElement("span"); badge.className = "badge sev-" + sev; badge.textContent = sev; }
    cell(tr, badge);
    cell(tr).textContent = status;
    var td = cell(tr);
    td.className = "tags";
    tags.forEach(function (t) {
      var l = document.createElement("a");
      l.className = "tag"; l.href = root + t[1]; l.textContent = t[0];
      td.appendChild(l);
      td.appendChild(document.createTextNode(" "));
    });
    return tr;
  }

  function setUpTable(table) {
    var wrap = table.parentElement.classList.contains("scroll") ? table.parentElement : table;
    var filters = wrap.previousElementSibling;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var own = rows;
    if (filters && filters.classList.contains("filters")) {
      filters.hidden = false;
      var text = filters.querySelector(".table-filter");
      var sev = filters.querySelector(".severity-filter");
      var year = filters.querySelector(".year-filter");
      var tag = filters.querySelector(".tag-filter");
      var shown = filters.querySelector(".shown");
      var pager = document.querySelector(".pager");
      var more = null, seq = 0, total;
      // Filter the rows on show by the words typed (and, on pages without facets, severity).
      var apply = function (total) {
        var q = tokens(text.value), s = year ? "" : sev.value, n = 0;
        rows.forEach(function (r) {
          var hay = r.getAttribute("data-text");
          var ok = (!s || r.getAttribute("data-severity") === s) &&
            q.every(function (w) { return hay.indexOf(w) !== -1; });
          r.hidden = !ok;
          if (ok) n++;
        });
        shown.textContent = n + " of " + (typeof total === "number" ? total : rows.length) + " shown";
      };
      var faceted = function () {
        if (more) { more.remove(); more = null; }
        var mine = ++seq;
        if (!sev.value && !year.value && !tag.value) {
          rows = own;
          total = undefined;
          body.textContent = "";
          rows.forEach(function (r) { body.appendChild(r); });
          if (pager) pager.hidden = false;
          apply();
          return;
        }
        // Every incident of the knowledge base, by severity, year and tag, from one small
        // file: only the rows shown are loaded, a page at a time.
        Promise.all([load("facets"), load("meta")]).then(function (got) {
          if (mine !== seq) return;
          var f = got[0], meta = got[1], wantSev = sev.value, wantYear = Number(year.value || 0);
          var wantTag = tag.value === "" ? -1 : Number(tag.value);
          var ids = [];
          f.rows.forEach(function (r, d) {
            if (wantSev && f.severities[r[1]] !== wantSev) return;
            if (wantYear && r[0] !== wantYear) return;
            if (wantTag >= 0 && r.indexOf(wantTag, 3) < 0) return;
            ids.push(d);
          });
          var size = Number(filters.getAttribute("data-page-size")) || 100;
          rows = [];
          body.textContent = "";
          if (pager) pager.hidden = true;
          var page = function (from) {
            if (more) { more.remove(); more = null; }
            var slice = ids.slice(from, from + size);
            return docs(meta, slice).then(function (ds) {
              if (mine !== seq) return;
              ds.forEach(function (doc, i) {
                var tr = rowFor(doc, f, f.rows[slice[i]]);
                rows.push(tr);
                body.appendChild(tr);
              });
              total = ids.length;
              apply(total);
              var next = from + slice.length;
              if (next < ids.length) {
                more = document.createElement("button");
                more.type = "button";
                more.className = "more";
                more.textContent = "Show " + Math.min(size, ids.length - next) + " more of " + (ids.length - next);
                more.addEventListener("click", function () { page(next); });
                wrap.after(more);
              }
            });
          };
          return page(0);
        }).catch(function () { shown.textContent = "The filter index could not be loaded."; });
      };
      text.addEventListener("input", function () { apply(total); });
      if (year) {
        [sev, year, tag].forEach(function (el) { el.addEventListener("change", faceted); });
      } else {
        sev.addEventListener("change", function () { apply(); });
      }
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var key = th.getAttribute("data-sort");
      if (!key) return;
      th.tabIndex = 0;
      var sortBy = function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var value = function (r) {
          if (key === "title") return r.cells[1].textContent.toLowerCase();
          if (key === "severity") return r.getAttribute("data-rank");
          return r.getAttribute("data-" + key) || "";
        };
        rows.sort(function (a, b) {
          var x = value(a), y = value(b);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      };
      th.addEventListener("click", sortBy);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(); } });
    });
  }

  setUpSearch();
  Array.prototype.forEach.call(document.querySelectorAll("table.incidents"), setUpTable);
})();
