#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the codec fuzzers into corpus/<target>/.

Run it from anywhere: python3 codec/fuzz/make_seeds.py. It only (re)writes the files it
names; inputs that fuzzing found and that were added by hand (bug_*) stay as they are.
Every seed is small (under 4 KiB) and says in its name what it holds.
"""

import base64
import json
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


# --- a minimal MessagePack writer (shortest forms, as troupe's writer) -----------------

def mp(v):
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        if 0 <= v <= 0x7F:
            return bytes([v])
        if -32 <= v < 0:
            return struct.pack("b", v)
        if 0 <= v <= 0xFF:
            return b"\xcc" + struct.pack(">B", v)
        if 0 <= v <= 0xFFFF:
            return b"\xcd" + struct.pack(">H", v)
        if 0 <= v <= 0xFFFFFFFF:
            return b"\xce" + struct.pack(">I", v)
        if v > 0:
            return b"\xcf" + struct.pack(">Q", v)
        if v >= -128:
            return b"\xd0" + struct.pack(">b", v)
        if v >= -32768:
            return b"\xd1" + struct.pack(">h", v)
        if v >= -(2**31):
            return b"\xd2" + struct.pack(">i", v)
        return b"\xd3" + struct.pack(">q", v)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, str):
        return mp_str(v.encode())
    if isinstance(v, (bytes, bytearray)):
        return mp_bin(bytes(v))
    if isinstance(v, list):
        return mp_head(len(v), 0x90, 15, 0xDC) + b"".join(mp(e) for e in v)
    if isinstance(v, dict):
        return mp_head(len(v), 0x80, 15, 0xDE) + b"".join(mp(k) + mp(e) for k, e in v.items())
    raise TypeError(type(v))


def mp_head(n, fix, fix_max, code16):
    if n <= fix_max:
        return bytes([fix | n])
    if n <= 0xFFFF:
        return bytes([code16]) + struct.pack(">H", n)
    return bytes([code16 + 1]) + struct.pack(">I", n)


def mp_str(b):
    if len(b) <= 31:
        return bytes([0xA0 | len(b)]) + b
    if len(b) <= 0xFF:
        return b"\xd9" + struct.pack(">B", len(b)) + b
    return b"\xda" + struct.pack(">H", len(b)) + b


def mp_bin(b):
    if len(b) <= 0xFF:
        return b"\xc4" + struct.pack(">B", len(b)) + b
    return b"\xc5" + struct.pack(">H", len(b)) + b


class Bin(bytes):
    """Bytes that JSON carries as base64 and MessagePack as bin."""


def to_json(v):
    def conv(x):
        if isinstance(x, Bin):
            return base64.b64encode(x).decode()
        if isinstance(x, list):
            return [conv(e) for e in x]
        if isinstance(x, dict):
            return {k: conv(e) for k, e in x.items()}
        return x

    return json.dumps(conv(v), ensure_ascii=False, separators=(",", ":")).encode()


def nest(depth, leaf, kind="array"):
    v = leaf
    for _ in range(depth):
        v = [v] if kind == "array" else {"k": v}
    return v


# --- the seeds -------------------------------------------------------------------------

def json_value_seeds():
    s = {}
    for name, text in [
        ("null", "null"), ("true", "true"), ("false", "false"), ("zero", "0"),
        ("minus_zero_int", "-0"), ("minus_zero_double", "-0.0"), ("one_double", "1.0"),
        ("int64_max", "9223372036854775807"), ("int64_min", "-9223372036854775808"),
        ("uint64_above_int64", "9223372036854775808"), ("uint64_max", "18446744073709551615"),
        ("beyond_uint64", "123456789012345678901234567890"), ("below_int64", "-9223372036854775809"),
        ("double_max", "1.7976931348623157e308"), ("double_overflow", "1e309"),
        ("double_min_subnormal", "5e-324"), ("double_underflow", "1e-400"),
        ("double_min_normal", "2.2250738585072014e-308"), ("exponent_caps", "3e+50"),
        ("tenth", "0.1"), ("long_mantissa", "0.30000000000000004441"),
        ("many_digits", "3.14159265358979323846264338327950288419716939937510582097494459"),
        ("string_empty", '""'), ("string_ascii", '"hello"'),
        ("string_escapes", r'"\"\\\/\b\f\n\r\t"'),
        ("string_unicode_escapes", r'"\u00e9\u4e2d\ud83d\ude00\u0000\u001f"'),
        ("string_lone_surrogate", r'"\ud800"'), ("string_low_surrogate_first", r'"\udc00\ud800"'),
        ("string_utf8_raw", '"héllo 中文 😀"'),
        ("array_empty", "[]"), ("object_empty", "{}"),
        ("array_mixed", '[null,true,1,-2.5,"s",[],{}]'),
        ("object_small", '{"key":"temperature","value":42}'),
        ("object_nested", '{"a":{"b":{"c":[1,{"d":null}]}}}'),
        ("object_duplicate_keys", '{"a":1,"a":2}'),
        ("object_unicode_key", '{"\\u00e9t\\u00e9":1,"中":2}'),
        ("whitespace", ' \t\n\r[ 1 , 2 ]\n'),
        # Invalid JSON: each must fail cleanly.
        ("bad_empty", ""), ("bad_trailing_comma", "[1,]"), ("bad_comment", "[1 /* c */]"),
        ("bad_single_quotes", "['a']"), ("bad_unterminated", '"abc'), ("bad_open_object", "{"),
        ("bad_leading_zero", "01"), ("bad_nan", "NaN"), ("bad_infinity", "-Infinity"),
        ("bad_two_values", "1 2"), ("bad_key_not_string", "{1:2}"),
        ("bad_control_in_string", '"a\x01b"'),
    ]:
        s[name + ".json"] = text.encode()
    # Bugs the fuzzers found, each as a small input.
    # Boost.JSON 1.81 read these a bit off (3E50 as 3.0000000000000002e+50), so a double
    # did not survive encode -> decode.
    for i, text in enumerate(["3E50", "5.409760742964738e+124", "1.3927926388013963e-143",
                              "[6.689921856898562e-217,-2.128409656321987e-239]"]):
        s[f"bug_double_rounding_{i}.json"] = text.encode()
    # Error paths carried input keys raw: control bytes, invalid UTF-8, any length.
    s["bug_error_path_raw_key.json"] = b'{"a\\u0001b":{"\xc3\xa9":1,"\xc3\xa9":2}}'
    s["bug_error_path_long_key.json"] = b'{"' + b"\\u0007" * 500 + b'":{"x":1,"x":2}}'
    s["bad_invalid_utf8.json"] = b'"\xff\xfe"'
    s["bad_overlong_utf8.json"] = b'"\xc0\x80"'
    s["bad_bom.json"] = b"\xef\xbb\xbf{}"
    s["many_keys_hashed.json"] = to_json({f"k{i}": i for i in range(20)})
    s["many_keys_duplicate_last.json"] = b"{" + b",".join(
        f'"k{i}":{i}'.encode() for i in range(20)) + b',"k3":0}'
    s["depth_8.json"] = to_json(nest(8, 1))
    s["depth_9.json"] = to_json(nest(9, 1))
    s["depth_64.json"] = to_json(nest(64, 1))
    s["depth_65.json"] = to_json(nest(65, 1))
    s["depth_64_objects.json"] = to_json(nest(64, None, "map"))
    s["depth_65_objects.json"] = to_json(nest(65, None, "map"))
    return s


def msgpack_value_seeds():
    s = {}
    one = {
        "fixint_0": b"\x00", "fixint_7f": b"\x7f", "fixmap_empty": b"\x80",
        "fixmap_one": b"\x81\xa1a\x01", "fixarray_empty": b"\x90", "fixarray_one": b"\x91\x01",
        "fixstr_empty": b"\xa0", "fixstr_hello": b"\xa5hello", "nil": b"\xc0",
        "reserved_c1": b"\xc1", "false": b"\xc2", "true": b"\xc3",
        "bin8": b"\xc4\x03\x00\xff\x7f", "bin16": b"\xc5\x00\x02ab",
        "bin32": b"\xc6\x00\x00\x00\x01z", "ext8": b"\xc7\x01\x05x", "ext16": b"\xc8\x00\x01\x05x",
        "ext32": b"\xc9\x00\x00\x00\x01\x05x", "float32": b"\xca" + struct.pack(">f", 1.5),
        "float32_nan": b"\xca\x7f\xc0\x00\x01", "float64": b"\xcb" + struct.pack(">d", 0.1),
        "float64_nan": b"\xcb\x7f\xf8\x00\x00\x00\x00\x00\x01",
        "float64_inf": b"\xcb" + struct.pack(">d", math.inf),
        "float64_minus_zero": b"\xcb" + struct.pack(">d", -0.0),
        "uint8": b"\xcc\xff", "uint16": b"\xcd\xff\xff", "uint32": b"\xce\xff\xff\xff\xff",
        "uint64_small": b"\xcf\x00\x00\x00\x00\x00\x00\x00\x01",
        "uint64_int64_max": b"\xcf\x7f\xff\xff\xff\xff\xff\xff\xff",
        "uint64_above_int64": b"\xcf\x80\x00\x00\x00\x00\x00\x00\x00",
        "int8": b"\xd0\x80", "int16": b"\xd1\x80\x00", "int32": b"\xd2\x80\x00\x00\x00",
        "int64_min": b"\xd3\x80\x00\x00\x00\x00\x00\x00\x00", "fixext1": b"\xd4\x01\x00",
        "fixext2": b"\xd5\x01\x00\x00", "fixext4": b"\xd6\x01" + b"\x00" * 4,
        "fixext8": b"\xd7\x01" + b"\x00" * 8, "fixext16": b"\xd8\x01" + b"\x00" * 16,
        "str8": b"\xd9\x03abc", "str16": b"\xda\x00\x03abc", "str32": b"\xdb\x00\x00\x00\x03abc",
        "array16": b"\xdc\x00\x02\x01\x02", "array32": b"\xdd\x00\x00\x00\x01\xc0",
        "map16": b"\xde\x00\x01\xa1k\x01", "map32": b"\xdf\x00\x00\x00\x01\xa1k\xc3",
        "negfixint_e0": b"\xe0", "negfixint_ff": b"\xff",
        # Malformed or refused: each must fail cleanly.
        "bad_empty": b"", "bad_truncated_uint32": b"\xce\x00\x01",
        "bad_truncated_str": b"\xa5hel", "bad_str32_huge_length": b"\xdb\xff\xff\xff\xff",
        "bad_array32_huge_count": b"\xdd\xff\xff\xff\xff\x01",
        "bad_map32_huge_count": b"\xdf\x7f\xff\xff\xff\xa1k",
        "bad_trailing_bytes": b"\x01\x02", "bad_map_int_key": b"\x81\x01\x02",
        "bad_map_duplicate_keys": b"\x82\xa1a\x01\xa1a\x02",
        "bad_ext_in_array": b"\x92\x01\xd4\x01\x00",
        "str_invalid_utf8": b"\xa2\xff\xfe", "str_overlong_utf8": b"\xa2\xc0\x80",
        "str_surrogate_utf8": b"\xa3\xed\xa0\x80",
        "noncanonical_int_as_int64": b"\xd3\x00\x00\x00\x00\x00\x00\x00\x01",
        "noncanonical_str_as_str32": b"\xdb\x00\x00\x00\x01x",
    }
    for name, data in one.items():
        s[name + ".mp"] = data
    mixed = [None, True, False, 1, -1, 300, -300, 70000, -70000, 2**40, -(2**40), 1.5, -0.0,
             "txt", b"\x00\x01", [], {}, {"nested": [1, {"deep": b"bin"}]}]
    s["array_mixed.mp"] = mp(mixed)
    # Error paths carried input keys raw (a bug the fuzzers found).
    s["bug_error_path_raw_key.mp"] = b"\x81\xa2k\x01\x82\xa1\xff\x01\xa1\xff\x02"
    s["bug_error_path_long_key.mp"] = b"\x81" + mp_str(b"\x7f" * 3000) + b"\x91\xcf" + b"\xff" * 8
    s["map_utf8_keys.mp"] = mp({"été": 1, "中": b"\xff", "😀": [None]})
    s["map_nan_inside.mp"] = b"\x81\xa1x" + b"\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00"
    s["map_bin_inside.mp"] = mp({"blob": b"\x00\xff" * 8})
    s["many_keys_hashed.mp"] = mp({f"k{i}": i for i in range(20)})
    s["many_keys_duplicate_last.mp"] = (b"\xde\x00\x15" + b"".join(
        mp(f"k{i}") + mp(i) for i in range(20)) + mp("k3") + mp(0))
    s["array16_of_strings.mp"] = mp([f"s{i}" * 3 for i in range(40)])
    s["depth_8.mp"] = mp(nest(8, 1))
    s["depth_9.mp"] = mp(nest(9, 1))
    s["depth_64.mp"] = mp(nest(64, 1))
    s["depth_65.mp"] = mp(nest(65, 1))
    s["depth_64_maps.mp"] = mp(nest(64, None, "map"))
    s["depth_65_maps.mp"] = mp(nest(65, None, "map"))
    s["depth_empty_arrays_closing.mp"] = mp([[[[], []], []], [[[[]]]]])
    return s


def tree(depth, fan=1):
    t = {"label": f"d{depth}", "feeling": "curious" if depth % 2 else None, "children": []}
    if depth > 0:
        t["children"] = [tree(depth - 1, fan) for _ in range(fan)]
    return t


def everything():
    inner = {
        "seq": 7, "from": "<fff8:1>", "id": -12, "at": {"x": 1.5, "y": -2.0, "z": 0.25},
        "blobs": [Bin(b""), Bin(b"\x00\xff\x10")], "levels": {"a": "low", "b": "high"},
        "any": {"k": [1, "two", 3.0, None, True]},
    }
    return {
        "flag": True, "i8": -128, "u8": 255, "i16": -32768, "u16": 65535,
        "i32": -2147483648, "u32": 4294967295, "i64": -9223372036854775808,
        "u64": 9223372036854775807, "f32": 0.5, "f64": 2.5e-300, "text": "héllo\n\"quoted\"",
        "raw": Bin(b"\x00\x01\xfe\xff"), "numbers": [1, -2, 3], "points": [{"x": 0.0, "y": 1.0, "z": 2.0}],
        "weights": {"a": 0.1, "b": 1e300}, "tags": {"t": ["x", "y"], "empty": []},
        "nickname": "nick", "origin": {"x": 3.0, "y": 4.0, "z": -1.0},
        "sparse": [1, None, -3], "shade": "furious", "levels": ["low", "mid", "high"],
        "nested": inner, "inners": [inner, dict(inner, at=None)], "by_name": {"one": inner},
        "loose": {"n": None, "v": [1, {"x": "y"}]}, "extra": {"free": ["form", 1, 2.5]},
        "owner": "<fff8:2a>", "peers": ["<0:0>", "<ffff:ffffffffffff>"], "root": tree(3, 2),
    }


def minimal_everything():
    e = everything()
    for k in ("nickname", "origin", "sparse"):
        del e[k]
    e.update(numbers=[], points=[], weights={}, tags={}, inners=[], by_name={}, loose={},
             extra=None, peers=[], root={"label": "", "children": []})
    return e


def described_seeds():
    s = {}

    def both(name, v):
        s[name + ".json"] = b"0" + to_json(v)
        s[name + ".mp"] = b"1" + mp(v)

    def tree_both(name, v):
        s[name + ".json"] = b"2" + to_json(v)
        s[name + ".mp"] = b"3" + mp(v)

    full = everything()
    both("everything_full", full)
    both("everything_minimal", minimal_everything())
    both("everything_optionals_null", dict(full, nickname=None, origin=None, sparse=None))
    both("everything_extra_field", dict(full, unknown_field=[1, 2, {"x": None}]))
    both("everything_missing_field", {k: v for k, v in full.items() if k != "flag"})
    both("everything_wrong_type", dict(full, i32="not a number"))
    both("everything_bad_enum", dict(full, shade="purple"))
    both("everything_enum_as_int", dict(full, shade=1))
    both("everything_bad_address", dict(full, owner="<12345:1>"))
    both("everything_null_address", dict(full, owner="<0:0>"))
    both("everything_i8_out_of_range", dict(full, i8=128))
    both("everything_u64_negative", dict(full, u64=-1))
    both("everything_f32_out_of_range", dict(full, f32=1e39))
    both("everything_f64_from_int", dict(full, f64=9007199254740993))
    both("everything_f64_from_exact_int", dict(full, f64=9007199254740992))
    both("everything_not_a_map", [1, 2, 3])
    both("everything_deep_value", dict(full, extra=nest(60, 1)))
    # Unknown field names went raw into the error (a bug the fuzzers found).
    s["bug_error_path_unknown_field.json"] = b"0" + to_json(dict(full, **{"x\u0001\u00e9": 1}))
    s["bug_error_path_unknown_field.mp"] = (b"1\xde" + struct.pack(">H", len(full) + 1) +
                                            mp(full)[3:] + b"\xa2\xff\x00\x01")
    s["bug_error_path_long_field.mp"] = (b"3\x82" + mp("label") + mp("x") + mp_str(b"\x01" * 3000) +
                                         b"\x01")
    s["everything_bad_base64.json"] = b"0" + to_json(full).replace(b'"AAH+/w=="', b'"AAH+/w="')
    s["everything_noncanonical_base64.json"] = b"0" + to_json(full).replace(b'"AAH+/w=="',
                                                                         b'"AAH+/x=="')
    s["everything_raw_as_str.mp"] = b"1" + mp(dict(full, raw="as text"))
    s["everything_f64_nan.mp"] = b"1" + mp(dict(full, f64=math.nan))
    s["everything_f32_inf.mp"] = b"1" + mp(dict(full, f32=math.inf))
    s["everything_value_nan.mp"] = b"1" + mp(dict(full, extra=[math.nan, -math.inf]))
    s["everything_value_bytes.mp"] = b"1" + mp(dict(full, extra={"b": b"\x00\xff"}))
    s["everything_text_invalid_utf8.mp"] = b"1" + mp(dict(full, text=b"x")).replace(
        mp(b"x"), b"\xa2\xff\xfe")
    s["everything_truncated.mp"] = b"1" + mp(full)[:-1]
    full_mp = mp(full)
    # Same map with one field written twice: bump the map count and append "flag": false.
    s["everything_duplicate_field_twice.mp"] = (b"1\xde" + struct.pack(">H", len(full) + 1) +
                                                full_mp[3:] + mp("flag") + mp(False))
    # Duplicate keys inside a troupe::value field.
    s["everything_value_duplicate_key.json"] = b"0" + to_json(dict(full, extra=None)).replace(
        b'"extra":null', b'"extra":{"a":1,"a":2}')
    s["everything_value_duplicate_key.mp"] = b"1" + mp(dict(full, extra=None)).replace(
        mp("extra") + b"\xc0", mp("extra") + b"\x82\xa1a\x01\xa1a\x02")
    s["everything_duplicate_field.json"] = b"0" + to_json(full)[:-1] + b',"flag":false}'
    tree_both("tree_leaf", {"label": "leaf", "children": []})
    tree_both("tree_wide", tree(2, 4))
    # A tree of n levels nests 2n containers (a leaf's empty children array counts): 4
    # levels fit max_depth 8, 32 fit the default 64.
    for levels in (4, 5, 32, 33):
        tree_both(f"tree_{levels}_levels", tree(levels - 1))
    tree_both("tree_bad_feeling", {"label": "x", "feeling": "angry", "children": []})
    tree_both("tree_child_not_map", {"label": "x", "children": [1]})
    s["selector_only.json"] = b"0"
    s["selector_only.mp"] = b"1"
    return s


def main():
    sets = {
        "fuzz_json_value": json_value_seeds(),
        "fuzz_msgpack_value": msgpack_value_seeds(),
        "fuzz_described": described_seeds(),
    }
    for target, seeds in sets.items():
        folder = os.path.join(HERE, "corpus", target)
        os.makedirs(folder, exist_ok=True)
        for name, data in sorted(seeds.items()):
            assert len(data) < 4096, (target, name, len(data))
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
