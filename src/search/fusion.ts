import type { PassageSearch } from "../index/contracts.js";
import { rowMeta, rowPassage } from "../index/store.js";
import { stemSet } from "../text/terms.js";
import type { Hit } from "../types.js";
import { matchedTerms } from "./lexical.js";
import type { ParsedQuery } from "./query.js";

/** Reciprocal rank fusion constant (Cormack et al.): damps the weight of the very first ranks. */
export const RRF_K = 60;

/** Fuse BM25 hits and vector neighbours by reciprocal rank; hits carry the fused score and their similarity. */
export function fuse(
  store: PassageSearch,
  query: ParsedQuery,
  bm25: Hit[],
  vector: { id: number; similarity: number }[],
  limit: number,
): Hit[] {
  const scores = new Map<number, number>();
  const add = (id: number, rank: number) => {
    scores.set(id, (scores.get(id) ?? 0) + 1 / (RRF_K + rank + 1));
  };
  for (const [i, h] of bm25.entries()) add(h.passage.id, i);
  for (const [i, v] of vector.entries()) add(v.id, i);
  const similarity = new Map(vector.map((v) => [v.id, v.similarity]));
  const known = new Map(bm25.map((h) => [h.passage.id, h]));
  const ranked = [...scores].sort((a, b) => b[1] - a[1]).slice(0, limit);
  const missing = store.passageRows(ranked.map(([id]) => id).filter((id) => !known.has(id)));
  for (const row of missing) {
    known.set(row.id, {
      passage: rowPassage(row),
      article: rowMeta(row),
      score: 0,
      terms: matchedTerms(query, stemSet(`${row.title}\n${row.text}`)),
    });
  }
  const hits: Hit[] = [];
  for (const [id, score] of ranked) {
    const hit = known.get(id);
    const sim = similarity.get(id);
    if (hit) hits.push(sim === undefined ? { ...hit, score } : { ...hit, score, similarity: sim });
  }
  return hits;
}
