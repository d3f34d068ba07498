// Kept apart from language.ts: configuration reads this list, and should not load the language detector.

/**
 * Languages an index can be built for (ISO 639-1, `INDEX_LANGUAGE`), named for messages: languages written with
 * spaces between words, which FTS5's unicode61 tokenizer splits (Chinese or Japanese would need another tokenizer).
 */
export const INDEX_LANGUAGES: Record<string, string> = {
  en: "English",
  de: "German",
  fr: "French",
  es: "Spanish",
  it: "Italian",
  pt: "Portuguese",
  nl: "Dutch",
  sv: "Swedish",
  pl: "Polish",
  tr: "Turkish",
  ru: "Russian",
  uk: "Ukrainian",
  id: "Indonesian",
  vi: "Vietnamese",
};
