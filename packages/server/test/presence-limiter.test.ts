import { MemoryLimiter } from "../src/adapters/memory/memory-limiter.js";
import { MemoryPresence } from "../src/adapters/memory/memory-presence.js";
import { limiterContract } from "./contracts/limiter.contract.js";
import { presenceContract } from "./contracts/presence.contract.js";

presenceContract("memory", async () => new MemoryPresence());
limiterContract("memory", async (rules) => new MemoryLimiter(rules));
