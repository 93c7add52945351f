/** Shown at `/` until the web app is built: tells a newcomer the platform is up and where to go. */
export const statusPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:.1rem .3rem}</style>
</head><body>
<h1>Parley is running</h1>
<p>The API is served under <code>/api/v1</code>; its OpenAPI document is at
<a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a>.</p>
<p>Health: <a href="/healthz"><code>/healthz</code></a> · readiness: <a href="/readyz"><code>/readyz</code></a></p>
</body></html>`;
