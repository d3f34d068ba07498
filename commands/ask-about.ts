import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  PermissionFlagsBits,
} from "discord.js";
import { articleId } from "../src/corpus/identity.js";
import type { Command } from "../src/discord/command.js";
import { escapeForDiscord } from "../src/discord/escape.js";
import { rememberQuestion } from "../src/discord/follow-ups.js";
import { trimToLimit } from "../src/discord/limits.js";
import { notice } from "../src/discord/managers.js";
import { questionFromMessage } from "../src/discord/messages.js";
import { placeOf } from "../src/discord/place.js";
import { answerForDiscord } from "../src/discord/questions.js";

const URL_IN_TEXT = /https?:\/\/[^\s<>)]+/i;

/**
 * "Ask Verbatim about this" on any message: its text is the question. A message that is only a news link is about
 * that article: its opening is quoted when it is indexed; otherwise a member who may manage the corpus is told how
 * to add it.
 */
export default {
  data: new ContextMenuCommandBuilder()
    .setName("Ask Verbatim about this")
    .setType(ApplicationCommandType.Message)
    .setContexts(
      InteractionContextType.Guild,
      InteractionContextType.BotDM,
      InteractionContextType.PrivateChannel,
    )
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall),
  async menu(interaction, deps) {
    const content = interaction.targetMessage.content ?? "";
    const link = URL_IN_TEXT.exec(content)?.[0];
    const words = questionFromMessage(content.replace(URL_IN_TEXT, " "));
    if (link && words.split(" ").filter(Boolean).length < 3) {
      const article = deps.corpus.store.getArticle(articleId(link, link));
      if (article) {
        const opening = article.text.split("\n\n").slice(0, 2).join("\n\n");
        return notice(
          interaction,
          `**${escapeForDiscord(article.title)}**${article.site ? ` — ${escapeForDiscord(article.site)}` : ""}\n> ${escapeForDiscord(trimToLimit(opening, 700)).replace(/\n/g, "\n> ")}\n\nAsk about it with \`/ask\`.`,
        );
      }
      const manager =
        interaction.inGuild() && interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild);
      return notice(
        interaction,
        manager
          ? `That article is not in the corpus yet: \`/corpus add-url url:${link}\` adds it.`
          : "That article is not in the corpus yet: a server manager can add it with `/corpus add-url`.",
      );
    }
    if (!words) return notice(interaction, "That message has no words to ask about.");
    const sent = await interaction.editReply(
      await answerForDiscord(deps, words, { guildId: interaction.guildId, place: placeOf(interaction) }),
    );
    await rememberQuestion(deps, sent.id, words);
  },
} satisfies Command;
