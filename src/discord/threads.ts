import { DiscordAPIError, type Message, type ThreadChannel } from "discord.js";

/** Discord's code for "a thread has already been created for this message". */
const THREAD_EXISTS = 160004;

/**
 * The thread on a message: started now, or the one already started on it (a retry, a second press), which has the
 * message's id.
 */
export async function threadOnMessage(message: Message, name: string): Promise<ThreadChannel> {
  try {
    return await message.startThread({ name, autoArchiveDuration: 1440 });
  } catch (error) {
    if (!(error instanceof DiscordAPIError && error.code === THREAD_EXISTS)) throw error;
    const existing = await message.client.channels.fetch(message.id);
    if (!existing?.isThread()) throw error;
    return existing;
  }
}
