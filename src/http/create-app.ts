import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { Attain } from '../app/create-attain.ts';
import { errorResponse, problemResponse } from './problem.ts';
import { registerDataRoutes } from './routes/data-routes.ts';
import { registerImportRoutes } from './routes/import-routes.ts';
import { registerAdminRoutes } from './routes/admin-routes.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerRecordRoutes } from './routes/record-routes.ts';
import { registerMetricRoutes } from './routes/metric-routes.ts';
import { registerCompRoutes } from './routes/comp-routes.ts';
import { registerForecastRoutes } from './routes/forecast-routes.ts';
import { identify, type Api, type AppEnv, type RouteTable } from './access.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const webDist = path.join(root, 'web', 'dist');
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;

const routeTables = new WeakMap<Api, RouteTable>();

/** Every API route with the access it declares (the authorization matrix test reads it). */
export function routeTableOf(app: Api): RouteTable {
  return routeTables.get(app) ?? [];
}

/** The HTTP edge: the JSON API under /api, its OpenAPI document, and the web UI. */
export function createApp(attain: Attain): Api {
  const app = new OpenAPIHono<AppEnv>({
    // Every validation problem at once, each naming its field, as problem+json.
    defaultHook: (result, c) => {
      if (!result.success) {
        return problemResponse(
          c,
          'validation',
          'The request is not valid.',
          result.error.issues.map((i) => ({
            field: [result.target, ...i.path].join('.'),
            message: i.message,
          })),
        );
      }
    },
  });

  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? problemResponse(c, 'not_found', `No route ${c.req.method} ${c.req.path}.`)
      : c.text('Not found', 404),
  );

  // Security headers on every answer: a strict content policy (no inline script, no framing),
  // no MIME sniffing, no referrer leaving the site.
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: 'DENY',
      xContentTypeOptions: 'nosniff',
      referrerPolicy: 'no-referrer',
      strictTransportSecurity: attain.config.publicUrl.startsWith('https://')
        ? 'max-age=31536000; includeSubDomains'
        : false,
      crossOriginOpenerPolicy: 'same-origin',
      crossOriginResourcePolicy: 'same-origin',
    }),
  );
  // Answers of the API are never cached by the browser or a proxy (they hold pay and personal data).
  app.use('/api/*', async (c, next) => {
    // Set before the handler runs, so that the node adapter can send the handler's answer as it is.
    c.header('cache-control', 'no-store');
    await next();
  });

  // JSON bodies are small; uploads stream to disk with their own limit.
  app.use('/api/*', async (c, next) => {
    if (c.req.path === '/api/uploads' || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return bodyLimit({
      maxSize: 1024 * 1024,
      onError: (c2) => problemResponse(c2, 'payload_too_large', 'The request body is larger than 1 MiB.'),
    })(c, next);
  });

  // Who is calling (session cookie or API token); each route's own gate then checks its access.
  app.use('/api/*', identify(attain));

  const table: RouteTable = [];
  routeTables.set(app, table);
  registerAuthRoutes(app, table, attain);
  registerDataRoutes(app, table, attain, version);
  registerImportRoutes(app, table, attain);
  registerRecordRoutes(app, table, attain);
  registerMetricRoutes(app, table, attain);
  registerCompRoutes(app, table, attain);
  registerForecastRoutes(app, table, attain);
  registerAdminRoutes(app, table, attain);

  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Attain API',
      version,
      description: 'Sales performance management: data, metrics, compensation, forecasts.',
    },
  });

  // The web UI: built assets, and index.html for every client-side route.
  app.use('/assets/*', serveStatic({ root: webDist }));
  app.get('*', (c) => {
    if (c.req.path.startsWith('/api/')) return problemResponse(c, 'not_found', `No route GET ${c.req.path}.`);
    const index = path.join(webDist, 'index.html');
    if (!fs.existsSync(index)) {
      return c.text(
        'The web UI is not built. Run `npm run build:web` (npm install does it), then reload.',
        503,
      );
    }
    return c.html(fs.readFileSync(index, 'utf8'));
  });
  return app;
}
