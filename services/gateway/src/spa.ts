import { statSync } from 'node:fs';
import { join, posix } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpServer, Logger } from '@parley/kit';
import { statusPage, statusPageStyleSource } from './status-page.ts';

/**
 * The web app (apps/web, built by Vite into WEB_DIST_DIR) at `/` and at every client-side
 * route, so deep links and reloads work: a GET for a file of the build gets the file; any
 * other GET that accepts HTML gets index.html, and the app's router takes it from there.
 * Paths of the server itself (`/api/*`, `/ws`, probes, `/.well-known/*`) never get the app:
 * an unknown one stays a problem+json 404.
 *
 * Until the app is built, `/` keeps the status page, saying how to build it. Whether it is
 * built is looked up per request, so a build made while the gateway runs is served at once.
 */
export async function registerSpa(app: HttpServer, distDir: string, logger: Logger): Promise<void> {
  // serve: false: only reply.sendFile; the routes below decide what a path means. (No root
  // here: the plugin would warn at start about a folder that is only missing until built.)
  await app.register(fastifyStatic, { serve: false, cacheControl: false, dotfiles: 'deny' });
  if (!isBuilt(distDir)) logger.warn({ distDir }, 'the web app is not built: / shows the status page (npm run build:web builds it)');

  const serve = (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request.url);
    if (path === undefined || isServerPath(path)) return reply.callNotFound();
    const wantsPage = path === '/' || acceptsHtml(request);
    if (!isBuilt(distDir)) {
      if (!wantsPage) return reply.callNotFound();
      return withSecurityHeaders(request, reply, [statusPageStyleSource]).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(statusPage);
    }
    const file = path === '/' ? undefined : fileOf(distDir, path);
    if (file !== undefined) {
      reply.header('cache-control', isHashedAsset(file) ? IMMUTABLE : 'no-cache');
      return withSecurityHeaders(request, reply).sendFile(file, distDir);
    }
    // A missing hashed asset is a stale tab asking for an old build: a 404, not the page.
    if (!wantsPage || isHashedAsset(path.slice(1))) return reply.callNotFound();
    reply.header('cache-control', 'no-cache');
    return withSecurityHeaders(request, reply).sendFile(INDEX, distDir);
  };
  app.get('/', { schema: { hide: true } }, serve);
  app.get('/*', { schema: { hide: true } }, serve);
}

const INDEX = 'index.html';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Vite puts every content-hashed file under assets/; nothing else may be cached for long. */
const isHashedAsset = (file: string) => file.startsWith('assets/');

const isBuilt = (distDir: string) => isFile(join(distDir, INDEX));

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Prefixes the services and the gateway answer themselves; the app never shadows them. */
const SERVER_PATHS = ['/api', '/ws', '/healthz', '/readyz', '/metrics', '/.well-known'];
const isServerPath = (path: string) => SERVER_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/** The decoded, normalised path of a request URL; undefined when it cannot be decoded. */
function pathOf(url: string): string | undefined {
  const raw = url.split('?', 1)[0] ?? '/';
  try {
    const decoded = decodeURIComponent(raw);
    return decoded.includes('\0') ? undefined : posix.normalize(decoded);
  } catch {
    return undefined;
  }
}

/** The build's file for a path, relative to the dist folder; undefined when there is none. */
function fileOf(distDir: string, path: string): string | undefined {
  const relative = path.replace(/^\/+/, '').replace(/\/+$/, '');
  // normalize() kept any leading `..`; dotfiles (and `..`) are never part of the build.
  if (relative === '' || relative.split('/').some((segment) => segment.startsWith('.'))) return undefined;
  return isFile(join(distDir, relative)) ? relative : undefined;
}

/** A browser navigation (or a reload) asks for text/html; fetches of data and assets do not. */
const acceptsHtml = (request: FastifyRequest) => (request.headers.accept ?? '').includes('text/html');

/** A Host header that can go into the policy without changing its meaning: host[:port]. */
const SAFE_HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * What the app may do, and nothing more: its own scripts only (Vite emits no inline script),
 * the API and the WebSocket of its own origin, images from the API or made in the page
 * (blob: previews of uploads, data: for small inlined icons), never framed.
 */
export function contentSecurityPolicy(host: string | undefined, extraStyleSources: readonly string[] = []): string {
  const sockets = host !== undefined && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    ["style-src 'self'", ...extraStyleSources].join(' '),
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "media-src 'self' blob:",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Browser features the app never uses, switched off for it and anything it could embed. */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'usb=()',
  'browsing-topics=()',
].join(', ');

function withSecurityHeaders(request: FastifyRequest, reply: FastifyReply, extraStyleSources?: readonly string[]): FastifyReply {
  return reply.headers({
    'content-security-policy': contentSecurityPolicy(request.host, extraStyleSources),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'permissions-policy': PERMISSIONS_POLICY,
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  });
}
