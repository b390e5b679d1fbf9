/* Site search in the header of every page: Pagefind's static index (generator/search.py),
 * results in the site's own style.
 *
 * Nothing is fetched until the visitor reaches for the search box: then pagefind.js
 * and its WebAssembly engine load (cached for every later page), and each query
 * fetches only the small parts of the index it needs. Results list the page's kind,
 * its title and an excerpt with the matched words marked. Keyboard: Down moves into
 * the results, Up and Down move between them, Escape closes them, Enter opens the first.
 */
(function () {
  "use strict";

  var root = document.getElementById("site-search");
  if (!root || !("noModule" in HTMLScriptElement.prototype)) return;  /* dynamic import() needs a module-aware browser */
  var form = root.querySelector("form");
  var input = root.querySelector("input");
  var panel = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-list");
  var SHOWN = 8;
  var engine = null;
  var asked = 0;

  function load() {
    if (!engine) {
      engine = import(root.getAttribute("data-pagefind")).then(function (pagefind) {
        pagefind.options({ excerptLength: 22 });
        return pagefind.init().then(function () { return pagefind; });
      });
      engine.catch(function () { engine = null; });  /* a later attempt may succeed */
    }
    return engine;
  }

  function open(isOpen) {
    panel.hidden = !isOpen;
  }

  /* Pagefind's excerpt is HTML whose only markup is <mark>: keep the text and the marks, nothing else. */
  function excerpt(html) {
    var p = document.createElement("p");
    var parsed = new DOMParser().parseFromString(html, "text/html").body;
    Array.prototype.forEach.call(parsed.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(node.textContent));
      }
    });
    return p;
  }

  function hit(data) {
    var link = document.createElement("a");
    link.href = data.url;
    link.className = "search-hit";
    if (data.meta.kind) {
      var kind = document.createElement("span");
      kind.className = "search-kind";
      kind.textContent = data.meta.kind;
      link.appendChild(kind);
    }
    var title = document.createElement("span");
    title.className = "search-title";
    title.textContent = data.meta.title || data.url;
    link.appendChild(title);
    link.appendChild(excerpt(data.excerpt));
    var item = document.createElement("li");
    item.appendChild(link);
    return item;
  }

  function show(query, found, pages) {
    list.textContent = "";
    pages.forEach(function (data) { list.appendChild(hit(data)); });
    var quoted = "“" + query + "”";
    status.textContent = found === 0 ? "No page matches " + quoted + "."
      : found + (found === 1 ? " page matches " : " pages match ") + quoted +
        (found > pages.length ? "; the first " + pages.length + " are shown." : ".");
  }

  function search() {
    var query = input.value.trim();
    var ticket = ++asked;
    if (!query) {
      open(false);
      return;
    }
    open(true);
    if (!list.childNodes.length) status.textContent = "Searching…";
    load().then(function (pagefind) {
      return pagefind.debouncedSearch(query, {}, 120);
    }).then(function (result) {
      if (result === null || ticket !== asked) return null;  /* a newer query is on its way */
      return Promise.all(result.results.slice(0, SHOWN).map(function (r) { return r.data(); })).then(function (pages) {
        if (ticket === asked) show(query, result.results.length, pages);
      });
    }).catch(function () {
      if (ticket === asked) status.textContent = "Search could not be loaded; try again in a moment.";
    });
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

  input.addEventListener("focus", function () { load().catch(function () {}); });
  input.addEventListener("input", search);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = links()[0];
    if (first) location.href = first.href;
  });
  root.addEventListener("keydown", function (event) {
    var all = links(), at = all.indexOf(document.activeElement);
    if (event.key === "Escape") {
      open(false);
      input.focus();
    } else if (event.key === "ArrowDown" && all.length && !panel.hidden) {
      event.preventDefault();
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) input.focus(); else all[at - 1].focus();
    }
  });
  /* Close when the focus or a click leaves the search; reopen on coming back to a query. */
  root.addEventListener("focusout", function (event) {
    if (!root.contains(event.relatedTarget)) open(false);
  });
  input.addEventListener("click", function () { if (input.value.trim() && panel.hidden) search(); });
  /* A page restored from the back-forward cache shows no stale results. */
  window.addEventListener("pageshow", function (event) { if (event.persisted) open(false); });
})();
