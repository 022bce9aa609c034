import { createHash } from 'node:crypto';

// Where a recording is kept in the app's storage, and as what. The key is a function of the
// conversation and the object Tavus wrote, so every copy of one recording (a retry, two instances
// overlapping) writes the same key and never leaves two objects; it names our conversation id and
// nothing of Tavus's key (whose room name we do not choose).

const BY_EXTENSION: Record<string, string> = { mp4: 'video/mp4', m4v: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', mkv: 'video/x-matroska' };
const EXTENSION_OF: Record<string, string> = { 'video/mp4': 'mp4', 'video/webm': 'webm', 'video/quicktime': 'mov', 'video/x-matroska': 'mkv' };

function extensionOf(key: string): string | undefined {
  return /\.([A-Za-z0-9]{2,5})$/.exec(key)?.[1]?.toLowerCase();
}

/**
 * The store's type when it says one that plays (video/…, audio/…); else the key's extension; else
 * MP4, what Tavus records (its keys end in a start time, with no extension).
 */
export function contentTypeOf(sourceKey: string, sourceContentType: string | undefined): string {
  const said = sourceContentType?.split(';')[0]?.trim().toLowerCase();
  if (said && /^(video|audio)\/[\w.+-]+$/.test(said)) return said;
  return BY_EXTENSION[extensionOf(sourceKey) ?? ''] ?? 'video/mp4';
}

export function destinationKey(conversationId: string, source: { bucket: string; key: string }, contentType: string): string {
  const of = createHash('sha256').update(`${source.bucket}/${source.key}`).digest('base64url').slice(0, 16);
  return `recordings/${conversationId}/${of}.${EXTENSION_OF[contentType] ?? 'bin'}`;
}
