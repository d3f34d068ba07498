import { francAll } from "franc-min";

/** Words so common in English questions that two of them settle it, where letter statistics alone can err. */
const ENGLISH = new Set(
  "the a an of to in on at for about did does do is are was were what who whom whose when where which why how say said has have had this that with from by".split(
    " ",
  ),
);

const NAMES: Record<string, string> = {
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
 * The language a question seems to be in, when it is clearly not English (null otherwise): at least four words,
 * fewer than two English function words, and a language detector (franc) that does not rank English first.
 */
export function foreignLanguage(text: string): string | null {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < 4) return null;
  if (words.filter((w) => ENGLISH.has(w)).length >= 2) return null;
  const [best] = francAll(text, { minLength: 10 });
  if (!best || best[0] === "eng" || best[0] === "und") return null;
  return NAMES[best[0]] ?? "another language";
}
