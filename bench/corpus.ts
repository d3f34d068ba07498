/**
 * A deterministic, news-like corpus for benchmarks: sentences re-drawn (by a seeded generator) from real English
 * text, the shared evaluation corpora when they are beside the project, else the project's own fixtures.
 */

import { once } from "node:events";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { cleanText } from "../src/corpus/clean.js";
import { MIN_PARAGRAPH_CHARS } from "../src/index/chunk.js";
import { parseQuery } from "../src/search/query.js";
import { sentenceSpans } from "../src/text/sentences.js";

/** A small, fast, seeded pseudo-random generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROOT = path.resolve(import.meta.dirname, "..");

/** Where sentences come from: the shared evaluation sets beside the project, or the project's fixtures (smoke runs). */
export type SentenceSource = "shared" | "fixtures";

/** Real sentences to draw from, and where they came from. */
export function sentencePool(
  from: SentenceSource = "shared",
  /** The project folder the shared evaluation sets are looked for beside (another in tests). */
  root = ROOT,
): { sentences: string[]; source: string } {
  const shared =
    from === "fixtures"
      ? []
      : ["squad-v1.1-dev", "scifact"]
          .map((d) => path.join(root, "..", "shared", "eval", d, "docs.jsonl"))
          .filter((f) => existsSync(f));
  // Figures from another corpus would not compare with earlier runs: a missing input stops the bench, saying why.
  if (from === "shared" && shared.length === 0)
    throw new Error(
      "The bench draws its corpus from the shared evaluation sets (a folder named shared beside the project, holding eval/squad-v1.1-dev and eval/scifact), which is not beside the project. Put the evaluation sets there, or run `npm run bench -- --corpus fixtures` for a small smoke run.",
    );
  const texts: string[] = [];
  let source: string;
  if (shared.length > 0) {
    source = shared.map((f) => path.relative(ROOT, f)).join(", ");
    for (const file of shared) {
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line.trim()) texts.push((JSON.parse(line) as { text: string }).text);
      }
    }
  } else {
    source = "tests/fixtures";
    for (const name of [
      "corpus/miit-rare-earth-healthy-development.txt",
      "corpus/lithium-plant.md",
      "corpus/harbor.html",
      "eval/docs.jsonl",
    ]) {
      // Cleaned as ingest cleans, so no drawn sentence is boilerplate that ingest would drop again.
      const raw = readFileSync(path.join(ROOT, "tests", "fixtures", name), "utf8").replace(/<[^>]+>/g, " ");
      texts.push(cleanText(raw).text);
    }
  }
  const sentences: string[] = [];
  for (const text of texts) {
    for (const s of sentenceSpans(text)) {
      const sentence = text.slice(s.start, s.end).replace(/\s+/g, " ");
      if (sentence.length >= 30 && sentence.length <= 400) sentences.push(sentence);
    }
  }
  return { sentences, source };
}

/** One generated article: a title and paragraphs, each paragraph short enough to be one passage. */
export interface BenchArticle {
  id: string;
  title: string;
  url: string;
  published: string;
  site: string;
  text: string;
  paragraphs: number;
}

const SITES = [
  "Daily Ledger",
  "Harbour Times",
  "Valley Courier",
  "Metro Wire",
  "Science Desk",
  "Policy Review",
];

/** Write `passages` passages (as articles of 1 to 8 paragraphs) to a JSONL file; returns the article count. */
export async function writeCorpus(
  file: string,
  passages: number,
  seed = 42,
  from: SentenceSource = "shared",
): Promise<number> {
  const { sentences } = sentencePool(from);
  const rand = random(seed);
  const pick = () => sentences[Math.floor(rand() * sentences.length)] ?? "";
  const out = createWriteStream(file);
  let written = 0;
  let articles = 0;
  while (written < passages) {
    const count = Math.min(passages - written, 1 + Math.floor(rand() * 8));
    const paragraphs: string[] = [];
    for (let p = 0; p < count; p++) {
      const n = 2 + Math.floor(rand() * 3);
      let para = "";
      // At least MIN_PARAGRAPH_CHARS, or the indexer would join the paragraph to its neighbour.
      for (let s = 0; s < n || para.length < MIN_PARAGRAPH_CHARS; s++) {
        const next = pick();
        if (para.length + next.length + 1 > 850) break;
        para = para ? `${para} ${next}` : next;
      }
      paragraphs.push(para || pick().slice(0, 850));
    }
    const title = (pick().split(/[,.;:]/)[0] ?? "Untitled").slice(0, 120);
    const day = new Date(Date.UTC(2015, 0, 1) + Math.floor(rand() * 3650) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const article: BenchArticle = {
      id: `bench-${articles}`,
      title,
      url: `https://news.example.com/${day}/article-${articles}`,
      published: day,
      site: SITES[articles % SITES.length] ?? "Example",
      text: paragraphs.join("\n\n"),
      paragraphs: count,
    };
    if (!out.write(`${JSON.stringify(article)}\n`)) await once(out, "drain");
    written += count;
    articles++;
  }
  out.end();
  await once(out, "finish");
  return articles;
}

const STOP = new Set(
  "the a an of and or to in on for with by at from as is was were be been are that this it its which who".split(
    " ",
  ),
);

/** A fixed mix of queries from the corpus's own vocabulary: rare and common words, phrases and questions. */
export function makeQueries(count: number, seed = 7, from: SentenceSource = "shared"): string[] {
  const { sentences } = sentencePool(from);
  const rand = random(seed);
  const words = new Map<string, number>();
  for (const s of sentences)
    for (const w of s.toLowerCase().match(/[a-z]{3,}/g) ?? [])
      if (!STOP.has(w)) words.set(w, (words.get(w) ?? 0) + 1);
  const byFreq = [...words].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  const common = byFreq.slice(0, 300);
  const rare = byFreq.filter((w) => (words.get(w) ?? 0) <= 3);
  const pickFrom = (list: string[]) => list[Math.floor(rand() * list.length)] ?? "news";
  const queries: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 5;
    const sentence =
      (sentences[Math.floor(rand() * sentences.length)] ?? "").toLowerCase().match(/[a-z]{3,}/g) ?? [];
    const content = sentence.filter((w) => !STOP.has(w));
    if (kind === 0) queries.push(pickFrom(common));
    else if (kind === 1) queries.push(pickFrom(rare));
    else if (kind === 2) queries.push(content.slice(0, 2).join(" ") || pickFrom(common));
    else if (kind === 3)
      queries.push(`what did they say about ${content.slice(1, 4).join(" ") || pickFrom(common)}?`);
    else queries.push(`${pickFrom(common)} ${pickFrom(rare)} ${pickFrom(common)}`);
  }
  return queries;
}

/** The queries every engine is measured on: Verbatim gets them as typed, the alternatives the content words it searches. */
export interface BenchQueries {
  /** Queries as typed (what Verbatim is asked). */
  asked: string[];
  /** The same queries as the content words Verbatim searches for (what the alternatives are asked). */
  words: string[];
  /** Queries with no word Verbatim searches ("what did they say about it?"): left out of every engine's figures. */
  rejected: string[];
}

/** Split generated queries into those with content words (for every engine) and those Verbatim rejects. */
export function benchQueries(queries: string[]): BenchQueries {
  const out: BenchQueries = { asked: [], words: [], rejected: [] };
  for (const q of queries) {
    try {
      const words = parseQuery(q).terms.map((t) => t.word);
      out.asked.push(q);
      out.words.push(words.join(" "));
    } catch {
      out.rejected.push(q);
    }
  }
  return out;
}
