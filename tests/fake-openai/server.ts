/**
 * A local OpenAI-compatible server for tests: chat completions (scripted), embeddings (deterministic hashed
 * bag-of-words over a tiny concept map, so that "doctor" and "physician" land close) and models, on 127.0.0.1.
 * The real `openai` client reaches it through `baseURL`.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted reply to a chat completion. */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** The assistant message's content (a JSON string for a well-behaved model). */
  content?: string;
  /** Wait this long before answering (to provoke timeouts). */
  delayMs?: number;
  /** Close the connection without answering. */
  reset?: boolean;
}

export interface RecordedCall {
  path: string;
  body: Record<string, unknown>;
  authorization: string | undefined;
}

/** Words that mean the same to the fake embedding model. */
const CONCEPTS: Record<string, string> = {
  physician: "doctor",
  physicians: "doctor",
  doctors: "doctor",
  medic: "doctor",
  clinic: "hospital",
  clinics: "hospital",
};
export const EMBEDDING_DIM = 64;

/** The fake model's embedding: hashed bag of words (after the concept map), not normalised. */
export function fakeEmbedding(text: string): number[] {
  const v = new Array<number>(EMBEDDING_DIM).fill(0);
  for (const raw of text.toLowerCase().match(/[a-z]{3,}/g) ?? []) {
    const word = CONCEPTS[raw] ?? raw;
    let h = 2166136261;
    for (const c of word) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
    v[(h >>> 0) % EMBEDDING_DIM] = (v[(h >>> 0) % EMBEDDING_DIM] ?? 0) + 1;
  }
  return v;
}

export class FakeOpenAI {
  readonly calls: RecordedCall[] = [];
  readonly script: ScriptedReply[] = [];
  /** The key the server accepts; any other gets a 401. */
  validKey = "sk-test";
  /** Answer embeddings requests with this status instead (to interrupt an ingest). */
  failEmbeddingsAfter: number | null = null;
  private embeddingCalls = 0;
  private server: Server | null = null;
  port = 0;

  get baseURL(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  chatCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.path.endsWith("/chat/completions"));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const path = new URL(req.url ?? "/", "http://x").pathname;
    this.calls.push({ path, body, authorization: req.headers.authorization });
    const json = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(data));
    };
    if (req.headers.authorization !== `Bearer ${this.validKey}`) {
      return json(401, {
        error: {
          message: "Incorrect API key provided",
          type: "invalid_request_error",
          code: "invalid_api_key",
        },
      });
    }
    if (path === "/v1/models")
      return json(200, { object: "list", data: [{ id: "fake-model", object: "model" }] });
    if (path === "/v1/embeddings") {
      this.embeddingCalls++;
      if (this.failEmbeddingsAfter !== null && this.embeddingCalls > this.failEmbeddingsAfter) {
        return json(400, { error: { message: "embedding service stopped", type: "invalid_request_error" } });
      }
      const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
      return json(200, {
        object: "list",
        model: body.model,
        data: input.map((t, index) => ({ object: "embedding", index, embedding: fakeEmbedding(t) })),
        usage: { prompt_tokens: input.length, total_tokens: input.length },
      });
    }
    if (path === "/v1/chat/completions") {
      const reply = this.script.shift() ?? {
        content: JSON.stringify({ answer: "not in the sources", quotes: [], not_in_sources: true }),
      };
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.reset) {
        req.socket.destroy();
        return;
      }
      if (reply.status && reply.status !== 200)
        return json(
          reply.status,
          { error: { message: `scripted ${reply.status}`, type: "server_error" } },
          reply.headers,
        );
      return json(
        200,
        {
          id: `chatcmpl-${this.calls.length}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [
            {
              index: 0,
              finish_reason: "stop",
              message: { role: "assistant", content: reply.content ?? "", refusal: null },
            },
          ],
          usage: { prompt_tokens: 321, completion_tokens: 54, total_tokens: 375 },
        },
        reply.headers,
      );
    }
    return json(404, { error: { message: "not found" } });
  }
}
