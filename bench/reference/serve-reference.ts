import { parseArgs } from 'node:util';
import { resolveServerConfig } from '../../servers/config.js';
import { buildReferenceServer } from './fastify-jwt-server.js';

// The process entry of the @fastify/jwt reference server (fastify-jwt-server.ts), started by `authbench reference`:
//   node dist/bench/reference/serve-reference.js [--port 0] [--host 127.0.0.1] [--jwt-secret S]
// The port may also come from PORT and the secret from AUTHBENCH_JWT_SECRET, as for `authbench serve`. Prints
// `listening on http://HOST:PORT` once it listens; closes on SIGINT / SIGTERM. Exit codes: 1 failed, 2 bad arguments.

try {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, host: { type: 'string' }, 'jwt-secret': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  // The `serve` validation of the same flags (port range, host, secret length).
  const config = resolveServerConfig({
    port: values.port ?? process.env['PORT'],
    host: values.host,
    jwtSecret: values['jwt-secret'] ?? process.env['AUTHBENCH_JWT_SECRET'],
  });
  if (config.jwtSecret === undefined) throw new TypeError('a secret is required: --jwt-secret or AUTHBENCH_JWT_SECRET (at least 32 bytes)');
  const app = buildReferenceServer({ secret: config.jwtSecret });
  const close = (): void => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  process.stdout.write(`listening on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}\n`);
} catch (err) {
  process.stderr.write(`fastify-jwt reference server: ${err instanceof Error ? err.message : String(err)}\n`);
  // Bad arguments (parseArgs throws TypeErrors with a code, resolveServerConfig an InvalidOptionError): 2.
  process.exit(err instanceof TypeError || (err instanceof Error && 'code' in err && err.code === 'ERR_INVALID_OPTION') ? 2 : 1);
}
