#!/usr/bin/env node
// Thin launcher: all logic lives in the compiled library (dist/src).
import { run } from '../dist/src/cli.js';

run(process.argv.slice(2));
