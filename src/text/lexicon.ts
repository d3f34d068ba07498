import { readFileSync } from "node:fs";
import { fold, stem } from "./terms.js";

// How people write in a chat: greetings, hedges, thanks and filler name no topic ("hey, quick question lol: …").
const CHAT_WORDS =
  `hey hi hello hiya yo folks guys everyone everybody anyone anybody someone somebody lol lmao haha pls plz
  thanks thank thx advance sorry apologies question questions quick wondering wonder wondered curious confused
  basically honestly actually literally really pretty simple dumb stupid silly maybe perhaps kinda sorta stuff guess
  think thought reading read saw seen seeing heard hearing keep kept find found searched search looking idea
  anyway btw imo tbh ok okay yeah yes like just`.split(/\s+/);

/** Idioms of chat that name no topic ("who designed it in the first place?"); removed before words are read. */
export const CHAT_PHRASES =
  /\b(?:in the first place|by the way|in advance|to be honest|at the end of the day|for what it'?s worth|if you (?:don'?t|do not) mind|you guys)\b/gi;

/**
 * Words dropped from questions: function words, and the verbs and nouns of asking
 * ("what did X say about Y") that name no topic.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  ...`a about above according actually after again against all also am an and any are as at be because been before
  being below between both but by can could did do does doing done down during each either else ever few for from
  further get gets got had has have having he her here hers herself him himself his how however i if in into is it
  its itself just let me more most much must my myself no nor not now of off on once only or other our ours
  ourselves out over own please same say says said saying she should so some such tell tells told than that the
  their theirs them themselves then there these they this those through to too under until up upon us very was we
  were what whatever when where whether which while who whom whose why will with would you your yours yourself
  yourselves mention mentioned mentions talk talked talks speak spoke regarding concerning thing things something
  anything know show shows explain describe many way ways kind use used using may might make makes made happen
  happened happens often usually typically currently`.split(/\s+/),
  ...CHAT_WORDS,
]);

/** Synonym groups keyed by each member (a folded word's stem, or a folded phrase). */
export type SynonymMap = ReadonlyMap<string, readonly string[]>;

/** Key under which a word or phrase is looked up in the synonym map. */
export function synonymKey(phrase: string): string {
  const words = fold(phrase)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return words.length === 1 ? stem(words[0] ?? "") : words.join(" ");
}

/** Parse synonym groups: one group a line, comma-separated, `#` comments. */
export function parseSynonyms(text: string): SynonymMap {
  const map = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const content = line.replace(/#.*/, "").trim();
    if (!content) continue;
    const members = content
      .split(",")
      .map((m) => fold(m).trim().replace(/\s+/g, " "))
      .filter(Boolean);
    if (members.length < 2) continue;
    for (const member of members) {
      const key = synonymKey(member);
      const others = members.filter((m) => m !== member);
      map.set(key, [...new Set([...(map.get(key) ?? []), ...others])]);
    }
  }
  return map;
}

/** Load a synonym file; a missing file means no synonyms. */
export function loadSynonyms(file: string | null): SynonymMap {
  if (!file) return new Map();
  try {
    return parseSynonyms(readFileSync(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
}
