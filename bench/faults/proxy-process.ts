/**
 * The Redis proxy's own process: forked by RedisProxy.start (proxy.ts), it runs a ProxyServer and does what the
 * parent asks over the IPC channel. It exits when that channel closes, so a parent that dies (even by SIGKILL)
 * never leaves it behind.
 */
import { ProxyServer, type ProxyStats, type RedisProxyOptions } from './proxy-server.js';

/** What the parent sends: first `start`, then any number of operations, each answered by its id. */
export type ProxyRequest =
  | { readonly op: 'start'; readonly options: RedisProxyOptions }
  | { readonly id: number; readonly op: 'setBaseDelay' | 'setDelay' | 'flap'; readonly value: number }
  | { readonly id: number; readonly op: 'blackhole' | 'reset' | 'restore' | 'stats' | 'close' };

/** What the child sends: `started` or `failed` once, then one `reply` per operation. */
export type ProxyMessage =
  | { readonly type: 'started'; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'reply'; readonly id: number; readonly error?: string; readonly stats?: ProxyStats };

function post(message: ProxyMessage): void {
  process.send?.(message);
}

/** The proxy this process runs, once `start` has succeeded. */
interface Held {
  server: ProxyServer | undefined;
}

async function handle(held: Held, request: ProxyRequest): Promise<void> {
  if (request.op === 'start') {
    try {
      held.server = await ProxyServer.start(request.options);
      post({ type: 'started', port: held.server.port });
    } catch (err) {
      post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  const { id } = request;
  const { server } = held;
  try {
    if (server === undefined) throw new Error('the proxy has not started');
    switch (request.op) {
      case 'setBaseDelay':
        server.setBaseDelay(request.value);
        break;
      case 'setDelay':
        server.setDelay(request.value);
        break;
      case 'flap':
        server.flap(request.value);
        break;
      case 'blackhole':
        server.blackhole();
        break;
      case 'reset':
        server.reset();
        break;
      case 'restore':
        server.restore();
        break;
      case 'stats':
        break;
      case 'close':
        await server.close();
        break;
    }
    post({ type: 'reply', id, stats: server.stats() });
  } catch (err) {
    post({ type: 'reply', id, error: err instanceof Error ? err.message : String(err) });
  }
}

if (process.send === undefined) {
  process.stderr.write('proxy-process: start me with child_process.fork (RedisProxy.start), not by hand\n');
  process.exit(2);
}
const held: Held = { server: undefined };
process.on('message', (request: ProxyRequest) => void handle(held, request));
// The parent is gone or done with us: the kernel closes every socket as the process ends.
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group: the proxy outlives it until its parent, which is still winding the run
// down, closes it or goes away.
process.on('SIGINT', () => {});
