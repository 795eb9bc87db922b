#!/usr/bin/env node
// Thin launcher: all logic lives in the compiled library (dist/src).
import v8 from 'node:v8';

// The analysis keeps little alive (live blocks, the blocks it reports) but makes much
// short-lived garbage; with V8's default growth the heap, and so the RSS, grows with the
// log (250 MB at 100 MB of log, 500 MB at 1 GB). Sizing the heap for memory keeps the
// peak near 110 MB whatever the log's length, for ~10 % of speed (bench/README.md).
// It only tunes the garbage collector's heuristics, never a hard limit: a log with
// millions of blocks really alive still gets the memory it needs.
if (!process.env.SPYLOG_V8_DEFAULT_HEAP) v8.setFlagsFromString('--optimize-for-size');

const { run } = await import('../dist/src/cli.js');
run(process.argv.slice(2));
