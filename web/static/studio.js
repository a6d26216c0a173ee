// Restoration studio: load an image (upload, collection pick, or ?item=), paint or detect a damage
// mask on a canvas at the image's own resolution, run a restoration or style job through the job
// API (progress over server-sent events), compare before/after with a slider, and save the result
// as a derived Item (curators only: the admin session's CSRF token travels with the form).
const root = document.getElementById("studio");
const lang = document.documentElement.lang === "ko" ? "ko" : "en";
const MSG = {
  en: { loading: "Loading the image…", detecting: "Detecting damage…", noImage: "Pick or upload an image first.", queued: "Queued…", running: "Running", done: "Done", failed: "Failed", saving: "Saving…", saved: "Saved as", open: "open", work: "the work's page", needsItem: "Saving needs a collection item as the source (pick one).", size: "Result" },
  ko: { loading: "이미지를 불러오는 중…", detecting: "손상을 검출하는 중…", noImage: "먼저 이미지를 고르거나 올리세요.", queued: "대기 중…", running: "실행 중", done: "완료", failed: "실패", saving: "저장 중…", saved: "저장됨:", open: "열기", work: "유물 페이지", needsItem: "저장하려면 소장품 이미지를 원본으로 골라야 합니다.", size: "결과" },
}[lang];
const imageCanvas = document.getElementById("studio-image");
const maskCanvas = document.getElementById("studio-mask");
const mask2d = maskCanvas.getContext("2d", { willReadFrequently: true });
const status = document.getElementById("studio-status");
const bar = document.getElementById("studio-progress");
const saveButton = document.getElementById("studio-save");
const saved = document.getElementById("studio-saved");
const sourceForm = document.getElementById("studio-source");
const runForm = document.getElementById("studio-run");
const slider = document.getElementById("compare-slider");
let source = null; // {blob, url, item}
let lastJob = null;
let stream = null;

function say(text, ok = true) {
  status.textContent = text;
  status.className = ok ? "status-line" : "status-line error";
}

async function loadSource(blob, item) {
  say(MSG.loading);
  const bitmap = await createImageBitmap(blob);
  for (const c of [imageCanvas, maskCanvas]) { c.width = bitmap.width; c.height = bitmap.height; }
  imageCanvas.getContext("2d").drawImage(bitmap, 0, 0);
  mask2d.clearRect(0, 0, maskCanvas.width, maskCanvas.height);
  if (source) URL.revokeObjectURL(source.url);
  source = { blob, url: URL.createObjectURL(blob), item: item || "" };
  document.getElementById("studio-empty").hidden = true;
  document.getElementById("mask-stack").classList.add("loaded");
  document.getElementById("compare").hidden = true;
  lastJob = null;
  if (saveButton) saveButton.disabled = true;
  saved.textContent = "";
  countMask();
  say("");
  root.dataset.loaded = "true";
}

async function loadUrl(url, item) {
  const res = await fetch(url);
  if (!res.ok) { say(`${MSG.failed}: ${res.status}`, false); return; }
  await loadSource(await res.blob(), item);
}

sourceForm.elements.image.addEventListener("change", () => {
  const file = sourceForm.elements.image.files[0];
  if (file) { sourceForm.elements.pick.value = ""; loadSource(file, ""); }
});
sourceForm.elements.pick.addEventListener("change", () => {
  const option = sourceForm.elements.pick.selectedOptions[0];
  if (option && option.value) loadUrl(option.dataset.url, option.value);
});

// ---- the mask: red paint over the image, at the image's resolution -------------------------------
let painting = false;
let last = null;

function brushAt(event) {
  // A round-capped segment from the previous point, in one opaque colour on a layer whose CSS
  // opacity shows it translucent, so overlapping strokes do not darken and the mask stays binary.
  const rect = maskCanvas.getBoundingClientRect();
  const scale = maskCanvas.width / rect.width;
  const x = (event.clientX - rect.left) * scale;
  const y = (event.clientY - rect.top) * scale;
  const erase = document.querySelector("input[name=brush]:checked").value === "erase";
  mask2d.globalCompositeOperation = erase ? "destination-out" : "source-over";
  mask2d.strokeStyle = "rgb(255, 0, 0)";
  mask2d.lineWidth = Number(document.getElementById("brush-size").value) * scale;
  mask2d.lineCap = "round";
  mask2d.beginPath();
  mask2d.moveTo(...(last || [x, y]));
  mask2d.lineTo(x, y);
  mask2d.stroke();
  mask2d.globalCompositeOperation = "source-over";
  last = [x, y];
}

maskCanvas.addEventListener("pointerdown", (event) => {
  if (!source) return;
  painting = true;
  last = null;
  maskCanvas.setPointerCapture(event.pointerId);
  brushAt(event);
});
maskCanvas.addEventListener("pointermove", (event) => { if (painting) brushAt(event); });
maskCanvas.addEventListener("pointerup", () => { painting = false; countMask(); });
maskCanvas.addEventListener("pointercancel", () => { painting = false; countMask(); });

function maskPixels() {
  if (!maskCanvas.width) return 0;
  const { data } = mask2d.getImageData(0, 0, maskCanvas.width, maskCanvas.height);
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n += 1;
  return n;
}

function countMask() {
  document.getElementById("mask-pixels").textContent = maskPixels();
}

document.getElementById("mask-clear").addEventListener("click", () => {
  mask2d.clearRect(0, 0, maskCanvas.width, maskCanvas.height);
  countMask();
});

document.getElementById("mask-auto").addEventListener("click", async () => {
  if (!source) { say(MSG.noImage, false); return; }
  say(MSG.detecting);
  const form = new FormData();
  form.append("image", source.blob, "image.png");
  const res = await fetch("/studio/mask", { method: "POST", body: form });
  if (!res.ok) { say(`${MSG.failed}: ${res.status}`, false); return; }
  const bitmap = await createImageBitmap(await res.blob());
  const tmp = new OffscreenCanvas(maskCanvas.width, maskCanvas.height);
  const t2d = tmp.getContext("2d");
  t2d.drawImage(bitmap, 0, 0, maskCanvas.width, maskCanvas.height);
  const found = t2d.getImageData(0, 0, tmp.width, tmp.height);
  const current = mask2d.getImageData(0, 0, maskCanvas.width, maskCanvas.height);
  for (let i = 0; i < found.data.length; i += 4) {
    if (found.data[i] > 127) {
      current.data.set([255, 0, 0, 255], i);
    }
  }
  mask2d.putImageData(current, 0, 0);
  countMask();
  say("");
});

async function maskBlob() {
  const { data, width, height } = mask2d.getImageData(0, 0, maskCanvas.width, maskCanvas.height);
  const out = new ImageData(width, height);
  for (let i = 0; i < data.length; i += 4) {
    const v = data[i + 3] > 0 ? 255 : 0;
    out.data.set([v, v, v, 255], i);
  }
  const tmp = new OffscreenCanvas(width, height);
  tmp.getContext("2d").putImageData(out, 0, 0);
  return tmp.convertToBlob({ type: "image/png" });
}

// ---- jobs -----------------------------------------------------------------------------------------
async function startJob() {
  const [kind, method] = runForm.elements.method.value.split(":");
  const form = new FormData();
  form.append("image", source.blob, "image.png");
  form.append("method", method);
  let url = "/api/restore";
  if (kind === "style") {
    url = "/api/style";
    const res = await fetch(runForm.elements.style.value);
    if (!res.ok) throw new Error(`style image ${res.status}`);
    form.append("style", await res.blob(), "style.png");
    form.append("params", JSON.stringify({ steps: 40, size: 256 }));
  } else if (!["sr", "shadow"].includes(method) && maskPixels() > 0) {
    form.append("mask", await maskBlob(), "mask.png");
  }
  const res = await fetch(url, { method: "POST", body: form });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.detail || `${res.status}`);
  return body;
}

function follow(job) {
  if (stream) stream.close();
  bar.hidden = false;
  bar.value = 0;
  say(MSG.queued);
  stream = new EventSource(job.events_url);
  const update = (e) => {
    const snap = JSON.parse(e.data);
    bar.value = Math.round(snap.progress * 100);
    say(`${MSG.running} · ${bar.value}%`);
  };
  stream.addEventListener("progress", update);
  stream.addEventListener("done", async () => {
    stream.close();
    bar.value = 100;
    await showResult(job);
  });
  stream.addEventListener("failed", (e) => {
    stream.close();
    say(`${MSG.failed}: ${JSON.parse(e.data).message}`, false);
  });
}

async function showResult(job) {
  const res = await fetch(job.result_url);
  if (!res.ok) { say(`${MSG.failed}: ${res.status}`, false); return; }
  const after = URL.createObjectURL(await res.blob());
  const before = document.getElementById("compare-before");
  const afterImg = document.getElementById("compare-after");
  await Promise.all([
    new Promise((ok) => { before.onload = ok; before.src = source.url; }),
    new Promise((ok) => { afterImg.onload = ok; afterImg.src = after; }),
  ]);
  document.getElementById("compare").hidden = false;
  setSlider();
  const snap = await (await fetch(job.status_url)).json();
  document.getElementById("compare-meta").textContent =
    `${MSG.size}: ${afterImg.naturalWidth}×${afterImg.naturalHeight} · ${JSON.stringify(snap.info)}`;
  lastJob = job;
  if (saveButton) saveButton.disabled = !source.item;
  say(source.item || !saveButton ? MSG.done : `${MSG.done} · ${MSG.needsItem}`);
  root.dataset.result = "true";
}

function setSlider() {
  const v = Number(slider.value);
  document.getElementById("compare-after-clip").style.clipPath = `inset(0 ${100 - v}% 0 0)`;
  document.getElementById("compare-frame").style.setProperty("--split", `${v}%`);
}
slider.addEventListener("input", setSlider);

runForm.elements.method.addEventListener("change", () => {
  runForm.querySelector(".style-only").hidden = !runForm.elements.method.value.startsWith("style:");
});

runForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!source) { say(MSG.noImage, false); return; }
  try {
    follow(await startJob());
  } catch (err) {
    say(`${MSG.failed}: ${err.message}`, false);
  }
});

if (saveButton) {
  saveButton.addEventListener("click", async () => {
    if (!lastJob || !source.item) { say(MSG.needsItem, false); return; }
    say(MSG.saving);
    const form = new FormData();
    form.append("job_id", lastJob.job_id);
    form.append("item", source.item);
    form.append("csrf", root.dataset.csrf);
    const res = await fetch("/studio/save", { method: "POST", body: form });
    const body = await res.json().catch(() => ({}));
    if (res.status !== 201) { say(`${MSG.failed}: ${body.detail || res.status}`, false); return; }
    saved.replaceChildren();
    const link = document.createElement("a");
    link.href = body.page;
    link.textContent = body.item;
    saved.append(`${MSG.saved} `, link);
    if (body.work_page) {
      const work = document.createElement("a");
      work.href = body.work_page;
      work.textContent = MSG.work;
      saved.append(" · ", work);
    }
    saveButton.disabled = true;
    say(MSG.done);
    root.dataset.saved = body.item;
  });
}

if (root.dataset.src) loadUrl(root.dataset.src, root.dataset.item);
