import { spread, type Spread } from '../../lib/stats.js';
import { REFERENCE_SUBJECT, type ReferenceCell, type ReferenceResult, type Route, type SubjectName } from './compare.js';

/** One server's figures over the rounds (median, min, max; NaN when no round measured them). */
export interface SubjectSummary {
  readonly subject: SubjectName;
  readonly label: string;
  readonly rounds: number;
  readonly healthRps: Spread;
  readonly meRps: Spread;
  /** /me req/s ÷ /health req/s of the same round. */
  readonly fraction: Spread;
  /** Server CPU µs per request (undefined when the CPU time was not measured). */
  readonly healthCpuUs: Spread | undefined;
  readonly meCpuUs: Spread | undefined;
  /** Server CPU time ÷ wall time during /me: 1 = one core busy all the time. */
  readonly meCpuCores: Spread | undefined;
}

/** A server divided by the reference, round by round. */
export interface VersusReference {
  readonly subject: SubjectName;
  readonly label: string;
  readonly meRps: Spread;
  readonly fraction: Spread;
}

export interface ReferenceSummary {
  readonly subjects: readonly SubjectSummary[];
  readonly versus: readonly VersusReference[];
  /** Cells whose figures are suspect: non-2xx answers or socket errors. */
  readonly problems: readonly string[];
}

type ByRound = Map<number, number>;

function perRound(cells: readonly ReferenceCell[], subject: SubjectName, route: Route, value: (c: ReferenceCell) => number | null): ByRound {
  const out: ByRound = new Map();
  for (const c of cells) {
    const v = c.subject === subject && c.route === route ? value(c) : null;
    if (v !== null && Number.isFinite(v)) out.set(c.round, v);
  }
  return out;
}

/** a[r] ÷ b[r] for each round both have. */
function divide(a: ByRound, b: ByRound): number[] {
  const out: number[] = [];
  for (const [round, x] of a) {
    const y = b.get(round);
    if (y !== undefined && y > 0) out.push(x / y);
  }
  return out;
}

const cpuUs = (c: ReferenceCell): number | null => (c.serverCpuSec === null || c.wrk.requests === 0 ? null : (c.serverCpuSec * 1e6) / c.wrk.requests);

const optionalSpread = (m: ByRound): Spread | undefined => (m.size === 0 ? undefined : spread([...m.values()]));

/** Per server: rates, /me ÷ /health and CPU per request; per authbench server: ÷ the reference, round by round. */
export function summariseReference(result: Pick<ReferenceResult, 'subjects' | 'cells'>): ReferenceSummary {
  const rps = (c: ReferenceCell): number => c.wrk.requestsPerSec;
  const subjects = result.subjects.map((s): SubjectSummary & { fractions: ByRound; me: ByRound } => {
    const health = perRound(result.cells, s.name, 'health', rps);
    const me = perRound(result.cells, s.name, 'me', rps);
    const fractions: ByRound = new Map();
    for (const [round, x] of me) {
      const y = health.get(round);
      if (y !== undefined && y > 0) fractions.set(round, x / y);
    }
    return {
      subject: s.name,
      label: s.label,
      rounds: fractions.size,
      healthRps: spread([...health.values()]),
      meRps: spread([...me.values()]),
      fraction: spread([...fractions.values()]),
      healthCpuUs: optionalSpread(perRound(result.cells, s.name, 'health', cpuUs)),
      meCpuUs: optionalSpread(perRound(result.cells, s.name, 'me', cpuUs)),
      meCpuCores: optionalSpread(perRound(result.cells, s.name, 'me', (c) => (c.serverCpuSec === null || c.wrk.seconds <= 0 ? null : c.serverCpuSec / c.wrk.seconds))),
      fractions,
      me,
    };
  });
  const reference = subjects.find((s) => s.subject === REFERENCE_SUBJECT);
  const versus = reference === undefined
    ? []
    : subjects
        .filter((s) => s.subject !== REFERENCE_SUBJECT)
        .map((s) => ({ subject: s.subject, label: s.label, meRps: spread(divide(s.me, reference.me)), fraction: spread(divide(s.fractions, reference.fractions)) }));
  const problems = result.cells
    .filter((c) => c.wrk.non2xx > 0 || c.wrk.socketErrors > 0)
    .map((c) => `round ${c.round + 1}, ${c.subject} GET /${c.route}: ${c.wrk.non2xx} non-2xx answers, ${c.wrk.socketErrors} socket errors`);
  return {
    subjects: subjects.map(({ fractions: _f, me: _m, ...s }) => s),
    versus,
    problems,
  };
}
