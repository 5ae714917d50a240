// The explorer: recent messages and processes, searchable by id; each links to its flow.

import { get } from "./api.js";
import { $, fill, h, short } from "./dom.js";

export async function showExplorer(query = "", process = "") {
  $("search").value = query || process;
  const params = { q: query, limit: "50" };
  if (process) params.process = process;
  const note = $("explorer-note");
  try {
    const [{ messages }, { processes }] = await Promise.all([
      get("/api/messages", params), get("/api/processes", { q: process ? "" : query })]);
    const rows = messages.map((m) => h("tr", { class: `tone-${m.tone}` },
      h("td", {}, m.key),
      h("td", {}, h("a", { href: `#/flow/${m.id}`, title: m.id }, h("code", {}, short(m.id)))),
      h("td", {}, `${m.from_name} → ${m.to_name}`),
      h("td", {}, m.action || (m.kind === "process" ? "(spawn)" : "—")),
      h("td", {}, m.amount || "")));
    fill($("messages").tBodies[0], rows.length ? rows
      : h("tr", {}, h("td", { colspan: 5 }, "No messages match.")));
    const shown = process ? processes.filter((p) => p.id === process) : processes;
    fill($("processes").tBodies[0], shown.map((p) => h("tr", {},
      h("td", {}, p.name || "—"),
      h("td", {}, h("a", { href: `#/explorer/process/${p.id}`, title: "Messages of this process" },
        h("code", {}, p.id))),
      h("td", {}, p.owner_name || short(p.owner)),
      h("td", {}, String(p.messages)))));
    if (process) note.textContent = `Messages of process ${process}.`;
    else if (query) note.textContent = `${messages.length} messages and ${shown.length} processes match "${query}".`;
    else if (messages.length) note.textContent = "The newest messages first.";
    else note.textContent = "No messages to list: on a real AO network, search by a full message id.";
  } catch (err) {
    note.textContent = err.message;
  }
}
