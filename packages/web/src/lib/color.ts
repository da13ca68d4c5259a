/**
 * Author colours are chosen by users (or come from other platforms), so a name can be navy on
 * our dark background or yellow on the light one. Like Twitch's "readable colors", each colour
 * is mixed towards white (dark theme) or black (light theme) just enough to reach WCAG AA
 * contrast against the chat background. Anything that is not a hex colour is replaced by a
 * colour derived from the name: a colour string never reaches CSS unchecked. Pure.
 */
type Rgb = readonly [number, number, number];

/** Chat backgrounds (Tailwind zinc-900 / white); keep in sync with index.css. */
const DARK_BG: Rgb = [24, 24, 27];
const LIGHT_BG: Rgb = [255, 255, 255];
const MIN_CONTRAST = 4.5;
const FALLBACK = ["#ff7f50", "#1e90ff", "#9acd32", "#ff69b4", "#daa520", "#5f9ea0", "#b22222", "#8a2be2", "#2e8b57"];

export interface NameColors {
  dark: string;
  light: string;
}

const cache = new Map<string, NameColors>();

export function readableNameColors(color: string, username: string): NameColors {
  const key = `${color}|${username}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const rgb = parseHex(color) ?? parseHex(fallbackColor(username)) ?? [128, 128, 128];
  const result = { dark: toHex(adjust(rgb, DARK_BG, [255, 255, 255])), light: toHex(adjust(rgb, LIGHT_BG, [0, 0, 0])) };
  if (cache.size > 5_000) cache.clear();
  cache.set(key, result);
  return result;
}

export function fallbackColor(username: string): string {
  let h = 0;
  for (let i = 0; i < username.length; i++) h = (h * 31 + username.charCodeAt(i)) >>> 0;
  return FALLBACK[h % FALLBACK.length] ?? "#1e90ff";
}

export function parseHex(color: string): Rgb | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  const hex = m?.[1];
  if (hex === undefined) return undefined;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  const n = Number.parseInt(full, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function contrast(a: Rgb, b: Rgb): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function adjust(rgb: Rgb, background: Rgb, toward: Rgb): Rgb {
  for (let step = 0; step <= 20; step++) {
    const t = step / 20;
    const mixed: Rgb = [mix(rgb[0], toward[0], t), mix(rgb[1], toward[1], t), mix(rgb[2], toward[2], t)];
    if (contrast(mixed, background) >= MIN_CONTRAST) return mixed;
  }
  return toward;
}

function mix(a: number, b: number, t: number): number {
  return Math.round(a + (b - a) * t);
}

function luminance([r, g, b]: Rgb): number {
  const channel = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}
