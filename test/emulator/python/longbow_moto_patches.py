"""Fixes to moto 5.2's models that every emulator the project starts loads, tests and bench.

Each one makes the emulator behave as the real service does where the project's tests
depend on it; none changes what a request returns.

1. DynamoDB requests are atomic and isolated. moto serves requests on threads without a
   lock: an UpdateItem reads an item, a concurrent TransactWriteItems writes it, and the
   UpdateItem writes back what it had read, losing the transaction's write; a failed
   TransactWriteItems restores a whole-table snapshot taken when it began, undoing
   whatever other requests committed meanwhile. Real DynamoDB makes every request atomic
   and transactions serializable. Found by the ledger's randomized counter test
   (test/integration/ledger/ledger.counters.test.ts), which drifted within one run on
   stock moto. Here every DynamoDB request holds one lock per process.

2. TransactWriteItems undoes a failed transaction item by item. moto deep-copies the whole
   table once per item of every transaction, to restore it on failure: with a 20,000-item
   ledger each transaction of 25 items copies the table 26 times. Under the lock of (1)
   only the items the transaction touches can change, so only they are saved.
"""

import copy
import threading

from moto.dynamodb import models as _dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

_dynamodb_lock = threading.RLock()

_call_action = DynamoHandler.call_action


def _serialized_call_action(self):
    with _dynamodb_lock:
        return _call_action(self)


DynamoHandler.call_action = _serialized_call_action


class _NoTableCopy:
    """Stands in for the `copy` module inside moto's DynamoDB models: tables are not copied."""

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


_dynamodb_models.copy = _NoTableCopy
_transact_write_items = DynamoDBBackend.transact_write_items


def _key_of(backend, op_type, op):
    table = backend.get_table(op["TableName"])
    if op_type != "Put":
        return op["Key"]
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _undoable_transact_write_items(self, transact_items):
    with _dynamodb_lock:
        saved = []
        for item in transact_items:
            try:
                op_type, op = next(iter(item.items()))
                key = _key_of(self, op_type, op)
                current = self.get_item(op["TableName"], key)
            except Exception:  # noqa: BLE001 - the original reports malformed items itself
                continue
            attrs = None if current is None else copy.deepcopy(current.to_json()["Attributes"])
            saved.append((op["TableName"], key, attrs))
        try:
            return _transact_write_items(self, transact_items)
        except Exception:
            for table_name, key, attrs in reversed(saved):
                if attrs is None:
                    table = self.get_table(table_name)
                    hash_key, range_key = self.get_keys_value(table, key)
                    table.delete_item(hash_key, range_key)
                else:
                    self.put_item(table_name, attrs)
            raise


DynamoDBBackend.transact_write_items = _undoable_transact_write_items

# 3. SQS requests cost what real SQS's do, not a scan of the whole queue.
#
# moto 5.2 answers `Queue.attributes` by computing every attribute, three of which count the
# messages by scanning the queue; SendMessage asks it for one flag, GetQueueAttributes asks
# it twice per attribute, and every ReceiveMessage asks for the retention period: each
# message sent or received scanned the queue three to six times. `Queue.messages` (the
# visible ones) is rebuilt as a list on every receive, and DeleteMessage rebuilds the whole
# queue list. With 20,000 messages queued, sending them slowed to about 6 per second.
# Here attributes are computed only when asked for, the visible messages are walked only as
# far as a receive reads them, and a delete removes one entry. What each request returns is
# unchanged.

from collections.abc import Mapping as _Mapping

from moto.sqs.models import Queue as _Queue
from moto.core.utils import camelcase_to_underscores as _camel_to_snake


class _LazyAttributes(_Mapping):
    """The queue's attributes as `Queue.attributes` computes them, each computed on access."""

    def __init__(self, queue):
        self._queue = queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:
            names += queue.KMS_ATTRIBUTES
        if queue.policy:
            names.append("Policy")
        if queue.redrive_policy:
            names.append("RedrivePolicy")
        self._names = names

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(name)
        q = self._queue
        if name == "Policy":
            value = q.policy
        elif name == "RedrivePolicy":
            value = json.dumps(q.redrive_policy)
        else:
            value = getattr(q, _camel_to_snake(name))
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)


class _VisibleMessages:
    """`Queue.messages` walked lazily: a receive stops at its tenth message."""

    def __init__(self, queue):
        self._queue = queue

    def __iter__(self):
        return (m for m in list(self._queue._messages) if m.visible and not m.delayed)

    def __len__(self):
        return sum(1 for m in self._queue._messages if m.visible and not m.delayed)

    def __bool__(self):
        return any(m.visible and not m.delayed for m in self._queue._messages)


def _delete_message(self, receipt_handle):
    if receipt_handle in self.deleted_messages:
        return
    for i, message in enumerate(self._messages):
        if message.had_receipt_handle(receipt_handle):
            self.pending_messages.discard(message)
            self.deleted_messages.update(message.all_receipt_handles)
            del self._messages[i]
            return
    from moto.sqs.exceptions import ReceiptHandleIsInvalid

    raise ReceiptHandleIsInvalid()


import json  # noqa: E402 - used by _LazyAttributes

_Queue.attributes = property(lambda self: _LazyAttributes(self))
_Queue.messages = property(lambda self: _VisibleMessages(self))
_Queue.delete_message = _delete_message
