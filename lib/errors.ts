/**
 * One errors module for authbench. Every error has a stable `code` that callers and tests switch on;
 * HTTP-facing errors also carry the status they map to.
 */

export const ErrorCodes = {
  /** Any refusal of a token: missing, malformed, forged, expired, revoked. One body for all. */
  UNAUTHORIZED: 'ERR_UNAUTHORIZED',
  /** Wrong username or password at login. */
  INVALID_CREDENTIALS: 'ERR_INVALID_CREDENTIALS',
  BAD_REQUEST: 'ERR_BAD_REQUEST',
  /** The token store (Redis) did not answer in time or is not connected. */
  STORE_UNAVAILABLE: 'ERR_STORE_UNAVAILABLE',
  NOT_FOUND: 'ERR_NOT_FOUND',
  INTERNAL: 'ERR_INTERNAL',
  /** The server is shutting down: retry (on another instance). */
  SHUTTING_DOWN: 'ERR_SHUTTING_DOWN',
  /** A CLI flag, environment variable or config value is invalid (exit code 2). */
  INVALID_OPTION: 'ERR_INVALID_OPTION',
  /** No Redis could be obtained (no URL, no redis-server binary, no Docker). */
  NO_REDIS: 'ERR_NO_REDIS',
  REDIS_START_FAILED: 'ERR_REDIS_START_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class AuthbenchError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  constructor(code: ErrorCode, message: string, statusCode = 500, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthbenchError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** Why a token was refused. Never sent to the client (every refusal has one body); counted in metrics. */
export type RejectReason =
  | 'missing'
  | 'malformed'
  | 'bad_signature'
  | 'bad_header'
  | 'bad_claims'
  | 'expired'
  | 'too_old'
  | 'revoked'
  | 'unknown_token'
  | 'unknown_user'
  | 'bad_stored_value';

export class UnauthorizedError extends AuthbenchError {
  readonly reason: RejectReason;
  constructor(reason: RejectReason, options?: { cause?: unknown }) {
    super(ErrorCodes.UNAUTHORIZED, 'unauthorized', 401, options);
    this.name = 'UnauthorizedError';
    this.reason = reason;
  }
}

export class StoreUnavailableError extends AuthbenchError {
  /**
   * @param unreachable true when Redis could not be reached or did not answer in time (a lost connection, a
   * timeout, or a reply that says it is not serving yet: LOADING, MASTERDOWN, ...): an outage, where a design may
   * fail open. False when Redis answered with an error (NOAUTH, WRONGPASS, NOPERM, OOM, READONLY, ...): a
   * misconfiguration or a refusal, never a reason to skip a check.
   */
  constructor(
    cause: unknown,
    readonly unreachable = true,
  ) {
    super(ErrorCodes.STORE_UNAVAILABLE, 'token store unavailable', 503, { cause });
    this.name = 'StoreUnavailableError';
  }
}

export class InvalidCredentialsError extends AuthbenchError {
  constructor() {
    super(ErrorCodes.INVALID_CREDENTIALS, 'invalid username or password', 401);
    this.name = 'InvalidCredentialsError';
  }
}

/** A bad option: the CLI prints the message and exits with code 2. */
export class InvalidOptionError extends AuthbenchError {
  constructor(message: string) {
    super(ErrorCodes.INVALID_OPTION, message, 2);
    this.name = 'InvalidOptionError';
  }
}

export function isAuthbenchError(err: unknown): err is AuthbenchError {
  return err instanceof AuthbenchError;
}

/** The first line of an error's message (or of its string form), for a result's `error` field. Pure. */
export function firstLineOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}
