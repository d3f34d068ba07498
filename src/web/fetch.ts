import { lookup as dnsLookup } from "node:dns";
import { isIP } from "node:net";
import robotsParserModule from "robots-parser";
import { Agent, type Dispatcher, request } from "undici";
import { inSeconds } from "../errors.js";
import { isPublicAddress } from "./address.js";

type Robots = { isAllowed(url: string, ua?: string): boolean | undefined };
// robots-parser is CommonJS (`module.exports = fn`) while its types declare a default export.
const robotsParser = robotsParserModule as unknown as (url: string, text: string) => Robots;

/** A fetch refused or failed, with a message fit for users. */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly kind: "refused" | "network" | "http" | "too-large" | "content-type" | "robots" | "timeout",
  ) {
    super(message);
    this.name = "FetchError";
  }
}

/** What a fetch may return. */
export type Expect = "html" | "feed" | "html-or-feed";

const CONTENT_TYPES: Record<Expect, RegExp> = {
  html: /^(text\/html|application\/xhtml\+xml)/i,
  feed: /^(application\/(rss\+xml|atom\+xml|rdf\+xml|xml|feed\+json|json)|text\/xml)/i,
  "html-or-feed":
    /^(text\/html|application\/xhtml\+xml|application\/(rss\+xml|atom\+xml|rdf\+xml|xml|feed\+json|json)|text\/xml)/i,
};

/** A fetched document. */
export interface Fetched {
  /** The URL after redirects. */
  url: string;
  status: number;
  contentType: string;
  body: string;
  etag: string | null;
  lastModified: string | null;
  notModified: boolean;
}

/** Fetcher settings. */
export interface FetcherOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Requests in flight at once, over all hosts. */
  concurrency?: number;
  /** Time between two requests to the same host. */
  hostSpacingMs?: number;
}

export const USER_AGENT =
  "VerbatimBot/0.1 (+https://github.com/verbatim-bot/verbatim; news quotes for Discord)";

/**
 * Fetch with the protections a server that fetches user-given URLs needs: http(s) only, at most 5 redirects,
 * every hop's address checked (private, loopback, link-local and metadata addresses refused, also at connect time,
 * so DNS cannot change the answer in between), a timeout, a size cap, content-type checks, robots.txt, a clear
 * User-Agent, a bounded number of requests at a time and spacing per host.
 */
export function createFetcher(options: FetcherOptions) {
  const userAgent = options.userAgent ?? USER_AGENT;
  const maxRedirects = options.maxRedirects ?? 5;
  const robotsCache = new Map<string, { at: number; robots: Robots | null }>();
  const lastByHost = new Map<string, number>();
  let active = 0;
  const waiting: (() => void)[] = [];

  const guardedLookup = ((hostname: string, opts: object, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const list = addresses as { address: string; family: number }[];
      const bad = list.find((a) => !isPublicAddress(a.address));
      if (bad && !options.allowPrivate) {
        return callback(
          new FetchError(
            `${hostname} resolves to a private or local address (${bad.address}); refused (set ALLOW_PRIVATE_URLS=true to allow such addresses, on a trusted network only)`,
            "refused",
          ),
        );
      }
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`));
      // Node asks for one address or for all, depending on the caller.
      if ((opts as { all?: boolean }).all) callback(null, list);
      else callback(null, first.address, first.family);
    });
  }) as unknown as NonNullable<ConstructorParameters<typeof Agent>[0]>["connect"] extends infer C
    ? C extends { lookup?: infer L }
      ? L
      : never
    : never;

  const dispatcher: Dispatcher = new Agent({
    connect: { lookup: guardedLookup },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });

  async function slot<T>(host: string, work: () => Promise<T>): Promise<T> {
    const limit = options.concurrency ?? 4;
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      const spacing = options.hostSpacingMs ?? 1000;
      const wait = (lastByHost.get(host) ?? 0) + spacing - Date.now();
      lastByHost.set(host, Math.max(Date.now(), (lastByHost.get(host) ?? 0) + spacing));
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  }

  function checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new FetchError(`"${raw.slice(0, 200)}" is not a URL`, "refused");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new FetchError(`only http and https URLs can be fetched (not ${url.protocol})`, "refused");
    if (url.username || url.password) throw new FetchError("URLs with credentials are refused", "refused");
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) && !options.allowPrivate && !isPublicAddress(host)) {
      throw new FetchError(
        `${host} is a private or local address; refused (set ALLOW_PRIVATE_URLS=true to allow such addresses, on a trusted network only)`,
        "refused",
      );
    }
    return url;
  }

  async function once(url: URL, headers: Record<string, string>, signal: AbortSignal) {
    try {
      return await request(url, {
        method: "GET",
        headers: { "user-agent": userAgent, ...headers },
        dispatcher,
        signal,
        maxRedirections: 0,
      } as Parameters<typeof request>[1]);
    } catch (error) {
      if (error instanceof FetchError) throw error;
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof FetchError) throw cause;
      if (
        signal.aborted ||
        (error as Error).name === "AbortError" ||
        /timeout/i.test((error as Error).name)
      ) {
        throw new FetchError(
          `${url.host} did not answer within ${inSeconds(options.timeoutMs)} s`,
          "timeout",
        );
      }
      throw new FetchError(`could not reach ${url.host} (${(error as Error).message})`, "network");
    }
  }

  /**
   * Drop a response body without reading it. undici's stream emits an 'error' (RequestAbortedError) when destroyed,
   * and an 'error' event with no listener kills the process: a site declaring a huge body could take the bot down.
   */
  function discard(body: Dispatcher.ResponseData["body"]): void {
    body.on("error", () => {});
    body.destroy();
  }

  async function readCapped(body: Dispatcher.ResponseData["body"], url: URL): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        if (size > options.maxBytes) {
          discard(body);
          throw new FetchError(
            `${url.host} sent more than ${Math.round(options.maxBytes / 1e6)} MB; refused`,
            "too-large",
          );
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof FetchError) throw error;
      // A body that stalls ends in undici's body timeout or the request's abort signal ("The operation was aborted
      // due to timeout"): say what stopped, and after how long.
      const name = (error as Error).name;
      if (name === "AbortError" || /timeout/i.test(name) || /timeout/i.test((error as Error).message))
        throw new FetchError(
          `${url.host} stopped sending the page after ${inSeconds(options.timeoutMs)} s`,
          "timeout",
        );
      throw new FetchError(
        `${url.host} broke off while sending the page (${(error as Error).message})`,
        "network",
      );
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  async function raw(
    target: string,
    expect: Expect,
    conditional: { etag?: string | null; lastModified?: string | null },
    signal: AbortSignal,
  ): Promise<Fetched> {
    let url = checkUrl(target);
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {
        accept:
          expect === "html"
            ? "text/html,application/xhtml+xml"
            : "application/rss+xml,application/atom+xml,application/feed+json,application/xml,text/xml,text/html;q=0.5",
      };
      if (conditional.etag) headers["if-none-match"] = conditional.etag;
      if (conditional.lastModified) headers["if-modified-since"] = conditional.lastModified;
      const current = url;
      const res = await slot(current.host, () => once(current, headers, signal));
      if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304) {
        await res.body.dump();
        const location = res.headers.location;
        if (!location) throw new FetchError(`${url.host} redirected nowhere`, "http");
        if (hop + 1 > maxRedirects)
          throw new FetchError(`more than ${maxRedirects} redirects; refused`, "refused");
        url = checkUrl(new URL(String(location), url).toString());
        continue;
      }
      const header = (name: string) => {
        const v = res.headers[name];
        return v === undefined ? null : String(Array.isArray(v) ? v[0] : v);
      };
      if (res.statusCode === 304) {
        await res.body.dump();
        return {
          url: url.toString(),
          status: 304,
          contentType: "",
          body: "",
          etag: header("etag"),
          lastModified: header("last-modified"),
          notModified: true,
        };
      }
      if (res.statusCode >= 400) {
        await res.body.dump();
        throw new FetchError(`${url.host} answered HTTP ${res.statusCode}`, "http");
      }
      const contentType = header("content-type") ?? "";
      if (!CONTENT_TYPES[expect].test(contentType)) {
        await res.body.dump();
        throw new FetchError(
          `${url.host} sent ${contentType.split(";")[0] || "an unknown type"}, not ${expect === "html" ? "a web page" : expect === "feed" ? "a feed" : "a web page or a feed"}; refused`,
          "content-type",
        );
      }
      const length = Number(header("content-length") ?? 0);
      if (length > options.maxBytes) {
        discard(res.body);
        throw new FetchError(
          `${url.host} would send ${Math.round(length / 1e6)} MB, over the ${Math.round(options.maxBytes / 1e6)} MB limit; refused`,
          "too-large",
        );
      }
      const body = await readCapped(res.body, url);
      return {
        url: url.toString(),
        status: res.statusCode,
        contentType,
        body,
        etag: header("etag"),
        lastModified: header("last-modified"),
        notModified: false,
      };
    }
  }

  async function allowedByRobots(url: URL, signal: AbortSignal): Promise<boolean> {
    const origin = url.origin;
    const cached = robotsCache.get(origin);
    let robots = cached && Date.now() - cached.at < 3_600_000 ? cached.robots : undefined;
    if (robots === undefined) {
      const robotsUrl = `${origin}/robots.txt`;
      try {
        const res = await raw(robotsUrl, "html-or-feed", {}, signal).catch(async (e: unknown) => {
          // robots.txt is text/plain: fetch it without the page content-type rule.
          if (e instanceof FetchError && e.kind === "content-type") return rawText(robotsUrl, signal);
          throw e;
        });
        robots = robotsParser(robotsUrl, res.body);
      } catch (error) {
        if (error instanceof FetchError && (error.kind === "refused" || error.kind === "timeout"))
          throw error;
        robots = null;
      }
      robotsCache.set(origin, { at: Date.now(), robots });
    }
    return robots ? robots.isAllowed(url.toString(), userAgent) !== false : true;
  }

  async function rawText(target: string, signal: AbortSignal): Promise<Fetched> {
    const url = checkUrl(target);
    const res = await slot(url.host, () => once(url, {}, signal));
    if (res.statusCode >= 400) {
      await res.body.dump();
      throw new FetchError(`robots.txt: HTTP ${res.statusCode}`, "http");
    }
    return {
      url: url.toString(),
      status: res.statusCode,
      contentType: "text/plain",
      body: await readCapped(res.body, url),
      etag: null,
      lastModified: null,
      notModified: false,
    };
  }

  return {
    /** Fetch a page or a feed, honouring robots.txt; throws FetchError with a message for users. */
    async fetch(
      target: string,
      expect: Expect,
      conditional: { etag?: string | null; lastModified?: string | null } = {},
    ): Promise<Fetched> {
      const signal = AbortSignal.timeout(options.timeoutMs);
      const url = checkUrl(target);
      if (!(await allowedByRobots(url, signal)))
        throw new FetchError(`${url.host}'s robots.txt does not allow fetching this page`, "robots");
      return raw(url.toString(), expect, conditional, signal);
    },
    async close(): Promise<void> {
      await dispatcher.close();
    },
  };
}

export type Fetcher = ReturnType<typeof createFetcher>;
