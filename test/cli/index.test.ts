/** The command index lists each command as its own module declares it (help reads the index only, for speed). */
import { describe, expect, it } from 'vitest';
import { commandIndex } from '../../packages/cli/src/commands/index.js';

describe('the command index', () => {
  it('names each command and gives its summary as the command itself does', async () => {
    for (const entry of commandIndex) {
      const command = await entry.load();
      expect({ name: command.name, summary: command.summary }).toEqual({ name: entry.name, summary: entry.summary });
    }
    expect(new Set(commandIndex.map((c) => c.name)).size).toBe(commandIndex.length);
  });
});
