/** What fetch accepts as a body (FormData, Blob, text, bytes). */
export type RequestBody = NonNullable<RequestInit['body']>;

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON (problem+json included), the text when it is not JSON, undefined when empty. */
  body: any;
}

export interface ApiOptions {
  /** An access token, sent as `Authorization: Bearer …`. */
  token?: string;
  /** Sent as JSON (content-type application/json unless `headers` name another). */
  body?: unknown;
  /** Sent as it is (multipart, bytes, malformed JSON); `body` wins when both are given. */
  raw?: RequestBody;
  headers?: Record<string, string>;
}

export type Api = (method: string, path: string, options?: ApiOptions) => Promise<ApiResponse>;

/** Who is calling: the address (sent as X-Forwarded-For, which the services trust from their proxy) and the device. */
export interface ClientIdentity {
  ip?: string;
  userAgent?: string;
}

/** A tiny fetch wrapper for one service (or the platform): JSON in, JSON or problem+json (or text) out. */
export const apiFor =
  (baseUrl: string, client: ClientIdentity = {}): Api =>
  async (method, path, options = {}) => {
    const headers: Record<string, string> = {
      ...(client.ip ? { 'x-forwarded-for': client.ip } : {}),
      ...(client.userAgent ? { 'user-agent': client.userAgent } : {}),
      ...(options.headers ?? {}),
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: RequestBody | undefined = options.raw;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (metrics, HTML): leave the text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };

let ipCounter = 0;
/** A client address of its own (TEST-NET-2), so the per-address limits one test hits never reach another. */
export function uniqueIp(): string {
  ipCounter += 1;
  return `198.51.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}
