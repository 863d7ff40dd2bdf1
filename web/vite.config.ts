import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Vite's built-in esbuild JSX transform is enough for this UI; no React plugin (no fast refresh needed).
const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: false,
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // ECharts (bar and line charts only) is one lazy chunk of ~570 kB that only pages with charts
    // fetch (components/echart.tsx); the warning is for chunks that slow every page.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev` serves the API on :3000; the Vite dev server forwards /api to it.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
