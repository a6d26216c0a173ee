// Admin console: keep the bearer token in sessionStorage at login (the upload API takes it as
// Authorization), upload with an XHR so the progress bar moves, and show jobs live over SSE.
const TOKEN_KEY = "heritage.token";

const login = document.getElementById("login-form");
if (login) {
  login.addEventListener("submit", () => {
    sessionStorage.setItem(TOKEN_KEY, login.elements.token.value.trim());
  });
}

const logout = document.querySelector("form.logout");
if (logout) logout.addEventListener("submit", () => sessionStorage.removeItem(TOKEN_KEY));

const upload = document.getElementById("upload-form");
const bar = document.getElementById("upload-progress");
const status = document.getElementById("upload-status");

function say(text, ok = true) {
  status.textContent = text;
  status.className = ok ? "ok" : "error";
}

if (upload) {
  upload.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = upload.elements.file.files[0];
    const instance = upload.elements.instance.value.trim();
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!file || !instance) return say("Choose an instance and a file.", false);
    if (!token) return say("Log in again: the token is kept only for this browser tab.", false);
    const xhr = new XMLHttpRequest();
    const url = `/api/instances/${encodeURIComponent(instance)}/files?name=${encodeURIComponent(file.name)}`;
    xhr.open("POST", url);
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    bar.hidden = false;
    bar.value = 0;
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    xhr.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 201) {
        bar.value = 100;
        say(`Stored ${body.item.id} (${body.item.file_format}); job ${body.job.id}`);
        showJob(body.job);
        addHistory(body.item);
      } else {
        say(body.detail || `Upload failed (${xhr.status})`, false);
      }
    });
    xhr.addEventListener("error", () => say("Network error during upload.", false));
    xhr.send(file);
  });
}

const jobsBody = document.querySelector("#jobs tbody");
const historyBody = document.querySelector("#upload-history tbody");

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

// The new Item goes on top of the upload history, as the server would list it after a reload;
// its Work is looked up from the Instance (text only through textContent: no markup injection).
async function addHistory(item) {
  if (!historyBody) return;
  const row = document.createElement("tr");
  row.dataset.item = item.id;
  const name = cell("");
  name.append(link(`/admin/edit/item/${encodeURIComponent(item.id)}`, item.file_name || item.id));
  const work = cell("");
  row.replaceChildren(
    name,
    cell(item.file_format || ""),
    cell(item.byte_size ?? ""),
    cell(item.part_of || ""),
    work,
    cell(new Date().toISOString()),
  );
  historyBody.prepend(row);
  try {
    const r = await fetch(`/api/instances/${encodeURIComponent(item.part_of)}`, {
      headers: { Accept: "application/json" },
    });
    const instance = await r.json();
    if (instance.represents) {
      work.append(link(`/page/work/${encodeURIComponent(instance.represents)}`, instance.represents));
    }
  } catch { /* the row stands without its Work link */ }
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function showJob(job) {
  if (!jobsBody) return;
  let row = jobsBody.querySelector(`tr[data-job="${CSS.escape(job.id)}"]`);
  if (!row) {
    row = document.createElement("tr");
    row.dataset.job = job.id;
    jobsBody.prepend(row);
  }
  row.dataset.status = job.status;
  row.replaceChildren(
    cell(job.kind),
    cell(job.subject),
    cell(job.status),
    cell(`${Math.round(job.progress * 100)}%`),
    cell(job.message || ""),
  );
  row.children[2].className = `status status-${job.status}`;
}

if (jobsBody) {
  const events = new EventSource("/api/events");
  events.addEventListener("job", (e) => showJob(JSON.parse(e.data)));
  window.addEventListener("beforeunload", () => events.close());
}
