// Graph explorer: Cytoscape (vendored from npm) over the graph API. Start from one entity, click a
// node to fetch and add its neighbours, colour nodes by layer, filter edges by relation and nodes
// by layer, and show clusters of related Works (compound nodes) from /api/graph/clusters.
import cytoscape from "/static/vendor/cytoscape.esm.min.js";

const root = document.getElementById("graph-explorer");
const lang = root.dataset.lang || "en";
const MSG = {
  en: { loading: "Loading…", failed: "Could not load the graph", expanded: "Added", none: "No new neighbours", clusters: "clusters", pick: "Search for an object, or show the clusters." },
  ko: { loading: "불러오는 중…", failed: "그래프를 불러오지 못했습니다", expanded: "추가됨", none: "새 이웃이 없습니다", clusters: "군집", pick: "유물을 검색하거나 군집을 보세요." },
}[lang];
const COLOURS = {
  work: "#b5651d", project: "#6a4c93", instance: "#1982c4", item: "#8ac926",
  concept: "#3f7f6f", agent: "#c0392b", museum: "#ff595e", resource: "#999999",
};
const KIND_LABELS = JSON.parse(document.getElementById("kind-labels").textContent);
const status = document.getElementById("graph-status");
const expanded = new Set();

const cy = cytoscape({
  container: document.getElementById("graph-canvas"),
  wheelSensitivity: 0.3,
  minZoom: 0.15,
  maxZoom: 4,
  style: [
    { selector: "node", style: {
      "background-color": (n) => COLOURS[n.data("kind")] || COLOURS.resource,
      label: "data(short)", "font-size": 9, color: "#222", "text-valign": "bottom", "text-margin-y": 3,
      "text-wrap": "ellipsis", "text-max-width": 110, width: 18, height: 18,
      "border-width": 1, "border-color": "#fff" } },
    { selector: "node[kind = 'work']", style: { width: 26, height: 26, shape: "round-rectangle" } },
    { selector: "node[kind = 'concept']", style: { shape: "diamond" } },
    { selector: "node[kind = 'item']", style: { shape: "round-tag" } },
    { selector: "node[kind = 'museum'], node[kind = 'agent']", style: { shape: "hexagon" } },
    { selector: "node.expanded", style: { "border-width": 3, "border-color": "#222" } },
    { selector: "node.start", style: { width: 34, height: 34 } },
    { selector: "node:selected", style: { "overlay-opacity": 0.15, "overlay-color": "#000" } },
    { selector: ":parent", style: {
      "background-color": "#efe9dd", "background-opacity": 0.6, "border-color": "#c8bfae",
      "border-width": 1, shape: "round-rectangle", label: "data(short)", "text-valign": "top", "font-size": 11 } },
    { selector: "edge", style: {
      width: 1.2, "line-color": "#b9b2a5", "target-arrow-color": "#b9b2a5",
      "target-arrow-shape": "triangle", "arrow-scale": 0.7, "curve-style": "bezier" } },
    { selector: "edge[type = 'SIMILAR_TO']", style: { "line-style": "dashed", "line-color": "#d9a441", "target-arrow-color": "#d9a441" } },
    { selector: "edge[type = 'PART_OF'], edge[type = 'REPRESENTS']", style: { "line-color": "#1982c4", "target-arrow-color": "#1982c4" } },
    { selector: "edge[type = 'DERIVED_FROM']", style: { "line-color": "#8ac926", "target-arrow-color": "#8ac926", width: 2 } },
    { selector: "edge.hover", style: { label: "data(type)", "font-size": 8, "text-rotation": "autorotate" } },
  ],
});
window.heritageGraph = cy; // for the browser tests and the curious

function shorten(text) {
  return text.length > 34 ? `${text.slice(0, 32)}…` : text;
}

function checkedRelations() {
  return [...document.querySelectorAll("#graph-relations input:checked")].map((el) => el.value);
}

function checkedLayers() {
  return [...document.querySelectorAll("#graph-layers input:checked")].map((el) => el.value);
}

function counts() {
  document.getElementById("graph-nodes").textContent = cy.nodes(":childless").length;
  document.getElementById("graph-edges").textContent = cy.edges().length;
}

function add(graph, cluster = false) {
  const before = cy.nodes(":childless").length;
  const elements = [];
  if (cluster) {
    const groups = new Set(graph.nodes.map((n) => n.cluster));
    for (const id of groups) {
      const head = graph.nodes.find((n) => n.id === id);
      elements.push({ group: "nodes", data: { id: `cluster:${id}`, kind: "cluster", short: shorten(head ? head.label : id) } });
    }
  }
  for (const n of graph.nodes) {
    const data = { id: n.id, label: n.label, short: shorten(n.label), kind: n.kind, page: n.page || "", file: n.file || "" };
    const known = cy.getElementById(n.id);
    if (known.nonempty()) {
      known.data({ label: data.label, short: data.short, kind: data.kind, page: data.page, file: data.file });
      continue;
    }
    if (cluster) data.parent = `cluster:${n.cluster}`;
    elements.push({ group: "nodes", data });
  }
  for (const e of graph.edges) {
    const id = `${e.source}|${e.type}|${e.target}`;
    if (cy.getElementById(id).nonempty()) continue;
    elements.push({ group: "edges", data: { id, source: e.source, target: e.target, type: e.type, score: e.props.score } });
  }
  cy.add(elements);
  applyFilter();
  counts();
  return cy.nodes(":childless").length - before;
}

function relayout(fit = true) {
  cy.layout({ name: "cose", animate: false, fit, padding: 30, nodeRepulsion: () => 9000, idealEdgeLength: () => 70, randomize: false }).run();
}

async function fetchJSON(url) {
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  if (!res.ok) {
    let detail = `${res.status}`;
    try { detail = (await res.json()).detail || detail; } catch { /* not JSON */ }
    throw new Error(detail);
  }
  return res.json();
}

function neighbourhoodUrl(iri) {
  const rels = checkedRelations().join(",");
  const layers = checkedLayers().join(",");
  return `/explore/graph-data/neighbourhood?iri=${encodeURIComponent(iri)}&depth=1&lang=${lang}`
    + `&relations=${encodeURIComponent(rels)}&layers=${encodeURIComponent(layers)}`;
}

async function expand(iri) {
  if (expanded.has(iri)) return 0;
  status.textContent = MSG.loading;
  try {
    const graph = await fetchJSON(neighbourhoodUrl(iri));
    expanded.add(iri);
    const added = add(graph);
    cy.getElementById(iri).addClass("expanded");
    relayout(cy.nodes().length < 40 || added > 10);
    status.textContent = added ? `${MSG.expanded}: ${added}` : MSG.none;
    root.dataset.expansions = String(expanded.size);
    return added;
  } catch (err) {
    status.textContent = `${MSG.failed}: ${err.message}`;
    return 0;
  }
}

// Kinds the layer filter does not govern (an IRI not yet typed, a cluster box) stay visible.
const FILTERED_KINDS = new Set([...document.querySelectorAll("#graph-layers input")].map((el) => el.value));

function applyFilter() {
  const rels = new Set(checkedRelations());
  const layers = new Set(checkedLayers());
  const shown = (n) => !FILTERED_KINDS.has(n.data("kind")) || layers.has(n.data("kind"));
  cy.batch(() => {
    cy.nodes(":childless").forEach((n) => { n.style("display", shown(n) ? "element" : "none"); });
    cy.edges().forEach((e) => {
      const on = rels.has(e.data("type")) && shown(e.source()) && shown(e.target());
      e.style("display", on ? "element" : "none");
    });
  });
}

// Layer change: drop the nodes of unticked layers (the start node is only hidden), then ask the
// server again for every expanded node's neighbours in the ticked layers, so a layer ticked back
// on returns with the nodes it holds.
async function changeLayers() {
  const layers = new Set(checkedLayers());
  const gone = cy.nodes(":childless").filter((n) => FILTERED_KINDS.has(n.data("kind"))
    && !layers.has(n.data("kind")) && !n.hasClass("start"));
  for (const n of gone) expanded.delete(n.id());
  cy.remove(gone);
  applyFilter();
  counts();
  root.dataset.layersReady = "false";
  let added = 0;
  if (layers.size) {
    status.textContent = MSG.loading;
    try {
      const graphs = await Promise.all([...expanded].map((iri) => fetchJSON(neighbourhoodUrl(iri))));
      for (const graph of graphs) added += add(graph);
      status.textContent = added ? `${MSG.expanded}: ${added}` : MSG.none;
    } catch (err) {
      status.textContent = `${MSG.failed}: ${err.message}`;
    }
  }
  if (added) relayout(false);
  root.dataset.layersReady = "true";
}

function showInfo(node) {
  const box = document.getElementById("graph-info");
  box.hidden = false;
  document.getElementById("graph-info-kind").textContent = KIND_LABELS[node.data("kind")] || node.data("kind");
  document.getElementById("graph-info-label").textContent = node.data("label");
  const page = document.getElementById("graph-info-page");
  page.hidden = !node.data("page");
  page.href = node.data("page") || "#";
  const file = document.getElementById("graph-info-file");
  file.hidden = !node.data("file");
  file.href = node.data("file") || "#";
  const iri = document.getElementById("graph-info-iri");
  iri.href = node.id();
  iri.textContent = node.id();
}

cy.on("tap", "node:childless", (evt) => {
  showInfo(evt.target);
  expand(evt.target.id());
});
cy.on("dbltap", "node:childless", (evt) => {
  if (evt.target.data("page")) window.location.href = evt.target.data("page");
});
cy.on("mouseover", "edge", (evt) => evt.target.addClass("hover"));
cy.on("mouseout", "edge", (evt) => evt.target.removeClass("hover"));
document.getElementById("graph-relations").addEventListener("change", applyFilter);
document.getElementById("graph-layers").addEventListener("change", changeLayers);

async function start(iri) {
  cy.elements().remove();
  expanded.clear();
  cy.add({ group: "nodes", data: { id: iri, label: iri, short: shorten(iri.split("/").pop()), kind: "resource" } });
  await expand(iri);
  cy.getElementById(iri).addClass("start");
  const node = cy.getElementById(iri);
  if (node.nonempty()) showInfo(node);
  root.dataset.ready = "true";
}

document.getElementById("graph-find").addEventListener("submit", async (event) => {
  event.preventDefault();
  const q = event.target.elements.q.value.trim();
  if (q.startsWith("http://") || q.startsWith("https://")) return start(q);
  const list = document.getElementById("graph-found");
  list.replaceChildren();
  try {
    const hits = await fetchJSON(`/explore/graph-data/find?q=${encodeURIComponent(q)}&lang=${lang}`);
    for (const hit of hits) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = hit.title || hit.id;
      button.addEventListener("click", () => { list.replaceChildren(); start(hit.iri); });
      li.append(button);
      list.append(li);
    }
  } catch (err) {
    status.textContent = `${MSG.failed}: ${err.message}`;
  }
});

document.getElementById("graph-clusters").addEventListener("click", async () => {
  status.textContent = MSG.loading;
  try {
    const graph = await fetchJSON("/api/graph/clusters?relations=HAS_MATERIAL,FROM_ERA");
    cy.elements().remove();
    expanded.clear();
    add(graph, true);
    relayout(true);
    status.textContent = `${new Set(graph.nodes.map((n) => n.cluster)).size} ${MSG.clusters}`;
    root.dataset.ready = "true";
  } catch (err) {
    status.textContent = `${MSG.failed}: ${err.message}`;
  }
});

if (root.dataset.start) start(root.dataset.start);
else {
  status.textContent = MSG.pick;
  root.dataset.ready = "true";
}
