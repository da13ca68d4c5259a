/**
 * A connector across nodes: with two nodes, a channel's Twitch connector runs on exactly one
 * (each node's `chorus_connectors_running`); when that node is killed, the other takes the
 * lease over and mirrors the chat again, and a message the stand-in sends then reaches the
 * channel through the surviving node.
 *
 * Also: a repeated externalId posted to both nodes at once is published once.
 *
 * Skipped, loudly, when redis-server or PostgreSQL is missing.
 */
import type { Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privmsgLine, TwitchIrcStandin } from "../src/connectors/twitch/twitch-irc-standin.js";
import { type Cluster, type ClusterNode, clusterAvailable, gaugeOf, startCluster, waitFor } from "./cluster-harness.js";
import { api, createChannel, register, type Session } from "./helpers.js";

const available = await clusterAvailable();
const title = available
  ? "connector failover: 2 nodes, one Redis, one PostgreSQL"
  : "connector failover — SKIPPED: redis-server or PostgreSQL not available";

const running = (node: ClusterNode): Promise<number> => gaugeOf(node, "chorus_connectors_running");

describe.skipIf(!available)(title, () => {
  let standin: TwitchIrcStandin;
  let cluster: Cluster;
  let owner: Session;
  let channel: string;

  beforeAll(async () => {
    standin = await TwitchIrcStandin.start();
    cluster = await startCluster({
      nodes: 2,
      env: { TWITCH_IRC_URL: standin.url, CONNECTOR_SCAN_MS: "200", LEASE_TTL_MS: "2000" },
    });
    const [a] = cluster.nodes as [ClusterNode, ClusterNode];
    owner = await register(a.url, "owner");
    channel = await createChannel(a.url, owner, "failover");
  }, 90_000);
  afterAll(async () => {
    await cluster?.dispose();
    await standin?.close();
  });

  it("runs the connector on one node; when that node dies the other takes it over and the chat keeps coming", async () => {
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const put = await api(a.url, "PUT", `/api/channels/${channel}/connectors/twitch`, {
      token: owner.token,
      body: { source: "bigstreamer" },
    });
    expect(put.status, put.text).toBe(200);
    const holder = await waitFor("a node to run the connector", async () => {
      const counts = await Promise.all([running(a), running(b)]);
      if (counts[0] + counts[1] === 1) return counts[0] === 1 ? a : b;
      expect(counts[0] + counts[1], "never on both").toBeLessThanOrEqual(1);
      return undefined;
    });
    const survivor = holder === a ? b : a;
    await waitFor("the join", async () =>
      standin.open.some((c) => c.channels.has("#bigstreamer")) ? true : undefined,
    );
    standin.send(privmsgLine({ channel: "bigstreamer", login: "early_bird", id: "f-1", text: "before the crash" }));
    const texts = async () =>
      (await api<{ messages: Message[] }>(survivor.url, "GET", `/api/channels/${channel}/messages`)).body.messages.map(
        (m) => m.text,
      );
    await waitFor("the first message", async () => ((await texts()).includes("before the crash") ? true : undefined));

    const before = standin.connections.length;
    await holder.kill();
    const killedAt = Date.now();
    await waitFor("the survivor to take the connector over", async () =>
      (await running(survivor)) === 1 ? true : undefined,
    );
    await waitFor("a new joined connection", async () =>
      standin.connections.slice(before).some((c) => c.open && c.channels.has("#bigstreamer")) ? true : undefined,
    );
    console.log(`[connectors-cluster] taken over ${Date.now() - killedAt} ms after the kill`);
    standin.send(privmsgLine({ channel: "bigstreamer", login: "late_owl", id: "f-2", text: "after the crash" }));
    await waitFor("the message after the takeover", async () =>
      (await texts()).includes("after the crash") ? true : undefined,
    );
    expect((await texts()).filter((t) => t === "before the crash")).toHaveLength(1);
    const state = await api<{ connectors: Array<{ state: string }> }>(
      survivor.url,
      "GET",
      `/api/channels/${channel}/connectors`,
      { token: owner.token },
    );
    expect(state.body.connectors[0]?.state).toBe("connected");
  }, 90_000);
  it("20 concurrent posts of one externalId, spread over both nodes, publish it once", async () => {
    // The previous test killed one node: start it again.
    for (const node of cluster.nodes) await node.start();
    const nodes = cluster.live();
    expect(nodes).toHaveLength(2);
    const key = await api<{ secret: string }>(nodes[0]?.url ?? "", "POST", `/api/channels/${channel}/ingest-keys`, {
      token: owner.token,
      body: {},
    });
    const item = { externalId: "cluster-dup-1", username: "twice", text: "exactly once across nodes" };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api<{ results: Array<{ status: string; id: string }> }>(
          nodes[i % nodes.length]?.url ?? "",
          "POST",
          `/api/channels/${channel}/ingest/generic`,
          { token: key.body.secret, body: item },
        ),
      ),
    );
    const statuses = results.map((r) => r.body.results?.[0]?.status);
    expect(statuses.filter((s) => s === "published")).toHaveLength(1);
    expect(statuses.filter((s) => s === "duplicate")).toHaveLength(19);
    expect(new Set(results.map((r) => r.body.results?.[0]?.id)).size).toBe(1);

    // Revoked through one node, the key stops working on the other (which had it in memory).
    const [first, second] = nodes as [ClusterNode, ClusterNode];
    const keys = await api<{ keys: Array<{ id: string }> }>(first.url, "GET", `/api/channels/${channel}/ingest-keys`, {
      token: owner.token,
    });
    const id = keys.body.keys.at(-1)?.id ?? "";
    const revokedAt = Date.now();
    expect(
      (await api(first.url, "DELETE", `/api/channels/${channel}/ingest-keys/${id}`, { token: owner.token })).status,
    ).toBe(204);
    const refusedAfter = await waitFor(
      "the revocation on the other node",
      async () => {
        const res = await api(second.url, "POST", `/api/channels/${channel}/ingest/generic`, {
          token: key.body.secret,
          body: { externalId: `after-${Date.now()}`, username: "x", text: "after the revocation" },
        });
        return res.status === 401 ? Date.now() - revokedAt : undefined;
      },
      2_000,
    );
    console.log(`[connectors-cluster] key revoked through one node refused on the other after ${refusedAfter} ms`);
  }, 60_000);
});
