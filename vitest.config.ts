import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "packages/*/src/**/*.test.ts",
      "packages/*/eval/**/*.test.ts",
      "bench/test/**/*.test.ts",
      "deploy/test/**/*.test.ts",
    ],
    // Each file starts real servers (PGlite takes a few seconds to open); files run in parallel forks.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
