import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Access } from '../config.js';
import { s3Client } from './s3.js';

// Short-lived links to recordings kept in the app's storage: a presigned GET, signed here with the
// storage's keys and checked by the store, so the browser fetches the video from the store itself
// (ranges and all) and the service never carries it. A link is a credential for as long as it
// lives: it is answered to the recording's owner (or the operator) only, and never logged.

export interface RecordingLink {
  url: string;
  expiresAt: Date;
}

export interface RecordingLinks {
  link(object: { bucket: string; key: string; contentType: string }): Promise<RecordingLink>;
  /** The origin links point at, for the console's Content-Security-Policy (media-src). */
  origin(): Promise<string>;
}

/** Long enough to start watching; a player whose link expired mid-way asks for another (the console does). */
export const LINK_LIFETIME_S = 15 * 60;

export function recordingLinks(client: S3Client, bucket: string, now: () => Date = () => new Date()): RecordingLinks {
  const link = async (object: { bucket: string; key: string; contentType: string }) => {
    const signedAt = now();
    const command = new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ResponseContentType: object.contentType });
    const url = await getSignedUrl(client, command, { expiresIn: LINK_LIFETIME_S, signingDate: signedAt });
    return { url, expiresAt: new Date(signedAt.getTime() + LINK_LIFETIME_S * 1000) };
  };
  return {
    link,
    // Signing is local (no request), so a link to a made-up key shows where real ones point.
    origin: async () => new URL((await link({ bucket, key: 'origin', contentType: 'video/mp4' })).url).origin,
  };
}

/** The links the service's API hands out, on a client of their own, with the origin they point at. */
export async function openRecordingLinks(storage: S3Access): Promise<{ links: RecordingLinks; mediaOrigin: string; close(): void }> {
  const client = s3Client(storage);
  const links = recordingLinks(client, storage.bucket);
  return { links, mediaOrigin: await links.origin(), close: () => client.destroy() };
}
