import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { deviceRoutes } from './devices.ts';
import { notFoundHandler, problemHandler } from './errors.ts';

export interface ApiDependencies {
  registry: DeviceRegistry;
  deadLetters: DeadLetterStore;
  log: Logger;
  health(): Record<string, unknown>;
}

export function createApi(deps: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.get('/health', (_req, res) => {
    res.json(deps.health());
  });
  app.use('/api/v1', deviceRoutes(deps.registry), deadLetterRoutes(deps.deadLetters));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
