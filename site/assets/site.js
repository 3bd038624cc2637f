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
    docs: function (k, d) { done("d-" + k, d); }
  };
  function done(name, value) { if (pending[name]) { pending[name](value); delete pending[name]; } }

  function tokens(text) {
    return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).filter(function (w) { return w.length > 1 || /\d/.test(w); });
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

  // Score per document for one query word: exact word, or (for 3+ letters) words it
  // begins, which count a little less.
  function wordScores(meta, w, chunks) {
    var scores = new Map();
    chunks.forEach(function (t) {
      Object.keys(t).forEach(function (term) {
        var exact = term === w;
        if (!exact && !(w.length >= 3 && term.lastIndexOf(w, 0) === 0)) return;
        var list = t[term], df = list.length / 2;
        var idf = Math.log(1 + (meta.docs - df + 0.5) / (df + 0.5));
        var doc = 0;
        for (var i = 0; i < list.length; i += 2) {
          doc += list[i];
          var s = idf * (1 + Math.log(list[i + 1])) * (exact ? 1 : 0.6);
          if (s > (scores.get(doc) || 0)) scores.set(doc, s);
        }
      });
    });
    return scores;
  }

  function search(q) {
    var words = tokens(q);
    if (!words.length) return Promise.resolve({ words: [], hits: [] });
    return load("meta").then(function (meta) {
      var need = {};
      words.forEach(function (w) { chunksFor(meta, w).forEach(function (k) { need[k] = true; }); });
      var ks = Object.keys(need);
      return Promise.all(ks.map(function (k) { return load("t-" + k); })).then(function (loaded) {
        var total = new Map(), hitsPerDoc = new Map();
        words.forEach(function (w) {
          wordScores(meta, w, loaded).forEach(function (s, doc) {
            total.set(doc, (total.get(doc) || 0) + s);
            hitsPerDoc.set(doc, (hitsPerDoc.get(doc) || 0) + 1);
          });
        });
        // Every word if any incident has them all, else the best partial matches.
        var all = Array.from(total.keys()).filter(function (d) { return hitsPerDoc.get(d) === words.length; });
        var pool = all.length ? all : Array.from(total.keys());
        pool.sort(function (a, b) { return total.get(b) - total.get(a) || a - b; });
        var top = pool.slice(0, 10);
        var size = meta.doc_chunk;
        var chunkIds = Array.from(new Set(top.map(function (d) { return Math.floor(d / size); })));
        return Promise.all(chunkIds.map(function (c) { return load("d-" + c); })).then(function (docs) {
          var byChunk = {};
          chunkIds.forEach(function (c, i) { byChunk[c] = docs[i]; });
          return {
            words: words,
            partial: !all.length,
            hits: top.map(function (d) { return byChunk[Math.floor(d / size)][d % size]; })
          };
        });
      });
    });
  }

  function highlight(el, text, words) {
    var re = new RegExp("(" + words.map(function (w) {
      return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("|") + ")", "giu");
    var last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      el.appendChild(mark);
      last = m.index + m[0].length;
      if (m[0].length === 0) re.lastIndex++;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }

  // About 200 characters of the incident's key text, around the first query word in it.
  function excerpt(text, words) {
    var lower = text.toLowerCase(), at = -1;
    words.forEach(function (w) {
      var i = lower.indexOf(w);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    });
    var start = at > 80 ? text.lastIndexOf(" ", at - 60) + 1 : 0;
    var end = Math.min(text.length, start + 200);
    if (end < text.length) { var sp = text.lastIndexOf(" ", end); if (sp > start + 100) end = sp; }
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  }

  function showResults(list, result) {
    list.textContent = "";
    if (!result.words.length) return;
    if (!result.hits.length) {
      var none = document.createElement("li");
      none.textContent = "No incident matches.";
      list.appendChild(none);
      return;
    }
    result.hits.forEach(function (h) {
      // [url, title, date, severity, summary]
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + h[0];
      highlight(a, h[1], result.words);
      li.appendChild(a);
      var meta = document.createElement("div");
      meta.className = "hit-meta";
      meta.textContent = [h[2], h[3]].filter(Boolean).join(" · ");
      li.appendChild(meta);
      if (h[4]) {
        var p = document.createElement("p");
        highlight(p, excerpt(h[4], result.words), result.words);
        li.appendChild(p);
      }
      list.appendChild(li);
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
      search(input.value).then(function (r) { if (mine === seq) showResults(list, r); })
        .catch(function () {
          list.textContent = "";
          var li = document.createElement("li");
          li.textContent = "The search index could not be loaded.";
          list.appendChild(li);
        });
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; list.textContent = ""; }
      if (e.key === "Enter") { var a = list.querySelector("a"); if (a) window.location.href = a.href; }
    });
  }

  // ---- incident tables: filter and sort ----
  function setUpTable(table) {
    var wrap = table.parentElement.classList.contains("scroll") ? table.parentElement : table;
    var filters = wrap.previousElementSibling;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    if (filters && filters.classList.contains("filters")) {
      filters.hidden = false;
      var text = filters.querySelector(".table-filter");
      var sev = filters.querySelector(".severity-filter");
      var shown = filters.querySelector(".shown");
      var apply = function () {
        var q = tokens(text.value), s = sev.value, n = 0;
        rows.forEach(function (r) {
          var hay = r.getAttribute("data-text");
          var ok = (!s || r.getAttribute("data-severity") === s) &&
            q.every(function (w) { return hay.indexOf(w) !== -1; });
          r.hidden = !ok;
          if (ok) n++;
        });
        shown.textContent = n + " of " + rows.length + " shown";
      };
      text.addEventListener("input", apply);
      sev.addEventListener("change", apply);
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
