import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IndexStore } from "../src/index/store.js";
import { createLogger } from "../src/log.js";
import { isPublicAddress } from "../src/web/address.js";
import { createFetcher } from "../src/web/fetch.js";
import { addUrl, feedBackoffMinutes, pollFeed, type WebDeps } from "../src/web/ingest.js";
import { ask, SYNONYMS } from "./helpers.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const hits = new Map<string, number>();
let server: Server;
let base: string;

const page = (title: string, body: string, extra = "") =>
  `<!doctype html><html><head><title>${title}</title><link rel="canonical" href="${base}/canonical/${encodeURIComponent(title)}?utm_source=x">${extra}</head><body><nav>Home » News</nav><article><h1>${title}</h1>${body}<p>Please follow and like us:</p><p>Hits: 36</p></article><footer>Leave a Reply</footer></body></html>`;
const send =
  (type: string, body: string, status = 200, headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { "content-type": type, ...headers });
    res.end(body);
  };
const LONG =
  "<p>The regional water board approved a plan on Tuesday to rebuild the eastern reservoir dam, which cracked during the spring floods.</p><p>Engineers said the work will take two years and cost 40 million euros, paid by the national recovery fund.</p><p>Farmers downstream asked for compensation while irrigation is limited during construction.</p><p>The board's chair said a temporary weir will keep the river level stable for fishing clubs and boat owners until the new dam is finished.</p>";

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else send("text/plain", "not found", 404)(req, res);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  routes.clear();
  hits.clear();
});

const fetcher = (over: Partial<Parameters<typeof createFetcher>[0]> = {}) =>
  createFetcher({ allowPrivate: true, timeoutMs: 2000, maxBytes: 200_000, hostSpacingMs: 0, ...over });

function deps(): WebDeps {
  const store = new IndexStore(":memory:");
  return {
    store,
    fetcher: fetcher(),
    feeds: store.feeds,
    log: createLogger(process.env.DEBUG_WEB ? "debug" : "silent"),
  };
}

describe("addresses", () => {
  it("refuses loopback, private, link-local, metadata and unique-local addresses", () => {
    for (const ip of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.5.4",
      "192.168.1.1",
      "169.254.169.254",
      "::1",
      "fc00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      // IPv6 forms that carry a private IPv4 address: IPv4-compatible, NAT64 (well-known and local-use), 6to4, Teredo.
      "::7f00:1",
      "::a00:1",
      "64:ff9b::7f00:1",
      "64:ff9b:1::a9fe:a9fe",
      "2002:c0a8:101::1",
      "2001:0:4136:e378:8000:63bf:f5ff:fffe",
      "0.0.0.0",
      "100.64.0.1",
    ]) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
    for (const ip of ["93.184.216.34", "2606:4700::1111", "1.1.1.1"])
      expect(isPublicAddress(ip), ip).toBe(true);
  });
});

describe("fetching safely", () => {
  it("refuses private addresses without ALLOW_PRIVATE_URLS: directly, through a redirect, and through a hostname", async () => {
    routes.set("/article", send("text/html", page("Dam", LONG)));
    routes.set("/hop", send("text/html", "", 302, { location: `${base}/article` }));
    const strict = fetcher({ allowPrivate: false });
    await expect(strict.fetch(`${base}/article`, "html")).rejects.toThrow(
      /127\.0\.0\.1 is a private or local address; refused \(set ALLOW_PRIVATE_URLS=true to allow/,
    );
    await expect(strict.fetch(`http://localhost:${new URL(base).port}/article`, "html")).rejects.toThrow(
      /localhost resolves to a private or local address/,
    );
    await expect(strict.fetch("http://169.254.169.254/latest/meta-data/", "html")).rejects.toThrow(/refused/);
    await expect(strict.fetch("http://[::1]/", "html")).rejects.toThrow(/refused/);
    // The URL parser turns [::127.0.0.1] into [::7f00:1]: still loopback.
    await expect(strict.fetch(`http://[::127.0.0.1]:${new URL(base).port}/article`, "html")).rejects.toThrow(
      /refused/,
    );
    await expect(strict.fetch("file:///etc/passwd", "html")).rejects.toThrow(/only http and https/);
    expect(hits.get("/article") ?? 0).toBe(0);
    await strict.close();
  });

  it("follows up to 5 redirects, refuses a longer chain", async () => {
    routes.set("/article", send("text/html", page("Dam", LONG)));
    for (let i = 1; i <= 7; i++)
      routes.set(`/r${i}`, send("text/html", "", 301, { location: i === 7 ? "/article" : `/r${i + 1}` }));
    const f = fetcher();
    expect((await f.fetch(`${base}/r3`, "html")).url).toBe(`${base}/article`);
    await expect(f.fetch(`${base}/r1`, "html")).rejects.toThrow(/more than 5 redirects/);
  });

  it("refuses a page over the size cap, a wrong content type, and a slow server", async () => {
    routes.set("/big", send("text/html", `<html><body>${"x".repeat(300_000)}</body></html>`));
    routes.set("/chunked", (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      for (let i = 0; i < 30; i++) res.write("y".repeat(10_000));
      res.end();
    });
    routes.set("/pdf", send("application/pdf", "%PDF-1.4"));
    routes.set("/slow", (_req, res) => {
      setTimeout(() => send("text/html", page("Slow", LONG))(_req, res), 1500);
    });
    const f = fetcher({ timeoutMs: 500 });
    await expect(f.fetch(`${base}/big`, "html")).rejects.toThrow(/over the 0 MB limit|more than/);
    await expect(f.fetch(`${base}/chunked`, "html")).rejects.toThrow(/sent more than/);
    await expect(f.fetch(`${base}/pdf`, "html")).rejects.toThrow(
      /sent application\/pdf, not a web page; refused/,
    );
    await expect(f.fetch(`${base}/slow`, "html")).rejects.toThrow(/did not answer within/);
    // Headers at once, then a body that stalls: the message says what timed out, and after how long.
    routes.set("/stalls", (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.write("<html><body><p>The first part arrived");
    });
    const stalled = f.fetch(`${base}/stalls`, "html");
    await expect(stalled).rejects.toThrow(/^127\.0\.0\.1:\d+ stopped sending the page after 0\.5 s$/);
  });

  it("refuses a declared oversized body cleanly: no unhandled error, the process keeps serving", async () => {
    const unhandled: unknown[] = [];
    const onError = (error: unknown) => unhandled.push(error);
    process.on("uncaughtException", onError);
    try {
      routes.set("/huge", (_req, res) => {
        // Declares 50 MB and keeps sending, the way a hostile or broken site would.
        res.writeHead(200, { "content-type": "text/html", "content-length": String(50_000_000) });
        const timer = setInterval(() => res.write("z".repeat(64_000)), 5);
        res.on("close", () => clearInterval(timer));
      });
      const f = fetcher();
      await expect(f.fetch(`${base}/huge`, "html")).rejects.toThrow(/would send 50 MB, over the 0 MB limit/);
      const d = deps();
      await expect(addUrl(d, `${base}/huge`)).rejects.toThrow(/over the 0 MB limit/);
      await new Promise((r) => setTimeout(r, 100));
      expect(unhandled).toEqual([]);
      // Still serving: the next page is fetched and indexed.
      routes.set("/after", send("text/html", page("After", LONG)));
      expect((await addUrl(d, `${base}/after`)).kind).toBe("article");
    } finally {
      process.off("uncaughtException", onError);
    }
  });

  it("respects robots.txt and sends a clear User-Agent", async () => {
    let agent = "";
    routes.set("/robots.txt", send("text/plain", "User-agent: *\nDisallow: /private/\n"));
    routes.set("/private/a", send("text/html", page("Secret", LONG)));
    routes.set("/public", (req, res) => {
      agent = String(req.headers["user-agent"]);
      send("text/html", page("Public", LONG))(req, res);
    });
    const f = fetcher();
    await expect(f.fetch(`${base}/private/a`, "html")).rejects.toThrow(/robots\.txt does not allow/);
    await f.fetch(`${base}/public`, "html");
    expect(agent).toMatch(/^VerbatimBot\//);
  });
});

describe("adding a URL", () => {
  it("extracts the article without boilerplate, takes the canonical URL without tracking as its identity, and /ask finds it", async () => {
    routes.set(
      "/news/dam",
      send(
        "text/html",
        page(
          "Reservoir dam to be rebuilt",
          LONG,
          '<meta property="article:published_time" content="2026-05-04T08:00:00Z"><meta property="og:site_name" content="Valley Courier">',
        ),
      ),
    );
    const d = deps();
    const result = await addUrl(d, `${base}/news/dam?utm_medium=email`);
    expect(result.kind).toBe("article");
    if (result.kind !== "article") return;
    expect(result.article.url).toBe(`${base}/canonical/Reservoir%20dam%20to%20be%20rebuilt`);
    expect(result.article.site).toBe("Valley Courier");
    expect(result.article.publishedAt).toBe("2026-05-04T08:00:00.000Z");
    expect(result.article.text).not.toMatch(/follow and like|Hits|Leave a Reply|Home »/);
    const again = await addUrl(d, `${base}/news/dam`);
    expect(again.kind === "article" && again.outcome).toBe("unchanged");
    expect(d.store.stats().articles).toBe(1);
    const answer = await ask(
      { store: d.store, synonyms: SYNONYMS },
      "how much will rebuilding the dam cost?",
    );
    expect(answer.quotes[0]?.text).toContain("40 million euros");
  });
});

const rss = (items: { guid: string; link: string; title: string; content?: string }[]) =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Valley Courier</title><link>${base}</link><description>d</description>${items
    .map(
      (i) =>
        `<item><guid>${i.guid}</guid><link>${i.link}</link><title>${i.title}</title><pubDate>Mon, 04 May 2026 08:00:00 GMT</pubDate>${i.content ? `<content:encoded><![CDATA[${i.content}]]></content:encoded>` : "<description>Short teaser.</description>"}</item>`,
    )
    .join("")}</channel></rss>`;

describe("feeds", () => {
  it("reads RSS with full text, Atom by fetching the pages, and JSON Feed", async () => {
    routes.set(
      "/rss",
      send(
        "application/rss+xml",
        rss([{ guid: "a1", link: `${base}/a1`, title: "Dam rebuilt", content: LONG }]),
      ),
    );
    routes.set(
      "/p1",
      send("text/html", page("Ferry strike called off", LONG.replace("reservoir dam", "ferry terminal"))),
    );
    routes.set(
      "/atom",
      send(
        "application/atom+xml",
        `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Times</title><id>urn:x</id><updated>2026-05-04T08:00:00Z</updated><entry><id>urn:p1</id><title>Ferry strike called off</title><link href="${base}/p1"/><updated>2026-05-04T08:00:00Z</updated><summary>Teaser only.</summary></entry></feed>`,
      ),
    );
    routes.set(
      "/json",
      send(
        "application/feed+json",
        JSON.stringify({
          version: "https://jsonfeed.org/version/1.1",
          title: "Metro Wire",
          items: [
            {
              id: "j1",
              url: `${base}/j1`,
              title: "Library opens",
              content_text: `${"The new city library opened on Saturday with forty thousand books and a rooftop garden. ".repeat(4)}\n\nVisitors queued for an hour.`,
            },
          ],
        }),
      ),
    );
    const d = deps();
    for (const url of ["/rss", "/atom", "/json"]) {
      const r = await addUrl(d, `${base}${url}`);
      expect(r.kind).toBe("feed");
      if (r.kind === "feed") expect(r.added, url).toBe(1);
    }
    expect(hits.get("/a1") ?? 0).toBe(0);
    expect(hits.get("/p1")).toBe(1);
    expect(
      d.feeds
        .all()
        .map((f) => f.title)
        .sort(),
    ).toEqual(["Harbour Times", "Metro Wire", "Valley Courier"]);
    expect(d.store.stats().articles).toBe(3);
  });

  it("does not repost when a feed changes GUIDs, and sends conditional requests answered by 304", async () => {
    let guid = "g1";
    let etagSeen: string | undefined;
    routes.set("/feed", (req, res) => {
      etagSeen = req.headers["if-none-match"] as string | undefined;
      if (etagSeen === '"v2"') return send("application/rss+xml", "", 304)(req, res);
      send(
        "application/rss+xml",
        rss([{ guid, link: `${base}/story?utm_source=rss`, title: "Dam", content: LONG }]),
        200,
        { etag: guid === "g1" ? '"v1"' : '"v2"' },
      )(req, res);
    });
    const d = deps();
    await addUrl(d, `${base}/feed`);
    const feed = () => d.feeds.get(`${base}/feed`);
    guid = "g2-renamed";
    const now = new Date(Date.now() + 3_600_000);
    expect(await pollFeed(d, feed() ?? ({} as never), now)).toBe(0);
    expect(etagSeen).toBe('"v1"');
    expect(await pollFeed(d, feed() ?? ({} as never), now)).toBe(0);
    expect(etagSeen).toBe('"v2"');
    expect(feed()?.error).toBeNull();
    expect(d.store.stats().articles).toBe(1);
  });

  it("backs off a failing feed, shows its error, and recovers", async () => {
    let fail = true;
    routes.set("/flaky", (req, res) =>
      (fail
        ? send("text/plain", "oops", 500)
        : send("application/rss+xml", rss([{ guid: "x", link: `${base}/x`, title: "Dam", content: LONG }])))(
        req,
        res,
      ),
    );
    const d = deps();
    d.feeds.add(`${base}/flaky`, 30, null);
    const t0 = new Date("2026-05-04T08:00:00Z");
    await pollFeed(d, d.feeds.get(`${base}/flaky`) ?? ({} as never), t0);
    await pollFeed(d, d.feeds.get(`${base}/flaky`) ?? ({} as never), t0);
    const failing = d.feeds.get(`${base}/flaky`);
    expect(failing?.failures).toBe(2);
    expect(failing?.error).toMatch(/HTTP 500/);
    expect(Date.parse(failing?.nextPollAt ?? "") - t0.getTime()).toBe(feedBackoffMinutes(30, 2) * 60_000);
    fail = false;
    expect(await pollFeed(d, d.feeds.get(`${base}/flaky`) ?? ({} as never), t0)).toBe(1);
    expect(d.feeds.get(`${base}/flaky`)).toMatchObject({ failures: 0, error: null, items: 1 });
  });

  it("refuses a document that is not a feed", async () => {
    routes.set("/notfeed", send("application/json", JSON.stringify({ hello: "world" })));
    await expect(addUrl(deps(), `${base}/notfeed`)).rejects.toThrow(/not a JSON Feed/);
  });
});
