// Cross-checks tim3.arweave data items against arbundles, the ANS-104 library aoconnect uses.
//
//   node interop.mjs verify ITEM.bin
//       Verify a data item with arbundles' DataItem.verify and print what arbundles reads from it
//       as one JSON line: {valid, id, signatureType, owner, target, anchor, tags, data}
//       (owner, target, anchor and data as base64url; tags as [{name, value}]).
//   node interop.mjs sign JWK.json SPEC.json OUT.bin [node|web]
//       Create and sign a data item with arbundles' ArweaveSigner from the JWK file and write its
//       raw bytes to OUT.bin. SPEC is {data (base64url), tags: [{name, value}], target?, anchor?}
//       (anchor as a UTF-8 string). "node" signs with Node's crypto (PSS salt = maximum), "web"
//       with WebCrypto through arbundles' web build (PSS salt = 32). Prints {id} as JSON.
//
// The package root ("@dha-team/arbundles") also loads its file-bundling code, which needs axios,
// a package arbundles does not declare; so this imports the node build's modules directly.
import { readFileSync, writeFileSync } from "node:fs";
import { DataItem } from "@dha-team/arbundles/build/node/esm/src/DataItem";
import { createData } from "@dha-team/arbundles/build/node/esm/src/ar-data-create";
import { ArweaveSigner } from "@dha-team/arbundles/build/node/esm/src/signing/index";

const b64url = (bytes) => Buffer.from(bytes).toString("base64url");

async function verify(itemPath) {
  const raw = readFileSync(itemPath);
  const valid = await DataItem.verify(raw);
  const item = new DataItem(raw);
  return {
    valid,
    id: item.id,
    signatureType: item.signatureType,
    owner: item.owner,
    target: item.target,
    anchor: item.anchor,
    tags: item.tags,
    data: b64url(item.rawData),
  };
}

async function sign(jwkPath, specPath, outPath, driver = "node") {
  const jwk = JSON.parse(readFileSync(jwkPath, "utf8"));
  const spec = JSON.parse(readFileSync(specPath, "utf8"));
  const opts = { tags: spec.tags ?? [] };
  if (spec.target) opts.target = spec.target;
  if (spec.anchor) opts.anchor = spec.anchor;
  const data = Buffer.from(spec.data ?? "", "base64url");
  let item;
  if (driver === "web") {
    const web = await import("@dha-team/arbundles/web");
    const signer = new web.ArweaveSigner(jwk);
    item = web.createData(new Uint8Array(data), signer, opts);
    await item.sign(signer);
  } else if (driver === "node") {
    const signer = new ArweaveSigner(jwk);
    item = createData(data, signer, opts);
    await item.sign(signer);
  } else {
    throw new Error(`unknown driver '${driver}': use node or web`);
  }
  writeFileSync(outPath, item.getRaw());
  return { id: item.id };
}

const [command, ...args] = process.argv.slice(2);
const commands = { verify, sign };
if (!commands[command]) {
  console.error("usage: node interop.mjs verify ITEM.bin | sign JWK.json SPEC.json OUT.bin [node|web]");
  process.exit(2);
}
console.log(JSON.stringify(await commands[command](...args)));
