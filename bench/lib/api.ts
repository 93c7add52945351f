import { setTimeout as sleep } from 'node:timers/promises';

export interface Answer {
  status: number;
  headers: Headers;
  json: any;
}

/** One REST call; a network error throws (the caller decides whether that is a failure). */
export async function call(base: string, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

/** Set-up calls retry what a polite client retries; the measured calls decide for themselves. */
export async function setupCall(base: string, method: string, path: string, token?: string, body?: unknown): Promise<any> {
  for (let attempt = 0; ; attempt += 1) {
    const res = await call(base, method, path, token, body).catch((error: unknown) => ({ status: 0, json: String(error) }));
    if (res.status > 0 && res.status < 300) return res.json;
    if (attempt >= 20) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
    await sleep(250 * (attempt + 1));
  }
}
