#!/usr/bin/env node
'use strict';
// The compiled CLI; `npm start` and `npm run migrate` build it first.
try {
  require('../dist/cli/index.js').run();
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && /dist[\\/]cli/.test(String(e.message))) {
    console.error('orderops is not built yet: run `npm run build` (npm start does it for you).');
    process.exit(1);
  }
  throw e;
}
