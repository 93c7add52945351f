import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The web app's component tests (jsdom); the monorepo's root config leaves apps/web to this one.
export default defineConfig({
  plugins: [react()],
  test: {
    root: import.meta.dirname,
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup.ts'],
    pool: 'threads',
    maxWorkers: 2,
  },
});
