import { loginBodies, type IssuedToken, type TokenSource } from '../../scenarios/scenario.js';

/**
 * The token pools of an Artillery worker, over the server's HTTP contract (POST /login, POST /logout) as
 * bench/load/tokens.ts prepares them for authbench's own generators, with users rotating the same way. It uses
 * Node's fetch rather than undici's Pool so that the processor's modules import nothing outside authbench: the
 * export copies them next to the scripts, and Artillery ships that folder to its remote workers as it is.
 */
const RETRIES_ON_503 = 3;

export function fetchTokenSource(url: string, users: number, concurrency: number): TokenSource {
  const drive = async (n: number, each: (i: number) => Promise<void>): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < n) await each(next++);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  };
  // Pool preparation is not measured: a 503 (the store did not answer in time, on a busy machine) is tried again.
  const send = async (path: string, init: RequestInit): Promise<{ status: number; text: string }> => {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(new URL(path, url), init);
      const text = await res.text();
      if (res.status !== 503 || attempt === RETRIES_ON_503 + 1) return { status: res.status, text };
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  };
  const issueNamed = async (n: number): Promise<IssuedToken[]> => {
    const bodies = loginBodies(users);
    const tokens: IssuedToken[] = [];
    const failures = new Set<number>();
    await drive(n, async (i) => {
      const user = i % bodies.length;
      const res = await send('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[user] ?? '' });
      if (res.status === 200) tokens.push({ token: (JSON.parse(res.text) as { token: string }).token, username: `user${user}` });
      else failures.add(res.status);
    });
    if (tokens.length < n) throw new Error(`token pool: asked for ${n} logins, got ${tokens.length} tokens (statuses ${[...failures].join(', ')})`);
    return tokens;
  };
  return {
    issueNamed,
    issue: async (n) => (await issueNamed(n)).map((t) => t.token),
    async revoke(tokens) {
      const failures = new Set<number>();
      let ok = 0;
      await drive(tokens.length, async (i) => {
        const res = await send('/logout', { method: 'POST', headers: { authorization: `Bearer ${tokens[i] ?? ''}` } });
        if (res.status === 204) ok++;
        else failures.add(res.status);
      });
      if (ok < tokens.length) throw new Error(`revocation pool: ${tokens.length} logouts, ${ok} acknowledged (statuses ${[...failures].join(', ')})`);
    },
  };
}
