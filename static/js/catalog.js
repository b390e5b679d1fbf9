/* Sort, filter and search the model listing; the view lives in the URL query.
 *
 * The page lists every model, so it works without this script. Once the script runs
 * it keeps the rows in memory and shows the matching ones a page at a time ("Show
 * more"): laying out a table of 10,000 rows takes the browser seconds, laying out a
 * hundred takes milliseconds, so a keystroke stays instant however large the
 * catalog. Keys come from each row's data attributes (templates/partials/macros.html,
 * listing_table); benchmark columns are added on demand, to the rows on show only.
 */
(function () {
  "use strict";

  var table = document.getElementById("catalog");
  if (!table || !table.tBodies.length) return;
  var tbody = table.tBodies[0];
  var headRow = table.tHead.rows[0];
  var form = document.querySelector('form[data-for="catalog"]');
  var count = document.getElementById("catalog-count");
  var notes = document.getElementById("catalog-notes");
  var picker = form && form.elements.add;
  var settings = JSON.parse(table.getAttribute("data-settings") || "[]");

  var PAGE = 100;
  var BUILTIN_COLUMNS = headRow.cells.length;
  /* Which way a column sorts on its first click: names A to Z, prices cheapest first, the rest largest first. */
  var FIRST = { name: 1, date: -1, params: -1, context: -1, price: 1 };
  var FILTERS = ["q", "dev", "domain", "mod", "out", "cap", "open", "min", "max"];

  var items = readRows();
  var state = readState();
  var ordered = items;      /* all rows in the current sort order */
  var sortedBy = "";
  var view = [];            /* the rows that match, in order */
  var filtered = { others: null, q: null };  /* what `view` was filtered by */
  var limit = PAGE;         /* how many of them are on show */
  var columns = [];         /* benchmark columns on show: {id, option, name, mixed, note} */
  var columnsKey = "";
  var frame = 0;
  var urlTimer = 0;
  var URL_DELAY = 150;
  var more = moreButton();

  function numberOrNull(text) {
    return text === undefined || text === "" ? null : parseFloat(text);
  }

  function readRows() {
    var rows = tbody.rows, list = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) {
      var tr = rows[i], cells = tr.cells, d = tr.dataset;
      list[i] = {
        tr: tr, index: i, code: d.b || "", scores: null, columnsKey: "",
        text: (cells[0].textContent + (d.alias ? " " + d.alias : "")).toLowerCase(),
        dev: d.dev || "",
        dom: d.dom ? d.dom.split(" ") : [],
        mod: d.mod ? d.mod.split(" ") : [],
        out: d.out ? d.out.split(" ") : [],
        cap: d.cap ? d.cap.split(" ") : [],
        open: d.open !== undefined,
        keys: {
          name: cells[0].firstChild.textContent.toLowerCase(),
          date: cells[1].textContent,
          params: numberOrNull(cells[2].dataset.v),
          context: numberOrNull(cells[3].dataset.v),
          price: numberOrNull(cells[4].dataset.v)
        }
      };
    }
    return list;
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

  function benchmarkOption(id) {
    if (!picker || !id) return null;
    for (var i = 0; i < picker.options.length; i++) {
      if (picker.options[i].value === id) return picker.options[i];
    }
    return null;
  }

  /* --- State and URL ------------------------------------------------------------- */

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

  /* history.replaceState costs several milliseconds in Chromium, which also refuses a
     flood of calls: the address is written once typing pauses, off the frame's path. */
  function scheduleUrl() {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(writeUrl, URL_DELAY);
  }

  function writeUrl() {
    clearTimeout(urlTimer);
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

  /* --- Filtering ----------------------------------------------------------------- */

  function matcher() {
    var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    var min = state.min ? parseFloat(state.min) * 1e9 : null;
    var max = state.max ? parseFloat(state.max) * 1e9 : null;
    return function (item) {
      if (state.dev && item.dev !== state.dev) return false;
      if (state.domain && item.dom.indexOf(state.domain) < 0) return false;
      if (state.mod && item.mod.indexOf(state.mod) < 0) return false;
      if (state.out && item.out.indexOf(state.out) < 0) return false;
      if (state.cap && item.cap.indexOf(state.cap) < 0) return false;
      if (state.open && !item.open) return false;
      if (min !== null || max !== null) {
        var p = item.keys.params;
        if (p === null || (min !== null && p < min) || (max !== null && p > max)) return false;
      }
      for (var w = 0; w < words.length; w++) {
        if (item.text.indexOf(words[w]) < 0) return false;
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
    var icon = document.createElement("span");
    icon.className = "sort-icon";
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
    var td = document.createElement("td");
    td.className = "num";
    var score = scoresOf(item)[column.id];
    if (!score) {
      td.textContent = "—";
      return td;
    }
    var link = document.createElement("a");
    link.className = "score";
    link.href = item.tr.cells[0].firstChild.getAttribute("href") + "#score-" + column.id;
    link.title = "Details and source on the model's page";
    /* A fraction-scale percentage (0.93) shows as 93%, as the pages print it. */
    var scale = parseFloat(column.option.dataset.scale || "1");
    link.textContent = (score.f.indexOf("a") >= 0 ? "~" : "") + formatNumber(score.v * scale) + column.option.dataset.unit +
      (score.f.indexOf("e") >= 0 ? " est." : "");
    td.appendChild(link);
    [["s", "mark", "self-reported"], ["m", "mark mark-base", "base model"]].forEach(function (flag) {
      if (score.f.indexOf(flag[0]) < 0) return;
      var mark = document.createElement("span");
      mark.className = flag[1];
      mark.textContent = flag[2];
      td.appendChild(document.createTextNode(" "));
      td.appendChild(mark);
    });
    if (column.mixed) {
      var small = document.createElement("small");
      small.className = "setting";
      small.textContent = score.s >= 0 ? settings[score.s] : "setting not stated";
      td.appendChild(small);
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
    var named = seen.filter(function (s) { return s >= 0; }).map(function (s) { return settings[s]; });
    return seen.indexOf(-1) >= 0 ? named.concat(["not stated"]) : named;
  }

  function columnHeader(column) {
    var th = document.createElement("th");
    th.scope = "col";
    th.className = "num bench-col";
    th.dataset.sort = "b." + column.id;
    th.dataset.bench = column.id;
    th.appendChild(document.createTextNode(column.name));
    sortButton(th);
    if (column.note) {
      var sup = document.createElement("sup");
      sup.className = "note-mark";
      var ref = document.createElement("a");
      ref.href = "#note-b-" + column.id;
      ref.textContent = "†" + column.note;
      var hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " (mixed settings, see note " + column.note + ")";
      ref.appendChild(hint);
      sup.appendChild(ref);
      th.appendChild(sup);
    }
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove-col";
    remove.textContent = "×";
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
    /* A fixed layout needs room for every column; the model column takes the rest. */
    table.style.minWidth = (46 + 9 * state.b.length) + "rem";
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
        var note = document.createElement("p");
        note.id = "note-b-" + id;
        note.textContent = "†" + column.note + " " + column.name + ": figures measured under different settings (" +
          mixed.join("; ") + "); compare with care.";
        notes.appendChild(note);
      }
      return column;
    });
  }

  /* Give a row the cells of the benchmark columns on show, once per change of columns. */
  function withColumns(item) {
    if (item.columnsKey === columnsKey) return item.tr;
    while (item.tr.cells.length > BUILTIN_COLUMNS) item.tr.deleteCell(BUILTIN_COLUMNS);
    columns.forEach(function (column) { item.tr.appendChild(scoreCell(item, column)); });
    item.columnsKey = columnsKey;
    return item.tr;
  }

  /* --- Showing rows ---------------------------------------------------------------- */

  function moreButton() {
    var wrap = document.createElement("p");
    wrap.className = "show-more";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-quiet";
    var all = document.createElement("button");
    all.type = "button";
    all.className = "button button-quiet";
    wrap.appendChild(button);
    wrap.appendChild(document.createTextNode(" "));
    wrap.appendChild(all);
    table.parentNode.parentNode.insertBefore(wrap, table.parentNode.nextSibling);
    button.addEventListener("click", function () { showMore(PAGE); });
    all.addEventListener("click", function () { showMore(view.length); });
    return { wrap: wrap, button: button, all: all };
  }

  function showMore(howMany) {
    var from = Math.min(limit, view.length);
    limit = Math.min(view.length, limit + howMany);
    var fragment = document.createDocumentFragment();
    for (var i = from; i < limit; i++) fragment.appendChild(withColumns(view[i]));
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
    var narrower = others === filtered.others && q.indexOf(filtered.q) === 0 && filtered.q !== null;
    view = (narrower ? view : ordered).filter(matches);
    filtered = { others: others, q: q };
    var fragment = document.createDocumentFragment();
    var shown = Math.min(limit, view.length);
    for (var i = 0; i < shown; i++) fragment.appendChild(withColumns(view[i]));
    tbody.textContent = "";
    tbody.appendChild(fragment);
    showCount();
  }

  function showCount() {
    var total = items.length, shown = Math.min(limit, view.length), left = view.length - shown;
    more.wrap.hidden = left === 0;
    more.button.textContent = "Show " + Math.min(PAGE, left) + " more";
    more.all.textContent = "Show all " + view.length.toLocaleString("en");
    if (!count) return;
    count.hidden = false;
    count.textContent = view.length === 0 ? "No model matches these filters (of " + total.toLocaleString("en") + ")."
      : (view.length === total ? "All " + total.toLocaleString("en") + " models"
        : view.length.toLocaleString("en") + " of " + total.toLocaleString("en") + " models match") +
        (left ? "; showing the first " + shown.toLocaleString("en") + "." : ".");
  }

  /* --- Putting it together ------------------------------------------------------- */

  function update() {
    if (frame) return;
    frame = requestAnimationFrame(function () {
      frame = 0;
      syncColumns();
      sortRows();
      showSortInHeaders();
      showRows();
      document.documentElement.classList.remove("js-listing");
      scheduleUrl();
    });
  }

  Array.prototype.forEach.call(headRow.cells, function (th) {
    if (th.dataset.sort) sortButton(th);
  });
  /* From here on this script shows the rows; see listing-early.js. */
  table.setAttribute("data-enhanced", "");

  window.addEventListener("pagehide", function () { if (urlTimer) writeUrl(); });

  if (form) {
    showStateInForm();
    form.hidden = false;
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
  }
  update();
})();
