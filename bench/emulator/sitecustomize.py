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
"""

import os
import threading

# The project's fixes to moto, loaded by every emulator (test/emulator/python); this file,
# first on the bench's PYTHONPATH, shadows that folder's sitecustomize, so it loads them here.
import longbow_moto_patches  # noqa: F401

_log_dir = os.environ.get("LONGBOW_BENCH_REQUEST_LOG_DIR")
_ranged = os.environ.get("LONGBOW_BENCH_RANGED_READS") == "1"
_keep_alive = os.environ.get("LONGBOW_BENCH_KEEP_ALIVE") == "1"

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
