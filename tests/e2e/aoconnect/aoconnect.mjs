// Drives a tim3 node with the official AO JavaScript client (aoconnect, legacy mode).
//
//   node aoconnect.mjs SPEC.json JWK.json
//
// SPEC: {url, module, scheduler, authority, handler}. Spawns a process, Evals `handler` into
// it, sends three Greet messages, reads a result, pages results, dry-runs Count, monitors and
// unmonitors, then prints one JSON object of everything it got back. Uses only the calls that
// do not need aoconnect's locate() (which would ask a hard-coded su-router on the internet).
import { readFileSync } from "node:fs";
import { connect, createDataItemSigner } from "@permaweb/aoconnect";

const [specPath, jwkPath] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specPath, "utf8"));
const signer = createDataItemSigner(JSON.parse(readFileSync(jwkPath, "utf8")));
const ao = connect({
  MODE: "legacy",
  MU_URL: spec.url,
  CU_URL: spec.url,
  GATEWAY_URL: spec.url,
  noLog: true,
});

const processId = await ao.spawn({
  module: spec.module,
  scheduler: spec.scheduler,
  signer,
  tags: [
    { name: "Name", value: "aoconnect-e2e" },
    { name: "Authority", value: spec.authority },
  ],
});

const evalId = await ao.message({
  process: processId,
  signer,
  tags: [{ name: "Action", value: "Eval" }],
  data: spec.handler,
});
const evalResult = await ao.result({ process: processId, message: evalId });

const greetIds = [];
for (const who of ["ann", "ben", "cy"]) {
  greetIds.push(await ao.message({
    process: processId,
    signer,
    tags: [{ name: "Action", value: "Greet" }, { name: "Who", value: who }],
  }));
}
const greetResult = await ao.result({ process: processId, message: greetIds[2] });

const firstPage = await ao.results({ process: processId, limit: 2 });
const secondPage = await ao.results({
  process: processId,
  from: firstPage.edges[firstPage.edges.length - 1].cursor,
  limit: 2,
});
const newest = await ao.results({ process: processId, sort: "DESC", limit: 1 });

const dryRun = await ao.dryrun({
  process: processId,
  tags: [{ name: "Action", value: "Count" }],
});

const monitorId = await ao.monitor({ process: processId, signer });
await ao.unmonitor({ process: processId, signer });

console.log(JSON.stringify({
  processId,
  evalId,
  evalResult,
  greetIds,
  greetResult,
  firstPage,
  secondPage,
  newest,
  dryRun,
  monitorId,
}));
