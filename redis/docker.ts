import { GenericContainer, Wait } from 'testcontainers';

/** Where the container's configuration (its password) is copied: inside the container, never on a command line. */
const CONTAINER_CONFIG = '/usr/local/etc/redis/authbench.conf';

/**
 * The redis:7-alpine container authbench starts: persistence off, a random password in a configuration file copied
 * into the container (a `--requirepass` would show in the host's `ps`), and its port published on 127.0.0.1 only.
 * testcontainers publishes on every interface and has no option for the host address, so the one port binding is
 * written here (hostConfig is the Docker create request's HostConfig, which the class exposes to subclasses).
 */
export class LoopbackRedisContainer extends GenericContainer {
  constructor(readonly password: string) {
    super('redis:7-alpine');
    this.withExposedPorts(6379)
      .withCopyContentToContainer([{ content: `requirepass ${password}\n`, target: CONTAINER_CONFIG, mode: 0o600 }])
      .withCommand(['redis-server', CONTAINER_CONFIG, '--save', '', '--appendonly', 'no'])
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/));
    this.hostConfig.PortBindings = { '6379/tcp': [{ HostIp: '127.0.0.1', HostPort: '0' }] };
  }

  /** The port bindings of the container create request, as Docker will receive them. */
  get portBindings(): unknown {
    return this.hostConfig.PortBindings;
  }

  /** The container's command line, as Docker will receive it (and as the host's `ps` will show it). */
  get commandLine(): readonly string[] {
    return this.createOpts.Cmd ?? [];
  }
}
