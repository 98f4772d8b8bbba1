// The drawing page: strokes on a canvas, debounced recognition, boxes and labels, corrections sent back.
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

const strokes = [];   // each: {width, points: [[x, y], ...]}
let current = null;
let timer = null;
let lastAnswer = null;  // {image, digits}
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
  current = { width: Number(widthInput.value), points: [position(event)] };
  strokes.push(current);
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

document.getElementById("undo").addEventListener("click", () => { strokes.pop(); paint(); schedule(0); });
document.getElementById("clear").addEventListener("click", () => { strokes.length = 0; paint(); schedule(0); });

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(recognise, delay);
}

async function recognise() {
  const seq = ++requestSeq;
  if (strokes.length === 0) { show({ number: "", digits: [] }, null); return; }
  const image = pad.toDataURL("image/png");
  statusEl.textContent = "recognising…";
  try {
    const answer = await call("POST", "/api/v1/draw", { image });
    if (seq === requestSeq) show(answer, image);
  } catch (error) {
    if (seq === requestSeq) statusEl.textContent = error.message;
  }
}

function bars(probabilities) {
  return probabilities.map((p, d) =>
    `<div class="bar"><span>${d}</span><i style="width:${(100 * p).toFixed(1)}%"></i><em>${(100 * p).toFixed(0)}%</em></div>`).join("");
}

function show(answer, image) {
  lastAnswer = image ? { image, digits: answer.digits } : null;
  numberEl.textContent = answer.number || "–";
  statusEl.textContent = answer.digits.length ? `${answer.digits.length} found` : "draw a digit";
  sentEl.textContent = "";
  octx.clearRect(0, 0, overlay.width, overlay.height);
  octx.font = "bold 20px sans-serif";
  answer.digits.forEach((digit) => {
    const [x, y, w, h] = digit.box;
    octx.strokeStyle = digit.label === null ? "#c0392b" : "#2e86de";
    octx.lineWidth = 2;
    octx.strokeRect(x - 3, y - 3, w + 6, h + 6);
    octx.fillStyle = octx.strokeStyle;
    octx.fillText(digit.label === null ? "?" : String(digit.label), x, Math.max(18, y - 6));
  });
  digitsEl.innerHTML = answer.digits.map((digit, i) => `
    <figure class="digit" data-index="${i}">
      <figcaption>${digit.label === null ? `not a digit <small>(${digit.reason})</small>` : `<b>${digit.label}</b> ${(100 * digit.confidence).toFixed(1)}%`}</figcaption>
      <div class="bars">${bars(digit.probabilities)}</div>
      <label>correct label <select name="label">${labelOptions(digit.label === null ? -1 : digit.label)}</select></label>
    </figure>`).join("");
  sendButton.disabled = answer.digits.length === 0;
}

sendButton.addEventListener("click", async () => {
  if (!lastAnswer) return;
  const selects = digitsEl.querySelectorAll("select[name=label]");
  const digits = lastAnswer.digits.map((digit, i) => ({
    box: digit.box, predicted: digit.label, label: Number(selects[i].value),
  }));
  sendButton.disabled = true;
  try {
    const saved = await call("POST", "/api/v1/feedback", { image: lastAnswer.image, digits });
    sentEl.textContent = `thank you — saved as drawing #${saved.id}`;
  } catch (error) {
    sentEl.textContent = error.message;
    sendButton.disabled = false;
  }
});

paint();
