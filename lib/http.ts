/** GET a JSON document with a timeout; undefined when it cannot be had (the caller records the gap). */
export async function getJson(url: string, timeoutMs: number): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
