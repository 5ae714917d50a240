// The reserves panel: TIM3's own `Reserves` report, and the USDA that USDA says TIM3 holds.

import { get } from "./api.js";
import { $ } from "./dom.js";

export async function loadReserves() {
  const r = await get("/api/reserves");
  const f = r.formatted;
  $("r-supply").textContent = `${f["Total-Supply"]} TIM3`;
  $("r-reserve").textContent = `${f.Reserve} USDA`;
  $("r-pending").textContent = `${f["Pending-Payouts"]} USDA (${r.counts["Payouts-Pending"]})`;
  $("r-quarantined").textContent = `${f.Quarantined} USDA`;
  $("r-surplus").textContent = `${f.Surplus} USDA`;
  $("r-held").textContent = `${r.usda_held_formatted} USDA`;
  const ok = r.invariant === "ok";
  const inv = $("invariant");
  inv.className = `invariant ${ok ? "good" : "bad"}`;
  inv.textContent = ok ? "Invariant ok: supply, reserve and payouts add up"
    : `Invariant ${r.invariant}: TIM3's books do not add up`;
  const backed = $("r-backed");
  backed.className = `note ${r.backed ? "good-text" : "bad-text"}`;
  backed.textContent = r.backed
    ? "USDA confirms TIM3 holds at least its supply plus quarantined deposits."
    : "USDA reports less than TIM3's supply plus quarantined deposits: under-backed!";
  const time = $("r-updated");
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  return r;
}
