import type { ServerConfig } from '../config.js';

/** Primary → worker: build this design with this configuration (the shared JWT key included) and listen. */
export interface WorkerStart {
  readonly type: 'authbench:start';
  readonly strategy: string;
  readonly config: ServerConfig;
  readonly log: boolean;
}

/**
 * Worker → primary: the IPC channel is up (send the start message); the worker listens, on these ports (the API's
 * and the admin app's); or the start failed, and why.
 */
export type WorkerMessage =
  | { readonly type: 'authbench:worker-up' }
  | { readonly type: 'authbench:worker-listening'; readonly port: number; readonly adminPort: number }
  | { readonly type: 'authbench:worker-failed'; readonly message: string };

export function isWorkerStart(message: unknown): message is WorkerStart {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'authbench:start';
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
  return type === 'authbench:worker-up' || type === 'authbench:worker-listening' || type === 'authbench:worker-failed';
}
