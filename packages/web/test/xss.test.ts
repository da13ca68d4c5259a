/**
 * An XSS corpus in a real browser, on every page that renders user text: the viewer's chat,
 * user cards, the moderator panel (held queue, bans, modlog, blocked terms, suspicious users),
 * a sanctioned viewer's banner, the owner's dashboard (summaries, questions, top lists, the
 * channel's emotes, ingest keys, past broadcasts, highlights), the transcript and replay of an
 * ended broadcast, the landing page and the video player.
 *
 * Every payload goes in through the real API, the way an attacker would put it there: chat
 * text, replies, platform authors' names, colours, badges and emotes through the ingest route,
 * titles, ban and timeout reasons, moderator notes, blocked terms, key labels, emote names, a
 * video URL. Each payload calls `__xssHit(<code>)` if it ever runs. Each page is then opened as
 * the user who sees that text, the test waits until the hostile text is on screen as text
 * (so it looked at the right thing), and asserts that no payload ran, the
 * Content-Security-Policy reported no violation (an injection the policy stopped is still an
 * injection), no error was thrown or logged, and the DOM holds no script-capable URL, no inline
 * event handler and no element that only injected markup would bring.
 */
import { rm } from "node:fs/promises";
import type { Broadcast, Channel, HeldMessage, Highlight, Message, UserStatus } from "@chorus/protocol";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/harness.js";
import {
  api,
  eventually,
  history,
  postMessage,
  register,
  type Session,
  sleep,
  uniqueName,
} from "../../server/test/helpers.js";
import {
  auditDom,
  buildWebApp,
  collectRows,
  hasBrowser,
  type Incident,
  launchChromium,
  missingTexts,
  openWatched,
  type RowReport,
  revealInList,
  squash,
  type Watched,
} from "./browser-harness.js";

// ---- the corpus ------------------------------------------------------------------------------

/**
 * Payload templates; `HIT` becomes `__xssHit(<code>)`, a number so that it needs no quotes in
 * any context. Each surface numbers its own copy from its own base, so an incident names both
 * the payload and where it was put.
 */
const TEMPLATES: ReadonlyArray<readonly [name: string, template: string]> = [
  ["script tag", "<script>HIT</script>"],
  ["img onerror", "<img src=x onerror=HIT>"],
  ["img onerror quoted", `<img src="x" onerror="HIT">`],
  ["svg onload", "<svg onload=HIT>"],
  ["svg/onload", "<svg/onload=HIT>"],
  ["svg script", "<svg><script>HIT</script></svg>"],
  ["svg animate", "<svg><animate onbegin=HIT attributeName=x dur=1s>"],
  ["body onload", "<body onload=HIT>"],
  ["details ontoggle", "<details open ontoggle=HIT>"],
  ["autofocus onfocus", "<input autofocus onfocus=HIT>"],
  ["video source onerror", "<video><source onerror=HIT></video>"],
  ["marquee onstart", "<marquee onstart=HIT>x</marquee>"],
  ["full-page hover", `<div onmouseover="HIT" style="position:fixed;inset:0">hover</div>`],
  ["javascript: url", "javascript:HIT"],
  ["javascript: mixed case", "JaVaScRiPt:HIT"],
  ["javascript: entity", "jav&#x09;ascript:HIT"],
  ["anchor javascript:", `<a href="javascript:HIT">click me</a>`],
  ["anchor entity javascript:", `<a href="&#106;avascript:HIT">click</a>`],
  ["data: html", "data:text/html,<script>HIT</script>"],
  ["data: base64", `data:text/html;base64,${Buffer.from("<script>HIT</script>").toString("base64")}`],
  ["data: svg", "data:image/svg+xml,<svg onload=HIT>"],
  ["markdown link", "[click](javascript:HIT)"],
  ["markdown image", `![x](x" onerror="HIT)`],
  ["markdown autolink", "<javascript:HIT>"],
  ["url then quote", `https://example.com/"><img src=x onerror=HIT>`],
  ["url then backtick", "https://example.com/`onmouseover=HIT`"],
  ["url then apostrophe", "https://example.com/'onfocus='HIT'autofocus='"],
  ["url with userinfo", "https://bank.example@evil.example/HIT"],
  ["html entities", "&lt;img src=x onerror=HIT&gt;"],
  ["numeric entities", "&#60;script&#62;HIT&#60;/script&#62;"],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, literally.
  ["template literal", "${HIT}"],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, literally.
  ["template literal in backticks", "`${HIT}`"],
  ["angular sandbox escape", "{{constructor.constructor('HIT')()}}"],
  ["mustache", "{{HIT}}"],
  ["triple mustache", "{{{HIT}}}"],
  ["erb", "<%= HIT %>"],
  ["css import and url", "<style>@import 'javascript:HIT';body{background:url(javascript:HIT)}</style>"],
  ["css in style attribute", `<p style="background:url('javascript:HIT')">css</p>`],
  ["css expression", `<div style="width:expression(HIT)">`],
  ["style breakout", "</style><script>HIT</script>"],
  ["rtl override", "\u202E<img src=x onerror=HIT>\u202C"],
  ["fullwidth brackets", "＜script＞HIT＜/script＞"],
  ["zero-width split tag", "<scr\u200Bipt>HIT</scr\u200Bipt>"],
  ["script end tag", "</script><script>HIT</script>"],
  ["attribute breakout double quote", `" onmouseover="HIT" x="`],
  ["attribute breakout single quote", `' onmouseover='HIT' x='`],
  ["attribute breakout backtick", "` onmouseover=HIT x=`"],
  ["tag breakout", `"><svg onload=HIT>`],
  ["tag breakout single quote", `'><svg onload=HIT>`],
  ["iframe srcdoc", `<iframe srcdoc="<script>parent.HIT</script>">`],
  ["iframe javascript:", `<iframe src="javascript:HIT">`],
  ["object data", `<object data="javascript:HIT">`],
  ["embed src", `<embed src="javascript:HIT">`],
  ["meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:HIT">`],
  ["base href", `<base href="javascript:HIT//">`],
  ["math namespace confusion", "<math><mtext><table><mglyph><style><img src=x onerror=HIT>"],
  ["svg style confusion", "<svg><style><img src=x onerror=HIT></style></svg>"],
  ["noscript confusion", `<noscript><p title="</noscript><img src=x onerror=HIT>">`],
  ["form action", `<form action="javascript:HIT"><button>go</button></form>`],
  ["DOM clobbering __proto__", "<form id=__proto__><input name=__xssHit id=__xssHit> HIT"],
  ["DOM clobbering anchor", `<a id=__xssHit name=__xssHit href="javascript:HIT">`],
  [
    "polyglot",
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=HIT )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=HIT//>\\x3e",
  ],
  ["long text", `${"A".repeat(380)} <img src=x onerror=HIT> ${"B".repeat(60)}`],
  ["long word", `${"x".repeat(400)}<svg/onload=HIT>`],
  ["mention breakout", `@"><svg/onload=HIT>`],
  ["question", "<img src=x onerror=HIT> is this safe to click?"],
  ["prototype words", "__proto__ constructor prototype toString HIT"],
];

interface Payload {
  code: number;
  name: string;
  text: string;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, literally.
const TEMPLATE_NAME = "${__xssHit(304)}";

/** The analyser's spike buckets here (10 s in production): a highlight within seconds. */
const SPIKE_BUCKET_MS = 200;

/** Messages the channel page loads from history when it opens (services/channel-feed.ts). */
const INITIAL_PAGE = 100;

/** The chat list's scroller (react-virtuoso's root element). */
const CHAT_SCROLLER = '[data-testid="chat-list"]';

const PAYLOADS = new Map<number, string>();

/** The corpus numbered from `base`, each payload's `HIT` calling `__xssHit(<its code>)`. */
function corpus(base: number, surface: string): Payload[] {
  return TEMPLATES.map(([name, template], i) => {
    const code = base + i;
    PAYLOADS.set(code, `${surface}: ${name}`);
    return { code, name, text: template.replaceAll("HIT", `__xssHit(${code})`) };
  });
}

/** A payload made by hand, registered under `code`. */
function one(code: number, surface: string, text: string): string {
  PAYLOADS.set(code, surface);
  return text;
}

/** Several payloads in one string of at most `max` characters (reasons, notes). */
function joined(payloads: readonly Payload[], max: number): string {
  let out = "";
  for (const p of payloads) {
    const next = out === "" ? p.text : `${out} | ${p.text}`;
    if ([...next].length > max) break;
    out = next;
  }
  return out;
}

/**
 * A message's text as a chat row renders it: a platform emote with an https image is that
 * image (its name the alt text), not text.
 */
function shownText(m: Message): string {
  const emotes = (m.emotes ?? []).filter((e) => e.url?.startsWith("https://"));
  if (emotes.length === 0) return m.text;
  return [...m.text].filter((_, i) => !emotes.some((e) => i >= e.start && i <= e.end)).join("");
}

/** Incidents with the payload each hit names, for a readable failure. */
const explain = (incidents: readonly Incident[]): string[] =>
  incidents.map((i) => {
    const payload = i.kind === "hit" ? ` = ${PAYLOADS.get(Number(i.detail)) ?? "?"}` : "";
    return `${i.kind}: ${i.detail}${payload} (${i.url})`;
  });

// ---- the test ----------------------------------------------------------------------------------

interface Seed {
  channel: string;
  title: string;
  broadcast: Broadcast;
  /** The ended broadcast's messages, deleted ones as placeholders. */
  transcript: Message[];
  owner: Session;
  mod: Session;
  victim: Session;
  /** Every published message, as the server has it (history). */
  messages: Message[];
  /** The chat corpus as published (normalised by the server). */
  chatTexts: string[];
  /** Authors by username whose names are part of the corpus (platform users, prototype names). */
  hostileAuthors: Message["author"][];
  /** Usernames of the ban and timeout targets (platform users with hostile logins). */
  sanctioned: string[];
  bansReasons: string[];
  victimReason: string;
  notes: string[];
  /** The notes by the username they are about. */
  notesByUser: Map<string, string>;
  /** The monitored user's username. */
  monitored: string;
  held: HeldMessage[];
  terms: string[];
  keyLabel: string;
  /** The hostile name of the platform emote every platform message starts with. */
  platformEmote: string;
  emoteNames: string[];
  highlight: Highlight;
}

describe.skipIf(!hasBrowser)("XSS corpus in Chromium", () => {
  let outDir: string;
  let server: TestServer;
  let browser: Browser;
  let seed: Seed;
  const opened: Watched[] = [];

  beforeAll(async () => {
    outDir = await buildWebApp("chorus-xss-");
    server = await startTestServer({
      webDistDir: outDir,
      // Short stats and spike buckets: a highlight within a second of chat; the per-user limit
      // raised so that one author can post the whole corpus.
      analysis: { enabled: true, statsIntervalMs: 300, spikeBucketMs: SPIKE_BUCKET_MS, leaderRetryMs: 200 },
      limits: { messagesPerWindow: 10_000 },
    });
    browser = await launchChromium();
    seed = await seedCorpus();
  }, 60_000);

  // Each test's pages go when it ends: live pages keep rendering what the server sends.
  afterEach(async () => {
    for (const w of opened.splice(0)) await w.context.close().catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  const channelUrl = (name: string): string => `${server.url}/c/${name}`;

  async function ok<T>(
    method: string,
    path: string,
    token: string | undefined,
    body: unknown,
    status: number,
  ): Promise<T> {
    const res = await api<T>(server.url, method, path, { token, body });
    if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  }

  async function post(session: Session, channel: string, text: string, replyTo?: string): Promise<Message> {
    const res = await api<{ message: Message }>(server.url, "POST", `/api/channels/${channel}/messages`, {
      token: session.token,
      body: replyTo === undefined ? { text } : { text, replyTo },
    });
    if (res.status !== 201) throw new Error(`post ${JSON.stringify(text)}: ${res.status} ${res.text}`);
    return res.body.message;
  }

  /** Registers a user with exactly this name (names that are also Object.prototype keys). */
  async function registerAs(username: string): Promise<Session> {
    const res = await api<{ user: Session["user"]; token: string }>(server.url, "POST", "/api/auth/register", {
      body: { username, password: "correct horse battery" },
    });
    if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${res.text}`);
    return {
      user: res.body.user,
      token: res.body.token,
      cookie: (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "",
    };
  }

  async function seedCorpus(): Promise<Seed> {
    const [owner, mod, author, replier, victim, restricted, monitored] = await Promise.all(
      ["owner", "mod", "author", "replier", "victim", "restricted", "monitored"].map((p) => register(server.url, p)),
    );
    if (!owner || !mod || !author || !replier || !victim || !restricted || !monitored) throw new Error("register");
    // Usernames follow ^[a-z0-9_]{3,25}$, and these two are also keys of every plain object.
    const protoUsers = await Promise.all([registerAs("__proto__"), registerAs("constructor")]);

    const channel = uniqueName("xss");
    const title = one(
      701,
      "channel title",
      `<img src=x onerror=__xssHit(701)> "'><svg onload=__xssHit(701)> {{__xssHit(701)}} \${__xssHit(701)}`,
    );
    await ok("POST", "/api/channels", owner.token, { name: channel, title }, 201);
    await ok("PUT", `/api/channels/${channel}/roles/${mod.user.username}`, owner.token, { role: "moderator" }, 200);
    // Emote names are the owner's own text, and they reach the top emotes and highlight labels.
    const hlEmote = one(702, "emote name (highlight label)", "<svg/onload=__xssHit(702)>");
    const emoteNames = [
      hlEmote,
      one(703, "emote name", `"><img/src/onerror=__xssHit(703)>`),
      one(704, "emote name", "javascript:__xssHit(704)"),
      one(705, "emote name", "{{__xssHit(705)}}"),
    ];
    await ok(
      "PATCH",
      `/api/channels/${channel}`,
      owner.token,
      {
        settings: {
          linksMinRole: "viewer",
          summaryEvery: 5,
          sentimentEmotes: Object.fromEntries(emoteNames.map((n, i) => [n, i % 2 === 0 ? 4 : -3])),
        },
      },
      200,
    );

    // A javascript: video URL is refused; the broadcast starts with a hostile title.
    const badVideo = await api(server.url, "POST", `/api/channels/${channel}/live`, {
      token: owner.token,
      body: { title: "x", videoUrl: "javascript:__xssHit(706)" },
    });
    expect(badVideo.status).toBe(400);
    const broadcastTitle = one(
      707,
      "broadcast title",
      `</title><script>__xssHit(707)</script><svg onload=__xssHit(707)>`,
    );
    const live = await ok<{ broadcast: Broadcast }>(
      "POST",
      `/api/channels/${channel}/live`,
      owner.token,
      { title: broadcastTitle },
      201,
    );

    // Platform messages come in with an ingest key, whose label is the owner's text.
    const keyLabel = one(
      708,
      "ingest key label",
      `<img src=x onerror=__xssHit(708)> key "'><svg onload=__xssHit(708)>`,
    );
    const key = await ok<{ secret: string }>(
      "POST",
      `/api/channels/${channel}/ingest-keys`,
      owner.token,
      { label: keyLabel },
      201,
    );
    const ingest = async (items: object[]): Promise<Array<{ status: string; code?: string }>> => {
      const res = await api<{ results: Array<{ status: string; code?: string }> }>(
        server.url,
        "POST",
        `/api/channels/${channel}/ingest/twitch`,
        { headers: { authorization: `Bearer ${key.secret}` }, body: items },
      );
      if (res.status !== 200) throw new Error(`ingest: ${res.status} ${res.text}`);
      return res.body.results;
    };

    // A chat spike labelled with a hostile emote: a trickle of a message a bucket (the baseline
    // the analyser needs), then a burst of concurrent posts (they commit together, so they land
    // in one bucket); tried again should a busy machine spread one over two buckets.
    let highlight: Highlight | undefined;
    for (let attempt = 0; attempt < 3 && highlight === undefined; attempt++) {
      for (let i = 0; i < 7; i++) {
        await post(author, channel, `warming up the chat ${attempt}.${i}`);
        await sleep(SPIKE_BUCKET_MS);
      }
      await Promise.all(
        Array.from({ length: 16 }, (_, i) => post(author, channel, `${hlEmote} ${hlEmote} round ${attempt}.${i}`)),
      );
      highlight = await eventually(
        async () => {
          const res = await api<{ highlights: Highlight[] }>(
            server.url,
            "GET",
            `/api/channels/${channel}/broadcasts/${live.broadcast.id}/highlights`,
          );
          return res.body.highlights?.[0];
        },
        "a highlight",
        3_000,
      ).catch(() => undefined);
    }
    if (highlight === undefined) throw new Error("no highlight after three bursts");

    // The chat corpus, natively.
    const chat = corpus(100, "chat message");
    // Posted at once: they commit together, and their order does not matter.
    const published = await Promise.all(chat.map((p) => post(author, channel, p.text)));
    // Replies quoting hostile messages.
    const replies = corpus(200, "reply").slice(0, 6);
    for (const [i, p] of replies.entries())
      await post(replier, channel, p.text, published[(i * 7) % published.length]?.id);
    for (const user of protoUsers) await post(user, channel, `hello, I am ${user.user.username}`);

    // Platform messages: hostile logins, display names, colours, badges and emotes.
    const platformAuthors = [
      { login: one(301, "platform login", "<svg/onload=__xsshit(301)>"), display: "<svg onload=__xssHit(301)>" },
      { login: one(302, "platform login", `"><svg/onload=__xsshit(302)>`), display: `"><b onclick=__xssHit(302)>` },
      { login: one(303, "platform login", "javascript:__xsshit(303)"), display: "javascript:__xssHit(303)" },
      { login: one(304, "platform login", "{{__xsshit(304)}}"), display: TEMPLATE_NAME },
      { login: "</script><script>", display: "</script><script>" },
      { login: one(305, "platform login", "' onfocus='__xsshit(305)"), display: "'onfocus=__xssHit(305) x='" },
      { login: "__proto__", display: "__proto__" },
      { login: "constructor", display: "constructor" },
      { login: "rtl_user", display: one(306, "platform name", "\u202Eevil\u202C<svg onload=__xssHit(306)>") },
    ];
    const ingestCorpus = corpus(310, "platform message");
    const emoteName = one(307, "platform emote name", `<img/src/onerror=__xssHit(307)>`);
    const items = platformAuthors.map((a, i) => {
      const text = `${emoteName} ${ingestCorpus[i]?.text ?? ""}`;
      return {
        externalId: `xss-${i}`,
        username: a.login,
        displayName: a.display,
        color: one(308, "platform colour", `"><svg onload=__xssHit(308)>`),
        badges: [one(309, "platform badge", "<script>__xssHit(309)</script>"), "subscriber/12", "vip/1"],
        text,
        emotes: [
          {
            name: emoteName,
            start: 0,
            end: [...emoteName].length - 1,
            url: `https://static-cdn.example/emote.png?"onerror="__xssHit(307)`,
          },
        ],
        ...(i > 0 ? { replyTo: `xss-${i - 1}` } : {}),
      };
    });
    const results = await ingest(items);
    expect(results.map((r) => r.status)).toEqual(items.map(() => "published"));
    // A javascript: and a data: emote image never make an image.
    const badEmotes = await ingest([
      {
        externalId: "xss-emote-urls",
        username: "emote_tester",
        text: "Kappa and PogChamp",
        emotes: [
          { name: "Kappa", start: 0, end: 4, url: "javascript:__xssHit(309)" },
          { name: "PogChamp", start: 10, end: 17, url: "data:image/svg+xml,<svg onload=__xssHit(309)>" },
        ],
      },
    ]);
    expect(badEmotes[0]?.status).toBe("published");

    // Moderation: platform users with hostile logins banned and timed out with hostile reasons.
    const banLogins = [
      one(401, "banned login", `"><svg/onload=__xsshit(401)>`),
      one(402, "timed-out login", "<img/src/onerror=__xsshit(402)>"),
    ];
    const banResults = await ingest(
      banLogins.map((login, i) => ({ externalId: `xss-ban-${i}`, username: login, text: `soon gone ${i}` })),
    );
    expect(banResults.map((r) => r.status)).toEqual(["published", "published"]);
    const sanctioned = banLogins.map((login) => `${login}@twitch`);
    const reasonCorpus = corpus(410, "ban reason");
    const bansReasons: string[] = [];
    for (const [i, username] of sanctioned.entries()) {
      const reason = joined(reasonCorpus.slice(i * 20, i * 20 + 20), 2000);
      const res = await ok<{ ban: { reason: string } }>(
        "POST",
        `/api/channels/${channel}/bans`,
        mod.token,
        i === 0 ? { username, reason } : { username, reason, durationSec: 600 },
        201,
      );
      bansReasons.push(res.ban.reason);
    }
    const victimReason = joined(reasonCorpus.slice(40), 2000);
    await post(victim, channel, "I will be timed out");
    const victimBan = await ok<{ ban: { reason: string } }>(
      "POST",
      `/api/channels/${channel}/bans`,
      mod.token,
      { username: victim.user.username, reason: victimReason, durationSec: 900 },
      201,
    );
    // A message deleted by a moderator (the modlog's delete_message).
    const doomed = await post(author, channel, "this one a moderator deletes");
    await ok("DELETE", `/api/channels/${channel}/messages/${doomed.id}`, mod.token, undefined, 204);

    // Moderator notes on suspicious users; the restricted user's messages wait in the queue.
    const noteCorpus = corpus(470, "moderator note");
    const notes: string[] = [];
    const notesByUser = new Map<string, string>();
    const marks: Array<[string, "restricted" | "monitored"]> = [
      [restricted.user.username, "restricted"],
      [monitored.user.username, "monitored"],
      [`${platformAuthors[1]?.login}@twitch`, "restricted"],
    ];
    for (const [i, [username, status]] of marks.entries()) {
      const reason = joined(noteCorpus.slice(i * 20, i * 20 + 20), 2000);
      const res = await ok<{ user: UserStatus }>(
        "PUT",
        `/api/channels/${channel}/suspicious/${encodeURIComponent(username)}`,
        mod.token,
        { status, reason },
        200,
      );
      notes.push(res.user.reason ?? "");
      notesByUser.set(username, res.user.reason ?? "");
    }
    await post(monitored, channel, one(480, "monitored user's message", "<svg onload=__xssHit(480)> watched"));
    const heldCorpus = corpus(500, "held message").slice(0, 12);
    const heldAnswers = await Promise.all(heldCorpus.map((p) => postMessage(server.url, restricted, channel, p.text)));
    expect(heldAnswers.map((r) => r.status)).toEqual(heldCorpus.map(() => 202));
    const heldIngest = await ingest([
      {
        externalId: "xss-held",
        username: platformAuthors[1]?.login ?? "",
        displayName: platformAuthors[1]?.display,
        text: one(590, "held platform message", "<img src=x onerror=__xssHit(590)> held"),
      },
    ]);
    expect(heldIngest[0]?.status).toBe("held");
    const held = (await ok<{ held: HeldMessage[] }>("GET", `/api/channels/${channel}/held`, mod.token, undefined, 200))
      .held;

    // Blocked terms, set last so that they filter none of the corpus above.
    const termCorpus = corpus(600, "blocked term");
    const actions = ["reject", "mask", "hold"] as const;
    const termsIn = [
      ...termCorpus.map((p, i) => ({ term: [...p.text].slice(0, 100).join(""), action: actions[i % 3] })),
      { term: "__proto__", action: "mask" },
      { term: "constructor", action: "hold" },
    ];
    const patched = await ok<{ channel: Channel }>(
      "PATCH",
      `/api/channels/${channel}`,
      owner.token,
      { settings: { blockedTerms: termsIn } },
      200,
    );
    const terms = patched.channel.settings.blockedTerms.map((t) => t.term);

    // Summaries of this chat, and its highlight; then the broadcast ends (the transcript).
    const messages = await history(server.url, channel, "?limit=200");
    const lastSeq = messages.at(-1)?.seq ?? 0;
    await eventually(
      async () => {
        const res = await api<{ summaries: Array<{ toSeq: number }> }>(
          server.url,
          "GET",
          `/api/channels/${channel}/summaries?limit=100`,
        );
        return (res.body.summaries ?? []).some((s) => s.toSeq >= lastSeq - 10) ? true : undefined;
      },
      "summaries of the corpus",
      15_000,
    );
    const ended = await ok<{ broadcast: Broadcast; channel: Channel }>(
      "DELETE",
      `/api/channels/${channel}/live`,
      owner.token,
      undefined,
      200,
    );
    const transcript = await ok<{ messages: Message[] }>(
      "GET",
      `/api/channels/${channel}/broadcasts/${ended.broadcast.id}/messages?deleted=true&limit=200`,
      undefined,
      undefined,
      200,
    );

    const hostileAuthors = messages
      .filter((m) => m.author.platform === "twitch" || protoUsers.some((u) => u.user.id === m.author.id))
      .map((m) => m.author);
    // Starting the broadcast made its title the channel's too: the owner sets the channel's again.
    expect(ended.channel.title).toBe(broadcastTitle);
    const retitled = await ok<{ channel: Channel }>("PATCH", `/api/channels/${channel}`, owner.token, { title }, 200);
    return {
      channel,
      title: retitled.channel.title,
      broadcast: ended.broadcast,
      transcript: transcript.messages,
      owner,
      mod,
      victim,
      messages,
      chatTexts: published.map((m) => m.text),
      hostileAuthors,
      sanctioned,
      bansReasons,
      victimReason: victimBan.ban.reason,
      notes,
      notesByUser,
      monitored: monitored.user.username,
      held,
      terms,
      keyLabel,
      platformEmote: emoteName,
      emoteNames,
      highlight,
    };
  }

  // ---- checks ------------------------------------------------------------------------------------

  async function watch(url: string, session?: Session, viewport = { width: 1280, height: 1000 }): Promise<Watched> {
    const w = await openWatched(browser, server.url, url, {
      cookie: session?.cookie,
      context: { viewport },
    });
    opened.push(w);
    return w;
  }

  /** Waits until every text of `expected` shows inside `selector`; fails naming the ones that never did. */
  async function expectShown(page: Page, selector: string, expected: readonly string[]): Promise<void> {
    await expect.poll(() => missingTexts(page, selector, expected), { timeout: 10_000 }).toEqual([]);
  }

  /** Nothing ran, nothing was blocked or thrown, nothing dangerous is in the DOM. */
  async function expectClean(w: Watched, where: string): Promise<void> {
    // Late ones: images erroring, animations beginning, focus moving.
    await w.page.waitForTimeout(300);
    const audit = await auditDom(w.page);
    // The one error a page logs by design: an anonymous visitor's session check is a 401.
    const anonymousCheck = `status of 401 (Unauthorized) [${server.url}/api/me]`;
    const incidents = w.incidents.filter((i) => !(i.kind === "console" && i.detail.endsWith(anonymousCheck)));
    const hits = await w.page.evaluate(() => (globalThis as unknown as { __xssHits: string[] }).__xssHits);
    expect({ where, incidents: explain(incidents), hits, ...audit }).toEqual({
      where,
      incidents: [],
      hits: [],
      scriptUrls: [],
      handlers: [],
      foreign: [],
    });
    expect(await w.page.locator('a[href^="javascript:" i]').count()).toBe(0);
  }

  /**
   * The rows of a virtualised list, each checked as it was rendered: no handler, script URL or
   * foreign element; links http(s) with the safe rel; images only platform emotes over https,
   * named by their (hostile) name.
   */
  function expectSafeRows(rows: Record<string, RowReport>): void {
    const all = Object.values(rows);
    expect(all.flatMap((r) => r.dangers)).toEqual([]);
    const links = all.flatMap((r) => r.links);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link.href).toMatch(/^https?:\/\//);
      expect(link.rel).toBe("noopener noreferrer nofollow ugc");
      expect(link.target).toBe("_blank");
    }
    // The corpus's userinfo URL (`https://bank.example@evil.example/…`) is never a link.
    expect(links.filter((l) => l.href.includes("@"))).toEqual([]);
    const images = all.flatMap((r) => r.images);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image.alt).toBe(seed.platformEmote);
      expect(image.src).toMatch(/^https:\/\/static-cdn\.example\/emote\.png\?/);
      expect(image.src).not.toMatch(/["<>]/);
    }
  }

  it("the watch sees an injection: a call of __xssHit, a CSP violation, an inline handler", async () => {
    PAYLOADS.set(998, "self-test: injected markup");
    PAYLOADS.set(999, "self-test: direct call");
    const w = await watch(server.url);
    await w.page.locator('[data-testid="channel-card"]').first().waitFor();
    // What a successful injection would do, done from outside: the probes must report each.
    await w.page.evaluate("__xssHit(999)");
    await w.page.evaluate(
      `document.body.insertAdjacentHTML("beforeend", '<img src="data:," onerror="__xssHit(998)">')`,
    );
    await expect
      .poll(() => w.incidents.map((i) => i.kind).sort(), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(["csp", "hit"]));
    expect(w.incidents.filter((i) => i.kind === "hit").map((i) => i.detail)).toEqual(["999"]);
    expect(w.incidents.find((i) => i.kind === "csp")?.detail).toMatch(/^script-src/);
    expect((await auditDom(w.page)).handlers).toEqual(['<img onerror="__xssHit(998)">']);
  });

  it("the viewer's chat: every hostile message and name is text, and nothing runs", async () => {
    const w = await watch(channelUrl(seed.channel), undefined, { width: 1280, height: 1600 });
    const { page } = w;
    await expect
      .poll(() => page.getByTestId("connection").getAttribute("data-state"), { timeout: 10_000 })
      .toBe("live");
    await expectShown(page, '[data-testid="channel-title"]', [seed.title]);
    expect(await page.title()).toBe(`${seed.title} · Chorus`);
    // Every message row (the list is virtualised: scroll through it), text and name as sent.
    // The page opens on the latest INITIAL_PAGE messages of history; the whole corpus is among them.
    const loaded = seed.messages.slice(-INITIAL_PAGE);
    expect(loaded.map((m) => m.text)).toEqual(expect.arrayContaining(seed.chatTexts));
    // (Messages of users banned or timed out since are in history, and so on this page: the
    // removal reaches only the pages open when it happens.)
    const readRows = () => collectRows(page, CHAT_SCROLLER, '[data-row="message"]', "data-id");
    await expect.poll(async () => Object.keys(await readRows()).length, { timeout: 10_000 }).toBe(loaded.length);
    const rows = await readRows();
    const wrong = loaded
      .filter((m) => {
        const shown = squash(rows[m.id]?.text ?? "");
        return !shown.includes(squash(shownText(m))) || !shown.includes(squash(m.author.displayName));
      })
      .map((m) => `${m.seq}: ${m.text.slice(0, 60)} / ${m.author.displayName}`);
    expect(wrong).toEqual([]);
    expectSafeRows(rows);
    // The catch-me-up card: the latest summary, made of this chat (hostile text flows into the
    // summaries: the dashboard's test shows it).
    await page.getByTestId("catch-up-toggle").click();
    const card = page.getByTestId("catch-up");
    await card.waitFor();
    const latest = (
      await api<{ summaries: Array<{ text: string }> }>(server.url, "GET", `/api/channels/${seed.channel}/summaries`)
    ).body.summaries.at(-1);
    await expectShown(page, '[data-testid="catch-up"]', [latest?.text ?? "?"]);
    await expectClean(w, "viewer chat");
  });

  it("user cards of hostile-named authors, for a viewer and a moderator (notes included)", async () => {
    const viewer = await register(server.url, "cardviewer");
    const monitoredMessage = seed.messages.find((m) => m.author.username === seed.monitored);
    for (const [who, session] of [
      ["viewer", viewer],
      ["moderator", seed.mod],
    ] as const) {
      const w = await watch(channelUrl(seed.channel), session, { width: 1280, height: 1600 });
      const { page } = w;
      await expect
        .poll(() => page.getByTestId("connection").getAttribute("data-state"), { timeout: 10_000 })
        .toBe("live");
      const authors =
        who === "moderator" && monitoredMessage
          ? [...seed.hostileAuthors, monitoredMessage.author]
          : seed.hostileAuthors;
      for (const author of authors) {
        const message = seed.messages.findLast((m) => m.author.username === author.username);
        if (!message) throw new Error(`no message by ${author.username}`);
        const target = `[data-row="message"][data-id="${message.id}"]`;
        expect(await revealInList(page, CHAT_SCROLLER, target)).toBe(true);
        await page.locator(target).locator('[data-part="name-button"]').click();
        const card = page.getByTestId("user-card");
        await card.waitFor();
        expect(await card.getAttribute("data-username")).toBe(author.username);
        await expectShown(page, '[data-testid="user-card"]', [author.displayName, `@${author.username}`, message.text]);
        const note = who === "moderator" ? seed.notesByUser.get(author.username) : undefined;
        if (note !== undefined) await expectShown(page, '[data-testid="user-card"]', [note]);
        // Nobody else has a mark: not even a name that is also a key of every plain object.
        else expect(await card.getByTestId("user-card-status").count(), author.username).toBe(0);
        await page.keyboard.press("Escape");
        await card.waitFor({ state: "detached" });
      }
      await expectClean(w, `user cards (${who})`);
    }
  });

  it("the moderator panel: held queue, bans, modlog, blocked terms and suspicious users", async () => {
    const w = await watch(channelUrl(seed.channel), seed.mod, { width: 1280, height: 1600 });
    const { page } = w;
    await page.getByTestId("mod-panel-toggle").click();
    const panel = page.getByTestId("mod-panel");
    // Held: the restricted users' hostile messages, and the platform author's hostile name.
    await panel.getByTestId("mod-tab-button-held").click();
    await expect.poll(() => panel.getByTestId("held-item").count(), { timeout: 10_000 }).toBe(seed.held.length);
    await expectShown(page, '[data-testid="held-list"]', [
      ...seed.held.map((h) => h.message.text),
      ...seed.held.map((h) => h.message.author.displayName),
    ]);
    await expectClean(w, "held queue");
    // Actions: the bans with their reasons, the modlog with hostile targets and reasons.
    await panel.getByTestId("mod-tab-button-actions").click();
    await expectShown(page, '[data-testid="ban-list"]', [...seed.sanctioned, ...seed.bansReasons, seed.victimReason]);
    await expectShown(page, '[data-testid="modlog"]', [
      ...seed.sanctioned,
      ...seed.bansReasons,
      seed.victimReason,
      ...seed.notes,
    ]);
    await expectClean(w, "bans and modlog");
    // Terms: each hostile term as text.
    await panel.getByTestId("mod-tab-button-terms").click();
    await expectShown(page, '[data-testid="terms-list"]', seed.terms);
    expect(await panel.locator('[data-testid="terms-list"] li').count()).toBe(seed.terms.length);
    await expectClean(w, "blocked terms");
    // Users: the notes.
    await panel.getByTestId("mod-tab-button-users").click();
    await expectShown(page, '[data-testid="suspicious-list"]', seed.notes);
    await expectClean(w, "suspicious users");
    // The chat as a moderator sees it: the sanctioned users' messages, struck through.
    await page.getByRole("button", { name: "Close moderation" }).click();
    const rows = await collectRows(page, CHAT_SCROLLER, '[data-row="message"]', "data-id");
    expectSafeRows(rows);
    const removed = seed.messages.filter((m) => seed.sanctioned.includes(m.author.username));
    expect(removed.map((m) => squash(rows[m.id]?.text ?? ""))).toEqual(
      removed.map((m) => expect.stringContaining(squash(m.text))),
    );
    await expectClean(w, "moderator chat");
  });

  it("a timed-out viewer's banner shows the hostile reason as text", async () => {
    const w = await watch(channelUrl(seed.channel), seed.victim);
    const banner = w.page.getByTestId("sanction-banner");
    await banner.waitFor({ timeout: 10_000 });
    await expectShown(w.page, '[data-testid="sanction-banner"]', [seed.victimReason]);
    await expectClean(w, "sanction banner");
  });

  it("the owner's dashboard: summaries, questions, top emotes, the channel's emotes, key labels, past broadcasts", async () => {
    const w = await watch(`${channelUrl(seed.channel)}/dashboard`, seed.owner, { width: 1400, height: 2400 });
    const { page } = w;
    await page.getByTestId("dashboard").waitFor();
    const summaries = (
      await api<{ summaries: Array<{ text: string }> }>(
        server.url,
        "GET",
        `/api/channels/${seed.channel}/summaries?limit=3`,
      )
    ).body.summaries;
    // Made of the hostile chat: its payloads are in them, to be shown as text.
    expect(summaries.some((s) => /<[a-z]+[ /][^>]*__xssHit\(\d+\)/.test(s.text))).toBe(true);
    await expectShown(
      page,
      '[data-testid="summary-feed"]',
      summaries.map((s) => s.text),
    );
    // The hostile question waits in the queue; the hostile emote tops the emotes.
    const question = seed.messages.find((m) => m.text.includes("is this safe to click?"));
    if (!question) throw new Error("the hostile question was not published");
    await expectShown(page, '[data-testid="questions"]', [shownText(question)]);
    await expectShown(page, '[data-testid="top-emotes"]', [seed.emoteNames[0] ?? "?"]);
    await page.getByText("Analysis settings").click();
    await expectShown(page, '[data-testid="sentiment-emotes"]', seed.emoteNames);
    await expectShown(page, '[data-testid="key-list"]', [seed.keyLabel]);
    await expectShown(page, "[data-broadcast]", [seed.broadcast.title]);
    await expectClean(w, "dashboard");
  });

  it("the transcript and replay of the ended broadcast, with its highlight", async () => {
    const w = await watch(`${channelUrl(seed.channel)}/broadcasts/${seed.broadcast.id}`, undefined, {
      width: 1400,
      height: 2000,
    });
    const { page } = w;
    await page.getByTestId("transcript-page").waitFor();
    const inBroadcast = seed.messages.filter((m) => m.broadcastId === seed.broadcast.id);
    expect(inBroadcast.length).toBeGreaterThan(60);
    await expect
      .poll(() => page.locator('[data-testid="transcript"] [data-row="transcript"]').count(), { timeout: 10_000 })
      .toBe(seed.transcript.length);
    await expectShown(page, '[data-testid="transcript"]', [
      ...inBroadcast.map(shownText),
      ...inBroadcast.map((m) => m.author.displayName),
    ]);
    await expectShown(page, "h1", [seed.broadcast.title]);
    expect(await page.title()).toBe(`${seed.broadcast.title} · ${seed.channel} · Chorus`);
    // The highlight's label is the hostile emote, as text.
    expect(seed.highlight.label).toBe(seed.emoteNames[0]);
    await expectShown(page, '[data-testid="transcript-page"]', [seed.highlight.label]);
    // The replay shows the same rows as it plays.
    await page.getByRole("button", { name: "4×", exact: true }).click();
    await page.getByRole("button", { name: "Play", exact: true }).click();
    const replay = page.getByTestId("replay-chat");
    await expect
      .poll(async () => Number(await replay.getAttribute("data-shown")), { timeout: 15_000 })
      .toBe(seed.transcript.length);
    await expectShown(page, '[data-testid="replay-chat"]', inBroadcast.slice(-20).map(shownText));
    await expectClean(w, "transcript and replay");
  });

  it("the landing page lists the channel with its hostile title as text", async () => {
    const w = await watch(server.url);
    await w.page.locator(`[data-channel="${seed.channel}"]`).waitFor();
    await expectShown(w.page, `[data-channel="${seed.channel}"]`, [seed.title]);
    await expectClean(w, "landing page");
  });

  it("a video URL: javascript: is refused by the server and, served anyway, never becomes a source", async () => {
    const owner = await register(server.url, "video");
    const channel = uniqueName("xssvideo");
    await ok("POST", "/api/channels", owner.token, { name: channel }, 201);
    for (const videoUrl of [
      "javascript:__xssHit(720)",
      " javascript:__xssHit(720)",
      "data:text/html,<script>__xssHit(720)</script>",
      "vbscript:msgbox(720)",
    ]) {
      const refused = await api(server.url, "POST", `/api/channels/${channel}/live`, {
        token: owner.token,
        body: { videoUrl },
      });
      expect(refused.status, videoUrl).toBe(400);
    }
    // An http(s) URL with markup in it is accepted, re-serialised, and played as HLS.
    const hostileHls = one(721, "video url", `https://example.com/live.m3u8?x="><img src=x onerror=__xssHit(721)>`);
    const started = await ok<{ channel: Channel }>(
      "POST",
      `/api/channels/${channel}/live`,
      owner.token,
      { videoUrl: hostileHls, title: "video test" },
      201,
    );
    const stored = started.channel.videoUrl ?? "";
    expect(stored).not.toMatch(/[<>"]/);
    const hls = await watch(channelUrl(channel));
    await hls.page.locator('[data-testid="video"] video').waitFor();
    await expectClean(hls, "hls video");

    // A server that did send a javascript: or data: URL (an older server, a proxy): the page
    // shows the placeholder, with no frame or video pointed at it. The stored URL is swapped
    // for it wherever it reaches the page: the channel's REST answer and the WebSocket frames.
    PAYLOADS.set(722, "video url served to the page");
    for (const bad of ["javascript:__xssHit(722)", "data:text/html,<script>__xssHit(722)</script>"]) {
      const swap = (raw: string): string => raw.replaceAll(JSON.stringify(stored), JSON.stringify(bad));
      const w = await openWatched(browser, server.url, channelUrl(channel), {
        before: async (page) => {
          await page.route(`**/api/channels/${channel}`, async (route) => {
            const response = await route.fetch();
            await route.fulfill({ response, body: swap(await response.text()) });
          });
          await page.routeWebSocket(/\/api\/ws$/, (ws) => {
            const upstream = ws.connectToServer();
            upstream.onMessage((message) => ws.send(typeof message === "string" ? swap(message) : message));
          });
        },
      });
      opened.push(w);
      await expect
        .poll(() => w.page.getByTestId("connection").getAttribute("data-state"), { timeout: 10_000 })
        .toBe("live");
      await w.page.getByTestId("video-placeholder").waitFor();
      expect(await w.page.getByTestId("channel-page").textContent()).toContain("Live");
      expect(await w.page.locator('[data-testid="video"] iframe, [data-testid="video"] video').count()).toBe(0);
      await expectClean(w, `video url ${bad}`);
    }
  });
});
