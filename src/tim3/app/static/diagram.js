// The Process Flow Diagram: one lane per process or wallet, one arrow per message, in the
// order the messages were delivered. Arrows are labelled with Action and Quantity, coloured
// by tone (ok, error, refund, dropped) and can be selected with the mouse or the keyboard.

import { h, s, short } from "./dom.js";

const TOP = 64;           // below the lane headers
const STEP = 54;          // vertical distance between two arrows
const TONES = ["ok", "error", "refund", "dropped"];

function laneWidth(container, lanes) {
  const available = Math.max(container.clientWidth - 16, 280);
  return Math.max(104, Math.min(190, Math.floor(available / Math.max(lanes, 1))));
}

function describe(arrow, lanes) {
  const name = (id) => (lanes.find((l) => l.id === id) || { name: short(id) }).name;
  const what = [arrow.action || "(no Action)", arrow.amount].filter(Boolean).join(" ");
  const tone = arrow.tone === "ok" ? "" : `, ${arrow.tone}`;
  return `${arrow.n}: ${name(arrow.from)} to ${name(arrow.to)}, ${what}${tone}`;
}

export class FlowDiagram {
  /** container: the element to draw in; onSelect(arrow, lanes) when an arrow is chosen. */
  constructor(container, onSelect = () => {}) {
    this.container = container;
    this.onSelect = onSelect;
    this.reset();
  }

  reset() {
    this.lanes = [];
    this.arrows = [];
    this.selected = null;
    this.render();
  }

  /** Add one arrow as it is read (live progress). */
  add(arrow, lanes) {
    this.lanes = lanes;
    if (!this.arrows.some((a) => a.key === arrow.key)) this.arrows.push(arrow);
    this.render();
  }

  /** Show a whole flow. */
  show(flow) {
    this.lanes = flow.lanes;
    this.arrows = flow.arrows;
    this.render();
  }

  select(n) {
    const arrow = this.arrows.find((a) => a.n === n);
    if (!arrow) return;
    this.selected = n;
    this.render();
    this.onSelect(arrow, this.lanes);
    const el = this.container.querySelector(`[data-n="${n}"]`);
    if (el) el.focus();
  }

  render() {
    const box = this.container;
    if (!this.arrows.length) {
      box.replaceChildren(h("p", { class: "note" }, "Waiting for the first message…"));
      return;
    }
    const laneW = laneWidth(box, this.lanes.length);
    const width = laneW * this.lanes.length;
    const height = TOP + STEP * this.arrows.length + 12;
    const x = new Map(this.lanes.map((lane, i) => [lane.id, laneW * i + laneW / 2]));

    const markers = TONES.map((tone) => s("marker", {
      id: `head-${tone}-${this.container.id}`, viewBox: "0 0 10 10", refX: 9, refY: 5,
      markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse", class: `head tone-${tone}`,
    }, s("path", { d: "M0,0 L10,5 L0,10 z" })));

    const lanes = this.lanes.map((lane) => {
      const cx = x.get(lane.id);
      return s("g", { class: `lane lane-${lane.kind}`, "data-lane": lane.name },
        s("title", {}, `${lane.name} (${lane.kind}) ${lane.id}`),
        s("line", { class: "lifeline", x1: cx, y1: 50, x2: cx, y2: height - 6 }),
        s("rect", { x: cx - laneW / 2 + 6, y: 6, width: laneW - 12, height: 40,
                    rx: lane.kind === "wallet" ? 20 : 6 }),
        s("text", { x: cx, y: 24, class: "lane-name" }, lane.name),
        s("text", { x: cx, y: 39, class: "lane-id" }, short(lane.id)));
    });

    const arrows = this.arrows.map((arrow, i) => {
      const y = TOP + STEP * i + 22;
      const x1 = x.get(arrow.from) ?? 0;
      const x2 = x.get(arrow.to) ?? 0;
      const marker = `url(#head-${arrow.tone}-${this.container.id})`;
      let line;
      let mid;
      if (x1 === x2) {
        const d = `M${x1},${y - 8} h30 v16 h-26`;
        line = [s("path", { d, class: "hit" }), s("path", { d, class: "shaft", "marker-end": marker })];
        mid = x1 + 34;
      } else {
        const dir = x2 > x1 ? 1 : -1;
        const attrs = { x1: x1 + 3 * dir, y1: y, x2: x2 - 4 * dir, y2: y };
        line = [s("line", { ...attrs, class: "hit" }),
                s("line", { ...attrs, class: "shaft", "marker-end": marker })];
        mid = (x1 + x2) / 2;
      }
      const anchor = x1 === x2 ? "start" : "middle";
      const label = s("text", { x: mid, y: y - 19, class: "label", "text-anchor": anchor },
        `${arrow.n}. ${arrow.action || "(no Action)"}`);
      const amount = s("text", { x: mid, y: y - 6, class: "amount", "text-anchor": anchor },
        arrow.amount || (arrow.tone === "dropped" ? "dropped" : ""));
      const selected = this.selected === arrow.n ? " selected" : "";
      const from = this.lanes.find((l) => l.id === arrow.from);
      const to = this.lanes.find((l) => l.id === arrow.to);
      return s("g", {
        class: `arrow tone-${arrow.tone}${selected}`, tabindex: 0, role: "button",
        "aria-label": describe(arrow, this.lanes), "aria-pressed": String(!!selected),
        "data-n": arrow.n, "data-action": arrow.action, "data-tone": arrow.tone,
        "data-from": from ? from.name : "", "data-to": to ? to.name : "",
        onclick: () => this.select(arrow.n),
        onkeydown: (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            this.select(arrow.n);
          }
        },
      }, s("title", {}, arrow.step), ...line, label, amount);
    });

    const svg = s("svg", {
      class: "flow", width, height, viewBox: `0 0 ${width} ${height}`, role: "group",
      "aria-label": `Process flow: ${this.arrows.length} messages between ` +
        this.lanes.map((l) => l.name).join(", "),
    }, s("defs", {}, markers), lanes, arrows);
    box.replaceChildren(svg);
  }
}

/** The details of one arrow: who, what, its tags and data. */
export function arrowDetails(arrow, lanes) {
  const lane = (id) => lanes.find((l) => l.id === id);
  const who = (id) => {
    const l = lane(id);
    return [l ? `${l.name} ` : "", h("code", {}, id)];
  };
  const rows = [
    ["Step", arrow.step],
    ["From", who(arrow.from)],
    ["To", who(arrow.to)],
    ["Action", arrow.action || "(none)"],
    ["Quantity", arrow.quantity ? `${arrow.quantity} base units (${arrow.amount})` : "—"],
    ["Message id", arrow.id
      ? h("a", { href: `#/flow/${arrow.id}` }, h("code", {}, arrow.id)) : "— (delivered to a wallet)"],
    ["Delivery", arrow.kind],
  ];
  if (arrow.error) rows.push(["Error", h("span", { class: "error-text" }, arrow.error)]);
  const table = h("table", { class: "tags" },
    h("caption", {}, "Tags"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Value"))),
    h("tbody", {}, arrow.tags.map(([name, value]) =>
      h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, h("code", {}, value))))));
  return [
    h("h3", { class: `tone-text tone-${arrow.tone}` }, `${arrow.n}. ${arrow.action || "(no Action)"}`),
    h("dl", { class: "figures wide" }, rows.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v)))),
    table,
    h("h4", {}, "Data"),
    h("pre", { class: "data" }, arrow.data || "(empty)"),
  ];
}
