/* Pick any models and see them side by side, from the site's JSON export.
 *
 * The choice lives in the URL (?models=a,b,c), so a comparison can be shared and
 * survives a reload. The list of models comes from api/index.json (names only,
 * small even for a large catalog); each picked model's figures come from its own
 * api/models/SLUG.json. Figures are formatted as the generator formats them
 * (generator/filters.py): the same marks (~, est., self-reported), the same best
 * mark, and the same note where a row mixes figures measured under different settings.
 */
(function () {
  "use strict";

  var root = document.getElementById("picker");
  if (!root || !window.fetch) return;
  var api = root.dataset.api, base = root.dataset.base;
  var search = document.getElementById("picker-q");
  var list = document.getElementById("picker-list");
  var more = document.getElementById("picker-more");
  var status = document.getElementById("picker-status");
  var output = document.getElementById("picker-table");
  var SHOWN = 30;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  var CURRENCY = { USD: "$", EUR: "€", GBP: "£", JPY: "¥", CNY: "¥" };

  var directory = null;   /* api/index.json */
  var bySlug = {};
  var records = {};       /* slug -> model record, once loaded */
  var chosen = [];

  /* --- Formatting, as generator/filters.py does it --------------------------------- */

  function sig(value, digits) { return String(parseFloat(value.toPrecision(digits))); }

  function number(value) {
    return Math.abs(value) >= 10000 ? value.toLocaleString("en") : sig(value, 10);
  }

  function humanCount(value) {
    var units = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]];
    for (var i = 0; i < units.length; i++) {
      if (value >= units[i][0]) return sig(value / units[i][0], 3) + units[i][1];
    }
    return sig(value, 3);
  }

  /* The unit goes by size first (1,050,000 reads "1.05M"); round multiples print whole. */
  function tokens(value) {
    var units = [[1e6, 1048576, "M"], [1e3, 1024, "K"]];
    for (var i = 0; i < units.length; i++) {
      var u = units[i];
      if (value < u[0]) continue;
      if (value % u[0] === 0) return value / u[0] + u[2];
      if (value % u[1] === 0) return value / u[1] + u[2];
      return sig(value / u[0], 3) + u[2];
    }
    return String(value);
  }

  function longDate(iso) {
    var p = iso.split("-").map(Number);
    return (p.length === 3 ? p[2] + " " : "") + MONTHS[p[1] - 1] + " " + p[0];
  }

  function money(value, currency) {
    /* Cents always; smaller fractions only where the price has them ($0.625, never $0.62). */
    var cents = value === 0 || (value >= 0.1 && Math.abs(Math.round(value * 100) / 100 - value) < 1e-9);
    var amount = cents ? value.toFixed(2) : value >= 0.1 ? String(parseFloat(value.toFixed(4))) : sig(value, 4);
    return CURRENCY[currency] ? CURRENCY[currency] + amount : amount + " " + currency;
  }

  var UNITS = [["image", "image"], ["second", "second"], ["minute", "minute"], ["request", "request"], ["page", "page"],
    ["million_characters", "1M characters"]];

  /* One price in one line: free and plan prices never read "$0.00". */
  function pricingText(p) {
    if (p.free) return "Free";
    if (p.input_per_mtok !== null || p.output_per_mtok !== null) {
      return [p.input_per_mtok, p.output_per_mtok].map(function (v) { return v === null ? "—" : money(v, p.currency); }).join(" / ");
    }
    var units = UNITS.filter(function (u) { return p.per_unit && p.per_unit[u[0]] !== null; }).map(function (u) {
      return money(p.per_unit[u[0]], p.currency) + " / " + u[1];
    });
    if (units.length) return units.join(" · ");
    if (p.plan) return p.plan.charAt(0).toUpperCase() + p.plan.slice(1);
    return "— / —";
  }

  /* The developer's own price, or with offers the cheapest (the export's price_from), "from" when there are
     several, as generator/tables.py price_text says it. */
  function priceText(m) {
    var offers = m.offers || [];
    var shown = offers.length && m.price_from ? m.price_from : m.pricing;
    if (shown) {
      var options = (m.pricing ? 1 : 0) + offers.filter(function (o) {
        return o.pricing && (o.status === "active" || o.status === "preview");
      }).length;
      var charged = shown.input_per_mtok !== null || shown.output_per_mtok !== null ||
        UNITS.some(function (u) { return shown.per_unit && shown.per_unit[u[0]] !== null; });
      return (options > 1 && !shown.free && charged ? "from " : "") + pricingText(shown);
    }
    return "pricing" in m && m.open_weights ? "Free (open weights)" : "—";
  }

  function unitSuffix(unit) {
    if (!unit) return "";
    return unit === "%" || unit.charAt(0) === "/" ? unit : "\u00a0" + unit;
  }

  /* A fraction-scale percentage (0.93) shows as 93%. */
  function scoreText(s, benchmark) {
    var value = benchmark.scale === "fraction" ? s.value * 100 : s.value;
    return (s.approx ? "~" : "") + number(value) + unitSuffix(benchmark.unit) + (s.estimated ? " est." : "");
  }

  /* How a figure was measured, as leaderboards compare it: its setting, else its shots. */
  function condition(s) {
    return s.setting || (s.shots !== null && s.shots !== undefined ? s.shots + "-shot" : null);
  }

  /* --- Small DOM helpers ------------------------------------------------------------- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /* Only http(s), mailto and site paths become links, as in the generator. */
  function safeHref(url) {
    if (/^(https?:|mailto:)/i.test(url)) return url;
    if (url.charAt(0) === "/" && url.charAt(1) !== "/") return base + url.slice(1);
    return null;
  }

  function modelHref(slug) { return base + "models/" + encodeURIComponent(slug) + "/"; }

  /* --- The URL ------------------------------------------------------------------------- */

  function readUrl() {
    var value = new URLSearchParams(location.search).get("models") || "";
    var seen = {};
    return value.split(",").filter(function (slug) {
      var ok = slug && bySlug[slug] && !seen[slug];
      seen[slug] = true;
      return ok;
    });
  }

  function writeUrl() {
    var query = new URLSearchParams(location.search);
    if (chosen.length) query.set("models", chosen.join(",")); else query.delete("models");
    var text = query.toString().replace(/%2C/g, ",");
    history.replaceState(history.state, "", location.pathname + (text ? "?" + text : "") + location.hash);
  }

  /* --- The list of models to tick ------------------------------------------------------ */

  function showList() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var matches = [], total = 0;
    directory.models.forEach(function (m) {
      var text = (m.name + " " + m.developer).toLowerCase();
      for (var i = 0; i < words.length; i++) if (text.indexOf(words[i]) < 0) return;
      total++;
      if (matches.length < SHOWN) matches.push(m);
    });
    /* Ticked models stay in view, first, so they can be unticked from here. */
    var shown = chosen.map(function (slug) { return bySlug[slug]; }).concat(matches.filter(function (m) {
      return chosen.indexOf(m.slug) < 0;
    }));
    list.textContent = "";
    shown.forEach(function (m) {
      var id = "pick-" + m.slug;
      var box = el("input", { type: "checkbox", id: id, value: m.slug });
      box.checked = chosen.indexOf(m.slug) >= 0;
      list.appendChild(el("li", {}, [box, el("label", { "for": id }, [m.name, " ", el("small", { text: m.developer })])]));
    });
    more.textContent = total > matches.length
      ? "Showing " + matches.length + " of " + total.toLocaleString("en") + " matching models; type to narrow the list."
      : total === 0 ? "No model matches “" + search.value + "”." : "";
  }

  list.addEventListener("change", function (event) {
    var slug = event.target.value;
    if (event.target.checked) { if (chosen.indexOf(slug) < 0) chosen.push(slug); }
    else chosen = chosen.filter(function (s) { return s !== slug; });
    writeUrl();
    showTable();
  });
  search.addEventListener("input", showList);

  /* --- The side-by-side table ------------------------------------------------------------ */

  function load(slug) {
    if (records[slug]) return Promise.resolve(records[slug]);
    return fetch(api + "models/" + encodeURIComponent(slug) + ".json").then(function (response) {
      if (!response.ok) throw new Error(slug);
      return response.json();
    }).then(function (data) {
      records[slug] = data.model;
      return data.model;
    });
  }

  function showTable() {
    var wanted = chosen.slice();
    status.textContent = wanted.length ? "Loading…" : "";
    Promise.all(wanted.map(load)).then(function (models) {
      if (wanted.join(",") !== chosen.join(",")) return;  /* the choice changed meanwhile */
      output.textContent = "";
      if (models.length === 0) {
        status.textContent = "Tick two or more models to compare them.";
        return;
      }
      status.textContent = models.length === 1 ? "1 model selected; tick another to compare."
        : models.length + " models side by side.";
      output.appendChild(buildTable(models));
    }, function (error) {
      status.textContent = "Could not load the data of " + error.message + ".";
    });
  }

  function specRows(models) {
    return [
      ["Developer", function (m) { return m.developer; }],
      ["Released", function (m) { return longDate(m.release_date); }],
      ["Parameters", function (m) {
        if (!m.parameters) return missing("Not published");
        var text = humanCount(m.parameters.total);
        return m.parameters.active ? text + " (" + humanCount(m.parameters.active) + " active)" : text;
      }],
      ["Context", function (m) { return m.context_window ? tokens(m.context_window) : missing("Not published"); },
        function (m) { return m.context_window || null; }],
      ["Price (in / out per 1M tokens)", priceText],
      ["Max output", function (m) { return m.limits && m.limits.output ? tokens(m.limits.output) : missing("Not published"); },
        function (m) { return m.limits && m.limits.output || null; }, "limits"],
      ["Knowledge cutoff", function (m) { return m.knowledge_cutoff ? longDate(m.knowledge_cutoff) : missing("Not published"); },
        null, "knowledge_cutoff"],
      ["License", function (m) {
        if (!m.license) return missing("Not published");
        var title = m.license.name || m.license.spdx;
        var href = m.license.url || (m.license.spdx ? "https://spdx.org/licenses/" + m.license.spdx + ".html" : null);
        return href && safeHref(href) ? el("a", { href: safeHref(href), rel: "noopener", text: title }) : title;
      }],
      ["Open weights", function (m) { return m.open_weights === true ? "Yes" : m.open_weights === false ? "No" : "—"; }]
    ].filter(function (row) {
      /* Rows of the second format's fields only where a chosen model fills them. */
      return !row[3] || models.some(function (m) { return row[3] === "limits" ? m.limits && m.limits.output : m[row[3]]; });
    }).map(function (row) {
      /* A row with a third function has a best value (the longest context), as curated tables do. */
      var values = row[2] ? models.map(row[2]) : [];
      var present = values.filter(function (v) { return v !== null; });
      var best = present.length > 1 ? Math.max.apply(null, present) : null;
      return el("tr", {}, [el("th", { scope: "row", text: row[0] })].concat(models.map(function (m, i) {
        var cell = el("td", { "data-label": m.name }, [row[1](m)]);
        if (best !== null && values[i] === best) appendBestMark(cell);
        return cell;
      })));
    });
  }

  function settingsOf(scores) {
    var seen = [];
    var unstated = false;
    scores.forEach(function (s) {
      if (s && !condition(s)) unstated = true;
      else if (s && seen.indexOf(condition(s)) < 0) seen.push(condition(s));
    });
    if (unstated) seen.push("not stated");
    return seen.length > 1 ? seen : null;
  }

  /* A missing figure, as templates/partials/macros.html `missing` shows it. */
  function missing(reason) {
    return el("span", { className: "missing", title: reason }, ["—", el("span", { className: "visually-hidden", text: " (" + reason.toLowerCase() + ")" })]);
  }

  function appendBestMark(cell) {
    cell.className += " best";
    cell.appendChild(document.createTextNode(" "));
    cell.appendChild(el("span", { className: "best-mark", title: "Best in this row" }, ["★", el("span", { className: "visually-hidden", text: " best" })]));
  }

  function scoreCell(m, s, benchmark, best, mixed) {
    if (!s) return el("td", { className: "num", "data-label": m.name }, [missing("No published result")]);
    var text = scoreText(s, benchmark);
    var href = s.source && safeHref(s.source.url);
    var value = href
      ? el("a", { className: "score", href: href, rel: "noopener", title: "Source: " + (s.source.title || s.source.url), text: text })
      : el("span", { className: "score", text: text });
    var cell = el("td", { className: "num", "data-label": m.name }, [value]);
    if (s.self_reported) cell.appendChild(el("span", {}, [" ", el("span", { className: "mark", text: "self-reported" })]));
    if (s.measured_on) cell.appendChild(el("span", {}, [" ", el("span", { className: "mark mark-base", text: "base model" })]));
    if (best) appendBestMark(cell);
    if (mixed) cell.appendChild(el("small", { className: "setting", text: condition(s) || "setting not stated" }));
    return cell;
  }

  /* A model's score on one board: a benchmark's figures without a variant, or one variant's. */
  function scoreOn(m, id, variant) {
    var found = (m.benchmarks[id] || []).filter(function (s) { return (s.variant || null) === variant; });
    return found.length ? found[0] : null;
  }

  /* One row per leaderboard: figures of two variants are never compared in one row. */
  function benchmarkRows(models, notes) {
    var rows = [];
    var boards = [];
    Object.keys(directory.benchmarks).forEach(function (id) {
      boards.push([id, null]);
      Object.keys(directory.benchmarks[id].variants || {}).forEach(function (v) { boards.push([id, v]); });
    });
    boards.forEach(function (board) {
      var id = board[0], variant = board[1];
      var benchmark = directory.benchmarks[id];
      var scores = models.map(function (m) { return scoreOn(m, id, variant); });
      var values = scores.filter(Boolean).map(function (s) { return s.value; });
      if (!values.length) return;
      var best = values.length > 1 ? (benchmark.higher_is_better ? Math.max : Math.min).apply(null, values) : null;
      var mixed = settingsOf(scores);
      var label = variant ? benchmark.name + " (" + benchmark.variants[variant].name + ")" : benchmark.name;
      var head = el("th", { scope: "row" }, [el("a", { href: base + "benchmarks/" + encodeURIComponent(id) + "/", text: label })]);
      if (mixed) {
        var number = notes.length + 1;
        notes.push(el("li", { id: "pick-note-" + number, value: String(number) },
          ["†" + number + " " + label + ": figures measured under different settings (" + mixed.join("; ") + "); compare with care."]));
        head.appendChild(el("sup", { className: "note-mark" }, [el("a", { href: "#pick-note-" + number, text: "†" + number },
          [el("span", { className: "visually-hidden", text: " (mixed settings, see note " + number + ")" })])]));
      }
      rows.push(el("tr", {}, [head].concat(scores.map(function (s, i) {
        return scoreCell(models[i], s, benchmark, s !== null && s.value === best, mixed);
      }))));
    });
    return rows;
  }

  function buildTable(models) {
    var notes = [];
    var header = el("tr", {}, [el("th", { scope: "col", className: "label-col" }, [el("span", { className: "visually-hidden", text: "Property" })])].concat(models.map(function (m) {
      var remove = el("button", { type: "button", className: "remove-col", "aria-label": "Remove " + m.name, text: "×" });
      remove.addEventListener("click", function () {
        chosen = chosen.filter(function (s) { return s !== m.slug; });
        writeUrl();
        showList();
        showTable();
      });
      return el("th", { scope: "col" }, [el("a", { href: modelHref(m.slug), text: m.name }), " ", remove]);
    })));
    var specs = specRows(models);
    var scores = benchmarkRows(models, notes);
    var body = [el("tbody", {}, specs)];
    if (scores.length) {
      body.push(el("tbody", {}, [el("tr", { className: "group" }, [el("th", { scope: "rowgroup", colspan: String(models.length + 1), text: "Benchmarks" })])].concat(scores)));
    }
    var table = el("table", { className: "comparison side-by-side stack stack-lines head-chips" }, [
      el("caption", {}, [models.length + " models side by side. ", el("span", { className: "best-key", text: "Best value per benchmark is marked ★." }), " Each score links to its source."]),
      el("thead", {}, [header])
    ].concat(body));
    /* Below its natural width (a label column and about 10rem a model) each row becomes a
       card of the models' values, as site.css lays out every .stack table. */
    var wrap = el("div", {}, [el("div", { className: "table-scroll", style: "--natural: " + (9 + 10 * models.length) }, [table])]);
    if (notes.length) wrap.appendChild(el("ol", { className: "notes" }, notes));
    wrap.appendChild(el("p", { className: "legend" }, [
      el("span", { className: "legend-item" }, [el("b", { text: "~" }), " approximate"]),
      el("span", { className: "legend-item" }, [el("b", { text: "est." }), " estimate"]),
      el("span", { className: "legend-item" }, [el("span", { className: "mark", text: "self-reported" }), " the developer's own claim"]),
      el("span", { className: "legend-item" }, [el("b", { text: "—" }), " not published"])
    ]));
    return wrap;
  }

  /* --- Start ----------------------------------------------------------------------------------- */

  fetch(api + "index.json").then(function (response) {
    if (!response.ok) throw new Error("index");
    return response.json();
  }).then(function (data) {
    directory = data;
    data.models.forEach(function (m) { bySlug[m.slug] = m; });
    chosen = readUrl();
    writeUrl();
    showList();
    showTable();
  }, function () {
    root.textContent = "";
    root.appendChild(el("p", { text: "The model list could not be loaded; the curated comparisons below still work." }));
  });
})();
