import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The operator console: Preact with Vite's own JSX transform (no Babel), bundled into static files in
 * console/dist that the cloud serves at `/`. Nothing is loaded from a CDN: MapLibre, uPlot and the
 * fonts (system fonts) are all in the bundle.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npx vite console` during development: the API of a running cloud (npm start) on 8080.
    proxy: { '/api': 'http://127.0.0.1:8080', '/health': 'http://127.0.0.1:8080' },
  },
});
