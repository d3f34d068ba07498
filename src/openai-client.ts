import OpenAI from "openai";

/** The official client with Verbatim's limits: its retries honour Retry-After, and a timeout bounds each try. */
export function openaiClient(options: {
  apiKey: string;
  baseURL?: string;
  timeoutMs: number;
  maxRetries: number;
}): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
  });
}
