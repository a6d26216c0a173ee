// Similarity explorer: the collection's embedding map (/api/map) drawn on a plain canvas, coloured
// by era; an uploaded (or picked) image goes to /api/similar/image, which answers with its map
// position, nearest works, attribute probabilities and representatives. Labels come from the page.
const root = document.getElementById("similar-explorer");
const lang = root.dataset.lang || "en";
const MSG = {
  en: { loading: "Embedding the image…", failed: "Failed", choose: "Choose an image or a collection item.", done: "Nearest works found in", map: "Loading the map…", empty: "No embeddings yet: run `heritage embed`.", unknown: "other", you: "your image" },
  ko: { loading: "이미지를 임베딩하는 중…", failed: "실패", choose: "이미지나 소장품을 고르세요.", done: "검색 시간", map: "지도를 불러오는 중…", empty: "임베딩이 없습니다: `heritage embed`를 실행하세요.", unknown: "기타", you: "올린 이미지" },
}[lang];
const UPLOAD_COLOUR = "#e4002b"; // the upload's marker: a colour no era gets
const PALETTE = ["#3f7f6f", "#1982c4", "#6a4c93", "#b5651d", "#8ac926", "#ffb000", "#5e548e", "#00a6a6", "#9c6644", "#577590", "#43aa8b", "#f3722c"];
const labels = JSON.parse(document.getElementById("concept-labels").textContent);
const attrNames = JSON.parse(document.getElementById("attribute-names").textContent);
const canvas = document.getElementById("similar-map");
const ctx2d = canvas.getContext("2d");
const status = document.getElementById("similar-status");
const tip = document.getElementById("map-tip");
let points = [];
let query = null; // {position, neighbours}
let colourOf = new Map();
let bounds = null;

function label(iri) {
  return labels[iri] || iri.split("/").pop();
}

function fitCanvas() {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 640;
  const height = Math.round(width * 0.72);
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.height = `${height}px`;
  ctx2d.setTransform(ratio, 0, 0, ratio, 0, 0);
}

function computeBounds() {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  if (query && query.position) { xs.push(query.position.x); ys.push(query.position.y); }
  const pad = (a, b) => Math.max((b - a) * 0.08, 1e-6);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  bounds = { x0: x0 - pad(x0, x1), x1: x1 + pad(x0, x1), y0: y0 - pad(y0, y1), y1: y1 + pad(y0, y1) };
}

function toScreen(x, y) {
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  return [((x - bounds.x0) / (bounds.x1 - bounds.x0)) * w, h - ((y - bounds.y0) / (bounds.y1 - bounds.y0)) * h];
}

function draw() {
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  ctx2d.fillStyle = "#fffdf9";
  ctx2d.fillRect(0, 0, w, h);
  if (!points.length) return;
  computeBounds();
  ctx2d.strokeStyle = "#eee7da";
  for (let i = 1; i < 4; i += 1) {
    ctx2d.beginPath(); ctx2d.moveTo((w * i) / 4, 0); ctx2d.lineTo((w * i) / 4, h); ctx2d.stroke();
    ctx2d.beginPath(); ctx2d.moveTo(0, (h * i) / 4); ctx2d.lineTo(w, (h * i) / 4); ctx2d.stroke();
  }
  const near = new Set(query ? query.neighbours.map((n) => n.id) : []);
  if (query && query.position) {
    const [qx, qy] = toScreen(query.position.x, query.position.y);
    ctx2d.strokeStyle = "rgba(228, 0, 43, 0.35)";
    ctx2d.lineWidth = 1;
    for (const p of points.filter((pt) => near.has(pt.id))) {
      const [px, py] = toScreen(p.x, p.y);
      ctx2d.beginPath(); ctx2d.moveTo(qx, qy); ctx2d.lineTo(px, py); ctx2d.stroke();
    }
  }
  for (const p of points) {
    const [x, y] = toScreen(p.x, p.y);
    ctx2d.beginPath();
    ctx2d.arc(x, y, near.has(p.id) ? 7 : 5, 0, Math.PI * 2);
    ctx2d.fillStyle = colourOf.get(p.era || "") || "#999";
    ctx2d.fill();
    if (near.has(p.id)) { ctx2d.lineWidth = 2; ctx2d.strokeStyle = "#222"; ctx2d.stroke(); }
  }
  if (query && query.position) {
    const [qx, qy] = toScreen(query.position.x, query.position.y);
    ctx2d.beginPath();
    ctx2d.arc(qx, qy, 11, 0, Math.PI * 2);
    ctx2d.fillStyle = UPLOAD_COLOUR;
    ctx2d.fill();
    ctx2d.lineWidth = 3;
    ctx2d.strokeStyle = "#fff";
    ctx2d.stroke();
    ctx2d.font = "bold 13px system-ui, sans-serif";
    ctx2d.fillStyle = "#222";
    ctx2d.textAlign = qx > w - 120 ? "right" : "left";
    ctx2d.fillText(MSG.you, qx + (qx > w - 120 ? -16 : 16), qy + 4);
  }
}

function legend() {
  const eras = [...new Set(points.map((p) => p.era || ""))].sort();
  colourOf = new Map(eras.map((era, i) => [era, PALETTE[i % PALETTE.length]]));
  const list = document.getElementById("map-legend");
  list.replaceChildren();
  for (const era of eras) {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = colourOf.get(era);
    li.append(sw, document.createTextNode(era || MSG.unknown));
    list.append(li);
  }
}

async function loadMap() {
  status.textContent = MSG.map;
  const res = await fetch("/api/map");
  if (!res.ok) { status.textContent = `${MSG.failed}: ${res.status}`; return; }
  const body = await res.json();
  points = body.points;
  document.getElementById("similar-encoder-id").textContent = `(${body.encoder})`;
  legend();
  fitCanvas();
  draw();
  status.textContent = points.length ? "" : MSG.empty;
  root.dataset.mapPoints = String(points.length);
}

function thumb(id, title, extra) {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = `/page/work/${encodeURIComponent(id)}`;
  const img = document.createElement("img");
  img.src = `/explore/thumb/${encodeURIComponent(id)}`;
  img.alt = "";
  img.loading = "lazy";
  const span = document.createElement("span");
  span.textContent = title || id;
  a.append(img, span);
  li.append(a);
  if (extra) {
    const note = document.createElement("span");
    note.className = "meta";
    note.textContent = extra;
    li.append(note);
  }
  return li;
}

function showResults(body) {
  const list = document.getElementById("similar-neighbours");
  list.replaceChildren(...body.neighbours.map((n) => thumb(n.id, n.title, `${(n.score * 100).toFixed(1)}% · ${[n.era, n.material].filter(Boolean).join(" · ")}`)));
  const attrs = document.getElementById("similar-attributes");
  attrs.replaceChildren();
  for (const [attr, ranked] of Object.entries(body.attributes)) {
    const h = document.createElement("h3");
    h.textContent = attrNames[attr] || attr;
    attrs.append(h);
    for (const { value, probability } of ranked) {
      const row = document.createElement("div");
      row.className = "prob";
      const name = document.createElement("span");
      name.className = "prob-label";
      name.textContent = label(value);
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.setProperty("--p", `${(probability * 100).toFixed(1)}%`);
      const num = document.createElement("span");
      num.className = "prob-value";
      num.textContent = `${Math.round(probability * 100)}%`;
      row.append(name, bar, num);
      attrs.append(row);
    }
  }
  const reps = document.getElementById("similar-representatives");
  reps.replaceChildren();
  const titles = new Map(body.neighbours.map((n) => [n.id, n.title]));
  for (const [attr, ids] of Object.entries(body.representatives)) {
    const top = body.attributes[attr] && body.attributes[attr][0];
    const h = document.createElement("h3");
    h.textContent = `${attrNames[attr] || attr}: ${top ? label(top.value) : ""}`;
    const ul = document.createElement("ul");
    ul.className = "neighbours compact";
    ul.append(...ids.map((id) => thumb(id, titles.get(id))));
    reps.append(h, ul);
  }
}

async function imageBlob(form) {
  const file = form.elements.image.files[0];
  if (file) return file;
  const option = form.elements.work.selectedOptions[0];
  if (option && option.value) {
    const res = await fetch(option.dataset.url);
    if (res.ok) return new File([await res.blob()], `${option.value}.png`, { type: res.headers.get("content-type") || "image/png" });
  }
  return null;
}

async function runQuery(form) {
  const blob = await imageBlob(form);
  if (!blob) { status.textContent = MSG.choose; return; }
  status.textContent = MSG.loading;
  const preview = document.getElementById("similar-query-img");
  preview.src = URL.createObjectURL(blob);
  document.getElementById("similar-query").hidden = false;
  const data = new FormData();
  data.append("image", blob, blob.name || "upload.png");
  const res = await fetch("/api/similar/image?k=8", { method: "POST", body: data });
  let body = {};
  try { body = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) { status.textContent = `${MSG.failed}: ${body.detail || res.status}`; return; }
  query = body;
  document.getElementById("similar-encoder-id").textContent = `(${body.encoder})`;
  draw();
  showResults(body);
  status.textContent = `${MSG.done} ${body.elapsed_ms} ms`;
  root.dataset.queried = "true";
}

const form = document.getElementById("similar-form");
form.addEventListener("submit", (event) => { event.preventDefault(); runQuery(form); });

canvas.addEventListener("mousemove", (event) => {
  if (!points.length) return;
  const rect = canvas.getBoundingClientRect();
  const mx = event.clientX - rect.left;
  const my = event.clientY - rect.top;
  let best = null;
  let bestD = 100;
  for (const p of points) {
    const [x, y] = toScreen(p.x, p.y);
    const d = (x - mx) ** 2 + (y - my) ** 2;
    if (d < bestD) { best = p; bestD = d; }
  }
  tip.hidden = !best;
  if (best) tip.textContent = `${best.title} · ${best.era || ""} · ${best.material || ""}`;
  canvas.style.cursor = best ? "pointer" : "default";
  canvas.dataset.hover = best ? best.id : "";
});
canvas.addEventListener("click", () => {
  if (canvas.dataset.hover) window.location.href = `/page/work/${encodeURIComponent(canvas.dataset.hover)}`;
});
window.addEventListener("resize", () => { fitCanvas(); draw(); });

loadMap().then(() => {
  if (form.elements.work.value) runQuery(form);
});
