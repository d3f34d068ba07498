/** Whether a string has the shape of a bot token (three dot-separated base64url parts). */
export function looksLikeToken(token: string): boolean {
  return /^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$/.test(token.replace(/^Bot\s+/i, ""));
}
