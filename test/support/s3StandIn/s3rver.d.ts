// s3rver ships no types: what the stand-in uses of it (a Koa application).
declare module 's3rver' {
  import type { Server } from 'node:http';
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
    resetOnClose?: boolean;
    configureBuckets?: { name: string }[];
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's middleware list: what runs first comes first. */
    middleware: ((ctx: S3rverContext, next: () => Promise<void>) => Promise<void>)[];
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    httpServer: Server;
  }
  export interface S3rverContext {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: Record<string, string | string[] | undefined>;
    req: NodeJS.ReadableStream;
    status: number;
  }
}
