import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { AuthbenchError, ErrorCodes } from '../lib/errors.js';
import { freePort } from '../lib/ports.js';
import { LocalRedis, randomRedisPassword } from './local-server.js';
import { clusterReady, parseClusterNodes, type ClusterNode } from './cluster-topology.js';

export interface LocalClusterOptions {
  readonly masters?: number;
  readonly replicasPerMaster?: number;
  /**
   * cluster-node-timeout: how long a master may be unreachable before it is marked failed and its replica takes
   * over. Redis defaults to 15 s; authbench uses 1 s on loopback so that a failover fits in an outage timeline.
   */
  readonly nodeTimeoutMs?: number;
  readonly binary?: string;
  /** redis-cli, which creates the cluster (`--cluster create`). */
  readonly cliBinary?: string;
  readonly startTimeoutMs?: number;
}

/** The master killed by killMaster(), and the replica expected to take its slots. */
export interface KilledMaster {
  readonly address: string;
  readonly id: string;
  readonly replica: string | undefined;
}

const DEFAULT_NODE_TIMEOUT_MS = 1000;

/** Runs redis-cli with the cluster's password in REDISCLI_AUTH (its `-a` would put it on the command line). */
function run(binary: string, args: readonly string[], timeoutMs: number, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: timeoutMs, encoding: 'utf8', env: { ...process.env, REDISCLI_AUTH: password } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${binary} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

/** A short-lived admin connection to one node: a plain client, never the fail-fast one the servers use. */
async function withNode<T>(port: number, password: string, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, commandTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Redis Cluster of `masters` masters with `replicasPerMaster` replicas each (3 + 3 by default), every node a
 * redis-server started by authbench on loopback, in one temporary directory. Client ports and cluster-bus ports
 * are free ports picked by the OS (`cluster-port`, Redis 7+), so two clusters or a cluster and other servers
 * never collide. scripts/redis-cluster.sh does the same for users, on fixed ports.
 */
export class LocalCluster {
  private constructor(
    readonly dir: string,
    private readonly nodesByPort: Map<number, LocalRedis>,
    readonly options: LocalClusterOptions,
    /** The password of every node (requirepass, and masterauth for the replicas): a cluster client needs it. */
    readonly password: string,
  ) {}

  /** `127.0.0.1:port` of every node, masters and replicas, in start order: the seed list for a cluster client. */
  get addresses(): string[] {
    return [...this.nodesByPort.keys()].map((port) => `127.0.0.1:${port}`);
  }

  /** The node processes (a killed and restarted node is replaced here). */
  get nodes(): LocalRedis[] {
    return [...this.nodesByPort.values()];
  }

  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 1;
    const nodeTimeout = options.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS;
    const dir = await mkdtemp(join(tmpdir(), 'authbench-cluster-'));
    const cluster = new LocalCluster(dir, new Map(), options, randomRedisPassword());
    try {
      const used = new Set<number>();
      for (let i = 0; i < masters * (1 + replicas); i++) {
        const node = await cluster.startNode(used, nodeTimeout);
        cluster.nodesByPort.set(node.port, node);
      }
      const timeoutMs = options.startTimeoutMs ?? 30_000;
      await run(options.cliBinary ?? 'redis-cli', ['--cluster', 'create', ...cluster.addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], timeoutMs, cluster.password);
      await cluster.waitUntilReady(timeoutMs);
      return cluster;
    } catch (err) {
      await cluster.stop();
      if (err instanceof AuthbenchError) throw err;
      throw new AuthbenchError(ErrorCodes.REDIS_START_FAILED, `could not start a local Redis Cluster: ${err instanceof Error ? err.message : String(err)}`, 500, { cause: err });
    }
  }

  /** One cluster-enabled redis-server in its own subdirectory (nodes.conf lives there and survives a restart). */
  private async startNode(used: Set<number>, nodeTimeoutMs: number): Promise<LocalRedis> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const bus = await freePort();
      if (used.has(port) || used.has(bus) || port === bus) continue;
      const nodeDir = join(this.dir, String(port));
      await mkdir(nodeDir, { recursive: true });
      try {
        const node = await LocalRedis.start({
          port,
          dir: nodeDir,
          password: this.password,
          ...(this.options.binary === undefined ? {} : { binary: this.options.binary }),
          extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs), '--cluster-port', String(bus)],
        });
        used.add(port).add(bus);
        return node;
      } catch (err) {
        lastError = err;
        await rm(nodeDir, { recursive: true, force: true });
        // Another process took one of the two ports between picking and binding: try two others.
        if (!(err instanceof Error && /in use/i.test(err.message))) break;
      }
    }
    throw lastError;
  }

  /** The cluster as one live node sees it (CLUSTER NODES), or an error when no node answers. */
  async topology(): Promise<ClusterNode[]> {
    let lastError: unknown = new Error('no node is running');
    for (const node of this.nodes) {
      if (!node.running) continue;
      try {
        return parseClusterNodes(await withNode(node.port, this.password, (c) => c.cluster('NODES') as Promise<string>));
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  /**
   * Resolves once every running node says cluster_state:ok and every replica's link to its master is up. The link
   * matters: a replica that never synced refuses to fail over ("disconnected from master for longer than
   * allowed"), so a kill right after `--cluster create` would leave the slots without a master for good.
   */
  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        const states = await Promise.all(
          this.nodes.filter((n) => n.running).map((n) =>
            withNode(n.port, this.password, async (c) => ({ info: (await c.cluster('INFO')) as string, replication: await c.info('replication') })),
          ),
        );
        const verdict = clusterReady(states);
        if (verdict === true) return;
        last = verdict;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (performance.now() > deadline) throw new AuthbenchError(ErrorCodes.REDIS_START_FAILED, `the Redis Cluster was not ready within ${timeoutMs} ms: ${last}`, 500);
      await sleep(100);
    }
  }

  /**
   * SIGKILLs one master (the one serving slot 0, so the choice is stable) and resolves once it is gone. Its
   * replica is expected to be promoted after cluster-node-timeout plus an election.
   */
  async killMaster(): Promise<KilledMaster> {
    const nodes = await this.topology();
    const master = nodes.find((n) => n.role === 'master' && !n.failed && n.slots.some(([from]) => from === 0));
    if (master === undefined) throw new Error('no healthy master serves slot 0');
    const replica = nodes.find((n) => n.role === 'replica' && n.masterId === master.id && !n.failed);
    const victim = this.nodesByPort.get(master.port);
    if (victim === undefined) throw new Error(`the master ${master.address} is not a node of this cluster`);
    await victim.kill();
    return { address: master.address, id: master.id, replica: replica?.address };
  }

  /** A node's role as the surviving nodes see it, e.g. to watch a replica become master. */
  async roleOf(address: string): Promise<ClusterNode | undefined> {
    return (await this.topology()).find((n) => n.address === address);
  }

  /**
   * Polls (every 50 ms) until a surviving node lists `address` as a master serving slots, and resolves with the
   * performance.now() of that reading; undefined after `timeoutMs`.
   */
  async waitForPromotion(address: string, timeoutMs: number): Promise<number | undefined> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const node = await this.roleOf(address).catch(() => undefined);
      if (node?.role === 'master' && node.slots.length > 0) return performance.now();
      await sleep(50);
    }
    return undefined;
  }

  /** Restarts a killed node on its port and directory: with its nodes.conf it rejoins (as a replica, after a failover). */
  async restartNode(port: number): Promise<void> {
    const node = this.nodesByPort.get(port);
    if (node === undefined) throw new Error(`no node on port ${port}`);
    if (node.running) return;
    this.nodesByPort.set(port, await node.restart());
  }

  /** Restarts every node that is not running (after killMaster). */
  async restartStopped(): Promise<void> {
    for (const node of this.nodes) if (!node.running) await this.restartNode(node.port);
  }

  /** FLUSHALL on every master (replicas follow). */
  async flushAll(): Promise<void> {
    const masters = (await this.topology()).filter((n) => n.role === 'master' && !n.failed && n.slots.length > 0);
    await Promise.all(masters.map((m) => withNode(m.port, this.password, (c) => c.flushall())));
  }

  /** Stops every node (SIGTERM, then SIGKILL) and removes the directory. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    await rm(this.dir, { recursive: true, force: true });
  }
}
