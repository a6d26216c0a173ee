// NXG multi-layer viewer: a Work's registered image layers (photograph, infrared, X-ray and UV
// images, restored and style-transferred versions, RTI normals and capture photos; a large or
// TIFF master arrives as a right-sized IIIF rendition) drawn into one canvas in the same
// frame and compared by swipe (a vertical split the slider moves), side by side, or opacity (the
// slider fades the top layer over the base). Each selected layer's provenance is shown beside.

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load ${url}`));
    img.src = url;
  });
}

function option(layer, kinds) {
  const opt = document.createElement("option");
  opt.value = layer.id;
  opt.textContent = `${layer.title} (${kinds[layer.kind] || layer.kind})`;
  return opt;
}

function describe(section, layer, labels, kinds) {
  section.replaceChildren();
  const h = document.createElement("h3");
  const link = document.createElement("a");
  link.href = `/page/item/${encodeURIComponent(layer.id)}`;
  link.textContent = layer.title;
  h.append(link);
  const dl = document.createElement("dl");
  const row = (term, value) => {
    if (!value) return;
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    dl.append(dt, dd);
  };
  row("", kinds[layer.kind] || layer.kind);
  row(labels.instance, layer.instance && (layer.instance.title || layer.instance.id));
  row(labels.project, layer.project && layer.project.title);
  row(labels.method, layer.method);
  const params = layer.parameters && Object.keys(layer.parameters).length ? JSON.stringify(layer.parameters) : "";
  row(labels.parameters, params);
  row(labels.source, (layer.derived_from || []).map((s) => s.split("/").pop()).join(", "));
  section.append(h, dl);
}

async function start(figure) {
  const data = await (await fetch(figure.dataset.layers)).json();
  let layers = data.layers;
  if (!layers.length) throw new Error("no image layers");
  const d = figure.dataset;
  const labels = {
    method: d.labelMethod,
    source: d.labelSource,
    project: d.labelProject,
    instance: d.labelInstance,
    parameters: d.labelParameters,
  };
  const kinds = {
    photograph: d.kindPhotograph,
    derived: d.kindDerived,
    "rti-capture": d.kindRtiCapture,
    "rti-normals": d.kindRtiNormals,
    "infrared-reflectography": d.kindInfraredReflectography,
    "x-radiography": d.kindXRadiography,
    "uv-fluorescence": d.kindUvFluorescence,
  };
  const images = new Map();
  // a layer that cannot be drawn (a pyramid still being cut answers 503) is left out, not fatal
  const loaded = await Promise.allSettled(layers.map(async (layer) => images.set(layer.id, await loadImage(layer.href))));
  const missing = loaded.filter((r) => r.status === "rejected").map((r) => r.reason.message);
  if (missing.length) figure.dataset.missing = missing.join("; ");
  layers = layers.filter((layer) => images.has(layer.id));
  if (!layers.length) throw new Error("no layer could be loaded");
  const canvas = figure.querySelector(".nxg-canvas");
  const ctx = canvas.getContext("2d");
  const selectA = figure.querySelector(".nxg-a");
  const selectB = figure.querySelector(".nxg-b");
  layers.forEach((layer) => {
    selectA.append(option(layer, kinds));
    selectB.append(option(layer, kinds));
  });
  selectA.value = layers[0].id;
  // compare the original with the most different kind of layer by default
  selectB.value = (layers.find((l) => l.kind !== layers[0].kind) || layers[layers.length - 1]).id;
  const slider = figure.querySelector(".nxg-slider");
  const metaA = figure.querySelector(".nxg-meta-a");
  const metaB = figure.querySelector(".nxg-meta-b");
  const base = images.get(layers[0].id);
  // the frame takes the first layer's proportions (registered layers share its geometry)
  const longest = Math.max(base.naturalWidth, base.naturalHeight);
  const scale = Math.min(640, longest) / longest;
  const fw = Math.max(1, Math.round(base.naturalWidth * scale));
  const fh = Math.max(1, Math.round(base.naturalHeight * scale));
  const state = { mode: "swipe" };
  // a layer of other proportions is fitted inside the frame, centred, never stretched
  const fit = (img, x0) => {
    const k = Math.min(fw / img.naturalWidth, fh / img.naturalHeight);
    const w = img.naturalWidth * k;
    const h = img.naturalHeight * k;
    ctx.drawImage(img, x0 + (fw - w) / 2, (fh - h) / 2, w, h);
  };

  const draw = () => {
    const a = images.get(selectA.value);
    const b = images.get(selectB.value);
    const t = Number(slider.value) / 100;
    const side = state.mode === "side";
    const width = side ? fw * 2 : fw;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== fh) canvas.height = fh;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (side) {
      fit(a, 0);
      fit(b, fw);
    } else if (state.mode === "opacity") {
      ctx.globalAlpha = 1;
      fit(a, 0);
      ctx.globalAlpha = t;
      fit(b, 0);
      ctx.globalAlpha = 1;
    } else {
      const split = Math.round(fw * t);
      fit(a, 0);
      ctx.save();
      ctx.beginPath();
      ctx.rect(split, 0, fw - split, fh);
      ctx.clip();
      fit(b, 0);
      ctx.restore();
      ctx.fillStyle = "rgba(255,255,255,0.9)";
      ctx.fillRect(split - 1, 0, 2, fh);
    }
    slider.disabled = side;
    describe(metaA, layers.find((l) => l.id === selectA.value), labels, kinds);
    describe(metaB, layers.find((l) => l.id === selectB.value), labels, kinds);
    figure.dataset.mode = state.mode;
    figure.dataset.frames = String(Number(figure.dataset.frames || 0) + 1);
  };

  figure.querySelectorAll('input[type="radio"]').forEach((input) =>
    input.addEventListener("change", () => {
      state.mode = input.value;
      draw();
    }),
  );
  slider.addEventListener("input", draw);
  selectA.addEventListener("change", draw);
  selectB.addEventListener("change", draw);
  // dragging on the picture moves the swipe line (or the opacity) directly
  let dragging = false;
  const fromPointer = (e) => {
    if (state.mode === "side") return;
    const box = canvas.getBoundingClientRect();
    slider.value = String(Math.round(Math.max(0, Math.min(1, (e.clientX - box.left) / box.width)) * 100));
    draw();
  };
  canvas.addEventListener("pointerdown", (e) => {
    dragging = true;
    fromPointer(e);
  });
  canvas.addEventListener("pointermove", (e) => dragging && fromPointer(e));
  canvas.addEventListener("pointerup", () => {
    dragging = false;
  });
  draw();
  figure.dataset.ready = "true";
}

for (const figure of document.querySelectorAll(".nxg-viewer[data-layers]")) {
  start(figure).catch((err) => {
    figure.dataset.error = String(err);
  });
}
