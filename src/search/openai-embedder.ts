import { openaiClient } from "../openai-client.js";
import type { Embedder } from "./vectors.js";

/** Embeddings from an OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM, LM Studio, Azure). */
export function createOpenAIEmbedder(options: {
  apiKey: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
}): Embedder {
  const client = openaiClient(options);
  return {
    model: options.model,
    async embed(texts) {
      const response = await client.embeddings.create({
        model: options.model,
        input: texts,
        encoding_format: "float",
      });
      return [...response.data].sort((a, b) => a.index - b.index).map((d) => Float32Array.from(d.embedding));
    },
  };
}
