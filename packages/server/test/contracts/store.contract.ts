/** The Store port's contract, run against every adapter (PGlite, PostgreSQL). */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Store } from "../../src/ports/store.js";
import { describeContract } from "./availability.js";
import { channelRecord, messageEvent, seedChannel, userRecord } from "./fixtures.js";

export function storeContract(
  name: string,
  open: () => Promise<{ store: Store; dispose: () => Promise<void> }>,
  skip: string | null = null,
): void {
  describeContract(`Store contract: ${name}`, skip, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await open());
    });
    afterAll(async () => {
      await store.close();
      await dispose();
    });

    it("creates users and finds them by id and by name; names are unique", async () => {
      const u = userRecord();
      await store.users.create(u);
      expect(await store.users.byId(u.id)).toEqual(u);
      expect(await store.users.byUsername(u.username)).toEqual(u);
      expect(await store.users.byUsername("nobody_here")).toBeNull();
      await expect(store.users.create({ ...u, id: randomUUID() })).rejects.toThrow();
      await store.users.setAdmin(u.id, true);
      expect((await store.users.byId(u.id))?.isAdmin).toBe(true);
    });

    it("creates and revokes sessions", async () => {
      const u = userRecord();
      await store.users.create(u);
      const s = { id: randomUUID(), userId: u.id, createdAt: 1, expiresAt: 2, revokedAt: null };
      await store.sessions.create(s);
      expect(await store.sessions.byId(s.id)).toEqual(s);
      await store.sessions.revoke(s.id, 5);
      expect((await store.sessions.byId(s.id))?.revokedAt).toBe(5);
      await store.sessions.revoke(s.id, 9);
      expect((await store.sessions.byId(s.id))?.revokedAt).toBe(5);
    });

    it("stores channels with settings and roles", async () => {
      const { channel, user } = await seedChannel(store);
      const record = await store.channels.byName(channel);
      expect(record?.ownerId).toBe(user.id);
      await store.channels.update(channel, {
        title: "New",
        settings: { ...record!.settings, slowModeSec: 30, blockedTerms: [{ term: "x", action: "mask" }] },
      });
      const updated = await store.channels.byName(channel);
      expect(updated?.title).toBe("New");
      expect(updated?.settings.slowModeSec).toBe(30);
      expect(updated?.settings.blockedTerms).toEqual([{ term: "x", action: "mask" }]);
      const mod = userRecord();
      await store.users.create(mod);
      await store.channels.setRole(channel, mod.id, "moderator");
      expect((await store.channels.roles(channel)).get(mod.id)).toBe("moderator");
      await store.channels.setRole(channel, mod.id, "viewer");
      expect((await store.channels.roles(channel)).has(mod.id)).toBe(false);
      expect((await store.channels.list()).some((c) => c.name === channel)).toBe(true);
    });

    it("appends events idempotently per (channel, seq) and reads ranges in order", async () => {
      const { channel, user } = await seedChannel(store);
      const events = [1, 2, 3, 4, 5].map((seq) => ({ event: messageEvent(channel, seq, user), dedupKey: `k${seq}` }));
      await store.events.append(events);
      // A retried batch (a persister that crashed before ack) changes nothing.
      await store.events.append([{ event: messageEvent(channel, 3, user, { text: "impostor" }), dedupKey: null }]);
      const range = await store.events.range(channel, 1, 3);
      expect(range.map((e) => e.seq)).toEqual([2, 3, 4]);
      expect(range[1]?.type === "message" && range[1].data.text).toBe("message 3");
      expect(await store.events.maxSeq(channel)).toBe(5);
      expect((await store.events.maxSeqs()).get(channel)).toBe(5);
    });

    it("pages history: latest, before, after; hides deleted and cleared messages", async () => {
      const { channel, user } = await seedChannel(store);
      const events = Array.from({ length: 10 }, (_, i) => ({
        event: messageEvent(channel, i + 1, user),
        dedupKey: null,
      }));
      await store.events.append(events);
      expect((await store.events.messages({ channel, limit: 3 })).map((m) => m.seq)).toEqual([8, 9, 10]);
      expect((await store.events.messages({ channel, limit: 3, before: 5 })).map((m) => m.seq)).toEqual([2, 3, 4]);
      expect((await store.events.messages({ channel, limit: 3, after: 5 })).map((m) => m.seq)).toEqual([6, 7, 8]);
      const target = events[8]!.event;
      if (target.type !== "message") throw new Error("fixture");
      await store.events.append([
        {
          event: {
            op: "event",
            channel,
            seq: 11,
            type: "message_deleted",
            at: Date.now(),
            data: { id: target.data.id, by: "x" },
          },
          dedupKey: null,
        },
      ]);
      expect((await store.events.messages({ channel, limit: 3 })).map((m) => m.seq)).toEqual([7, 8, 10]);
      expect((await store.events.messageRef(channel, target.data.id))?.deleted).toBe(true);
      await store.events.append([
        {
          event: { op: "event", channel, seq: 12, type: "chat_cleared", at: Date.now(), data: { by: "x" } },
          dedupKey: null,
        },
      ]);
      expect(await store.events.messages({ channel, limit: 50 })).toEqual([]);
    });

    it("keeps a deleted channel's highest seq (no seq is ever reused)", async () => {
      const { channel, user } = await seedChannel(store);
      await store.events.append([1, 2, 3].map((seq) => ({ event: messageEvent(channel, seq, user), dedupKey: null })));
      await store.channels.delete(channel);
      expect(await store.channels.byName(channel)).toBeNull();
      expect(await store.events.maxSeq(channel)).toBe(3);
      expect((await store.events.maxSeqs()).get(channel)).toBe(3);
      await store.channels.create(channelRecord(channel, user.id));
      expect(await store.events.maxSeq(channel)).toBe(3);
    });

    it("returns recent dedup keys and message refs", async () => {
      const { channel, user } = await seedChannel(store);
      const e = messageEvent(channel, 1, user);
      await store.events.append([{ event: e, dedupKey: `${channel}:${user.id}:nonce-1` }]);
      const keys = await store.events.recentDedupKeys(Date.now() - 60_000);
      expect(keys).toContainEqual({ key: `${channel}:${user.id}:nonce-1`, channel, seq: 1 });
      expect(await store.events.byDedupKey(channel, `${channel}:${user.id}:nonce-1`, Date.now() - 60_000)).toEqual(e);
      expect(await store.events.byDedupKey(channel, `${channel}:${user.id}:nonce-1`, Date.now() + 60_000)).toBeNull();
      expect(await store.events.byDedupKey(channel, "other", 0)).toBeNull();
      if (e.type !== "message") throw new Error("fixture");
      expect(await store.events.messageRef(channel, e.data.id)).toEqual({
        id: e.data.id,
        seq: 1,
        authorId: user.id,
        deleted: false,
        dedupKey: `${channel}:${user.id}:nonce-1`,
      });
      expect(await store.events.messageRef("other_channel", e.data.id)).toBeNull();
    });

    it("counts a broadcast's messages and lists broadcasts newest first", async () => {
      const { channel, user } = await seedChannel(store);
      const b1 = {
        id: randomUUID(),
        channel,
        title: "one",
        videoUrl: null,
        startedAt: 1000,
        endedAt: 2000,
        messageCount: 0,
      };
      const b2 = {
        id: randomUUID(),
        channel,
        title: "two",
        videoUrl: "https://x.test/a.m3u8",
        startedAt: 3000,
        endedAt: null,
        messageCount: 0,
      };
      await store.broadcasts.create(b1);
      await store.broadcasts.create(b2);
      await store.events.append(
        [1, 2].map((seq) => ({ event: messageEvent(channel, seq, user, { broadcastId: b2.id }), dedupKey: null })),
      );
      const list = await store.broadcasts.list(channel, 10);
      expect(list.map((b) => b.title)).toEqual(["two", "one"]);
      expect(list[0]?.messageCount).toBe(2);
      await store.broadcasts.update(b2.id, { endedAt: 4000 });
      expect((await store.broadcasts.byId(b2.id))?.endedAt).toBe(4000);
      expect((await store.events.messages({ channel, broadcastId: b2.id, limit: 10 })).length).toBe(2);
    });

    it("leases seqs that only grow and start above stored events", async () => {
      const { channel, user } = await seedChannel(store);
      expect(await store.events.leaseSeqs(channel, 0, 100)).toEqual({ from: 0, ceiling: 100 });
      expect(await store.events.leaseSeqs(channel, 50, 100)).toEqual({ from: 100, ceiling: 200 });
      expect(await store.events.leaseSeqs(channel, 500, 100)).toEqual({ from: 500, ceiling: 600 });
      const other = (await seedChannel(store)).channel;
      await store.events.append([1, 2, 3].map((seq) => ({ event: messageEvent(other, seq, user), dedupKey: null })));
      expect(await store.events.leaseSeqs(other, 0, 10)).toEqual({ from: 3, ceiling: 13 });
    });

    it("keeps one standing sanction per user and channel; lists bans and unexpired timeouts", async () => {
      const { channel, user } = await seedChannel(store);
      const other = userRecord();
      await store.users.create(other);
      const now = Date.now();
      const base = { channel, reason: null, by: "mod", at: now };
      await store.sanctions.put({
        ...base,
        userId: user.id,
        username: user.username,
        kind: "timeout",
        until: now + 60_000,
      });
      await store.sanctions.put({
        ...base,
        userId: other.id,
        username: other.username,
        kind: "timeout",
        until: now - 1,
      });
      expect((await store.sanctions.active(channel, now)).map((s) => [s.username, s.kind])).toEqual([
        [user.username, "timeout"],
      ]);
      // A ban replaces the timeout.
      await store.sanctions.put({
        ...base,
        userId: user.id,
        username: user.username,
        kind: "ban",
        until: null,
        reason: "spam",
      });
      const [ban] = await store.sanctions.active(channel, now);
      expect(ban).toMatchObject({ username: user.username, kind: "ban", until: null, reason: "spam", by: "mod" });
      expect(await store.sanctions.remove(channel, user.id)).toBe(true);
      expect(await store.sanctions.remove(channel, user.id)).toBe(false);
      expect(await store.sanctions.active(channel, now)).toEqual([]);
    });

    it("keeps one suspicious-user mark per user and channel, newest first, until lifted", async () => {
      const { channel, user } = await seedChannel(store);
      const other = userRecord();
      await store.users.create(other);
      const base = { channel, reason: null, by: "mod" };
      await store.userStatus.put({ ...base, userId: user.id, username: user.username, status: "monitored", at: 1 });
      await store.userStatus.put({ ...base, userId: other.id, username: other.username, status: "restricted", at: 2 });
      expect((await store.userStatus.list(channel)).map((s) => [s.username, s.status])).toEqual([
        [other.username, "restricted"],
        [user.username, "monitored"],
      ]);
      // A new mark replaces the old one.
      await store.userStatus.put({
        ...base,
        userId: user.id,
        username: user.username,
        status: "restricted",
        at: 3,
        reason: "raid",
      });
      const [latest] = await store.userStatus.list(channel);
      expect(latest).toMatchObject({ username: user.username, status: "restricted", reason: "raid", by: "mod", at: 3 });
      expect(await store.userStatus.remove(channel, user.id)).toBe(true);
      expect(await store.userStatus.remove(channel, user.id)).toBe(false);
      expect((await store.userStatus.list(channel)).map((s) => s.username)).toEqual([other.username]);
    });

    it("stores ingest keys by the hash of their secret, per channel; revoking deletes; touch records use", async () => {
      const { channel } = await seedChannel(store);
      const other = (await seedChannel(store)).channel;
      const key = (id: string, ch: string, at: number) => ({
        id,
        channel: ch,
        label: id === "k1" ? "obs" : null,
        secretHash: `hash-${id}-${randomUUID()}`,
        createdAt: at,
        lastUsedAt: null,
      });
      const k1 = key("k1", channel, 1);
      const k2 = key("k2", channel, 2);
      const k3 = key("k3", other, 3);
      for (const k of [k2, k1, k3]) await store.ingestKeys.create(k);
      expect((await store.ingestKeys.list(channel)).map((k) => k.id)).toEqual(["k1", "k2"]);
      expect(await store.ingestKeys.byHash(k3.secretHash)).toEqual(k3);
      expect(await store.ingestKeys.byHash("nope")).toBeNull();
      await store.ingestKeys.touch("k1", 99);
      expect((await store.ingestKeys.byHash(k1.secretHash))?.lastUsedAt).toBe(99);
      expect(await store.ingestKeys.revoke(other, "k1")).toBe(false); // another channel's key
      expect(await store.ingestKeys.revoke(channel, "k1")).toBe(true);
      expect(await store.ingestKeys.byHash(k1.secretHash)).toBeNull();
      await expect(store.ingestKeys.create({ ...k2, id: "k4" })).rejects.toThrow(); // a hash is unique
    });

    it("ensure creates a user once and returns the stored one, also when called concurrently", async () => {
      const user = { ...userRecord(`shadow_${randomUUID().slice(0, 6)}@twitch`), passwordHash: null, isGuest: false };
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.users.ensure({ ...user, displayName: `name ${i}` })),
      );
      expect(new Set(results.map((u) => u.displayName)).size).toBe(1);
      expect(results[0]).toMatchObject({ id: user.id, username: user.username, isGuest: false });
      expect(await store.users.byUsername(user.username)).toEqual(results[0]);
    });

    it("keeps one connector per channel and platform; status only for the current source", async () => {
      const { channel } = await seedChannel(store);
      await store.connectors.put(channel, "youtube", "video1", 1);
      const twitch = await store.connectors.put(channel, "twitch", "somestreamer", 2);
      expect(twitch).toMatchObject({ state: "connecting", lastMessageAt: null, error: null });
      await store.connectors.setStatus(
        channel,
        "twitch",
        "somestreamer",
        { state: "connected", error: null, lastMessageAt: 5 },
        6,
      );
      // A runner of a source the owner replaced meanwhile cannot overwrite the new one's state.
      await store.connectors.setStatus(
        channel,
        "youtube",
        "old-video",
        { state: "error", error: "x", lastMessageAt: null },
        7,
      );
      const listed = await store.connectors.list(channel);
      expect(listed.map((c) => [c.platform, c.source, c.state, c.lastMessageAt])).toEqual([
        ["twitch", "somestreamer", "connected", 5],
        ["youtube", "video1", "connecting", null],
      ]);
      const repointed = await store.connectors.put(channel, "twitch", "another", 8);
      expect(repointed).toMatchObject({ source: "another", state: "connecting", lastMessageAt: null });
      expect((await store.connectors.all()).filter((c) => c.channel === channel)).toHaveLength(2);
      expect(await store.connectors.remove(channel, "twitch")).toBe(true);
      expect(await store.connectors.remove(channel, "twitch")).toBe(false);
      expect((await store.connectors.list(channel)).map((c) => c.platform)).toEqual(["youtube"]);
    });

    it("keeps one linked platform account per channel and platform, replaced on relink", async () => {
      const { channel } = await seedChannel(store);
      const account = {
        channel,
        platform: "twitch",
        login: "streamer",
        userId: "1001",
        scopes: ["moderator:manage:banned_users"],
        tokenEncrypted: "v1:a.b.c",
        linkedAt: 1,
      };
      await store.platformAccounts.put(account);
      expect(await store.platformAccounts.get(channel, "twitch")).toEqual(account);
      await store.platformAccounts.put({ ...account, login: "renamed", tokenEncrypted: "v1:d.e.f", linkedAt: 2 });
      expect(await store.platformAccounts.list(channel)).toEqual([
        { ...account, login: "renamed", tokenEncrypted: "v1:d.e.f", linkedAt: 2 },
      ]);
      expect(await store.platformAccounts.remove(channel, "twitch")).toBe(true);
      expect(await store.platformAccounts.get(channel, "twitch")).toBeNull();
      expect(await store.platformAccounts.remove(channel, "twitch")).toBe(false);
    });

    it("appends modlog entries and reads them newest first, filtered", async () => {
      const { channel } = await seedChannel(store);
      const entry = (at: number, action: string, target: string | null) => ({
        id: randomUUID(),
        channel,
        at,
        actorId: "a1",
        actor: "mod",
        action,
        targetId: target === null ? null : `${target}-id`,
        target,
        reason: null,
        details: { n: at },
      });
      await store.modlog.append(entry(1, "ban", "bob"));
      await store.modlog.append(entry(2, "clear_chat", null));
      await store.modlog.append(entry(3, "unban", "bob"));
      await store.modlog.append(entry(4, "ban", "eve"));
      const all = await store.modlog.list({ channel, limit: 10 });
      expect(all.map((e) => e.at)).toEqual([4, 3, 2, 1]);
      expect(all[0]?.details).toEqual({ n: 4 });
      expect((await store.modlog.list({ channel, action: "ban", limit: 10 })).map((e) => e.target)).toEqual([
        "eve",
        "bob",
      ]);
      expect((await store.modlog.list({ channel, target: "bob", limit: 10 })).map((e) => e.action)).toEqual([
        "unban",
        "ban",
      ]);
      expect((await store.modlog.list({ channel, before: 3, limit: 1 })).map((e) => e.at)).toEqual([2]);
    });

    it("reads a channel's latest events of one type, ascending", async () => {
      const { channel, user } = await seedChannel(store);
      const summary = (seq: number) => ({
        event: {
          op: "event" as const,
          channel,
          seq,
          type: "summary" as const,
          at: seq,
          data: { text: `summary ${seq}`, fromSeq: 1, toSeq: seq - 1 },
        },
        dedupKey: null,
      });
      await store.events.append([
        { event: messageEvent(channel, 1, user), dedupKey: null },
        summary(2),
        { event: messageEvent(channel, 3, user), dedupKey: null },
        summary(4),
        summary(5),
      ]);
      const latest = await store.events.latestOfType(channel, "summary", 2);
      expect(latest.map((e) => [e.seq, e.data.text])).toEqual([
        [4, "summary 4"],
        [5, "summary 5"],
      ]);
      expect((await store.events.latestOfType(channel, "summary", 10)).length).toBe(3);
      expect(await store.events.latestOfType("no_such_channel", "summary", 10)).toEqual([]);
    });

    it("records a broadcast's highlights once per moment, ascending", async () => {
      const { channel } = await seedChannel(store);
      const id = randomUUID();
      await store.broadcasts.create({
        id,
        channel,
        title: "t",
        videoUrl: null,
        startedAt: 0,
        endedAt: null,
        messageCount: 0,
      });
      const h = (at: number, label: string) => ({ at, seq: at / 10, rate: 120.5, baseline: 12, label });
      await store.highlights.add(id, h(2000, "KEKW"));
      await store.highlights.add(id, h(1000, "Pog"));
      await store.highlights.add(id, h(2000, "again")); // the same moment found again: ignored
      expect(await store.highlights.forBroadcast(id)).toEqual([h(1000, "Pog"), h(2000, "KEKW")]);
      expect(await store.highlights.forBroadcast(randomUUID())).toEqual([]);
    });

    it("keeps site bans until lifted or run out, oldest first", async () => {
      const { user: owner } = await seedChannel(store);
      const base = { reason: null, by: "admin", username: null, userId: null, cidr: null, until: null };
      const now = Date.now();
      const account = {
        ...base,
        id: randomUUID(),
        kind: "account" as const,
        userId: owner.id,
        username: owner.username,
        at: now - 2,
      };
      const range = {
        ...base,
        id: randomUUID(),
        kind: "address" as const,
        cidr: "203.0.113.0/24",
        reason: "raid",
        at: now - 1,
      };
      const over = {
        ...base,
        id: randomUUID(),
        kind: "address" as const,
        cidr: "198.51.100.0/24",
        at: now - 3,
        until: now - 1,
      };
      for (const ban of [range, over, account]) await store.siteBans.add(ban);
      const mine: string[] = [account.id, range.id, over.id];
      const active = (await store.siteBans.active(now)).filter((b) => mine.includes(b.id));
      expect(active).toEqual([account, range]);
      expect(await store.siteBans.remove(range.id)).toBe(true);
      expect(await store.siteBans.remove(range.id)).toBe(false);
      expect((await store.siteBans.active(now)).map((b) => b.id)).not.toContain(range.id);
    });

    it("keeps the first secret", async () => {
      const name = `s_${randomUUID()}`;
      expect(await store.secrets.getOrCreate(name, "first")).toBe("first");
      expect(await store.secrets.getOrCreate(name, "second")).toBe("first");
    });
  });
}
