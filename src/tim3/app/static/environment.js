// The environment panel: which network, which endpoints, which process ids.

import { $, fill, h } from "./dom.js";

export function showEnvironment(env) {
  const e = env.environment;
  const local = e.kind === "local";
  const rows = [
    ["Network", `${e.name} (${local ? "local devnet" : "AO, legacy protocol"})`, false],
    ["About", e.description || "—", false],
    ["Real value", e.production ? "yes: production" : "no", false],
    ["Messenger (MU)", e.mu_url || "in this server", true],
    ["Compute (CU)", e.cu_url || "in this server", true],
    ["Scheduler (SU)", e.su_url || e.mu_url || "in this server", true],
    ["Gateway", e.gateway_url || "in this server", true],
    ["Scheduler address", e.scheduler || "—", true],
    ["Authority (messenger)", e.authority || "—", true],
    ["Module", e.module || "—", true],
    ["Owner of the processes", e.owner || "—", true],
    ...Object.entries(e.processes).map(([role, id]) => [`${role.toUpperCase()} process`, id, true]),
    ["Denomination", String(e.denomination), false],
  ];
  fill($("environment"), rows.map(([k, v, code]) =>
    h("div", {}, h("dt", {}, k), h("dd", {}, code ? h("code", {}, v) : v))));
}
