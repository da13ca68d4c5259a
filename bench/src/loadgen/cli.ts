/**
 * `chorus-loadgen`: drive a running Chorus server (or several nodes) with N subscribers over
 * WebSocket and/or SSE across K channels and P open-loop publishers, and report what the
 * clients saw and what the server's `/metrics` said. Progress goes to stderr once a second;
 * stdout gets the table and, as its last line, one JSON object. `--help` lists the flags.
 */
import { availableParallelism } from "node:os";
import { installExitHandlers } from "../processes.js";
import { login, whoAmI } from "./account.js";
import { LOADGEN_USAGE, parseLoadgenOptions, UsageError } from "./options.js";
import { channelNames } from "./plan.js";
import { progressLine, renderResults, toJsonLine } from "./report.js";
import { LoadError, runLoad } from "./run.js";

/** An error's message with its cause ("fetch failed" alone does not say ECONNREFUSED). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}

function fail(message: string, code = 1): void {
  process.stderr.write(`chorus-loadgen: ${message}\n`);
  process.exitCode = code;
}

async function main(): Promise<void> {
  installExitHandlers("chorus-loadgen");
  let options: ReturnType<typeof parseLoadgenOptions>;
  try {
    options = parseLoadgenOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    fail(`${err.message}\n\n${LOADGEN_USAGE}`, 2);
    return;
  }
  if (options === undefined) {
    process.stdout.write(LOADGEN_USAGE);
    return;
  }
  const o = options;
  const base = o.urls[0] as string;
  const log = (msg: string) => process.stderr.write(`${msg}\n`);

  let token = o.token;
  try {
    if (token === undefined && o.username !== undefined) {
      if (o.password === undefined) {
        fail("--username needs --password (or CHORUS_PASSWORD)", 2);
        return;
      }
      token = await login(base, o.username, o.password);
    }
    if (token === undefined && !o.idle) {
      fail(
        "publishing needs an account exempt from chat rate limits: --token, or --username/--password " +
          "(an admin, or a user listed in the server's BOT_USERS; see README 'Load generator')",
        2,
      );
      return;
    }
    if (token !== undefined) {
      const me = await whoAmI(base, token);
      if (me.isGuest) {
        fail(`"${me.username}" is a guest: guests cannot create channels; use a registered account`, 2);
        return;
      }
      log(
        me.isAdmin
          ? `publishing as ${me.username} (admin: exempt from chat rate limits)`
          : `publishing as ${me.username}: not an admin — it must be listed in the server's BOT_USERS, ` +
              "or messages beyond the chat limit are rejected (rate_limited)",
      );
    }
    if (token === undefined) {
      // Without an account nothing can be created: the channels must exist already.
      for (const name of new Set([
        channelNames(o.channelPrefix, o.channels)[0],
        channelNames(o.channelPrefix, o.channels).at(-1),
      ])) {
        const res = await fetch(`${base}/api/channels/${name}`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.status === 404) {
          fail(`channel "${name}" does not exist; give --token or --username/--password so it can be created`, 2);
          return;
        }
      }
    }
  } catch (err) {
    fail(`${base}: ${describe(err)}`);
    return;
  }

  const wsUrls = o.urls.map((u) => `${u.replace(/^http/, "ws")}/api/ws`);
  const channels = channelNames(o.channelPrefix, o.channels);
  log(
    `${o.subscribers} ${o.transport} subscriber(s) over ${o.workers} worker(s) on ${o.urls.length} node(s), ` +
      `${o.channels} channel(s) "${channels[0]}"…` +
      (o.idle ? ", idle" : `, ${o.publishers} ${o.publishVia} publisher(s) at ${o.rate} msg/s for ${o.durationSec} s`),
  );
  const tty = process.stderr.isTTY === true;
  let pending = false;
  try {
    const result = await runLoad(
      o,
      {
        label: o.urls.length === 1 ? base : `${o.urls.length} nodes`,
        client: { kind: "chorus", url: wsUrls[0] as string, urls: wsUrls, channel: channels[0] as string },
        httpUrls: o.urls,
        ...(token !== undefined ? { token } : {}),
      },
      (p) => {
        if (!o.progress) return;
        // On a terminal the line rewrites itself; in a log file it is one line per second.
        process.stderr.write(tty ? `\r\x1b[K${progressLine(p)}` : `${progressLine(p)}\n`);
        pending = tty;
      },
    );
    if (pending) process.stderr.write("\n");
    if (!o.jsonOnly) process.stdout.write(`\n${renderResults([result])}\n\n`);
    const { token: _t, password: _p, ...shown } = o;
    process.stdout.write(
      `${toJsonLine({
        loadgen: 1,
        date: new Date().toISOString(),
        node: process.version,
        nproc: availableParallelism(),
        options: shown,
        result,
      })}\n`,
    );
    process.exitCode = result.ok ? 0 : 1;
  } catch (err) {
    if (pending) process.stderr.write("\n");
    if (err instanceof LoadError) fail(err.message, 2);
    else throw err;
  }
}

await main();
