import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTENT_SAMPLE_ALL, CONTENT_SAMPLE_EVERY, isSampled, MeBodySample } from './scenario.js';

const body = (username: string): string => JSON.stringify({ userId: 'u1', username, roles: ['user'] });

describe('sampling GET /me bodies', () => {
  it('checks every answer of a small cell, then every hundredth: at least 1% of a large one', () => {
    assert.ok(Array.from({ length: CONTENT_SAMPLE_ALL }, (_, n) => n).every(isSampled));
    const large = 1_000_000;
    let sampled = 0;
    for (let n = 0; n < large; n++) if (isSampled(n)) sampled++;
    assert.ok(sampled >= large / 100, `${sampled} of ${large} checked`);
    assert.equal(isSampled(CONTENT_SAMPLE_ALL + 1), false);
    assert.equal(isSampled(CONTENT_SAMPLE_ALL * CONTENT_SAMPLE_EVERY), true);
  });

  it('counts a body that names another user, an unparsable body and an unknown expected user as mismatches', () => {
    const sample = new MeBodySample();
    sample.check(body('user7'), 'user7');
    sample.check(body('user8'), 'user7');
    sample.check('not json', 'user7');
    sample.check(body('user7'), undefined);
    assert.deepEqual({ checked: sample.checked, mismatches: sample.mismatches }, { checked: 4, mismatches: 3 });
  });

  it('looks at no body past the sample', () => {
    const sample = new MeBodySample();
    for (let n = 0; n < CONTENT_SAMPLE_ALL + CONTENT_SAMPLE_EVERY; n++) sample.check(body('someone else'), 'user1');
    assert.equal(sample.checked, CONTENT_SAMPLE_ALL + 1);
    assert.equal(sample.mismatches, sample.checked);
  });
});
