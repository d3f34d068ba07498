import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listFiles, loadFile } from "../src/corpus/load.js";
import { readMarkdown } from "../src/corpus/readers/markdown.js";
import { CORPUS, SEED } from "./helpers.js";

const at = (name: string) => path.join(CORPUS, name);

describe("Markdown reader", () => {
  it("reads front matter and strips Markdown syntax and boilerplate", async () => {
    const { articles, warnings } = await loadFile(at("lithium-plant.md"));
    expect(warnings).toEqual([]);
    const [a] = articles;
    expect(a?.title).toBe("Battery maker opens lithium refinery in Nevada");
    expect(a?.url).toBe("https://news.example.com/energy/lithium-refinery");
    expect(a?.site).toBe("Example Energy News");
    expect(a?.publishedAt).toBe("2024-03-05");
    expect(a?.author).toBe("Dana Reyes");
    expect(a?.text).toContain("its new refinery will process");
    // The body's "# heading" repeats the front matter's title: it is not kept as a paragraph.
    expect(a?.text.startsWith("The company said on Tuesday")).toBe(true);
    expect(a?.text).toContain("Critics said the permitting process was rushed.");
    expect(a?.text).not.toMatch(/\*\*|\]\(|^#/m);
    expect(a?.text).not.toContain("Share this");
    expect(a?.text).not.toContain("Lithium prices fall");
  });

  it("warns about broken front matter and still reads the body", () => {
    const { drafts, warnings } = readMarkdown("---\ntitle: [unclosed\n---\nBody text here.", "bad.md");
    expect(warnings[0]).toMatch(/bad\.md: front matter is not valid YAML/);
    expect(drafts[0]?.body).toContain("Body text here.");
  });
});

describe("plain-text reader", () => {
  it("takes the title from the first line and metadata from sources.json", async () => {
    const [a] = (await loadFile(SEED)).articles;
    expect(a?.title).toBe(
      "Deputy Minister of the Ministry of Industry and Information Technology: China’s Rare Earth Industry Entered A Healthy Development Track",
    );
    expect(a?.url).toMatch(/^https:\/\/www\.globalreesventure\.com\/rare-earth-element-industry\//);
    expect(a?.site).toBe("Global REEs Venture (globalreesventure.com)");
    expect(a?.publishedAt).toBe("2018-09-10");
    expect(a?.text.startsWith("On September 10, 2018")).toBe(true);
    expect(a?.text.split("\n\n")).toHaveLength(2);
    for (const junk of ["Please follow", "Hits", "Leave a Reply", "email address"])
      expect(a?.text).not.toContain(junk);
  });
});

describe("HTML reader", () => {
  it("extracts the main content and metadata, without navigation, scripts or boilerplate", async () => {
    const [a] = (await loadFile(at("harbor.html"))).articles;
    expect(a?.title).toBe("City council approves harbor dredging plan");
    expect(a?.url).toBe("https://coastal.example.org/news/harbor-dredging-approved");
    expect(a?.site).toBe("Coastal Times");
    expect(a?.publishedAt).toBe("2023-11-02T09:30:00.000Z");
    expect(a?.author).toBe("Sam Lee");
    expect(a?.text).toContain(
      "Harbor master Jonas Berg said that cargo ships currently wait up to six hours",
    );
    expect(a?.text.split("\n\n").length).toBeGreaterThanOrEqual(3);
    for (const junk of ["tracking", "cookies", "Hits", "follow and like", "©", "Home"])
      expect(a?.text).not.toContain(junk);
  });
});

describe("JSON readers", () => {
  it("reads JSONL records, reporting a malformed line with its number and loading the others", async () => {
    const { articles, warnings } = await loadFile(at("briefs.jsonl"));
    expect(articles.map((a) => a.id)).toEqual(["brief-1", "brief-2"]);
    expect(articles[0]?.publishedAt).toBe("2022-06-20");
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/briefs\.jsonl:3: malformed JSON line skipped/);
    expect(warnings[1]).toMatch(/briefs\.jsonl:4: record skipped: no "text"/);
  });

  it("reads a JSON array and gives records without an id the hash of their URL", async () => {
    const { articles } = await loadFile(at("roundup.json"));
    expect(articles).toHaveLength(1);
    expect(articles[0]?.id).toMatch(/^u[0-9a-f]{16}$/);
    expect(articles[0]?.site).toBe("culture.example.com");
  });

  it("the same story from a JSONL export and from its web page is one article; a record's own id keeps it apart", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "verbatim-identity-"));
    try {
      const page = (await loadFile(at("harbor.html"))).articles[0];
      const url = "https://coastal.example.org/news/harbor-dredging-approved?utm_source=feed";
      const record = { title: "Harbor dredging approved", url, text: "The city council approved dredging." };
      writeFileSync(path.join(dir, "export.jsonl"), `${JSON.stringify(record)}\n`);
      const [fromExport] = (await loadFile(path.join(dir, "export.jsonl"))).articles;
      expect(fromExport?.id).toBe(page?.id);
      // Datasets give several records one URL (paragraphs of one page): their ids keep them apart.
      writeFileSync(
        path.join(dir, "dataset.jsonl"),
        ["p1", "p2"].map((id) => JSON.stringify({ ...record, id, text: `Paragraph ${id}.` })).join("\n"),
      );
      const ids = (await loadFile(path.join(dir, "dataset.jsonl"))).articles.map((a) => a.id);
      expect(ids).toEqual(["p1", "p2"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("files that cannot be read", () => {
  it("skips empty and binary files with a warning naming the file", async () => {
    const empty = await loadFile(at("empty.txt"));
    expect(empty.articles).toEqual([]);
    expect(empty.warnings[0]).toMatch(/empty\.txt: skipped: empty file/);
    const binary = await loadFile(at("archive.txt"));
    expect(binary.articles).toEqual([]);
    expect(binary.warnings[0]).toMatch(/archive\.txt: skipped: binary file/);
  });

  it("lists readable files only and never reads the manifest as an article", async () => {
    const { files } = await listFiles([CORPUS]);
    const names = files.map((f) => path.basename(f));
    expect(names).not.toContain("sources.json");
    expect(names).toContain("harbor.html");
  });

  it("skips a file over the size limit, keeping what it gave before", async () => {
    const { mkdtempSync, rmSync, truncateSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(path.join(tmpdir(), "verbatim-big-"));
    try {
      const big = path.join(dir, "huge.txt");
      writeFileSync(big, "Title\n\nBody.");
      truncateSync(big, 101 * 1024 * 1024);
      const loaded = await loadFile(big);
      expect(loaded.articles).toEqual([]);
      expect(loaded.warnings[0]).toMatch(/huge\.txt: skipped: 101 MB is over the 100 MB limit/);
      expect(loaded.hash).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names a path that does not exist", async () => {
    const { warnings } = await listFiles([path.join(CORPUS, "missing-folder")]);
    expect(warnings[0]).toMatch(/missing-folder: no such file or folder/);
  });
});
