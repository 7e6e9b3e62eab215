import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { trackChild } from '../../lib/children.js';
import type { ServerConfig } from '../config.js';
import { createSharedJwtKeys } from '../jwt/shared-keys.js';
import { isWorkerMessage, type WorkerStart } from './messages.js';

/** Most workers `serve --workers` starts: far more than the cores of any machine authbench is meant for. */
export const MAX_WORKERS = 64;
const WORKER_ENTRY = fileURLToPath(new URL('./worker.js', import.meta.url));

export interface WorkerGroup {
  /** The one port every worker accepts on. */
  readonly port: number;
  /** The one admin port (GET /metrics, on 127.0.0.1) every worker accepts on: each read is answered by one worker. */
  readonly adminPort: number;
  /** Stops every worker (SIGTERM, then SIGKILL after `graceMs`) and resolves once all have exited. */
  close(graceMs?: number): Promise<void>;
}

export interface WorkerGroupOptions {
  readonly log: boolean;
  /** Called once when a worker exits that was not asked to (the group is then being closed). */
  readonly onCrash: (description: string) => void;
  readonly startTimeoutMs?: number;
}

function describeExit(worker: Worker, code: number | null, signal: string | null): string {
  return `worker ${worker.id} (pid ${worker.process.pid ?? '?'}) ${signal === null ? `exited with code ${code}` : `was killed by ${signal}`}`;
}

/**
 * Forks `count` workers with node:cluster, each running the same app (servers/process/worker.ts) on one shared port,
 * and resolves once every one of them listens. With port 0 the primary's shared handle gives every worker the
 * same port (node:cluster keys the handle by address and port). Connections are handed out round robin by the
 * primary (cluster's default on Linux), so the keep-alive connections of a load generator are spread evenly; the
 * primary does no HTTP work.
 *
 * All workers get one JWT key and kid (made here), so a token issued by one verifies on all. A worker that exits
 * unasked is reported through onCrash and is NOT restarted: for a benchmark, a server that silently carried on with
 * fewer workers, or with a cold replacement, would report numbers for a different setup. The caller ends the
 * whole server instead, as a crashed single-process server ends.
 */
export async function startWorkers(strategy: string, base: ServerConfig, count: number, options: WorkerGroupOptions): Promise<WorkerGroup> {
  const config: ServerConfig = { ...base, jwtKeys: base.jwtKeys ?? (await createSharedJwtKeys(base.jwtAlg, base.jwtSecret)) };
  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [], silent: false });
  const workers: Worker[] = [];
  const exited = new Map<Worker, Promise<void>>();
  let closing = false;
  let started = false;

  const close = async (graceMs = 5000): Promise<void> => {
    closing = true;
    const timer = setTimeout(() => {
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
    }, graceMs);
    for (const w of workers) if (!w.isDead()) w.process.kill('SIGTERM');
    await Promise.all(exited.values());
    clearTimeout(timer);
  };

  const listening = new Promise<{ port: number; adminPort: number }>((resolve, reject) => {
    const ports = new Map<Worker, { port: number; adminPort: number }>();
    const timer = setTimeout(() => reject(new Error(`${count - ports.size} of ${count} workers did not listen within ${options.startTimeoutMs ?? 30_000} ms`)), options.startTimeoutMs ?? 30_000);
    for (let i = 0; i < count; i++) {
      const worker = cluster.fork();
      workers.push(worker);
      trackChild(worker.process);
      exited.set(worker, new Promise((done) => worker.once('exit', () => done())));
      worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (message.type === 'authbench:worker-up') {
          const start: WorkerStart = { type: 'authbench:start', strategy, config, log: options.log };
          worker.send(start);
        } else if (message.type === 'authbench:worker-listening') {
          ports.set(worker, { port: message.port, adminPort: message.adminPort });
          if (ports.size < count) return;
          clearTimeout(timer);
          const distinct = new Set([...ports.values()].map((p) => `${p.port}/${p.adminPort}`));
          if (distinct.size === 1) resolve({ port: message.port, adminPort: message.adminPort });
          else reject(new Error(`the workers listen on different ports (API/admin: ${[...distinct].join(', ')})`));
        } else {
          clearTimeout(timer);
          reject(new Error(`worker ${worker.id} could not start: ${message.message}`));
        }
      });
      worker.once('exit', (code, signal) => {
        if (closing) return;
        const description = describeExit(worker, code, signal);
        if (started) {
          closing = true;
          options.onCrash(description);
          return;
        }
        clearTimeout(timer);
        reject(new Error(`${description} before every worker listened`));
      });
    }
  });

  try {
    const { port, adminPort } = await listening;
    started = true;
    return { port, adminPort, close };
  } catch (err) {
    await close();
    throw err;
  }
}
