import { idf } from "../text/idf.js";
import { type ParsedQuery, type QueryTerm, termOptions } from "./query.js";

/** Passages containing a term: its most frequent option (an option of several words counts its rarest word). */
export function termDocFreq(term: QueryTerm, docFreq: (stem: string) => number): number {
  return Math.max(0, ...termOptions(term).map((opt) => Math.min(...opt.map(docFreq))));
}

/** Corpus statistics terms are weighed with. */
export interface TermStats {
  /** Passages containing a stem. */
  docFreq(stem: string): number;
  /** Passages in the corpus. */
  total(): number;
}

/** Inverse document frequency weight of each term; a term the corpus never contains weighs most. */
export function termWeights(query: ParsedQuery, stats: TermStats): Map<string, number> {
  const weights = new Map<string, number>();
  for (const term of query.terms) {
    weights.set(
      term.stem,
      idf(
        termDocFreq(term, (s) => stats.docFreq(s)),
        stats.total(),
      ),
    );
  }
  return weights;
}

/** Sum of the weights of `matched` as a share of `total`. */
export function coverage(matched: Iterable<string>, weights: Map<string, number>, total: number): number {
  let sum = 0;
  for (const stem of matched) sum += weights.get(stem) ?? 0;
  return total > 0 ? sum / total : 0;
}
