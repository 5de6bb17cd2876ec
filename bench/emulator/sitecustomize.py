"""Benchmark-only adjustments to the moto S3 emulator, loaded through PYTHONPATH.

The benchmark (bench/emulators.ts) puts this folder on the moto processes' PYTHONPATH;
tests never do. Two things, each switched by an environment variable:

LONGBOW_BENCH_REQUEST_LOG_DIR
    Appends one line per S3 request ("METHOD level query-names"; SQS and DynamoDB requests
    as "TARGET operation -") to
    <dir>/requests-<pid>.log, so the benchmark can count requests per object for every
    tool without a proxy in the data path.

LONGBOW_BENCH_KEEP_ALIVE=1
    werkzeug's development server ends every response with "Connection: close", so each
    request pays a new TCP connection; over the emulated long link that is two extra
    round trips per request, for every client alike, where real S3 keeps connections
    alive. With this on, the header is left out and HTTP/1.1 connections are reused.
    (Werkzeug closes them because http.server cannot skip a request body the application
    did not read; every request the benchmark's clients send has its body read by moto.)

LONGBOW_BENCH_RANGED_READS=1
    moto 5.2 serves a ranged GET by reading the whole object into memory and slicing it,
    so fetching an N-part object costs N whole-object reads (a 1 GiB object in 5 MiB
    parts: 200 GiB of copying). Real S3 reads only the range. With this on, a ranged GET
    reads just its bytes from moto's buffer; every other request is unchanged.

LONGBOW_BENCH_STREAMED_COMPLETE=1
    moto 5.2 completes a multipart upload by appending every part to one bytearray, appending
    them again to a second one for the whole-object checksum, copying the first into bytes
    and only then writing that into the new object's buffer: about 28 s of one process for a
    2 GiB object, during which the fleet can only wait. Real S3 completes without the client
    paying for the object's size like that. With this on, completion checks the parts exactly
    as moto does (InvalidPart, EntityTooSmall, MalformedXML), computes the same ETag and the
    same checksum from one read of each part, and the new object keeps the parts' buffers
    and reads across them, copying nothing; an upload whose whole-object checksum cannot be
    built up part by part here completes moto's way.
"""

import os
import threading

# The project's fixes to moto, loaded by every emulator (test/emulator/python); this file,
# first on the bench's PYTHONPATH, shadows that folder's sitecustomize, so it loads them here.
import longbow_moto_patches  # noqa: F401

_log_dir = os.environ.get("LONGBOW_BENCH_REQUEST_LOG_DIR")
_ranged = os.environ.get("LONGBOW_BENCH_RANGED_READS") == "1"
_keep_alive = os.environ.get("LONGBOW_BENCH_KEEP_ALIVE") == "1"
_streamed_complete = os.environ.get("LONGBOW_BENCH_STREAMED_COMPLETE") == "1"

if _log_dir or _ranged:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.s3.models import FakeKey
    from moto.s3.responses import S3Response

if _log_dir:
    _log = open(os.path.join(_log_dir, f"requests-{os.getpid()}.log"), "a", buffering=1)
    _log_lock = threading.Lock()
    _dispatch = DomainDispatcherApplication.__call__

    def _logged_call(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            # SQS and DynamoDB (JSON protocols) name the operation in a header
            with _log_lock:
                _log.write(f"TARGET {target.rsplit('.', 1)[-1]} -\n")
        elif not path.startswith("/moto-api"):
            level = "object" if "/" in path.strip("/") else "bucket"
            names = sorted(
                {p.split("=", 1)[0] for p in environ.get("QUERY_STRING", "").split("&") if p}
            )
            with _log_lock:
                _log.write(f"{environ.get('REQUEST_METHOD')} {level} {','.join(names) or '-'}\n")
        return _dispatch(self, environ, start_response)

    DomainDispatcherApplication.__call__ = _logged_call

if _ranged:
    _local = threading.local()
    _value = FakeKey.value

    class _RangedValue:
        """Stands in for key.value during a ranged GET; slicing reads only that range."""

        def __init__(self, key):
            self._key = key
            self._size = key.size

        def __len__(self):
            return self._size

        def __getitem__(self, index):
            if not isinstance(index, slice):
                raise TypeError("only slices are supported")
            start, stop, _ = index.indices(self._size)
            with self._key.lock:
                self._key._value_buffer.seek(start)
                return self._key._value_buffer.read(max(0, stop - start))

        def whole(self):
            return _value.fget(self._key)

    def _value_get(self):
        if getattr(_local, "ranged", False):
            return _RangedValue(self)
        return _value.fget(self)

    FakeKey.value = property(_value_get, _value.fset)

    _get_object = S3Response.get_object

    def _get_object_ranged(self):
        _local.ranged = bool(self.headers.get("range"))
        try:
            return _get_object(self)
        finally:
            _local.ranged = False

    S3Response.get_object = _get_object_ranged

    _key_response = S3Response.key_response

    def _key_response_whole(self, *args, **kwargs):
        # a range moto ends up not honouring (several ranges, bad syntax) gets the whole body
        result = _key_response(self, *args, **kwargs)
        if isinstance(result, tuple) and len(result) == 3 and isinstance(result[2], _RangedValue):
            return result[0], result[1], result[2].whole()
        return result

    S3Response.key_response = _key_response_whole

if _keep_alive:
    from werkzeug.serving import WSGIRequestHandler

    _send_header = WSGIRequestHandler.send_header

    def _send_header_keep_alive(self, keyword, value):
        if keyword.lower() == "connection" and value.lower() == "close":
            return
        _send_header(self, keyword, value)

    WSGIRequestHandler.send_header = _send_header_keep_alive

    # http.server writes the headers and the body in separate sends; on a kept connection
    # Nagle's algorithm holds the body until the client ACKs the headers, which a client's
    # delayed ACK puts off by up to 40 ms: every small answer would wait that long.
    WSGIRequestHandler.disable_nagle_algorithm = True

    # After each response werkzeug reads whatever is left on the socket until it goes quiet,
    # safe only when the connection is about to close; on a kept connection it would block
    # on (or swallow) the next request. Its selector is used for nothing else.
    import types

    import werkzeug.serving

    class _NothingLeftToRead:
        def register(self, *args):
            pass

        def select(self, timeout=None):
            return []

        def close(self):
            pass

    werkzeug.serving.selectors = types.SimpleNamespace(
        DefaultSelector=_NothingLeftToRead, EVENT_READ=1
    )

if _streamed_complete:
    import base64
    import bisect
    import codecs
    import hashlib
    import tempfile
    import zlib

    from moto.core.compat import HAS_CRT
    from moto.s3 import models as s3_models
    from moto.s3.exceptions import EntityTooSmall, InvalidPart, MalformedXML
    from moto.s3.models import FakeKey, FakeMultipart, MultipartChecksumBuilder
    from moto.s3.utils import compute_checksum
    from moto.settings import get_s3_default_key_buffer_size
    from moto.utilities.utils import md5_hash

    _CHUNK = 8 << 20
    _complete = FakeMultipart.complete

    def _chunks(part):
        offset = 0
        while True:
            # one read at a time under the part's lock, as moto's own reads of a part are
            with part.lock:
                part._value_buffer.seek(offset)
                chunk = part._value_buffer.read(_CHUNK)
            if not chunk:
                return
            offset += len(chunk)
            yield chunk

    class _PartsFile:
        """The parts' own buffers, read one after another as one file: nothing is copied."""

        def __init__(self, buffers, sizes):
            self._buffers = buffers
            self._sizes = sizes
            self._starts = [0]
            for size in sizes[:-1]:
                self._starts.append(self._starts[-1] + size)
            self.size = sum(sizes)
            self._pos = 0

        def seek(self, offset, whence=0):
            self._pos = max(0, (0, self._pos, self.size)[whence] + offset)
            return self._pos

        def tell(self):
            return self._pos

        def read(self, n=-1):
            end = self.size if n is None or n < 0 else min(self.size, self._pos + n)
            out = []
            i = bisect.bisect_right(self._starts, self._pos) - 1
            while self._pos < end:
                within = self._pos - self._starts[i]
                self._buffers[i].seek(within)
                chunk = self._buffers[i].read(min(end - self._pos, self._sizes[i] - within))
                if not chunk:
                    raise OSError(f"part buffer {i} ended early")
                out.append(chunk)
                self._pos += len(chunk)
                i += 1
            return b"".join(out)

        def close(self):
            for buffer in self._buffers:
                buffer.close()
            self._buffers = []

    def _whole_object_digest(algorithm):
        """The running form of moto's compute_checksum(whole object), or None where there is none here."""
        if algorithm == "CRC32" or (algorithm == "CRC64NVME" and not HAS_CRT):
            # moto falls back to CRC32 for CRC64NVME without awscrt; the same value, built up
            state = {"crc": 0}

            def update(chunk):
                state["crc"] = zlib.crc32(chunk, state["crc"])

            return update, lambda: state["crc"].to_bytes(4, "big")
        if algorithm in ("SHA1", "SHA256"):
            h = hashlib.new(algorithm.lower(), usedforsecurity=False)
            return h.update, h.digest
        return None

    def _streamed(self, body):
        listed = list(body)
        if len({pn for pn, _ in listed}) != len(listed):
            # a part listed twice would be handed over twice; moto's way copies it twice
            return _complete(self, iter(listed))
        builder = MultipartChecksumBuilder(
            self.metadata.get("x-amz-checksum-algorithm"), self.metadata.get("x-amz-checksum-type")
        )
        whole = None
        if builder.checksum_type != "COMPOSITE":
            whole = _whole_object_digest(builder.checksum_algorithm)
            if whole is None:
                return _complete(self, iter(listed))
        decode_hex = codecs.getdecoder("hex_codec")
        md5s = bytearray()
        parts = []
        last = None
        for pn, etag in listed:
            part = self.parts.get(pn)
            part_etag = None
            if part is not None:
                part_etag = part.etag.replace('"', "")
                etag = etag.replace('"', "")
            if part is None or part_etag != etag:
                raise InvalidPart()
            if last is not None and last.contentsize < s3_models.S3_UPLOAD_PART_MIN_SIZE:
                raise EntityTooSmall()
            md5s.extend(decode_hex(part_etag)[0])
            parts.append(part)
            last = part
        if not parts:
            raise MalformedXML
        # moto disposes of the parts as soon as complete returns: the new object takes their
        # buffers over (each part is left an empty one to dispose of), so no byte is copied;
        # the whole-object checksum is built up from one read of each part
        buffers, sizes = [], []
        for part in parts:
            if whole is None:
                builder.checksum.extend(
                    compute_checksum(part.value, builder.checksum_algorithm, encode_base64=False)
                )
            else:
                for chunk in _chunks(part):
                    whole[0](chunk)
            with part.lock:
                if part.contentsize:
                    buffers.append(part._value_buffer)
                    sizes.append(part.contentsize)
                else:
                    part._value_buffer.close()
                part._value_buffer = tempfile.SpooledTemporaryFile(get_s3_default_key_buffer_size())
        if whole is None:
            checksum = (
                builder.checksum_type,
                compute_checksum(bytes(builder.checksum), builder.checksum_algorithm).decode(),
                len(parts),
            )
        else:
            checksum = (builder.checksum_type, base64.b64encode(whole[1]()).decode(), 1)
        full_etag = md5_hash()
        full_etag.update(bytes(md5s))
        return _PartsFile(buffers, sizes), f"{full_etag.hexdigest()}-{len(parts)}", checksum

    FakeMultipart.complete = _streamed

    # read now, so that a getter installed above (ranged reads) is kept
    _value_property = FakeKey.value

    def _value_set(self, new_value):
        if isinstance(new_value, _PartsFile):
            self._value_buffer.close()
            self._value_buffer = new_value
            self.contentsize = new_value.size
            return None
        if isinstance(getattr(self, "_value_buffer", None), _PartsFile):
            # a completed key rewritten in place: from now on a buffer of moto's own kind
            self._value_buffer.close()
            self._value_buffer = tempfile.SpooledTemporaryFile(self._max_buffer_size)
        return _value_property.fset(self, new_value)

    FakeKey.value = property(_value_property.fget, _value_set)
