import { stemList } from "../../text/terms.js";
import type { MatchQuery, MatchRow } from "../contracts.js";
import { sourceMatches } from "../filters.js";
import { type FullTextIndex, ROW_COLUMNS, TITLE_WEIGHT } from "../full-text.js";
import type { SqlConnection, SqlValue } from "../sql.js";

/** FTS5's BM25 constants. */
const K1 = 1.2;
const B = 0.75;
/**
 * Vocabularies up to this many terms are read whole (one round trip, about 30 ms, after each change) and held in
 * memory; larger ones are read term by term, so the first question after an ingest does not wait for the whole list.
 */
const MAX_HELD_TERMS = 20_000;
/** Best-scored rows a source-limited search looks among first (as on SQLite). */
const PREFILTER_ROWS = 2000;

/** A phrase of the query: its stems in order, and which of the query's terms it is an option of. */
interface Phrase {
  stems: string[];
  term: number;
}

/** Postings rows that flush before they are this many. */
const FLUSH_ROWS = 200_000;
/**
 * Positions are one `smallint[]` per row: a body token's is its place in the passage, a title token's this plus its
 * place in the title (a passage holds at most 1,400 characters, far fewer tokens; later ones are not recorded).
 */
const TITLE_AT = 16_384;

/** Postings and term counts of passages added and not yet written, as the columns of one insert. */
function emptyBatch() {
  return {
    passages: [] as number[],
    tokens: [] as number[],
    terms: [] as string[],
    ids: [] as number[],
    freqs: [] as number[],
    lengths: [] as number[],
    /** Each row's positions, as an array literal ("{3,16390}"). */
    positions: [] as string[],
    docs: new Map<string, number>(),
  };
}

/** Positions of each stem in a column, in order. */
function positions(stems: readonly string[]): Map<string, number[]> {
  const at = new Map<string, number[]>();
  stems.forEach((s, i) => {
    const list = at.get(s);
    if (list) list.push(i);
    else at.set(s, [i]);
  });
  return at;
}

/**
 * Full-text search on PostgreSQL, ranked exactly as FTS5 ranks: an inverted index of (term, passage) rows with the
 * term's weighted count and positions, term passage counts kept by ingest in the same transaction, and FTS5's BM25
 * (k1 1.2, b 0.75, idf ln((N − n + 0.5) / (n + 0.5)) floored at 1e-6, title occurrences weighted 0.5, a row's
 * length its title and body tokens) computed in SQL over the rows of the query's terms. Stems come from Verbatim's
 * own tokenizer, so questions and passages are cut and stemmed alike on both backends.
 */
export class PostgresFullText implements FullTextIndex {
  private lengths: { n: number; avg: number } | null = null;
  private counts: Map<string, number> | "per-term" | null = null;
  /** Counts read term by term (a large vocabulary), kept until the next change. */
  private readonly readCounts = new Map<string, number>();
  private pending = emptyBatch();

  constructor(private readonly sql: SqlConnection) {}

  add(title: string, passages: readonly { id: number; text: string }[]): void {
    const titleStems = stemList(title);
    const titleAt = positions(titleStems);
    const batch = this.pending;
    for (const p of passages) {
      const bodyStems = stemList(p.text);
      const bodyAt = positions(bodyStems);
      const tokens = titleStems.length + bodyStems.length;
      batch.passages.push(p.id);
      batch.tokens.push(tokens);
      for (const term of new Set([...titleAt.keys(), ...bodyAt.keys()])) {
        const inTitle = titleAt.get(term) ?? [];
        const inBody = bodyAt.get(term) ?? [];
        batch.terms.push(term);
        batch.ids.push(p.id);
        batch.freqs.push(TITLE_WEIGHT * inTitle.length + inBody.length);
        batch.lengths.push(tokens);
        const at = inBody.filter((n) => n < TITLE_AT);
        for (const n of inTitle) if (n < TITLE_AT) at.push(TITLE_AT + n);
        batch.positions.push(`{${at.join(",")}}`);
        batch.docs.set(term, (batch.docs.get(term) ?? 0) + 1);
      }
    }
    if (batch.terms.length >= FLUSH_ROWS) this.flush();
  }

  /**
   * Write the postings and term counts of the passages added since the last flush: three statements for many
   * articles instead of three an article (a round trip to the server is most of an article's cost). The store
   * flushes before it commits, and every read here flushes first, so nothing reads around what is pending.
   */
  flush(): void {
    const batch = this.pending;
    if (batch.passages.length === 0) return;
    this.pending = emptyBatch();
    this.sql.run(
      "UPDATE passages SET tokens = u.n FROM unnest(?::int[], ?::int[]) AS u(id, n) WHERE passages.id = u.id",
      [batch.passages, batch.tokens],
    );
    this.sql.run("UPDATE corpus_lengths SET passages = passages + ?, tokens = tokens + ?", [
      batch.passages.length,
      batch.tokens.reduce((a, b) => a + b, 0),
    ]);
    // In key order, so the index is filled page by page rather than at random.
    this.sql.run(
      `INSERT INTO postings (term, passage_id, freq, tokens, pos)
       SELECT t, id, f, n, p::smallint[]
       FROM unnest(?::text[], ?::int[], ?::real[], ?::int[], ?::text[]) AS u(t, id, f, n, p)
       ORDER BY t, id`,
      [batch.terms, batch.ids, batch.freqs, batch.lengths, batch.positions],
    );
    this.sql.run(
      `INSERT INTO term_counts (term, doc) SELECT t, d FROM unnest(?::text[], ?::int[]) AS u(t, d)
       ON CONFLICT (term) DO UPDATE SET doc = term_counts.doc + excluded.doc`,
      [[...batch.docs.keys()], [...batch.docs.values()]],
    );
  }

  settle(): void {
    // PostgreSQL keeps its term counts as it writes the postings (`flush`): nothing more to bring up to date.
    this.flush();
  }

  discard(): void {
    this.pending = emptyBatch();
  }

  remove(passageIds: readonly number[]): void {
    this.flush();
    if (passageIds.length === 0) return;
    // A passage's terms are its title's and text's, cut again as `add` cut them: its rows are found by their keys.
    const rows = this.sql.all<{ id: number; title: string; text: string; tokens: number }>(
      "SELECT p.id, a.title, p.text, p.tokens FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id = ANY(?::int[])",
      [[...passageIds]],
    );
    this.sql.run("UPDATE corpus_lengths SET passages = passages - ?, tokens = tokens - ?", [
      rows.length,
      rows.reduce((sum, r) => sum + Number(r.tokens), 0),
    ]);
    const terms: string[] = [];
    const ids: number[] = [];
    const docs = new Map<string, number>();
    for (const row of rows)
      for (const term of new Set([...stemList(row.title), ...stemList(row.text)])) {
        terms.push(term);
        ids.push(Number(row.id));
        docs.set(term, (docs.get(term) ?? 0) + 1);
      }
    this.sql.run(
      "DELETE FROM postings WHERE (term, passage_id) IN (SELECT t, id FROM unnest(?::text[], ?::int[]) AS u(t, id))",
      [terms, ids],
    );
    this.sql.run(
      `UPDATE term_counts SET doc = term_counts.doc - u.d FROM unnest(?::text[], ?::int[]) AS u(t, d)
       WHERE term_counts.term = u.t`,
      [[...docs.keys()], [...docs.values()]],
    );
    this.sql.run("DELETE FROM term_counts WHERE doc <= 0 AND term = ANY(?::text[])", [[...docs.keys()]]);
  }

  /** The query's phrases: each option of each term, cut into stems as passages are. */
  private phrases(query: MatchQuery): Phrase[] {
    const list: Phrase[] = [];
    query.terms.forEach((options, term) => {
      for (const option of options) {
        const stems = stemList(option);
        if (stems.length > 0) list.push({ stems, term });
      }
    });
    return list;
  }

  passageCount(): number {
    return this.corpusLengths().n;
  }

  /** Passage count and average length (tokens), read once per change of the index. */
  private corpusLengths(): { n: number; avg: number } {
    this.flush();
    if (!this.lengths) {
      const row = this.sql.get<{ n: number; total: number | null }>(
        "SELECT passages AS n, tokens AS total FROM corpus_lengths",
      );
      const n = Number(row?.n ?? 0);
      this.lengths = { n, avg: n > 0 ? Number(row?.total ?? 0) / n : 1 };
    }
    return this.lengths;
  }

  /**
   * The rows of one phrase: (passage, term, weighted count, length), as SQL with its parameters. A one-word phrase
   * is its postings; a longer one joins its words' postings and counts the places where they follow each other.
   */
  private phraseRows(phrase: Phrase, within = false): { sql: string; params: SqlValue[] } {
    const [first, ...rest] = phrase.stems;
    // `within`: only the passages of the query's `candidates` (an "and" query's rarest term), each looked up by key.
    if (rest.length === 0)
      return within
        ? {
            sql: `SELECT q0.passage_id AS pid, ?::int AS t, q0.freq AS f, q0.tokens AS n
                  FROM candidates c JOIN postings q0 ON q0.term = ? AND q0.passage_id = c.pid`,
            params: [phrase.term, first ?? ""],
          }
        : {
            sql: "SELECT passage_id AS pid, ?::int AS t, freq AS f, tokens AS n FROM postings WHERE term = ?",
            params: [phrase.term, first ?? ""],
          };
    const joins = rest.map(
      (_, i) => `JOIN postings q${i + 1} ON q${i + 1}.passage_id = q0.passage_id AND q${i + 1}.term = ?`,
    );
    // Where the phrase starts in the title (positions from TITLE_AT) and in the body; the two never run together.
    const follows = (where: string) =>
      `(SELECT count(*) FROM unnest(q0.pos) AS x WHERE ${where} AND ${rest.map((_, i) => `x + ${i + 1} = ANY(q${i + 1}.pos)`).join(" AND ")})`;
    return {
      sql: `SELECT pid, ?::int AS t, f, n FROM (
              SELECT q0.passage_id AS pid, ${TITLE_WEIGHT} * ${follows(`x >= ${TITLE_AT}`)} + ${follows(`x < ${TITLE_AT - rest.length}`)} AS f, q0.tokens AS n
              FROM postings q0 ${within ? "JOIN candidates c ON c.pid = q0.passage_id" : ""} ${joins.join(" ")}
              WHERE q0.term = ?) AS ph WHERE f > 0`,
      params: [phrase.term, ...rest, first ?? ""],
    };
  }

  /** In how many passages a phrase occurs: a word's count is kept; a longer phrase is counted. */
  private phraseDocs(phrase: Phrase): number {
    if (phrase.stems.length === 1) return this.docFreq(phrase.stems[0] ?? "");
    const rows = this.phraseRows(phrase);
    return Number(
      this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM (${rows.sql}) AS r`, rows.params)?.n ?? 0,
    );
  }

  /** The scored passages of a query (BM25 summed over its phrases), as SQL with parameters; null when it has none. */
  private scored(query: MatchQuery): { sql: string; params: SqlValue[] } | null {
    const phrases = this.phrases(query);
    if (phrases.length === 0) return null;
    const { n: total, avg } = this.corpusLengths();
    const and = query.mode === "and";
    const docs = phrases.map((p) => this.phraseDocs(p));
    // "and": only passages holding the rarest term can match, so every term's rows are looked up among those alone
    // (by key), rather than all read and counted; a term no passage holds means no passage matches.
    let rarest: string[] | null = null;
    if (and) {
      const byTerm = new Map<number, { docs: number; firsts: string[] }>();
      phrases.forEach((p, i) => {
        const entry = byTerm.get(p.term) ?? { docs: 0, firsts: [] };
        if ((docs[i] ?? 0) > 0) {
          entry.docs += docs[i] ?? 0;
          entry.firsts.push(p.stems[0] ?? "");
        }
        byTerm.set(p.term, entry);
      });
      const least = [...byTerm.values()].sort((a, b) => a.docs - b.docs)[0];
      if (!least || least.docs === 0) return null;
      rarest = least.firsts;
    }
    const parts: string[] = [];
    const params: SqlValue[] = [];
    // Numbers travel as parameters, so that a query's text depends only on its shape and is prepared once.
    for (const [i, phrase] of phrases.entries()) {
      const n = docs[i] ?? 0;
      // A phrase no passage holds adds nothing (and an "and" query then fails on the count of terms below).
      if (n === 0) continue;
      const idf = Math.max(Math.log((total - n + 0.5) / (n + 0.5)), 1e-6);
      const rows = this.phraseRows(phrase, rarest !== null);
      parts.push(
        `SELECT pid, t, ?::float8 * (f * ${K1 + 1}) / (f + ${K1} * (${1 - B} + ${B} * n / ?::float8)) AS w FROM (${rows.sql}) AS r${parts.length}`,
      );
      params.push(idf, avg, ...rows.params);
    }
    if (parts.length === 0) return null;
    // "and": a passage must hold one option of every term; each term counts once however many of its options match.
    const terms = new Set(phrases.map((p) => p.term)).size;
    const grouped = `SELECT pid, sum(w) AS score FROM (${parts.join(" UNION ALL ")}) AS hits GROUP BY pid`;
    if (!rarest) return { sql: grouped, params };
    return {
      sql: `WITH candidates AS MATERIALIZED (SELECT DISTINCT passage_id AS pid FROM postings WHERE term = ANY(?::text[]))
            ${grouped} HAVING count(DISTINCT t) = ?`,
      params: [rarest, ...params, terms],
    };
  }

  match(query: MatchQuery, limit: number): MatchRow[] {
    this.flush();
    const scored = this.scored(query);
    if (!scored) return [];
    const window = query.window ? "AND a.published_at >= ? AND a.published_at < ?" : "";
    const windowParams = query.window ? [query.window.from, query.window.to] : [];
    // Without a window the best rows are chosen before any join, so only those are joined to their articles.
    const rows = (cap: number | null) =>
      this.sql.all<MatchRow>(
        query.window || cap === null
          ? `SELECT ${ROW_COLUMNS}, s.score AS score
             FROM (${scored.sql}) AS s JOIN passages p ON p.id = s.pid JOIN articles a ON a.id = p.article_id
             WHERE true ${window} ORDER BY s.score DESC, s.pid ${cap === null ? "" : "LIMIT ?"}`
          : `SELECT ${ROW_COLUMNS}, s.score AS score
             FROM (SELECT pid, score FROM (${scored.sql}) AS all_rows ORDER BY score DESC, pid LIMIT ?) AS s
             JOIN passages p ON p.id = s.pid JOIN articles a ON a.id = p.article_id ORDER BY s.score DESC, s.pid`,
        [...scored.params, ...windowParams, ...(cap === null ? [] : [cap])],
      );
    const source = query.source;
    if (!source) return rows(limit);
    // The source rule is `filters.ts`'s, applied here as on SQLite: first among the best rows, then among all.
    const keep = (list: MatchRow[]) =>
      list.filter((r) => sourceMatches(source, r.site, r.url)).slice(0, limit);
    const first = keep(rows(PREFILTER_ROWS));
    return first.length >= limit ? first : keep(rows(null));
  }

  countMatches(query: MatchQuery): number {
    this.flush();
    const scored = this.scored(query);
    if (!scored) return 0;
    return Number(
      this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM (${scored.sql}) AS s`, scored.params)?.n ?? 0,
    );
  }

  docFreq(stem: string): number {
    this.flush();
    this.counts ??= this.loadCounts();
    if (this.counts !== "per-term") return this.counts.get(stem) ?? 0;
    // Searches read their phrases' counts here too: each is read once until the next change.
    let n = this.readCounts.get(stem);
    if (n === undefined) {
      n = Number(
        this.sql.get<{ doc: number }>("SELECT doc FROM term_counts WHERE term = ?", [stem])?.doc ?? 0,
      );
      this.readCounts.set(stem, n);
    }
    return n;
  }

  docFreqs(stems: readonly string[]): Map<string, number> {
    this.flush();
    this.counts ??= this.loadCounts();
    const held = this.counts;
    if (held !== "per-term") return new Map(stems.map((s) => [s, held.get(s) ?? 0]));
    const rows = this.sql.all<{ term: string; doc: number }>(
      "SELECT term, doc FROM term_counts WHERE term = ANY(?::text[])",
      [[...stems]],
    );
    const found = new Map(rows.map((r) => [r.term, Number(r.doc)]));
    for (const stem of stems) this.readCounts.set(stem, found.get(stem) ?? 0);
    return found;
  }

  /**
   * Every term's count in one read when the vocabulary is small enough to hold (a question asks for a dozen, and
   * each read is a round trip to the server); a larger one is read term by term.
   */
  private loadCounts(): Map<string, number> | "per-term" {
    const estimate = this.sql.get<{ n: number }>(
      "SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'term_counts'::regclass",
    )?.n;
    if (Number(estimate ?? 0) > MAX_HELD_TERMS) return "per-term";
    const rows = this.sql.all<{ term: string; doc: number }>("SELECT term, doc FROM term_counts");
    if (rows.length > MAX_HELD_TERMS) return "per-term";
    return new Map(rows.map((r) => [r.term, Number(r.doc)]));
  }

  vocabulary(minDoc: number): { term: string; doc: number }[] {
    this.flush();
    return this.sql.all("SELECT term, doc FROM term_counts WHERE doc >= ?", [minDoc]);
  }

  termRange(from: string, to: string, limit: number): string[] {
    this.flush();
    return this.sql
      .all<{ term: string }>(
        "SELECT term FROM term_counts WHERE term >= ? AND term < ? ORDER BY doc DESC LIMIT ?",
        [from, to, limit],
      )
      .map((r) => r.term);
  }

  /** The index version and the newest article number: every ingest that commits moves one of them. */
  changeMark(): string {
    const row = this.sql.get<{ version: string | null; seq: number | null }>(
      "SELECT (SELECT value FROM meta WHERE key = 'version') AS version, (SELECT max(seq) FROM articles) AS seq",
    );
    return `${row?.version ?? 0}|${row?.seq ?? 0}`;
  }

  forget(): void {
    this.lengths = null;
    this.counts = null;
    this.readCounts.clear();
  }
}
