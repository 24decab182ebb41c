'use strict';

// Unit tests of lib/msgpack.js: exact encodings at every size boundary, round
// trips, and malformed input.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const { encode, decode, MAX_DEPTH } = require('../lib/msgpack');
const { SerializationError } = require('../lib/errors');

/** @param {string} hex @returns {Buffer} */
const bytes = (hex) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
/** @param {unknown} value @returns {string} */
const hexOf = (value) => encode(value).toString('hex');

describe('msgpack encode: exact bytes', () => {
  const cases = [
    ['nil', null, 'c0'],
    ['undefined as nil', undefined, 'c0'],
    ['false', false, 'c2'],
    ['true', true, 'c3'],
    ['0', 0, '00'],
    ['127 (largest positive fixint)', 127, '7f'],
    ['128 (uint 8)', 128, 'cc80'],
    ['255', 255, 'ccff'],
    ['256 (uint 16)', 256, 'cd0100'],
    ['65535', 65535, 'cdffff'],
    ['65536 (uint 32)', 65536, 'ce00010000'],
    ['2^32-1', 2 ** 32 - 1, 'ceffffffff'],
    ['2^32 (uint 64)', 2 ** 32, 'cf0000000100000000'],
    ['2^53-1', Number.MAX_SAFE_INTEGER, 'cf001fffffffffffff'],
    ['-1 (negative fixint)', -1, 'ff'],
    ['-32', -32, 'e0'],
    ['-33 (int 8)', -33, 'd0df'],
    ['-128', -128, 'd080'],
    ['-129 (int 16)', -129, 'd1ff7f'],
    ['-32768', -32768, 'd18000'],
    ['-32769 (int 32)', -32769, 'd2ffff7fff'],
    ['-2^31', -(2 ** 31), 'd280000000'],
    ['-2^31-1 (int 64)', -(2 ** 31) - 1, 'd3ffffffff7fffffff'],
    ['1.5 (float 64)', 1.5, 'cb3ff8000000000000'],
    ['-0 keeps its sign as float 64', -0, 'cb8000000000000000'],
    ['2^53 is not a safe integer: float 64', 2 ** 53, 'cb4340000000000000'],
    ['NaN', NaN, 'cb7ff8000000000000'],
    ['Infinity', Infinity, 'cb7ff0000000000000'],
    ['BigInt 5n is small', 5n, '05'],
    ['BigInt 2^64-1', 2n ** 64n - 1n, 'cfffffffffffffffff'],
    ['BigInt -2^63', -(2n ** 63n), 'd38000000000000000'],
    ['empty string', '', 'a0'],
    ['"a"', 'a', 'a161'],
    ['utf-8 length in bytes', 'é', 'a2c3a9'],
    ['empty bin', Buffer.alloc(0), 'c400'],
    ['Uint8Array as bin', new Uint8Array([1, 2]), 'c4020102'],
    ['ArrayBuffer as bin', new Uint8Array([9]).buffer, 'c40109'],
    ['empty array', [], '90'],
    ['empty map', {}, '80'],
    ['object', { a: 1 }, '81a16101'],
    ['undefined members are left out', { a: undefined, b: 2 }, '81a16202'],
    ['Map with non-string keys', new Map([[1, true]]), '8101c3'],
    ['Date via toJSON', new Date(0), hexOf('1970-01-01T00:00:00.000Z')],
  ];
  for (const [name, value, hex] of cases) {
    it(name, () => assert.equal(hexOf(value), hex));
  }

  it('str 8/16/32 boundaries', () => {
    assert.equal(hexOf('x'.repeat(31)).slice(0, 2), 'bf');
    assert.equal(hexOf('x'.repeat(32)).slice(0, 4), 'd920');
    assert.equal(hexOf('x'.repeat(255)).slice(0, 4), 'd9ff');
    assert.equal(hexOf('x'.repeat(256)).slice(0, 6), 'da0100');
    assert.equal(hexOf('x'.repeat(65535)).slice(0, 6), 'daffff');
    assert.equal(hexOf('x'.repeat(65536)).slice(0, 10), 'db00010000');
  });

  it('bin 8/16/32 boundaries', () => {
    assert.equal(hexOf(Buffer.alloc(255)).slice(0, 4), 'c4ff');
    assert.equal(hexOf(Buffer.alloc(256)).slice(0, 6), 'c50100');
    assert.equal(hexOf(Buffer.alloc(65535)).slice(0, 6), 'c5ffff');
    assert.equal(hexOf(Buffer.alloc(65536)).slice(0, 10), 'c600010000');
  });

  it('array and map 16/32 boundaries', () => {
    assert.equal(hexOf(new Array(15).fill(0)).slice(0, 2), '9f');
    assert.equal(hexOf(new Array(16).fill(0)).slice(0, 6), 'dc0010');
    assert.equal(hexOf(new Array(65535).fill(0)).slice(0, 6), 'dcffff');
    assert.equal(hexOf(new Array(65536).fill(0)).slice(0, 10), 'dd00010000');
    const map = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 0]));
    assert.equal(hexOf(map(15)).slice(0, 2), '8f');
    assert.equal(hexOf(map(16)).slice(0, 6), 'de0010');
    assert.equal(hexOf(map(65536)).slice(0, 10), 'df00010000');
  });
});

describe('msgpack encode: refused values', () => {
  const refused = [
    ['a function', () => 1, /cannot encode a function/],
    ['a symbol', Symbol('s'), /cannot encode a symbol/],
    ['a function member', { f() {} }, /cannot encode a function/],
    ['BigInt 2^64', 2n ** 64n, /BigInt 18446744073709551616 .* 64 bits/],
    ['BigInt -2^63-1', -(2n ** 63n) - 1n, /does not fit in 64 bits/],
  ];
  for (const [name, value, message] of refused) {
    it(name, () => assert.throws(() => encode(value), (err) => err instanceof SerializationError && message.test(err.message)));
  }

  it('a circular structure', () => {
    const a = { b: {} };
    a.b.a = a;
    assert.throws(() => encode(a), { name: 'SerializationError', message: /circular/ });
  });

  it('the same object twice (not a cycle) is fine', () => {
    const shared = { x: 1 };
    assert.deepEqual(decode(encode([shared, shared])), [{ x: 1 }, { x: 1 }]);
  });

  it('nesting deeper than the limit', () => {
    let deep = [];
    for (let i = 0; i < MAX_DEPTH + 5; i++) deep = [deep];
    assert.throws(() => encode(deep), { name: 'SerializationError', message: /nested deeper/ });
  });
});

describe('msgpack decode', () => {
  it('every integer format', () => {
    assert.equal(decode(bytes('cc ff')), 255);
    assert.equal(decode(bytes('cd ffff')), 65535);
    assert.equal(decode(bytes('ce ffffffff')), 4294967295);
    assert.equal(decode(bytes('cf 001fffffffffffff')), Number.MAX_SAFE_INTEGER);
    assert.equal(decode(bytes('cf 0020000000000000')), 2n ** 53n);
    assert.equal(decode(bytes('cf ffffffffffffffff')), 2n ** 64n - 1n);
    assert.equal(decode(bytes('d0 80')), -128);
    assert.equal(decode(bytes('d1 8000')), -32768);
    assert.equal(decode(bytes('d2 80000000')), -(2 ** 31));
    assert.equal(decode(bytes('d3 ffe0000000000001')), Number.MIN_SAFE_INTEGER);
    assert.equal(decode(bytes('d3 ffe0000000000000')), -(2n ** 53n));
    assert.equal(decode(bytes('d3 8000000000000000')), -(2n ** 63n));
    assert.equal(decode(bytes('d3 0000000000000005')), 5);
    assert.equal(decode(bytes('e0')), -32);
  });

  it('float 32 and float 64', () => {
    assert.equal(decode(bytes('ca 3fc00000')), 1.5);
    assert.equal(decode(bytes('ca 7f800000')), Infinity);
    assert.ok(Number.isNaN(decode(bytes('ca 7fc00000'))));
    assert.equal(decode(bytes('cb 400921fb54442d18')), Math.PI);
  });

  it('str 8/16/32 and bin 8/16/32 even when a shorter form would do', () => {
    assert.equal(decode(bytes('d9 01 61')), 'a');
    assert.equal(decode(bytes('da 0001 61')), 'a');
    assert.equal(decode(bytes('db 00000001 61')), 'a');
    assert.deepEqual(decode(bytes('c4 01 ff')), Buffer.from([0xff]));
    assert.deepEqual(decode(bytes('c5 0001 ff')), Buffer.from([0xff]));
    assert.deepEqual(decode(bytes('c6 00000001 ff')), Buffer.from([0xff]));
  });

  it('array 16/32 and map 16/32', () => {
    assert.deepEqual(decode(bytes('dc 0002 01 02')), [1, 2]);
    assert.deepEqual(decode(bytes('dd 00000002 01 02')), [1, 2]);
    assert.deepEqual(decode(bytes('de 0001 a161 01')), { a: 1 });
    assert.deepEqual(decode(bytes('df 00000001 a161 01')), { a: 1 });
  });

  it('bin decodes to a Buffer that does not share memory with the input', () => {
    const input = bytes('c4 02 0102');
    const out = decode(input);
    assert.ok(Buffer.isBuffer(out));
    input[2] = 9;
    assert.deepEqual([...out], [1, 2]);
  });

  it('accepts a plain Uint8Array view', () => {
    const backing = new Uint8Array([0xff, 0x92, 0x01, 0xa1, 0x78, 0xff]);
    assert.deepEqual(decode(backing.subarray(1, 5)), [1, 'x']);
  });

  it('scalar map keys become strings; later duplicates win', () => {
    assert.deepEqual(decode(bytes('84 01 a161 c3 a162 c0 a163 cb3ff8000000000000 a164')), {
      1: 'a', true: 'b', null: 'c', 1.5: 'd',
    });
    assert.deepEqual(decode(bytes('82 a161 01 a161 02')), { a: 2 });
  });

  it('a "__proto__" key is an own property and pollutes nothing', () => {
    const out = decode(encode(new Map([['__proto__', { polluted: true }]])));
    assert.ok(Object.prototype.hasOwnProperty.call(out, '__proto__'));
    assert.deepEqual(out['__proto__'], { polluted: true });
    assert.equal(/** @type {any} */ ({}).polluted, undefined);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });
});

describe('msgpack round trips', () => {
  const values = [
    null, true, false, 0, 1, -1, 127, 128, -32, -33, 255, 256, 65535, 65536, -32768, -32769,
    2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER,
    2n ** 63n, 2n ** 64n - 1n, -(2n ** 63n), 0.1, -1e300, Number.MIN_VALUE, Infinity, -Infinity,
    '', 'hello', 'x'.repeat(31), 'x'.repeat(32), 'x'.repeat(70000), '日本語 ✓ 🎭',
    Buffer.alloc(0), Buffer.from([0, 1, 254, 255]), Buffer.alloc(70000, 7),
    [], [[]], [1, [2, [3, [4]]]], new Array(70000).fill('a'),
    {}, { nested: { deeper: { list: [1, 'two', null, { three: 3 }] } } },
    Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key${i}`, i])),
  ];
  values.forEach((value, i) => {
    it(`value #${i} (${typeof value}${Array.isArray(value) ? ' array' : ''})`, () => {
      assert.deepEqual(decode(encode(value)), value);
    });
  });

  it('-0 and NaN survive', () => {
    assert.ok(Object.is(decode(encode(-0)), -0));
    assert.ok(Number.isNaN(decode(encode(NaN))));
  });

  it('random nested values (seeded)', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const gen = (depth) => {
      const pick = Math.floor(rand() * (depth > 3 ? 6 : 9));
      switch (pick) {
        case 0: return null;
        case 1: return rand() < 0.5;
        case 2: return Math.floor((rand() - 0.5) * 2 ** (1 + Math.floor(rand() * 53)));
        case 3: return (rand() - 0.5) * 1e6;
        case 4: return 's'.repeat(Math.floor(rand() * 300)) + String.fromCharCode(0x20 + Math.floor(rand() * 0x2000));
        case 5: return Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
        case 6: return Array.from({ length: Math.floor(rand() * 20) }, () => gen(depth + 1));
        default: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 20) }, (_, i) => [`k${i}`, gen(depth + 1)]));
      }
    };
    for (let i = 0; i < 300; i++) {
      const value = gen(0);
      assert.deepEqual(decode(encode(value)), value);
    }
  });
});

describe('msgpack malformed input', () => {
  const isSerializationError = (pattern) => (err) => {
    assert.ok(err instanceof SerializationError, `expected SerializationError, got ${err && err.name}`);
    assert.equal(err.code, 'SERIALIZATION_ERROR');
    assert.match(err.message, pattern);
    return true;
  };

  it('every strict prefix of a valid encoding is truncated', () => {
    const full = encode({
      a: [1, 300, 70000, 2 ** 40, -5, -300, -70000, -(2 ** 40), 1.5, 2n ** 63n],
      s: 'x'.repeat(40), t: 'y'.repeat(300), b: Buffer.alloc(300), m: new Array(20).fill(null),
    });
    for (let n = 0; n < full.length; n++) {
      assert.throws(() => decode(full.subarray(0, n)), isSerializationError(n === 0 ? /empty/ : /truncated/), `prefix of ${n} bytes`);
    }
  });

  it('a length larger than the input is refused before allocating', () => {
    assert.throws(() => decode(bytes('dd ffffffff 01')), isSerializationError(/truncated .* array of 4294967295/));
    assert.throws(() => decode(bytes('df ffffffff')), isSerializationError(/truncated .* map of 4294967295/));
    assert.throws(() => decode(bytes('db ffffffff 61')), isSerializationError(/truncated .* string of 4294967295/));
    assert.throws(() => decode(bytes('c6 ffffffff')), isSerializationError(/truncated .* binary data of 4294967295/));
  });

  it('extension types are rejected, naming the byte', () => {
    for (const hex of ['d4 01 00', 'd5 01 0000', 'd6 ff 00000000', 'd7 ff 0000000000000000', 'd8 01' + ' 00'.repeat(16), 'c7 01 01 00', 'c8 0001 01 00', 'c9 00000001 01 00']) {
      const tag = hex.slice(0, 2);
      assert.throws(() => decode(bytes(hex)), isSerializationError(new RegExp(`extension types are not supported \\(byte 0x${tag} at offset 0\\)`)));
    }
    assert.throws(() => decode(bytes('91 d6ff00000000')), isSerializationError(/byte 0xd6 at offset 1/));
  });

  it('the never-used byte 0xc1 is invalid', () => {
    assert.throws(() => decode(bytes('c1')), isSerializationError(/invalid MessagePack byte 0xc1 at offset 0/));
  });

  it('trailing bytes after the value', () => {
    assert.throws(() => decode(bytes('01 02')), isSerializationError(/1 unexpected trailing byte/));
  });

  it('non-scalar map keys', () => {
    assert.throws(() => decode(bytes('81 90 01')), isSerializationError(/map key at offset 1 is an array/));
    assert.throws(() => decode(bytes('81 80 01')), isSerializationError(/is a map/));
    assert.throws(() => decode(bytes('81 c400 01')), isSerializationError(/is binary data/));
  });

  it('nesting deeper than the limit', () => {
    const deep = Buffer.alloc(MAX_DEPTH + 2, 0x91);
    assert.throws(() => decode(Buffer.concat([deep, bytes('c0')])), isSerializationError(/nested deeper than/));
  });

  it('not a buffer', () => {
    assert.throws(() => decode(/** @type {any} */ ('c0')), { name: 'TypeError', message: /Buffer or Uint8Array, got string/ });
  });
});
