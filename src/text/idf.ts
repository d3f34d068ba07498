/** BM25's inverse document frequency: how much a term that `df` of `total` passages contain tells about a passage. */
export function idf(df: number, total: number): number {
  const n = Math.max(1, total);
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}
