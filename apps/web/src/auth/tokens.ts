import type { AuthAnswer } from '../api/types';

/*
 * Where the credentials live: the access token only in memory (gone with the tab), the refresh
 * token in localStorage so a reload keeps the session. Neither is ever a cookie, so the API has
 * no ambient credential a forged cross-site request could ride on (no CSRF surface).
 *
 * Refreshing is single-flight: however many requests see a 401 at once, one POST /auth/refresh
 * runs and they all wait for it. Across tabs the refresh runs under a Web Lock and re-reads the
 * stored refresh token inside it, because presenting a token another tab already spent would
 * revoke the whole session (docs/accounts.md).
 */

const REFRESH_KEY = 'parley.refreshToken';
/** Refresh this long before the access token expires, so requests rarely see a 401 at all. */
const EARLY_MS = 60_000;

/** The refresh token is no longer accepted: the person must sign in again. */
export class SignedOutError extends Error {
  constructor() {
    super('signed out');
    this.name = 'SignedOutError';
  }
}

export interface TokenStoreOptions {
  fetch?: typeof fetch;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  now?: () => number;
  locks?: Pick<LockManager, 'request'> | undefined;
}

type Listener = (accessToken: string | null) => void;

export class TokenStore {
  private accessToken: string | null = null;
  private expiresAt = 0;
  private inFlight: Promise<string> | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly fetch: typeof fetch;
  private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  private readonly now: () => number;
  private readonly locks: Pick<LockManager, 'request'> | undefined;

  constructor(options: TokenStoreOptions = {}) {
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.storage = options.storage ?? localStorage;
    this.now = options.now ?? Date.now;
    this.locks = 'locks' in options ? options.locks : globalThis.navigator?.locks;
  }

  /** Whether there is a session to resume (a stored refresh token). */
  get hasSession(): boolean {
    return this.storage.getItem(REFRESH_KEY) !== null;
  }

  get current(): string | null {
    return this.accessToken;
  }

  /** Keeps what register, login and refresh answer. */
  accept(answer: Pick<AuthAnswer, 'accessToken' | 'refreshToken' | 'expiresIn'>): void {
    this.storage.setItem(REFRESH_KEY, answer.refreshToken);
    this.accessToken = answer.accessToken;
    this.expiresAt = this.now() + answer.expiresIn * 1000;
    this.emit();
  }

  clear(): void {
    this.storage.removeItem(REFRESH_KEY);
    this.accessToken = null;
    this.expiresAt = 0;
    this.emit();
  }

  /** Called with each new access token, and with null on sign-out. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An access token good for the next request: the current one, or a refreshed one when it is (nearly) expired. */
  async valid(): Promise<string> {
    if (this.accessToken && this.now() < this.expiresAt - EARLY_MS) return this.accessToken;
    return this.refresh(this.accessToken);
  }

  /**
   * A fresh access token after `stale` was refused. When the token has already been replaced
   * since `stale` was read (another request refreshed first), that one is returned without
   * another refresh; otherwise the single in-flight refresh is joined or started.
   */
  refresh(stale: string | null): Promise<string> {
    if (this.accessToken && this.accessToken !== stale && this.now() < this.expiresAt) return Promise.resolve(this.accessToken);
    this.inFlight ??= this.refreshExclusively().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async refreshExclusively(): Promise<string> {
    return this.locks ? await this.locks.request('parley.refresh', () => this.refreshNow()) : await this.refreshNow();
  }

  private async refreshNow(): Promise<string> {
    // Read inside the lock: another tab may have just spent the token this tab knew.
    const refreshToken = this.storage.getItem(REFRESH_KEY);
    if (!refreshToken) throw new SignedOutError();
    const response = await this.fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    if (response.status === 401 || response.status === 400) {
      // Only clear what this attempt presented: a newer token written meanwhile stays.
      if (this.storage.getItem(REFRESH_KEY) === refreshToken) this.clear();
      throw new SignedOutError();
    }
    if (!response.ok) throw new TypeError(`refresh answered ${response.status}`);
    const answer = (await response.json()) as AuthAnswer;
    this.accept(answer);
    return answer.accessToken;
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.accessToken);
  }
}

export const tokens = new TokenStore();
