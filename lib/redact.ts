/**
 * A Redis URL fit for a log line or a result file: the user name and password removed (a URL authbench made for a
 * Redis it started carries that server's password).
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return 'redacted';
  }
}
