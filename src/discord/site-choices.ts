import type { IndexStore } from "../index/store.js";

/** Autocomplete choices for a source: the corpus's sites that contain what was typed, most articles first. */
export function siteChoices(store: IndexStore, typed: string, max = 25): { name: string; value: string }[] {
  const needle = typed.toLowerCase();
  return store
    .sites(200)
    .filter((s) => s.site.toLowerCase().includes(needle))
    .slice(0, max)
    .map((s) => ({ name: `${s.site} (${s.articles})`.slice(0, 100), value: s.site.slice(0, 100) }));
}
