import { JWT_ALGS, JWT_IMPLS, resolveServerConfig, type JwtAlg, type JwtImpl, type ServerConfig } from '../../servers/config.js';
import { createJwtCodec, type JwtClaimsConfig } from '../../servers/jwt/codec.js';
import { createSharedJwtKeys, type SharedJwtKeys } from '../../servers/jwt/shared-keys.js';
import { cryptoFloor } from '../measure/crypto-floor.js';
import { JWT_OPS, jwtTaskName, type JwtOp, type JwtPath } from './schema.js';
import { failing, type MicroTaskDef } from './task.js';

/** The floor first, then each implementation: the rows of one algorithm and operation sit together. */
const PATHS: readonly JwtPath[] = ['floor', ...JWT_IMPLS];
const SUB = 'u42';
const ROLES = ['user'] as const;

const namesOf = (alg: JwtAlg): string[] => JWT_OPS.flatMap((op) => PATHS.map((path) => jwtTaskName(path, alg, op)));

/** Every `jwt` task name, in run order: per algorithm and operation, the floor then each implementation. */
export function jwtTaskNames(): string[] {
  return JWT_ALGS.flatMap(namesOf);
}

/**
 * One call per sample, its answer checked. Synchronous when the call is (fast-jwt, the floor), so that it is not
 * charged an await it does not need; awaited when it returns a promise (jose), as a server awaits it.
 */
function oneCall<T>(name: string, call: () => T | Promise<T>, ok: (value: T) => boolean, isAsync: boolean): MicroTaskDef {
  const wrong = (): never => {
    throw new Error(`${name}: wrong answer`);
  };
  const fn = isAsync
    ? async (): Promise<void> => {
        if (!ok(await call())) wrong();
      }
    : (): void => {
        const value = call();
        if (value instanceof Promise || !ok(value)) wrong();
      };
  return { name, group: 'jwt-codec', opsPerSample: 1, fn, options: { async: isAsync } };
}

/** The ServerConfig a server of this implementation and algorithm runs with (cache off), on the given keys. */
function serverConfigOf(alg: JwtAlg, impl: JwtImpl, claims: Omit<JwtClaimsConfig, 'jwtAlg'>, keys: SharedJwtKeys): ServerConfig {
  const config = resolveServerConfig({
    jwtAlg: alg,
    jwtImpl: impl,
    tokenTtlSec: claims.tokenTtlSec,
    issuer: claims.issuer,
    audience: claims.audience,
    clockToleranceSec: claims.clockToleranceSec,
  });
  return { ...config, jwtKeys: keys };
}

/** The tasks of one algorithm, in the order of `namesOf`; throws when a codec or the floor cannot be set up. */
async function tasksOf(alg: JwtAlg, claims: Omit<JwtClaimsConfig, 'jwtAlg'>): Promise<MicroTaskDef[]> {
  // One key for every codec and the floor, as the workers of one server share theirs.
  const keys = await createSharedJwtKeys(alg, undefined);
  const codecs = await Promise.all(JWT_IMPLS.map((impl) => createJwtCodec(serverConfigOf(alg, impl, claims, keys), Date.now)));
  const signed = codecs.map((codec) => codec.sign(SUB, ROLES));
  const tokens = await Promise.all(signed);
  // One token verified by every row: the first implementation's, which every other codec must accept too.
  const token = tokens[0];
  if (token === undefined) throw new Error('no JWT implementation');
  const verified = codecs.map((codec) => codec.verify(token));
  const answers = [...(await Promise.all(verified))];
  // And each codec its own token: the tokens are interchangeable, so the sign rows measure comparable work.
  for (const [i, codec] of codecs.entries()) answers.push(await codec.verify(tokens[i] ?? ''));
  if (answers.some((answer) => answer.sub !== SUB)) throw new Error(`a ${alg} codec verified a token with the wrong subject`);
  const floor = cryptoFloor(alg, keys, token);
  if (!floor.verify()) throw new Error(`the ${alg} floor refused the codecs' token`);

  const task = (path: JwtPath, op: JwtOp): MicroTaskDef => {
    const name = jwtTaskName(path, alg, op);
    if (path === 'floor') return op === 'sign' ? oneCall(name, () => floor.sign(), (sig) => sig.length > 0, false) : oneCall(name, () => floor.verify(), (ok) => ok, false);
    const i = JWT_IMPLS.indexOf(path);
    const codec = codecs[i];
    if (codec === undefined) throw new Error(`no codec for ${path}`);
    return op === 'sign'
      ? oneCall(name, () => codec.sign(SUB, ROLES), (t) => t.length > 0, signed[i] instanceof Promise)
      : oneCall(name, () => codec.verify(token), (c) => c.sub === SUB, verified[i] instanceof Promise);
  };
  return JWT_OPS.flatMap((op) => PATHS.map((path) => task(path, op)));
}

/**
 * Sign and verify per algorithm through the servers' own codecs (createJwtCodec: what a server runs, every check
 * included), one per implementation, beside the crypto floor (crypto-floor.ts) on the same key and token. An
 * algorithm whose keys or codecs cannot be made gives errored tasks, not a crash.
 */
export async function jwtTasks(claims: Omit<JwtClaimsConfig, 'jwtAlg'>): Promise<MicroTaskDef[]> {
  const tasks: MicroTaskDef[] = [];
  for (const alg of JWT_ALGS) {
    try {
      tasks.push(...(await tasksOf(alg, claims)));
    } catch (err) {
      tasks.push(...namesOf(alg).map((name) => failing(name, 'jwt-codec', err)));
    }
  }
  return tasks;
}
