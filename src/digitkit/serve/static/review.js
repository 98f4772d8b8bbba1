// The review page: stored drawings (disagreements first), relabel a crop, delete a drawing.
import { call, labelOptions } from "/static/api.js";

const list = document.getElementById("samples");

async function load() {
  const samples = await call("GET", "/api/v1/samples?limit=200");
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
      await call("PUT", `/api/v1/digits/${crop.dataset.digit}/label`, { label });
      button.textContent = "Saved";
    } else if (button.classList.contains("delete")) {
      await call("DELETE", `/api/v1/samples/${button.closest(".sample").dataset.id}`);
      await load();
    }
  } catch (error) {
    alert(error.message);
  }
});

load();
