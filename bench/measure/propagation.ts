import { median, percentile } from '../../lib/stats.js';

/**
 * What one polled instance did after one logout was acknowledged (all times in ms from the acknowledgement, on the
 * runner's clock).
 */
export interface InstancePoll {
  /** Requests it answered 200 before its first refusal: the revoked token still accepted. */
  readonly acceptedAfterAck: number;
  /**
   * When the first refused request was sent (so the instance refused by then), or undefined when it never refused
   * within the window.
   */
  readonly refusedAtMs: number | undefined;
  /** 200s after a refusal: a revocation undone (a reload that lost an entry, a cache refilled from a stale copy). */
  readonly acceptedAfterRefusal: number;
  /** Answers other than 200 and 401 (a 503 during an outage, say), and transport errors. */
  readonly otherAnswers: number;
  /** Requests sent in all. */
  readonly polls: number;
  /** Median round trip of its polls, ms: the resolution of `refusedAtMs` while polls go back to back. */
  readonly pollRoundTripMs: number;
}

/** One logout: the token, where it was logged out, and every other instance's polling. */
export interface LogoutProbe {
  /** How long the logout request took, ms (sent → 204). */
  readonly logoutMs: number;
  /** From the login's answer to the logout's 204, ms: with the token's lifetime, when it expires on the timeline. */
  readonly issuedToAckMs?: number;
  /** Each polled instance, in instance order (the logout went to instance 0). */
  readonly instances: readonly InstancePoll[];
  /** What went wrong before the polling (a login or the warm-up GET /me not answered 200), if anything. */
  readonly error?: string;
}

export interface PropagationSummary {
  readonly logouts: number;
  /** Logouts after which every polled instance refused the token within the window. */
  readonly refusedEverywhere: number;
  /**
   * Over those logouts, the time until the last instance refused (ms after the acknowledgement): the propagation
   * delay. Nearest-rank percentiles; null when no logout was refused everywhere.
   */
  readonly delayMs: { readonly p50: number | null; readonly p99: number | null; readonly max: number | null };
  /** Logouts after which some instance still accepted the token when the window closed. */
  readonly notRefusedInWindow: number;
  /** 200s for a logged-out token, summed over logouts and instances, before each instance's first refusal. */
  readonly acceptedAfterAck: number;
  /** The most one logout's token got through, over all instances. */
  readonly maxAcceptedAfterOneLogout: number;
  readonly acceptedAfterRefusal: number;
  readonly otherAnswers: number;
  /** Logouts that could not be probed (their error says why). */
  readonly failed: number;
  /** Median poll round trip over all instances and logouts, ms. */
  readonly pollRoundTripMs: number | null;
  readonly window: { readonly ms: number };
}

/** The summary of a cell's logouts. Pure. */
export function summarizePropagation(probes: readonly LogoutProbe[], windowMs: number): PropagationSummary {
  const probed = probes.filter((p) => p.error === undefined && p.instances.length > 0);
  const delays: number[] = [];
  let notRefused = 0;
  let accepted = 0;
  let maxAccepted = 0;
  let undone = 0;
  let other = 0;
  for (const probe of probed) {
    const refusals = probe.instances.map((i) => i.refusedAtMs);
    if (refusals.every((r): r is number => r !== undefined)) delays.push(Math.max(...refusals));
    else notRefused++;
    const thisOne = probe.instances.reduce((n, i) => n + i.acceptedAfterAck, 0);
    accepted += thisOne;
    maxAccepted = Math.max(maxAccepted, thisOne);
    undone += probe.instances.reduce((n, i) => n + i.acceptedAfterRefusal, 0);
    other += probe.instances.reduce((n, i) => n + i.otherAnswers, 0);
  }
  const roundTrips = probed.flatMap((p) => p.instances.map((i) => i.pollRoundTripMs)).filter((v) => Number.isFinite(v));
  return {
    logouts: probes.length,
    refusedEverywhere: delays.length,
    delayMs: { p50: percentile(delays, 50), p99: percentile(delays, 99), max: delays.length === 0 ? null : Math.max(...delays) },
    notRefusedInWindow: notRefused,
    acceptedAfterAck: accepted,
    maxAcceptedAfterOneLogout: maxAccepted,
    acceptedAfterRefusal: undone,
    otherAnswers: other,
    failed: probes.length - probed.length,
    pollRoundTripMs: roundTrips.length === 0 ? null : median(roundTrips),
    window: { ms: windowMs },
  };
}

/** Polls of one instance as they were answered, folded into an InstancePoll. */
export class PollRecorder {
  private accepted = 0;
  private refusedAt: number | undefined;
  private refusalsInRow = 0;
  private undone = 0;
  private other = 0;
  private readonly roundTrips: number[] = [];

  /** One answer: the status (0 for a transport error), when its request was sent (ms after the ack), how long it took. */
  record(status: number, sentAtMs: number, roundTripMs: number): void {
    this.roundTrips.push(roundTripMs);
    if (status === 401) {
      this.refusedAt ??= sentAtMs;
      this.refusalsInRow++;
    } else if (status === 200) {
      if (this.refusedAt === undefined) this.accepted++;
      else this.undone++;
      this.refusalsInRow = 0;
    } else {
      this.other++;
    }
  }

  /** Whether it refused `n` times in a row just now: polling it can stop. */
  confirmed(n: number): boolean {
    return this.refusalsInRow >= n;
  }

  result(): InstancePoll {
    return {
      acceptedAfterAck: this.accepted,
      refusedAtMs: this.refusedAt,
      acceptedAfterRefusal: this.undone,
      otherAnswers: this.other,
      polls: this.roundTrips.length,
      pollRoundTripMs: this.roundTrips.length === 0 ? NaN : median(this.roundTrips),
    };
  }
}
