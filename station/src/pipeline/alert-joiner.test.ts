import { describe, expect, it } from 'vitest';
import { alertIdFor } from './alert-joiner.js';

describe('alertIdFor', () => {
  it('names the alert after its event, keeping the station in the id', () => {
    expect(alertIdFor('demo-01.ev-3f2a9c')).toBe('demo-01.al-3f2a9c');
    expect(alertIdFor('st-a.ev-1')).toBe('st-a.al-1');
    // Event ids from before station-named ids.
    expect(alertIdFor('ev-3f2a9c')).toBe('al-3f2a9c');
  });
});
