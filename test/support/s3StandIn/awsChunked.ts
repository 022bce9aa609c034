import { Transform, type TransformCallback } from 'node:stream';

// The aws-chunked body encoding (AWS SigV4 streaming uploads), decoded back into the object's bytes:
//   <size in hex>[;chunk-signature=<sig>]\r\n<size bytes>\r\n ... 0[;...]\r\n[<trailer>:<value>\r\n]*\r\n
// Current AWS SDKs send streamed uploads this way; real S3, R2, MinIO and Supabase decode it, and
// s3rver 3.7 does not (it would store the framing inside the object), so the stand-in decodes it
// before s3rver sees the body. Trailers (the SDK's CRC32) are read past, not checked.

type State = { at: 'size' } | { at: 'data'; left: number } | { at: 'crlf'; left: number } | { at: 'trailers' };

const CRLF = Buffer.from('\r\n');

export class AwsChunkedDecoder extends Transform {
  private state: State = { at: 'size' };
  private pending = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let input = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    for (;;) {
      const state = this.state;
      if (state.at === 'trailers') return done();
      if (state.at === 'data') {
        if (input.length === 0) return done();
        const take = Math.min(state.left, input.length);
        this.push(input.subarray(0, take));
        input = input.subarray(take);
        this.state = state.left === take ? { at: 'crlf', left: 2 } : { at: 'data', left: state.left - take };
        continue;
      }
      if (state.at === 'crlf') {
        const skip = Math.min(state.left, input.length);
        input = input.subarray(skip);
        if (skip < state.left) {
          this.state = { at: 'crlf', left: state.left - skip };
          return done();
        }
        this.state = { at: 'size' };
        continue;
      }
      const end = input.indexOf(CRLF);
      if (end < 0) {
        this.pending = Buffer.from(input);
        return done();
      }
      const size = Number.parseInt(input.subarray(0, end).toString('latin1').split(';')[0]!.trim(), 16);
      if (!Number.isFinite(size) || size < 0) return done(new Error('not an aws-chunked body: a chunk size is not hexadecimal'));
      input = input.subarray(end + 2);
      this.state = size === 0 ? { at: 'trailers' } : { at: 'data', left: size };
    }
  }

  override _flush(done: TransformCallback): void {
    done(this.state.at === 'trailers' ? null : new Error('the aws-chunked body ended before its last chunk'));
  }
}

/** Whether a request's body is aws-chunked (by its headers, as S3 tells). */
export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const payload = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || payload.startsWith('STREAMING-');
}
