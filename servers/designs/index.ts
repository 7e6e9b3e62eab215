import type { StrategyDefinition } from '../design.js';
import { jwt } from './jwt.js';
import { jwtBlacklist } from './jwt-blacklist.js';
import { redisToken } from './redis-token.js';

/** The registry: one line per file in this folder (a test checks they agree). */
export const strategies = {
  jwt,
  'jwt-blacklist': jwtBlacklist,
  'redis-token': redisToken,
} as const satisfies Record<string, StrategyDefinition>;

export type StrategyName = keyof typeof strategies;
export const STRATEGY_NAMES = Object.keys(strategies) as StrategyName[];

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(strategies, name);
}
