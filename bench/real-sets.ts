import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { chunkArticle } from "../src/index/chunk.js";
import type { BenchArticle } from "./corpus.js";

/** A question of a real evaluation set, asked in the bench over its gold documents mixed into the generated corpus. */
export interface RealQuestion {
  set: string;
  question: string;
  answers: string[];
  docIds: string[];
}

/** The evaluation sets the bench asks, by name: where their documents and questions are beside the project. */
const SETS = [
  { set: "news", dir: "realtimeqa-news", questions: "questions.dev.jsonl" },
  { set: "squad", dir: "squad-v1.1-dev", questions: "questions.dev.jsonl" },
  { set: "scifact", dir: "scifact", questions: "questions_train.jsonl" },
] as const;

type Doc = { id: string; title?: string; url?: string; site?: string; published?: string; text: string };

/**
 * `perSet` questions of each real set, evenly spaced through its file (deterministic), and the documents they are
 * about, as bench articles: real questions over real documents among generated distractors. Sets whose files are
 * missing are left out (the runner says which were asked).
 */
export function realSets(
  root: string,
  perSet: number,
): { questions: RealQuestion[]; articles: BenchArticle[]; sets: string[] } {
  const questions: RealQuestion[] = [];
  const articles: BenchArticle[] = [];
  const sets: string[] = [];
  for (const { set, dir, questions: file } of SETS) {
    const base = path.join(root, "..", "shared", "eval", dir);
    if (!existsSync(path.join(base, file)) || !existsSync(path.join(base, "docs.jsonl"))) continue;
    const all = readFileSync(path.join(base, file), "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { question: string; answers?: string[]; doc_ids?: string[] });
    const step = Math.max(1, all.length / perSet);
    const chosen: RealQuestion[] = [];
    for (let i = 0; i < all.length && chosen.length < perSet; i += step) {
      const q = all[Math.floor(i)];
      if (q)
        chosen.push({
          set,
          question: q.question,
          answers: q.answers ?? [],
          docIds: (q.doc_ids ?? []).map(String),
        });
    }
    const wanted = new Set(chosen.flatMap((q) => q.docIds));
    for (const line of readFileSync(path.join(base, "docs.jsonl"), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const d = JSON.parse(line) as Doc;
      if (!wanted.has(String(d.id))) continue;
      articles.push({
        id: String(d.id),
        title: d.title ?? "",
        url: d.url ?? `https://example.org/${set}/${d.id}`,
        published: d.published ?? "2020-01-01",
        site: d.site ?? set,
        text: d.text,
        // As the index will count them, so the generated articles fill the size to within a few passages.
        paragraphs: chunkArticle(String(d.id), d.text).length,
      });
    }
    questions.push(...chosen);
    sets.push(set);
  }
  return { questions, articles, sets };
}
