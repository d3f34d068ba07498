import {
  ActionRowBuilder,
  InteractionContextType,
  MessageFlags,
  ModalBuilder,
  PermissionFlagsBits,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import type { Command } from "../src/discord/command.js";
import { escapeForDiscord } from "../src/discord/escape.js";
import { trimToLimit } from "../src/discord/limits.js";
import { notice, requireManager } from "../src/discord/managers.js";
import { renderNotice } from "../src/discord/render.js";
import { createFeedbackStore } from "../src/state/feedback.js";

/** 👍 / 👎 on answers (buttons and the "what was wrong?" form), and /feedback for server managers. */
export default {
  data: new SlashCommandBuilder()
    .setName("feedback")
    .setDescription("What people thought of the answers (server managers)")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) => s.setName("report").setDescription("Votes, and the answers voted down most"))
    .addSubcommand((s) =>
      s.setName("off").setDescription("Stop showing 👍 / 👎 under answers in this server"),
    )
    .addSubcommand((s) => s.setName("on").setDescription("Show 👍 / 👎 under answers again")),
  ephemeral: () => true,
  async execute(interaction, deps) {
    if (!(await requireManager(interaction, "Feedback is"))) return;
    const feedback = createFeedbackStore(deps.state.ns("feedback"));
    const guildId = interaction.guildId ?? "";
    const sub = interaction.options.getSubcommand();
    if (sub === "off" || sub === "on") {
      await feedback.setDisabled(guildId, sub === "off");
      return notice(
        interaction,
        sub === "off"
          ? "Answers in this server no longer show 👍 / 👎. `/feedback on` brings them back."
          : "Answers in this server show 👍 / 👎 again.",
      );
    }
    const report = await feedback.report(guildId);
    if (report.up + report.down === 0) return notice(interaction, "No votes yet in this server.");
    const lines = report.worst.map((w) => {
      const said = w.comments.length
        ? ` — “${escapeForDiscord(trimToLimit(w.comments.join(" / "), 200))}”`
        : "";
      return `• 👎 ${w.down} 👍 ${w.up} — ${escapeForDiscord(trimToLimit(w.answer.question, 150))}${said}`;
    });
    await notice(
      interaction,
      [
        `👍 ${report.up} · 👎 ${report.down}`,
        ...(lines.length ? ["", "Voted down most:", ...lines] : []),
      ].join("\n"),
    );
  },
  async button(interaction, deps) {
    const [, vote, answerId] = interaction.customId.split(":");
    if ((vote !== "up" && vote !== "down") || !answerId) return;
    const feedback = createFeedbackStore(deps.state.ns("feedback"));
    const recorded = await feedback.vote(answerId, interaction.user.id, vote);
    if (!recorded) {
      await interaction.reply({
        ...renderNotice("That answer is too old to vote on."),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    if (vote === "up") {
      await interaction.reply({
        ...renderNotice("Thanks: noted as helpful."),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    // A vote down is recorded at once; what was wrong is optional, in a one-line form.
    const reason = new TextInputBuilder()
      .setCustomId("why")
      .setLabel("What was wrong? (optional)")
      .setStyle(TextInputStyle.Short)
      .setRequired(false)
      .setMaxLength(300);
    await interaction.showModal(
      new ModalBuilder()
        .setCustomId(`feedback:why:${answerId}`)
        .setTitle("Not helpful")
        .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(reason)),
    );
  },
  async modal(interaction, deps) {
    const [, , answerId] = interaction.customId.split(":");
    const why = interaction.fields.getTextInputValue("why");
    if (answerId && why.trim())
      await createFeedbackStore(deps.state.ns("feedback")).comment(answerId, interaction.user.id, why);
    await interaction.reply({
      ...renderNotice("Thanks: noted as not helpful."),
      flags: MessageFlags.Ephemeral,
    });
  },
} satisfies Command;
