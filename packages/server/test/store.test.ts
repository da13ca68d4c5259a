import { openStore } from "../src/adapters/sql/open-store.js";
import { freshDatabase, postgresSkipReason } from "./contracts/pg.js";
import { storeContract } from "./contracts/store.contract.js";

storeContract("PGlite (embedded)", async () => ({
  store: await openStore({ dataDir: "memory://", databaseUrl: null }),
  dispose: async () => undefined,
}));

storeContract(
  "PostgreSQL",
  async () => {
    const db = await freshDatabase();
    return { store: await openStore({ dataDir: "memory://", databaseUrl: db.url }), dispose: db.drop };
  },
  await postgresSkipReason(),
);
