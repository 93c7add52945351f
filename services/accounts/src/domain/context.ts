import type { Cache, Db, Jobs, Logger, RateLimiter, RelayWaker } from '@parley/kit';
import type { AccountsConfig } from '../config.ts';
import type { TokenIssuer } from './tokens.ts';

/** Everything the accounts use cases may need; each takes only the part it uses (Pick<>). */
export interface AccountsContext {
  db: Db;
  cache: Cache;
  /** Shared rate limits, per process while Redis is away (one limiter per instance). */
  limits: RateLimiter;
  jobs: Jobs;
  /** The outbox relay, woken by `events.transaction` after a commit that emitted (never by hand). */
  outbox: RelayWaker;
  config: AccountsConfig;
  tokens: TokenIssuer;
  logger: Logger;
}

/** Who is asking and from where: for sessions, rate limits and the activity log. */
export interface ClientInfo {
  ip: string;
  device: string;
}
