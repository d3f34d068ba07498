import type { ParsedQuery } from "../search/query.js";
import { coverage, type TermStats, termDocFreq, termWeights } from "../search/weights.js";
import { fold, stem } from "../text/terms.js";
import type { Hit } from "../types.js";

/** What the best passages say about whether the corpus answers a question at all. */
export interface RelevanceEvidence {
  /** Share of the question's term weight that the best candidate passage (with its title) holds. */
  coverage: number;
  /** The same share, counting only the terms the corpus contains anywhere. */
  known: number;
  /** Share of the question's term weight that the best single sentence of a candidate holds. */
  sentence: number;
  /** Share of the question's term weight that the best two neighbouring sentences of a candidate hold together. */
  twoSentences: number;
  /** Most distinct question terms one sentence holds, as a share of the question's terms. */
  sentenceTerms: number;
  /** Share of the question's term weight carried by words the corpus never contains. */
  unknown: number;
  /** How far the first candidate's score stands above the tenth's, as 1 - tenth / first: a clear winner. */
  gap: number;
  /** The first candidate's score over the question's total term weight: how much of what it could score it does. */
  scoreShare: number;
  /** ln of the number of question terms: a long question is held to a lower share. */
  terms: number;
}

/**
 * Gather the evidence of relevance from the top candidate passages of a search; `unitTerms` holds, for each
 * candidate, the question terms of each of its quotable sentences.
 */
export function relevanceEvidence(
  query: ParsedQuery,
  candidates: Hit[],
  unitTerms: string[][][],
  stats: TermStats,
  ranked: Hit[] = candidates,
): RelevanceEvidence {
  const weights = termWeights(query, stats);
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const known = query.terms.filter((t) => termDocFreq(t, (s) => stats.docFreq(s)) > 0);
  const knownWeight = known.reduce((sum, t) => sum + (weights.get(t.stem) ?? 0), 0);
  let best = 0;
  let bestKnown = 0;
  let sentence = 0;
  let twoSentences = 0;
  let sentenceTerms = 0;
  candidates.forEach((hit, i) => {
    best = Math.max(best, coverage(new Set(hit.terms), weights, total));
    bestKnown = Math.max(bestKnown, coverage(new Set(hit.terms), weights, knownWeight));
    const units = unitTerms[i] ?? [];
    units.forEach((own, j) => {
      const mine = new Set(own);
      sentence = Math.max(sentence, coverage(mine, weights, total));
      sentenceTerms = Math.max(sentenceTerms, mine.size);
      const next = units[j + 1];
      if (next) twoSentences = Math.max(twoSentences, coverage(new Set([...own, ...next]), weights, total));
    });
  });
  const terms = Math.max(1, weights.size);
  return {
    coverage: best,
    known: bestKnown,
    sentence,
    twoSentences: Math.max(twoSentences, sentence),
    sentenceTerms: sentenceTerms / terms,
    unknown: total > 0 ? 1 - knownWeight / total : 0,
    gap: scoreGap(ranked),
    scoreShare: total > 0 ? (ranked[0]?.score ?? 0) / total : 0,
    terms: Math.log(terms),
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
const WEIGHTS: Record<Exclude<keyof RelevanceEvidence, "coverage"> | "bias" | "coverageBySentence", number> =
  {
    bias: -12.19,
    known: 6.173,
    sentence: 3.39,
    twoSentences: 1.55,
    sentenceTerms: 2.299,
    // A passage that covers the question only across sentences is weaker evidence than one sentence that does.
    coverageBySentence: -5.957,
    unknown: -9.218,
    gap: 3.884,
    scoreShare: 2.291,
    terms: 2.525,
  };

/** Probability-like confidence that the corpus answers the question. */
export function relevanceScore(e: RelevanceEvidence): number {
  const z =
    WEIGHTS.bias +
    WEIGHTS.coverageBySentence * e.coverage * e.sentence +
    WEIGHTS.known * e.known +
    WEIGHTS.sentence * e.sentence +
    WEIGHTS.twoSentences * e.twoSentences +
    WEIGHTS.sentenceTerms * e.sentenceTerms +
    WEIGHTS.unknown * e.unknown +
    WEIGHTS.gap * e.gap +
    WEIGHTS.scoreShare * e.scoreShare +
    WEIGHTS.terms * e.terms;
  return 1 / (1 + Math.exp(-z));
}

/**
 * Below this confidence the answer is "nothing relevant" (chosen on the dev sets' trade-off curve, docs/quality.md).
 */
export const RELEVANCE_THRESHOLD = 0.345;

/** Questions with more terms than this are long: their clauses are judged too, so length alone never refuses. */
export const LONG_QUESTION_TERMS = 16;

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
  unitTerms: string[][][],
  stats: TermStats,
  ranked: Hit[],
): number {
  const whole = relevanceEvidence(query, candidates, unitTerms, stats, ranked);
  let best = relevanceScore(whole);
  if (query.terms.length <= LONG_QUESTION_TERMS) return best;
  for (const clause of clauseQueries(query)) {
    const terms = new Set(clause.terms.map((t) => t.stem));
    const keep = (stems: string[]) => stems.filter((t) => terms.has(t));
    const narrowed = candidates.map((h) => ({ ...h, terms: keep(h.terms) }));
    const units = unitTerms.map((u) => u.map(keep));
    // The passages were scored for the whole question: over one clause's smaller weight their score would look
    // like more than the clause could ever score, so the whole question's share stands.
    const evidence = {
      ...relevanceEvidence(clause, narrowed, units, stats, ranked),
      scoreShare: whole.scoreShare,
    };
    best = Math.max(best, relevanceScore(evidence));
  }
  return best;
}
