// The tests start servers exactly the way the bench runner does.
export { CLI_PATH, runCli, startServerProcess, type CliResult, type ServerProcess } from '../bench/run/server-process.js';
