// A client of server-sent events over fetch, enough for tests: events (and comments) in order, and a
// way to wait for the next one that matches, bounded so a missing event fails rather than hangs.

export interface SseMessage {
  event?: string;
  id?: string;
  data?: string;
  retry?: string;
  /** A comment line (`: heartbeat`), which servers send to keep a stream alive. */
  comment?: string;
}

export interface SseStream {
  response: Response;
  /** The next message (after those already taken) for which `match` holds. */
  next(match?: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  close(): void;
}

function parseBlock(block: string): SseMessage {
  const message: SseMessage = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      message.comment = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') message.data = message.data === undefined ? value : `${message.data}\n${value}`;
    else if (field === 'event' || field === 'id' || field === 'retry') message[field] = value;
  }
  return message;
}

export async function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const messages: SseMessage[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            messages.push(parseBlock(buffer.slice(0, end)));
            buffer = buffer.slice(end + 2);
          }
          wake?.();
        }
      } catch {
        // aborted
      } finally {
        ended = true;
        wake?.();
      }
    })();
  }
  let taken = 0;
  return {
    response,
    async next(match = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (taken < messages.length) {
          const m = messages[taken++]!;
          if (match(m)) return m;
        }
        if (ended) throw new Error('the stream ended before the message came');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    close() {
      abort.abort();
    },
  };
}

export const isFeedback = (m: SseMessage) => m.event === 'feedback';
export const isHeartbeat = (m: SseMessage) => m.comment === 'heartbeat';
