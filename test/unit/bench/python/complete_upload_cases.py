"""Completes the same multipart uploads in moto's backend, in-process, and prints what each
left behind as one JSON line: the test runs it with and without the bench's streamed
completion (bench/emulator/sitecustomize.py) and compares the two.

Usage: python complete_upload_cases.py   (LONGBOW_BENCH_STREAMED_COMPLETE=0|1 in the environment)
"""

import hashlib
import json
import os
import random
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "..", "..", "..")
sys.path[:0] = [os.path.join(root, "bench", "emulator"), os.path.join(root, "test", "emulator", "python")]
import sitecustomize  # noqa: E402,F401  (the bench's patches, switched by the environment)
from moto.s3.models import FakeMultipart, s3_backends  # noqa: E402

MiB = 1 << 20
backend = s3_backends["123456789012"]["aws"]
backend.create_bucket("cases", "us-east-1")
rng = random.Random(19)


def case(name, metadata, sizes, listed=None):
    upload = backend.create_multipart_upload("cases", name, metadata, "STANDARD", {}, None, None, None)
    etags = []
    for number, size in enumerate(sizes, start=1):
        etags.append((number, backend.upload_part("cases", upload.id, number, rng.randbytes(size)).etag))
    try:
        key = backend.complete_multipart_upload("cases", upload.id, iter(listed(etags) if listed else etags))
    except Exception as error:  # the refusal itself is what is compared
        return {"case": name, "error": type(error).__name__}
    value = key.value
    # ranged GETs read the key's buffer at an offset (the bench's ranged reads); across part ends too
    ranges = []
    for start, length in ((0, 10), (5 * MiB + 10, 20), (key.size - 7, 50), (3, 13 * MiB), (key.size + 5, 4)):
        key._value_buffer.seek(start)
        ranges.append(hashlib.md5(key._value_buffer.read(length)).hexdigest())
    return {
        "case": name,
        "etag": key.etag,
        "size": key.size,
        "md5": hashlib.md5(value).hexdigest(),
        "ranges": ranges,
        "checksum": [key.checksum_type, key.checksum_value, key.checksum_parts],
        # what GetObject partNumber serves its ranges from
        "parts": [p.contentsize for p in key.multipart.parts.values()],
    }


sizes = [5 * MiB + 17, 8 * MiB, 3 * MiB + 5]
results = [
    case("default", {}, sizes),
    case("crc32-full", {"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "FULL_OBJECT"}, sizes),
    case("sha256-composite", {"x-amz-checksum-algorithm": "SHA256"}, sizes),
    case("crc32-composite", {"x-amz-checksum-algorithm": "CRC32"}, sizes),
    case("crc32c-full", {"x-amz-checksum-algorithm": "CRC32C", "x-amz-checksum-type": "FULL_OBJECT"}, sizes),
    case("one-part", {}, [1234]),
    case("empty-last-part", {}, [5 * MiB, 0]),
    case("small-middle-part", {}, [5 * MiB, 1024, 5 * MiB]),
    case("part-listed-twice", {}, sizes, lambda e: [e[0], e[0], e[1], e[2]]),
    case("wrong-etag", {}, sizes, lambda e: [(n, '"0000"') if n == 2 else (n, t) for n, t in e]),
    case("no-parts", {}, sizes, lambda e: []),
]
# which completion ran: the patch's own function, or moto's
# a key rewritten in place after completion (moto's value setter) holds just the new bytes
rewritten = backend.get_object("cases", "default")
rewritten.value = b"rewritten"
results.append({"case": "rewritten", "value": rewritten.value.decode()})
print(json.dumps({"streamed": FakeMultipart.complete.__module__ == "sitecustomize", "results": results}))
