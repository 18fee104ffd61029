/**
 * @module Child process for durability.test.ts: writes to a SQLite store from many concurrent
 * writers forever, printing each key once its create is acknowledged. The test kills it with -9.
 */
import { SqliteStore } from '../sqlite-store.js';

const [path, run] = process.argv.slice(2);
const store = await SqliteStore.open({ path });
let next = 0;
await Promise.all(Array.from({ length: 64 }, async () => {
  for (;;) {
    const key = `/registry/durable/${run}/${next++}`;
    await store.create(key, JSON.stringify({ n: next }));
    // stdout to a pipe is synchronous on Linux: the line is out before the next write starts.
    process.stdout.write(`${key}\n`);
  }
}));
