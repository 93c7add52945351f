import type { accountsV1, groupsV1 } from '@parley/contracts';
import type { Bus, Cache, CachedGroups, Db, Jobs, Logger, RateLimiter, RelayWaker } from '@parley/kit';
import type { MessagesConfig } from '../config.ts';
import type { FileStorage } from '../storage/storage.ts';
import type { LivePublisher } from './publish-live.ts';
import type { BatchedSend } from './send-batcher.ts';

/** Everything the messages use cases may need; each takes only the part it uses (Pick<>). */
export interface MessagesContext {
  db: Db;
  cache: Cache;
  /** Shared rate limits, per process while Redis is away (one limiter per instance). */
  limits: RateLimiter;
  bus: Bus;
  jobs: Jobs;
  /** The outbox relay, woken by `events.transaction` after a commit that emitted (never by hand). */
  outbox: RelayWaker;
  config: MessagesConfig;
  logger: Logger;
  accounts: accountsV1.UsersClient;
  groups: groupsV1.GroupsClient;
  /** The groups service's answers (memberships, member lists, a user's groups), cached: the kit's cached groups client. */
  groupsCache: CachedGroups;
  storage: FileStorage;
  /** Plain sends, group-committed (send-batcher.ts): one batcher per instance. */
  sendBatched: BatchedSend;
  /** The live path of new messages (publish-live.ts): the frame to the notifications instances, after commit. */
  publishLive: LivePublisher;
}
