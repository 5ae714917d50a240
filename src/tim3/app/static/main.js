// The page: load the environment, then route #/ (swap), #/flow/<id>, #/explorer, #/environment.

import { get } from "./api.js";
import { $ } from "./dom.js";
import { showEnvironment } from "./environment.js";
import { showExplorer } from "./explorer.js";
import { showFlow } from "./flowpage.js";
import { loadReserves } from "./reserves.js";
import { SwapCard } from "./swap.js";

const VIEWS = ["swap", "flow", "explorer", "environment"];
const RESERVES_EVERY_MS = 4000;
let card = null;

function show(view) {
  for (const name of VIEWS) $(`view-${name}`).hidden = name !== view;
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function route() {
  const path = decodeURIComponent(location.hash.replace(/^#/, "")) || "/";
  const parts = path.split("/").filter(Boolean);
  if (parts[0] === "flow" && parts[1]) {
    show("flow");
    await showFlow(parts[1]);
  } else if (parts[0] === "explorer") {
    show("explorer");
    if (parts[1] === "process") await showExplorer("", parts[2] || "");
    else await showExplorer(parts[1] || "");
  } else if (parts[0] === "environment") {
    show("environment");
  } else {
    show("swap");
  }
  document.body.dataset.route = parts[0] || "swap";
}

/** Reload the reserves panel, and (unless told not to) the balances of the chosen wallet. */
async function refreshReserves(balances = true) {
  try {
    const reserves = await loadReserves();
    if (card) {
      card.setReserves(reserves);
      if (balances && !card.busy) await card.refresh();
    }
  } catch (err) {
    $("invariant").textContent = `Reserves unavailable: ${err.message}`;
    $("invariant").className = "invariant bad";
  }
}

async function boot() {
  let env;
  try {
    env = await get("/api/environment");
  } catch (err) {
    $("fatal").textContent = `The gateway did not answer: ${err.message}`;
    $("fatal").hidden = false;
    return;
  }
  $("env-badge").textContent = env.environment.kind === "local"
    ? "local devnet" : env.environment.name;
  showEnvironment(env);
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("search").value.trim();
    location.hash = q ? `#/explorer/${encodeURIComponent(q)}` : "#/explorer";
  });
  window.addEventListener("hashchange", () => route());
  card = new SwapCard(env, () => refreshReserves());
  await Promise.all([route(), card.start(), refreshReserves(false)]);
  setInterval(refreshReserves, RESERVES_EVERY_MS);
  document.body.dataset.ready = "true";
}

boot();
