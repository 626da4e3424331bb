import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type RequestHandler, Router } from 'express';
import helmet from 'helmet';

/**
 * The Content-Security-Policy of the console and the API: everything from the cloud itself, nothing
 * from a CDN. MapLibre GL builds its workers from blobs (worker-src blob:) and decodes images into
 * data: and blob: URLs; a configured raster tile server (`tileUrl`) is the one other origin allowed,
 * for its images only.
 */
export function securityHeaders(tileUrl?: string): RequestHandler {
  const tiles = tileUrl ? [new URL(tileUrl.replaceAll(/[{}]/g, '')).origin] : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...tiles],
        connectSrc: ["'self'", ...tiles],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
  });
}

/**
 * Serves the built console (`dir`, Vite's output) at `/`, with its client-side routes answered by
 * index.html (SPA fallback). Paths under /api, /health, /metrics and /open (the public open data) are never the console's. With no
 * build in `dir`, `/` says how to build it.
 */
export function consoleRoutes(dir: string): Router {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  const router = Router();
  const isApi = (path: string) => /^\/(api|health|metrics|open)(\/|$)/.test(path);
  // Hashed assets never change; index.html is always revalidated so a new build is picked up.
  router.use(
    '/assets',
    express.static(join(root, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }),
  );
  // An API request never asks the file system (a stat per request, through libuv's thread pool).
  const files = express.static(root, { index: false, maxAge: 0 });
  router.use((req, res, next) => (isApi(req.path) ? next() : files(req, res, next)));
  router.get(['/', '/*splat'], (req, res, next) => {
    if (isApi(req.path) || req.accepts(['html', 'json']) !== 'html') return next();
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The console is not built: run `npm run console:build` (npm start does it).\n');
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });
  return router;
}
