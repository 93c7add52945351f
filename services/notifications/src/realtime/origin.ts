/**
 * Whether a WebSocket handshake may proceed, judged by its Origin header. Browsers always send
 * Origin on WebSocket handshakes and pages cannot forge it; clients that send none are not
 * browsers (apps, bots, CLIs) and are let in: a socket is authenticated by the token in its first
 * frame, never by cookies, so the origin check is defence in depth against other sites' pages.
 * Allowed: the configured origins (`*` for any), and a page of the same host as the socket.
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
