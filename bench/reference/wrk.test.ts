import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWrkOutput, wrkArgs } from './wrk.js';

const REPORT = `Running 10s test @ http://127.0.0.1:40000/me
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.51ms    1.02ms  30.11ms   90.12%
    Req/Sec    10.05k   812.33    11.90k    71.00%
  200123 requests in 10.01s, 44.12MB read
  Non-2xx or 3xx responses: 7
  Socket errors: connect 0, read 2, write 1, timeout 3
Requests/sec:  19992.31
Transfer/sec:      4.41MB
`;

describe('wrk', () => {
  it('reads requests, duration, rate, non-2xx answers and socket errors from its report', () => {
    assert.deepEqual(parseWrkOutput(REPORT), { requests: 200123, seconds: 10.01, requestsPerSec: 19992.31, non2xx: 7, socketErrors: 6 });
  });

  it('counts no non-2xx answer or socket error when wrk prints no such line', () => {
    const clean = REPORT.split('\n').filter((l) => !/Non-2xx|Socket errors/.test(l)).join('\n');
    const parsed = parseWrkOutput(clean);
    assert.ok(!(parsed instanceof Error));
    assert.equal(parsed.non2xx, 0);
    assert.equal(parsed.socketErrors, 0);
  });

  it('reads the 50th and 99th percentiles of --latency, in ms whatever wrk\'s unit', () => {
    const withLatency = REPORT.replace('  200123 requests', '  Latency Distribution\n     50%  412.00us\n     75%  600.00us\n     90%    1.10ms\n     99%    2.50ms\n  200123 requests');
    const parsed = parseWrkOutput(withLatency);
    assert.ok(!(parsed instanceof Error));
    assert.ok(Math.abs((parsed.latencyP50Ms ?? NaN) - 0.412) < 1e-9);
    assert.equal(parsed.latencyP99Ms, 2.5);
    assert.deepEqual(wrkArgs('http://h/health', { connections: 50, threads: 1, durationSec: 3 }, undefined, true), ['-t1', '-c50', '-d3s', '--latency', 'http://h/health']);
  });

  it('gives an Error, not figures, for output without a rate', () => {
    assert.ok(parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n') instanceof Error);
  });

  it('sends the token as a bearer header only when one is given', () => {
    const load = { connections: 50, threads: 2, durationSec: 10 };
    assert.deepEqual(wrkArgs('http://h/me', load, 'T'), ['-t2', '-c50', '-d10s', '-H', 'Authorization: Bearer T', 'http://h/me']);
    assert.deepEqual(wrkArgs('http://h/health', load), ['-t2', '-c50', '-d10s', 'http://h/health']);
  });
});
