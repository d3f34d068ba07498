import { createHash } from "node:crypto";

/** Tracking parameters that never change what a URL points to. */
const TRACKING_PARAMS = /^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref_src|_hsenc|_hsmi)$/i;

/** Canonical form of a URL: lower-case host, no fragment, no tracking parameters, no default port. */
export function canonicalUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  url.hash = "";
  for (const key of [...url.searchParams.keys()]) {
    if (TRACKING_PARAMS.test(key)) url.searchParams.delete(key);
  }
  return url.toString();
}

/** A short, stable hash of a string (hex). */
export function shortHash(value: string, length = 16): string {
  return createHash("sha256").update(value).digest("hex").slice(0, length);
}

/** An article's id: the hash of its canonical URL, or of its source path when it has none. */
export function articleId(url: string | null, source: string): string {
  const canonical = url ? canonicalUrl(url) : null;
  return canonical ? `u${shortHash(canonical)}` : `f${shortHash(source.replaceAll("\\", "/"))}`;
}
