// Entry point that runs the CLI from source (tests spawn it with `node --import tsx`).
import { cli } from './main.js';

cli(process.argv.slice(2));
