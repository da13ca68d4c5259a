/** The ConnectionSlots port's contract, run against every adapter. */
import { afterEach, beforeEach, expect, it } from "vitest";
import type { ConnectionSlots } from "../../src/ports/connection-slots.js";
import { describeContract } from "./availability.js";

export function connectionSlotsContract(
  name: string,
  open: () => Promise<ConnectionSlots>,
  skip: string | null = null,
): void {
  describeContract(`ConnectionSlots contract: ${name}`, skip, () => {
    let slots: ConnectionSlots;
    beforeEach(async () => {
      slots = await open();
    });
    afterEach(async () => {
      await slots.close();
    });

    it("grants up to `max` per key, and one release frees one slot", async () => {
      const key = `ip-${Math.random()}`;
      for (let i = 0; i < 3; i++) expect(await slots.acquire(key, 3)).toBe(true);
      expect(await slots.acquire(key, 3)).toBe(false);
      expect(await slots.acquire(`${key}-other`, 3)).toBe(true);
      await slots.release(key);
      expect(await slots.acquire(key, 3)).toBe(true);
      expect(await slots.acquire(key, 3)).toBe(false);
    });

    it("a refused acquire takes nothing, and releasing more than was taken frees nothing extra", async () => {
      const key = `ip-${Math.random()}`;
      expect(await slots.acquire(key, 1)).toBe(true);
      for (let i = 0; i < 5; i++) expect(await slots.acquire(key, 1)).toBe(false);
      await slots.release(key);
      await slots.release(key);
      await slots.release(key);
      expect(await slots.acquire(key, 2)).toBe(true);
      expect(await slots.acquire(key, 2)).toBe(true);
      expect(await slots.acquire(key, 2)).toBe(false);
    });

    it("holds under concurrent acquires", async () => {
      const key = `ip-${Math.random()}`;
      const granted = await Promise.all(Array.from({ length: 50 }, () => slots.acquire(key, 10)));
      expect(granted.filter(Boolean)).toHaveLength(10);
    });
  });
}
