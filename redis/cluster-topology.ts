/** Pure parsing of what Redis Cluster nodes say about themselves (CLUSTER NODES, CLUSTER INFO, INFO replication). */

export interface ClusterNode {
  readonly id: string;
  /** `host:port` (the client port; the bus port and hostname are dropped). */
  readonly address: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** The master's id, for a replica. */
  readonly masterId: string | undefined;
  /** Slot ranges served, inclusive: [[0, 5460]]. */
  readonly slots: readonly (readonly [number, number])[];
  /** Marked `fail` or `fail?` (suspected) by the node that answered. */
  readonly failed: boolean;
  readonly connected: boolean;
  readonly flags: readonly string[];
}

/** Parses CLUSTER NODES output, one node per line. */
export function parseClusterNodes(text: string): ClusterNode[] {
  const nodes: ClusterNode[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    if (fields.length < 8) continue;
    const [id, addr, flagText, master, , , , link, ...slotFields] = fields as [string, string, string, string, string, string, string, string, ...string[]];
    const address = addr.split('@')[0] ?? addr;
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    const flags = flagText.split(',');
    const slots: [number, number][] = [];
    for (const s of slotFields) {
      if (s.startsWith('[')) continue; // a slot being imported or migrated
      const [from, to] = s.split('-').map(Number);
      if (from !== undefined && Number.isInteger(from)) slots.push([from, to ?? from]);
    }
    nodes.push({
      id,
      address,
      port,
      role: flags.includes('master') ? 'master' : 'replica',
      masterId: master === '-' ? undefined : master,
      slots,
      failed: flags.includes('fail') || flags.includes('fail?'),
      connected: link === 'connected',
      flags,
    });
  }
  return nodes;
}

/** `key:value` lines of an INFO or CLUSTER INFO answer. */
export function infoField(text: string, key: string): string | undefined {
  return new RegExp(`^${key}:(.*?)\\r?$`, 'm').exec(text)?.[1];
}

/**
 * True when every node reports cluster_state:ok and every replica's link to its master is up; otherwise what is
 * still missing, for the timeout message.
 */
export function clusterReady(states: readonly { readonly info: string; readonly replication: string }[]): true | string {
  if (states.length === 0) return 'no node answered';
  for (const [i, s] of states.entries()) {
    const state = infoField(s.info, 'cluster_state');
    if (state !== 'ok') return `node ${i}: cluster_state ${state ?? 'unknown'}`;
    if (infoField(s.replication, 'role') === 'slave' && infoField(s.replication, 'master_link_status') !== 'up') return `node ${i}: replica link to its master is not up yet`;
  }
  return true;
}

/** host:port pairs from `127.0.0.1:7000,127.0.0.1:7001`; undefined for an entry that is not one. */
export function parseNodeList(text: string): { host: string; port: number }[] | undefined {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) return undefined;
  const nodes: { host: string; port: number }[] = [];
  for (const item of items) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(item);
    const port = Number(m?.[2]);
    if (m?.[1] === undefined || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
    nodes.push({ host: m[1].replace(/^\[|\]$/g, ''), port });
  }
  return nodes;
}
