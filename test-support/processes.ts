import { connect } from 'node:net';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcInfo {
  readonly pid: number;
  /** The command line with NULs as spaces (redis-server rewrites its own to `redis-server 127.0.0.1:PORT`). */
  readonly cmdline: string;
}

/** Every redis-server process on this machine (from /proc, like `pgrep -af redis-server`) serving `port`. */
export function redisServersOnPort(port: number): ProcInfo[] {
  const found: ProcInfo[] = [];
  const onPort = new RegExp(`(:|--port )${port}(\\s|$)`);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' ').trim();
    } catch {
      continue; // exited while we looked
    }
    if (cmdline.includes('redis-server') && onPort.test(cmdline)) found.push({ pid: Number(entry), cmdline });
  }
  return found;
}

/** The working directory of a process (redis-server chdirs into its --dir), or undefined once it is gone. */
export function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** True while `pid` names a live (not zombie) process. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/**
 * Whether something accepts TCP connections on 127.0.0.1:port (false on ECONNREFUSED or after timeoutMs). A port
 * nothing listens on can still "connect": when the kernel gives the connecting socket that same port as its source
 * (the port is in the ephemeral range, and a busy machine uses much of it), the socket connects to itself. That is
 * not a listener, and counts as false.
 */
export function portAccepts(port: number, host = '127.0.0.1', timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(!(socket.localPort === port && socket.localAddress === socket.remoteAddress)));
    socket.once('error', () => done(false));
  });
}

/**
 * Sends one inline PING to a Redis on 127.0.0.1:port (after an AUTH, when a password is given) and resolves with the
 * PING's reply line: `+PONG`, or `-NOAUTH ...` from a Redis that wants a password it was not given (which shows that
 * it runs, and that it refuses strangers).
 */
export function redisPing(port: number, password?: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no PING reply from port ${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const replies = password === undefined ? 1 : 2;
    socket.once('connect', () => socket.write(`${password === undefined ? '' : `AUTH ${password}\r\n`}PING\r\n`));
    socket.on('data', (c: Buffer) => {
      data += c.toString();
      const lines = data.split('\r\n');
      if (lines.length > replies) {
        clearTimeout(timer);
        socket.destroy();
        resolve(lines[replies - 1] as string);
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Pids of every live process below `pid` (children, grandchildren, …), from /proc/<pid>/stat. */
export function descendants(pid: number): ProcInfo[] {
  const parentOf = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // Field 4 (ppid) follows the parenthesised command name, which may itself hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
      cmd.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' ').trim());
    } catch {
      // exited while we looked
    }
  }
  const out: ProcInfo[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push({ pid: child, cmdline: cmd.get(child) ?? '' });
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}
