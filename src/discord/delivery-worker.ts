import { Client } from "discord.js";
import { DigestScheduler } from "../digest/scheduler.js";
import { createSubscriptionStore } from "../digest/subscriptions.js";
import type { Corpus } from "../index/open.js";
import type { Logger } from "../log.js";
import type { State } from "../state/state.js";
import { clientOptions } from "./bot.js";
import { createDiscordDigestSender } from "./digest-sender.js";

/** Scheduled digests delivered over Discord's REST API alone: no gateway connection, for `npm run worker`. */
export function startDigestWorker(deps: {
  corpus: Corpus;
  state: State;
  log: Logger;
  token: string;
  apiUrl: string | undefined;
  leaseSeconds: number;
  clock?: () => Date;
}): { stop(): Promise<void> } {
  const client = new Client(clientOptions(deps.apiUrl));
  // REST only: sending and reading messages needs the token, not a connection to the gateway.
  client.token = deps.token;
  client.rest.setToken(deps.token);
  const delivering = deps.state.locks.lease("digest-delivery", deps.leaseSeconds * 1000);
  const scheduler = new DigestScheduler(
    {
      store: deps.corpus.store,
      synonyms: deps.corpus.synonyms,
      subscriptions: createSubscriptionStore(deps.state.ns("subscriptions")),
      sender: createDiscordDigestSender(client),
      log: deps.log,
    },
    deps.clock,
    () => delivering.held(),
  );
  void delivering.ready.then(() => scheduler.start());
  return {
    async stop() {
      await scheduler.stop();
      await delivering.release();
      await client.destroy();
    },
  };
}
