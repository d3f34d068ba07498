#!/usr/bin/env node
import "./env.js";
import { createWriteStream, existsSync } from "node:fs";
import path from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { embedderFromConfig } from "./answer/setup.js";
import { type App, createApp } from "./app.js";
import { type Config, loadConfig, RELEVANCE_RANGE, relevanceThreshold } from "./config.js";
import { digestOfWindow } from "./digest/build.js";
import { renderDigestText } from "./digest/render-text.js";
import { isUserFacing, VerbatimError } from "./errors.js";
import { ALTERNATIVES, type Alternative } from "./eval/engines/engine.js";
import { runEval } from "./eval/run.js";
import { type CopyReport, copyIndex } from "./index/copy.js";
import { indexLocation, isPostgresUrl } from "./index/location.js";
import { openCorpus, openIndex } from "./index/open.js";
import { indexProblem } from "./index/sqlite/database.js";
import { IndexStore } from "./index/store.js";
import { afterChange } from "./ingest/after-change.js";
import { describeIngest, ingestPaths } from "./ingest/files.js";
import { createLogger } from "./log.js";
import { progressBar } from "./render/progress.js";
import { renderAnswerText, renderHitsText } from "./render/text.js";
import { search } from "./search/lexical.js";
import { windowFromOptions } from "./search/time-window.js";
import { loadSynonyms } from "./text/lexicon.js";
import type { Answer } from "./types.js";
import { addUrl } from "./web/ingest.js";

const USAGE = `Usage: verbatim <command> [options]

Commands:
  ingest [--index PATH|URL] [PATH|URL ...]
                                          index files, folders, web pages and feeds (default: the data folder)
  ingest --from PATH|URL [--index URL]    copy a whole index (articles, sources, feeds, vectors) into an empty one,
                                          e.g. the SQLite file into INDEX_URL=postgres://…; nothing is fetched again
  migrate [--index PATH|URL]              bring the index's schema up to date and say which version it is at
  ask [--index PATH] [--json] [--since DATE] [--until DATE] [--as-of DATE] [--source SITE] "question"
                                          answer with verbatim quotes ("last week", "in 2023" in the
                                          question, or --since/--until, limit the articles' dates)
  search [--index PATH] [--json] [--limit N] [--since DATE] [--until DATE] [--source SITE] "query"
                                          list matching passages (10 by default, at most 100)
  eval --docs FILE --questions FILE [--qrels FILE] [--json] [--limit N] [--mode auto|and|or]
       [--engine verbatim|minisearch|orama|flexsearch] [--dump FILE] [--min-relevance 0..1] [--index PATH|URL]
                                          measure retrieval and quoting on an evaluation set
  stats [--index PATH] [--json]           what the index holds
  backup [--index PATH] FILE              copy the index (and an SQLite state file) safely while the bot runs
  feedback [--json]                       the votes people gave answers in Discord (--json: with the quotes shown)
  state-copy --to URL [--from URL]        copy settings, digest subscriptions, votes and caches from one state
                                          store to another (default from: STATE_URL), e.g. to redis:// or postgres://
  digest [--index PATH] [--since 24h] [--topic WORDS] [--max N]
                                          print the digest a channel would get for articles added since then
  deploy-commands [--global | --guild ID] [--clear]
                                          register the slash commands with Discord (in one server
                                          with DISCORD_GUILD_ID or --guild; --clear removes the other copies)
  invite                                  print the links that add the bot to a server and to your account
`;

/** Articles changed by one ingest from which it counts as a bulk load (see `IndexStore.optimize`). */
const BULK_ARTICLES = 1000;

/** Output channels, so tests can capture them. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/** Answer to JSON in the shape other tools read. */
export function answerJson(answer: Answer): object {
  return {
    status: answer.status,
    question: answer.question,
    ...(answer.prose ? { prose: answer.prose } : {}),
    ...(answer.reason ? { reason: answer.reason } : {}),
    ...(answer.searchedFor ? { searchedFor: answer.searchedFor } : {}),
    ...(answer.note ? { note: answer.note } : {}),
    quotes: answer.quotes.map((q) => ({
      text: q.text,
      title: q.article.title,
      url: q.article.url,
      link: q.link,
      site: q.article.site,
      published: q.article.publishedAt,
      start: q.start,
      end: q.end,
      articleId: q.article.id,
    })),
  };
}

async function ensureIndexed(
  store: IndexStore,
  config: Config,
  io: Io,
  explicitIndex: boolean,
): Promise<void> {
  // A fresh clone answers at once: an empty default index is filled from the data folder first.
  if (explicitIndex || store.totalPassages() > 0 || !existsSync(config.dataDir)) return;
  io.err(`The index is empty; indexing ${path.relative(process.cwd(), config.dataDir) || "."} first…`);
  const report = await ingestPaths(store, [config.dataDir]);
  for (const w of report.warnings) io.err(`warning: ${w}`);
  io.err(describeIngest(report));
}

/** Run the CLI with arguments (without `node cli.js`); returns the exit code. */
export async function runCli(
  argv: string[],
  io: Io = defaultIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    io.out(USAGE);
    return command ? 0 : 1;
  }
  // Which index a failure is about, for the message (the default one until a command names its own).
  let indexPath = "the index";
  try {
    const config = loadConfig(env);
    const named = argv.indexOf("--index");
    indexPath = indexLocation(named >= 0 ? (argv[named + 1] ?? config.indexPath) : config.indexPath);
    switch (command) {
      case "ingest":
        return await ingestCommand(rest, config, io);
      case "ask":
      case "search":
        return await queryCommand(command, rest, config, io);
      case "eval":
        return await evalCommand(rest, config, io);
      case "stats":
        return statsCommand(rest, config, io);
      case "migrate":
        return migrateCommand(rest, config, io);
      case "digest":
        return await digestCommand(rest, config, io);
      case "backup":
        return await backupCommand(rest, config, io);
      case "feedback":
        return await feedbackCommand(rest, config, io);
      case "state-copy":
        return await stateCopyCommand(rest, config, io);
      case "invite": {
        if (!config.discord.clientId)
          throw new VerbatimError(
            "CONFIG_INVALID",
            "DISCORD_CLIENT_ID is not set: put your application's id in .env.",
          );
        const { inviteUrl, userInstallUrl } = await import("./discord/invite.js");
        io.out(
          [
            "Add the bot to a server (you need Manage Server there):",
            `  ${inviteUrl(config.discord.clientId)}`,
            "Install it to your own account, for /ask, /search and /help in DMs and any server",
            "(enable User Install on the portal's Installation page first):",
            `  ${userInstallUrl(config.discord.clientId)}`,
          ].join("\n"),
        );
        return 0;
      }
      case "deploy-commands": {
        const { values } = parse(rest, {
          global: { type: "boolean" },
          guild: { type: "string" },
          clear: { type: "boolean" },
        });
        const { deployCommands } = await import("./discord/deploy.js");
        const { loadCommands } = await import("../commands/index.js");
        io.err(`Connecting to Discord at ${config.discord.apiUrl ?? "https://discord.com/api"}…`);
        const result = await deployCommands(config, loadCommands(), {
          global: values.global,
          guild: values.guild,
          clear: values.clear,
        });
        for (const line of result.lines) io.out(line);
        return 0;
      }
      default:
        io.err(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (caught) {
    // A damaged, read-only or full index fails deep inside SQLite: say what is wrong with the file, not a stack.
    const error = indexProblem(caught, indexPath) ?? caught;
    if (isUserFacing(error)) {
      io.err(error.message);
      return error.code === "USAGE" ? 2 : 1;
    }
    if (
      error instanceof TypeError &&
      (error as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
    ) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new VerbatimError("USAGE", `${(error as Error).message}\n\n${USAGE}`);
  }
}

/** The index an `--index` option names, if it names one. */
function namedIndex(value: unknown): string | undefined {
  return value ? indexLocation(String(value)) : undefined;
}

/** The app for one CLI command: the index it names, state in memory, quiet logs unless asked for. */
function cliApp(config: Config, index: unknown, log = createLogger("silent")): Promise<App> {
  return createApp(config, log, {
    indexPath: namedIndex(index),
    stateUrl: "sqlite://:memory:",
  });
}

async function ingestCommand(args: string[], config: Config, io: Io): Promise<number> {
  const { values, positionals } = parse(args, { index: { type: "string" }, from: { type: "string" } });
  const app = await cliApp(config, values.index);
  const { store } = app.corpus;
  try {
    if (values.from !== undefined) return copyCommand(String(values.from), store, io);
    const urls = positionals.filter((p) => /^https?:\/\//i.test(p));
    const paths = positionals.length > 0 ? positionals.filter((p) => !urls.includes(p)) : [config.dataDir];
    if (urls.length > 0) {
      const web = app.web;
      let failed = 0;
      for (const url of urls) {
        try {
          const result = await addUrl(web, url, { intervalMinutes: config.web.feedIntervalMinutes });
          if (result.kind === "article") {
            io.out(
              `${result.outcome === "unchanged" ? "Already indexed" : "Indexed"}: ${result.article.title} (${result.article.url})`,
            );
            io.out(`  ${result.article.text.split("\n\n")[0]?.slice(0, 300) ?? ""}`);
          } else {
            io.out(
              `Following the feed ${result.feed.title ?? result.feed.url}: ${result.added} new article(s) indexed; the bot polls it every ${result.feed.intervalMinutes} min.`,
            );
          }
        } catch (error) {
          failed++;
          io.err(`${url}: ${(error as Error).message}`);
        }
      }
      if (paths.length === 0) return failed > 0 ? 1 : 0;
    }
    const files = progressBar("kB of files");
    const report = await ingestPaths(store, paths, { onProgress: files.update }).finally(files.stop);
    for (const w of report.warnings)
      if (!report.missing.some((p) => w.startsWith(p))) io.err(`warning: ${w}`);
    io.out(describeIngest(report));
    // A bulk load into PostgreSQL: its planner learns the new sizes now, not when autovacuum comes round.
    if (report.added + report.updated + report.removed >= BULK_ARTICLES) store.optimize();
    if (app.embedder) {
      const progress = progressBar("passages embedded");
      const n = await afterChange(app.web, progress.update).finally(() => progress.stop());
      io.out(`Embedded ${n} new passage(s) with ${app.embedder.model}.`);
    }
    const stats = store.stats();
    io.out(`The index (${store.path}) holds ${stats.articles} article(s) in ${stats.passages} passage(s).`);
    // A path that does not exist is a mistake worth a failing exit code, after the rest was indexed.
    return report.missing.length > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}

async function queryCommand(
  command: "ask" | "search",
  args: string[],
  config: Config,
  io: Io,
): Promise<number> {
  const { values, positionals } = parse(args, {
    index: { type: "string" },
    json: { type: "boolean" },
    limit: { type: "string" },
    "as-of": { type: "string" },
    since: { type: "string" },
    until: { type: "string" },
    source: { type: "string" },
  });
  const text = positionals.join(" ");
  const asOf = values["as-of"] ? new Date(values["as-of"]) : new Date();
  if (Number.isNaN(asOf.getTime()))
    throw new VerbatimError("USAGE", `--as-of takes a date such as 2026-11-27 (got "${values["as-of"]}").`);
  const chosen = windowFromOptions(values.since, values.until, asOf);
  if ("problem" in chosen) throw new VerbatimError("USAGE", chosen.problem);
  if (text.trim().length === 0)
    throw new VerbatimError(
      "USAGE",
      `Give a ${command === "ask" ? "question" : "query"} in quotes.\n\n${USAGE}`,
    );
  // The answer is the output: per-answer info lines (token counts) would only clutter a terminal.
  const app = await cliApp(
    config,
    values.index,
    createLogger(config.logLevel === "info" ? "warn" : config.logLevel),
  );
  const { corpus } = app;
  try {
    await ensureIndexed(corpus.store, config, io, Boolean(values.index));
    if (command === "ask") {
      const answer = await app.answerer.answer(text, {
        asOf,
        ...(chosen.window ? { window: chosen.window } : {}),
        ...(values.source ? { source: values.source } : {}),
      });
      io.out(values.json ? JSON.stringify(answerJson(answer), null, 2) : renderAnswerText(answer));
      return 0;
    }
    const limit = Math.max(1, Math.min(100, Number(values.limit ?? 10) || 10));
    const { hits } = search(corpus.store, text, {
      limit,
      synonyms: corpus.synonyms,
      ...(chosen.window ? { window: chosen.window } : {}),
      ...(values.source ? { source: values.source } : {}),
    });
    if (values.json) {
      io.out(
        JSON.stringify(
          hits.map((h) => ({
            score: h.score,
            terms: h.terms,
            text: h.passage.text,
            start: h.passage.start,
            end: h.passage.end,
            articleId: h.article.id,
            title: h.article.title,
            url: h.article.url,
            site: h.article.site,
            published: h.article.publishedAt,
          })),
          null,
          2,
        ),
      );
    } else io.out(renderHitsText(hits));
    return 0;
  } finally {
    await app.close();
  }
}

async function evalCommand(args: string[], config: Config, io: Io): Promise<number> {
  const { values } = parse(args, {
    docs: { type: "string" },
    questions: { type: "string" },
    qrels: { type: "string" },
    json: { type: "boolean" },
    limit: { type: "string" },
    mode: { type: "string" },
    engine: { type: "string" },
    dump: { type: "string" },
    "min-relevance": { type: "string" },
    index: { type: "string" },
  });
  if (!values.docs || !values.questions)
    throw new VerbatimError("USAGE", `eval needs --docs and --questions.\n\n${USAGE}`);
  const mode = values.mode === undefined ? "auto" : String(values.mode);
  if (mode !== "auto" && mode !== "and" && mode !== "or")
    throw new VerbatimError("USAGE", "--mode is auto, and or or.");
  const engine =
    values.engine === undefined || values.engine === "verbatim" ? undefined : String(values.engine);
  if (engine !== undefined && !(ALTERNATIVES as readonly string[]).includes(engine)) {
    throw new VerbatimError("USAGE", `--engine is verbatim, ${ALTERNATIVES.join(", ")}.`);
  }
  // The flag, else MIN_RELEVANCE: eval measures what the bot would answer with the same settings.
  const given = values["min-relevance"];
  const minRelevance = given === undefined ? config.minRelevance : relevanceThreshold(String(given));
  if (minRelevance === null) throw new VerbatimError("USAGE", `--min-relevance is ${RELEVANCE_RANGE}.`);
  const synonyms = loadSynonyms(config.synonymsPath);
  const dump = values.dump ? createWriteStream(String(values.dump)) : null;
  const progress = progressBar("questions");
  const report = await runEval({
    docs: String(values.docs),
    questions: String(values.questions),
    qrels: values.qrels ? String(values.qrels) : undefined,
    limit: values.limit ? Number(values.limit) : undefined,
    minRelevance,
    mode,
    synonyms,
    engine: engine as Alternative | undefined,
    embedder: embedderFromConfig(config),
    onWarning: (w) => io.err(`warning: ${w}`),
    onQuestion: dump ? (record) => dump.write(`${JSON.stringify(record)}\n`) : undefined,
    onProgress: progress.update,
    indexPath: namedIndex(values.index),
  }).finally(() => progress.stop());
  if (dump) await new Promise((resolve) => dump.end(resolve));
  if (values.json) {
    io.out(JSON.stringify(report));
    return 0;
  }
  const pct = (v: number | null) => (v === null ? "—" : v.toFixed(3));
  io.out(
    [
      `questions           ${report.questions}`,
      `Recall@1            ${pct(report["recall@1"])}`,
      `Recall@5            ${pct(report["recall@5"])}`,
      `MRR@10              ${pct(report["mrr@10"])}`,
      `nDCG@10             ${pct(report["ndcg@10"])}`,
      `answer-in-quotes@1  ${pct(report["answerInQuotes@1"])}`,
      `answer-in-quotes@3  ${pct(report["answerInQuotes@3"])}`,
      `mean quote chars    ${report.meanQuoteChars.toFixed(0)}`,
      `nothing-relevant    ${pct(report.nothingRelevant)}`,
      `seconds             ${report.seconds.toFixed(1)} (ingest ${report.ingestSeconds.toFixed(2)})`,
    ].join("\n"),
  );
  return 0;
}

/** `ingest --from INDEX`: copy another index, whole, into this empty one (SQLite into PostgreSQL when scaling out). */
function copyCommand(from: string, to: IndexStore, io: Io): number {
  const location = indexLocation(from);
  if (!isPostgresUrl(location) && !existsSync(location))
    throw new VerbatimError("USAGE", `There is no index at ${location} to copy from.`);
  const source = new IndexStore(location, { readonly: !isPostgresUrl(location) });
  try {
    const progress = progressBar("articles");
    const total = source.stats().articles;
    let report: CopyReport;
    try {
      report = copyIndex(source, to, (n) => progress.update(n, total));
    } finally {
      progress.stop();
    }
    io.out(
      `Copied ${report.articles} article(s) (${report.passages} passages), ${report.sources} source file(s), ${report.feeds} feed(s) with ${report.feedItems} item(s) and ${report.vectors} vector(s) from ${source.path} to ${to.path}.`,
    );
    return 0;
  } finally {
    source.close();
  }
}

/** `migrate`: bring the index's schema up to date (opening it does) and say which version it is at. */
function migrateCommand(args: string[], config: Config, io: Io): number {
  const { values } = parse(args, { index: { type: "string" } });
  const store = openIndex(config, namedIndex(values.index) ?? config.indexPath);
  try {
    for (const line of store.schemaReport()) io.out(line);
    return 0;
  } finally {
    store.close();
  }
}

/** Parse "24h", "90m", "7d", "2w" into milliseconds. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i.exec(text.trim());
  if (!m) return null;
  const unit = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
    (m[2] ?? "h").toLowerCase() as "m"
  ];
  return Number(m[1]) * unit;
}

async function digestCommand(args: string[], config: Config, io: Io): Promise<number> {
  const { values } = parse(args, {
    index: { type: "string" },
    since: { type: "string" },
    topic: { type: "string" },
    max: { type: "string" },
  });
  const since = parseDuration(String(values.since ?? "24h"));
  if (since === null)
    throw new VerbatimError("USAGE", "--since takes a duration such as 90m, 24h, 7d or 2w.");
  const max = Math.max(1, Math.min(100, Number(values.max ?? 10) || 10));
  const topic = values.topic ? String(values.topic).trim() || null : null;
  const app = await cliApp(config, values.index);
  const { corpus } = app;
  try {
    await ensureIndexed(corpus.store, config, io, Boolean(values.index));
    const now = new Date();
    const digest = digestOfWindow(
      corpus.store,
      { after: new Date(now.getTime() - since).toISOString(), until: now.toISOString() },
      { topic, max, synonyms: corpus.synonyms },
    );
    io.out(
      renderDigestText(
        digest,
        `Digest: ${digest.items.length + digest.more} article(s) added in the last ${values.since ?? "24h"}${topic ? ` about "${topic}"` : ""}`,
      ),
    );
    return 0;
  } finally {
    await app.close();
  }
}

async function feedbackCommand(args: string[], config: Config, io: Io): Promise<number> {
  const { values } = parse(args, { json: { type: "boolean" } });
  const { openState } = await import("./state/state.js");
  const { createFeedbackStore } = await import("./state/feedback.js");
  const state = await openState(config.stateUrl);
  try {
    const votes = await createFeedbackStore(state.ns("feedback")).all();
    if (values.json) {
      io.out(JSON.stringify(votes, null, 2));
      return 0;
    }
    if (votes.length === 0) {
      io.out("No votes yet.");
      return 0;
    }
    for (const v of votes)
      io.out(
        `${v.at.slice(0, 10)} ${v.vote === "up" ? "👍" : "👎"} ${v.answer.question}${v.comment ? ` — “${v.comment}”` : ""}`,
      );
    return 0;
  } finally {
    await state.close();
  }
}

async function backupCommand(args: string[], config: Config, io: Io): Promise<number> {
  const { values, positionals } = parse(args, { index: { type: "string" } });
  const dest = positionals[0];
  if (!dest) throw new VerbatimError("USAGE", "Name the file to write the backup to: npm run backup -- FILE");
  const { backupDatabase } = await import("./index/sqlite/backup.js");
  const index = namedIndex(values.index) ?? config.indexPath;
  if (isPostgresUrl(index))
    throw new VerbatimError(
      "USAGE",
      "The index is in PostgreSQL: back it up with the server's own tools (pg_dump), or copy it into an SQLite file with `npm run ingest -- --index FILE --from INDEX_URL`.",
    );
  const target = path.resolve(dest);
  const { pages } = await backupDatabase(index, target);
  io.out(`Backed up the index ${index} to ${target} (${pages} pages, checked).`);
  // The state (settings, digest subscriptions) is worth as much as the index when it is an SQLite file.
  const stateFile = config.stateUrl.startsWith("sqlite://") ? config.stateUrl.slice("sqlite://".length) : "";
  if (!values.index && stateFile && stateFile !== ":memory:" && existsSync(stateFile)) {
    const stateTarget = target.replace(/(\.sqlite)?$/, ".state.sqlite");
    await backupDatabase(path.resolve(stateFile), stateTarget);
    io.out(`Backed up the state ${path.resolve(stateFile)} to ${stateTarget} (checked).`);
  }
  return 0;
}

/** `state-copy`: move the state (an SQLite file by default) into Redis or PostgreSQL when scaling out. */
async function stateCopyCommand(args: string[], config: Config, io: Io): Promise<number> {
  const { values } = parse(args, { to: { type: "string" }, from: { type: "string" } });
  const to = values.to ? String(values.to) : "";
  const from = values.from ? String(values.from) : config.stateUrl;
  if (!to)
    throw new VerbatimError(
      "USAGE",
      "Name the state store to copy into: npm run state-copy -- --to redis://host:6379 (or postgres://…, sqlite://FILE).",
    );
  if (to === from) throw new VerbatimError("USAGE", "--to names the state store it would copy from.");
  const { openState } = await import("./state/state.js");
  const { copyState } = await import("./state/copy.js");
  const source = await openState(from);
  try {
    const target = await openState(to);
    try {
      const report = await copyState(source, target);
      const total = Object.values(report).reduce((a, b) => a + b, 0);
      const parts = Object.entries(report).map(([ns, n]) => `${ns} ${n}`);
      io.out(`Copied ${total} keys from ${source.describe} to ${target.describe}: ${parts.join(", ")}.`);
      io.out("Set STATE_URL to the new store in every process's .env, then restart them.");
      return 0;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

function statsCommand(args: string[], config: Config, io: Io): number {
  const { values } = parse(args, { index: { type: "string" }, json: { type: "boolean" } });
  const { store } = openCorpus(config, namedIndex(values.index));
  try {
    store.check();
    const stats = { ...store.stats(), indexBytes: store.sizeBytes(), path: store.path };
    io.out(
      values.json
        ? JSON.stringify(stats, null, 2)
        : `${stats.articles} article(s), ${stats.passages} passage(s), ${(stats.indexBytes / 1e6).toFixed(1)} MB at ${stats.path}\nnewest: ${stats.newest?.title ?? "—"}\nlast ingest: ${stats.lastIngestAt ?? "never"}`,
    );
    return 0;
  } finally {
    store.close();
  }
}

const invokedDirectly =
  process.argv[1] &&
  path.resolve(process.argv[1]).replace(/\.[cm]?[jt]s$/, "") ===
    new URL(import.meta.url).pathname.replace(/\.[cm]?[jt]s$/, "");
if (invokedDirectly) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`Unexpected error: ${(error as Error).stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
}
