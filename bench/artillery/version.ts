/**
 * The Artillery release the exported scripts are written for and run with (`npx --yes artillery@VERSION`). Not a
 * dependency of authbench: npx fetches it into its cache the first time a script is run. 2.0.21 is the last release
 * whose `engines` accept Node 20 (2.0.22 and later ask for Node >= 22.13).
 */
export const ARTILLERY_VERSION = '2.0.21';

/** The command that runs Artillery at the pinned version, for messages, docs and tests: `npx --yes artillery@… <args>`. */
export const artilleryCommand = (args: readonly string[]): string[] => ['npx', '--yes', `artillery@${ARTILLERY_VERSION}`, ...args];
