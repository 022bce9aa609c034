#!/usr/bin/env node
// Runs the built CLI (npm ci builds dist/ through the prepare script).
import { cli } from '../dist/cli/main.js';

cli(process.argv.slice(2));
