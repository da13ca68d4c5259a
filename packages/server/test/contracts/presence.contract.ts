/** The Presence port's contract, run against every adapter. */
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Presence } from "../../src/ports/presence.js";
import { describeContract } from "./availability.js";

export function presenceContract(name: string, open: () => Promise<Presence>, skip: string | null = null): void {
  describeContract(`Presence contract: ${name}`, skip, () => {
    let presence: Presence;
    beforeEach(async () => {
      presence = await open();
    });
    afterEach(async () => {
      await presence.close();
    });

    const alice = { key: "u-alice", user: { username: "alice", displayName: "Alice", role: "viewer" } };

    it("counts viewers per connection and chatters per signed-in user", async () => {
      expect(await presence.join("c1", alice)).toEqual({ firstOfMember: true });
      expect(await presence.join("c1", alice)).toEqual({ firstOfMember: false });
      await presence.join("c1", { key: "conn-anon", user: null });
      expect(await presence.counts("c1")).toEqual({ viewers: 3, chatters: 1 });
      expect(await presence.chatters("c1", 10)).toEqual([alice.user]);
      expect(await presence.counts("c2")).toEqual({ viewers: 0, chatters: 0 });
    });

    it("reports the last leave of a member and forgets empty channels", async () => {
      await presence.join("c1", alice);
      await presence.join("c1", alice);
      expect(await presence.leave("c1", alice.key)).toEqual({ lastOfMember: false });
      expect(await presence.leave("c1", alice.key)).toEqual({ lastOfMember: true });
      expect(await presence.leave("c1", alice.key)).toEqual({ lastOfMember: false });
      expect(await presence.counts("c1")).toEqual({ viewers: 0, chatters: 0 });
    });

    it("bounds the chatter list", async () => {
      for (let i = 0; i < 20; i++)
        await presence.join("c1", {
          key: `u${i}`,
          user: { username: `user${i}`, displayName: `U${i}`, role: "viewer" },
        });
      expect((await presence.chatters("c1", 5)).length).toBe(5);
      expect((await presence.counts("c1")).chatters).toBe(20);
    });
  });
}
