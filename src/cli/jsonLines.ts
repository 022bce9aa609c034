import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** JSON lines from a file, or standard input for `-` or no file; blank lines are skipped. */
export async function* readJsonLines(file: string | undefined): AsyncGenerator<{ line: number; value: unknown }> {
  const input = !file || file === '-' ? process.stdin : createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file ?? 'stdin'}:${line}: not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    yield { line, value };
  }
}
