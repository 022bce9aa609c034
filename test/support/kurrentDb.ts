import { startKurrentDbStandIn, type KurrentDbStandIn } from './kurrentDbStandIn/server.js';

// The KurrentDB the relay tests talk to: a real one when KURRENTDB_URL is set (then each test uses
// streams of its own, as the server is shared), else the stand-in in kurrentDbStandIn/.

export interface KurrentDbTarget {
  /** A connection string for the target as it is. */
  url: string;
  host: string;
  port: number;
  /** What the tests run against, for their names. */
  kind: 'KurrentDB' | 'KurrentDB stand-in';
  /** The same connection string with another host and port (a proxy in front of it). */
  via(port: number): string;
  close(): Promise<void>;
}

export async function startKurrentDb(): Promise<KurrentDbTarget> {
  const real = process.env.KURRENTDB_URL?.trim();
  let standIn: KurrentDbStandIn | undefined;
  const url = real || (standIn = await startKurrentDbStandIn()).url;
  const parsed = new URL(url.replace(/^[a-z+]+:\/\//, 'http://'));
  const host = parsed.hostname;
  const port = Number(parsed.port || 2113);
  return {
    url,
    host,
    port,
    kind: real ? 'KurrentDB' : 'KurrentDB stand-in',
    via: (proxyPort) => url.replace(/^([a-z+]+:\/\/(?:[^@/?#]*@)?)[^/?#]+/, (_all, scheme: string) => `${scheme}127.0.0.1:${proxyPort}`),
    close: async () => {
      await standIn?.close();
    },
  };
}

export function kurrentDbKind(): string {
  return process.env.KURRENTDB_URL?.trim() ? 'KurrentDB' : 'KurrentDB stand-in';
}
