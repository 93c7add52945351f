import { z } from 'zod';

/**
 * Whether a WebSocket handshake may proceed, judged by its Origin header. Browsers always send
 * Origin on WebSocket handshakes and pages cannot forge it; clients that send none are not
 * browsers (apps, bots, CLIs) and are let in: a socket is authenticated by the token in its first
 * frame, never by cookies, so the origin check is defence in depth against other sites' pages.
 * Allowed: the configured origins (`*` for any), and a page of the same host as the socket.
 * The one rule of the gateway and the notifications service.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes('*')) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== 'null' && allowed.includes(url.origin)) return true;
  return host !== undefined && url.host === host.toLowerCase();
}

/** A config variable holding a comma-separated list of origins (`scheme://host[:port]`), normalised; `*` stands for any. */
export const originList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const origins: string[] = [];
      for (const entry of value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)) {
        if (entry === '*') {
          origins.push('*');
          continue;
        }
        try {
          const url = new URL(entry);
          if (url.origin === 'null') throw new Error('opaque origin');
          origins.push(url.origin);
        } catch {
          ctx.addIssue({ code: 'custom', message: `"${entry}" is not an origin such as https://chat.example.com` });
        }
      }
      return origins;
    });

/** The browser origins allowed on `/ws` by default: the platform's own page on its default port. */
export const DEFAULT_WS_ALLOWED_ORIGINS = 'http://localhost:8080,http://127.0.0.1:8080';
