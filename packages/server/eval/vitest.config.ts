// The root vitest config does not list packages/*/eval yet; this one runs the evaluation's own tests:
//   npx vitest run --config packages/server/eval/vitest.config.ts
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../../..", import.meta.url)),
    include: ["packages/server/eval/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
