import type { accountsV1 } from '@parley/contracts';
import type { Cache, Db, Logger, RelayWaker } from '@parley/kit';
import type { GroupsConfig } from '../config.ts';

/** Everything the groups use cases may need; each takes only the part it uses (Pick<>). */
export interface GroupsContext {
  db: Db;
  cache: Cache;
  /** The outbox relay, woken by `events.transaction` after a commit that emitted (never by hand). */
  outbox: RelayWaker;
  config: GroupsConfig;
  /** accounts.v1.Users, to check that users exist before they are added. */
  accounts: accountsV1.UsersClient;
  logger: Logger;
}
