import { startCluster } from "./cluster-harness.js";

const t0 = Date.now();
const c = await startCluster({ nodes: 3, appendonly: true });
console.log(
  "started in",
  Date.now() - t0,
  c.nodes.map((n) => n.url),
);
const r = await fetch(`${c.nodes[1]!.url}/readyz`);
console.log(await r.text());
await c.dispose();
console.log("disposed", Date.now() - t0);
