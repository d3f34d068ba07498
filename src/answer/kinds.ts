/**
 * What kind of answer a question wants, and whether a sentence holds a candidate of that kind. Deliberately
 * lexical (patterns over words, digits and capitals): it runs on every sentence of every candidate passage, so it
 * must cost microseconds, and news English is regular enough for it (see docs/quality.md for what was measured).
 */

/** The kinds of answer the composer knows how to look for. */
export type AnswerKind = "date" | "number" | "person" | "place" | "name" | "blank" | "other";

const MONTH =
  "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const WEEKDAY = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";
const DATE_RE = new RegExp(
  `\\b(?:${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?\\b|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}\\b|${MONTH}\\.?\\s+\\d{4}|(?:1[5-9]|20)\\d{2}s?\\b|${WEEKDAY}\\b|\\d{4}-\\d{2}-\\d{2}|(?:the\\s+)?\\d{1,2}(?:st|nd|rd|th)\\s+century|(?:yesterday|today|tomorrow|last\\s+(?:week|month|year)|next\\s+(?:week|month|year)))`,
  "i",
);
// A number: digits (with separators or a decimal part), or a number word, optionally with a scale or a unit.
const NUMBER_RE =
  /(?:[$€£¥]\s?)?\b\d[\d,.]*(?:\s?(?:%|percent|per\s?cent|million|billion|trillion|thousand|hundred|km|kilomet(?:er|re)s?|miles?|meters?|metres?|feet|ft|kg|tons?|tonnes?|pounds?|dollars?|euros?|years?|months?|weeks?|days?|hours?|minutes?|seconds?|people|times))?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousands|millions|billions|dozen|dozens|half|a third|a quarter)\b/i;
// Two or more capitalised words in a row, possibly with initials or particles: "Kareem Abdul-Jabbar", "Joe Biden".
const PROPER_NAME_RE =
  /(?:^|[^\p{L}\p{N}])(\p{Lu}[\p{Ll}'’-]+(?:\s+(?:\p{Lu}\.\s*)?(?:(?:de|da|van|von|bin|al|del|la|le)\s+)?\p{Lu}[\p{L}'’-]+)+)/u;
// A single capitalised word that is not the first of its sentence: "Egypt", "Furby", "France".
const CAPITALISED_RE = /(?<=[\p{L}\p{N},;:)”"’]\s+)\p{Lu}[\p{Ll}'’-][\p{L}'’-]*/gu;
const PLACE_HINT =
  /\b(?:in|at|from|to|near|across|throughout|outside|inside)\s+(?:the\s+)?\p{Lu}[\p{L}'’-]+|\b(?:city|country|state|island|province|region|town|village|capital|county|river|lake|mountain|island)\b/iu;
const BLANK_RE = /_{2,}|\.{3,}\s*\?*$|…\s*\?*$/;

/** The kind of answer a question wants, from its wh-word and the noun after "what"/"which". */
export function answerKind(question: string): AnswerKind {
  const q = question.toLowerCase();
  if (BLANK_RE.test(question)) return "blank";
  if (
    /\b(?:when|what year|which year|what date|which date|what day|which day|what month|which month|what time|what decade|which decade|what century|which century|how long ago|since when)\b/.test(
      q,
    )
  )
    return "date";
  if (
    /\b(?:how (?:many|much|long|far|old|big|large|tall|high|deep|fast|often)|what (?:percentage|percent|proportion|share|number|amount|fraction|age|size|price|cost|temperature)|at what (?:age|rate|speed|price))\b/.test(
      q,
    )
  )
    return "number";
  if (
    /\b(?:who|whom|whose)\b/.test(q) ||
    /\b(?:what|which)\s+(?:\w+\s+)?(?:person|man|woman|president|leader|actor|actress|singer|player|author|artist|rapper|star|ceo|chief|minister|senator|governor|official|coach|judge|scientist|musician|comedian|athlete|candidate|politician|host|director|founder|journalist)\b/.test(
      q,
    )
  )
    return "person";
  if (
    /\bwhere\b/.test(q) ||
    /\b(?:what|which)\s+(?:\w+\s+)?(?:country|countries|city|cities|state|states|nation|island|continent|region|province|town|capital|county|place|location|venue|airport|river|lake|mountain|ocean|sea)\b/.test(
      q,
    )
  )
    return "place";
  if (
    /\b(?:what|which)\s+(?:\w+\s+)?(?:company|companies|team|teams|organi[sz]ation|group|band|brand|film|movie|show|series|book|song|album|app|party|agency|network|university|airline|firm|retailer|bank|carmaker|automaker|game|franchise|newspaper|magazine|network)\b/.test(
      q,
    )
  )
    return "name";
  return "other";
}

/** Folded words of a text, for telling a sentence's new words from the question's own. */
function wordsOf(text: string): Set<string> {
  return new Set([...text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0]));
}

/**
 * Whether `sentence` holds a candidate answer of `kind` that the question does not already name: a date, a
 * number, a capitalised name. "other" and "blank" count a sentence that brings any capitalised name or number
 * the question lacks, which is how fill-the-blank quiz answers usually look.
 */
export function holdsKind(sentence: string, kind: AnswerKind, question: string): boolean {
  const asked = wordsOf(question);
  const fresh = (match: string) => [...wordsOf(match)].some((w) => !asked.has(w));
  const first = (re: RegExp) => {
    const m = sentence.match(re);
    return m ? fresh(m[1] ?? m[0]) : false;
  };
  const capitalised = () => [...sentence.matchAll(CAPITALISED_RE)].some((m) => fresh(m[0]));
  switch (kind) {
    case "date":
      return allMatches(sentence, DATE_RE).some(fresh);
    case "number":
      // "What percentage": only a share answers it, not a year or a count.
      if (/\b(?:percent|percentage|per cent)\b/i.test(question))
        return /\d\s?(?:%|percent|per cent)/i.test(sentence);
      return allMatches(sentence, NUMBER_RE).some(fresh);
    case "person":
      return first(PROPER_NAME_RE);
    case "place":
      return (PLACE_HINT.test(sentence) && capitalised()) || first(PROPER_NAME_RE);
    case "name":
      return capitalised() || /[“"][^”"]{2,60}[”"]/.test(sentence);
    default:
      return capitalised() || allMatches(sentence, NUMBER_RE).some(fresh);
  }
}

const globals = new Map<RegExp, RegExp>();

function allMatches(text: string, re: RegExp): string[] {
  let global = globals.get(re);
  if (!global) {
    global = new RegExp(re.source, re.flags.includes("g") ? re.flags : `${re.flags}g`);
    globals.set(re, global);
  }
  return [...text.matchAll(global)].map((m) => m[0]);
}
