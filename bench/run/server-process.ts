import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild, trackChild } from '../../lib/children.js';

/** The compiled CLI entry: servers always run from compiled JavaScript, never through a TypeScript loader. */
export const CLI_PATH = fileURLToPath(new URL('../../cli/index.js', import.meta.url));

export interface ServerProcess {
  readonly url: string;
  /** GET /metrics on the server's loopback admin port, when it printed one (`authbench serve` does). */
  readonly metricsUrl: string | undefined;
  readonly child: ChildProcess;
  /** The last output the process wrote to stderr (bounded). */
  stderr(): string;
  /** Why the process ended, or undefined while it runs. */
  exited(): string | undefined;
  /**
   * Why the process ended, waiting up to `ms` for it to end: a client can see a killed server's sockets close
   * before this process reaps it, so a failure read at once may not know yet that the server died.
   */
  exitedWithin(ms: number): Promise<string | undefined>;
  stop(): Promise<void>;
}

const KEEP_OUTPUT_CHARS = 8192;

/**
 * The flags that carry a secret (a Redis URL holds its password), and the environment variable `serve` reads each
 * from instead: a child's argv shows in `ps` to every local user, its environment does not.
 */
export const SECRET_FLAGS: Readonly<Record<string, string>> = Object.freeze({ '--redis-url': 'REDIS_URL', '--redis-password': 'REDIS_PASSWORD' });

/** Splits `args` into the flags that stay on the command line and the secrets moved to environment variables. */
export function secretsToEnv(args: readonly string[]): { argv: string[]; env: Record<string, string> } {
  const argv: string[] = [];
  const env: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const variable = SECRET_FLAGS[flag];
    if (variable === undefined) {
      argv.push(arg);
    } else if (eq > 0) {
      env[variable] = arg.slice(eq + 1);
    } else {
      env[variable] = args[++i] ?? '';
    }
  }
  return { argv, env };
}

/**
 * Runs `authbench serve <strategy> ...args` as a real process and resolves with its URL once it listens. A
 * `--redis-url` or `--redis-password` in `args` reaches it as REDIS_URL / REDIS_PASSWORD (SECRET_FLAGS), never on
 * its command line.
 */
export function startServerProcess(
  strategy: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
  readyTimeoutMs = 15_000,
): Promise<ServerProcess> {
  const secrets = secretsToEnv(args);
  return startListeningProcess(
    `server ${strategy}`,
    // --expose-gc: GET /metrics?gc=1 can then collect garbage before a measured phase (nothing else calls it).
    ['--expose-gc', CLI_PATH, 'serve', strategy, '--port', '0', ...secrets.argv],
    { REDIS_URL: '', REDIS_PASSWORD: '', AUTHBENCH_JWT_SECRET: '', ...env, ...secrets.env },
    readyTimeoutMs,
  );
}

/**
 * Runs `node ...nodeArgs` (with `env` over this process's environment) and resolves once it prints
 * `listening on http://... (metrics: http://...)`, as `authbench serve` does (the metrics part is optional); `label`
 * names it in errors.
 */
export function startListeningProcess(
  label: string,
  nodeArgs: readonly string[],
  env: NodeJS.ProcessEnv = {},
  readyTimeoutMs = 15_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, nodeArgs, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  trackChild(child);
  let out = '';
  let err = '';
  let exitReason: string | undefined;
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-KEEP_OUTPUT_CHARS);
  });
  child.once('exit', (code, signal) => {
    exitReason = signal === null ? `exited with code ${code}` : `killed by ${signal}`;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not print its URL within ${readyTimeoutMs} ms; stderr:\n${err}`));
    }, readyTimeoutMs);
    child.stdout?.on('data', (c: Buffer) => {
      if (out.length < KEEP_OUTPUT_CHARS) out += c.toString();
      // The whole line, so that the metrics URL after the API's is there too.
      const m = /listening on (http:\/\/\S+)[^\n]*\n/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          metricsUrl: /\(metrics: (http:\/\/\S+)\)/.exec(out)?.[1],
          child,
          stderr: () => err,
          exited: () => exitReason,
          exitedWithin: (ms) =>
            exitReason !== undefined
              ? Promise.resolve(exitReason)
              : new Promise((settle) => {
                  const onExit = (): void => {
                    clearTimeout(timer);
                    settle(exitReason);
                  };
                  // On a timeout the exit listener goes too: a server that lives on keeps none per call.
                  const timer = setTimeout(() => {
                    child.off('exit', onExit);
                    settle(exitReason);
                  }, ms);
                  child.once('exit', onExit);
                }),
          stop: () => stopChild(child, 'SIGTERM', 5000),
        });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (code ${code}, signal ${signal}) before listening; stderr:\n${err}`));
    });
  });
}
