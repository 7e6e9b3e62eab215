import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasDuplicateMembers } from './json-members.js';

describe('hasDuplicateMembers', () => {
  it('finds a name given twice, at the top, nested, after an escape, or spelled with an escape', () => {
    for (const json of [
      '{"sub":"u1","sub":"admin"}',
      '{"a":1,"b":{"c":2,"c":3}}',
      '{"a":[{"x":1},{"y":2,"y":3}]}',
      '{"s":"a \\" quote","s":1}',
      '{"sub":"u1","\\u0073ub":"admin"}',
      ' { "alg" : "HS256" , "alg" : "none" } ',
    ]) {
      assert.equal(hasDuplicateMembers(json), true, json);
    }
  });

  it('passes distinct names, the same name in two objects, and names that appear only as values', () => {
    for (const json of [
      '{"alg":"HS256","typ":"JWT","kid":"k1"}',
      '{"a":{"x":1},"b":{"x":2}}',
      '{"roles":["sub","sub"],"sub":"u1"}',
      '{"s":"\\"sub\\":1","sub":2}',
      '{"a":[1,{"a":2}],"b":[]}',
      '[]',
      '{}',
    ]) {
      assert.equal(hasDuplicateMembers(json), false, json);
    }
  });
});
