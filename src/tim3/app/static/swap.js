// The swap card: wallet, direction, amount (checked as you type), "You will receive",
// the confirmation of exactly what is signed, and the live progress read from the trace.

import { followFlow, get, post, submitSigned } from "./api.js";
import { amountProblem, formatAmount, normalise, parseAmount } from "./amount.js";
import { FlowDiagram } from "./diagram.js";
import { $, fill, h, short } from "./dom.js";
import { connectWander, signWithWander, wanderAvailable } from "./wander.js";

export class SwapCard {
  /** env: /api/environment; onSettled(): refresh whatever depends on balances. */
  constructor(env, onSettled) {
    this.env = env;
    this.tokens = env.tokens;
    this.onSettled = onSettled;
    this.wallets = [];
    this.signer = null;               // {kind: "dev", name, address} | {kind: "wander", address}
    this.balances = null;             // {USDA: BigInt, TIM3: BigInt}
    this.reserves = null;
    this.lastValid = "";
    this.rejected = "";               // why the last keystroke was refused, until the next one
    this.busy = false;
    this.diagram = new FlowDiagram($("progress-flow"));
    this.form = $("swap-form");
    this.amount = $("amount");
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.confirm();
    });
    this.amount.addEventListener("input", () => this.typed());
    $("max").addEventListener("click", () => this.max());
    $("wallet").addEventListener("change", () => this.chooseWallet());
    $("connect-wander").addEventListener("click", () => this.connect());
    for (const radio of this.form.elements.direction) {
      radio.addEventListener("change", () => {
        this.rejected = "";
        this.update();
      });
    }
    window.addEventListener("arweaveWalletLoaded", () => this.listWallets());
  }

  get direction() {
    return this.form.elements.direction.value;
  }

  get pay() {
    return this.tokens[this.direction === "swap" ? "USDA" : "TIM3"];
  }

  get receive() {
    return this.tokens[this.direction === "swap" ? "TIM3" : "USDA"];
  }

  async start() {
    try {
      this.wallets = (await get("/api/wallets")).wallets;
      this.listWallets();
      await this.chooseWallet();
    } catch (err) {
      this.fail(`Could not load the wallets: ${err.message}`);
    }
  }

  listWallets() {
    const select = $("wallet");
    const chosen = select.value;
    const options = this.wallets.map((w) =>
      h("option", { value: `dev:${w.name}` }, `${w.name} (${short(w.address)})`));
    if (wanderAvailable()) options.push(h("option", { value: "wander" }, "Wander (browser wallet)"));
    fill(select, options);
    if (!options.length) {
      fill(select, h("option", { value: "" }, "No wallet: install Wander"));
      $("wallet-note").textContent =
        "On this network your own wallet signs. Install Wander (wander.app) and reload.";
    }
    if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
  }

  async chooseWallet() {
    const value = $("wallet").value;
    $("connect-wander").hidden = value !== "wander";
    if (value.startsWith("dev:")) {
      const w = this.wallets.find((x) => `dev:${x.name}` === value);
      this.signer = { kind: "dev", name: w.name, address: w.address };
      $("wallet-note").textContent =
        "A dev wallet: the local server signs for it. Its key is public, never use it for value.";
    } else if (value === "wander") {
      this.signer = null;
      $("wallet-note").textContent = "Connect Wander; it will ask you to sign each swap.";
    }
    await this.refresh();
  }

  async connect() {
    try {
      const address = await connectWander();
      this.signer = { kind: "wander", address };
      $("wallet-note").textContent = `Wander connected: ${address}`;
      await this.refresh();
    } catch (err) {
      this.fail(`Wander did not connect: ${err.message || err}`);
    }
  }

  /** Reload the balances of the chosen wallet. */
  async refresh() {
    if (!this.signer) {
      this.balances = null;
    } else {
      const b = await get("/api/balances", { address: this.signer.address });
      this.balances = { USDA: BigInt(b.balances.USDA), TIM3: BigInt(b.balances.TIM3) };
    }
    for (const t of ["USDA", "TIM3"]) {
      $(`bal-${t}`).textContent = this.balances
        ? `${formatAmount(this.balances[t], this.tokens[t].denomination)} ${t}` : "—";
    }
    this.update();
  }

  setReserves(reserves) {
    this.reserves = reserves;
    this.update();
  }

  /** The amount field changed: keep it only if it can still become an amount. */
  typed() {
    const problem = amountProblem(this.amount.value, this.pay.denomination, this.pay.ticker);
    if (problem) {
      const caret = Math.max(0, (this.amount.selectionStart || 0) -
        (this.amount.value.length - this.lastValid.length));
      this.amount.value = this.lastValid;
      this.amount.setSelectionRange(caret, caret);
      this.rejected = problem;
      this.update();
      return;
    }
    this.lastValid = this.amount.value;
    this.rejected = "";
    this.update();
  }

  max() {
    if (!this.balances) return;
    this.amount.value = formatAmount(this.balances[this.pay.ticker], this.pay.denomination);
    this.lastValid = this.amount.value;
    this.rejected = "";
    this.update();
    this.amount.focus();
  }

  /** Labels, "You will receive", warnings and whether Swap can be pressed. */
  update() {
    const rejected = this.rejected;
    const pay = this.pay;
    const receive = this.receive;
    const swapping = this.direction === "swap";
    $("pay-ticker").textContent = pay.ticker;
    $("swap-button").textContent = swapping ? "Swap" : "Redeem";
    $("pay-balance").textContent = this.balances
      ? `${formatAmount(this.balances[pay.ticker], pay.denomination)} ${pay.ticker}` : "—";
    const quantity = parseAmount(normalise(this.amount.value), pay.denomination);
    const shown = quantity === null ? 0n : quantity;
    $("receive").textContent =
      `You will receive ${formatAmount(shown, receive.denomination)} ${receive.ticker}`;
    let problem = rejected;
    if (!problem && quantity !== null && this.balances && quantity > this.balances[pay.ticker]) {
      const has = formatAmount(this.balances[pay.ticker], pay.denomination);
      problem = `Not enough ${pay.ticker}: you have ${has} ${pay.ticker}.`;
    }
    $("amount-error").textContent = problem;
    this.amount.setAttribute("aria-invalid", problem && !rejected ? "true" : "false");
    const warn = $("pause-warning");
    const r = this.reserves;
    const paused = r && (swapping ? r.mint_paused : r.redeem_paused);
    warn.hidden = !paused;
    warn.textContent = !paused ? "" : swapping
      ? "Minting is paused: USDA you send now will be refunded, no TIM3 minted."
      : "Redeeming is paused: a redeem now will be refused.";
    const ready = this.signer && quantity !== null && quantity > 0n && !problem && !this.busy;
    $("swap-button").disabled = !ready;
  }

  /** Ask the server for the exact message, and show it before anything is signed. */
  async confirm() {
    if ($("swap-button").disabled) return;
    const amount = normalise(this.amount.value);
    let quote;
    try {
      quote = await get("/api/quote", { action: this.direction, amount });
    } catch (err) {
      this.fail(err.message);
      return;
    }
    $("confirm-title").textContent = this.direction === "swap" ? "Confirm swap" : "Confirm redeem";
    $("confirm-summary").textContent = quote.summary;
    $("confirm-receive").textContent = quote.text;
    $("confirm-signer").textContent = this.signer.kind === "dev"
      ? `Signed by the dev wallet ${this.signer.name} (the local server holds its key).`
      : "Wander will ask you to sign this message.";
    const m = quote.message;
    fill($("confirm-message"),
      h("div", {}, h("dt", {}, "Target"), h("dd", {}, h("code", {}, m.target))),
      m.tags.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, h("code", {}, v)))),
      h("div", {}, h("dt", {}, "Data"), h("dd", {}, m.data === "" ? "(empty)" : m.data)));
    const dialog = $("confirm");
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "sign") this.send(quote, amount);
    }, { once: true });
    dialog.showModal();
    $("confirm-sign").focus();
  }

  async send(quote, amount) {
    this.busy = true;
    this.update();
    let id;
    try {
      if (this.signer.kind === "dev") {
        id = (await post(`/api/${quote.action}`, { wallet: this.signer.name, amount })).id;
      } else {
        id = (await submitSigned(await signWithWander(quote.message))).id;
      }
    } catch (err) {
      this.busy = false;
      this.fail(err.message || String(err));
      return;
    }
    this.amount.value = "";
    this.lastValid = "";
    this.rejected = "";
    await this.progress(id);
    this.busy = false;
    await this.refresh();
    this.onSettled();
  }

  /** Show each step of the message's causal chain as it is read, then the outcome. */
  async progress(id) {
    const section = $("progress");
    section.hidden = false;
    $("progress-title").textContent = "Progress";
    const steps = $("steps");
    steps.replaceChildren();
    const outcome = $("outcome");
    outcome.hidden = true;
    $("progress-link").href = `#/flow/${id}`;
    $("progress-link").textContent = `Open this flow (${short(id)})`;
    this.diagram.reset();
    section.scrollIntoView({ block: "nearest" });
    const flow = await followFlow(id, ({ arrow, lanes }) => {
      steps.append(h("li", { class: `tone-text tone-${arrow.tone}`, "data-n": arrow.n }, arrow.step));
      this.diagram.add(arrow, lanes);
    });
    this.diagram.show(flow);
    showOutcome(outcome, flow.outcome);
  }

  fail(text) {
    this.rejected = text;
    this.update();
  }
}

/** The outcome banner: minted, refunded, failed, redeemed or pending, in plain words. */
export function showOutcome(el, outcome) {
  const tone = { minted: "good", redeemed: "good", done: "good", refunded: "warn",
                 failed: "error", pending: "info", unknown: "warn" }[outcome.status] || "info";
  el.className = `banner ${tone}`;
  el.dataset.status = outcome.status;
  fill(el, h("strong", {}, outcome.title), outcome.detail ? [" ", outcome.detail] : []);
  el.hidden = false;
}
