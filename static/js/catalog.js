/* Sort, filter and search a model listing; the view lives in the URL query.
 *
 * The page holds one page of rows and works without this script. The script does no
 * work on the rows at load: the first time a visitor filters, sorts or searches (or
 * opens a link that does), it loads the whole listing from the data file named in
 * the table's data-src (/api/listing.json, its format in generator/exports.py,
 * listing_json) and from then on shows rows made from it, a page at a time ("Show
 * more"). A taxonomy page's table names its term in data-scope ("developers:google"),
 * and the script keeps to that term's models.
 */
(function () {
  "use strict";

  var table = document.getElementById("catalog");
  if (!table || !table.tBodies.length || !window.fetch) return;
  var tbody = table.tBodies[0];
  var headRow = table.tHead.rows[0];
  var form = document.querySelector('form[data-for="catalog"]');
  var count = document.getElementById("catalog-count");
  var notes = document.getElementById("catalog-notes");
  var pager = document.querySelector("nav.pager");  /* the links to the listing's published pages */
  var picker = form && form.elements.add;
  var toggle = form && form.querySelector(".filters-toggle");

  var PAGE = 100;           /* rows shown at a time once the script shows them */
  var BUILTIN_COLUMNS = headRow.cells.length;
  /* The listing's natural width in rem (site.css); each benchmark column adds BENCH_WIDTH. */
  var NATURAL = parseFloat(getComputedStyle(table.parentNode).getPropertyValue("--natural")) || 46;
  var BENCH_WIDTH = 9;
  /* Which way a column sorts on its first click: names A to Z, prices cheapest first, the rest largest first. */
  var FIRST = { name: 1, date: -1, params: -1, context: -1, price: 1 };
  var FILTERS = ["q", "dev", "domain", "mod", "out", "cap", "open", "min", "max"];
  var TAXONOMY_FILTER = { developers: "dev", domains: "domain", modalities: "mod", outputs: "out", capabilities: "cap" };
  var URL_DELAY = 150;

  var data = null;          /* the listing file, once loaded */
  var loading = null;       /* its promise */
  var items = [];           /* one per model in scope, in the listing's order */
  var state = readState();
  var ordered = [];         /* items in the current sort order */
  var sortedBy = null;
  var view = [];            /* the items that match, in order */
  var filtered = { others: null, q: null };  /* what `view` was filtered by */
  var limit = PAGE;         /* how many of them are on show */
  var columns = [];         /* benchmark columns on show: {id, option, name, mixed, note} */
  var columnsKey = "";
  var frame = 0;
  var urlTimer = 0;
  var more = null;

  /* --- State and URL ------------------------------------------------------------- */

  function benchmarkOption(id) {
    if (!picker || !id) return null;
    for (var i = 0; i < picker.options.length; i++) {
      if (picker.options[i].value === id) return picker.options[i];
    }
    return null;
  }

  function readState() {
    var query = new URLSearchParams(location.search);
    var s = { sort: query.get("sort") || "", b: [] };
    FILTERS.forEach(function (name) { s[name] = form && form.elements[name] ? query.get(name) || "" : ""; });
    (query.get("b") || "").split(",").forEach(function (id) {
      if (benchmarkOption(id) && s.b.indexOf(id) < 0) s.b.push(id);
    });
    if (!validSort(s.sort, s.b)) s.sort = "";
    return s;
  }

  function validSort(sort, benchmarks) {
    var key = sort.replace(/^-/, "");
    if (!key) return true;
    if (key.indexOf("b.") === 0) return benchmarks.indexOf(key.slice(2)) >= 0;
    return FIRST.hasOwnProperty(key);
  }

  /* Whether the view differs from the page as published: then the script shows the rows. */
  function changed() {
    return state.sort !== "" || state.b.length > 0 || FILTERS.some(function (name) { return state[name] !== ""; });
  }

  /* history.replaceState costs several milliseconds in Chromium, which also refuses a
     flood of calls: the address is written once typing pauses, off the frame's path. */
  function scheduleUrl() {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(writeUrl, URL_DELAY);
  }

  function writeUrl() {
    clearTimeout(urlTimer);
    urlTimer = 0;
    /* Others' parameters stay first; ours follow in one order, so one view has one address. */
    var query = new URLSearchParams(location.search);
    FILTERS.concat(["b", "sort"]).forEach(function (name) { query.delete(name); });
    FILTERS.forEach(function (name) { if (state[name]) query.append(name, state[name]); });
    if (state.b.length) query.append("b", state.b.join(","));
    if (state.sort) query.append("sort", state.sort);
    var search = query.toString().replace(/%2C/g, ",");
    history.replaceState(history.state, "", location.pathname + (search ? "?" + search : "") + location.hash);
  }

  /* A site shows only the filters its content fills (no capability filter without capabilities). */
  function showStateInForm() {
    FILTERS.forEach(function (name) {
      var field = form.elements[name];
      if (!field) return;
      if (field.type === "checkbox") field.checked = state[name] === "1";
      else field.value = state[name];
      if (field.tagName === "SELECT" && field.value !== state[name]) state[name] = "";  /* a stale link's value */
    });
  }

  function readForm() {
    FILTERS.forEach(function (name) {
      var field = form.elements[name];
      if (!field) return;
      state[name] = field.type === "checkbox" ? (field.checked ? "1" : "") : field.value.trim();
    });
  }

  /* How many filters other than the name are set, on the phone layout's "Filters" button. */
  function showActiveFilters() {
    if (!toggle) return;
    var active = ["dev", "domain", "mod", "out", "cap", "open"].filter(function (name) { return state[name]; }).length +
      (state.min || state.max ? 1 : 0) + state.b.length;
    toggle.querySelector(".filters-active").textContent = active ? String(active) : "";
  }

  /* --- The data ------------------------------------------------------------------- */

  function load() {
    if (!loading) {
      loading = fetch(table.getAttribute("data-src")).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (json) {
        data = json;
        items = readItems(json);
        ordered = items;
      });
    }
    return loading;
  }

  function readItems(json) {
    var field = {};
    json.fields.forEach(function (name, i) { field[name] = i; });
    var scope = (table.getAttribute("data-scope") || "").split(":");
    var scopeFilter = TAXONOMY_FILTER[scope[0]];
    var scopeTerm = scopeFilter ? termValue(json, scopeFilter, scope[1]) : null;
    var list = [];
    json.models.forEach(function (row) {
      var outputs = row[field.outputs];
      var item = {
        index: 0, slug: row[field.slug], name: row[field.name], open: row[field.open] === 1,
        listed: row[field.listed] === 1, badges: row[field.badges], outputs: outputs, aliases: row[field.aliases],
        terms: { dev: [row[field.developer]], domain: row[field.domains], mod: row[field.modalities],
                 out: outputs.filter(function (o) { return o !== "text"; }), cap: row[field.capabilities] },
        code: row[field.scores], scores: null, text: null, tr: null, columnsKey: null,
        texts: [row[field.params_text], row[field.context_text], row[field.price_text]],
        keys: { name: row[field.name].toLowerCase(), date: row[field.released], params: row[field.params],
                context: row[field.context], price: row[field.price] }
      };
      if (scopeFilter ? hasTerm(item, scopeFilter, scopeTerm) : item.listed) list.push(item);
    });
    /* A term's page lists its current models first, then its deprecated and retired ones. */
    list = list.filter(function (item) { return item.listed; }).concat(list.filter(function (item) { return !item.listed; }));
    list.forEach(function (item, i) { item.index = i; });
    return list;
  }

  /* Developers, domains and input modalities are numbered in the data file; outputs and
     capabilities are written as they are (a modality, a capability id). */
  var TERMS = { dev: "developers", domain: "domains", mod: "modalities" };

  function termValue(json, filter, slug) {
    if (!TERMS[filter]) return slug;
    var terms = json[TERMS[filter]];
    for (var i = 0; i < terms.length; i++) if (terms[i][0] === slug) return i;
    return -1;
  }

  function hasTerm(item, filter, value) { return item.terms[filter].indexOf(value) >= 0; }

  function termNames(item, filter) {
    return item.terms[filter].map(function (n) { return data[TERMS[filter]][n][1]; });
  }

  /* The small line under a model's name: developer · domains · inputs → outputs. */
  function aboutOf(item) {
    var about = termNames(item, "dev");
    if (item.terms.domain.length) about.push(termNames(item, "domain").join(", "));
    var io = item.terms.mod.length ? termNames(item, "mod").join(", ") : "";
    if (item.outputs.length) io += " → " + item.outputs.join(", ");
    if (io) about.push(io);
    return about.join(" · ");
  }

  /* What the name filter searches: the row header's words, and the model's API ids. */
  function textOf(item) {
    if (item.text === null) item.text = (item.name + " " + aboutOf(item) + " " + item.aliases.join(" ")).toLowerCase();
    return item.text;
  }

  /* "medqa:64.4:as:0 arena:1200" -> {medqa: {v: 64.4, f: "as", s: 0}, arena: {v: 1200, f: "", s: -1}};
     an id may name a variant's board ("swe_pro.public"). */
  function scoresOf(item) {
    if (item.scores) return item.scores;
    var scores = {};
    if (item.code) {
      item.code.split(" ").forEach(function (token) {
        var p = token.split(":");
        scores[p[0]] = { v: parseFloat(p[1]), f: p[2] || "", s: p[3] ? parseInt(p[3], 10) : -1 };
      });
    }
    item.scores = scores;
    return scores;
  }

  /* --- Rows, as templates/partials/rows.html makes them (model_row) ----------------- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var CELL_LABELS = ["Released", "Parameters", "Context", "Price in / out per 1M tokens"];

  function modelRow(item) {
    var tr = document.createElement("tr");
    var th = el("th");
    th.scope = "row";
    var link = el("a", "", item.name);
    link.href = data.model_url + item.slug + "/";
    th.appendChild(link);
    if (item.open) {
      th.appendChild(document.createTextNode(" "));
      th.appendChild(el("span", "tag", "open"));
    }
    item.badges.forEach(function (badge) {  /* [kind, text, tooltip], as filters.status_marks gives them */
      if (badge[0] === "draft") th.appendChild(document.createTextNode(" "));
      var span = el("span", "badge badge-" + badge[0], badge[1]);
      if (badge[2]) span.title = badge[2];
      th.appendChild(span);
    });
    th.appendChild(el("small", "", aboutOf(item)));
    tr.appendChild(th);
    [item.keys.date].concat(item.texts).forEach(function (text, i) {
      var td = el("td", i ? "num" : "", text === null ? "—" : text);
      td.setAttribute("data-label", CELL_LABELS[i]);
      tr.appendChild(td);
    });
    return tr;
  }

  /* --- Filtering ----------------------------------------------------------------- */

  function matcher() {
    var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    var min = state.min ? parseFloat(state.min) : null;  /* billions, as the data file gives parameters */
    var max = state.max ? parseFloat(state.max) : null;
    var terms = ["dev", "domain", "mod", "out", "cap"].filter(function (name) { return state[name]; }).map(function (name) {
      return [name, termValue(data, name, state[name])];
    });
    return function (item) {
      for (var t = 0; t < terms.length; t++) {
        if (!hasTerm(item, terms[t][0], terms[t][1])) return false;
      }
      if (state.open && !item.open) return false;
      if (min !== null || max !== null) {
        var p = item.keys.params;
        if (p === null || (min !== null && p < min) || (max !== null && p > max)) return false;
      }
      if (words.length) {
        var text = textOf(item);
        for (var w = 0; w < words.length; w++) {
          if (text.indexOf(words[w]) < 0) return false;
        }
      }
      return true;
    };
  }

  /* --- Sorting ------------------------------------------------------------------- */

  function keyOf(item, key) {
    if (key.indexOf("b.") === 0) {
      var score = scoresOf(item)[key.slice(2)];
      return score ? score.v : null;
    }
    return item.keys[key];
  }

  function sortRows() {
    if (state.sort === sortedBy) return;
    sortedBy = state.sort;
    var key = state.sort.replace(/^-/, ""), dir = state.sort.charAt(0) === "-" ? -1 : 1;
    if (!key) {
      ordered = items;
      return;
    }
    var keyed = items.map(function (item) { return { item: item, value: keyOf(item, key) }; });
    keyed.sort(function (a, b) {
      var x = a.value, y = b.value;
      if (x === null || x === undefined) return (y === null || y === undefined) ? a.item.index - b.item.index : 1;
      if (y === null || y === undefined) return -1;  /* missing values last, whichever the direction */
      if (x < y) return -dir;
      if (x > y) return dir;
      return a.item.index - b.item.index;
    });
    ordered = keyed.map(function (k) { return k.item; });
  }

  function showSortInHeaders() {
    var key = state.sort.replace(/^-/, ""), dir = state.sort.charAt(0) === "-" ? "descending" : "ascending";
    Array.prototype.forEach.call(headRow.cells, function (th) {
      if (th.dataset.sort === key) th.setAttribute("aria-sort", dir);
      else th.removeAttribute("aria-sort");
    });
  }

  function firstDirection(key) {
    if (key.indexOf("b.") === 0) {
      var option = benchmarkOption(key.slice(2));
      return option && option.dataset.lower === "1" ? 1 : -1;
    }
    return FIRST[key];
  }

  function onSortClick(key) {
    var current = state.sort.replace(/^-/, "");
    var dir = current === key ? (state.sort.charAt(0) === "-" ? 1 : -1) : firstDirection(key);
    state.sort = (dir < 0 ? "-" : "") + key;
    limit = PAGE;
    update();
  }

  function sortButton(th) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) button.appendChild(th.firstChild);
    var icon = el("span", "sort-icon");
    icon.setAttribute("aria-hidden", "true");
    button.appendChild(icon);
    th.appendChild(button);
    button.addEventListener("click", function () { onSortClick(th.dataset.sort); });
  }

  /* --- Benchmark columns --------------------------------------------------------- */

  function formatNumber(value) {
    return Math.abs(value) >= 10000 ? value.toLocaleString("en") : String(parseFloat(value.toPrecision(10)));
  }

  function scoreCell(item, column) {
    var td = el("td", "num");
    td.setAttribute("data-label", column.name);
    var score = scoresOf(item)[column.id];
    if (!score) {
      td.textContent = "—";
      return td;
    }
    /* A fraction-scale percentage (0.93) shows as 93%, as the pages print it. */
    var scale = parseFloat(column.option.dataset.scale || "1");
    var link = el("a", "score", (score.f.indexOf("a") >= 0 ? "~" : "") + formatNumber(score.v * scale) +
      column.option.dataset.unit + (score.f.indexOf("e") >= 0 ? " est." : ""));
    link.href = data.model_url + item.slug + "/#score-" + column.id;
    link.title = "Details and source on the model's page";
    td.appendChild(link);
    [["s", "mark", "self-reported"], ["m", "mark mark-base", "base model"]].forEach(function (flag) {
      if (score.f.indexOf(flag[0]) < 0) return;
      td.appendChild(document.createTextNode(" "));
      td.appendChild(el("span", flag[1], flag[2]));
    });
    if (column.mixed) {
      td.appendChild(el("small", "setting", score.s >= 0 ? data.settings[score.s] : "setting not stated"));
    }
    return td;
  }

  /* The settings a benchmark's figures were measured under, or null when they are all alike. */
  function mixedSettings(id) {
    var seen = [];
    items.forEach(function (item) {
      var score = scoresOf(item)[id];
      if (score && seen.indexOf(score.s) < 0) seen.push(score.s);
    });
    if (seen.length < 2) return null;
    var named = seen.filter(function (s) { return s >= 0; }).map(function (s) { return data.settings[s]; });
    return seen.indexOf(-1) >= 0 ? named.concat(["not stated"]) : named;
  }

  function columnHeader(column) {
    var th = el("th", "num bench-col");
    th.scope = "col";
    th.dataset.sort = "b." + column.id;
    th.dataset.bench = column.id;
    th.appendChild(document.createTextNode(column.name));
    sortButton(th);
    if (column.note) {
      var sup = el("sup", "note-mark");
      var ref = el("a", "", "†" + column.note);
      ref.href = "#note-b-" + column.id;
      ref.appendChild(el("span", "visually-hidden", " (mixed settings, see note " + column.note + ")"));
      sup.appendChild(ref);
      th.appendChild(sup);
    }
    var remove = el("button", "remove-col", "×");
    remove.type = "button";
    remove.setAttribute("aria-label", "Remove the " + column.name + " column");
    remove.addEventListener("click", function () {
      state.b = state.b.filter(function (b) { return b !== column.id; });
      if (state.sort.replace(/^-/, "") === "b." + column.id) state.sort = "";
      update();
    });
    th.appendChild(remove);
    return th;
  }

  function syncColumns() {
    var key = state.b.join(",");
    if (key === columnsKey) return;
    columnsKey = key;
    /* A fixed layout needs room for every column; the model column takes the rest. Below
       that width the rows become cards (site.css, .table-scroll). */
    var width = (NATURAL + BENCH_WIDTH * state.b.length) + "rem";
    table.style.minWidth = state.b.length ? width : "";
    table.parentNode.style.setProperty("--natural", NATURAL + BENCH_WIDTH * state.b.length);
    while (headRow.cells.length > BUILTIN_COLUMNS) headRow.deleteCell(BUILTIN_COLUMNS);
    if (notes) notes.textContent = "";
    var numbered = 0;
    columns = state.b.map(function (id) {
      var option = benchmarkOption(id);
      var mixed = mixedSettings(id);
      var column = { id: id, option: option, name: option.textContent.replace(/\s*\([\d,]+\)$/, ""), mixed: mixed,
                     note: mixed ? ++numbered : 0 };
      headRow.appendChild(columnHeader(column));
      if (mixed && notes) {
        var note = el("p", "", "†" + column.note + " " + column.name + ": figures measured under different settings (" +
          mixed.join("; ") + "); compare with care.");
        note.id = "note-b-" + id;
        notes.appendChild(note);
      }
      return column;
    });
  }

  /* A row with the cells of the benchmark columns on show, made once per change of columns. */
  function rowOf(item) {
    if (!item.tr) item.tr = modelRow(item);
    if (item.columnsKey === columnsKey) return item.tr;
    while (item.tr.cells.length > BUILTIN_COLUMNS) item.tr.deleteCell(BUILTIN_COLUMNS);
    columns.forEach(function (column) { item.tr.appendChild(scoreCell(item, column)); });
    item.columnsKey = columnsKey;
    return item.tr;
  }

  /* --- Showing rows ---------------------------------------------------------------- */

  function moreButton() {
    var wrap = el("p", "show-more");
    var button = el("button", "button button-quiet");
    var all = el("button", "button button-quiet");
    button.type = all.type = "button";
    wrap.appendChild(button);
    wrap.appendChild(document.createTextNode(" "));
    wrap.appendChild(all);
    wrap.hidden = true;
    table.parentNode.parentNode.insertBefore(wrap, table.parentNode.nextSibling);
    button.addEventListener("click", function () { showMore(PAGE); });
    all.addEventListener("click", function () { showMore(view.length); });
    return { wrap: wrap, button: button, all: all };
  }

  function showMore(howMany) {
    var from = Math.min(limit, view.length);
    limit = Math.min(view.length, limit + howMany);
    var fragment = document.createDocumentFragment();
    for (var i = from; i < limit; i++) fragment.appendChild(rowOf(view[i]));
    tbody.appendChild(fragment);
    showCount();
    /* Keep the keyboard where the reader was: on the first row just added. */
    if (view[from]) view[from].tr.cells[0].firstChild.focus();
  }

  function showRows() {
    var matches = matcher();
    /* Typing on narrows the previous result: search it instead of every row. */
    var others = JSON.stringify([state.dev, state.domain, state.mod, state.out, state.cap, state.open, state.min, state.max, sortedBy]);
    var q = state.q.toLowerCase();
    var narrower = others === filtered.others && filtered.q !== null && q.indexOf(filtered.q) === 0;
    view = (narrower ? view : ordered).filter(matches);
    filtered = { others: others, q: q };
    var fragment = document.createDocumentFragment();
    var shown = Math.min(limit, view.length);
    for (var i = 0; i < shown; i++) fragment.appendChild(rowOf(view[i]));
    tbody.textContent = "";
    tbody.appendChild(fragment);
    if (pager) pager.hidden = true;  /* the published pages no longer match what is shown */
    showCount();
  }

  function showCount() {
    var total = items.length, shown = Math.min(limit, view.length), left = view.length - shown;
    if (!more) more = moreButton();
    more.wrap.hidden = left === 0;
    more.button.textContent = "Show " + Math.min(PAGE, left) + " more";
    more.all.textContent = "Show all " + view.length.toLocaleString("en");
    if (!count) return;
    count.textContent = view.length === 0 ? "No model matches these filters (of " + total.toLocaleString("en") + ")."
      : (view.length === total ? "All " + total.toLocaleString("en") + " models"
        : view.length.toLocaleString("en") + " of " + total.toLocaleString("en") + " models match") +
        (left ? "; showing the first " + shown.toLocaleString("en") + "." : ".");
  }

  /* --- Putting it together ------------------------------------------------------- */

  function render() {
    syncColumns();
    sortRows();
    showSortInHeaders();
    showRows();
  }

  function update() {
    showActiveFilters();
    scheduleUrl();
    if (data) {
      if (!frame) frame = requestAnimationFrame(function () { frame = 0; render(); });
      return;
    }
    showSortInHeaders();
    if (count) count.textContent = "Loading the whole list…";
    load().then(function () {
      if (!frame) frame = requestAnimationFrame(function () { frame = 0; render(); });
    }, function () {
      if (count) count.textContent = "The whole list could not be loaded; this page shows its own models only.";
    });
  }

  Array.prototype.forEach.call(headRow.cells, function (th) {
    if (th.dataset.sort) sortButton(th);
  });
  window.addEventListener("pagehide", function () { if (urlTimer) writeUrl(); });

  if (form) {
    showStateInForm();
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", function (event) {
      if (event.target.name === "add") return;
      readForm();
      limit = PAGE;
      update();
    });
    form.addEventListener("change", function (event) {
      if (event.target.name !== "add") return;
      var id = event.target.value;
      event.target.value = "";
      if (!id) return;
      if (state.b.indexOf(id) < 0) state.b.push(id);
      state.sort = (firstDirection("b." + id) < 0 ? "-" : "") + "b." + id;
      limit = PAGE;
      update();
    });
    form.addEventListener("reset", function () {
      /* The fields are cleared after this event; read them then. */
      setTimeout(function () {
        readForm();
        state.b = [];
        state.sort = "";
        limit = PAGE;
        update();
      });
    });
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = !form.classList.contains("open");
        form.classList.toggle("open", open);
        toggle.setAttribute("aria-expanded", String(open));
      });
    }
  }
  showActiveFilters();
  /* A shared link opens its view; a plain visit leaves the published page as it is. */
  if (changed()) update();
})();
