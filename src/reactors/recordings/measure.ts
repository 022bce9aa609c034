import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

// Bytes passed through, counted and hashed on the way: what a copy read, and what a check read back.

export class Measure extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** Lower-case hex; call once the stream has ended. */
  sha256(): string {
    return this.hash.copy().digest('hex');
  }
}
