// The flow page (#/flow/<message-id>): the diagram of any past message, its steps and outcome.

import { followFlow } from "./api.js";
import { arrowDetails, FlowDiagram } from "./diagram.js";
import { $, fill, h } from "./dom.js";
import { showOutcome } from "./swap.js";

let diagram = null;

function showDetails(arrow, lanes) {
  const section = $("arrow-details");
  fill($("details-body"), arrowDetails(arrow, lanes));
  section.hidden = false;
}

export async function showFlow(id) {
  diagram = diagram || new FlowDiagram($("flow-diagram"), showDetails);
  diagram.reset();
  $("flow-id").textContent = id;
  fill($("flow-root"));
  $("arrow-details").hidden = true;
  const steps = $("flow-steps");
  steps.replaceChildren();
  $("flow-outcome").hidden = true;
  try {
    const flow = await followFlow(id, ({ arrow, lanes }) => {
      diagram.add(arrow, lanes);
      steps.append(h("li", { class: `tone-text tone-${arrow.tone}` }, arrow.step));
    });
    diagram.show(flow);
    showOutcome($("flow-outcome"), flow.outcome);
    if (flow.root) {
      fill($("flow-root"), "— part of ", h("a", { href: `#/flow/${flow.root}` }, "the whole chain"));
    }
  } catch (err) {
    fill($("flow-diagram"), h("p", { class: "banner error", role: "alert" }, err.message));
  }
}
