// The tests start servers exactly the way the bench runner does.
export { CLI_PATH, startServerProcess, type ServerProcess } from '../bench/run/server-process.js';
export { runCli, type CliResult } from './cli-process.js';
