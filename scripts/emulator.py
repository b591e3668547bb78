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
  once per message it looks at (quadratic in the delayed exit-deadline messages).
Both are replaced by the same result computed from the partition / the one attribute.

Usage: python3 scripts/emulator.py -H 127.0.0.1 -p 4566 (the same flags as moto_server).
"""

import threading

from moto.core.utils import unix_time
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.server import main
from moto.sqs.models import SQSBackend

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

if __name__ == "__main__":
    main()
