/* conceptkb: on the site's "not found" page, the concepts whose names come closest to
   the address the reader asked for.

   The engines (MkDocs, ProperDocs and Zensical, with Material's theme or Zensical's)
   serve one 404 page at every unknown address, so they write its links from the site's
   root: its base is absolute ("/", "/docs/"), where every other page's is relative
   ("..", "../.."). That base (Material's __config, else this script's own address) is
   both the sign of the 404 page and the site's root, whatever the URL mode or sub-path.
   The last segment of the address is compared with every concept's id, title, aliases
   and former ids; up to five concepts are listed, as text, from concepts.json. */
(function () {
  "use strict";
  var LIMIT = 5;
  var THRESHOLD = 0.45;
  var own = document.currentScript && document.currentScript.getAttribute("src");

  function base() {
    var node = document.getElementById("__config");
    if (node) {
      try {
        var config = JSON.parse(node.textContent);
        if (config && typeof config.base === "string") return config.base;
      } catch (error) { /* not Material's configuration: use the script's address */ }
    }
    if (own) return own.replace(/assets\/conceptkb\/[^\/]*$/, "");
    return null;
  }

  function normalize(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  /* Edit distance with adjacent transpositions ("lroa" is one edit from "lora"). */
  function distance(a, b) {
    var rows = [], i, j;
    for (i = 0; i <= a.length; i++) { rows.push([i]); }
    for (j = 1; j <= b.length; j++) { rows[0][j] = j; }
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          best = Math.min(best, rows[i - 2][j - 2] + 1);
        }
        rows[i][j] = best;
      }
    }
    return rows[a.length][b.length];
  }

  /* 1 for the same name; a name that starts with the query, or holds it as whole
     words, next; else how few edits turn one into the other. */
  function score(query, name) {
    if (!name) return 0;
    if (name === query) return 1;
    var found = 0;
    if (query.length >= 3) {
      if (name.indexOf(query + "-") === 0) found = 0.8 + 0.15 * query.length / name.length;
      else if (name.indexOf(query) === 0) found = 0.75 + 0.15 * query.length / name.length;
      else if (("-" + name + "-").indexOf("-" + query + "-") !== -1) {
        found = 0.6 + 0.15 * query.length / name.length;
      } else if (name.length >= 3 && query.indexOf(name + "-") === 0) {
        found = 0.6 + 0.15 * name.length / query.length;
      }
    }
    var longest = Math.max(query.length, name.length);
    return Math.max(found, 1 - distance(query, name) / longest);
  }

  function rank(query, concepts) {
    var ranked = [];
    concepts.forEach(function (concept) {
      if (!concept || concept.status === "draft") return;
      var names = [concept.id, concept.title].concat(concept.aliases || [], concept.former_ids || []);
      var best = 0;
      names.forEach(function (name) { best = Math.max(best, score(query, normalize(name))); });
      if (best >= THRESHOLD) ranked.push({ concept: concept, score: best });
    });
    ranked.sort(function (a, b) {
      return b.score - a.score || String(a.concept.title).localeCompare(String(b.concept.title));
    });
    return ranked.slice(0, LIMIT).map(function (entry) { return entry.concept; });
  }

  /* The last segment of the address below the site's root: "lroa" for
     /docs/concepts/lroa/, /docs/concepts/lroa.html and /docs/concepts/lroa/index.html. */
  function asked(root) {
    var path = location.pathname;
    if (path.indexOf(root.pathname) === 0) path = path.slice(root.pathname.length);
    var segments = path.split("/").filter(Boolean);
    if (segments.length && /^index\.html?$/i.test(segments[segments.length - 1])) segments.pop();
    var last = segments.length ? segments[segments.length - 1] : "";
    try { last = decodeURIComponent(last); } catch (error) { /* keep it as it is */ }
    return normalize(last.replace(/\.(html?|md)$/i, ""));
  }

  function show(concepts, root) {
    var place = document.querySelector("article") || document.querySelector("main") || document.body;
    if (!concepts.length || place.querySelector(".ck-suggest")) return;
    var section = document.createElement("section");
    section.className = "ck-suggest";
    section.setAttribute("aria-labelledby", "ck-suggest-title");
    var heading = document.createElement("h2");
    heading.id = "ck-suggest-title";
    heading.textContent = "Concepts with a similar name";
    var list = document.createElement("ul");
    concepts.forEach(function (concept) {
      var target = new URL(String(concept.url), root);
      if (target.origin !== root.origin) return;
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = target.href;
      link.textContent = String(concept.title);
      item.appendChild(link);
      if (concept.summary) item.appendChild(document.createTextNode(": " + concept.summary));
      list.appendChild(item);
    });
    section.appendChild(heading);
    section.appendChild(list);
    var title = place.querySelector("h1");
    if (title && title.parentNode) title.parentNode.insertBefore(section, title.nextSibling);
    else place.appendChild(section);
  }

  function setup() {
    var start = base();
    if (!start || start.charAt(0) !== "/") return; /* not the 404 page */
    var root = new URL(start.replace(/\/?$/, "/"), location.href);
    var query = asked(root);
    if (!query || !window.fetch) return;
    fetch(new URL("concepts.json", root).href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && Array.isArray(data.concepts)) show(rank(query, data.concepts), root);
      })
      .catch(function () { /* no suggestions: the page stays as the engine wrote it */ });
  }

  // Once, for the page the server sent: a 404 page is never reached by Material's
  // instant navigation, which keeps the first page's __config for the pages it loads.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
