// The drawing page: strokes on a canvas, debounced recognition, boxes and labels, corrections sent back.
// Answers below UNSURE confidence are marked, with the two likeliest digits one tap away and a ✓ to confirm; so is
// ink answered "not a digit" that the classifier still reads as a digit (a script 9 the detector turns down);
// Undo/Redo also answer Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y), Esc clears; ink too small for its pen gets a hint.
import { call, labelOptions } from "/static/api.js";

const pad = document.getElementById("pad");
const overlay = document.getElementById("overlay");
const ctx = pad.getContext("2d");
const octx = overlay.getContext("2d");
const widthInput = document.getElementById("width");
const numberEl = document.getElementById("number");
const statusEl = document.getElementById("status");
const digitsEl = document.getElementById("digits");
const sendButton = document.getElementById("send");
const sentEl = document.getElementById("sent");

const UNSURE = 0.8;   // below this confidence a digit is shown as unsure
const OFFER = 0.5;    // "not a digit" that the classifier reads this surely offers its two digits all the same
const SMALL = 3.5;    // a digit less than this many pen widths tall is too small to read: hint "draw bigger"
const strokes = [];   // each: {width, points: [[x, y], ...]}
const undone = [];    // strokes taken back by Undo, for Redo
let current = null;
let timer = null;
let lastAnswer = null;  // {image, strokes, digits}
let requestSeq = 0;

function paint() {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, pad.width, pad.height);
  ctx.strokeStyle = "#000";
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const stroke of strokes) {
    ctx.lineWidth = stroke.width;
    ctx.beginPath();
    stroke.points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    if (stroke.points.length === 1) ctx.lineTo(stroke.points[0][0] + 0.1, stroke.points[0][1]);
    ctx.stroke();
  }
}

function position(event) {
  const rect = pad.getBoundingClientRect();
  return [(event.clientX - rect.left) * (pad.width / rect.width), (event.clientY - rect.top) * (pad.height / rect.height)];
}

pad.addEventListener("pointerdown", (event) => {
  pad.setPointerCapture(event.pointerId);
  // The pen scales with the canvas (the slider is in pixels of a 560-pixel-wide pad).
  current = { width: Number(widthInput.value) * (pad.width / 560), points: [position(event)] };
  strokes.push(current);
  undone.length = 0;
  paint();
});
pad.addEventListener("pointermove", (event) => {
  if (!current) return;
  current.points.push(position(event));
  paint();
  schedule(400);
});
function endStroke() {
  if (!current) return;
  current = null;
  schedule(30);
}
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);

function undo() { if (strokes.length) { undone.push(strokes.pop()); paint(); schedule(0); } }
function redo() { if (undone.length) { strokes.push(undone.pop()); paint(); schedule(0); } }
function clear() { undone.push(...strokes.splice(0).reverse()); paint(); schedule(0); }
document.getElementById("undo").addEventListener("click", undo);
document.getElementById("redo").addEventListener("click", redo);
document.getElementById("clear").addEventListener("click", clear);
document.addEventListener("keydown", (event) => {
  if (event.target.closest && event.target.closest("select, input")) return;
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "z") { event.preventDefault(); (event.shiftKey ? redo : undo)(); }
  else if ((event.ctrlKey || event.metaKey) && key === "y") { event.preventDefault(); redo(); }
  else if (key === "escape") clear();
});

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(recognise, delay);
}

async function recognise() {
  const seq = ++requestSeq;
  if (strokes.length === 0) { show({ number: "", digits: [] }, null); return; }
  const image = pad.toDataURL("image/png");
  // The strokes go along: where digits touch, the server cuts between strokes rather than columns of ink.
  const drawn = strokes.map(({ width, points }) => ({
    width, points: points.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]),
  }));
  statusEl.textContent = "recognising…";
  try {
    const answer = await call("POST", "/api/v1/draw", { image, strokes: drawn });
    if (seq === requestSeq) show(answer, image, drawn);
  } catch (error) {
    if (seq === requestSeq) statusEl.textContent = error.message;
  }
}

function bars(probabilities) {
  return probabilities.map((p, d) =>
    `<div class="bar"><span>${d}</span><i style="width:${(100 * p).toFixed(1)}%"></i><em>${(100 * p).toFixed(0)}%</em></div>`).join("");
}

function topTwo(probabilities) {
  return probabilities.map((p, d) => [p, d]).sort((a, b) => b[0] - a[0]).slice(0, 2);
}

function isUnsure(digit) {
  return digit.label !== null && digit.confidence < UNSURE;
}

// The two likeliest digits one tap away: for an unsure digit with a ✓ to confirm it, and for "not a digit" that the
// classifier still reads OFFER sure without one (leaving it rejected needs no tap); otherwise nothing.
function choicesFor(digit) {
  const unsure = isUnsure(digit);
  const doubted = digit.label === null && digit.confidence >= OFFER;
  if (!unsure && !doubted) return "";
  const buttons = topTwo(digit.probabilities).map(([p, d]) =>
    `<button type="button" class="choose" data-label="${d}">${d} <small>${(100 * p).toFixed(0)}%</small></button>`);
  if (doubted) buttons.unshift("<span>a digit after all?</span>");
  if (unsure) buttons.push('<button type="button" class="confirm" aria-label="confirm">✓</button>');
  return `<div class="choices">${buttons.join("")}</div>`;
}

function describe(digits) {
  const readable = digits.filter((d) => d.label !== null).length;
  const rejected = digits.length - readable;
  if (!digits.length) return "draw a digit";
  const parts = [`${readable} digit${readable === 1 ? "" : "s"}`];
  if (rejected) parts.push(`${rejected} not a digit`);
  const pen = Number(widthInput.value) * (pad.width / 560);
  const small = digits.some((d) => d.box[3] < SMALL * pen);
  return parts.join(", ") + (small ? " — draw bigger (or choose a thinner pen): some ink is too small to read" : "");
}

function show(answer, image, drawn) {
  lastAnswer = image ? { image, strokes: drawn, digits: answer.digits } : null;
  numberEl.textContent = answer.number || "–";
  statusEl.textContent = describe(answer.digits);
  sentEl.textContent = "";
  octx.clearRect(0, 0, overlay.width, overlay.height);
  octx.font = "bold 20px sans-serif";
  answer.digits.forEach((digit) => {
    const [x, y, w, h] = digit.box;
    const unsure = isUnsure(digit);
    octx.strokeStyle = digit.label === null ? "#c0392b" : unsure ? "#b35900" : "#2e86de";
    octx.lineWidth = 2;
    octx.setLineDash(unsure ? [6, 4] : []);
    octx.strokeRect(x - 3, y - 3, w + 6, h + 6);
    octx.fillStyle = octx.strokeStyle;
    octx.fillText(digit.label === null ? "?" : `${digit.label}${unsure ? "?" : ""}`, x, Math.max(18, y - 6));
  });
  octx.setLineDash([]);
  digitsEl.innerHTML = answer.digits.map((digit, i) => {
    const unsure = isUnsure(digit);
    const caption = digit.label === null
      ? `not a digit <small>(${digit.reason})</small>`
      : `<b>${digit.label}</b> ${(100 * digit.confidence).toFixed(1)}%${unsure ? ' <span class="unsure-tag">unsure</span>' : ""}`;
    return `
    <figure class="digit${unsure ? " unsure" : ""}" data-index="${i}">
      <figcaption>${caption}</figcaption>${choicesFor(digit)}
      <div class="bars">${bars(digit.probabilities)}</div>
      <label>correct label <select name="label">${labelOptions(digit.label === null ? -1 : digit.label)}</select></label>
    </figure>`;
  }).join("");
  sendButton.disabled = answer.digits.length === 0;
}

// An alternative or ✓ settles an unsure digit; any change of a label makes the corrections sendable again.
digitsEl.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  const figure = button.closest(".digit");
  if (button.classList.contains("choose")) figure.querySelector("select").value = button.dataset.label;
  figure.classList.remove("unsure");
  figure.classList.add("confirmed");
  figure.querySelector(".choices")?.remove();
  changed();
});
digitsEl.addEventListener("change", changed);
function changed() {
  if (!lastAnswer) return;
  sendButton.disabled = false;
  sentEl.textContent = "";
}

sendButton.addEventListener("click", async () => {
  if (!lastAnswer) return;
  const selects = digitsEl.querySelectorAll("select[name=label]");
  const digits = lastAnswer.digits.map((digit, i) => ({
    box: digit.box, predicted: digit.label, label: Number(selects[i].value),
  }));
  sendButton.disabled = true;
  try {
    const saved = await call("POST", "/api/v1/feedback", { image: lastAnswer.image, strokes: lastAnswer.strokes, digits });
    sentEl.textContent = `thank you — saved as drawing #${saved.id}`;
  } catch (error) {
    sentEl.textContent = error.message;
    sendButton.disabled = false;
  }
});

paint();
