// The review page: stored drawings (disagreements first), relabel a crop, delete a drawing, and fine-tune a
// model on the feedback as a training job (POST /api/v1/jobs), whose progress is polled once a second.
import { call, labelOptions } from "/static/api.js";

const list = document.getElementById("samples");
const tokenForm = document.getElementById("token-form");
const TOKEN_KEY = "digitkit-admin-token"; // kept for this tab only

// The admin token, asked for once per tab; a 401/403 asks again with the server's reason.
function askForToken(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  tokenForm.hidden = false;
  tokenForm.querySelector(".reason").textContent = reason || "";
  tokenForm.querySelector("input").focus();
}

tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, tokenForm.querySelector("input").value.trim());
  tokenForm.hidden = true;
  load();
});

async function admin(method, path, body) {
  try {
    return await call(method, path, body, sessionStorage.getItem(TOKEN_KEY));
  } catch (error) {
    if (error.status === 401 || error.status === 403) askForToken(error.message);
    throw error;
  }
}

const finetune = document.getElementById("finetune");
const jobStatus = document.getElementById("job-status");
const startButton = document.getElementById("start-job");
const cancelButton = document.getElementById("cancel-job");
let watching = null;

function showJob(job) {
  const accuracy = job.valid_accuracy == null ? "" : `, MNIST ${(100 * job.valid_accuracy).toFixed(2)}%`;
  const result = job.version ? ` → version ${job.version}${job.promoted ? " (now the default)" : ""}` : "";
  jobStatus.textContent = `job ${job.id}: ${job.state}, epoch ${job.epoch}/${job.epochs}${accuracy}${result}` +
    (job.error ? ` — ${job.error}` : "");
  document.getElementById("job-log").textContent = job.log_tail.join("\n");
  const active = job.state === "queued" || job.state === "running";
  startButton.disabled = active;
  cancelButton.hidden = !active;
  cancelButton.dataset.job = job.id;
  clearTimeout(watching);
  if (active) watching = setTimeout(() => admin("GET", `/api/v1/jobs/${job.id}`).then(showJob).catch(() => {}), 1000);
}

startButton.addEventListener("click", async () => {
  const epochs = Number(finetune.querySelector("[name=epochs]").value);
  const promote = finetune.querySelector("[name=promote]").checked;
  try {
    showJob(await admin("POST", "/api/v1/jobs", { recipe: "default", data: "both", init: "default", epochs, promote }));
  } catch (error) {
    if (error.status !== 401 && error.status !== 403) jobStatus.textContent = error.message;
  }
});

cancelButton.addEventListener("click", async () => {
  try { showJob(await admin("DELETE", `/api/v1/jobs/${cancelButton.dataset.job}`)); } catch (error) {
    jobStatus.textContent = error.message;
  }
});

async function load() {
  if (!sessionStorage.getItem(TOKEN_KEY)) { askForToken(); return; }
  finetune.hidden = false;
  admin("GET", "/api/v1/jobs").then((jobs) => { if (jobs.length) showJob(jobs[0]); }).catch(() => {});
  let samples;
  try { samples = await admin("GET", "/api/v1/samples?limit=100"); } catch { return; }
  if (!samples.length) { list.innerHTML = "<p>No feedback yet.</p>"; return; }
  list.innerHTML = samples.map((sample) => `
    <article class="sample" data-id="${sample.id}"><div class="content">
      <img class="drawing" src="${sample.drawing}" alt="drawing ${sample.id}">
      <div class="crops">${sample.digits.map((d) => `
        <div class="crop${d.disagrees ? " disagrees" : ""}" data-digit="${d.id}">
          <img src="${d.crop}" alt="crop ${d.id}" width="56" height="56">
          <span>model: ${d.predicted < 0 ? "not a digit" : d.predicted}</span>
          <select name="label">${labelOptions(d.label)}</select>
          <button type="button" class="save">Save</button>
        </div>`).join("")}
      </div>
      <button type="button" class="delete">Delete drawing #${sample.id}</button>
    </div></article>`).join("");
}

const UNDO_SECONDS = 5;

function scheduleDelete(sample) {
  sample.querySelector(".content").hidden = true;
  sample.insertAdjacentHTML("beforeend", `<p class="pending">Drawing #${sample.dataset.id} will be deleted in
    ${UNDO_SECONDS} s. <button type="button" class="undo-delete">Undo</button></p>`);
  sample.dataset.timer = setTimeout(async () => {
    try { await admin("DELETE", `/api/v1/samples/${sample.dataset.id}`); sample.remove(); } catch (error) {
      sample.querySelector(".pending").textContent = error.message;
    }
  }, UNDO_SECONDS * 1000);
}

list.addEventListener("click", async (event) => {
  const button = event.target;
  try {
    if (button.classList.contains("save")) {
      const crop = button.closest(".crop");
      const label = Number(crop.querySelector("select").value);
      await admin("PUT", `/api/v1/digits/${crop.dataset.digit}/label`, { label });
      button.textContent = "Saved";
    } else if (button.classList.contains("delete")) {
      // First click asks; the second hides the drawing and deletes it after UNDO_SECONDS unless undone.
      if (!button.classList.contains("armed")) {
        button.classList.add("armed");
        button.textContent = `Really delete drawing #${button.closest(".sample").dataset.id}?`;
        return;
      }
      scheduleDelete(button.closest(".sample"));
    } else if (button.classList.contains("undo-delete")) {
      const sample = button.closest(".sample");
      clearTimeout(Number(sample.dataset.timer));
      sample.querySelector(".pending").remove();
      sample.querySelector(".content").hidden = false;
      const del = sample.querySelector(".delete");
      del.classList.remove("armed");
      del.textContent = `Delete drawing #${sample.dataset.id}`;
    }
  } catch (error) {
    if (error.status !== 401 && error.status !== 403) alert(error.message);
  }
});

load();
