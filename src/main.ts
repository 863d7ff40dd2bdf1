/**
 * The composition root: configuration → store → application → HTTP server. The CLI's `serve`
 * and `npm start` both come here.
 */
import { serve } from '@hono/node-server';
import type { AppConfig } from './config/config.ts';
import { createAttain, type Attain } from './app/create-attain.ts';
import { seedDemoIfEmpty } from './app/seed-demo.ts';
import { systemClock, type Clock } from './app/ports.ts';
import { createApp } from './http/create-app.ts';

export type RunningServer = { attain: Attain; url: string; stop(): Promise<void> };

/** Starts Attain: opens and migrates the database, fills an empty one with the demo, listens. */
export async function startServer(
  config: AppConfig,
  clock: Clock = systemClock,
  log: (line: string) => void = console.log,
): Promise<RunningServer> {
  const attain = await createAttain(config, clock);
  try {
    const seeded = await seedDemoIfEmpty(attain, log);
    if (seeded)
      log(`Loaded the demo organisation (${seeded.reps} reps, ${seeded.opportunities} opportunities).`);
  } catch (error) {
    await attain.close();
    throw error;
  }
  const app = createApp(attain);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  if (!config.publicUrlConfigured) attain.auth.usePublicUrl(url);
  try {
    await attain.auth.ensureFirstAdmin(log);
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await attain.close();
    throw error;
  }
  log(`Attain is listening on ${url}`);
  return {
    attain,
    url,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await attain.close();
    },
  };
}
