import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeTagValue, formatIrcLine, parseIrcLine, prefixNick, splitIrcLines, unescapeTagValue } from "./irc.js";

function parse(line: string) {
  const message = parseIrcLine(line);
  if (message === null) throw new Error(`no message in ${JSON.stringify(line)}`);
  return message;
}

describe("parseIrcLine", () => {
  it("reads tags, prefix, command and a trailing parameter (Twitch docs, IRC tags)", () => {
    const message = parse(
      "@badge-info=;badges=broadcaster/1;client-nonce=997dcf443c31e258c1d32a8da47b6936;color=#0000FF;display-name=abc;emotes=;first-msg=0;flags=0-6:S.7;id=eb24e920-8065-492a-8aea-266a00fc5126;mod=0;room-id=713936733;subscriber=0;tmi-sent-ts=1642786203573;turbo=0;user-id=713936733;user-type= :abc!abc@abc.tmi.twitch.tv PRIVMSG #xyz :HeyGuys",
    );
    expect(message.command).toBe("PRIVMSG");
    expect(message.prefix).toBe("abc!abc@abc.tmi.twitch.tv");
    expect(message.params).toEqual(["#xyz", "HeyGuys"]);
    expect(message.tags.get("badges")).toBe("broadcaster/1");
    expect(message.tags.get("flags")).toBe("0-6:S.7");
    expect(message.tags.get("id")).toBe("eb24e920-8065-492a-8aea-266a00fc5126");
    expect(message.tags.get("tmi-sent-ts")).toBe("1642786203573");
    // Present but empty is not the same as absent.
    expect(message.tags.get("badge-info")).toBe("");
    expect(message.tags.get("user-type")).toBe("");
    expect(message.tags.has("reply-parent-msg-id")).toBe(false);
    expect(message.tags.size).toBe(16);
  });

  it("keeps spaces and colons inside the trailing parameter", () => {
    const message = parse(":ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #dallas :hello :) there  two spaces");
    expect(message.params).toEqual(["#dallas", "hello :) there  two spaces"]);
  });

  it("reads a line without tags or prefix, and middle parameters", () => {
    expect(parse("PING :tmi.twitch.tv")).toEqual({
      tags: new Map(),
      prefix: null,
      command: "PING",
      params: ["tmi.twitch.tv"],
    });
    const names = parse(":ronni.tmi.twitch.tv 353 ronni = #dallas :ronni fred wilma");
    expect(names.command).toBe("353");
    expect(names.params).toEqual(["ronni", "=", "#dallas", "ronni fred wilma"]);
    expect(parse(":tmi.twitch.tv CLEARCHAT #dallas").params).toEqual(["#dallas"]);
    expect(parse(":tmi.twitch.tv RECONNECT").params).toEqual([]);
  });

  it("reads the last parameter without a colon as the message text too", () => {
    // A shared-chat PRIVMSG captured by Chatterino's tests: one word, no trailing colon.
    const message = parse("@emote-only=1 :lahoooo!lahoooo@lahoooo.tmi.twitch.tv PRIVMSG #pajlada shared9Dog");
    expect(message.params).toEqual(["#pajlada", "shared9Dog"]);
  });

  it("distinguishes an empty trailing parameter from none", () => {
    expect(parse(":tmi.twitch.tv CLEARMSG #channel :").params).toEqual(["#channel", ""]);
    expect(parse(":tmi.twitch.tv CLEARMSG #channel").params).toEqual(["#channel"]);
  });

  it("upper-cases the command and ignores a line ending and repeated spaces", () => {
    const message = parse("@a=1  :server   privmsg   #c   :x y\r\n");
    expect(message.command).toBe("PRIVMSG");
    expect(message.prefix).toBe("server");
    expect(message.params).toEqual(["#c", "x y"]);
  });

  it("unescapes tag values and reads valueless and repeated keys", () => {
    const message = parse(
      "@display-name=Riot\\sGames;system-msg=a\\:b\\\\c\\r\\n;flag;msg-param-x=ends\\;dup=1;dup=2 :tmi.twitch.tv USERNOTICE #c",
    );
    expect(message.tags.get("display-name")).toBe("Riot Games");
    expect(message.tags.get("system-msg")).toBe("a;b\\c\r\n");
    expect(message.tags.get("flag")).toBe("");
    expect(message.tags.get("msg-param-x")).toBe("ends");
    expect(message.tags.get("dup")).toBe("2");
  });

  it("keeps tag keys that would be special on an object", () => {
    const message = parse("@__proto__=x;constructor=y :s CMD");
    expect(message.tags.get("__proto__")).toBe("x");
    expect(message.tags.get("constructor")).toBe("y");
    expect(Object.getPrototypeOf(message.tags)).toBe(Map.prototype);
  });

  it("returns null for a line without a command", () => {
    expect(parseIrcLine("")).toBeNull();
    expect(parseIrcLine("\r\n")).toBeNull();
    expect(parseIrcLine("@a=b")).toBeNull();
    expect(parseIrcLine("@a=b :prefix")).toBeNull();
    expect(parseIrcLine("   ")).toBeNull();
  });

  it("never throws, whatever the line", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (line) => {
        const message = parseIrcLine(line);
        if (message !== null) expect(message.command).not.toBe("");
      }),
    );
  });
});

describe("tag value escaping", () => {
  it("maps each escape of the IRCv3 spec, passes unknown ones through and drops a final backslash", () => {
    expect(unescapeTagValue("\\s\\:\\\\\\r\\n")).toBe(" ;\\\r\n");
    expect(unescapeTagValue("a\\bc")).toBe("abc");
    expect(unescapeTagValue("trailing\\")).toBe("trailing");
    expect(unescapeTagValue("plain")).toBe("plain");
  });

  it("escapes what unescapes back to the same value", () => {
    expect(escapeTagValue("a b;c\\d\r\n")).toBe("a\\sb\\:c\\\\d\\r\\n");
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (value) => {
        const escaped = escapeTagValue(value);
        expect(escaped).not.toMatch(/[ ;\r\n]/);
        expect(unescapeTagValue(escaped)).toBe(value);
      }),
    );
  });
});

describe("splitIrcLines", () => {
  it("splits one frame holding several CRLF-ended lines", () => {
    const frame =
      ":tmi.twitch.tv 001 justinfan123 :Welcome, GLHF!\r\n:tmi.twitch.tv 002 justinfan123 :Your host is tmi.twitch.tv\r\n";
    expect(splitIrcLines(frame)).toEqual([
      ":tmi.twitch.tv 001 justinfan123 :Welcome, GLHF!",
      ":tmi.twitch.tv 002 justinfan123 :Your host is tmi.twitch.tv",
    ]);
  });

  it("takes a last line without its ending, bare LF, and skips empty lines", () => {
    expect(splitIrcLines("PING :a\n\r\nPING :b")).toEqual(["PING :a", "PING :b"]);
    expect(splitIrcLines("")).toEqual([]);
  });
});

describe("prefixNick", () => {
  it("reads the nick of a user prefix, none of a server prefix", () => {
    expect(prefixNick("ronni!ronni@ronni.tmi.twitch.tv")).toBe("ronni");
    expect(prefixNick("ronni@ronni.tmi.twitch.tv")).toBe("ronni");
    expect(prefixNick("tmi.twitch.tv")).toBeNull();
    expect(prefixNick(null)).toBeNull();
  });
});

describe("formatIrcLine", () => {
  it("writes tags, prefix, command, and a trailing parameter only when needed", () => {
    expect(formatIrcLine({ command: "JOIN", params: ["#dallas"] })).toBe("JOIN #dallas");
    expect(formatIrcLine({ command: "PONG", params: ["tmi.twitch.tv"], trailing: true })).toBe("PONG :tmi.twitch.tv");
    expect(
      formatIrcLine({
        tags: [
          ["display-name", "Riot Games"],
          ["emotes", ""],
        ],
        prefix: "riotgames!riotgames@riotgames.tmi.twitch.tv",
        command: "PRIVMSG",
        params: ["#riotgames", "hi there"],
      }),
    ).toBe(
      "@display-name=Riot\\sGames;emotes= :riotgames!riotgames@riotgames.tmi.twitch.tv PRIVMSG #riotgames :hi there",
    );
  });

  it("refuses what cannot be written as one line", () => {
    expect(() => formatIrcLine({ command: "PRIVMSG", params: ["#c", "a\r\nQUIT"] })).toThrow(/line break/);
    expect(() => formatIrcLine({ command: "X", params: ["a b", "c"] })).toThrow(/last one/);
  });

  it("round-trips through parseIrcLine", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9#_.-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.string({ maxLength: 30 })), {
          maxLength: 5,
        }),
        fc.option(word, { nil: undefined }),
        fc.stringMatching(/^[A-Z]{1,10}$/),
        fc.array(word, { maxLength: 3 }),
        fc.option(
          fc.string({ maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s)),
          { nil: undefined },
        ),
        (tags, prefix, command, middle, trailing) => {
          const params = trailing === undefined ? middle : [...middle, trailing];
          const line = formatIrcLine({ tags, prefix, command, params });
          const message = parseIrcLine(line);
          expect(message?.command).toBe(command);
          expect(message?.prefix).toBe(prefix ?? null);
          expect(message?.params).toEqual(params);
          expect(message?.tags).toEqual(new Map(tags));
        },
      ),
    );
  });
});
