import { describe, expect, it } from 'vitest';
import { progressOf } from './portal-api';

describe('progressOf', () => {
  it('places a claim on the main path by its state', () => {
    expect(progressOf('reported', [{ to: 'reported' }])).toEqual({ current: 0, off: null });
    expect(progressOf('assessing', [])).toEqual({ current: 3, off: null });
  });

  it('keeps the furthest step reached for a claim that left the path', () => {
    expect(
      progressOf('withdrawn', [
        { to: 'reported' },
        { to: 'registered' },
        { to: 'surveying' },
        { to: 'withdrawn' },
      ]),
    ).toEqual({ current: 2, off: 'withdrawn' });
    expect(progressOf('rejected', [{ to: 'reported' }, { to: 'rejected' }])).toEqual({
      current: 0,
      off: 'rejected',
    });
  });
});
