/** View Channel, Send Messages, Embed Links, Read Message History: all the bot needs. */
export const BOT_PERMISSIONS = (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n);

/** The URL that adds the bot to a server with its commands and the permissions it needs. */
export function inviteUrl(clientId: string): string {
  const params = new URLSearchParams({
    client_id: clientId,
    scope: "bot applications.commands",
    permissions: BOT_PERMISSIONS.toString(),
  });
  return `https://discord.com/oauth2/authorize?${params.toString().replace(/\+/g, "%20")}`;
}
