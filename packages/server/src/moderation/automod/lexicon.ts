/**
 * AutoMod's lexicon, written for Chorus (no downloaded list): per category, the terms by
 * severity, 1 (mild: held only at level 4) … 4 (severe: held from level 1, refused at level 4).
 * It holds slurs and threats verbatim because it exists to catch them.
 *
 * Terms follow the blocked-terms syntax: whole words unless `*` at an end, every letter may be
 * doubled, apostrophes and repeated spaces do not matter, and the matcher sees through leet,
 * look-alikes, diacritics, zero-width and spaced letters (blocked-terms.ts). `{a|b}` in a
 * term stands for each alternative, to keep the variants of one phrase on one line.
 *
 * Words with an innocent everyday sense stay out or mild: "kill" (kill the boss), "sick",
 * "dying", "shit*" (shitake), "retard*" (retardant), "nigg*" (niggle).
 */
import type { AutoModCategory } from "@chorus/protocol";

export type Severity = 1 | 2 | 3 | 4;

export interface LexiconEntry {
  readonly term: string;
  readonly category: AutoModCategory;
  readonly severity: Severity;
}

type Terms = Partial<Record<Severity, readonly string[]>>;

const YOU_ARE = "{youre|ur|you are|u r|your|youare}";
const YOURSELF = "{yourself|urself|ur self|your self|yourselves|yoself}";
const WILL = "{i will|ill|i shall|im gonna|im going to|gonna|ima|imma|i am going to}";

const RAW: Record<AutoModCategory, Terms> = {
  disability: {
    4: ["retard", "retards", "retarded", "retardo", "mongoloid", "mongoloids"],
    3: [
      "tard",
      "tards",
      "libtard",
      "fucktard",
      "spaz",
      "spazz",
      "spastic",
      "spacker",
      "spakka",
      "sperg*",
      "autist",
      "autists",
      "autismo",
      "downie",
      "downies",
      "window licker",
      "midget",
      "midgets",
    ],
    2: ["short bus", "special ed", "cretin", "schizo", "mental case", "{youre|ur|you are} autistic"],
    1: ["autistic", "psycho", "lunatic", "cripple", "imbecile"],
  },
  aggression: {
    4: [
      "kys",
      `{kill|neck|hang|rope|shoot|off|unalive|stab} ${YOURSELF}`,
      "{hope|wish|pray} {you|u|ya} {die|dies|died|get cancer|get raped}",
      "{deserve|deserves} to die",
      "slit {your|ur} {wrists|wrist|throat}",
      "drink bleach",
      `${WILL} find {you|u}`,
      "i know where {you|u} live",
      `${WILL} {dox|swat} {you|u}`,
      "kill {your|ur} {family|mom|mum|mother|kids|dog}",
      "put a bullet in {your|ur} head",
      "shoot up the school",
    ],
    3: [
      `${WILL} {kill|hurt|stab|murder|shoot} {you|u}`,
      "go die",
      "die in a fire",
      "should {be shot|die|be killed}",
      "an hero",
      "break {your|ur} {legs|neck|face}",
      "lynch",
      "behead",
      "string {you|u} up",
    ],
    2: [
      "just die",
      "unalive",
      "dox",
      "watch {your|ur} back",
      "beat {you|u} up",
      "punch {you|u} in the face",
      "smash {your|ur} face",
    ],
    1: [`${YOU_ARE} dead`, "burn in hell"],
  },
  sexuality: {
    4: ["faggot", "faggots", "fagot", "fagg", "tranny", "trannies", "troon", "troons", "batty boy", "rape {you|u}"],
    3: [
      "fag",
      "fags",
      "dyke",
      "dykes",
      "shemale",
      "poofter",
      "groomer",
      "send {nudes|noods|pics}",
      "show {us|me} {your|ur} {tits|boobs|titties|ass|pussy|feet}",
      "sit on my face",
      "suck my {dick|cock|balls}",
      "{blowjob|blow job|handjob|hand job|rimjob}",
      "deepthroat",
      "creampie",
      "dick pic",
      "dickpic",
      "cumslut",
      "rape",
      "raped",
      "raping",
    ],
    2: [
      "cum",
      "cumming",
      "tits",
      "titties",
      "pussy",
      "nudes",
      "jerk off",
      "jack off",
      "fap*",
      "dildo",
      "milf",
      "poof",
      "ladyboy",
      "thats so gay",
      "anal",
      "bend over",
    ],
    1: ["horny", "sexy", "boobs", "homo", "no homo", "porn", "porno", "onlyfans", "penis", "ahegao", "thicc"],
  },
  misogyny: {
    4: ["femoid", "femoids", "foid", "foids", "women are {inferior|property|objects}"],
    3: [
      "slut",
      "sluts",
      "whore",
      "whores",
      "attention whore",
      "skank",
      "roastie",
      "roasties",
      "feminazi",
      "make me a sandwich",
      "{get back|go back|back} {in|to} the kitchen",
      "{women|girls|females} belong in the kitchen",
      "{titty|boob|tit} streamer",
      "squaw",
    ],
    2: [
      "bitch",
      "bitches",
      "hoe",
      "hoes",
      "thot",
      "thots",
      "gold digger",
      "{girls|women|females} {cant|can not|cannot} {play|game|stream}",
      "dumb broad",
      "stupid {woman|women|girl}",
      "fat cow",
    ],
    1: ["e girl", "egirl", "females", "tradwife"],
  },
  bullying: {
    3: [
      "{nobody|no one|noone} {likes|loves|cares about} {you|u}",
      "{everyone|everybody} hates {you|u}",
      "{you|u} have no friends",
      `${YOU_ARE} worthless`,
      "waste of {space|oxygen|air}",
      "{your|ur} parents hate {you|u}",
      "fatass",
      "fat pig",
      "lardass",
    ],
    2: [
      `${YOU_ARE} {ugly|pathetic|stupid|dumb|trash|garbage|a loser|a joke|disgusting}`,
      "{trash|garbage|worst} streamer",
      "{nobody|no one} watches {you|u}",
      "quit streaming",
      "just uninstall",
      "uninstall {the game|yourself|life}",
      "dumbass",
      "fatty",
      "incel",
    ],
    1: [
      "ugly",
      "uninstall",
      "loser",
      "losers",
      "pathetic",
      "worthless",
      "idiot",
      "moron",
      "braindead",
      "gg ez",
      "ez clap",
      "noob*",
      "crybaby",
      "cry more",
      "go cry",
      "get a life",
      "touch grass",
      "virgin",
      "neckbeard",
      "basement dweller",
      "simp",
      "who asked",
      "{nobody|no one} cares",
    ],
  },
  swearing: {
    3: ["cunt", "cunts", "motherfucker", "motherfuckers", "fucker", "fuckers", "fuck {you|u|off}", "twat", "wanker"],
    2: [
      "fuck*",
      "clusterfuck",
      "mindfuck",
      "fck",
      "fuk",
      "phuck",
      "stfu",
      "gtfo",
      "bitch",
      "shithead",
      "asshole",
      "arsehole",
      "bastard",
      "dick",
      "dickhead",
      "cock",
      "prick",
      "douchebag",
      "jackass",
      "piss off",
      "wank",
    ],
    1: [
      "shit",
      "shits",
      "shitty",
      "bullshit",
      "horseshit",
      "shitshow",
      "shitstorm",
      "ass",
      "arse",
      "damn",
      "goddamn",
      "crap",
      "piss",
      "pissed",
      "bollocks",
      "bugger",
      "wtf",
      "omfg",
    ],
  },
  identity: {
    4: [
      "nigger",
      "niggers",
      "nigga",
      "niggas",
      "niggah",
      "nigguh",
      "sand nigger",
      "jigaboo",
      "porch monkey",
      "darkie",
      "gook",
      "gooks",
      "zipperhead",
      "ching chong",
      "spic",
      "spics",
      "wetback",
      "wetbacks",
      "beaner",
      "beaners",
      "kike",
      "kikes",
      "oven dodger",
      "gas the {jews|jew}",
      "dirty jew",
      "raghead",
      "towelhead",
      "camel jockey",
      "paki",
      "pakis",
      "go back to africa",
    ],
    3: [
      "coon",
      "coons",
      "chink",
      "chinks",
      "sambo",
      "golliwog",
      "wog",
      "wogs",
      "jap",
      "japs",
      "slant eye",
      "slanty",
      "yid",
      "heeb",
      "hymie",
      "muzzie",
      "pikey",
      "gyppo",
      "redskin",
      "injun",
      "christ killer",
      "go back to {your|ur} country",
    ],
    2: ["negro", "honky", "white trash", "gypsy", "gyp", "kafir"],
    1: ["cracker", "gringo", "bible basher", "terrorist"],
  },
};

/** Every reading of `{a|b}` groups: "x {a|b} y" → ["x a y", "x b y"]. */
export function expand(term: string): string[] {
  const group = /\{([^{}]*)\}/.exec(term);
  if (!group) return [term];
  const head = term.slice(0, group.index);
  const tail = term.slice(group.index + group[0].length);
  return (group[1] ?? "").split("|").flatMap((option) => expand(`${head}${option}${tail}`));
}

function build(): LexiconEntry[] {
  const entries: LexiconEntry[] = [];
  for (const [category, bySeverity] of Object.entries(RAW) as Array<[AutoModCategory, Terms]>) {
    for (const [severity, terms] of Object.entries(bySeverity) as Array<[`${Severity}`, readonly string[]]>) {
      for (const term of terms.flatMap(expand))
        entries.push({ term, category, severity: Number(severity) as Severity });
    }
  }
  return entries;
}

export const LEXICON: readonly LexiconEntry[] = Object.freeze(build());
