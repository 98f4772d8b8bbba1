// The review page: stored drawings (disagreements first), relabel a crop, delete a drawing.
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

async function load() {
  if (!sessionStorage.getItem(TOKEN_KEY)) { askForToken(); return; }
  let samples;
  try { samples = await admin("GET", "/api/v1/samples?limit=100"); } catch { return; }
  if (!samples.length) { list.innerHTML = "<p>No feedback yet.</p>"; return; }
  list.innerHTML = samples.map((sample) => `
    <article class="sample" data-id="${sample.id}">
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
    </article>`).join("");
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
      await admin("DELETE", `/api/v1/samples/${button.closest(".sample").dataset.id}`);
      await load();
    }
  } catch (error) {
    if (error.status !== 401 && error.status !== 403) alert(error.message);
  }
});

load();
