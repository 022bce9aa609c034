import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver, { type S3rverContext } from 's3rver';
import { startTcpProxy, type TcpProxy } from '../tcpProxy.js';
import { AwsChunkedDecoder, isAwsChunked } from './awsChunked.js';

// A stand-in for S3: s3rver (a real S3 protocol server, objects on disk) behind two loopback
// endpoints, one playing the bucket Tavus writes to and one the app's storage, each of which can be
// taken down on its own. It is not S3: it checks no SigV4 signature nor checksum, and it needs two
// things real stores do: aws-chunked bodies decoded before s3rver stores them (see awsChunked.ts),
// and a way to go wrong on demand (`corrupt`: uploads to a bucket stored with a byte flipped, as a
// store that damages what it keeps would).

export const TAVUS_BUCKET = 'tavus-recordings';
export const APP_BUCKET = 'app-recordings';
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3Request {
  method: string;
  bucket: string;
  key: string;
  /** PutObject, CreateMultipartUpload, UploadPart, GetObject, ... as far as the method and query tell. */
  operation: string;
}

export interface S3StandIn {
  /** Where the service reads the Tavus bucket and writes the app's storage. */
  tavus: TcpProxy;
  storage: TcpProxy;
  /** A client straight to s3rver, for the test's own puts and reads (never behind a proxy taken down). */
  client: S3Client;
  requests: S3Request[];
  /** Uploads to `bucket` are stored with their first byte flipped while on. */
  corrupt(bucket: string, on: boolean): void;
  put(bucket: string, key: string, body: Buffer | Readable, options?: { contentType?: string; contentLength?: number }): Promise<void>;
  get(bucket: string, key: string): Promise<Buffer>;
  exists(bucket: string, key: string): Promise<boolean>;
  /** The configuration a service needs to use both (RECORDINGS_S3_*, TAVUS_RECORDING_*). */
  env(): Record<string, string>;
  close(): Promise<void>;
}

function operationOf(method: string, query: Record<string, string>, key: string): string {
  if (method === 'POST' && 'uploads' in query) return 'CreateMultipartUpload';
  if (method === 'POST' && 'uploadId' in query) return 'CompleteMultipartUpload';
  if (method === 'PUT' && 'uploadId' in query) return 'UploadPart';
  if (method === 'PUT') return key ? 'PutObject' : 'CreateBucket';
  if (method === 'DELETE' && 'uploadId' in query) return 'AbortMultipartUpload';
  if (method === 'GET' || method === 'HEAD') return key ? `${method === 'GET' ? 'Get' : 'Head'}Object` : 'ListObjects';
  return method;
}

const flipFirstByte = () => {
  let flipped = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!flipped && chunk.length > 0) {
        chunk = Buffer.from(chunk);
        chunk[0] = chunk[0]! ^ 0xff;
        flipped = true;
      }
      done(null, chunk);
    },
  });
};

export async function startS3StandIn(): Promise<S3StandIn> {
  const directory = await mkdtemp(path.join(tmpdir(), 'tavus-feedback-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: TAVUS_BUCKET }, { name: APP_BUCKET }] });
  const requests: S3Request[] = [];
  const corrupted = new Set<string>();

  // First in s3rver's chain: record the request, and turn its body into the object's bytes.
  server.middleware.unshift(async (ctx: S3rverContext, next) => {
    const [, bucket = '', ...rest] = ctx.path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const operation = operationOf(ctx.method, ctx.query, key);
    requests.push({ method: ctx.method, bucket, key, operation });
    let body = ctx.req;
    if (isAwsChunked(ctx.headers)) {
      // Then stored as S3 stores it: the decoded length, and aws-chunked gone from its encoding.
      const decodedLength = ctx.headers['x-amz-decoded-content-length'];
      if (decodedLength !== undefined) ctx.headers['content-length'] = String(decodedLength);
      const encoding = String(ctx.headers['content-encoding'] ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e && e !== 'aws-chunked');
      if (encoding.length > 0) ctx.headers['content-encoding'] = encoding.join(', ');
      else delete ctx.headers['content-encoding'];
      body = body.pipe(new AwsChunkedDecoder());
    }
    if (corrupted.has(bucket) && (operation === 'PutObject' || operation === 'UploadPart')) body = body.pipe(flipFirstByte());
    ctx.req = body;
    await next();
  });
  const { port } = await server.run();
  const tavus = await startTcpProxy(port);
  const storage = await startTcpProxy(port);
  const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: KEYS });

  return {
    tavus,
    storage,
    client,
    requests,
    corrupt(bucket, on) {
      if (on) corrupted.add(bucket);
      else corrupted.delete(bucket);
    },
    async put(bucket, key, body, options = {}) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          ContentLength: options.contentLength ?? (Buffer.isBuffer(body) ? body.length : undefined),
        }),
      );
    },
    async get(bucket, key) {
      const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await answer.Body!.transformToByteArray());
    },
    async exists(bucket, key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
        throw err;
      }
    },
    env() {
      return {
        RECORDINGS_S3_ENDPOINT: `http://127.0.0.1:${storage.port}`,
        RECORDINGS_S3_REGION: 'us-east-1',
        RECORDINGS_S3_BUCKET: APP_BUCKET,
        RECORDINGS_S3_ACCESS_KEY_ID: KEYS.accessKeyId,
        RECORDINGS_S3_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
        RECORDINGS_S3_FORCE_PATH_STYLE: 'true',
        TAVUS_RECORDING_BUCKET: TAVUS_BUCKET,
        TAVUS_RECORDING_REGION: 'us-east-1',
        TAVUS_RECORDING_ROLE_ARN: 'arn:aws:iam::123456789012:role/tavus-recordings',
        TAVUS_RECORDING_S3_ENDPOINT: `http://127.0.0.1:${tavus.port}`,
        TAVUS_RECORDING_S3_ACCESS_KEY_ID: KEYS.accessKeyId,
        TAVUS_RECORDING_S3_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
        TAVUS_RECORDING_S3_FORCE_PATH_STYLE: 'true',
      };
    },
    async close() {
      client.destroy();
      await tavus.close();
      await storage.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
