import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// Vite's built-in esbuild JSX transform is enough for this UI; no React plugin (no fast refresh needed).
const webRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * src/prefetch.ts is an entry of its own, run first: a few kB that ask for a dashboard's numbers
 * while the application's script (~450 kB) is still downloading and compiling. Its script tag goes
 * first in the page's head (the built chunk; the source file under the dev server).
 */
function prefetchFirst(): Plugin {
  return {
    name: 'attain-prefetch-first',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find(
          (file) => file.type === 'chunk' && file.isEntry && file.name === 'prefetch',
        );
        const src = chunk ? `/${chunk.fileName}` : ctx.server ? '/src/prefetch.ts' : undefined;
        if (!src) return html;
        return {
          html,
          tags: [
            { tag: 'script', attrs: { type: 'module', crossorigin: true, src }, injectTo: 'head-prepend' },
          ],
        };
      },
    },
  };
}

export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: false,
  esbuild: { jsx: 'automatic' },
  plugins: [prefetchFirst()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        prefetch: fileURLToPath(new URL('./src/prefetch.ts', import.meta.url)),
      },
    },
    // ECharts (bar and line charts only) is one lazy chunk of ~570 kB that only pages with charts
    // fetch (components/echart.tsx); the warning is for chunks that slow every page.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev` serves the API on :3000; the Vite dev server forwards /api to it.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
