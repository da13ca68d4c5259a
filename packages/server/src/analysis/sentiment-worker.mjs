// The sentiment worker thread's entry. Worker threads do not get tsx's loader from the parent
// (Node 20 ignores `--import tsx` in a worker's execArgv for the entry itself, and vitest runs
// no Node loader at all), so this plain ESM file registers tsx and then loads the TypeScript.
// tsx is resolved from this file's location, so it works whatever the working directory.
import { register } from "tsx/esm/api";

register();
const { runSentimentWorker } = await import("./sentiment-worker.ts");
await runSentimentWorker();
