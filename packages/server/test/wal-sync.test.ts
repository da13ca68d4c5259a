import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../src/adapters/sql/open-store.js";
import { WalSync } from "../src/adapters/sql/wal-sync.js";
import { messageEvent, seedChannel } from "./contracts/fixtures.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "chorus-wal-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("WalSync", () => {
  it("syncs the named segment, shares a sync among those asking meanwhile, and switches segments", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "pg_wal"));
    await writeFile(join(dir, "pg_wal", "A"), "a");
    await writeFile(join(dir, "pg_wal", "B"), "b");
    const wal = new WalSync(dir);
    // The second and third ask while the first runs: they share one more sync (group fsync).
    await Promise.all([wal.sync("A"), wal.sync("A"), wal.sync("B")]);
    expect(wal.syncs).toBe(2);
    await wal.sync("B");
    expect(wal.syncs).toBe(3);
    await expect(wal.sync("missing")).rejects.toThrow(/ENOENT/);
    await wal.close();
  });

  it("flush syncs the embedded store's WAL (append alone does not), on a segment that exists in pg_wal", async () => {
    const dir = await tempDir();
    const wal = new WalSync(dir);
    const store = await openStore({ dataDir: dir, databaseUrl: null, walSync: wal });
    try {
      const { channel, user } = await seedChannel(store);
      const before = wal.syncs;
      await store.events.append([{ event: messageEvent(channel, 1, user), dedupKey: null }]);
      expect(wal.syncs).toBe(before);
      await store.events.flush();
      expect(wal.syncs).toBe(before + 1);
      await store.events.append([
        { event: messageEvent(channel, 2, user), dedupKey: null },
        { event: messageEvent(channel, 3, user), dedupKey: null },
      ]);
      await store.events.flush();
      expect(wal.syncs).toBe(before + 2);
      const files = await readdir(join(dir, "pg_wal"));
      expect(files.some((f) => /^[0-9A-F]{24}$/.test(f))).toBe(true);
    } finally {
      await store.close();
    }
  });
});
