import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { answerInQuotes, mean, ndcgAt, recallAt, reciprocalRankAt } from "../src/eval/metrics.js";
import { parseQrels, runEval } from "../src/eval/run.js";
import { FIXTURES, tempDir } from "./helpers.js";

describe("metrics", () => {
  const gold = new Set(["b"]);
  it("recall and reciprocal rank", () => {
    expect(recallAt(["a", "b", "c"], gold, 1)).toBe(0);
    expect(recallAt(["a", "b", "c"], gold, 2)).toBe(1);
    expect(recallAt(["a", "b"], new Set(["b", "z"]), 5)).toBe(0.5);
    expect(reciprocalRankAt(["a", "b"], gold, 10)).toBe(0.5);
    expect(reciprocalRankAt(["a"], gold, 10)).toBe(0);
  });
  it("nDCG with graded relevance", () => {
    expect(ndcgAt(["b"], new Map([["b", 1]]), 10)).toBe(1);
    expect(ndcgAt(["a", "b"], new Map([["b", 1]]), 10)).toBeCloseTo(1 / Math.log2(3));
    expect(ndcgAt([], new Map([["b", 1]]), 10)).toBe(0);
  });
  it("answer in quotes is case-insensitive and bounded by k", () => {
    expect(answerInQuotes(["x", "Six Hours later"], ["six hours"], 1)).toBe(false);
    expect(answerInQuotes(["x", "Six Hours later"], ["six hours"], 3)).toBe(true);
    expect(mean([])).toBe(0);
  });
  it("reads BEIR qrels with a header", () => {
    expect(parseQrels("query-id\tcorpus-id\tscore\n1\t10\t1\n1\t11\t2\n").get("1")).toEqual(
      new Map([
        ["10", 1],
        ["11", 2],
      ]),
    );
  });
});

describe("runEval", () => {
  it("measures a small set end to end", async () => {
    const dir = path.join(FIXTURES, "eval");
    const report = await runEval({
      docs: path.join(dir, "docs.jsonl"),
      questions: path.join(dir, "questions.jsonl"),
      qrels: path.join(dir, "qrels.tsv"),
    });
    expect(report.questions).toBe(4);
    // q1-q3 find their document first; q4 is about nothing in the corpus.
    expect(report["recall@1"]).toBe(0.75);
    expect(report["ndcg@10"]).toBe(0.75);
    // q1 and q2 quote their answers; q3's gold answer ("9 percent") is not in the text; q4 quotes nothing.
    expect(report["answerInQuotes@3"]).toBe(0.5);
    expect(report.nothingRelevant).toBe(0.25);
    expect(report.meanQuoteChars).toBeGreaterThan(20);
  });
});

describe("eval from the command line", () => {
  const dir = path.join(FIXTURES, "eval");
  const args = [
    "eval",
    "--docs",
    path.join(dir, "docs.jsonl"),
    "--questions",
    path.join(dir, "questions.jsonl"),
  ];
  const run = async (...extra: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      [...args, ...extra],
      { out: (t) => out.push(t), err: (t) => err.push(t) },
      {
        LOG_LEVEL: "silent",
      },
    );
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("--dump writes one line per question, with what was quoted and why nothing was", async () => {
    const { dir: tmp, cleanup } = tempDir();
    try {
      const file = path.join(tmp, "dump.jsonl");
      const { code } = await run("--json", "--dump", file);
      expect(code).toBe(0);
      const records = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(records).toHaveLength(4);
      expect(Object.keys(records[0]).sort()).toEqual(
        [
          "answerInQuotes1",
          "answerInQuotes3",
          "answers",
          "gold",
          "id",
          "question",
          "quotes",
          "ranked",
          "status",
        ].sort(),
      );
      const refused = records.filter((r) => r.status === "nothing-relevant");
      expect(refused).toHaveLength(1);
      expect(refused[0].quotes).toEqual([]);
      expect(refused[0].reason).toMatch(/No article in the corpus mentions/);
      expect(records.filter((r) => r.answerInQuotes3)).toHaveLength(2);
    } finally {
      cleanup();
    }
  });

  it("--min-relevance moves the threshold (1 refuses all, 0 only what matches nothing); outside 0..1 is an error", async () => {
    const all = JSON.parse((await run("--json", "--min-relevance", "1")).out);
    expect(all.nothingRelevant).toBe(1);
    const never = JSON.parse((await run("--json", "--min-relevance", "0")).out);
    // q4's words stand in no article at all: there is nothing to quote whatever the threshold.
    expect(never.nothingRelevant).toBe(0.25);
    const bad = await run("--min-relevance", "lots");
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--min-relevance is a number from 0/);
  });

  it("names a missing input file instead of printing a trace", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ["eval", "--docs", "/nowhere/docs.jsonl", "--questions", "/nowhere/q.jsonl"],
      { out: (t) => out.push(t), err: (t) => err.push(t) },
      { LOG_LEVEL: "silent" },
    );
    expect(code).toBe(1);
    expect(err.join("\n")).toBe("The documents file /nowhere/docs.jsonl does not exist.");
  });
});
