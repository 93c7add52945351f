import { createHash } from 'node:crypto';

const style = 'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1rem .3rem}';

/** The CSP source that allows the page's one inline style and nothing else inline. */
export const statusPageStyleSource = `'sha256-${createHash('sha256').update(style).digest('base64')}'`;

/** Shown at `/` while the web app is not built: tells a newcomer the platform is up, where to go and how to get the app. */
export const statusPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley</title>
<style>${style}</style>
</head><body>
<h1>Parley is running</h1>
<p>The web app is not built yet. Build it with <code>npm run build:web</code> (it writes
<code>apps/web/dist</code>, or the folder <code>WEB_DIST_DIR</code> names) and reload this page;
<code>npm start</code> builds it by itself.</p>
<p>The API is served under <code>/api/v1</code>; its OpenAPI document is at
<a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a>.</p>
<p>Health: <a href="/healthz"><code>/healthz</code></a> · readiness: <a href="/readyz"><code>/readyz</code></a></p>
</body></html>`;
