import type { DesignDefinition } from '../design.js';
import { jwt } from './jwt.js';
import { jwtBlacklist } from './jwt-blacklist.js';
import { jwtLocalDenylist } from './jwt-local-denylist.js';
import { jwtRefresh } from './jwt-refresh.js';
import { redisToken } from './redis-token.js';
import { redisTokenCached } from './redis-token-cached.js';

/** The built-in designs: one line per file in this folder (a test checks they agree). */
export const builtInDesigns = {
  jwt,
  'jwt-blacklist': jwtBlacklist,
  'redis-token': redisToken,
  'jwt-local-denylist': jwtLocalDenylist,
  'redis-token-cached': redisTokenCached,
  'jwt-refresh': jwtRefresh,
} as const satisfies Record<string, DesignDefinition>;

/** A design's name as given on the command line; checked with isDesignName at the edge. */
export type DesignName = string;

const registry = new Map<string, DesignDefinition>(Object.entries(builtInDesigns));

/** Design names: a lowercase word or words joined by hyphens, as flags and file names spell them. */
const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Adds a design that is not built in (a test fixture, or a design under development loaded with `node --import`
 * before the CLI parses its arguments). Everything the harness does with a design reads its definition, so a
 * registered design runs through every command like a built-in one.
 */
export function registerDesign(definition: DesignDefinition): void {
  if (!NAME.test(definition.name)) throw new Error(`design name ${JSON.stringify(definition.name)} must be lowercase words joined by hyphens`);
  if (registry.has(definition.name)) throw new Error(`a design named ${definition.name} is already registered`);
  registry.set(definition.name, definition);
}

/** Every design, built-in ones first, in registration order. */
export function designNames(): string[] {
  return [...registry.keys()];
}

export function isDesignName(name: string): boolean {
  return registry.has(name);
}

/** The definition of a registered design; throws for a name nobody checked (a programming error). */
export function designOf(name: DesignName): DesignDefinition {
  const definition = registry.get(name);
  if (definition === undefined) throw new Error(`unknown design ${JSON.stringify(name)}; registered: ${designNames().join(', ')}`);
  return definition;
}
