#!/usr/bin/env python3
"""Reference implementation of Pipeline's class-parameter encoding and queue naming.

Standard library only. This is the executable companion of docs/parameter-encoding.md
and is independent of the C# implementation (src/Messages). Running it regenerates
tests/Pipeline.Messages.Tests/Parameters/parameter-vectors.json, which the C# tests check.

A parameter set is a list of (name, type, value) with type in
"string" (str), "int" (Python int in int64 range), "bool" (bool), "bytes" (bytes).
Defaults must already be applied: the set passed here is the complete, validated set.
"""
import base64
import hashlib
import json
import os
import struct

VERSION = 0x01
MAX_ENCODED_BYTES = 16 * 1024   # 16 KiB, inclusive
MAX_QUEUE_LENGTH = 200
TAGS = {"string": b"s", "int": b"i", "bool": b"b", "bytes": b"y"}
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def encode_value(type_, value):
    """Encode one value (without tag or name)."""
    if type_ == "string":
        data = value.encode("utf-8")
        return struct.pack(">I", len(data)) + data          # u32 BE length + UTF-8
    if type_ == "int":
        if isinstance(value, bool) or not INT64_MIN <= value <= INT64_MAX:
            raise ValueError("int out of int64 range: %r" % (value,))
        return struct.pack(">q", value)                     # int64 BE two's complement
    if type_ == "bool":
        return b"\x01" if value else b"\x00"
    if type_ == "bytes":
        return struct.pack(">I", len(value)) + bytes(value)  # u32 BE length + raw
    raise ValueError("unknown type %r" % (type_,))


def encode(params):
    """Canonical encoding of a complete parameter set [(name, type, value), ...]."""
    entries = [(name.encode("utf-8"), type_, value) for name, type_, value in params]
    # Sort by the UTF-8 bytes of the name (NOT by UTF-16 code units / str order).
    entries.sort(key=lambda e: e[0])
    out = bytearray([VERSION])
    for i, (name, type_, value) in enumerate(entries):
        if not 1 <= len(name) <= 0xFFFF:
            raise ValueError("parameter name must be 1..65535 UTF-8 bytes")
        if i > 0 and entries[i - 1][0] == name:
            raise ValueError("duplicate parameter name %r" % name.decode("utf-8"))
        out += TAGS[type_] + struct.pack(">H", len(name)) + name + encode_value(type_, value)
    if len(out) > MAX_ENCODED_BYTES:
        raise ValueError("encoded parameters exceed %d bytes" % MAX_ENCODED_BYTES)
    return bytes(out)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def pool_id(params):
    """First 16 lowercase hex chars of SHA-256 of the canonical encoding."""
    return sha256_hex(encode(params))[:16]


def _upper(c): return "A" <= c <= "Z"
def _lower(c): return "a" <= c <= "z"
def _digit(c): return "0" <= c <= "9"


def normalize(s):
    """Kebab-case an app/class/function name (e.g. NightlyReportAsync -> nightly-report)."""
    if len(s) > 5 and s.endswith("Async"):
        s = s[:-5]
    raw = []
    for i, c in enumerate(s):
        prev = s[i - 1] if i > 0 else ""
        nxt = s[i + 1] if i + 1 < len(s) else ""
        if _upper(c):
            if (prev and (_lower(prev) or _digit(prev))) or \
               (prev and _upper(prev) and nxt and _lower(nxt)):
                raw.append("-")
            raw.append(c.lower())
        elif _lower(c) or _digit(c):
            raw.append(c)
        else:
            raw.append("-")   # any other char, including non-ASCII
    out = []
    for ch in raw:            # drop leading and repeated '-'
        if ch == "-" and (not out or out[-1] == "-"):
            continue
        out.append(ch)
    return "".join(out).rstrip("-")


def shorten(name, max_len):
    """Fit name into max_len: keep first max_len-9 chars, strip trailing '-'/'.',
    append '-' + first 8 hex of sha256(utf8(full name))."""
    if len(name) <= max_len:
        return name
    head = name[:max_len - 9].rstrip("-.")
    return head + "-" + sha256_hex(name.encode("utf-8"))[:8]


def _part(name):
    """Normalize one queue-name part; a name with no letters or digits is an error."""
    normalized = normalize(name)
    if not normalized:
        raise ValueError("%r has no letters or digits to name a queue with" % (name,))
    return normalized


def function_queue(app, function):
    return shorten("%s.%s" % (_part(app), _part(function)), MAX_QUEUE_LENGTH)


def class_queue(app, cls, params):
    prefix = "%s.%s" % (_part(app), _part(cls))
    if not params:            # parameterless class: a single pool, no suffix
        return shorten(prefix, MAX_QUEUE_LENGTH)
    suffix = ".p-" + pool_id(params)
    return shorten(prefix, MAX_QUEUE_LENGTH - len(suffix)) + suffix


# ---------------------------------------------------------------- test vectors

def wire_value(type_, value):
    """Wire JSON form: bytes as standard padded base64, everything else natively."""
    return base64.b64encode(value).decode("ascii") if type_ == "bytes" else value


def vector(description, app, cls, params):
    enc = encode(params)
    return {
        "description": description, "app": app, "class": cls,
        "parameters": [{"name": n, "type": t, "value": wire_value(t, v)} for n, t, v in params],
        "encodedHex": enc.hex(), "sha256": sha256_hex(enc), "poolId": sha256_hex(enc)[:16],
        "queue": class_queue(app, cls, params),
    }


VECTORS = [
    ("empty set (parameterless class: no pool suffix)", "inference", "Model", []),
    ("single string", "inference", "Model", [("name", "string", "llama")]),
    ("Modal example name=llama size=7 (worked example in the spec)", "inference", "Model",
     [("size", "int", 7), ("name", "string", "llama")]),
    ("int zero (and one), out of order", "inference", "Model", [("zero", "int", 0), ("one", "int", 1)]),
    ("negative ints, listed out of order", "inference", "Model",
     [("z", "int", -1), ("m", "int", -256), ("a", "int", -9007199254740993)]),
    ("int64 min and max", "inference", "Model",
     [("min", "int", INT64_MIN), ("max", "int", INT64_MAX)]),
    ("booleans, listed out of order", "inference", "Model",
     [("yes", "bool", True), ("no", "bool", False)]),
    ("empty string value, out of order", "inference", "Model",
     [("prompt", "string", ""), ("model", "string", "llama")]),
    ("empty bytes, out of order", "inference", "Model", [("blob", "bytes", b""), ("a", "int", 1)]),
    ("bytes with 0x00 and 0xff, out of order", "inference", "Model",
     [("key", "bytes", bytes([0x00, 0xFF, 0x00, 0x7F, 0x80, 0xFF])), ("iv", "bytes", b"\xff" * 4)]),
    ("unicode string values: e-acute, CJK, emoji", "inference", "Model",
     [("zh", "string", "模型"), ("emoji", "string", "\U0001F680 go"), ("cafe", "string", "café")]),
    ("non-ASCII names: UTF-8 byte order (U+FB01 first) differs from UTF-16 order "
     "(U+1F600 surrogate pair first); sorting must use UTF-8 bytes", "inference", "Model",
     [("\U0001F600", "int", 2), ("\uFB01", "int", 1)]),
    ("names differing in case: bytewise 'B' (0x42) sorts before 'a' (0x61)", "inference", "Model",
     [("a", "string", "lower"), ("B", "string", "upper")]),
    ("names where one is a prefix of another: 'ab' before 'abc' before 'b'", "inference", "Model",
     [("b", "bool", True), ("abc", "int", 3), ("ab", "int", 2)]),
    ("long value: 1000-char string, out of order", "inference", "Model",
     [("text", "string", "x" * 1000), ("id", "int", 1)]),
    ("all four types mixed, out of order", "inference", "Model",
     [("temperature", "int", 70), ("model", "string", "llama-3"), ("stream", "bool", True),
      ("seed", "bytes", b"\x01\x02\x03")]),
    ("app and class names normalized: MyApp -> my-app, LLMModelAsync -> llm-model", "MyApp",
     "LLMModelAsync", [("size", "int", 100)]),
    ("parameterless class with normalized names", "my_app", "NightlyReportAsync", []),
    ("very long class name: prefix shortened with hash, pool suffix kept", "inference",
     "VeryLong" + "Segment" * 30 + "Model", [("name", "string", "llama"), ("gpu", "bool", True)]),
    ("very long class name with no parameters: whole queue shortened", "inference",
     "VeryLong" + "Segment" * 30 + "Model", []),
    ("same values as the Modal example but size=8 gives a different pool", "inference", "Model",
     [("size", "int", 8), ("name", "string", "llama")]),
    ("string vs bytes with same content differ by tag", "inference", "Model",
     [("v", "bytes", b"llama")]),
    ("near the 16 KiB limit (encoding exactly 16384 bytes)", "inference", "Model",
     [("big", "string", "a" * (16384 - 1 - 1 - 2 - 3 - 4))]),
]

NAMES = ["NightlyReportAsync", "LLMModel", "Model", "Async", "my_app", "inference", "Embed2D",
         "nightly-report", "__x__", "ABC", "aB1C", "HTTPServer2Async", "MyApp", "LLMModelAsync",
         "getHTTPResponseCode", "Run Async", "café", "RunAsyncAsync", "a--b..c", "X"]

FUNCTION_QUEUES = [("inference", "NightlyReportAsync"), ("MyApp", "ProcessOrder"),
                   ("my_app", "send_email"), ("Reports", "Async"),
                   ("inference", "Generate" + "VeryLongStep" * 20 + "Async")]


def main():
    doc = {
        "version": 1,
        "vectors": [vector(*v) for v in VECTORS],
        "names": [{"input": s, "normalized": normalize(s)} for s in NAMES],
        "functionQueues": [{"app": a, "function": f, "queue": function_queue(a, f)}
                           for a, f in FUNCTION_QUEUES],
    }
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "tests", "Pipeline.Messages.Tests", "Parameters",
                        "parameter-vectors.json")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, indent=2, sort_keys=True, ensure_ascii=True)
        f.write("\n")
    print("wrote %d vectors to %s" % (len(doc["vectors"]), path))


if __name__ == "__main__":
    main()
