/* minigraph explorer: which ops are visible (name scopes open or closed), the layout of each
 * open scope (with layout.js), SVG drawing, and the interaction (details, search, pan and
 * zoom, steps).
 * Reads the JSON that minigraph/export/explorer.py wrote into #graph-data; fetches nothing. */
(function () {
  "use strict";
  const T0 = performance.now();
  const DATA = JSON.parse(document.getElementById("graph-data").textContent);
  const OPS = DATA.ops, COLORS = DATA.colors, STEPS = DATA.steps, RUN = DATA.run;
  const NODE_H = 34, VAL_H = 12, PAD = 12, TITLE_H = 24;
  const layered = MinigraphLayout.layered; // layout.js
  const LEGEND_NAMES = new Map(DATA.legend);
  const $ = (id) => document.getElementById(id);

  // ---- the graph: consumers, scopes, each op's chain of enclosing scopes -------------------
  const byName = new Map();
  OPS.forEach((o, i) => { byName.set(o.n, i); o.cons = []; });
  OPS.forEach((o, i) => {
    o.in.forEach(([p]) => { if (p >= 0) OPS[p].cons.push(i); });
    o.ctl.forEach((p) => OPS[p].cons.push(i));
  });
  const parentOf = (name) => { const k = name.lastIndexOf("/"); return k < 0 ? "" : name.slice(0, k); };
  const lastPart = (name) => name.slice(name.lastIndexOf("/") + 1);
  const SCOPES = new Map();
  DATA.scopes.forEach((s) => SCOPES.set(s, { parent: parentOf(s), first: Infinity }));
  OPS.forEach((o, i) => {
    const chain = [];
    for (let s = o.s; s; s = parentOf(s)) chain.push(s);
    o.chain = chain.reverse();
    chain.forEach((s) => { const sc = SCOPES.get(s); sc.first = Math.min(sc.first, i); });
  });
  const OP_SCOPES = new Set(DATA.opScopes);
  const expanded = new Set();
  let selected = -1, current = -1, playTimer = null;
  let view = { x: 20, y: 20, k: 1 };
  let V = null; // the visible graph of the last render

  // ---- visibility: the item (an op, or a closed scope box) that shows each op -------------
  // A variable (and its read, slots, initializer) stays a node of its own when a scope around
  // it is closed: it is hoisted beside the box, so arrows into updates start at the variable.
  function visibleItem(o, i) {
    const chain = o.chain;
    for (let k = 0; k < chain.length; k++) {
      const sc = chain[k];
      if (!expanded.has(sc)) {
        const container = k ? chain[k - 1] : "";
        if (o.g && (o.g === sc || o.g.startsWith(sc + "/"))) return ["o" + byName.get(o.g), container];
        if (OP_SCOPES.has(sc)) return ["o" + byName.get(sc), container]; // an op and its constants
        return ["s" + sc, container];
      }
    }
    return ["o" + i, o.s];
  }

  function computeVisible() {
    const vis = new Array(OPS.length), containerOf = new Map(), members = new Map();
    const items = new Map([["", new Set()]]);
    const addItem = (key, container) => {
      if (containerOf.has(key)) return;
      containerOf.set(key, container);
      if (!items.has(container)) items.set(container, new Set());
      items.get(container).add(key);
      if (container !== "") addItem("s" + container, SCOPES.get(container).parent);
    };
    OPS.forEach((o, i) => {
      const [key, container] = visibleItem(o, i);
      vis[i] = key;
      addItem(key, container);
      if (!members.has(key)) members.set(key, []);
      members.get(key).push(i);
    });
    const edges = new Map();
    OPS.forEach((o, i) => {
      const b = vis[i];
      const add = (p, ctl) => {
        const a = vis[p];
        if (a === b) return;
        const id = a + ">" + b;
        let e = edges.get(id);
        if (!e) edges.set(id, e = { a, b, data: 0, ctl: 0, ops: [] });
        if (ctl) e.ctl++; else e.data++;
        e.ops.push([p, i]);
      };
      o.in.forEach(([p]) => { if (p >= 0) add(p, false); });
      o.ctl.forEach((p) => add(p, true));
    });
    return { vis, containerOf, members, items, edges };
  }

  // Each visible edge is laid out in the innermost open scope holding both ends, between the
  // items of that scope that contain them.
  function levelEdges(v) {
    const levels = new Map();
    const chainOf = (key) => {
      const out = [];
      for (let c = v.containerOf.get(key), k = key; ; k = "s" + c, c = SCOPES.get(c).parent) {
        out.push([c, k]);
        if (c === "") break;
      }
      return out;
    };
    for (const e of v.edges.values()) {
      const ca = new Map(chainOf(e.a));
      for (const [c, kb] of chainOf(e.b)) {
        if (!ca.has(c)) continue;
        const ka = ca.get(c);
        if (ka !== kb) {
          if (!levels.has(c)) levels.set(c, new Map());
          const id = ka + ">" + kb, lv = levels.get(c);
          if (!lv.has(id)) lv.set(id, { a: ka, b: kb });
          e.level = [c, id];
        }
        break;
      }
    }
    return levels;
  }

  // ---- sizes --------------------------------------------------------------------------
  const ctx2d = document.createElement("canvas").getContext("2d");
  const widths = new Map();
  function textW(text, px) {
    const id = px + "|" + text;
    let w = widths.get(id);
    if (w === undefined) {
      ctx2d.font = px + 'px "DejaVu Sans", Helvetica, Arial, sans-serif';
      widths.set(id, w = ctx2d.measureText(text).width);
    }
    return w;
  }

  // A node is named relative to the open scope it is drawn in: a variable hoisted out of a
  // closed scope keeps the rest of its path ("model/kernel/Adam" beside the "model" box).
  function opLines(i, key, v) {
    const o = OPS[i], c = v.containerOf.get(key);
    const label = c && o.n.startsWith(c + "/") ? o.n.slice(c.length + 1) : c ? lastPart(o.n) : o.n;
    return { label, sub: o.t === lastPart(o.n) ? "" : o.t, val: valueLine(o) };
  }

  function itemLines(key, v) {
    if (key[0] === "o") return opLines(+key.slice(1), key, v);
    const n = v.members.get(key).length;
    return { label: lastPart(key.slice(1)), sub: n + (n === 1 ? " op" : " ops"), val: null };
  }

  function itemSize(key, v) {
    const t = itemLines(key, v);
    let w = Math.max(textW(t.label, 11), textW(t.sub, 9.5), t.val ? textW(t.val.text, 9.5) * 1.1 : 0);
    w = Math.max(48, Math.ceil(w) + 22);
    const extra = key[0] === "s" ? 5 : OPS[+key.slice(1)].k === "variable" ? 8 : 0;
    return { w, h: NODE_H + (t.val ? VAL_H : 0) + extra };
  }

  // ---- the layered layout of one open scope ------------------------------------------------
  function layoutContainer(c, v, levels, out) {
    const keys = [...v.items.get(c)];
    const sizes = keys.map((key) => {
      if (key[0] === "s" && expanded.has(key.slice(1))) {
        const inner = layoutContainer(key.slice(1), v, levels, out);
        return { w: Math.max(inner.w + 2 * PAD, textW(key.slice(1), 11.5) + 40), h: inner.h + PAD + TITLE_H };
      }
      return itemSize(key, v);
    });
    const first = (key) => key[0] === "o" ? +key.slice(1) : SCOPES.get(key.slice(1)).first;
    const order = keys.map((k, i) => i).sort((a, b) => first(keys[a]) - first(keys[b]));
    const lv = levels.get(c) || new Map();
    const result = layered(order.map((i) => keys[i]), order.map((i) => sizes[i]), lv);
    out.set(c, result);
    return result;
  }

  // ---- absolute positions ---------------------------------------------------------------
  function place(c, ox, oy, layouts, abs) {
    const lay = layouts.get(c);
    for (const [key, nd] of lay.pos) {
      const r = { x: ox + nd.x, y: oy + nd.y, w: nd.w, h: nd.h };
      abs.set(key, r);
      if (key[0] === "s" && expanded.has(key.slice(1))) {
        const inner = layouts.get(key.slice(1));
        place(key.slice(1), r.x - inner.w / 2, r.y - r.h / 2 + TITLE_H, layouts, abs);
      }
    }
    lay.origin = [ox, oy];
  }

  // ---- drawing ------------------------------------------------------------------------
  const esc = (s) => String(s).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch]));
  const fmt = (x) => x === undefined ? "" : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : (+x.toFixed(4)).toString();
  const shapeText = (s) => "(" + s.join(", ") + (s.length === 1 ? ",)" : ")");

  function valueLine(o) {
    if (!RUN || !o.values || o.state === "pruned") return null;
    const v = o.values[0];
    if (!v) return null;
    if (v.nan || v.inf) return { text: (v.nan ? "NaN " : "") + (v.inf ? "Inf " : "") + "in " + shapeText(v.shape), bad: true };
    const text = v.shape.length === 0 && v.min !== undefined ? v.dtype + " = " + fmt(v.min)
      : v.dtype + " " + shapeText(v.shape);
    return { text, bad: false };
  }

  function fillOf(key, v) {
    if (key[0] === "o") return COLORS[OPS[+key.slice(1)].h];
    const ms = v.members.get(key), counts = new Map();
    ms.forEach((i) => { const h = OPS[i].h; if (h !== "init") counts.set(h, (counts.get(h) || 0) + 1); });
    let best = "init", most = 0;
    counts.forEach((c, h) => { if (c > most) { best = h; most = c; } });
    return COLORS[best];
  }

  function shapePath(kind, r) {
    const x0 = r.x - r.w / 2, x1 = r.x + r.w / 2, y0 = r.y - r.h / 2, y1 = r.y + r.h / 2;
    if (kind === "variable") {
      const e = 5;
      return `<path class="shape" d="M${x0},${y0 + e}A${r.w / 2},${e} 0 0 1 ${x1},${y0 + e}V${y1 - e}A${r.w / 2},${e} 0 0 1 ${x0},${y1 - e}Z"/>` +
        `<path d="M${x0},${y0 + e}A${r.w / 2},${e} 0 0 0 ${x1},${y0 + e}" fill="none" stroke="#4d5566"/>`;
    }
    if (kind === "placeholder") {
      return `<polygon class="shape" points="${x0},${y0} ${x1},${y0} ${x1},${y1 - 8} ${r.x},${y1} ${x0},${y1 - 8}"/>`;
    }
    return `<rect class="shape" x="${x0}" y="${y0}" width="${r.w}" height="${r.h}" rx="${kind === "constant" ? 1 : 8}"/>`;
  }

  function nodeMarkup(key, r, v) {
    const isScope = key[0] === "s", t = itemLines(key, v);
    const o = isScope ? null : OPS[+key.slice(1)];
    const ms = v.members.get(key);
    const cls = ["node", isScope ? "scope" : "kind-" + o.k];
    if (RUN && ms.every((i) => OPS[i].state === "pruned")) cls.push("pruned");
    if (o && o.state === "folded") cls.push("folded");
    if (o && o.state === "untaken") cls.push("pruned");
    if (o && o.values && o.values.some((x) => x && (x.nan || x.inf))) cls.push("nonfinite");
    let shape;
    const fill = fillOf(key, v);
    if (isScope) {
      const b = { x: r.x - 2, y: r.y + 2, w: r.w - 5, h: r.h - 5 };
      shape = `<rect class="shadow" x="${b.x - b.w / 2 + 5}" y="${b.y - b.h / 2 - 5}" width="${b.w}" height="${b.h}" fill="${fill}" stroke="#4d5566"/>` +
        `<rect class="shape" x="${b.x - b.w / 2}" y="${b.y - b.h / 2}" width="${b.w}" height="${b.h}" fill="${fill}"/>`;
    } else {
      shape = shapePath(o.k, r).replace('class="shape"', `class="shape" fill="${fill}"`);
    }
    const cy = r.y + (isScope ? 2 : o.k === "variable" ? 4 : 0) - (t.val ? VAL_H / 2 : 0);
    let text = `<text x="${r.x}" y="${cy - (t.sub ? 6 : 0)}">${esc(t.label)}</text>`;
    if (t.sub) text += `<text class="sub" x="${r.x}" y="${cy + 8}">${esc(t.sub)}</text>`;
    if (t.val) text += `<text class="val${t.val.bad ? " bad" : ""}" x="${r.x}" y="${cy + (t.sub ? 21 : 14)}">${esc(t.val.text)}</text>`;
    const what = isScope ? `name scope ${key.slice(1)}, ${ms.length} ops, closed` : `${o.t} ${o.n}`;
    return `<g class="${cls.join(" ")}" data-key="${esc(key)}" role="button" tabindex="0" aria-label="${esc(what)}">${shape}${text}</g>`;
  }

  function boxMarkup(scope, r, v) {
    const ms = v.members;
    let pruned = !!RUN;
    if (RUN) for (const [key, list] of ms) if (inside(key, v, scope) && list.some((i) => OPS[i].state !== "pruned")) { pruned = false; break; }
    const x0 = r.x - r.w / 2, y0 = r.y - r.h / 2;
    return `<g class="box${pruned ? " pruned" : ""}" data-key="s${esc(scope)}"><rect x="${x0}" y="${y0}" width="${r.w}" height="${r.h}" rx="10"/>` +
      `<text class="title" x="${x0 + 10}" y="${y0 + 15}">\u25BE ${esc(lastPart(scope))}</text></g>`;
  }

  function inside(key, v, scope) {
    for (let c = v.containerOf.get(key); c; c = SCOPES.get(c).parent) if (c === scope) return true;
    return false;
  }

  function edgePath(pts) {
    let d = `M${pts[0][0]},${pts[0][1]}`;
    for (let k = 1; k < pts.length; k++) {
      const [x0, y0] = pts[k - 1], [x1, y1] = pts[k], dy = Math.max(12, Math.abs(y1 - y0) / 2);
      d += `C${x0},${y0 + dy} ${x1},${y1 - dy} ${x1},${y1}`;
    }
    return d;
  }

  function edgeMarkup(e, v) {
    const a = v.abs.get(e.a), b = v.abs.get(e.b);
    const [c, id] = e.level;
    const lay = v.layouts.get(c), [ox, oy] = lay.origin;
    const mid = (lay.routes.get(id) || []).map(([x, y]) => [ox + x, oy + y]);
    const pts = [[a.x, a.y + a.h / 2]].concat(mid, [[b.x, b.y - b.h / 2 - 1]]);
    const cls = ["edge"];
    if (!e.data) cls.push("ctl");
    if (RUN && e.ops.every(([p, q]) => OPS[p].state === "pruned" || OPS[q].state === "pruned")) cls.push("pruned");
    const marker = e.data ? "url(#arrow)" : "url(#arrow-ctl)";
    const title = e.data + e.ctl > 1 ? `<title>${e.data} tensors, ${e.ctl} control</title>` : "";
    return `<path class="${cls.join(" ")}" data-edge="${esc(e.a + ">" + e.b)}" d="${edgePath(pts)}" marker-end="${marker}">${title}</path>`;
  }

  function render() {
    const t0 = performance.now();
    tip.hidden = true;
    const v = computeVisible();
    const levels = levelEdges(v);
    v.layouts = new Map();
    layoutContainer("", v, levels, v.layouts);
    v.abs = new Map();
    place("", 0, 0, v.layouts, v.abs);
    const boxes = [], nodes = [], edges = [];
    for (const [key, r] of v.abs) {
      if (key[0] === "s" && expanded.has(key.slice(1))) boxes.push(boxMarkup(key.slice(1), r, v));
      else nodes.push(nodeMarkup(key, r, v));
    }
    for (const e of v.edges.values()) if (e.level) edges.push(edgeMarkup(e, v));
    $("viewport").innerHTML = `<g class="boxes">${boxes.join("")}</g><g class="edges">${edges.join("")}</g><g class="nodes">${nodes.join("")}</g>`;
    V = v;
    applyStep();
    markSelected();
    window.minigraphExplorer.lastRenderMs = performance.now() - t0;
    window.minigraphExplorer.renders++;
  }

  // ---- view: pan and zoom --------------------------------------------------------------
  const svg = $("canvas");
  function applyView() { $("viewport").setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`); }
  // Fit the whole graph in the window; `readable` keeps labels legible (the first view of a
  // huge graph shows its top, centred, at a readable scale instead of a grey smear).
  function fit(readable) {
    const lay = V.layouts.get(""), W = svg.clientWidth, H = svg.clientHeight;
    let k = Math.min(1.2, (W - 40) / Math.max(1, lay.w), (H - 40) / Math.max(1, lay.h));
    if (readable === true) k = Math.max(k, 0.5);
    view = { k, x: (W - lay.w * k) / 2, y: Math.max(20, (H - lay.h * k) / 2) };
    applyView();
  }
  function zoomAt(factor, px, py) {
    const k = Math.min(4, Math.max(0.05, view.k * factor));
    view.x = px - (px - view.x) * (k / view.k);
    view.y = py - (py - view.y) * (k / view.k);
    view.k = k;
    applyView();
  }
  function centerOn(key) {
    const r = V.abs.get(key);
    if (!r) return;
    view.k = Math.max(view.k, 0.8);
    view.x = svg.clientWidth / 2 - r.x * view.k;
    view.y = svg.clientHeight / 2 - r.y * view.k;
    applyView();
  }
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const b = svg.getBoundingClientRect();
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - b.left, ev.clientY - b.top);
  }, { passive: false });
  let drag = null;
  svg.addEventListener("mousedown", (ev) => { drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false }; });
  window.addEventListener("mousemove", (ev) => {
    if (drag) {
      const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; svg.classList.add("dragging"); }
      if (drag.moved) { view.x = drag.vx + dx; view.y = drag.vy + dy; applyView(); }
    }
    tooltip(ev);
  });
  window.addEventListener("mouseup", () => { setTimeout(() => { drag = null; }, 0); svg.classList.remove("dragging"); });

  // ---- clicks: open / close scopes, select ops -----------------------------------------
  svg.addEventListener("click", (ev) => {
    if (drag && drag.moved) return;
    const g = ev.target.closest("[data-key]");
    if (!g) return;
    const key = g.getAttribute("data-key");
    if (key[0] === "s") {
      const scope = key.slice(1);
      if (expanded.has(scope)) {
        if (!ev.target.classList.contains("title")) return;
        collapse(scope);
      } else expanded.add(scope);
      render();
      return;
    }
    select(+key.slice(1));
  });
  svg.addEventListener("keydown", (ev) => { // Enter or Space on a focused node: a click
    const g = ev.target.closest && ev.target.closest("[data-key]");
    if (g && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); g.dispatchEvent(new MouseEvent("click", { bubbles: true })); }
  });
  svg.addEventListener("dblclick", (ev) => {
    const g = ev.target.closest(".node[data-key^='o']");
    if (!g) return;
    const o = OPS[+g.getAttribute("data-key").slice(1)];
    if (SCOPES.has(o.n) && !expanded.has(o.n)) { o.chain.forEach((s) => expanded.add(s)); render(); }
  });
  function collapse(scope) {
    for (const s of [...expanded]) if (s === scope || s.startsWith(scope + "/")) expanded.delete(s);
  }

  function reveal(i) {
    const o = OPS[i];
    o.chain.forEach((s) => { if (s !== o.n) expanded.add(s); });
    render();
    select(i);
    centerOn(V.vis[i]);
  }

  function select(i) {
    selected = i;
    markSelected();
    showDetails(i);
  }
  function markSelected() {
    document.querySelectorAll(".node.selected").forEach((n) => n.classList.remove("selected"));
    document.querySelectorAll(".edge.hot").forEach((n) => n.classList.remove("hot"));
    if (selected < 0 || !V) return;
    const key = V.vis[selected];
    const el = document.querySelector(`.node[data-key="${CSS.escape(key)}"]`);
    if (el) el.classList.add("selected");
    document.querySelectorAll(".edge").forEach((p) => {
      const [a, b] = p.getAttribute("data-edge").split(">");
      if (a === key || b === key) p.classList.add("hot");
    });
  }

  // ---- the details panel -----------------------------------------------------------------
  const link = (i, text) => `<a data-op="${i}">${esc(text || OPS[i].n)}</a>`;
  function valueRows(label, v) {
    if (!v) return `<tr><td>${esc(label)}</td><td>not computed in this run</td></tr>`;
    let s = `${esc(v.dtype)} ${esc(shapeText(v.shape))}`;
    if (v.min !== undefined) s += `<br>min ${fmt(v.min)} · max ${fmt(v.max)} · mean ${fmt(v.mean)}`;
    if (v.nan || v.inf) s += `<br><span class="bad">${v.nan} NaN, ${v.inf} Inf</span>`;
    if (v.full !== undefined) s += `<pre>${esc(v.full)}</pre>`;
    return `<tr><td>${esc(label)}</td><td>${s}</td></tr>`;
  }
  const STATES = { step: "ran as step", fed: "fed", folded: "folded into a constant when the plan was compiled",
    variable: "read from the variable", forwarded: "passes its input through unchanged (no step)",
    skipped: "needed, but no step runs it (a NoOp or a pass-through)",
    pruned: "pruned: this run does not need it",
    untaken: "in a tf.cond branch this run did not take: step skipped" };
  function showDetails(i) {
    const o = OPS[i];
    const rows = [["type", esc(o.t)], ["kind", esc(o.k)], ["role", esc(o.r) + " · " + esc(LEGEND_NAMES.get(o.h) || o.h)]];
    o.out.forEach(([dt, sh], k) => rows.push([o.out.length > 1 ? `output ${k}` : "dtype, shape", `${esc(dt)} ${esc(sh)}`]));
    if (!o.out.length) rows.push(["outputs", "none (run for its effect)"]);
    rows.push(["created at", `<code>${esc(o.site || "unknown")}</code>` + (o.code ? `<pre>${esc(o.code)}</pre>` : "")]);
    rows.push(["inputs", o.in.map(([p, name]) => p >= 0 ? link(p, name) : esc(name)).join("<br>") || "none"]);
    if (o.ctl.length) rows.push(["control inputs", o.ctl.map((p) => link(p)).join("<br>")]);
    rows.push(["consumers", [...new Set(o.cons)].map((c) => link(c)).join("<br>") || "none"]);
    const attrs = Object.entries(o.attrs);
    if (attrs.length) rows.push(["attributes", attrs.map(([k, val]) => `<code>${esc(k)}</code> = <code>${esc(val)}</code>`).join("<br>")]);
    let run = "";
    if (RUN) {
      const st = STATES[o.state] + (o.step >= 0 ? ` ${o.step + 1} of ${STEPS.length}` : "");
      run = `<h2>In this run</h2><table><tr><td>state</td><td class="state">${esc(st)}</td></tr>` +
        o.values.map((v, k) => o.state === "pruned" ? "" : valueRows(o.values.length > 1 ? `value ${k}` : "value", v)).join("") +
        (o.written ? valueRows("written by the run", o.written) : "") + "</table>";
    }
    $("details").innerHTML = `<h3 id="details-name">${esc(o.n)}</h3><table>` +
      rows.map(([k, val]) => `<tr><td>${k}</td><td>${val}</td></tr>`).join("") + `</table>${run}`;
  }
  $("details").addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-op]");
    if (a) reveal(+a.getAttribute("data-op"));
  });

  const tip = $("tooltip");
  function tooltip(ev) {
    const g = !drag && ev.target.closest && ev.target.closest("#canvas [data-key]");
    if (!g) { tip.hidden = true; return; }
    const key = g.getAttribute("data-key");
    let text;
    if (key[0] === "s") {
      const n = V.members.get(key) ? V.members.get(key).length : 0;
      text = expanded.has(key.slice(1)) ? `${key.slice(1)}: click its title to close` : `${key.slice(1)}: ${n} ops, click to open`;
    } else {
      const o = OPS[+key.slice(1)], v = o.values && o.values[0];
      text = `${o.n} (${o.t}) ${o.out.length ? o.out[0].join(" ") : ""}`;
      if (v && v.min !== undefined) text += ` | min ${fmt(v.min)} max ${fmt(v.max)} mean ${fmt(v.mean)}`;
    }
    tip.textContent = text;
    tip.hidden = false;
    tip.style.left = ev.clientX + 14 + "px";
    tip.style.top = ev.clientY + 14 + "px";
  }

  // ---- search ------------------------------------------------------------------------
  const list = $("matches");
  $("search").addEventListener("input", () => {
    const q = $("search").value.trim().toLowerCase();
    if (!q) { list.hidden = true; return; }
    const found = [];
    for (let i = 0; i < OPS.length && found.length < 30; i++) if (OPS[i].n.toLowerCase().includes(q)) found.push(i);
    list.innerHTML = found.map((i) => `<li data-op="${i}">${esc(OPS[i].n)} <small>${esc(OPS[i].t)}</small></li>`).join("") ||
      "<li>no op matches</li>";
    list.hidden = false;
  });
  $("search").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { const li = list.querySelector("li[data-op]"); if (li) { list.hidden = true; reveal(+li.getAttribute("data-op")); } }
    if (ev.key === "Escape") list.hidden = true;
  });
  list.addEventListener("click", (ev) => {
    const li = ev.target.closest("li[data-op]");
    if (li) { list.hidden = true; reveal(+li.getAttribute("data-op")); }
  });

  // ---- stepping through the run ----------------------------------------------------------
  function applyStep() {
    if (!RUN || !V) return;
    const cur = current >= 0 ? STEPS[current] : -1;
    document.querySelectorAll("#viewport .node").forEach((el) => {
      const ms = V.members.get(el.getAttribute("data-key")) || [];
      const steps = ms.map((i) => OPS[i].step).filter((s) => s >= 0);
      el.classList.toggle("current", cur >= 0 && ms.includes(cur));
      el.classList.toggle("done", current >= 0 && steps.length > 0 && Math.max(...steps) <= current && !ms.includes(cur));
    });
    $("step-range").value = String(current + 1);
    $("step-label").textContent = current < 0 ? `before step 1 of ${STEPS.length}`
      : `step ${current + 1} of ${STEPS.length}: ${OPS[cur].t} ${OPS[cur].n}`;
  }
  function setStep(k) {
    current = Math.max(-1, Math.min(STEPS.length - 1, k));
    applyStep();
    if (current >= 0) { selected = STEPS[current]; markSelected(); showDetails(selected); }
  }
  function play() {
    if (playTimer) { clearInterval(playTimer); playTimer = null; $("step-play").textContent = "Play"; return; }
    if (current >= STEPS.length - 1) setStep(-1);
    $("step-play").textContent = "Pause";
    playTimer = setInterval(() => { if (current >= STEPS.length - 1) play(); else setStep(current + 1); }, 450);
  }
  if (RUN) {
    $("stepper").hidden = false;
    $("step-range").max = String(STEPS.length);
    $("step-first").onclick = () => setStep(-1);
    $("step-prev").onclick = () => setStep(current - 1);
    $("step-next").onclick = () => setStep(current + 1);
    $("step-last").onclick = () => setStep(STEPS.length - 1);
    $("step-play").onclick = play;
    $("step-range").oninput = () => setStep(+$("step-range").value - 1);
    window.addEventListener("keydown", (ev) => { // arrow keys step, unless typing
      if (ev.target.tagName === "INPUT" && ev.target.type !== "range") return;
      if (ev.key === "ArrowRight") { ev.preventDefault(); setStep(current + 1); }
      if (ev.key === "ArrowLeft") { ev.preventDefault(); setStep(current - 1); }
    });
  }

  // ---- legend and toolbar --------------------------------------------------------------
  function legend() {
    const used = new Set(OPS.map((o) => o.h));
    let s = "<h2>Colours</h2>" + DATA.legend.filter(([h]) => used.has(h))
      .map(([h, label]) => `<div><span class="sw" style="background:${COLORS[h]}"></span>${esc(label)}</div>`).join("");
    if (RUN) s += `<div><span class="sw" style="background:#eceef1;opacity:.5"></span>pruned (not run)</div>` +
      `<div><span class="sw" style="border:3px solid #e07b00"></span>current step</div>`;
    if (SCOPES.size) s += `<div><span class="sw" style="background:#fff"></span>&#x25A3; closed scope: click</div>`;
    $("legend").innerHTML = s;
  }
  $("fit").onclick = () => fit(false);
  $("zoom-in").onclick = () => zoomAt(1.25, svg.clientWidth / 2, svg.clientHeight / 2);
  $("zoom-out").onclick = () => zoomAt(0.8, svg.clientWidth / 2, svg.clientHeight / 2);
  $("expand-all").onclick = () => { SCOPES.forEach((_, s) => expanded.add(s)); render(); fit(true); };
  $("collapse-all").onclick = () => { expanded.clear(); render(); fit(true); };

  window.minigraphExplorer = { renders: 0, lastRenderMs: 0, loadMs: 0, ops: OPS.length,
    state: () => ({ expanded: [...expanded], selected: selected >= 0 ? OPS[selected].n : null,
      step: current, view: { ...view } }) };
  legend();
  render();
  fit(true);
  window.minigraphExplorer.loadMs = performance.now() - T0;
  document.body.setAttribute("data-ready", "1");
})();
