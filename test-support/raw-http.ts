import { connect } from 'node:net';

/**
 * HTTP/1.1 over a plain TCP socket, for requests fetch refuses to send or would normalize: header values with
 * non-ASCII bytes, headers past Node's 16 KiB limit, hand-written chunked bodies, bytes that are not HTTP at all.
 */

export interface RawReply {
  readonly status: number;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON, or the text when it is not JSON, or undefined when empty. */
  readonly body: unknown;
}

export type RawHeaderValue = string | Buffer;

/** The bytes of one request; adds Host and `Connection: close` so that the server ends the exchange. */
export function rawRequestBytes(
  base: string,
  method: string,
  path: string,
  headers: Readonly<Record<string, RawHeaderValue>> = {},
  body?: Buffer | string,
): Buffer {
  const { host } = new URL(base);
  const parts: Buffer[] = [Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n`, 'latin1')];
  for (const [name, value] of Object.entries(headers)) {
    parts.push(Buffer.from(`${name}: `, 'latin1'), typeof value === 'string' ? Buffer.from(value, 'latin1') : value, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('\r\n'));
  if (body !== undefined) parts.push(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return Buffer.concat(parts);
}

function decodeChunked(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function parseReply(data: Buffer): RawReply {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete HTTP response head in ${JSON.stringify(data.toString('latin1').slice(0, 200))}`);
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (m?.[1] === undefined) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let raw = data.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') raw = decodeChunked(raw);
  else if (headers['content-length'] !== undefined) raw = raw.subarray(0, Number(headers['content-length']));
  const text = raw.toString('utf8');
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: Number(m[1]), headers, text, body };
}

/**
 * Writes `bytes` to the server of `base` and reads until the server closes the connection. A reset after the
 * response (the server hanging up on a request it refused while the rest was still being written) is not an
 * error: the response that arrived is returned.
 */
export function rawExchange(base: string, bytes: Buffer, timeoutMs = 5000): Promise<RawReply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let socketError: Error | undefined;
    const socket = connect({ host: hostname, port: Number(port) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response from ${base} within ${timeoutMs} ms; got ${Buffer.concat(chunks).length} bytes`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => (socketError = err));
    socket.on('close', () => {
      clearTimeout(timer);
      const data = Buffer.concat(chunks);
      if (data.length === 0) {
        reject(new Error(`connection to ${base} closed without a response${socketError ? `: ${socketError.message}` : ''}`));
        return;
      }
      try {
        resolve(parseReply(data));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}
