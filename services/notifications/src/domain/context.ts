import type { accountsV1, groupsV1 } from '@parley/contracts';
import type { Cache, Db, Logger, PubSub, RelayWaker } from '@parley/kit';
import type { NotificationsConfig } from '../config.ts';
import type { ConversationDirectory } from './conversation-directory.ts';
import type { Presence } from './presence.ts';
import type { VapidKeys } from './vapid-keys.ts';

/** Everything the notifications use cases may need; each takes only the part it uses (Pick<>). */
export interface NotificationsContext {
  config: NotificationsConfig;
  db: Db;
  cache: Cache;
  pubsub: PubSub;
  logger: Logger;
  groups: groupsV1.GroupsClient;
  accounts: accountsV1.UsersClient;
  /** The outbox relay, woken by `events.transaction` after a commit that emitted (never by hand). */
  outbox: RelayWaker;
  /** Who belongs to a conversation (direct: known here; group: the groups service, cached). */
  directory: ConversationDirectory;
  presence: Presence;
  vapid: VapidKeys;
}
