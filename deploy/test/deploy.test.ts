/**
 * The deployment files (deploy/) against each other and against the server: compose topology,
 * nginx proxying of WebSocket and SSE, the Kubernetes manifests, the Dockerfile and the
 * Grafana dashboard. Docker and Kubernetes do not run here, so these are static checks.
 *
 * Each check is a function that returns a list of problems: the real files must yield none,
 * and the last block breaks each file in the ways that matter to show every check can fail.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { Metrics } from "../../packages/server/src/metrics.js";

const deployDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(deployDir, "..");
const read = (file: string) => readFileSync(path.join(deployDir, file), "utf8");

// ---- small helpers over untyped documents -------------------------------------------------

type Obj = { [key: string]: unknown };
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const asObj = (v: unknown): Obj => (isObj(v) ? v : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
/** `at(doc, "spec", "containers", 0, "image")`: undefined as soon as a step is missing. */
const at = (v: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>((o, k) => (typeof k === "number" ? asArr(o)[k] : asObj(o)[k]), v);
const clone = <T>(v: T): T => structuredClone(v);

/** "15s", "1m30s", "3600s", "1h", "60" (seconds) → milliseconds. */
function durationMs(raw: unknown): number {
  const text = String(raw ?? "");
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let matched = false;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d)?/g)) {
    matched = true;
    total += Number(m[1]) * (unit[m[2] ?? "s"] ?? 1000);
  }
  return matched ? total : Number.NaN;
}

/** Every environment variable the server reads (config.ts), so a typo anywhere is caught. */
const knownVars = new Set(
  [
    ...readFileSync(path.join(repoRoot, "packages/server/src/config.ts"), "utf8").matchAll(
      /\b(?:int|str|url|list)\("([A-Z0-9_]+)"/g,
    ),
  ].map((m) => m[1] ?? ""),
);
/** main.ts exits by itself this long after SHUTDOWN_GRACE_MS if the graceful close hangs. */
const FORCED_EXIT_EXTRA_MS = 5_000;

// ---- compose ------------------------------------------------------------------------------

/** Compose interpolation with the defaults only: `${X:-d}` / `${X-d}` → d, `${X}` → "". */
const interpolate = (s: string) =>
  s.replace(/\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g, (_m, d: string | undefined) => d ?? "");

function envOf(service: unknown): Record<string, string> {
  const env = at(service, "environment");
  const out: Record<string, string> = {};
  if (Array.isArray(env)) {
    for (const item of env) {
      const [k, ...v] = String(item).split("=");
      if (k) out[k] = v.join("=");
    }
  } else {
    for (const [k, v] of Object.entries(asObj(env))) out[k] = v === null ? "" : String(v);
  }
  return out;
}

const commandTokens = (cmd: unknown): string[] =>
  Array.isArray(cmd) ? cmd.map(String) : String(cmd ?? "").split(/\s+/);
const hasFlag = (tokens: string[], flag: string, value: string) =>
  tokens.some((t, i) => (t === flag && tokens[i + 1] === value) || t === `${flag}=${value}`);

function checkCompose(doc: unknown): string[] {
  const problems: string[] = [];
  const services = asObj(at(doc, "services"));
  const volumes = asObj(at(doc, "volumes"));
  const isChorus = (s: unknown) =>
    String(at(s, "build", "dockerfile") ?? "").endsWith("Dockerfile") || /^chorus[:/]/.test(String(at(s, "image")));
  const chorus = Object.keys(services).filter((name) => isChorus(services[name]));
  for (const name of ["chorus-1", "chorus-2"]) if (!chorus.includes(name)) problems.push(`no Chorus service ${name}`);

  const healthchecked = (name: string) => asArr(at(services[name], "healthcheck", "test")).length > 0;
  const dependsHealthy = (from: string, to: string) =>
    at(services[from], "depends_on", to, "condition") === "service_healthy";
  const namedVolumeAt = (service: string, target: string) =>
    asArr(at(services[service], "volumes")).some((v) => {
      const [source = "", dest = ""] = String(v).split(":");
      return dest === target && source in volumes;
    });

  const nodeIds = new Map<string, string>();
  const shared = ["REDIS_URL", "DATABASE_URL", "JWT_SECRET"] as const;
  const first = envOf(services[chorus[0] ?? ""]);
  for (const name of chorus) {
    const env = envOf(services[name]);
    for (const key of Object.keys(env)) if (!knownVars.has(key)) problems.push(`${name}: unknown variable ${key}`);
    for (const key of ["REDIS_URL", "DATABASE_URL", "NODE_ID"]) {
      if (!interpolate(env[key] ?? "")) problems.push(`${name}: ${key} is not set`);
    }
    for (const key of shared) if (env[key] !== first[key]) problems.push(`${name}: ${key} differs between nodes`);
    const id = interpolate(env["NODE_ID"] ?? "");
    if (nodeIds.has(id)) problems.push(`${name}: NODE_ID ${id} is also ${nodeIds.get(id)}'s`);
    nodeIds.set(id, name);
    if (!healthchecked(name)) problems.push(`${name}: no healthcheck`);
    else if (!/\/(readyz|healthz)/.test(asArr(at(services[name], "healthcheck", "test")).join(" ")))
      problems.push(`${name}: healthcheck does not ask /readyz or /healthz`);
    const grace = durationMs(at(services[name], "stop_grace_period") ?? "10s");
    const needed = Number(env["SHUTDOWN_GRACE_MS"] ?? 5000) + FORCED_EXIT_EXTRA_MS;
    if (!(grace >= needed)) problems.push(`${name}: stop_grace_period ${grace} ms < ${needed} ms (graceful shutdown)`);

    // The URLs must point at the Redis 7 and PostgreSQL 16 services of this file.
    const redisUrl = new URL(interpolate(env["REDIS_URL"] ?? "redis://missing"));
    const redisService = redisUrl.hostname;
    if (!String(at(services[redisService], "image")).startsWith("redis:7"))
      problems.push(`${name}: REDIS_URL host ${redisService} is not a redis:7 service`);
    else if (!dependsHealthy(name, redisService)) problems.push(`${name}: not depends_on ${redisService} healthy`);
    const dbUrl = new URL(interpolate(env["DATABASE_URL"] ?? "postgres://missing"));
    const pg = services[dbUrl.hostname];
    if (!String(at(pg, "image")).startsWith("postgres:16")) {
      problems.push(`${name}: DATABASE_URL host ${dbUrl.hostname} is not a postgres:16 service`);
    } else {
      if (!dependsHealthy(name, dbUrl.hostname)) problems.push(`${name}: not depends_on ${dbUrl.hostname} healthy`);
      const pgEnv = envOf(pg);
      const expected = {
        user: interpolate(pgEnv["POSTGRES_USER"] ?? "postgres"),
        password: interpolate(pgEnv["POSTGRES_PASSWORD"] ?? ""),
        db: interpolate(pgEnv["POSTGRES_DB"] ?? pgEnv["POSTGRES_USER"] ?? "postgres"),
      };
      const actual = { user: dbUrl.username, password: dbUrl.password, db: dbUrl.pathname.slice(1) };
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        problems.push(`${name}: DATABASE_URL credentials/database do not match the postgres service`);
    }
  }

  const redis = Object.keys(services).find((n) => String(at(services[n], "image")).startsWith("redis:"));
  if (!redis) problems.push("no redis service");
  else {
    const tokens = commandTokens(at(services[redis], "command"));
    if (!hasFlag(tokens, "--appendonly", "yes")) problems.push("redis: not started with --appendonly yes");
    if (!hasFlag(tokens, "--appendfsync", "everysec")) problems.push("redis: not started with --appendfsync everysec");
    if (!namedVolumeAt(redis, "/data")) problems.push("redis: no named volume at /data (the AOF would be lost)");
    if (!healthchecked(redis)) problems.push("redis: no healthcheck");
  }
  const postgres = Object.keys(services).find((n) => String(at(services[n], "image")).startsWith("postgres:"));
  if (!postgres) problems.push("no postgres service");
  else {
    if (!namedVolumeAt(postgres, "/var/lib/postgresql/data")) problems.push("postgres: no named data volume");
    if (!/pg_isready/.test(asArr(at(services[postgres], "healthcheck", "test")).join(" ")))
      problems.push("postgres: no pg_isready healthcheck");
  }
  const nginx = Object.keys(services).find((n) => String(at(services[n], "image")).startsWith("nginx:"));
  // The nodes trust X-Forwarded-For from nginx's address alone (a client must not name its own).
  const nginxAddress = nginx ? at(services[nginx], "networks", "default", "ipv4_address") : undefined;
  for (const name of chorus) {
    const trust = String(envOf(services[name])["TRUST_PROXY"] ?? "");
    if (trust === "true") problems.push(`${name}: TRUST_PROXY is "true" (anyone may name their own address)`);
    else if (trust !== String(nginxAddress))
      problems.push(`${name}: TRUST_PROXY ${trust} is not nginx's fixed address`);
  }
  if (!nginx) problems.push("no nginx service");
  else {
    const mounts = asArr(at(services[nginx], "volumes")).map(String);
    const conf = mounts.find((m) => m.split(":")[1] === "/etc/nginx/nginx.conf");
    if (!conf) problems.push("nginx: deploy/nginx.conf is not mounted at /etc/nginx/nginx.conf");
    for (const name of chorus) if (!dependsHealthy(nginx, name)) problems.push(`nginx: not depends_on ${name} healthy`);
    if (!asArr(at(services[nginx], "ports")).some((p) => /:80$/.test(interpolate(String(p)))))
      problems.push("nginx: port 80 is not published");
    if (!healthchecked(nginx)) problems.push("nginx: no healthcheck");
  }
  // A service_healthy condition on a service without healthcheck never comes true.
  for (const [name, service] of Object.entries(services)) {
    for (const [dep, cond] of Object.entries(asObj(at(service, "depends_on")))) {
      if (at(cond, "condition") === "service_healthy" && !healthchecked(dep))
        problems.push(`${name}: waits for ${dep} healthy, which has no healthcheck`);
    }
    // Bind mounts must exist beside compose.yaml.
    for (const v of asArr(at(service, "volumes")).map(String)) {
      const source = v.split(":")[0] ?? "";
      if (source.startsWith(".") && !existsSync(path.join(deployDir, source)))
        problems.push(`${name}: bind mount source ${source} does not exist`);
    }
  }
  return problems;
}

// ---- nginx --------------------------------------------------------------------------------

interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

/** A small nginx config parser: directives, quoted arguments, nested blocks, # comments. */
function parseNginx(text: string): Directive[] {
  const tokens: string[] = [];
  for (const m of text.matchAll(/#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)/g)) {
    if (m[0].startsWith("#")) continue;
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? "");
  }
  let i = 0;
  const block = (): Directive[] => {
    const out: Directive[] = [];
    while (i < tokens.length && tokens[i] !== "}") {
      const name = tokens[i++] ?? "";
      const args: string[] = [];
      while (i < tokens.length && tokens[i] !== ";" && tokens[i] !== "{") args.push(tokens[i++] ?? "");
      if (tokens[i] === "{") {
        i++;
        out.push({ name, args, block: block() });
        i++; // "}"
      } else {
        i++; // ";"
        out.push({ name, args });
      }
    }
    return out;
  };
  return block();
}

const all = (ds: Directive[] | undefined, name: string) => (ds ?? []).filter((d) => d.name === name);
const one = (ds: Directive[] | undefined, name: string) => all(ds, name)[0];
const walk = (ds: Directive[]): Directive[] => ds.flatMap((d) => [d, ...walk(d.block ?? [])]);

/** The location nginx picks for a URI: exact, then ^~ / longest prefix, then the first regex. */
function locationFor(server: Directive, uri: string): Directive | undefined {
  const locations = all(server.block, "location");
  const exact = locations.find((l) => l.args[0] === "=" && l.args[1] === uri);
  if (exact) return exact;
  const prefixes = locations
    .filter((l) => (l.args.length === 1 || l.args[0] === "^~") && uri.startsWith(l.args.at(-1) ?? "\0"))
    .sort((a, b) => (b.args.at(-1)?.length ?? 0) - (a.args.at(-1)?.length ?? 0));
  if (prefixes[0]?.args[0] === "^~") return prefixes[0];
  const regex = locations.find(
    (l) =>
      (l.args[0] === "~" || l.args[0] === "~*") && new RegExp(l.args[1] ?? "", l.args[0] === "~*" ? "i" : "").test(uri),
  );
  return regex ?? prefixes[0];
}

/** proxy_set_header is inherited only by a level that defines none itself. */
function effectiveHeaders(levels: (Directive[] | undefined)[]): Map<string, string> {
  for (const level of levels.toReversed()) {
    const set = all(level, "proxy_set_header");
    if (set.length > 0) return new Map(set.map((d) => [(d.args[0] ?? "").toLowerCase(), d.args[1] ?? ""]));
  }
  return new Map();
}

const WS_PATH = "/api/ws";
const SSE_PATHS = ["/api/channels/main/events", "/api/sse/stream"];
const LONG_MS = 300_000;

function checkNginx(text: string, nodes: string[]): string[] {
  const problems: string[] = [];
  const root = parseNginx(text);
  const http = one(root, "http");
  const server = one(http?.block, "server");
  if (!http || !server) return ["nginx.conf: no http { server { … } }"];

  const upstreams = new Map(all(http.block, "upstream").map((u) => [u.args[0] ?? "", u]));
  for (const u of upstreams.values()) {
    const servers = all(u.block, "server").map((s) => s.args[0] ?? "");
    if ([...servers].sort().join() !== [...nodes].sort().join())
      problems.push(
        `upstream ${u.args[0]}: servers ${servers.join(", ")} are not the compose nodes ${nodes.join(", ")}`,
      );
    for (const sticky of ["ip_hash", "hash", "sticky"])
      if (one(u.block, sticky)) problems.push(`upstream ${u.args[0]}: ${sticky} pins clients (not needed)`);
  }
  if (walk(root).some((d) => d.name === "proxy_ignore_headers" && d.args.some((a) => /x-accel-buffering/i.test(a))))
    problems.push("proxy_ignore_headers drops X-Accel-Buffering (the server's SSE no-buffering hint)");

  const proxied = (uri: string): Directive | undefined => {
    const loc = locationFor(server, uri);
    const target = /^https?:\/\/([^/]+)/.exec(one(loc?.block, "proxy_pass")?.args[0] ?? "")?.[1];
    if (!loc || !target || !upstreams.has(target)) {
      problems.push(`${uri}: not proxied to the Chorus upstream`);
      return undefined;
    }
    const headers = effectiveHeaders([http.block, server.block, loc.block]);
    // $http_host keeps the port; the server compares it with the browser's Origin.
    if (headers.get("host") !== "$http_host") problems.push(`${uri}: Host is not $http_host`);
    // The edge overwrites it: appended ($proxy_add_x_forwarded_for), a client's own header leads.
    if (headers.get("x-forwarded-for") !== "$remote_addr") problems.push(`${uri}: X-Forwarded-For is not $remote_addr`);
    return loc;
  };
  const readTimeout = (loc: Directive) => durationMs(one(loc.block, "proxy_read_timeout")?.args[0] ?? "60s");

  const ws = proxied(WS_PATH);
  if (ws) {
    const headers = effectiveHeaders([http.block, server.block, ws.block]);
    if (one(ws.block, "proxy_http_version")?.args[0] !== "1.1") problems.push(`${WS_PATH}: proxy_http_version not 1.1`);
    if (headers.get("upgrade") !== "$http_upgrade") problems.push(`${WS_PATH}: Upgrade header not passed`);
    if (!/^(upgrade|\$connection_upgrade)$/i.test(headers.get("connection") ?? ""))
      problems.push(`${WS_PATH}: Connection header not "upgrade"`);
    if (readTimeout(ws) < LONG_MS) problems.push(`${WS_PATH}: proxy_read_timeout shorter than 5 minutes`);
  }
  for (const uri of SSE_PATHS) {
    const sse = proxied(uri);
    if (!sse) continue;
    if (one(sse.block, "proxy_buffering")?.args[0] !== "off") problems.push(`${uri}: proxy_buffering is not off`);
    if (readTimeout(sse) < LONG_MS) problems.push(`${uri}: proxy_read_timeout shorter than 5 minutes`);
    if (/upgrade/i.test(effectiveHeaders([http.block, server.block, sse.block]).get("connection") ?? ""))
      problems.push(`${uri}: handled as a WebSocket location`);
  }
  for (const uri of ["/", "/api/channels/main/messages", "/readyz"]) proxied(uri);
  const metrics = locationFor(server, "/metrics");
  if (metrics && one(metrics.block, "proxy_pass")) problems.push("/metrics is exposed through nginx");
  return problems;
}

// ---- Kubernetes ---------------------------------------------------------------------------

interface Manifest {
  file: string;
  doc: Obj;
}

function loadManifests(): Manifest[] {
  const dir = path.join(deployDir, "k8s");
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(dir, file), "utf8")).map((d) => {
        if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join("; ")}`);
        return { file, doc: asObj(d.toJS()) };
      }),
    );
}

const labelsMatch = (selector: unknown, labels: unknown) => {
  const sel = Object.entries(asObj(selector));
  return sel.length > 0 && sel.every(([k, v]) => asObj(labels)[k] === v);
};

function checkK8s(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const byKind = (kind: string) => manifests.filter((m) => m.doc["kind"] === kind);
  for (const { file, doc } of manifests) {
    if (typeof doc["apiVersion"] !== "string") problems.push(`${file}: no apiVersion`);
    if (typeof doc["kind"] !== "string") problems.push(`${file}: no kind`);
    if (typeof at(doc, "metadata", "name") !== "string") problems.push(`${file}: no metadata.name`);
  }
  const namespace = asStr(at(byKind("Namespace")[0]?.doc, "metadata", "name"));
  for (const { file, doc } of manifests) {
    if (namespace && !["Namespace", "Kustomization"].includes(String(doc["kind"])))
      if (at(doc, "metadata", "namespace") !== namespace) problems.push(`${file}: not in namespace ${namespace}`);
  }
  const kustomization = byKind("Kustomization")[0];
  if (kustomization) {
    const listed = asArr(at(kustomization.doc, "resources")).map(String).sort();
    const files = [...new Set(manifests.map((m) => m.file))].filter((f) => f !== kustomization.file).sort();
    if (listed.join() !== files.join()) problems.push(`kustomization resources ${listed} ≠ files ${files}`);
  }

  const configMaps = new Map(byKind("ConfigMap").map((m) => [String(at(m.doc, "metadata", "name")), m.doc]));
  const secrets = new Map(byKind("Secret").map((m) => [String(at(m.doc, "metadata", "name")), m.doc]));
  const dataKeys = (doc: Obj | undefined) => [
    ...Object.keys(asObj(at(doc, "data"))),
    ...Object.keys(asObj(at(doc, "stringData"))),
  ];
  for (const [name, cm] of configMaps) {
    for (const [key, value] of Object.entries(asObj(at(cm, "data")))) {
      if (!knownVars.has(key)) problems.push(`ConfigMap ${name}: unknown variable ${key}`);
      if (typeof value !== "string") problems.push(`ConfigMap ${name}: ${key} is not a string`);
      if (key === "TRUST_PROXY" && value === "true")
        problems.push(`ConfigMap ${name}: TRUST_PROXY is "true" (anyone may name their own address)`);
    }
  }
  for (const [name, secret] of secrets) {
    for (const [key, value] of Object.entries(asObj(at(secret, "stringData")))) {
      if (!knownVars.has(key)) problems.push(`Secret ${name}: unknown variable ${key}`);
      if (!String(value).includes("CHANGE-ME")) problems.push(`Secret ${name}: ${key} is not a marked placeholder`);
    }
  }

  const deployments = byKind("Deployment");
  if (deployments.length !== 1) problems.push(`expected one Deployment, found ${deployments.length}`);
  const dep = deployments[0]?.doc;
  const depName = asStr(at(dep, "metadata", "name"));
  const podLabels = at(dep, "spec", "template", "metadata", "labels");
  const pod = at(dep, "spec", "template", "spec");
  const containers = asArr(at(pod, "containers"));
  const portNames = new Set<unknown>();
  let cpuRequested = false;
  if (dep) {
    if (at(dep, "apiVersion") !== "apps/v1") problems.push("Deployment: apiVersion is not apps/v1");
    if (!(Number(at(dep, "spec", "replicas")) >= 2)) problems.push("Deployment: fewer than 2 replicas");
    if (!labelsMatch(at(dep, "spec", "selector", "matchLabels"), podLabels))
      problems.push("Deployment: spec.selector.matchLabels does not match the template labels");
    if (containers.length === 0) problems.push("Deployment: no containers");
    const shutdownGrace = Number(at(configMaps.values().next().value, "data", "SHUTDOWN_GRACE_MS") ?? 5000);
    const podNonRoot = at(pod, "securityContext", "runAsNonRoot") === true;
    for (const c of containers) {
      const name = String(at(c, "name"));
      if (!asStr(at(c, "image"))) problems.push(`container ${name}: no image`);
      const ports = asArr(at(c, "ports"));
      if (!ports.some((p) => at(p, "containerPort") === 3000))
        problems.push(`container ${name}: no containerPort 3000`);
      for (const p of ports) portNames.add(at(p, "name")).add(at(p, "containerPort"));
      for (const [probe, pathWanted] of [
        ["readinessProbe", "/readyz"],
        ["livenessProbe", "/healthz"],
      ] as const) {
        if (at(c, probe, "httpGet", "path") !== pathWanted)
          problems.push(`container ${name}: ${probe} is not ${pathWanted}`);
        if (!portNames.has(at(c, probe, "httpGet", "port"))) problems.push(`container ${name}: ${probe} port unknown`);
      }
      if (!asStr(at(c, "resources", "requests", "memory")) || !asStr(at(c, "resources", "limits", "memory")))
        problems.push(`container ${name}: no memory request and limit`);
      if (asStr(at(c, "resources", "requests", "cpu"))) cpuRequested = true;
      else problems.push(`container ${name}: no cpu request (the HPA needs one)`);
      if (!podNonRoot && at(c, "securityContext", "runAsNonRoot") !== true)
        problems.push(`container ${name}: runAsNonRoot is not set`);
      if (at(c, "securityContext", "readOnlyRootFilesystem") === true) {
        if (!asArr(at(c, "volumeMounts")).some((m) => at(m, "mountPath") === "/tmp"))
          problems.push(`container ${name}: read-only root without a /tmp volume (tsx writes its cache there)`);
      }
      const preStop = asArr(at(c, "lifecycle", "preStop", "exec", "command")).map(String);
      const sleepS = Number(
        preStop[0] === "sleep" ? preStop[1] : (at(c, "lifecycle", "preStop", "sleep", "seconds") ?? Number.NaN),
      );
      if (!(sleepS > 0)) problems.push(`container ${name}: no preStop sleep`);
      const tgps = Number(at(pod, "terminationGracePeriodSeconds") ?? 30);
      if (!(tgps * 1000 > sleepS * 1000 + shutdownGrace + FORCED_EXIT_EXTRA_MS))
        problems.push(
          `terminationGracePeriodSeconds ${tgps} s ≤ preStop + SHUTDOWN_GRACE_MS + ${FORCED_EXIT_EXTRA_MS} ms`,
        );

      const provided = new Set<string>();
      for (const from of asArr(at(c, "envFrom"))) {
        const cm = asStr(at(from, "configMapRef", "name"));
        const sec = asStr(at(from, "secretRef", "name"));
        if (cm !== undefined) {
          if (!configMaps.has(cm)) problems.push(`envFrom: no ConfigMap ${cm}`);
          for (const k of dataKeys(configMaps.get(cm))) provided.add(k);
        }
        if (sec !== undefined) {
          if (!secrets.has(sec)) problems.push(`envFrom: no Secret ${sec}`);
          for (const k of dataKeys(secrets.get(sec))) provided.add(k);
        }
      }
      for (const e of asArr(at(c, "env"))) {
        const envName = String(at(e, "name"));
        provided.add(envName);
        if (!knownVars.has(envName)) problems.push(`env ${envName}: unknown variable`);
        for (const [refKind, store] of [
          ["configMapKeyRef", configMaps],
          ["secretKeyRef", secrets],
        ] as const) {
          const ref = at(e, "valueFrom", refKind);
          if (ref === undefined) continue;
          const refName = String(at(ref, "name"));
          if (!store.has(refName)) problems.push(`env ${envName}: no ${refKind} target ${refName}`);
          else if (!dataKeys(store.get(refName)).includes(String(at(ref, "key"))))
            problems.push(`env ${envName}: key ${String(at(ref, "key"))} missing from ${refName}`);
        }
      }
      const nodeId = asArr(at(c, "env")).find((e) => at(e, "name") === "NODE_ID");
      if (at(nodeId, "valueFrom", "fieldRef", "fieldPath") !== "metadata.name")
        problems.push("NODE_ID does not come from metadata.name (downward API)");
      for (const needed of ["DATABASE_URL", "REDIS_URL", "NODE_ID"])
        if (!provided.has(needed)) problems.push(`container ${name}: ${needed} is not provided`);
    }
  }

  for (const { doc } of byKind("Service")) {
    if (!labelsMatch(at(doc, "spec", "selector"), podLabels))
      problems.push("Service: selector does not match the pods");
    const ports = asArr(at(doc, "spec", "ports"));
    if (ports.length === 0) problems.push("Service: no ports");
    for (const p of ports)
      if (!portNames.has(at(p, "targetPort") ?? at(p, "port")))
        problems.push("Service: targetPort is not a container port");
  }
  const services = byKind("Service").map((s) => s.doc);
  for (const { doc } of byKind("HorizontalPodAutoscaler")) {
    if (doc["apiVersion"] !== "autoscaling/v2") problems.push("HPA: apiVersion is not autoscaling/v2");
    const ref = at(doc, "spec", "scaleTargetRef");
    if (at(ref, "kind") !== "Deployment" || at(ref, "name") !== depName || at(ref, "apiVersion") !== "apps/v1")
      problems.push("HPA: scaleTargetRef is not the Deployment");
    const min = Number(at(doc, "spec", "minReplicas") ?? 1);
    const max = Number(at(doc, "spec", "maxReplicas"));
    if (!(min >= 1 && max > min)) problems.push(`HPA: minReplicas ${min} / maxReplicas ${max}`);
    const cpu = asArr(at(doc, "spec", "metrics")).some(
      (m) => at(m, "type") === "Resource" && at(m, "resource", "name") === "cpu",
    );
    if (!cpu) problems.push("HPA: no cpu metric");
    if (cpu && !cpuRequested) problems.push("HPA: scales on cpu but the pods request none");
  }
  for (const { doc } of byKind("PodDisruptionBudget")) {
    if (!labelsMatch(at(doc, "spec", "selector", "matchLabels"), podLabels))
      problems.push("PDB: selector does not match");
  }
  for (const { doc } of byKind("Ingress")) {
    const timeout = Number(asObj(at(doc, "metadata", "annotations"))["nginx.ingress.kubernetes.io/proxy-read-timeout"]);
    if (!(timeout * 1000 >= LONG_MS)) problems.push("Ingress: proxy-read-timeout shorter than 5 minutes");
    for (const rule of asArr(at(doc, "spec", "rules"))) {
      for (const p of asArr(at(rule, "http", "paths"))) {
        const backend = at(p, "backend", "service");
        const svc = services.find((s) => at(s, "metadata", "name") === at(backend, "name"));
        const port = at(backend, "port", "name") ?? at(backend, "port", "number");
        if (!svc || !asArr(at(svc, "spec", "ports")).some((sp) => at(sp, "name") === port || at(sp, "port") === port))
          problems.push("Ingress: backend is not a Service port");
      }
    }
  }
  return problems;
}

// ---- Dockerfile ---------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}

function parseDockerfile(text: string): Instruction[] {
  return text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op = "", ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

type Lock = { packages: Record<string, { dependencies?: Obj; optionalDependencies?: Obj; os?: string[] }> };
const lock = JSON.parse(readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")) as Lock;

/** The lock entry a package at `from` resolves `name` to (node_modules lookup upwards). */
function resolveInLock(from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const key = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (lock.packages[key]) return key;
    if (!dir) return undefined;
    const i = dir.lastIndexOf("/node_modules/");
    dir = i < 0 ? "" : dir.slice(0, i);
  }
}

/** `npm ci` refuses a lock that lacks some optional dependency of a locked package. */
const lockMissesOptionals = Object.entries(lock.packages).some(([key, entry]) =>
  Object.keys(entry.optionalDependencies ?? {}).some((dep) => !resolveInLock(key, dep)),
);

function checkDockerfile(text: string): string[] {
  const problems: string[] = [];
  const ins = parseDockerfile(text);
  const froms = ins.map((x, i) => ({ ...x, i })).filter((x) => x.op === "FROM");
  if (froms.length < 2) problems.push("Dockerfile: not multi-stage (fewer than 2 FROM)");
  const stages: string[] = [];
  for (const f of froms) {
    const [image = "", as, stage] = f.args.split(/\s+/);
    if (!stages.includes(image) && !image.startsWith("node:20-bookworm-slim"))
      problems.push(`Dockerfile: FROM ${image} is neither node:20-bookworm-slim nor an earlier stage`);
    if (as?.toUpperCase() === "AS" && stage) stages.push(stage);
  }
  for (const x of ins.filter((x) => x.op === "COPY")) {
    const from = /--from=(\S+)/.exec(x.args)?.[1];
    if (from !== undefined && !stages.includes(from)) problems.push(`Dockerfile: COPY --from=${from} is no stage`);
    if (from === undefined) {
      const parts = x.args.split(/\s+/).filter((p) => !p.startsWith("--"));
      for (const source of parts.slice(0, -1))
        if (!existsSync(path.join(repoRoot, source))) problems.push(`Dockerfile: COPY source ${source} does not exist`);
    }
  }
  const last = ins.slice((froms.at(-1)?.i ?? 0) + 1);
  const user = last
    .filter((x) => x.op === "USER")
    .at(-1)
    ?.args.split(":")[0];
  if (!user || user === "root" || user === "0")
    problems.push("Dockerfile: the final stage does not run as a non-root USER");
  if (!last.some((x) => x.op === "EXPOSE" && x.args.split(/\s+/).includes("3000")))
    problems.push("Dockerfile: no EXPOSE 3000");
  if (!last.some((x) => x.op === "HEALTHCHECK" && x.args.includes("/healthz")))
    problems.push("Dockerfile: no HEALTHCHECK on /healthz");
  const cmd = last
    .filter((x) => x.op === "CMD" || x.op === "ENTRYPOINT")
    .map((x) => x.args)
    .join(" ");
  if (!cmd.includes("tsx") || !cmd.includes("packages/server/src/main.ts"))
    problems.push("Dockerfile: CMD does not run packages/server/src/main.ts through tsx");
  const dataDir = /\bDATA_DIR=(\S+)/.exec(
    last
      .filter((x) => x.op === "ENV")
      .map((x) => x.args)
      .join(" "),
  )?.[1];
  if (!dataDir || !last.some((x) => x.op === "VOLUME" && x.args.includes(dataDir)))
    problems.push("Dockerfile: DATA_DIR is not a VOLUME");
  const runs = ins.filter((x) => x.op === "RUN").map((x) => x.args);
  if (!runs.some((r) => /npm run build\b/.test(r))) problems.push("Dockerfile: the web UI is not built");
  if (!runs.some((r) => /npm (ci|install)\b.*--omit=dev/.test(r)))
    problems.push("Dockerfile: no production-only install");
  if (lockMissesOptionals && runs.some((r) => /\bnpm ci\b/.test(r)))
    problems.push("Dockerfile: npm ci refuses this package-lock.json (it lacks optional platform packages)");

  // tsx is a devDependency: the runtime stage must copy it and everything it needs.
  const copied = new Set(
    last
      .filter((x) => x.op === "COPY" && x.args.includes("--from="))
      .flatMap((x) => x.args.match(/\/node_modules\/((?:@[^/\s]+\/)?[^/\s]+|@[^/\s]+)(?=\s)/g) ?? [])
      .map((m) => m.replace("/node_modules/", "")),
  );
  const covered = (name: string) => copied.has(name) || copied.has(name.split("/")[0] ?? "");
  const pending = ["node_modules/tsx"];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const key = pending.pop() ?? "";
    if (seen.has(key)) continue;
    seen.add(key);
    const name = key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);
    if (!key.includes("/node_modules/") && !covered(name))
      problems.push(`Dockerfile: runtime lacks ${name} (needed by tsx)`);
    const entry = lock.packages[key];
    for (const dep of Object.keys(entry?.dependencies ?? {})) {
      const resolved = resolveInLock(key, dep);
      if (resolved) pending.push(resolved);
    }
    for (const dep of Object.keys(entry?.optionalDependencies ?? {})) {
      const resolved = resolveInLock(key, dep);
      const os = resolved ? lock.packages[resolved]?.os : undefined;
      const forLinux = !os || os.includes("linux");
      if (resolved && forLinux && !covered(dep)) problems.push(`Dockerfile: runtime lacks ${dep} (platform binary)`);
    }
  }
  return problems;
}

// ---- Grafana ------------------------------------------------------------------------------

/** Series names a scrape of one node can show: the Metrics registry (ours + prom-client defaults). */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = new Metrics();
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    // prom-client types `type` as a numeric enum, but the values are the strings ("histogram").
    if (String(m.type) === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(m.name + s);
    if (String(m.type) === "summary") for (const s of ["_sum", "_count"]) names.add(m.name + s);
  }
  metrics.registry.clear();
  return names;
}

const PROMQL_WORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "offset",
  "and",
  "or",
  "unless",
]);

/** Metric names in a PromQL expression (identifiers that are not functions, labels or keywords). */
function metricsIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  return [...stripped.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g)]
    .map((m) => m[0])
    .filter((w) => !PROMQL_WORDS.has(w) && !/^(e|inf|nan)$/i.test(w));
}

const REQUIRED_SERIES = [
  "chorus_connections",
  "chorus_subscriptions",
  "chorus_messages_accepted_total",
  "chorus_events_delivered_total",
  "chorus_frames_written_total",
  "chorus_slow_consumer_disconnects_total",
  "chorus_fanout_flush_seconds_bucket",
  "chorus_redis_stream_length",
  "nodejs_eventloop_lag_p99_seconds",
  "process_resident_memory_bytes",
  "process_cpu_seconds_total",
];

function checkDashboard(text: string, series: Set<string>): string[] {
  let dashboard: unknown;
  try {
    dashboard = JSON.parse(text);
  } catch (error) {
    return [`dashboard: not JSON (${(error as Error).message})`];
  }
  const problems: string[] = [];
  const panels = asArr(at(dashboard, "panels")).flatMap((p) => [p, ...asArr(at(p, "panels"))]);
  const ids = panels.map((p) => at(p, "id"));
  if (new Set(ids).size !== ids.length) problems.push("dashboard: panel ids are not unique");
  const vars = asArr(at(dashboard, "templating", "list"));
  if (!vars.some((v) => at(v, "type") === "datasource")) problems.push("dashboard: no data source variable");
  if (!vars.some((v) => at(v, "name") === "instance")) problems.push("dashboard: no instance variable");
  const used = new Set<string>();
  for (const panel of panels.filter((p) => at(p, "type") !== "row")) {
    const title = String(at(panel, "title"));
    if (!isObj(at(panel, "gridPos"))) problems.push(`panel ${title}: no gridPos`);
    const targets = asArr(at(panel, "targets"));
    if (targets.length === 0) problems.push(`panel ${title}: no targets`);
    for (const target of targets) {
      const expr = String(at(target, "expr") ?? "");
      const names = metricsIn(expr);
      if (names.length === 0) problems.push(`panel ${title}: expr references no metric: ${expr}`);
      for (const name of names) {
        used.add(name);
        if (!series.has(name)) problems.push(`panel ${title}: ${name} is not exported by the server`);
        if (/_(total|bucket|count|sum)$/.test(name) && !new RegExp(`(rate|increase)\\(\\s*${name}\\b`).test(expr))
          problems.push(`panel ${title}: counter ${name} is not wrapped in rate() or increase()`);
      }
      if (!expr.includes('instance=~"$instance"')) problems.push(`panel ${title}: not filtered by $instance`);
    }
  }
  for (const name of REQUIRED_SERIES) if (!used.has(name)) problems.push(`dashboard: nothing shows ${name}`);
  return problems;
}

// ---- the real files -----------------------------------------------------------------------

const composeText = read("compose.yaml");
const compose = parse(composeText, { merge: true }) as unknown;
const composeNodes = Object.entries(asObj(at(compose, "services")))
  .filter(([, s]) => String(at(s, "build", "dockerfile") ?? "").endsWith("Dockerfile"))
  .map(([name, s]) => `${name}:${interpolate(envOf(s)["PORT"] ?? "3000")}`);
const nginxText = read("nginx.conf");
const dockerfileText = read("Dockerfile");
const dashboardText = read("grafana/chorus-dashboard.json");
const manifests = loadManifests();
const series = await exportedSeries();

describe("deploy files", () => {
  it("compose: two Chorus nodes on shared Redis (AOF) and PostgreSQL, nginx in front, health-gated start", () => {
    expect(checkCompose(compose)).toEqual([]);
  });

  it("nginx: both nodes upstream, WebSocket upgrade on /api/ws, unbuffered long-lived SSE", () => {
    expect(composeNodes).toEqual(["chorus-1:3000", "chorus-2:3000"]);
    expect(checkNginx(nginxText, composeNodes)).toEqual([]);
  });

  it("prometheus (monitoring profile) scrapes every compose node", () => {
    const prometheus = parse(read("prometheus/prometheus.yml")) as unknown;
    const targets = asArr(at(prometheus, "scrape_configs")).flatMap((job) =>
      asArr(at(job, "static_configs")).flatMap((c) => asArr(at(c, "targets")).map(String)),
    );
    expect(targets.sort()).toEqual([...composeNodes].sort());
  });

  it("k8s: every manifest well-formed; Deployment, Service, HPA, PDB, Ingress, ConfigMap and Secret agree", () => {
    expect(manifests.map((m) => m.doc["kind"]).sort()).toEqual(
      [
        "ConfigMap",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Ingress",
        "Kustomization",
        "Namespace",
        "PodDisruptionBudget",
        "Secret",
        "Service",
      ].sort(),
    );
    expect(checkK8s(manifests)).toEqual([]);
  });

  it("Dockerfile: multi-stage on node:20-bookworm-slim, non-root, health-checked, runs with tsx", () => {
    expect(checkDockerfile(dockerfileText)).toEqual([]);
    const ignore = read("Dockerfile.dockerignore").split("\n");
    for (const pattern of ["**/node_modules", "**/dist", ".git", "data"]) expect(ignore).toContain(pattern);
  });

  it("Grafana: every panel query uses a series the server exports, per instance", () => {
    expect(series.has("chorus_connections")).toBe(true);
    expect(checkDashboard(dashboardText, series)).toEqual([]);
  });
});

// ---- every check can fail -----------------------------------------------------------------

const problemsAfter = <T>(original: T, mutate: (copy: T) => void, check: (v: T) => string[]) => {
  const copy = clone(original);
  mutate(copy);
  return check(copy).join("\n");
};
const service = (doc: unknown, name: string) => asObj(at(doc, "services", name));
const k8s = (ms: Manifest[], kind: string) => asObj(ms.find((m) => m.doc["kind"] === kind)?.doc);
const container = (ms: Manifest[]) => asObj(at(k8s(ms, "Deployment"), "spec", "template", "spec", "containers", 0));

describe("the checks catch broken deploy files", () => {
  const composeCases: [string, (d: unknown) => void, RegExp][] = [
    ["same NODE_ID twice", (d) => (asObj(service(d, "chorus-2")["environment"])["NODE_ID"] = "chorus-1"), /NODE_ID/],
    ["no REDIS_URL", (d) => delete asObj(service(d, "chorus-1")["environment"])["REDIS_URL"], /REDIS_URL/],
    [
      "REDIS_URL elsewhere",
      (d) => (asObj(service(d, "chorus-2")["environment"])["REDIS_URL"] = "redis://cache:6379"),
      /REDIS_URL/,
    ],
    ["unknown variable", (d) => (asObj(service(d, "chorus-1")["environment"])["NODEID"] = "x"), /NODEID/],
    [
      "every proxy trusted",
      (d) => (asObj(service(d, "chorus-1")["environment"])["TRUST_PROXY"] = "true"),
      /TRUST_PROXY is "true"/,
    ],
    [
      "nginx's address moved",
      (d) => (asObj(at(service(d, "nginx"), "networks", "default"))["ipv4_address"] = "172.28.0.99"),
      /not nginx's fixed address/,
    ],
    ["redis without AOF", (d) => (service(d, "redis")["command"] = ["redis-server"]), /appendonly/],
    ["redis without volume", (d) => (service(d, "redis")["volumes"] = []), /redis: no named volume/],
    ["postgres without healthcheck", (d) => delete service(d, "postgres")["healthcheck"], /pg_isready|no healthcheck/],
    ["nginx config not mounted", (d) => (service(d, "nginx")["volumes"] = []), /nginx\.conf/],
    ["nginx starts before nodes", (d) => (service(d, "nginx")["depends_on"] = ["chorus-1"]), /nginx: not depends_on/],
    ["node before redis", (d) => delete asObj(service(d, "chorus-1")["depends_on"])["redis"], /depends_on redis/],
    ["short stop grace", (d) => (service(d, "chorus-1")["stop_grace_period"] = "5s"), /stop_grace_period/],
    [
      "wrong db password",
      (d) => (asObj(service(d, "postgres")["environment"])["POSTGRES_PASSWORD"] = "x"),
      /credentials/,
    ],
  ];
  it.each(composeCases)("compose: %s", (_name, mutate, expected) => {
    expect(problemsAfter(compose, mutate, checkCompose)).toMatch(expected);
  });

  const nginxCases: [string, (t: string) => string, RegExp][] = [
    ["no Upgrade header", (t) => t.replace("proxy_set_header Upgrade $http_upgrade;", ""), /Upgrade/],
    [
      "X-Forwarded-For appended to the client's",
      (t) => t.replaceAll("X-Forwarded-For $remote_addr", "X-Forwarded-For $proxy_add_x_forwarded_for"),
      /X-Forwarded-For is not \$remote_addr/,
    ],
    ["Connection close on ws", (t) => t.replace('Connection "upgrade"', "Connection close"), /Connection/],
    ["SSE buffered", (t) => t.replaceAll("proxy_buffering off;", ""), /events: proxy_buffering/],
    ["short SSE timeout", (t) => t.replaceAll("proxy_read_timeout 3600s;", "proxy_read_timeout 60s;"), /timeout/],
    ["Host without port", (t) => t.replaceAll("Host $http_host;", "Host $host;"), /Host is not/],
    [
      "X-Accel-Buffering ignored",
      (t) => t.replace("server_tokens off;", "proxy_ignore_headers X-Accel-Buffering;"),
      /X-Accel/,
    ],
    ["one node missing", (t) => t.replace(/^.*server chorus-2:3000.*$/m, ""), /chorus-2/],
    ["sticky", (t) => t.replace("least_conn;", "ip_hash;"), /ip_hash/],
    ["metrics public", (t) => t.replace(/location = \/metrics \{[^}]*\}/, ""), /\/metrics/],
    [
      "SSE path not routed",
      (t) => t.replace("location = /api/sse/stream {", "location = /api/sse/other {"),
      /sse\/stream: proxy_buffering/,
    ],
  ];
  it.each(nginxCases)("nginx: %s", (_name, mutate, expected) => {
    const mutated = mutate(nginxText);
    expect(mutated).not.toBe(nginxText);
    expect(checkNginx(mutated, composeNodes).join("\n")).toMatch(expected);
  });

  const k8sCases: [string, (ms: Manifest[]) => void, RegExp][] = [
    ["no apiVersion", (ms) => delete k8s(ms, "Service")["apiVersion"], /no apiVersion/],
    ["no metadata.name", (ms) => delete asObj(k8s(ms, "ConfigMap")["metadata"])["name"], /no metadata\.name/],
    [
      "readiness on /healthz",
      (ms) => (asObj(at(container(ms), "readinessProbe", "httpGet"))["path"] = "/healthz"),
      /readinessProbe/,
    ],
    ["no liveness", (ms) => delete container(ms)["livenessProbe"], /livenessProbe/],
    [
      "selector ≠ labels",
      (ms) => (asObj(at(k8s(ms, "Deployment"), "spec", "selector", "matchLabels"))["app.kubernetes.io/name"] = "x"),
      /matchLabels/,
    ],
    [
      "Service selects nothing",
      (ms) => (asObj(at(k8s(ms, "Service"), "spec"))["selector"] = { app: "other" }),
      /Service: selector/,
    ],
    [
      "Service targetPort",
      (ms) => (asObj(at(k8s(ms, "Service"), "spec", "ports", 0))["targetPort"] = "web"),
      /targetPort/,
    ],
    [
      "HPA target",
      (ms) => (asObj(at(k8s(ms, "HorizontalPodAutoscaler"), "spec", "scaleTargetRef"))["name"] = "x"),
      /scaleTargetRef/,
    ],
    [
      "HPA min > max",
      (ms) => (asObj(at(k8s(ms, "HorizontalPodAutoscaler"), "spec"))["minReplicas"] = 20),
      /minReplicas/,
    ],
    [
      "short grace",
      (ms) => (asObj(at(k8s(ms, "Deployment"), "spec", "template", "spec"))["terminationGracePeriodSeconds"] = 10),
      /terminationGracePeriodSeconds/,
    ],
    ["no preStop", (ms) => delete container(ms)["lifecycle"], /preStop/],
    [
      "root allowed",
      (ms) => delete asObj(at(k8s(ms, "Deployment"), "spec", "template", "spec", "securityContext"))["runAsNonRoot"],
      /runAsNonRoot/,
    ],
    [
      "NODE_ID from uid",
      (ms) => (asObj(at(container(ms), "env", 0, "valueFrom", "fieldRef"))["fieldPath"] = "metadata.uid"),
      /NODE_ID/,
    ],
    ["Secret lacks a key", (ms) => delete asObj(k8s(ms, "Secret")["stringData"])["REDIS_URL"], /REDIS_URL/],
    ["ConfigMap typo", (ms) => (asObj(k8s(ms, "ConfigMap")["data"])["LOGLEVEL"] = "info"), /LOGLEVEL/],
    [
      "real secret committed",
      (ms) => (asObj(k8s(ms, "Secret")["stringData"])["JWT_SECRET"] = "x".repeat(40)),
      /placeholder/,
    ],
    ["no cpu request", (ms) => delete asObj(at(container(ms), "resources", "requests"))["cpu"], /cpu request/],
    ["read-only root, no /tmp", (ms) => (container(ms)["volumeMounts"] = []), /\/tmp/],
    [
      "Ingress to nowhere",
      (ms) =>
        (asObj(at(k8s(ms, "Ingress"), "spec", "rules", 0, "http", "paths", 0, "backend", "service"))["name"] = "x"),
      /Ingress: backend/,
    ],
  ];
  it.each(k8sCases)("k8s: %s", (_name, mutate, expected) => {
    expect(problemsAfter(manifests, mutate, checkK8s)).toMatch(expected);
  });

  const dockerCases: [string, (t: string) => string, RegExp][] = [
    [
      "single stage",
      (t) => t.slice(t.lastIndexOf("FROM base AS runtime")).replace("FROM base", "FROM node:20-bookworm-slim"),
      /multi-stage/,
    ],
    ["runs as root", (t) => t.replace("USER 1000:1000", "USER root"), /non-root USER/],
    ["no USER", (t) => t.replace("USER 1000:1000", ""), /non-root USER/],
    ["no HEALTHCHECK", (t) => t.replace(/HEALTHCHECK[^\n]*\\\n[^\n]*\n/, ""), /HEALTHCHECK/],
    ["EXPOSE 8080", (t) => t.replace("EXPOSE 3000", "EXPOSE 8080"), /EXPOSE 3000/],
    [
      "alpine base",
      (t) => t.replace("FROM node:20-bookworm-slim AS base", "FROM node:20-alpine AS base"),
      /node:20-bookworm-slim/,
    ],
    ["no esbuild at runtime", (t) => t.replace(/^COPY --from=deps \/app\/node_modules\/esbuild.*$/m, ""), /esbuild/],
    ["no platform binary", (t) => t.replace(/^COPY --from=deps \/app\/node_modules\/@esbuild .*$/m, ""), /@esbuild\//],
    [
      "unknown stage",
      (t) => t.replace("COPY --from=build /app/packages/web/dist", "COPY --from=web /app/packages/web/dist"),
      /--from=web/,
    ],
    [
      "missing source",
      (t) => t.replace("COPY tsconfig.json tsconfig.base.json ./", "COPY tsconfig.json tsconfig.prod.json ./"),
      /tsconfig\.prod\.json/,
    ],
    ["no data volume", (t) => t.replace('VOLUME ["/data"]', ""), /VOLUME/],
  ];
  it.each(dockerCases)("Dockerfile: %s", (_name, mutate, expected) => {
    const mutated = mutate(dockerfileText);
    expect(mutated).not.toBe(dockerfileText);
    expect(checkDockerfile(mutated).join("\n")).toMatch(expected);
  });
  it.runIf(lockMissesOptionals)("Dockerfile: npm ci with a lock it would refuse", () => {
    expect(checkDockerfile(dockerfileText.replaceAll("npm install", "npm ci")).join("\n")).toMatch(/npm ci refuses/);
  });

  const firstTarget = (d: unknown) =>
    asObj(
      at(
        asArr(at(d, "panels")).find((p) => asArr(at(p, "targets")).length),
        "targets",
        0,
      ),
    );
  const dashboardCases: [string, (d: unknown) => void, RegExp][] = [
    [
      "unknown metric",
      (d) => (firstTarget(d)["expr"] = 'sum(chorus_bogus{instance=~"$instance"})'),
      /chorus_bogus is not exported/,
    ],
    [
      "raw counter",
      (d) => (firstTarget(d)["expr"] = 'sum(chorus_messages_accepted_total{instance=~"$instance"})'),
      /not wrapped in rate/,
    ],
    ["no instance filter", (d) => (firstTarget(d)["expr"] = "sum(chorus_connections)"), /\$instance/],
    ["no metric", (d) => (firstTarget(d)["expr"] = "vector(1)"), /references no metric/],
    ["duplicate id", (d) => (asObj(at(d, "panels", 1))["id"] = at(d, "panels", 0, "id")), /ids are not unique/],
    ["required series gone", (d) => (asObj(d)["panels"] = []), /nothing shows chorus_connections/],
  ];
  it.each(dashboardCases)("Grafana: %s", (_name, mutate, expected) => {
    const copy = JSON.parse(dashboardText) as unknown;
    mutate(copy);
    expect(checkDashboard(JSON.stringify(copy), series).join("\n")).toMatch(expected);
  });
  it("Grafana: not JSON", () => {
    expect(checkDashboard(dashboardText.slice(0, -3), series).join("\n")).toMatch(/not JSON/);
  });
});
