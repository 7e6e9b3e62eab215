import { timingSafeEqual } from 'node:crypto';

export interface User {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly string[];
}

/**
 * The seeded, in-memory user directory: user0 … user{N-1}, password of user<n> is pass<n>.
 * Passwords are compared without a slow hash on purpose: login here measures token issuance,
 * not bcrypt, which would dominate and be the same for every design.
 */
export class UserDirectory {
  readonly size: number;
  constructor(size: number) {
    this.size = size;
  }

  private indexOf(username: string, prefix: string): number | undefined {
    if (!username.startsWith(prefix)) return undefined;
    const digits = username.slice(prefix.length);
    if (!/^(0|[1-9]\d{0,9})$/.test(digits)) return undefined;
    const n = Number(digits);
    return n < this.size ? n : undefined;
  }

  private user(n: number): User {
    return { userId: `u${n}`, username: `user${n}`, roles: n === 0 ? ['admin', 'user'] : ['user'] };
  }

  /** The user for these credentials, or undefined. */
  authenticate(username: string, password: string): User | undefined {
    const n = this.indexOf(username, 'user');
    if (n === undefined) return undefined;
    const expected = Buffer.from(`pass${n}`);
    const given = Buffer.from(password);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return this.user(n);
  }

  /** Looks a user up by id (the JWT `sub`). */
  byId(userId: string): User | undefined {
    const n = this.indexOf(userId, 'u');
    return n === undefined ? undefined : this.user(n);
  }
}
