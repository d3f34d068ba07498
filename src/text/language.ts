import { francAll } from "franc-min";

/** Words so common in English questions that two of them settle it, where letter statistics alone can err. */
const ENGLISH = new Set(
  "the a an of to in on at for about did does do is are was were what who whom whose when where which why how say said has have had this that with from by can could would should many much been".split(
    " ",
  ),
);

/** franc's ISO 639-3 code of each index language. */
const FRANC_CODES: Record<string, string> = {
  en: "eng",
  de: "deu",
  fr: "fra",
  es: "spa",
  it: "ita",
  pt: "por",
  nl: "nld",
  sv: "swe",
  pl: "pol",
  tr: "tur",
  ru: "rus",
  uk: "ukr",
  id: "ind",
  vi: "vie",
};

const NAMES: Record<string, string> = {
  eng: "English",
  spa: "Spanish",
  deu: "German",
  fra: "French",
  por: "Portuguese",
  ita: "Italian",
  nld: "Dutch",
  pol: "Polish",
  rus: "Russian",
  ukr: "Ukrainian",
  tur: "Turkish",
  swe: "Swedish",
  cmn: "Chinese",
  jpn: "Japanese",
  kor: "Korean",
  arb: "Arabic",
  hin: "Hindi",
  ind: "Indonesian",
  vie: "Vietnamese",
};

/**
 * The language a question seems to be in, when it is clearly not the corpus's (null otherwise): at least four
 * words, and a language detector (franc) that ranks another widely written language first. Two English function words settle
 * English, where letter statistics alone can err on short questions.
 */
export function foreignLanguage(text: string, corpusLanguage = "en"): string | null {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < 4) return null;
  const own = FRANC_CODES[corpusLanguage] ?? "eng";
  const english = words.filter((w) => ENGLISH.has(w)).length >= 2;
  if (english) return own === "eng" ? null : "English";
  const [best] = francAll(text, { minLength: 10 });
  if (!best || best[0] === own || best[0] === "und") return null;
  // On a few words franc often names a language few people would write to a news bot in ("How large can
  // ctenophora grow?" reads as Kirundi): only the widely written languages it is reliable on count.
  return NAMES[best[0]] ?? null;
}
