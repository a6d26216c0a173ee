// RTI relighting viewer. Loads a coefficient atlas (one tile per PTM/HSH term, RGB per channel,
// plus a normal-map tile) and evaluates the model per pixel for the light direction the user
// drags on the image. Modes: default relighting, normals visualisation, specular enhancement
// (the model's diffuse colour plus a Blinn-Phong highlight on the recovered normal) and diffuse
// gain (Malzbender's curvature boost: f(n) + g (f(l) - f(n)), g from 1 to 3). WebGL does the work; where WebGL
// is missing the same maths runs on the CPU into a 2D canvas.

const MODES = { default: 0, normals: 1, specular: 2, gain: 3 };

const VERTEX = `
attribute vec2 aPos;
varying vec2 vUv;
void main() { vUv = vec2(aPos.x * 0.5 + 0.5, 0.5 - aPos.y * 0.5); gl_Position = vec4(aPos, 0.0, 1.0); }`;

const FRAGMENT = `
precision highp float;
varying vec2 vUv;
uniform sampler2D uAtlas;
uniform vec2 uGrid;          // columns, rows
uniform int uTerms;          // 4, 6 or 9
uniform int uModel;          // 0 PTM, 1 HSH
uniform int uNormalsTile;
uniform vec3 uMin[10];
uniform vec3 uMax[10];
uniform vec3 uLight;
uniform int uMode;
uniform float uStrength;     // 0..1 from the slider

vec3 tile(int k) {
  float fk = float(k);
  float row = floor(fk / uGrid.x);
  float col = fk - row * uGrid.x;
  vec2 uv = (vec2(col, row) + clamp(vUv, 0.0005, 0.9995)) / uGrid;
  return texture2D(uAtlas, uv).rgb;
}

void basis(vec3 l, out float b[9]) {
  for (int i = 0; i < 9; i++) b[i] = 0.0;
  if (uModel == 0) {
    b[0] = l.x * l.x; b[1] = l.y * l.y; b[2] = l.x * l.y; b[3] = l.x; b[4] = l.y; b[5] = 1.0;
  } else {
    float pi = 3.14159265;
    float ct = clamp(l.z, 0.000001, 1.0);
    float phi = atan(l.y, l.x);
    float s = sqrt(max(ct - ct * ct, 0.0));
    b[0] = 1.0 / sqrt(2.0 * pi);
    b[1] = sqrt(6.0 / pi) * cos(phi) * s;
    b[2] = sqrt(3.0 / (2.0 * pi)) * (-1.0 + 2.0 * ct);
    b[3] = sqrt(6.0 / pi) * s * sin(phi);
    b[4] = sqrt(30.0 / pi) * cos(2.0 * phi) * (-ct + ct * ct);
    b[5] = sqrt(30.0 / pi) * cos(phi) * (-1.0 + 2.0 * ct) * s;
    b[6] = sqrt(5.0 / (2.0 * pi)) * (1.0 - 6.0 * ct + 6.0 * ct * ct);
    b[7] = sqrt(30.0 / pi) * (-1.0 + 2.0 * ct) * s * sin(phi);
    b[8] = sqrt(30.0 / pi) * (-ct + ct * ct) * sin(2.0 * phi);
  }
}

vec3 evaluate(vec3 l) {
  float b[9];
  basis(l, b);
  vec3 sum = vec3(0.0);
  for (int k = 0; k < 9; k++) {
    if (k >= uTerms) break;
    sum += mix(uMin[k], uMax[k], tile(k)) * b[k];
  }
  return sum;
}

void main() {
  vec3 n = normalize(tile(uNormalsTile) * 2.0 - 1.0);
  vec3 colour;
  if (uMode == 1) {
    colour = n * 0.5 + 0.5;
  } else if (uMode == 2) {
    vec3 albedo = evaluate(n);
    vec3 h = normalize(uLight + vec3(0.0, 0.0, 1.0));
    float exponent = mix(10.0, 120.0, uStrength);
    colour = albedo * (0.25 + 0.75 * max(dot(n, uLight), 0.0)) * 0.8
           + vec3(0.9) * pow(max(dot(n, h), 0.0), exponent) * (0.3 + 0.7 * uStrength);
  } else if (uMode == 3) {
    vec3 peak = evaluate(n);
    colour = peak + (1.0 + 2.0 * uStrength) * (evaluate(uLight) - peak);
  } else {
    colour = evaluate(uLight);
  }
  gl_FragColor = vec4(clamp(colour, 0.0, 1.0), 1.0);
}`;

// --- the same maths on the CPU, for browsers without WebGL ------------------------------------

function basisJs(model, l) {
  if (model === "ptm") return [l[0] * l[0], l[1] * l[1], l[0] * l[1], l[0], l[1], 1];
  const ct = Math.min(Math.max(l[2], 1e-6), 1);
  const phi = Math.atan2(l[1], l[0]);
  const s = Math.sqrt(Math.max(ct - ct * ct, 0));
  const pi = Math.PI;
  return [
    1 / Math.sqrt(2 * pi),
    Math.sqrt(6 / pi) * Math.cos(phi) * s,
    Math.sqrt(3 / (2 * pi)) * (-1 + 2 * ct),
    Math.sqrt(6 / pi) * s * Math.sin(phi),
    Math.sqrt(30 / pi) * Math.cos(2 * phi) * (-ct + ct * ct),
    Math.sqrt(30 / pi) * Math.cos(phi) * (-1 + 2 * ct) * s,
    Math.sqrt(5 / (2 * pi)) * (1 - 6 * ct + 6 * ct * ct),
    Math.sqrt(30 / pi) * (-1 + 2 * ct) * s * Math.sin(phi),
    Math.sqrt(30 / pi) * (-ct + ct * ct) * Math.sin(2 * phi),
  ];
}

class CpuRenderer {
  constructor(canvas, manifest, image) {
    this.m = manifest;
    this.ctx = canvas.getContext("2d");
    const scratch = document.createElement("canvas");
    scratch.width = image.naturalWidth;
    scratch.height = image.naturalHeight;
    const sctx = scratch.getContext("2d");
    sctx.drawImage(image, 0, 0);
    const { width: w, height: h, columns } = manifest;
    const tiles = manifest.terms + 1;
    this.planes = [];
    for (let k = 0; k < tiles; k++) {
      const row = Math.floor(k / columns);
      const col = k % columns;
      const px = sctx.getImageData(col * w, row * h, w, h).data;
      const lo = manifest.min[k];
      const hi = manifest.max[k];
      const plane = new Float32Array(w * h * 3);
      for (let i = 0; i < w * h; i++)
        for (let c = 0; c < 3; c++) plane[i * 3 + c] = lo[c] + (px[i * 4 + c] / 255) * (hi[c] - lo[c]);
      this.planes.push(plane);
    }
    this.out = this.ctx.createImageData(w, h);
  }

  evalAt(i, c, b) {
    let sum = 0;
    for (let k = 0; k < this.m.terms; k++) sum += this.planes[k][i * 3 + c] * b[k];
    return sum;
  }

  draw(light, mode, strength) {
    const { width: w, height: h, model } = this.m;
    const bl = basisJs(model, light);
    const normals = this.planes[this.m.normals_tile];
    const data = this.out.data;
    const half = normalise([light[0], light[1], light[2] + 1]);
    for (let i = 0; i < w * h; i++) {
      const n = normalise([normals[i * 3], normals[i * 3 + 1], normals[i * 3 + 2]]);
      const bn = mode === 2 || mode === 3 ? basisJs(model, n) : null;
      for (let c = 0; c < 3; c++) {
        let v;
        if (mode === 1) v = n[c] * 0.5 + 0.5;
        else if (mode === 2) {
          const ndl = Math.max(dot(n, light), 0);
          const spec = Math.pow(Math.max(dot(n, half), 0), 10 + 110 * strength);
          v = this.evalAt(i, c, bn) * (0.25 + 0.75 * ndl) * 0.8 + 0.9 * spec * (0.3 + 0.7 * strength);
        } else if (mode === 3) {
          const peak = this.evalAt(i, c, bn);
          v = peak + (1 + 2 * strength) * (this.evalAt(i, c, bl) - peak);
        } else v = this.evalAt(i, c, bl);
        data[i * 4 + c] = Math.max(0, Math.min(255, Math.round(v * 255)));
      }
      data[i * 4 + 3] = 255;
    }
    this.ctx.putImageData(this.out, 0, 0);
  }
}

function dot(a, b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function normalise(v) {
  const len = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / len, v[1] / len, v[2] / len];
}

// --- WebGL renderer --------------------------------------------------------------------------

function compile(gl, type, source) {
  const shader = gl.createShader(type);
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader));
  return shader;
}

class GlRenderer {
  constructor(gl, manifest, image) {
    this.gl = gl;
    this.m = manifest;
    const program = gl.createProgram();
    gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program));
    gl.useProgram(program);
    this.program = program;
    const quad = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, quad);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    const pos = gl.getAttribLocation(program, "aPos");
    gl.enableVertexAttribArray(pos);
    gl.vertexAttribPointer(pos, 2, gl.FLOAT, false, 0, 0);
    const texture = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGB, gl.RGB, gl.UNSIGNED_BYTE, image);
    // nearest: tiles sit side by side in one texture, so filtering would bleed across them
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    const u = (name) => gl.getUniformLocation(program, name);
    gl.uniform1i(u("uAtlas"), 0);
    gl.uniform2f(u("uGrid"), manifest.columns, manifest.rows);
    gl.uniform1i(u("uTerms"), manifest.terms);
    gl.uniform1i(u("uModel"), manifest.model === "ptm" ? 0 : 1);
    gl.uniform1i(u("uNormalsTile"), manifest.normals_tile);
    const pad = (rows) => {
      const flat = new Float32Array(30);
      rows.forEach((r, i) => flat.set(r, i * 3));
      return flat;
    };
    gl.uniform3fv(u("uMin[0]"), pad(manifest.min));
    gl.uniform3fv(u("uMax[0]"), pad(manifest.max));
    this.uLight = u("uLight");
    this.uMode = u("uMode");
    this.uStrength = u("uStrength");
  }

  draw(light, mode, strength) {
    const gl = this.gl;
    gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
    gl.uniform3f(this.uLight, light[0], light[1], light[2]);
    gl.uniform1i(this.uMode, mode);
    gl.uniform1f(this.uStrength, strength);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
  }
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load ${url}`));
    img.src = url;
  });
}

async function start(figure) {
  const manifest = await (await fetch(figure.dataset.manifest)).json();
  const image = await loadImage(manifest.atlas);
  const canvas = figure.querySelector(".rti-canvas");
  canvas.width = manifest.width;
  canvas.height = manifest.height;
  const gl = canvas.getContext("webgl", { preserveDrawingBuffer: true, antialias: false });
  let renderer;
  if (gl) {
    renderer = new GlRenderer(gl, manifest, image);
    figure.dataset.renderer = "webgl";
  } else {
    renderer = new CpuRenderer(canvas, manifest, image);
    figure.dataset.renderer = "cpu";
  }
  const label = figure.querySelector(".rti-renderer");
  if (label) label.textContent = `${manifest.model.toUpperCase()} · ${figure.dataset.renderer}`;
  const state = { light: [-0.5, 0.5, Math.SQRT1_2], mode: 0, strength: 0.5, pending: false };
  const marker = figure.querySelector(".rti-light");
  const redraw = () => {
    if (state.pending) return;
    state.pending = true;
    requestAnimationFrame(() => {
      state.pending = false;
      renderer.draw(state.light, state.mode, state.strength);
      if (marker) {
        marker.style.left = `${(state.light[0] * 0.5 + 0.5) * 100}%`;
        marker.style.top = `${(0.5 - state.light[1] * 0.5) * 100}%`;
      }
      figure.dataset.light = state.light.map((v) => v.toFixed(3)).join(",");
      figure.dataset.frames = String(Number(figure.dataset.frames || 0) + 1);
    });
  };
  const setLight = (event) => {
    const box = canvas.getBoundingClientRect();
    let x = ((event.clientX - box.left) / box.width) * 2 - 1;
    let y = 1 - ((event.clientY - box.top) / box.height) * 2;
    const r = Math.hypot(x, y);
    if (r > 0.98) {
      x *= 0.98 / r;
      y *= 0.98 / r;
    }
    state.light = [x, y, Math.sqrt(Math.max(0, 1 - x * x - y * y))];
    redraw();
  };
  let dragging = false;
  canvas.addEventListener("pointerdown", (e) => {
    dragging = true;
    if (canvas.setPointerCapture && e.pointerId !== undefined) canvas.setPointerCapture(e.pointerId);
    setLight(e);
  });
  canvas.addEventListener("pointermove", (e) => dragging && setLight(e));
  const stop = () => {
    dragging = false;
  };
  // the keyboard moves the light too (arrows: 0.1 per press within the unit disc)
  canvas.tabIndex = 0;
  canvas.addEventListener("keydown", (e) => {
    const step = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, 0.1], ArrowDown: [0, -0.1] }[e.key];
    if (!step) return;
    e.preventDefault();
    let [x, y] = [state.light[0] + step[0], state.light[1] + step[1]];
    const r = Math.hypot(x, y);
    if (r > 0.98) {
      x *= 0.98 / r;
      y *= 0.98 / r;
    }
    state.light = [x, y, Math.sqrt(Math.max(0, 1 - x * x - y * y))];
    redraw();
  });
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  figure.querySelectorAll('input[type="radio"]').forEach((input) =>
    input.addEventListener("change", () => {
      state.mode = MODES[input.value] ?? 0;
      figure.dataset.mode = input.value;
      redraw();
    }),
  );
  const slider = figure.querySelector(".rti-strength input");
  if (slider)
    slider.addEventListener("input", () => {
      state.strength = Number(slider.value) / 100;
      redraw();
    });
  figure.dataset.mode = "default";
  redraw();
  figure.dataset.ready = "true";
}

for (const figure of document.querySelectorAll(".rti-viewer[data-manifest]")) {
  start(figure).catch((err) => {
    figure.dataset.error = String(err);
    const label = figure.querySelector(".rti-renderer");
    if (label) label.textContent = String(err);
  });
}
