import http from 'node:http';
import https from 'node:https';
import webpush from 'web-push';
import { checkPushEndpoint, lookupPublicOnly, publicOnlyLookup, type Resolver } from './push-endpoint.ts';
import type { VapidKeys } from './vapid-keys.ts';

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushOptions {
  vapid: VapidKeys;
  allowList: readonly string[];
  timeoutMs: number;
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** Replaces a not-yet-delivered push with the same topic (at most 32 URL-safe base64 characters). */
  topic?: string;
  /** The resolver behind the public-only lookup (tests); the system's by default. */
  resolve?: Resolver;
}

/**
 * - sent: the push service took it;
 * - gone: 404/410, the subscription expired or was revoked: remove it;
 * - rejected: the push service refused it for good (other 4xx): retrying cannot help;
 * - failed: timeout, network error, 429 or 5xx: worth another attempt.
 */
export type PushOutcome = { outcome: 'sent' | 'gone' | 'rejected' | 'failed'; status?: number; detail?: string };

function classify(status: number): PushOutcome {
  if (status >= 200 && status < 300) return { outcome: 'sent', status };
  if (status === 404 || status === 410) return { outcome: 'gone', status };
  if (status === 429 || status >= 500) return { outcome: 'failed', status };
  return { outcome: 'rejected', status };
}

/**
 * One Web Push request (RFC 8030, aes128gcm payload encryption, VAPID): web-push builds the
 * encrypted request, we send it ourselves so that it has a hard deadline and cannot be pointed
 * at the inside of the network.
 */
export async function sendWebPush(target: PushTarget, payload: string, options: PushOptions): Promise<PushOutcome> {
  const check = checkPushEndpoint(target.endpoint, options.allowList);
  if (!check.ok) return { outcome: 'rejected', detail: `endpoint ${check.reason}` };
  let details: ReturnType<typeof webpush.generateRequestDetails>;
  try {
    details = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payload, {
      vapidDetails: options.vapid,
      TTL: options.ttlSeconds,
      urgency: options.urgency,
      contentEncoding: 'aes128gcm',
      ...(options.topic ? { topic: options.topic } : {}),
    });
  } catch (error) {
    return { outcome: 'rejected', detail: error instanceof Error ? error.message : String(error) };
  }
  const request = check.url.protocol === 'https:' ? https.request : http.request;
  return new Promise<PushOutcome>((resolve) => {
    const req = request(
      check.url,
      {
        method: 'POST',
        headers: details.headers,
        signal: AbortSignal.timeout(options.timeoutMs),
        ...(check.allowListed ? {} : { lookup: options.resolve ? publicOnlyLookup(options.resolve) : lookupPublicOnly }),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(classify(res.statusCode ?? 0)));
        res.on('error', (error) => resolve({ outcome: 'failed', detail: error.message }));
      },
    );
    req.on('error', (error) => resolve({ outcome: 'failed', detail: error.message }));
    req.end(details.body ?? undefined);
  });
}
