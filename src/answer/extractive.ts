import type { SearchResult } from "../search/lexical.js";
import { matchedTerms, termDocFreq } from "../search/lexical.js";
import type { QueryTerm } from "../search/query.js";
import { idf } from "../text/idf.js";
import { quoteUnits } from "../text/sentences.js";
import { stemSet } from "../text/terms.js";
import type { Answer, Hit, Quote } from "../types.js";
import { makeQuote } from "./quote.js";

/** Corpus statistics the composer weighs terms with. */
export interface TermStats {
  /** Passages containing a stem. */
  docFreq(stem: string): number;
  /** Passages in the corpus. */
  total(): number;
}

/** Options for the extractive composer. */
export interface ExtractiveOptions {
  /** Quotes at most (default 3). */
  maxQuotes?: number;
  /** Distinct articles at most (default 3). */
  maxArticles?: number;
  /** Share of the question's term weight the best passage must cover to count as relevant (default 0.5). */
  minCoverage?: number;
  /** How many of the top passages sentences are drawn from (default 6). */
  candidatePassages?: number;
  /** A later quote must score at least this share of the best one (default 0.35). */
  relativeFloor?: number;
  /** A passage found by vector search with at least this cosine similarity counts as relevant (default 0.35). */
  minSimilarity?: number;
  /** Full text of an article, so that links point at the first occurrence; the passage is used when absent. */
  articleText?: (articleId: string) => string | null;
}

/** Inverse document frequency weight of each term; a term the corpus never contains weighs most. */
export function termWeights(terms: QueryTerm[], stats: TermStats): Map<string, number> {
  const weights = new Map<string, number>();
  for (const term of terms)
    weights.set(
      term.stem,
      idf(
        termDocFreq(term, (s) => stats.docFreq(s)),
        stats.total(),
      ),
    );
  return weights;
}

function coverage(matched: Iterable<string>, weights: Map<string, number>, totalWeight: number): number {
  let sum = 0;
  for (const stem of matched) sum += weights.get(stem) ?? 0;
  return totalWeight > 0 ? sum / totalWeight : 0;
}

interface Candidate {
  hit: Hit;
  hitRank: number;
  start: number;
  end: number;
  sentenceStart: boolean;
  sentenceEnd: boolean;
  score: number;
  /** Index of the unit in its passage, to merge neighbours. */
  unit: number;
  units: { start: number; end: number; sentenceStart: boolean; sentenceEnd: boolean }[];
}

// A sentence that opens with one of these leans on the one before it.
const LEANS_BACK =
  /^(it|its|this|that|these|those|he|she|they|his|her|their|but|however|also|and|so|such|which|there)\b/i;

/** Extend a unit backwards over a previous sentence when it cannot stand alone. */
function widen(c: Candidate): { start: number; end: number; sentenceStart: boolean; sentenceEnd: boolean } {
  const unit = c.units[c.unit];
  if (!unit) return c;
  const text = c.hit.passage.text.slice(unit.start, unit.end);
  const prev = c.units[c.unit - 1];
  const tooShort = unit.end - unit.start < 60;
  if (prev && (tooShort || LEANS_BACK.test(text)) && prev.end - prev.start < 400) {
    return {
      start: prev.start,
      end: unit.end,
      sentenceStart: prev.sentenceStart,
      sentenceEnd: unit.sentenceEnd,
    };
  }
  return unit;
}

/**
 * Build an extractive answer: from the top passages, the sentences (or clauses of long sentences) that best cover
 * the question's terms, weighted by rarity and by their passage's rank. Every quote is an exact span of its article.
 */
export function composeExtractive(
  question: string,
  result: SearchResult,
  stats: TermStats,
  options: ExtractiveOptions = {},
): Answer {
  const maxQuotes = options.maxQuotes ?? 3;
  const maxArticles = options.maxArticles ?? 3;
  const minCoverage = options.minCoverage ?? 0.5;
  const { query, hits } = result;
  const weights = termWeights(query.terms, stats);
  const totalWeight = [...weights.values()].reduce((a, b) => a + b, 0);
  const candidates = hits.slice(0, options.candidatePassages ?? 6);
  const best = Math.max(0, ...candidates.map((h) => coverage(h.terms, weights, totalWeight)));
  const minSimilarity = options.minSimilarity ?? 0.35;
  const semantic = (h: Hit) => h.similarity !== undefined && h.similarity >= minSimilarity;
  if (candidates.length === 0 || (best < minCoverage && !candidates.some(semantic))) {
    return {
      question,
      status: "nothing-relevant",
      quotes: [],
      reason:
        candidates.length === 0
          ? "No article in the corpus mentions these words."
          : "The corpus mentions some of these words, but no passage is about what was asked.",
    };
  }

  const topScore = Math.max(...candidates.map((h) => h.score), 1e-9);
  const scored: Candidate[] = [];
  candidates.forEach((hit, hitRank) => {
    const text = hit.passage.text;
    const units = quoteUnits(text);
    // Terms the title names are shown by the citation: a sentence earns most for the terms the title lacks.
    const inTitle = new Set(matchedTerms(query, stemSet(hit.article.title)));
    const freshWeight = [...weights].reduce((sum, [t, w]) => sum + (inTitle.has(t) ? 0 : w), 0);
    units.forEach((u, i) => {
      const own = matchedTerms(query, stemSet(text.slice(u.start, u.end)));
      const passageScore = Math.max(0, hit.score / topScore);
      if (own.length === 0) {
        // A passage found by meaning rather than words: its first sentences say what it is about.
        if (!semantic(hit)) return;
        const length = u.end - u.start;
        const score =
          (0.35 * (hit.similarity ?? 0) + 0.3 * passageScore) *
          (length < 40 ? 0.6 : 1) *
          (1 - Math.min(0.5, 0.1 * i)) *
          (1 - 0.03 * hitRank);
        scored.push({ hit, hitRank, ...u, score, unit: i, units });
        return;
      }
      const ownCov = coverage(own, weights, totalWeight);
      const fresh =
        freshWeight > 0
          ? coverage(
              own.filter((t) => !inTitle.has(t)),
              weights,
              freshWeight,
            )
          : ownCov;
      const length = u.end - u.start;
      const lengthPrior = length < 40 ? 0.6 : length > 400 ? 0.8 : 1;
      const score = (0.35 * fresh + 0.35 * ownCov + 0.3 * passageScore) * lengthPrior * (1 - 0.03 * hitRank);
      scored.push({ hit, hitRank, ...u, score, unit: i, units });
    });
  });
  scored.sort((a, b) => b.score - a.score);

  const quotes: Quote[] = [];
  const articles = new Set<string>();
  const taken: { passageId: number; start: number; end: number }[] = [];
  const seenText = new Set<string>();
  const floor = (scored[0]?.score ?? 0) * (options.relativeFloor ?? 0.35);
  for (const c of scored) {
    if (quotes.length >= maxQuotes || c.score < floor) break;
    const articleId = c.hit.article.id;
    if (!articles.has(articleId) && articles.size >= maxArticles) continue;
    const span = widen(c);
    const pid = c.hit.passage.id;
    if (taken.some((t) => t.passageId === pid && t.start < span.end && span.start < t.end)) continue;
    const text = c.hit.passage.text.slice(span.start, span.end);
    const key = text.toLowerCase().replace(/\s+/g, " ");
    if (seenText.has(key)) continue;
    seenText.add(key);
    taken.push({ passageId: pid, start: span.start, end: span.end });
    articles.add(articleId);
    quotes.push(makeQuote(c.hit.passage, c.hit.article, span, options.articleText?.(articleId) ?? null));
  }
  if (quotes.length === 0) {
    return {
      question,
      status: "nothing-relevant",
      quotes: [],
      reason: "No sentence in the best passages answers it.",
    };
  }
  return { question, status: "answered", quotes };
}
