#!/usr/bin/env node
// The load generator is written in TypeScript and run from source, like the server: tsx's
// loader is registered first so the TS entry (and the worker processes it forks) load as-is.
import { register } from "tsx/esm/api";

register();
await import("../src/loadgen/cli.ts");
