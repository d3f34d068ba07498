import { distance } from "fastest-levenshtein";
import type { PassageSearch } from "../index/contracts.js";
import { isEnglishWord } from "../text/english-words.js";
import { STOP_WORDS } from "../text/lexicon.js";
import { stem, stemsEnglish } from "../text/terms.js";
import type { ParsedQuery, QueryTerm } from "./query.js";

/** A word of the question replaced by the index's own word it most likely meant. */
export interface Correction {
  /** The word as typed (folded). */
  from: string;
  /** The word searched for instead, shaped like the one typed ("inveted" → "invented"). */
  to: string;
}

const STOP_STEMS = new Set([...STOP_WORDS].map(stem));

/** In a large index, terms in a single passage are not offered as corrections: they are often typos themselves. */
const minDocFreq = (total: number) => (total >= 10_000 ? 2 : 1);

interface Vocabulary {
  version: number;
  total: number;
  /** When it was read (ms since the epoch). */
  loadedAt: number;
  /** Indexed stems by length, with their passage counts. */
  byLength: Map<number, { term: string; doc: number }[]>;
}

const vocabularies = new WeakMap<PassageSearch, Vocabulary>();

/**
 * How long a vocabulary serves corrections after the index changed. Reading it scans the whole index (0.4 s at 100k
 * passages, ten times that at a million), which the next misspelt question would pay after every feed poll; words
 * that arrived since are seldom what a typo meant. A corpus that has doubled since is read again at once.
 */
export const VOCABULARY_MAX_AGE_MS = 6 * 3600_000;

/** Whether a vocabulary read earlier still serves an index of this version and size. */
function stillServes(cached: Vocabulary, version: number, total: number, now: number): boolean {
  if (cached.version === version && cached.total === total) return true;
  return cached.total > 0 && total <= cached.total * 2 && now - cached.loadedAt < VOCABULARY_MAX_AGE_MS;
}

/** The index's vocabulary, kept beside the store and read again when stale (see `VOCABULARY_MAX_AGE_MS`). */
function vocabulary(store: PassageSearch, now = Date.now()): Vocabulary {
  const version = store.version();
  const total = store.totalPassages();
  const cached = vocabularies.get(store);
  if (cached && stillServes(cached, version, total, now)) return cached;
  const byLength = new Map<number, { term: string; doc: number }[]>();
  for (const entry of store.vocabulary(minDocFreq(total))) {
    if (!/^\p{L}+$/u.test(entry.term)) continue;
    const list = byLength.get(entry.term.length) ?? [];
    list.push(entry);
    byLength.set(entry.term.length, list);
  }
  const fresh = { version, total, byLength, loadedAt: now };
  vocabularies.set(store, fresh);
  return fresh;
}

/** Read the index's vocabulary now (a serving process at start), so no question pays for it. */
export function warmUpVocabulary(store: PassageSearch): void {
  vocabulary(store);
  // The English word list too (0.1–0.25 s), which the first misspelt question would otherwise pay.
  if (stemsEnglish()) isEnglishWord("");
}

/** Levenshtein distance, with two swapped neighbours ("whta") counted as the one slip of the fingers they are. */
function editDistance(a: string, b: string): number {
  const d = distance(a, b);
  return d === 2 && a.length === b.length && swapsOnce(a, b) ? 1 : d;
}

function swapsOnce(a: string, b: string): boolean {
  const i = [...a].findIndex((ch, k) => ch !== b[k]);
  return i >= 0 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** How many edits a word of this length may be away from its correction. */
function allowedEdits(length: number): number {
  return length >= 8 ? 2 : length >= 4 ? 1 : 0;
}

/**
 * The indexed stem a misspelt stem most likely meant: of the stems a few edits away, the one found most often
 * beside `context` (another term of the question: "inveted … motor" means "invented", not "invested"), then the
 * fewest edits, then the most passages. Null when none is close.
 */
export function closestTerm(
  store: PassageSearch,
  misspelt: string,
  context: string | null = null,
  now = Date.now(),
): string | null {
  const edits = allowedEdits(misspelt.length);
  if (edits === 0) return null;
  const vocab = vocabulary(store, now);
  const near: { term: string; d: number; doc: number }[] = [];
  for (let len = misspelt.length - edits; len <= misspelt.length + edits; len++) {
    for (const { term, doc } of vocab.byLength.get(len) ?? []) {
      // A first letter typed wrong is rare, and checking it first skips most of the vocabulary cheaply.
      if (term[0] !== misspelt[0]) continue;
      const d = editDistance(term, misspelt);
      if (d <= edits) near.push({ term, d, doc });
    }
  }
  near.sort((a, b) => a.d - b.d || b.doc - a.doc);
  const shortlist = near.slice(0, MAX_CANDIDATES);
  if (!context || shortlist.length < 2) return shortlist[0]?.term ?? null;
  let best = shortlist[0];
  let bestTogether = -1;
  for (const candidate of shortlist) {
    const together = store.countMatches({ terms: [[candidate.term], [context]], mode: "and" });
    if (together > bestTogether) {
      best = candidate;
      bestTogether = together;
    }
  }
  return best?.term ?? null;
}

/** Corrections weighed against the question's other words, at most this many per misspelt word. */
const MAX_CANDIDATES = 8;

/** The corrected stem shown as a word: the typed word's ending kept ("inveted" = "invet" + "ed" → "invented"). */
function asWord(typed: string, typedStem: string, corrected: string): string {
  return typed.startsWith(typedStem) ? corrected + typed.slice(typedStem.length) : corrected;
}

/**
 * Replace the question's words that the index never contains, and that no synonym or longer form covers, with the
 * closest indexed word. Numbers, phrases and short words are left alone.
 */
export function correctSpelling(
  store: PassageSearch,
  query: ParsedQuery,
): { query: ParsedQuery; corrections: Correction[] } {
  const corrections: Correction[] = [];
  // The rarest word of the question the index does contain: the best witness of what a misspelt word meant.
  const known = query.terms
    .filter((t) => !t.word.includes(" ") && store.docFreq(t.stem) > 0)
    .sort((a, b) => store.docFreq(a.stem) - store.docFreq(b.stem));
  const context = known[0]?.word ?? null;
  const terms = query.terms.map((term): QueryTerm | null => {
    if (term.word.includes(" ") || /\p{N}/u.test(term.word) || term.stem.length < 4) return term;
    if (store.docFreq(term.stem) > 0 || term.alternatives.some((a) => store.docFreq(stem(a)) > 0))
      return term;
    const corrected = closestTerm(store, term.stem, context);
    if (!corrected) return term;
    // A real word the corpus lacks ("helicopter") becomes only another real word ("organisation" → "organization"),
    // never an indexed oddity ("helicoider"): that is a typo's correction, not a synonym.
    const to = asWord(term.word, term.stem, corrected);
    if (stemsEnglish() && isEnglishWord(term.word) && !isEnglishWord(to)) return term;
    // "Whta is…": a misspelt function word is dropped, as it would have been spelt right.
    if (STOP_STEMS.has(corrected)) {
      corrections.push({ from: term.word, to: corrected });
      return null;
    }
    corrections.push({ from: term.word, to });
    return { word: corrected, stem: corrected, alternatives: [] };
  });
  const kept = terms.filter((t): t is QueryTerm => t !== null);
  // Nothing but misspelt function words: search as typed rather than for nothing.
  return kept.length > 0 ? { query: { ...query, terms: kept }, corrections } : { query, corrections: [] };
}

/** The question as it was searched for: each corrected word replaced where it stands, the rest as typed. */
export function correctedText(text: string, corrections: Correction[]): string {
  if (corrections.length === 0) return text;
  const byWord = new Map(corrections.map((c) => [c.from, c.to]));
  return text.replace(/[\p{L}\p{N}]+/gu, (w) => {
    const to = byWord.get(
      w
        .normalize("NFKD")
        .replace(/\p{M}+/gu, "")
        .toLowerCase(),
    );
    return to === undefined ? w : to;
  });
}
