import fastifyJwt from '@fastify/jwt';
import Fastify, { type FastifyInstance } from 'fastify';
import { InvalidOptionError } from '../../lib/errors.js';
import { MIN_SECRET_BYTES, serverDefaults } from '../../servers/config.js';
import { REQUIRED_CLAIMS } from '../../servers/jwt/claims.js';

// A benchmark reference, not part of the harness: what a Fastify user would write with @fastify/jwt to check the
// `jwt` server's HS256 tokens, so that the cost of authbench's own verification has something to be compared with
// (`authbench reference`). Only its entry (serve-reference.ts) imports it; .dependency-cruiser.cjs says so.

export interface ReferenceServerOptions {
  /** HS256 key: the UTF-8 bytes of this text, as `authbench serve jwt --jwt-secret`. */
  readonly secret: string;
}

/**
 * A minimal @fastify/jwt server that accepts the tokens `authbench serve jwt --jwt-secret S` issues, with every
 * check of the `jwt` server that @fastify/jwt's options (fast-jwt's verifier options) can express: one pinned
 * algorithm, `typ: JWT`, `iss` and `aud` (required, and their values), `exp`/`iat`/`sub`/`jti` required, the same
 * clock tolerance and maximum token age; fast-jwt refuses an unknown `crit` by itself. What it cannot express
 * without code of its own — `kid` from a fixed map, refused `jwk`/`jku`/`x5u`/`x5c`/`x5t` headers, strict `exp`,
 * a UUID `jti`, a roles array, a user lookup — it does not do: that difference is what the comparison prices.
 * Routes: GET /me (200 {userId, roles} or 401), GET /health. No response schemas, no hooks: a minimal server.
 */
export function buildReferenceServer(options: ReferenceServerOptions): FastifyInstance {
  if (Buffer.byteLength(options.secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new InvalidOptionError(`the secret must be at least ${MIN_SECRET_BYTES} bytes of UTF-8, got ${Buffer.byteLength(options.secret, 'utf8')}`);
  }
  const d = serverDefaults;
  const app = Fastify({ logger: false });
  void app.register(fastifyJwt, {
    secret: options.secret,
    verify: {
      algorithms: ['HS256'],
      checkTyp: 'JWT',
      allowedIss: d.issuer,
      allowedAud: d.audience,
      // iss and aud too: fast-jwt skips a value check when the claim is absent.
      requiredClaims: [...REQUIRED_CLAIMS, 'iss', 'aud'],
      // Milliseconds: @fastify/jwt passes clockTolerance to fast-jwt as it is.
      clockTolerance: d.clockToleranceSec * 1000,
      // Seconds: @fastify/jwt converts a number to milliseconds. The tolerance added, as the `jwt` server does.
      maxAge: d.tokenTtlSec + d.clockToleranceSec,
    },
  });

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/me', async (request, reply) => {
    let claims: { sub?: unknown; roles?: unknown };
    try {
      claims = await request.jwtVerify();
    } catch {
      // @fastify/jwt answers some refusals (a wrong algorithm or typ) with fast-jwt's own error, a 500: one 401 here.
      return reply.code(401).send({ error: 'unauthorized' });
    }
    return { userId: claims.sub, roles: claims.roles };
  });

  return app;
}
