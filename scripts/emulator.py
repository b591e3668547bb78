"""moto_server with DynamoDB requests made atomic.

Real DynamoDB checks a ConditionExpression and applies the write as one atomic step;
moto serves requests on many threads and checks then writes without a lock, so two
conditional updates racing on one item can both succeed (measured: 1 round in 150 with
8 racing writers). The pipeline's exactly-once claims rely on that atomicity, so the
local stack serialises DynamoDB calls. Other services (SQS long polls) stay concurrent.

Two of moto's costs grow with everything ever stored, which real AWS's do not, and made
long local runs (1,000 bots) slow down as they went (measured with py-spy: 70% of the
emulator's time in these two):
- a table Query walks and sorts every item of the table, not only the queried partition;
- an SQS ReceiveMessage rebuilds all of the queue's attributes, counting every message,
  once per message it looks at (quadratic in the delayed exit-deadline messages);
- a TransactWriteItems deep-copies every table it touches, to roll back on failure.
Each is replaced by the same result computed from the partition, the one attribute, or a
copy of only the items the transaction writes.

Usage: python3 scripts/emulator.py -H 127.0.0.1 -p 4566 (the same flags as moto_server).
"""

import copy
import inspect
import sys
import threading

import moto

# The patches below replace private parts of moto; they are written against this version
# (scripts/requirements.lock pins it) and checked before anything is patched.
MOTO_VERSION = "5.2.1"
if moto.__version__ != MOTO_VERSION:
    sys.exit(
        f"scripts/emulator.py patches moto {MOTO_VERSION}'s internals, but moto {moto.__version__} "
        "is installed; run it from the project's .venv (scripts/python-env.sh)"
    )

import moto.dynamodb.models as dynamodb_models  # noqa: E402
from moto.core.utils import unix_time  # noqa: E402
from moto.dynamodb.models import DynamoDBBackend  # noqa: E402
from moto.dynamodb.models.dynamo_type import DynamoType  # noqa: E402
from moto.dynamodb.models.table import Table  # noqa: E402
from moto.dynamodb.responses import DynamoHandler  # noqa: E402
from moto.server import main  # noqa: E402
from moto.sqs.models import SQSBackend  # noqa: E402


def _require(owner, name, params=None):
    """Stops with a clear message when a patched attribute is missing or changed shape."""
    attr = getattr(owner, name, None)
    if attr is None:
        sys.exit(f"scripts/emulator.py: moto {moto.__version__} has no {owner.__name__}.{name}")
    if params is not None:
        got = list(inspect.signature(attr).parameters)[: len(params)]
        if got != params:
            sys.exit(
                f"scripts/emulator.py: moto's {owner.__name__}.{name} takes {got}, expected {params}"
            )


_require(DynamoHandler, "call_action", ["self"])
_require(Table, "query", ["self", "hash_key"])
_require(Table, "all_items", ["self"])
_require(SQSBackend, "is_message_valid_based_on_retention_period", ["self", "queue_name", "message"])
_require(DynamoDBBackend, "transact_write_items", ["self", "transact_items"])
if not hasattr(dynamodb_models, "copy"):
    sys.exit("scripts/emulator.py: moto.dynamodb.models no longer imports copy")

_lock = threading.Lock()
_call_action = DynamoHandler.call_action


def _atomic_call_action(self):
    with _lock:
        return _call_action(self)


DynamoHandler.call_action = _atomic_call_action

_query = Table.query
_all_items = Table.all_items


def _all_items_of_partition(self):
    partition = getattr(self, "_queried_partition", None)
    if partition is None:
        return _all_items(self)
    return sorted(self.items.get(partition, {}).values(), key=lambda i: i.range_key)


def _partition_query(self, hash_key, *args, **kwargs):
    # A table (not index) query with a range key reads only its partition; calls are
    # serialised by the lock above, so the marker on the table is not shared.
    index_name = kwargs.get("index_name") or (args[6] if len(args) > 6 else None)
    if index_name or not self.range_key_attr or hash_key is None:
        return _query(self, hash_key, *args, **kwargs)
    self._queried_partition = hash_key
    try:
        return _query(self, hash_key, *args, **kwargs)
    finally:
        self._queried_partition = None


Table.all_items = _all_items_of_partition
Table.query = _partition_query


def _within_retention(self, queue_name, message):
    retention = int(self.get_queue(queue_name).message_retention_period)
    return retention + message.sent_timestamp / 1000 > unix_time()


SQSBackend.is_message_valid_based_on_retention_period = _within_retention


class _CopyWithoutTables:
    """`copy` as moto's DynamoDB backend sees it: a whole table is not deep-copied (the
    transaction wrapper below keeps its own copy of the items it writes)."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


dynamodb_models.copy = _CopyWithoutTables()
_transact_write_items = DynamoDBBackend.transact_write_items


def _key_of(table, op):
    attrs = op.get("Item") or op.get("Key") or {}
    if table.hash_key_attr not in attrs:
        return None
    hash_value = DynamoType(attrs[table.hash_key_attr])
    if table.range_key_attr is None:
        return hash_value, None
    if table.range_key_attr not in attrs:
        return None
    return hash_value, DynamoType(attrs[table.range_key_attr])


def _stored(table, hash_value, range_value):
    if range_value is None:
        return table.items.get(hash_value)
    return table.items.get(hash_value, {}).get(range_value)


def _transact_with_item_rollback(self, transact_items):
    before = []
    for entry in transact_items:
        for op in entry.values():
            table = self.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            key = _key_of(table, op) if table is not None else None
            if key is not None:
                before.append((table, *key, copy.deepcopy(_stored(table, *key))))
    try:
        return _transact_write_items(self, transact_items)
    except Exception:
        for table, hash_value, range_value, item in reversed(before):
            if range_value is None:
                if item is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = item
            elif item is None:
                table.items.get(hash_value, {}).pop(range_value, None)
            else:
                table.items[hash_value][range_value] = item
        raise


DynamoDBBackend.transact_write_items = _transact_with_item_rollback

if __name__ == "__main__":
    main()
