/**
 * Analysis across nodes: with two nodes, exactly one analyses a channel (each node's
 * `chorus_analysis_channels`); when that node is killed mid-chat, the other takes the lease
 * over and the summaries go on with none twice and none missing — one after every
 * `summaryEvery` messages, whichever node the messages were posted to.
 *
 * Skipped, loudly, when redis-server or PostgreSQL is missing.
 */
import type { ChannelStats, Message } from "@chorus/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, type ClusterNode, clusterAvailable, gaugeOf, startCluster, waitFor } from "./cluster-harness.js";
import { api, createChannel, postMessage, register, type Session, sleep } from "./helpers.js";

const available = await clusterAvailable();
const title = available
  ? "analysis failover: 2 nodes, one Redis, one PostgreSQL"
  : "analysis failover — SKIPPED: redis-server or PostgreSQL not available";

const leading = (node: ClusterNode): Promise<number> => gaugeOf(node, "chorus_analysis_channels");

type SummaryEntry = { seq: number; text: string; fromSeq: number; toSeq: number };

describe.skipIf(!available)(title, () => {
  let cluster: Cluster;
  let owner: Session;
  let chatter: Session;
  let channel: string;

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 2,
      env: {
        ANALYSIS_ENABLED: "true",
        LEASE_TTL_MS: "2000",
        ANALYSIS_RETRY_MS: "200",
        STATS_INTERVAL_MS: "300",
        PERSIST_CLAIM_IDLE_MS: "1000",
        MESSAGES_PER_WINDOW: "1000",
      },
    });
    const [a] = cluster.nodes as [ClusterNode, ClusterNode];
    owner = await register(a.url, "owner");
    chatter = await register(a.url, "chatter");
    channel = await createChannel(a.url, owner, "anfail");
    const res = await api(a.url, "PATCH", `/api/channels/${channel}`, {
      token: owner.token,
      body: { settings: { summaryEvery: 5, summaryWindow: 10 } },
    });
    expect(res.status, res.text).toBe(200);
  }, 90_000);
  afterAll(async () => {
    await cluster?.dispose();
  });

  it("one node analyses the channel; when it dies the other goes on: no summary twice, none missing", async () => {
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const sent: Message[] = [];
    const post = async (node: ClusterNode, i: number): Promise<void> => {
      const res = await postMessage(node.url, chatter, channel, `the boss fight take ${i} is going great`);
      expect(res.status, res.text).toBe(201);
      sent.push(res.body.message);
    };
    for (let i = 0; i < 12; i++) await post(i % 2 === 0 ? a : b, i);
    const holder = await waitFor("one node to lead the channel", async () => {
      const counts = await Promise.all([leading(a), leading(b)]);
      expect(counts[0] + counts[1], "never on both").toBeLessThanOrEqual(1);
      if (counts[0] + counts[1] === 1) return counts[0] === 1 ? a : b;
      return undefined;
    });
    const survivor = holder === a ? b : a;
    const summaries = async (): Promise<SummaryEntry[]> =>
      (await api<{ summaries: SummaryEntry[] }>(survivor.url, "GET", `/api/channels/${channel}/summaries?limit=100`))
        .body.summaries;
    await waitFor("two summaries", async () => ((await summaries()).length >= 2 ? true : undefined));

    await holder.kill();
    const killedAt = Date.now();
    // Chat goes on through the survivor, at first while the dead node's lease has not expired.
    for (let i = 12; i < 25; i++) await post(survivor, i);
    await waitFor("the survivor to lead the channel", async () => ((await leading(survivor)) === 1 ? true : undefined));
    console.log(`[analysis-cluster] taken over ${Date.now() - killedAt} ms after the kill`);
    const every5th = [4, 9, 14, 19, 24].map((i) => sent[i]?.seq);
    await waitFor("five summaries", async () => ((await summaries()).length >= 5 ? true : undefined));
    await sleep(1_000); // a duplicate would have come by now
    const all = await summaries();
    expect(all.map((s) => s.toSeq)).toEqual(every5th);
    expect(new Set(all.map((s) => s.seq)).size).toBe(5);

    // The survivor publishes the stats now.
    const stats = await waitFor("stats from the survivor", async () => {
      const res = await api<ChannelStats>(survivor.url, "GET", `/api/channels/${channel}/stats`);
      return res.body.lastMinute >= 13 ? res.body : undefined;
    });
    expect(stats.chatters).toBe(1);
  }, 120_000);
});
