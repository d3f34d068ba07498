/**
 * View Channel, Send Messages, Embed Links, Read Message History, and for follow-up threads and digests in threads
 * or forums, Create Public Threads and Send Messages in Threads: all the bot needs.
 */
export const BOT_PERMISSIONS =
  (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n) | (1n << 35n) | (1n << 38n);

/** The URL that adds the bot to a server (a server install) with its commands and the permissions it needs. */
export function inviteUrl(clientId: string): string {
  const params = new URLSearchParams({
    client_id: clientId,
    scope: "bot applications.commands",
    permissions: BOT_PERMISSIONS.toString(),
    integration_type: "0",
  });
  return `https://discord.com/oauth2/authorize?${params.toString().replace(/\+/g, "%20")}`;
}

/**
 * The URL that installs the app to a person's account (a user install): `/ask`, `/search` and `/help` then work in
 * their DMs and in any server, where the answers are visible only through the app. Needs *User Install* enabled on
 * the portal's Installation page.
 */
export function userInstallUrl(clientId: string): string {
  const params = new URLSearchParams({
    client_id: clientId,
    scope: "applications.commands",
    integration_type: "1",
  });
  return `https://discord.com/oauth2/authorize?${params.toString()}`;
}
