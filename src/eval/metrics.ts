/** Retrieval and quoting metrics, as pure functions over ranked ids and quote texts. */

/** Share of the gold documents found in the first k ranked ids. */
export function recallAt(ranked: string[], gold: ReadonlySet<string>, k: number): number {
  if (gold.size === 0) return 0;
  let found = 0;
  for (const id of ranked.slice(0, k)) if (gold.has(id)) found++;
  return found / gold.size;
}

/** Reciprocal rank of the first gold document within the first k, or 0. */
export function reciprocalRankAt(ranked: string[], gold: ReadonlySet<string>, k: number): number {
  const i = ranked.slice(0, k).findIndex((id) => gold.has(id));
  return i < 0 ? 0 : 1 / (i + 1);
}

/** nDCG@k with graded relevance (BEIR's definition: gain = relevance, discount log2(rank + 1)). */
export function ndcgAt(ranked: string[], relevance: ReadonlyMap<string, number>, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    dcg += (relevance.get(id) ?? 0) / Math.log2(i + 2);
  });
  const ideal = [...relevance.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((sum, rel, i) => sum + rel / Math.log2(i + 2), 0);
  return idcg > 0 ? dcg / idcg : 0;
}

/** Whether any gold answer string appears, case-insensitively, in the first k quotes. */
export function answerInQuotes(quotes: string[], answers: string[], k: number): boolean {
  const shown = quotes.slice(0, k).map((q) => q.toLowerCase());
  return answers.some((a) => shown.some((q) => q.includes(a.toLowerCase())));
}

/** Mean of a list (0 for none). */
export function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
