import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AuthbenchError, ErrorCodes, InvalidCredentialsError, UnauthorizedError, isAuthbenchError } from '../lib/errors.js';
import type { ServerConfig } from './config.js';
import { ProcessHealth } from './health.js';
import { MAX_TOKEN_LENGTH } from './jwt/codec.js';
import { ServerMetrics } from './metrics.js';
import { createClusterClient } from './store/cluster-client.js';
import { RedisStore, type StoreClient } from './store/redis-store.js';
import type { AuthStrategy, DesignDefinition, IssuedToken } from './design.js';
import { UserDirectory } from './users.js';

export interface BuildOptions {
  /** Milliseconds since the epoch; tests freeze it to check expiry. */
  readonly clock?: () => number;
  /** Fastify's logger; off by default so logging does not skew the measurements. */
  readonly logger?: boolean;
  /** Where a design's start-up warnings go; default stderr, as `authbench serve: warning: <line>`. */
  readonly warn?: (line: string) => void;
}

/** Seconds a client should wait after a 503 before trying again. */
export const RETRY_AFTER_SEC = 1;
/** Login bodies are tiny; anything bigger is refused with 413 before parsing. */
export const BODY_LIMIT_BYTES = 4096;
/**
 * Deadlines for a client: the whole request (headers and body) within REQUEST_TIMEOUT_MS, else 408 and the socket
 * closed (a client that sends headers and trickles its body kept a socket for minutes); a connection idle for
 * CONNECTION_TIMEOUT_MS is closed; at most MAX_CONNECTIONS open at once (more are refused by the kernel's accept).
 */
export const REQUEST_TIMEOUT_MS = 10_000;
export const CONNECTION_TIMEOUT_MS = 120_000;
export const MAX_CONNECTIONS = 10_000;

/** The body of a token answer (/login, /refresh): the refresh fields only from a design that issues refresh tokens. */
const tokenResponseSchema = {
  type: 'object',
  properties: {
    token: { type: 'string' },
    tokenType: { type: 'string' },
    expiresIn: { type: 'integer' },
    refreshToken: { type: 'string' },
    refreshExpiresIn: { type: 'integer' },
  },
} as const;

function tokenBody(issued: IssuedToken): Record<string, unknown> {
  const body = { token: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn };
  return issued.refreshToken === undefined ? body : { ...body, refreshToken: issued.refreshToken, refreshExpiresIn: issued.refreshExpiresIn };
}

const loginSchema = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 64 },
      password: { type: 'string', minLength: 1, maxLength: 128 },
    },
  },
  response: { 200: tokenResponseSchema },
} as const;

/**
 * POST /refresh, registered only for a design with refresh tokens (AuthStrategy.refresh); for the others the path is
 * an unknown route (404). The token's format is the design's to check (a refusal is the one 401); the schema only
 * bounds the body, as /login's does.
 */
const refreshSchema = {
  body: {
    type: 'object',
    required: ['refreshToken'],
    properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 256 } },
  },
  response: { 200: tokenResponseSchema },
} as const;

const meSchema = {
  response: {
    200: {
      type: 'object',
      properties: {
        userId: { type: 'string' },
        username: { type: 'string' },
        roles: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

const localStateSchema = {
  type: 'object',
  properties: { entries: { type: 'integer' }, synced: { type: 'boolean' }, staleMs: { type: 'number' } },
} as const;

const healthSchema = {
  response: { 200: { type: 'object', properties: { status: { type: 'string' }, store: { type: 'string' }, local: localStateSchema } } },
} as const;

/** The auth scheme, compared case-insensitively (RFC 9110 §11.1), then one or more spaces (RFC 6750 §2.1). */
const BEARER = /^bearer +/i;
/** The realm of every challenge. */
const REALM = 'Bearer realm="authbench"';

/**
 * More than one Authorization header: refused (400, RFC 6750's invalid_request), since Node keeps only the first
 * and a proxy in front may have read another: two parties would see two different credentials.
 */
function authorizationHeaders(request: FastifyRequest): number {
  const raw = request.raw.rawHeaders;
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.length === 13 && raw[i]?.toLowerCase() === 'authorization') n++;
  return n;
}

function bearerToken(request: FastifyRequest): string {
  if (authorizationHeaders(request) > 1) throw new AuthbenchError(ErrorCodes.BAD_REQUEST, 'more than one Authorization header', 400);
  const header = request.headers.authorization;
  if (header === undefined) throw new UnauthorizedError('missing');
  const scheme = BEARER.exec(header);
  if (scheme === null || header.length > MAX_TOKEN_LENGTH + scheme[0].length) throw new UnauthorizedError('malformed');
  const token = header.slice(scheme[0].length);
  if (token.length === 0) throw new UnauthorizedError('missing');
  return token;
}

/**
 * The challenge of a 401 (RFC 9110 §11.6.1 requires one; RFC 6750 §3 gives its form): no error code when the request
 * had no credentials, `invalid_token` for any token refused (one value for every reason, as the body is one).
 */
function challengeOf(err: AuthbenchError): string {
  if (err instanceof UnauthorizedError && err.reason !== 'missing') return `${REALM}, error="invalid_token"`;
  return REALM;
}

/**
 * Errors Node's HTTP parser raises before Fastify routes anything (headers over 16 KiB: 431, a request that is not
 * HTTP: 400, a client too slow: 408). Fastify's default answer has another body shape; this one keeps {error, code}.
 */
function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({ error: STATUS_CODES[status] ?? 'client error', code: ErrorCodes.BAD_REQUEST });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SEC));
  return reply.code(status).send({ error: message, code });
}

/** The address the admin app (GET /metrics) listens on, whatever --host the API uses. */
export const ADMIN_HOST = '127.0.0.1';

const admins = new WeakMap<FastifyInstance, FastifyInstance>();

/** The admin app of an app buildServer made: GET /metrics, for the harness and the operator (not started). */
export function adminOf(app: FastifyInstance): FastifyInstance {
  const admin = admins.get(app);
  if (admin === undefined) throw new Error('not an app made by buildServer');
  return admin;
}

/** Starts the admin app on ADMIN_HOST:port (0 = any free port) and resolves with the port it listens on. */
export async function listenAdmin(app: FastifyInstance, port: number): Promise<number> {
  const admin = adminOf(app);
  await admin.listen({ port, host: ADMIN_HOST });
  const address = admin.server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

/** The URL of GET /metrics on an admin port. */
export const metricsUrlOf = (adminPort: number): string => `http://${ADMIN_HOST}:${adminPort}/metrics`;

/**
 * Builds (does not start) the Fastify app for one strategy. The HTTP contract is the same for all:
 * POST /login, GET /me, POST /logout, GET /health, and POST /refresh for a design with refresh tokens; GET
 * /metrics, for the harness, is on a loopback admin app (adminOf, listenAdmin).
 * The Redis client, when the strategy needs one, is opened here and closed with the app.
 */
export async function buildServer(
  definition: DesignDefinition,
  config: ServerConfig,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const clock = options.clock ?? Date.now;
  const metrics = new ServerMetrics();
  const users = new UserDirectory(config.users);
  let store: RedisStore<StoreClient> | undefined;
  if (definition.usesStore) {
    const timeoutMs = config.redisCommandTimeoutMs;
    if (config.redisCluster !== undefined) store = await RedisStore.open(createClusterClient(config.redisCluster, timeoutMs, config.redisPassword), 2000, 2 * timeoutMs);
    else if (config.redisUrl !== undefined) store = await RedisStore.connect({ url: config.redisUrl, commandTimeoutMs: timeoutMs });
    else throw new Error(`strategy ${definition.name} needs a Redis URL or a Redis Cluster`);
  }
  let strategy: AuthStrategy;
  try {
    const warn = options.warn ?? ((line: string) => process.stderr.write(`authbench serve: warning: ${line}\n`));
    if (store !== undefined) store.onError = warn;
    strategy = await definition.create({ config, users, metrics, store, clock, warn });
  } catch (err) {
    await store?.close();
    throw err;
  }

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    // Node checks requestTimeout only this often (30 s by default, which let a trickled body live ~40 s).
    http: { connectionsCheckingInterval: 1000 },
    // Keep-alive connections from the load generator must not hold close() open.
    forceCloseConnections: true,
    // While closing, the onRequest hook below answers 503 with the contract's body (Fastify's own has another shape).
    return503OnClosing: false,
    // No type coercion: {"username": ["user1"]} or {"username": 1} is a malformed body (400), not a string.
    ajv: { customOptions: { coerceTypes: false } },
    clientErrorHandler,
  });
  // Only JSON bodies: text/plain (a Fastify default) would reach validation and be answered 400 instead of 415.
  app.removeContentTypeParser('text/plain');
  app.server.maxConnections = MAX_CONNECTIONS;
  // Node enforces requestTimeout only when headersTimeout is no longer (its constructor clamps it; Fastify sets
  // requestTimeout after construction, which left headersTimeout at 60 s and a trickled body alive until it ended).
  app.server.headersTimeout = REQUEST_TIMEOUT_MS;
  // Set when close() begins: a request that still arrives on an open connection is answered 503 (Fastify also sets
  // `Connection: close` on it), so a load balancer or client retries it on another instance.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Every answer is JSON (or empty): no browser may sniff it into something else.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!closing) {
      done();
      return;
    }
    void sendError(reply, 503, ErrorCodes.SHUTTING_DOWN, 'the server is shutting down; retry');
  });

  const health = new ProcessHealth(app.server);
  app.addHook('onClose', async () => {
    health.close();
    await strategy.close?.();
    await store?.close();
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isAuthbenchError(err)) {
      if (err instanceof UnauthorizedError) metrics.reject(err.reason);
      if (err.statusCode === 503) metrics.storeErrors++;
      if (err.statusCode === 401) reply.header('www-authenticate', challengeOf(err));
      // Only bearerToken raises a 400 of ours (two Authorization headers): RFC 6750's invalid_request.
      if (err.statusCode === 400) reply.header('www-authenticate', `${REALM}, error="invalid_request"`);
      // Every token refusal gets the same body, whatever the reason, so a client cannot probe which check failed.
      return sendError(reply, err.statusCode, err.code, err.message);
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, status, ErrorCodes.BAD_REQUEST, err.code === 'FST_ERR_VALIDATION' ? 'invalid body' : err.message);
    }
    request.log.error(err);
    return sendError(reply, 500, ErrorCodes.INTERNAL, 'internal error');
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, ErrorCodes.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
  );

  // `local`: only for a design that keeps a local copy of Redis state (how many entries, and how stale it is).
  app.get('/health', { schema: healthSchema }, async () => ({
    status: 'ok',
    store: store === undefined ? 'none' : store.status(),
    ...(strategy.localState === undefined ? {} : { local: strategy.localState() }),
  }));

  app.post<{ Body: { username: string; password: string } }>('/login', { schema: loginSchema }, async (request, reply) => {
    const user = users.authenticate(request.body.username, request.body.password);
    if (user === undefined) throw new InvalidCredentialsError();
    const issued = await strategy.issue(user);
    // A token response must not be stored by any cache (RFC 6749 §5.1), nor user data (below).
    reply.header('cache-control', 'no-store');
    return tokenBody(issued);
  });

  if (strategy.refresh !== undefined) {
    const refresh = strategy.refresh.bind(strategy);
    app.post<{ Body: { refreshToken: string } }>('/refresh', { schema: refreshSchema }, async (request, reply) => {
      // Set first, so that a refusal (401) or a 503 is not stored either: every answer here is about a credential.
      reply.header('cache-control', 'no-store');
      return tokenBody(await refresh(request.body.refreshToken));
    });
  }

  app.get('/me', { schema: meSchema }, async (request, reply) => {
    const user = await strategy.verify(bearerToken(request));
    reply.header('cache-control', 'no-store');
    return user;
  });

  app.post('/logout', async (request, reply) => {
    await strategy.revoke(bearerToken(request));
    return reply.code(204).send();
  });

  // `?gc=1` collects garbage first, when the process runs with --expose-gc (authbench starts its servers so): the
  // harness asks it before a measured phase, so that the warm-up's garbage is not collected on the phase's time.
  const gc = (globalThis as { gc?: () => void }).gc;
  const collect = (): boolean => {
    gc?.();
    return gc !== undefined;
  };
  // GET /metrics is on a separate app, listened on loopback only (listenAdmin): it tells refusal reasons apart (which
  // the uniform 401 hides), names the pid and memory, and reading it resets the event-loop histogram, so it is for
  // the harness and the operator, never for the API's clients. The API port answers it 404 like any unknown path.
  const admin = Fastify({ logger: false, forceCloseConnections: true });
  admins.set(app, admin);
  app.addHook('onClose', async () => {
    await admin.close();
  });
  admin.setNotFoundHandler((request, reply) => sendError(reply, 404, ErrorCodes.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0] ?? ''}`));
  admin.get<{ Querystring: { gc?: string } }>('/metrics', async (request) => ({
    ...(request.query.gc === '1' ? { gcRan: collect() } : {}),
    strategy: definition.name,
    // Which process answered: with `serve --workers N` each worker has its own counters.
    pid: process.pid,
    store: store?.status() ?? 'none',
    ...(strategy.localState === undefined ? {} : { local: strategy.localState() }),
    ...metrics.snapshot(),
    health: health.snapshot(),
  }));

  return app;
}
