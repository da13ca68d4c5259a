/**
 * Where a message's platform emotes are, found in its final text. The positions a platform
 * sends describe *its* text; ours may differ (normalisation removes zero-width characters, a
 * blocked term is masked), so the names are looked up again as whole words in what is
 * published. Positions are code points, inclusive, as Twitch reports them.
 */
import type { Message } from "@chorus/protocol";

type Emote = NonNullable<Message["emotes"]>[number];

/** Every whole-word occurrence of each emote name in `text`, in text order. */
export function emotePositions(text: string, emotes: ReadonlyMap<string, string | undefined>): Emote[] {
  if (emotes.size === 0) return [];
  const out: Emote[] = [];
  let index = 0; // in code points
  for (const word of text.split(/(\s+)/u)) {
    const length = [...word].length;
    if (emotes.has(word)) {
      const url = emotes.get(word);
      out.push(
        url === undefined
          ? { name: word, start: index, end: index + length - 1 }
          : { name: word, start: index, end: index + length - 1, url },
      );
    }
    index += length;
  }
  return out;
}
