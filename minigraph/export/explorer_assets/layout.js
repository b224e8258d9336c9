/* minigraph explorer: the layered (Sugiyama-style) layout of one graph of boxes.
 * MinigraphLayout.layered(keys, sizes, edges) places boxes of the given sizes in rows so that
 * edges point down: cycles broken by reversing DFS back edges, rows by longest path from the
 * inputs with each node moved down to just above its first consumer, edges longer than one
 * row bent through dummy points, the order in each row from barycentre sweeps, and x by
 * isotonic regression towards the neighbours. No DOM, no globals besides MinigraphLayout. */
var MinigraphLayout = (function () {
  "use strict";
  const GAP_X = 20, GAP_Y = 34, DUMMY_W = 6, MAX_DUMMIES = 20000, SWEEPS = 8;
  const COUNT_LIMIT = 4000; // bigger rows: sweep without counting crossings (speed)

  function layered(keys, sizes, edgeMap) {
    const n = keys.length, idx = new Map(keys.map((k, i) => [k, i]));
    const E = [...edgeMap.entries()].map(([id, e]) => ({ id, u: idx.get(e.a), v: idx.get(e.b), rev: false }));
    breakCycles(n, E);
    const rank = assignRanks(n, E);
    const nodes = keys.map((k, i) => ({ w: sizes[i].w, h: sizes[i].h, rank: rank[i], order: i, pred: [], succ: [] }));
    let dummies = 0;
    for (const e of E) {
      let s = e.rev ? e.v : e.u;
      const t = e.rev ? e.u : e.v;
      e.chain = [];
      const span = nodes[t].rank - nodes[s].rank;
      if (span > 1 && dummies + span < MAX_DUMMIES) {
        for (let r = nodes[s].rank + 1; r < nodes[t].rank; r++) {
          const d = nodes.length;
          nodes.push({ w: DUMMY_W, h: 0, rank: r, order: nodes[s].order, pred: [s], succ: [], dummy: true });
          nodes[s].succ.push(d);
          e.chain.push(d);
          s = d;
          dummies++;
        }
      }
      nodes[s].succ.push(t);
      nodes[t].pred.push(s);
      if (e.rev) e.chain.reverse();
    }
    const layers = orderLayers(nodes);
    const { width, height } = placeNodes(nodes, layers);
    const pos = new Map(keys.map((k, i) => [k, nodes[i]]));
    const routes = new Map(E.map((e) => [e.id, e.chain.map((d) => [nodes[d].x, nodes[d].y])]));
    return { pos, routes, w: width, h: height };
  }

  function breakCycles(n, E) {
    const out = Array.from({ length: n }, () => []);
    E.forEach((e, j) => out[e.u].push(j));
    const state = new Uint8Array(n);
    for (let s = 0; s < n; s++) {
      if (state[s]) continue;
      const stack = [[s, 0]];
      state[s] = 1;
      while (stack.length) {
        const top = stack[stack.length - 1];
        if (top[1] >= out[top[0]].length) { state[top[0]] = 2; stack.pop(); continue; }
        const e = E[out[top[0]][top[1]++]];
        if (state[e.v] === 1) e.rev = true;
        else if (state[e.v] === 0) { state[e.v] = 1; stack.push([e.v, 0]); }
      }
    }
  }

  function assignRanks(n, E) {
    const succ = Array.from({ length: n }, () => []), indeg = new Int32Array(n);
    for (const e of E) {
      const [s, t] = e.rev ? [e.v, e.u] : [e.u, e.v];
      if (s === t) continue;
      succ[s].push(t);
      indeg[t]++;
    }
    const rank = new Int32Array(n), topo = [];
    for (let i = 0; i < n; i++) if (!indeg[i]) topo.push(i);
    for (let q = 0; q < topo.length; q++) {
      const u = topo[q];
      for (const t of succ[u]) {
        rank[t] = Math.max(rank[t], rank[u] + 1);
        if (--indeg[t] === 0) topo.push(t);
      }
    }
    for (let q = topo.length - 1; q >= 0; q--) { // each op just above its first consumer
      const u = topo[q];
      if (succ[u].length) rank[u] = Math.min(...succ[u].map((t) => rank[t])) - 1;
    }
    const low = n ? Math.min(...rank) : 0;
    return Array.from(rank, (r) => r - low);
  }

  function orderLayers(nodes) {
    const layers = [];
    nodes.forEach((nd, i) => { (layers[nd.rank] = layers[nd.rank] || []).push(i); });
    for (let r = 0; r < layers.length; r++) layers[r] = layers[r] || [];
    layers.forEach((layer) => layer.sort((a, b) => nodes[a].order - nodes[b].order)
      .forEach((i, k) => { nodes[i].order = k; }));
    const counting = nodes.length <= COUNT_LIMIT;
    let best = counting ? { count: crossings(nodes, layers), layers: layers.map((l) => l.slice()) }
      : { count: Infinity, layers };
    for (let sweep = 0; sweep < SWEEPS && best.count > 0; sweep++) {
      const down = sweep % 2 === 0;
      const range = down ? layers.map((_, r) => r).slice(1) : layers.map((_, r) => r).reverse().slice(1);
      for (const r of range) {
        const bary = new Map();
        for (const i of layers[r]) {
          const nb = down ? nodes[i].pred : nodes[i].succ;
          bary.set(i, nb.length ? nb.reduce((s, j) => s + nodes[j].order, 0) / nb.length
            : nodes[i].order * (layers[r + (down ? -1 : 1)].length / Math.max(1, layers[r].length)));
        }
        layers[r].sort((a, b) => bary.get(a) - bary.get(b) || nodes[a].order - nodes[b].order);
        layers[r].forEach((i, k) => { nodes[i].order = k; });
      }
      if (!counting) continue;
      const count = crossings(nodes, layers);
      if (count < best.count) best = { count, layers: layers.map((l) => l.slice()) };
    }
    if (!counting) return layers;
    best.layers.forEach((layer) => layer.forEach((i, k) => { nodes[i].order = k; }));
    return best.layers;
  }

  // Edge crossings between all adjacent rows: inversions of the lower ends once the edges
  // are sorted by their upper ends, counted with a Fenwick tree (E log V).
  function crossings(nodes, layers) {
    let total = 0;
    for (let r = 0; r + 1 < layers.length; r++) {
      const pairs = [];
      for (const i of layers[r]) for (const j of nodes[i].succ) pairs.push([nodes[i].order, nodes[j].order]);
      pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
      const size = layers[r + 1].length + 1, tree = new Int32Array(size + 1);
      pairs.forEach(([, v], seen) => {
        let below = 0;
        for (let k = v + 1; k > 0; k -= k & -k) below += tree[k];
        total += seen - below; // earlier edges ending right of v cross this one
        for (let k = v + 1; k <= size; k += k & -k) tree[k]++;
      });
    }
    return total;
  }

  // x: each layer keeps its order and spacing while moving each node as close as possible to
  // the mean x of its neighbours (isotonic regression by pool-adjacent-violators); y: rows.
  function placeNodes(nodes, layers) {
    layers.forEach((layer) => {
      let x = 0;
      layer.forEach((i) => { nodes[i].x = x + nodes[i].w / 2; x += nodes[i].w + GAP_X; });
    });
    for (let it = 0; it < 10; it++) {
      const down = it % 2 === 0, both = it >= 8;
      const rs = layers.map((_, r) => r);
      for (const r of down ? rs : rs.reverse()) {
        const layer = layers[r];
        const want = layer.map((i) => {
          const nb = both ? nodes[i].pred.concat(nodes[i].succ) : down ? nodes[i].pred : nodes[i].succ;
          return nb.length ? nb.reduce((s, j) => s + nodes[j].x, 0) / nb.length : nodes[i].x;
        });
        pav(layer.map((i) => nodes[i]), want);
      }
    }
    let minX = Infinity, maxX = -Infinity, y = 0;
    nodes.forEach((nd) => { minX = Math.min(minX, nd.x - nd.w / 2); maxX = Math.max(maxX, nd.x + nd.w / 2); });
    layers.forEach((layer) => {
      const h = Math.max(8, ...layer.map((i) => nodes[i].h));
      layer.forEach((i) => { nodes[i].x -= minX; nodes[i].y = y + h / 2; });
      y += h + GAP_Y;
    });
    return { width: nodes.length ? maxX - minX : 0, height: Math.max(0, y - GAP_Y) };
  }

  function pav(row, want) {
    const offsets = [0];
    for (let k = 1; k < row.length; k++) {
      const gap = row[k].dummy || row[k - 1].dummy ? GAP_X / 3 : GAP_X;
      offsets.push(offsets[k - 1] + (row[k - 1].w + row[k].w) / 2 + gap);
    }
    const blocks = [];
    want.forEach((w, k) => {
      let b = { sum: w - offsets[k], n: 1, start: k };
      while (blocks.length && blocks[blocks.length - 1].sum / blocks[blocks.length - 1].n >= b.sum / b.n) {
        const p = blocks.pop();
        b = { sum: p.sum + b.sum, n: p.n + b.n, start: p.start };
      }
      blocks.push(b);
    });
    for (const b of blocks) {
      for (let k = b.start; k < b.start + b.n; k++) row[k].x = b.sum / b.n + offsets[k];
    }
  }

  return { layered };
})();
