import { W, type WordInfo } from './vocabulary.js';

// What the counterpart has said, by word stem, so a practitioner's turn can be checked for
// restating it. A reflection answers what was just said, so "recent" means the last two
// counterpart turns; a summary gathers from the whole conversation.

const RECENT_TURNS = 2;

export class CounterpartMemory {
  private readonly lastSaidIn = new Map<string, number>();
  private turn = 0;

  remember(infos: readonly WordInfo[]): void {
    this.turn++;
    for (const info of infos) if (info.flags & W.content) this.lastSaidIn.set(info.stem, this.turn);
  }

  /** 2: said in the last two counterpart turns; 1: said earlier; 0: never said. */
  heard(stemmed: string): 0 | 1 | 2 {
    const t = this.lastSaidIn.get(stemmed);
    if (t === undefined) return 0;
    return this.turn - t < RECENT_TURNS ? 2 : 1;
  }
}
