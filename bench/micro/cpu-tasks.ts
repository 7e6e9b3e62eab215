import { randomBytes, randomUUID } from 'node:crypto';
import { UserDirectory } from '../../servers/users.js';
import { batched, type MicroTaskDef } from './task.js';

/** The record redis-token stores under token:{uuid}, as servers/designs/redis-token.ts writes it at login. */
export function storedUserRecord(): { userId: string; username: string; roles: readonly string[] } {
  const user = new UserDirectory(1000).authenticate('user42', 'pass42');
  if (user === undefined) throw new Error('user42 is not seeded');
  return { userId: user.userId, username: user.username, roles: user.roles };
}

export const CPU_TASKS = [
  { name: 'crypto.randomUUID()', group: 'tokens' },
  { name: "randomBytes(16).toString('hex')", group: 'tokens' },
  { name: 'JSON.stringify user record', group: 'json' },
  { name: 'JSON.parse user record', group: 'json' },
] as const;

/** Token generation and the stored record's JSON round trip, each sample the mean of `batch` calls. */
export function cpuTasks(batch: number): MicroTaskDef[] {
  const record = storedUserRecord();
  const json = JSON.stringify(record);
  const [uuid, bytes, stringify, parse] = CPU_TASKS;
  return [
    batched(uuid.name, uuid.group, batch, () => randomUUID().length),
    batched(bytes.name, bytes.group, batch, () => randomBytes(16).toString('hex').length),
    batched(stringify.name, stringify.group, batch, () => JSON.stringify(record).length),
    batched(parse.name, parse.group, batch, () => (JSON.parse(json) as { roles: string[] }).roles.length),
  ];
}
