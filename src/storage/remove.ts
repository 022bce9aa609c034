import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { S3Access } from '../config.js';
import { s3Client } from './s3.js';

// Erasure deletes a conversation's recording from the app's storage (src/privacy/erase.ts). Only
// objects in that bucket: the one Tavus wrote to is Tavus's (and the app's settings there) to expire.

export interface RecordingRemover {
  remove: (object: { bucket: string; key: string }) => Promise<void>;
  close: () => void;
}

export function openRecordingRemover(storage: S3Access): RecordingRemover {
  const client = s3Client(storage);
  return {
    remove: async (object) => {
      if (object.bucket !== storage.bucket) throw new Error('the recording is in another bucket than RECORDINGS_S3_BUCKET');
      // S3 answers 204 whether or not the key exists: deleting twice is harmless.
      await client.send(new DeleteObjectCommand({ Bucket: object.bucket, Key: object.key }));
    },
    close: () => client.destroy(),
  };
}
