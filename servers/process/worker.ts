/**
 * The entry of each worker process of `authbench serve --workers N` (servers/process/workers.ts forks it with
 * node:cluster). It waits for its configuration from the primary over the IPC channel, builds the same Fastify app
 * as a single server, and listens on the primary's shared handle. It closes and exits on SIGTERM from the primary,
 * and when the primary goes away (the IPC channel closes), so no worker outlives its primary.
 */
import type { FastifyInstance } from 'fastify';
import { buildServer, listenAdmin } from '../app.js';
import type { ServerConfig } from '../config.js';
import { isDesignName, designOf } from '../designs/index.js';
import { isWorkerStart, type WorkerMessage } from './messages.js';

let app: FastifyInstance | undefined;
let closing = false;

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

async function close(code: number): Promise<never> {
  if (!closing) {
    closing = true;
    await app?.close().catch(() => undefined);
  }
  process.exit(code);
}

async function start(strategy: string, config: ServerConfig, log: boolean): Promise<void> {
  if (!isDesignName(strategy)) throw new Error(`unknown strategy ${strategy}`);
  app = await buildServer(designOf(strategy), config, { logger: log });
  if (closing) return;
  await app.listen({ port: config.port, host: config.host });
  // Listened second in every worker: node:cluster counts a worker's listens on one address and port, so the workers'
  // first listens share one handle and their second listens another, even when both ask for port 0.
  const adminPort = await listenAdmin(app, config.adminPort);
  const address = app.server.address();
  send({ type: 'authbench:worker-listening', port: typeof address === 'object' && address !== null ? address.port : config.port, adminPort });
}

process.once('SIGTERM', () => void close(0));
// Ctrl-C in a terminal reaches the whole process group: the primary handles it (and sends SIGTERM to each worker).
// A worker that went away on its own SIGINT first would look like a crash to the primary.
process.on('SIGINT', () => {});
process.once('disconnect', () => void close(0));
process.on('message', (message: unknown) => {
  if (!isWorkerStart(message)) return;
  start(message.strategy, message.config, message.log).catch((err: unknown) => {
    send({ type: 'authbench:worker-failed', message: err instanceof Error ? err.message : String(err) });
    void close(1);
  });
});
send({ type: 'authbench:worker-up' });
