import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev -w @parley/web` serves the app on 5101 and forwards the API and the WebSocket to
// a platform started separately (PARLEY_URL, default http://127.0.0.1:5180).
const platform = process.env.PARLEY_URL ?? 'http://127.0.0.1:5180';

export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    sourcemap: false,
    // The budget script reads the manifest to find what index.html loads up front.
    manifest: true,
  },
  server: {
    proxy: {
      '/api': { target: platform, changeOrigin: false },
      '/ws': { target: platform.replace(/^http/, 'ws'), ws: true },
    },
  },
});
