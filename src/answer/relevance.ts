import { matchedTerms } from "../search/lexical.js";
import type { ParsedQuery } from "../search/query.js";
import { coverage, type TermStats, termDocFreq, termWeights } from "../search/weights.js";
import { sentenceSpans } from "../text/sentences.js";
import { fold, stem, stemSet } from "../text/terms.js";
import type { Hit } from "../types.js";

/** What the best passages say about whether the corpus answers a question at all. */
export interface RelevanceEvidence {
  /** Share of the question's term weight that the best candidate passage (with its title) holds. */
  coverage: number;
  /** The same share, counting only the terms the corpus contains anywhere. */
  known: number;
  /** Share of the question's term weight that the best single sentence of a candidate holds. */
  sentence: number;
  /** Share of the question's term weight carried by words the corpus never contains. */
  unknown: number;
  /** Share of the question's term weight that the first candidate holds. */
  first: number;
  /** Most distinct question terms one candidate holds, as min(terms, 4) / 4. */
  matched: number;
  /** Weight of the heaviest known term the best candidate lacks, as a share of the heaviest known term. */
  missing: number;
  /** How far the first candidate's score stands above the tenth's, as 1 - tenth / first: a clear winner. */
  gap: number;
}

/** Gather the evidence of relevance from the top candidate passages of a search. */
export function relevanceEvidence(
  query: ParsedQuery,
  candidates: Hit[],
  stats: TermStats,
  ranked: Hit[] = candidates,
): RelevanceEvidence {
  const weights = termWeights(query, stats);
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const known = query.terms.filter((t) => termDocFreq(t, (s) => stats.docFreq(s)) > 0);
  const knownWeight = known.reduce((sum, t) => sum + (weights.get(t.stem) ?? 0), 0);
  let best = 0;
  let bestHit: Hit | undefined;
  let matched = 0;
  let bestKnown = 0;
  let sentence = 0;
  for (const hit of candidates) {
    const cov = coverage(hit.terms, weights, total);
    if (cov > best || !bestHit) {
      best = cov;
      bestHit = hit;
    }
    matched = Math.max(matched, new Set(hit.terms).size);
    bestKnown = Math.max(bestKnown, coverage(hit.terms, weights, knownWeight));
    const text = hit.passage.text;
    for (const span of sentenceSpans(text)) {
      const own = matchedTerms(query, stemSet(text.slice(span.start, span.end)));
      sentence = Math.max(sentence, coverage(own, weights, total));
    }
  }
  const heaviest = Math.max(0, ...known.map((t) => weights.get(t.stem) ?? 0));
  const inBest = new Set(bestHit?.terms ?? []);
  const lacking = Math.max(
    0,
    ...known.filter((t) => !inBest.has(t.stem)).map((t) => weights.get(t.stem) ?? 0),
  );
  return {
    coverage: best,
    known: bestKnown,
    sentence,
    unknown: total > 0 ? 1 - knownWeight / total : 0,
    first: candidates[0] ? coverage(candidates[0].terms, weights, total) : 0,
    matched: Math.min(matched, 4) / 4,
    missing: heaviest > 0 ? lacking / heaviest : 0,
    gap: scoreGap(ranked),
  };
}

/** 1 - (tenth score / first score) of a ranked list (1 when fewer than ten passages match at all). */
function scoreGap(ranked: Hit[]): number {
  const first = ranked[0]?.score ?? 0;
  if (first <= 0) return 0;
  const tenth = ranked[9]?.score ?? 0;
  return Math.max(0, 1 - tenth / first);
}

/**
 * Logistic weights over the evidence, fitted on answerable questions (SQuAD and RealTime QA news against their own
 * documents) and off-corpus ones (each set's questions against the other's documents); docs/quality.md has the fit
 * and the trade-off curve.
 */
const WEIGHTS: Record<keyof RelevanceEvidence | "bias" | "coverageBySentence", number> = {
  bias: -9.559,
  coverage: -1.043,
  known: 3.45,
  sentence: 12.983,
  // A passage that covers the question only across sentences is weaker evidence than one sentence that does.
  coverageBySentence: -11.517,
  unknown: -10.97,
  first: 1.727,
  matched: 6.741,
  missing: -2.023,
  gap: 2.662,
};

/** Probability-like confidence that the corpus answers the question. */
export function relevanceScore(e: RelevanceEvidence): number {
  let z = WEIGHTS.bias + WEIGHTS.coverageBySentence * e.coverage * e.sentence;
  for (const key of Object.keys(e) as (keyof RelevanceEvidence)[]) z += WEIGHTS[key] * e[key];
  return 1 / (1 + Math.exp(-z));
}

/**
 * Below this confidence the answer is "nothing relevant" (chosen on the dev sets' trade-off curve, docs/quality.md:
 * at 0.20 answerable questions are refused 5% (news) and 3.6% (SQuAD) of the time; at 0.30, 8% and 6%).
 */
export const RELEVANCE_THRESHOLD = 0.2;

/** Questions with more terms than this are long: their clauses are judged too, so length alone never refuses. */
export const LONG_QUESTION_TERMS = 12;

/** The query's terms that stand in one clause of the question text. */
function clauseQueries(query: ParsedQuery): ParsedQuery[] {
  const clauses = query.text.split(
    /[.?!:;]+\s*|,\s*(?=but\b|so\b|and\s+(?:who|what|when|where|which|why|how)\b)/i,
  );
  const out: ParsedQuery[] = [];
  for (const clause of clauses) {
    const stems = new Set([...clause.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => stem(fold(m[0]))));
    const terms = query.terms.filter((t) => stems.has(t.stem) || stems.has(stem(t.word)));
    if (terms.length >= 2 && terms.length < query.terms.length) out.push({ text: clause, terms });
  }
  return out;
}

/**
 * How confident the corpus answers the question: the evidence of the whole question, and for a long question
 * (a chatty message with one real question in it) the best of its clauses'.
 */
export function judgeRelevance(
  query: ParsedQuery,
  candidates: Hit[],
  stats: TermStats,
  ranked: Hit[],
): number {
  let best = relevanceScore(relevanceEvidence(query, candidates, stats, ranked));
  if (query.terms.length <= LONG_QUESTION_TERMS) return best;
  for (const clause of clauseQueries(query)) {
    const terms = new Set(clause.terms.map((t) => t.stem));
    const narrow = (hits: Hit[]) => hits.map((h) => ({ ...h, terms: h.terms.filter((t) => terms.has(t)) }));
    best = Math.max(best, relevanceScore(relevanceEvidence(clause, narrow(candidates), stats, ranked)));
  }
  return best;
}
