#!/usr/bin/env node
// The sentiment CLI is TypeScript run from source, like the server: tsx's loader is registered
// first so the TS entry loads as-is.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/analysis/sentiment-cli.ts");
process.exitCode = await main(process.argv.slice(2));
