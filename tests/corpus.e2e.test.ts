import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessBot, startInProcessBot, subcommand } from "./fake-discord/in-process.js";

let site: Server;
let base: string;
let env: InProcessBot;

const ARTICLE = `<!doctype html><html><head><title>Tram line opens</title><meta property="og:site_name" content="Metro Wire"><meta property="article:published_time" content="2026-11-20T09:00:00Z"></head><body><article><h1>Tram line opens</h1>
<p>The new tram line between the university and the central station opened on Friday, cutting the journey to twelve minutes.</p>
<p>The transport authority said trams will run every six minutes at peak times and every ten minutes in the evening.</p>
<p>Shopkeepers along the route said the construction work had cost them customers for two years.</p></article></body></html>`;

beforeAll(async () => {
  site = createServer((req, res) => {
    if (req.url === "/tram") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(ARTICLE);
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("no");
    }
  });
  site.listen(0, "127.0.0.1");
  await once(site, "listening");
  base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  env = await startInProcessBot({ ALLOW_PRIVATE_URLS: "true" });
}, 30_000);

afterAll(async () => {
  await env?.stop();
  site?.close();
});

describe("/corpus through a fake Discord", () => {
  it("refuses a member without Manage Server", async () => {
    const reply = await subcommand(
      env.fake,
      "corpus",
      "add-url",
      [{ name: "url", type: 3, value: `${base}/tram` }],
      { permissions: "0" },
    );
    expect(reply.content).toMatch(/Manage Server/);
    expect(env.corpus.store.stats().articles).toBe(0);
  });

  it("indexes a page for a manager, shows its title and first passage, and /ask finds it", async () => {
    const reply = await subcommand(env.fake, "corpus", "add-url", [
      { name: "url", type: 3, value: `${base}/tram` },
    ]);
    expect(reply.content).toMatch(
      /^Indexed: \*\*Tram line opens\*\* — Metro Wire — 2026-11-20\n> The new tram line between the university/,
    );
    const { token } = env.fake.slash(
      "ask",
      [{ name: "question", type: 3, value: "how often will the trams run?" }],
      { userId: "1400000000000000077" },
    );
    const edit = await env.fake.waitFor(
      (r) => r.method === "PATCH" && r.path.endsWith(`/${token}/messages/@original`),
    );
    expect((edit.body as { embeds?: { description?: string }[] }).embeds?.[0]?.description ?? "").toContain(
      "trams will run every six minutes",
    );
  });

  it("explains a URL it cannot add, and shows stats and feeds", async () => {
    expect(
      (await subcommand(env.fake, "corpus", "add-url", [{ name: "url", type: 3, value: `${base}/missing` }]))
        .content,
    ).toMatch(/could not add .*HTTP 404/);
    expect(
      (
        await subcommand(env.fake, "corpus", "add-url", [
          { name: "url", type: 3, value: "ftp://example.com/x" },
        ])
      ).content,
    ).toMatch(/only http and https/);
    expect((await subcommand(env.fake, "corpus", "stats")).content).toMatch(/\*\*1\*\* articles/);
    expect((await subcommand(env.fake, "corpus", "list")).content).toMatch(/No feeds yet/);
  });
});
