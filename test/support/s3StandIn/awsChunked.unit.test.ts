import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { AwsChunkedDecoder, isAwsChunked } from './awsChunked.js';

// The stand-in's decoder: the object's bytes back out of aws-chunked framing, however the framing
// is cut into network chunks.

function encode(parts: Buffer[], signed: boolean): Buffer {
  const sig = signed ? ';chunk-signature=' + 'f'.repeat(64) : '';
  const framed = parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}${sig}\r\n`), p, Buffer.from('\r\n')]);
  return Buffer.concat([...framed, Buffer.from(`0${sig}\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`)]);
}

async function decode(body: Buffer, cut: number): Promise<Buffer> {
  const pieces = [];
  for (let i = 0; i < body.length; i += cut) pieces.push(body.subarray(i, i + cut));
  return buffer(Readable.from(pieces).pipe(new AwsChunkedDecoder()));
}

describe('aws-chunked decoding', () => {
  const parts = [Buffer.alloc(70_000, 1), Buffer.from('\r\n0\r\n inside the data'), Buffer.alloc(3, 2)];
  const object = Buffer.concat(parts);

  it.each([1, 2, 7, 1000, 1 << 20])('gives the bytes back, unsigned or signed, read %i bytes at a time', async (cut) => {
    expect((await decode(encode(parts, false), cut)).equals(object)).toBe(true);
    expect((await decode(encode(parts, true), cut)).equals(object)).toBe(true);
  });

  it('fails a body that ends before its last chunk', async () => {
    await expect(decode(encode(parts, false).subarray(0, 100), 50)).rejects.toThrow(/ended before its last chunk/);
  });

  it('knows such a body by its headers', () => {
    expect(isAwsChunked({ 'content-encoding': 'aws-chunked' })).toBe(true);
    expect(isAwsChunked({ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' })).toBe(true);
    expect(isAwsChunked({ 'content-encoding': 'gzip', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })).toBe(false);
  });
});
